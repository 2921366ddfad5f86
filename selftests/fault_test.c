// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/fault_test.c - the module under failing allocations.
 *
 * Each test takes one step of a session's life (open, handshake, ring
 * setup, mmap, pid add, kprobe and uprobe attach with their fetch program,
 * enable, detach, munmap, close) and runs it again and again with the kernel's
 * fault injection failing the 1st, 2nd, 3rd ... slab or page allocation
 * the step makes (/proc/thread-self/fail-nth, with failslab and
 * fail_page_alloc taking every allocation into account), until a run makes
 * no allocation that could be failed.  Every injected failure must surface
 * as ENOMEM -- or not at all, where the kernel has a fallback -- and the
 * step must then succeed when tried again on the same session, which must
 * work end to end: the event of the test goes through the ring.  That all
 * this leaked nothing is the debug tier's kmemleak scan after the module
 * is unloaded (tools/check-debug); the module's reference count is checked
 * here.
 *
 * Needs a kernel with CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC and
 * FAULT_INJECTION_DEBUG_FS (the debug tier's): elsewhere it skips, so it
 * is not in selftests/run's default list; tools/check-debug runs it.
 */
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"

#define FAIL_NTH	"/proc/thread-self/fail-nth"
#define DEBUGFS		"/sys/kernel/debug"
/* More allocation points than any step makes: the loop's bound. */
#define MAX_POINTS	400

/* Probed by the uprobe test: not inlined, called through a volatile pointer. */
__attribute__((noipa, used)) uint64_t fault_target(uint64_t a, uint64_t b)
{
	__asm__ __volatile__("" : "+r"(a), "+r"(b) : : "memory");
	return a + b;
}

static uint64_t (*volatile target)(uint64_t, uint64_t) = fault_target;

static int write_file(const char *path, const char *val)
{
	size_t len = strlen(val);
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, val, len);
	close(fd);
	return n == (ssize_t)len ? 0 : -1;
}

/*
 * failslab and fail_page_alloc consult fail-nth for every allocation, not
 * only the ones that may not sleep (ignore-gfp-wait) and of order 1 and up
 * (min-order); quiet (no "FAULT_INJECTION: forcing a failure" stack dumps);
 * no random failures (probability 0 is the default, set anyway).
 */
static int injection_setup(void)
{
	static const char *const knobs[][2] = {
		{ DEBUGFS "/failslab/ignore-gfp-wait", "N" },
		{ DEBUGFS "/failslab/verbose", "0" },
		{ DEBUGFS "/failslab/probability", "0" },
		{ DEBUGFS "/fail_page_alloc/ignore-gfp-wait", "N" },
		{ DEBUGFS "/fail_page_alloc/ignore-gfp-highmem", "N" },
		{ DEBUGFS "/fail_page_alloc/min-order", "0" },
		{ DEBUGFS "/fail_page_alloc/verbose", "0" },
		{ DEBUGFS "/fail_page_alloc/probability", "0" },
	};
	size_t i;

	if (access(FAIL_NTH, W_OK))
		return -1;
	for (i = 0; i < ARRAY_SIZE(knobs); i++)
		if (write_file(knobs[i][0], knobs[i][1]))
			return -1;
	return 0;
}

/* Fail the @n-th allocation of this thread from now on. */
static void arm(int nth, unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (write(nth, buf, len) != len)
		abort();
}

/* Disarm; true if the failure was injected (the count ran out). */
static bool disarm(int nth)
{
	char buf[16] = "";

	if (pread(nth, buf, sizeof(buf) - 1, 0) <= 0 || write(nth, "0", 1) != 1)
		abort();
	return strtoul(buf, NULL, 10) == 0;
}

/* The steps, in a session's order; each test injects into one of them. */
enum step {
	S_OPEN, S_API, S_RINGS, S_MMAP, S_PID, S_KPROBE, S_UPROBE, S_ENABLE, S_DETACH,
	S_MUNMAP, S_CLOSE, S_DONE
};

static const char *const step_name[] = {
	[S_OPEN] = "open", [S_API] = "handshake", [S_RINGS] = "ring setup",
	[S_MMAP] = "mmap", [S_PID] = "pid add", [S_KPROBE] = "kprobe attach",
	[S_UPROBE] = "uprobe attach", [S_ENABLE] = "enable", [S_DETACH] = "detach",
	[S_MUNMAP] = "munmap", [S_CLOSE] = "close",
};

#define DATA_PAGES	4

struct run {
	int fd;
	int bin;		/* this binary, for the uprobe */
	uint64_t off;		/* fault_target()'s file offset */
	uint64_t stride;
	void *map;		/* CPU 0's ring, read-only */
	size_t map_len;
	uint32_t kprobe_id, uprobe_id, extra_id;
};

