/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The contract between the mapwatch module and userspace.
 *
 * open("/dev/mapwatch") creates a session; the file descriptor is its lifetime.
 * Every ioctl argument starts with "__u32 size", the size of the structure the
 * caller knows.  The kernel accepts any size >= the first published version
 * (MAPWATCH_*_SIZE_VER0), up to a page; bytes it does not know must be zero
 * (else E2BIG).  Out fields are ignored on input.  Structures written back
 * are truncated to the caller's size.  All structures
 * are naturally aligned with explicit padding, so 32-bit callers on a 64-bit
 * kernel see the same layout.  Pointers travel as __u64.
 *
 * Session life cycle:
 *   MAPWATCH_IOC_API          handshake; every other ioctl fails with EINVAL
 *                             until it succeeds
 *   MAPWATCH_IOC_RING_CONFIG  allocate the per-CPU rings (once)
 *   mmap()                    map each CPU's consumer, producer and data pages
 *   MAPWATCH_IOC_PID          choose the processes to trace
 *   MAPWATCH_IOC_KPROBE_ATTACH  attach event sources
 *   MAPWATCH_IOC_ENABLE / _DISABLE
 *   poll() + drain via mmap, or read()
 *   close()                   detaches everything, frees everything
 *
 * Permissions (ABI 1.3), checked at each ioctl against the calling task's
 * credentials: opening the device is governed by its file mode (root-only
 * unless an administrator's udev rule says otherwise); attaching a probe
 * needs CAP_PERFMON or CAP_SYS_ADMIN; tracing a process, ptrace-attach
 * rights over it (MAPWATCH_PID_MEM_FD) or CAP_SYS_ADMIN; tracing every
 * process running a binary, CAP_SYS_ADMIN.  No record, ioctl result or
 * error carries a kernel address.
 *
 * Errors common to every ioctl:
 *   EINVAL  handshake not done, size smaller than the first version, unknown
 *           flag or op, reserved field not zero, value out of range
 *   E2BIG   size larger than the kernel knows and the extra bytes not zero,
 *           or larger than a page
 *   EFAULT  argument pointer not readable or writable
 *   ENOMEM  kernel memory could not be allocated (the session is as before
 *           the call: the call may be tried again)
 *   ENOTTY  unknown ioctl
 */
#ifndef _UAPI_LINUX_MAPWATCH_H
#define _UAPI_LINUX_MAPWATCH_H

#include <linux/const.h>
#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * ABI version: the major changes on an incompatible change, the minor when
 * something is added compatibly.
 */
#define MAPWATCH_ABI_MAJOR	1
#define MAPWATCH_ABI_MINOR	5

#define MAPWATCH_DEVICE		"/dev/mapwatch"
#define MAPWATCH_IOC_MAGIC	0xE7

/* Limits, also reported by MAPWATCH_IOC_API. */
#define MAPWATCH_MAX_PIDS		64	/* traced processes per session */
#define MAPWATCH_MAX_PROBES		1024	/* probes attached per session (ABI 1.2) */
#define MAPWATCH_MAX_RING_PAGES		4096	/* data pages per CPU */
#define MAPWATCH_MAX_PAYLOAD		1024	/* payload bytes per event record */
#define MAPWATCH_MAX_TIMER_MS		10000

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_API: handshake.                                              */

/* Features reported in mapwatch_api.features. */
#define MAPWATCH_FEAT_RING_OVERWRITE	_BITULL(0)	/* flight-recorder rings */
#define MAPWATCH_FEAT_READ		_BITULL(1)	/* read() fallback */
#define MAPWATCH_FEAT_UPROBE		_BITULL(2)	/* MAPWATCH_IOC_UPROBE_ATTACH (1.1) */
#define MAPWATCH_FEAT_PID_MEM_FD	_BITULL(3)	/* MAPWATCH_PID_MEM_FD (1.3) */
/*
 * A process traced without CAP_SYS_ADMIN stops being traced when it makes
 * itself undumpable (ABI 1.4): the kernel lets the module see that.  Without
 * it, only a change of credentials stops it (MAPWATCH_IOC_PID).
 */
#define MAPWATCH_FEAT_DUMPABLE		_BITULL(4)
/* The genl family has its "events" group (ABI 1.4): see below. */
#define MAPWATCH_FEAT_GENL_EVENTS	_BITULL(5)

struct mapwatch_api {
	__u32 size;		/* in/out: structure size */
	__u32 abi_major;	/* in: major the caller speaks; out: the module's */
	__u32 abi_minor;	/* out */
	__u32 flags;		/* in: must be 0 */
	__u64 features;		/* out: MAPWATCH_FEAT_* */
	__u64 kprobes;		/* out: bit (1 << type) per available kprobe type */
	__u32 nr_cpus;		/* out: ring slots (possible CPU ids), see mmap */
	__u32 page_size;	/* out */
	__u32 max_ring_pages;	/* out: MAPWATCH_MAX_RING_PAGES */
	__u32 max_pids;		/* out: MAPWATCH_MAX_PIDS */
	__u32 max_payload;	/* out: MAPWATCH_MAX_PAYLOAD */
	__u32 max_probes;	/* out: MAPWATCH_MAX_PROBES (ABI 1.2; 0 before) */
	char version[32];	/* out: module version, NUL-terminated */
};

#define MAPWATCH_API_SIZE_VER0	88
/*
 * EPROTO: abi_major differs from the module's; the out fields are still
 * written so the caller can name both versions.  The handshake may be
 * repeated; it changes nothing.
 */

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_RING_CONFIG: allocate the rings, once per session.           */

#define MAPWATCH_RING_OVERWRITE	_BITUL(0)	/* flight recorder: keep the newest */
#define MAPWATCH_RING_FLAG_MASK	(MAPWATCH_RING_OVERWRITE)

struct mapwatch_ring_config {
	__u32 size;
	__u32 flags;		/* MAPWATCH_RING_* */
	__u32 data_pages;	/* per CPU: power of two, 1..MAPWATCH_MAX_RING_PAGES */
	__u32 watermark;	/* unread bytes that wake a poller; 0: half the ring */
	__u32 timer_ms;		/* wake a poller this often if data is unread;
				 * 0: 100 ms; at most MAPWATCH_MAX_TIMER_MS
				 */
	__u32 __reserved;	/* must be 0 */
	__u64 mmap_stride;	/* out: bytes between two CPUs' regions in mmap */
};

#define MAPWATCH_RING_CONFIG_SIZE_VER0	32
/*
 * EINVAL  data_pages not a power of two or out of range, watermark larger
 *         than the data area, timer_ms too large
 * EBUSY   the rings are already configured
 * ENOMEM  the rings could not be allocated
 * EPERM   the rings would lock more memory than RLIMIT_MEMLOCK allows the
 *         caller's user (ABI 1.4)
 * On any error the session has no rings yet (unless it had them before).
 *
 * Locked memory (ABI 1.4): the rings' pages (consumer, producer and data
 * pages of every possible CPU: nr_cpus * mmap_stride bytes) stay in memory
 * until the session is closed.  As perf does for its buffers, they are
 * charged to the caller's user (locked_vm, the sum over all its sessions
 * and its other locked memory such as io_uring's) against the caller's
 * RLIMIT_MEMLOCK, unless the caller has CAP_IPC_LOCK.
 */

/*
 * mmap layout.  CPU c's region starts at offset c * mmap_stride and holds,
 * page by page:
 *
 *   | consumer page (RW) | producer page (RO) | data pages (RO) ... |
 *
 * A mapping must lie within one CPU's region; only a mapping of exactly the
 * consumer page may be writable (EPERM otherwise); mmap before RING_CONFIG
 * fails with ENODEV.
 */
#define MAPWATCH_MMAP_CONSUMER(cpu, stride, page)	((__u64)(cpu) * (stride))
#define MAPWATCH_MMAP_PRODUCER(cpu, stride, page)	((__u64)(cpu) * (stride) + (page))
#define MAPWATCH_MMAP_DATA(cpu, stride, page)		((__u64)(cpu) * (stride) + 2 * (page))

/*
 * Positions are byte counts since the rings were configured; a record sits
 * at (pos & (data_size - 1)) and never wraps: a PAD record fills the end of
 * the data area instead.
 *
 * Reader protocol (discard mode):
 *   prod = load_acquire(&producer->prod_pos)     pairs with the producer's
 *                                                store_release after a record
 *   while (cons < prod) { decode record at cons; cons += hdr.size; }
 *   store_release(&consumer->cons_pos, cons)     pairs with the producer's
 *                                                load_acquire before reserving
 *
 * Overwrite mode: the producer never waits for the reader and moves
 * tail_pos past records it overwrites.  Disable the session, then read from
 * max(cons_pos, tail_pos) to prod_pos.
 */
struct mapwatch_ring_consumer {
	__u64 cons_pos;		/* written by the reader only */
};

struct mapwatch_ring_producer {
	__u64 prod_pos;		/* end of the last committed record */
	__u64 tail_pos;		/* overwrite mode: oldest intact record */
	__u64 data_size;	/* bytes in the data area, a power of two */
	__u32 cpu;
	__u32 flags;		/* MAPWATCH_RING_* */
	/*
	 * Cumulative event counts of this CPU.  Events this CPU tried to
	 * record = written + lost_full + lost_nested.  LOST records in the
	 * stream report lost_full + lost_nested; lost_reported of them have
	 * been reported so far.
	 */
	__u64 written;		/* event records committed */
	__u64 lost_full;	/* dropped: not enough free space (discard mode) */
	__u64 lost_nested;	/* dropped: ring busy in an interrupted writer */
	__u64 lost_overwritten;	/* committed, then overwritten (overwrite mode) */
	__u64 lost_reported;	/* covered by LOST records so far */
};

/* ------------------------------------------------------------------------ */
/* Records.  Every record starts with this header, 8-byte aligned.           */

enum mapwatch_rec_type {
	MAPWATCH_REC_PAD	= 1,	/* skip hdr.size bytes */
	MAPWATCH_REC_EVENT	= 2,	/* struct mapwatch_rec_event + payload */
	MAPWATCH_REC_LOST	= 3,	/* struct mapwatch_rec_lost */
};

#define MAPWATCH_RECF_FAULT	_BITUL(0)	/* a user-memory read faulted */

struct mapwatch_rec_hdr {
	__u16 type;		/* enum mapwatch_rec_type */
	__u16 flags;		/* MAPWATCH_RECF_* */
	__u32 size;		/* whole record, a multiple of 8 */
};

/*
 * time_ns is CLOCK_MONOTONIC (comparable with clock_gettime()).  tgid and
 * tid are as seen from the pid namespace of the process that opened the
 * session; 0 when the task is not visible there.
 */
struct mapwatch_rec_event {
	struct mapwatch_rec_hdr hdr;
	__u64 time_ns;
	__u32 tgid;
	__u32 tid;
	__u32 probe_id;
	__u16 cpu;
	__u16 payload_size;	/* payload bytes that follow this struct */
};

struct mapwatch_rec_lost {
	struct mapwatch_rec_hdr hdr;
	__u64 time_ns;
	__u64 lost;		/* events dropped on this CPU since the last LOST */
	__u32 cpu;
	__u32 __reserved;
};

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_ENABLE, MAPWATCH_IOC_DISABLE (no argument).                  */
/*
 * ENABLE:  ENODEV  rings not configured
 * DISABLE: returns when no probe handler of this session is still writing;
 *          a LOST record is then appended to each ring with unreported
 *          losses (space permitting), so a drain after DISABLE sees them.
 */

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_COUNTERS: the producer counters, for one CPU or summed.      */

#define MAPWATCH_ALL_CPUS	0xffffffffU

struct mapwatch_counters {
	__u32 size;
	__u32 cpu;		/* in: a CPU id or MAPWATCH_ALL_CPUS */
	__u64 produced;		/* out: written + lost_full + lost_nested */
	__u64 written;
	__u64 lost_full;
	__u64 lost_nested;
	__u64 lost_overwritten;
	__u64 lost_reported;
	__u64 wakeups;		/* out: reader wakeups issued (session-wide) */
};

#define MAPWATCH_COUNTERS_SIZE_VER0	64
/* EINVAL: cpu out of range; ENODEV: rings not configured */

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_PID: the processes the session traces.                      */

enum mapwatch_pid_op {
	MAPWATCH_PID_ADD	= 1,	/* trace pid's thread group */
	MAPWATCH_PID_DEL	= 2,
	MAPWATCH_PID_CLEAR	= 3,	/* pid must be 0 */
};

struct mapwatch_pid {
	__u32 size;
	__u32 op;		/* enum mapwatch_pid_op */
	__s32 pid;		/* any thread of the process, in the caller's
				 * pid namespace
				 */
	__u32 flags;		/* MAPWATCH_PID_*; 0 before ABI 1.3 */
	/* ABI 1.3 */
	__s32 mem_fd;		/* with MAPWATCH_PID_MEM_FD: see below */
	__u32 __reserved;	/* must be 0 */
};

#define MAPWATCH_PID_SIZE_VER0	16
#define MAPWATCH_PID_SIZE_VER1	24	/* ABI 1.3: mem_fd */

/*
 * ADD: mem_fd is a file descriptor of /proc/PID/mem (or .../task/TID/mem)
 * of the same process, opened by the caller: the kernel checked the
 * caller's right to ptrace-attach to it when the file was opened, and this
 * is the proof of it.  Needed by a caller without CAP_SYS_ADMIN.
 */
#define MAPWATCH_PID_MEM_FD	_BITUL(0)
#define MAPWATCH_PID_FLAG_MASK	(MAPWATCH_PID_MEM_FD)

/*
 * Permissions (ABI 1.3): ADD needs CAP_SYS_ADMIN or the mem_fd proof of
 * ptrace-attach rights.  A process added without CAP_SYS_ADMIN is traced
 * only while it stays dumpable by its user -- as ptrace would need: after
 * a setuid/setgid exec or a change of credentials its events are dropped
 * (counted as filtered in MAPWATCH_IOC_PROBE_COUNTERS).
 *
 * DEL takes a process that has exited and been reaped since it was added
 * (ABI 1.4): it is found by its number among the traced ones, so a tracer
 * that follows short-lived processes gets every slot back.
 *
 * ESRCH   no such process (DEL: none traced under that number either)
 * EEXIST  already traced (ADD)
 * ENOENT  not traced (DEL)
 * ENOSPC  MAPWATCH_MAX_PIDS processes already traced
 * EACCES  ADD without CAP_SYS_ADMIN and without MAPWATCH_PID_MEM_FD, or
 *         mem_fd is the memory of another process (or of this one before
 *         an exec)
 * EBADF   MAPWATCH_PID_MEM_FD and mem_fd is not an open file descriptor
 * EINVAL  MAPWATCH_PID_MEM_FD with DEL or CLEAR, or mem_fd is not a
 *         /proc/PID/mem file
 * other   ADD: the errno of uprobe_register() when a uprobe of the session
 *         cannot be put into the process (an offset its binary has no
 *         probeable instruction at, found only now that a traced process
 *         maps it: EINVAL, EIO, ENOEXEC, EOPNOTSUPP on x86-64); the process
 *         is not traced
 */

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_KPROBE_ATTACH: enable one of the module's kernel probes.     */

enum mapwatch_kprobe_type {
	/*
	 * getpriority(2) entry.  Payload: struct mapwatch_kp_getpriority.
	 * A cheap syscall a test can trigger on demand.
	 */
	MAPWATCH_KPROBE_GETPRIORITY	= 1,
	/*
	 * ABI 1.2: the process's own memory requests, at the system call
	 * (what the task asked for, with its arguments as it passed them).
	 * madvise(2) entry: struct mapwatch_kp_madvise.
	 */
	MAPWATCH_KPROBE_MADVISE		= 2,
	/* munmap(2) entry: struct mapwatch_kp_munmap. */
	MAPWATCH_KPROBE_MUNMAP		= 3,
	/*
	 * mmap(2), recorded when it returns (a kretprobe): its arguments and
	 * result, struct mapwatch_kp_mmap.  A call the kretprobe had no free
	 * instance for is counted in the probe's "missed" counter.
	 */
	MAPWATCH_KPROBE_MMAP		= 4,
	/*
	 * A traced thread's exit (do_exit() entry): struct mapwatch_kp_exit.
	 * group_dead is 1 when it is the last thread of its process.
	 */
	MAPWATCH_KPROBE_EXIT		= 5,
	MAPWATCH_KPROBE_MAX,
};

struct mapwatch_kp_getpriority {
	__s32 which;
	__s32 who;
};

struct mapwatch_kp_madvise {
	__u64 start;
	__u64 len;
	__s32 advice;		/* MADV_* */
	__u32 __reserved;	/* 0 */
};

struct mapwatch_kp_munmap {
	__u64 start;
	__u64 len;
};

struct mapwatch_kp_mmap {
	__u64 addr;		/* the hint passed */
	__u64 len;
	__u32 prot;		/* PROT_* */
	__u32 flags;		/* MAP_* */
	__s32 fd;
	__u32 __reserved;	/* 0 */
	__u64 off;
	__s64 ret;		/* the address mapped, or -errno */
};

struct mapwatch_kp_exit {
	__s64 code;		/* do_exit()'s code: (status << 8) | signal */
	__u32 group_dead;	/* 1: the last thread of the process */
	__u32 __reserved;	/* 0 */
};

struct mapwatch_kprobe {
	__u32 size;
	__u32 type;		/* enum mapwatch_kprobe_type */
	__u32 flags;		/* must be 0 */
	__u32 probe_id;		/* out: id in this session's records */
};

#define MAPWATCH_KPROBE_SIZE_VER0	16
/*
 * Records only for the session's traced processes (MAPWATCH_IOC_PID),
 * while the session is enabled.
 * EPERM       without CAP_PERFMON or CAP_SYS_ADMIN (ABI 1.3)
 * EOPNOTSUPP  type unknown to this module or unavailable on this kernel
 * EEXIST      this type is already attached in the session
 * ENOSPC      MAPWATCH_MAX_PROBES probes (of any kind) already attached
 * other       the errno of register_kprobe()
 */

/* ------------------------------------------------------------------------ */
/* Fetch programs: what a uprobe records (ABI 1.1).                          */
/*
 * A fetch program is a straight list of operations run at each hit on
 * MAPWATCH_FETCH_VARS 64-bit variables (all zero at the start) to build the
 * event's payload.  It has no branches and no loops; the module validates
 * it once at attach.  User memory is read as the traced task would read it
 * (a uprobe handler runs in that task, so a page not present yet is faulted
 * in, and so is a present one whose page-table entry is old, which an arm64
 * CPU without hardware access-flag updates faults on); a read of an
 * address the task cannot read gives 0 (a COPY 0 bytes, a STR the bytes
 * before the unreadable page) and sets MAPWATCH_RECF_FAULT in the record
 * (not for a LOAD with MAPWATCH_FOPF_QUIET), and the program goes on.
 */
#define MAPWATCH_FETCH_VARS	8
#define MAPWATCH_FETCH_MAX_OPS	32
#define MAPWATCH_FETCH_NOVAR	0xff	/* COPY/STR: no length variable */

enum mapwatch_fop {
	MAPWATCH_FOP_REG	= 1,	/* var[dst] = register src (MAPWATCH_REG_*) */
	MAPWATCH_FOP_CONST	= 2,	/* var[dst] = imm */
	MAPWATCH_FOP_PC		= 3,	/* var[dst] = probed address + imm (PIE globals) */
	MAPWATCH_FOP_ADD	= 4,	/* var[dst] = var[src] + imm */
	MAPWATCH_FOP_LOAD	= 5,	/* var[dst] = size bytes at user var[src] + imm,
					 * zero-extended, or sign-extended with
					 * MAPWATCH_FOPF_SIGNED
					 */
	MAPWATCH_FOP_EMIT	= 6,	/* payload += low size bytes of var[src] */
	MAPWATCH_FOP_COPY	= 7,	/* payload += __u16 n, then n bytes of user
					 * memory at var[src] + imm;
					 * n = min(var[dst], max), or max when dst
					 * is MAPWATCH_FETCH_NOVAR
					 */
	MAPWATCH_FOP_STR	= 8,	/* as COPY, but stops after a NUL byte
					 * (counted in n)
					 */
};

#define MAPWATCH_FOPF_SIGNED	_BITUL(0)
/*
 * LOAD (ABI 1.2): a read that faults gives 0 without setting
 * MAPWATCH_RECF_FAULT, for fields read on a best-effort basis (a walk up a
 * frame-pointer chain that may run past the stack's last frame).
 */
#define MAPWATCH_FOPF_QUIET	_BITUL(1)

struct mapwatch_fetch_op {
	__u8 code;		/* enum mapwatch_fop */
	__u8 dst;		/* variable index */
	__u8 src;		/* variable or register index */
	__u8 size;		/* LOAD, EMIT: 1, 2, 4 or 8 */
	__u16 flags;		/* MAPWATCH_FOPF_* */
	__u16 max;		/* COPY, STR: at most this many bytes */
	__s64 imm;
};

/*
 * Registers for MAPWATCH_FOP_REG, per architecture: on x86-64 the
 * MAPWATCH_REG_X86_* values, on arm64 0..30 for x0..x30, then SP and PC.
 */
enum mapwatch_reg_x86_64 {
	MAPWATCH_REG_X86_AX, MAPWATCH_REG_X86_BX, MAPWATCH_REG_X86_CX,
	MAPWATCH_REG_X86_DX, MAPWATCH_REG_X86_SI, MAPWATCH_REG_X86_DI,
	MAPWATCH_REG_X86_BP, MAPWATCH_REG_X86_SP, MAPWATCH_REG_X86_R8,
	MAPWATCH_REG_X86_R9, MAPWATCH_REG_X86_R10, MAPWATCH_REG_X86_R11,
	MAPWATCH_REG_X86_R12, MAPWATCH_REG_X86_R13, MAPWATCH_REG_X86_R14,
	MAPWATCH_REG_X86_R15, MAPWATCH_REG_X86_IP,
	MAPWATCH_REG_X86_NR,
};

#define MAPWATCH_REG_ARM64_SP	31
#define MAPWATCH_REG_ARM64_PC	32
#define MAPWATCH_REG_ARM64_NR	33

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_UPROBE_ATTACH: a breakpoint in a binary, with a program.     */

/* Trace every process running the binary, not only the session's. */
#define MAPWATCH_UPROBE_ALL_PROCESSES	_BITUL(0)
#define MAPWATCH_UPROBE_FLAG_MASK	(MAPWATCH_UPROBE_ALL_PROCESSES)

struct mapwatch_uprobe {
	__u32 size;
	__u32 flags;		/* MAPWATCH_UPROBE_* */
	__s32 fd;		/* the binary, opened O_RDONLY or O_PATH */
	__u32 nr_ops;		/* 0..MAPWATCH_FETCH_MAX_OPS */
	__u64 offset;		/* file offset of the probed instruction */
	__u64 ref_ctr_offset;	/* file offset of a USDT semaphore, or 0 */
	__u64 ops;		/* user pointer to nr_ops struct mapwatch_fetch_op */
	__u32 probe_id;		/* out */
	__u32 payload_max;	/* out: the most payload bytes one hit records */
	__u32 bad_op;		/* out, on EINVAL: index of the first invalid
				 * op, or MAPWATCH_ALL_OPS_VALID
				 */
	__u32 __reserved;	/* must be 0 */
};

#define MAPWATCH_UPROBE_SIZE_VER0	56
#define MAPWATCH_ALL_OPS_VALID		0xffffffffU
/*
 * Records go to the session's traced processes (MAPWATCH_IOC_PID), or to
 * every process with MAPWATCH_UPROBE_ALL_PROCESSES; processes no probe of
 * theirs traces never hit the breakpoint.
 * EBADF   fd is not an open file
 * EINVAL  not a regular file, offsets beyond its end, an invalid program
 *         (bad_op tells which op), payload above MAPWATCH_MAX_PAYLOAD
 * EPERM   without CAP_PERFMON or CAP_SYS_ADMIN (ABI 1.3), or
 *         MAPWATCH_UPROBE_ALL_PROCESSES without CAP_SYS_ADMIN
 * ENOSPC  MAPWATCH_MAX_PROBES probes (of any kind) already attached
 * other   the errno of uprobe_register() (EOPNOTSUPP for an instruction
 *         it cannot probe, found when a traced process maps the binary)
 */

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_DETACH: remove probes; returns once their handlers are done. */

struct mapwatch_detach {
	__u32 size;
	__u32 probe_id;		/* the probe, when nr_ids is 0 */
	/* ABI 1.5 */
	__u32 nr_ids;		/* else: the nr_ids probes whose ids are at ids */
	__u32 reserved;		/* must be 0 */
	__u64 ids;		/* pointer to __u32[nr_ids] */
};

#define MAPWATCH_DETACH_SIZE_VER0	8
#define MAPWATCH_DETACH_SIZE_VER1	24	/* ABI 1.5: nr_ids, ids */
/*
 * Several probes (ABI 1.5) are detached together or not at all, with one
 * wait for the handlers of all the uprobes among them (each kprobe waits
 * for its own): on 6.12 and later that wait is an RCU-tasks-trace grace
 * period, tens of milliseconds or more; a tracer that detaches a set of
 * uprobes one by one leaves the last attached that many times longer.
 * ENOENT  no probe with that id in this session (nothing detached)
 * EINVAL  nr_ids above MAPWATCH_MAX_PROBES, probe_id not 0 with nr_ids, an
 *         id given twice (nothing detached)
 * EFAULT  ids not readable
 */

/* ------------------------------------------------------------------------ */
/* MAPWATCH_IOC_PROBE_COUNTERS: one probe's counters.                        */

struct mapwatch_probe_counters {
	__u32 size;
	__u32 probe_id;		/* in */
	__u64 hits;		/* handler ran */
	__u64 filtered;		/* not a traced process, or session disabled */
	__u64 recorded;		/* handed to the ring (written or counted lost) */
	__u64 faults;		/* records flagged MAPWATCH_RECF_FAULT */
	/* ABI 1.2: not run, the kprobe core missed it (recursion, no free
	 * kretprobe instance)
	 */
	__u64 missed;
};

#define MAPWATCH_PROBE_COUNTERS_SIZE_VER0	40
#define MAPWATCH_PROBE_COUNTERS_SIZE_VER1	48
/* ENOENT: no probe with that id */

/* ------------------------------------------------------------------------ */

#define MAPWATCH_IOC_API	_IOWR(MAPWATCH_IOC_MAGIC, 0x00, struct mapwatch_api)
#define MAPWATCH_IOC_RING_CONFIG _IOWR(MAPWATCH_IOC_MAGIC, 0x01, struct mapwatch_ring_config)
#define MAPWATCH_IOC_ENABLE	_IO(MAPWATCH_IOC_MAGIC, 0x02)
#define MAPWATCH_IOC_DISABLE	_IO(MAPWATCH_IOC_MAGIC, 0x03)
#define MAPWATCH_IOC_COUNTERS	_IOWR(MAPWATCH_IOC_MAGIC, 0x04, struct mapwatch_counters)
/* Its number keeps the version 0 size: the structure grew in ABI 1.3. */
#define MAPWATCH_IOC_PID	_IOC(_IOC_WRITE, MAPWATCH_IOC_MAGIC, 0x05, MAPWATCH_PID_SIZE_VER0)
#define MAPWATCH_IOC_KPROBE_ATTACH _IOWR(MAPWATCH_IOC_MAGIC, 0x06, struct mapwatch_kprobe)
/* Its number keeps the version 0 size: the structure grew in ABI 1.5. */
#define MAPWATCH_IOC_DETACH	_IOC(_IOC_WRITE, MAPWATCH_IOC_MAGIC, 0x07, \
				     MAPWATCH_DETACH_SIZE_VER0)
