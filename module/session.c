// SPDX-License-Identifier: GPL-2.0
/*
 * A mapwatch session's life, in its order: the registry the control plane
 * reads, creation, reading the rings and waking readers, teardown.  Its
 * ioctls are ioctl.c, what the probes call hotpath.c.
 */
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* The registry.                                                            */

/*
 * Every open session, by id, for the control plane (status, dumps).  A
 * session leaves it when its file is released, before teardown; a reader
 * that found it holds a reference, so the memory outlives the teardown
 * until the last mapwatch_session_put().
 */
static DEFINE_XARRAY_ALLOC1(mapwatch_sessions);
static u32 mapwatch_next_session_id;

struct mapwatch_session *mapwatch_session_get(u32 id)
{
	struct mapwatch_session *s;

	rcu_read_lock();
	s = xa_load(&mapwatch_sessions, id);
	if (s && !refcount_inc_not_zero(&s->ref))
		s = NULL;
	rcu_read_unlock();
	return s;
}

struct mapwatch_session *mapwatch_session_find_next(u32 *id)
{
	struct mapwatch_session *s;
	unsigned long index = *id;

	rcu_read_lock();
	xa_for_each_start(&mapwatch_sessions, index, s, *id) {
		if (refcount_inc_not_zero(&s->ref)) {
			*id = index;
			rcu_read_unlock();
			return s;
		}
	}
	rcu_read_unlock();
	return NULL;
}

bool mapwatch_sessions_open(void)
{
	return !xa_empty(&mapwatch_sessions);
}

void mapwatch_session_put(struct mapwatch_session *s)
{
	if (refcount_dec_and_test(&s->ref)) {
		mutex_destroy(&s->lock);
		kfree_rcu(s, rcu);
	}
}

/* ------------------------------------------------------------------------ */
/* Reader wakeups: never one per event.                                      */

static void mapwatch_wake_fn(struct irq_work *work)
{
	struct mapwatch_session *s = container_of(work, struct mapwatch_session, wake_work);

	atomic64_inc(&s->wakeups);
	wake_up_interruptible_poll(&s->wq, EPOLLIN | EPOLLRDNORM);
}

/* While enabled: wake a reader that sleeps although data waits below the watermark. */
static void mapwatch_timer_fn(struct work_struct *work)
{
	struct mapwatch_session *s = container_of(to_delayed_work(work),
						  struct mapwatch_session, timer_work);
	struct mapwatch_ringset *rings = mapwatch_session_rings(s);

	if (!READ_ONCE(s->enabled))
		return;
	if (mapwatch_ringset_unread(rings, false) &&
	    !test_and_set_bit(MAPWATCH_TIMER_FIRED, &s->wflags)) {
		atomic64_inc(&s->wakeups);
		wake_up_interruptible_poll(&s->wq, EPOLLIN | EPOLLRDNORM);
	}
	schedule_delayed_work(&s->timer_work, msecs_to_jiffies(rings->timer_ms));
}

