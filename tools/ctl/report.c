// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report.c - mapwatchctl report: each map's life and each
 * process's GC cycles and memory returned, from a trace.
 *
 * The input is what `mapwatchctl -j dump` prints: read from a file (-i) or
 * from a dump this command starts with the other arguments (live).  The
 * array is read object by object (json-c's tokener), so a trace of any
 * length needs memory only for the maps and processes in it.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <json-c/json.h>

#include "main.h"
#include "probes.h"

/* One map's life: from its make (or its first event) to its last event. */
struct rmap {
	uint32_t pid;
	uint64_t addr;
	uint64_t first_ns, last_ns;
	bool made;			/* its make was traced */
	uint64_t made_goid;
	char made_by[64];		/* the make event's function */
	char made_at[128];		/* the function that made it ("" if unknown) */
	uint64_t peak, entries;		/* max len(), len() at the last event (before it) */
	uint64_t ops[5];		/* make, assign, delete, clear, grow */
	bool have_bytes, bytes_estimated;
	uint64_t bytes, peak_bytes;	/* storage at the last event that had it, its max */
	bool reused;			/* a later make reused its address: it was freed */
};

enum { OP_MAKE, OP_ASSIGN, OP_DELETE, OP_CLEAR, OP_GROW };
static const char *const op_names[] = { "make", "assign", "delete", "clear", "grow" };

/* Java methods entered in one interval between GC pauses: "class.method" -> count. */
struct jcount {
	char *name;
	uint64_t n;
};

struct jinterval {
	struct jcount *c;
	size_t nr;
};

/* One HotSpot GC pause (dump --jvm) and the methods entered before it. */
struct jpause {
	uint64_t begin_ns, duration_ns;
	bool full, ended;
	struct jinterval before;	/* since the previous pause began */
};

struct rproc {
	uint32_t pid;
	uint64_t first_ns, last_ns;
	uint64_t gc_start, gc_mark_end, gc_end;
	uint64_t cycle_first, cycle_last;	/* of the ends; 0: none numbered */
	uint64_t releases, released;		/* scavenger: calls, bytes */
	uint64_t madv_calls, madv_dontneed, madv_free, munmap_calls, munmapped;
	uint64_t mmap_calls, mmap_anon;		/* successful anonymous mappings, bytes */
	bool exited;
	int64_t exit_status, exit_signal;
	size_t nr_maps, nr_sized;		/* maps; live ones with a storage figure */
	uint64_t map_bytes;			/* their storage */
	/* JVM (dump --jvm): pauses, and methods entered after the last one */
	bool jvm;
	struct jpause *jp;
	size_t nr_jp;
	struct jinterval jafter;
	uint64_t jmethods;
};

struct report {
	struct rmap *maps;
	size_t nr_maps, max_maps;
	uint32_t *slot;			/* open addressing: index + 1 into maps, 0 empty */
	size_t nr_slots;		/* a power of two, at least twice nr_maps */
	struct rproc *procs;
	size_t nr_procs;
	uint64_t events, lost, errors;
	bool summary;
	uint32_t kprobes;		/* bit per MAPWATCH_KPROBE_* the summary lists */
	size_t top;
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
	m->addr = addr;
	m->first_ns = ns;
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
	m->addr = old->addr;
	m->first_ns = ns;
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
	return p;
}

static uint64_t get_u64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_uint64(v) : 0;
}

static int64_t get_i64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

