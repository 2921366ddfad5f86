// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/uapi_fuzz.c - a fuzzer for the mapwatch UAPI.
 *
 * Makes random and mutated calls on /dev/mapwatch sessions: every
 * MAPWATCH_IOC_* ioctl (valid structures with bit flips, random fields,
 * odd sizes, huge counts; argument pointers that are NULL, unmapped,
 * kernel-looking, unaligned, read-only or ending at a PROT_NONE page),
 * unknown ioctl numbers, ring configurations, uprobe attaches with random
 * fetch programs at function entries of mwt_trigger, at random offsets of
 * a copy of it that this process maps but never runs, and at a function
 * of this binary, garbage file descriptors (closed, pipes,
 * directories, /proc/PID/mem of this and other processes), random pids,
 * mmap() of random offsets, lengths and protections, read() of odd sizes,
 * poll(), ENABLE/DISABLE in any order, DETACH of random ids, sessions
 * closed and reopened at random.  Meanwhile a thread makes the events the
 * kprobes record, mwt_trigger runs now and then (traced) so uprobes with
 * garbage programs fire, and now and then a child without capabilities
 * fuzzes for a while (EPERM, EACCES, mem_fd proofs).
 *
 * Every call's errno must be one uapi/linux/mapwatch.h documents for it
 * (before the handshake: EINVAL only); an undocumented one fails the run
 * and is printed with the argument's bytes.  A few replies are checked
 * too: the size written back, probe ids, and for a uprobe program the
 * documented op rules (bad_op on EINVAL, payload_max on success).  Every
 * MAPWATCH_FUZZ_SANITY calls a fresh, correctly configured session must
 * still work end to end (ring, pid, kprobe, enable, one event drained,
 * counters).  A kernel splat is caught by the VM runner (tools/vmrun
 * exits 125).
 *
 * Not in selftests/run's default list (make check).  It makes about 600
 * calls/s in the 6.1 VM, 250 in the debug VM (KASAN, lockdep, kmemleak
 * under TCG): a million calls there take about 70 minutes, e.g.
 *   tools/vmrun -k debug -d "$PWD" -m build/debug/mapwatch.ko \
 *       --append pci=noacpi --timeout 5400 -- selftests/run uapi_fuzz
 *
 * Environment (selftests/run passes no arguments):
 *   MAPWATCH_FUZZ_CALLS    calls to make (default 1000000)
 *   MAPWATCH_FUZZ_SEED     PRNG seed, decimal or 0x hex (default: from the
 *                          clock); always printed, so a run can be replayed
 *                          (its arguments; timing with the helper processes
 *                          and thread differs)
 *   MAPWATCH_FUZZ_SECONDS  stop after this long even if fewer calls were
 *                          made (default 0: no limit)
 *   MAPWATCH_FUZZ_SANITY   calls between two sanity checks (default 10000)
 *   MAPWATCH_FUZZ_THREADS  N > 0: the threaded mode instead (below): N
 *                          threads on the same sessions at once
 * Options -n CALLS, -s SEED, -t SECONDS, -S SANITY, -T THREADS override them.
 *
 * Prints TAP; exits 0, 1 on failure, 4 (skip) without /dev/mapwatch.
 */
#include <elf.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest.h"
#include "mapwatch_test.h"

/* Kernel-internal; the module turns uprobe_register()'s into EOPNOTSUPP. */
#define ENOTSUPP	524

#if defined(__x86_64__)
#define FUZZ_NR_REGS	MAPWATCH_REG_X86_NR
#elif defined(__aarch64__)
#define FUZZ_NR_REGS	MAPWATCH_REG_ARM64_NR
#else
#define FUZZ_NR_REGS	0
#endif

#define NR_SESS		4	/* sessions open at once */
#define NR_IDS		32	/* probe ids remembered per session */
#define NR_MAPS		8	/* ring mappings kept */
#define NR_TRIG		2	/* mwt_trigger processes at once */
#define NR_DEAD		8	/* pids of reaped processes */
#define MAX_ERRNO	600
#define MAX_FAIL_PRINTS	40
#define ARENA_PAGES	2	/* read-write pages before the PROT_NONE one */

/* ------------------------------------------------------------------------ */
/* What is counted.                                                          */

enum call {
	C_API, C_RING_CONFIG, C_ENABLE, C_DISABLE, C_COUNTERS, C_PID, C_KPROBE_ATTACH,
	C_DETACH, C_PROBE_COUNTERS, C_UPROBE_ATTACH, C_UNKNOWN_IOCTL, C_MMAP, C_MPROTECT,
	C_MUNMAP, C_READ, C_POLL, C_OPEN, C_CLOSE,
	NR_CALLS
};

static const char *const call_name[NR_CALLS] = {
	"API", "RING_CONFIG", "ENABLE", "DISABLE", "COUNTERS", "PID", "KPROBE_ATTACH",
	"DETACH", "PROBE_COUNTERS", "UPROBE_ATTACH", "unknown ioctl", "mmap", "mprotect",
	"munmap",
	"read", "poll", "open", "close",
};

/*
 * The errnos uapi/linux/mapwatch.h documents, per call: the ones common to
 * every ioctl (EINVAL, ENOMEM; E2BIG, EFAULT for one taking a structure),
 * then the command's own.  mmap(), read(): the header's plus what the VFS and the
 * mm core answer for any file (noted).  0 ends a list.
 */
static const int ok_api[] = { EINVAL, ENOMEM, E2BIG, EFAULT, EPROTO, 0 };
/* EPERM: over RLIMIT_MEMLOCK without CAP_IPC_LOCK (ABI 1.4; the unprivileged child). */
static const int ok_ring_config[] = { EINVAL, ENOMEM, E2BIG, EFAULT, EBUSY, EPERM, 0 };
static const int ok_enable[] = { EINVAL, ENOMEM, ENODEV, 0 };
static const int ok_disable[] = { EINVAL, ENOMEM, 0 };
static const int ok_counters[] = { EINVAL, ENOMEM, E2BIG, EFAULT, ENODEV, 0 };
/* ADD: "other: the errno of uprobe_register()" (a uprobe of the session into the process). */
static const int ok_pid[] = { EINVAL, ENOMEM, E2BIG, EFAULT, ESRCH, EEXIST, ENOENT, ENOSPC,
			      EACCES, EBADF, EIO, ENOEXEC, EOPNOTSUPP, 0 };
/* "other: the errno of register_kprobe()": none is expected here. */
static const int ok_kprobe[] = { EINVAL, ENOMEM, E2BIG, EFAULT, EPERM, EOPNOTSUPP, EEXIST,
				 ENOSPC, 0 };
static const int ok_detach[] = { EINVAL, ENOMEM, E2BIG, EFAULT, ENOENT, 0 };
static const int ok_probe_counters[] = { EINVAL, ENOMEM, E2BIG, EFAULT, ENOENT, 0 };
/*
 * "other: the errno of uprobe_register()": on 6.1 x86-64 it fails with
 * EINVAL, EIO, ENOMEM, or (instruction analysis in a traced process
 * mapping the binary) ENOEXEC, EOPNOTSUPP (the kernel's ENOTSUPP, which
 * must not reach userspace).
 */
static const int ok_uprobe[] = { EINVAL, ENOMEM, E2BIG, EFAULT, EBADF, EPERM, ENOSPC,
				 EIO, ENOEXEC, EOPNOTSUPP, 0 };
/* Plus EINVAL for a mapwatch-type number before the handshake. */
static const int ok_unknown[] = { ENOTTY, ENOMEM, 0 };
/* ENODEV, EINVAL, EPERM: the header; EACCES, ENOMEM, EOVERFLOW: the mm core. */
static const int ok_mmap[] = { ENODEV, EINVAL, EPERM, EACCES, ENOMEM, EOVERFLOW, 0 };
/* EACCES: the mm core, for a mapping the module made read-only for good. */
static const int ok_mprotect[] = { EACCES, 0 };
static const int ok_munmap[] = { 0 };
/* EFAULT: the VFS (bad buffer); EINTR, EBADF: added by the caller when they apply. */
static const int ok_read[] = { EINVAL, EIO, EBUSY, EAGAIN, EFAULT, 0 };
static const int ok_none[] = { 0 };

static const int *const ok_errnos[NR_CALLS] = {
	ok_api, ok_ring_config, ok_enable, ok_disable, ok_counters, ok_pid, ok_kprobe,
	ok_detach, ok_probe_counters, ok_uprobe, ok_unknown, ok_mmap, ok_mprotect, ok_munmap,
	ok_read, ok_none, ok_none, ok_none,
};

/* Shared with the unprivileged child (MAP_SHARED). */
struct stats {
	uint64_t total;
	uint64_t calls[NR_CALLS];
	uint64_t ok[NR_CALLS];
	uint64_t err[NR_CALLS][MAX_ERRNO + 1];	/* [MAX_ERRNO]: any larger */
	uint64_t failures;
	uint64_t fail_prints;
	uint64_t sanity_ok, sanity_failed;
	uint64_t triggers, trigger_signals;
	uint64_t kprobes_attached, uprobes_attached, uprobes_fired;
	uint64_t unpriv_children, unpriv_calls;
	uint64_t maps_made;
};

static struct stats *st;

/* ------------------------------------------------------------------------ */
/* State.                                                                    */

struct sess {
	int fd;			/* -1: closed */
	int api_done;		/* a handshake succeeded */
	int configured;		/* RING_CONFIG succeeded */
	int wronly;		/* opened O_WRONLY: read() is EBADF */
	int nonblock;
	uint64_t stride;
	uint32_t ids[NR_IDS];	/* probe ids attached (some may be gone) */
	unsigned int nids;
	uint32_t last_id;
};

struct mapping {
	void *addr;		/* NULL: free slot */
	size_t len;
};

struct trigger {
	pid_t pid;		/* 0: free slot */
	int mem_fd;		/* its /proc/PID/mem, or -1 */
	double deadline;
};

static struct sess sess[NR_SESS];
static struct sess *cur_sess;	/* the session of the call being made */
static struct mapping maps[NR_MAPS];
static struct trigger trig[NR_TRIG];
static pid_t dead[NR_DEAD];
static int privileged = 1;	/* 0 in the child without capabilities */
static uint64_t seed;
static __thread uint64_t rng;	/* per thread: -T's workers each have their own */
static long page;
static unsigned int nr_cpus;
static uint64_t api_features;
static pid_t spinner_tid;

/* The arena: ARENA_PAGES read-write pages, then a PROT_NONE page. */
static uint8_t *arena, *ops_arena, *ro_page, *unmapped;
static uint8_t readbuf[1 << 17];

/* File descriptors handed to the module where it wants one. */
static int fd_self_mem, fd_task_mem, fd_init_mem, fd_maps, fd_null, fd_dir, fd_pipe[2],
	   fd_sock[2], fd_event, fd_trigger, fd_trigger_path, fd_exe, fd_exe_path, fd_tmp,
	   fd_memfd, fd_closed;

/* mwt_trigger: where it is and where in it to probe. */
static char trigger_path[PATH_MAX];
static struct stat trigger_st, exe_st, tmp_st, memfd_st;
static uint64_t trig_size, trig_main, trig_main_len, trig_entry, trig_text, trig_text_len;
/* Its functions' entries: the only offsets of it that get probed (see uprobe_make_safe()). */
static uint64_t trig_funcs[64];
static unsigned int nr_trig_funcs;
/*
 * A copy of it in a memfd that this process maps and never runs: random
 * offsets go there, so breakpoints at offsets that are not instructions are
 * installed into a traced process (and analysed) without running anything.
 */
static int fd_junk = -1;
static struct stat junk_st;
/* fuzz_probed() and fuzz_semaphore in this binary. */
static uint64_t probed_off, sem_off;
static int have_sem;

/* The call being made, for the report of a failure. */
static struct {
	enum call c;
	unsigned long cmd;
	uint64_t ptr;
	const char *where;
	size_t len;
	uint8_t bytes[320];
	size_t ops_len;
	uint8_t ops[MAPWATCH_FETCH_MAX_OPS * sizeof(struct mapwatch_fetch_op)];
	char note[160];
} cur;

/* ------------------------------------------------------------------------ */
/* Randomness.                                                               */

