// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/metrics.c - report --openmetrics: the report as metrics
 * (README-openmetrics), per process, per map of the top N, of the trace,
 * and the module's control-plane counters (openmetrics.c writes them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "report/model.h"
#include "report/openmetrics.h"
#include "report/report.h"

/* Which processes a metric is for. */
enum {
	OM_GO = 64,		/* not a JVM-only process */
	OM_JVM,			/* a JVM's (dump --jvm) */
	OM_ALL,			/* every process */
	/* below 64: a MAPWATCH_KPROBE_* that was on (or had events so far) */
};

/* The figures (OM_NS: nanoseconds, written as seconds). */
enum {
	PV_GC_CYCLES = 1, PV_SCAV_BYTES, PV_SCAV_CALLS, PV_MAPS, PV_SIZED, PV_MAP_BYTES,
	PV_TRACED, PV_MADV_CALLS, PV_MADV_DONTNEED, PV_MADV_FREE, PV_MUNMAP_CALLS,
	PV_MUNMAP_BYTES, PV_MMAP_CALLS, PV_MMAP_BYTES, PV_EXITED, PV_JPAUSES_FULL,
	PV_JPAUSES_YOUNG, PV_JPAUSE_NS_FULL, PV_JPAUSE_NS_YOUNG, PV_JMETHODS,
};

struct om_metric {
	const char *name, *type, *unit, *help;
	int who;
	const char *label;		/* a second label with v[].value, or NULL */
	struct {
		const char *value;
		int figure;		/* 0: unused */
	} v[2];
};

static const struct om_metric om_proc_metrics[] = {
	{ "mapwatch_process_gc_cycles", "counter", NULL,
	  "Go GC cycles that ended (runtime events gc end)", OM_GO, NULL,
	  { { NULL, PV_GC_CYCLES } } },
	{ "mapwatch_process_scavenger_released_bytes", "counter", "bytes",
	  "Bytes the Go scavenger returned to the OS (its releases' lengths)", OM_GO, NULL,
	  { { NULL, PV_SCAV_BYTES } } },
	{ "mapwatch_process_scavenger_releases", "counter", NULL,
	  "Releases to the OS by the Go scavenger", OM_GO, NULL, { { NULL, PV_SCAV_CALLS } } },
	{ "mapwatch_process_maps", "gauge", NULL,
	  "Go maps traced (an address reused by a new map counts again)", OM_GO, NULL,
	  { { NULL, PV_MAPS } } },
	{ "mapwatch_process_sized_maps", "gauge", NULL,
	  "Live Go maps whose storage size is known", OM_GO, NULL, { { NULL, PV_SIZED } } },
	{ "mapwatch_process_map_bytes", "gauge", "bytes",
	  "Bytes the runtime structures of the live Go maps of known size hold (at each"
	  " map's last operation)", OM_GO, NULL, { { NULL, PV_MAP_BYTES } } },
	{ "mapwatch_process_traced_seconds", "gauge", "seconds",
	  "Time from the process's first event in the trace to its last", OM_ALL, NULL,
	  { { NULL, PV_TRACED } } },
	{ "mapwatch_process_madvise_calls", "counter", NULL,
	  "madvise(2) calls (kernel probe madvise)", MAPWATCH_KPROBE_MADVISE, NULL,
	  { { NULL, PV_MADV_CALLS } } },
	{ "mapwatch_process_madvise_bytes", "counter", "bytes",
	  "Bytes given back by madvise(2), by advice: dontneed (MADV_DONTNEED), free"
	  " (MADV_FREE)", MAPWATCH_KPROBE_MADVISE, "advice",
	  { { "dontneed", PV_MADV_DONTNEED }, { "free", PV_MADV_FREE } } },
	{ "mapwatch_process_munmap_calls", "counter", NULL,
	  "munmap(2) calls (kernel probe munmap)", MAPWATCH_KPROBE_MUNMAP, NULL,
	  { { NULL, PV_MUNMAP_CALLS } } },
	{ "mapwatch_process_munmap_bytes", "counter", "bytes", "Bytes unmapped by munmap(2)",
	  MAPWATCH_KPROBE_MUNMAP, NULL, { { NULL, PV_MUNMAP_BYTES } } },
	{ "mapwatch_process_mmap_anon_calls", "counter", NULL,
	  "Successful anonymous mmap(2) calls (kernel probe mmap)", MAPWATCH_KPROBE_MMAP, NULL,
	  { { NULL, PV_MMAP_CALLS } } },
	{ "mapwatch_process_mmap_anon_bytes", "counter", "bytes",
	  "Bytes of address space the successful anonymous mmap(2) calls mapped",
	  MAPWATCH_KPROBE_MMAP, NULL, { { NULL, PV_MMAP_BYTES } } },
	{ "mapwatch_process_exited", "gauge", NULL,
	  "1 once the process's exit was traced (kernel probe exit)", MAPWATCH_KPROBE_EXIT, NULL,
	  { { NULL, PV_EXITED } } },
	{ "mapwatch_jvm_gc_pauses", "counter", NULL,
	  "HotSpot GC pauses begun, full or not (dump --jvm)", OM_JVM, "full",
	  { { "true", PV_JPAUSES_FULL }, { "false", PV_JPAUSES_YOUNG } } },
	{ "mapwatch_jvm_gc_pause_seconds", "counter", "seconds",
	  "Time in HotSpot GC pauses that ended, full or not", OM_JVM, "full",
	  { { "true", PV_JPAUSE_NS_FULL }, { "false", PV_JPAUSE_NS_YOUNG } } },
	{ "mapwatch_jvm_method_entries", "counter", NULL,
	  "Java method entries traced (dump --methods, after its filter)", OM_JVM, NULL,
	  { { NULL, PV_JMETHODS } } },
};

