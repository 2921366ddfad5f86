// SPDX-License-Identifier: GPL-2.0
/*
 * tools/tests/ring_test.c - host unit tests of module/ring.c, the ring core
 * the module uses, built for userspace.  Run under ThreadSanitizer and under
 * AddressSanitizer + UBSan (see the Makefile's unit target).
 *
 * A thread stands for a CPU: it owns one ring as its only producer, while a
 * consumer thread drains every ring at the same time.  A signal handler that
 * writes into its thread's ring stands for an interrupting writer (NMI).
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ring.h"

#define PAGE 4096

static int failures, test_nr;

#define CHECK(cond, ...) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "# %s:%d: %s: ", __FILE__, __LINE__, #cond); \
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		return -1;						\
	}								\
} while (0)

struct test_ring {
	struct mapwatch_ring rb;
	void *cons, *prod, *data;
	u64 size;
};

static void ring_setup(struct test_ring *t, u64 data_size, u32 flags, u32 cpu)
{
	t->cons = aligned_alloc(PAGE, PAGE);
	t->prod = aligned_alloc(PAGE, PAGE);
	t->data = aligned_alloc(PAGE, data_size);
	memset(t->data, 0xa5, data_size);	/* no reliance on zeroed memory */
	t->size = data_size;
	mapwatch_ring_init(&t->rb, t->cons, t->prod, t->data, data_size, cpu, flags, PAGE);
}

static void ring_teardown(struct test_ring *t)
{
	free(t->cons);
	free(t->prod);
	free(t->data);
}

/* Payload: a sequence number, then bytes derived from it. */
static bool write_event(struct mapwatch_ring *rb, u64 seq, u32 payload)
{
	struct mapwatch_rec_event *ev = mapwatch_ring_reserve(rb, payload, seq);
	u8 *p;
	u32 i;

	if (!ev)
		return false;
	ev->tgid = 1;
	ev->tid = 2;
	ev->probe_id = 3;
	p = (u8 *)(ev + 1);
	memcpy(p, &seq, sizeof(seq));
	for (i = sizeof(seq); i < payload; i++)
		p[i] = (u8)(seq + i);
	mapwatch_ring_commit(rb);
	return true;
}

struct drain_state {
	u64 events, lost, next_seq, bad;
	bool ordered;		/* sequence numbers must grow by one unless LOST */
};

static int check_event(struct drain_state *d, const struct mapwatch_rec_event *ev)
{
	const u8 *p = (const u8 *)(ev + 1);
	u64 seq;
	u32 i;

	memcpy(&seq, p, sizeof(seq));
	if (ev->time_ns != seq || ev->tgid != 1 || ev->tid != 2 || ev->probe_id != 3)
		return -1;
	if (ev->hdr.size != ((sizeof(*ev) + ev->payload_size + 7) & ~7UL))
		return -1;
	for (i = sizeof(seq); i < ev->payload_size; i++)
		if (p[i] != (u8)(seq + i))
			return -1;
	if (d->ordered && seq < d->next_seq)
		return -1;
	d->next_seq = seq + 1;
	return 0;
}

/* The reader's loop, as libmapwatch runs it over an mmap. */
static long drain(struct test_ring *t, struct drain_state *d)
{
	struct mapwatch_ring_producer *prod = t->prod;
	struct mapwatch_ring_consumer *cons = t->cons;
	u64 end = smp_load_acquire(&prod->prod_pos);
	u64 pos = mapwatch_ring_read_start(prod, READ_ONCE(cons->cons_pos));
	const struct mapwatch_rec_hdr *hdr;
	long n = 0;
	u32 sz;

	while ((hdr = mapwatch_ring_next(t->data, t->size, &pos, end, &sz))) {
		if (hdr == MAPWATCH_ERR_REC)
			return -1;
		if (hdr->type == MAPWATCH_REC_EVENT) {
			if (check_event(d, (const void *)hdr))
				d->bad++;
			d->events++;
		} else if (hdr->type == MAPWATCH_REC_LOST) {
			d->lost += ((const struct mapwatch_rec_lost *)hdr)->lost;
		} else {
			d->bad++;
		}
		pos += sz;
		n++;
	}
	smp_store_release(&cons->cons_pos, pos);
	return n;
}