static const char *get_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static bool has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static int on_map_event(struct report *r, json_object *o, struct rproc *p, uint64_t ns)
{
	const char *op = get_str(o, "op"), *fn = get_str(o, "func");
	uint64_t count = get_u64(o, "count");
	struct rmap *m;
	int k;

	for (k = 0; k < 5 && (!op || strcmp(op, op_names[k])); k++)
		;
	if (k == 5)
		return 0;
	m = map_get(r, p->pid, get_u64(o, "map"), ns);
	if (m && k == OP_MAKE && (m->made || m->ops[OP_ASSIGN] || m->ops[OP_DELETE] ||
				  m->ops[OP_CLEAR]))
		m = map_new_life(r, m, ns);
	if (!m)
		return -1;
	if (k == OP_MAKE) {
		m->made = true;
		m->made_goid = get_u64(o, "goid");
		snprintf(m->made_by, sizeof(m->made_by), "%s", fn ? fn : "?");
		snprintf(m->made_at, sizeof(m->made_at), "%s", get_str(o, "at") ?: "");
	}
	m->ops[k]++;
	m->last_ns = ns;
	if (has(o, "bytes")) {
		m->have_bytes = true;
		m->bytes = get_u64(o, "bytes");
		m->bytes_estimated = has(o, "bytes_estimated");
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

static void on_runtime_event(struct rproc *p, json_object *o, bool gc)
{
	const char *op = get_str(o, "op");

	if (!op)
		return;
	if (!gc) {
		p->releases++;
		p->released += get_u64(o, "len");
	} else if (!strcmp(op, "start")) {
		p->gc_start++;
	} else if (!strcmp(op, "mark_end")) {
		p->gc_mark_end++;
	} else if (!strcmp(op, "end")) {
		p->gc_end++;
		if (has(o, "cycle")) {
			uint64_t c = get_u64(o, "cycle");

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
	const char *op = get_str(o, "op"), *cls = get_str(o, "class");
	const char *method = get_str(o, "method");
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
	if (!strcmp(op, "begin")) {
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
	} else if (!strcmp(op, "end") && p->nr_jp && has(o, "duration_ns")) {
		jp = &p->jp[p->nr_jp - 1];
		if (!jp->ended) {
			jp->ended = true;
			jp->duration_ns = get_u64(o, "duration_ns");
		}
	}
	return 0;
}

static void on_kprobe_event(struct rproc *p, json_object *o)
{
	const char *probe = get_str(o, "probe"), *s;

	if (!probe)
		return;
	if (!strcmp(probe, "madvise")) {
		p->madv_calls++;
		s = get_str(o, "advice");
		if (s && !strcmp(s, "dontneed"))
			p->madv_dontneed += get_u64(o, "len");
		else if (s && !strcmp(s, "free"))
			p->madv_free += get_u64(o, "len");
	} else if (!strcmp(probe, "munmap")) {
		p->munmap_calls++;
		p->munmapped += get_u64(o, "len");
	} else if (!strcmp(probe, "mmap")) {
		s = get_str(o, "map");
		if (!has(o, "error") && s && !strcmp(s, "anon")) {
			p->mmap_calls++;
			p->mmap_anon += get_u64(o, "len");
		}
	} else if (!strcmp(probe, "exit")) {
		s = get_str(o, "exit");
		if (s && !strcmp(s, "process")) {
			p->exited = true;
			p->exit_status = get_i64(o, "status");
			p->exit_signal = get_i64(o, "signal");
		}
	}
}

static int on_object(struct report *r, json_object *o)
{
	const char *type = get_str(o, "type"), *e;
	struct rproc *p;
	uint64_t ns;

	e = get_str(o, "error");
	if (e) {
		p_err("dump: %s", e);
		r->errors++;
		return 0;
	}
	if (!type)
		return 0;
	if (!strcmp(type, "lost")) {
		r->lost += get_u64(o, "lost");
		return 0;
	}
	if (!strcmp(type, "summary")) {
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
	p = proc_get(r, (uint32_t)get_u64(o, "pid"));
	if (!p)
		return -1;
	ns = get_u64(o, "time_ns");
	if (!p->first_ns)
		p->first_ns = ns;
	p->last_ns = ns;
	r->events++;
	if (!strcmp(type, "map"))
		return on_map_event(r, o, p, ns);
	if (!strcmp(type, "jvm_gc") || !strcmp(type, "jvm_method"))
		return on_jvm_event(p, o, ns, !strcmp(type, "jvm_gc"));
	if (!strcmp(type, "gc") || !strcmp(type, "scavenge"))
		on_runtime_event(p, o, !strcmp(type, "gc"));
	else if (!strcmp(type, "event"))
		on_kprobe_event(p, o);
	return 0;
}

typedef int (*trace_fn)(void *ctx, json_object *o);

static int report_object(void *ctx, json_object *o)
{
	return on_object(ctx, o);
}

/* Read a `dump -j` array from @fd, handing each object to @fn. */
static int read_trace(int fd, const char *name, trace_fn fn, void *ctx)
{
	json_tokener *tok = json_tokener_new();
	static char buf[1 << 16];
	bool in_obj = false;
	size_t len = 0, off = 0;
	int ret = 0;

	if (!tok)
		return -1;
	for (;;) {
		if (off == len) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				p_err("%s: %s", name, strerror(errno));
				ret = -1;
				break;
			}
			if (!n)
				break;
			len = n;
			off = 0;
		}
		if (!in_obj) {
			char c = buf[off];

			if (c == '{') {
				in_obj = true;
			} else if (strchr(" \t\r\n[],", c)) {
				off++;
			} else {
				p_err("%s: not a 'mapwatchctl -j dump' trace (unexpected '%c')",
				      name, c);
				ret = -1;
				break;
			}
			continue;
		}
		{
			json_object *o = json_tokener_parse_ex(tok, buf + off, (int)(len - off));
			enum json_tokener_error err = json_tokener_get_error(tok);

			off += json_tokener_get_parse_end(tok);
			if (o) {
				in_obj = false;
				ret = fn(ctx, o);
				json_object_put(o);
				json_tokener_reset(tok);
				if (ret) {
					p_err("out of memory");
					break;
				}
			} else if (err != json_tokener_continue) {
				p_err("%s: not a 'mapwatchctl -j dump' trace: %s", name,
				      json_tokener_error_desc(err));
				ret = -1;
				break;
			}
		}
	}
	if (!ret && in_obj) {
		p_err("%s: the trace ends inside an object", name);
		ret = -1;
	}
	json_tokener_free(tok);
	return ret;
}

/* Start `mapwatchctl -j dump ARGS...` writing into a pipe; its read end. */
static int start_dump(int argc, char **argv, pid_t *child)
{
	char **args = calloc(argc + 8, sizeof(*args)), wpath[32];
	int pfd[2], n = 0, i;

	/* dump writes into the pipe (-w); a CMD it starts keeps our stdout. */
	if (!args || pipe2(pfd, O_CLOEXEC)) {
		free(args);
		return -1;
	}
	snprintf(wpath, sizeof(wpath), "/proc/self/fd/%d", pfd[1]);
	args[n++] = (char *)bin_name;
	args[n++] = "-j";
	if (device_path) {
		args[n++] = "-d";
		args[n++] = (char *)device_path;
	}
	args[n++] = "dump";
	args[n++] = "-w";
	args[n++] = wpath;
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	*child = fork();
	if (*child < 0) {
		free(args);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (!*child) {
		/* Only the write end crosses the exec, as /proc/self/fd/N for -w. */
		if (fcntl(pfd[1], F_SETFD, 0))
			_exit(127);
		execv("/proc/self/exe", args);
		_exit(127);
	}
	free(args);
	close(pfd[1]);
	return pfd[0];
}

static int cmp_maps(const void *a, const void *b)
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

/* A map whose entries fell far below its peak still holds the peak's storage. */
static bool map_retains(const struct rmap *m)
{
	return m->peak >= 64 && m->entries * 4 <= m->peak;
}

static void print_map_plain(const struct rmap *m)
{
	char bytes[24] = "?";

	if (m->have_bytes)
		snprintf(bytes, sizeof(bytes), "%s%" PRIu64, m->bytes_estimated ? "~" : "",
			 m->bytes);
	printf("  0x%-14" PRIx64 " %10s %8" PRIu64 " %8" PRIu64 " %6" PRIu64 " %6" PRIu64
	       " %9" PRIu64 " %9" PRIu64 " ", m->addr, bytes, m->peak, m->entries,
	       m->ops[OP_GROW], m->ops[OP_CLEAR], m->ops[OP_ASSIGN], m->ops[OP_DELETE]);
	if (m->made)
		printf("g%-5" PRIu64 " %s (%s)", m->made_goid, m->made_at[0] ? m->made_at : "?",
		       m->made_by);
	else
		printf("%-6s (make not traced: before tracing, or inlined)", "-");
	printf("%s\n", m->reused ? " [freed: address reused]" : "");
	if (map_retains(m) && m->have_bytes)
		printf("      holds %s%" PRIu64 " bytes for %" PRIu64 " live entries (at its last"
		       " operation) since a peak of %" PRIu64 "; Go maps never shrink:"
		       " rebuild it or let it become unreachable\n", m->bytes_estimated ? "~" : "",
		       m->bytes, m->entries, m->peak);
	else if (map_retains(m))
		printf("      %" PRIu64 " live entries (at its last operation) since a peak of %"
		       PRIu64 ": its storage still fits the peak; Go maps never shrink:"
		       " rebuild it or let it become unreachable\n", m->entries, m->peak);
}

static void print_map_json(const struct rmap *m)
{
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "map", m->addr);
	jsonw_uint_field(json_wtr, "first_ns", m->first_ns);
	jsonw_uint_field(json_wtr, "last_ns", m->last_ns);
	jsonw_bool_field(json_wtr, "made", m->made);
	if (m->made) {
		jsonw_uint_field(json_wtr, "made_goid", m->made_goid);
		jsonw_string_field(json_wtr, "made_by", m->made_by);
		if (m->made_at[0])
			jsonw_string_field(json_wtr, "made_at", m->made_at);
	}
	jsonw_uint_field(json_wtr, "peak_entries", m->peak);
	jsonw_uint_field(json_wtr, "entries", m->entries);
	if (m->have_bytes) {
		jsonw_uint_field(json_wtr, "bytes", m->bytes);
		jsonw_uint_field(json_wtr, "peak_bytes", m->peak_bytes);
		jsonw_bool_field(json_wtr, "bytes_estimated", m->bytes_estimated);
	}
	jsonw_uint_field(json_wtr, "makes", m->ops[OP_MAKE]);
	jsonw_uint_field(json_wtr, "assigns", m->ops[OP_ASSIGN]);
	jsonw_uint_field(json_wtr, "deletes", m->ops[OP_DELETE]);
	jsonw_uint_field(json_wtr, "clears", m->ops[OP_CLEAR]);
	jsonw_uint_field(json_wtr, "grows", m->ops[OP_GROW]);
	jsonw_bool_field(json_wtr, "freed", m->reused);
	jsonw_bool_field(json_wtr, "retains", map_retains(m));
	jsonw_end_object(json_wtr);
}

/* Whether the trace's kernel probe @type was on. */
static bool kp_on(const struct report *r, unsigned int type)
{
	return r->kprobes & (1u << type);
}

/* "a 120, b 3" (plain) or {"a":120,"b":3} (JSON) */
static void print_jinterval(const struct jinterval *in, bool json)
{
	size_t i;

	if (json) {
		jsonw_start_object(json_wtr);
		for (i = 0; i < in->nr; i++)
			jsonw_uint_field(json_wtr, in->c[i].name, in->c[i].n);
		jsonw_end_object(json_wtr);
		return;
	}
	for (i = 0; i < in->nr; i++)
		printf("%s%s %" PRIu64, i ? ", " : "", in->c[i].name, in->c[i].n);
	if (!in->nr)
		printf("-");
	putchar('\n');
}

static void print_jvm_plain(const struct rproc *p)
{
	uint64_t total = 0, longest = 0;
	size_t i, full = 0;

	for (i = 0; i < p->nr_jp; i++) {
		total += p->jp[i].duration_ns;
		if (p->jp[i].duration_ns > longest)
			longest = p->jp[i].duration_ns;
		full += p->jp[i].full;
	}
	printf("  JVM: %zu GC pauses (%zu full), %.3f ms paused, longest %.3f ms; %" PRIu64
	       " method entries traced\n", p->nr_jp, full, total / 1e6, longest / 1e6,
	       p->jmethods);
	if (p->nr_jp)
		printf("  %-6s %12s %9s %-4s  %s\n", "PAUSE", "AT (s)", "MS", "FULL",
		       "METHODS ENTERED SINCE THE PREVIOUS PAUSE");
	for (i = 0; i < p->nr_jp; i++) {
		const struct jpause *jp = &p->jp[i];

		printf("  %-6zu %12.6f ", i + 1, jp->begin_ns / 1e9);
		if (jp->ended)
			printf("%9.3f ", jp->duration_ns / 1e6);
		else
			printf("%9s ", "?");
		printf("%-4s  ", jp->full ? "yes" : "no");
		print_jinterval(&jp->before, false);
	}
	if (p->jafter.nr) {
		printf("  after the last pause: ");
		print_jinterval(&p->jafter, false);
	}
}

static void print_jvm_json(const struct rproc *p)
{
	size_t i;

	jsonw_name(json_wtr, "jvm");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "method_entries", p->jmethods);
	jsonw_name(json_wtr, "gc_pauses");
	jsonw_start_array(json_wtr);
	for (i = 0; i < p->nr_jp; i++) {
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "begin_ns", p->jp[i].begin_ns);
		if (p->jp[i].ended)
			jsonw_uint_field(json_wtr, "duration_ns", p->jp[i].duration_ns);
		jsonw_bool_field(json_wtr, "full", p->jp[i].full);
		jsonw_name(json_wtr, "methods_before");
		print_jinterval(&p->jp[i].before, true);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "methods_after");
	print_jinterval(&p->jafter, true);
	jsonw_end_object(json_wtr);
}

static void print_proc_plain(const struct report *r, const struct rproc *p)
{
	printf("process %u: %.3f s traced", p->pid, (p->last_ns - p->first_ns) / 1e9);
	if (p->exited) {
		if (p->exit_signal)
			printf(", killed by signal %" PRId64, p->exit_signal);
		else
			printf(", exited with status %" PRId64, p->exit_status);
	}
	putchar('\n');
	/* A JVM's trace has no Go runtime events: only its own section. */
	if (p->jvm && !p->gc_start && !p->gc_end && !p->releases && !p->nr_maps) {
		print_jvm_plain(p);
		return;
	}
	printf("  GC: %" PRIu64 " cycles ended", p->gc_end);
	if (p->cycle_first)
		printf(" (cycles %" PRIu64 "-%" PRIu64 ")", p->cycle_first, p->cycle_last);
	printf(", %" PRIu64 " started, %" PRIu64 " marked\n", p->gc_start, p->gc_mark_end);
	printf("  returned to the OS by the scavenger: %" PRIu64 " bytes in %" PRIu64 " calls\n",
	       p->released, p->releases);
	if (kp_on(r, MAPWATCH_KPROBE_MADVISE))
		printf("  madvise: %" PRIu64 " calls, dontneed %" PRIu64 " bytes, free %" PRIu64
		       " bytes\n", p->madv_calls, p->madv_dontneed, p->madv_free);
	if (kp_on(r, MAPWATCH_KPROBE_MUNMAP))
		printf("  munmap: %" PRIu64 " calls, %" PRIu64 " bytes\n", p->munmap_calls,
		       p->munmapped);
	if (kp_on(r, MAPWATCH_KPROBE_MMAP))
		printf("  anonymous mmap: %" PRIu64 " calls, %" PRIu64 " bytes of address space\n",
		       p->mmap_calls, p->mmap_anon);
	printf("  %zu maps; the %zu live ones of known size hold %" PRIu64 " bytes\n", p->nr_maps,
	       p->nr_sized, p->map_bytes);
	if (p->jvm)
		print_jvm_plain(p);
}

static void print_proc_json(const struct rproc *p)
{
	jsonw_uint_field(json_wtr, "pid", p->pid);
	jsonw_uint_field(json_wtr, "first_ns", p->first_ns);
	jsonw_uint_field(json_wtr, "last_ns", p->last_ns);
	jsonw_uint_field(json_wtr, "map_bytes", p->map_bytes);
	jsonw_uint_field(json_wtr, "sized_maps", p->nr_sized);
	jsonw_name(json_wtr, "gc");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "starts", p->gc_start);
	jsonw_uint_field(json_wtr, "mark_ends", p->gc_mark_end);
	jsonw_uint_field(json_wtr, "ends", p->gc_end);
	if (p->cycle_first) {
		jsonw_uint_field(json_wtr, "first_cycle", p->cycle_first);
		jsonw_uint_field(json_wtr, "last_cycle", p->cycle_last);
	}
	jsonw_end_object(json_wtr);
	jsonw_name(json_wtr, "released");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "scavenger_calls", p->releases);
	jsonw_uint_field(json_wtr, "scavenger_bytes", p->released);
	jsonw_uint_field(json_wtr, "madvise_calls", p->madv_calls);
	jsonw_uint_field(json_wtr, "madvise_dontneed_bytes", p->madv_dontneed);
	jsonw_uint_field(json_wtr, "madvise_free_bytes", p->madv_free);
	jsonw_uint_field(json_wtr, "munmap_bytes", p->munmapped);
	jsonw_uint_field(json_wtr, "mmap_anon_bytes", p->mmap_anon);
	jsonw_end_object(json_wtr);
	if (p->exited) {
		jsonw_name(json_wtr, "exit");
		jsonw_start_object(json_wtr);
		jsonw_int_field(json_wtr, "status", p->exit_status);
		jsonw_int_field(json_wtr, "signal", p->exit_signal);
		jsonw_end_object(json_wtr);
	}
	if (p->jvm)
		print_jvm_json(p);
}

