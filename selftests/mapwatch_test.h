/* SPDX-License-Identifier: GPL-2.0 */
/*
 * selftests/mapwatch_test.h - helpers shared by the mapwatch selftests.
 *
 * One small helper per ioctl, each returning 0 or -1 with errno set, so a
 * test reads as the contract it checks.  Events come from the module's
 * getpriority(2) kprobe: mwt_event(who) calls getpriority() with an invalid
 * "which", so the syscall does nothing but fail with EINVAL, and the record
 * carries { MWT_WHICH, who } as its payload.  Tests use "who" as a sequence
 * number.
 */
#ifndef _MAPWATCH_TEST_H
#define _MAPWATCH_TEST_H

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/mapwatch.h>
#include "mapwatch.h"		/* libmapwatch */

/* An invalid getpriority() "which": the kprobe fires, the syscall fails. */
#define MWT_WHICH	0x6d77

/* Record size of one getpriority event. */
#define MWT_EVENT_SIZE	(sizeof(struct mapwatch_rec_event) + \
			 sizeof(struct mapwatch_kp_getpriority))

/* Exit code of a test binary that skipped everything (kselftest.h KSFT_SKIP). */
#define MWT_EXIT_SKIP	4

static inline pid_t mwt_gettid(void)
{
	return (pid_t)syscall(SYS_gettid);
}

/* One traced event from the calling thread. */
static inline void mwt_event(int who)
{
	syscall(SYS_getpriority, MWT_WHICH, who);
}

/* Events first, first + 1, ..., first + n - 1. */
static inline void mwt_events(int first, int n)
{
	int i;

	for (i = 0; i < n; i++)
		mwt_event(first + i);
}

/* Pin the calling thread to @cpu; 0 or -1. */
static inline int mwt_pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set);
}

/* The @n-th CPU this process may run on, or -1. */
static inline int mwt_nth_cpu(int n)
{
	cpu_set_t set;
	int cpu;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -1;
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &set) && n-- == 0)
			return cpu;
	return -1;
}

/* ------------------------------------------------------------------------ */
/* One helper per ioctl: 0 or -1 with errno.                                  */

static inline int mwt_open(void)
{
	return open(MAPWATCH_DEVICE, O_RDWR | O_CLOEXEC);
}

static inline int mwt_api(int fd, uint32_t major, struct mapwatch_api *api)
{
	memset(api, 0, sizeof(*api));
	api->size = sizeof(*api);
	api->abi_major = major;
	return ioctl(fd, MAPWATCH_IOC_API, api);
}

static inline int mwt_handshake(int fd)
{
	struct mapwatch_api api;

	return mwt_api(fd, MAPWATCH_ABI_MAJOR, &api);
}

static inline int mwt_ring_config(int fd, uint32_t data_pages, uint32_t flags,
				  uint32_t watermark, uint32_t timer_ms, uint64_t *stride)
{
	struct mapwatch_ring_config cfg = {
		.size = sizeof(cfg),
		.flags = flags,
		.data_pages = data_pages,
		.watermark = watermark,
		.timer_ms = timer_ms,
	};

	if (ioctl(fd, MAPWATCH_IOC_RING_CONFIG, &cfg))
		return -1;
	if (stride)
		*stride = cfg.mmap_stride;
	return 0;
}

static inline int mwt_enable(int fd)
{
	return ioctl(fd, MAPWATCH_IOC_ENABLE);
}

static inline int mwt_disable(int fd)
{
	return ioctl(fd, MAPWATCH_IOC_DISABLE);
}

static inline int mwt_counters(int fd, uint32_t cpu, struct mapwatch_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->cpu = cpu;
	return ioctl(fd, MAPWATCH_IOC_COUNTERS, c);
}

static inline int mwt_pid(int fd, uint32_t op, int32_t pid)
{
	struct mapwatch_pid arg = { .size = sizeof(arg), .op = op, .pid = pid };

	return ioctl(fd, MAPWATCH_IOC_PID, &arg);
}

