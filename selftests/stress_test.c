// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/stress_test.c - races on two CPUs, for a fixed time each.
 *
 *   attach_detach    uprobes and a kprobe attached and detached in a loop
 *                    while two threads, one per CPU, hit a probed function
 *                    and a reader drains the rings: the probe attached all
 *                    along counts every call, the stream holds exactly what
 *                    the producer counters say, and no record of a probe
 *                    lies outside its attach..detach window
 *   session_churn    sessions opened, set up, used and closed in loops on
 *                    both CPUs (some closed while enabled and mapped), with
 *                    delete_module() attempted all along: each session sees
 *                    its own event, rmmod never succeeds while one is open
 *   reader_killed    a reader process killed at random points while it
 *                    drains its mapped rings under load
 *   last_probe_detached  the only probe on a function attached and
 *                    detached in a loop while four threads run through
 *                    it: a thread that hit the breakpoint just before it
 *                    went must go on, not die of SIGTRAP
 *   exec_exit        traced children that make events, exec a program that
 *                    makes more, and exit: exactly their events, in order
 *   unlinked_binary  a uprobe on a copy of this binary, the copy unlinked
 *                    while a process runs it, then replaced by a new file
 *                    under the same name: the probe follows the inode
 *   mounted_binary   a probe keeps its binary's filesystem mounted: umount
 *                    fails with EBUSY while it is attached, and succeeds
 *                    once it is detached (after its guard's grace period)
 * Afterwards the module holds no reference and a new session works.
 *
 * MAPWATCH_STRESS_SECONDS (default 5) is each loop's duration; the debug
 * tier (tools/check-debug) runs longer loops than make check.
 */
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"

#define MAGIC		0x5354u		/* rsi of every hammer call */
#define RING_PAGES	64

__attribute__((noipa, used)) uint64_t stress_target(uint64_t a, uint64_t b)
{
	__asm__ __volatile__("" : "+r"(a), "+r"(b) : : "memory");
	return a + b;
}

static uint64_t (*volatile target)(uint64_t, uint64_t) = stress_target;

static const struct mapwatch_fetch_op emit_args[] = {
	{ .code = MAPWATCH_FOP_REG, .dst = 0, .src = MAPWATCH_REG_X86_DI },
	{ .code = MAPWATCH_FOP_REG, .dst = 1, .src = MAPWATCH_REG_X86_SI },
	{ .code = MAPWATCH_FOP_EMIT, .src = 0, .size = 8 },
	{ .code = MAPWATCH_FOP_EMIT, .src = 1, .size = 4 },
};

static const struct mapwatch_fetch_op emit_first[] = {
	{ .code = MAPWATCH_FOP_REG, .dst = 0, .src = MAPWATCH_REG_X86_DI },
	{ .code = MAPWATCH_FOP_EMIT, .src = 0, .size = 8 },
};

static double seconds(void)
{
	const char *s = getenv("MAPWATCH_STRESS_SECONDS");
	double v = s ? atof(s) : 0;

	return v > 0 ? v : 5;
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static uint64_t deadline(void)
{
	return now_ns() + (uint64_t)(seconds() * 1e9);
}

/* A hammer call; every 64th also makes a getpriority event. */
static void hammer(uint64_t n)
{
	target(n, MAGIC);
	if (n % 64 == 0)
		mwt_event((int)(n / 64));
}

static void hammer_quiet(uint64_t n)
{
	target(n, MAGIC);
}

/* ------------------------------------------------------------------------ */

#define MAX_WINDOWS	100000

struct window {
	uint64_t start, end;	/* attach called .. detach returned */
};

/* What the reader saw. */
struct seen {
	uint32_t base_id;
	uint64_t base, events, lost;
	uint64_t outside;	/* records of a probe outside its window */
	uint64_t unknown;	/* records of a probe never attached */
	struct window *win;	/* by probe id */
	uint32_t max_id;
	uint64_t first_bad_time;
	uint32_t first_bad_id;
};

static int see(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	const struct mapwatch_rec_event *ev = (const void *)hdr;
	struct seen *sn = ctx;
	const struct window *w;
	uint64_t end;

	(void)cpu;
	if (hdr->type == MAPWATCH_REC_LOST) {
		sn->lost += ((const struct mapwatch_rec_lost *)hdr)->lost;
		return 0;
	}
	if (hdr->type != MAPWATCH_REC_EVENT)
		return 0;
	sn->events++;
	if (ev->probe_id == sn->base_id) {
		sn->base++;
		return 0;
	}
	if (ev->probe_id > __atomic_load_n(&sn->max_id, __ATOMIC_ACQUIRE)) {
		sn->unknown++;
		return 0;
	}
	w = &sn->win[ev->probe_id];
	end = __atomic_load_n(&w->end, __ATOMIC_ACQUIRE);
	if (ev->time_ns < w->start || (end && ev->time_ns > end)) {
		if (!sn->outside++) {
			sn->first_bad_time = ev->time_ns;
			sn->first_bad_id = ev->probe_id;
		}
	}
	return 0;
}

struct reader {
	struct mw_session *s;
	struct seen *sn;
	int stop;
	pthread_t th;
	long err;
};

static void *reader_run(void *arg)
{
	struct reader *rd = arg;

	while (!__atomic_load_n(&rd->stop, __ATOMIC_ACQUIRE)) {
		long n = mw_drain(rd->s, see, rd->sn);

		if (n < 0) {
			rd->err = n;
			break;
		}
		if (!n)
			usleep(1000);
	}
	return NULL;
}

FIXTURE(stress) {
	int refcnt;
	int bin;
	uint64_t off;
};

FIXTURE_SETUP(stress)
{
	self->refcnt = mwt_module_refcnt();
	ASSERT_LE(0, self->refcnt);
	self->bin = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->bin);
	ASSERT_EQ(0, mwt_file_offset((const void *)stress_target, &self->off, NULL, 0));
}

FIXTURE_TEARDOWN(stress)
{
	if (self->bin >= 0)
		close(self->bin);
	if (!_metadata->passed)
		return;
	/* Nothing left behind, and the module still works. */
	EXPECT_EQ(0, mwt_wait_refcnt(self->refcnt));
	EXPECT_EQ(0, mwt_session_works(77));
}

TEST_F_TIMEOUT(stress, attach_detach, 900)
{
	struct seen sn = { 0 };
	struct mwt_spinner sp[2];
	struct reader rd = { 0 };
	struct mw_session s;
	struct mapwatch_counters c;
	struct mapwatch_probe_counters pc;
	uint64_t end = deadline(), calls, cycles = 0;
	uint32_t id, kid;

	sn.win = calloc(MAX_WINDOWS, sizeof(*sn.win));
	ASSERT_NE(NULL, sn.win);
	ASSERT_EQ(0, mw_open(&s, NULL, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_configure(&s, RING_PAGES, 0, 0, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_ADD, getpid())) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_uprobe_attach(&s, self->bin, self->off, 0, emit_args,
				      ARRAY_SIZE(emit_args), 0, &sn.base_id)) TH_LOG("%s", mw_error());
	sn.max_id = sn.base_id;
	ASSERT_EQ(0, mw_enable(&s));
	rd.s = &s;
	rd.sn = &sn;
	ASSERT_EQ(0, pthread_create(&rd.th, NULL, reader_run, &rd));
	ASSERT_EQ(0, mwt_spinner_start(&sp[0], mwt_nth_cpu(0), hammer));
	ASSERT_EQ(0, mwt_spinner_start(&sp[1], mwt_nth_cpu(1), hammer));

	/*
	 * Probe ids count up in a session: each window is published before
	 * its attach, since the reader may see the probe's first record
	 * before the attach returns.
	 */
	while (now_ns() < end && sn.max_id + 2 < MAX_WINDOWS) {
		/* a uprobe at the same place, and (every other time) the kprobe */
		sn.win[sn.max_id + 1].start = now_ns();
		__atomic_store_n(&sn.max_id, sn.max_id + 1, __ATOMIC_RELEASE);
		ASSERT_EQ(0, mw_uprobe_attach(&s, self->bin, self->off, 0, emit_first,
					      ARRAY_SIZE(emit_first), 0, &id)) TH_LOG("%s", mw_error());
		ASSERT_EQ(sn.max_id, id);
		kid = 0;
		if (cycles % 2 == 0) {
			sn.win[sn.max_id + 1].start = now_ns();
			__atomic_store_n(&sn.max_id, sn.max_id + 1, __ATOMIC_RELEASE);
			ASSERT_EQ(0, mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &kid));
			ASSERT_EQ(sn.max_id, kid);
		}
		usleep(cycles % 7 * 300);
		ASSERT_EQ(0, mw_detach(&s, id));
		__atomic_store_n(&sn.win[id].end, now_ns(), __ATOMIC_RELEASE);
		if (kid) {
			ASSERT_EQ(0, mw_detach(&s, kid));
			__atomic_store_n(&sn.win[kid].end, now_ns(), __ATOMIC_RELEASE);
		}
		cycles++;
	}
	mwt_spinner_stop(&sp[0]);
	mwt_spinner_stop(&sp[1]);
	ASSERT_EQ(0, mw_disable(&s));
	__atomic_store_n(&rd.stop, 1, __ATOMIC_RELEASE);
	pthread_join(rd.th, NULL);
	ASSERT_EQ(0, rd.err) TH_LOG("drain: %s", mw_error());
	ASSERT_LE(0, mw_drain(&s, see, &sn));

	calls = sp[0].made + sp[1].made;
	ASSERT_EQ(0, mw_probe_counters(&s, sn.base_id, &pc));
	ASSERT_EQ(0, mw_counters(&s, MAPWATCH_ALL_CPUS, &c));
	ksft_print_msg("attach_detach: %.0f s, %llu attach/detach cycles, %llu hammer calls, "
		       "%llu records (%llu of the steady probe), %llu lost\n", seconds(),
		       (unsigned long long)cycles, (unsigned long long)calls,
		       (unsigned long long)sn.events, (unsigned long long)sn.base,
		       (unsigned long long)sn.lost);
	fflush(stdout);
	/* The steady probe: every call hit it and was recorded. */
	EXPECT_EQ(calls, pc.hits);
	EXPECT_EQ(calls, pc.recorded);
	EXPECT_EQ(0, pc.filtered);
	EXPECT_GE(calls, sn.base);
	EXPECT_LE(calls, sn.base + sn.lost);
	/* The stream is what the producer counted. */
	EXPECT_EQ(c.written, sn.events);
	EXPECT_EQ(c.lost_full + c.lost_nested, sn.lost);
	EXPECT_EQ(c.lost_reported, sn.lost);
	EXPECT_EQ(0, sn.unknown);
	EXPECT_EQ(0, sn.outside) TH_LOG("probe %u: a record at %llu outside its window %llu..%llu",
					sn.first_bad_id, (unsigned long long)sn.first_bad_time,
					(unsigned long long)sn.win[sn.first_bad_id].start,
					(unsigned long long)sn.win[sn.first_bad_id].end);
	EXPECT_LT(2, cycles);		/* it ran (about 4 a second under TCG) */
	mw_close(&s);
	free(sn.win);
}

