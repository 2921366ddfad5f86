/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Go map tracing: from a Go binary to uprobes with fetch programs, and from
 * their records back to map operations.
 */
#ifndef _MAPWATCHCTL_GOTRACE_H
#define _MAPWATCHCTL_GOTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/fetchprog.h"
#include "go/gobin.h"
#include "go/gostorage.h"
#include "lib/json_writer.h"
#include "lib/mapwatch.h"

/* Key bytes dump and report copy unless told otherwise (--key-max). */
#define DUMP_KEY_MAX	64
/* --budget's windows an event of a windowed probe is checked against */
#define GOTRACE_WINDOWS	16

struct gotrace_probe {
	const struct gover_func *f;
	bool at_ret;		/* on a RET: the function's results are read */
	uint64_t off;		/* file offset of the probed instruction */
	uint64_t va;		/* its link-time address */
	struct fprog prog;
	uint32_t id;		/* the session's probe id; 0 while not attached */
	bool windowed;		/* --budget arms it in windows: fires per map operation
				 * (or a make, clear, growth: gotrace_window_more()) */
	uint64_t hits_before;	/* hits of its earlier attachments (gotrace_disarm) */
};

/* A probe detached by gotrace_disarm(): its records may still be in the rings. */
struct gotrace_retired {
	uint32_t id;
	uint32_t idx;		/* into probes[] */
};

/*
 * Last event per goroutine, to drop a nested function's repeat of it: one
 * slot for make/assign/delete/clear, one for growth, whose events come
 * between a make and its repeat (1.24's maps.clone grows the new map).
 */
struct gotrace_last {
	uint64_t goid;
	const struct gover_func *f;
	uint64_t map;
};

#define GOTRACE_LAST	64

/* What is known of one map (process, address) for its storage figure. */
struct gotrace_map {
	uint32_t tgid;
	uint64_t addr;
	struct gostore_type type;
	uint64_t type_addr;	/* the map type's address type is of (0: not known) */
	struct gostore_tables tables;
	uint64_t seed;		/* the header's seed at the last event, if seed_known */
	bool seed_known;	/* not after a clear (which draws a new one) */
	uint64_t tables_read_ns; /* tables read from the process then: older growth is in */
};

/* /proc/PID/mem of a traced process, for header reads (go/gostate.h). */
struct gotrace_mem {
	uint32_t tgid;
	int fd;			/* -errno if it could not be opened */
};

#define GOTRACE_MEMS	64
/* Maps read a round between --budget's windows, at most (gotrace_states()). */
#define GOTRACE_STATES_MAX	1024

struct gotrace {
	struct gobin *gb;
	const struct gobin_info *info;
	const struct gover_layout *lay;
	const struct gover_g *g;
	const struct gover_runtime *rt;
	uint64_t numgc_va;	/* runtime.memstats.numgc, link-time; 0: no .symtab */
	unsigned int key_max;
	int fd;			/* the binary, for MAPWATCH_IOC_UPROBE_ATTACH */
	struct gotrace_probe *probes;
	size_t nr;
	size_t absent;		/* functions of this version the binary lacks */
	struct gotrace_last last[GOTRACE_LAST][2];
	uint64_t nested_dropped;
	/*
	 * --budget's last windows, newest at win[(win_n - 1) % GOTRACE_WINDOWS]:
	 * from when the windowed probes were all attached to when their
	 * detaching began (UINT64_MAX: not yet).  Their events outside every
	 * one are dropped (gotrace_print()) and counted in outside_window;
	 * none at all (win_n 0): no window drops anything.
	 */
	struct {
		uint64_t from, to;
	} win[GOTRACE_WINDOWS];
	uint64_t win_n, outside_window;
	void *maps;		/* tsearch tree of struct gotrace_map */
	void *types;		/* map types learnt, by process and address */
	size_t states_cursor;	/* where the next round of gotrace_states() begins */
	uint64_t types_read;	/* map types read from a process (not from a make) */
	struct gotrace_mem mem[GOTRACE_MEMS];
	unsigned int nr_mem;
	uint64_t tables_read;	/* swiss maps made before the attach, tables read */
	bool ops_armed;		/* the per-operation probes are attached */
	bool ops_unseen;	/* they were detached once: not every operation is seen */
	struct gotrace_retired *retired;
	size_t nr_retired, max_retired;
};