static int print_report(struct report *r)
{
	struct rmap **order = calloc(r->nr_maps + 1, sizeof(*order));
	size_t i, j, shown;

	if (!order) {
		p_err("out of memory");
		return -1;
	}
	for (i = 0; i < r->nr_maps; i++)
		order[i] = &r->maps[i];
	qsort(order, r->nr_maps, sizeof(*order), cmp_maps);
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
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "events", r->events);
		jsonw_uint_field(json_wtr, "lost", r->lost);
		/* false: the trace has no summary, it was cut short */
		jsonw_bool_field(json_wtr, "complete", r->summary);
		/* the kernel probes that were on: their figures below mean something */
		jsonw_name(json_wtr, "kprobes");
		jsonw_start_array(json_wtr);
		for (i = 1; i < 32; i++)
			if (kp_on(r, i))
				jsonw_string(json_wtr, kprobe_name(i));
		jsonw_end_array(json_wtr);
		jsonw_name(json_wtr, "processes");
		jsonw_start_array(json_wtr);
	}
	for (j = 0; j < r->nr_procs; j++) {
		const struct rproc *p = &r->procs[j];

		if (json_output) {
			jsonw_start_object(json_wtr);
			print_proc_json(p);
			jsonw_name(json_wtr, "maps");
			jsonw_start_array(json_wtr);
		} else {
			print_proc_plain(r, p);
			if (p->nr_maps)
				printf("  %-16s %10s %8s %8s %6s %6s %9s %9s %s\n", "MAP", "BYTES",
				       "PEAK", "LEN", "GROWS", "CLEARS", "ASSIGNS", "DELETES",
				       "MADE BY");
		}
		for (i = shown = 0; i < r->nr_maps; i++) {
			if (order[i]->pid != p->pid || (r->top && shown >= r->top))
				continue;
			shown++;
			if (json_output)
				print_map_json(order[i]);
			else
				print_map_plain(order[i]);
		}
		if (json_output) {
			jsonw_end_array(json_wtr);
			jsonw_end_object(json_wtr);
		} else if (shown < p->nr_maps) {
			printf("  (%zu more maps; --top 0 shows all)\n", p->nr_maps - shown);
		}
	}
	if (json_output) {
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	} else if (r->lost) {
		printf("%" PRIu64 " events were lost: the figures above are incomplete"
		       " (try --pages)\n", r->lost);
	}
	free(order);
	return 0;
}

