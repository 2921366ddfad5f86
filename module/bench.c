// SPDX-License-Identifier: GPL-2.0
/*
 * The benchmark build's additions (make bench builds the module with
 * MAPWATCH_BENCH=1; the module users build and install has none of this):
 *
 * bench_noop (module parameter, writable by root): while set, every
 *   uprobe handler counts its hit and returns; the probes, their filters
 *   and the traps stay the same, so a run with it set costs the bare
 *   uprobe.
 * MAPWATCH_IOC_BENCH_HANDLER (module/bench.h): the handler in isolation,
 *   next to the ftrace ring buffer, where the trap's own cost and its
 *   noise cannot hide it.
 */
#include <linux/ktime.h>
#include <linux/moduleparam.h>
#include <linux/ring_buffer.h>
#include <linux/sizes.h>
#include <linux/slab.h>

#include "bench.h"
#include "compat.h"
#include "internal.h"

bool mapwatch_bench_noop_param;
module_param_named(bench_noop, mapwatch_bench_noop_param, bool, 0600);
MODULE_PARM_DESC(bench_noop, "benchmark build only: uprobe handlers return at once (bare trap)");

/* Per CPU: the loop writes at most MAPWATCH_BENCH_MAX_ITER records, it wraps. */
#define MAPWATCH_BENCH_FTRACE_SIZE	SZ_1M

struct mapwatch_bench_run {
	struct mapwatch_bench_handler b;
	struct pt_regs regs;
	u8 payload[MAPWATCH_MAX_PAYLOAD];
};

static void mapwatch_bench_loops(struct mapwatch_probe *p, struct mapwatch_bench_run *r,
				 struct trace_buffer *tb)
{
	const struct mapwatch_fetch_prog *prog = p->up.prog;
	struct mapwatch_bench_handler *b = &r->b;
	struct mapwatch_rec_event *rec;
	struct ring_buffer_event *ev;
	unsigned long flags;
	bool fault;
	u64 t0;
	u32 i, n = 0;

	t0 = ktime_get_ns();
	for (i = 0; i < b->iterations; i++) {
		fault = false;
		n = mapwatch_fetch_run(prog, &r->regs, r->payload, &fault);
		b->faults += fault;
	}
	b->ns_fetch = ktime_get_ns() - t0;
	b->payload = n;

	t0 = ktime_get_ns();
	for (i = 0; i < b->iterations; i++) {
		rec = mapwatch_event_begin(p, n, &flags);
		if (!rec)
			continue;
		memcpy(rec + 1, r->payload, n);
		mapwatch_event_end(p, flags);
	}
	b->ns_ring = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < b->iterations; i++)
		mapwatch_uprobe_handle(p, &r->regs);
	b->ns_handler = ktime_get_ns() - t0;

	t0 = ktime_get_ns();
	for (i = 0; i < b->iterations; i++) {
		ev = ring_buffer_lock_reserve(tb, n);
		if (!ev)
			continue;
		memcpy(ring_buffer_event_data(ev), r->payload, n);
		mapwatch_rb_unlock_commit(tb, ev);
	}
	b->ns_ftrace = ktime_get_ns() - t0;
}

static long mapwatch_bench_handler(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_bench_run *r;
	struct trace_buffer *tb;
	struct mapwatch_probe *p;
	unsigned int i;
	long ret;

	if (!MAPWATCH_NR_REGS)
		return -EOPNOTSUPP;
	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return -ENOMEM;
	ret = -EFAULT;
	if (copy_from_user(&r->b, uarg, sizeof(r->b)))
		goto out_free;
	ret = -EINVAL;
	if (r->b.size != sizeof(r->b) || !r->b.iterations ||
	    r->b.iterations > MAPWATCH_BENCH_MAX_ITER)
		goto out_free;
	for (i = 0; i < MAPWATCH_NR_REGS; i++)
		*mapwatch_reg_slot(&r->regs, i) = r->b.regs[i];
	r->b.faults = 0;
	ret = -ENOMEM;
	tb = ring_buffer_alloc(MAPWATCH_BENCH_FTRACE_SIZE, RB_FL_OVERWRITE);
	if (!tb)
		goto out_free;

	ret = -ENOENT;
	mutex_lock(&s->lock);
	p = mapwatch_probe_find(s, r->b.probe_id);
	if (p && p->kind == MAPWATCH_PROBE_UPROBE) {
		mapwatch_bench_loops(p, r, tb);
		ret = 0;
	}
	mutex_unlock(&s->lock);
	ring_buffer_free(tb);
	if (!ret && copy_to_user(uarg, &r->b, sizeof(r->b)))
		ret = -EFAULT;
out_free:
	kfree(r);
	return ret;
}

long mapwatch_bench_ioctl(struct mapwatch_session *s, unsigned int cmd, void __user *uarg)
{
	if (cmd == MAPWATCH_IOC_BENCH_HANDLER)
		return mapwatch_bench_handler(s, uarg);
	return -ENOTTY;
}
