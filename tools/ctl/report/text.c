// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/text.c - mapwatchctl report for people: per process,
 * then its maps in the report's order with a verdict for each map that
 * holds its peak's storage.  json.c writes the same report for scripts,
 * field for field.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "main.h"
#include "report/model.h"
#include "report/report.h"

static void print_map(const struct rmap *m)
{
	char bytes[24];
	const char *when;

	report_bytes_text(m, bytes, sizeof(bytes));
	printf("  0x%-14" PRIx64 " %10s %8" PRIu64 " %8" PRIu64 " %6" PRIu64 " %6" PRIu64
	       " %9" PRIu64 " %9" PRIu64 " ", m->addr, bytes, m->peak, m->entries,
	       m->ops[OP_GROW], m->ops[OP_CLEAR], m->ops[OP_ASSIGN], m->ops[OP_DELETE]);
	if (m->made)
		printf("g%-5" PRIu64 " %s (%s)", m->made_goid, m->made_at[0] ? m->made_at : "?",
		       m->made_by);
	else
		printf("%-6s (make not traced: before tracing, or inlined)", "-");
	printf("%s\n", m->reused ? " [freed: address reused]" : "");
	/* Read from the process at the end, or as its last operation began. */
	when = m->state_read ? "read at the end" : "as its last operation began";
	if (map_retains(m) && m->have_bytes)
		printf("      holds %s%" PRIu64 " bytes for %" PRIu64 " live entries (%s)"
		       " since a peak of %" PRIu64 "; Go maps never shrink:"
		       " rebuild it or let it become unreachable\n", m->bytes_estimated ? "~" : "",
		       m->bytes, m->entries, when, m->peak);
	else if (map_retains(m))
		printf("      %" PRIu64 " live entries (%s) since a peak of %"
		       PRIu64 ": its storage still fits the peak; Go maps never shrink:"
		       " rebuild it or let it become unreachable\n", m->entries, when, m->peak);
}

/* "a 120, b 3" */
static void print_jinterval(const struct jinterval *in)
{
	size_t i;

	for (i = 0; i < in->nr; i++)
		printf("%s%s %" PRIu64, i ? ", " : "", in->c[i].name, in->c[i].n);
	if (!in->nr)
		printf("-");
	putchar('\n');
}

static void print_jvm(const struct rproc *p)
{
	uint64_t total = 0, longest = 0;
	size_t i, full = 0;

	for (i = 0; i < p->nr_jp; i++) {
		total += p->jp[i].duration_ns;
		if (p->jp[i].duration_ns > longest)
			longest = p->jp[i].duration_ns;
		full += p->jp[i].full;
	}
	printf("  JVM: %zu GC pauses (%zu full), %.3f ms paused, longest %.3f ms; %" PRIu64
	       " method entries traced\n", p->nr_jp, full, total / 1e6, longest / 1e6,
	       p->jmethods);
	if (p->nr_jp)
		printf("  %-6s %12s %9s %-4s  %s\n", "PAUSE", "AT (s)", "MS", "FULL",
		       "METHODS ENTERED SINCE THE PREVIOUS PAUSE");
	for (i = 0; i < p->nr_jp; i++) {
		const struct jpause *jp = &p->jp[i];

		printf("  %-6zu %12.6f ", i + 1, jp->begin_ns / 1e9);
		if (jp->ended)
			printf("%9.3f ", jp->duration_ns / 1e6);
		else
			printf("%9s ", "?");
		printf("%-4s  ", jp->full ? "yes" : "no");
		print_jinterval(&jp->before);
	}
	if (p->jafter.nr) {
		printf("  after the last pause: ");
		print_jinterval(&p->jafter);
	}
}

