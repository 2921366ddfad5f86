// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/mem_test.c - the memory kprobes (ABI 1.2): mmap, madvise,
 * munmap and exit of the traced processes.
 *
 * A traced child and an untraced one do the same known system calls on
 * command; the records must be exactly the traced child's calls, with the
 * arguments it passed and mmap's result, in order, and nothing of the
 * other.  Thread and process exits are told apart.
 */
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"

#ifndef MADV_FREE
#define MADV_FREE	8
#endif

enum { K_MMAP, K_MADVISE, K_MUNMAP, K_EXIT, K_NR };

static const uint32_t kp_type[K_NR] = {
	[K_MMAP] = MAPWATCH_KPROBE_MMAP,
	[K_MADVISE] = MAPWATCH_KPROBE_MADVISE,
	[K_MUNMAP] = MAPWATCH_KPROBE_MUNMAP,
	[K_EXIT] = MAPWATCH_KPROBE_EXIT,
};

/* A child that runs commands read from a pipe and answers on another. */
struct worker {
	pid_t pid;
	int cmd, ans;		/* our ends */
	bool exited;
};

/* What a worker did for CMD_MEMORY: the address its mmap returned. */
#define CMD_MEMORY	'm'
#define CMD_THREAD	't'	/* start a thread that exits, wait for it */
#define CMD_EXIT	'x'	/* _exit(EXIT_CODE) */
#define EXIT_CODE	3
#define NPAGES		4

static void *thread_exits(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 0);	/* this thread only: do_exit(0) */
	return NULL;
}

/*
 * The worker's calls, raw system calls only between commands (no stdio,
 * no malloc): mmap of NPAGES, a failing mmap (length 0: EINVAL), two
 * madvise, one munmap.
 */
