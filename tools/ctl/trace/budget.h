/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/trace/budget.h - dump --budget PERCENT: the per-operation
 * probes armed in windows, so that what tracing adds to the traced
 * processes, mapwatchctl's own CPU included, stays within PERCENT of the
 * CPU time they use.
 *
 * A period (a quarter of a second the first, then 1 s) opens with a
 * window in which the probes of map operations (assigns, deletes, and
 * makes, clears and growth: not rare where it matters) are attached; the
 * rest of the period they are not, and the maps' figures come from their
 * headers (read at each window's end, and every BUDGET_STATES_NS until
 * the next window).  GC and scavenger probes stay attached.  The next
 * window's length is planned from the last period's measurements:
 *
 *   r  hits per second of window (measured),
 *   k  cost of a hit: the trap and handler (calibrated once, in a process
 *      of our own: budget_calibrate()) plus mapwatchctl's CPU per hit in
 *      the window (measured),
 *   f  mapwatchctl's CPU per second outside the window (reading maps,
 *      rare events, a reader's refreshes; measured),
 *   u  the traced processes' CPU per second, the traps taken out,
 *
 *   window = (BUDGET_AIM * B * u - f) * period / (r * k)
 *
 * A window longer than the period: the probes stay armed (the budget does
 * not bind).  Shorter than BUDGET_MIN_WINDOW_NS: the period grows instead
 * (up to BUDGET_MAX_PERIOD_NS, also when B * u <= f: the costs between
 * windows take the whole budget).  What was spent is the ratio of the added
 * cost (hits * hit cost + mapwatchctl's CPU) to the processes' own CPU,
 * over the whole trace.
 */
#ifndef _MAPWATCHCTL_TRACE_BUDGET_H
#define _MAPWATCHCTL_TRACE_BUDGET_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/mwerr.h"

#define BUDGET_PERIOD_NS	1000000000ULL	/* a period's length, to begin with */
#define BUDGET_FIRST_PERIOD_NS	250000000ULL	/* the first: a quick measure */
#define BUDGET_FIRST_WINDOW_NS	2000000ULL	/* the first window: measures r */
#define BUDGET_MIN_WINDOW_NS	2000000ULL
#define BUDGET_MAX_PERIOD_NS	60000000000ULL
#define BUDGET_AIM		0.75		/* the share of the budget planned for */
#define BUDGET_STATES_NS	1000000000ULL	/* maps read this often between windows */

/* What one period measured. */
struct budget_sample {
	uint64_t period_ns;	/* its length */
	uint64_t window_ns;	/* of which the probes were armed */
	uint64_t hits;		/* per-operation probe hits, all in the window */
	uint64_t proc_ns;	/* the traced processes' CPU time in the period */
	uint64_t tool_window_ns; /* mapwatchctl's CPU time during the window */
	uint64_t tool_ns;	/* and in the whole period */
};

struct budget {
	double share;		/* the budget: 0.01 for 1 % */
	uint64_t hit_ns;	/* calibrated cost of one hit to the traced process */
	/* the plan for the current period */
	uint64_t period_ns, window_ns;
	/* sums over the trace */
	uint64_t periods, windows, hits, armed_ns, elapsed_ns, proc_ns, tool_ns;
};

void budget_init(struct budget *b, double percent, uint64_t hit_ns);
/* Plans the next period (b->period_ns, b->window_ns) from the last one's @s. */
void budget_plan(struct budget *b, const struct budget_sample *s);
/* Percent of the traced processes' own CPU time spent on tracing so far. */
double budget_spent(const struct budget *b);
/* Percent of the time the per-operation probes were armed, so far. */
double budget_armed(const struct budget *b);

/*
 * The cost of one hit of a uprobe with a fetch program like the Go probes'
 * (eight user words read, one record written), to the process that takes
 * it: measured in this process, on a function of its own, as thread CPU
 * time with the probe attached minus without, in a session of its own on
 * @device.  0 and *@ns_per_hit, or -1 and @err.
 */
int budget_calibrate(const char *device, uint64_t *ns_per_hit, struct mw_err *err);

#endif