/* --top N: 0 or a count. */
static int parse_top(const char *arg, size_t *top)
{
	char *end;

	*top = strtoul(arg, &end, 10);
	if (*end || !*arg || *arg == '-') {
		p_err("--top %s: not a number", arg);
		return -1;
	}
	return 0;
}

static int report_help(void)
{
	if (json_output) {
		jsonw_null(json_wtr);
		return 0;
	}
	fprintf(stderr,
		"Usage: %1$s report -i FILE [--top N]\n"
		"       %1$s report [--top N] [DUMP OPTIONS] {-p PID | -- CMD [ARG]...}\n"
		"\n"
		"Sum up a trace: per process, its GC cycles and the memory returned to\n"
		"the OS (the scavenger's releases; the madvise, munmap and anonymous\n"
		"mmap calls and bytes of those kernel probes that were on); per map,\n"
		"sorted by the bytes it holds: BYTES, the size of its runtime\n"
		"structures (buckets or groups, tables, directory, header, keys and\n"
		"values stored apart; '?' when not known yet, '~' an estimate), its\n"
		"peak and its len() (both as its last traced operation began), grows,\n"
		"clears, assigns, deletes, and which goroutine made it, in which\n"
		"function (with the runtime function that made it in brackets). A map\n"
		"whose entries fell to a quarter of a peak of 64 or more gets a\n"
		"verdict: it holds the bytes of its peak (Go maps never shrink).\n"
		"For a JVM traced with --jvm: its GC pauses (start, duration, full or\n"
		"not) and, with --methods, the Java methods entered (class.method)\n"
		"between the start of one pause and the start of the next.\n"
		"\n"
		"  -i, --input FILE   a trace written by '%1$s -j dump' ('-' for stdin)\n"
		"      --top N        at most N maps per process (default 20; 0: all)\n"
		"Without -i, the remaining arguments go to '%1$s -j dump' (see\n"
		"'%1$s dump help'), which runs until its processes exit or SIGINT.\n"
		"With -j, the report is one JSON object.\n",
		bin_name);
	return 0;
}