static uint64_t rnd64(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* 0 .. n - 1 */
static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

/* true with probability pct % */
static int chance(unsigned int pct)
{
	return rnd(100) < pct;
}

static uint32_t interesting32(void)
{
	static const uint32_t v[] = { 0, 1, 2, 7, 8, 15, 16, 31, 32, 63, 64, 127, 255, 256,
				      1023, 1024, 1025, 4095, 4096, 4097, 65535, 65536,
				      0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };

	if (chance(30))
		return (uint32_t)rnd64();
	if (chance(10))
		return nr_cpus + rnd(3) - 1;
	return v[rnd(ARRAY_SIZE(v))];
}

static uint64_t interesting64(void)
{
	static const uint64_t v[] = { 0, 1, 8, 0x1000, 0x7fffffffffffULL, 0x800000000000ULL,
				      0xffff888000000000ULL, 0xffffffff81000000ULL,
				      0xffffffffff600000ULL, 0x8000000000000000ULL,
				      0x7fffffffffffffffULL, 0xfffffffffffff000ULL,
				      0xffffffffffffffffULL, 0xdead000000000100ULL };

	if (chance(30))
		return rnd64();
	if (chance(20))
		return (uint64_t)(int64_t)(int32_t)interesting32();
	return v[rnd(ARRAY_SIZE(v))];
}

/* A pointer that must not be dereferenced by anyone. */
static uint64_t bad_ptr(void)
{
	static const uint64_t v[] = { 0, 1, 8, 0xfff, 0x10000, 0x7ffffffff000ULL,
				      0x800000000000ULL, 0xffff888000000000ULL,
				      0xffffffff81000000ULL, 0xffffffffff600000ULL,
				      0x8000000000000000ULL, 0xfffffffffffff000ULL,
				      0xffffffffffffffffULL };

	switch (rnd(4)) {
	case 0:
		return (uintptr_t)unmapped + rnd(page);
	case 1:		/* the guard page itself */
		return (uintptr_t)arena + ARENA_PAGES * page + rnd(page);
	default:
		return v[rnd(ARRAY_SIZE(v))];
	}
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------------ */
/* Recording and checking calls.                                             */

static const char *errname(int e)
{
	static char buf[32];
	const char *n = e == ENOTSUPP ? "ENOTSUPP" : strerrorname_np(e);

	if (n)
		return n;
	snprintf(buf, sizeof(buf), "E%d", e);
	return buf;
}

static void hexdump(const char *what, const uint8_t *p, size_t len)
{
	char line[3 * 32 + 1];
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		n += snprintf(line + n, sizeof(line) - n, "%02x ", p[i]);
		if (i % 32 == 31 || i + 1 == len) {
			printf("#     %s +%03zx: %s\n", what, i - i % 32, line);
			n = 0;
		}
	}
}

/*
 * Note the call about to be made: its argument's bytes as passed (@len
 * readable bytes at @ptr, or none for a bad pointer).
 */
static void begin(enum call c, unsigned long cmd, uint64_t ptr, const void *bytes, size_t len,
		  const char *where)
{
	cur.c = c;
	cur.cmd = cmd;
	cur.ptr = ptr;
	cur.where = where;
	cur.len = len < sizeof(cur.bytes) ? len : sizeof(cur.bytes);
	if (bytes && cur.len)
		memcpy(cur.bytes, bytes, cur.len);
	else
		cur.len = 0;
	cur.ops_len = 0;
	cur.note[0] = '\0';
}

__attribute__((format(printf, 1, 2)))
static void fail(const char *fmt, ...)
{
	va_list ap;

	st->failures++;
	if (st->fail_prints++ >= MAX_FAIL_PRINTS)
		return;
	printf("# FAIL at call %llu (seed %#llx, pid %d): %s cmd %#lx arg %#llx (%s): ",
	       (unsigned long long)st->total, (unsigned long long)seed, getpid(),
	       call_name[cur.c], cur.cmd, (unsigned long long)cur.ptr,
	       cur.where ? cur.where : "-");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (cur.note[0])
		printf("#     %s\n", cur.note);
	hexdump("arg", cur.bytes, cur.len);
	hexdump("ops", cur.ops, cur.ops_len);
	fflush(stdout);
}

static int in_list(const int *list, int e)
{
	for (; *list; list++)
		if (*list == e)
			return 1;
	return 0;
}

/*
 * Count a call's result and check its errno: one of the call's documented
 * ones, or @extra (0: none).  Returns @ret.
 */
static long done(long ret, int err, int extra)
{
	enum call c = cur.c;

	st->total++;
	st->calls[c]++;
	if (ret >= 0)
		st->ok[c]++;
	else
		st->err[c][err > 0 && err < MAX_ERRNO ? err : MAX_ERRNO]++;
	/* Before the handshake every other ioctl is EINVAL. */
	if (c > C_API && c < C_UNKNOWN_IOCTL && cur_sess && !cur_sess->api_done) {
		if (ret >= 0 || err != EINVAL)
			fail("%s before the handshake, want EINVAL",
			     ret >= 0 ? "success" : errname(err));
		return ret;
	}
	if (ret < 0 && !in_list(ok_errnos[c], err) && err != extra)
		fail("errno %d (%s) is not documented for it", err, errname(err));
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Arguments.                                                                */

/*
 * Where an argument of @len bytes goes: copied into the arena (aligned,
 * unaligned, ending at the PROT_NONE page or running into it), into a
 * read-only page, or nowhere (a bad pointer).  *@readable: the bytes the
 * module can read there; *@rw: the whole argument is readable and writable.
 */
static uint64_t place(const void *buf, size_t len, size_t *readable, int *rw, const char **where)
{
	size_t cap = ARENA_PAGES * page, off;
	unsigned int r = rnd(100);
	uint8_t *p;

	*rw = 0;
	*readable = 0;
	if (len > cap)
		len = cap;
	if (r < 4) {
		*where = "bad pointer";
		return bad_ptr();
	}
	if (r < 9 && len <= (size_t)page) {
		off = (page - len) & ~7UL;
		if (chance(50))
			off = page - len;
		mprotect(ro_page, page, PROT_READ | PROT_WRITE);
		memset(ro_page, 0, page);
		memcpy(ro_page + off, buf, len);
		mprotect(ro_page, page, PROT_READ);
		*readable = len;
		*where = "read-only page";
		return (uintptr_t)ro_page + off;
	}
	if (r < 60) {
		off = rnd(cap - len + 1) & ~7UL;
		*where = "arena";
	} else if (r < 75) {
		off = rnd(cap - len + 1);
		*where = "arena, unaligned";
	} else if (r < 92 || len < 2) {
		off = cap - len;
		*where = "ending at a PROT_NONE page";
	} else {
		off = cap - len + 1 + rnd(len - 1);
		*where = "running into a PROT_NONE page";
	}
	p = arena + off;
	*readable = cap - off < len ? cap - off : len;
	memcpy(p, buf, *readable);
	*rw = *readable == len;
	return (uintptr_t)p;
}

/* The size field of a structure the kernel knows as @known bytes. */
static uint32_t pick_size(uint32_t ver0, uint32_t known)
{
	switch (rnd(40)) {
	case 0:
		return 0;
	case 1:
		return ver0 - 1 - rnd(ver0);
	case 2:
	case 3:
		return ver0;
	case 4:
		return known + 8 * (1 + rnd(4));
	case 5:
		return page;
	case 6:
		return page + 1 + rnd(8);
	case 7:
		return interesting32();
	case 8:
		return rnd(page + 64);
	case 9:
		return known + 1 + rnd(page - known);
	default:
		return known;
	}
}

/*
 * Mutate the first @known bytes of a structure (not its size field): bit
 * flips, random bytes, interesting 32- and 64-bit fields.
 */
static void mutate(uint8_t *buf, size_t known)
{
	unsigned int n = 1 + rnd(3);
	uint64_t v64;
	uint32_t v32;
	size_t off;

	if (known <= 4)
		return;
	while (n--) {
		switch (rnd(4)) {
		case 0:
			off = 4 + rnd(known - 4);
			buf[off] ^= 1 << rnd(8);
			break;
		case 1:
			buf[4 + rnd(known - 4)] = rnd(256);
			break;
		case 2:
			off = 4 + 4 * rnd((known - 4) / 4);
			v32 = interesting32();
			memcpy(buf + off, &v32, 4);
			break;
		default:
			if (known < 16)
				break;
			off = 8 * (1 + rnd((known - 8) / 8));
			v64 = interesting64();
			memcpy(buf + off, &v64, 8);
			break;
		}
	}
}

/*
 * A structure argument: @buf holds a valid one of @known bytes; pick a size,
 * maybe mutate it, put bytes (zero or not) after it, place it.
 */
struct arg {
	uint8_t buf[2 * 4096 + 64];
	uint32_t size;
	uint64_t ptr;
	size_t readable;
	int rw;
	int mutated;
	const char *where;
};

static void arg_finish(struct arg *a, uint32_t ver0, uint32_t known, int mutate_pct)
{
	size_t len, cap = ARENA_PAGES * page;

	a->size = chance(50) ? known : pick_size(ver0, known);
	a->mutated = chance(mutate_pct);
	if (a->mutated)
		mutate(a->buf, known);
	if (a->size > known && a->size <= cap && chance(25))
		a->buf[known + rnd(a->size - known)] = 1 + rnd(255);
	memcpy(a->buf, &a->size, 4);
	len = a->size < 4 ? 4 : a->size;
	if (len > cap)
		len = known + rnd(64);
	a->ptr = place(a->buf, len, &a->readable, &a->rw, &a->where);
}

/* ioctl() with @cmd, sometimes with garbage in its upper 32 bits. */
static long do_ioctl(int fd, unsigned long cmd, uint64_t arg, int *err)
{
	unsigned long c = cmd;
	long ret;

	if (chance(2))
		c |= (unsigned long)rnd64() << 32;
	ret = syscall(SYS_ioctl, fd, c, (unsigned long)arg);
	*err = ret < 0 ? errno : 0;
	return ret;
}

/* An ioctl, counted and checked. */
static long ioc(int fd, unsigned long cmd, uint64_t arg, int extra, int *err)
{
	long ret = do_ioctl(fd, cmd, arg, err);

	return done(ret, *err, extra);
}

/* @cmd with another size in its number: the module matches any. */
static unsigned long resize_cmd(unsigned long cmd)
{
	if (!chance(8))
		return cmd;
	return (cmd & ~((unsigned long)_IOC_SIZEMASK << _IOC_SIZESHIFT)) |
	       ((unsigned long)rnd(_IOC_SIZEMASK + 1) << _IOC_SIZESHIFT);
}

/* Check a successful reply's size field: truncated to the caller's size. */
static void check_reply_size(const struct arg *a, uint32_t known)
{
	uint32_t got, want = a->size < known ? a->size : known;

	if (!a->rw)
		return;
	memcpy(&got, (void *)(uintptr_t)a->ptr, 4);
	if (got != want)
		fail("reply size %u, want %u", got, want);
}

/* ------------------------------------------------------------------------ */
/* Pools of values.                                                          */

static int pick_fd(void)
{
	const int fds[] = { fd_self_mem, fd_task_mem, fd_init_mem, fd_maps, fd_null, fd_dir,
			    fd_pipe[0], fd_pipe[1], fd_sock[0], fd_event, fd_trigger,
			    fd_trigger_path, fd_exe, fd_exe_path, fd_tmp, fd_memfd, fd_junk, fd_closed,
			    -1, INT_MIN, INT_MAX, 0, 1, 2, 1 << 20 };
	struct trigger *t = &trig[rnd(NR_TRIG)];
	unsigned int r = rnd(100);

	if (r < 10)
		return sess[rnd(NR_SESS)].fd;
	if (r < 20 && t->pid)
		return t->mem_fd;
	if (r < 25)
		return rnd(64);
	return fds[rnd(ARRAY_SIZE(fds))];
}

static int pick_mem_fd(void)
{
	struct trigger *t = &trig[rnd(NR_TRIG)];

	switch (rnd(8)) {
	case 0:
	case 1:
		return fd_self_mem;
	case 2:
		return fd_task_mem;
	case 3:
		return t->pid ? t->mem_fd : fd_init_mem;
	case 4:
		return fd_init_mem;
	default:
		return pick_fd();
	}
}

static pid_t pick_pid(void)
{
	static const pid_t v[] = { 0, -1, INT_MIN, INT_MAX, 4194305, 1, 2 };
	struct trigger *t = &trig[rnd(NR_TRIG)];

	switch (rnd(10)) {
	case 0:
	case 1:
	case 2:
		return getpid();
	case 3:
		return spinner_tid ? spinner_tid : getpid();
	case 4:
	case 5:
		return t->pid ? t->pid : getpid();
	case 6:
		return dead[rnd(NR_DEAD)];
	case 7:
		return 1 + rnd(400);
	case 8:
		return (pid_t)interesting32();
	default:
		return v[rnd(ARRAY_SIZE(v))];
	}
}

static uint32_t pick_id(struct sess *s)
{
	struct sess *o = &sess[rnd(NR_SESS)];

	switch (rnd(10)) {
	case 0:
		return 0;
	case 1:
		return s->last_id + 1;
	case 2:
		return interesting32();
	case 3:
		return o->nids ? o->ids[rnd(o->nids)] : 1;
	default:
		return s->nids ? s->ids[rnd(s->nids)] : 1 + rnd(8);
	}
}

static void remember_id(struct sess *s, uint32_t id)
{
	if (s->nids < NR_IDS)
		s->ids[s->nids++] = id;
	else
		s->ids[rnd(NR_IDS)] = id;
	if (id > s->last_id)
		s->last_id = id;
}

static void forget_id(struct sess *s, uint32_t id)
{
	unsigned int i;

	for (i = 0; i < s->nids; i++)
		if (s->ids[i] == id) {
			s->ids[i] = s->ids[--s->nids];
			return;
		}
}

/* ------------------------------------------------------------------------ */
/* Sessions.                                                                 */

static int handshake(struct sess *s)
{
	struct mapwatch_api api = { .size = sizeof(api), .abi_major = MAPWATCH_ABI_MAJOR };
	int err;

	begin(C_API, MAPWATCH_IOC_API, (uintptr_t)&api, &api, sizeof(api), "stack");
	if (ioc(s->fd, MAPWATCH_IOC_API, (uintptr_t)&api, 0, &err)) {
		fail("a valid handshake failed: %s", errname(err));
		return -1;
	}
	s->api_done = 1;
	return 0;
}

static void sess_close(struct sess *s)
{
	int err;

	if (s->fd >= 0) {
		begin(C_CLOSE, 0, 0, NULL, 0, NULL);
		err = close(s->fd) ? errno : 0;
		done(err ? -1 : 0, err, 0);
	}
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void sess_open(struct sess *s)
{
	int flags = O_CLOEXEC, err;

	sess_close(s);
	switch (rnd(10)) {
	case 0:
		flags |= O_RDONLY;
		break;
	case 1:
		flags |= O_WRONLY;
		s->wronly = 1;
		break;
	default:
		flags |= O_RDWR;
	}
	if (chance(85)) {
		flags |= O_NONBLOCK;
		s->nonblock = 1;
	}
	begin(C_OPEN, 0, 0, NULL, 0, NULL);
	s->fd = open(MAPWATCH_DEVICE, flags);
	err = s->fd < 0 ? errno : 0;
	done(s->fd, err, 0);
	if (s->fd < 0) {
		fail("cannot open %s: %s", MAPWATCH_DEVICE, errname(err));
		return;
	}
	if (chance(85))
		handshake(s);
}

/* ------------------------------------------------------------------------ */
/* Fetch programs.                                                           */

/* The documented rules: first invalid op, or -1 (all valid); *@payload. */
static int64_t model_prog(const struct mapwatch_fetch_op *ops, uint32_t nr, uint32_t *payload,
			  unsigned int nr_regs)
{
	uint32_t i, sum = 0;

	for (i = 0; i < nr; i++) {
		const struct mapwatch_fetch_op *op = &ops[i];
		int dv = op->dst < MAPWATCH_FETCH_VARS, sv = op->src < MAPWATCH_FETCH_VARS;
		int sz = op->size == 1 || op->size == 2 || op->size == 4 || op->size == 8;
		int none = !op->size && !op->flags && !op->max;
		int ok;

		switch (op->code) {
		case MAPWATCH_FOP_REG:
			ok = dv && op->src < nr_regs && none && !op->imm;
			break;
		case MAPWATCH_FOP_CONST:
		case MAPWATCH_FOP_PC:
			ok = dv && !op->src && none;
			break;
		case MAPWATCH_FOP_ADD:
			ok = dv && sv && none;
			break;
		case MAPWATCH_FOP_LOAD:
			ok = dv && sv && sz && !op->max &&
			     !(op->flags & ~(MAPWATCH_FOPF_SIGNED | MAPWATCH_FOPF_QUIET));
			break;
		case MAPWATCH_FOP_EMIT:
			ok = !op->dst && sv && sz && !op->flags && !op->max && !op->imm;
			if (ok)
				sum += op->size;
			break;
		case MAPWATCH_FOP_COPY:
		case MAPWATCH_FOP_STR:
			ok = sv && (dv || op->dst == MAPWATCH_FETCH_NOVAR) && !op->size &&
			     !op->flags && op->max && op->max <= MAPWATCH_MAX_PAYLOAD;
			if (ok)
				sum += 2 + op->max;
			break;
		default:
			ok = 0;
		}
		if (!ok)
			return i;
	}
	*payload = sum;
	return -1;
}

static void gen_op(struct mapwatch_fetch_op *op, uint32_t *left)
{
	static const uint8_t sizes[] = { 1, 2, 4, 8 };
	uint8_t code = 1 + rnd(8);

	memset(op, 0, sizeof(*op));
	if ((code == MAPWATCH_FOP_EMIT && *left < 8) ||
	    ((code == MAPWATCH_FOP_COPY || code == MAPWATCH_FOP_STR) && *left < 3))
		code = MAPWATCH_FOP_ADD;
	op->code = code;
	switch (code) {
	case MAPWATCH_FOP_REG:
		op->dst = rnd(MAPWATCH_FETCH_VARS);
		op->src = rnd(FUZZ_NR_REGS ? FUZZ_NR_REGS : 1);
		break;
	case MAPWATCH_FOP_CONST:
		op->dst = rnd(MAPWATCH_FETCH_VARS);
		op->imm = interesting64();
		break;
	case MAPWATCH_FOP_PC:
		op->dst = rnd(MAPWATCH_FETCH_VARS);
		op->imm = (int64_t)rnd(1 << 16) - (1 << 15);
		break;
	case MAPWATCH_FOP_ADD:
		op->dst = rnd(MAPWATCH_FETCH_VARS);
		op->src = rnd(MAPWATCH_FETCH_VARS);
		op->imm = chance(50) ? (int64_t)rnd(512) - 256 : (int64_t)interesting64();
		break;
	case MAPWATCH_FOP_LOAD:
		op->dst = rnd(MAPWATCH_FETCH_VARS);
		op->src = rnd(MAPWATCH_FETCH_VARS);
		op->size = sizes[rnd(4)];
		op->flags = rnd(4);
		op->imm = chance(70) ? (int64_t)rnd(256) - 128 : (int64_t)interesting64();
		break;
	case MAPWATCH_FOP_EMIT:
		op->src = rnd(MAPWATCH_FETCH_VARS);
		op->size = sizes[rnd(4)];
		*left -= op->size;
		break;
	default:
		op->src = rnd(MAPWATCH_FETCH_VARS);
		op->dst = chance(30) ? MAPWATCH_FETCH_NOVAR : rnd(MAPWATCH_FETCH_VARS);
		op->max = 1 + rnd(*left - 2 < 300 ? *left - 2 : 300);
		op->imm = chance(70) ? (int64_t)rnd(256) - 128 : (int64_t)interesting64();
		*left -= 2 + op->max;
		break;
	}
}

static void mutate_op(struct mapwatch_fetch_op *op)
{
	static const uint8_t bytes[] = { 0, 8, 9, 16, 17, 31, 32, 33, 0x7f, 0x80, 0xfe, 0xff };

	switch (rnd(8)) {
	case 0:
		op->code = chance(50) ? bytes[rnd(ARRAY_SIZE(bytes))] : rnd(256);
		break;
	case 1:
		op->dst = chance(50) ? bytes[rnd(ARRAY_SIZE(bytes))] : rnd(256);
		break;
	case 2:
		op->src = chance(50) ? bytes[rnd(ARRAY_SIZE(bytes))] : rnd(256);
		break;
	case 3:
		op->size = chance(50) ? bytes[rnd(ARRAY_SIZE(bytes))] : rnd(256);
		break;
	case 4:
		op->flags = 1 << rnd(16);
		break;
	case 5:
		op->max = chance(50) ? MAPWATCH_MAX_PAYLOAD + rnd(3) - 1 : rnd(65536);
		break;
	case 6:
		op->imm = interesting64();
		break;
	default:
		((uint8_t *)op)[rnd(sizeof(*op))] ^= 1 << rnd(8);
	}
}

/* A program of *@nr ops in @ops: valid, or mutated, or over the payload limit. */
static void gen_prog(struct mapwatch_fetch_op *ops, uint32_t *nr)
{
	uint32_t i, left = MAPWATCH_MAX_PAYLOAD;

	*nr = chance(15) ? 0 : 1 + rnd(chance(70) ? 8 : MAPWATCH_FETCH_MAX_OPS);
	for (i = 0; i < *nr; i++)
		gen_op(&ops[i], &left);
	if (*nr && chance(40)) {
		unsigned int n = 1 + rnd(3);

		while (n--)
			mutate_op(&ops[rnd(*nr)]);
	}
	if (*nr > 1 && chance(5)) {
		/* Too much payload: every op a COPY of a lot. */
		for (i = 0; i < *nr; i++) {
			memset(&ops[i], 0, sizeof(ops[i]));
			ops[i].code = MAPWATCH_FOP_COPY;
			ops[i].dst = MAPWATCH_FETCH_NOVAR;
			ops[i].max = MAPWATCH_MAX_PAYLOAD / 2 + rnd(MAPWATCH_MAX_PAYLOAD / 2);
		}
	}
}

/* Called now and then here and by the spinner: a uprobe target. */
__attribute__((noinline, used)) int fuzz_probed(int x)
{
	__asm__ __volatile__("" : "+r"(x) : : "memory");
	return x + 1;
}

static int (*volatile probed_fn)(int) = fuzz_probed;

/* A USDT-style semaphore for ref_ctr_offset, file-backed. */
unsigned short fuzz_semaphore __attribute__((section(".probes"), used));

/* ------------------------------------------------------------------------ */
/* The ioctls.                                                               */

static void fuzz_api(struct sess *s)
{
	struct arg a;
	struct mapwatch_api *api = (void *)a.buf;
	unsigned long cmd = resize_cmd(MAPWATCH_IOC_API);
	int err;
	long ret;

	memset(a.buf, 0, sizeof(a.buf));
	api->abi_major = chance(85) ? MAPWATCH_ABI_MAJOR : interesting32();
	arg_finish(&a, MAPWATCH_API_SIZE_VER0, sizeof(*api), 40);
	begin(C_API, cmd, a.ptr, a.buf, a.readable, a.where);
	ret = ioc(s->fd, cmd, a.ptr, 0, &err);
	if (ret == 0) {
		s->api_done = 1;
		check_reply_size(&a, sizeof(*api));
	}
}

static void fuzz_ring_config(struct sess *s)
{
	struct arg a;
	struct mapwatch_ring_config *cfg = (void *)a.buf;
	unsigned long cmd = resize_cmd(MAPWATCH_IOC_RING_CONFIG);
	uint64_t bytes;
	int err;

	memset(a.buf, 0, sizeof(a.buf));
	switch (rnd(20)) {
	case 0 ... 11:
		cfg->data_pages = 1 << rnd(4);
		break;
	case 12 ... 15:
		cfg->data_pages = 1 << rnd(chance(20) ? 13 : 9);
		break;
	default:
		cfg->data_pages = interesting32();
	}
	cfg->flags = chance(75) ? 0 : chance(80) ? MAPWATCH_RING_OVERWRITE : interesting32();
	bytes = (uint64_t)cfg->data_pages * page;
	switch (rnd(10)) {
	case 0 ... 5:
		break;
	case 6 ... 8:
		cfg->watermark = rnd(bytes < 0xffffffffULL ? bytes + 1 : 0xffffffffU);
		break;
	default:
		cfg->watermark = chance(50) ? bytes + rnd(2) : interesting32();
	}
	switch (rnd(10)) {
	case 0 ... 5:
		break;
	case 6 ... 8:
		cfg->timer_ms = 1 + rnd(MAPWATCH_MAX_TIMER_MS);
		break;
	default:
		cfg->timer_ms = MAPWATCH_MAX_TIMER_MS + rnd(2);
	}
	arg_finish(&a, MAPWATCH_RING_CONFIG_SIZE_VER0, sizeof(*cfg), 30);
	begin(C_RING_CONFIG, cmd, a.ptr, a.buf, a.readable, a.where);
	if (ioc(s->fd, cmd, a.ptr, 0, &err) == 0) {
		s->configured = 1;
		check_reply_size(&a, sizeof(*cfg));
		if (a.rw && a.size >= offsetof(struct mapwatch_ring_config, mmap_stride) + 8)
			memcpy(&s->stride, (uint8_t *)(uintptr_t)a.ptr +
			       offsetof(struct mapwatch_ring_config, mmap_stride), 8);
		else
			s->stride = (uint64_t)cfg->data_pages * page + 2 * page;
	} else if (err == EBUSY && !s->configured) {
		fail("EBUSY, but this session's rings were never configured");
	}
	/* Any other error leaves no rings (EFAULT too: the reply comes first). */
}

static void fuzz_enable_disable(struct sess *s, int enable)
{
	unsigned long cmd = resize_cmd(enable ? MAPWATCH_IOC_ENABLE : MAPWATCH_IOC_DISABLE);
	uint64_t arg = chance(50) ? 0 : interesting64();
	int err;
	long ret;

	begin(enable ? C_ENABLE : C_DISABLE, cmd, arg, NULL, 0, "ignored");
	ret = ioc(s->fd, cmd, arg, 0, &err);
	if (ret && err == ENODEV && s->configured == 1)
		fail("ENODEV, but the rings are configured");
	if (ret == 0 && enable && !s->configured)
		fail("enabled a session without rings");
	if (ret && err == ENODEV)
		s->configured = 0;
	else if (ret == 0 && enable)
		s->configured = 1;
}

static void fuzz_counters(struct sess *s)
{
	struct arg a;
	struct mapwatch_counters *c = (void *)a.buf;
	unsigned long cmd = resize_cmd(MAPWATCH_IOC_COUNTERS);
	int err;

	memset(a.buf, 0, sizeof(a.buf));
	switch (rnd(5)) {
	case 0:
	case 1:
		c->cpu = MAPWATCH_ALL_CPUS;
		break;
	case 2:
	case 3:
		c->cpu = rnd(nr_cpus);
		break;
	default:
		c->cpu = interesting32();
	}
	arg_finish(&a, MAPWATCH_COUNTERS_SIZE_VER0, sizeof(*c), 30);
	begin(C_COUNTERS, cmd, a.ptr, a.buf, a.readable, a.where);
	if (ioc(s->fd, cmd, a.ptr, 0, &err) == 0)
		check_reply_size(&a, sizeof(*c));
	else if (err == ENODEV && s->configured == 1)
		fail("ENODEV, but the rings are configured");
}

static void fuzz_pid(struct sess *s)
{
	struct arg a;
	struct mapwatch_pid *p = (void *)a.buf;
	unsigned long cmd = resize_cmd(MAPWATCH_IOC_PID);
	int err;

	memset(a.buf, 0, sizeof(a.buf));
	switch (rnd(20)) {
	case 0 ... 8:
		p->op = MAPWATCH_PID_ADD;
		break;
	case 9 ... 14:
		p->op = MAPWATCH_PID_DEL;
		break;
	case 15 ... 17:
		p->op = MAPWATCH_PID_CLEAR;
		break;
	default:
		p->op = interesting32();
	}
	p->pid = p->op == MAPWATCH_PID_CLEAR && chance(80) ? 0 : pick_pid();
	if (p->op == MAPWATCH_PID_ADD && (chance(30) || (!privileged && chance(70)))) {
		p->flags = MAPWATCH_PID_MEM_FD;
		p->mem_fd = pick_mem_fd();
	} else if (chance(5)) {
		p->flags = interesting32();
		p->mem_fd = pick_fd();
	}
	arg_finish(&a, MAPWATCH_PID_SIZE_VER0, sizeof(*p), 25);
	begin(C_PID, cmd, a.ptr, a.buf, a.readable, a.where);
	ioc(s->fd, cmd, a.ptr, 0, &err);
}

static void fuzz_kprobe(struct sess *s)
{
	struct arg a;
	struct mapwatch_kprobe *k = (void *)a.buf;
	unsigned long cmd = resize_cmd(MAPWATCH_IOC_KPROBE_ATTACH);
	uint32_t id;
	int err;

	memset(a.buf, 0, sizeof(a.buf));
	k->type = chance(80) ? 1 + rnd(MAPWATCH_KPROBE_MAX - 1) : interesting32();
	k->probe_id = MWT_POISON;
	arg_finish(&a, MAPWATCH_KPROBE_SIZE_VER0, sizeof(*k), 20);
	begin(C_KPROBE_ATTACH, cmd, a.ptr, a.buf, a.readable, a.where);
	if (ioc(s->fd, cmd, a.ptr, 0, &err) == 0) {
		st->kprobes_attached++;
		check_reply_size(&a, sizeof(*k));
		if (a.rw && a.size >= sizeof(*k)) {
			memcpy(&id, (uint8_t *)(uintptr_t)a.ptr + 12, 4);
			if (!id || id == MWT_POISON)
				fail("attached, but probe_id %#x", id);
			remember_id(s, id);
		}
	}
}

static void fuzz_detach(struct sess *s, int counters)
{
	struct arg a;
	unsigned long cmd;
	uint32_t id = pick_id(s);
	int err;

	memset(a.buf, 0, sizeof(a.buf));
	memcpy(a.buf + 4, &id, 4);
	if (counters) {
		cmd = resize_cmd(MAPWATCH_IOC_PROBE_COUNTERS);
		memset(a.buf + 8, 0x5a, 40);	/* out fields: ignored */
		arg_finish(&a, MAPWATCH_PROBE_COUNTERS_SIZE_VER0,
			   sizeof(struct mapwatch_probe_counters), 15);
		begin(C_PROBE_COUNTERS, cmd, a.ptr, a.buf, a.readable, a.where);
		if (ioc(s->fd, cmd, a.ptr, 0, &err) == 0)
			check_reply_size(&a, sizeof(struct mapwatch_probe_counters));
		return;
	}
	cmd = resize_cmd(MAPWATCH_IOC_DETACH);
	arg_finish(&a, MAPWATCH_DETACH_SIZE_VER0, sizeof(struct mapwatch_detach), 15);
	begin(C_DETACH, cmd, a.ptr, a.buf, a.readable, a.where);
	if (ioc(s->fd, cmd, a.ptr, 0, &err) == 0 && a.readable >= 8) {
		memcpy(&id, a.buf + 4, 4);
		forget_id(s, id);
	}
}

/* The uprobe target: mostly mwt_trigger, whose processes may crash. */
static void uprobe_target(struct mapwatch_uprobe *u)
{
	switch (rnd(20)) {
	case 0 ... 6:
		u->fd = fd_trigger;
		break;
	case 7 ... 8:
		u->fd = fd_trigger_path;
		break;
	case 9 ... 12:
		u->fd = fd_junk;
		break;
	case 13 ... 14:
		u->fd = chance(50) ? fd_exe : fd_exe_path;
		break;
	case 15:
		u->fd = fd_tmp;
		break;
	case 16:
		u->fd = fd_memfd;
		break;
	default:
		u->fd = pick_fd();
	}
	switch (rnd(20)) {
	case 0 ... 3:
		u->offset = trig_main;
		break;
	case 4 ... 7:
		u->offset = trig_funcs[rnd(nr_trig_funcs)];
		break;
	case 8:
		u->offset = trig_entry;
		break;
	case 9 ... 10:
		u->offset = trig_main + rnd(trig_main_len);
		break;
	case 11 ... 12:
		u->offset = trig_text + rnd(trig_text_len);
		break;
	case 13 ... 14:
		u->offset = rnd(trig_size + 2);
		break;
	case 15:
		u->offset = trig_size - 1 + rnd(3);
		break;
	default:
		u->offset = interesting64();
	}
	if (chance(85))
		u->ref_ctr_offset = 0;
	else if (chance(50))
		u->ref_ctr_offset = rnd(trig_size + 2);
	else
		u->ref_ctr_offset = interesting64();
}

static int same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/*
 * Keep the fuzz away from processes that matter: random offsets and
 * semaphores only in mwt_trigger and files nobody runs; this binary only
 * at fuzz_probed() (its own semaphore or none); any other regular file
 * beyond its end.
 */
static const char *uprobe_make_safe(struct mapwatch_uprobe *u)
{
	struct stat sb;

	if (fstat(u->fd, &sb) || !S_ISREG(sb.st_mode))
		return NULL;
	if (same_file(&sb, &junk_st) || same_file(&sb, &tmp_st) || same_file(&sb, &memfd_st))
		return NULL;
	if (same_file(&sb, &trigger_st)) {
		/*
		 * mwt_trigger runs: a breakpoint inside an instruction, or a
		 * semaphore write into its text or data, would have it run
		 * garbage -- which under QEMU's TCG can oops the guest with no
		 * module involved ("ff cc cf": dec %esp; iretl at CPL 3 makes
		 * a supervisor-mode #PF there).  Function entries only.
		 */
		unsigned int i;
		int entry = u->offset >= (uint64_t)sb.st_size;

		for (i = 0; i < nr_trig_funcs && !entry; i++)
			entry = u->offset == trig_funcs[i];
		if (u->ref_ctr_offset && u->ref_ctr_offset < (uint64_t)sb.st_size)
			u->ref_ctr_offset = 0;
		if (entry)
			return NULL;
		u->offset = trig_funcs[rnd(nr_trig_funcs)];
		return "mwt_trigger: offset moved to a function entry";
	}
	if (same_file(&sb, &exe_st)) {
		u->offset = probed_off;
		if (u->ref_ctr_offset < (uint64_t)sb.st_size)
			u->ref_ctr_offset = have_sem && chance(50) ? sem_off : 0;
		return "this binary: offset forced to fuzz_probed()";
	}
	if (u->offset < (uint64_t)sb.st_size && u->ref_ctr_offset < (uint64_t)sb.st_size)
		u->offset = sb.st_size + rnd(100);
	return "another file: offset forced beyond its end";
}

static void fuzz_uprobe(struct sess *s)
{
	struct mapwatch_fetch_op ops[MAPWATCH_FETCH_MAX_OPS];
	struct arg a;
	struct mapwatch_uprobe *u = (void *)a.buf;
	unsigned long cmd = resize_cmd(MAPWATCH_IOC_UPROBE_ATTACH);
	size_t cap = ARENA_PAGES * page, ops_bytes, off;
	uint32_t nr, bad_op, payload = 0, id, pmax;
	int64_t model = -1;
	int ops_readable = 1, err;
	const char *forced = NULL;
	uint64_t ops_ptr;
	long ret;

	memset(a.buf, 0, sizeof(a.buf));
	gen_prog(ops, &nr);
	ops_bytes = nr * sizeof(ops[0]);
	/* The program: aligned, unaligned, at the PROT_NONE page, or nowhere. */
	switch (rnd(20)) {
	case 0:
		ops_ptr = bad_ptr();
		ops_readable = nr == 0;
		break;
	case 1:
		off = cap - ops_bytes + (ops_bytes ? 1 + rnd(ops_bytes) : 0);
		if (off > cap)
			off = cap;
		memcpy(ops_arena + off, ops, cap - off);
		ops_ptr = (uintptr_t)ops_arena + off;
		ops_readable = off + ops_bytes <= cap;
		break;
	case 2 ... 4:
		off = cap - ops_bytes;
		memcpy(ops_arena + off, ops, ops_bytes);
		ops_ptr = (uintptr_t)ops_arena + off;
		break;
	default:
		off = rnd(cap - ops_bytes + 1);
		if (chance(70))
			off &= ~7UL;
		memcpy(ops_arena + off, ops, ops_bytes);
		ops_ptr = (uintptr_t)ops_arena + off;
	}
	u->flags = chance(80) ? 0 : chance(70) ? MAPWATCH_UPROBE_ALL_PROCESSES : interesting32();
	uprobe_target(u);
	u->nr_ops = chance(90) ? nr : chance(50) ? nr + 1 : interesting32();
	u->ops = ops_ptr;
	u->probe_id = MWT_POISON;
	u->payload_max = MWT_POISON;
	u->bad_op = MWT_POISON;
	arg_finish(&a, MAPWATCH_UPROBE_SIZE_VER0, sizeof(*u), 15);
	/* After the mutation: the target must stay safe, wherever the struct is. */
	if (a.readable) {
		size_t n = a.readable < sizeof(*u) ? a.readable : sizeof(*u);
		int ro = a.ptr >= (uintptr_t)ro_page && a.ptr < (uintptr_t)ro_page + page;

		forced = uprobe_make_safe(u);
		if (ro)
			mprotect(ro_page, page, PROT_READ | PROT_WRITE);
		memcpy((void *)(uintptr_t)a.ptr, u, n);
		if (ro)
			mprotect(ro_page, page, PROT_READ);
	}
	begin(C_UPROBE_ATTACH, cmd, a.ptr, a.buf, a.readable, a.where);
	if (forced)
		snprintf(cur.note, sizeof(cur.note), "%s", forced);
	if (u->ops == ops_ptr && ops_readable) {
		cur.ops_len = ops_bytes;
		memcpy(cur.ops, ops, ops_bytes);
	}
	ret = ioc(s->fd, cmd, a.ptr, 0, &err);

	/* What the module said about the program must match the documented rules. */
	if (!a.rw || a.size < MAPWATCH_UPROBE_SIZE_VER0 || a.size > sizeof(*u) ||
	    u->ops != ops_ptr || !ops_readable || u->nr_ops != nr || !privileged ||
	    !s->api_done)
		return;
	model = model_prog(ops, nr, &payload, api_features & MAPWATCH_FEAT_UPROBE ?
			   FUZZ_NR_REGS : 0);
	memcpy(&bad_op, (uint8_t *)(uintptr_t)a.ptr + offsetof(struct mapwatch_uprobe, bad_op), 4);
	if (ret == 0) {
		st->uprobes_attached++;
		check_reply_size(&a, sizeof(*u));
		memcpy(&id, (uint8_t *)(uintptr_t)a.ptr + offsetof(struct mapwatch_uprobe, probe_id),
		       4);
		memcpy(&pmax, (uint8_t *)(uintptr_t)a.ptr +
		       offsetof(struct mapwatch_uprobe, payload_max), 4);
		if (model >= 0 || payload > MAPWATCH_MAX_PAYLOAD)
			fail("attached, but op %lld is invalid (payload %u)", (long long)model,
			     payload);
		else if (pmax != payload)
			fail("payload_max %u, want %u", pmax, payload);
		if (!id || id == MWT_POISON)
			fail("attached, but probe_id %#x", id);
		remember_id(s, id);
		return;
	}
	if (err != EINVAL)
		return;
	if ((u->flags & ~MAPWATCH_UPROBE_FLAG_MASK) || u->__reserved)
		model = -1;
	if (bad_op != (model >= 0 ? (uint32_t)model : MAPWATCH_ALL_OPS_VALID))
		fail("EINVAL with bad_op %#x, want %#x", bad_op,
		     model >= 0 ? (uint32_t)model : MAPWATCH_ALL_OPS_VALID);
}

static void fuzz_unknown(struct sess *s)
{
	static const uint8_t known_nr[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 0x10 };
	static const uint8_t known_dir[] = {
		_IOC_READ | _IOC_WRITE, _IOC_READ | _IOC_WRITE, _IOC_NONE, _IOC_NONE,
		_IOC_READ | _IOC_WRITE, _IOC_WRITE, _IOC_READ | _IOC_WRITE, _IOC_WRITE,
		_IOC_READ | _IOC_WRITE, _IOC_READ | _IOC_WRITE,
	};
	/* Types the VFS answers itself for any file (FIONBIO, FIFREEZE, ...). */
	static const uint8_t vfs_types[] = { 0, 'T', 'f', 'X', 0x94, 0x15 };
	unsigned int dir = rnd(4), size = rnd(_IOC_SIZEMASK + 1), nr, type, i;
	unsigned long cmd;
	uint64_t arg;
	int err, magic = 1, extra = 0;

	switch (rnd(3)) {
	case 0:		/* an unused mapwatch number */
		do
			nr = rnd(256);
		while (memchr(known_nr, nr, sizeof(known_nr)));
		cmd = _IOC(dir, MAPWATCH_IOC_MAGIC, nr, size);
		break;
	case 1:		/* a known number with another direction */
		i = rnd(ARRAY_SIZE(known_nr));
		nr = known_nr[i];
		if (dir == known_dir[i])
			dir = (dir + 1 + rnd(3)) % 4;
		cmd = _IOC(dir, MAPWATCH_IOC_MAGIC, nr, size);
		break;
	default:	/* another driver's */
		do
			type = rnd(256);
		while (type == MAPWATCH_IOC_MAGIC || memchr(vfs_types, type, sizeof(vfs_types)));
		cmd = _IOC(dir, type, rnd(256), size);
		magic = 0;
	}
	arg = chance(50) ? (uintptr_t)arena + rnd(page) : interesting64();
	begin(C_UNKNOWN_IOCTL, cmd, arg, NULL, 0, NULL);
	/* Before the handshake, a mapwatch-type number is EINVAL. */
	if (magic && !s->api_done)
		extra = EINVAL;
	ioc(s->fd, cmd, arg, extra, &err);
}

/* ------------------------------------------------------------------------ */
/* mmap, munmap, read, poll.                                                 */

static void drop_mapping(int i)
{
	int err;

	if (!maps[i].addr)
		return;
	begin(C_MUNMAP, 0, (uintptr_t)maps[i].addr, NULL, 0, NULL);
	err = munmap(maps[i].addr, maps[i].len) ? errno : 0;
	done(err ? -1 : 0, err, 0);
	maps[i].addr = NULL;
}

static void fuzz_mmap(struct sess *s)
{
	static const int prots[] = { PROT_READ, PROT_READ, PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_WRITE, PROT_NONE, PROT_READ | PROT_EXEC,
				     PROT_READ | PROT_WRITE | PROT_EXEC };
	uint64_t stride = s->stride ? s->stride : 3 * (uint64_t)page, off, len, in;
	int prot = prots[rnd(ARRAY_SIZE(prots))], flags, err, i;
	unsigned int cpu = rnd(nr_cpus + 1);
	volatile uint8_t sink;
	void *p;

	switch (rnd(8)) {
	case 0:
		in = 0;
		len = page;
		break;
	case 1:
		in = page;
		len = page;
		break;
	case 2:
		in = 2 * page;
		len = stride - 2 * page;
		break;
	case 3:
		in = 0;
		len = stride;
		break;
	case 4:
		in = page * rnd(stride / page + 1);
		len = page * (1 + rnd(stride / page + 1));
		break;
	case 5:
		in = interesting64();
		len = page;
		break;
	case 6:
		in = 0;
		len = chance(50) ? 0 : interesting64();
		break;
	default:
		in = rnd(stride);
		len = 1 + rnd(stride);
	}
	off = (uint64_t)cpu * stride + in;
	if (chance(5))
		off = interesting64();
	flags = chance(85) ? MAP_SHARED : MAP_PRIVATE;
	if (chance(10))
		flags |= MAP_POPULATE;
	begin(C_MMAP, 0, off, NULL, 0, NULL);
	snprintf(cur.note, sizeof(cur.note), "mmap(len %#llx, prot %#x, flags %#x, off %#llx)",
		 (unsigned long long)len, prot, flags, (unsigned long long)off);
	p = mmap(NULL, len, prot, flags, s->fd, (off_t)off);
	err = p == MAP_FAILED ? errno : 0;
	done(p == MAP_FAILED ? -1 : 0, err, 0);
	if (p == MAP_FAILED)
		return;
	st->maps_made++;
	if (prot != PROT_NONE) {
		for (i = 0; (uint64_t)i * page < len && i < 64; i++)
			sink = ((volatile uint8_t *)p)[(size_t)i * page];
		(void)sink;
	}
	/* A consumer position of any value: read() must answer EIO, writers cope. */
	if ((prot & PROT_WRITE) && (flags & MAP_SHARED) && len == (uint64_t)page && chance(30))
		*(volatile uint64_t *)p = chance(50) ? interesting64() : 8 * rnd(64);
	i = rnd(NR_MAPS);
	drop_mapping(i);
	maps[i].addr = p;
	maps[i].len = len;
}

/* A ring mapping made writable, executable, or nothing: EACCES past VM_MAYWRITE. */
static void fuzz_mprotect(void)
{
	static const int prots[] = { PROT_NONE, PROT_READ, PROT_READ | PROT_WRITE, PROT_WRITE,
				     PROT_READ | PROT_EXEC };
	struct mapping *m = &maps[rnd(NR_MAPS)];
	int prot = prots[rnd(ARRAY_SIZE(prots))], err;

	if (!m->addr)
		return;
	begin(C_MPROTECT, 0, (uintptr_t)m->addr, NULL, 0, NULL);
	snprintf(cur.note, sizeof(cur.note), "mprotect(len %#zx, prot %#x)", m->len, prot);
	err = mprotect(m->addr, m->len, prot) ? errno : 0;
	done(err ? -1 : 0, err, 0);
	if (!err && (prot & PROT_WRITE) && chance(50))
		*(volatile uint64_t *)m->addr = chance(50) ? interesting64() : 8 * rnd(64);
	else if (!err && prot != PROT_NONE)
		(void)*(volatile uint8_t *)m->addr;
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void fuzz_read(struct sess *s)
{
	static const size_t sizes[] = { 0, 1, 7, 8, 16, 24, 31, 32, 39, 40, 48, 64, 100, 4096,
					65536, sizeof(readbuf) };
	size_t n = chance(80) ? sizes[rnd(ARRAY_SIZE(sizes))] : rnd(sizeof(readbuf));
	struct itimerval it = { .it_value = { .tv_usec = 20000 },
				.it_interval = { .tv_usec = 20000 } };
	struct itimerval off = {};
	uint64_t buf;
	int err, timer = 0;
	long ret;

	switch (rnd(10)) {
	case 0:
		buf = bad_ptr();
		break;
	case 1:
		buf = (uintptr_t)ro_page;
		break;
	case 2:
		buf = (uintptr_t)arena + ARENA_PAGES * page - rnd(n + 1 < 4096 ? n + 1 : 4096);
		break;
	default:
		buf = (uintptr_t)readbuf;
		if (n > sizeof(readbuf))
			n = sizeof(readbuf);
	}
	if (chance(2))
		n = SIZE_MAX - rnd(2);
	begin(C_READ, 0, buf, NULL, 0, NULL);
	snprintf(cur.note, sizeof(cur.note), "read(%zu bytes)%s", n,
		 s->nonblock ? ", O_NONBLOCK" : "");
	if (!s->nonblock) {
		setitimer(ITIMER_REAL, &it, NULL);
		timer = 1;
	}
	ret = syscall(SYS_read, s->fd, (unsigned long)buf, n);
	err = ret < 0 ? errno : 0;
	if (timer)
		setitimer(ITIMER_REAL, &off, NULL);
	done(ret, err, s->wronly ? EBADF : timer ? EINTR : 0);
	if (ret > 0 && buf == (uintptr_t)readbuf && (ret % 8 || (size_t)ret > n))
		fail("read() returned %ld bytes of %zu, not whole records", ret, n);
}

static void fuzz_poll(struct sess *s)
{
	struct pollfd pfd = { .fd = s->fd, .events = POLLIN | POLLOUT | POLLPRI | POLLRDNORM };
	int err;
	long ret;

	begin(C_POLL, 0, 0, NULL, 0, NULL);
	ret = poll(&pfd, 1, 0);
	err = ret < 0 ? errno : 0;
	done(ret, err, 0);
	if (ret > 0 && (pfd.revents & POLLNVAL))
		fail("poll: POLLNVAL on an open session");
}

/* ------------------------------------------------------------------------ */
/* mwt_trigger: a traced process the uprobes fire in.                        */

static void reap_triggers(int wait_all)
{
	double t = now_s();
	int i, status;

	for (i = 0; i < NR_TRIG; i++) {
		struct trigger *tr = &trig[i];
		pid_t r;

		if (!tr->pid)
			continue;
		if (t > tr->deadline || wait_all)
			kill(tr->pid, SIGKILL);
		r = waitpid(tr->pid, &status, wait_all ? 0 : WNOHANG);
		if (r != tr->pid)
			continue;
		if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL)
			st->trigger_signals++;
		if (tr->mem_fd >= 0)
			close(tr->mem_fd);
		dead[rnd(NR_DEAD)] = tr->pid;
		tr->pid = 0;
		tr->mem_fd = -1;
	}
}

static void spawn_trigger(void)
{
	char first[16], count[16], path[64];
	struct trigger *tr = NULL;
	int gate[2], i, n, err;
	pid_t pid;

	for (i = 0; i < NR_TRIG; i++)
		if (!trig[i].pid)
			tr = &trig[i];
	if (!tr || pipe2(gate, O_CLOEXEC))
		return;
	snprintf(first, sizeof(first), "%u", rnd(1000));
	n = chance(50) ? 1 + rnd(16) : chance(80) ? rnd(20000) : rnd(200000);
	snprintf(count, sizeof(count), "%d", n);
	pid = fork();
	if (pid < 0) {
		close(gate[0]);
		close(gate[1]);
		return;
	}
	if (pid == 0) {
		char c;

		alarm(30);
		if (read(gate[0], &c, 1) != 1)
			_exit(3);
		execl(trigger_path, "mwt_trigger", first, count, (char *)NULL);
		_exit(127);
	}
	close(gate[0]);
	st->triggers++;
	tr->pid = pid;
	tr->deadline = now_s() + 3;
	snprintf(path, sizeof(path), "/proc/%d/mem", pid);
	tr->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
	/* Traced by a session or two, usually enabled. */
	for (i = 0; i < 2; i++) {
		struct sess *s = &sess[rnd(NR_SESS)];
		struct mapwatch_pid p = { .size = sizeof(p), .op = MAPWATCH_PID_ADD, .pid = pid };

		if (s->fd < 0 || !s->api_done || chance(20))
			continue;
		cur_sess = s;
		if (!privileged) {
			p.flags = MAPWATCH_PID_MEM_FD;
			p.mem_fd = tr->mem_fd;
		}
		begin(C_PID, MAPWATCH_IOC_PID, (uintptr_t)&p, &p, sizeof(p), "stack");
		ioc(s->fd, MAPWATCH_IOC_PID, (uintptr_t)&p, 0, &err);
		if (s->configured && chance(80)) {
			begin(C_ENABLE, MAPWATCH_IOC_ENABLE, 0, NULL, 0, NULL);
			ioc(s->fd, MAPWATCH_IOC_ENABLE, 0, 0, &err);
		}
	}
	if (write(gate[1], "g", 1) != 1)
		kill(pid, SIGKILL);
	close(gate[1]);
}

/* ------------------------------------------------------------------------ */
/* The spinner: events for the kprobes, hits for the uprobes on this binary. */

static volatile int spinner_stop;

static void *spinner(void *unused)
{
	unsigned int n = 0;

	sigset_t set;

	(void)unused;
	/* SIGALRM is for the main thread's blocking read(). */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	spinner_tid = mwt_gettid();
	while (!spinner_stop) {
		void *p;

		mwt_events(n & 0xff, 8);
		probed_fn(n);
		if ((n++ & 7) == 0) {
			p = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				 -1, 0);
			if (p != MAP_FAILED) {
				madvise(p, page, MADV_DONTNEED);
				munmap(p, page);
			}
		}
		usleep(5000);
	}
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Sanity: a fresh session configured correctly works end to end.            */

static int sanity(int who)
{
	struct mwt_recs rs = {};
	struct mapwatch_counters c;
	struct mapwatch_probe_counters pc;
	struct mw_session s;
	uint32_t id;
	size_t i, mine = 0;
	int ret = -1, via_read = who & 1;
	const char *why = "setup";

	if (mw_open(&s, NULL, 0)) {
		printf("# sanity %d: %s\n", who, mw_error());
		return -1;
	}
	if (mw_configure(&s, 64, 0, 0, 0) || mw_pid(&s, MAPWATCH_PID_ADD, getpid()) ||
	    mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &id) || mw_enable(&s))
		goto out;
	mwt_event(who);
	why = "disable";
	if (mw_disable(&s))
		goto out;
	why = via_read ? "read()" : "drain";
	if (via_read ? mwt_read_all(s.fd, &rs) != 0 : mw_drain(&s, mwt_collect, &rs) < 0)
		goto out;
	/* The spinner's events are traced too: find ours. */
	for (i = 0; i < rs.nr; i++)
		if (rs.r[i].type == MAPWATCH_REC_EVENT && rs.r[i].which == MWT_WHICH &&
		    rs.r[i].who == who && rs.r[i].tgid == (uint32_t)getpid() &&
		    rs.r[i].probe_id == id)
			mine++;
	why = "our event";
	if (mine != 1)
		goto out;
	why = "counters";
	if (mw_counters(&s, MAPWATCH_ALL_CPUS, &c) || c.written != rs.events ||
	    c.lost_full || c.lost_nested || c.produced != c.written)
		goto out;
	why = "probe counters";
	if (mw_probe_counters(&s, id, &pc) || pc.recorded != rs.events || pc.hits < rs.events)
		goto out;
	why = "detach";
	if (mw_detach(&s, id))
		goto out;
	ret = 0;
out:
	if (ret)
		printf("# sanity %d failed at %s: %s (errno %s), %zu records, %zu of ours\n", who,
		       why, mw_error(), errname(errno), rs.nr, mine);
	mwt_recs_free(&rs);
	mw_close(&s);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* One step of the fuzz.                                                     */

static void step(void)
{
	struct sess *s = &sess[rnd(NR_SESS)];
	unsigned int r;

	cur_sess = s;
	if (s->fd < 0) {
		sess_open(s);
		return;
	}
	r = rnd(1000);
	if (r < 3) {
		sess_close(s);
		return;
	}
	if (r < 8) {
		int fl = fcntl(s->fd, F_GETFL);

		if (fl >= 0 && !fcntl(s->fd, F_SETFL, fl ^ O_NONBLOCK))
			s->nonblock = !(fl & O_NONBLOCK);
		return;
	}
	if (r < 12) {
		drop_mapping(rnd(NR_MAPS));
		return;
	}
	if (r < 16) {
		fuzz_mprotect();
		return;
	}
	r = rnd(200);
	if (r < 8)
		fuzz_api(s);
	else if (r < 24)
		fuzz_ring_config(s);
	else if (r < 36)
		fuzz_enable_disable(s, 1);
	else if (r < 46)
		fuzz_enable_disable(s, 0);
	else if (r < 60)
		fuzz_counters(s);
	else if (r < 84)
		fuzz_pid(s);
	else if (r < 96)
		fuzz_kprobe(s);
	else if (r < 112)
		fuzz_detach(s, 0);
	else if (r < 124)
		fuzz_detach(s, 1);
	else if (r < 150)
		fuzz_uprobe(s);
	else if (r < 160)
		fuzz_unknown(s);
	else if (r < 174)
		fuzz_mmap(s);
	else if (r < 190)
		fuzz_read(s);
	else
		fuzz_poll(s);
}

static void reset_state(void)
{
	int i;

	for (i = 0; i < NR_SESS; i++) {
		memset(&sess[i], 0, sizeof(sess[i]));
		sess[i].fd = -1;
	}
	for (i = 0; i < NR_TRIG; i++) {
		trig[i].pid = 0;
		trig[i].mem_fd = -1;
	}
	memset(maps, 0, sizeof(maps));
}

/*
 * A child without capabilities fuzzes @calls calls: EPERM for probes,
 * EACCES without a mem_fd proof, proofs of the wrong process.
 */
static void unprivileged_round(uint64_t calls)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	uint64_t start;
	pid_t pid;
	int i, status;

	fflush(stdout);
	pid = fork();
	if (pid < 0)
		return;
	if (pid) {
		waitpid(pid, &status, 0);
		st->unpriv_children++;
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			st->failures++;
			printf("# FAIL: the unprivileged child ended with status %#x\n", status);
		}
		return;
	}
	/* The parent's sessions stay the parent's: forget them here. */
	for (i = 0; i < NR_SESS; i++)
		if (sess[i].fd >= 0)
			close(sess[i].fd);
	reset_state();
	rng ^= 0x5eed;
	privileged = 0;
	if (syscall(SYS_capget, &hdr, data) == 0) {
		data[0].effective = data[1].effective = 0;
		if (syscall(SYS_capset, &hdr, data))
			_exit(0);
	}
	/* This process's own proof; the parent's fd_self_mem proves nothing here. */
	fd_task_mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	start = st->total;
	while (st->total < start + calls) {
		reap_triggers(0);
		if (rnd(3000) == 0)
			spawn_trigger();
		step();
	}
	st->unpriv_calls += st->total - start;
	reap_triggers(1);
	fflush(stdout);
	_exit(0);
}

/* ------------------------------------------------------------------------ */
/* Setup.                                                                    */

/* Where main() and the entry point are in mwt_trigger, and its .text. */
static int elf_info(const char *path)
{
	const Elf64_Ehdr *eh;
	const Elf64_Shdr *sh;
	const Elf64_Phdr *ph;
	uint64_t main_va = 0, main_len = 0, funcs[64];
	unsigned int nr_funcs = 0, k;
	uint8_t *img;
	struct stat sb;
	int fd, i, j, ret = -1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) || sb.st_size < (off_t)sizeof(*eh))
		return -1;
	img = malloc(sb.st_size);
	if (!img || read(fd, img, sb.st_size) != sb.st_size)
		goto out;
	eh = (const void *)img;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) || eh->e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh->e_shoff + (uint64_t)eh->e_shnum * sizeof(*sh) > (uint64_t)sb.st_size ||
	    eh->e_phoff + (uint64_t)eh->e_phnum * sizeof(*ph) > (uint64_t)sb.st_size)
		goto out;
	trig_size = sb.st_size;
	sh = (const void *)(img + eh->e_shoff);
	ph = (const void *)(img + eh->e_phoff);
	for (i = 0; i < eh->e_shnum; i++) {
		const char *names = (const char *)img + sh[eh->e_shstrndx].sh_offset;

		if (!strcmp(names + sh[i].sh_name, ".text")) {
			trig_text = sh[i].sh_offset;
			trig_text_len = sh[i].sh_size;
		}
		if (sh[i].sh_type == SHT_SYMTAB) {
			const Elf64_Sym *sym = (const void *)(img + sh[i].sh_offset);
			const char *str = (const char *)img + sh[sh[i].sh_link].sh_offset;

			for (j = 0; (uint64_t)j < sh[i].sh_size / sizeof(*sym); j++) {
				if (ELF64_ST_TYPE(sym[j].st_info) != STT_FUNC || !sym[j].st_value)
					continue;
				if (nr_funcs < ARRAY_SIZE(funcs))
					funcs[nr_funcs++] = sym[j].st_value;
				if (!strcmp(str + sym[j].st_name, "main")) {
					main_va = sym[j].st_value;
					main_len = sym[j].st_size;
				}
			}
		}
	}
	for (i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		if (main_va >= ph[i].p_vaddr && main_va < ph[i].p_vaddr + ph[i].p_filesz)
			trig_main = main_va - ph[i].p_vaddr + ph[i].p_offset;
		if (eh->e_entry >= ph[i].p_vaddr && eh->e_entry < ph[i].p_vaddr + ph[i].p_filesz)
			trig_entry = eh->e_entry - ph[i].p_vaddr + ph[i].p_offset;
		for (k = 0; k < nr_funcs; k++)
			if (funcs[k] >= ph[i].p_vaddr && funcs[k] < ph[i].p_vaddr + ph[i].p_filesz &&
			    nr_trig_funcs < ARRAY_SIZE(trig_funcs))
				trig_funcs[nr_trig_funcs++] = funcs[k] - ph[i].p_vaddr +
							      ph[i].p_offset;
	}
	/* The copy that is mapped, never run. */
	fd_junk = memfd_create("mwt_trigger-copy", MFD_CLOEXEC);
	if (fd_junk < 0 || write(fd_junk, img, sb.st_size) != sb.st_size ||
	    fstat(fd_junk, &junk_st) ||
	    mmap(NULL, sb.st_size, PROT_READ, MAP_PRIVATE, fd_junk, 0) == MAP_FAILED)
		goto out;
	trig_main_len = main_len ? main_len : 1;
	if (trig_main && trig_entry && trig_text_len && nr_trig_funcs)
		ret = 0;
