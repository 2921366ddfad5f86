// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/session_test.c - mapwatch session lifetime.
 *
 * A session lives as long as its file: closing it (even with events in
 * flight on another CPU), or killing the process holding it, detaches
 * everything and drops the module reference.  Sessions are independent,
 * and PID DEL/CLEAR and DETACH stop the records they should.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"


/* The spinner's work: one traced event. */
static void spin_event(uint64_t n)
{
	mwt_event(n);
}

FIXTURE(session) {
	struct mw_session s;	/* s.fd == -1: not open */
	uint32_t probe_id;
	struct mwt_recs rs;
	int refcnt;		/* the module's reference count before the test */
};

FIXTURE_SETUP(session)
{
	self->s.fd = -1;
	self->refcnt = mwt_module_refcnt();
	ASSERT_LE(0, self->refcnt);
	ASSERT_EQ(0, mw_open(&self->s, NULL, 0)) TH_LOG("%s", mw_error());
}

FIXTURE_TEARDOWN(session)
{
	mwt_recs_free(&self->rs);
	if (self->s.fd != -1)
		mw_close(&self->s);
}

/* Configure and map the rings, trace this process, attach, enable. */
static void start(struct __test_metadata *_metadata, struct mw_session *s, uint32_t *probe_id)
{
	ASSERT_EQ(0, mw_configure(s, 16, 0, 0, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_pid(s, MAPWATCH_PID_ADD, getpid())) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_kprobe_attach(s, MAPWATCH_KPROBE_GETPRIORITY, probe_id))
		TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_enable(s)) TH_LOG("%s", mw_error());
}

/* The "who" values of the EVENT records in @rs, in time order, are @want. */
static void assert_whos(struct __test_metadata *_metadata, struct mwt_recs *rs,
			const int *want, size_t nr)
{
	size_t i;

	mwt_recs_sort_by_time(rs);
	ASSERT_EQ(nr, rs->nr);
	for (i = 0; i < nr; i++) {
		ASSERT_EQ(MAPWATCH_REC_EVENT, rs->r[i].type);
		ASSERT_EQ(want[i], rs->r[i].who) TH_LOG("record %zu", i);
	}
}

/*
 * The harness's 30 s default would be the limit of 6 closes, each of which
 * may wait for the kprobe optimizer (mwt_wait_refcnt()): a safety net only.
 */
TEST_F_TIMEOUT(session, close_with_events_in_flight, 300)
{
	struct mwt_spinner sp;
	struct mapwatch_counters c;
	int round;

	/* The spinner stays on the other CPU, in and out of the handler. */
	ASSERT_EQ(0, mwt_spinner_start(&sp, mwt_nth_cpu(1), spin_event));
	for (round = 0; round < 6; round++) {
		if (round)
			ASSERT_EQ(0, mw_open(&self->s, NULL, 0)) TH_LOG("%s", mw_error());
		start(_metadata, &self->s, &self->probe_id);
		ASSERT_EQ(self->refcnt + 1, mwt_module_refcnt());
		ASSERT_EQ(0, mwt_spinner_wait(&sp, 100));
		ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
		ASSERT_LT(0, c.produced);
		if (round % 2) {
			/* The file first: the mappings keep the session alive... */
			ASSERT_EQ(0, close(self->s.fd));
			self->s.fd = -1;
			ASSERT_EQ(0, mwt_spinner_wait(&sp, 100));
			ASSERT_EQ(self->refcnt + 1, mwt_module_refcnt());
			/* ...and the last unmap ends it. */
			mw_close(&self->s);
		} else {
			/* Unmapped and closed. */
			mw_close(&self->s);
		}
		/* Released while the spinner goes on. */
		ASSERT_EQ(0, mwt_wait_refcnt(self->refcnt)) TH_LOG("round %d", round);
		ASSERT_EQ(0, mwt_spinner_wait(&sp, 100));
	}
	mwt_spinner_stop(&sp);
	/* New sessions still work. */
	ASSERT_EQ(0, mwt_session_works(4242)) TH_LOG("%s", mw_error());
}

