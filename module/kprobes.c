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
#include <linux/sched/signal.h>
#include <linux/sched/task_stack.h>
#include <asm/syscall.h>

#include "compat.h"
#include "internal.h"

struct mapwatch_kprobe_def {
	const char *symbol;
	kprobe_pre_handler_t handler;
	/* handler mapwatch_kp_syscall: the payload from the arguments, its size */
	u32 (*fill)(const unsigned long *args, void *payload);
	/* A kretprobe instead (handler unused): */
	kretprobe_handler_t entry_handler, ret_handler;
	size_t data_size;
};

/* Count the hit; true if the current task is one the session traces. */
static bool mapwatch_kp_traced(struct mapwatch_probe *p)
{
	this_cpu_inc(p->stats->hits);
	if (!mapwatch_session_traces_current(p->session)) {
		this_cpu_inc(p->stats->filtered);
		return false;
	}
	return true;
}

NOKPROBE_SYMBOL(mapwatch_kp_traced);

static void mapwatch_kp_emit(struct mapwatch_probe *p, const void *payload, u32 size)
{
	struct mapwatch_rec_event *rec;
	unsigned long flags;

	rec = mapwatch_event_begin(p, size, &flags);
	if (!rec)
		return;
	memcpy(rec + 1, payload, size);
	mapwatch_event_end(p, flags);
}

NOKPROBE_SYMBOL(mapwatch_kp_emit);

/* The system call's own arguments, from the task's entry registers. */
static void mapwatch_kp_syscall_args(unsigned long args[6])
{
	syscall_get_arguments(current, task_pt_regs(current), args);
}

NOKPROBE_SYMBOL(mapwatch_kp_syscall_args);

/* getpriority(2): its two arguments, as the task passed them. */
static u32 mapwatch_kp_fill_getpriority(const unsigned long *args, void *payload)
{
	struct mapwatch_kp_getpriority *pl = payload;

	pl->which = (s32)args[0];
	pl->who = (s32)args[1];
	return sizeof(*pl);
}

NOKPROBE_SYMBOL(mapwatch_kp_fill_getpriority);

static u32 mapwatch_kp_fill_madvise(const unsigned long *args, void *payload)
{
	struct mapwatch_kp_madvise *pl = payload;

	pl->start = args[0];
	pl->len = args[1];
	pl->advice = (s32)args[2];
	pl->__reserved = 0;
	return sizeof(*pl);
}

NOKPROBE_SYMBOL(mapwatch_kp_fill_madvise);

static u32 mapwatch_kp_fill_munmap(const unsigned long *args, void *payload)
{
	struct mapwatch_kp_munmap *pl = payload;

	pl->start = args[0];
	pl->len = args[1];
	return sizeof(*pl);
}

NOKPROBE_SYMBOL(mapwatch_kp_fill_munmap);

static const struct mapwatch_kprobe_def mapwatch_kprobe_defs[MAPWATCH_KPROBE_MAX];

/* A system call's entry: its arguments through the type's fill function. */
static int mapwatch_kp_syscall(struct kprobe *kp, struct pt_regs *regs)
{
	struct mapwatch_probe *p = container_of(kp, struct mapwatch_probe, kp);
	u64 payload[4];		/* the largest of the syscall payloads */
	unsigned long args[6];
	u32 n;

	BUILD_BUG_ON(sizeof(struct mapwatch_kp_madvise) > sizeof(payload) ||
		     sizeof(struct mapwatch_kp_munmap) > sizeof(payload) ||
		     sizeof(struct mapwatch_kp_getpriority) > sizeof(payload));
	if (!mapwatch_kp_traced(p))
		return 0;
	mapwatch_kp_syscall_args(args);
	n = mapwatch_kprobe_defs[p->type].fill(args, payload);
	mapwatch_kp_emit(p, payload, n);
	return 0;
}

NOKPROBE_SYMBOL(mapwatch_kp_syscall);

/* mmap(2) entry: keep the arguments; a nonzero return skips the return. */
static int mapwatch_kp_mmap_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct mapwatch_probe *p = container_of(get_kretprobe(ri), struct mapwatch_probe, krp);
	struct mapwatch_kp_mmap *pl = (void *)ri->data;
	unsigned long args[6];

	if (!mapwatch_kp_traced(p))
		return 1;
	mapwatch_kp_syscall_args(args);
	memset(pl, 0, sizeof(*pl));
	pl->addr = args[0];
	pl->len = args[1];
	pl->prot = (u32)args[2];
	pl->flags = (u32)args[3];
	pl->fd = (s32)args[4];
	pl->off = args[5];
	return 0;
}