/* Its number keeps the version 0 size: the structure grew in ABI 1.2. */
#define MAPWATCH_IOC_PROBE_COUNTERS _IOC(_IOC_READ | _IOC_WRITE, MAPWATCH_IOC_MAGIC, 0x08, \
					 MAPWATCH_PROBE_COUNTERS_SIZE_VER0)
#define MAPWATCH_IOC_UPROBE_ATTACH _IOWR(MAPWATCH_IOC_MAGIC, 0x10, struct mapwatch_uprobe)
/* 0x11..0x1f: reserved for more probe kinds. */
/* 0xb0..0xbf: the benchmark build's (module/bench.h); ENOTTY in any other. */

/*
 * read(): copies whole records, CPU by CPU, and advances each ring's
 * cons_pos past exactly the records it returns.  A copy that faults
 * part-way ends the read: the records before it are returned, that one
 * stays for the next read (ABI 1.4; before, some could come twice).
 * Blocks while no data is unread (unless O_NONBLOCK: EAGAIN); returns 0
 * once the session is disabled and nothing is left.
 * EINVAL  buffer smaller than the next record, or rings not configured
 * EFAULT  the buffer faulted before the first record was copied
 * EIO     a consumer position written through mmap is not a valid position
 * EBUSY   overwrite mode and the session is enabled (disable it first);
 *         ENABLE waits for a read() in progress on such rings
 *
 * poll(): EPOLLIN when a ring holds at least the watermark, or on the
 * timer when any data is unread.  Once the session is stopped (disabled
 * after it was enabled): EPOLLIN while records are left, then EPOLLHUP
 * (read() returns 0), until it is enabled again (ABI 1.4).
 */

