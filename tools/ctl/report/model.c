// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report/model.c - the report's model from trace objects: maps
 * in an open-addressing table by (pid, address), a new life for a map
 * whose address a later make reuses, processes, JVM pauses.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "report/model.h"
#include "trace/kprobes.h"
#include "trace/format.h"
#include "trace/read.h"

static const char *const op_names[NR_OPS] = {
	TRACE_OP_MAKE, TRACE_OP_ASSIGN, TRACE_OP_DELETE, TRACE_OP_CLEAR, TRACE_OP_GROW,
};

static uint64_t map_hash(uint32_t pid, uint64_t addr)
{
	uint64_t h = (addr ^ ((uint64_t)pid << 47)) * 0x9e3779b97f4a7c15ULL;

	return h ^ (h >> 29);
}

static int slots_grow(struct report *r)
{
	size_t n = r->nr_slots ? 2 * r->nr_slots : 1024, i;
	uint32_t *s = calloc(n, sizeof(*s));

	if (!s)
		return -1;
	for (i = 0; i < r->nr_maps; i++) {
		size_t j;

		if (r->maps[i].reused)
			continue;	/* an earlier life, kept only for the report */
		j = map_hash(r->maps[i].pid, r->maps[i].addr) & (n - 1);
		while (s[j])
			j = (j + 1) & (n - 1);
		s[j] = i + 1;
	}
	free(r->slot);
	r->slot = s;
	r->nr_slots = n;
	return 0;
}

/* A new entry at the end of r->maps, zeroed; NULL when out of memory. */
static struct rmap *map_new(struct report *r)
{
	if (r->nr_maps == r->max_maps) {
		size_t n = r->max_maps ? 2 * r->max_maps : 256;
		void *p = realloc(r->maps, n * sizeof(*r->maps));

		if (!p)
			return NULL;
		r->maps = p;
		r->max_maps = n;
	}
	memset(&r->maps[r->nr_maps], 0, sizeof(r->maps[0]));
	return &r->maps[r->nr_maps++];
}

/*
 * The live map at @addr in @pid, or NULL; *@free_slot (if given) is where
 * it would go.
 */
static struct rmap *map_find(const struct report *r, uint32_t pid, uint64_t addr,
			     size_t *free_slot)
{
	size_t j;

	if (!r->nr_slots)
		return NULL;
	for (j = map_hash(pid, addr) & (r->nr_slots - 1); r->slot[j];
	     j = (j + 1) & (r->nr_slots - 1)) {
		struct rmap *m = &r->maps[r->slot[j] - 1];

		if (m->pid == pid && m->addr == addr)
			return m;
	}
	if (free_slot)
		*free_slot = j;
	return NULL;
}

/* The live map at @addr in @pid, created (first seen at @ns) if new. */
static struct rmap *map_get(struct report *r, uint32_t pid, uint64_t addr, uint64_t ns)
{
	struct rmap *m;
	size_t j;

	if (2 * (r->nr_maps + 1) > r->nr_slots && slots_grow(r))
		return NULL;
	m = map_find(r, pid, addr, &j);
	if (m)
		return m;
	m = map_new(r);
	if (!m)
		return NULL;
	m->pid = pid;
	m->seq = r->nr_maps - 1;
	m->addr = addr;
	m->first_ns = ns;
	m->life = 1;
	m->first_record = r->records;
	r->slot[j] = r->nr_maps;
	return m;
}

/*
 * A make on an address with a map already: that map was freed and its
 * memory holds a new one.  Its record moves to a new entry, marked, and
 * @m starts afresh (the hash keeps pointing at @m).
 */
static struct rmap *map_new_life(struct report *r, struct rmap *m, uint64_t ns)
{
	size_t i = m - r->maps;
	struct rmap *old;

	if (2 * (r->nr_maps + 1) > r->nr_slots && slots_grow(r))
		return NULL;
	old = map_new(r);		/* may move r->maps */
	if (!old)
		return NULL;
	m = &r->maps[i];
	*old = *m;
	old->reused = true;
	memset(m, 0, sizeof(*m));
	m->pid = old->pid;
	/* Every life adds one entry: its count so far numbers it. */
	m->seq = r->nr_maps - 1;
	m->addr = old->addr;
	m->first_ns = ns;
	m->life = old->life + 1;
	m->prev = old - r->maps + 1;
	m->first_record = r->records;
	return m;
}

static struct rproc *proc_get(struct report *r, uint32_t pid)
{
	struct rproc *p;
	size_t i;