out:
	free(img);
	close(fd);
	return ret;
}

static uint8_t *guarded(size_t pages)
{
	uint8_t *p = mmap(NULL, (pages + 1) * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	if (mprotect(p + pages * page, page, PROT_NONE))
		ksft_exit_fail_msg("mprotect: %s\n", strerror(errno));
	return p;
}

static void setup(void)
{
	struct mapwatch_api api;
	char path[PATH_MAX];
	ssize_t n;
	int fd;

	page = sysconf(_SC_PAGESIZE);
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (st == MAP_FAILED)
		ksft_exit_fail_msg("mmap: %s\n", strerror(errno));
	arena = guarded(ARENA_PAGES);
	ops_arena = guarded(ARENA_PAGES);
	ro_page = guarded(1);
	mprotect(ro_page, page, PROT_READ);
	unmapped = guarded(1);
	munmap(unmapped, 2 * page);

	fd = mwt_open();
	if (fd < 0 || mwt_api(fd, MAPWATCH_ABI_MAJOR, &api))
		ksft_exit_fail_msg("handshake: %s\n", strerror(errno));
	close(fd);
	nr_cpus = api.nr_cpus;
	api_features = api.features;

	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n < 0)
		ksft_exit_fail_msg("readlink: %s\n", strerror(errno));
	path[n] = '\0';
	snprintf(trigger_path, sizeof(trigger_path), "%.*s/mwt_trigger",
		 (int)(strrchr(path, '/') - path), path);
	if (elf_info(trigger_path))
		ksft_exit_fail_msg("%s: not an ELF file with main() (make -C selftests)\n",
				   trigger_path);
	if (mwt_file_offset((const void *)fuzz_probed, &probed_off, NULL, 0))
		ksft_exit_fail_msg("fuzz_probed() is not in a file mapping\n");
	have_sem = !mwt_file_offset(&fuzz_semaphore, &sem_off, NULL, 0);

	fd_self_mem = open("/proc/self/mem", O_RDONLY | O_CLOEXEC);
	fd_task_mem = open("/proc/thread-self/mem", O_RDONLY | O_CLOEXEC);
	fd_init_mem = open("/proc/1/mem", O_RDONLY | O_CLOEXEC);
	fd_maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	fd_null = open("/dev/null", O_RDWR | O_CLOEXEC);
	fd_dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pipe2(fd_pipe, O_CLOEXEC) || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fd_sock))
		ksft_exit_fail_msg("pipe: %s\n", strerror(errno));
	fd_event = eventfd(0, EFD_CLOEXEC);
	fd_trigger = open(trigger_path, O_RDONLY | O_CLOEXEC);
	fd_trigger_path = open(trigger_path, O_PATH | O_CLOEXEC);
	fd_exe = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	fd_exe_path = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	fd_tmp = open("/tmp", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd_tmp >= 0 && ftruncate(fd_tmp, 65536))
		ksft_exit_fail_msg("ftruncate: %s\n", strerror(errno));
	fd_memfd = memfd_create("uapi_fuzz", MFD_CLOEXEC);
	if (fd_memfd >= 0 && ftruncate(fd_memfd, 2 * page))
		ksft_exit_fail_msg("ftruncate: %s\n", strerror(errno));
	fd_closed = 1000;
	close(fd_closed);
	if (fd_trigger < 0 || fd_exe < 0 || fstat(fd_trigger, &trigger_st) ||
	    fstat(fd_exe, &exe_st))
		ksft_exit_fail_msg("%s: %s\n", trigger_path, strerror(errno));
	if (fd_tmp < 0 || fstat(fd_tmp, &tmp_st))
		memset(&tmp_st, 0xff, sizeof(tmp_st));
	if (fd_memfd < 0 || fstat(fd_memfd, &memfd_st))
		memset(&memfd_st, 0xff, sizeof(memfd_st));
	reset_state();
}

