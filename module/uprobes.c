// SPDX-License-Identifier: GPL-2.0
/*
 * Uprobes: a breakpoint at a file offset of a binary, recording what the
 * probe's fetch program reads.  The consumer's filter keeps the breakpoint
 * out of processes the session does not trace, so they never trap.
 */
#include <linux/fs.h>
#include <linux/slab.h>
#include <linux/uprobes.h>

#include "compat.h"
#include "internal.h"

static bool mapwatch_uprobe_wants_mm(struct mapwatch_probe *p, struct mm_struct *mm)
{
	return p->up.all_processes || mapwatch_session_traces_mm(p->session, mm);
}

/*
 * The payload is built here before the ring is taken, with preemption off
 * so that no other handler on this CPU uses the buffer meanwhile: it is
 * too large for the handler's stack frame.
 */
struct mapwatch_payload_buf {
	u8 b[MAPWATCH_MAX_PAYLOAD];
} __aligned(8);

static DEFINE_PER_CPU(struct mapwatch_payload_buf, mapwatch_payload);

/*
 * The handler's work: count the hit, filter, run the fetch program, write
 * the record.  Also run on synthetic registers by the benchmark build.
 */
int mapwatch_uprobe_handle(struct mapwatch_probe *p, struct pt_regs *regs)
{
	const struct mapwatch_fetch_prog *prog = p->up.prog;
	struct mapwatch_rec_event *rec;
	unsigned long flags;
	bool fault = false;
	u8 *payload;
	u32 n;

	this_cpu_inc(p->stats->hits);
	/*
	 * Not traced (any more, or another consumer put the breakpoint here):
	 * ask the core to take it out of this process, which it does if no
	 * consumer's filter wants it.
	 */
	if (!p->up.all_processes && !mapwatch_session_traces_current(p->session)) {
		this_cpu_inc(p->stats->filtered);
		return UPROBE_HANDLER_REMOVE;
	}
	/*
	 * The program reads without faulting.  A page the task has not
	 * touched yet (a type descriptor in .rodata it is about to read) is
	 * then brought in, with preemption on, where that waits on the kernel
	 * only (never on userfaultfd or FUSE: fetch.c), and the program runs
	 * again: the buffer may have served another task meanwhile.
	 */
	preempt_disable();
	payload = this_cpu_ptr(&mapwatch_payload)->b;
	n = mapwatch_fetch_run(prog, regs, payload, &fault);
	if (unlikely(fault) && MAPWATCH_UPROBE_HANDLER_MAY_SLEEP) {
		preempt_enable();
		mapwatch_fetch_fault_in(prog, regs);
		preempt_disable();
		payload = this_cpu_ptr(&mapwatch_payload)->b;
		fault = false;
		n = mapwatch_fetch_run(prog, regs, payload, &fault);
	}
	rec = mapwatch_event_begin(p, n, &flags);
	if (rec) {
		memcpy(rec + 1, payload, n);
		if (fault) {
			rec->hdr.flags |= MAPWATCH_RECF_FAULT;
			this_cpu_inc(p->stats->faults);
		}
		mapwatch_event_end(p, flags);
	}
	preempt_enable();
	return 0;
}

NOKPROBE_SYMBOL(mapwatch_uprobe_handle);

static int mapwatch_uprobe_handler(MAPWATCH_UPROBE_HANDLER_ARGS)
{
	struct mapwatch_probe *p = container_of(uc, struct mapwatch_probe, up.uc);

	/* Benchmark build only: the bare trap, with the same probes. */
	if (mapwatch_bench_noop()) {
		this_cpu_inc(p->stats->hits);
		return 0;
	}
	return mapwatch_uprobe_handle(p, regs);
}

NOKPROBE_SYMBOL(mapwatch_uprobe_handler);

/* Should the breakpoint be in @mm?  Called by the uprobe core. */
static bool mapwatch_uprobe_filter(MAPWATCH_UPROBE_FILTER_ARGS)
{
	return mapwatch_uprobe_wants_mm(container_of(uc, struct mapwatch_probe, up.uc), mm);
}

/*
 * Installers record nothing: the probe's own consumer sees every hit.  Nor
 * do they keep the breakpoint in: the core takes it out of a process only
 * when every consumer's handler returns UPROBE_HANDLER_REMOVE, so the
 * probe's own consumer decides.
 */
static int mapwatch_installer_handler(MAPWATCH_UPROBE_HANDLER_ARGS)
{
	return UPROBE_HANDLER_REMOVE;
}