static u64 produced(const struct mapwatch_ring_producer *p)
{
	return READ_ONCE(p->written) + READ_ONCE(p->lost_full) + READ_ONCE(p->lost_nested);
}

/* ------------------------------------------------------------------------ */

/* Records of every size round-trip across many wraps, PAD records included. */
static int test_wrap_and_pad(void)
{
	struct drain_state d = { .ordered = true };
	struct test_ring t;
	u64 seq;

	ring_setup(&t, PAGE, 0, 0);
	for (seq = 0; seq < 20000; seq++) {
		CHECK(write_event(&t.rb, seq, 8 + seq % (MAPWATCH_MAX_PAYLOAD - 7)),
		      "reserve failed at %llu with an empty ring", (unsigned long long)seq);
		drain(&t, &d);
	}
	CHECK(d.events == 20000 && d.lost == 0 && d.bad == 0, "events %llu lost %llu bad %llu",
	      (unsigned long long)d.events, (unsigned long long)d.lost,
	      (unsigned long long)d.bad);
	ring_teardown(&t);
	return 0;
}

/* A full ring drops and counts; LOST records report exactly what was dropped. */
static int test_full_ring_accounting(void)
{
	struct drain_state d = { .ordered = true };
	struct mapwatch_ring_producer *p;
	struct test_ring t;
	u64 seq, ok = 0;

	ring_setup(&t, PAGE, 0, 0);
	p = t.prod;
	for (seq = 0; seq < 1000; seq++) {
		ok += write_event(&t.rb, seq, 64);
		if (seq % 100 == 99)
			drain(&t, &d);
	}
	CHECK(p->lost_full > 0, "a 4 KiB ring took 1000 records undrained");
	CHECK(ok == p->written, "written %llu, reserve succeeded %llu",
	      (unsigned long long)p->written, (unsigned long long)ok);
	drain(&t, &d);
	CHECK(mapwatch_ring_flush_lost(&t.rb, 0), "flush on a drained ring");
	drain(&t, &d);
	CHECK(produced(p) == 1000, "produced %llu", (unsigned long long)produced(p));
	CHECK(d.events + d.lost == 1000, "consumed %llu + lost %llu != 1000",
	      (unsigned long long)d.events, (unsigned long long)d.lost);
	CHECK(d.lost == p->lost_full && p->lost_reported == p->lost_full, "lost mismatch");
	CHECK(d.bad == 0, "corrupt records");
	ring_teardown(&t);
	return 0;
}

/* Flight recorder: the newest records survive, contiguous, the rest counted. */
static int test_overwrite_keeps_newest(void)
{
	struct drain_state d = { .ordered = true };
	struct mapwatch_ring_producer *p;
	struct test_ring t;
	u64 seq, n = 5000;

	ring_setup(&t, 2 * PAGE, MAPWATCH_RING_OVERWRITE, 0);
	p = t.prod;
	for (seq = 0; seq < n; seq++)
		CHECK(write_event(&t.rb, seq, 40), "overwrite mode never refuses");
	d.next_seq = 0;
	drain(&t, &d);
	CHECK(d.bad == 0, "corrupt records");
	CHECK(d.next_seq == n, "last record is %llu", (unsigned long long)d.next_seq - 1);
	/* 40-byte payload: 72-byte records, at most 8192 / 72 of them. */
	CHECK(d.events >= 2 * PAGE / 72 - 1 && d.events <= 2 * PAGE / 72, "kept %llu",
	      (unsigned long long)d.events);
	CHECK(p->lost_overwritten + d.events == n, "overwritten %llu + kept %llu != %llu",
	      (unsigned long long)p->lost_overwritten, (unsigned long long)d.events,
	      (unsigned long long)n);
	ring_teardown(&t);
	return 0;
}