/* ------------------------------------------------------------------------ */


/* ------------------------------------------------------------------------ */
/* Threads (-T N): the same sessions from several threads at once.          */
/*
 * N workers share NR_RSESS sessions, each opened O_NONBLOCK, configured,
 * mapped (every CPU's consumer and producer page) and tracing this
 * process, and make at once: uprobe attaches (random programs at
 * fuzz_probed()), kprobe attaches, DETACH of the ids just attached and of
 * the next ones (an attach's id is predictable), ENABLE and DISABLE,
 * PID ADD/DEL, read() into buffers that end at a PROT_NONE page, writes of
 * cons_pos through the mapping (the producer position, behind it, or
 * garbage), COUNTERS, PROBE_COUNTERS, poll(), and the events the probes
 * record.  Now and then a worker replaces a session whole (close, open
 * anew) with the others held off (a rwlock: no worker uses a closed fd or
 * an unmapped page).  Meanwhile a child process detaches probes of these
 * sessions over generic netlink (PROBE_DETACH, as an admin's `mapwatchctl
 * detach`), guessing their ids.  Every errno must be a documented one.
 */
#define NR_RSESS	2
#define RT_MAX_CPUS	64

struct rsess {
	int fd;
	int overwrite;
	unsigned int ncpu;
	struct mapwatch_ring_consumer *cons[RT_MAX_CPUS];
	const struct mapwatch_ring_producer *prod[RT_MAX_CPUS];
	size_t map_len;
	uint32_t last_id;	/* the highest probe id an attach returned */
};

