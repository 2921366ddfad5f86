// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/uprobe_test.c - mapwatch uprobes and fetch programs (ABI 1.1).
 *
 * The test probes functions of its own binary, and one of libc: the probe
 * sits at the function's file offset, found through /proc/self/maps, and
 * its fetch program reads the x86-64 argument registers at entry (rdi,
 * rsi, rdx, rcx, r8, r9) and the memory they point to.  Every record must
 * hold exactly what its program says, byte for byte; a bad pointer flags
 * the record and the process goes on; the pid filter decides which
 * processes trap; detach and close wait for handlers running on the other
 * CPU.  Every refused attach is followed by proof that the session still
 * works.  x86-64 only.
 */
#include <dlfcn.h>
#include <limits.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "mapwatch_test.h"

/* ------------------------------------------------------------------------ */
/* What the tests probe.                                                     */

/*
 * Not inlined, cloned or merged with another function, and called through
 * volatile pointers: every call in the source is a call at run time.
 */
#define MWT_PROBED	__attribute__((noipa, used))

MWT_PROBED uint64_t mwt_target(uint64_t a, uint64_t b, uint64_t c, uint64_t d, uint64_t e,
			       uint64_t f)
{
	__asm__ __volatile__("" : "+r"(a), "+r"(b) : "r"(c), "r"(d), "r"(e), "r"(f) : "memory");
	return a + b;
}

static uint64_t (*volatile target)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t,
				   uint64_t) = mwt_target;

/* One probed call with rdi = @a, rsi = @b; returns a + b. */
static uint64_t call(uint64_t a, uint64_t b)
{
	return target(a, b, 0, 0, 0, 0);
}

static uint64_t call_ptr(const void *p, uint64_t b)
{
	return call((uintptr_t)p, b);
}

/* A global the PC tests find relative to mwt_target(). */
uint64_t mwt_global = 0x0123456789abcdefULL;

/* A USDT-style semaphore: a counter in the binary's writable data. */
unsigned short mwt_semaphore __attribute__((section(".probes"), used));

/* ------------------------------------------------------------------------ */
/* Fetch programs.                                                           */

/* The registers of the first arguments, the PC, one past the last. */
#if defined(__aarch64__)
#define ARG_REGS	0, 1, 2, 3, 4, 5	/* x0-x5 */
#define REG_PC		MAPWATCH_REG_ARM64_PC
#define REG_NR		MAPWATCH_REG_ARM64_NR
#define REG_NOT_ARG	8			/* x8 */
#define INSN_ALIGN	4ULL
#elif defined(__x86_64__)
#define ARG_REGS	MAPWATCH_REG_X86_DI, MAPWATCH_REG_X86_SI, MAPWATCH_REG_X86_DX, \
			MAPWATCH_REG_X86_CX, MAPWATCH_REG_X86_R8, MAPWATCH_REG_X86_R9
#define REG_PC		MAPWATCH_REG_X86_IP
#define REG_NR		MAPWATCH_REG_X86_NR
#define REG_NOT_ARG	MAPWATCH_REG_X86_AX
#define INSN_ALIGN	1ULL
#else
#error "uprobe_test: no register table for this architecture"
#endif
static const uint8_t arg_regs[] = { ARG_REGS };
#define A0	arg_regs[0]
#define A1	arg_regs[1]
#define NOVAR	MAPWATCH_FETCH_NOVAR

#define OP_REG(d, r)		{ .code = MAPWATCH_FOP_REG, .dst = (d), .src = (r) }
#define OP_CONST(d, v)		{ .code = MAPWATCH_FOP_CONST, .dst = (d), .imm = (v) }
#define OP_PC(d, v)		{ .code = MAPWATCH_FOP_PC, .dst = (d), .imm = (v) }
#define OP_ADD(d, s, v)		{ .code = MAPWATCH_FOP_ADD, .dst = (d), .src = (s), .imm = (v) }
#define OP_LOAD(d, s, off, sz)	{ .code = MAPWATCH_FOP_LOAD, .dst = (d), .src = (s), \
				  .size = (sz), .imm = (off) }
#define OP_SLOAD(d, s, off, sz)	{ .code = MAPWATCH_FOP_LOAD, .dst = (d), .src = (s), \
				  .size = (sz), .flags = MAPWATCH_FOPF_SIGNED, .imm = (off) }
#define OP_QLOAD(d, s, off, sz)	{ .code = MAPWATCH_FOP_LOAD, .dst = (d), .src = (s), \
				  .size = (sz), .flags = MAPWATCH_FOPF_QUIET, .imm = (off) }
#define OP_EMIT(s, sz)		{ .code = MAPWATCH_FOP_EMIT, .src = (s), .size = (sz) }
#define OP_COPY(n, s, off, m)	{ .code = MAPWATCH_FOP_COPY, .dst = (n), .src = (s), \
				  .max = (m), .imm = (off) }
#define OP_STR(n, s, off, m)	{ .code = MAPWATCH_FOP_STR, .dst = (n), .src = (s), \
				  .max = (m), .imm = (off) }

/* The payload a record should carry, built field by field. */
struct payload {
	uint8_t b[MAPWATCH_MAX_PAYLOAD];
	size_t n;
};

static void put(struct payload *p, const void *v, size_t n)
{
	memcpy(p->b + p->n, v, n);
	p->n += n;
}

static void put64(struct payload *p, uint64_t v)
{
	put(p, &v, sizeof(v));
}

/* A COPY or STR result: __u16 n, then n bytes. */
static void put_bytes(struct payload *p, const void *v, uint16_t n)
{
	put(p, &n, sizeof(n));
	put(p, v, n);
}

/* ------------------------------------------------------------------------ */
/* Helpers.                                                                  */

static long page_size(void)
{
	return sysconf(_SC_PAGESIZE);
}

/* Two pages, the second unmapped: returns the first. */
static uint8_t *page_before_a_hole(void)
{
	long page = page_size();
	uint8_t *p = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	if (munmap(p + page, page))
		return NULL;
	memset(p, 'x', page);	/* present: reads need not fault it in */
	return p;
}

/* A child that waits for its gate, then makes @n calls (@first + i, @b). */
static pid_t gated_child(uint64_t first, int n, uint64_t b, int *gate_wr)
{
	int gate[2], i;
	pid_t pid;
	char c;

	if (pipe(gate))
		return -1;
	pid = fork();
	if (pid == 0) {
		close(gate[1]);
		if (read(gate[0], &c, 1) != 1)
			_exit(1);
		for (i = 0; i < n; i++)
			if (call(first + i, b) != first + i + b)
				_exit(2);
		_exit(0);
	}
	close(gate[0]);
	*gate_wr = gate[1];
	return pid;
}

/* Open the gate and reap the child: 0 if it made its calls and exited 0. */
static int release_child(pid_t pid, int gate)
{
	int status;

	if (write(gate, "g", 1) != 1)
		return -1;
	close(gate);
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

#define SPIN_MAGIC	0x5350494eULL	/* rsi of every spinner call */

/* The spinner's work: a call of the probed function, rdi = n. */
static void spin_call(uint64_t n)
{
	call(n, SPIN_MAGIC);
}


static uint32_t rec_len(uint32_t payload)
{
	return (sizeof(struct mapwatch_rec_event) + payload + 7) & ~7U;
}

/* ------------------------------------------------------------------------ */
/* The fixture: a configured session, this binary, mwt_target()'s offset.   */

FIXTURE(uprobe) {
	struct mw_session s;	/* s.fd == -1: not open */
	int bin;		/* /proc/self/exe, O_RDONLY; -1: not open */
	uint64_t off;		/* mwt_target()'s offset in it */
	struct mwt_recs rs;
	int refcnt;		/* the module's reference count, this session included */
};

FIXTURE_SETUP(uprobe)
{
	self->s.fd = -1;
	self->bin = -1;
	ASSERT_EQ(0, mw_open(&self->s, NULL, 0)) TH_LOG("%s", mw_error());
	if (!(self->s.api.features & MAPWATCH_FEAT_UPROBE))
		MWT_SKIP(return, "the module has no uprobes on this architecture");
	ASSERT_EQ(0, mw_configure(&self->s, 16, 0, 0, 0)) TH_LOG("%s", mw_error());
	self->bin = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, self->bin);
	ASSERT_EQ(0, mwt_file_offset((const void *)mwt_target, &self->off, NULL, 0));
	self->refcnt = mwt_module_refcnt();
	/* One CPU: this thread's records arrive in call order, in one ring. */
	ASSERT_EQ(0, mwt_pin(mwt_nth_cpu(0)));
}

FIXTURE_TEARDOWN(uprobe)
{
	mwt_recs_free(&self->rs);
	if (self->bin != -1)
		close(self->bin);
	if (self->s.fd != -1)
		mw_close(&self->s);
}

/* Attach @ops at mwt_target(); payload_max must be @payload_max. */
static void attach(struct __test_metadata *_metadata, FIXTURE_DATA(uprobe) *self,
		   const struct mapwatch_fetch_op *ops, uint32_t nr, uint32_t payload_max,
		   uint32_t *id)
{
	struct mapwatch_uprobe up;

	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, ops, nr, 0, &up))
		TH_LOG("%s", strerror(errno));
	ASSERT_EQ(payload_max, up.payload_max);
	ASSERT_NE(0, up.probe_id);
	*id = up.probe_id;
}

/* Trace this process (once) and enable the session. */
static void trace_self(struct __test_metadata *_metadata, FIXTURE_DATA(uprobe) *self)
{
	if (mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()))
		ASSERT_EQ(EEXIST, errno);
	ASSERT_EQ(0, mw_enable(&self->s));
}

/* Disable, then collect every record into self->rs. */
static void drain(struct __test_metadata *_metadata, FIXTURE_DATA(uprobe) *self)
{
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &self->rs)) TH_LOG("%s", mw_error());
}

static void counters(struct __test_metadata *_metadata, FIXTURE_DATA(uprobe) *self,
		     uint32_t id, struct mapwatch_probe_counters *pc)
{
	ASSERT_EQ(0, mw_probe_counters(&self->s, id, pc)) TH_LOG("%s", mw_error());
}

/*
 * Record @i of @rs is an event of probe @id made by this thread, flagged
 * @flags, whose payload is exactly @want, zero-padded to 8 bytes.
 */
static void assert_event(struct __test_metadata *_metadata, const struct mwt_recs *rs,
			 size_t i, uint32_t id, uint16_t flags, const struct payload *want)
{
	const struct mwt_rec *r = &rs->r[i];
	const uint8_t *pl = mwt_rec_payload(rs, i);
	size_t k;

	ASSERT_LT(i, rs->nr);
	ASSERT_EQ(MAPWATCH_REC_EVENT, r->type) TH_LOG("record %zu", i);
	ASSERT_EQ(id, r->probe_id) TH_LOG("record %zu", i);
	ASSERT_EQ(flags, r->flags) TH_LOG("record %zu", i);
	ASSERT_EQ((uint32_t)getpid(), r->tgid) TH_LOG("record %zu", i);
	ASSERT_EQ((uint32_t)mwt_gettid(), r->tid) TH_LOG("record %zu", i);
	ASSERT_EQ(want->n, r->payload_size) TH_LOG("record %zu", i);
	ASSERT_EQ(rec_len(want->n), r->size) TH_LOG("record %zu", i);
	for (k = 0; k < want->n; k++)
		ASSERT_EQ(want->b[k], pl[k]) TH_LOG("record %zu, payload byte %zu", i, k);
	for (; k < r->size - sizeof(struct mapwatch_rec_event); k++)
		ASSERT_EQ(0, pl[k]) TH_LOG("record %zu, padding byte %zu", i, k);
}

