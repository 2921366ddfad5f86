// SPDX-License-Identifier: GPL-2.0
/*
 * A session's ioctls (uapi/linux/mapwatch.h): the API handshake, ring
 * configuration, enable/disable, counters, the traced processes and the
 * probes attached; every input copied once and checked.
 */
#include <linux/capability.h>
#include <linux/cpumask.h>
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/log2.h>
#include <linux/magic.h>
#include <linux/pid_namespace.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/user.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "internal.h"

/* ------------------------------------------------------------------------ */
/* Ioctl argument copies: "__u32 size" first, any size >= version 0.        */

static int mapwatch_copy_in(void *karg, size_t ksize, size_t ver0, const void __user *uarg,
			    u32 *usize)
{
	u32 size;
	int ret;

	if (get_user(size, (const u32 __user *)uarg))
		return -EFAULT;
	if (size < ver0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	ret = copy_struct_from_user(karg, ksize, uarg, size);
	if (ret)
		return ret;
	*usize = size;
	return 0;
}

static int mapwatch_copy_out(void __user *uarg, void *karg, size_t ksize, u32 usize)
{
	u32 n = min_t(u32, ksize, usize);

	*(u32 *)karg = n;
	return copy_to_user(uarg, karg, n) ? -EFAULT : 0;
}

/* ------------------------------------------------------------------------ */
/* Ioctls.                                                                   */

static long mapwatch_ioctl_api(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_api api;
	u32 usize;
	u32 major;
	int ret;

	ret = mapwatch_copy_in(&api, sizeof(api), MAPWATCH_API_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	/* max_probes was "__reserved, must be 0" before ABI 1.2: now an out field. */
	if (api.flags)
		return -EINVAL;
	major = api.abi_major;

	memset(&api, 0, sizeof(api));
	api.abi_major = MAPWATCH_ABI_MAJOR;
	api.abi_minor = MAPWATCH_ABI_MINOR;
	api.features = MAPWATCH_FEAT_RING_OVERWRITE | MAPWATCH_FEAT_READ |
		       MAPWATCH_FEAT_PID_MEM_FD;
	if (MAPWATCH_HAVE_DUMPABLE)
		api.features |= MAPWATCH_FEAT_DUMPABLE;
	if (MAPWATCH_GENL_EVENTS)
		api.features |= MAPWATCH_FEAT_GENL_EVENTS;
	if (MAPWATCH_NR_REGS)
		api.features |= MAPWATCH_FEAT_UPROBE;
	api.kprobes = mapwatch_kprobes_available();
	api.nr_cpus = nr_cpu_ids;
	api.page_size = PAGE_SIZE;
	api.max_ring_pages = MAPWATCH_MAX_RING_PAGES;
	api.max_pids = MAPWATCH_MAX_PIDS;
	api.max_probes = MAPWATCH_MAX_PROBES;
	api.max_payload = MAPWATCH_MAX_PAYLOAD;
	strscpy(api.version, MAPWATCH_VERSION, sizeof(api.version));
	ret = mapwatch_copy_out(uarg, &api, sizeof(api), usize);
	if (ret)
		return ret;
	if (major != MAPWATCH_ABI_MAJOR)
		return -EPROTO;

	mutex_lock(&s->lock);
	s->state = MAPWATCH_STATE_READY;
	mutex_unlock(&s->lock);
	return 0;
}

/*
 * Charge @pages of locked memory to the caller's user against its
 * RLIMIT_MEMLOCK, as perf does for its buffers; not with CAP_IPC_LOCK.
 */
static int mapwatch_lock_charge(struct mapwatch_session *s, unsigned long pages)
{
	unsigned long limit = rlimit(RLIMIT_MEMLOCK) >> PAGE_SHIFT;
	struct user_struct *user = current_user();
	unsigned long cur;

	lockdep_assert_held(&s->lock);
	if (capable(CAP_IPC_LOCK))
		return 0;
	cur = atomic_long_read(&user->locked_vm);
	do {
		if (pages > limit || cur > limit - pages)
			return -EPERM;
	} while (!atomic_long_try_cmpxchg(&user->locked_vm, &cur, cur + pages));
	/* The credentials hold the user (free_uid() is not exported on 6.1). */
	s->locked_cred = get_current_cred();
	s->locked_pages = pages;
	return 0;
}

void mapwatch_lock_uncharge(struct mapwatch_session *s)
{
	if (!s->locked_cred)
		return;
	atomic_long_sub(s->locked_pages, &s->locked_cred->user->locked_vm);
	put_cred(s->locked_cred);
	s->locked_cred = NULL;
}

static long mapwatch_ioctl_ring_config(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_ring_config cfg;
	struct mapwatch_ringset *rings;
	u32 usize;
	int ret;

	ret = mapwatch_copy_in(&cfg, sizeof(cfg), MAPWATCH_RING_CONFIG_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (cfg.flags & ~MAPWATCH_RING_FLAG_MASK || cfg.__reserved)
		return -EINVAL;
	if (!cfg.data_pages || cfg.data_pages > MAPWATCH_MAX_RING_PAGES ||
	    !is_power_of_2(cfg.data_pages))
		return -EINVAL;
	if (cfg.watermark > (u64)cfg.data_pages << PAGE_SHIFT ||
	    cfg.timer_ms > MAPWATCH_MAX_TIMER_MS)
		return -EINVAL;

	/*
	 * The reply first: a caller whose reply cannot be written (EFAULT)
	 * is left with no rings, as after any other error.
	 */
	cfg.mmap_stride = mapwatch_ringset_stride(cfg.data_pages);
	ret = mapwatch_copy_out(uarg, &cfg, sizeof(cfg), usize);
	if (ret)
		return ret;

	mutex_lock(&s->lock);
	ret = -EBUSY;
	if (s->rings)
		goto out_unlock;
	ret = mapwatch_lock_charge(s, num_possible_cpus() * (cfg.mmap_stride >> PAGE_SHIFT));
	if (ret)
		goto out_unlock;
	ret = -ENOMEM;
	rings = mapwatch_ringset_alloc(&cfg);
	if (!rings) {
		mapwatch_lock_uncharge(s);
		goto out_unlock;
	}
	/* Pairs with smp_load_acquire() in mapwatch_session_rings(). */
	smp_store_release(&s->rings, rings);
	ret = 0;
out_unlock:
	mutex_unlock(&s->lock);
	return ret;
}

/*
 * Overwrite rings are read only while the session is stopped: ENABLE
 * waits for a read() in progress (read_lock), which checks ->enabled under
 * the same lock.  Rings are set once, so a session without rings now has
 * none to serialize against.
 */
static long mapwatch_ioctl_enable(struct mapwatch_session *s)
{
	struct mapwatch_ringset *rings = mapwatch_session_rings(s);
	bool overwrite = rings && (rings->flags & MAPWATCH_RING_OVERWRITE);
	int ret = 0;

	if (!rings)
		return -ENODEV;
	if (overwrite && mutex_lock_interruptible(&s->read_lock))
		return -ERESTARTSYS;
	mutex_lock(&s->lock);
	if (!s->enabled) {
		WRITE_ONCE(s->stopped, false);
		WRITE_ONCE(s->enabled, 1);
		schedule_delayed_work(&s->timer_work, msecs_to_jiffies(rings->timer_ms));
	}
	mutex_unlock(&s->lock);
	if (overwrite)
		mutex_unlock(&s->read_lock);
	return ret;
}

void mapwatch_session_disable(struct mapwatch_session *s)
{
	lockdep_assert_held(&s->lock);
	if (!s->enabled)
		return;
	WRITE_ONCE(s->enabled, 0);
	/* Writers run with interrupts off from the enabled check to commit. */
	synchronize_rcu();
	cancel_delayed_work_sync(&s->timer_work);
	mapwatch_ringset_flush_lost(s->rings);
	WRITE_ONCE(s->stopped, true);
	wake_up_interruptible_poll(&s->wq, EPOLLIN | EPOLLRDNORM | EPOLLHUP);
}

static long mapwatch_ioctl_disable(struct mapwatch_session *s)
{
	mutex_lock(&s->lock);
	mapwatch_session_disable(s);
	mutex_unlock(&s->lock);
	return 0;
}

static long mapwatch_ioctl_counters(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_ringset *rings = mapwatch_session_rings(s);
	struct mapwatch_counters c;
	u32 usize;
	u32 cpu;
	int ret;

	ret = mapwatch_copy_in(&c, sizeof(c), MAPWATCH_COUNTERS_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (!rings)
		return -ENODEV;
	cpu = c.cpu;
	if (cpu != MAPWATCH_ALL_CPUS && (cpu >= rings->nr || !rings->cpu[cpu].area))
		return -EINVAL;
	memset(&c, 0, sizeof(c));
	c.cpu = cpu;
	mapwatch_ringset_counters(rings, cpu, &c);
	c.wakeups = atomic64_read(&s->wakeups);
	return mapwatch_copy_out(uarg, &c, sizeof(c), usize);
}

/*
 * Replace the traced set and drop @put once no handler can still compare
 * against it (a freed struct pid could be reused by another process).
 */
static void mapwatch_pids_publish(struct mapwatch_session *s, struct mapwatch_pids *new,
				  struct mapwatch_traced *put)
{
	struct mapwatch_pids *old = rcu_dereference_protected(s->pids, lockdep_is_held(&s->lock));

	lockdep_assert_held(&s->lock);
	rcu_assign_pointer(s->pids, new);
	synchronize_rcu();
	if (put) {
		put_pid(put->tgid);
		if (put->cred)
			put_cred(put->cred);
	}
	kfree(old);
}

static struct mapwatch_pids *mapwatch_pids_copy(struct mapwatch_pids *old, unsigned int nr)
{
	struct mapwatch_pids *new = kzalloc(struct_size(new, t, nr), GFP_KERNEL_ACCOUNT);

	if (new && old)
		memcpy(new->t, old->t, min(nr, old->nr) * sizeof(new->t[0]));
	return new;
}

/* Trace @tgid; @cred: the process's credentials if the caller is not an admin. */
static int mapwatch_pids_add(struct mapwatch_session *s, struct pid *tgid,
			     const struct cred *cred)
{
	struct mapwatch_pids *old = rcu_dereference_protected(s->pids, lockdep_is_held(&s->lock));
	unsigned int nr = old ? old->nr : 0;
	struct mapwatch_pids *new;
	unsigned int i;

	for (i = 0; i < nr; i++)
		if (old->t[i].tgid == tgid)
			return -EEXIST;
	if (nr >= MAPWATCH_MAX_PIDS)
		return -ENOSPC;
	new = mapwatch_pids_copy(old, nr + 1);
	if (!new)
		return -ENOMEM;
	new->t[nr].tgid = get_pid(tgid);
	new->t[nr].cred = cred ? get_cred(cred) : NULL;
	new->nr = nr + 1;
	mapwatch_pids_publish(s, new, NULL);
	return 0;
}

/*
 * The entry for the process @nr names in the opener's namespace: the live
 * one (@tgid, NULL if no process has that number now), else one whose
 * process has exited and been reaped under that number -- its struct pid
 * is no longer found by number, but still knows it.  nr if none.
 */
static unsigned int mapwatch_pids_find(struct mapwatch_session *s, struct mapwatch_pids *pids,
				       struct pid *tgid, pid_t nr)
{
	unsigned int n = pids ? pids->nr : 0, i;

	for (i = 0; tgid && i < n; i++)
		if (pids->t[i].tgid == tgid)
			return i;
	for (i = 0; i < n; i++)
		if (pid_nr_ns(pids->t[i].tgid, s->pid_ns) == nr &&
		    !pid_has_task(pids->t[i].tgid, PIDTYPE_TGID))
			return i;
	return n;
}

static int mapwatch_pids_del(struct mapwatch_session *s, struct pid *tgid, pid_t pid)
{
	struct mapwatch_pids *old = rcu_dereference_protected(s->pids, lockdep_is_held(&s->lock));
	unsigned int nr = old ? old->nr : 0;
	struct mapwatch_traced gone;
	struct mapwatch_pids *new;
	unsigned int i;

	i = mapwatch_pids_find(s, old, tgid, pid);
	if (i == nr)
		return tgid ? -ENOENT : -ESRCH;
	new = mapwatch_pids_copy(old, nr);
	if (!new)
		return -ENOMEM;
	gone = new->t[i];
	new->t[i] = new->t[nr - 1];
	new->nr = nr - 1;
	mapwatch_pids_publish(s, new, &gone);
	return 0;
}

void mapwatch_pids_clear(struct mapwatch_session *s)
{
	struct mapwatch_pids *old = rcu_dereference_protected(s->pids, lockdep_is_held(&s->lock));
	unsigned int i;

	if (!old)
		return;
	RCU_INIT_POINTER(s->pids, NULL);
	synchronize_rcu();
	for (i = 0; i < old->nr; i++) {
		put_pid(old->t[i].tgid);
		if (old->t[i].cred)
			put_cred(old->t[i].cred);
	}
	kfree(old);
}

/* The thread group of @nr in the opener's pid namespace, referenced. */
static struct pid *mapwatch_find_tgid(struct mapwatch_session *s, pid_t nr)
{
	struct task_struct *task;
	struct pid *tgid = NULL;

	rcu_read_lock();
	task = pid_task(find_pid_ns(nr, s->pid_ns), PIDTYPE_PID);
	if (task)
		tgid = get_pid(task_tgid(task));
	rcu_read_unlock();
	return tgid;
}

/*
 * Is @fd the caller's /proc/PID/mem (or .../task/TID/mem) of thread group
 * @tgid?  Opening it needed ptrace-attach rights (proc_mem_open() checks
 * them with PTRACE_MODE_ATTACH), which a module cannot check itself:
 * ptrace_may_access() is not exported.  The file keeps the mm it was
 * opened for; it is compared, never dereferenced.
 */
static int mapwatch_check_mem_fd(int fd, struct pid *tgid)
{
	struct file *file = fget(fd);
	bool same;

	if (!file)
		return -EBADF;
	if (file_inode(file)->i_sb->s_magic != PROC_SUPER_MAGIC ||
	    !S_ISREG(file_inode(file)->i_mode) ||
	    strcmp(file->f_path.dentry->d_name.name, "mem")) {
		fput(file);
		return -EINVAL;
	}
	rcu_read_lock();
	same = file->private_data && mapwatch_tgid_uses_mm(tgid, file->private_data);
	rcu_read_unlock();
	fput(file);
	return same ? 0 : -EACCES;
}

/*
 * Put the session's uprobe breakpoints into a newly traced process.  (A
 * process no longer traced loses them at its next hit.)  The installers
 * replaced are waited for once, not once per probe: from 6.12 each wait
 * is a tasks-trace RCU grace period.
 */
static int mapwatch_probes_install(struct mapwatch_session *s)
{
	struct mapwatch_uprobe_installer *old = NULL;
	struct mapwatch_probe *p;
	int ret = 0;

	lockdep_assert_held(&s->lock);
	list_for_each_entry(p, &s->probes, node) {
		if (p->kind != MAPWATCH_PROBE_UPROBE)
			continue;
		ret = mapwatch_uprobe_install(p, &old);
		if (ret)
			break;
	}
	mapwatch_uprobe_installers_free(old);
	return ret;
}

/*
 * May the caller trace @tgid, and while what holds?  An admin
 * (CAP_SYS_ADMIN) may trace any process: *@cred stays NULL.  Anyone else
 * gives the proof of ptrace-attach rights (the process's /proc/PID/mem),
 * and the process is traced while its credentials stay those the proof
 * was opened against.  They are taken before the proof is checked: exec
 * installs the new mm before it commits the new credentials, so if the
 * credentials taken are already a setuid exec's, the mm the proof holds
 * is no longer the process's and the proof is refused.
 */
static int mapwatch_pid_admit(struct mapwatch_session *s, struct pid *tgid,
			      const struct mapwatch_pid *arg, const struct cred **cred)
{
	bool proof = arg->flags & MAPWATCH_PID_MEM_FD;
	struct task_struct *task;
	int ret;

	*cred = NULL;
	/* Asked without an audit record: a proof may make it moot. */
	if (!ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN)) {
		if (!proof)
			return -EACCES;
		task = get_pid_task(tgid, PIDTYPE_PID);
		if (!task)
			return -ESRCH;
		*cred = get_task_cred(task);
		put_task_struct(task);
		/*
		 * Pairs with the release in commit_creds(): the mm compared
		 * below is not older than the credentials just taken.
		 */
		smp_rmb();
	}
	/* Even an admin's proof must be right when it is given. */
	if (proof) {
		ret = mapwatch_check_mem_fd(arg->mem_fd, tgid);
		if (ret) {
			if (*cred)
				put_cred(*cred);
			*cred = NULL;
			return ret;
		}
	}
	return 0;
}

static long mapwatch_ioctl_pid(struct mapwatch_session *s, void __user *uarg)
{
	const struct cred *cred = NULL;
	struct mapwatch_pid arg;
	struct pid *tgid = NULL;
	u32 usize;
	int ret;

	ret = mapwatch_copy_in(&arg, sizeof(arg), MAPWATCH_PID_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags & ~MAPWATCH_PID_FLAG_MASK || arg.__reserved)
		return -EINVAL;
	if (arg.op != MAPWATCH_PID_ADD && arg.flags)
		return -EINVAL;
	switch (arg.op) {
	case MAPWATCH_PID_ADD:
		if (arg.pid <= 0)
			return -EINVAL;
		tgid = mapwatch_find_tgid(s, arg.pid);
		if (!tgid)
			return -ESRCH;
		ret = mapwatch_pid_admit(s, tgid, &arg, &cred);
		if (ret) {
			put_pid(tgid);
			return ret;
		}
		break;
	case MAPWATCH_PID_DEL:
		if (arg.pid <= 0)
			return -EINVAL;
		/* NULL for a process reaped since: it is found by its number. */
		tgid = mapwatch_find_tgid(s, arg.pid);
		break;
	case MAPWATCH_PID_CLEAR:
		if (arg.pid)
			return -EINVAL;
		break;
	default:
		return -EINVAL;
	}

	mutex_lock(&s->lock);
	if (arg.op == MAPWATCH_PID_ADD) {
		ret = mapwatch_pids_add(s, tgid, cred);
		if (!ret) {
			ret = mapwatch_probes_install(s);
			if (ret)	/* not traceable after all: undo */
				mapwatch_pids_del(s, tgid, arg.pid);
		}
	} else if (arg.op == MAPWATCH_PID_DEL) {
		ret = mapwatch_pids_del(s, tgid, arg.pid);
	} else {
		mapwatch_pids_clear(s);
	}
	mutex_unlock(&s->lock);
	if (cred)
		put_cred(cred);
	put_pid(tgid);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Probes.                                                                   */

struct mapwatch_probe *mapwatch_probe_find(struct mapwatch_session *s, u32 id)
{
	struct mapwatch_probe *p;

	lockdep_assert_held(&s->lock);
	list_for_each_entry(p, &s->probes, node)
		if (p->id == id)
			return p;
	return NULL;
}

void mapwatch_probe_free(struct mapwatch_probe *p)
{
	free_percpu(p->stats);
	kfree(p);
}

/* Unregisters and waits for the probe's handlers. */
static void mapwatch_probe_detach(struct mapwatch_probe *p)
{
	lockdep_assert_held(&p->session->lock);
	list_del(&p->node);
	p->session->nr_probes--;
	if (p->kind == MAPWATCH_PROBE_UPROBE)
		mapwatch_uprobe_detach(p);
	else
		mapwatch_kprobe_detach(p);
	mapwatch_probe_free(p);
}

static struct mapwatch_probe *mapwatch_probe_alloc(struct mapwatch_session *s,
						   enum mapwatch_probe_kind kind)
{
	struct mapwatch_probe *p = kzalloc(sizeof(*p), GFP_KERNEL_ACCOUNT);

	if (!p)
		return NULL;
	p->stats = alloc_percpu_gfp(struct mapwatch_probe_stats, GFP_KERNEL_ACCOUNT);
	if (!p->stats) {
		kfree(p);
		return NULL;
	}
	p->session = s;
	p->kind = kind;
	return p;
}

/*
 * Write an attach's reply; if the caller cannot learn the id, undo the
 * attach (unless another thread detached probe @id meanwhile: ids are
 * never reused, so no other probe is found).
 */
static int mapwatch_probe_reply(struct mapwatch_session *s, u32 id, void __user *uarg,
				void *karg, size_t ksize, u32 usize)
{
	int ret = mapwatch_copy_out(uarg, karg, ksize, usize);

	if (ret)
		mapwatch_session_detach(s, id);
	return ret;
}

static long mapwatch_ioctl_kprobe_attach(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_kprobe arg;
	struct mapwatch_probe *p, *q;
	u32 usize;
	int ret;

	ret = mapwatch_copy_in(&arg, sizeof(arg), MAPWATCH_KPROBE_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags)
		return -EINVAL;
	if (!perfmon_capable())
		return -EPERM;
	if (arg.type >= 64 || !(mapwatch_kprobes_available() & (1ULL << arg.type)))
		return -EOPNOTSUPP;

	p = mapwatch_probe_alloc(s, MAPWATCH_PROBE_KPROBE);
	if (!p)
		return -ENOMEM;

	mutex_lock(&s->lock);
	ret = -EEXIST;
	list_for_each_entry(q, &s->probes, node)
		if (q->kind == MAPWATCH_PROBE_KPROBE && q->type == arg.type)
			goto err_unlock;
	ret = -ENOSPC;
	if (s->nr_probes >= MAPWATCH_MAX_PROBES)
		goto err_unlock;
	p->id = ++s->next_probe_id;
	ret = mapwatch_kprobe_attach(p, arg.type);
	if (ret)
		goto err_unlock;
	list_add_tail(&p->node, &s->probes);
	s->nr_probes++;
	/* Once s->lock is dropped, @p is another thread's to detach and free. */
	arg.probe_id = p->id;
	mutex_unlock(&s->lock);
	mapwatch_genl_notify(MAPWATCH_CMD_PROBE_NEW, s, arg.probe_id);
	return mapwatch_probe_reply(s, arg.probe_id, uarg, &arg, sizeof(arg), usize);

err_unlock:
	mutex_unlock(&s->lock);
	mapwatch_probe_free(p);
	return ret;
}

/*
 * A file's inode, referenced, if it is a regular file holding [off, off + 1),
 * and in *@path the file's path, referenced: the uprobe core wants the
 * inode's mount kept, so that an unmount fails (EBUSY) while a probe or its
 * guard holds the inode.  fget_raw(): an O_PATH descriptor names the binary
 * as well.
 */
static struct inode *mapwatch_binary_inode(int fd, u64 offset, u64 ref_ctr_offset,
					   struct path *path)
{
	struct inode *inode = ERR_PTR(-EINVAL);
	struct file *file = fget_raw(fd);
	loff_t size;

	if (!file)
		return ERR_PTR(-EBADF);
	if (S_ISREG(file_inode(file)->i_mode)) {
		/*
		 * On overlayfs (a container's root) the pages a process maps
		 * are the real file's: the breakpoints go in that inode, as
		 * the kernel's own uprobe_events put them.
		 */
		struct inode *real = d_real_inode(file->f_path.dentry);

		size = i_size_read(real);
		if (offset < size && ref_ctr_offset < size)
			inode = igrab(real);
		if (!inode)
			inode = ERR_PTR(-ENOENT);
	}
	if (!IS_ERR(inode)) {
		*path = file->f_path;
		path_get(path);
	}
	fput(file);
	return inode;
}

/* An EINVAL reply: bad_op names the invalid op, or is MAPWATCH_ALL_OPS_VALID. */
static long mapwatch_uprobe_einval(void __user *uarg, u32 bad_op)
{
	struct mapwatch_uprobe __user *u = uarg;

	return put_user(bad_op, &u->bad_op) ? -EFAULT : -EINVAL;
}

static long mapwatch_ioctl_uprobe_attach(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_fetch_prog *prog;
	struct mapwatch_uprobe arg;
	struct mapwatch_probe *p;
	struct inode *inode;
	struct path path;
	u32 usize;
	int ret;

	ret = mapwatch_copy_in(&arg, sizeof(arg), MAPWATCH_UPROBE_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (arg.flags & ~MAPWATCH_UPROBE_FLAG_MASK || arg.__reserved)
		return mapwatch_uprobe_einval(uarg, MAPWATCH_ALL_OPS_VALID);
	if (!perfmon_capable() ||
	    ((arg.flags & MAPWATCH_UPROBE_ALL_PROCESSES) && !capable(CAP_SYS_ADMIN)))
		return -EPERM;

	prog = mapwatch_fetch_prog_new(arg.ops, arg.nr_ops, &arg.bad_op);
	if (IS_ERR(prog)) {
		ret = PTR_ERR(prog);
		/* Tell which op is wrong. */
		return ret == -EINVAL ? mapwatch_uprobe_einval(uarg, arg.bad_op) : ret;
	}
	arg.payload_max = prog->payload_max;
	inode = mapwatch_binary_inode(arg.fd, arg.offset, arg.ref_ctr_offset, &path);
	if (IS_ERR(inode)) {
		kfree(prog);
		ret = PTR_ERR(inode);
		return ret == -EINVAL ? mapwatch_uprobe_einval(uarg, MAPWATCH_ALL_OPS_VALID) : ret;
	}
	p = mapwatch_probe_alloc(s, MAPWATCH_PROBE_UPROBE);
	if (!p) {
		iput(inode);
		path_put(&path);
		kfree(prog);
		return -ENOMEM;
	}

	mutex_lock(&s->lock);
	p->id = ++s->next_probe_id;
	ret = s->nr_probes < MAPWATCH_MAX_PROBES ?
	      mapwatch_uprobe_attach(p, inode, &path, &arg, prog) : -ENOSPC;
	if (ret) {
		mutex_unlock(&s->lock);
		iput(inode);
		path_put(&path);
		kfree(prog);
		mapwatch_probe_free(p);
		return ret == -EINVAL ? mapwatch_uprobe_einval(uarg, MAPWATCH_ALL_OPS_VALID) : ret;
	}
	list_add_tail(&p->node, &s->probes);
	s->nr_probes++;
	/* Once s->lock is dropped, @p is another thread's to detach and free. */
	arg.probe_id = p->id;
	mutex_unlock(&s->lock);
	mapwatch_genl_notify(MAPWATCH_CMD_PROBE_NEW, s, arg.probe_id);
	return mapwatch_probe_reply(s, arg.probe_id, uarg, &arg, sizeof(arg), usize);
}

/*
 * Detach the @nr probes of @s whose ids are @ids, all or none, waiting once
 * for the handlers of every uprobe among them.
 */
static int mapwatch_session_detach_ids(struct mapwatch_session *s, const u32 *ids, u32 nr)
{
	struct mapwatch_probe **ps;
	bool uprobes = false;
	int ret = 0;
	u32 i, j;

	ps = kcalloc(nr, sizeof(*ps), GFP_KERNEL);
	if (!ps)
		return -ENOMEM;
	mutex_lock(&s->lock);
	for (i = 0; i < nr && !ret; i++) {
		ps[i] = s->state != MAPWATCH_STATE_DEAD ? mapwatch_probe_find(s, ids[i]) : NULL;
		if (!ps[i])
			ret = -ENOENT;
		for (j = 0; j < i && !ret; j++)
			if (ps[j] == ps[i])
				ret = -EINVAL;
	}
	if (ret)
		goto out;
	for (i = 0; i < nr; i++) {
		list_del(&ps[i]->node);
		s->nr_probes--;
		if (ps[i]->kind == MAPWATCH_PROBE_UPROBE) {
			mapwatch_uprobe_detach_nosync(ps[i]);
			uprobes = true;
		} else {
			mapwatch_kprobe_detach(ps[i]);
		}
	}
	if (uprobes)
		mapwatch_uprobes_sync();
	for (i = 0; i < nr; i++) {
		if (ps[i]->kind == MAPWATCH_PROBE_UPROBE)
			mapwatch_uprobe_release(ps[i]);
		mapwatch_probe_free(ps[i]);
	}
out:
	mutex_unlock(&s->lock);
	kfree(ps);
	if (!ret)
		for (i = 0; i < nr; i++)
			mapwatch_genl_notify(MAPWATCH_CMD_PROBE_DEL, s, ids[i]);
	return ret;
}

static long mapwatch_ioctl_detach(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_detach arg;
	u32 usize, *ids;
	int ret;

	ret = mapwatch_copy_in(&arg, sizeof(arg), MAPWATCH_DETACH_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	if (!arg.nr_ids)
		return arg.reserved || arg.ids ? -EINVAL : mapwatch_session_detach(s, arg.probe_id);
	if (arg.probe_id || arg.reserved || arg.nr_ids > MAPWATCH_MAX_PROBES)
		return -EINVAL;
	ids = memdup_user(u64_to_user_ptr(arg.ids), arg.nr_ids * sizeof(*ids));
	if (IS_ERR(ids))
		return PTR_ERR(ids);
	ret = mapwatch_session_detach_ids(s, ids, arg.nr_ids);
	kfree(ids);
	return ret;
}

/* Detach probe @id of @s (its file's DETACH, or an admin's over genl). */
int mapwatch_session_detach(struct mapwatch_session *s, u32 id)
{
	struct mapwatch_probe *p = NULL;

	mutex_lock(&s->lock);
	if (s->state != MAPWATCH_STATE_DEAD)
		p = mapwatch_probe_find(s, id);
	if (p)
		mapwatch_probe_detach(p);
	mutex_unlock(&s->lock);
	if (!p)
		return -ENOENT;
	mapwatch_genl_notify(MAPWATCH_CMD_PROBE_DEL, s, id);
	return 0;
}

/*
 * @p's counters into @c's out fields (zero on entry), and its losses into
 * @lost if not NULL; under session->lock.
 */
void mapwatch_probe_sum(struct mapwatch_probe *p, struct mapwatch_probe_counters *c, u64 *lost)
{
	int cpu;

	lockdep_assert_held(&p->session->lock);
	for_each_possible_cpu(cpu) {
		const struct mapwatch_probe_stats *st = per_cpu_ptr(p->stats, cpu);

		c->hits += READ_ONCE(st->hits);
		c->filtered += READ_ONCE(st->filtered);
		c->recorded += READ_ONCE(st->recorded);
		c->faults += READ_ONCE(st->faults);
		if (lost)
			*lost += READ_ONCE(st->lost);
	}
	c->missed = p->kind == MAPWATCH_PROBE_KPROBE ? mapwatch_kprobe_missed(p) : 0;
}

static long mapwatch_ioctl_probe_counters(struct mapwatch_session *s, void __user *uarg)
{
	struct mapwatch_probe_counters c;
	struct mapwatch_probe *p;
	u32 usize;
	int ret;

	ret = mapwatch_copy_in(&c, sizeof(c), MAPWATCH_PROBE_COUNTERS_SIZE_VER0, uarg, &usize);
	if (ret)
		return ret;
	/* Out fields: whatever the caller passed in is replaced. */
	c.hits = 0;
	c.filtered = 0;
	c.recorded = 0;
	c.faults = 0;
	c.missed = 0;
	mutex_lock(&s->lock);
	p = mapwatch_probe_find(s, c.probe_id);
	if (p)
		mapwatch_probe_sum(p, &c, NULL);
	mutex_unlock(&s->lock);
	if (!p)
		return -ENOENT;
	return mapwatch_copy_out(uarg, &c, sizeof(c), usize);
}

/* Match an ioctl whatever size its structure had when the caller was built. */
#define MAPWATCH_IOC_BASE(cmd)	((cmd) & ~(_IOC_SIZEMASK << _IOC_SIZESHIFT))

long mapwatch_session_ioctl(struct mapwatch_session *s, unsigned int cmd, void __user *uarg)
{
	if (_IOC_TYPE(cmd) != MAPWATCH_IOC_MAGIC)
		return -ENOTTY;
	if (MAPWATCH_IOC_BASE(cmd) == MAPWATCH_IOC_BASE(MAPWATCH_IOC_API))
		return mapwatch_ioctl_api(s, uarg);
	if (READ_ONCE(s->state) == MAPWATCH_STATE_WAIT_API)
		return -EINVAL;

	switch (MAPWATCH_IOC_BASE(cmd)) {
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_RING_CONFIG):
		return mapwatch_ioctl_ring_config(s, uarg);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_ENABLE):
		return mapwatch_ioctl_enable(s);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_DISABLE):
		return mapwatch_ioctl_disable(s);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_COUNTERS):
		return mapwatch_ioctl_counters(s, uarg);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_PID):
		return mapwatch_ioctl_pid(s, uarg);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_KPROBE_ATTACH):
		return mapwatch_ioctl_kprobe_attach(s, uarg);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_UPROBE_ATTACH):
		return mapwatch_ioctl_uprobe_attach(s, uarg);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_DETACH):
		return mapwatch_ioctl_detach(s, uarg);
	case MAPWATCH_IOC_BASE(MAPWATCH_IOC_PROBE_COUNTERS):
		return mapwatch_ioctl_probe_counters(s, uarg);
	}
	return mapwatch_bench_ioctl(s, cmd, uarg);
}

