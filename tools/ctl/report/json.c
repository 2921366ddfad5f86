// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/json.c - mapwatchctl -j report: one object, the same
 * figures as text.c's report (docs/trace-format.md lists its fields).
 */
#include <stdlib.h>

#include "main.h"
#include "report/model.h"
#include "report/report.h"
#include "trace/kprobes.h"

static void print_map(const struct rmap *m)
{
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "map", m->addr);
	jsonw_uint_field(json_wtr, "first_ns", m->first_ns);
	jsonw_uint_field(json_wtr, "last_ns", m->last_ns);
	jsonw_bool_field(json_wtr, "made", m->made);
	if (m->made) {
		jsonw_uint_field(json_wtr, "made_goid", m->made_goid);
		jsonw_string_field(json_wtr, "made_by", m->made_by);
		if (m->made_at[0])
			jsonw_string_field(json_wtr, "made_at", m->made_at);
	}
	jsonw_uint_field(json_wtr, "peak_entries", m->peak);
	jsonw_uint_field(json_wtr, "entries", m->entries);
	/* entries (and bytes) read from the process at the end, not from the last event */
	jsonw_bool_field(json_wtr, "state_read", m->state_read);
	if (m->have_bytes) {
		jsonw_uint_field(json_wtr, "bytes", m->bytes);
		jsonw_uint_field(json_wtr, "peak_bytes", m->peak_bytes);
		jsonw_bool_field(json_wtr, "bytes_estimated", m->bytes_estimated);
	}
	jsonw_uint_field(json_wtr, "makes", m->ops[OP_MAKE]);
	jsonw_uint_field(json_wtr, "assigns", m->ops[OP_ASSIGN]);
	jsonw_uint_field(json_wtr, "deletes", m->ops[OP_DELETE]);
	jsonw_uint_field(json_wtr, "clears", m->ops[OP_CLEAR]);
	jsonw_uint_field(json_wtr, "grows", m->ops[OP_GROW]);
	jsonw_bool_field(json_wtr, "freed", m->reused);
	jsonw_bool_field(json_wtr, "retains", map_retains(m));
	jsonw_end_object(json_wtr);
}

/* {"a":120,"b":3} */
static void print_jinterval(const struct jinterval *in)
{
	size_t i;

	jsonw_start_object(json_wtr);
	for (i = 0; i < in->nr; i++)
		jsonw_uint_field(json_wtr, in->c[i].name, in->c[i].n);
	jsonw_end_object(json_wtr);
}

static void print_jvm(const struct rproc *p)
{
	size_t i;

	jsonw_name(json_wtr, "jvm");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "method_entries", p->jmethods);
	jsonw_name(json_wtr, "gc_pauses");
	jsonw_start_array(json_wtr);
	for (i = 0; i < p->nr_jp; i++) {
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "begin_ns", p->jp[i].begin_ns);
		if (p->jp[i].ended)
			jsonw_uint_field(json_wtr, "duration_ns", p->jp[i].duration_ns);
		jsonw_bool_field(json_wtr, "full", p->jp[i].full);
		jsonw_name(json_wtr, "methods_before");
		print_jinterval(&p->jp[i].before);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "methods_after");
	print_jinterval(&p->jafter);
	jsonw_end_object(json_wtr);
}