static void print_proc(const struct report *r, const struct rproc *p)
{
	printf("process %u: %.3f s traced", p->pid, (p->last_ns - p->first_ns) / 1e9);
	if (p->exited) {
		if (p->exit_signal)
			printf(", killed by signal %" PRId64, p->exit_signal);
		else
			printf(", exited with status %" PRId64, p->exit_status);
	}
	putchar('\n');
	if (proc_jvm_only(p)) {
		print_jvm(p);
		return;
	}
	printf("  GC: %" PRIu64 " cycles ended", p->gc_end);
	if (p->cycle_first)
		printf(" (cycles %" PRIu64 "-%" PRIu64 ")", p->cycle_first, p->cycle_last);
	printf(", %" PRIu64 " started, %" PRIu64 " marked\n", p->gc_start, p->gc_mark_end);
	printf("  returned to the OS by the scavenger: %" PRIu64 " bytes in %" PRIu64 " calls\n",
	       p->released, p->releases);
	if (report_kprobe_on(r, MAPWATCH_KPROBE_MADVISE))
		printf("  madvise: %" PRIu64 " calls, dontneed %" PRIu64 " bytes, free %" PRIu64
		       " bytes\n", p->madv_calls, p->madv_dontneed, p->madv_free);
	if (report_kprobe_on(r, MAPWATCH_KPROBE_MUNMAP))
		printf("  munmap: %" PRIu64 " calls, %" PRIu64 " bytes\n", p->munmap_calls,
		       p->munmapped);
	if (report_kprobe_on(r, MAPWATCH_KPROBE_MMAP))
		printf("  anonymous mmap: %" PRIu64 " calls, %" PRIu64 " bytes of address space\n",
		       p->mmap_calls, p->mmap_anon);
	printf("  %zu maps; the %zu live ones of known size hold %" PRIu64 " bytes\n", p->nr_maps,
	       p->nr_sized, p->map_bytes);
	if (p->jvm)
		print_jvm(p);
}

int report_print_text(struct report *r)
{
	struct rmap **order = report_order(r);
	size_t i, j, shown;

	if (!order)
		return -1;
	if (r->has_header) {
		time_t t = r->start_realtime_ns / 1000000000ULL;
		char when[32];
		struct tm tm;

		if (!localtime_r(&t, &tm) || !strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm))
			snprintf(when, sizeof(when), "?");
		printf("trace of %s (kernel %s) from %s, by mapwatchctl %s\n", r->host, r->kernel,
		       when, r->writer);
	}
	for (j = 0; j < r->nr_procs; j++) {
		const struct rproc *p = &r->procs[j];

		print_proc(r, p);
		if (p->nr_maps)
			printf("  %-16s %10s %8s %8s %6s %6s %9s %9s %s\n", "MAP", "BYTES", "PEAK",
			       "LEN", "GROWS", "CLEARS", "ASSIGNS", "DELETES", "MADE BY");
		for (i = shown = 0; i < r->nr_maps; i++) {
			if (order[i]->pid != p->pid || (r->top && shown >= r->top))
				continue;
			shown++;
			print_map(order[i]);
		}
		if (shown < p->nr_maps)
			printf("  (%zu more maps; --top 0 shows all)\n", p->nr_maps - shown);
	}
	if (r->lost)
		printf("%" PRIu64 " events were lost: the figures above are incomplete"
		       " (try --pages)\n", r->lost);
	if (r->budget.seen)
		printf("Traced within a budget of %g%%: %.3f%% of the processes' CPU spent; map"
		       " operations traced %.2f%% of the time, in %" PRIu64 " windows (the maps"
		       " read from the processes between them)\n", r->budget.percent,
		       r->budget.spent_percent, r->budget.armed_percent, r->budget.windows);
	if (r->unknown)
		printf("%" PRIu64 " records of types this mapwatchctl does not know were"
		       " ignored: a newer one wrote the trace\n", r->unknown);
	if (r->malformed)
		printf("%" PRIu64 " records were not used: they lack pid, time_ns or a map's"
		       " address (docs/trace-format.md)\n", r->malformed);
	free(order);
	return 0;
}