TEST_F(session, killing_the_reader_releases_its_session)
{
	int ready[2], round;

	for (round = 0; round < 3; round++) {
		pid_t parent = getpid(), reader;
		int status;
		char c;

		ASSERT_EQ(0, pipe(ready));
		reader = fork();
		ASSERT_LE(0, reader);
		if (reader == 0) {
			struct mw_session s;
			struct mwt_recs rs = {};
			uint32_t id;

			/* A reader tracing its parent, draining until killed. */
			if (mw_open(&s, NULL, 0) || mw_configure(&s, 4, 0, 0, 10) ||
			    mw_pid(&s, MAPWATCH_PID_ADD, parent) ||
			    mw_kprobe_attach(&s, MAPWATCH_KPROBE_GETPRIORITY, &id) ||
			    mw_enable(&s) || write(ready[1], "r", 1) != 1)
				_exit(1);
			for (;;) {
				mw_wait(&s, 1000);
				mw_drain(&s, mwt_collect, &rs);
				if (rs.nr > 100000)
					mwt_recs_free(&rs);
			}
		}
		close(ready[1]);
		ASSERT_EQ(1, read(ready[0], &c, 1));
		close(ready[0]);
		ASSERT_EQ(self->refcnt + 2, mwt_module_refcnt());

		/* Mid-stream: events before and after the kill. */
		mwt_events(0, 300);
		ASSERT_EQ(0, kill(reader, SIGKILL));
		mwt_events(300, 300);
		ASSERT_EQ(reader, waitpid(reader, &status, 0));
		ASSERT_TRUE(WIFSIGNALED(status));
		ASSERT_EQ(SIGKILL, WTERMSIG(status));
		/* Its session is gone; ours is untouched. */
		ASSERT_EQ(0, mwt_wait_refcnt(self->refcnt + 1));
		mwt_events(600, 10);
	}
	ASSERT_EQ(0, mwt_session_works(4243)) TH_LOG("%s", mw_error());
}

/* A child that makes events first .. first + n - 1 once its gate opens. */
static pid_t gated_child(int first, int n, int *gate_wr)
{
	int gate[2];
	pid_t pid;
	char c;

	if (pipe(gate))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		if (read(gate[0], &c, 1) != 1)
			_exit(1);
		mwt_events(first, n);
		_exit(0);
	}
	close(gate[0]);
	*gate_wr = gate[1];
	return pid;
}

