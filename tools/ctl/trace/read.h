/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/trace/read.h - reading a trace: the JSON array `mapwatchctl -j
 * dump` writes (docs/trace-format.md), object by object with json-c's
 * tokener, from a file, a pipe, or a dump started for the purpose; and the
 * field getters every reader uses.
 */
#ifndef _MAPWATCHCTL_TRACE_READ_H
#define _MAPWATCHCTL_TRACE_READ_H

#include <signal.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <json-c/json.h>

/*
 * Called with each object of the trace; non-zero stops the reading:
 * -ENOMEM (trace_read() says "out of memory"), or another negative value
 * after the function said why.
 */
typedef int (*trace_fn)(void *ctx, json_object *o);

/*
 * report --openmetrics: the read loop waits in ppoll() with SIGINT and
 * SIGTERM unblocked only there, so that it can call @tick every interval
 * however slowly the trace comes, and see a signal at once.  A first
 * signal asks the live dump to stop (it then writes its summary and the
 * pipe ends); reading a pipe with -i, it reads on for 2 s more (a dump
 * writing into it gets the same ^C); reading a file, it stops.  A second
 * signal stops at once.
 */
struct trace_pump {
	int fd;
	int64_t interval_ms;		/* 0: no ticks */
	int64_t next_ms;		/* the next tick */
	int64_t stop_ms;		/* after a signal: stop reading then (0: no signal) */
	int (*tick)(void *ctx);
	void *ctx;
	pid_t child;			/* the live dump, or 0 */
	bool fifo;			/* fd is a pipe */
	sigset_t waitmask;		/* the signal mask ppoll() waits with */
	int signals_seen;
	bool stopped;			/* a signal ended the reading early */
	FILE *tee;			/* also write what is read here, or NULL */
	int tee_errno;			/* why a write to tee failed, or 0 */
};

/* What trace_pump_catch() changed, for trace_pump_release(). */
struct trace_pump_saved {
	struct sigaction old_int, old_term;
	sigset_t old_mask;
};

/* SIGINT and SIGTERM blocked, but taken in the pump's ppoll(). */
void trace_pump_catch(struct trace_pump *pp, struct trace_pump_saved *saved);
void trace_pump_release(const struct trace_pump_saved *saved);

/*
 * Read a trace from @fd (@name in messages), handing each object to @fn;
 * through @pp if not NULL.  0, or -1 with the reason printed (not a trace,
 * cut inside an object, a read error, @fn's failure).
 */
int trace_read(int fd, const char *name, trace_fn fn, void *ctx, struct trace_pump *pp);

/* Start `mapwatchctl -j dump ARGS...` writing into a pipe; its read end, or -1. */
int trace_start_dump(int argc, char **argv, pid_t *child);

/* The dump options report and top pass on, with their values: argv for trace_start_dump(). */
struct trace_dump_args {
	char **argv;		/* room for 2 per argument */
	int argc;
	char (*names)[24];	/* "--name" of each, room for 1 per argument */
	int nr_names;
};

/* Add dump's option @opt (from dump_options) and its @arg; -1 if it is not one. */
int trace_dump_option(int opt, const char *arg, struct trace_dump_args *a);
/*
 * What the dump's wait status says: 0, or -1 (said; its exit status 2,
 * a wrong option, becomes ours).  Our own SIGKILL (@killed_by_us, after
 * a second signal) is no failure: what was read stands.
 */
int trace_dump_status(int status, bool killed_by_us);

/* CLOCK_MONOTONIC in milliseconds. */
int64_t trace_mono_ms(void);

/* A field of a trace object: 0, NULL or false when it is missing. */
uint64_t tr_u64(json_object *o, const char *key);
double tr_double(json_object *o, const char *key);
int64_t tr_i64(json_object *o, const char *key);
const char *tr_str(json_object *o, const char *key);	/* a string, or NULL */
bool tr_has(json_object *o, const char *key);

#endif
