// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/ring_test.c - mapwatch ring semantics on a 2-CPU machine.
 *
 * Events come from the getpriority kprobe, made by this process with a
 * sequence number as "who", so every record can be matched to the call
 * that made it: exactly once, in per-CPU order, or counted as lost.
 */
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"
#include "ring.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/* A thread's scheduler state letter from /proc ('S': sleeping), or 0. */
static char thread_state(pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' ? p[2] : 0;
}

/* Until @tid sleeps; 0, or -1 after a 30 s safety net. */
static int wait_asleep(pid_t tid)
{
	int i;

	for (i = 0; i < 30000; i++) {
		if (thread_state(tid) == 'S')
			return 0;
		usleep(1000);
	}
	return -1;
}

/* Events made by a thread pinned to one CPU, started with the others. */
struct gen {
	int cpu;
	int first, count;
	pid_t tid;
	int err;		/* errno of pinning, or 0 */
	pthread_barrier_t *go;
};

static void *gen_run(void *arg)
{
	struct gen *g = arg;

	g->err = mwt_pin(g->cpu) ? errno : 0;
	g->tid = mwt_gettid();
	pthread_barrier_wait(g->go);
	if (!g->err)
		mwt_events(g->first, g->count);
	return NULL;
}

/* Make @count events on each of @nr CPUs at once, "who" = i * count + k. */
static int gen_on_cpus(struct gen *g, const int *cpus, int nr, int count)
{
	pthread_barrier_t go;
	pthread_t th[8];
	int i, err = 0;

	pthread_barrier_init(&go, NULL, nr);
	for (i = 0; i < nr; i++) {
		g[i] = (struct gen){ .cpu = cpus[i], .first = i * count, .count = count, .go = &go };
		if (pthread_create(&th[i], NULL, gen_run, &g[i]))
			return -1;
	}
	for (i = 0; i < nr; i++) {
		pthread_join(th[i], NULL);
		if (g[i].err)
			err = -1;
	}
	pthread_barrier_destroy(&go);
	return err;
}

/* Walk every ring through the mapping without consuming anything. */
static int peek_all(struct mw_session *s, struct mwt_recs *rs)
{
	unsigned int cpu;

	for (cpu = 0; cpu < s->nr_cpus; cpu++) {
		const struct mw_cpu_ring *r = &s->cpu[cpu];
		const struct mapwatch_rec_hdr *hdr;
		u64 pos, end;
		u32 sz;

		if (!r->cons)
			continue;
		/* Pairs with the producer's smp_store_release() at commit. */
		end = smp_load_acquire(&r->prod->prod_pos);
		pos = mapwatch_ring_read_start(r->prod, READ_ONCE(r->cons->cons_pos));
		while ((hdr = mapwatch_ring_next(r->data, r->data_size, &pos, end, &sz))) {
			if (hdr == MAPWATCH_ERR_REC || mwt_recs_add(rs, cpu, hdr))
				return -1;
			pos += sz;
		}
	}
	return 0;
}

FIXTURE(ring) {
	struct mw_session s;	/* s.fd == -1: not open */
	uint32_t probe_id;
	struct mwt_recs rs;
	int cpu[2];		/* two CPUs this process may use */
};

FIXTURE_SETUP(ring)
{
	self->s.fd = -1;
	self->cpu[0] = mwt_nth_cpu(0);
	self->cpu[1] = mwt_nth_cpu(1);
	ASSERT_EQ(0, mw_open(&self->s, NULL, 0)) TH_LOG("%s", mw_error());
}

FIXTURE_TEARDOWN(ring)
{
	mwt_recs_free(&self->rs);
	if (self->s.fd != -1)
		mw_close(&self->s);
}

/* Configure and map the rings, trace this process, attach, enable. */
static void start(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self,
		  uint32_t pages, uint32_t flags, uint32_t watermark, uint32_t timer_ms)
{
	ASSERT_EQ(0, mw_configure(&self->s, pages, flags, watermark, timer_ms))
		TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid())) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_kprobe_attach(&self->s, MAPWATCH_KPROBE_GETPRIORITY, &self->probe_id))
		TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_enable(&self->s)) TH_LOG("%s", mw_error());
}

