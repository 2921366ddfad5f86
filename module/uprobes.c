// SPDX-License-Identifier: GPL-2.0
/*
 * Uprobes: a breakpoint at a file offset of a binary, recording what the
 * probe's fetch program reads.  The consumer's filter keeps the breakpoint
 * out of processes the session does not trace, so they never trap.
 */
#include <linux/fs.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/uprobes.h>
#include <linux/workqueue.h>

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

/* Registers @uc, whose handler and filter are set, at @p's place. */
static int mapwatch_uprobe_register_beside(const struct mapwatch_probe *p,
					   struct mapwatch_uprobe_reg *reg,
					   struct uprobe_consumer *uc)
{
	*reg = p->up.reg;
	reg->uprobe = NULL;
	return mapwatch_uprobe_register(reg, uc);
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
	in->uc.handler = mapwatch_installer_handler;
	in->uc.filter = mapwatch_installer_filter;
	ret = mapwatch_uprobe_register_beside(p, &in->reg, &in->uc);
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

/*
 * Guards: the uprobe kept in the core's tree for a grace period after its
 * probe is detached.
 *
 * A thread that hit the breakpoint just before unregistration took it out
 * is in the kernel, on its way to the check that the trap is a uprobe's:
 * "does this process have uprobes?" (MMF_HAS_UPROBES).  On arm64 that
 * check runs with interrupts on, so the thread may be preempted before it.
 * Meanwhile the uprobe leaves the tree when its last consumer goes, and
 * any other thread that then traps there, finding no uprobe, recomputes
 * the mark from the tree and clears it.  The first thread's trap is then
 * not a uprobe's: SIGTRAP kills the traced process (seen on arm64 7.3 in
 * stress_test, when the session's last probe on a function went).
 *
 * So a probe's detach first registers a guard consumer at the same place,
 * which wants no process (it installs nothing, and the breakpoints come
 * out as before) but keeps the uprobe in the tree, and with it the mark.
 * The guard is unregistered after an RCU-tasks grace period: every task
 * then has switched voluntarily or run in user mode since, so a thread
 * that trapped before the breakpoint went has passed its check (nothing
 * on that path sleeps).  Without CONFIG_TASKS_RCU (a kernel that is not
 * preemptible) that is synchronize_rcu(), which waits as well: the thread
 * cannot leave its CPU before the check.  That runs in a work item, so
 * that detach does not wait for the grace period.  Kernels that make the
 * check with interrupts off (x86, arm64 6.1) have no such window; the
 * guard costs them one more registration per detach.
 */
struct mapwatch_uprobe_guard {
	struct uprobe_consumer uc;
	struct mapwatch_uprobe_reg reg;		/* its own inode reference */
	struct path path;			/* and its own on the mount */
	struct list_head node;			/* in mapwatch_guards */
};

/*
 * Queued, and taken by the work item (which never runs twice at once):
 * both stay in sight of mapwatch_uprobe_guard_conflicts() until freed.
 */
static LIST_HEAD(mapwatch_guards);
static LIST_HEAD(mapwatch_guards_taken);
static DEFINE_SPINLOCK(mapwatch_guards_lock);

static void mapwatch_uprobe_guards_work(struct work_struct *work)
{
	struct mapwatch_uprobe_guard *g, *tmp;
	LIST_HEAD(list);

	spin_lock(&mapwatch_guards_lock);
	list_splice_init(&mapwatch_guards, &mapwatch_guards_taken);
	spin_unlock(&mapwatch_guards_lock);
	if (list_empty(&mapwatch_guards_taken))
		return;
	synchronize_rcu_tasks();
	list_for_each_entry(g, &mapwatch_guards_taken, node)
		mapwatch_uprobe_unregister_nosync(&g->reg, &g->uc);
	mapwatch_uprobe_sync();
	spin_lock(&mapwatch_guards_lock);
	list_splice_init(&mapwatch_guards_taken, &list);
	spin_unlock(&mapwatch_guards_lock);
	list_for_each_entry_safe(g, tmp, &list, node) {
		iput(g->reg.inode);
		path_put(&g->path);
		kfree(g);
	}
}

static DECLARE_WORK(mapwatch_guards_work, mapwatch_uprobe_guards_work);

/*
 * Nothing to record.  REMOVE, as the installers: the core takes a
 * breakpoint out of a process only when every consumer's handler asks,
 * so a guard answering 0 would keep another probe's breakpoint in a
 * process that probe no longer traces.
 */
static int mapwatch_guard_handler(MAPWATCH_UPROBE_HANDLER_ARGS)
{
	return UPROBE_HANDLER_REMOVE;
}

NOKPROBE_SYMBOL(mapwatch_guard_handler);

static bool mapwatch_guard_filter(MAPWATCH_UPROBE_FILTER_ARGS)
{
	return false;
}

static struct mapwatch_uprobe_guard *mapwatch_uprobe_guard(struct mapwatch_probe *p)
{
	struct mapwatch_uprobe_guard *g = kzalloc(sizeof(*g), GFP_KERNEL);
	int ret = -ENOMEM;