static struct rsess rsess[NR_RSESS];
static pthread_rwlock_t rs_lock = PTHREAD_RWLOCK_INITIALIZER;
static uint64_t rt_calls, rt_secs;
static double rt_t0;
static volatile int rt_stop;

/* Count a call of a worker and check its errno; returns @ret. */
static long rdone(enum call c, long ret, int err, const char *what)
{
	__atomic_fetch_add(&st->total, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&st->calls[c], 1, __ATOMIC_RELAXED);
	if (ret >= 0) {
		__atomic_fetch_add(&st->ok[c], 1, __ATOMIC_RELAXED);
		return ret;
	}
	__atomic_fetch_add(&st->err[c][err > 0 && err < MAX_ERRNO ? err : MAX_ERRNO], 1,
			   __ATOMIC_RELAXED);
	if (!in_list(ok_errnos[c], err)) {
		__atomic_fetch_add(&st->failures, 1, __ATOMIC_RELAXED);
		if (__atomic_fetch_add(&st->fail_prints, 1, __ATOMIC_RELAXED) < MAX_FAIL_PRINTS)
			printf("# FAIL (threads, seed %#llx, tid %d): %s %s: errno %d (%s) is not documented for it\n",
			       (unsigned long long)seed, mwt_gettid(), call_name[c], what, err,
			       errname(err));
	}
	return ret;
}