/* ------------------------------------------------------------------------ */
/* The control plane: generic netlink family "mapwatch".                   */
/*
 * Commands and attributes are append-only; MAPWATCH_GENL_VERSION grows
 * with them.  Every request attribute is validated strictly by the
 * command's policy.  No attribute carries a kernel address.  The family
 * lives in the initial network namespace.
 *
 * Who may do what:
 *   SESSION_GET, PROBE_GET   what opening /dev/mapwatch needs: fsuid 0 or
 *                            CAP_DAC_OVERRIDE, of both the socket's opener
 *                            and the caller (ABI 1.4: the caller's only
 *                            before)
 *   PROBE_DETACH             CAP_SYS_ADMIN (opener and caller)
 *   joining "events"         CAP_SYS_ADMIN; a kernel without
 *                            GENL_MCAST_CAP_SYS_ADMIN (before 6.7, except
 *                            stable backports such as Debian's 6.1) gets
 *                            no "events" group at all, and the handshake
 *                            says so (MAPWATCH_FEAT_GENL_EVENTS clear)
 *
 * Errors (in the netlink ack; extack names the attribute where one is at
 * fault):
 * EPERM       the rights above are missing (joining: from bind/setsockopt)
 * EINVAL      a required attribute is missing; an attribute is unknown to
 *             the command, above MAPWATCH_A_MAX, of the wrong length, or
 *             the message is malformed
 * ENOENT      no session (or no probe in it) with that id
 * EOPNOTSUPP  an unknown command, or a dump of a doit-only command
 * ENOMEM      out of memory
 */