/* ------------------------------------------------------------------------ */

static int delete_module(const char *name)
{
	return syscall(SYS_delete_module, name, O_NONBLOCK);
}

struct churn {
	uint64_t end;
	int base;		/* event numbers of this thread */
	int cpu;
	uint64_t sessions;
	char err[256];
	pthread_t th;
};

static void *churn_run(void *arg)
{
	struct churn *ch = arg;
	struct mwt_recs rs = {};
	int n = 0;

	mwt_pin(ch->cpu);
	while (!ch->err[0] && now_ns() < ch->end) {
		struct mw_session s;
		int who = ch->base + n++, mine = 0;
		uint32_t id;
		size_t i;

		if (mw_open(&s, NULL, 0) || mw_configure(&s, 1u << (n % 3), 0, 0, 0) ||
		    mw_pid(&s, MAPWATCH_PID_ADD, getpid()) ||
		    mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &id) || mw_enable(&s)) {
			snprintf(ch->err, sizeof(ch->err), "session %d: %s", n, mw_error());
			break;
		}
		mwt_event(who);
		if (n % 3 == 0) {
			mw_close(&s);	/* closed while enabled and mapped */
			ch->sessions++;
			continue;
		}
		if (mw_disable(&s) || mw_drain(&s, mwt_collect, &rs) < 0) {
			snprintf(ch->err, sizeof(ch->err), "drain: %s", mw_error());
			break;
		}
		for (i = 0; i < rs.nr; i++)
			mine += rs.r[i].tid == (uint32_t)mwt_gettid() && rs.r[i].who == who;
		if (mine != 1 || rs.lost)
			snprintf(ch->err, sizeof(ch->err), "session %d: %d records of its event, "
				 "%llu lost", n, mine, (unsigned long long)rs.lost);
		mwt_recs_free(&rs);
		mw_close(&s);
		ch->sessions++;
	}
	return NULL;
}