static const struct mapwatch_fetch_op uprobe_ops[] = {
	{ .code = MAPWATCH_FOP_REG, .dst = 0, .src = MAPWATCH_REG_X86_DI },
	{ .code = MAPWATCH_FOP_REG, .dst = 1, .src = MAPWATCH_REG_X86_SI },
	{ .code = MAPWATCH_FOP_EMIT, .src = 0, .size = 8 },
	{ .code = MAPWATCH_FOP_EMIT, .src = 1, .size = 8 },
};

/* Step @s once; 0 or -1 with errno. */
static int do_step(struct run *r, enum step s)
{
	struct mapwatch_api api;
	struct mapwatch_uprobe up;
	void *p;

	switch (s) {
	case S_OPEN:
		r->fd = mwt_open();
		return r->fd < 0 ? -1 : 0;
	case S_API:
		return mwt_api(r->fd, MAPWATCH_ABI_MAJOR, &api);
	case S_RINGS:
		return mwt_ring_config(r->fd, DATA_PAGES, 0, 0, 0, &r->stride);
	case S_MMAP:
		r->map_len = r->stride;
		p = mmap(NULL, r->map_len, PROT_READ, MAP_SHARED, r->fd, 0);
		if (p == MAP_FAILED)
			return -1;
		r->map = p;
		return 0;
	case S_PID:
		return mwt_pid(r->fd, MAPWATCH_PID_ADD, getpid());
	case S_KPROBE:
		return mwt_attach(r->fd, MAPWATCH_KPROBE_GETPRIORITY, &r->kprobe_id);
	case S_UPROBE:
		if (mwt_uprobe(r->fd, r->bin, r->off, uprobe_ops, ARRAY_SIZE(uprobe_ops), 0, &up))
			return -1;
		r->uprobe_id = up.probe_id;
		return 0;
	case S_ENABLE:
		return mwt_enable(r->fd);
	case S_DETACH:
		return mwt_detach(r->fd, r->extra_id);
	case S_MUNMAP:
		if (munmap(r->map, r->map_len))
			return -1;
		r->map = NULL;
		return 0;
	case S_CLOSE:
		return close(r->fd);
	case S_DONE:
		break;
	}
	errno = EINVAL;
	return -1;
}

/*
 * The session after its steps: an event of each probe goes through, and
 * nothing else.  A detach test attached a second uprobe at the same place
 * and detached it: one record per call all the same.
 */
static int check_session(struct run *r, int who)
{
	const struct mapwatch_rec_hdr *hdr;
	struct mwt_recs rs = {};
	int ret = -1;
	size_t i;
	int ev_k = 0, ev_u = 0;

	mwt_event(who);
	if (target((uint64_t)who, 7) != (uint64_t)who + 7)
		return -1;
	if (mwt_disable(r->fd) || mwt_read_all(r->fd, &rs))
		goto out;
	for (i = 0; i < rs.nr; i++) {
		const uint64_t *pl;

		if (rs.r[i].type != MAPWATCH_REC_EVENT)
			goto out;
		if (rs.r[i].probe_id == r->kprobe_id && rs.r[i].who == who &&
		    rs.r[i].tgid == (uint32_t)getpid()) {
			ev_k++;
			continue;
		}
		hdr = (const void *)(rs.raw + rs.r[i].raw_off);
		pl = mw_event_payload((const void *)hdr);
		if (rs.r[i].probe_id == r->uprobe_id && rs.r[i].payload_size == 16 &&
		    pl[0] == (uint64_t)who && pl[1] == 7)
			ev_u++;
		else
			goto out;
	}
	ret = ev_k == 1 && ev_u == 1 ? 0 : -1;
	if (ret)
		fprintf(stderr, "# %zu records: %d of the kprobe, %d of the uprobe (want 1 and 1)\n",
			rs.nr, ev_k, ev_u);
out:
	mwt_recs_free(&rs);
	return ret;
}

FIXTURE(fault) {
	int nth;
	int bin;
	uint64_t off;
	int refcnt;
};

FIXTURE_SETUP(fault)
{
	self->nth = -1;
	self->bin = -1;
	if (injection_setup())
		MWT_SKIP(return, "no fault injection (%s, %s/failslab): a kernel with "
			 "CONFIG_FAULT_INJECTION_DEBUG_FS, FAILSLAB and FAIL_PAGE_ALLOC",
			 FAIL_NTH, DEBUGFS);
	self->nth = open(FAIL_NTH, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->nth);
	self->bin = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->bin);
	ASSERT_EQ(0, mwt_file_offset((const void *)fault_target, &self->off, NULL, 0));
	/* No page fault of ours between arming and the system call. */
	ASSERT_EQ(0, mlockall(MCL_CURRENT | MCL_FUTURE));
	self->refcnt = mwt_module_refcnt();
	ASSERT_LE(0, self->refcnt);
}