#define MAPWATCH_GENL_NAME		"mapwatch"
#define MAPWATCH_GENL_VERSION		1
#define MAPWATCH_GENL_MCGRP_EVENTS	"events"

enum mapwatch_genl_cmd {
	MAPWATCH_CMD_UNSPEC,
	MAPWATCH_CMD_SESSION_GET,	/* doit: MAPWATCH_A_SESSION_ID; dumpit: all */
	MAPWATCH_CMD_PROBE_GET,		/* dumpit: every probe of every session, or
					 * of MAPWATCH_A_SESSION_ID's
					 */
	MAPWATCH_CMD_PROBE_DETACH,	/* doit, CAP_SYS_ADMIN: MAPWATCH_A_SESSION_ID,
					 * MAPWATCH_A_PROBE_ID; ENOENT if either is gone
					 */
	/* Notifications on MAPWATCH_GENL_MCGRP_EVENTS (CAP_SYS_ADMIN to join): */
	MAPWATCH_CMD_SESSION_NEW,	/* MAPWATCH_A_SESSION_ID, owner attributes */
	MAPWATCH_CMD_SESSION_DEL,	/* MAPWATCH_A_SESSION_ID */
	MAPWATCH_CMD_PROBE_NEW,		/* MAPWATCH_A_SESSION_ID, MAPWATCH_A_PROBE_ID */
	MAPWATCH_CMD_PROBE_DEL,		/* MAPWATCH_A_SESSION_ID, MAPWATCH_A_PROBE_ID */
	/*
	 * Looked for once a second while sessions are open, and once more as
	 * a session closes (before its SESSION_DEL):
	 */
	MAPWATCH_CMD_PROCESS_EXIT,	/* MAPWATCH_A_SESSION_ID, MAPWATCH_A_PID: a traced
					 * process's last thread exited; its
					 * MAPWATCH_A_EXIT_STATUS unless already reaped
					 */
	MAPWATCH_CMD_LOSS_START,	/* MAPWATCH_A_SESSION_ID, MAPWATCH_A_LOST: events
					 * lost (ring full or nested) since the last
					 * look, where the one before saw none
					 */
	MAPWATCH_CMD_LOSS_STOP,		/* MAPWATCH_A_SESSION_ID, MAPWATCH_A_LOST: a look
					 * found no new loss (or the session closed);
					 * the episode's whole count
					 */
	__MAPWATCH_CMD_MAX,
};