/*
 * The session still works: a probe attached now at mwt_target() records
 * one call of this process as exactly one record (so no refused attach
 * left a probe behind there), and detaches.
 */
static void assert_probes_work(struct __test_metadata *_metadata, FIXTURE_DATA(uprobe) *self)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	struct mwt_recs rs = {};
	struct payload want = {};
	size_t i;
	uint32_t id;

	/* Whatever the test left unread goes first. */
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &rs));
	mwt_recs_free(&rs);

	attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
	trace_self(_metadata, self);
	ASSERT_EQ(0xfeed + 1, call(0xfeed, 1));
	ASSERT_EQ(0, mw_disable(&self->s));
	ASSERT_LE(0, mw_drain(&self->s, mwt_collect, &rs));
	/* One event (and maybe the LOST record of a test that overflowed a ring). */
	ASSERT_EQ(1, rs.events);
	for (i = 0; rs.r[i].type != MAPWATCH_REC_EVENT; i++)
		;
	put64(&want, 0xfeed);
	assert_event(_metadata, &rs, i, id, 0, &want);
	mwt_recs_free(&rs);
	ASSERT_EQ(0, mw_detach(&self->s, id));
}

/* ------------------------------------------------------------------------ */
/* Registers.                                                                */

TEST_F(uprobe, registers_are_recorded_exactly)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0), OP_EMIT(0, 8),
		OP_REG(1, A1), OP_EMIT(1, 8),
	};
	struct mapwatch_probe_counters pc;
	enum { K = 50 };
	uint32_t id;
	uint64_t i;

	/* payload_max is the sum of the emits. */
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 16, &id);
	trace_self(_metadata, self);
	for (i = 0; i < K; i++)
		ASSERT_EQ(0x1000 + i + ~i, call(0x1000 + i, ~i));
	drain(_metadata, self);

	/* One record per call, with that call's rdi and rsi. */
	ASSERT_EQ(K, self->rs.nr);
	for (i = 0; i < K; i++) {
		struct payload want = {};

		put64(&want, 0x1000 + i);
		put64(&want, ~i);
		assert_event(_metadata, &self->rs, i, id, 0, &want);
	}
	/* Every hit was recorded; nothing filtered, nothing faulted. */
	counters(_metadata, self, id, &pc);
	ASSERT_EQ(K, pc.hits);
	ASSERT_EQ(K, pc.recorded);
	ASSERT_EQ(0, pc.filtered);
	ASSERT_EQ(0, pc.faults);
}

TEST_F(uprobe, all_six_argument_registers)
{
	static const uint8_t regs[] = { ARG_REGS };
	const uint64_t args[] = {
		0x1111111111111111ULL, 0x2222222222222222ULL, 0x3333333333333333ULL,
		0x4444444444444444ULL, 0x5555555555555555ULL, 0x6666666666666666ULL,
	};
	struct mapwatch_fetch_op ops[2 * ARRAY_SIZE(regs)];
	struct payload want = {};
	uint32_t id;
	size_t i;

	/* Reversed into different variables: each op reads its own register. */
	for (i = 0; i < ARRAY_SIZE(regs); i++) {
		struct mapwatch_fetch_op reg = OP_REG(7 - i, regs[5 - i]);
		struct mapwatch_fetch_op emit = OP_EMIT(7 - i, 8);

		ops[2 * i] = reg;
		ops[2 * i + 1] = emit;
		put64(&want, args[5 - i]);
	}
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 48, &id);
	trace_self(_metadata, self);
	target(args[0], args[1], args[2], args[3], args[4], args[5]);
	drain(_metadata, self);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
}

TEST_F(uprobe, emit_writes_the_low_bytes_and_const_the_immediate)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_CONST(0, 0x1122334455667788LL),
		OP_EMIT(0, 1), OP_EMIT(0, 2), OP_EMIT(0, 4), OP_EMIT(0, 8),
		OP_CONST(3, -2), OP_EMIT(3, 8),
		/* Variables start at zero. */
		OP_EMIT(5, 4),
	};
	const uint64_t v = 0x1122334455667788ULL, minus2 = (uint64_t)-2;
	struct payload want = {};
	uint32_t id;

	attach(_metadata, self, ops, ARRAY_SIZE(ops), 1 + 2 + 4 + 8 + 8 + 4, &id);
	trace_self(_metadata, self);
	call(0, 0);
	drain(_metadata, self);
	/* Little-endian low bytes; 27 bytes, padded to 64 with zeros. */
	put(&want, &v, 1);
	put(&want, &v, 2);
	put(&want, &v, 4);
	put(&want, &v, 8);
	put64(&want, minus2);
	put(&want, "\0\0\0\0", 4);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
}

TEST_F(uprobe, an_empty_program_records_the_hit_alone)
{
	struct payload want = {};
	uint32_t id;

	attach(_metadata, self, NULL, 0, 0, &id);
	trace_self(_metadata, self);
	call(1, 2);
	call(3, 4);
	drain(_metadata, self);
	ASSERT_EQ(2, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
	assert_event(_metadata, &self->rs, 1, id, 0, &want);
}

/* ------------------------------------------------------------------------ */
/* User memory.                                                              */

static uint8_t mem[256] __attribute__((aligned(64)));

static void fill_mem(void)
{
	size_t i;

	/* Every byte has its top bit set somewhere: zero extension shows. */
	for (i = 0; i < sizeof(mem); i++)
		mem[i] = (uint8_t)(0x81 + 37 * i);
}

static uint64_t mem_u(size_t off, size_t size)
{
	uint64_t v = 0;

	memcpy(&v, mem + off, size);	/* little-endian */
	return v;
}

TEST_F(uprobe, loads_zero_extend_at_their_offsets)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0),
		OP_LOAD(1, 0, 3, 1), OP_EMIT(1, 8),
		OP_LOAD(1, 0, 5, 2), OP_EMIT(1, 8),		/* unaligned */
		OP_LOAD(1, 0, 9, 4), OP_EMIT(1, 8),
		OP_LOAD(1, 0, 17, 8), OP_EMIT(1, 8),
		OP_LOAD(1, 0, 0, 8), OP_EMIT(1, 8),
		/* Negative offsets from a pointer made by ADD. */
		OP_ADD(2, 0, 200), OP_LOAD(1, 2, -191, 4), OP_EMIT(1, 8),
		/* A loaded value reused as a variable. */
		OP_LOAD(3, 0, 64, 1), OP_ADD(3, 3, 1), OP_EMIT(3, 8),
	};
	struct payload want = {};
	uint32_t id;

	fill_mem();
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 7 * 8, &id);
	trace_self(_metadata, self);
	call_ptr(mem, 0);
	drain(_metadata, self);
	put64(&want, mem_u(3, 1));
	put64(&want, mem_u(5, 2));
	put64(&want, mem_u(9, 4));
	put64(&want, mem_u(17, 8));
	put64(&want, mem_u(0, 8));
	put64(&want, mem_u(9, 4));
	put64(&want, mem_u(64, 1) + 1);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
}

TEST_F(uprobe, signed_loads_sign_extend)
{
	static const struct { size_t off, size; int64_t value; } cases[] = {
		{ 0, 1, -5 },
		{ 1, 1, INT8_MIN },
		{ 2, 1, 100 },
		{ 4, 2, -300 },
		{ 6, 2, INT16_MAX },
		{ 8, 4, -70000 },
		{ 12, 4, INT32_MIN },
		{ 16, 4, INT32_MAX },
		{ 24, 8, -(1LL << 40) },
		{ 32, 8, INT64_MIN },
	};
	/* Half the cases per program: 4 ops each, at most 32 ops. */
	enum { HALF = (ARRAY_SIZE(cases) + 1) / 2 };
	struct mapwatch_fetch_op ops[1 + 4 * HALF];
	struct payload want[2] = {};
	struct mapwatch_fetch_op reg = OP_REG(0, A0);
	uint32_t id[2];
	size_t i, n = 0;

	memset(mem, 0, sizeof(mem));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mapwatch_fetch_op sload = OP_SLOAD(1, 0, cases[i].off, cases[i].size);
		struct mapwatch_fetch_op load = OP_LOAD(2, 0, cases[i].off, cases[i].size);
		struct mapwatch_fetch_op e1 = OP_EMIT(1, 8), e2 = OP_EMIT(2, 8);
		int64_t v = cases[i].value;
		uint64_t zext = 0;

		memcpy(mem + cases[i].off, &v, cases[i].size);
		memcpy(&zext, &v, cases[i].size);
		if (i % HALF == 0) {
			n = 0;
			ops[n++] = reg;
		}
		ops[n++] = sload;
		ops[n++] = e1;
		ops[n++] = load;
		ops[n++] = e2;
		/* SIGNED: the value itself; without: its bytes, zero-extended. */
		put64(&want[i / HALF], (uint64_t)v);
		put64(&want[i / HALF], zext);
		if (i % HALF == HALF - 1 || i == ARRAY_SIZE(cases) - 1) {
			attach(_metadata, self, ops, n, want[i / HALF].n, &id[i / HALF]);
			trace_self(_metadata, self);
			call_ptr(mem, 0);
			ASSERT_EQ(0, mw_detach(&self->s, id[i / HALF]));
		}
	}
	drain(_metadata, self);
	ASSERT_EQ(2, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id[0], 0, &want[0]);
	assert_event(_metadata, &self->rs, 1, id[1], 0, &want[1]);
}

TEST_F(uprobe, copy_takes_the_smaller_of_its_length_variable_and_max)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0), OP_REG(1, A1),
		OP_COPY(1, 0, 0, 16),
		/* With an offset. */
		OP_COPY(1, 0, 100, 16),
	};
	const uint64_t lens[] = { 0, 1, 7, 15, 16, 17, 1000, UINT32_MAX + 1ULL, UINT64_MAX };
	uint32_t id;
	size_t i;

	fill_mem();
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 2 * (2 + 16), &id);
	trace_self(_metadata, self);
	for (i = 0; i < ARRAY_SIZE(lens); i++)
		call_ptr(mem, lens[i]);
	drain(_metadata, self);

	/* n = min(var, max) bytes, exactly those; the record trimmed to them. */
	ASSERT_EQ(ARRAY_SIZE(lens), self->rs.nr);
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		uint16_t n = lens[i] < 16 ? lens[i] : 16;
		struct payload want = {};

		put_bytes(&want, mem, n);
		put_bytes(&want, mem + 100, n);
		assert_event(_metadata, &self->rs, i, id, 0, &want);
	}
}

TEST_F(uprobe, copy_without_length_variable_copies_max)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0),
		OP_COPY(NOVAR, 0, 0, 24),
		OP_COPY(NOVAR, 0, 7, 1),
		/* dst is not a variable here: what var[0] holds does not matter. */
		OP_COPY(NOVAR, 0, 0, 3),
	};
	struct payload want = {};
	uint32_t id;

	fill_mem();
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 26 + 3 + 5, &id);
	trace_self(_metadata, self);
	call_ptr(mem, 0);
	drain(_metadata, self);
	put_bytes(&want, mem, 24);
	put_bytes(&want, mem + 7, 1);
	put_bytes(&want, mem, 3);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
}