	for (i = 0; i < r->nr_procs; i++)
		if (r->procs[i].pid == pid)
			return &r->procs[i];
	p = realloc(r->procs, (r->nr_procs + 1) * sizeof(*p));
	if (!p)
		return NULL;
	r->procs = p;
	p = &r->procs[r->nr_procs++];
	memset(p, 0, sizeof(*p));
	p->pid = pid;
	p->min_ns = UINT64_MAX;
	return p;
}

static int on_map_event(struct report *r, json_object *o, struct rproc *p, uint64_t ns)
{
	const char *op = tr_str(o, "op"), *fn = tr_str(o, "func");
	uint64_t count = tr_u64(o, "count");
	struct rmap *m;
	int k;

	for (k = 0; k < NR_OPS && (!op || strcmp(op, op_names[k])); k++)
		;
	if (k == NR_OPS)
		return 0;
	m = map_get(r, p->pid, tr_u64(o, "map"), ns);
	/*
	 * A make where a map lived, or an operation on one read as freed
	 * (dump --budget reads maps between windows): a new life.
	 */
	if (m && ((k == OP_MAKE && (m->made || m->ops[OP_ASSIGN] || m->ops[OP_DELETE] ||
				    m->ops[OP_CLEAR])) || m->reused))
		m = map_new_life(r, m, ns);
	if (!m)
		return -1;
	if (k == OP_MAKE) {
		m->made = true;
		m->made_goid = tr_u64(o, "goid");
		snprintf(m->made_by, sizeof(m->made_by), "%s", fn ? fn : "?");
		snprintf(m->made_at, sizeof(m->made_at), "%s", tr_str(o, "at") ?: "");
	}
	m->ops[k]++;
	m->last_ns = ns;
	if (tr_has(o, "bytes")) {
		m->have_bytes = true;
		m->bytes = tr_u64(o, "bytes");
		m->bytes_estimated = tr_has(o, "bytes_estimated");
		if (m->bytes > m->peak_bytes)
			m->peak_bytes = m->bytes;
	}
	if (k != OP_GROW) {
		m->entries = count;
		if (count > m->peak)
			m->peak = count;
	}
	return 0;
}

/*
 * A map read from its process when tracing ended: its count and bytes
 * then, exact where the last event's were from before that operation;
 * "reused": the memory no longer holds it (freed).
 */
static int on_map_state(struct report *r, json_object *o, struct rproc *p)
{
	const char *state = tr_str(o, "state");
	struct rmap *m = map_find(r, p->pid, tr_u64(o, "map"), NULL);

	/* Only maps the trace has seen: a state alone says nothing of who made it. */
	if (!m || !state)
		return 0;
	if (!strcmp(state, TRACE_STATE_REUSED)) {
		m->reused = true;
		return 0;
	}
	if (strcmp(state, TRACE_STATE_LIVE))
		return 0;
	m->state_read = true;
	m->entries = tr_u64(o, "count");
	if (m->entries > m->peak)
		m->peak = m->entries;
	if (tr_has(o, "bytes")) {
		m->have_bytes = true;
		m->bytes = tr_u64(o, "bytes");
		m->bytes_estimated = tr_has(o, "bytes_estimated");
		if (m->bytes > m->peak_bytes)
			m->peak_bytes = m->bytes;
	}
	return 0;
}

static void on_runtime_event(struct rproc *p, json_object *o, bool gc)
{
	const char *op = tr_str(o, "op");

	if (!op)
		return;
	if (!gc) {
		p->releases++;
		p->released += tr_u64(o, "len");
	} else if (!strcmp(op, TRACE_OP_GC_START)) {
		p->gc_start++;
	} else if (!strcmp(op, TRACE_OP_GC_MARK_END)) {
		p->gc_mark_end++;
	} else if (!strcmp(op, TRACE_OP_GC_END)) {
		p->gc_end++;
		if (tr_has(o, "cycle")) {
			uint64_t c = tr_u64(o, "cycle");

			if (!p->cycle_first || c < p->cycle_first)
				p->cycle_first = c;
			if (c > p->cycle_last)
				p->cycle_last = c;
		}
	}
}

static int jcount_add(struct jinterval *in, const char *name)
{
	struct jcount *c;
	size_t i;

	for (i = 0; i < in->nr; i++)
		if (!strcmp(in->c[i].name, name)) {
			in->c[i].n++;
			return 0;
		}
	c = realloc(in->c, (in->nr + 1) * sizeof(*c));
	if (!c)
		return -1;
	in->c = c;
	c[in->nr].name = strdup(name);
	if (!c[in->nr].name)
		return -1;
	c[in->nr++].n = 1;
	return 0;
}