TEST_F_TIMEOUT(stress, session_churn, 900)
{
	struct churn ch[2];
	struct mwt_spinner sp;
	uint64_t end = deadline(), tries = 0;
	int holder, i;

	/* Held all along: the module must never go away under the churn. */
	holder = mwt_open();
	ASSERT_LE(0, holder);
	/* calls only: each session's events are the churn threads' own */
	ASSERT_EQ(0, mwt_spinner_start(&sp, -1, hammer_quiet));
	for (i = 0; i < 2; i++) {
		memset(&ch[i], 0, sizeof(ch[i]));
		ch[i].end = end;
		ch[i].base = (i + 1) * 1000000;
		ch[i].cpu = mwt_nth_cpu(i) < 0 ? 0 : mwt_nth_cpu(i);
		ASSERT_EQ(0, pthread_create(&ch[i].th, NULL, churn_run, &ch[i]));
	}
	while (now_ns() < end) {
		ASSERT_EQ(-1, delete_module("mapwatch")) TH_LOG("rmmod succeeded under load");
		ASSERT_EQ(EWOULDBLOCK, errno);
		tries++;
		usleep(2000);
	}
	for (i = 0; i < 2; i++)
		pthread_join(ch[i].th, NULL);
	mwt_spinner_stop(&sp);
	close(holder);
	ksft_print_msg("session_churn: %.0f s, %llu + %llu sessions, %llu rmmod attempts refused\n",
		       seconds(), (unsigned long long)ch[0].sessions,
		       (unsigned long long)ch[1].sessions, (unsigned long long)tries);
	fflush(stdout);
	for (i = 0; i < 2; i++)
		EXPECT_STREQ("", ch[i].err);
	EXPECT_LT(0, ch[0].sessions);
	EXPECT_LT(0, ch[1].sessions);
}