TEST_F(uprobe, str_stops_after_the_nul)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0), OP_REG(1, A1),
		OP_STR(NOVAR, 0, 0, 32),
		/* Bounded by a variable as well. */
		OP_STR(1, 0, 0, 32),
	};
	static const struct { const char *s; uint64_t var; uint16_t n1, n2; } cases[] = {
		{ "hello", 100, 6, 6 },
		{ "hello", 3, 6, 3 },		/* the variable cuts it short */
		{ "", 100, 1, 1 },		/* the NUL alone */
		{ "", 0, 1, 0 },
		{ "a\0b", 100, 2, 2 },		/* the first NUL ends it */
	};
	char buf[64];
	uint32_t id;
	size_t i;

	attach(_metadata, self, ops, ARRAY_SIZE(ops), 2 * 34, &id);
	trace_self(_metadata, self);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		memset(buf, 'z', sizeof(buf));
		memcpy(buf, cases[i].s, strlen(cases[i].s) + 1);
		call_ptr(buf, cases[i].var);
	}
	drain(_metadata, self);

	/* n counts the NUL; nothing after it is copied. */
	ASSERT_EQ(ARRAY_SIZE(cases), self->rs.nr);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct payload want = {};

		put_bytes(&want, cases[i].s, cases[i].n1);
		put_bytes(&want, cases[i].s, cases[i].n2);
		assert_event(_metadata, &self->rs, i, id, 0, &want);
	}
}

TEST_F(uprobe, str_is_truncated_at_max)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0),
		OP_STR(NOVAR, 0, 0, 10),
		OP_STR(NOVAR, 0, 90, 10),	/* the NUL is the 11th byte */
		OP_STR(NOVAR, 0, 91, 10),	/* the NUL is the 10th */
	};
	char buf[101];
	struct payload want = {};
	uint32_t id;

	memset(buf, 'q', 100);
	buf[100] = '\0';
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 3 * 12, &id);
	trace_self(_metadata, self);
	call_ptr(buf, 0);
	drain(_metadata, self);
	/* max bytes and no NUL, twice; then 9 bytes and the NUL. */
	put_bytes(&want, buf, 10);
	put_bytes(&want, buf + 90, 10);
	put_bytes(&want, buf + 91, 10);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
}

TEST_F(uprobe, reads_next_to_an_unmapped_page)
{
	const struct mapwatch_fetch_op str[] = { OP_REG(0, A0), OP_STR(NOVAR, 0, 0, 64) };
	const struct mapwatch_fetch_op copy[] = { OP_REG(0, A0), OP_COPY(NOVAR, 0, 0, 64) };
	const struct mapwatch_fetch_op load[] = {
		OP_REG(0, A0), OP_LOAD(1, 0, 0, 8), OP_EMIT(1, 8),
		OP_LOAD(1, 0, 0, 4), OP_EMIT(1, 8),
	};
	struct mapwatch_probe_counters pc;
	struct payload want = {};
	uint8_t *page = page_before_a_hole();
	long psz = page_size();
	char *end;
	uint32_t id_str, id_copy, id_load;

	ASSERT_NE(NULL, page);
	end = (char *)page + psz;
	attach(_metadata, self, str, ARRAY_SIZE(str), 66, &id_str);
	trace_self(_metadata, self);

	/* 1. A string whose NUL is the page's last byte: no fault. */
	memcpy(end - 11, "0123456789", 11);
	call_ptr(end - 11, 0);
	/* 2. No NUL before the hole: the readable bytes, flagged FAULT. */
	memset(end - 11, 'y', 11);
	call_ptr(end - 11, 0);
	ASSERT_EQ(0, mw_detach(&self->s, id_str));

	/* 3. A COPY into the hole: nothing copied, flagged FAULT. */
	attach(_metadata, self, copy, ARRAY_SIZE(copy), 66, &id_copy);
	trace_self(_metadata, self);
	call_ptr(end - 11, 0);
	/* 4. A COPY ending exactly at the hole: whole, no fault. */
	call_ptr(end - 64, 0);
	ASSERT_EQ(0, mw_detach(&self->s, id_copy));

	/* 5. Loads ending at the hole; 6. an 8-byte LOAD across it faults, 4 bytes do not. */
	attach(_metadata, self, load, ARRAY_SIZE(load), 16, &id_load);
	trace_self(_metadata, self);
	call_ptr(end - 8, 0);
	call_ptr(end - 4, 0);
	counters(_metadata, self, id_load, &pc);
	ASSERT_EQ(2, pc.hits);
	ASSERT_EQ(1, pc.faults);
	drain(_metadata, self);

	ASSERT_EQ(6, self->rs.nr);
	put_bytes(&want, "0123456789", 11);
	assert_event(_metadata, &self->rs, 0, id_str, 0, &want);
	want.n = 0;
	put_bytes(&want, end - 11, 11);
	assert_event(_metadata, &self->rs, 1, id_str, MAPWATCH_RECF_FAULT, &want);
	want.n = 0;
	put_bytes(&want, NULL, 0);
	assert_event(_metadata, &self->rs, 2, id_copy, MAPWATCH_RECF_FAULT, &want);
	want.n = 0;
	put_bytes(&want, end - 64, 64);
	assert_event(_metadata, &self->rs, 3, id_copy, 0, &want);
	want.n = 0;
	put64(&want, *(uint64_t *)(end - 8));
	put64(&want, *(uint32_t *)(end - 8));
	assert_event(_metadata, &self->rs, 4, id_load, 0, &want);
	/* The failed load gives 0 and the program goes on. */
	want.n = 0;
	put64(&want, 0);
	put64(&want, *(uint32_t *)(end - 4));
	assert_event(_metadata, &self->rs, 5, id_load, MAPWATCH_RECF_FAULT, &want);
	munmap(page, psz);
}

TEST_F(uprobe, bad_pointers_fault_the_record_not_the_process)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0),
		OP_LOAD(1, 0, 0, 8), OP_EMIT(1, 8),
		OP_SLOAD(1, 0, 0, 1), OP_EMIT(1, 8),
		OP_COPY(NOVAR, 0, 0, 8),
		OP_STR(NOVAR, 0, 0, 8),
		/* The program goes on after a fault. */
		OP_REG(2, A1), OP_EMIT(2, 8),
	};
	uint8_t *page = page_before_a_hole();
	uint8_t *hole = page + page_size();
	const uint64_t bad[] = {
		0, 1, 4095,
		(uintptr_t)hole,
		0xffffffff81000000ULL,		/* kernel text */
		0xffff888000000000ULL,		/* the direct map */
		0x8000000000000000ULL,		/* not canonical */
		UINT64_MAX,			/* wraps */
	};
	struct mapwatch_probe_counters pc;
	uint32_t id;
	size_t i;

	ASSERT_NE(NULL, page);
	fill_mem();
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 8 + 8 + 10 + 10 + 8, &id);
	trace_self(_metadata, self);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		/* The call itself is unaffected... */
		ASSERT_EQ(bad[i] + i, call(bad[i], i));
		/* ...and so is the next one, with a good pointer. */
		ASSERT_EQ((uintptr_t)mem + 7, call_ptr(mem, 7));
	}
	counters(_metadata, self, id, &pc);
	drain(_metadata, self);

	ASSERT_EQ(2 * ARRAY_SIZE(bad), self->rs.nr);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct payload want = {};
		char c = (char)mem[0];

		/* FAULT; zero values, empty copies; then rsi. */
		put64(&want, 0);
		put64(&want, 0);
		put_bytes(&want, NULL, 0);
		put_bytes(&want, NULL, 0);
		put64(&want, i);
		assert_event(_metadata, &self->rs, 2 * i, id, MAPWATCH_RECF_FAULT, &want);
		want.n = 0;
		put64(&want, mem_u(0, 8));
		put64(&want, (uint64_t)(int64_t)(signed char)c);
		put_bytes(&want, mem, 8);
		put_bytes(&want, mem, 8);	/* no NUL in mem's first 8 bytes */
		put64(&want, 7);
		assert_event(_metadata, &self->rs, 2 * i + 1, id, 0, &want);
	}
	munmap(page, page_size());
	/* One fault counted per flagged record, not per failed read. */
	ASSERT_EQ(2 * ARRAY_SIZE(bad), pc.hits);
	ASSERT_EQ(2 * ARRAY_SIZE(bad), pc.recorded);
	ASSERT_EQ(ARRAY_SIZE(bad), pc.faults);
	ASSERT_EQ(0, pc.filtered);
}

/*
 * A quiet load (ABI 1.2) that faults gives 0 without flagging the record;
 * a plain load in the same program still flags it.
 */
TEST_F(uprobe, quiet_loads_do_not_flag_the_record)
{
	const struct mapwatch_fetch_op quiet[] = {
		OP_REG(0, A0), OP_QLOAD(1, 0, 0, 8), OP_EMIT(1, 8),
		OP_QLOAD(1, 0, 8, 8), OP_EMIT(1, 8),
	};
	const struct mapwatch_fetch_op mixed[] = {
		OP_REG(0, A0), OP_QLOAD(1, 0, 0, 8), OP_EMIT(1, 8),
		OP_LOAD(1, 0, 0, 8), OP_EMIT(1, 8),
	};
	struct mapwatch_probe_counters pc;
	struct payload want = {};
	uint32_t id;

	fill_mem();
	attach(_metadata, self, quiet, ARRAY_SIZE(quiet), 16, &id);
	trace_self(_metadata, self);
	call(8, 0);		/* both reads fault: 8 and 16 */
	call_ptr(mem, 0);	/* both succeed */
	counters(_metadata, self, id, &pc);
	ASSERT_EQ(0, pc.faults);
	ASSERT_EQ(0, mw_detach(&self->s, id));
	attach(_metadata, self, mixed, ARRAY_SIZE(mixed), 16, &id);
	trace_self(_metadata, self);
	call(8, 0);
	drain(_metadata, self);

	ASSERT_EQ(3, self->rs.nr);
	put64(&want, 0);
	put64(&want, 0);
	assert_event(_metadata, &self->rs, 0, self->rs.r[0].probe_id, 0, &want);
	want.n = 0;
	put64(&want, mem_u(0, 8));
	put64(&want, mem_u(8, 8));
	assert_event(_metadata, &self->rs, 1, self->rs.r[1].probe_id, 0, &want);
	want.n = 0;
	put64(&want, 0);
	put64(&want, 0);
	assert_event(_metadata, &self->rs, 2, id, MAPWATCH_RECF_FAULT, &want);
}

TEST_F(uprobe, reads_fault_pages_in_as_the_task_would)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_LOAD(1, 0, 0, 8),
						 OP_EMIT(1, 8) };
	struct payload want = {};
	long page = page_size();
	unsigned char vec;
	uint8_t *fresh;
	uint32_t id;

	/* Mapped, never touched: no page behind it yet. */
	fresh = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, fresh);
	ASSERT_EQ(0, mincore(fresh, page, &vec));
	ASSERT_EQ(0, vec & 1);

	attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
	trace_self(_metadata, self);
	call_ptr(fresh, 0);
	drain(_metadata, self);
	/*
	 * A uprobe handler runs in the task and may sleep: the page is faulted
	 * in as the task's own read would (zero-filled), no fault is flagged,
	 * and the page is present afterwards.
	 */
	put64(&want, 0);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
	ASSERT_EQ(0, mincore(fresh, page, &vec));
	ASSERT_EQ(1, vec & 1);
	munmap(fresh, page);
}

/*
 * A present page whose page-table entry is old.  An arm64 CPU without
 * hardware access-flag updates (Cortex-A53/A57/A72, qemu's cortex-a57)
 * faults on the first access after reclaim aged the entry (MADV_COLD
 * does the same): a nofault read fails there, and get_user_pages() finds
 * the page present and leaves the entry old.  The read must succeed as the
 * task's own would; each call ages the page anew (the fixture pinned this
 * thread: MADV_COLD drains only this CPU's LRU batch).  An x86 CPU, or an
 * arm64 one with FEAT_HAFDBS, sets the accessed bit itself: the test
 * cannot fail there.
 */