static void need_two_cpus(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self)
{
	if (self->cpu[1] < 0)
		MWT_SKIP(return, "needs two CPUs");
}

/* The fields every getpriority record of this test has. */
static void assert_event(struct __test_metadata *_metadata, FIXTURE_DATA(ring) *self,
			 const struct mwt_rec *r)
{
	ASSERT_EQ(MAPWATCH_REC_EVENT, r->type);
	ASSERT_EQ(0, r->flags);
	ASSERT_EQ(MWT_EVENT_SIZE, r->size);
	ASSERT_EQ(sizeof(struct mapwatch_kp_getpriority), r->payload_size);
	ASSERT_EQ(self->probe_id, r->probe_id);
	ASSERT_EQ((uint32_t)getpid(), r->tgid);
	ASSERT_EQ(r->ring, r->cpu);
	ASSERT_EQ(MWT_WHICH, r->which);
}

TEST_F(ring, events_from_two_cpus_arrive_once_in_cpu_order)
{
	const int n = 2000;
	struct mapwatch_counters c;
	struct mapwatch_probe_counters pc;
	struct gen g[2];
	int seen[2] = {}, i;
	uint64_t t0, t1, last[2] = {};

	need_two_cpus(_metadata, self);
	/* Room for everything: 2000 records of 40 bytes in 32 pages. */
	start(_metadata, self, 32, 0, 0, 0);
	t0 = now_ns();
	ASSERT_EQ(0, gen_on_cpus(g, self->cpu, 2, n));
	t1 = now_ns();
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(2 * n, mw_drain(&self->s, mwt_collect, &self->rs)) TH_LOG("%s", mw_error());

	ASSERT_EQ(2 * n, self->rs.nr);
	for (i = 0; i < (int)self->rs.nr; i++) {
		const struct mwt_rec *r = &self->rs.r[i];
		int k = r->ring == (unsigned int)self->cpu[0] ? 0 : 1;

		assert_event(_metadata, self, r);
		/* From the thread pinned to this CPU... */
		ASSERT_EQ(self->cpu[k], (int)r->ring);
		ASSERT_EQ((uint32_t)g[k].tid, r->tid);
		/* ...in the order it made them, none missing, none twice. */
		ASSERT_EQ(g[k].first + seen[k], r->who) TH_LOG("cpu %u record %d", r->ring, seen[k]);
		seen[k]++;
		/* CLOCK_MONOTONIC, in order on a CPU, within the run. */
		ASSERT_LE(last[k], r->time_ns);
		ASSERT_LE(t0, r->time_ns);
		ASSERT_GE(t1, r->time_ns);
		last[k] = r->time_ns;
	}
	ASSERT_EQ(n, seen[0]);
	ASSERT_EQ(n, seen[1]);

	/* The counters agree: all written, nothing lost. */
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
	ASSERT_EQ(2 * n, c.produced);
	ASSERT_EQ(2 * n, c.written);
	ASSERT_EQ(0, c.lost_full);
	ASSERT_EQ(0, c.lost_nested);
	ASSERT_EQ(0, c.lost_overwritten);
	ASSERT_EQ(0, c.lost_reported);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, mw_counters(&self->s, self->cpu[i], &c));
		ASSERT_EQ(n, c.written);
	}
	ASSERT_EQ(0, mw_probe_counters(&self->s, self->probe_id, &pc));
	ASSERT_EQ(2 * n, pc.recorded);
	ASSERT_EQ(0, pc.faults);
	ASSERT_EQ(pc.hits, pc.filtered + pc.recorded);
}