/* ------------------------------------------------------------------------ */

/* The killed reader: traces @pid's hammer calls and drains until killed. */
static void reader_child(int bin, uint64_t off, pid_t pid, int ready)
{
	struct mwt_recs rs = {};
	struct mw_session s;
	uint32_t id;

	if (mw_open(&s, NULL, 0) || mw_configure(&s, 4, 0, 0, 0) ||
	    mw_pid(&s, MAPWATCH_PID_ADD, pid) ||
	    mw_uprobe_attach(&s, bin, off, 0, emit_args, ARRAY_SIZE(emit_args), 0, &id) ||
	    mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &id) || mw_enable(&s))
		_exit(1);
	if (write(ready, "r", 1) != 1)
		_exit(2);
	for (;;) {
		mw_drain(&s, mwt_collect, &rs);
		mwt_recs_free(&rs);
	}
}

TEST_F_TIMEOUT(stress, reader_killed, 900)
{
	struct mwt_spinner sp[2];
	uint64_t end = deadline(), kills = 0;
	unsigned int seed = 1;

	ASSERT_EQ(0, mwt_spinner_start(&sp[0], mwt_nth_cpu(0), hammer));
	ASSERT_EQ(0, mwt_spinner_start(&sp[1], mwt_nth_cpu(1), hammer));
	while (now_ns() < end) {
		int ready[2], status;
		pid_t pid;
		char c;

		ASSERT_EQ(0, pipe(ready));
		pid = fork();
		ASSERT_LE(0, pid);
		if (pid == 0) {
			close(ready[0]);
			reader_child(self->bin, self->off, getppid(), ready[1]);
		}
		close(ready[1]);
		ASSERT_EQ(1, read(ready[0], &c, 1)) TH_LOG("the reader could not set up");
		close(ready[0]);
		usleep(rand_r(&seed) % 50000);
		ASSERT_EQ(0, kill(pid, SIGKILL));
		ASSERT_EQ(pid, waitpid(pid, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		kills++;
	}
	mwt_spinner_stop(&sp[0]);
	mwt_spinner_stop(&sp[1]);
	ksft_print_msg("reader_killed: %.0f s, %llu readers killed while draining\n", seconds(),
		       (unsigned long long)kills);
	fflush(stdout);
	EXPECT_LT(0, kills);
}

/* ------------------------------------------------------------------------ */

/*
 * A thread that hits a breakpoint as its probe goes is still in the kernel
 * when the breakpoint is out and the uprobe gone.  If another thread of the
 * process meanwhile hits the same place, finds no uprobe and so clears the
 * process's "has uprobes" mark, the first one's trap is taken for a
 * debugger's and the process dies of SIGTRAP (arm64, where the trap is
 * judged with interrupts on: on 7.3 under qemu, 6 runs in 8 died before
 * the module kept the uprobe over a grace period, none in 16 since: see
 * uprobes.c).  Two threads per CPU, so that one is often preempted there;
 * between cycles nothing is probed, so no new breakpoint sets the mark.
 */
TEST_F_TIMEOUT(stress, last_probe_detached, 900)
{
	uint64_t end = deadline(), cycles = 0, hits = 0, calls = 0;
	struct mapwatch_probe_counters pc;
	struct mwt_spinner sp[4];
	unsigned int seed = 1;
	struct mw_session s;
	uint32_t id;
	int i;

	ASSERT_EQ(0, mw_open(&s, NULL, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_configure(&s, 4, 0, 0, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_ADD, getpid())) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_enable(&s));
	for (i = 0; i < 4; i++)
		ASSERT_EQ(0, mwt_spinner_start(&sp[i], mwt_nth_cpu(i % 2), hammer_quiet));
	while (now_ns() < end) {
		ASSERT_EQ(0, mw_uprobe_attach(&s, self->bin, self->off, 0, emit_first,
					      ARRAY_SIZE(emit_first), 0, &id)) TH_LOG("%s", mw_error());
		usleep(rand_r(&seed) % 3000);
		ASSERT_EQ(0, mw_probe_counters(&s, id, &pc));
		hits += pc.hits;
		ASSERT_EQ(0, mw_detach(&s, id));
		usleep(rand_r(&seed) % 3000);
		cycles++;
	}
	for (i = 0; i < 4; i++) {
		mwt_spinner_stop(&sp[i]);
		calls += sp[i].made;
	}
	mw_close(&s);
	ksft_print_msg("last_probe_detached: %.0f s, %llu cycles, %llu calls, %llu hits\n",
		       seconds(), (unsigned long long)cycles, (unsigned long long)calls,
		       (unsigned long long)hits);
	fflush(stdout);
	EXPECT_LT(2, cycles);
	/* The threads ran through the probe while it was there. */
	EXPECT_LT(cycles, hits);
}

/* ------------------------------------------------------------------------ */

#define EXEC_EVENTS	10

/* Its own events 0..9 and stress_target() calls, then mwt_trigger's 10..19. */
static pid_t exec_child(const char *trigger, int gate_rd)
{
	char first[16], count[16];
	pid_t pid = fork();
	char c;
	int i;

	if (pid)
		return pid;
	if (read(gate_rd, &c, 1) != 1)
		_exit(1);
	for (i = 0; i < EXEC_EVENTS; i++) {
		mwt_event(i);
		target(i, MAGIC);
	}
	snprintf(first, sizeof(first), "%d", EXEC_EVENTS);
	snprintf(count, sizeof(count), "%d", EXEC_EVENTS);
	execl(trigger, trigger, first, count, (char *)NULL);
	_exit(3);
}

TEST_F_TIMEOUT(stress, exec_exit, 900)
{
	struct mwt_recs rs = {};
	struct mw_session s;
	char trigger[4096], *slash;
	uint64_t end = deadline(), children = 0;
	uint32_t kid, uid;

	ASSERT_LT(0, readlink("/proc/self/exe", trigger, sizeof(trigger) - 32));
	trigger[sizeof(trigger) - 32] = '\0';
	slash = strrchr(trigger, '/');
	ASSERT_NE(NULL, slash);
	strcpy(slash + 1, "mwt_trigger");
	ASSERT_EQ(0, access(trigger, X_OK)) TH_LOG("%s: build it (make -C selftests)", trigger);

	ASSERT_EQ(0, mw_open(&s, NULL, 0));
	ASSERT_EQ(0, mw_configure(&s, RING_PAGES, 0, 0, 0));
	ASSERT_EQ(0, mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &kid));
	ASSERT_EQ(0, mw_uprobe_attach(&s, self->bin, self->off, 0, emit_args,
				      ARRAY_SIZE(emit_args), 0, &uid));
	ASSERT_EQ(0, mw_enable(&s));
	while (now_ns() < end) {
		int gate[2][2], st, i;
		pid_t pid[2];

		for (i = 0; i < 2; i++) {
			ASSERT_EQ(0, pipe(gate[i]));
			pid[i] = exec_child(trigger, gate[i][0]);
			ASSERT_LE(0, pid[i]);
			close(gate[i][0]);
			ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_ADD, pid[i])) TH_LOG("%s", mw_error());
		}
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(1, write(gate[i][1], "g", 1));
			close(gate[i][1]);
		}
		for (i = 0; i < 2; i++) {
			ASSERT_EQ(pid[i], waitpid(pid[i], &st, 0));
			ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
		}
		/* Exited: the pids may be anyone's next; forget them. */
		ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_CLEAR, 0));
		ASSERT_LE(0, mw_drain(&s, mwt_collect, &rs)) TH_LOG("%s", mw_error());
		ASSERT_EQ(0, rs.lost);
		/* exec moves a task to another CPU, and rings drain CPU by CPU */
		mwt_recs_sort_by_time(&rs);
		for (i = 0; i < 2; i++) {
			int next_ev = 0, calls = 0;
			size_t j;

			for (j = 0; j < rs.nr; j++) {
				if (rs.r[j].tgid != (uint32_t)pid[i])
					continue;
				if (rs.r[j].probe_id == kid) {
					EXPECT_EQ(next_ev, rs.r[j].which == MWT_WHICH ? rs.r[j].who : -1);
					next_ev++;
				} else {
					EXPECT_EQ(uid, rs.r[j].probe_id);
					calls++;
				}
			}
			EXPECT_EQ(2 * EXEC_EVENTS, next_ev) TH_LOG("child %d", pid[i]);
			EXPECT_EQ(EXEC_EVENTS, calls) TH_LOG("child %d", pid[i]);
		}
		/* Nothing of anyone else: this process is not traced. */
		EXPECT_EQ(rs.nr, (size_t)(2 * 3 * EXEC_EVENTS));
		mwt_recs_free(&rs);
		children += 2;
		if (_metadata->passed == 0)
			break;
	}
	ASSERT_EQ(0, mw_disable(&s));
	mw_close(&s);
	ksft_print_msg("exec_exit: %.0f s, %llu traced children exec'd and exited\n", seconds(),
		       (unsigned long long)children);
	fflush(stdout);
}