static uint64_t om_jvm_pauses(const struct rproc *p, bool full, bool ns)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < p->nr_jp; i++)
		if (p->jp[i].full == full)
			v += ns ? (p->jp[i].ended ? p->jp[i].duration_ns : 0) : 1;
	return v;
}

static uint64_t om_proc_value(const struct rproc *p, int figure)
{
	switch (figure) {
	case PV_GC_CYCLES:		return p->gc_end;
	case PV_SCAV_BYTES:		return p->released;
	case PV_SCAV_CALLS:		return p->releases;
	case PV_MAPS:			return p->nr_maps;
	case PV_SIZED:			return p->nr_sized;
	case PV_MAP_BYTES:		return p->map_bytes;
	case PV_TRACED:			return p->last_ns - p->first_ns;
	case PV_MADV_CALLS:		return p->madv_calls;
	case PV_MADV_DONTNEED:		return p->madv_dontneed;
	case PV_MADV_FREE:		return p->madv_free;
	case PV_MUNMAP_CALLS:		return p->munmap_calls;
	case PV_MUNMAP_BYTES:		return p->munmapped;
	case PV_MMAP_CALLS:		return p->mmap_calls;
	case PV_MMAP_BYTES:		return p->mmap_anon;
	case PV_EXITED:			return p->exited;
	case PV_JPAUSES_FULL:		return om_jvm_pauses(p, true, false);
	case PV_JPAUSES_YOUNG:		return om_jvm_pauses(p, false, false);
	case PV_JPAUSE_NS_FULL:		return om_jvm_pauses(p, true, true);
	case PV_JPAUSE_NS_YOUNG:	return om_jvm_pauses(p, false, true);
	case PV_JMETHODS:		return p->jmethods;
	}
	return 0;
}

static bool om_proc_has(const struct report *r, const struct rproc *p, int who)
{
	if (who == OM_ALL)
		return true;
	if (who == OM_GO)
		return !proc_jvm_only(p);
	if (who == OM_JVM)
		return p->jvm;
	return (r->kprobes | r->kprobes_seen) & (1u << who);
}

/* What the metrics file is made of: the report, its maps in order. */
struct om_report {
	struct report *r;
	struct rmap **order;
};