__attribute__((format(printf, 1, 2)))
static void rbad(const char *fmt, ...)
{
	va_list ap;

	__atomic_fetch_add(&st->failures, 1, __ATOMIC_RELAXED);
	if (__atomic_fetch_add(&st->fail_prints, 1, __ATOMIC_RELAXED) >= MAX_FAIL_PRINTS)
		return;
	printf("# FAIL (threads, seed %#llx, tid %d): ", (unsigned long long)seed, mwt_gettid());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static long rioctl(enum call c, int fd, unsigned long cmd, void *arg, const char *what)
{
	long ret = ioctl(fd, cmd, arg);

	return rdone(c, ret, ret < 0 ? errno : 0, what);
}

static void rsess_close(struct rsess *r)
{
	unsigned int cpu;

	for (cpu = 0; cpu < r->ncpu; cpu++) {
		if (r->cons[cpu])
			munmap(r->cons[cpu], page);
		if (r->prod[cpu])
			munmap((void *)r->prod[cpu], r->map_len);
		r->cons[cpu] = NULL;
		r->prod[cpu] = NULL;
	}
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
}

/* A session as a tracer sets one up; the fuzz takes it from there. */
static void rsess_open(struct rsess *r)
{
	struct mapwatch_ring_config cfg = { .size = sizeof(cfg) };
	struct mapwatch_pid pid = { .size = sizeof(pid), .op = MAPWATCH_PID_ADD };
	struct mapwatch_api api;
	unsigned int cpu;

	memset(r, 0, sizeof(*r));
	r->fd = open(MAPWATCH_DEVICE, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (r->fd < 0 || mwt_api(r->fd, MAPWATCH_ABI_MAJOR, &api))
		ksft_exit_fail_msg("threads: a session: %s\n", strerror(errno));
	r->overwrite = chance(30);
	cfg.flags = r->overwrite ? MAPWATCH_RING_OVERWRITE : 0;
	cfg.data_pages = 1U << rnd(3);
	cfg.timer_ms = 10;
	if (ioctl(r->fd, MAPWATCH_IOC_RING_CONFIG, &cfg))
		ksft_exit_fail_msg("threads: RING_CONFIG: %s\n", strerror(errno));
	r->ncpu = api.nr_cpus < RT_MAX_CPUS ? api.nr_cpus : RT_MAX_CPUS;
	/* The producer page and the data, read-only, right after the consumer page. */
	r->map_len = cfg.mmap_stride - page;
	for (cpu = 0; cpu < r->ncpu; cpu++) {
		void *c = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_SHARED, r->fd,
			       (off_t)cpu * cfg.mmap_stride);
		void *p = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, r->fd,
			       (off_t)cpu * cfg.mmap_stride + page);

		r->cons[cpu] = c == MAP_FAILED ? NULL : c;	/* an impossible CPU: none */
		r->prod[cpu] = p == MAP_FAILED ? NULL : p;
	}
	pid.pid = getpid();
	if (ioctl(r->fd, MAPWATCH_IOC_PID, &pid))
		ksft_exit_fail_msg("threads: PID ADD: %s\n", strerror(errno));
	__atomic_fetch_add(&st->maps_made, 1, __ATOMIC_RELAXED);
}