/* ------------------------------------------------------------------------ */

static int copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in, out, ret = -1;
	ssize_t n;

	in = open(from, O_RDONLY | O_CLOEXEC);
	out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0755);
	if (in < 0 || out < 0)
		goto out;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, n) != n)
			goto out;
	ret = n == 0 ? 0 : -1;
out:
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return ret;
}

#define HAMMER_CALLS	100

/*
 * Run @path --hammer; once it runs (exec done), it says so and waits for
 * @gate before its calls.
 */
static pid_t run_copy(const char *path, int *gate_wr)
{
	int gate[2], ready[2];
	char g[16], r[16], c;
	pid_t pid;

	if (pipe(gate) || pipe(ready))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		close(ready[0]);
		snprintf(g, sizeof(g), "%d", gate[0]);
		snprintf(r, sizeof(r), "%d", ready[1]);
		execl(path, path, "--hammer", g, r, (char *)NULL);
		_exit(3);
	}
	close(gate[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1)
		pid = -1;
	close(ready[0]);
	*gate_wr = gate[1];
	return pid;
}

static int records_of(struct mw_session *s, pid_t pid)
{
	struct mwt_recs rs = {};
	int n = 0;
	size_t i;

	if (mw_drain(s, mwt_collect, &rs) < 0)
		return -1;
	for (i = 0; i < rs.nr; i++)
		n += rs.r[i].tgid == (uint32_t)pid;
	mwt_recs_free(&rs);
	return n;
}