static bool mapwatch_installer_filter(MAPWATCH_UPROBE_FILTER_ARGS)
{
	struct mapwatch_uprobe_installer *in =
		container_of(uc, struct mapwatch_uprobe_installer, uc);

	return mapwatch_uprobe_wants_mm(in->probe, mm);
}

/*
 * uprobe_register() reports an instruction it cannot probe as ENOTSUPP,
 * a kernel-internal code (524) that means nothing to userspace: the
 * caller gets EOPNOTSUPP.
 */
static int mapwatch_uprobe_errno(int ret)
{
	return ret == -ENOTSUPP ? -EOPNOTSUPP : ret;
}

/*
 * The traced set grew: register a fresh installer, whose registration puts
 * the breakpoint into every process the filter now accepts.  The previous
 * one is chained to *@old for mapwatch_uprobe_installers_free(), which
 * waits for the handlers of all of them once.
 */
int mapwatch_uprobe_install(struct mapwatch_probe *p, struct mapwatch_uprobe_installer **old)
{
	struct mapwatch_uprobe_installer *in;
	int ret;

	lockdep_assert_held(&p->session->lock);
	if (p->up.all_processes)
		return 0;
	in = kzalloc(sizeof(*in), GFP_KERNEL_ACCOUNT);
	if (!in)
		return -ENOMEM;
	in->probe = p;
	in->reg = p->up.reg;
	in->reg.uprobe = NULL;
	in->uc.handler = mapwatch_installer_handler;
	in->uc.filter = mapwatch_installer_filter;
	ret = mapwatch_uprobe_register(&in->reg, &in->uc);
	if (ret) {
		kfree(in);
		return mapwatch_uprobe_errno(ret);
	}
	if (p->up.installer) {
		p->up.installer->next = *old;
		*old = p->up.installer;
	}
	p->up.installer = in;
	return 0;
}

/* Unregister a chain of installers, wait once for their handlers, free them. */
void mapwatch_uprobe_installers_free(struct mapwatch_uprobe_installer *old)
{
	struct mapwatch_uprobe_installer *in;

	if (!old)
		return;
	for (in = old; in; in = in->next)
		mapwatch_uprobe_unregister_nosync(&in->reg, &in->uc);
	mapwatch_uprobe_sync();
	while (old) {
		in = old->next;
		kfree(old);
		old = in;
	}
}

/* Takes over @inode's reference and @prog on success. */
int mapwatch_uprobe_attach(struct mapwatch_probe *p, struct inode *inode,
			   const struct mapwatch_uprobe *arg, struct mapwatch_fetch_prog *prog)
{
	struct mapwatch_uprobe_probe *up = &p->up;

	up->reg.inode = inode;
	up->reg.offset = arg->offset;
	up->reg.ref_ctr_offset = arg->ref_ctr_offset;
	up->prog = prog;
	up->all_processes = arg->flags & MAPWATCH_UPROBE_ALL_PROCESSES;
	up->uc.handler = mapwatch_uprobe_handler;
	up->uc.filter = mapwatch_uprobe_filter;
	return mapwatch_uprobe_errno(mapwatch_uprobe_register(&up->reg, &up->uc));
}

/*
 * Unregisters the probe (and its installer) without waiting for their
 * handlers: mapwatch_uprobe_sync() must run before mapwatch_uprobe_release().
 */
void mapwatch_uprobe_detach_nosync(struct mapwatch_probe *p)
{
	if (p->up.installer)
		mapwatch_uprobe_unregister_nosync(&p->up.installer->reg, &p->up.installer->uc);
	mapwatch_uprobe_unregister_nosync(&p->up.reg, &p->up.uc);
}

/* After the sync: no handler can use them any more. */
void mapwatch_uprobe_release(struct mapwatch_probe *p)
{
	kfree(p->up.installer);
	p->up.installer = NULL;
	iput(p->up.reg.inode);
	kfree(p->up.prog);
}

/* Returns once no handler of this probe runs; drops the inode and program. */
void mapwatch_uprobe_detach(struct mapwatch_probe *p)
{
	mapwatch_uprobe_detach_nosync(p);
	mapwatch_uprobe_sync();
	mapwatch_uprobe_release(p);
}

/* Waits for the handlers of every probe detached without waiting. */
void mapwatch_uprobes_sync(void)
{
	mapwatch_uprobe_sync();
}