static void print_proc(const struct rproc *p)
{
	jsonw_uint_field(json_wtr, "pid", p->pid);
	jsonw_uint_field(json_wtr, "first_ns", p->first_ns);
	jsonw_uint_field(json_wtr, "last_ns", p->last_ns);
	jsonw_uint_field(json_wtr, "map_bytes", p->map_bytes);
	jsonw_uint_field(json_wtr, "sized_maps", p->nr_sized);
	jsonw_uint_field(json_wtr, "map_count", p->nr_maps);
	jsonw_name(json_wtr, "gc");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "starts", p->gc_start);
	jsonw_uint_field(json_wtr, "mark_ends", p->gc_mark_end);
	jsonw_uint_field(json_wtr, "ends", p->gc_end);
	if (p->cycle_first) {
		jsonw_uint_field(json_wtr, "first_cycle", p->cycle_first);
		jsonw_uint_field(json_wtr, "last_cycle", p->cycle_last);
	}
	jsonw_end_object(json_wtr);
	jsonw_name(json_wtr, "released");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "scavenger_calls", p->releases);
	jsonw_uint_field(json_wtr, "scavenger_bytes", p->released);
	jsonw_uint_field(json_wtr, "madvise_calls", p->madv_calls);
	jsonw_uint_field(json_wtr, "madvise_dontneed_bytes", p->madv_dontneed);
	jsonw_uint_field(json_wtr, "madvise_free_bytes", p->madv_free);
	jsonw_uint_field(json_wtr, "munmap_calls", p->munmap_calls);
	jsonw_uint_field(json_wtr, "munmap_bytes", p->munmapped);
	jsonw_uint_field(json_wtr, "mmap_anon_calls", p->mmap_calls);
	jsonw_uint_field(json_wtr, "mmap_anon_bytes", p->mmap_anon);
	jsonw_end_object(json_wtr);
	if (p->exited) {
		jsonw_name(json_wtr, "exit");
		jsonw_start_object(json_wtr);
		jsonw_int_field(json_wtr, "status", p->exit_status);
		jsonw_int_field(json_wtr, "signal", p->exit_signal);
		jsonw_end_object(json_wtr);
	}
	if (p->jvm)
		print_jvm(p);
}

void report_budget_json(const struct rbudget *b)
{
	if (!b->seen)
		return;
	jsonw_name(json_wtr, "budget");
	jsonw_start_object(json_wtr);
	jsonw_fixed3_field(json_wtr, "percent", b->percent);
	jsonw_fixed3_field(json_wtr, "spent_percent", b->spent_percent);
	jsonw_fixed3_field(json_wtr, "armed_percent", b->armed_percent);
	jsonw_uint_field(json_wtr, "windows", b->windows);
	jsonw_end_object(json_wtr);
}

int report_print_json(struct report *r)
{
	struct rmap **order = report_order(r);
	size_t i, j, shown;

	if (!order)
		return -1;
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "events", r->events);
	jsonw_uint_field(json_wtr, "lost", r->lost);
	jsonw_uint_field(json_wtr, "errors", r->errors);
	/* records of types this mapwatchctl does not know (a newer one wrote them) */
	jsonw_uint_field(json_wtr, "unknown_records", r->unknown);
	/* records without pid, time_ns (or a map's address): not used */
	jsonw_uint_field(json_wtr, "malformed_records", r->malformed);
	/* false: the trace has no summary, it was cut short */
	jsonw_bool_field(json_wtr, "complete", r->summary);
	/* dump --budget: what it spent (the last "budget" record) */
	report_budget_json(&r->budget);
	/* the trace's header, when it has one (format version 1 on) */
	if (r->has_header) {
		jsonw_name(json_wtr, "trace");
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "host", r->host);
		jsonw_string_field(json_wtr, "kernel", r->kernel);
		jsonw_string_field(json_wtr, "mapwatchctl", r->writer);
		jsonw_uint_field(json_wtr, "start_realtime_ns", r->start_realtime_ns);
		jsonw_end_object(json_wtr);
	}
	/* the kernel probes that were on: their figures below mean something */
	jsonw_name(json_wtr, "kprobes");
	jsonw_start_array(json_wtr);
	for (i = 1; i < 32; i++)
		if (report_kprobe_on(r, i))
			jsonw_string(json_wtr, kprobe_name(i));
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "processes");
	jsonw_start_array(json_wtr);
	for (j = 0; j < r->nr_procs; j++) {
		const struct rproc *p = &r->procs[j];

		jsonw_start_object(json_wtr);
		print_proc(p);
		jsonw_name(json_wtr, "maps");
		jsonw_start_array(json_wtr);
		for (i = shown = 0; i < r->nr_maps; i++) {
			if (order[i]->pid != p->pid || (r->top && shown >= r->top))
				continue;
			shown++;
			print_map(order[i]);
		}
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
	free(order);
	return 0;
}