static inline int mwt_attach(int fd, uint32_t type, uint32_t *probe_id)
{
	struct mapwatch_kprobe arg = { .size = sizeof(arg), .type = type };

	if (ioctl(fd, MAPWATCH_IOC_KPROBE_ATTACH, &arg))
		return -1;
	if (probe_id)
		*probe_id = arg.probe_id;
	return 0;
}

static inline int mwt_detach(int fd, uint32_t probe_id)
{
	struct mapwatch_detach arg = { .size = sizeof(arg), .probe_id = probe_id };

	return ioctl(fd, MAPWATCH_IOC_DETACH, &arg);
}

static inline int mwt_probe_counters(int fd, uint32_t probe_id,
				     struct mapwatch_probe_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->size = sizeof(*c);
	c->probe_id = probe_id;
	return ioctl(fd, MAPWATCH_IOC_PROBE_COUNTERS, c);
}

/* Out fields the module must overwrite start as this. */
#define MWT_POISON	0x5a5a5a5aU

/*
 * A uprobe at @offset of the file open as @bin running @ops; @arg holds
 * the reply (probe_id, payload_max, bad_op) whether it succeeds or not.
 */
static inline int mwt_uprobe(int fd, int bin, uint64_t offset,
			     const struct mapwatch_fetch_op *ops, uint32_t nr_ops,
			     uint32_t flags, struct mapwatch_uprobe *arg)
{
	memset(arg, 0, sizeof(*arg));
	arg->size = sizeof(*arg);
	arg->flags = flags;
	arg->fd = bin;
	arg->nr_ops = nr_ops;
	arg->offset = offset;
	arg->ops = (uintptr_t)ops;
	arg->probe_id = MWT_POISON;
	arg->payload_max = MWT_POISON;
	arg->bad_op = MWT_POISON;
	return ioctl(fd, MAPWATCH_IOC_UPROBE_ATTACH, arg);
}

/*
 * Where @addr comes from: the offset in the file mapped there, and that
 * file's path (if @path), from /proc/self/maps.  0, or -1 if @addr is not
 * in a file mapping.
 */