static void om_write_proc_metrics(FILE *f, const struct om_report *o)
{
	const struct report *r = o->r;
	size_t i, j, k;
	char pid[16];

	for (i = 0; i < sizeof(om_proc_metrics) / sizeof(om_proc_metrics[0]); i++) {
		const struct om_metric *m = &om_proc_metrics[i];
		bool counter = !strcmp(m->type, "counter"), any = false;

		for (j = 0; j < r->nr_procs && !any; j++)
			any = om_proc_has(r, &r->procs[j], m->who);
		if (!any)
			continue;
		om_family(f, m->name, m->type, m->unit, m->help);
		for (j = 0; j < r->nr_procs; j++) {
			const struct rproc *p = &r->procs[j];

			if (!om_proc_has(r, p, m->who))
				continue;
			snprintf(pid, sizeof(pid), "%u", p->pid);
			for (k = 0; k < 2 && m->v[k].figure; k++) {
				struct om_label l[] = { { "pid", pid }, { m->label, m->v[k].value } };
				uint64_t v = om_proc_value(p, m->v[k].figure);

				if (m->unit && !strcmp(m->unit, "seconds"))
					om_sample_ns(f, m->name, counter ? "_total" : "", l,
						     m->label ? 2 : 1, v);
				else
					om_sample_u64(f, m->name, counter ? "_total" : "", l,
						      m->label ? 2 : 1, v);
			}
		}
	}
}

/* The figures of a map; MV_BYTES_*: only of a map whose storage size is known. */
enum { MV_ENTRIES, MV_PEAK, MV_BYTES, MV_PEAK_BYTES, MV_BYTES_ESTIMATED, MV_RETAINS,
       MV_GROWS, MV_ASSIGNS, MV_DELETES, MV_CLEARS };

static const struct {
	const char *name, *type, *unit, *help;
	int figure;
} om_map_metrics[] = {
	{ "mapwatch_map_entries", "gauge", NULL,
	  "The map's len() as its last traced operation began", MV_ENTRIES },
	{ "mapwatch_map_peak_entries", "gauge", NULL, "The largest len() traced", MV_PEAK },
	{ "mapwatch_map_bytes", "gauge", "bytes",
	  "Bytes the map's runtime structures held at its last operation that had the"
	  " figure (buckets or groups, tables, directory, header, keys and values stored"
	  " apart)", MV_BYTES },
	{ "mapwatch_map_peak_bytes", "gauge", "bytes", "The largest mapwatch_map_bytes traced",
	  MV_PEAK_BYTES },
	{ "mapwatch_map_bytes_estimated", "gauge", NULL,
	  "1 if mapwatch_map_bytes is an estimate (a classic map's overflow buckets from"
	  " B = 16 on, a clone's tables)", MV_BYTES_ESTIMATED },
	{ "mapwatch_map_retains", "gauge", NULL,
	  "1 if the map's entries fell to a quarter of a peak of 64 or more: it still holds"
	  " the storage of its peak (Go maps never shrink)", MV_RETAINS },
	{ "mapwatch_map_grows", "counter", NULL, "Growths of the map", MV_GROWS },
	{ "mapwatch_map_assigns", "counter", NULL, "Assignments (m[k] = v)", MV_ASSIGNS },
	{ "mapwatch_map_deletes", "counter", NULL, "Deletions (delete(m, k))", MV_DELETES },
	{ "mapwatch_map_clears", "counter", NULL, "Clears (clear(m), or the loop the"
	  " compiler turns into one)", MV_CLEARS },
};

static uint64_t om_map_value(const struct rmap *m, int figure)
{
	switch (figure) {
	case MV_ENTRIES:		return m->entries;
	case MV_PEAK:			return m->peak;
	case MV_BYTES:			return m->bytes;
	case MV_PEAK_BYTES:		return m->peak_bytes;
	case MV_BYTES_ESTIMATED:	return m->bytes_estimated;
	case MV_RETAINS:		return map_retains(m);
	case MV_GROWS:			return m->ops[OP_GROW];
	case MV_ASSIGNS:		return m->ops[OP_ASSIGN];
	case MV_DELETES:		return m->ops[OP_DELETE];
	case MV_CLEARS:			return m->ops[OP_CLEAR];
	}
	return 0;
}

