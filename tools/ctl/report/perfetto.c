// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/perfetto.c - export --perfetto: the trace as a
 * Chrome/Perfetto JSON timeline (the Trace Event Format), written through
 * the JSON writer: per process, counter tracks of len() and bytes for the
 * chosen maps (each life of a reused address its own), GC cycles (Go) or
 * pauses (JVM) as slices with mark termination as an instant, the
 * scavenger's releases and the madvise/munmap calls as instants; lost
 * records as instants in a process of their own.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/json_writer.h"
#include "main.h"
#include "report/model.h"
#include "report/outfile.h"
#include "report/report.h"
#include "trace/format.h"
#include "trace/read.h"

/* Virtual threads of a process's timeline, below any real tid. */
enum { TRACK_GC = 1, TRACK_SCAVENGER, TRACK_KERNEL };

/*
 * Lost records name no process: they go to a process of their own, with
 * a pid above PID_MAX_LIMIT (2^22) that no traced process can have.
 */
#define LOST_PID	4194305u
#define LOST_TID	1u

struct perfetto {
	const struct report *r;
	const bool *chosen;	/* by index in r->maps: has a counter track */
	bool *gc_open;		/* by index in r->procs: a GC slice is open */
	uint64_t record;	/* the record being read, counted as report_object() does */
	bool lost_named;	/* the lost events' track has its names */
	int fd;
	const char *input;
	json_writer_t *w;
};

/* An event's common fields; its object is left open for the rest. */
static void event(json_writer_t *w, const char *ph, const char *name, uint64_t ns,
		  uint32_t pid, uint32_t tid)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "ph", ph);
	jsonw_string_field(w, "name", name);
	jsonw_milli_field(w, "ts", ns);		/* microseconds */
	jsonw_uint_field(w, "pid", pid);
	jsonw_uint_field(w, "tid", tid);
}

static void meta(json_writer_t *w, const char *what, uint32_t pid, uint32_t tid, const char *name)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "ph", "M");
	jsonw_string_field(w, "name", what);
	jsonw_uint_field(w, "pid", pid);
	jsonw_uint_field(w, "tid", tid);
	jsonw_name(w, "args");
	jsonw_start_object(w);
	jsonw_string_field(w, "name", name);
	jsonw_end_object(w);
	jsonw_end_object(w);
}

/* A counter event: {"ph":"C",...,"args":{@key:@v}} */
static void counter(json_writer_t *w, const char *name, uint64_t ns, uint32_t pid,
		    const char *key, uint64_t v)
{
	event(w, "C", name, ns, pid, 0);
	jsonw_name(w, "args");
	jsonw_start_object(w);
	jsonw_uint_field(w, key, v);
	jsonw_end_object(w);
	jsonw_end_object(w);
}

/* A counter track's name: "map 0xADDR len", "map 0xADDR #2 len" for a second life. */
static void map_track(char *buf, size_t size, const struct rmap *m, const char *what)
{
	if (m->life > 1)
		snprintf(buf, size, "map 0x%" PRIx64 " #%u %s", m->addr, m->life, what);
	else
		snprintf(buf, size, "map 0x%" PRIx64 " %s", m->addr, what);
}

static void on_map(struct perfetto *x, json_object *o, uint32_t pid, uint64_t ns)
{
	struct rmap *m = report_find_life(x->r, pid, tr_u64(o, "map"), x->record);
	char name[64];

	if (!m || !x->chosen[m - x->r->maps])
		return;
	map_track(name, sizeof(name), m, "len");
	counter(x->w, name, ns, pid, "len", tr_u64(o, "count"));
	if (tr_has(o, "bytes")) {
		map_track(name, sizeof(name), m, "bytes");
		counter(x->w, name, ns, pid, "bytes", tr_u64(o, "bytes"));
	}
}

static void on_gc(struct perfetto *x, json_object *o, const char *op, size_t pi, uint64_t ns)
{
	json_writer_t *w = x->w;
	uint32_t pid = x->r->procs[pi].pid;

	if (!strcmp(op, TRACE_OP_GC_START) && !x->gc_open[pi]) {
		x->gc_open[pi] = true;
		event(w, "B", "GC", ns, pid, TRACK_GC);
		jsonw_name(w, "args");
		jsonw_start_object(w);
		jsonw_uint_field(w, "cycle", tr_u64(o, "cycle"));
		jsonw_end_object(w);
		jsonw_end_object(w);
	} else if (!strcmp(op, TRACE_OP_GC_MARK_END)) {
		event(w, "i", "mark termination", ns, pid, TRACK_GC);
		jsonw_string_field(w, "s", "t");
		jsonw_end_object(w);
	} else if (!strcmp(op, TRACE_OP_GC_END) && x->gc_open[pi]) {
		x->gc_open[pi] = false;
		event(w, "E", "GC", ns, pid, TRACK_GC);
		jsonw_end_object(w);
	}
}

/* HotSpot's pauses on the same track: begin to end, "full" in the arguments. */
static void on_jvm_gc(struct perfetto *x, json_object *o, const char *op, size_t pi,
		      uint64_t ns)
{
	json_writer_t *w = x->w;
	uint32_t pid = x->r->procs[pi].pid;

	if (!strcmp(op, TRACE_OP_JVM_BEGIN) && !x->gc_open[pi]) {
		x->gc_open[pi] = true;
		event(w, "B", "GC pause", ns, pid, TRACK_GC);
		jsonw_name(w, "args");
		jsonw_start_object(w);
		jsonw_bool_field(w, "full", json_object_get_boolean(json_object_object_get(o, "full")));
		jsonw_end_object(w);
		jsonw_end_object(w);
	} else if (!strcmp(op, TRACE_OP_JVM_END) && x->gc_open[pi]) {
		x->gc_open[pi] = false;
		event(w, "E", "GC pause", ns, pid, TRACK_GC);
		jsonw_end_object(w);
	}
}

