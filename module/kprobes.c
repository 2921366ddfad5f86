// SPDX-License-Identifier: GPL-2.0
/*
 * the fixed set of kernel probes a session can enable.
 *
 * Each session registers its own struct kprobe per type it enables; the
 * kprobe core chains several probes on one address.  Handlers record only
 * for the session's traced processes.
 */
#include <linux/kprobes.h>
#include <linux/ptrace.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>

#include "compat.h"
#include "internal.h"

struct mapwatch_kprobe_def {
	const char *symbol;
	kprobe_pre_handler_t handler;
};

/* getpriority(2): payload = its two arguments, as the task passed them. */
static int mapwatch_kp_getpriority(struct kprobe *kp, struct pt_regs *regs)
{
	struct mapwatch_probe *p = container_of(kp, struct mapwatch_probe, kp);
	struct mapwatch_kp_getpriority *pl;
	struct mapwatch_rec_event *rec;
	unsigned long args[6];
	unsigned long flags;

	this_cpu_inc(p->stats->hits);
	if (!mapwatch_session_traces_current(p->session)) {
		this_cpu_inc(p->stats->filtered);
		return 0;
	}
	/* The syscall's own arguments, from the task's entry registers. */
	syscall_get_arguments(current, task_pt_regs(current), args);
	rec = mapwatch_event_begin(p, sizeof(*pl), &flags);
	if (!rec)
		return 0;
	pl = (void *)(rec + 1);
	pl->which = (s32)args[0];
	pl->who = (s32)args[1];
	mapwatch_event_end(p, flags);
	return 0;
}

NOKPROBE_SYMBOL(mapwatch_kp_getpriority);

static const struct mapwatch_kprobe_def mapwatch_kprobe_defs[MAPWATCH_KPROBE_MAX] = {
#ifdef MAPWATCH_SYSCALL_SYM
	[MAPWATCH_KPROBE_GETPRIORITY] = {
		.symbol = MAPWATCH_SYSCALL_SYM(getpriority),
		.handler = mapwatch_kp_getpriority,
	},
#endif
};

u64 mapwatch_kprobes_available(void)
{
	u64 mask = 0;
	int i;

	for (i = 0; i < MAPWATCH_KPROBE_MAX; i++)
		if (mapwatch_kprobe_defs[i].symbol)
			mask |= 1ULL << i;
	return mask;
}

int mapwatch_kprobe_attach(struct mapwatch_probe *p, u32 type)
{
	const struct mapwatch_kprobe_def *def = &mapwatch_kprobe_defs[type];

	p->type = type;
	p->kp.symbol_name = def->symbol;
	p->kp.pre_handler = def->handler;
	return register_kprobe(&p->kp);
}

/* unregister_kprobe() returns once no handler of this probe runs. */
void mapwatch_kprobe_detach(struct mapwatch_probe *p)
{
	unregister_kprobe(&p->kp);
}