FIXTURE_TEARDOWN(fault)
{
	if (self->nth >= 0)
		close(self->nth);
	if (self->bin >= 0)
		close(self->bin);
}

/*
 * Fail each allocation of step @inject in turn.  Every other step runs
 * without injection; after an injected failure the step is tried again
 * (close is never retried: it cannot fail).
 */
static void inject(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
		   enum step inject, bool module_allocates)
{
	unsigned int n, failed = 0, tolerated = 0;

	for (n = 1; n <= MAX_POINTS; n++) {
		struct run r = { .fd = -1, .bin = self->bin, .off = self->off };
		bool injected = false;
		enum step s;
		int ret, err;

		for (s = S_OPEN; s < S_DONE; s++) {
			if (s == S_DETACH) {
				/* a second probe to detach, and one event to check */
				struct mapwatch_uprobe up;

				ASSERT_EQ(0, mwt_uprobe(r.fd, r.bin, r.off, uprobe_ops,
							ARRAY_SIZE(uprobe_ops), 0, &up));
				r.extra_id = up.probe_id;
			}
			if (s == S_MUNMAP)
				ASSERT_EQ(0, check_session(&r, (int)n)) TH_LOG("after %s fails its allocation %u",
									    step_name[inject], n);
			if (s != inject) {
				ASSERT_EQ(0, do_step(&r, s)) TH_LOG("%s: %s", step_name[s],
								     strerror(errno));
				continue;
			}
			arm(self->nth, n);
			ret = do_step(&r, s);
			err = errno;
			injected = disarm(self->nth);
			if (!injected) {
				ASSERT_EQ(0, ret) TH_LOG("%s, no allocation failed: %s",
							 step_name[s], strerror(err));
				continue;
			}
			if (ret == 0) {
				tolerated++;	/* the kernel had a fallback */
				continue;
			}
			failed++;
			ASSERT_EQ(ENOMEM, err) TH_LOG("%s, allocation %u failed: %s, not ENOMEM",
						      step_name[s], n, strerror(err));
			if (s == S_CLOSE)
				break;
			ASSERT_EQ(0, do_step(&r, s)) TH_LOG("%s again after a failed allocation: %s",
							    step_name[s], strerror(errno));
		}
		if (!injected)
			break;
	}
	ASSERT_GE(MAX_POINTS, n) TH_LOG("%s makes more than %d allocations", step_name[inject],
					MAX_POINTS);
	ASSERT_EQ(0, mwt_wait_refcnt(self->refcnt));
	/* The injection works: the module's own allocation failed at least. */
	if (module_allocates)
		ASSERT_LT(0, failed) TH_LOG("%s: no injected failure reached the caller",
					    step_name[inject]);
	ksft_print_msg("%s: %u allocations failed in turn: %u ENOMEM, %u absorbed by the kernel\n",
		       step_name[inject], n - 1, failed, tolerated);
	fflush(stdout);		/* the harness ends a test with _exit() */
	/* A new session after all that works. */
	ASSERT_EQ(0, mwt_session_works(42));
}

TEST_F_TIMEOUT(fault, open, 600) { inject(_metadata, self, S_OPEN, true); }
TEST_F_TIMEOUT(fault, handshake, 600) { inject(_metadata, self, S_API, false); }
TEST_F_TIMEOUT(fault, ring_setup, 600) { inject(_metadata, self, S_RINGS, true); }
TEST_F_TIMEOUT(fault, mmap, 600) { inject(_metadata, self, S_MMAP, false); }
TEST_F_TIMEOUT(fault, pid_add, 600) { inject(_metadata, self, S_PID, true); }
TEST_F_TIMEOUT(fault, kprobe_attach, 600) { inject(_metadata, self, S_KPROBE, true); }
TEST_F_TIMEOUT(fault, uprobe_attach, 600) { inject(_metadata, self, S_UPROBE, true); }
TEST_F_TIMEOUT(fault, enable, 600) { inject(_metadata, self, S_ENABLE, false); }
TEST_F_TIMEOUT(fault, detach, 600) { inject(_metadata, self, S_DETACH, false); }
TEST_F_TIMEOUT(fault, munmap, 600) { inject(_metadata, self, S_MUNMAP, false); }
TEST_F_TIMEOUT(fault, close, 600) { inject(_metadata, self, S_CLOSE, false); }

MWT_HARNESS_MAIN
