// SPDX-License-Identifier: GPL-2.0
/*
 * tools/bench/ring_bench.c - cost of one ring record (reserve + 64-byte
 * payload write + commit) in module/ring.c built for userspace, next to a
 * plain memcpy() of the same 64 bytes, measured in the same run.
 *
 * Each repetition times a batch that fits the ring, then frees the ring
 * untimed; the median over repetitions is reported.  With -j: one JSON
 * object instead of text (tools/bench/run).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ring.h"

#define PAGE		4096
#define DATA_SIZE	(1u << 20)
#define PAYLOAD		64
#define REC_SIZE	(sizeof(struct mapwatch_rec_event) + PAYLOAD)
#define BATCH		(DATA_SIZE / REC_SIZE - 1)
#define REPS		201

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[n / 2];
}

int main(int argc, char **argv)
{
	int json = argc == 2 && !strcmp(argv[1], "-j");
	struct mapwatch_ring_consumer *cons = aligned_alloc(PAGE, PAGE);
	struct mapwatch_ring_producer *prod = aligned_alloc(PAGE, PAGE);
	u8 *data = aligned_alloc(PAGE, DATA_SIZE);
	u8 *dst = aligned_alloc(PAGE, DATA_SIZE);
	static double t_ring[REPS], t_copy[REPS];
	u8 src[PAYLOAD];
	struct mapwatch_ring rb;
	unsigned int i;
	int r;

	memset(src, 0x5a, sizeof(src));
	memset(data, 0, DATA_SIZE);
	memset(dst, 0, DATA_SIZE);
	mapwatch_ring_init(&rb, cons, prod, data, DATA_SIZE, 0, 0, DATA_SIZE);

	for (r = 0; r < REPS; r++) {
		double t0, t1, t2;

		t0 = now_ns();
		for (i = 0; i < BATCH; i++) {
			struct mapwatch_rec_event *ev = mapwatch_ring_reserve(&rb, PAYLOAD, i);

			if (!ev)
				abort();
			memcpy(ev + 1, src, PAYLOAD);
			mapwatch_ring_commit(&rb);
		}
		t1 = now_ns();
		for (i = 0; i < BATCH; i++) {
			memcpy(dst + i * REC_SIZE, src, PAYLOAD);
			__asm__ __volatile__("" : : "r"(dst) : "memory");
		}
		t2 = now_ns();
		/* The reader frees everything, untimed. */
		smp_store_release(&cons->cons_pos, prod->prod_pos);
		t_ring[r] = (t1 - t0) / BATCH;
		t_copy[r] = (t2 - t1) / BATCH;
	}
	if (prod->lost_full || prod->lost_nested)
		abort();
	{
		double ring = median(t_ring, REPS), copy = median(t_copy, REPS);

		if (json) {
			printf("{\"payload\":%d,\"ring_ns\":%.2f,\"memcpy_ns\":%.2f,\"reps\":%d,\"batch\":%u}\n",
			       PAYLOAD, ring, copy, REPS, (unsigned int)BATCH);
		} else {
			printf("ring record (reserve + %d-byte write + commit): %.1f ns/record (median of %d x %u)\n",
			       PAYLOAD, ring, REPS, (unsigned int)BATCH);
			printf("memcpy of the same %d bytes:                     %.1f ns/record\n",
			       PAYLOAD, copy);
			printf("ratio ring/memcpy: %.1f\n", ring / copy);
		}
	}
	free(cons);
	free(prod);
	free(data);
	free(dst);
	return 0;
}