TEST_F(session, several_sessions_each_see_their_own_events)
{
	enum { NR = 3, N = 200 };
	struct mw_session all = { .fd = -1 };
	struct mw_session s[NR];
	struct mwt_recs rs[NR + 1] = {};
	uint32_t id[NR + 1];
	pid_t kid[NR];
	int gate[NR], i, j, status;

	for (i = 0; i < NR; i++)
		s[i].fd = -1;
	for (i = 0; i < NR; i++) {
		kid[i] = gated_child(i * 1000, N, &gate[i]);
		ASSERT_LT(0, kid[i]);
	}
	/* Session i traces child i; one more session traces them all. */
	ASSERT_EQ(0, mw_open(&all, NULL, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_configure(&all, 16, 0, 0, 0)) TH_LOG("%s", mw_error());
	for (i = 0; i < NR; i++) {
		ASSERT_EQ(0, mw_open(&s[i], NULL, 0)) TH_LOG("%s", mw_error());
		ASSERT_EQ(0, mw_configure(&s[i], 8, 0, 0, 0)) TH_LOG("%s", mw_error());
		ASSERT_EQ(0, mw_pid(&s[i], MAPWATCH_PID_ADD, kid[i]));
		ASSERT_EQ(0, mw_pid(&all, MAPWATCH_PID_ADD, kid[i]));
		ASSERT_EQ(0, mw_kprobe_attach(&s[i], MAPWATCH_KPROBE_GETPRIORITY, &id[i]));
		ASSERT_EQ(0, mw_enable(&s[i]));
	}
	ASSERT_EQ(0, mw_kprobe_attach(&all, MAPWATCH_KPROBE_GETPRIORITY, &id[NR]));
	ASSERT_EQ(0, mw_enable(&all));
	ASSERT_EQ(self->refcnt + NR + 2, mwt_module_refcnt());

	/* All children at once, and this process, which nobody traces here. */
	for (i = 0; i < NR; i++)
		ASSERT_EQ(1, write(gate[i], "g", 1));
	mwt_events(5000, 50);
	for (i = 0; i < NR; i++) {
		ASSERT_EQ(kid[i], waitpid(kid[i], &status, 0));
		ASSERT_EQ(0, status);
		close(gate[i]);
	}

	for (i = 0; i < NR; i++) {
		ASSERT_EQ(0, mw_disable(&s[i]));
		ASSERT_EQ(N, mw_drain(&s[i], mwt_collect, &rs[i]));
		mwt_recs_sort_by_time(&rs[i]);
		/* Exactly child i's events, in order, under this session's probe. */
		for (j = 0; j < N; j++) {
			ASSERT_EQ(i * 1000 + j, rs[i].r[j].who);
			ASSERT_EQ((uint32_t)kid[i], rs[i].r[j].tgid);
			ASSERT_EQ(id[i], rs[i].r[j].probe_id);
		}
	}
	/* The session tracing everyone saw every child's events too. */
	ASSERT_EQ(0, mw_disable(&all));
	ASSERT_EQ(NR * N, mw_drain(&all, mwt_collect, &rs[NR]));
	mwt_recs_sort_by_time(&rs[NR]);
	for (i = 0; i < NR; i++) {
		int seen = 0;

		for (j = 0; j < (int)rs[NR].nr; j++)
			if (rs[NR].r[j].tgid == (uint32_t)kid[i])
				ASSERT_EQ(i * 1000 + seen++, rs[NR].r[j].who);
		ASSERT_EQ(N, seen);
	}

	for (i = 0; i <= NR; i++)
		mwt_recs_free(&rs[i]);
	for (i = 0; i < NR; i++)
		mw_close(&s[i]);
	mw_close(&all);
	ASSERT_EQ(self->refcnt + 1, mwt_module_refcnt());
}

TEST_F(session, pid_del_stops_records)
{
	const int want[] = { 0, 1, 2, 3, 4, 20, 21, 22, 23, 24 };

	start(_metadata, &self->s, &self->probe_id);
	mwt_events(0, 5);
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_DEL, getpid()));
	mwt_events(10, 5);
	/* Traced again from the next call on. */
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
	mwt_events(20, 5);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &self->rs));
	assert_whos(_metadata, &self->rs, want, ARRAY_SIZE(want));
}

/*
 * A tracer that follows short-lived processes: ADD a child, let it make
 * its events and exit, reap it, DEL it -- more times than a session has
 * slots.  DEL of a reaped process frees its slot (it is found by its
 * number among the traced), so ADD never runs out; each child's events
 * are recorded.  A number that was never traced is still ESRCH.
 */
TEST_F(session, a_reaped_process_gives_its_slot_back)
{
	const int rounds = MAPWATCH_MAX_PIDS + 8;
	int gate, i, status;
	pid_t kid;

	start(_metadata, &self->s, &self->probe_id);
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_DEL, getpid()));
	for (i = 0; i < rounds; i++) {
		kid = gated_child(i * 10, 2, &gate);
		ASSERT_LT(0, kid);
		ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, kid)) TH_LOG("round %d", i);
		ASSERT_EQ(1, write(gate, "g", 1));
		close(gate);
		ASSERT_EQ(kid, waitpid(kid, &status, 0));
		ASSERT_EQ(0, status);
		ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_DEL, kid)) TH_LOG("round %d", i);
		/* Gone from the set: a second DEL finds nothing. */
		ASSERT_EQ(-ESRCH, mw_pid(&self->s, MAPWATCH_PID_DEL, kid));
	}
	/* Every slot is free: a live process is added. */
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &self->rs));
	mwt_recs_sort_by_time(&self->rs);
	ASSERT_EQ(2 * rounds, self->rs.nr);
	for (i = 0; i < 2 * rounds; i++)
		ASSERT_EQ(i / 2 * 10 + i % 2, self->rs.r[i].who) TH_LOG("record %d", i);
}