static void jinterval_free(struct jinterval *in)
{
	while (in->nr)
		free(in->c[--in->nr].name);
	free(in->c);
	in->c = NULL;
}

/*
 * dump --jvm: a gc begin opens a pause and takes the methods counted since
 * the previous one; its end gives the duration.  Records come in time order.
 */
static int on_jvm_event(struct rproc *p, json_object *o, uint64_t ns, bool gc)
{
	const char *op = tr_str(o, "op"), *cls = tr_str(o, "class");
	const char *method = tr_str(o, "method");
	struct jpause *jp;
	char name[512];

	p->jvm = true;
	if (!gc) {
		snprintf(name, sizeof(name), "%s.%s", cls ? cls : "?", method ? method : "?");
		p->jmethods++;
		return jcount_add(&p->jafter, name);
	}
	if (!op)
		return 0;
	if (!strcmp(op, TRACE_OP_JVM_BEGIN)) {
		jp = realloc(p->jp, (p->nr_jp + 1) * sizeof(*jp));
		if (!jp)
			return -1;
		p->jp = jp;
		jp = &p->jp[p->nr_jp++];
		memset(jp, 0, sizeof(*jp));
		jp->begin_ns = ns;
		jp->full = json_object_get_boolean(json_object_object_get(o, "full"));
		jp->before = p->jafter;
		memset(&p->jafter, 0, sizeof(p->jafter));
	} else if (!strcmp(op, TRACE_OP_JVM_END) && p->nr_jp && tr_has(o, "duration_ns")) {
		jp = &p->jp[p->nr_jp - 1];
		if (!jp->ended) {
			jp->ended = true;
			jp->duration_ns = tr_u64(o, "duration_ns");
		}
	}
	return 0;
}

static void on_kprobe_event(struct rproc *p, json_object *o)
{
	const char *probe = tr_str(o, "probe"), *s;

	if (!probe)
		return;
	if (!strcmp(probe, "madvise")) {
		p->madv_calls++;
		s = tr_str(o, "advice");
		if (s && !strcmp(s, "dontneed"))
			p->madv_dontneed += tr_u64(o, "len");
		else if (s && !strcmp(s, "free"))
			p->madv_free += tr_u64(o, "len");
	} else if (!strcmp(probe, "munmap")) {
		p->munmap_calls++;
		p->munmapped += tr_u64(o, "len");
	} else if (!strcmp(probe, "mmap")) {
		s = tr_str(o, "map");
		if (!tr_has(o, "error") && s && !strcmp(s, "anon")) {
			p->mmap_calls++;
			p->mmap_anon += tr_u64(o, "len");
		}
	} else if (!strcmp(probe, "exit")) {
		s = tr_str(o, "exit");
		if (s && !strcmp(s, "process")) {
			p->exited = true;
			p->exit_status = tr_i64(o, "status");
			p->exit_signal = tr_i64(o, "signal");
		}
	}
}

/* The header: what report prints of it, and a version this reader knows. */
static int on_header(struct report *r, json_object *o)
{
	uint64_t v = tr_u64(o, "version");
	json_object *bins;
	size_t i;

	if (v > TRACE_FORMAT_VERSION) {
		p_err("the trace is of format version %" PRIu64 ", written by mapwatchctl %s;"
		      " this mapwatchctl (%s) reads versions up to %d: use a newer one", v,
		      tr_str(o, "mapwatchctl") ?: "?", MAPWATCH_TOOL_VERSION, TRACE_FORMAT_VERSION);
		return -EPROTO;
	}
	r->has_header = true;
	snprintf(r->host, sizeof(r->host), "%s", tr_str(o, "host") ?: "?");
	snprintf(r->kernel, sizeof(r->kernel), "%s", tr_str(o, "kernel") ?: "?");
	snprintf(r->writer, sizeof(r->writer), "%s", tr_str(o, "mapwatchctl") ?: "?");
	r->start_realtime_ns = tr_u64(o, "clock_zero_realtime_ns") + tr_u64(o, "start_ns");
	if (json_object_object_get_ex(o, "binaries", &bins) &&
	    json_object_is_type(bins, json_type_array))
		for (i = 0; i < json_object_array_length(bins); i++) {
			json_object *b = json_object_array_get_idx(bins, i);
			const char *role = tr_str(b, "role");

			if (!role || strcmp(role, "go"))
				continue;
			snprintf(r->go_version, sizeof(r->go_version), "%s",
				 tr_str(b, "go_version") ?: "");
			snprintf(r->map_impl, sizeof(r->map_impl), "%s", tr_str(b, "map_impl") ?: "");
		}
	return 0;
}