TEST_F(ring, small_ring_overflow_accounts_for_every_event)
{
	const int n = 1000, burst = 250;
	struct mapwatch_counters c;
	struct mapwatch_probe_counters pc;
	uint64_t pending = 0;
	int i, prev = -1;

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	/* One page holds about a hundred records: each burst overflows it. */
	start(_metadata, self, 1, 0, 0, 0);
	for (i = 0; i < n; i += burst) {
		mwt_events(i, burst);
		ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &self->rs));
	}
	/* Disabling reports the losses after the last record. */
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &self->rs));

	/* produced = consumed + lost, exactly. */
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
	ASSERT_EQ(n, c.produced);
	ASSERT_EQ(c.produced, c.written + c.lost_full + c.lost_nested);
	ASSERT_LT(0, c.lost_full);
	ASSERT_EQ(0, c.lost_nested);
	ASSERT_EQ(c.lost_full, c.lost_reported);
	ASSERT_EQ(c.written, self->rs.events);
	ASSERT_EQ(c.lost_full, self->rs.lost);
	ASSERT_EQ(n, self->rs.events + self->rs.lost);

	/* Each LOST record counts exactly the events missing before the next one. */
	for (i = 0; i < (int)self->rs.nr; i++) {
		const struct mwt_rec *r = &self->rs.r[i];

		ASSERT_EQ((unsigned int)self->cpu[0], r->ring);
		if (r->type == MAPWATCH_REC_LOST) {
			ASSERT_EQ(sizeof(struct mapwatch_rec_lost), r->size);
			ASSERT_EQ((uint32_t)self->cpu[0], r->cpu);
			ASSERT_EQ(0, r->reserved);
			ASSERT_LT(0, r->lost);
			pending += r->lost;
			continue;
		}
		assert_event(_metadata, self, r);
		ASSERT_EQ(r->who - prev - 1, (int)pending) TH_LOG("before who %d", r->who);
		pending = 0;
		prev = r->who;
	}
	ASSERT_EQ(n - 1 - prev, (int)pending);

	/* The probe handed every event to the ring. */
	ASSERT_EQ(0, mw_probe_counters(&self->s, self->probe_id, &pc));
	ASSERT_EQ(n, pc.recorded);
}

TEST_F(ring, overwrite_keeps_the_newest_records)
{
	const int n = 1000;
	struct mapwatch_counters c;
	char buf[64];
	int i, k;

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	start(_metadata, self, 1, MAPWATCH_RING_OVERWRITE, 0, 0);
	mwt_events(0, n);
	/* A flight recorder is read once stopped. */
	ASSERT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(EBUSY, errno);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LT(0, mw_drain(&self->s, mwt_collect, &self->rs)) TH_LOG("%s", mw_error());

	/* The last k events, in order, and a full ring of them. */
	k = self->rs.nr;
	ASSERT_EQ(k, (int)self->rs.events);
	ASSERT_LE((int)(self->s.cpu[self->cpu[0]].data_size / MWT_EVENT_SIZE) - 1, k);
	for (i = 0; i < k; i++) {
		assert_event(_metadata, self, &self->rs.r[i]);
		ASSERT_EQ(n - k + i, self->rs.r[i].who);
	}
	/* Everything else was overwritten, and counted so; nothing dropped. */
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
	ASSERT_EQ(n, c.produced);
	ASSERT_EQ(n, c.written);
	ASSERT_EQ(n - k, c.lost_overwritten);
	ASSERT_EQ(0, c.lost_full);
	ASSERT_EQ(0, c.lost_nested);
}

TEST_F(ring, overwrite_read_returns_the_same_records_as_mmap)
{
	struct mwt_recs viaread = {};

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	start(_metadata, self, 1, MAPWATCH_RING_OVERWRITE, 0, 0);
	mwt_events(0, 500);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(0, peek_all(&self->s, &self->rs));
	ASSERT_EQ(0, mwt_read_all(self->s.fd, &viaread));
	ASSERT_LT(0, self->rs.nr);
	ASSERT_EQ(self->rs.raw_len, viaread.raw_len);
	ASSERT_EQ(0, memcmp(self->rs.raw, viaread.raw, viaread.raw_len));
	ASSERT_EQ(499, viaread.r[viaread.nr - 1].who);
	mwt_recs_free(&viaread);
}

/*
 * read() into a buffer whose last page is PROT_NONE: the copy of one
 * record faults part-way.  The read returns the records before it, and
 * the next reads hand out the rest: every event exactly once
 * (produced = consumed + lost holds for read() as for the mapping).
 */