__poll_t mapwatch_session_poll(struct mapwatch_session *s, struct file *file, poll_table *wait)
{
	struct mapwatch_ringset *rings = mapwatch_session_rings(s);

	poll_wait(file, &s->wq, wait);
	if (!rings)
		return 0;
	/*
	 * Stopped (disabled after tracing): what is left is readable, then
	 * EPOLLHUP, as read() would return 0 then.
	 */
	if (READ_ONCE(s->stopped))
		return mapwatch_ringset_empty(rings) ? EPOLLHUP : EPOLLIN | EPOLLRDNORM;
	/* The reader is back: the next watermark crossing may wake it again. */
	clear_bit(MAPWATCH_WAKE_PENDING, &s->wflags);
	smp_mb__after_atomic();		/* pairs with test_and_set_bit() in the writer */
	if (mapwatch_ringset_unread(rings, true))
		return EPOLLIN | EPOLLRDNORM;
	if (mapwatch_ringset_unread(rings, false)) {
		if (test_bit(MAPWATCH_TIMER_FIRED, &s->wflags))
			return EPOLLIN | EPOLLRDNORM;
	} else {
		clear_bit(MAPWATCH_TIMER_FIRED, &s->wflags);
	}
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Creation.                                                                 */

struct mapwatch_session *mapwatch_session_create(void)
{
	struct mapwatch_session *s = kzalloc(sizeof(*s), GFP_KERNEL_ACCOUNT);

	if (!s)
		return NULL;
	refcount_set(&s->ref, 1);
	s->owner_uid = current_uid();
	s->owner_pid = task_tgid_nr(current);
	get_task_comm(s->owner_comm, current);
	s->opened_ns = ktime_get_real_ns();
	mutex_init(&s->lock);
	mutex_init(&s->read_lock);
	s->state = MAPWATCH_STATE_WAIT_API;
	INIT_LIST_HEAD(&s->probes);
	init_waitqueue_head(&s->wq);
	init_irq_work(&s->wake_work, mapwatch_wake_fn);
	INIT_DELAYED_WORK(&s->timer_work, mapwatch_timer_fn);
	s->pid_ns = get_pid_ns(task_active_pid_ns(current));
	/* Whole before the control plane can see it: a reader takes s->lock. */
	if (xa_alloc_cyclic(&mapwatch_sessions, &s->id, s, xa_limit_31b,
			    &mapwatch_next_session_id, GFP_KERNEL_ACCOUNT) < 0) {
		put_pid_ns(s->pid_ns);
		mutex_destroy(&s->read_lock);
		mutex_destroy(&s->lock);
		kfree(s);
		return NULL;
	}
	mapwatch_genl_notify(MAPWATCH_CMD_SESSION_NEW, s, 0);
	mapwatch_genl_watch_start();
	return s;
}

/* ------------------------------------------------------------------------ */
/* Reading: the rings through read(2), for readers that do not mmap them.   */

ssize_t mapwatch_session_read(struct mapwatch_session *s, char __user *buf, size_t count,
			      bool nonblock)
{
	struct mapwatch_ringset *rings = mapwatch_session_rings(s);
	ssize_t ret;

	if (!rings)
		return -EINVAL;
	if (mutex_lock_interruptible(&s->read_lock))
		return -ERESTARTSYS;
	/*
	 * Overwrite mode: producers rewrite the oldest records, so a stopped
	 * session only is read.  Checked under read_lock, which ENABLE takes
	 * for such rings: no producer starts while the copy runs.
	 */
	ret = -EBUSY;
	if ((rings->flags & MAPWATCH_RING_OVERWRITE) && READ_ONCE(s->enabled))
		goto out;
	for (;;) {
		ret = mapwatch_ringset_read(rings, buf, count);
		if (ret)
			break;
		if (!READ_ONCE(s->enabled))
			break;		/* EOF: disabled and drained */
		ret = -EAGAIN;
		if (nonblock)
			break;
		/*
		 * The reader is back and found nothing, as in poll(): the next
		 * watermark crossing or timer tick may wake it again.
		 */
		clear_bit(MAPWATCH_WAKE_PENDING, &s->wflags);
		clear_bit(MAPWATCH_TIMER_FIRED, &s->wflags);
		smp_mb__after_atomic();	/* pairs with test_and_set_bit() in writer and timer */
		ret = wait_event_interruptible(s->wq, !READ_ONCE(s->enabled) ||
					       mapwatch_ringset_unread(rings, false));
		if (ret)
			break;
	}
out:
	mutex_unlock(&s->read_lock);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Teardown.                                                                 */

/*
 * Teardown order: no new events (disable), no probe left (each unregister
 * waits for its handlers), no wakeup left in flight, then free.
 */
void mapwatch_session_destroy(struct mapwatch_session *s)
{
	struct mapwatch_probe *p, *tmp;
	bool uprobes = false;

	/* Out of the control plane's sight first: no new reference. */
	xa_erase(&mapwatch_sessions, s->id);
	mutex_lock(&s->lock);
	mapwatch_session_disable(s);
	/*
	 * Uprobes: unregister all, then wait once for their handlers (6.12+),
	 * and only if there was one: a session of kprobes closes at once.
	 */
	list_for_each_entry(p, &s->probes, node) {
		if (p->kind == MAPWATCH_PROBE_UPROBE) {
			mapwatch_uprobe_detach_nosync(p);
			uprobes = true;
		}
	}
	if (uprobes)
		mapwatch_uprobes_sync();
	list_for_each_entry_safe(p, tmp, &s->probes, node) {
		list_del(&p->node);
		s->nr_probes--;
		if (p->kind == MAPWATCH_PROBE_UPROBE)
			mapwatch_uprobe_release(p);
		else
			mapwatch_kprobe_detach(p);
		mapwatch_probe_free(p);
	}
	/* No handler is left: the last exits seen, the losses' last count. */
	mapwatch_genl_watch(s, true);
	mapwatch_pids_clear(s);
	s->state = MAPWATCH_STATE_DEAD;
	mutex_unlock(&s->lock);
	mapwatch_genl_notify(MAPWATCH_CMD_SESSION_DEL, s, 0);

	irq_work_sync(&s->wake_work);
	cancel_delayed_work_sync(&s->timer_work);
	/* release() runs when no read() or poll() can hold the file. */
	WARN_ON_ONCE(waitqueue_active(&s->wq));
	mapwatch_ringset_free(s->rings);
	s->rings = NULL;
	mapwatch_lock_uncharge(s);
	put_pid_ns(s->pid_ns);
	mutex_destroy(&s->read_lock);
	/* s->lock outlives teardown: a reader holding a reference takes it. */
	mapwatch_session_put(s);
}