#define MAPWATCH_CMD_MAX (__MAPWATCH_CMD_MAX - 1)

enum mapwatch_genl_attr {
	MAPWATCH_A_UNSPEC,
	MAPWATCH_A_PAD,
	MAPWATCH_A_SESSION_ID,		/* u32 */
	MAPWATCH_A_OWNER_UID,		/* u32, in the initial user namespace */
	MAPWATCH_A_OWNER_PID,		/* u32, in the initial pid namespace */
	MAPWATCH_A_OWNER_COMM,		/* string */
	MAPWATCH_A_OPENED_NS,		/* u64, CLOCK_REALTIME */
	MAPWATCH_A_ENABLED,		/* u8 */
	MAPWATCH_A_NR_PROBES,		/* u32 */
	MAPWATCH_A_RING_PAGES,		/* u32, 0: rings not configured */
	MAPWATCH_A_PRODUCED,		/* u64 */
	MAPWATCH_A_WRITTEN,		/* u64 */
	MAPWATCH_A_LOST_FULL,		/* u64 */
	MAPWATCH_A_LOST_NESTED,		/* u64 */
	MAPWATCH_A_LOST_OVERWRITTEN,	/* u64 */
	MAPWATCH_A_PROBE_ID,		/* u32, the session's */
	MAPWATCH_A_PROBE_KIND,		/* u32: 1 kprobe, 2 uprobe */
	MAPWATCH_A_KPROBE_TYPE,		/* u32, enum mapwatch_kprobe_type */
	MAPWATCH_A_UPROBE_DEV,		/* u64: the binary's st_dev (new_encode_dev) */
	MAPWATCH_A_UPROBE_INO,		/* u64: its st_ino */
	MAPWATCH_A_UPROBE_OFFSET,	/* u64: file offset of the probe */
	MAPWATCH_A_UPROBE_ALL,		/* flag: every process, not the session's */
	MAPWATCH_A_HITS,		/* u64 */
	MAPWATCH_A_FILTERED,		/* u64 */
	MAPWATCH_A_RECORDED,		/* u64 */
	MAPWATCH_A_FAULTS,		/* u64 */
	MAPWATCH_A_MISSED,		/* u64 */
	MAPWATCH_A_PID,			/* u32, a tgid in the initial pid namespace */
	MAPWATCH_A_EXIT_STATUS,		/* u32, as wait(2) would report it */
	MAPWATCH_A_LOST,		/* u64: LOSS_*: the episode's; PROBE_GET: the probe's */
	__MAPWATCH_A_MAX,
};

#define MAPWATCH_A_MAX (__MAPWATCH_A_MAX - 1)

#endif /* _UAPI_LINUX_MAPWATCH_H */
