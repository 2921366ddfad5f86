/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/trace/format.h - the names of the trace format, as
 * docs/trace-format.md describes it: the record types (the "type" field)
 * and the values of their "op" fields.  Writers (dump, go/gotrace.c,
 * sdt/usdttrace.c, trace/kprobes.c) and readers (report/) use these, never
 * a literal, so a name changes in one place and the document with it.
 *
 * TRACE_FORMAT_VERSION counts changes a reader of the previous version
 * would misread (a field's meaning, a unit, a type removed).  New record
 * types and new fields do not change it: readers ignore what they do not
 * know.  A reader refuses a trace of a higher version, and reads traces
 * without a header (written before version 1) as version 1.
 */
#ifndef _MAPWATCHCTL_TRACE_FORMAT_H
#define _MAPWATCHCTL_TRACE_FORMAT_H

#define TRACE_FORMAT_NAME	"mapwatch-trace"
#define TRACE_FORMAT_VERSION	1

/* Record types. */
#define TRACE_HEADER		"header"	/* first: who wrote it, where, when */
#define TRACE_MAP		"map"		/* a Go map operation */
#define TRACE_MAP_STATE		"map_state"	/* a Go map read from its process at the end */
#define TRACE_GC		"gc"		/* a Go GC phase */
#define TRACE_SCAVENGE		"scavenge"	/* the Go scavenger returned memory */
#define TRACE_EVENT		"event"		/* a kernel probe (kprobe) hit */
#define TRACE_USDT		"usdt"		/* an SDT probe, arguments as integers */
#define TRACE_JVM_GC		"jvm_gc"	/* HotSpot GC begin or end */
#define TRACE_JVM_METHOD	"jvm_method"	/* a Java method entered */
#define TRACE_JVM_ALLOC		"jvm_alloc"	/* a Java object allocated */
#define TRACE_ERROR		"error"		/* a record that could not be decoded */
#define TRACE_LOST		"lost"		/* records a ring dropped */
#define TRACE_BUDGET		"budget"	/* --budget: what was spent, the next window */
#define TRACE_SUMMARY		"summary"	/* last: counters of the whole run */

/* "op" of map records. */
#define TRACE_OP_MAKE		"make"
#define TRACE_OP_ASSIGN		"assign"
#define TRACE_OP_DELETE		"delete"
#define TRACE_OP_CLEAR		"clear"
#define TRACE_OP_GROW		"grow"
/* "op" of gc records. */
#define TRACE_OP_GC_START	"start"
#define TRACE_OP_GC_MARK_END	"mark_end"
#define TRACE_OP_GC_END		"end"
/* "op" of scavenge records. */
#define TRACE_OP_RELEASE	"release"
/* "state" of map_state records. */
#define TRACE_STATE_LIVE	"live"		/* the header still holds the map traced */
#define TRACE_STATE_REUSED	"reused"	/* its seed changed: another map, or none */
/* "op" of jvm_gc records. */
#define TRACE_OP_JVM_BEGIN	"begin"
#define TRACE_OP_JVM_END	"end"

#endif
