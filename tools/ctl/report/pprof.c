// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/pprof.c - export --pprof: the live maps at the end of
 * the trace as a pprof profile (gzipped profile.proto), for `go tool
 * pprof`.  One sample per live map with a bytes figure, its values the
 * report's (model.c): bytes, peak_entries, entries, 1 (maps); its stack
 * the function that made it; labels pid (a number) and map (its address,
 * hex).  The message is built and packed with protobuf-c's code generated
 * from Debian's profile.proto (the Makefile: build/pprof/), then gzipped.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "main.h"
#include "report/model.h"
#include "report/outfile.h"
#include "report/report.h"
#include "profile.pb-c.h"

#define UNKNOWN_MAKER	"(unknown maker)"

/* The string table's fixed head, in this order (index 0 must be ""). */
enum {
	S_EMPTY, S_BYTES, S_COUNT, S_PEAK, S_ENTRIES, S_MAPS, S_PID, S_MAP, NR_FIXED
};
static const char *const fixed_strs[NR_FIXED] = {
	"", "bytes", "count", "peak_entries", "entries", "maps", "pid", "map",
};

enum { V_BYTES, V_PEAK, V_ENTRIES, V_MAPS, NR_VALUES };

struct pprof {
	Perftools__Profiles__Profile prof;
	Perftools__Profiles__ValueType vt[NR_VALUES], *pvt[NR_VALUES];
	Perftools__Profiles__Mapping mapping, *pmapping;
	Perftools__Profiles__Sample *samples, **psamples;
	Perftools__Profiles__Label *labels, **plabels;	/* two per sample */
	Perftools__Profiles__Location *locs, **plocs;
	Perftools__Profiles__Line *lines, **plines;		/* one per location */
	Perftools__Profiles__Function *funcs, **pfuncs;
	uint64_t *loc_ids;		/* one per sample: its only frame */
	int64_t *values;		/* NR_VALUES per sample */
	int64_t *comments;
	char **strs;
	size_t nr_strs;
	char *hex;			/* the maps' addresses as text, 19 bytes each */
	uint8_t *gz;			/* what is written */
	size_t gz_len;
};

/* The name a map's maker frame shows. */
static const char *maker(const struct rmap *m)
{
	return m->made && m->made_at[0] ? m->made_at : UNKNOWN_MAKER;
}

/* A map of the profile and its maker, sorted by maker to share its frame. */
struct by_maker {
	const char *name;
	size_t i;		/* the sample */
};