TEST_F(uprobe, reads_a_present_page_whose_entry_was_aged)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_LOAD(1, 0, 0, 8),
						 OP_EMIT(1, 8) };
	long page = page_size();
	uint64_t *aged;
	uint32_t id;
	int i;

	aged = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, aged);
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
	trace_self(_metadata, self);
	for (i = 0; i < 3; i++) {
		*(volatile uint64_t *)aged = 0x1122334455667700ull + i;
		ASSERT_EQ(0, madvise(aged, page, MADV_COLD)) TH_LOG("MADV_COLD: %s",
								    strerror(errno));
		call_ptr(aged, 0);
	}
	drain(_metadata, self);
	ASSERT_EQ(3, self->rs.nr);
	for (i = 0; i < 3; i++) {
		struct payload one = {};

		put64(&one, 0x1122334455667700ull + i);
		assert_event(_metadata, &self->rs, i, id, 0, &one);
	}
	munmap(aged, page);
}

#ifdef __aarch64__
/*
 * A tagged pointer (arm64's top-byte ignore, which HWASan-built code
 * uses): read as the task reads it, a page not in yet faulted in at the
 * untagged address.  The CPU ignores the tag whether or not the task took
 * the tagged address ABI (which is about system calls): both are tried.
 */
TEST_F(uprobe, reads_fault_pages_in_through_a_tagged_pointer)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_LOAD(1, 0, 0, 8),
						 OP_EMIT(1, 8) };
	long page = page_size();
	unsigned char vec;
	uint8_t *fresh;
	uint32_t id;
	int abi, ret;

	attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
	trace_self(_metadata, self);
	for (abi = 0; abi < 2; abi++) {
		ret = prctl(PR_SET_TAGGED_ADDR_CTRL, abi ? PR_TAGGED_ADDR_ENABLE : 0, 0, 0, 0);
		if (ret && errno == EINVAL)
			MWT_SKIP(return, "no tagged address ABI (abi.tagged_addr_disabled?)");
		ASSERT_EQ(0, ret) TH_LOG("PR_SET_TAGGED_ADDR_CTRL: %s", strerror(errno));
		fresh = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			     -1, 0);
		ASSERT_NE(MAP_FAILED, fresh);
		ASSERT_EQ(0, mincore(fresh, page, &vec));
		ASSERT_EQ(0, vec & 1);
		call_ptr((const void *)((uintptr_t)fresh | 0x5aull << 56), 0);
		ASSERT_EQ(0, mincore(fresh, page, &vec));
		ASSERT_EQ(1, vec & 1) TH_LOG("tagged address ABI %d", abi);
		munmap(fresh, page);
	}
	ASSERT_EQ(0, prctl(PR_SET_TAGGED_ADDR_CTRL, 0, 0, 0, 0));
	drain(_metadata, self);
	ASSERT_EQ(2, self->rs.nr);
	for (abi = 0; abi < 2; abi++) {
		struct payload zero = {};

		put64(&zero, 0);
		assert_event(_metadata, &self->rs, abi, id, 0, &zero);
	}
}
#endif

/* A thread that makes one probed call with a pointer, then says so. */
struct caller {
	const void *p;
	pid_t tid;
	int done;
};

static void *caller_run(void *arg)
{
	struct caller *c = arg;

	c->tid = mwt_gettid();
	call_ptr(c->p, 0);
	__atomic_store_n(&c->done, 1, __ATOMIC_RELEASE);
	return NULL;
}

/*
 * A pointer into a page registered with userfaultfd whose faults nobody
 * resolves (the task's own read would wait forever for its handler
 * thread): the handler never waits on it.  The read is flagged a fault,
 * the call returns, and DETACH and close finish while the page stays
 * unresolved.  (Before, the handler waited in the fault, and DETACH with
 * it: register_rwsem up to 6.11, tasks-trace RCU from 6.12.)
 */
TEST_F_TIMEOUT(uprobe, a_userfaultfd_page_never_stalls_the_handler, 120)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_LOAD(1, 0, 0, 8),
						 OP_EMIT(1, 8) };
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct pollfd pfd;
	struct payload want = {};
	struct caller c = {};
	long page = page_size();
	pthread_t th;
	uint8_t *hole;
	uint32_t id;
	int uffd, i;

	uffd = syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	ASSERT_LE(0, uffd) TH_LOG("userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	hole = mmap(NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, hole);
	reg.range.start = (uintptr_t)hole;
	reg.range.len = page;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
	trace_self(_metadata, self);
	c.p = hole;
	ASSERT_EQ(0, pthread_create(&th, NULL, caller_run, &c));
	for (i = 0; i < 30000 && !__atomic_load_n(&c.done, __ATOMIC_ACQUIRE); i++)
		usleep(1000);
	ASSERT_EQ(1, __atomic_load_n(&c.done, __ATOMIC_ACQUIRE))
		TH_LOG("the probed call still waits after 30 s");
	ASSERT_EQ(0, pthread_join(th, NULL));
	/* Nobody asked the handler thread for the page: no message waits. */
	pfd = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ASSERT_EQ(0, poll(&pfd, 1, 0));

	drain(_metadata, self);
	ASSERT_EQ(1, self->rs.nr);
	ASSERT_EQ(MAPWATCH_REC_EVENT, self->rs.r[0].type);
	ASSERT_EQ((uint32_t)c.tid, self->rs.r[0].tid);
	ASSERT_EQ(MAPWATCH_RECF_FAULT, self->rs.r[0].flags);
	put64(&want, 0);
	ASSERT_EQ(want.n, self->rs.r[0].payload_size);
	ASSERT_EQ(0, memcmp(want.b, mwt_rec_payload(&self->rs, 0), want.n));
	ASSERT_EQ(0, mw_detach(&self->s, id));
	mw_close(&self->s);
	self->s.fd = -1;
	close(uffd);
	munmap(hole, page);
}

/* ------------------------------------------------------------------------ */
/* The probed address.                                                       */

TEST_F(uprobe, pc_is_the_probed_address)
{
	const int64_t to_global = (int64_t)((uintptr_t)&mwt_global - (uintptr_t)mwt_target);
	const struct mapwatch_fetch_op ops[] = {
		OP_PC(0, 0), OP_EMIT(0, 8),
		OP_REG(1, REG_PC), OP_EMIT(1, 8),
		/* A PIE global: the probed address plus the link-time distance. */
		OP_PC(2, to_global), OP_EMIT(2, 8),
		OP_LOAD(3, 2, 0, 8), OP_EMIT(3, 8),
		OP_PC(4, -1), OP_EMIT(4, 8),
	};
	struct payload want = {};
	uint32_t id;

	mwt_global = 0x0badc0ffee0ddf00ULL;	/* and its page present */
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 40, &id);
	trace_self(_metadata, self);
	call(0, 0);
	drain(_metadata, self);
	put64(&want, (uintptr_t)mwt_target);
	put64(&want, (uintptr_t)mwt_target);
	put64(&want, (uintptr_t)&mwt_global);
	put64(&want, 0x0badc0ffee0ddf00ULL);
	put64(&want, (uintptr_t)mwt_target - 1);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, id, 0, &want);
}

/* ------------------------------------------------------------------------ */
/* Who traps: the pid filter.                                                */

TEST_F(uprobe, an_untraced_child_records_nothing)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	int traced_first;

	/* This process traced before the attach, and after it (the installer). */
	for (traced_first = 1; traced_first >= 0; traced_first--) {
		struct mapwatch_probe_counters pc;
		uint32_t id;
		pid_t kid;
		int gate;
		uint64_t i;

		if (traced_first)
			ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
		attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
		if (!traced_first)
			ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
		ASSERT_EQ(0, mw_enable(&self->s));
		/* A child forked now inherits the breakpoint, not the tracing. */
		kid = gated_child(100, 20, 0, &gate);
		ASSERT_LT(0, kid);
		ASSERT_EQ(0, release_child(kid, gate));
		for (i = 0; i < 3; i++)
			call(i, 0);
		counters(_metadata, self, id, &pc);
		drain(_metadata, self);

		/* Only this process's calls. */
		ASSERT_EQ(3, self->rs.nr);
		for (i = 0; i < 3; i++) {
			struct payload want = {};

			put64(&want, i);
			assert_event(_metadata, &self->rs, i, id, 0, &want);
		}
		/* The child trapped at most once: its first hit took the breakpoint out. */
		ASSERT_EQ(3, pc.recorded);
		ASSERT_GE(3 + 1, pc.hits) TH_LOG("traced %s the attach",
						 traced_first ? "before" : "after");
		ASSERT_EQ(pc.hits - 3, pc.filtered);

		ASSERT_EQ(0, mw_detach(&self->s, id));
		ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_CLEAR, 0));
		mwt_recs_free(&self->rs);
	}
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, a_process_traced_after_the_attach_gets_the_breakpoint)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	struct mapwatch_probe_counters pc;
	enum { N = 20 };
	uint32_t id;
	pid_t kid;
	int gate;
	size_t i;

	/* Nobody traced at the attach: the breakpoint is nowhere. */
	kid = gated_child(500, N, 0, &gate);
	ASSERT_LT(0, kid);
	attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
	ASSERT_EQ(0, mw_enable(&self->s));
	call(1, 0);
	/* Traced now: the child, then this process. */
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, kid));
	ASSERT_EQ(0, release_child(kid, gate));
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
	call(2, 0);
	counters(_metadata, self, id, &pc);
	drain(_metadata, self);

	/* Every call of the child, and the call made after this process's ADD. */
	ASSERT_EQ(N + 1, self->rs.nr);
	for (i = 0; i < N; i++) {
		ASSERT_EQ((uint32_t)kid, self->rs.r[i].tgid);
		ASSERT_EQ(8, self->rs.r[i].payload_size);
		ASSERT_EQ(500 + i, *(const uint64_t *)mwt_rec_payload(&self->rs, i));
	}
	{
		struct payload want = {};

		put64(&want, 2);
		assert_event(_metadata, &self->rs, N, id, 0, &want);
	}
	/* The untraced call before never trapped. */
	ASSERT_EQ(N + 1, pc.hits);
	ASSERT_EQ(0, pc.filtered);
}

