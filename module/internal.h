/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapwatch sessions, rings and probes inside the module.
 */
#ifndef _MAPWATCH_INTERNAL_H
#define _MAPWATCH_INTERNAL_H

#include <linux/fs.h>
#include <linux/irq_work.h>
#include <linux/kprobes.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/pid.h>
#include <linux/poll.h>
#include <linux/rcupdate.h>
#include <linux/wait.h>
#include <linux/uprobes.h>
#include <linux/workqueue.h>
#include <linux/mapwatch.h>

#include "compat.h"
#include "ring.h"

#define MAPWATCH_VERSION	"0.1.0"
#define MAPWATCH_DEFAULT_TIMER_MS	100

/* One CPU's ring: one vmap() area laid out as in the mmap ABI. */
struct mapwatch_cpu_ring {
	void *area;			/* consumer page, producer page, data */
	struct page **pages;		/* nr_pages, the area's */
	u32 nr_pages;
	struct mapwatch_ring rb;
};

struct mapwatch_ringset {
	u32 nr;				/* nr_cpu_ids */
	u32 flags;			/* MAPWATCH_RING_* */
	u32 data_pages;
	u32 watermark;
	u32 timer_ms;
	size_t stride;			/* bytes per CPU region */
	struct mapwatch_cpu_ring cpu[];	/* area NULL for impossible CPUs */
};

/* Traced processes, replaced as a whole under session->lock (RCU). */
/* A traced process. */
struct mapwatch_traced {
	struct pid *tgid;		/* its thread-group pid, referenced */
	/*
	 * Added without CAP_SYS_ADMIN: its credentials then, referenced;
	 * it is traced while they stay the same and it stays dumpable.
	 */
	const struct cred *cred;
	bool exited;			/* under session->lock: the control plane told */
};

struct mapwatch_pids {
	unsigned int nr;
	struct mapwatch_traced t[];
};

struct mapwatch_probe_stats {
	u64 hits;
	u64 filtered;
	u64 recorded;
	u64 faults;
	u64 lost;		/* recorded, but the ring was full or busy */
};

enum mapwatch_probe_kind {
	MAPWATCH_PROBE_KPROBE,
	MAPWATCH_PROBE_UPROBE,
};

/* A validated fetch program (fetch.c). */
struct mapwatch_fetch_prog {
	u32 nr_ops;
	u32 payload_max;		/* bytes one run may write */
	struct mapwatch_fetch_op ops[];
};

/*
 * A consumer with no handler work whose only job is to make the uprobe
 * core put the breakpoint into processes traced after the probe was
 * attached (registering a consumer consults its filter for every process
 * mapping the binary; uprobe_apply() is not exported to modules).
 */
struct mapwatch_uprobe_installer {
	struct uprobe_consumer uc;
	struct mapwatch_uprobe_reg reg;
	struct mapwatch_probe *probe;
	struct mapwatch_uprobe_installer *next;	/* replaced ones, waiting to be freed */
};

struct mapwatch_uprobe_probe {
	struct uprobe_consumer uc;
	struct mapwatch_uprobe_reg reg;	/* inode referenced, offsets, handle */
	struct path path;		/* referenced: keeps the inode's mount */
	struct mapwatch_fetch_prog *prog;
	struct mapwatch_uprobe_installer *installer;	/* under session->lock */
	bool all_processes;
};

struct mapwatch_probe {
	struct list_head node;		/* in session->probes, under session->lock */
	struct mapwatch_session *session;
	u32 id;
	enum mapwatch_probe_kind kind;
	u32 type;			/* kprobes: enum mapwatch_kprobe_type */
	struct mapwatch_probe_stats __percpu *stats;
	union {
		struct kprobe kp;
		struct kretprobe krp;		/* MAPWATCH_KPROBE_MMAP */
		struct mapwatch_uprobe_probe up;
	};
};

enum mapwatch_state {
	MAPWATCH_STATE_WAIT_API,	/* only MAPWATCH_IOC_API accepted */
	MAPWATCH_STATE_READY,
	MAPWATCH_STATE_DEAD,		/* released: a control-plane reader sees nothing */
};

/* session->wflags bits */
enum {
	MAPWATCH_WAKE_PENDING,		/* watermark wakeup queued, reader not back yet */
	MAPWATCH_TIMER_FIRED,		/* timer found unread data */
};