/* A consumer position written as garbage through the mapping hurts nobody. */
static int test_garbage_consumer_position(void)
{
	struct mapwatch_ring_consumer *c;
	struct drain_state d = {};
	struct test_ring t;
	u64 pos = 12345;
	u32 sz;

	ring_setup(&t, PAGE, 0, 0);
	c = t.cons;
	write_event(&t.rb, 0, 16);
	c->cons_pos = 0xdeadbeefULL << 20;
	CHECK(!write_event(&t.rb, 1, 16), "reserve with a bogus consumer position");
	CHECK(mapwatch_ring_next(t.data, t.size, &pos, 99999, &sz) == MAPWATCH_ERR_REC,
	      "misaligned position accepted");
	c->cons_pos = 0;
	CHECK(drain(&t, &d) >= 1 && d.bad == 0, "ring unusable after the reader fixed it");
	ring_teardown(&t);
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Concurrency: producers and a consumer on different threads.               */

#define NR_PRODUCERS	4

struct mt_ctx {
	struct test_ring ring[NR_PRODUCERS];
	struct drain_state d[NR_PRODUCERS];
	u64 per_thread;
	int producers_done;
	u64 signals_handled;
};

static struct mt_ctx *mt;
static __thread int my_ring = -1;
static __thread u64 sig_seq;

struct prod_arg {
	int idx;
};

static void *producer(void *arg)
{
	int idx = ((struct prod_arg *)arg)->idx;
	u64 seq;

	my_ring = idx;
	for (seq = 0; seq < mt->per_thread; seq++)
		write_event(&mt->ring[idx].rb, seq, 8 + (seq * 7) % 120);
	__atomic_fetch_add(&mt->producers_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void *consumer(void *arg)
{
	int i;

	(void)arg;
	for (;;) {
		bool done = __atomic_load_n(&mt->producers_done, __ATOMIC_ACQUIRE) == NR_PRODUCERS;

		for (i = 0; i < NR_PRODUCERS; i++)
			drain(&mt->ring[i], &mt->d[i]);
		if (done)
			break;
	}
	return NULL;
}

static int test_threads_exact_accounting(void)
{
	struct prod_arg args[NR_PRODUCERS];
	pthread_t th[NR_PRODUCERS], cons;
	int i;

	mt = calloc(1, sizeof(*mt));
	mt->per_thread = 200000;
	for (i = 0; i < NR_PRODUCERS; i++) {
		ring_setup(&mt->ring[i], PAGE, 0, i);
		mt->d[i].ordered = true;
	}
	pthread_create(&cons, NULL, consumer, NULL);
	for (i = 0; i < NR_PRODUCERS; i++) {
		args[i].idx = i;
		pthread_create(&th[i], NULL, producer, &args[i]);
	}
	for (i = 0; i < NR_PRODUCERS; i++)
		pthread_join(th[i], NULL);
	pthread_join(cons, NULL);
	for (i = 0; i < NR_PRODUCERS; i++) {
		struct mapwatch_ring_producer *p = mt->ring[i].prod;

		mapwatch_ring_flush_lost(&mt->ring[i].rb, 0);
		drain(&mt->ring[i], &mt->d[i]);
		CHECK(mt->d[i].bad == 0, "ring %d: corrupt or reordered records", i);
		CHECK(produced(p) == mt->per_thread, "ring %d produced %llu", i,
		      (unsigned long long)produced(p));
		CHECK(mt->d[i].events + mt->d[i].lost == mt->per_thread,
		      "ring %d: consumed %llu + lost %llu", i,
		      (unsigned long long)mt->d[i].events, (unsigned long long)mt->d[i].lost);
		CHECK(mt->d[i].events == p->written, "ring %d written", i);
		ring_teardown(&mt->ring[i]);
	}
	free(mt);
	return 0;
}

/* The signal handler is an interrupting writer on the same "CPU". */
static void nested_writer(int sig)
{
	(void)sig;
	if (my_ring < 0)
		return;
	write_event(&mt->ring[my_ring].rb, 1000000000ULL + sig_seq++, 24);
	__atomic_fetch_add(&mt->signals_handled, 1, __ATOMIC_RELAXED);
}

static void *signaller(void *arg)
{
	pthread_t target = *(pthread_t *)arg;

	while (__atomic_load_n(&mt->producers_done, __ATOMIC_ACQUIRE) < NR_PRODUCERS)
		pthread_kill(target, SIGUSR1);
	return NULL;
}

static int test_nested_writer_accounting(void)
{
	struct prod_arg arg = { .idx = 0 };
	pthread_t th, sig, cons_th;
	struct mapwatch_ring_producer *p;
	struct drain_state *d;
	struct sigaction sa = { .sa_handler = nested_writer };

	mt = calloc(1, sizeof(*mt));
	mt->per_thread = 1000000;
	ring_setup(&mt->ring[0], 4 * PAGE, 0, 0);
	for (int i = 1; i < NR_PRODUCERS; i++)
		ring_setup(&mt->ring[i], PAGE, 0, i);
	mt->producers_done = NR_PRODUCERS - 1;	/* only ring 0 has a producer */
	sigaction(SIGUSR1, &sa, NULL);

	pthread_create(&cons_th, NULL, consumer, NULL);
	pthread_create(&th, NULL, producer, &arg);
	pthread_create(&sig, NULL, signaller, &th);
	pthread_join(th, NULL);
	pthread_join(sig, NULL);
	pthread_join(cons_th, NULL);
	signal(SIGUSR1, SIG_IGN);

	p = mt->ring[0].prod;
	d = &mt->d[0];
	mapwatch_ring_flush_lost(&mt->ring[0].rb, 0);
	drain(&mt->ring[0], d);
	CHECK(d->bad == 0, "corrupt records");
	CHECK(produced(p) == mt->per_thread + mt->signals_handled,
	      "produced %llu, attempted %llu", (unsigned long long)produced(p),
	      (unsigned long long)(mt->per_thread + mt->signals_handled));
	CHECK(d->events + d->lost == produced(p), "consumed %llu + lost %llu != %llu",
	      (unsigned long long)d->events, (unsigned long long)d->lost,
	      (unsigned long long)produced(p));
	CHECK(mt->signals_handled > 0, "no signal reached the producer");
	printf("# nested: %llu signal writers, %llu found the ring busy\n",
	       (unsigned long long)mt->signals_handled, (unsigned long long)p->lost_nested);
	for (int i = 0; i < NR_PRODUCERS; i++)
		ring_teardown(&mt->ring[i]);
	free(mt);
	return 0;
}

/* A writer interrupted between reserve and commit: the nested one is counted. */
static int test_nested_writer_is_counted(void)
{
	struct sigaction sa = { .sa_handler = nested_writer };
	struct mapwatch_ring_producer *p;
	struct drain_state d = {};
	struct mapwatch_rec_event *ev;

	mt = calloc(1, sizeof(*mt));
	ring_setup(&mt->ring[0], PAGE, 0, 0);
	p = mt->ring[0].prod;
	my_ring = 0;
	sigaction(SIGUSR1, &sa, NULL);
	ev = mapwatch_ring_reserve(&mt->ring[0].rb, 8, 0);
	CHECK(ev != NULL, "reserve");
	memset(ev + 1, 0, 8);
	ev->tgid = 1, ev->tid = 2, ev->probe_id = 3;
	raise(SIGUSR1);				/* writes while we hold the ring */
	mapwatch_ring_commit(&mt->ring[0].rb);
	raise(SIGUSR1);				/* ring free: this one lands */
	signal(SIGUSR1, SIG_IGN);
	my_ring = -1;
	CHECK(p->lost_nested == 1 && p->written == 2, "nested %llu written %llu",
	      (unsigned long long)p->lost_nested, (unsigned long long)p->written);
	drain(&mt->ring[0], &d);
	CHECK(d.events == 2 && d.lost == 1, "events %llu, LOST reported %llu",
	      (unsigned long long)d.events, (unsigned long long)d.lost);
	ring_teardown(&mt->ring[0]);
	free(mt);
	return 0;
}

static void run(const char *name, int (*fn)(void))
{
	int ret = fn();

	test_nr++;
	printf("%sok %d %s\n", ret ? "not " : "", test_nr, name);
	if (ret)
		failures++;
}

int main(void)
{
	printf("TAP version 13\n1..7\n");
	run("wrap_and_pad", test_wrap_and_pad);
	run("full_ring_accounting", test_full_ring_accounting);
	run("overwrite_keeps_newest", test_overwrite_keeps_newest);
	run("garbage_consumer_position", test_garbage_consumer_position);
	run("threads_exact_accounting", test_threads_exact_accounting);
	run("nested_writer_is_counted", test_nested_writer_is_counted);
	run("nested_writer_accounting", test_nested_writer_accounting);
	return failures ? 1 : 0;
}