TEST_F(ring, a_read_that_faults_hands_each_record_out_once)
{
	const int n = 200, first_good = 7;
	long page = sysconf(_SC_PAGESIZE);
	struct mapwatch_counters c;
	uint8_t *map, *buf;
	ssize_t got;
	int i;

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	start(_metadata, self, 16, 0, 0, 0);
	mwt_events(0, n);
	ASSERT_EQ(0, mw_disable(&self->s));

	/* 7.5 records of room, then the PROT_NONE page. */
	map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, map);
	ASSERT_EQ(0, mprotect(map + page, page, PROT_NONE));
	buf = map + page - (first_good * MWT_EVENT_SIZE + MWT_EVENT_SIZE / 2);
	got = read(self->s.fd, buf, first_good * MWT_EVENT_SIZE + MWT_EVENT_SIZE + page);
	ASSERT_EQ(first_good * (ssize_t)MWT_EVENT_SIZE, got);
	ASSERT_EQ(0, mwt_recs_parse(&self->rs, buf, got));
	/* Nothing fits before the fault: EFAULT, and nothing is consumed. */
	buf = map + page - MWT_EVENT_SIZE / 2;
	ASSERT_EQ(-1, read(self->s.fd, buf, page));
	ASSERT_EQ(EFAULT, errno);
	munmap(map, 2 * page);
	ASSERT_EQ(0, mwt_read_all(self->s.fd, &self->rs));

	ASSERT_EQ(n, self->rs.nr);
	for (i = 0; i < n; i++) {
		assert_event(_metadata, self, &self->rs.r[i]);
		ASSERT_EQ(i, self->rs.r[i].who) TH_LOG("record %d", i);
	}
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
	ASSERT_EQ(n, c.produced);
	ASSERT_EQ(0, c.lost_full + c.lost_nested);
}

TEST_F(ring, read_and_mmap_return_identical_streams)
{
	const int n = 500;
	struct mwt_recs viaread = {};
	struct gen g[2];
	unsigned int cpu;
	char buf[64];

	need_two_cpus(_metadata, self);
	start(_metadata, self, 16, 0, 0, 0);
	ASSERT_EQ(0, gen_on_cpus(g, self->cpu, 2, n));
	ASSERT_EQ(0, mw_disable(&self->s));

	/* The mapping, looked at without consuming, then read(). */
	ASSERT_EQ(0, peek_all(&self->s, &self->rs));
	ASSERT_EQ(2 * n, self->rs.nr);
	ASSERT_EQ(0, mwt_read_all(self->s.fd, &viaread));
	/* Byte for byte the same records, in the same order. */
	ASSERT_EQ(self->rs.raw_len, viaread.raw_len);
	ASSERT_EQ(0, memcmp(self->rs.raw, viaread.raw, viaread.raw_len));

	/* read() consumed them: positions advanced, nothing left. */
	for (cpu = 0; cpu < self->s.nr_cpus; cpu++)
		if (self->s.cpu[cpu].cons)
			ASSERT_EQ(self->s.cpu[cpu].prod->prod_pos, self->s.cpu[cpu].cons->cons_pos);
	ASSERT_EQ(0, mw_drain(&self->s, mwt_collect, &viaread));
	ASSERT_EQ(0, read(self->s.fd, buf, sizeof(buf)));
	mwt_recs_free(&viaread);
}

static int stop_after_40(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	struct mwt_recs *rs = ctx;

	mwt_collect(ctx, cpu, hdr);
	return rs->nr == 40;
}

TEST_F(ring, read_continues_where_the_mmap_reader_stopped)
{
	struct mwt_recs rest = {};
	int i;

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	start(_metadata, self, 4, 0, 0, 0);
	mwt_events(0, 100);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(40, mw_drain(&self->s, stop_after_40, &self->rs));
	ASSERT_EQ(0, mwt_read_all(self->s.fd, &rest));
	/* Events 40..99, each once. */
	ASSERT_EQ(60, rest.nr);
	for (i = 0; i < 60; i++)
		ASSERT_EQ(40 + i, rest.r[i].who);
	mwt_recs_free(&rest);
}