/*
 * A session: one open file of /dev/mapwatch.
 *
 * Locking order:
 *   session->read_lock		(read(): serialises consumers)
 *     mmap_lock		(copy_to_user)
 *   session->lock		(configuration; never held across user copies)
 *
 * Probe handlers take no lock: they read ->enabled, ->pids (RCU) and
 * ->rings, and run with interrupts off from the enabled check to commit,
 * so synchronize_rcu() after clearing ->enabled waits for all of them.
 */
struct mapwatch_session {
	u32 id;				/* in mapwatch_sessions: the control plane's name */
	refcount_t ref;			/* the file's, plus a control-plane reader's */
	kuid_t owner_uid;		/* who opened it (control plane: status) */
	pid_t owner_pid;		/* its tgid in the initial pid namespace */
	char owner_comm[TASK_COMM_LEN];
	u64 opened_ns;			/* ktime_get_real_ns() at open */
	struct mutex lock;		/* configuration, probes, pids */
	struct mutex read_lock;		/* one read() at a time */
	enum mapwatch_state state;	/* under lock */
	int enabled;			/* READ_ONCE in handlers */
	bool stopped;			/* disabled after tracing: poll() says EPOLLHUP once read */
	struct mapwatch_ringset *rings;	/* set once; smp_load_acquire() */
	const struct cred *locked_cred;	/* its user charged for the rings' pages, or NULL */
	unsigned long locked_pages;
	struct mapwatch_pids __rcu *pids;
	struct pid_namespace *pid_ns;	/* of the opener: pids in and out */
	struct list_head probes;	/* under lock */
	u32 next_probe_id;		/* under lock */
	u32 nr_probes;			/* under lock: attached, <= MAPWATCH_MAX_PROBES */
	wait_queue_head_t wq;		/* readers in poll() and read() */
	unsigned long wflags;		/* MAPWATCH_WAKE_PENDING, ... */
	struct irq_work wake_work;	/* wakes readers from any context */
	struct delayed_work timer_work;	/* periodic wakeup while enabled */
	atomic64_t wakeups;
	/* The control plane's once-a-second look (genl.c), under lock: */
	u64 watch_lost;			/* lost_full + lost_nested then */
	u64 watch_episode;		/* the same when the losses began */
	bool watch_losing;		/* LOSS_START sent, LOSS_STOP not yet */
	struct rcu_head rcu;		/* freed after readers of mapwatch_sessions */
};

/* The session's rings, or NULL before RING_CONFIG; once set, they live until release. */
static inline struct mapwatch_ringset *mapwatch_session_rings(struct mapwatch_session *s)
{
	/* Pairs with the smp_store_release() in RING_CONFIG. */
	return smp_load_acquire(&s->rings);
}

/* ringset.c: the session's per-CPU rings as a set (one ring: ring.c) */
/* Bytes of one CPU's region: consumer page, producer page, data pages. */
static inline size_t mapwatch_ringset_stride(u32 data_pages)
{
	return ((size_t)data_pages + 2) << PAGE_SHIFT;
}

struct mapwatch_ringset *mapwatch_ringset_alloc(const struct mapwatch_ring_config *cfg);
void mapwatch_ringset_free(struct mapwatch_ringset *rings);
int mapwatch_ringset_mmap(struct mapwatch_ringset *rings, struct vm_area_struct *vma);
ssize_t mapwatch_ringset_read(struct mapwatch_ringset *rings, char __user *buf, size_t count);
bool mapwatch_ringset_unread(struct mapwatch_ringset *rings, bool watermark);
bool mapwatch_ringset_empty(struct mapwatch_ringset *rings);
void mapwatch_ringset_flush_lost(struct mapwatch_ringset *rings);
void mapwatch_ringset_counters(struct mapwatch_ringset *rings, u32 cpu,
			       struct mapwatch_counters *c);

/* session.c: life cycle and reading */
struct mapwatch_session *mapwatch_session_create(void);
void mapwatch_session_destroy(struct mapwatch_session *s);
/* The live session @id with a reference (mapwatch_session_put()), or NULL. */
struct mapwatch_session *mapwatch_session_get(u32 id);
/* The first live session with an id >= *@id, referenced; *@id is its id. */
struct mapwatch_session *mapwatch_session_find_next(u32 *id);
void mapwatch_session_put(struct mapwatch_session *s);
bool mapwatch_sessions_open(void);
__poll_t mapwatch_session_poll(struct mapwatch_session *s, struct file *file, poll_table *wait);
ssize_t mapwatch_session_read(struct mapwatch_session *s, char __user *buf, size_t count,
			      bool nonblock);