/* Is thread @tid of process @pid a zombie? */
static int thread_is_zombie(pid_t pid, pid_t tid)
{
	char path[64], buf[512], *p;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/stat", pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

static int gate_rd = -1;

/* The child's second thread: waits for the gate, calls, ends the process. */
static void *late_thread(void *arg)
{
	uint64_t i;
	char c;

	(void)arg;
	if (read(gate_rd, &c, 1) != 1)
		_exit(1);
	for (i = 0; i < 10; i++)
		call(900 + i, 0);
	_exit(0);
}

TEST_F(uprobe, a_process_whose_main_thread_exited_is_traced)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	int traced_first;

	/* Traced before the attach, and after it (the installer). */
	for (traced_first = 1; traced_first >= 0; traced_first--) {
		uint32_t id;
		int gate[2], i;
		pid_t kid;

		ASSERT_EQ(0, pipe(gate));
		kid = fork();
		ASSERT_LE(0, kid);
		if (kid == 0) {
			pthread_t th;

			close(gate[1]);
			gate_rd = gate[0];
			if (pthread_create(&th, NULL, late_thread, NULL))
				_exit(2);
			/* The leader goes; the process lives on in its thread. */
			pthread_exit(NULL);
		}
		close(gate[0]);
		for (i = 0; i < 1000 && !thread_is_zombie(kid, kid); i++)
			usleep(10000);
		ASSERT_TRUE(thread_is_zombie(kid, kid));

		if (traced_first)
			ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, kid));
		attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
		if (!traced_first)
			ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, kid));
		ASSERT_EQ(0, mw_enable(&self->s));
		ASSERT_EQ(0, release_child(kid, gate[1]));
		drain(_metadata, self);

		/* Its remaining thread's calls are recorded. */
		ASSERT_EQ(10, self->rs.nr) TH_LOG("traced %s the attach",
						  traced_first ? "before" : "after");
		for (i = 0; i < 10; i++) {
			ASSERT_EQ((uint32_t)kid, self->rs.r[i].tgid);
			ASSERT_NE((uint32_t)kid, self->rs.r[i].tid);
			ASSERT_EQ(900 + i, *(const uint64_t *)mwt_rec_payload(&self->rs, i));
		}
		ASSERT_EQ(0, mw_detach(&self->s, id));
		ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_CLEAR, 0));
		mwt_recs_free(&self->rs);
	}
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, pid_del_stops_records_and_the_breakpoint_goes)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	int traced_first;

	/*
	 * Traced before the attach (the probe put the breakpoint in), and
	 * after it (the installer did).
	 */
	for (traced_first = 1; traced_first >= 0; traced_first--) {
		struct mapwatch_probe_counters before, after, later;
		uint32_t id;
		uint64_t i;

		if (traced_first)
			ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
		attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &id);
		if (!traced_first)
			ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
		ASSERT_EQ(0, mw_enable(&self->s));
		for (i = 0; i < 5; i++)
			call(i, 0);
		ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_DEL, getpid()));
		counters(_metadata, self, id, &before);
		for (i = 10; i < 30; i++)
			call(i, 0);
		counters(_metadata, self, id, &after);
		for (i = 30; i < 50; i++)
			call(i, 0);
		counters(_metadata, self, id, &later);
		/* Traced again from the next call on. */
		ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
		for (i = 50; i < 53; i++)
			call(i, 0);
		drain(_metadata, self);

		ASSERT_EQ(8, self->rs.nr) TH_LOG("traced %s the attach",
						 traced_first ? "before" : "after");
		for (i = 0; i < 8; i++)
			ASSERT_EQ(i < 5 ? i : 45 + i,
				  *(const uint64_t *)mwt_rec_payload(&self->rs, i));
		/* Untraced: the first hit is filtered and takes the breakpoint out... */
		ASSERT_EQ(5, before.hits);
		ASSERT_EQ(before.recorded, after.recorded);
		ASSERT_GE(before.hits + 1, after.hits) TH_LOG("traced %s the attach: %llu hits after DEL",
			  traced_first ? "before" : "after",
			  (unsigned long long)(after.hits - before.hits));
		ASSERT_EQ(after.hits - before.hits, after.filtered - before.filtered);
		/* ...so then the calls do not trap at all. */
		ASSERT_EQ(after.hits, later.hits);
		ASSERT_EQ(after.filtered, later.filtered);

		ASSERT_EQ(0, mw_detach(&self->s, id));
		ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_CLEAR, 0));
		mwt_recs_free(&self->rs);
	}
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, all_processes_records_an_untraced_child)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	struct mapwatch_probe_counters pc;
	struct mapwatch_uprobe up;
	enum { N = 10 };
	pid_t kid;
	int gate;
	size_t i;

	/* Nobody is traced; the probe takes every process running the binary. */
	kid = gated_child(700, N, 0, &gate);
	ASSERT_LT(0, kid);
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, ops, ARRAY_SIZE(ops),
				MAPWATCH_UPROBE_ALL_PROCESSES, &up));
	ASSERT_EQ(8, up.payload_max);
	ASSERT_EQ(0, mw_enable(&self->s));
	ASSERT_EQ(0, release_child(kid, gate));
	call(42, 0);
	counters(_metadata, self, up.probe_id, &pc);
	drain(_metadata, self);

	ASSERT_EQ(N + 1, self->rs.nr);
	for (i = 0; i < N; i++) {
		ASSERT_EQ((uint32_t)kid, self->rs.r[i].tgid);
		ASSERT_EQ(700 + i, *(const uint64_t *)mwt_rec_payload(&self->rs, i));
	}
	{
		struct payload want = {};

		put64(&want, 42);
		assert_event(_metadata, &self->rs, N, up.probe_id, 0, &want);
	}
	ASSERT_EQ(N + 1, pc.hits);
	ASSERT_EQ(N + 1, pc.recorded);
	ASSERT_EQ(0, pc.filtered);
}

/* ------------------------------------------------------------------------ */
/* Refused attaches.                                                         */

/* A refused attach: -1, @err, and bad_op written as @bad_op (if not POISON). */
static void assert_refused(struct __test_metadata *_metadata, FIXTURE_DATA(uprobe) *self,
			   const struct mapwatch_fetch_op *ops, uint32_t nr, int err,
			   uint32_t bad_op, const char *why)
{
	struct mapwatch_uprobe up;

	ASSERT_EQ(-1, mwt_uprobe(self->s.fd, self->bin, self->off, ops, nr, 0, &up))
		TH_LOG("%s", why);
	ASSERT_EQ(err, errno) TH_LOG("%s", why);
	if (bad_op != MWT_POISON)
		ASSERT_EQ(bad_op, up.bad_op) TH_LOG("%s", why);
}

#define BAD(why, ...)	{ why, { __VA_ARGS__ } }