/* A lost record: an instant with the count, named on first use. */
static void on_lost(struct perfetto *x, json_object *o)
{
	json_writer_t *w = x->w;

	if (!x->lost_named) {
		x->lost_named = true;
		meta(w, "process_name", LOST_PID, 0, "mapwatch: lost events");
		meta(w, "thread_name", LOST_PID, LOST_TID, "lost events");
	}
	event(w, "i", "lost events", tr_u64(o, "time_ns"), LOST_PID, LOST_TID);
	jsonw_string_field(w, "s", "t");
	jsonw_name(w, "args");
	jsonw_start_object(w);
	jsonw_uint_field(w, "lost", tr_u64(o, "lost"));
	jsonw_uint_field(w, "cpu", tr_u64(o, "cpu"));
	jsonw_end_object(w);
	jsonw_end_object(w);
}

static int perfetto_object(void *ctx, json_object *o)
{
	struct perfetto *x = ctx;
	json_writer_t *w = x->w;
	const char *type = tr_str(o, "type"), *op = tr_str(o, "op");
	uint32_t pid = (uint32_t)tr_u64(o, "pid");
	uint64_t ns = tr_u64(o, "time_ns");
	size_t pi;

	x->record++;
	if (!type || !strcmp(type, TRACE_SUMMARY) || tr_str(o, "error"))
		return 0;
	if (!strcmp(type, TRACE_LOST)) {
		on_lost(x, o);
		return 0;
	}
	/* Only what the report used: a record it could not place is not drawn. */
	if (!tr_has(o, "pid") || !tr_has(o, "time_ns"))
		return 0;
	for (pi = 0; pi < x->r->nr_procs && x->r->procs[pi].pid != pid; pi++)
		;
	if (pi == x->r->nr_procs)
		return 0;
	if (!strcmp(type, TRACE_MAP) && op && strcmp(op, TRACE_OP_GROW) && tr_has(o, "map")) {
		on_map(x, o, pid, ns);
	} else if (!strcmp(type, TRACE_GC) && op) {
		on_gc(x, o, op, pi, ns);
	} else if (!strcmp(type, TRACE_JVM_GC) && op) {
		on_jvm_gc(x, o, op, pi, ns);
	} else if (!strcmp(type, TRACE_SCAVENGE)) {
		event(w, "i", "release", ns, pid, TRACK_SCAVENGER);
		jsonw_string_field(w, "s", "t");
		jsonw_name(w, "args");
		jsonw_start_object(w);
		jsonw_uint_field(w, "addr", tr_u64(o, "addr"));
		jsonw_uint_field(w, "len", tr_u64(o, "len"));
		jsonw_end_object(w);
		jsonw_end_object(w);
	} else if (!strcmp(type, TRACE_EVENT)) {
		const char *probe = tr_str(o, "probe"), *advice = tr_str(o, "advice");

		if (!probe || (strcmp(probe, "madvise") && strcmp(probe, "munmap")))
			return 0;
		event(w, "i", probe, ns, pid, TRACK_KERNEL);
		jsonw_string_field(w, "s", "t");
		jsonw_name(w, "args");
		jsonw_start_object(w);
		jsonw_uint_field(w, "start", tr_u64(o, "start"));
		jsonw_uint_field(w, "len", tr_u64(o, "len"));
		if (advice)
			jsonw_string_field(w, "advice", advice);
		jsonw_end_object(w);
		jsonw_end_object(w);
	}
	return 0;
}

static int perfetto_fill(FILE *f, void *ctx)
{
	struct perfetto *x = ctx;
	const struct report *r = x->r;
	json_writer_t *w = jsonw_new(f);
	size_t j;
	int ret;

	if (!w) {
		p_err("out of memory");
		return -1;
	}
	x->w = w;
	jsonw_start_object(w);
	jsonw_string_field(w, "displayTimeUnit", "ns");
	jsonw_name(w, "traceEvents");
	jsonw_start_array(w);
	for (j = 0; j < r->nr_procs; j++) {
		char name[32];

		snprintf(name, sizeof(name), "pid %u", r->procs[j].pid);
		meta(w, "process_name", r->procs[j].pid, 0, name);
		meta(w, "thread_name", r->procs[j].pid, TRACK_GC,
		     proc_jvm_only(&r->procs[j]) ? "GC pauses" : "GC cycles");
		meta(w, "thread_name", r->procs[j].pid, TRACK_SCAVENGER, "scavenger");
		meta(w, "thread_name", r->procs[j].pid, TRACK_KERNEL, "madvise / munmap");
	}
	ret = trace_read(x->fd, x->input, perfetto_object, x, NULL);
	jsonw_end_array(w);
	jsonw_end_object(w);
	jsonw_destroy(&w);
	x->w = NULL;
	return ret;
}

int export_perfetto(const struct report *r, const bool *chosen, int fd, const char *input,
		    const char *path)
{
	struct perfetto x = { .r = r, .chosen = chosen, .fd = fd, .input = input };
	int ret;

	if (lseek(fd, 0, SEEK_SET)) {
		p_err("%s: cannot read it twice (a pipe?): %s", input, strerror(errno));
		return -1;
	}
	x.gc_open = calloc(r->nr_procs + 1, sizeof(*x.gc_open));
	if (!x.gc_open) {
		p_err("out of memory");
		return -1;
	}
	ret = outfile_write(path, perfetto_fill, &x);
	free(x.gc_open);
	return ret;
}
