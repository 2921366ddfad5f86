/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/report/openmetrics.h - writing the OpenMetrics text format
 * (https://github.com/OpenMetrics/OpenMetrics/blob/main/specification/OpenMetrics.md)
 * for Prometheus's node_exporter textfile collector: metric families,
 * samples with escaped label values, the final "# EOF", an atomic file
 * replacement, and the module's control-plane counters.
 */
#ifndef _MAPWATCHCTL_OPENMETRICS_H
#define _MAPWATCHCTL_OPENMETRICS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct om_label {
	const char *name;	/* [a-zA-Z_][a-zA-Z0-9_]* */
	const char *value;	/* NULL: the label is left out */
};

/*
 * A family's metadata: "# TYPE NAME TYPE", "# UNIT NAME UNIT" (if @unit)
 * and "# HELP NAME HELP".  For a counter, NAME has no "_total": the
 * samples add it (om_sample's @suffix).  With a unit, NAME ends in "_UNIT".
 * Every sample of a family must follow its metadata, before the next family.
 * node_exporter's textfile collector reads the file with Prometheus's older
 * text format parser, which ignores "# UNIT" and "# EOF" and sees a
 * counter's NAME_total samples as untyped: so use only "counter" and
 * "gauge", and no double quote in @help (escaped in OpenMetrics, an error
 * there).
 */
void om_family(FILE *f, const char *name, const char *type, const char *unit,
	       const char *help);
/* NAME SUFFIX{LABELS} VALUE; @suffix may be "" ("_total" for counters). */
void om_sample_u64(FILE *f, const char *name, const char *suffix, const struct om_label *l,
		   size_t nr, uint64_t v);
/* The same with @ns nanoseconds written as seconds, exactly (9 decimals). */
void om_sample_ns(FILE *f, const char *name, const char *suffix, const struct om_label *l,
		  size_t nr, uint64_t ns);
/* A label value or HELP text, escaped: \\ \" \n; invalid UTF-8 bytes become '?'. */
void om_escape(FILE *f, const char *s);
void om_eof(FILE *f);


/*
 * The module's control plane (tools/ctl/status.h): mapwatch_control_plane_up,
 * then, when it answered, per session and per probe counters of every
 * session on the host.  Quiet when the module cannot be asked (not loaded,
 * not root): mapwatch_control_plane_up 0 says so.
 */
void om_control_plane(FILE *f);

#endif