TEST_F(uprobe, invalid_ops_are_einval_with_their_index)
{
	static const struct { const char *why; struct mapwatch_fetch_op op; } cases[] = {
		BAD("code 0", .code = 0),
		BAD("code 9", .code = 9),
		BAD("code 0x11", .code = 0x11),
		BAD("code 0xff", .code = 0xff),

		BAD("REG dst 8", .code = MAPWATCH_FOP_REG, .dst = 8, .src = A0),
		BAD("REG dst NOVAR", .code = MAPWATCH_FOP_REG, .dst = NOVAR, .src = A0),
		BAD("REG src NR", .code = MAPWATCH_FOP_REG, .src = REG_NR),
		BAD("REG src 0xff", .code = MAPWATCH_FOP_REG, .src = 0xff),
		BAD("REG size 8", .code = MAPWATCH_FOP_REG, .src = A0, .size = 8),
		BAD("REG flags", .code = MAPWATCH_FOP_REG, .src = A0, .flags = 1),
		BAD("REG max", .code = MAPWATCH_FOP_REG, .src = A0, .max = 1),
		BAD("REG imm 1", .code = MAPWATCH_FOP_REG, .src = A0, .imm = 1),
		BAD("REG imm -1", .code = MAPWATCH_FOP_REG, .src = A0, .imm = -1),

		BAD("CONST dst 8", .code = MAPWATCH_FOP_CONST, .dst = 8),
		BAD("CONST src 1", .code = MAPWATCH_FOP_CONST, .src = 1),
		BAD("CONST size 8", .code = MAPWATCH_FOP_CONST, .size = 8),
		BAD("CONST flags", .code = MAPWATCH_FOP_CONST, .flags = 1),
		BAD("CONST max", .code = MAPWATCH_FOP_CONST, .max = 1),

		BAD("PC dst 8", .code = MAPWATCH_FOP_PC, .dst = 8),
		BAD("PC src 1", .code = MAPWATCH_FOP_PC, .src = 1),
		BAD("PC size 8", .code = MAPWATCH_FOP_PC, .size = 8),
		BAD("PC flags", .code = MAPWATCH_FOP_PC, .flags = MAPWATCH_FOPF_SIGNED),
		BAD("PC max", .code = MAPWATCH_FOP_PC, .max = 1),

		BAD("ADD dst 8", .code = MAPWATCH_FOP_ADD, .dst = 8),
		BAD("ADD src 8", .code = MAPWATCH_FOP_ADD, .src = 8),
		BAD("ADD src NOVAR", .code = MAPWATCH_FOP_ADD, .src = NOVAR),
		BAD("ADD size 8", .code = MAPWATCH_FOP_ADD, .size = 8),
		BAD("ADD flags", .code = MAPWATCH_FOP_ADD, .flags = 1),
		BAD("ADD max", .code = MAPWATCH_FOP_ADD, .max = 1),

		BAD("LOAD size 0", .code = MAPWATCH_FOP_LOAD, .size = 0),
		BAD("LOAD size 3", .code = MAPWATCH_FOP_LOAD, .size = 3),
		BAD("LOAD size 5", .code = MAPWATCH_FOP_LOAD, .size = 5),
		BAD("LOAD size 7", .code = MAPWATCH_FOP_LOAD, .size = 7),
		BAD("LOAD size 16", .code = MAPWATCH_FOP_LOAD, .size = 16),
		BAD("LOAD size 0xff", .code = MAPWATCH_FOP_LOAD, .size = 0xff),
		BAD("LOAD dst 8", .code = MAPWATCH_FOP_LOAD, .dst = 8, .size = 8),
		BAD("LOAD src 8", .code = MAPWATCH_FOP_LOAD, .src = 8, .size = 8),
		BAD("LOAD src NOVAR", .code = MAPWATCH_FOP_LOAD, .src = NOVAR, .size = 8),
		BAD("LOAD flag 4", .code = MAPWATCH_FOP_LOAD, .size = 8, .flags = 4),
		BAD("LOAD flag 0x8000", .code = MAPWATCH_FOP_LOAD, .size = 8, .flags = 0x8001),
		BAD("LOAD max", .code = MAPWATCH_FOP_LOAD, .size = 8, .max = 8),

		BAD("EMIT size 0", .code = MAPWATCH_FOP_EMIT, .size = 0),
		BAD("EMIT size 3", .code = MAPWATCH_FOP_EMIT, .size = 3),
		BAD("EMIT size 16", .code = MAPWATCH_FOP_EMIT, .size = 16),
		BAD("EMIT dst 1", .code = MAPWATCH_FOP_EMIT, .dst = 1, .size = 8),
		BAD("EMIT dst NOVAR", .code = MAPWATCH_FOP_EMIT, .dst = NOVAR, .size = 8),
		BAD("EMIT src 8", .code = MAPWATCH_FOP_EMIT, .src = 8, .size = 8),
		BAD("EMIT flags", .code = MAPWATCH_FOP_EMIT, .size = 8, .flags = 1),
		BAD("EMIT max", .code = MAPWATCH_FOP_EMIT, .size = 8, .max = 8),
		BAD("EMIT imm", .code = MAPWATCH_FOP_EMIT, .size = 8, .imm = 8),

		BAD("COPY max 0", .code = MAPWATCH_FOP_COPY, .dst = NOVAR, .max = 0),
		BAD("COPY max MAX+1", .code = MAPWATCH_FOP_COPY, .dst = NOVAR,
		    .max = MAPWATCH_MAX_PAYLOAD + 1),
		BAD("COPY max 0xffff", .code = MAPWATCH_FOP_COPY, .dst = NOVAR, .max = 0xffff),
		BAD("COPY dst 8", .code = MAPWATCH_FOP_COPY, .dst = 8, .max = 8),
		BAD("COPY dst 0xfe", .code = MAPWATCH_FOP_COPY, .dst = 0xfe, .max = 8),
		BAD("COPY src 8", .code = MAPWATCH_FOP_COPY, .dst = NOVAR, .src = 8, .max = 8),
		BAD("COPY src NOVAR", .code = MAPWATCH_FOP_COPY, .dst = NOVAR, .src = NOVAR,
		    .max = 8),
		BAD("COPY size 1", .code = MAPWATCH_FOP_COPY, .dst = NOVAR, .size = 1, .max = 8),
		BAD("COPY flags", .code = MAPWATCH_FOP_COPY, .dst = NOVAR, .flags = 1, .max = 8),

		BAD("STR max 0", .code = MAPWATCH_FOP_STR, .dst = NOVAR, .max = 0),
		BAD("STR max MAX+1", .code = MAPWATCH_FOP_STR, .dst = NOVAR,
		    .max = MAPWATCH_MAX_PAYLOAD + 1),
		BAD("STR dst 8", .code = MAPWATCH_FOP_STR, .dst = 8, .max = 8),
		BAD("STR src 8", .code = MAPWATCH_FOP_STR, .dst = NOVAR, .src = 8, .max = 8),
		BAD("STR size 8", .code = MAPWATCH_FOP_STR, .dst = NOVAR, .size = 8, .max = 8),
		BAD("STR flags", .code = MAPWATCH_FOP_STR, .dst = NOVAR, .flags = 1, .max = 8),
	};
	/* Valid ops before the bad one, so its index varies; one valid op after. */
	const struct mapwatch_fetch_op prefix[] = {
		OP_REG(0, A0), OP_EMIT(0, 8), OP_ADD(1, 0, 1), OP_LOAD(2, 1, 0, 4),
	};
	const struct mapwatch_fetch_op tail = OP_EMIT(0, 8);
	struct mapwatch_fetch_op ops[ARRAY_SIZE(prefix) + 2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t pos = i % (ARRAY_SIZE(prefix) + 1);

		memcpy(ops, prefix, pos * sizeof(ops[0]));
		ops[pos] = cases[i].op;
		ops[pos + 1] = tail;
		assert_refused(_metadata, self, ops, pos + 2, EINVAL, pos, cases[i].why);
	}
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, the_boundaries_of_valid_ops_are_accepted)
{
	static const struct { const char *why; struct mapwatch_fetch_op op; uint32_t payload; }
	cases[] = {
		{ "REG last variable, last register",
		  OP_REG(MAPWATCH_FETCH_VARS - 1, REG_NR - 1), 0 },
		{ "REG not an argument", OP_REG(0, REG_NOT_ARG), 0 },
		{ "CONST any imm", OP_CONST(7, INT64_MIN), 0 },
		{ "PC any imm", OP_PC(7, INT64_MAX), 0 },
		{ "ADD last variables", OP_ADD(7, 7, -1), 0 },
		{ "LOAD 1", OP_LOAD(7, 7, 0, 1), 0 },
		{ "LOAD 2 signed", OP_SLOAD(0, 7, -8, 2), 0 },
		{ "LOAD 4", OP_LOAD(0, 0, INT64_MAX, 4), 0 },
		{ "LOAD 8 signed", OP_SLOAD(0, 0, 0, 8), 0 },
		{ "EMIT 1", OP_EMIT(7, 1), 1 },
		{ "EMIT 2", OP_EMIT(7, 2), 2 },
		{ "EMIT 4", OP_EMIT(7, 4), 4 },
		{ "EMIT 8", OP_EMIT(7, 8), 8 },
		{ "COPY max 1", OP_COPY(NOVAR, 0, 0, 1), 3 },
		{ "COPY var 7", OP_COPY(7, 7, -5, 100), 102 },
		{ "COPY largest", OP_COPY(NOVAR, 0, 0, MAPWATCH_MAX_PAYLOAD - 2),
		  MAPWATCH_MAX_PAYLOAD },
		{ "STR max 1", OP_STR(0, 0, 0, 1), 3 },
		{ "STR largest", OP_STR(NOVAR, 0, 0, MAPWATCH_MAX_PAYLOAD - 2),
		  MAPWATCH_MAX_PAYLOAD },
	};
	struct mapwatch_uprobe up;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, &cases[i].op, 1, 0,
					&up)) TH_LOG("%s: %s", cases[i].why, strerror(errno));
		ASSERT_EQ(cases[i].payload, up.payload_max) TH_LOG("%s", cases[i].why);
		ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	}
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, payload_above_the_limit_is_einval_with_no_bad_op)
{
	struct mapwatch_fetch_op ops[MAPWATCH_FETCH_MAX_OPS];
	struct mapwatch_fetch_op copy = OP_COPY(NOVAR, 0, 0, 0);
	struct mapwatch_fetch_op emit8 = OP_EMIT(0, 8);
	struct mapwatch_uprobe up;
	static const struct { uint16_t a, b; } pairs[] = {
		/* A COPY and a STR: (2 + a) + (2 + b) bytes against 1024. */
		{ 510, 510 },
		{ 511, 510 },
		{ 1, 1018 },
		{ 1, 1019 },
		{ 1, 1020 },
		{ 1024, 1024 },
	};
	size_t i;

	/* One copy of max bytes takes max + 2. */
	copy.max = MAPWATCH_MAX_PAYLOAD - 1;
	assert_refused(_metadata, self, &copy, 1, EINVAL, MAPWATCH_ALL_OPS_VALID, "COPY 1023");
	copy.max = MAPWATCH_MAX_PAYLOAD;
	assert_refused(_metadata, self, &copy, 1, EINVAL, MAPWATCH_ALL_OPS_VALID, "COPY 1024");
	for (i = 0; i < ARRAY_SIZE(pairs); i++) {
		ops[0] = copy;
		ops[0].max = pairs[i].a;
		ops[1] = copy;
		ops[1].code = MAPWATCH_FOP_STR;
		ops[1].max = pairs[i].b;
		if (4 + pairs[i].a + pairs[i].b <= MAPWATCH_MAX_PAYLOAD) {
			ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, ops, 2, 0, &up))
				TH_LOG("pair %zu", i);
			ASSERT_EQ(4 + pairs[i].a + pairs[i].b, up.payload_max);
			ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
		} else {
			assert_refused(_metadata, self, ops, 2, EINVAL, MAPWATCH_ALL_OPS_VALID,
				       "two copies");
		}
	}
	/* 32 largest copies: the sum does not wrap into something small. */
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		ops[i] = copy;
	assert_refused(_metadata, self, ops, ARRAY_SIZE(ops), EINVAL, MAPWATCH_ALL_OPS_VALID,
		       "32 copies of 1024");
	/* 32 emits of 8: well inside. */
	for (i = 0; i < ARRAY_SIZE(ops); i++)
		ops[i] = emit8;
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, ops, ARRAY_SIZE(ops), 0, &up));
	ASSERT_EQ(256, up.payload_max);
	ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, nr_ops_above_the_limit_is_einval)
{
	struct mapwatch_fetch_op ops[2 * MAPWATCH_FETCH_MAX_OPS];
	struct mapwatch_fetch_op emit1 = OP_EMIT(0, 1);
	static const uint32_t too_many[] = {
		MAPWATCH_FETCH_MAX_OPS + 1, 2 * MAPWATCH_FETCH_MAX_OPS, 0x10000, 0xffffffff,
	};
	struct mapwatch_uprobe up;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ops); i++)
		ops[i] = emit1;
	/* Exactly the limit is fine. */
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, ops, MAPWATCH_FETCH_MAX_OPS,
				0, &up));
	ASSERT_EQ(MAPWATCH_FETCH_MAX_OPS, up.payload_max);
	ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	/* Beyond it: refused whatever the ops, and no op is named. */
	for (i = 0; i < ARRAY_SIZE(too_many); i++)
		assert_refused(_metadata, self, ops, too_many[i], EINVAL, MAPWATCH_ALL_OPS_VALID,
			       "too many ops");
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, a_bad_ops_pointer_is_efault)
{
	const struct mapwatch_fetch_op op = OP_EMIT(0, 8);
	long page = page_size();
	uint8_t *pages = page_before_a_hole();
	struct mapwatch_fetch_op *last = (void *)(pages + page - sizeof(op));
	struct mapwatch_uprobe up;
	const struct { const void *ops; uint32_t nr; } cases[] = {
		{ NULL, 1 },
		{ (void *)1, 1 },
		{ pages + page, 1 },			/* unmapped */
		{ last, 2 },				/* the second op is in the hole */
		{ (void *)(pages + page - 8), 1 },	/* half an op */
		{ (void *)0xffffffff81000000UL, 1 },	/* kernel text */
	};
	size_t i;

	ASSERT_NE(NULL, pages);
	*last = op;
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		assert_refused(_metadata, self, cases[i].ops, cases[i].nr, EFAULT, MWT_POISON,
			       "bad ops pointer");
	/* No ops: the pointer is not read. */
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, NULL, 0, 0, &up));
	ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, last, 1, 0, &up));
	ASSERT_EQ(8, up.payload_max);
	ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	assert_probes_work(_metadata, self);
}

/* An attach at mwt_target()'s offset of the file open as @fd. */
static int attach_fd(FIXTURE_DATA(uprobe) *self, int fd, struct mapwatch_uprobe *up)
{
	return mwt_uprobe(self->s.fd, fd, self->off, NULL, 0, 0, up);
}

TEST_F(uprobe, the_binary_fd_must_be_an_open_regular_file)
{
	struct mapwatch_uprobe up;
	int closed, pipefd[2], sock, dir, null;

	ASSERT_EQ(0, pipe(pipefd));
	sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, sock);
	dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ASSERT_LE(0, dir);
	null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, null);
	closed = dup(self->bin);
	ASSERT_LE(0, closed);
	close(closed);

	/* Not an open file. */
	ASSERT_EQ(-1, attach_fd(self, -1, &up));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, attach_fd(self, closed, &up));
	ASSERT_EQ(EBADF, errno);
	ASSERT_EQ(-1, attach_fd(self, INT_MAX, &up));
	ASSERT_EQ(EBADF, errno);
	/* Open, but not a regular file. */
	ASSERT_EQ(-1, attach_fd(self, dir, &up));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, attach_fd(self, pipefd[0], &up));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, attach_fd(self, pipefd[1], &up));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, attach_fd(self, sock, &up));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, attach_fd(self, null, &up));
	ASSERT_EQ(EINVAL, errno);
	/* The session's own file is not a binary either. */
	ASSERT_EQ(-1, attach_fd(self, self->s.fd, &up));
	ASSERT_EQ(EINVAL, errno);
	/* EINVAL, but no op is to blame. */
	ASSERT_EQ(MAPWATCH_ALL_OPS_VALID, up.bad_op);
	close(pipefd[0]);
	close(pipefd[1]);
	close(sock);
	close(dir);
	close(null);
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, an_o_path_fd_names_the_binary)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	struct mapwatch_uprobe up;
	struct payload want = {};
	int path;

	/* "the binary, opened O_RDONLY or O_PATH" */
	path = open("/proc/self/exe", O_PATH | O_CLOEXEC);
	ASSERT_LE(0, path);
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, path, self->off, ops, ARRAY_SIZE(ops), 0, &up))
		TH_LOG("%s", strerror(errno));
	/* The fd can go: the probe holds the file. */
	close(path);
	trace_self(_metadata, self);
	call(77, 0);
	drain(_metadata, self);
	put64(&want, 77);
	ASSERT_EQ(1, self->rs.nr);
	assert_event(_metadata, &self->rs, 0, up.probe_id, 0, &want);
}