static int cmp_maker(const void *a, const void *b)
{
	const struct by_maker *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int64_t clamp(uint64_t v)
{
	return v > INT64_MAX ? INT64_MAX : (int64_t)v;
}

/* A string the caller keeps alive until the profile is packed; its index. */
static size_t str_add(struct pprof *x, const char *s)
{
	x->strs[x->nr_strs] = (char *)s;
	return x->nr_strs++;
}

/*
 * A function and a location per distinct maker of @live (@n maps), ids
 * from 1; each map's location id in x->loc_ids[i], by its index in @live.
 */
static int add_makers(struct pprof *x, struct rmap **live, size_t n)
{
	struct by_maker *by = malloc((n + 1) * sizeof(*by));
	size_t i, k = 0;

	if (!by)
		return -1;
	for (i = 0; i < n; i++) {
		by[i].name = maker(live[i]);
		by[i].i = i;
	}
	qsort(by, n, sizeof(*by), cmp_maker);
	for (i = 0; i < n; i++) {
		if (!i || strcmp(by[i].name, by[i - 1].name)) {
			Perftools__Profiles__Function *f = &x->funcs[k];
			Perftools__Profiles__Location *l = &x->locs[k];
			Perftools__Profiles__Line *ln = &x->lines[k];

			perftools__profiles__function__init(f);
			f->id = k + 1;
			f->name = f->system_name = str_add(x, by[i].name);
			perftools__profiles__line__init(ln);
			ln->function_id = f->id;
			x->plines[k] = ln;
			perftools__profiles__location__init(l);
			l->id = k + 1;
			l->mapping_id = 1;
			l->n_line = 1;
			l->line = &x->plines[k];
			x->pfuncs[k] = f;
			x->plocs[k] = l;
			k++;
		}
		x->loc_ids[by[i].i] = k;
	}
	free(by);
	x->prof.n_function = x->prof.n_location = k;
	x->prof.function = x->pfuncs;
	x->prof.location = x->plocs;
	return 0;
}

static void add_sample(struct pprof *x, size_t i, const struct rmap *m)
{
	Perftools__Profiles__Sample *s = &x->samples[i];
	Perftools__Profiles__Label *pid = &x->labels[2 * i], *addr = pid + 1;
	int64_t *v = &x->values[NR_VALUES * i];

	perftools__profiles__sample__init(s);
	s->n_location_id = 1;
	s->location_id = &x->loc_ids[i];
	v[V_BYTES] = clamp(m->bytes);
	v[V_PEAK] = clamp(m->peak);
	v[V_ENTRIES] = clamp(m->entries);
	v[V_MAPS] = 1;
	s->n_value = NR_VALUES;
	s->value = v;
	perftools__profiles__label__init(pid);
	pid->key = S_PID;
	pid->num = m->pid;
	perftools__profiles__label__init(addr);
	addr->key = S_MAP;
	snprintf(&x->hex[19 * i], 19, "0x%" PRIx64, m->addr);
	addr->str = str_add(x, &x->hex[19 * i]);
	x->plabels[2 * i] = pid;
	x->plabels[2 * i + 1] = addr;
	s->n_label = 2;
	s->label = &x->plabels[2 * i];
	x->psamples[i] = s;
}

/* A comment line of the profile (`go tool pprof -comments`), owned by @x. */
static int add_comment(struct pprof *x, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int add_comment(struct pprof *x, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	x->comments[x->prof.n_comment++] = str_add(x, s);
	return 0;
}

/* What the profile leaves out, and of what it is made. */
static int add_comments(struct pprof *x, const struct report *r, const char *input)
{
	size_t j, i;

	if (add_comment(x, "mapwatchctl export --pprof -i %s: the live maps at the end of the"
			" trace, as mapwatchctl report sums them up", input))
		return -1;
	if (!r->summary && add_comment(x, "the trace has no summary: it was cut short, the"
				       " figures cover only what it holds"))
		return -1;
	for (j = 0; j < r->nr_procs; j++) {
		size_t unsized = 0, freed = 0;

		for (i = 0; i < r->nr_maps; i++) {
			const struct rmap *m = &r->maps[i];

			if (m->pid != r->procs[j].pid)
				continue;
			if (m->reused)
				freed++;
			else if (!m->have_bytes)
				unsized++;
		}
		if (unsized && add_comment(x, "pid %u: %zu live map%s without a bytes figure"
					   " left out", r->procs[j].pid, unsized,
					   unsized == 1 ? "" : "s"))
			return -1;
		if (freed && add_comment(x, "pid %u: %zu freed map%s (a later make reused the"
					 " address) left out", r->procs[j].pid, freed,
					 freed == 1 ? "" : "s"))
			return -1;
	}
	return 0;
}

static void header(struct pprof *x, const struct report *r)
{
	static const int units[NR_VALUES] = { S_BYTES, S_COUNT, S_COUNT, S_COUNT };
	static const int types[NR_VALUES] = { S_BYTES, S_PEAK, S_ENTRIES, S_MAPS };
	uint64_t first = UINT64_MAX, last = 0;
	size_t i;

	for (i = 0; i < NR_VALUES; i++) {
		perftools__profiles__value_type__init(&x->vt[i]);
		x->vt[i].type = types[i];
		x->vt[i].unit = units[i];
		x->pvt[i] = &x->vt[i];
	}
	x->prof.n_sample_type = NR_VALUES;
	x->prof.sample_type = x->pvt;
	x->prof.default_sample_type = S_BYTES;
	/*
	 * Without a mapping pprof makes one and tries to symbolize it ("Main
	 * binary filename not available"): the functions are already named.
	 */
	perftools__profiles__mapping__init(&x->mapping);
	x->mapping.id = 1;
	x->mapping.has_functions = true;
	x->pmapping = &x->mapping;
	x->prof.n_mapping = 1;
	x->prof.mapping = &x->pmapping;
	for (i = 0; i < NR_FIXED; i++)
		str_add(x, fixed_strs[i]);
	if (r->has_header)
		x->prof.time_nanos = clamp(r->start_realtime_ns);
	for (i = 0; i < r->nr_procs; i++) {
		if (r->procs[i].first_ns < first)
			first = r->procs[i].first_ns;
		if (r->procs[i].last_ns > last)
			last = r->procs[i].last_ns;
	}
	if (last > first)
		x->prof.duration_nanos = clamp(last - first);
}

/* The profile packed and gzipped into x->gz; -1: out of memory. */
static int pack(struct pprof *x)
{
	size_t len = perftools__profiles__profile__get_packed_size(&x->prof);
	uint8_t *buf = malloc(len + 1);
	z_stream z = { 0 };
	int ret = -1;

	/* windowBits 15 + 16: a gzip header and trailer, as pprof expects */
	if (!buf || deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK)
		goto out;
	perftools__profiles__profile__pack(&x->prof, buf);
	x->gz_len = deflateBound(&z, len);
	x->gz = malloc(x->gz_len);
	if (x->gz) {
		z.next_in = buf;
		z.avail_in = len;
		z.next_out = x->gz;
		z.avail_out = x->gz_len;
		if (deflate(&z, Z_FINISH) == Z_STREAM_END) {
			x->gz_len = z.total_out;
			ret = 0;
		}
	}
	deflateEnd(&z);
out:
	free(buf);
	return ret;
}

static int pprof_fill(FILE *f, void *ctx)
{
	struct pprof *x = ctx;

	/* a short write is seen by outfile_commit() (ferror) and said there */
	fwrite(x->gz, 1, x->gz_len, f);
	return 0;
}

static void pprof_free(struct pprof *x)
{
	size_t i;

	for (i = 0; i < x->prof.n_comment; i++)
		free(x->strs[x->comments[i]]);
	free(x->samples);
	free(x->psamples);
	free(x->labels);
	free(x->plabels);
	free(x->locs);
	free(x->plocs);
	free(x->lines);
	free(x->plines);
	free(x->funcs);
	free(x->pfuncs);
	free(x->loc_ids);
	free(x->values);
	free(x->comments);
	free(x->strs);
	free(x->hex);
	free(x->gz);
}

int export_pprof(struct report *r, const char *input, const char *path)
{
	struct rmap **order = report_order(r);
	struct pprof x = { 0 };
	size_t i, n = 0, nc = 2 + 2 * r->nr_procs;	/* add_comments()' most */
	int ret = -1;

	if (!order)
		return -1;
	/* live maps with a bytes figure, in the report's order */
	for (i = 0; i < r->nr_maps; i++)
		if (!order[i]->reused && order[i]->have_bytes)
			order[n++] = order[i];
	perftools__profiles__profile__init(&x.prof);
	x.samples = calloc(n + 1, sizeof(*x.samples));
	x.psamples = calloc(n + 1, sizeof(*x.psamples));
	x.labels = calloc(2 * n + 1, sizeof(*x.labels));
	x.plabels = calloc(2 * n + 1, sizeof(*x.plabels));
	x.locs = calloc(n + 1, sizeof(*x.locs));
	x.plocs = calloc(n + 1, sizeof(*x.plocs));
	x.lines = calloc(n + 1, sizeof(*x.lines));
	x.plines = calloc(n + 1, sizeof(*x.plines));
	x.funcs = calloc(n + 1, sizeof(*x.funcs));
	x.pfuncs = calloc(n + 1, sizeof(*x.pfuncs));
	x.loc_ids = calloc(n + 1, sizeof(*x.loc_ids));
	x.values = calloc(NR_VALUES * n + 1, sizeof(*x.values));
	x.comments = calloc(nc, sizeof(*x.comments));
	/* fixed, a maker and an address per map, comments */
	x.strs = calloc(NR_FIXED + 2 * n + nc, sizeof(*x.strs));
	x.hex = calloc(n + 1, 19);
	if (!x.samples || !x.psamples || !x.labels || !x.plabels || !x.locs || !x.plocs ||
	    !x.lines || !x.plines || !x.funcs || !x.pfuncs || !x.loc_ids || !x.values ||
	    !x.comments || !x.strs || !x.hex)
		goto oom;
	header(&x, r);
	if (add_makers(&x, order, n))
		goto oom;
	for (i = 0; i < n; i++)
		add_sample(&x, i, order[i]);
	x.prof.n_sample = n;
	x.prof.sample = x.psamples;
	if (add_comments(&x, r, input))
		goto oom;
	x.prof.comment = x.comments;
	x.prof.n_string_table = x.nr_strs;
	x.prof.string_table = x.strs;
	if (pack(&x))
		goto oom;
	ret = outfile_write(path, pprof_fill, &x);
	goto out;
oom:
	p_err("out of memory");
out:
	pprof_free(&x);
	free(order);
	return ret;
}