/*
 * Per process, its top maps (--top; 0: all) in the report's order, live
 * ones only: a map freed (its address reused by a later make) holds
 * nothing any more, and would share its labels with the map now there.
 */
static size_t om_top_maps(const struct om_report *o, struct rmap **top)
{
	const struct report *r = o->r;
	size_t i, j, n = 0;

	for (j = 0; j < r->nr_procs; j++) {
		size_t shown = 0;

		for (i = 0; i < r->nr_maps; i++) {
			struct rmap *m = o->order[i];

			if (m->pid != r->procs[j].pid || m->reused || (r->top && shown >= r->top))
				continue;
			top[n++] = m;
			shown++;
		}
	}
	return n;
}

static int om_write_map_metrics(FILE *f, const struct om_report *o)
{
	struct rmap **top = calloc(o->r->nr_maps + 1, sizeof(*top));
	size_t i, j, n;

	if (!top) {
		p_err("out of memory");
		return -1;
	}
	n = om_top_maps(o, top);
	for (i = 0; i < sizeof(om_map_metrics) / sizeof(om_map_metrics[0]); i++) {
		int figure = om_map_metrics[i].figure;
		bool sized_only = figure == MV_BYTES || figure == MV_PEAK_BYTES ||
				  figure == MV_BYTES_ESTIMATED;
		bool counter = !strcmp(om_map_metrics[i].type, "counter");
		const char *name = om_map_metrics[i].name;

		om_family(f, name, om_map_metrics[i].type, om_map_metrics[i].unit,
			  om_map_metrics[i].help);
		for (j = 0; j < n; j++) {
			const struct rmap *m = top[j];
			char pid[16], addr[24];
			struct om_label l[] = {
				{ "pid", pid },
				{ "map", addr },
				{ "made_at", m->made && m->made_at[0] ? m->made_at : NULL },
				{ "made_by", m->made ? m->made_by : NULL },
			};

			if (sized_only && !m->have_bytes)
				continue;
			snprintf(pid, sizeof(pid), "%u", m->pid);
			snprintf(addr, sizeof(addr), "0x%" PRIx64, m->addr);
			om_sample_u64(f, name, counter ? "_total" : "", l, 4, om_map_value(m, figure));
		}
	}
	free(top);
	return 0;
}

/* A family of one sample without labels: a counter's sample gets _total. */
static void om_scalar(FILE *f, const char *name, const char *type, const char *help,
		      uint64_t v)
{
	bool counter = !strcmp(type, "counter");

	om_family(f, name, type, NULL, help);
	om_sample_u64(f, name, counter ? "_total" : "", NULL, 0, v);
}

static void om_write_trace_metrics(FILE *f, const struct report *r)
{
	om_scalar(f, "mapwatch_trace_events", "counter",
		  "Events of traced processes read from the trace", r->events);
	om_scalar(f, "mapwatch_trace_lost_events", "counter",
		  "Events the rings dropped, as the trace's LOST records count them", r->lost);
	om_scalar(f, "mapwatch_trace_errors", "counter",
		  "Error records in the trace (records dump could not decode)", r->errors);
	om_scalar(f, "mapwatch_trace_complete", "gauge",
		  "1 once the trace's final summary was read: the trace is whole", r->summary);
	om_scalar(f, "mapwatch_trace_processes", "gauge",
		  "Processes with events in the trace", r->nr_procs);
}

int report_openmetrics(FILE *f, void *ctx)
{
	struct om_report o = { .r = ctx };
	int ret;

	o.order = report_order(o.r);
	if (!o.order)
		return -1;
	om_write_trace_metrics(f, o.r);
	om_write_proc_metrics(f, &o);
	ret = om_write_map_metrics(f, &o);
	om_control_plane(f);
	om_eof(f);
	free(o.order);
	return ret;
}