TEST_F(uprobe, offsets_beyond_the_file_are_einval)
{
	struct mapwatch_uprobe up;
	struct stat st;
	uint64_t size;
	size_t i;

	ASSERT_EQ(0, fstat(self->bin, &st));
	size = st.st_size;
	const uint64_t bad[] = { size, size + 1, size + 4096, 1ULL << 63, UINT64_MAX };

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		ASSERT_EQ(-1, mwt_uprobe(self->s.fd, self->bin, bad[i], NULL, 0, 0, &up))
			TH_LOG("offset %#llx", (unsigned long long)bad[i]);
		ASSERT_EQ(EINVAL, errno);
		/* Not an op's fault. */
		ASSERT_EQ(MAPWATCH_ALL_OPS_VALID, up.bad_op);
		/* The semaphore offset too. */
		memset(&up, 0, sizeof(up));
		up.size = sizeof(up);
		up.fd = self->bin;
		up.offset = self->off;
		up.ref_ctr_offset = bad[i];
		up.bad_op = MWT_POISON;
		ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &up))
			TH_LOG("ref_ctr_offset %#llx", (unsigned long long)bad[i]);
		ASSERT_EQ(EINVAL, errno);
		ASSERT_EQ(MAPWATCH_ALL_OPS_VALID, up.bad_op);
	}
	/*
	 * The last byte of the file is inside it (arm64: the last 4-byte
	 * slot, the kernel's uprobes take aligned offsets only).
	 */
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, (size - 1) & ~(INSN_ALIGN - 1), NULL, 0, 0,
				&up));
	ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, unknown_flags_and_reserved_are_einval)
{
	struct mapwatch_uprobe up;
	int bit;

	for (bit = 0; bit < 32; bit++) {
		if (MAPWATCH_UPROBE_FLAG_MASK & (1U << bit))
			continue;
		ASSERT_EQ(-1, mwt_uprobe(self->s.fd, self->bin, self->off, NULL, 0, 1U << bit,
					 &up)) TH_LOG("bit %d", bit);
		ASSERT_EQ(EINVAL, errno);
		/* No op is to blame. */
		ASSERT_EQ(MAPWATCH_ALL_OPS_VALID, up.bad_op);
	}
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, NULL, 0, 0, &up));
	ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	up.__reserved = 1;
	up.bad_op = MWT_POISON;
	ASSERT_EQ(-1, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &up));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(MAPWATCH_ALL_OPS_VALID, up.bad_op);
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, the_semaphore_counts_installed_breakpoints)
{
	struct mapwatch_uprobe up;
	uint64_t sem_off;

	ASSERT_EQ(0, mwt_file_offset(&mwt_semaphore, &sem_off, NULL, 0));
	ASSERT_EQ(0, mwt_semaphore);
	trace_self(_metadata, self);
	memset(&up, 0, sizeof(up));
	up.size = sizeof(up);
	up.fd = self->bin;
	up.offset = self->off;
	up.ref_ctr_offset = sem_off;
	ASSERT_EQ(0, ioctl(self->s.fd, MAPWATCH_IOC_UPROBE_ATTACH, &up))
		TH_LOG("%s", strerror(errno));
	/* In this traced process the breakpoint is in: the semaphore says so. */
	ASSERT_EQ(1, *(volatile unsigned short *)&mwt_semaphore);
	ASSERT_EQ(0, mw_detach(&self->s, up.probe_id));
	ASSERT_EQ(0, *(volatile unsigned short *)&mwt_semaphore);
	assert_probes_work(_metadata, self);
}

/* ------------------------------------------------------------------------ */
/* Lifetime.                                                                 */

/*
 * Every record of @rs is a spinner call (rsi SPIN_MAGIC) from one of the
 * (at most 4) probes @ids, and rdi grows within each ring, probe by probe.
 */
static void assert_spinner_records(struct __test_metadata *_metadata,
				   const struct mwt_recs *rs, const uint32_t *ids, size_t nr_ids)
{
	static uint64_t last[1024][4];
	size_t i, j;

	ASSERT_GE(4, nr_ids);
	memset(last, 0, sizeof(last));
	for (i = 0; i < rs->nr; i++) {
		const struct mwt_rec *r = &rs->r[i];
		const uint64_t *pl = (const uint64_t *)mwt_rec_payload(rs, i);

		if (r->type != MAPWATCH_REC_EVENT)
			continue;
		for (j = 0; j < nr_ids && ids[j] != r->probe_id; j++)
			;
		ASSERT_LT(j, nr_ids) TH_LOG("record %zu: probe %u", i, r->probe_id);
		ASSERT_EQ(16, r->payload_size);
		ASSERT_EQ(SPIN_MAGIC, pl[1]);
		ASSERT_LT(r->ring, ARRAY_SIZE(last));
		if (last[r->ring][j])
			ASSERT_LT(last[r->ring][j], pl[0] + 1) TH_LOG("record %zu", i);
		last[r->ring][j] = pl[0] + 1;
	}
}

/*
 * A session holds at most MAPWATCH_MAX_PROBES probes of all kinds: the next
 * attach is ENOSPC, a detach makes room for one more, and a new session has
 * its own budget.
 */
TEST_F(uprobe, probes_per_session_are_capped)
{
	struct mapwatch_uprobe up;
	struct mw_session other;
	uint32_t i, first = 0, id;

	ASSERT_EQ(MAPWATCH_MAX_PROBES, self->s.api.max_probes);
	for (i = 0; i < MAPWATCH_MAX_PROBES - 1; i++) {
		ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, NULL, 0, 0, &up))
			TH_LOG("probe %u: %s", i, strerror(errno));
		if (!first)
			first = up.probe_id;
	}
	/* The last one is a kprobe: the cap counts every kind. */
	ASSERT_EQ(0, mwt_attach(self->s.fd, MAPWATCH_KPROBE_GETPRIORITY, &id));
	ASSERT_EQ(-1, mwt_uprobe(self->s.fd, self->bin, self->off, NULL, 0, 0, &up));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(-1, mwt_attach(self->s.fd, MAPWATCH_KPROBE_MADVISE, &id));
	ASSERT_EQ(ENOSPC, errno);
	ASSERT_EQ(0, mwt_detach(self->s.fd, first));
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, self->bin, self->off, NULL, 0, 0, &up));
	ASSERT_EQ(-1, mwt_uprobe(self->s.fd, self->bin, self->off, NULL, 0, 0, &up));
	ASSERT_EQ(ENOSPC, errno);

	ASSERT_EQ(0, mw_open(&other, NULL, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_configure(&other, 16, 0, 0, 0)) TH_LOG("%s", mw_error());
	EXPECT_EQ(0, mwt_uprobe(other.fd, self->bin, self->off, NULL, 0, 0, &up));
	mw_close(&other);
}

/*
 * Once a DETACH returned: the spinner calling on, no record more; the
 * session's counters then in @after.
 */
static void assert_no_more_records(struct __test_metadata *_metadata,
				   FIXTURE_DATA(uprobe) *self, struct mwt_spinner *sp,
				   struct mapwatch_counters *after)
{
	struct mapwatch_counters before;

	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, &before));
	ASSERT_EQ(0, mwt_spinner_wait(sp, 300));
	ASSERT_EQ(0, mw_counters(&self->s, MAPWATCH_ALL_CPUS, after));
	ASSERT_EQ(before.produced, after->produced);
}

/* The spinner stopped, what probes @ids recorded is whole and in order. */
static void assert_spinner_trace(struct __test_metadata *_metadata, FIXTURE_DATA(uprobe) *self,
				 struct mwt_spinner *sp, uint64_t written,
				 const uint32_t *ids, size_t nr_ids)
{
	mwt_spinner_stop(sp);
	drain(_metadata, self);
	ASSERT_LT(0, self->rs.events);
	ASSERT_EQ(written, self->rs.events);
	assert_spinner_records(_metadata, &self->rs, ids, nr_ids);
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, detach_under_fire_waits_for_the_handlers)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0), OP_EMIT(0, 8), OP_REG(1, A1), OP_EMIT(1, 8),
	};
	struct mapwatch_counters after;
	struct mapwatch_probe_counters pc;
	struct mwt_spinner sp;
	uint32_t ids[4];
	int round;

	trace_self(_metadata, self);
	/* The spinner calls the probed function on the other CPU throughout. */
	ASSERT_EQ(0, mwt_spinner_start(&sp, mwt_nth_cpu(1), spin_call));
	for (round = 0; round < (int)ARRAY_SIZE(ids); round++) {
		attach(_metadata, self, ops, ARRAY_SIZE(ops), 16, &ids[round]);
		ASSERT_EQ(0, mwt_spinner_wait(&sp, 200));
		counters(_metadata, self, ids[round], &pc);
		ASSERT_LT(0, pc.recorded);
		ASSERT_EQ(0, mw_detach(&self->s, ids[round]));
		assert_no_more_records(_metadata, self, &sp, &after);
		/* and the counters are gone */
		ASSERT_EQ(-ENOENT, mw_probe_counters(&self->s, ids[round], &pc));
	}
	assert_spinner_trace(_metadata, self, &sp, after.written, ids, ARRAY_SIZE(ids));
}

/* MAPWATCH_IOC_DETACH of several probes (ABI 1.5), the fields as given. */
static int detach_ids(int fd, uint32_t probe_id, const uint32_t *ids, uint32_t nr,
		      uint32_t reserved)
{
	struct mapwatch_detach arg = {
		.size = sizeof(arg), .probe_id = probe_id, .nr_ids = nr,
		.reserved = reserved, .ids = (uintptr_t)ids,
	};

	return ioctl(fd, MAPWATCH_IOC_DETACH, &arg);
}

TEST_F(uprobe, detaching_several_under_fire_waits_for_all_their_handlers)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0), OP_EMIT(0, 8), OP_REG(1, A1), OP_EMIT(1, 8),
	};
	struct mapwatch_counters after;
	struct mapwatch_probe_counters pc;
	struct mwt_spinner sp;
	uint32_t ids[4];
	size_t i;

	trace_self(_metadata, self);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		attach(_metadata, self, ops, ARRAY_SIZE(ops), 16, &ids[i]);
	ASSERT_EQ(0, mwt_spinner_start(&sp, mwt_nth_cpu(1), spin_call));
	ASSERT_EQ(0, mwt_spinner_wait(&sp, 200));
	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		counters(_metadata, self, ids[i], &pc);
		ASSERT_LT(0, pc.recorded) TH_LOG("probe %zu", i);
	}
	/* All four in one call, the spinner hitting them on the other CPU. */
	ASSERT_EQ(0, detach_ids(self->s.fd, 0, ids, ARRAY_SIZE(ids), 0)) TH_LOG("%s", strerror(errno));
	assert_no_more_records(_metadata, self, &sp, &after);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		ASSERT_EQ(-ENOENT, mw_probe_counters(&self->s, ids[i], &pc)) TH_LOG("probe %zu", i);
	assert_spinner_trace(_metadata, self, &sp, after.written, ids, ARRAY_SIZE(ids));
}

TEST_F(uprobe, detaching_several_is_all_or_none)
{
	static uint32_t many[MAPWATCH_MAX_PROBES + 1];
	struct mapwatch_probe_counters pc;
	uint32_t ids[3], bad[3];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		attach(_metadata, self, NULL, 0, 0, &ids[i]);
	/* An id this session has not: ENOENT, and none detached. */
	bad[0] = ids[0], bad[1] = ids[1], bad[2] = 0x7fffffff;
	ASSERT_EQ(-1, detach_ids(self->s.fd, 0, bad, 3, 0));
	ASSERT_EQ(ENOENT, errno);
	/* One twice: EINVAL. */
	bad[2] = ids[0];
	ASSERT_EQ(-1, detach_ids(self->s.fd, 0, bad, 3, 0));
	ASSERT_EQ(EINVAL, errno);
	/* Above MAPWATCH_MAX_PROBES, probe_id as well, reserved, ids without nr_ids. */
	for (i = 0; i < ARRAY_SIZE(many); i++)
		many[i] = ids[i % 3];
	ASSERT_EQ(-1, detach_ids(self->s.fd, 0, many, MAPWATCH_MAX_PROBES + 1, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, detach_ids(self->s.fd, ids[0], &ids[1], 1, 0));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, detach_ids(self->s.fd, 0, &ids[1], 1, 1));
	ASSERT_EQ(EINVAL, errno);
	ASSERT_EQ(-1, detach_ids(self->s.fd, ids[0], &ids[1], 0, 0));
	ASSERT_EQ(EINVAL, errno);
	/* ids not readable. */
	ASSERT_EQ(-1, detach_ids(self->s.fd, 0, (const uint32_t *)8, 2, 0));
	ASSERT_EQ(EFAULT, errno);
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		counters(_metadata, self, ids[i], &pc);
	/* In any order. */
	bad[0] = ids[2], bad[1] = ids[0], bad[2] = ids[1];
	ASSERT_EQ(0, detach_ids(self->s.fd, 0, bad, 3, 0)) TH_LOG("%s", strerror(errno));
	for (i = 0; i < ARRAY_SIZE(ids); i++)
		ASSERT_EQ(-ENOENT, mw_probe_counters(&self->s, ids[i], &pc));
	ASSERT_EQ(-1, detach_ids(self->s.fd, 0, ids, 1, 0));
	ASSERT_EQ(ENOENT, errno);
	assert_probes_work(_metadata, self);
}