/* The record types of a traced process's events (docs/trace-format.md). */
static bool event_type(const char *type)
{
	static const char *const types[] = {
		TRACE_MAP, TRACE_MAP_STATE, TRACE_GC, TRACE_SCAVENGE, TRACE_EVENT, TRACE_USDT,
		TRACE_JVM_GC, TRACE_JVM_METHOD, TRACE_JVM_ALLOC,
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (!strcmp(type, types[i]))
			return true;
	return false;
}

static int on_object(struct report *r, json_object *o)
{
	const char *type = tr_str(o, "type"), *e;
	struct rproc *p;
	uint64_t ns;

	e = tr_str(o, "error");
	if (type && !strcmp(type, TRACE_HEADER))
		return on_header(r, o);
	if (e) {
		p_err("dump: %s", e);
		r->errors++;
		return 0;
	}
	if (!type)
		return 0;
	if (!strcmp(type, TRACE_LOST)) {
		r->lost += tr_u64(o, "lost");
		return 0;
	}
	if (!strcmp(type, TRACE_BUDGET)) {
		struct rbudget *b = &r->budget;

		b->seen = true;
		b->percent = tr_double(o, "percent");
		b->spent_percent = tr_double(o, "spent_percent");
		b->armed_percent = tr_double(o, "armed_percent");
		b->windows = tr_u64(o, "windows");
		b->window_ns = tr_u64(o, "window_ns");
		b->period_ns = tr_u64(o, "period_ns");
		b->hit_ns = tr_u64(o, "hit_ns");
		b->maps_read = tr_u64(o, "maps_read");
		return 0;
	}
	if (!strcmp(type, TRACE_SUMMARY)) {
		json_object *k;
		uint32_t t;
		size_t i;

		r->summary = true;
		if (json_object_object_get_ex(o, "kprobes", &k) &&
		    json_object_is_type(k, json_type_array))
			for (i = 0; i < json_object_array_length(k); i++)
				if (!kprobe_type(json_object_get_string(
						json_object_array_get_idx(k, i)), &t) && t < 32)
					r->kprobes |= 1u << t;
		return 0;
	}
	/* A type of a newer format: ignored, as the format says, and counted. */
	if (!event_type(type)) {
		r->unknown++;
		return 0;
	}
	/* Without these, an event cannot be placed: not used, counted. */
	if (!tr_has(o, "pid") || !tr_has(o, "time_ns") ||
	    ((!strcmp(type, TRACE_MAP) || !strcmp(type, TRACE_MAP_STATE)) && !tr_has(o, "map"))) {
		r->malformed++;
		return 0;
	}
	p = proc_get(r, (uint32_t)tr_u64(o, "pid"));
	if (!p)
		return -1;
	/* Not an event: the process's traced time and the event count stay. */
	if (!strcmp(type, TRACE_MAP_STATE))
		return on_map_state(r, o, p);
	ns = tr_u64(o, "time_ns");
	if (!p->first_ns)
		p->first_ns = ns;
	p->last_ns = ns;
	if (ns < p->min_ns)
		p->min_ns = ns;
	if (ns > p->max_ns)
		p->max_ns = ns;
	r->events++;
	if (!strcmp(type, TRACE_MAP))
		return on_map_event(r, o, p, ns);
	if (!strcmp(type, TRACE_JVM_GC) || !strcmp(type, TRACE_JVM_METHOD))
		return on_jvm_event(p, o, ns, !strcmp(type, TRACE_JVM_GC));
	if (!strcmp(type, TRACE_GC) || !strcmp(type, TRACE_SCAVENGE))
		on_runtime_event(p, o, !strcmp(type, TRACE_GC));
	else if (!strcmp(type, TRACE_EVENT)) {
		const char *probe = tr_str(o, "probe");
		uint32_t t;

		if (probe && !kprobe_type(probe, &t) && t < 32)
			r->kprobes_seen |= 1u << t;
		on_kprobe_event(p, o);
	}
	return 0;
}


int report_object(void *ctx, json_object *o)
{
	struct report *r = ctx;
	int ret;

	r->records++;
	ret = on_object(r, o);

	return ret == -1 ? -ENOMEM : ret;
}

int report_trace_whole(const struct report *r, const char *input, bool quiet)
{
	if (!r->records) {
		p_err("%s holds no record: it is empty (did the dump that wrote it fail?)",
		      input);
		return -1;
	}
	if (!r->summary && !r->errors) {
		if (!quiet)
			p_err("%s: the trace has no summary: it was cut short, the figures"
			      " cover only what it holds", input);
		return -1;
	}
	return 0;
}

struct rmap *report_find_map(const struct report *r, uint32_t pid, uint64_t addr)
{
	return map_find(r, pid, addr, NULL);
}

struct rmap *report_find_life(const struct report *r, uint32_t pid, uint64_t addr,
			      uint64_t record)
{
	struct rmap *m = map_find(r, pid, addr, NULL);

	while (m && m->first_record > record)
		m = m->prev ? &r->maps[m->prev - 1] : NULL;
	return m;
}

const char *report_bytes_text(const struct rmap *m, char *buf, size_t size)
{
	if (m->have_bytes)
		snprintf(buf, size, "%s%" PRIu64, m->bytes_estimated ? "~" : "", m->bytes);
	else
		snprintf(buf, size, "?");
	return buf;
}

void report_free(struct report *r)
{
	size_t i;

	free(r->maps);
	free(r->slot);
	for (i = 0; i < r->nr_procs; i++) {
		struct rproc *p = &r->procs[i];

		while (p->nr_jp)
			jinterval_free(&p->jp[--p->nr_jp].before);
		free(p->jp);
		jinterval_free(&p->jafter);
	}
	free(r->procs);
	memset(r, 0, sizeof(*r));
}

int report_cmp_maps(const void *a, const void *b)
{
	const struct rmap *x = *(const struct rmap *const *)a, *y = *(const struct rmap *const *)b;

	if (x->have_bytes != y->have_bytes)
		return x->have_bytes ? -1 : 1;
	if (x->bytes != y->bytes)
		return x->bytes > y->bytes ? -1 : 1;
	if (x->peak != y->peak)
		return x->peak > y->peak ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->first_ns < y->first_ns ? -1 : x->first_ns > y->first_ns;
}


struct rmap **report_order(struct report *r)
{
	struct rmap **order = calloc(r->nr_maps + 1, sizeof(*order));
	size_t i, j;

	if (!order) {
		p_err("out of memory");
		return NULL;
	}
	for (i = 0; i < r->nr_maps; i++)
		order[i] = &r->maps[i];
	qsort(order, r->nr_maps, sizeof(*order), report_cmp_maps);
	for (j = 0; j < r->nr_procs; j++) {
		r->procs[j].nr_maps = r->procs[j].nr_sized = 0;
		r->procs[j].map_bytes = 0;
	}
	for (i = 0; i < r->nr_maps; i++)
		for (j = 0; j < r->nr_procs; j++) {
			struct rproc *p = &r->procs[j];

			if (p->pid != r->maps[i].pid)
				continue;
			p->nr_maps++;
			if (r->maps[i].have_bytes && !r->maps[i].reused) {
				p->nr_sized++;
				p->map_bytes += r->maps[i].bytes;
			}
		}
	return order;
}

bool *report_choose_top(const struct report *r, size_t top)
{
	struct rmap **order = calloc(r->nr_maps + 1, sizeof(*order));
	bool *chosen = calloc(r->nr_maps + 1, sizeof(*chosen));
	size_t i, j, n;

	if (!order || !chosen) {
		p_err("out of memory");
		free(order);
		free(chosen);
		return NULL;
	}
	for (n = 0; n < r->nr_maps; n++)
		order[n] = &r->maps[n];
	qsort(order, n, sizeof(*order), report_cmp_maps);
	for (j = 0; j < r->nr_procs; j++) {
		size_t shown = 0;

		for (i = 0; i < n; i++) {
			if (order[i]->pid != r->procs[j].pid || (top && shown >= top))
				continue;
			chosen[order[i] - r->maps] = true;
			shown++;
		}
	}
	free(order);
	return chosen;
}

bool map_retains(const struct rmap *m)
{
	return m->peak >= 64 && m->entries * 4 <= m->peak;
}

bool report_kprobe_on(const struct report *r, unsigned int type)
{
	return r->kprobes & (1u << type);
}

bool proc_jvm_only(const struct rproc *p)
{
	return p->jvm && !p->gc_start && !p->gc_end && !p->releases && !p->nr_maps;
}
