// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/svg.c - export --svg: a panel per process with Go maps
 * or GC cycles, its time axis from its own first event to its last (so
 * processes far apart in a trace each fill their width), two plots in it,
 * len() and bytes held of its first 10 chosen maps in the report's order
 * (one column per pixel: the largest value of a column and the one it
 * ended on, drawn as steps; a live map held to the process's last event,
 * a freed one ended at its last operation; each life of a reused address
 * its own line), GC cycle ends as grey lines, lost records as red ones,
 * labelled ticks on both axes, and a legend with the report's figures.
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

#define PLOT_W		960	/* columns: one per pixel */
#define PLOT_H		200
#define MARGIN_L	84	/* the y axis' labels */
#define LEGEND_X	(MARGIN_L + PLOT_W + 24)
#define SVG_W		(LEGEND_X + 440)
#define PANEL_H		520	/* title, two plots, their x labels */
#define MAX_ROWS	10	/* maps drawn per process */
#define MAX_PANELS	16	/* processes drawn */
#define PANEL_SKIPPED	((size_t)-1)	/* panel_of: a process to draw, past MAX_PANELS */
#define MAX_NOTES	8	/* processes without a panel named */

/* One chosen map's columns (-1: no value in that column). */
struct series {
	const struct rmap *m;
	int64_t len_max[PLOT_W], len_last[PLOT_W];
	int64_t b_max[PLOT_W], b_last[PLOT_W];
};

struct panel {
	const struct rproc *p;
	uint64_t t0, t1;	/* its first and last event */
	size_t first, nr;	/* its series: rows[first .. first + nr) */
	size_t more;		/* chosen maps not drawn (MAX_ROWS) */
};

struct mark {
	uint64_t ns, n;
	uint32_t panel;		/* GC ends: the panel; lost records: none */
};

struct svg {
	const struct report *r;
	size_t *row_of;		/* by index in r->maps: its row + 1, 0: not drawn */
	struct series *rows;
	size_t nr_rows;
	struct panel *panels;
	size_t nr_panels, skipped;	/* drawn; not drawn (MAX_PANELS) */
	size_t *panel_of;	/* by index in r->procs: its panel + 1, 0: none */
	struct mark *gc, *lost;
	size_t nr_gc, max_gc, nr_lost, max_lost;
	uint64_t record;	/* the record being read, counted as report_object() does */
};

static const char *const colors[] = { "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
				      "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
				      "#bcbd22", "#17becf" };
#define NR_COLORS	(sizeof(colors) / sizeof(colors[0]))

static int mark_add(struct mark **a, size_t *nr, size_t *max, uint64_t ns, uint64_t n,
		    uint32_t panel)
{
	if (*nr == *max) {
		size_t m = *max ? 2 * *max : 64;
		struct mark *p = realloc(*a, m * sizeof(*p));

		if (!p)
			return -ENOMEM;
		*a = p;
		*max = m;
	}
	(*a)[(*nr)++] = (struct mark){ .ns = ns, .n = n, .panel = panel };
	return 0;
}

/* The column of @ns in @pn's time range. */
static size_t column(const struct panel *pn, uint64_t ns)
{
	uint64_t span = pn->t1 > pn->t0 ? pn->t1 - pn->t0 : 1;

	if (ns <= pn->t0)
		return 0;
	if (ns >= pn->t1)
		return PLOT_W - 1;
	return (size_t)((double)(ns - pn->t0) * (PLOT_W - 1) / (double)span);
}

static void put(int64_t *max, int64_t *last, size_t col, int64_t v)
{
	if (v > max[col])
		max[col] = v;
	last[col] = v;
}