TEST_F_TIMEOUT(stress, unlinked_binary, 900)
{
	char path[] = "/tmp/mapwatch-stress-XXXXXX";
	struct mw_session s;
	int fd, gate, st, n;
	uint32_t id;
	pid_t pid;

	fd = mkstemp(path);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fchmod(fd, 0755));
	close(fd);
	ASSERT_EQ(0, copy_file("/proc/self/exe", path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, mw_open(&s, NULL, 0));
	ASSERT_EQ(0, mw_configure(&s, 16, 0, 0, 0));
	ASSERT_EQ(0, mw_uprobe_attach(&s, fd, self->off, 0, emit_args, ARRAY_SIZE(emit_args),
				      0, &id));
	close(fd);
	ASSERT_EQ(0, mw_enable(&s));

	/* Running, then unlinked before its calls: the probe stays. */
	pid = run_copy(path, &gate);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_ADD, pid));
	ASSERT_EQ(0, unlink(path));
	ASSERT_EQ(1, write(gate, "g", 1));
	close(gate);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %#x", st);
	n = records_of(&s, pid);
	EXPECT_EQ(HAMMER_CALLS, n);
	ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_CLEAR, 0));

	/* A new file under the name: another inode, not probed. */
	ASSERT_EQ(0, copy_file("/proc/self/exe", path));
	pid = run_copy(path, &gate);
	ASSERT_LE(0, pid);
	ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_ADD, pid));
	ASSERT_EQ(1, write(gate, "g", 1));
	close(gate);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) TH_LOG("status %#x", st);
	EXPECT_EQ(0, records_of(&s, pid));
	unlink(path);
	ASSERT_EQ(0, mw_disable(&s));
	mw_close(&s);
	ksft_print_msg("unlinked_binary: %d calls through the unlinked copy, 0 through the new file\n",
		       n);
	fflush(stdout);
}