int do_report(int argc, char **argv)
{
	struct report r = { .top = 20 };
	const char *input = NULL;
	int i, n = 0, fd, ret = 0, status;
	pid_t child = 0;
	char **rest;

	rest = calloc(argc + 1, sizeof(*rest));
	if (!rest)
		return -1;
	/* Our options; everything else is dump's. */
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				rest[n++] = argv[i++];
			break;
		}
		if ((!strcmp(argv[i], "-i") || !strcmp(argv[i], "--input")) && i + 1 < argc) {
			input = argv[++i];
		} else if (!strcmp(argv[i], "--top") && i + 1 < argc) {
			if (parse_top(argv[++i], &r.top)) {
				free(rest);
				return -1;
			}
		} else if (!strcmp(argv[i], "help") || !strcmp(argv[i], "-h") ||
			   !strcmp(argv[i], "--help")) {
			free(rest);
			return report_help();
		} else {
			rest[n++] = argv[i];
		}
	}
	if (input && n) {
		p_err("-i reads a recorded trace: '%s' is for a live one", rest[0]);
		free(rest);
		return -1;
	}
	if (!input && !n) {
		p_err("nothing to report: give -i FILE, -p PID or -- CMD");
		free(rest);
		return -1;
	}
	if (input) {
		fd = strcmp(input, "-") ? open(input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		if (fd < 0) {
			p_err("cannot open %s: %s", input, strerror(errno));
			free(rest);
			return -1;
		}
	} else {
		/* SIGINT stops the dump, which ends the trace: we print then. */
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		fd = start_dump(n, rest, &child);
		if (fd < 0) {
			p_err("cannot start dump: %s", strerror(errno));
			free(rest);
			return -1;
		}
		input = "dump";
	}
	ret = read_trace(fd, input, report_object, &r);
	if (fd != STDIN_FILENO)
		close(fd);
	if (child > 0) {
		waitpid(child, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			p_err("dump failed (see its message above)");
			ret = -1;
		}
	}
	if (!ret)
		ret = print_report(&r);
	/* After the report, so that a plain one shows the warning last. */
	if (!ret && !r.summary && !r.errors) {
		if (!json_output)
			p_err("%s: the trace has no summary: it was cut short, the figures"
			      " cover only what it holds", input);
		ret = -1;
	}
	if (r.errors)
		ret = -1;
	free(r.maps);
	free(r.slot);
	for (i = 0; i < (int)r.nr_procs; i++) {
		struct rproc *p = &r.procs[i];

		while (p->nr_jp)
			jinterval_free(&p->jp[--p->nr_jp].before);
		free(p->jp);
		jinterval_free(&p->jafter);
	}
	free(r.procs);
	free(rest);
	return ret;
}

