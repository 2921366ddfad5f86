/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/report/report.h - the report's writers, one per output format,
 * each reading the same model (model.h).  A new format is a file here
 * with its function declared below, and an option in report.c or export.c.
 */
#ifndef _MAPWATCHCTL_REPORT_REPORT_H
#define _MAPWATCHCTL_REPORT_REPORT_H

#include <stdbool.h>
#include <stdio.h>

struct report;
struct rbudget;

/* report: for people (text.c) and for scripts (json.c, on json_wtr). */
int report_print_text(struct report *r);
int report_print_json(struct report *r);
/* "budget": {percent, spent_percent, armed_percent, windows}, if dump had one. */
void report_budget_json(const struct rbudget *b);

/* report --openmetrics (metrics.c): an outfile_write() fill, @ctx the report. */
int report_openmetrics(FILE *f, void *ctx);

/*
 * export: the trace @fd (@input, read again from its start) as a Perfetto
 * timeline (perfetto.c) or an SVG plot (svg.c) of the maps @chosen
 * (report_choose_top()), written to @path by outfile_write().
 */
int export_perfetto(const struct report *r, const bool *chosen, int fd, const char *input,
		    const char *path);
int export_svg(const struct report *r, const bool *chosen, int fd, const char *input,
	       const char *path);
/*
 * export --pprof (pprof.c): every live map of @r at the end of the trace
 * @input as a gzipped pprof profile, written to @path by outfile_write().
 */
int export_pprof(struct report *r, const char *input, const char *path);

#endif