static int svg_object(void *ctx, json_object *o)
{
	struct svg *x = ctx;
	const struct report *r = x->r;
	const char *type = tr_str(o, "type"), *op = tr_str(o, "op");
	uint32_t pid = (uint32_t)tr_u64(o, "pid");
	uint64_t ns = tr_u64(o, "time_ns");
	size_t pi;

	x->record++;
	if (!type || tr_str(o, "error"))
		return 0;
	if (!strcmp(type, TRACE_LOST))
		return mark_add(&x->lost, &x->nr_lost, &x->max_lost, ns, tr_u64(o, "lost"), 0);
	/* Only what the report used: a record it could not place is not drawn. */
	if (!tr_has(o, "pid") || !tr_has(o, "time_ns") || !op)
		return 0;
	for (pi = 0; pi < r->nr_procs && r->procs[pi].pid != pid; pi++)
		;
	if (pi == r->nr_procs || !x->panel_of[pi] || x->panel_of[pi] == PANEL_SKIPPED)
		return 0;
	if (!strcmp(type, TRACE_MAP) && tr_has(o, "map")) {
		struct rmap *m = report_find_life(r, pid, tr_u64(o, "map"), x->record);
		struct series *s;
		size_t col;

		if (!m || !x->row_of[m - r->maps])
			return 0;
		s = &x->rows[x->row_of[m - r->maps] - 1];
		col = column(&x->panels[x->panel_of[pi] - 1], ns);
		/* A grow changes the storage, not len(): its count is no new figure. */
		if (strcmp(op, TRACE_OP_GROW))
			put(s->len_max, s->len_last, col, (int64_t)(tr_u64(o, "count") & INT64_MAX));
		if (tr_has(o, "bytes"))
			put(s->b_max, s->b_last, col, (int64_t)(tr_u64(o, "bytes") & INT64_MAX));
	} else if (!strcmp(type, TRACE_GC) && !strcmp(op, TRACE_OP_GC_END)) {
		return mark_add(&x->gc, &x->nr_gc, &x->max_gc, ns, 0, x->panel_of[pi] - 1);
	}
	return 0;
}

/*
 * An axis' ticks: multiples of @step (1, 2 or 5 x 10^n) of @unit up to
 * @top (>= the largest value), @decimals digits after the point.
 */
struct axis {
	double unit, step, top;
	int decimals;
	const char *name;	/* the unit's, "" for a count */
};

/* The smallest 1, 2 or 5 x 10^n not below @v (> 0), and its digits after the point. */
static double nice_step(double v, int *decimals)
{
	double p = 1;
	int e = 0;

	while (p * 10 <= v) {
		p *= 10;
		e++;
	}
	while (p > v && e > -9) {
		p /= 10;
		e--;
	}
	if (v > 5 * p) {
		p *= 10;
		e++;
	} else if (v > 2 * p) {
		p *= 5;
	} else if (v > p) {
		p *= 2;
	}
	*decimals = e < 0 ? -e : 0;
	return p;
}

/* Ticks for 0 to @max in @unit: about @n steps, at least two; whole steps if @whole. */
static void axis_fit(struct axis *a, double max, double unit, const char *name, int n,
		     bool whole)
{
	double v = max / unit;
	uint64_t k;

	a->unit = unit;
	a->name = name;
	a->step = v > 0 ? nice_step(v / n, &a->decimals) : 1;
	if (v <= 0)
		a->decimals = 0;
	if (whole && a->step < 1) {
		a->step = 1;
		a->decimals = 0;
	}
	k = (uint64_t)(v / a->step);
	if (k * a->step < v * (1 - 1e-12))
		k++;
	a->top = (k < 2 ? 2 : k) * a->step;
}

/* A time axis for @span_ns: s, ms, us or ns, whichever @span_ns holds one of. */
static void axis_time(struct axis *a, uint64_t span_ns)
{
	static const struct { double unit; const char *name; } u[] = {
		{ 1e9, "s" }, { 1e6, "ms" }, { 1e3, "\xc2\xb5s" }, { 1, "ns" },
	};
	size_t i;

	for (i = 0; i < 3 && span_ns < u[i].unit; i++)
		;
	axis_fit(a, (double)span_ns, u[i].unit, u[i].name, 6, i == 3);
	a->top = (double)span_ns / a->unit;	/* the data fill the width */
}