static void worker_memory(int ans)
{
	long ps = sysconf(_SC_PAGESIZE);
	char *p;

	p = (char *)syscall(SYS_mmap, NULL, NPAGES * ps, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		_exit(100);
	memset(p, 1, NPAGES * ps);
	syscall(SYS_mmap, NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	syscall(SYS_madvise, p, 2 * ps, MADV_DONTNEED);
	syscall(SYS_madvise, p + 2 * ps, ps, MADV_FREE);
	syscall(SYS_munmap, p, NPAGES * ps);
	if (write(ans, &p, sizeof(p)) != sizeof(p))
		_exit(101);
}

static void worker_loop(int cmd, int ans)
{
	pthread_t t;
	char c;

	while (read(cmd, &c, 1) == 1) {
		switch (c) {
		case CMD_MEMORY:
			worker_memory(ans);
			break;
		case CMD_THREAD:
			/* The kernel clears its tid at exit: join returns. */
			if (pthread_create(&t, NULL, thread_exits, NULL))
				_exit(102);
			pthread_join(t, NULL);
			if (write(ans, &c, 1) != 1)
				_exit(103);
			break;
		case CMD_EXIT:
			_exit(EXIT_CODE);
		}
	}
	_exit(104);
}

static int worker_start(struct worker *w)
{
	int cmd[2], ans[2];

	if (pipe(cmd) || pipe(ans))
		return -1;
	w->pid = fork();
	if (w->pid < 0)
		return -1;
	if (!w->pid) {
		close(cmd[1]);
		close(ans[0]);
		worker_loop(cmd[0], ans[1]);
	}
	close(cmd[0]);
	close(ans[1]);
	w->cmd = cmd[1];
	w->ans = ans[0];
	return 0;
}

/* Send @c; read @len bytes of answer (if any). */
static int worker_do(struct worker *w, char c, void *answer, size_t len)
{
	if (write(w->cmd, &c, 1) != 1)
		return -1;
	return len && read(w->ans, answer, len) != (ssize_t)len ? -1 : 0;
}

/* Tell @w to exit; its wait status. */
static int worker_exit(struct worker *w)
{
	int status = -1;

	worker_do(w, CMD_EXIT, NULL, 0);
	waitpid(w->pid, &status, 0);
	close(w->cmd);
	close(w->ans);
	w->exited = true;
	return status;
}

FIXTURE(mem) {
	struct mw_session s;
	uint32_t id[K_NR];
	struct worker traced, other;
	struct mwt_recs rs;
};

FIXTURE_SETUP(mem)
{
	int k;

	ASSERT_EQ(0, mw_open(&self->s, NULL, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_configure(&self->s, 16, 0, 0, 0)) TH_LOG("%s", mw_error());
	for (k = 0; k < K_NR; k++)
		ASSERT_EQ(0, mw_kprobe_attach(&self->s, kp_type[k], &self->id[k]))
			TH_LOG("kprobe %u: %s", kp_type[k], mw_error());
	ASSERT_EQ(0, worker_start(&self->traced));
	ASSERT_EQ(0, worker_start(&self->other));
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, self->traced.pid)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_enable(&self->s)) TH_LOG("%s", mw_error());
}

FIXTURE_TEARDOWN(mem)
{
	if (self->traced.pid > 0 && !self->traced.exited)
		worker_exit(&self->traced);
	if (self->other.pid > 0 && !self->other.exited)
		worker_exit(&self->other);
	mwt_recs_free(&self->rs);
	mw_close(&self->s);
}

/* Disable, read every record, in time order; none lost. */
static void collect(struct __test_metadata *_metadata, FIXTURE_DATA(mem) *self)
{
	ASSERT_EQ(0, mw_disable(&self->s)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mwt_read_all(self->s.fd, &self->rs));
	ASSERT_EQ(0, self->rs.lost);
	ASSERT_EQ(self->rs.nr, self->rs.events);
	mwt_recs_sort_by_time(&self->rs);
}

/* The index of probe id @id in self->id, or -1. */
static int kind_of(FIXTURE_DATA(mem) *self, uint32_t id)
{
	int k;

	for (k = 0; k < K_NR; k++)
		if (self->id[k] == id)
			return k;
	return -1;
}

TEST_F(mem, calls_of_the_traced_process_only)
{
	long ps = sysconf(_SC_PAGESIZE);
	uint64_t p = 0, q = 0;
	const struct mapwatch_kp_mmap *mm;
	const struct mapwatch_kp_madvise *ma;
	const struct mapwatch_kp_munmap *mu;
	const struct mapwatch_kp_exit *ex;
	struct mapwatch_probe_counters pc;
	int status, k, n[K_NR] = {};
	size_t i;

	ASSERT_EQ(0, worker_do(&self->traced, CMD_MEMORY, &p, sizeof(p)));
	ASSERT_EQ(0, worker_do(&self->other, CMD_MEMORY, &q, sizeof(q)));
	status = worker_exit(&self->traced);
	ASSERT_TRUE(WIFEXITED(status));
	ASSERT_EQ(EXIT_CODE, WEXITSTATUS(status));
	ASSERT_EQ(EXIT_CODE, WEXITSTATUS(worker_exit(&self->other)));
	collect(_metadata, self);

	/* mmap, failing mmap, madvise x2, munmap, exit: in that order. */
	ASSERT_EQ(6, self->rs.nr);
	for (i = 0; i < self->rs.nr; i++) {
		const struct mwt_rec *r = &self->rs.r[i];

		ASSERT_EQ((uint32_t)self->traced.pid, r->tgid);
		ASSERT_EQ((uint32_t)self->traced.pid, r->tid);
		k = kind_of(self, r->probe_id);
		ASSERT_LE(0, k);
		n[k]++;
	}
	ASSERT_EQ(2, n[K_MMAP]);
	ASSERT_EQ(2, n[K_MADVISE]);
	ASSERT_EQ(1, n[K_MUNMAP]);
	ASSERT_EQ(1, n[K_EXIT]);

	ASSERT_EQ(self->id[K_MMAP], self->rs.r[0].probe_id);
	ASSERT_EQ(sizeof(*mm), self->rs.r[0].payload_size);
	mm = (const void *)mwt_rec_payload(&self->rs, 0);
	EXPECT_EQ(0, mm->addr);
	EXPECT_EQ((uint64_t)NPAGES * ps, mm->len);
	EXPECT_EQ(PROT_READ | PROT_WRITE, mm->prot);
	EXPECT_EQ(MAP_PRIVATE | MAP_ANONYMOUS, mm->flags);
	EXPECT_EQ(-1, mm->fd);
	EXPECT_EQ(0, mm->off);
	EXPECT_EQ((int64_t)p, mm->ret);
	EXPECT_EQ(0, mm->__reserved);

	ASSERT_EQ(self->id[K_MMAP], self->rs.r[1].probe_id);
	mm = (const void *)mwt_rec_payload(&self->rs, 1);
	EXPECT_EQ(0, mm->len);
	EXPECT_EQ(-EINVAL, mm->ret);

	ASSERT_EQ(self->id[K_MADVISE], self->rs.r[2].probe_id);
	ASSERT_EQ(sizeof(*ma), self->rs.r[2].payload_size);
	ma = (const void *)mwt_rec_payload(&self->rs, 2);
	EXPECT_EQ(p, ma->start);
	EXPECT_EQ((uint64_t)2 * ps, ma->len);
	EXPECT_EQ(MADV_DONTNEED, ma->advice);
	EXPECT_EQ(0, ma->__reserved);
	ASSERT_EQ(self->id[K_MADVISE], self->rs.r[3].probe_id);
	ma = (const void *)mwt_rec_payload(&self->rs, 3);
	EXPECT_EQ(p + 2 * ps, ma->start);
	EXPECT_EQ((uint64_t)ps, ma->len);
	EXPECT_EQ(MADV_FREE, ma->advice);

	ASSERT_EQ(self->id[K_MUNMAP], self->rs.r[4].probe_id);
	ASSERT_EQ(sizeof(*mu), self->rs.r[4].payload_size);
	mu = (const void *)mwt_rec_payload(&self->rs, 4);
	EXPECT_EQ(p, mu->start);
	EXPECT_EQ((uint64_t)NPAGES * ps, mu->len);

	ASSERT_EQ(self->id[K_EXIT], self->rs.r[5].probe_id);
	ASSERT_EQ(sizeof(*ex), self->rs.r[5].payload_size);
	ex = (const void *)mwt_rec_payload(&self->rs, 5);
	EXPECT_EQ(EXIT_CODE << 8, ex->code);
	EXPECT_EQ(1, ex->group_dead);
	EXPECT_EQ(0, ex->__reserved);

	/* The other worker's calls reached the handlers and were filtered. */
	for (k = 0; k < K_NR; k++) {
		memset(&pc, 0, sizeof(pc));
		pc.size = sizeof(pc);
		pc.probe_id = self->id[k];
		ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_PROBE_COUNTERS, &pc));
		EXPECT_EQ((uint64_t)n[k], pc.recorded) TH_LOG("kprobe %u", kp_type[k]);
		EXPECT_LE((uint64_t)n[k], pc.hits - pc.filtered);
		EXPECT_EQ(0, pc.missed);
		EXPECT_EQ(0, pc.faults);
	}
}

