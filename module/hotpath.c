// SPDX-License-Identifier: GPL-2.0
/*
 * What the probes' handlers call: whether the current task (or an mm) is
 * traced by a session, and the event write path shared by every probe
 * kind.  Runs in probe context: no sleeping, no locks but the ring's.
 */
#include <linux/cred.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* The event write path, shared by every probe kind.                         */

/*
 * Would ptrace still let in a tracer that could attach when the process
 * was added with credentials @then, now that a thread of it has
 * credentials @now and memory @mm?  Not once a setuid/setgid exec or a
 * change of credentials gave it other ids or more capabilities, nor once
 * it made itself undumpable (where the kernel lets a module see that).
 */
static bool mapwatch_still_traceable(const struct cred *now, struct mm_struct *mm,
				     const struct cred *then)
{
	if (now != then &&
	    (!uid_eq(now->uid, then->uid) || !uid_eq(now->euid, then->euid) ||
	     !uid_eq(now->suid, then->suid) || !gid_eq(now->gid, then->gid) ||
	     !gid_eq(now->egid, then->egid) || !gid_eq(now->sgid, then->sgid) ||
	     !cap_issubset(now->cap_permitted, then->cap_permitted)))
		return false;
	return mapwatch_mm_dumpable(mm);
}

bool mapwatch_session_traces_current(struct mapwatch_session *s)
{
	struct mapwatch_pids *pids;
	struct pid *tgid;
	bool found = false;
	unsigned int i;

	rcu_read_lock();
	pids = rcu_dereference(s->pids);
	if (pids) {
		tgid = task_tgid(current);
		for (i = 0; i < pids->nr; i++) {
			if (pids->t[i].tgid != tgid)
				continue;
			found = !pids->t[i].cred ||
				mapwatch_still_traceable(current_real_cred(), current->mm,
							 pids->t[i].cred);
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

/*
 * The thread of group @tgid that uses @mm, or NULL.  Not only its
 * leader's: a leader that exited before its threads (a zombie) has no mm.
 * Called under rcu_read_lock().
 */
static struct task_struct *mapwatch_tgid_mm_user(struct pid *tgid, struct mm_struct *mm)
{
	struct task_struct *leader = pid_task(tgid, PIDTYPE_TGID), *t;

	if (!leader)
		return NULL;
	for_each_thread(leader, t)
		if (READ_ONCE(t->mm) == mm)
			return t;
	return NULL;
}

bool mapwatch_tgid_uses_mm(struct pid *tgid, struct mm_struct *mm)
{
	return !!mapwatch_tgid_mm_user(tgid, mm);
}

/*
 * Is @mm the memory of one of the session's traced processes, and would
 * its events be recorded?  The uprobe filter asks: a process traced while
 * its credentials stay gets no breakpoint once they changed (a setuid
 * exec), so it does not trap at every hit only to be filtered.
 */
bool mapwatch_session_traces_mm(struct mapwatch_session *s, struct mm_struct *mm)
{
	struct mapwatch_pids *pids;
	struct task_struct *t;
	bool found = false;
	unsigned int i;

	rcu_read_lock();
	pids = rcu_dereference(s->pids);
	for (i = 0; pids && i < pids->nr; i++) {
		t = mapwatch_tgid_mm_user(pids->t[i].tgid, mm);
		if (!t)
			continue;
		found = !pids->t[i].cred ||
			mapwatch_still_traceable(rcu_dereference(t->real_cred), mm,
						 pids->t[i].cred);
		break;
	}
	rcu_read_unlock();
	return found;
}

/*
 * mapwatch_event_begin - reserve an event record on this CPU's ring
 *
 * Disables interrupts until mapwatch_event_end(), so the writer stays on
 * this CPU and DISABLE's synchronize_rcu() waits for it.  Returns NULL (with
 * interrupts restored) when the session is disabled or the event was
 * dropped and counted.
 */
struct mapwatch_rec_event *mapwatch_event_begin(struct mapwatch_probe *p, u32 payload,
						unsigned long *irqflags)
{
	struct mapwatch_session *s = p->session;
	struct mapwatch_rec_event *rec;
	struct mapwatch_ringset *rings;

	local_irq_save(*irqflags);
	rings = mapwatch_session_rings(s);
	if (!READ_ONCE(s->enabled) || !rings) {
		this_cpu_inc(p->stats->filtered);
		local_irq_restore(*irqflags);
		return NULL;
	}
	this_cpu_inc(p->stats->recorded);
	rec = mapwatch_ring_reserve(&rings->cpu[smp_processor_id()].rb, payload,
				    ktime_get_mono_fast_ns());
	if (!rec) {
		this_cpu_inc(p->stats->lost);
		local_irq_restore(*irqflags);
		return NULL;
	}
	if (likely(s->pid_ns == &init_pid_ns)) {
		/* The common case, without the walk through the pid's levels. */
		rec->tgid = current->tgid;
		rec->tid = current->pid;
	} else {
		rec->tgid = task_tgid_nr_ns(current, s->pid_ns);
		rec->tid = task_pid_nr_ns(current, s->pid_ns);
	}
	rec->probe_id = p->id;
	return rec;
}

NOKPROBE_SYMBOL(mapwatch_event_begin);

void mapwatch_event_end(struct mapwatch_probe *p, unsigned long irqflags)
{
	struct mapwatch_session *s = p->session;
	struct mapwatch_ringset *rings = s->rings;

	/*
	 * Above the watermark, a wakeup is asked for once until the reader is
	 * back: the plain test keeps the other writers from an atomic on the
	 * shared flags word at every commit.
	 */
	if (mapwatch_ring_commit(&rings->cpu[smp_processor_id()].rb) &&
	    !test_bit(MAPWATCH_WAKE_PENDING, &s->wflags) &&
	    !test_and_set_bit(MAPWATCH_WAKE_PENDING, &s->wflags))
		irq_work_queue(&s->wake_work);
	local_irq_restore(irqflags);
}

NOKPROBE_SYMBOL(mapwatch_event_end);

