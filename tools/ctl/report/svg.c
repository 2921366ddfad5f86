// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/svg.c - export --svg: the first 10 chosen maps in the
 * report's order, their len() and bytes held over time (two plots, one
 * column per pixel, the largest value of each column, drawn as steps),
 * the GC cycle ends as vertical lines, and a legend.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "report/model.h"
#include "report/outfile.h"
#include "report/report.h"
#include "trace/format.h"
#include "trace/read.h"

#define SVG_W		960	/* plot width in pixels: one column per pixel */
#define SVG_H		360

struct svg {
	const struct report *r;
	const bool *chosen;	/* by index in r->maps */
	/* per chosen map, the largest len() and bytes per column (-1: none) */
	int64_t (*cols)[SVG_W];
	int64_t (*bcols)[SVG_W];
	size_t *col_of;		/* by index in r->maps: its row in cols + 1, 0: none */
	uint64_t t0, t1;	/* time range */
	uint64_t record;	/* the record being read, counted as report_object() does */
	uint64_t *gc_ends;
	size_t nr_gc_ends, max_gc_ends;
};

static void svg_point(struct svg *x, const char *type, const char *op, uint32_t pid,
		      uint64_t ns, json_object *o)
{
	uint64_t span = x->t1 > x->t0 ? x->t1 - x->t0 : 1;
	size_t col = ns <= x->t0 ? 0 : (size_t)((ns - x->t0) * (SVG_W - 1) / span);

	if (col >= SVG_W)
		col = SVG_W - 1;
	if (!strcmp(type, TRACE_MAP) && op && strcmp(op, TRACE_OP_GROW)) {
		struct rmap *m = report_find_life(x->r, pid, tr_u64(o, "map"), x->record);
		int64_t len = (int64_t)tr_u64(o, "count");
		int64_t bytes = (int64_t)tr_u64(o, "bytes");
		size_t row;

		if (!m || !x->col_of[m - x->r->maps])
			return;
		row = x->col_of[m - x->r->maps] - 1;
		if (len > x->cols[row][col])
			x->cols[row][col] = len;
		if (tr_has(o, "bytes") && bytes > x->bcols[row][col])
			x->bcols[row][col] = bytes;
	} else if (!strcmp(type, TRACE_GC) && op && !strcmp(op, TRACE_OP_GC_END)) {
		if (x->nr_gc_ends == x->max_gc_ends) {
			size_t n = x->max_gc_ends ? 2 * x->max_gc_ends : 64;
			uint64_t *p = realloc(x->gc_ends, n * sizeof(*p));

			if (!p)
				return;
			x->gc_ends = p;
			x->max_gc_ends = n;
		}
		x->gc_ends[x->nr_gc_ends++] = ns;
	}
}

static int svg_object(void *ctx, json_object *o)
{
	struct svg *x = ctx;
	const char *type = tr_str(o, "type"), *op = tr_str(o, "op");
	uint32_t pid = (uint32_t)tr_u64(o, "pid");
	size_t pi;

	x->record++;
	if (!type || !strcmp(type, TRACE_SUMMARY) || !strcmp(type, TRACE_LOST))
		return 0;
	for (pi = 0; pi < x->r->nr_procs && x->r->procs[pi].pid != pid; pi++)
		;
	if (pi < x->r->nr_procs)
		svg_point(x, type, op, pid, tr_u64(o, "time_ns"), o);
	return 0;
}

static const char *const svg_colors[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
					  "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
					  "#bcbd22", "#17becf" };

/* The y of value @v (0 to @ymax) in a plot at @y0; in double: @v * SVG_H may overflow. */
static int64_t svg_y(int y0, int64_t v, int64_t ymax)
{
	return y0 + SVG_H - (int64_t)((double)v * SVG_H / (double)ymax);
}