TEST_F(ring, untraced_processes_make_no_records)
{
	struct mapwatch_probe_counters pc;
	pid_t child;
	int status;
	size_t i;

	start(_metadata, self, 4, 0, 0, 0);
	/* A child of the traced process is a process of its own. */
	child = fork();
	ASSERT_LE(0, child);
	if (child == 0) {
		mwt_events(1000, 100);
		_exit(0);
	}
	ASSERT_EQ(child, waitpid(child, &status, 0));
	ASSERT_EQ(0, status);
	mwt_events(0, 3);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(3, mw_drain(&self->s, mwt_collect, &self->rs));
	mwt_recs_sort_by_time(&self->rs);	/* not pinned: it may have moved */
	for (i = 0; i < 3; i++) {
		assert_event(_metadata, self, &self->rs.r[i]);
		ASSERT_EQ((int)i, self->rs.r[i].who);
	}
	ASSERT_EQ(0, mw_probe_counters(&self->s, self->probe_id, &pc));
	ASSERT_EQ(3, pc.recorded);
	ASSERT_LE(100, pc.filtered);
	ASSERT_EQ(pc.hits, pc.filtered + pc.recorded);
}

/* A thread that tells its id, then waits until its pipe closes. */
struct waiter {
	int rfd;
	pid_t tid;
};

static void *waiter_run(void *arg)
{
	struct waiter *w = arg;
	char c;

	__atomic_store_n(&w->tid, mwt_gettid(), __ATOMIC_RELEASE);
	return (void *)(long)read(w->rfd, &c, 1);
}

TEST_F(ring, a_thread_id_traces_its_whole_process)
{
	struct waiter w = {};
	pthread_t th;
	int gate[2];

	ASSERT_EQ(0, pipe(gate));
	w.rfd = gate[0];
	ASSERT_EQ(0, pthread_create(&th, NULL, waiter_run, &w));
	while (!__atomic_load_n(&w.tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	ASSERT_NE(getpid(), w.tid);

	ASSERT_EQ(0, mw_configure(&self->s, 4, 0, 0, 0)) TH_LOG("%s", mw_error());
	/* Named by another thread's id, the whole thread group is traced. */
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_ADD, w.tid));
	ASSERT_EQ(0, mw_kprobe_attach(&self->s, MAPWATCH_KPROBE_GETPRIORITY, &self->probe_id));
	ASSERT_EQ(0, mw_enable(&self->s));
	mwt_event(5);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(1, mw_drain(&self->s, mwt_collect, &self->rs));
	assert_event(_metadata, self, &self->rs.r[0]);
	ASSERT_EQ(5, self->rs.r[0].who);
	ASSERT_EQ((uint32_t)mwt_gettid(), self->rs.r[0].tid);
	/* And the group leader's id names the same entry. */
	ASSERT_EQ(0, mwt_pid(self->s.fd, MAPWATCH_PID_DEL, getpid()));

	close(gate[1]);
	ASSERT_EQ(0, pthread_join(th, NULL));
	close(gate[0]);
}

TEST_F(ring, disabled_sessions_record_nothing)
{
	struct mapwatch_probe_counters pc;

	start(_metadata, self, 4, 0, 0, 0);
	ASSERT_EQ(0, mw_disable(&self->s));
	mwt_events(0, 10);
	ASSERT_EQ(0, mw_enable(&self->s));
	mwt_events(10, 1);
	ASSERT_EQ(0, mw_disable(&self->s));
	mwt_events(11, 10);
	ASSERT_EQ(1, mw_drain(&self->s, mwt_collect, &self->rs));
	ASSERT_EQ(10, self->rs.r[0].who);
	/* Calls while disabled count as filtered. */
	ASSERT_EQ(0, mw_probe_counters(&self->s, self->probe_id, &pc));
	ASSERT_EQ(1, pc.recorded);
	ASSERT_LE(20, pc.filtered);
}

/* A thread blocked in poll() on the session, and what it got. */
struct poller {
	int fd;
	int timeout_ms;
	pid_t tid;
	int ret;
	short revents;
};

static void *poller_run(void *arg)
{
	struct poller *p = arg;
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };

	p->tid = mwt_gettid();
	p->ret = poll(&pfd, 1, p->timeout_ms);
	p->revents = pfd.revents;
	return NULL;
}