static int discard_record(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	(void)ctx, (void)cpu, (void)hdr;
	return 0;
}

/* One of two threads detaching at once, released together. */
struct detacher {
	int fd;
	uint32_t ids[2];
	pthread_barrier_t *go;
	int ret, err;
};

static void *detacher_run(void *arg)
{
	struct detacher *d = arg;

	pthread_barrier_wait(d->go);
	d->ret = detach_ids(d->fd, 0, d->ids, 2, 0);
	d->err = errno;
	return NULL;
}

/*
 * Two threads of one session detach {a, b} and {b, c} at the same moment,
 * the spinner hitting all three: one call wins and detaches both of its
 * probes, the other finds b gone and detaches nothing (ENOENT), so its
 * other probe still records.  Nothing is detached twice or half.
 */
TEST_F(uprobe, two_threads_detaching_overlapping_sets)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	struct mapwatch_probe_counters pc;
	struct mapwatch_counters after;
	struct detacher d[2] = {};
	pthread_barrier_t go;
	struct mwt_spinner sp;
	uint32_t ids[3], left;
	int round, wins[2] = {}, w, l, i;
	uint64_t recorded;
	pthread_t th[2];

	trace_self(_metadata, self);
	ASSERT_EQ(0, mwt_spinner_start(&sp, mwt_nth_cpu(1), spin_call));
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
	for (round = 0; round < 16; round++) {
		for (i = 0; i < 3; i++)
			attach(_metadata, self, ops, ARRAY_SIZE(ops), 8, &ids[i]);
		d[0] = (struct detacher){ .fd = self->s.fd, .ids = { ids[0], ids[1] }, .go = &go };
		d[1] = (struct detacher){ .fd = self->s.fd, .ids = { ids[1], ids[2] }, .go = &go };
		/* Started in either order: the scheduler may favour one. */
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, pthread_create(&th[i], NULL, detacher_run, &d[i ^ (round & 1)]));
		for (i = 0; i < 2; i++)
			ASSERT_EQ(0, pthread_join(th[i], NULL));
		ASSERT_EQ(1, (d[0].ret == 0) + (d[1].ret == 0))
			TH_LOG("round %d: %d (%s), %d (%s)", round, d[0].ret, strerror(d[0].err),
			       d[1].ret, strerror(d[1].err));
		w = d[0].ret == 0 ? 0 : 1;
		l = 1 - w;
		wins[w]++;
		ASSERT_EQ(-1, d[l].ret);
		ASSERT_EQ(ENOENT, d[l].err);
		/* The winner's two are gone; the loser's other one is whole. */
		ASSERT_EQ(-ENOENT, mw_probe_counters(&self->s, d[w].ids[0], &pc));
		ASSERT_EQ(-ENOENT, mw_probe_counters(&self->s, d[w].ids[1], &pc));
		left = d[l].ids[0] == ids[1] ? d[l].ids[1] : d[l].ids[0];
		/* (The rings emptied first: a full one records nothing.) */
		ASSERT_LE(0, mw_drain(&self->s, discard_record, NULL));
		counters(_metadata, self, left, &pc);
		recorded = pc.recorded;
		ASSERT_EQ(0, mwt_spinner_wait(&sp, 50));
		counters(_metadata, self, left, &pc);
		ASSERT_LT(recorded, pc.recorded) TH_LOG("round %d", round);
		ASSERT_EQ(0, mw_detach(&self->s, left));
		assert_no_more_records(_metadata, self, &sp, &after);
	}
	TH_LOG("wins: {a, b} %d, {b, c} %d", wins[0], wins[1]);
	ASSERT_EQ(0, pthread_barrier_destroy(&go));
	mwt_spinner_stop(&sp);
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, closing_the_session_under_fire)
{
	const struct mapwatch_fetch_op ops[] = {
		OP_REG(0, A0), OP_EMIT(0, 8), OP_REG(1, A1), OP_EMIT(1, 8),
	};
	struct mapwatch_uprobe up;
	struct mwt_spinner sp;
	int round;

	ASSERT_EQ(0, mwt_spinner_start(&sp, mwt_nth_cpu(1), spin_call));
	for (round = 0; round < 4; round++) {
		struct mapwatch_counters c;
		struct mw_session s;

		ASSERT_EQ(0, mw_open(&s, NULL, 0)) TH_LOG("%s", mw_error());
		ASSERT_EQ(0, mw_configure(&s, 4, 0, 0, 0)) TH_LOG("%s", mw_error());
		ASSERT_EQ(0, mw_pid(&s, MAPWATCH_PID_ADD, getpid()));
		ASSERT_EQ(0, mwt_uprobe(s.fd, self->bin, self->off, ops, ARRAY_SIZE(ops),
					round % 2 ? MAPWATCH_UPROBE_ALL_PROCESSES : 0, &up));
		ASSERT_EQ(0, mw_enable(&s));
		ASSERT_EQ(0, mwt_spinner_wait(&sp, 200));
		ASSERT_EQ(0, mw_counters(&s, MAPWATCH_ALL_CPUS, &c));
		ASSERT_LT(0, c.produced);
		/* Closed with handlers running: the probe goes with the session. */
		mw_close(&s);
		ASSERT_EQ(0, mwt_wait_refcnt(self->refcnt)) TH_LOG("round %d", round);
		ASSERT_EQ(0, mwt_spinner_wait(&sp, 200));
	}
	mwt_spinner_stop(&sp);
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, two_sessions_on_one_offset_each_get_their_own_records)
{
	const struct mapwatch_fetch_op ops_a[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	const struct mapwatch_fetch_op ops_b[] = {
		OP_REG(0, A1), OP_EMIT(0, 8), OP_CONST(1, 0xb), OP_EMIT(1, 1),
	};
	struct mapwatch_probe_counters pa, pb;
	struct mw_session b = { .fd = -1 };
	struct mwt_recs rb = {};
	enum { K = 20, M = 30 };
	uint32_t ida, idb;
	pid_t kid;
	int gate;
	size_t i;

	kid = gated_child(1000, M, 0x77, &gate);
	ASSERT_LT(0, kid);
	/* A traces this process and the child, B only the child. */
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, getpid()));
	ASSERT_EQ(0, mw_pid(&self->s, MAPWATCH_PID_ADD, kid));
	ASSERT_EQ(0, mw_open(&b, NULL, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_configure(&b, 16, 0, 0, 0)) TH_LOG("%s", mw_error());
	ASSERT_EQ(0, mw_pid(&b, MAPWATCH_PID_ADD, kid));
	attach(_metadata, self, ops_a, ARRAY_SIZE(ops_a), 8, &ida);
	{
		struct mapwatch_uprobe up;

		ASSERT_EQ(0, mwt_uprobe(b.fd, self->bin, self->off, ops_b, ARRAY_SIZE(ops_b), 0,
					&up));
		ASSERT_EQ(9, up.payload_max);
		idb = up.probe_id;
	}
	ASSERT_EQ(0, mw_enable(&self->s));
	ASSERT_EQ(0, mw_enable(&b));
	for (i = 0; i < K; i++)
		call(i, 0x55);
	ASSERT_EQ(0, release_child(kid, gate));
	counters(_metadata, self, ida, &pa);
	ASSERT_EQ(0, mw_probe_counters(&b, idb, &pb));
	drain(_metadata, self);
	ASSERT_EQ(0, mw_disable(&b));
	ASSERT_LE(0, mw_drain(&b, mwt_collect, &rb));

	/* A: this process's K calls, then the child's M, with A's program. */
	ASSERT_EQ(K + M, self->rs.nr);
	for (i = 0; i < K + M; i++) {
		const struct mwt_rec *r = &self->rs.r[i];

		ASSERT_EQ(ida, r->probe_id);
		ASSERT_EQ(8, r->payload_size);
		ASSERT_EQ(i < K ? (uint32_t)getpid() : (uint32_t)kid, r->tgid);
		ASSERT_EQ(i < K ? i : 1000 + i - K,
			  *(const uint64_t *)mwt_rec_payload(&self->rs, i));
	}
	/* B: the child's M calls only, with B's program. */
	ASSERT_EQ(M, rb.nr);
	for (i = 0; i < M; i++) {
		const uint8_t *pl = mwt_rec_payload(&rb, i);

		ASSERT_EQ(idb, rb.r[i].probe_id);
		ASSERT_EQ((uint32_t)kid, rb.r[i].tgid);
		ASSERT_EQ(9, rb.r[i].payload_size);
		ASSERT_EQ(0x77, *(const uint64_t *)pl);
		ASSERT_EQ(0xb, pl[8]);
	}
	/* Both consumers see every hit; B filters this process's. */
	ASSERT_EQ(K + M, pa.hits);
	ASSERT_EQ(K + M, pa.recorded);
	ASSERT_EQ(0, pa.filtered);
	ASSERT_EQ(K + M, pb.hits);
	ASSERT_EQ(M, pb.recorded);
	ASSERT_EQ(K, pb.filtered);
	mwt_recs_free(&rb);
	mw_close(&b);
	ASSERT_EQ(0, mw_detach(&self->s, ida));
	assert_probes_work(_metadata, self);
}

TEST_F(uprobe, a_shared_library_function)
{
	const struct mapwatch_fetch_op ops[] = { OP_REG(0, A0), OP_EMIT(0, 8) };
	long (*volatile fn)(long);
	struct mapwatch_uprobe up;
	char path[PATH_MAX];
	uint64_t off;
	int lib;
	long i;

	/* labs() in libc, called through a pointer: never inlined. */
	fn = (long (*)(long))dlsym(RTLD_DEFAULT, "labs");
	ASSERT_NE(NULL, fn);
	ASSERT_EQ(0, mwt_file_offset((const void *)fn, &off, path, sizeof(path)));
	lib = open(path, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, lib) TH_LOG("%s", path);
	ASSERT_EQ(0, mwt_uprobe(self->s.fd, lib, off, ops, ARRAY_SIZE(ops), 0, &up))
		TH_LOG("%s at %#llx: %s", path, (unsigned long long)off, strerror(errno));
	close(lib);
	trace_self(_metadata, self);
	for (i = 1; i <= 10; i++)
		ASSERT_EQ(i, fn(-i));
	drain(_metadata, self);

	ASSERT_EQ(10, self->rs.nr);
	for (i = 1; i <= 10; i++) {
		struct payload want = {};

		put64(&want, (uint64_t)-i);
		assert_event(_metadata, &self->rs, i - 1, up.probe_id, 0, &want);
	}
}

MWT_HARNESS_MAIN