/* ------------------------------------------------------------------------ */
/* mapwatchctl export: the trace as a Perfetto / Chrome JSON timeline.        */

/* Virtual threads of a process's timeline, below any real tid. */
enum { TRACK_GC = 1, TRACK_SCAVENGER, TRACK_KERNEL };

#define SVG_W		960	/* plot width in pixels: one column per pixel */
#define SVG_H		360

struct exporter {
	struct report *r;
	FILE *out;		/* perfetto */
	bool first;
	bool *chosen;		/* by index in r->maps: has a counter track */
	uint32_t *gc_open;	/* per process: 1 while a GC slice is open */
	/* svg: per chosen map, the largest len() and bytes per column (-1: none) */
	int64_t (*cols)[SVG_W];
	int64_t (*bcols)[SVG_W];
	size_t *col_of;		/* by index in r->maps: its row in cols */
	uint64_t t0, t1;	/* time range */
	uint64_t *gc_ends;
	size_t nr_gc_ends, max_gc_ends;
};

static void ex_sep(struct exporter *x)
{
	fputs(x->first ? "\n" : ",\n", x->out);
	x->first = false;
}

static void ex_common(struct exporter *x, const char *ph, const char *name, uint64_t ns,
		      uint32_t pid, uint32_t tid)
{
	ex_sep(x);
	fprintf(x->out, "{\"ph\":\"%s\",\"name\":\"%s\",\"ts\":%" PRIu64 ".%03" PRIu64
		",\"pid\":%u,\"tid\":%u", ph, name, ns / 1000, ns % 1000, pid, tid);
}

static void ex_meta(struct exporter *x, const char *what, uint32_t pid, uint32_t tid,
		    const char *name)
{
	ex_sep(x);
	fprintf(x->out, "{\"ph\":\"M\",\"name\":\"%s\",\"pid\":%u,\"tid\":%u,"
		"\"args\":{\"name\":\"%s\"}}", what, pid, tid, name);
}