/* Bytes: B, KiB, MiB or GiB, whichever the largest value holds two of. */
static void axis_bytes(struct axis *a, int64_t max)
{
	static const struct { double unit; const char *name; } u[] = {
		{ 1024.0 * 1024 * 1024, "GiB" }, { 1024.0 * 1024, "MiB" }, { 1024, "KiB" },
		{ 1, "B" },
	};
	size_t i;

	for (i = 0; i < 3 && (double)max < 2 * u[i].unit; i++)
		;
	axis_fit(a, (double)max, u[i].unit, u[i].name, 5, i == 3);
}

/* "0.5 KiB", "200 ms", "25": the tick's value, trailing zeros dropped. */
static void tick_label(char *buf, size_t size, const struct axis *a, uint64_t k)
{
	char *dot;
	size_t n;

	snprintf(buf, size, "%.*f", a->decimals, (double)k * a->step);
	dot = strchr(buf, '.');
	if (dot) {
		for (n = strlen(buf); n && buf[n - 1] == '0'; n--)
			buf[n - 1] = 0;
		if (buf[n - 1] == '.')
			buf[n - 1] = 0;
	}
	if (a->name[0]) {
		n = strlen(buf);
		snprintf(buf + n, size - n, " %s", a->name);
	}
}

static uint64_t nr_ticks(const struct axis *a)
{
	return (uint64_t)(a->top / a->step * (1 + 1e-9)) + 1;
}

/* The y of @v (in bytes or entries) in a plot at @y0 whose axis is @a. */
static double plot_y(int y0, const struct axis *a, int64_t v)
{
	return y0 + PLOT_H - (double)v / (a->top * a->unit) * PLOT_H;
}

/* A frame, the y axis' ticks and grid, and the x axis' ticks (@ax) of a plot at @y0. */
static void plot_axes(FILE *f, int y0, const struct axis *ay, const struct axis *ax)
{
	char label[48];
	uint64_t k, n;

	fprintf(f, "<rect class=\"frame\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\""
		" fill=\"none\" stroke=\"black\"/>\n", MARGIN_L, y0, PLOT_W - 1, PLOT_H);
	for (k = 0, n = nr_ticks(ay); k < n; k++) {
		double y = y0 + PLOT_H - k * ay->step / ay->top * PLOT_H;

		tick_label(label, sizeof(label), ay, k);
		if (k)
			fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\""
				" stroke=\"#eee\"/>\n", MARGIN_L + 1, MARGIN_L + PLOT_W - 2, y, y);
		fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"black\"/>\n"
			"<text class=\"ytick\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\""
			" dominant-baseline=\"middle\">%s</text>\n", MARGIN_L - 5, MARGIN_L, y, y,
			MARGIN_L - 8, y, label);
	}
	for (k = 0, n = nr_ticks(ax); k < n; k++) {
		double px = MARGIN_L + k * ax->step / ax->top * (PLOT_W - 1);

		if (px > MARGIN_L + PLOT_W - 1 + 0.5)
			break;
		tick_label(label, sizeof(label), ax, k);
		fprintf(f, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%d\" y2=\"%d\" stroke=\"black\"/>\n"
			"<text class=\"xtick\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>\n",
			px, px, y0 + PLOT_H, y0 + PLOT_H + 5, px, y0 + PLOT_H + 17, label);
	}
}

/*
 * One map's line from its columns: a step to each column's largest value,
 * then to the one it ended on; held to the right edge if the map is live.
 */
static void plot_line(FILE *f, const struct series *s, const int64_t *max, const int64_t *last,
		      int y0, const struct axis *a, const char *cls, const char *color)
{
	int64_t held = -1;
	size_t k, end = 0;

	for (k = 0; k < PLOT_W; k++)
		if (max[k] >= 0)
			break;
	if (k == PLOT_W)
		return;		/* no figure of this kind (bytes unknown) */
	fprintf(f, "<polyline class=\"%s\" data-map=\"0x%" PRIx64 "\" data-life=\"%u\""
		" fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", cls, s->m->addr,
		s->m->life, color);
	for (; k < PLOT_W; k++) {
		int x = MARGIN_L + (int)k;

		if (max[k] < 0)
			continue;
		if (held >= 0)
			fprintf(f, "%d,%.1f ", x, plot_y(y0, a, held));
		fprintf(f, "%d,%.1f ", x, plot_y(y0, a, max[k]));
		if (last[k] != max[k])
			fprintf(f, "%d,%.1f ", x, plot_y(y0, a, last[k]));
		held = last[k];
		end = k;
	}
	/* No free record: a map the trace does not say was freed is still there. */
	if (!s->m->reused && end < PLOT_W - 1)
		fprintf(f, "%d,%.1f", MARGIN_L + PLOT_W - 1, plot_y(y0, a, held));
	fputs("\"/>\n", f);
}