static inline int mwt_file_offset(const void *addr, uint64_t *offset, char *path, size_t len)
{
	unsigned long a = (unsigned long)addr;
	char line[4096];
	int ret = -1;
	FILE *f;

	f = fopen("/proc/self/maps", "re");
	if (!f)
		return -1;
	while (ret && fgets(line, sizeof(line), f)) {
		unsigned long long start, end, pgoff;
		unsigned long inode;
		int name = 0;

		if (sscanf(line, "%llx-%llx %*s %llx %*x:%*x %lu %n", &start, &end, &pgoff,
			   &inode, &name) < 4 || a < start || a >= end)
			continue;
		if (!inode || !name)
			break;		/* anonymous */
		*offset = a - start + pgoff;
		if (path) {
			snprintf(path, len, "%s", line + name);
			path[strcspn(path, "\n")] = '\0';
		}
		ret = 0;
	}
	fclose(f);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* Decoded records.                                                           */

struct mwt_rec {
	unsigned int ring;	/* the CPU ring it was read from */
	size_t raw_off;		/* where its bytes are in mwt_recs.raw */
	uint16_t type;
	uint16_t flags;
	uint32_t size;
	uint64_t time_ns;
	uint32_t tgid;		/* EVENT */
	uint32_t tid;
	uint32_t probe_id;
	uint32_t cpu;		/* EVENT and LOST */
	uint16_t payload_size;
	int32_t which;		/* getpriority payload */
	int32_t who;
	uint64_t lost;		/* LOST */
	uint32_t reserved;	/* LOST.__reserved */
};

/* Records in stream order, and their raw bytes back to back. */
struct mwt_recs {
	size_t nr, alloc;
	struct mwt_rec *r;
	uint8_t *raw;
	size_t raw_len, raw_alloc;
	size_t events;		/* EVENT records */
	uint64_t lost;		/* sum of LOST records */
};

static inline int mwt_rec_cmp_time(const void *a, const void *b)
{
	const struct mwt_rec *x = a, *y = b;

	return (x->time_ns > y->time_ns) - (x->time_ns < y->time_ns);
}

/*
 * Order @rs by time: a drain hands records CPU by CPU, so one task's
 * events come out of order when it moved between CPUs.
 */
static inline void mwt_recs_sort_by_time(struct mwt_recs *rs)
{
	if (rs->nr)
		qsort(rs->r, rs->nr, sizeof(rs->r[0]), mwt_rec_cmp_time);
}

/* The payload of record @i (an EVENT). */
static inline const uint8_t *mwt_rec_payload(const struct mwt_recs *rs, size_t i)
{
	return rs->raw + rs->r[i].raw_off + sizeof(struct mapwatch_rec_event);
}

static inline void mwt_recs_free(struct mwt_recs *rs)
{
	free(rs->r);
	free(rs->raw);
	memset(rs, 0, sizeof(*rs));
}

/* Append one record; 0, or -1 when out of memory. */
static inline int mwt_recs_add(struct mwt_recs *rs, unsigned int ring,
			       const struct mapwatch_rec_hdr *hdr)
{
	struct mwt_rec *r;

	if (rs->nr == rs->alloc) {
		size_t n = rs->alloc ? 2 * rs->alloc : 1024;
		void *p = realloc(rs->r, n * sizeof(*rs->r));

		if (!p)
			return -1;
		rs->r = p;
		rs->alloc = n;
	}
	if (rs->raw_len + hdr->size > rs->raw_alloc) {
		size_t n = rs->raw_alloc ? 2 * rs->raw_alloc : 65536;
		void *p;

		while (n < rs->raw_len + hdr->size)
			n *= 2;
		p = realloc(rs->raw, n);
		if (!p)
			return -1;
		rs->raw = p;
		rs->raw_alloc = n;
	}
	memcpy(rs->raw + rs->raw_len, hdr, hdr->size);

	r = &rs->r[rs->nr++];
	memset(r, 0, sizeof(*r));
	r->ring = ring;
	r->raw_off = rs->raw_len;
	rs->raw_len += hdr->size;
	r->type = hdr->type;
	r->flags = hdr->flags;
	r->size = hdr->size;
	if (hdr->type == MAPWATCH_REC_EVENT && hdr->size >= sizeof(struct mapwatch_rec_event)) {
		const struct mapwatch_rec_event *ev = (const void *)hdr;

		r->time_ns = ev->time_ns;
		r->tgid = ev->tgid;
		r->tid = ev->tid;
		r->probe_id = ev->probe_id;
		r->cpu = ev->cpu;
		r->payload_size = ev->payload_size;
		if (ev->payload_size >= sizeof(struct mapwatch_kp_getpriority) &&
		    hdr->size >= MWT_EVENT_SIZE) {
			const struct mapwatch_kp_getpriority *pl = mw_event_payload(ev);

			r->which = pl->which;
			r->who = pl->who;
		}
		rs->events++;
	} else if (hdr->type == MAPWATCH_REC_LOST &&
		   hdr->size >= sizeof(struct mapwatch_rec_lost)) {
		const struct mapwatch_rec_lost *lr = (const void *)hdr;

		r->time_ns = lr->time_ns;
		r->lost = lr->lost;
		r->cpu = lr->cpu;
		r->reserved = lr->__reserved;
		rs->lost += lr->lost;
	}
	return 0;
}

/* mw_drain() callback: collect into a struct mwt_recs. */
static inline int mwt_collect(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	return mwt_recs_add(ctx, cpu, hdr) ? -1 : 0;
}

/*
 * Decode a read() buffer; the ring of each record is its cpu field.
 * Returns 0, or -1 if the buffer does not hold whole, aligned records.
 */
static inline int mwt_recs_parse(struct mwt_recs *rs, const uint8_t *buf, size_t len)
{
	size_t off = 0;

	while (off < len) {
		const struct mapwatch_rec_hdr *hdr = (const void *)(buf + off);
		unsigned int ring;

		if (len - off < sizeof(*hdr) || hdr->size < sizeof(*hdr) || hdr->size % 8 ||
		    hdr->size > len - off)
			return -1;
		if (hdr->type == MAPWATCH_REC_EVENT)
			ring = ((const struct mapwatch_rec_event *)hdr)->cpu;
		else if (hdr->type == MAPWATCH_REC_LOST)
			ring = ((const struct mapwatch_rec_lost *)hdr)->cpu;
		else
			return -1;	/* read() never returns PAD */
		if (mwt_recs_add(rs, ring, hdr))
			return -1;
		off += hdr->size;
	}
	return 0;
}

/* The session's whole stream through read(): until EOF (disabled, drained). */
static inline int mwt_read_all(int fd, struct mwt_recs *rs)
{
	static uint8_t buf[1 << 16];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (mwt_recs_parse(rs, buf, n))
			return -1;
	return n;
}

/*
 * A new session works end to end: one event made by this process is
 * drained through the mapping as exactly one record carrying @who.
 * Returns 0, or -1 (with mw_error() or errno telling why).
 */
static inline int mwt_session_works(int who)
{
	struct mwt_recs rs = {};
	struct mw_session s;
	uint32_t id;
	int ret = -1;

	if (mw_open(&s, NULL, 0))
		return -1;
	if (mw_configure(&s, 1, 0, 0, 0) || mw_pid(&s, MAPWATCH_PID_ADD, getpid()) ||
	    mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &id) || mw_enable(&s))
		goto out;
	mwt_event(who);
	if (mw_disable(&s) || mw_drain(&s, mwt_collect, &rs) != 1)
		goto out;
	if (rs.r[0].type == MAPWATCH_REC_EVENT && rs.r[0].who == who &&
	    rs.r[0].tgid == (uint32_t)getpid() && rs.r[0].probe_id == id)
		ret = 0;
out:
	mwt_recs_free(&rs);
	mw_close(&s);
	return ret;
}