/* One call of a worker on session @r (under rs_lock, read). */
static void rstep(struct rsess *r, uint8_t *buf, size_t buflen)
{
	unsigned int k = rnd(100), cpu = rnd(r->ncpu);
	union {
		struct mapwatch_kprobe kp;
		struct mapwatch_uprobe up;
		struct mapwatch_detach d;
		struct mapwatch_pid pid;
		struct mapwatch_counters c;
		struct mapwatch_probe_counters pc;
	} a;
	struct mapwatch_fetch_op ops[MAPWATCH_FETCH_MAX_OPS];
	struct pollfd pfd;
	uint32_t last = __atomic_load_n(&r->last_id, __ATOMIC_RELAXED);
	long ret;

	memset(&a, 0, sizeof(a));
	if (k < 14) {
		a.up.size = sizeof(a.up);
		a.up.fd = fd_exe;
		a.up.offset = probed_off;
		gen_prog(ops, &a.up.nr_ops);
		a.up.ops = (uintptr_t)ops;
		ret = rioctl(C_UPROBE_ATTACH, r->fd, MAPWATCH_IOC_UPROBE_ATTACH, &a.up, "");
		if (!ret) {
			__atomic_fetch_add(&st->uprobes_attached, 1, __ATOMIC_RELAXED);
			while (last < a.up.probe_id &&
			       !__atomic_compare_exchange_n(&r->last_id, &last, a.up.probe_id, 0,
							    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
				;
		}
	} else if (k < 22) {
		a.kp.size = sizeof(a.kp);
		a.kp.type = 1 + rnd(MAPWATCH_KPROBE_MAX);
		ret = rioctl(C_KPROBE_ATTACH, r->fd, MAPWATCH_IOC_KPROBE_ATTACH, &a.kp, "");
		if (!ret)
			__atomic_fetch_add(&st->kprobes_attached, 1, __ATOMIC_RELAXED);
	} else if (k < 40) {
		/* The id an attach in flight is about to return, or one before. */
		a.d.size = sizeof(a.d);
		a.d.probe_id = chance(60) ? last + 1 + rnd(2) : (last > 4 ? last - rnd(5) : 1);
		rioctl(C_DETACH, r->fd, MAPWATCH_IOC_DETACH, &a.d, "");
	} else if (k < 46) {
		rioctl(C_ENABLE, r->fd, MAPWATCH_IOC_ENABLE, NULL, "");
	} else if (k < 50) {
		rioctl(C_DISABLE, r->fd, MAPWATCH_IOC_DISABLE, NULL, "");
	} else if (k < 54) {
		a.pid.size = sizeof(a.pid);
		a.pid.op = chance(50) ? MAPWATCH_PID_ADD : MAPWATCH_PID_DEL;
		a.pid.pid = getpid();
		rioctl(C_PID, r->fd, MAPWATCH_IOC_PID, &a.pid, "");
	} else if (k < 68) {
		/* Any length, ending anywhere up to and into the PROT_NONE page. */
		size_t len = 1 + rnd(buflen), off = buflen - len;

		if (chance(20))
			len += rnd(page);
		ret = read(r->fd, buf + off, len);
		rdone(C_READ, ret, ret < 0 ? errno : 0, "");
		if (ret > 0 && ((size_t)ret > len || ret % 8))
			rbad("read() returned %ld of %zu bytes", ret, len);
	} else if (k < 78) {
		/* The consumer's own moves, racing the kernel's read() and the producer. */
		struct mapwatch_ring_consumer *c = r->cons[cpu];
		const struct mapwatch_ring_producer *p = r->prod[cpu];

		if (c && p) {
			uint64_t prod = __atomic_load_n(&p->prod_pos, __ATOMIC_ACQUIRE);
			unsigned int how = rnd(10);

			__atomic_store_n(&c->cons_pos, how < 5 ? prod :
					 how < 9 ? prod - 8 * rnd(64) : rnd64(), __ATOMIC_RELEASE);
		}
	} else if (k < 82) {
		a.c.size = sizeof(a.c);
		a.c.cpu = chance(80) ? MAPWATCH_ALL_CPUS : cpu;
		rioctl(C_COUNTERS, r->fd, MAPWATCH_IOC_COUNTERS, &a.c, "");
	} else if (k < 86) {
		a.pc.size = sizeof(a.pc);
		a.pc.probe_id = 1 + rnd(last + 2);
		rioctl(C_PROBE_COUNTERS, r->fd, MAPWATCH_IOC_PROBE_COUNTERS, &a.pc, "");
	} else if (k < 90) {
		pfd = (struct pollfd){ .fd = r->fd, .events = POLLIN };
		ret = poll(&pfd, 1, 0);
		rdone(C_POLL, ret, ret < 0 ? errno : 0, "");
		if (ret > 0 && (pfd.revents & (POLLNVAL | POLLERR)))
			rbad("poll: revents %#x on an open session", pfd.revents);
	} else {
		mwt_events(k, 4);
		probed_fn(k);
	}
}

static void *rworker(void *arg)
{
	uintptr_t i = (uintptr_t)arg;
	sigset_t all;
	uint8_t *buf;
	size_t buflen = ARENA_PAGES * page;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	rng = seed ^ (0x9e3779b97f4a7c15ULL * (i + 1));
	buf = guarded(ARENA_PAGES);
	while (!rt_stop) {
		struct rsess *r = &rsess[rnd(NR_RSESS)];

		if (rnd(2000) == 0) {
			/* A session replaced whole, while nobody uses it. */
			pthread_rwlock_wrlock(&rs_lock);
			rsess_close(r);
			rsess_open(r);
			pthread_rwlock_unlock(&rs_lock);
			continue;
		}
		pthread_rwlock_rdlock(&rs_lock);
		rstep(r, buf, buflen);
		pthread_rwlock_unlock(&rs_lock);
		if (__atomic_load_n(&st->total, __ATOMIC_RELAXED) >= rt_calls ||
		    (rt_secs && now_s() - rt_t0 > rt_secs))
			rt_stop = 1;
	}
	return NULL;
}

/* ---- the child that detaches over generic netlink ---- */

struct nl {
	int fd;
	uint16_t family;
	uint32_t seq;
};

struct nlreq {
	struct nlmsghdr n;
	struct genlmsghdr g;
	uint8_t attrs[64];
};

static void nl_put_u32(struct nlreq *q, uint16_t type, uint32_t v)
{
	struct nlattr *a = (void *)((uint8_t *)q + NLMSG_ALIGN(q->n.nlmsg_len));

	a->nla_len = NLA_HDRLEN + 4;
	a->nla_type = type;
	memcpy((uint8_t *)a + NLA_HDRLEN, &v, 4);
	q->n.nlmsg_len = NLMSG_ALIGN(q->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void nl_put_str(struct nlreq *q, uint16_t type, const char *s)
{
	struct nlattr *a = (void *)((uint8_t *)q + NLMSG_ALIGN(q->n.nlmsg_len));

	a->nla_len = NLA_HDRLEN + strlen(s) + 1;
	a->nla_type = type;
	memcpy((uint8_t *)a + NLA_HDRLEN, s, strlen(s) + 1);
	q->n.nlmsg_len = NLMSG_ALIGN(q->n.nlmsg_len) + NLA_ALIGN(a->nla_len);
}

static void nl_start(struct nl *nl, struct nlreq *q, uint16_t family, uint8_t cmd,
		     uint16_t flags)
{
	memset(q, 0, sizeof(*q));
	q->n.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	q->n.nlmsg_type = family;
	q->n.nlmsg_flags = NLM_F_REQUEST | flags;
	q->n.nlmsg_seq = ++nl->seq;
	q->g.cmd = cmd;
	q->g.version = 1;
}

/*
 * Send @q and read the answer to the end: each message's attributes go to
 * @fn (when not NULL); returns 0 or the errno the kernel answered.
 */
static int nl_talk(struct nl *nl, struct nlreq *q,
		   void (*fn)(void *ctx, const struct nlattr *a, size_t len), void *ctx)
{
	static uint8_t buf[1 << 16];

	if (send(nl->fd, q, q->n.nlmsg_len, 0) < 0)
		return errno;
	for (;;) {
		ssize_t n = recv(nl->fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (n < 0)
			return errno;
		for (h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != q->n.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -((struct nlmsgerr *)NLMSG_DATA(h))->error;
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (fn)
				fn(ctx, (void *)((uint8_t *)NLMSG_DATA(h) + GENL_HDRLEN),
				   h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN));
		}
	}
}

/* Attribute @type of a message (the first one), or NULL. */
static const struct nlattr *nl_attr(const struct nlattr *a, size_t len, uint16_t type)
{
	while (len >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		len -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const uint8_t *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

static uint32_t nl_u32(const struct nlattr *a)
{
	uint32_t v = 0;

	if (a && a->nla_len >= NLA_HDRLEN + 4)
		memcpy(&v, (const uint8_t *)a + NLA_HDRLEN, 4);
	return v;
}

static void nl_family_cb(void *ctx, const struct nlattr *a, size_t len)
{
	const struct nlattr *id = nl_attr(a, len, CTRL_ATTR_FAMILY_ID);

	if (id)
		memcpy(ctx, (const uint8_t *)id + NLA_HDRLEN, 2);
}

struct owned {
	pid_t owner;
	uint32_t ids[8];
	unsigned int n;
};

static void nl_session_cb(void *ctx, const struct nlattr *a, size_t len)
{
	struct owned *o = ctx;

	if ((pid_t)nl_u32(nl_attr(a, len, MAPWATCH_A_OWNER_PID)) == o->owner &&
	    o->n < ARRAY_SIZE(o->ids))
		o->ids[o->n++] = nl_u32(nl_attr(a, len, MAPWATCH_A_SESSION_ID));
}

/* In the child: until the parent goes, PROBE_DETACH of guessed ids in its sessions. */
static void genl_detacher(pid_t parent, int stop_fd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct nl nl = { .fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC) };
	struct nlreq q;
	struct pollfd pfd = { .fd = stop_fd, .events = POLLIN };
	uint64_t calls = 0, ok = 0, enoent = 0;
	int err;

	rng = seed ^ 0x6e6c;
	if (nl.fd < 0 || bind(nl.fd, (void *)&sa, sizeof(sa)))
		_exit(20);
	nl_start(&nl, &q, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, NLM_F_ACK);
	nl_put_str(&q, CTRL_ATTR_FAMILY_NAME, MAPWATCH_GENL_NAME);
	if (nl_talk(&nl, &q, nl_family_cb, &nl.family) || !nl.family)
		_exit(21);
	while (!poll(&pfd, 1, 0)) {
		struct owned o = { .owner = parent };
		unsigned int i;

		nl_start(&nl, &q, nl.family, MAPWATCH_CMD_SESSION_GET, NLM_F_DUMP);
		if (nl_talk(&nl, &q, nl_session_cb, &o))
			_exit(22);
		for (i = 0; i < o.n * 4; i++) {
			nl_start(&nl, &q, nl.family, MAPWATCH_CMD_PROBE_DETACH, NLM_F_ACK);
			nl_put_u32(&q, MAPWATCH_A_SESSION_ID, o.ids[i % o.n]);
			nl_put_u32(&q, MAPWATCH_A_PROBE_ID, 1 + rnd(64));
			err = nl_talk(&nl, &q, NULL, NULL);
			calls++;
			if (!err)
				ok++;
			else if (err == ENOENT)
				enoent++;
			else
				_exit(23);	/* an admin's detach: only 0 or ENOENT */
		}
		usleep(1000);
	}
	printf("# genl PROBE_DETACH from another process: %llu calls, ok %llu, ENOENT %llu\n",
	       (unsigned long long)calls, (unsigned long long)ok, (unsigned long long)enoent);
	_exit(0);
}

/* -T N: returns when the calls or the time are spent. */
static void threads_run(unsigned int nthreads, uint64_t calls, uint64_t secs)
{
	pthread_t th[64];
	int stop[2], status;
	unsigned int i;
	pid_t kid;

	if (nthreads > ARRAY_SIZE(th))
		nthreads = ARRAY_SIZE(th);
	rt_calls = calls;
	rt_secs = secs;
	for (i = 0; i < NR_RSESS; i++)
		rsess_open(&rsess[i]);
	if (pipe(stop))
		ksft_exit_fail_msg("pipe\n");
	fflush(stdout);
	kid = fork();
	if (kid < 0)
		ksft_exit_fail_msg("fork\n");
	if (!kid) {
		close(stop[1]);
		genl_detacher(getppid(), stop[0]);
	}
	close(stop[0]);
	rt_t0 = now_s();
	for (i = 0; i < nthreads; i++)
		if (pthread_create(&th[i], NULL, rworker, (void *)(uintptr_t)i))
			ksft_exit_fail_msg("pthread_create\n");
	/* A progress line a minute: a long run in the debug VM says how far it is. */
	while (!rt_stop) {
		double t;

		for (i = 0; i < 600 && !rt_stop; i++)
			usleep(100000);
		t = now_s() - rt_t0;
		if (!rt_stop)
			ksft_print_msg("%llu calls, %.0f s, %.0f calls/s, %llu failures\n",
				       (unsigned long long)st->total, t, st->total / t,
				       (unsigned long long)st->failures);
	}
	for (i = 0; i < nthreads; i++)
		pthread_join(th[i], NULL);
	close(stop[1]);
	if (waitpid(kid, &status, 0) != kid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("# FAIL: the genl detacher ended with status %#x (20: socket, 21: no family, 22: SESSION_GET, 23: an errno other than ENOENT)\n",
		       status);
		st->failures++;
	}
	for (i = 0; i < NR_RSESS; i++)
		rsess_close(&rsess[i]);
	ksft_print_msg("%u threads on %d sessions\n", nthreads, NR_RSESS);
}

static uint64_t env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : def;
}

static void report(double secs)
{
	uint64_t all[MAX_ERRNO + 1] = {};
	char line[1024];
	int c, e;
	size_t n;

	ksft_print_msg("%llu calls in %.0f s: %.0f calls/s\n", (unsigned long long)st->total,
		       secs, secs > 0 ? st->total / secs : 0.0);
	for (c = 0; c < NR_CALLS; c++) {
		n = snprintf(line, sizeof(line), "%-15s %9llu calls, ok %llu", call_name[c],
			     (unsigned long long)st->calls[c], (unsigned long long)st->ok[c]);
		for (e = 0; e <= MAX_ERRNO; e++) {
			if (!st->err[c][e])
				continue;
			all[e] += st->err[c][e];
			if (n < sizeof(line))
				n += snprintf(line + n, sizeof(line) - n, ", %s %llu",
					      e == MAX_ERRNO ? "other" : errname(e),
					      (unsigned long long)st->err[c][e]);
		}
		ksft_print_msg("%s\n", line);
	}
	n = snprintf(line, sizeof(line), "errnos:");
	for (e = 0; e <= MAX_ERRNO; e++)
		if (all[e] && n < sizeof(line))
			n += snprintf(line + n, sizeof(line) - n, " %s %llu",
				      e == MAX_ERRNO ? "other" : errname(e),
				      (unsigned long long)all[e]);
	ksft_print_msg("%s\n", line);
	ksft_print_msg("kprobes attached %llu, uprobes attached %llu, ring mappings %llu\n",
		       (unsigned long long)st->kprobes_attached,
		       (unsigned long long)st->uprobes_attached,
		       (unsigned long long)st->maps_made);
	ksft_print_msg("mwt_trigger runs %llu (%llu ended by a signal other than SIGKILL)\n",
		       (unsigned long long)st->triggers, (unsigned long long)st->trigger_signals);
	ksft_print_msg("unprivileged children %llu, %llu calls\n",
		       (unsigned long long)st->unpriv_children,
		       (unsigned long long)st->unpriv_calls);
	ksft_print_msg("sanity checks: %llu passed, %llu failed\n",
		       (unsigned long long)st->sanity_ok, (unsigned long long)st->sanity_failed);
}

int main(int argc, char **argv)
{
	uint64_t calls = env_u64("MAPWATCH_FUZZ_CALLS", 1000000);
	uint64_t secs = env_u64("MAPWATCH_FUZZ_SECONDS", 0);
	uint64_t every = env_u64("MAPWATCH_FUZZ_SANITY", 10000);
	uint64_t nthreads = env_u64("MAPWATCH_FUZZ_THREADS", 0);
	uint64_t next_sanity, next_unpriv, next_report;
	struct sigaction sa = { .sa_handler = on_alarm };
	pthread_t th;
	double t0, t;
	int opt, who = 0x10000, stopped = 0, i;
	uint64_t iter = 0;

	seed = env_u64("MAPWATCH_FUZZ_SEED", 0);
	if (!getenv("MAPWATCH_FUZZ_SEED"))
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	while ((opt = getopt(argc, argv, "n:s:t:S:T:")) != -1) {
		switch (opt) {
		case 'T':
			nthreads = strtoull(optarg, NULL, 0);
			break;
		case 'n':
			calls = strtoull(optarg, NULL, 0);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 0);
			break;
		case 't':
			secs = strtoull(optarg, NULL, 0);
			break;
		case 'S':
			every = strtoull(optarg, NULL, 0);
			break;
		default:
			fprintf(stderr,
				"usage: %s [-n CALLS] [-s SEED] [-t SECONDS] [-S SANITY] [-T THREADS]\n",
				argv[0]);
			return 2;
		}
	}
	rng = seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	ksft_print_header();
	if (access(MAPWATCH_DEVICE, F_OK)) {
		if (mwt_strict())
			ksft_exit_fail_msg("%s missing: the mapwatch module is not loaded\n",
					   MAPWATCH_DEVICE);
		ksft_exit_skip("%s missing: load the mapwatch module\n", MAPWATCH_DEVICE);
	}
	ksft_set_plan(2);
	ksft_print_msg("seed %#llx (MAPWATCH_FUZZ_SEED=%#llx replays it), %llu calls, time limit %llu s, sanity every %llu\n",
		       (unsigned long long)seed, (unsigned long long)seed,
		       (unsigned long long)calls, (unsigned long long)secs,
		       (unsigned long long)every);
	setup();
	signal(SIGPIPE, SIG_IGN);
	if (nthreads) {
		t0 = now_s();
		threads_run(nthreads, calls, secs);
		t = now_s() - t0;
		if (sanity(who++))
			st->sanity_failed++;
		else
			st->sanity_ok++;
		report(t);
		ksft_test_result(st->failures == 0,
				 "%llu calls from %llu threads, only documented errnos (seed %#llx)\n",
				 (unsigned long long)st->total, (unsigned long long)nthreads,
				 (unsigned long long)seed);
		ksft_test_result(st->sanity_failed == 0 && st->sanity_ok > 0,
				 "a session works afterwards\n");
		ksft_finished();
	}
	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART: a blocking read() ends EINTR */
	if (pthread_create(&th, NULL, spinner, NULL))
		ksft_exit_fail_msg("pthread_create\n");

	t0 = now_s();
	next_sanity = every;
	next_unpriv = 5000 + rnd(10000);
	next_report = 100000;
	while (st->total < calls) {
		reap_triggers(0);
		if (rnd(1000) == 0)
			spawn_trigger();
		if ((st->total & 15) == 0)
			probed_fn(st->total);
		if (every && st->total >= next_sanity) {
			next_sanity = st->total + every;
			if (sanity(who++))
				st->sanity_failed++;
			else
				st->sanity_ok++;
		}
		if (st->total >= next_unpriv) {
			next_unpriv = st->total + 20000 + rnd(40000);
			unprivileged_round(1000 + rnd(2000));
			continue;
		}
		if (st->total >= next_report) {
			t = now_s() - t0;
			next_report += 100000;
			ksft_print_msg("%llu calls, %.0f s, %.0f calls/s, %llu failures\n",
				       (unsigned long long)st->total, t, st->total / t,
				       (unsigned long long)st->failures);
		}
		if (secs && (++iter & 63) == 0 && now_s() - t0 > secs) {
			stopped = 1;
			break;
		}
		step();
	}
	t = now_s() - t0;
	spinner_stop = 1;
	pthread_join(th, NULL);
	reap_triggers(1);
	for (i = 0; i < NR_MAPS; i++)
		drop_mapping(i);
	for (i = 0; i < NR_SESS; i++)
		sess_close(&sess[i]);
	/* The last word: after all that, a session still works. */
	if (sanity(who++))
		st->sanity_failed++;
	else
		st->sanity_ok++;

	report(t);
	if (stopped)
		ksft_print_msg("stopped by the time limit (MAPWATCH_FUZZ_SECONDS=%llu)\n",
			       (unsigned long long)secs);
	ksft_test_result(st->failures == 0, "%llu calls, only documented errnos (seed %#llx)\n",
			 (unsigned long long)st->total, (unsigned long long)seed);
	ksft_test_result(st->sanity_failed == 0 && st->sanity_ok > 0,
			 "sanity checks: %llu passed\n", (unsigned long long)st->sanity_ok);
	ksft_finished();
}