/* Vertical lines of @marks at x of their times, within one plot. */
static void plot_marks(FILE *f, const struct svg *x, const struct panel *pn, size_t panel,
		       int y0, bool lost)
{
	const struct mark *m = lost ? x->lost : x->gc;
	size_t i, n = lost ? x->nr_lost : x->nr_gc;

	for (i = 0; i < n; i++) {
		int px;

		if (lost ? m[i].ns < pn->t0 || m[i].ns > pn->t1 : m[i].panel != panel)
			continue;
		px = MARGIN_L + (int)column(pn, m[i].ns);
		if (lost)
			fprintf(f, "<line class=\"lost\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\""
				" stroke=\"red\" stroke-dasharray=\"4 3\"><title>%" PRIu64
				" events lost</title></line>\n", px, px, y0, y0 + PLOT_H, m[i].n);
		else
			fprintf(f, "<line class=\"gc\" x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\""
				" stroke=\"#bbb\"/>\n", px, px, y0, y0 + PLOT_H);
	}
}

/* @s as XML text: markup escaped, bytes outside printable ASCII as '?'. */
static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '&')
			fputs("&amp;", f);
		else if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else
			fputc(*s >= 0x20 && *s < 0x7f ? *s : '?', f);
	}
}

/* The legend's lines of one map: the report's figures, then who made it. */
static void legend(FILE *f, const struct rmap *m, int y, const char *color)
{
	char bytes[24];

	fprintf(f, "<line x1=\"%d\" x2=\"%d\" y1=\"%d\" y2=\"%d\" stroke=\"%s\""
		" stroke-width=\"3\"/>\n", LEGEND_X, LEGEND_X + 16, y - 4, y - 4, color);
	fprintf(f, "<text class=\"legend\" data-map=\"0x%" PRIx64 "\" data-life=\"%u\" x=\"%d\""
		" y=\"%d\">0x%" PRIx64 ": %s bytes, peak %" PRIu64 ", len %" PRIu64 "%s</text>\n",
		m->addr, m->life, LEGEND_X + 22, y, m->addr, report_bytes_text(m, bytes, sizeof(bytes)),
		m->peak, m->entries, m->reused ? " (freed: address reused)" : "");
	fprintf(f, "<text x=\"%d\" y=\"%d\" fill=\"#666\" font-size=\"10\">", LEGEND_X + 22,
		y + 12);
	if (m->made) {
		fputs("made in ", f);
		xml_text(f, m->made_at[0] ? m->made_at : "?");
		fprintf(f, " by g%" PRIu64, m->made_goid);
	} else
		fputs("make not traced", f);
	fputs("</text>\n", f);
}