static void ex_svg_point(struct exporter *x, const char *type, const char *op, uint32_t pid,
			 uint64_t ns, json_object *o)
{
	uint64_t span = x->t1 > x->t0 ? x->t1 - x->t0 : 1;
	size_t col = ns <= x->t0 ? 0 : (size_t)((ns - x->t0) * (SVG_W - 1) / span);

	if (col >= SVG_W)
		col = SVG_W - 1;
	if (!strcmp(type, "map") && op && strcmp(op, "grow")) {
		struct rmap *m = map_find(x->r, pid, get_u64(o, "map"), NULL);
		int64_t len = (int64_t)get_u64(o, "count");
		int64_t bytes = (int64_t)get_u64(o, "bytes");
		size_t row;

		if (!m || !x->col_of[m - x->r->maps])
			return;
		row = x->col_of[m - x->r->maps] - 1;
		if (len > x->cols[row][col])
			x->cols[row][col] = len;
		if (has(o, "bytes") && bytes > x->bcols[row][col])
			x->bcols[row][col] = bytes;
	} else if (!strcmp(type, "gc") && op && !strcmp(op, "end")) {
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

static int ex_object(void *ctx, json_object *o)
{
	struct exporter *x = ctx;
	const char *type = get_str(o, "type"), *op = get_str(o, "op");
	uint32_t pid = (uint32_t)get_u64(o, "pid");
	uint64_t ns = get_u64(o, "time_ns");
	size_t pi;

	if (!type || !strcmp(type, "summary") || !strcmp(type, "lost"))
		return 0;
	for (pi = 0; pi < x->r->nr_procs && x->r->procs[pi].pid != pid; pi++)
		;
	if (pi == x->r->nr_procs)
		return 0;
	if (x->cols) {
		ex_svg_point(x, type, op, pid, ns, o);
		return 0;
	}
	if (!strcmp(type, "map") && op && strcmp(op, "grow")) {
		struct rmap *m = map_find(x->r, pid, get_u64(o, "map"), NULL);
		char name[48];

		if (!m || !x->chosen[m - x->r->maps])
			return 0;
		snprintf(name, sizeof(name), "map 0x%" PRIx64 " len", m->addr);
		ex_common(x, "C", name, ns, pid, 0);
		fprintf(x->out, ",\"args\":{\"len\":%" PRIu64 "}}", get_u64(o, "count"));
		if (has(o, "bytes")) {
			snprintf(name, sizeof(name), "map 0x%" PRIx64 " bytes", m->addr);
			ex_common(x, "C", name, ns, pid, 0);
			fprintf(x->out, ",\"args\":{\"bytes\":%" PRIu64 "}}", get_u64(o, "bytes"));
		}
	} else if (!strcmp(type, "gc") && op) {
		if (!strcmp(op, "start") && !x->gc_open[pi]) {
			x->gc_open[pi] = 1;
			ex_common(x, "B", "GC", ns, pid, TRACK_GC);
			fprintf(x->out, ",\"args\":{\"cycle\":%" PRIu64 "}}", get_u64(o, "cycle"));
		} else if (!strcmp(op, "mark_end")) {
			ex_common(x, "i", "mark termination", ns, pid, TRACK_GC);
			fputs(",\"s\":\"t\"}", x->out);
		} else if (!strcmp(op, "end") && x->gc_open[pi]) {
			x->gc_open[pi] = 0;
			ex_common(x, "E", "GC", ns, pid, TRACK_GC);
			fputs("}", x->out);
		}
	} else if (!strcmp(type, "scavenge")) {
		ex_common(x, "i", "release", ns, pid, TRACK_SCAVENGER);
		fprintf(x->out, ",\"s\":\"t\",\"args\":{\"addr\":%" PRIu64 ",\"len\":%" PRIu64 "}}",
			get_u64(o, "addr"), get_u64(o, "len"));
	} else if (!strcmp(type, "event")) {
		const char *probe = get_str(o, "probe");

		if (!probe || (strcmp(probe, "madvise") && strcmp(probe, "munmap")))
			return 0;
		ex_common(x, "i", probe, ns, pid, TRACK_KERNEL);
		fprintf(x->out, ",\"s\":\"t\",\"args\":{\"start\":%" PRIu64 ",\"len\":%" PRIu64,
			get_u64(o, "start"), get_u64(o, "len"));
		if (get_str(o, "advice"))	/* the trace's string, quoted again */
			fprintf(x->out, ",\"advice\":%s", json_object_to_json_string_ext(
				json_object_object_get(o, "advice"),
				JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		fputs("}}", x->out);
	}
	return ferror(x->out) ? -1 : 0;
}

/* Choose the top @top maps of each process as report orders them (0: all). */
static int ex_choose(struct exporter *x, size_t top)
{
	struct report *r = x->r;
	struct rmap **order = calloc(r->nr_maps + 1, sizeof(*order));
	size_t i, j, n;

	x->chosen = calloc(r->nr_maps + 1, sizeof(*x->chosen));
	x->gc_open = calloc(r->nr_procs + 1, sizeof(*x->gc_open));
	if (!order || !x->chosen || !x->gc_open) {
		free(order);
		return -1;
	}
	for (i = n = 0; i < r->nr_maps; i++)
		if (!r->maps[i].reused)
			order[n++] = &r->maps[i];
	qsort(order, n, sizeof(*order), cmp_maps);
	for (j = 0; j < r->nr_procs; j++) {
		size_t shown = 0;

		for (i = 0; i < n; i++) {
			if (order[i]->pid != r->procs[j].pid || (top && shown >= top))
				continue;
			x->chosen[order[i] - r->maps] = true;
			shown++;
		}
	}
	free(order);
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
static void ex_svg_panel(struct exporter *x, FILE *f, int64_t (*cols)[SVG_W], int y0,
			 const char *cls, const char *title)
{
	struct report *r = x->r;
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
static int ex_svg_write(struct exporter *x, const char *path)
{
	struct report *r = x->r;
	size_t i, n = 0;
	FILE *f = fopen(path, "we");

	if (!f) {
		p_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\""
		" font-family=\"sans-serif\" font-size=\"11\">\n", SVG_W + 320, 2 * SVG_H + 60);
	ex_svg_panel(x, f, x->cols, 20, "map", "len()");
	ex_svg_panel(x, f, x->bcols, SVG_H + 50, "bytes", "bytes held");
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
	if (fclose(f)) {
		p_err("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* --svg: the first 10 chosen maps in report's order, a pass over the trace. */
static int ex_svg(struct exporter *x, int fd, const char *input, const char *path)
{
	struct report *r = x->r;
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
	qsort(order, m, sizeof(*order), cmp_maps);
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
	if (read_trace(fd, input, ex_object, x) || ex_svg_write(x, path))
		goto out;
	ret = 0;
out:
	free(x->cols);
	x->cols = NULL;
	free(x->bcols);
	x->bcols = NULL;
	free(x->col_of);
	x->col_of = NULL;
	return ret;
}

static int export_help(void)
{
	fprintf(stderr,
		"Usage: %1$s export {--perfetto OUT | --svg OUT}... -i FILE [--top N]\n"
		"\n"
		"Write the trace FILE (from '%1$s -j dump -w FILE') as a Chrome/Perfetto\n"
		"JSON timeline (open it at ui.perfetto.dev): per process, counter tracks\n"
		"of len() and of bytes held for each of its top N maps by bytes held\n"
		"(as report sorts them; default 20; 0: all),\n"
		"GC cycles as slices (start to end, the cycle number in their arguments)\n"
		"with mark termination as an instant, the scavenger's releases and the\n"
		"madvise/munmap calls as instants with their address and length.\n"
		"--svg draws the same maps' len() and bytes held over time (the first\n"
		"10 maps; two plots) with the GC cycle ends as vertical lines.\n",
		bin_name);
	return 0;
}

int do_export(int argc, char **argv)
{
	struct report r = { .top = 20 };
	struct exporter x = { .r = &r, .first = true };
	const char *input = NULL, *out = NULL, *svg = NULL;
	int i, fd = -1, ret = -1;
	size_t j;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "help") || !strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return export_help();
		if (i + 1 >= argc) {
			p_err("'%s' needs a value, or is unknown; see '%s export help'", argv[i],
			      bin_name);
			return -1;
		}
		if (!strcmp(argv[i], "-i") || !strcmp(argv[i], "--input")) {
			input = argv[++i];
		} else if (!strcmp(argv[i], "--perfetto")) {
			out = argv[++i];
		} else if (!strcmp(argv[i], "--svg")) {
			svg = argv[++i];
		} else if (!strcmp(argv[i], "--top")) {
			if (parse_top(argv[++i], &r.top))
				return -1;
		} else {
			p_err("unknown option '%s'; see '%s export help'", argv[i], bin_name);
			return -1;
		}
	}
	if (!input || (!out && !svg)) {
		p_err("export needs --perfetto OUT or --svg OUT, and -i FILE (a recorded trace:"
		      " it is read twice)");
		return -1;
	}
	/* Pass 1: the report, to know the processes and pick the maps. */
	fd = open(input, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		p_err("cannot open %s: %s", input, strerror(errno));
		return -1;
	}
	if (read_trace(fd, input, report_object, &r) || ex_choose(&x, r.top))
		goto out;
	if (svg && ex_svg(&x, fd, input, svg))
		goto out;
	if (!out) {
		ret = 0;
		goto out;
	}
	if (lseek(fd, 0, SEEK_SET)) {
		p_err("%s: cannot read it twice (a pipe?): %s", input, strerror(errno));
		goto out;
	}
	x.out = fopen(out, "we");
	if (!x.out) {
		p_err("cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", x.out);
	for (j = 0; j < r.nr_procs; j++) {
		char name[32];

		snprintf(name, sizeof(name), "pid %u", r.procs[j].pid);
		ex_meta(&x, "process_name", r.procs[j].pid, 0, name);
		ex_meta(&x, "thread_name", r.procs[j].pid, TRACK_GC, "GC cycles");
		ex_meta(&x, "thread_name", r.procs[j].pid, TRACK_SCAVENGER, "scavenger");
		ex_meta(&x, "thread_name", r.procs[j].pid, TRACK_KERNEL, "madvise / munmap");
	}
	/* Pass 2: the timeline. */
	if (read_trace(fd, input, ex_object, &x))
		goto out;
	fputs("\n]}\n", x.out);
	if (fclose(x.out)) {
		x.out = NULL;
		p_err("cannot write %s: %s", out, strerror(errno));
		goto out;
	}
	x.out = NULL;
	ret = 0;
out:
	if (x.out)
		fclose(x.out);
	close(fd);
	free(x.chosen);
	free(x.gc_open);
	free(x.gc_ends);
	free(r.maps);
	free(r.slot);
	free(r.procs);
	return ret;
}