/* ioctl.c: the ioctls, and the state they change that teardown undoes */
long mapwatch_session_ioctl(struct mapwatch_session *s, unsigned int cmd, void __user *uarg);
/* Stop recording, flush the losses, wake readers (EPOLLHUP); under s->lock. */
void mapwatch_session_disable(struct mapwatch_session *s);
/* Detach probe @id, tell the control plane; takes s->lock. */
int mapwatch_session_detach(struct mapwatch_session *s, u32 id);
struct mapwatch_probe *mapwatch_probe_find(struct mapwatch_session *s, u32 id);
void mapwatch_probe_free(struct mapwatch_probe *p);
void mapwatch_probe_sum(struct mapwatch_probe *p, struct mapwatch_probe_counters *c, u64 *lost);
/* Forget every traced process; under s->lock. */
void mapwatch_pids_clear(struct mapwatch_session *s);
/* Give back the locked_vm the rings were charged (RING_CONFIG). */
void mapwatch_lock_uncharge(struct mapwatch_session *s);

/* hotpath.c: what the probes' handlers call */
bool mapwatch_session_traces_current(struct mapwatch_session *s);
bool mapwatch_session_traces_mm(struct mapwatch_session *s, struct mm_struct *mm);
/* Whether a thread of group @tgid uses @mm; under rcu_read_lock(). */
bool mapwatch_tgid_uses_mm(struct pid *tgid, struct mm_struct *mm);
struct mapwatch_rec_event *mapwatch_event_begin(struct mapwatch_probe *p, u32 payload,
						unsigned long *irqflags);
void mapwatch_event_end(struct mapwatch_probe *p, unsigned long irqflags);

/* genl.c */
int mapwatch_genl_init(void);
void mapwatch_genl_exit(void);
/* A lifecycle notification (MAPWATCH_CMD_*_NEW/DEL), process context. */
void mapwatch_genl_notify(u8 cmd, struct mapwatch_session *s, u32 probe_id);
/* Exits of traced processes and losses since the last look; under s->lock. */
void mapwatch_genl_watch(struct mapwatch_session *s, bool final);
/* Looks once a second while a session is open. */
void mapwatch_genl_watch_start(void);

/* fetch.c */
struct mapwatch_fetch_prog *mapwatch_fetch_prog_new(u64 uops, u32 nr_ops, u32 *bad_op);
u32 mapwatch_fetch_run(const struct mapwatch_fetch_prog *prog, struct pt_regs *regs, u8 *out,
		       bool *fault);
bool mapwatch_fetch_fault_in(const struct mapwatch_fetch_prog *prog, struct pt_regs *regs);

/* uprobes.c */
int mapwatch_uprobe_handle(struct mapwatch_probe *p, struct pt_regs *regs);
int mapwatch_uprobe_attach(struct mapwatch_probe *p, struct inode *inode,
			   const struct path *path, const struct mapwatch_uprobe *arg,
			   struct mapwatch_fetch_prog *prog);
void mapwatch_uprobe_detach_nosync(struct mapwatch_probe *p);
void mapwatch_uprobes_sync(void);
void mapwatch_uprobe_guards_flush(void);
void mapwatch_uprobe_release(struct mapwatch_probe *p);
void mapwatch_uprobe_detach(struct mapwatch_probe *p);
int mapwatch_uprobe_install(struct mapwatch_probe *p, struct mapwatch_uprobe_installer **old);
void mapwatch_uprobe_installers_free(struct mapwatch_uprobe_installer *old);

/* kprobes.c */
u64 mapwatch_kprobes_available(void);
int mapwatch_kprobe_attach(struct mapwatch_probe *p, u32 type);
void mapwatch_kprobe_detach(struct mapwatch_probe *p);
u64 mapwatch_kprobe_missed(const struct mapwatch_probe *p);

/*
 * The benchmark build (make bench; Kbuild with MAPWATCH_BENCH=1, module/
 * bench.c) adds what a benchmark needs and a tracer must not offer; the
 * module users build has neither.
 */
#ifdef MAPWATCH_BENCH
extern bool mapwatch_bench_noop_param;

static inline bool mapwatch_bench_noop(void)
{
	return READ_ONCE(mapwatch_bench_noop_param);
}

long mapwatch_bench_ioctl(struct mapwatch_session *s, unsigned int cmd, void __user *uarg);
#else
static inline bool mapwatch_bench_noop(void)
{
	return false;
}

static inline long mapwatch_bench_ioctl(struct mapwatch_session *s, unsigned int cmd,
					void __user *uarg)
{
	return -ENOTTY;
}
#endif

#endif /* _MAPWATCH_INTERNAL_H */