static void svg_panel(FILE *f, struct svg *x, size_t panel, int y0)
{
	const struct panel *pn = &x->panels[panel];
	const int yl = y0 + 26, yb = y0 + 26 + PLOT_H + 48;
	struct axis at, al, ab;
	int64_t lmax = 0, bmax = 0;
	size_t i, k;

	for (i = pn->first; i < pn->first + pn->nr; i++)
		for (k = 0; k < PLOT_W; k++) {
			if (x->rows[i].len_max[k] > lmax)
				lmax = x->rows[i].len_max[k];
			if (x->rows[i].b_max[k] > bmax)
				bmax = x->rows[i].b_max[k];
		}
	axis_time(&at, pn->t1 > pn->t0 ? pn->t1 - pn->t0 : 1);
	axis_fit(&al, (double)lmax, 1, "", 5, true);
	axis_bytes(&ab, bmax);
	fprintf(f, "<g class=\"panel\" data-pid=\"%u\">\n", pn->p->pid);
	fprintf(f, "<text x=\"4\" y=\"%d\" font-size=\"13\" font-weight=\"bold\">process %u: %.3f"
		" s traced, from %.3f s; ", y0 + 14, pn->p->pid, (pn->t1 - pn->t0) / 1e9,
		pn->t0 / 1e9);
	if (pn->nr)
		fprintf(f, "its top %zu maps in the report's order", pn->nr);
	else
		fputs("no Go map", f);
	if (pn->more)
		fprintf(f, " (%zu more not drawn)", pn->more);
	fputs("; grey: GC cycle ends</text>\n", f);
	fprintf(f, "<g class=\"plot\" data-kind=\"len\">\n");
	plot_axes(f, yl, &al, &at);
	fprintf(f, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
		"len() (entries)</text>\n", yl + PLOT_H / 2, yl + PLOT_H / 2);
	plot_marks(f, x, pn, panel, yl, false);
	plot_marks(f, x, pn, panel, yl, true);
	for (i = 0; i < pn->nr; i++)
		plot_line(f, &x->rows[pn->first + i], x->rows[pn->first + i].len_max,
			  x->rows[pn->first + i].len_last, yl, &al, "map", colors[i % NR_COLORS]);
	fputs("</g>\n<g class=\"plot\" data-kind=\"bytes\">\n", f);
	plot_axes(f, yb, &ab, &at);
	fprintf(f, "<text x=\"14\" y=\"%d\" transform=\"rotate(-90 14 %d)\" text-anchor=\"middle\">"
		"bytes held</text>\n", yb + PLOT_H / 2, yb + PLOT_H / 2);
	plot_marks(f, x, pn, panel, yb, false);
	plot_marks(f, x, pn, panel, yb, true);
	for (i = 0; i < pn->nr; i++)
		plot_line(f, &x->rows[pn->first + i], x->rows[pn->first + i].b_max,
			  x->rows[pn->first + i].b_last, yb, &ab, "bytes", colors[i % NR_COLORS]);
	fputs("</g>\n", f);
	fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">time since process %u's first"
		" event</text>\n", MARGIN_L + PLOT_W / 2, yb + PLOT_H + 34, pn->p->pid);
	for (i = 0; i < pn->nr; i++)
		legend(f, x->rows[pn->first + i].m, yl + 10 + 30 * (int)i, colors[i % NR_COLORS]);
	fputs("</g>\n", f);
}

/* The trace-wide notes above the panels (their height): what is not drawn, and why. */
static int svg_notes(FILE *f, const struct svg *x, int y, bool print)
{
	const struct report *r = x->r;
	size_t i, none = 0;

	for (i = 0; i < r->nr_procs; i++) {
		if (x->panel_of[i] || none++ >= MAX_NOTES)
			continue;
		if (print)
			fprintf(f, "<text class=\"note\" x=\"4\" y=\"%d\">process %u: no Go map or GC"
				" cycle%s</text>\n", y, r->procs[i].pid, r->procs[i].jvm ?
				" (a JVM: its GC pauses are in export --perfetto)" : "");
		y += 15;
	}
	if (none > MAX_NOTES) {
		if (print)
			fprintf(f, "<text class=\"note\" x=\"4\" y=\"%d\">%zu more processes without"
				" Go maps or GC</text>\n", y, none - MAX_NOTES);
		y += 15;
	}
	if (x->skipped) {
		if (print)
			fprintf(f, "<text class=\"note\" x=\"4\" y=\"%d\">%zu more processes with Go"
				" maps or GC not drawn: at most %d are</text>\n", y, x->skipped,
				MAX_PANELS);
		y += 15;
	}
	if (r->lost) {
		if (print)
			fprintf(f, "<text class=\"note\" x=\"4\" y=\"%d\" fill=\"red\">%" PRIu64
				" events were lost (red dashed lines): the lines may miss changes"
				"</text>\n", y, r->lost);
		y += 15;
	}
	if (!r->summary) {
		if (print)
			fprintf(f, "<text class=\"note\" x=\"4\" y=\"%d\" fill=\"red\">the trace has"
				" no summary: it was cut short</text>\n", y);
		y += 15;
	}
	return y;
}