static void poller_start(struct __test_metadata *_metadata, struct poller *p, pthread_t *th,
			 int fd)
{
	*p = (struct poller){ .fd = fd, .timeout_ms = 60000, .tid = 0, .ret = -2 };
	ASSERT_EQ(0, pthread_create(th, NULL, poller_run, p));
	while (!__atomic_load_n(&p->tid, __ATOMIC_ACQUIRE))
		usleep(1000);
	/* Asleep in poll(). */
	ASSERT_EQ(0, wait_asleep(p->tid));
}

static int poll_now(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0);
}

/*
 * A stopped session (disabled after tracing): EPOLLIN while records are
 * left, then EPOLLHUP, when read() returns 0; a new ENABLE takes it back.
 * A poller asleep when DISABLE comes is woken.
 */
TEST_F(ring, poll_says_hup_once_a_stopped_session_is_read)
{
	struct pollfd pfd = { .fd = self->s.fd, .events = POLLIN };
	struct poller p;
	pthread_t th;
	char buf[64];

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	/* Neither the watermark nor the timer (10 s) wakes it. */
	start(_metadata, self, 4, 0, 4 * self->s.api.page_size, MAPWATCH_MAX_TIMER_MS);
	ASSERT_EQ(0, poll_now(self->s.fd));
	poller_start(_metadata, &p, &th, self->s.fd);
	mwt_events(0, 3);
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(1, p.ret);
	ASSERT_EQ(POLLIN, p.revents & (POLLIN | POLLERR | POLLHUP));

	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLIN, pfd.revents);
	ASSERT_EQ(3, mw_drain(&self->s, mwt_collect, &self->rs));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLHUP, pfd.revents);
	ASSERT_EQ(0, read(self->s.fd, buf, sizeof(buf)));

	ASSERT_EQ(0, mw_enable(&self->s));
	ASSERT_EQ(0, poll(&pfd, 1, 0));
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(1, poll(&pfd, 1, 0));
	ASSERT_EQ(POLLHUP, pfd.revents);
}

TEST_F(ring, poll_wakes_the_reader_at_the_watermark)
{
	const uint32_t wm = 20 * MWT_EVENT_SIZE;
	struct mapwatch_counters c;
	struct poller p;
	pthread_t th;
	uint64_t t0;

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	/* The timer only every 10 s: the watermark wakes the reader. */
	start(_metadata, self, 4, 0, wm, MAPWATCH_MAX_TIMER_MS);
	t0 = now_ns();
	ASSERT_EQ(0, poll_now(self->s.fd));
	poller_start(_metadata, &p, &th, self->s.fd);
	/* Below the watermark the reader sleeps on. */
	mwt_events(0, 19);
	ASSERT_EQ(0, poll_now(self->s.fd));
	if (now_ns() - t0 < 9000000000ULL) {
		ASSERT_EQ('S', thread_state(p.tid));
		ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
		ASSERT_EQ(0, c.wakeups);
	}
	/* The event that reaches it wakes the reader. */
	mwt_event(19);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(1, p.ret);
	ASSERT_EQ(POLLIN, p.revents & (POLLIN | POLLERR | POLLHUP));
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
	ASSERT_LE(1, c.wakeups);
	ASSERT_EQ(20, mw_drain(&self->s, mwt_collect, &self->rs));
	/* Drained: not readable any more. */
	ASSERT_EQ(0, poll_now(self->s.fd));
}

TEST_F(ring, poll_wakes_the_reader_on_the_timer)
{
	struct mapwatch_counters c;
	struct poller p;
	pthread_t th;
	int round;

	/* A watermark one event never reaches, a 50 ms timer. */
	start(_metadata, self, 4, 0, 4 * self->s.api.page_size, 50);
	for (round = 0; round < 3; round++) {
		poller_start(_metadata, &p, &th, self->s.fd);
		mwt_event(round);
		ASSERT_EQ(0, pthread_join(th, NULL));
		ASSERT_EQ(1, p.ret) TH_LOG("round %d", round);
		ASSERT_EQ(POLLIN, p.revents & (POLLIN | POLLERR | POLLHUP));
		ASSERT_EQ(1, mw_drain(&self->s, mwt_collect, &self->rs));
		ASSERT_EQ(round, self->rs.r[round].who);
		ASSERT_EQ(0, poll_now(self->s.fd));
	}
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
	ASSERT_LE(3, c.wakeups);
}