/*
 * Read @path and plan its probes: every map operation of its Go version
 * (hot growth steps only with @hot), keys copied up to @key_max bytes.
 * Returns 0, or -1 with @err filled in: gobin_open()'s codes, MW_E_FORMAT (a
 * Go version or map layout not supported), MW_E_NO_FUNC, MW_E_IO.
 */
int gotrace_open(struct gotrace *t, const char *path, unsigned int key_max, bool hot,
		 struct mw_err *err);
int gotrace_attach(struct gotrace *t, struct mw_session *s);

/*
 * --budget: detach the per-operation probes (assign, delete, evacuation
 * steps), or attach them again.  The rare ones (make, growth, clear, GC,
 * scavenger) stay.  A detached probe's id keeps naming it until
 * gotrace_retired_drained(), called once the rings were drained after the
 * detach (no record of it can come later: MAPWATCH_IOC_DETACH waits for its
 * handlers).  Returns 0 or the library's -errno (mw_error()).
 */
int gotrace_disarm(struct gotrace *t, struct mw_session *s);
int gotrace_arm(struct gotrace *t, struct mw_session *s);
void gotrace_retired_drained(struct gotrace *t);
/*
 * A window begins (every windowed probe attached, at @from) or ends (their
 * detaching begins, at @to); both on the clock of the records' time_ns.
 */
void gotrace_window_open(struct gotrace *t, uint64_t from);
void gotrace_window_close(struct gotrace *t, uint64_t to);
/*
 * The make, clear and growth probes too: windowed from now on, the maps
 * read from the process between windows (a server makes maps by the
 * thousand a second, a swiss map that churns rehashes its tables every
 * few thousand operations: not rare there).  GC and scavenger probes stay.
 * Returns how many probes joined.
 */
size_t gotrace_window_more(struct gotrace *t);
/* Hits of the windowed probes (@windowed) or of all, attachments summed. */
uint64_t gotrace_hits(const struct gotrace *t, struct mw_session *s, bool windowed);
void gotrace_close(struct gotrace *t);

/* The probe a record came from, or NULL if it is not one of @t's. */
const struct gotrace_probe *gotrace_probe(const struct gotrace *t, uint32_t id);

/*
 * Print one event (plain or JSON).  Returns false when it was dropped as
 * the nested repeat of the event before it on the same goroutine.
 */
bool gotrace_print(struct gotrace *t, const struct gotrace_probe *gp,
		   const struct mapwatch_rec_event *ev, FILE *f, json_writer_t *jw);

/* What gotrace_final() found, for dump's summary. */
struct gotrace_final {
	uint64_t live;		/* "map_state" records: read, the same map */
	uint64_t reused;	/* the memory holds another map, or something else */
	uint64_t gone;		/* not read: the process exited, or the memory went */
};

/*
 * When tracing ends: each map seen whose process is still there is read
 * from it (header, swiss tables) and printed as a "map_state" record
 * (docs/trace-format.md): its count and bytes now, not as of its last
 * event.  @now_ns: CLOCK_MONOTONIC, the records' time.
 */
void gotrace_final(struct gotrace *t, uint64_t now_ns, FILE *f, json_writer_t *jw,
		   struct gotrace_final *res);
/*
 * The same during the trace (--budget, between windows): the state now of
 * the known maps, GOTRACE_STATES_MAX of them a call (the next ones the
 * next call).  Maps found reused are forgotten, so a map made later at the
 * same address starts afresh.
 */
void gotrace_states(struct gotrace *t, uint64_t now_ns, FILE *f, json_writer_t *jw,
		    struct gotrace_final *res);

#endif