static int svg_fill(FILE *f, void *ctx)
{
	struct svg *x = ctx;
	int y = svg_notes(f, x, 42, false);
	size_t i;

	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%zu\""
		" font-family=\"sans-serif\" font-size=\"11\">\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n", SVG_W,
		(size_t)y + x->nr_panels * PANEL_H + 10);
	fputs("<text x=\"4\" y=\"20\" font-size=\"15\" font-weight=\"bold\">mapwatch: len() and"
	      " bytes held of each process's top maps, over its own time</text>\n", f);
	svg_notes(f, x, 42, true);
	for (i = 0; i < x->nr_panels; i++)
		svg_panel(f, x, i, y + (int)(i * PANEL_H));
	fputs("</svg>\n", f);
	return 0;
}

/* Panels for the processes with Go maps or GC, rows for their first chosen maps. */
static int svg_layout(struct svg *x, const bool *chosen)
{
	const struct report *r = x->r;
	struct rmap **order = calloc(r->nr_maps + 1, sizeof(*order));
	size_t i, j, n = 0, k;

	x->row_of = calloc(r->nr_maps + 1, sizeof(*x->row_of));
	x->panel_of = calloc(r->nr_procs + 1, sizeof(*x->panel_of));
	x->panels = calloc(MAX_PANELS, sizeof(*x->panels));
	x->rows = calloc(MAX_PANELS * MAX_ROWS, sizeof(*x->rows));
	if (!order || !x->row_of || !x->panel_of || !x->panels || !x->rows) {
		free(order);
		return -1;
	}
	for (i = 0; i < r->nr_maps; i++)
		if (chosen[i])
			order[n++] = &r->maps[i];
	qsort(order, n, sizeof(*order), report_cmp_maps);
	for (j = 0; j < r->nr_procs; j++) {
		const struct rproc *p = &r->procs[j];
		struct panel *pn = &x->panels[x->nr_panels];
		size_t maps = 0;

		for (i = 0; i < n; i++)
			maps += order[i]->pid == p->pid;
		if (!maps && !p->gc_end)
			continue;
		if (x->nr_panels == MAX_PANELS) {
			x->panel_of[j] = PANEL_SKIPPED;
			x->skipped++;
			continue;
		}
		pn->p = p;
		pn->t0 = p->min_ns;
		pn->t1 = p->max_ns;
		pn->first = x->nr_rows;
		for (i = 0; i < n; i++) {
			struct series *s;

			if (order[i]->pid != p->pid)
				continue;
			if (pn->nr == MAX_ROWS) {
				pn->more++;
				continue;
			}
			s = &x->rows[x->nr_rows++];
			s->m = order[i];
			for (k = 0; k < PLOT_W; k++)
				s->len_max[k] = s->len_last[k] = s->b_max[k] = s->b_last[k] = -1;
			x->row_of[order[i] - r->maps] = x->nr_rows;
			pn->nr++;
		}
		x->panel_of[j] = ++x->nr_panels;
	}
	free(order);
	return 0;
}

int export_svg(const struct report *r, const bool *chosen, int fd, const char *input,
	       const char *path)
{
	struct svg sx = { .r = r }, *x = &sx;
	int ret = -1;

	if (svg_layout(x, chosen)) {
		p_err("out of memory");
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET)) {
		p_err("%s: cannot read it twice (a pipe?): %s", input, strerror(errno));
		goto out;
	}
	if (trace_read(fd, input, svg_object, x, NULL) || outfile_write(path, svg_fill, x))
		goto out;
	ret = 0;
out:
	free(x->row_of);
	free(x->panel_of);
	free(x->panels);
	free(x->rows);
	free(x->gc);
	free(x->lost);
	return ret;
}