/* A reader that polls and drains until told to stop. */
struct reader {
	struct mw_session *s;
	struct mwt_recs *rs;
	int stop;
	long polls;
	int err;
};

static void *reader_run(void *arg)
{
	struct reader *r = arg;

	for (;;) {
		int stop = __atomic_load_n(&r->stop, __ATOMIC_ACQUIRE);

		if (mw_wait(r->s, 1000) < 0 || mw_drain(r->s, mwt_collect, r->rs) < 0) {
			r->err = 1;
			break;
		}
		r->polls++;
		if (stop)
			break;
	}
	return NULL;
}

TEST_F(ring, wakeups_stay_far_below_events)
{
	const int n = 4000;
	struct mapwatch_counters c;
	struct reader rd = { .s = &self->s, .rs = &self->rs };
	pthread_t th;
	int i;

	ASSERT_EQ(0, mwt_pin(self->cpu[0]));
	/* Room for all events; a reader woken every 100 records or 10 s. */
	start(_metadata, self, 64, 0, 100 * MWT_EVENT_SIZE, MAPWATCH_MAX_TIMER_MS);
	ASSERT_EQ(0, pthread_create(&th, NULL, reader_run, &rd));
	mwt_events(0, n);
	ASSERT_EQ(0, mw_disable(&self->s));
	__atomic_store_n(&rd.stop, 1, __ATOMIC_RELEASE);
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, rd.err);

	ASSERT_EQ(n, self->rs.nr);
	for (i = 0; i < n; i++)
		ASSERT_EQ(i, self->rs.r[i].who);
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &c));
	TH_LOG("%d events, %llu wakeups, %ld polls", n, (unsigned long long)c.wakeups, rd.polls);
	ASSERT_LE(1, c.wakeups);
	/* Never one per event: at most one per 20 here. */
	ASSERT_GE(n / 20, c.wakeups);
}

/* A thread doing blocking read()s, counting the records it got. */
struct blocking_reader {
	int fd;
	int records;
	int err;
};

static void *blocking_reader_run(void *arg)
{
	struct blocking_reader *b = arg;
	static uint8_t buf[4096];
	ssize_t n;

	while ((n = read(b->fd, buf, sizeof(buf))) > 0)
		__atomic_add_fetch(&b->records, n / MWT_EVENT_SIZE, __ATOMIC_RELEASE);
	if (n < 0)
		b->err = errno;
	return NULL;
}

TEST_F(ring, blocking_read_wakes_for_every_batch)
{
	struct blocking_reader b = { .fd = self->s.fd };
	pthread_t th;
	int batch, i;

	/* Below the watermark: the 50 ms timer wakes the reader each time. */
	start(_metadata, self, 4, 0, 0, 50);
	ASSERT_EQ(0, pthread_create(&th, NULL, blocking_reader_run, &b));
	for (batch = 1; batch <= 3; batch++) {
		mwt_event(batch);
		/* The reader gets it (10 s safety net, not a timing claim). */
		for (i = 0; i < 10000 && __atomic_load_n(&b.records, __ATOMIC_ACQUIRE) < batch; i++)
			usleep(1000);
		EXPECT_EQ(batch, __atomic_load_n(&b.records, __ATOMIC_ACQUIRE));
		if (b.records < batch)
			break;
	}
	/* Disabling ends the blocking read with EOF. */
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(0, pthread_join(th, NULL));
	ASSERT_EQ(0, b.err);
	ASSERT_EQ(3, b.records);
}

TEST_F(ring, nonblocking_read_with_nothing_unread_is_eagain)
{
	char buf[64];

	start(_metadata, self, 1, 0, 0, 0);
	ASSERT_EQ(0, fcntl(self->s.fd, F_SETFL, O_NONBLOCK));
	ASSERT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(EAGAIN, errno);
	mwt_event(1);
	ASSERT_EQ(MWT_EVENT_SIZE, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(-1, read(self->s.fd, buf, sizeof(buf)));
	ASSERT_EQ(EAGAIN, errno);
	/* Disabled and drained: end of file. */
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_EQ(0, read(self->s.fd, buf, sizeof(buf)));
}

MWT_HARNESS_MAIN