/* One plot at @y0: a polyline of class @cls per chosen map, GC ends as lines. */
static void svg_panel(struct svg *x, FILE *f, int64_t (*cols)[SVG_W], int y0,
			 const char *cls, const char *title)
{
	const struct report *r = x->r;
	uint64_t span = x->t1 > x->t0 ? x->t1 - x->t0 : 1;
	int64_t ymax = 1;
	size_t i, k, n = 0;

	for (i = 0; i < r->nr_maps; i++)
		for (k = 0; x->col_of[i] && k < SVG_W; k++)
			if (cols[x->col_of[i] - 1][k] > ymax)
				ymax = cols[x->col_of[i] - 1][k];
	fprintf(f, "<text x=\"4\" y=\"%d\">%s of the top maps over %.3f s (y: 0 to %" PRId64
		"); grey lines: GC cycle ends</text>\n", y0 - 6, title, (x->t1 - x->t0) / 1e9,
		ymax);
	fprintf(f, "<rect x=\"0\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\""
		" stroke=\"black\"/>\n", y0, SVG_W, SVG_H);
	for (i = 0; i < x->nr_gc_ends; i++) {
		uint64_t px = (x->gc_ends[i] - x->t0) * (SVG_W - 1) / span;

		fprintf(f, "<line class=\"gc\" x1=\"%" PRIu64 "\" x2=\"%" PRIu64 "\" y1=\"%d\""
			" y2=\"%d\" stroke=\"#bbb\"/>\n", px, px, y0, y0 + SVG_H);
	}
	for (i = 0; i < r->nr_maps; i++) {
		const char *color = svg_colors[n % (sizeof(svg_colors) / sizeof(svg_colors[0]))];
		int64_t last = -1;

		if (!x->col_of[i])
			continue;
		fprintf(f, "<polyline class=\"%s\" fill=\"none\" stroke=\"%s\" points=\"", cls,
			color);
		for (k = 0; k < SVG_W; k++) {
			int64_t v = cols[x->col_of[i] - 1][k];

			if (v < 0)
				continue;
			/* A step: hold the last value up to this column. */
			if (last >= 0)
				fprintf(f, "%zu,%" PRId64 " ", k, svg_y(y0, last, ymax));
			fprintf(f, "%zu,%" PRId64 " ", k, svg_y(y0, v, ymax));
			last = v;
		}
		fputs("\"/>\n", f);
		n++;
	}
}

/* The chosen maps' len() and bytes over time, a plot each, with a legend. */
static int svg_fill(FILE *f, void *ctx)
{
	struct svg *x = ctx;
	const struct report *r = x->r;
	size_t i, n = 0;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
		" font-family=\"sans-serif\" font-size=\"11\">\n", SVG_W + 320, 2 * SVG_H + 60);
	svg_panel(x, f, x->cols, 20, "map", "len()");
	svg_panel(x, f, x->bcols, SVG_H + 50, "bytes", "bytes held");
	for (i = 0; i < r->nr_maps; i++) {
		const struct rmap *m = &r->maps[i];

		if (!x->col_of[i])
			continue;
		fprintf(f, "<text x=\"%d\" y=\"%zu\" fill=\"%s\">pid %u map 0x%" PRIx64
			" peak %" PRIu64 ", %s%" PRIu64 " bytes</text>\n", SVG_W + 8, 32 + 14 * n,
			svg_colors[n % (sizeof(svg_colors) / sizeof(svg_colors[0]))], m->pid,
			m->addr, m->peak, m->bytes_estimated ? "~" : "", m->bytes);
		n++;
	}
	fputs("</svg>\n", f);
	return 0;
}

int export_svg(const struct report *r, const bool *chosen, int fd, const char *input,
	       const char *path)
{
	struct svg sx = { .r = r, .chosen = chosen }, *x = &sx;
	struct rmap **order;
	size_t i, m = 0, n = 0;
	int ret = -1;

	x->col_of = calloc(r->nr_maps + 1, sizeof(*x->col_of));
	if (!x->col_of)
		return -1;
	x->t0 = UINT64_MAX;
	for (i = 0; i < r->nr_procs; i++) {
		if (r->procs[i].first_ns < x->t0)
			x->t0 = r->procs[i].first_ns;
		if (r->procs[i].last_ns > x->t1)
			x->t1 = r->procs[i].last_ns;
	}
	/* The first 10 chosen maps; col_of is their row + 1. */
	order = calloc(r->nr_maps + 1, sizeof(*order));
	if (!order)
		goto out;
	for (i = 0; i < r->nr_maps; i++)
		if (x->chosen[i])
			order[m++] = &r->maps[i];
	qsort(order, m, sizeof(*order), report_cmp_maps);
	for (i = 0; i < m && n < 10; i++)
		x->col_of[order[i] - r->maps] = ++n;
	free(order);
	x->cols = malloc((n + 1) * sizeof(*x->cols));
	x->bcols = malloc((n + 1) * sizeof(*x->bcols));
	if (!x->cols || !x->bcols)
		goto out;
	memset(x->cols, 0xff, (n + 1) * sizeof(*x->cols));	/* -1: no value */
	memset(x->bcols, 0xff, (n + 1) * sizeof(*x->bcols));
	if (lseek(fd, 0, SEEK_SET)) {
		p_err("%s: cannot read it twice (a pipe?): %s", input, strerror(errno));
		goto out;
	}
	if (trace_read(fd, input, svg_object, x, NULL) || outfile_write(path, svg_fill, x))
		goto out;
	ret = 0;
out:
	free(x->cols);
	x->cols = NULL;
	free(x->bcols);
	x->bcols = NULL;
	free(x->col_of);
	free(x->gc_ends);
	return ret;
}