/* ------------------------------------------------------------------------ */

/*
 * The uprobe core keeps the probed inode, not its mount: unmounting under a
 * probe (or under the guard a detached probe leaves for a grace period,
 * uprobes.c) would free the filesystem the inode lives in.  So a probe
 * holds its binary's path, and the unmount fails.
 */
TEST_F_TIMEOUT(stress, mounted_binary, 300)
{
	char dir[] = "/tmp/mapwatch-mnt-XXXXXX", path[PATH_MAX];
	struct mw_session s;
	int fd, ret, ms;
	uint32_t id;

	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("mapwatch", dir, "tmpfs", 0, "size=16m")) TH_LOG("%s", strerror(errno));
	snprintf(path, sizeof(path), "%s/copy", dir);
	ASSERT_EQ(0, copy_file("/proc/self/exe", path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, mw_open(&s, NULL, 0));
	ASSERT_EQ(0, mw_uprobe_attach(&s, fd, self->off, 0, emit_first, ARRAY_SIZE(emit_first),
				      0, &id)) TH_LOG("%s", mw_error());
	close(fd);
	/* Neither the file nor the session keeps it busy: only the probe. */
	ASSERT_EQ(-1, umount(dir)) TH_LOG("unmounted under an attached probe");
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, mw_detach(&s, id));
	mw_close(&s);
	for (ms = 0; (ret = umount(dir)) && errno == EBUSY && ms < 120000; ms += 10)
		usleep(10000);
	ASSERT_EQ(0, ret) TH_LOG("umount %s: %s after %d ms", dir, strerror(errno), ms);
	ksft_print_msg("mounted_binary: unmounted %d ms after the session closed\n", ms);
	fflush(stdout);
	ASSERT_EQ(0, rmdir(dir));
}

/* A copy run by unlinked_binary: HAMMER_CALLS calls once its gate opens. */
static int hammer_main(const char *gate, const char *ready)
{
	char c;
	int i;

	if (write(atoi(ready), "r", 1) != 1 || read(atoi(gate), &c, 1) != 1)
		return 1;
	for (i = 0; i < HAMMER_CALLS; i++)
		target(i, MAGIC);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "--hammer"))
		return hammer_main(argv[2], argv[3]);
	if (access(MAPWATCH_DEVICE, F_OK)) {
		ksft_print_header();
		if (mwt_strict())
			ksft_exit_fail_msg("%s missing: the mapwatch module is not loaded\n",
					   MAPWATCH_DEVICE);
		ksft_exit_skip("%s missing: load the mapwatch module\n", MAPWATCH_DEVICE);
	}
	return test_harness_run(argc, argv);
}