/*
 * A thread's exit is not its process's: group_dead 0 with the thread's
 * tid, then 1 for the last thread, with the exit code.
 */
TEST_F(mem, thread_exit_then_process_exit)
{
	const struct mapwatch_kp_exit *ex;
	size_t i, exits[3];
	int status, n = 0;
	char c;

	ASSERT_EQ(0, worker_do(&self->traced, CMD_THREAD, &c, 1));
	status = worker_exit(&self->traced);
	ASSERT_EQ(EXIT_CODE, WEXITSTATUS(status));
	collect(_metadata, self);

	/* pthread_create() maps a stack: only the exits matter here. */
	for (i = 0; i < self->rs.nr; i++)
		if (self->rs.r[i].probe_id == self->id[K_EXIT] && n < 3)
			exits[n++] = i;
	ASSERT_EQ(2, n);
	ex = (const void *)mwt_rec_payload(&self->rs, exits[0]);
	EXPECT_EQ((uint32_t)self->traced.pid, self->rs.r[exits[0]].tgid);
	EXPECT_NE((uint32_t)self->traced.pid, self->rs.r[exits[0]].tid);
	EXPECT_EQ(0, ex->code);
	EXPECT_EQ(0, ex->group_dead);
	ex = (const void *)mwt_rec_payload(&self->rs, exits[1]);
	EXPECT_EQ((uint32_t)self->traced.pid, self->rs.r[exits[1]].tid);
	EXPECT_EQ(EXIT_CODE << 8, ex->code);
	EXPECT_EQ(1, ex->group_dead);
}

/*
 * A caller built before ABI 1.2 asks for the 40-byte counters: it gets
 * them, and nothing is written past them.
 */
TEST_F(mem, probe_counters_version_0)
{
	uint8_t buf[MAPWATCH_PROBE_COUNTERS_SIZE_VER1 + 8];
	struct mapwatch_probe_counters *pc = (void *)buf;

	memset(buf, 0x5a, sizeof(buf));
	pc->size = MAPWATCH_PROBE_COUNTERS_SIZE_VER0;
	pc->probe_id = self->id[K_MMAP];
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_PROBE_COUNTERS, pc));
	EXPECT_EQ(0, pc->hits);
	EXPECT_EQ(0x5a, buf[MAPWATCH_PROBE_COUNTERS_SIZE_VER0]);
}

TEST_HARNESS_MAIN
