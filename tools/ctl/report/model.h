/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/report/model.h - what a trace says, summed up: each map's life
 * and each process's GC cycles, memory returned and JVM pauses.  Built one
 * trace object at a time (report_object()), then printed by the report's
 * writers: text.c and json.c (report), metrics.c (report --openmetrics),
 * perfetto.c and svg.c (export).
 */
#ifndef _MAPWATCHCTL_REPORT_MODEL_H
#define _MAPWATCHCTL_REPORT_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <json-c/json.h>
#include <linux/mapwatch.h>

enum { OP_MAKE, OP_ASSIGN, OP_DELETE, OP_CLEAR, OP_GROW, NR_OPS };

/* One map's life: from its make (or its first event) to its last event. */
struct rmap {
	uint32_t pid;
	uint32_t seq;			/* lives numbered as they began (filter reads twice) */
	uint64_t addr;
	uint64_t first_ns, last_ns;
	bool made;			/* its make was traced */
	uint64_t made_goid;
	char made_by[64];		/* the make event's function */
	char made_at[128];		/* the function that made it ("" if unknown) */
	uint64_t peak, entries;		/* max len(), len() at the last event (before it) */
	uint64_t ops[NR_OPS];		/* make, assign, delete, clear, grow */
	bool have_bytes, bytes_estimated;
	uint64_t bytes, peak_bytes;	/* storage at the last event that had it, its max */
	bool reused;			/* a later make reused its address: it was freed */
	bool state_read;		/* entries and bytes read from the process at the end */
	uint32_t life;			/* 1 for the first map at its address, 2 for the next... */
	size_t prev;			/* the previous life at its address: index + 1, 0 none */
	uint64_t first_record;		/* the record (report's count) that began this life */
};


/* Java methods entered in one interval between GC pauses: "class.method" -> count. */
struct jcount {
	char *name;
	uint64_t n;
};

struct jinterval {
	struct jcount *c;
	size_t nr;
};

/* One HotSpot GC pause (dump --jvm) and the methods entered before it. */
struct jpause {
	uint64_t begin_ns, duration_ns;
	bool full, ended;
	struct jinterval before;	/* since the previous pause began */
};

struct rproc {
	uint32_t pid;
	uint64_t first_ns, last_ns;		/* its first and last records' times */
	uint64_t min_ns, max_ns;		/* its earliest and latest (records may come late) */
	uint64_t gc_start, gc_mark_end, gc_end;
	uint64_t cycle_first, cycle_last;	/* of the ends; 0: none numbered */
	uint64_t releases, released;		/* scavenger: calls, bytes */
	uint64_t madv_calls, madv_dontneed, madv_free, munmap_calls, munmapped;
	uint64_t mmap_calls, mmap_anon;		/* successful anonymous mappings, bytes */
	bool exited;
	int64_t exit_status, exit_signal;
	size_t nr_maps, nr_sized;		/* maps; live ones with a storage figure */
	uint64_t map_bytes;			/* their storage */
	/* JVM (dump --jvm): pauses, and methods entered after the last one */
	bool jvm;
	struct jpause *jp;
	size_t nr_jp;
	struct jinterval jafter;
	uint64_t jmethods;
};

/* dump --budget's last "budget" record. */
struct rbudget {
	bool seen;
	double percent, spent_percent, armed_percent;
	uint64_t windows, window_ns, period_ns, hit_ns, maps_read;
};

struct report {
	struct rmap *maps;
	size_t nr_maps, max_maps;
	uint32_t *slot;			/* open addressing: index + 1 into maps, 0 empty */
	size_t nr_slots;		/* a power of two, at least twice nr_maps */
	struct rproc *procs;
	size_t nr_procs;
	uint64_t events, lost, errors;
	uint64_t unknown;		/* records of types this reader does not know */
	uint64_t malformed;		/* records without a field their type requires */
	uint64_t records;		/* every record read */
	bool summary;
	uint32_t kprobes;		/* bit per MAPWATCH_KPROBE_* the summary lists */
	uint32_t kprobes_seen;		/* bit per MAPWATCH_KPROBE_* with an event so far */
	size_t top;
	/* the trace's header, if it has one (traces before format version 1 do not) */
	bool has_header;
	char host[65], kernel[65], writer[32];
	uint64_t start_realtime_ns;	/* when tracing began, CLOCK_REALTIME */
	char go_version[32];		/* the header's "go" binary: "go1.27.4", or "" */
	char map_impl[16];		/* its maps: "classic", "swiss", or "" */
	struct rbudget budget;
};

/*
 * Take one trace object into the report (a trace_fn): -ENOMEM, or -EPROTO
 * (printed) for a trace of a format version this reader does not know.
 */
int report_object(void *ctx, json_object *o);
/*
 * After the whole trace @input is read: -1 if it held no record at all
 * (an empty file: said), or had no summary (cut short: said unless
 * @quiet, as a JSON report says it with "complete": false); else 0.
 */
int report_trace_whole(const struct report *r, const char *input, bool quiet);
void report_free(struct report *r);

/* The live map at @addr in @pid, or NULL. */
struct rmap *report_find_map(const struct report *r, uint32_t pid, uint64_t addr);
/*
 * The life of the map at @addr in @pid that the trace's record @record
 * (counted from 1, as report_object() counts them) belongs to, or NULL:
 * for readers reading the trace again (export), which must not mix a
 * freed map's events with those of the map made later at its address.
 */
struct rmap *report_find_life(const struct report *r, uint32_t pid, uint64_t addr,
			      uint64_t record);
/* The report's figure of bytes held: "123", "~123" (an estimate), "?" (unknown). */
const char *report_bytes_text(const struct rmap *m, char *buf, size_t size);

/*
 * Every map in the report's order (report_cmp_maps()), and each process's
 * count of maps and the bytes its live ones hold, counted afresh (report
 * --openmetrics --interval asks again and again).  NULL: out of memory
 * (printed).  The caller frees the array.
 */
struct rmap **report_order(struct report *r);
/* Most bytes first, then highest peak; for qsort() of struct rmap *. */
int report_cmp_maps(const void *a, const void *b);
/*
 * The top @top maps of each process (0: all) in that order, as report
 * lists them (a freed map too: each life at an address is a map):
 * chosen[i] for r->maps[i].  NULL: out of memory (printed).
 */
bool *report_choose_top(const struct report *r, size_t top);

/* A map whose entries fell far below its peak still holds the peak's storage. */
bool map_retains(const struct rmap *m);
/* Whether the trace's kernel probe @type was on. */
bool report_kprobe_on(const struct report *r, unsigned int type);
/* A JVM's trace has no Go runtime events: only its own section. */
bool proc_jvm_only(const struct rproc *p);

#endif
