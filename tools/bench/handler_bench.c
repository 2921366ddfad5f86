// SPDX-License-Identifier: GPL-2.0
/*
 * tools/bench/handler_bench.c - mapwatch's uprobe handler in isolation,
 * next to the kernel's ftrace ring buffer, inside the test VM with the
 * benchmark build of the module (make bench; module/bench.h).
 *
 * Usage: handler_bench [-n ITERATIONS] [-r REPS] [-f FUNCTION] GOBINARY
 *
 * The probe is the one `mapwatchctl dump` puts on FUNCTION (default
 * runtime.mapassign_faststr) of the Go program GOBINARY, with the same
 * fetch program, attached but never hit: this process, the only one the
 * session traces, does not run GOBINARY.  Each repetition asks the module
 * to run, ITERATIONS times each: the fetch program; the record write
 * (reserve, copy of the payload, commit); the handler's whole work; and
 * the ftrace ring buffer's reserve, copy of the same payload and commit.
 * The registers point into an arena of this process whose every 8-byte
 * word holds the arena's own address, so each load the program makes
 * (map header, directory, table, type descriptors, g) lands in mapped
 * memory and the program does all of its work: a run that faults fails
 * the bench.  The rings are drained between repetitions, and any record
 * lost fails it too.
 *
 * Output: one JSON object on stdout: medians over the repetitions in ns
 * per call, the spread (min, max), and the payload size.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "go/gotrace.h"
#include "lib/mapwatch.h"
#include "bench.h"

#define ARENA_SIZE	(64 * 1024)
#define KEY		"bench-key-000042"

static const char *const figures[] = { "fetch", "ring", "handler", "ftrace" };
#define NR_FIGURES	4

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static int count_record(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	(void)cpu;
	if (hdr->type == MAPWATCH_REC_EVENT)
		++*(unsigned long *)ctx;
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: handler_bench [-n ITERATIONS] [-r REPS] [-f FUNCTION] GOBINARY\n");
}

int main(int argc, char **argv)
{
	const char *func = "runtime.mapassign_faststr";
	unsigned int iterations = 2000, reps = 21, r, i, j, reads = 0;
	const struct gotrace_probe *gp = NULL;
	struct mapwatch_bench_handler b;
	struct mapwatch_counters c;
	double *t[NR_FIGURES];
	struct mw_session s;
	struct gotrace gt;
	uint32_t probe_id;
	struct mw_err err;
	uint64_t *arena;
	int opt;

	while ((opt = getopt(argc, argv, "n:r:f:h")) != -1) {
		switch (opt) {
		case 'n':
			iterations = strtoul(optarg, NULL, 0);
			break;
		case 'r':
			reps = strtoul(optarg, NULL, 0);
			break;
		case 'f':
			func = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind != argc - 1 || !iterations || iterations > MAPWATCH_BENCH_MAX_ITER || !reps) {
		usage(stderr);
		return 2;
	}
	if (gotrace_open(&gt, argv[optind], DUMP_KEY_MAX, false, &err)) {
		fprintf(stderr, "handler_bench: %s\n", err.msg);
		return 1;
	}
	for (i = 0; i < gt.nr; i++)
		if (!strcmp(gt.probes[i].f->sym, func) && !gt.probes[i].at_ret)
			gp = &gt.probes[i];
	if (!gp) {
		fprintf(stderr, "handler_bench: mapwatchctl puts no entry probe on %s in %s\n", func,
			argv[optind]);
		return 1;
	}

	arena = mmap(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (arena == MAP_FAILED) {
		perror("handler_bench: mmap");
		return 1;
	}
	for (i = 0; i < ARENA_SIZE / 8; i++)
		arena[i] = (uint64_t)(uintptr_t)arena;
	memset(&b, 0, sizeof(b));
	b.size = sizeof(b);
	b.iterations = iterations;
	for (i = 0; i < MAPWATCH_REG_ARM64_NR; i++)
		b.regs[i] = (uint64_t)(uintptr_t)arena + ARENA_SIZE / 2;
	/* The string key: its bytes at the arena's end, its length in its register. */
	memcpy((char *)arena + ARENA_SIZE - 64, KEY, strlen(KEY));
	for (i = 0; i < GOVER_MAX_ARGS; i++) {
		int reg = gover_abi_reg(gt.info->machine, i);

		if (reg < 0)
			continue;
		if (gp->f->args[i] == GOARG_KEY_STR_LEN)
			b.regs[reg] = strlen(KEY);
		else if (gp->f->args[i] == GOARG_KEY_STR_PTR)
			b.regs[reg] = (uint64_t)(uintptr_t)arena + ARENA_SIZE - 64;
	}

	if (mw_open(&s, MAPWATCH_DEVICE, 0) ||
	    mw_configure(&s, 256, 0, 0, 0) ||
	    mw_pid(&s, MAPWATCH_PID_ADD, getpid()) ||
	    mw_uprobe_attach(&s, gt.fd, gp->off, 0, gp->prog.ops, gp->prog.nr_ops, 0, &probe_id) ||
	    mw_enable(&s)) {
		fprintf(stderr, "handler_bench: %s\n", mw_error());
		return 1;
	}
	b.probe_id = probe_id;
	for (j = 0; j < NR_FIGURES; j++)
		t[j] = calloc(reps, sizeof(double));

	for (r = 0; r < reps; r++) {
		unsigned long records = 0;

		if (ioctl(s.fd, MAPWATCH_IOC_BENCH_HANDLER, &b)) {
			fprintf(stderr, "handler_bench: MAPWATCH_IOC_BENCH_HANDLER: %s%s\n",
				strerror(errno),
				errno == ENOTTY ? " (not the benchmark build: make bench builds it)" : "");
			return 1;
		}
		if (b.faults) {
			fprintf(stderr, "handler_bench: %llu runs of the fetch program faulted\n",
				(unsigned long long)b.faults);
			return 1;
		}
		if (mw_drain(&s, count_record, &records) < 0) {
			fprintf(stderr, "handler_bench: %s\n", mw_error());
			return 1;
		}
		if (records != 2ul * iterations) {
			fprintf(stderr, "handler_bench: %lu records drained, %u written\n", records,
				2 * iterations);
			return 1;
		}
		t[0][r] = (double)b.ns_fetch / iterations;
		t[1][r] = (double)b.ns_ring / iterations;
		t[2][r] = (double)b.ns_handler / iterations;
		t[3][r] = (double)b.ns_ftrace / iterations;
	}
	if (mw_counters(&s, MAPWATCH_ALL_CPUS, &c)) {
		fprintf(stderr, "handler_bench: %s\n", mw_error());
		return 1;
	}
	if (c.lost_full || c.lost_nested) {
		fprintf(stderr, "handler_bench: %llu records lost\n",
			(unsigned long long)(c.lost_full + c.lost_nested));
		return 1;
	}

	/* The program's shape: its user-memory reads are most of its cost. */
	for (j = 0; j < gp->prog.nr_ops; j++)
		reads += gp->prog.ops[j].code == MAPWATCH_FOP_LOAD ||
			 gp->prog.ops[j].code == MAPWATCH_FOP_COPY ||
			 gp->prog.ops[j].code == MAPWATCH_FOP_STR;
	printf("{\"function\":\"%s\",\"payload\":%u,\"iterations\":%u,\"reps\":%u,"
	       "\"ops\":%u,\"reads\":%u", func, b.payload, iterations, reps, gp->prog.nr_ops, reads);
	for (j = 0; j < NR_FIGURES; j++) {
		qsort(t[j], reps, sizeof(double), cmp_double);
		printf(",\"%s\":{\"median\":%.1f,\"min\":%.1f,\"max\":%.1f}", figures[j],
		       t[j][reps / 2], t[j][0], t[j][reps - 1]);
	}
	printf("}\n");
	for (j = 0; j < NR_FIGURES; j++)
		free(t[j]);
	mw_close(&s);
	gotrace_close(&gt);
	munmap(arena, ARENA_SIZE);
	return 0;
}