NOKPROBE_SYMBOL(mapwatch_kp_mmap_entry);

static int mapwatch_kp_mmap_ret(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct mapwatch_probe *p = container_of(get_kretprobe(ri), struct mapwatch_probe, krp);
	struct mapwatch_kp_mmap *pl = (void *)ri->data;

	pl->ret = (s64)regs_return_value(regs);
	mapwatch_kp_emit(p, pl, sizeof(*pl));
	return 0;
}

NOKPROBE_SYMBOL(mapwatch_kp_mmap_ret);

/* do_exit(code) entry, in the exiting thread. */
static int mapwatch_kp_exit(struct kprobe *kp, struct pt_regs *regs)
{
	struct mapwatch_probe *p = container_of(kp, struct mapwatch_probe, kp);
	struct mapwatch_kp_exit pl = {};

	if (!mapwatch_kp_traced(p))
		return 0;
	pl.code = (s64)regs_get_kernel_argument(regs, 0);
	/* Each thread leaves ->live in do_exit(), after this entry probe. */
	pl.group_dead = atomic_read(&current->signal->live) == 1;
	mapwatch_kp_emit(p, &pl, sizeof(pl));
	return 0;
}

NOKPROBE_SYMBOL(mapwatch_kp_exit);

static const struct mapwatch_kprobe_def mapwatch_kprobe_defs[MAPWATCH_KPROBE_MAX] = {
#ifdef MAPWATCH_SYSCALL_SYM
	[MAPWATCH_KPROBE_GETPRIORITY] = {
		.symbol = MAPWATCH_SYSCALL_SYM(getpriority),
		.handler = mapwatch_kp_syscall,
		.fill = mapwatch_kp_fill_getpriority,
	},
	[MAPWATCH_KPROBE_MADVISE] = {
		.symbol = MAPWATCH_SYSCALL_SYM(madvise),
		.handler = mapwatch_kp_syscall,
		.fill = mapwatch_kp_fill_madvise,
	},
	[MAPWATCH_KPROBE_MUNMAP] = {
		.symbol = MAPWATCH_SYSCALL_SYM(munmap),
		.handler = mapwatch_kp_syscall,
		.fill = mapwatch_kp_fill_munmap,
	},
	[MAPWATCH_KPROBE_MMAP] = {
		.symbol = MAPWATCH_SYSCALL_SYM(mmap),
		.entry_handler = mapwatch_kp_mmap_entry,
		.ret_handler = mapwatch_kp_mmap_ret,
		.data_size = sizeof(struct mapwatch_kp_mmap),
	},
#endif
	[MAPWATCH_KPROBE_EXIT] = {
		.symbol = "do_exit",
		.handler = mapwatch_kp_exit,
	},
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
	if (def->ret_handler) {
		p->krp.kp.symbol_name = def->symbol;
		p->krp.entry_handler = def->entry_handler;
		p->krp.handler = def->ret_handler;
		p->krp.data_size = def->data_size;
		/* mmap() may sleep: room for several calls in flight per CPU. */
		p->krp.maxactive = max_t(int, 20, 4 * num_possible_cpus());
		return register_kretprobe(&p->krp);
	}
	p->kp.symbol_name = def->symbol;
	p->kp.pre_handler = def->handler;
	return register_kprobe(&p->kp);
}

/* Both return once no handler of this probe runs. */
void mapwatch_kprobe_detach(struct mapwatch_probe *p)
{
	if (mapwatch_kprobe_defs[p->type].ret_handler)
		unregister_kretprobe(&p->krp);
	else
		unregister_kprobe(&p->kp);
}

/* Hits the kprobe core did not hand to the handlers. */
u64 mapwatch_kprobe_missed(const struct mapwatch_probe *p)
{
	if (mapwatch_kprobe_defs[p->type].ret_handler)
		return READ_ONCE(p->krp.nmissed) + READ_ONCE(p->krp.kp.nmissed);
	return READ_ONCE(p->kp.nmissed);
}