/* The module's reference count, or -1 if it is not loaded. */
static inline int mwt_module_refcnt(void)
{
	char buf[32];
	ssize_t n;
	int fd;

	fd = open("/sys/module/mapwatch/refcnt", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	return atoi(buf);
}

/*
 * Print the processes holding /dev/mapwatch open or mapped, with their
 * state and wait channel: what a reference count that would not drop is
 * waiting for.  selftests/holders, beside the test binaries, says it.
 */
static inline void mwt_print_holders(void)
{
	char dir[4096], cmd[4200];
	ssize_t n = readlink("/proc/self/exe", dir, sizeof(dir) - 1);
	char *slash;

	if (n <= 0)
		return;
	dir[n] = '\0';
	slash = strrchr(dir, '/');
	if (!slash || strchr(dir, '\''))
		return;
	*slash = '\0';
	snprintf(cmd, sizeof(cmd), "'%s/holders' >&2", dir);
	fflush(stderr);
	if (system(cmd) != 0)
		fprintf(stderr, "#   (%s failed)\n", cmd);
}

/*
 * Until the module's reference count is @want; 0, or -1 after two minutes.
 * A closing session unregisters its kprobes, and unregister_kprobe() waits
 * for kprobe_mutex, which the kprobe optimizer holds across an RCU-tasks
 * grace period.  That period lasts as long as any task runs in the kernel
 * without sleeping: on the debug kernel under TCG, kmemleak's automatic
 * scan held one for 20 s and more ("rcu_tasks detected stalls on tasks:
 * kmemleak").  So the limit is only a safety net.  A wait over 2 s is
 * printed, a timeout with the holders.
 */
static inline int mwt_wait_refcnt(int want)
{
	struct timespec t0, t;
	double waited;
	int now;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		now = mwt_module_refcnt();
		clock_gettime(CLOCK_MONOTONIC, &t);
		waited = (double)(t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9;
		if (now == want || waited >= 120)
			break;
		usleep(10000);
	}
	if (now == want) {
		if (waited > 2)
			fprintf(stderr, "# the module's refcnt took %.1f s to reach %d\n",
				waited, want);
		return 0;
	}
	fprintf(stderr, "# the module's refcnt is %d after %.0f s, want %d; holders:\n",
		now, waited, want);
	mwt_print_holders();
	return -1;
}

/*
 * In `make check` (MAPWATCH_SELFTEST_STRICT=1) the module and everything
 * a test needs must be there: a would-be skip fails instead.
 */
static inline int mwt_strict(void)
{
	const char *s = getenv("MAPWATCH_SELFTEST_STRICT");

	return s && *s && strcmp(s, "0") != 0;
}

/*
 * main() of every test binary that needs the module: without /dev/mapwatch
 * the whole binary is skipped (by hand), or fails (strict).
 */
#define MWT_HARNESS_MAIN						\
	int main(int argc, char **argv)					\
	{								\
		if (access(MAPWATCH_DEVICE, F_OK)) {			\
			ksft_print_header();				\
			if (mwt_strict())				\
				ksft_exit_fail_msg("%s missing: the mapwatch module is not loaded\n", \
						   MAPWATCH_DEVICE);	\
			ksft_exit_skip("%s missing: load the mapwatch module\n", \
				       MAPWATCH_DEVICE);		\
		}							\
		return test_harness_run(argc, argv);			\
	}

/* Inside a test: skip by hand, fail under MAPWATCH_SELFTEST_STRICT. */
#define MWT_SKIP(statement, fmt, ...) do {				\
		if (mwt_strict()) {					\
			TH_LOG("required (strict mode): " fmt, ##__VA_ARGS__); \
			ASSERT_TRUE(0);					\
		}							\
		SKIP(statement, fmt, ##__VA_ARGS__);			\
	} while (0)

/*
 * A thread doing @work(n) in a tight loop (n = 0, 1, ...), on a CPU of its
 * own when there is one, until stopped: the load other threads detach,
 * close or disable under.
 */
struct mwt_spinner {
	int cpu;			/* -1: anywhere */
	int stop;
	uint64_t made;			/* calls of work() so far */
	void (*work)(uint64_t n);
	pthread_t th;
};

static inline void *mwt_spinner_run(void *arg)
{
	struct mwt_spinner *sp = arg;

	if (sp->cpu >= 0)
		mwt_pin(sp->cpu);
	while (!__atomic_load_n(&sp->stop, __ATOMIC_ACQUIRE)) {
		sp->work(sp->made);
		__atomic_store_n(&sp->made, sp->made + 1, __ATOMIC_RELEASE);
	}
	return NULL;
}

static inline int mwt_spinner_start(struct mwt_spinner *sp, int cpu, void (*work)(uint64_t))
{
	memset(sp, 0, sizeof(*sp));
	sp->cpu = cpu;
	sp->work = work;
	return pthread_create(&sp->th, NULL, mwt_spinner_run, sp);
}

/* Until the spinner has made @more calls beyond what it had; 0 or -1. */
static inline int mwt_spinner_wait(struct mwt_spinner *sp, uint64_t more)
{
	uint64_t want = __atomic_load_n(&sp->made, __ATOMIC_ACQUIRE) + more;
	int i;

	for (i = 0; i < 60000; i++) {
		if (__atomic_load_n(&sp->made, __ATOMIC_ACQUIRE) >= want)
			return 0;
		usleep(1000);
	}
	return -1;
}

static inline void mwt_spinner_stop(struct mwt_spinner *sp)
{
	__atomic_store_n(&sp->stop, 1, __ATOMIC_RELEASE);
	pthread_join(sp->th, NULL);
}

#endif /* _MAPWATCH_TEST_H */