TEST_F(session, pid_clear_stops_records)
{
	const int want[] = { 0, 1, 2, 3, 4 };
	int gate;
	pid_t kid = gated_child(100, 5, &gate);

	ASSERT_LT(0, kid);
	start(_metadata, &self->s, &self->probe_id);
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, kid));
	mwt_events(0, 5);
	/* Everyone out: neither this process nor the child is traced. */
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_CLEAR, 0));
	ASSERT_EQ(1, write(gate, "g", 1));
	mwt_events(10, 5);
	ASSERT_EQ(kid, waitpid(kid, NULL, 0));
	close(gate);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &self->rs));
	assert_whos(_metadata, &self->rs, want, ARRAY_SIZE(want));
	ASSERT_EQ(-ENOENT, mw_pid(&self->s, MAPWATCH_PID_DEL, getpid()));
}

TEST_F(session, detach_stops_records)
{
	struct mapwatch_probe_counters pc;
	uint32_t again;
	size_t i;

	start(_metadata, &self->s, &self->probe_id);
	mwt_events(0, 5);
	ASSERT_EQ(0, mw_detach(&self->s, self->probe_id));
	mwt_events(10, 5);
	/* A new probe, a new id; its records carry it. */
	ASSERT_EQ(0, mw_kprobe_attach(&self->s, MAPWATCH_KPROBE_GETPRIORITY, &again));
	ASSERT_NE(self->probe_id, again);
	mwt_events(20, 5);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(10, mw_drain(&self->s, mwt_collect, &self->rs));
	/* This task may have moved to the other CPU between the bursts. */
	mwt_recs_sort_by_time(&self->rs);
	for (i = 0; i < 10; i++) {
		ASSERT_EQ((int)(i < 5 ? i : 15 + i), self->rs.r[i].who);
		ASSERT_EQ(i < 5 ? self->probe_id : again, self->rs.r[i].probe_id);
	}
	/* The detached probe's counters went with it. */
	ASSERT_EQ(-ENOENT, mw_probe_counters(&self->s, self->probe_id, &pc));
	ASSERT_EQ(0, mw_probe_counters(&self->s, again, &pc));
	ASSERT_EQ(5, pc.recorded);
}

TEST_F_TIMEOUT(session, detach_returns_after_the_last_record, 300)
{
	struct mapwatch_counters before, after;
	struct mwt_spinner sp;

	start(_metadata, &self->s, &self->probe_id);
	ASSERT_EQ(0, mwt_spinner_start(&sp, mwt_nth_cpu(1), spin_event));
	ASSERT_EQ(0, mwt_spinner_wait(&sp, 200));
	/* Detached under fire: once it returns, nothing more is recorded. */
	ASSERT_EQ(0, mw_detach(&self->s, self->probe_id));
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &before));
	ASSERT_EQ(0, mwt_spinner_wait(&sp, 500));
	mwt_spinner_stop(&sp);
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &after));
	ASSERT_LT(0, before.produced);
	ASSERT_EQ(before.produced, after.produced);
	/* What was recorded is intact and in order. */
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &self->rs));
	ASSERT_EQ(after.written, self->rs.events);
	ASSERT_EQ(after.lost_reported, self->rs.lost);
}

TEST_F(session, a_forked_copy_of_the_fd_keeps_it_alive)
{
	pid_t kid;
	int status;

	start(_metadata, &self->s, &self->probe_id);
	kid = fork();
	ASSERT_LE(0, kid);
	if (kid == 0) {
		/* The child's copy goes away with the child. */
		close(self->s.fd);
		_exit(0);
	}
	ASSERT_EQ(kid, waitpid(kid, &status, 0));
	ASSERT_EQ(0, status);
	ASSERT_EQ(self->refcnt + 1, mwt_module_refcnt());
	mwt_event(9);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(1, mw_drain(&self->s, mwt_collect, &self->rs));
	ASSERT_EQ(9, self->rs.r[0].who);
}

MWT_HARNESS_MAIN