	if (g) {
		g->uc.handler = mapwatch_guard_handler;
		g->uc.filter = mapwatch_guard_filter;
		ret = mapwatch_uprobe_register_beside(p, &g->reg, &g->uc);
	}
	if (ret) {
		/* Detach goes on: only the window above stays open. */
		pr_warn_ratelimited("mapwatch: no guard for a detached uprobe (error %d): a thread of a traced process that hit it as it went may get SIGTRAP\n",
				    ret);
		kfree(g);
		return NULL;
	}
	ihold(g->reg.inode);
	g->path = p->up.path;
	path_get(&g->path);
	return g;
}

/*
 * Unregisters the probe (and its installer) without waiting for their
 * handlers: mapwatch_uprobe_sync() must run before mapwatch_uprobe_release().
 * The uprobe stays in the core's tree under a guard for a grace period.
 */
void mapwatch_uprobe_detach_nosync(struct mapwatch_probe *p)
{
	struct mapwatch_uprobe_guard *g = mapwatch_uprobe_guard(p);

	if (p->up.installer)
		mapwatch_uprobe_unregister_nosync(&p->up.installer->reg, &p->up.installer->uc);
	mapwatch_uprobe_unregister_nosync(&p->up.reg, &p->up.uc);
	if (!g)
		return;
	spin_lock(&mapwatch_guards_lock);
	list_add_tail(&g->node, &mapwatch_guards);
	spin_unlock(&mapwatch_guards_lock);
	queue_work(system_long_wq, &mapwatch_guards_work);
}

/* Module exit: no session is left, so no guard is added meanwhile. */
void mapwatch_uprobe_guards_flush(void)
{
	flush_work(&mapwatch_guards_work);
}

/* Does a guard of @list hold @r's place with another ref_ctr_offset? */
static bool mapwatch_uprobe_guard_in(const struct list_head *list,
				     const struct mapwatch_uprobe_reg *r)
{
	struct mapwatch_uprobe_guard *g;

	lockdep_assert_held(&mapwatch_guards_lock);
	list_for_each_entry(g, list, node)
		if (g->reg.inode == r->inode && g->reg.offset == r->offset &&
		    g->reg.ref_ctr_offset != r->ref_ctr_offset)
			return true;
	return false;
}

/* A guard at @r's place holds another ref_ctr_offset: wait for it to go. */
static bool mapwatch_uprobe_guard_conflicts(const struct mapwatch_uprobe_reg *r)
{
	bool found;

	spin_lock(&mapwatch_guards_lock);
	found = mapwatch_uprobe_guard_in(&mapwatch_guards, r) ||
		mapwatch_uprobe_guard_in(&mapwatch_guards_taken, r);
	spin_unlock(&mapwatch_guards_lock);
	if (found)
		flush_work(&mapwatch_guards_work);
	return found;
}

/* Takes over @inode's and @path's references and @prog on success. */
int mapwatch_uprobe_attach(struct mapwatch_probe *p, struct inode *inode,
			   const struct path *path, const struct mapwatch_uprobe *arg,
			   struct mapwatch_fetch_prog *prog)
{
	struct mapwatch_uprobe_probe *up = &p->up;
	int ret;

	up->reg.inode = inode;
	up->reg.offset = arg->offset;
	up->reg.ref_ctr_offset = arg->ref_ctr_offset;
	up->prog = prog;
	up->all_processes = arg->flags & MAPWATCH_UPROBE_ALL_PROCESSES;
	up->uc.handler = mapwatch_uprobe_handler;
	up->uc.filter = mapwatch_uprobe_filter;
	ret = mapwatch_uprobe_register(&up->reg, &up->uc);
	/*
	 * The core keeps one ref_ctr_offset per place (EINVAL for another):
	 * a probe detached there moments ago with another one is still
	 * guarded.
	 */
	if (ret == -EINVAL && mapwatch_uprobe_guard_conflicts(&up->reg))
		ret = mapwatch_uprobe_register(&up->reg, &up->uc);
	if (!ret)
		up->path = *path;
	return mapwatch_uprobe_errno(ret);
}

/* After the sync: no handler can use them any more. */
void mapwatch_uprobe_release(struct mapwatch_probe *p)
{
	kfree(p->up.installer);
	p->up.installer = NULL;
	iput(p->up.reg.inode);
	path_put(&p->up.path);
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
