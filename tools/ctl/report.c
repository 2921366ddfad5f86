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
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <json-c/json.h>

#include "main.h"
#include "openmetrics.h"
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
	uint32_t kprobes_seen;		/* bit per MAPWATCH_KPROBE_* with an event so far */
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
	else if (!strcmp(type, "event")) {
		const char *probe = get_str(o, "probe");
		uint32_t t;

		if (probe && !kprobe_type(probe, &t) && t < 32)
			r->kprobes_seen |= 1u << t;
		on_kprobe_event(p, o);
	}
	return 0;
}

typedef int (*trace_fn)(void *ctx, json_object *o);

static int report_object(void *ctx, json_object *o)
{
	return on_object(ctx, o);
}

/*
 * report --openmetrics: the read loop waits in ppoll() with SIGINT and
 * SIGTERM unblocked only there, so that it can call @tick every interval
 * however slowly the trace comes, and see a signal at once.  A first
 * signal asks the live dump to stop (it then writes its summary and the
 * pipe ends); reading a pipe with -i, it reads on for 2 s more (a dump
 * writing into it gets the same ^C); reading a file, it stops.  A second
 * signal stops at once.
 */
struct pump {
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
};

static volatile sig_atomic_t pump_signals;

static void pump_on_signal(int sig)
{
	(void)sig;
	pump_signals++;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* read(2) for read_trace: > 0 bytes, 0 at the end (or when stopped), -1 error. */
static ssize_t pump_read(struct pump *pp, void *buf, size_t len)
{
	for (;;) {
		struct pollfd pfd = { .fd = pp->fd, .events = POLLIN };
		int64_t now = mono_ms(), wait = -1;
		struct timespec ts;
		ssize_t n;

		if (pump_signals != pp->signals_seen) {
			pp->signals_seen = pump_signals;
			if (pp->stop_ms) {
				pp->stopped = true;
				return 0;
			}
			if (pp->child > 0) {
				kill(pp->child, SIGINT);
				pp->stop_ms = INT64_MAX;	/* until dump ends the trace */
			} else if (pp->fifo) {
				pp->stop_ms = now + 2000;
			} else {
				pp->stopped = true;
				return 0;
			}
		}
		if (pp->stop_ms && now >= pp->stop_ms) {
			pp->stopped = true;
			return 0;
		}
		if (pp->interval_ms && now >= pp->next_ms) {
			pp->tick(pp->ctx);
			now = mono_ms();
			pp->next_ms = now + pp->interval_ms;
		}
		if (pp->interval_ms)
			wait = pp->next_ms - now;
		if (pp->stop_ms && pp->stop_ms != INT64_MAX && (wait < 0 || pp->stop_ms - now < wait))
			wait = pp->stop_ms - now;
		if (wait >= 0) {
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = wait % 1000 * 1000000;
		}
		n = ppoll(&pfd, 1, wait >= 0 ? &ts : NULL, &pp->waitmask);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		n = read(pp->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		return n;
	}
}

/*
 * Read a `dump -j` array from @fd, handing each object to @fn; through
 * @pp (report --openmetrics) if not NULL.
 */
static int read_trace(int fd, const char *name, trace_fn fn, void *ctx, struct pump *pp)
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
			ssize_t n = pp ? pump_read(pp, buf, sizeof(buf)) : read(fd, buf, sizeof(buf));

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
	if (!ret && in_obj && !(pp && pp->stopped)) {
		p_err("%s: the trace ends inside an object", name);
		ret = -1;
	}
	json_tokener_free(tok);
	return ret;
}

/* Start `mapwatchctl -j dump ARGS...` writing into a pipe; its read end. */
static int start_dump(int argc, char **argv, pid_t *child)
{
	char **args = calloc(argc + 8, sizeof(*args)), wpath[32], self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
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
		sigset_t none;

		/* --openmetrics blocks SIGINT and SIGTERM outside ppoll(): not dump. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Only the write end crosses the exec, as /proc/self/fd/N for -w. */
		if (fcntl(pfd[1], F_SETFD, 0))
			_exit(127);
		/*
		 * By its path, so that the session's owner is "mapwatchctl" (as
		 * mapwatchctl status shows it), not "exe"; the link if the file
		 * has gone since.
		 */
		if (len > 0 && len < (ssize_t)sizeof(self)) {
			self[len] = '\0';
			execv(self, args);
		}
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

/* A JVM's trace has no Go runtime events: only its own section. */
static bool proc_jvm_only(const struct rproc *p)
{
	return p->jvm && !p->gc_start && !p->gc_end && !p->releases && !p->nr_maps;
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
	if (proc_jvm_only(p)) {
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
	jsonw_uint_field(json_wtr, "map_count", p->nr_maps);
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
	jsonw_uint_field(json_wtr, "munmap_calls", p->munmap_calls);
	jsonw_uint_field(json_wtr, "munmap_bytes", p->munmapped);
	jsonw_uint_field(json_wtr, "mmap_anon_calls", p->mmap_calls);
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

/*
 * Every map in the report's order (cmp_maps), and each process's count of
 * maps and the bytes its live ones hold, counted afresh (report
 * --openmetrics --interval asks again and again).  NULL: out of memory.
 */
static struct rmap **report_order(struct report *r)
{
	struct rmap **order = calloc(r->nr_maps + 1, sizeof(*order));
	size_t i, j;

	if (!order) {
		p_err("out of memory");
		return NULL;
	}
	for (i = 0; i < r->nr_maps; i++)
		order[i] = &r->maps[i];
	qsort(order, r->nr_maps, sizeof(*order), cmp_maps);
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

static int print_report(struct report *r)
{
	struct rmap **order = report_order(r);
	size_t i, j, shown;

	if (!order)
		return -1;
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "events", r->events);
		jsonw_uint_field(json_wtr, "lost", r->lost);
		jsonw_uint_field(json_wtr, "errors", r->errors);
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

/* ------------------------------------------------------------------------ */
/* report --openmetrics FILE: the report as metrics (README-openmetrics).    */

/* Which processes a metric is for. */
enum {
	OM_GO = 64,		/* not a JVM-only process */
	OM_JVM,			/* a JVM's (dump --jvm) */
	OM_ALL,			/* every process */
	/* below 64: a MAPWATCH_KPROBE_* that was on (or had events so far) */
};

/* The figures (OM_NS: nanoseconds, written as seconds). */
enum {
	PV_GC_CYCLES = 1, PV_SCAV_BYTES, PV_SCAV_CALLS, PV_MAPS, PV_SIZED, PV_MAP_BYTES,
	PV_TRACED, PV_MADV_CALLS, PV_MADV_DONTNEED, PV_MADV_FREE, PV_MUNMAP_CALLS,
	PV_MUNMAP_BYTES, PV_MMAP_CALLS, PV_MMAP_BYTES, PV_EXITED, PV_JPAUSES_FULL,
	PV_JPAUSES_YOUNG, PV_JPAUSE_NS_FULL, PV_JPAUSE_NS_YOUNG, PV_JMETHODS,
};

struct om_metric {
	const char *name, *type, *unit, *help;
	int who;
	const char *label;		/* a second label with v[].value, or NULL */
	struct {
		const char *value;
		int figure;		/* 0: unused */
	} v[2];
};

static const struct om_metric om_proc_metrics[] = {
	{ "mapwatch_process_gc_cycles", "counter", NULL,
	  "Go GC cycles that ended (runtime events gc end)", OM_GO, NULL,
	  { { NULL, PV_GC_CYCLES } } },
	{ "mapwatch_process_scavenger_released_bytes", "counter", "bytes",
	  "Bytes the Go scavenger returned to the OS (its releases' lengths)", OM_GO, NULL,
	  { { NULL, PV_SCAV_BYTES } } },
	{ "mapwatch_process_scavenger_releases", "counter", NULL,
	  "Releases to the OS by the Go scavenger", OM_GO, NULL, { { NULL, PV_SCAV_CALLS } } },
	{ "mapwatch_process_maps", "gauge", NULL,
	  "Go maps traced (an address reused by a new map counts again)", OM_GO, NULL,
	  { { NULL, PV_MAPS } } },
	{ "mapwatch_process_sized_maps", "gauge", NULL,
	  "Live Go maps whose storage size is known", OM_GO, NULL, { { NULL, PV_SIZED } } },
	{ "mapwatch_process_map_bytes", "gauge", "bytes",
	  "Bytes the runtime structures of the live Go maps of known size hold (at each"
	  " map's last operation)", OM_GO, NULL, { { NULL, PV_MAP_BYTES } } },
	{ "mapwatch_process_traced_seconds", "gauge", "seconds",
	  "Time from the process's first event in the trace to its last", OM_ALL, NULL,
	  { { NULL, PV_TRACED } } },
	{ "mapwatch_process_madvise_calls", "counter", NULL,
	  "madvise(2) calls (kernel probe madvise)", MAPWATCH_KPROBE_MADVISE, NULL,
	  { { NULL, PV_MADV_CALLS } } },
	{ "mapwatch_process_madvise_bytes", "counter", "bytes",
	  "Bytes given back by madvise(2), by advice: dontneed (MADV_DONTNEED), free"
	  " (MADV_FREE)", MAPWATCH_KPROBE_MADVISE, "advice",
	  { { "dontneed", PV_MADV_DONTNEED }, { "free", PV_MADV_FREE } } },
	{ "mapwatch_process_munmap_calls", "counter", NULL,
	  "munmap(2) calls (kernel probe munmap)", MAPWATCH_KPROBE_MUNMAP, NULL,
	  { { NULL, PV_MUNMAP_CALLS } } },
	{ "mapwatch_process_munmap_bytes", "counter", "bytes", "Bytes unmapped by munmap(2)",
	  MAPWATCH_KPROBE_MUNMAP, NULL, { { NULL, PV_MUNMAP_BYTES } } },
	{ "mapwatch_process_mmap_anon_calls", "counter", NULL,
	  "Successful anonymous mmap(2) calls (kernel probe mmap)", MAPWATCH_KPROBE_MMAP, NULL,
	  { { NULL, PV_MMAP_CALLS } } },
	{ "mapwatch_process_mmap_anon_bytes", "counter", "bytes",
	  "Bytes of address space the successful anonymous mmap(2) calls mapped",
	  MAPWATCH_KPROBE_MMAP, NULL, { { NULL, PV_MMAP_BYTES } } },
	{ "mapwatch_process_exited", "gauge", NULL,
	  "1 once the process's exit was traced (kernel probe exit)", MAPWATCH_KPROBE_EXIT, NULL,
	  { { NULL, PV_EXITED } } },
	{ "mapwatch_jvm_gc_pauses", "counter", NULL,
	  "HotSpot GC pauses begun, full or not (dump --jvm)", OM_JVM, "full",
	  { { "true", PV_JPAUSES_FULL }, { "false", PV_JPAUSES_YOUNG } } },
	{ "mapwatch_jvm_gc_pause_seconds", "counter", "seconds",
	  "Time in HotSpot GC pauses that ended, full or not", OM_JVM, "full",
	  { { "true", PV_JPAUSE_NS_FULL }, { "false", PV_JPAUSE_NS_YOUNG } } },
	{ "mapwatch_jvm_method_entries", "counter", NULL,
	  "Java method entries traced (dump --methods, after its filter)", OM_JVM, NULL,
	  { { NULL, PV_JMETHODS } } },
};

static uint64_t om_jvm_pauses(const struct rproc *p, bool full, bool ns)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < p->nr_jp; i++)
		if (p->jp[i].full == full)
			v += ns ? (p->jp[i].ended ? p->jp[i].duration_ns : 0) : 1;
	return v;
}

static uint64_t om_proc_value(const struct rproc *p, int figure)
{
	switch (figure) {
	case PV_GC_CYCLES:		return p->gc_end;
	case PV_SCAV_BYTES:		return p->released;
	case PV_SCAV_CALLS:		return p->releases;
	case PV_MAPS:			return p->nr_maps;
	case PV_SIZED:			return p->nr_sized;
	case PV_MAP_BYTES:		return p->map_bytes;
	case PV_TRACED:			return p->last_ns - p->first_ns;
	case PV_MADV_CALLS:		return p->madv_calls;
	case PV_MADV_DONTNEED:		return p->madv_dontneed;
	case PV_MADV_FREE:		return p->madv_free;
	case PV_MUNMAP_CALLS:		return p->munmap_calls;
	case PV_MUNMAP_BYTES:		return p->munmapped;
	case PV_MMAP_CALLS:		return p->mmap_calls;
	case PV_MMAP_BYTES:		return p->mmap_anon;
	case PV_EXITED:			return p->exited;
	case PV_JPAUSES_FULL:		return om_jvm_pauses(p, true, false);
	case PV_JPAUSES_YOUNG:		return om_jvm_pauses(p, false, false);
	case PV_JPAUSE_NS_FULL:		return om_jvm_pauses(p, true, true);
	case PV_JPAUSE_NS_YOUNG:	return om_jvm_pauses(p, false, true);
	case PV_JMETHODS:		return p->jmethods;
	}
	return 0;
}

static bool om_proc_has(const struct report *r, const struct rproc *p, int who)
{
	if (who == OM_ALL)
		return true;
	if (who == OM_GO)
		return !proc_jvm_only(p);
	if (who == OM_JVM)
		return p->jvm;
	return (r->kprobes | r->kprobes_seen) & (1u << who);
}

/* What the metrics file is made of: the report, its maps in order. */
struct om_report {
	struct report *r;
	struct rmap **order;
};

static void om_write_proc_metrics(FILE *f, const struct om_report *o)
{
	const struct report *r = o->r;
	size_t i, j, k;
	char pid[16];

	for (i = 0; i < sizeof(om_proc_metrics) / sizeof(om_proc_metrics[0]); i++) {
		const struct om_metric *m = &om_proc_metrics[i];
		bool counter = !strcmp(m->type, "counter"), any = false;

		for (j = 0; j < r->nr_procs && !any; j++)
			any = om_proc_has(r, &r->procs[j], m->who);
		if (!any)
			continue;
		om_family(f, m->name, m->type, m->unit, m->help);
		for (j = 0; j < r->nr_procs; j++) {
			const struct rproc *p = &r->procs[j];

			if (!om_proc_has(r, p, m->who))
				continue;
			snprintf(pid, sizeof(pid), "%u", p->pid);
			for (k = 0; k < 2 && m->v[k].figure; k++) {
				struct om_label l[] = { { "pid", pid }, { m->label, m->v[k].value } };
				uint64_t v = om_proc_value(p, m->v[k].figure);

				if (m->unit && !strcmp(m->unit, "seconds"))
					om_sample_ns(f, m->name, counter ? "_total" : "", l,
						     m->label ? 2 : 1, v);
				else
					om_sample_u64(f, m->name, counter ? "_total" : "", l,
						      m->label ? 2 : 1, v);
			}
		}
	}
}

/* The figures of a map; MV_BYTES_*: only of a map whose storage size is known. */
enum { MV_ENTRIES, MV_PEAK, MV_BYTES, MV_PEAK_BYTES, MV_BYTES_ESTIMATED, MV_RETAINS,
       MV_GROWS, MV_ASSIGNS, MV_DELETES, MV_CLEARS };

static const struct {
	const char *name, *type, *unit, *help;
	int figure;
} om_map_metrics[] = {
	{ "mapwatch_map_entries", "gauge", NULL,
	  "The map's len() as its last traced operation began", MV_ENTRIES },
	{ "mapwatch_map_peak_entries", "gauge", NULL, "The largest len() traced", MV_PEAK },
	{ "mapwatch_map_bytes", "gauge", "bytes",
	  "Bytes the map's runtime structures held at its last operation that had the"
	  " figure (buckets or groups, tables, directory, header, keys and values stored"
	  " apart)", MV_BYTES },
	{ "mapwatch_map_peak_bytes", "gauge", "bytes", "The largest mapwatch_map_bytes traced",
	  MV_PEAK_BYTES },
	{ "mapwatch_map_bytes_estimated", "gauge", NULL,
	  "1 if mapwatch_map_bytes is an estimate (a classic map's overflow buckets from"
	  " B = 16 on, a clone's tables)", MV_BYTES_ESTIMATED },
	{ "mapwatch_map_retains", "gauge", NULL,
	  "1 if the map's entries fell to a quarter of a peak of 64 or more: it still holds"
	  " the storage of its peak (Go maps never shrink)", MV_RETAINS },
	{ "mapwatch_map_grows", "counter", NULL, "Growths of the map", MV_GROWS },
	{ "mapwatch_map_assigns", "counter", NULL, "Assignments (m[k] = v)", MV_ASSIGNS },
	{ "mapwatch_map_deletes", "counter", NULL, "Deletions (delete(m, k))", MV_DELETES },
	{ "mapwatch_map_clears", "counter", NULL, "Clears (clear(m), or the loop the"
	  " compiler turns into one)", MV_CLEARS },
};

static uint64_t om_map_value(const struct rmap *m, int figure)
{
	switch (figure) {
	case MV_ENTRIES:		return m->entries;
	case MV_PEAK:			return m->peak;
	case MV_BYTES:			return m->bytes;
	case MV_PEAK_BYTES:		return m->peak_bytes;
	case MV_BYTES_ESTIMATED:	return m->bytes_estimated;
	case MV_RETAINS:		return map_retains(m);
	case MV_GROWS:			return m->ops[OP_GROW];
	case MV_ASSIGNS:		return m->ops[OP_ASSIGN];
	case MV_DELETES:		return m->ops[OP_DELETE];
	case MV_CLEARS:			return m->ops[OP_CLEAR];
	}
	return 0;
}

/*
 * Per process, its top maps (--top; 0: all) in the report's order, live
 * ones only: a map freed (its address reused by a later make) holds
 * nothing any more, and would share its labels with the map now there.
 */
static size_t om_top_maps(const struct om_report *o, struct rmap **top)
{
	const struct report *r = o->r;
	size_t i, j, n = 0;

	for (j = 0; j < r->nr_procs; j++) {
		size_t shown = 0;

		for (i = 0; i < r->nr_maps; i++) {
			struct rmap *m = o->order[i];

			if (m->pid != r->procs[j].pid || m->reused || (r->top && shown >= r->top))
				continue;
			top[n++] = m;
			shown++;
		}
	}
	return n;
}

static int om_write_map_metrics(FILE *f, const struct om_report *o)
{
	struct rmap **top = calloc(o->r->nr_maps + 1, sizeof(*top));
	size_t i, j, n;

	if (!top) {
		p_err("out of memory");
		return -1;
	}
	n = om_top_maps(o, top);
	for (i = 0; i < sizeof(om_map_metrics) / sizeof(om_map_metrics[0]); i++) {
		int figure = om_map_metrics[i].figure;
		bool sized_only = figure == MV_BYTES || figure == MV_PEAK_BYTES ||
				  figure == MV_BYTES_ESTIMATED;
		bool counter = !strcmp(om_map_metrics[i].type, "counter");
		const char *name = om_map_metrics[i].name;

		om_family(f, name, om_map_metrics[i].type, om_map_metrics[i].unit,
			  om_map_metrics[i].help);
		for (j = 0; j < n; j++) {
			const struct rmap *m = top[j];
			char pid[16], addr[24];
			struct om_label l[] = {
				{ "pid", pid },
				{ "map", addr },
				{ "made_at", m->made && m->made_at[0] ? m->made_at : NULL },
				{ "made_by", m->made ? m->made_by : NULL },
			};

			if (sized_only && !m->have_bytes)
				continue;
			snprintf(pid, sizeof(pid), "%u", m->pid);
			snprintf(addr, sizeof(addr), "0x%" PRIx64, m->addr);
			om_sample_u64(f, name, counter ? "_total" : "", l, 4, om_map_value(m, figure));
		}
	}
	free(top);
	return 0;
}

/* A family of one sample without labels: a counter's sample gets _total. */
static void om_scalar(FILE *f, const char *name, const char *type, const char *help,
		      uint64_t v)
{
	bool counter = !strcmp(type, "counter");

	om_family(f, name, type, NULL, help);
	om_sample_u64(f, name, counter ? "_total" : "", NULL, 0, v);
}

static void om_write_trace_metrics(FILE *f, const struct report *r)
{
	om_scalar(f, "mapwatch_trace_events", "counter",
		  "Events of traced processes read from the trace", r->events);
	om_scalar(f, "mapwatch_trace_lost_events", "counter",
		  "Events the rings dropped, as the trace's LOST records count them", r->lost);
	om_scalar(f, "mapwatch_trace_errors", "counter",
		  "Error records in the trace (records dump could not decode)", r->errors);
	om_scalar(f, "mapwatch_trace_complete", "gauge",
		  "1 once the trace's final summary was read: the trace is whole", r->summary);
	om_scalar(f, "mapwatch_trace_processes", "gauge",
		  "Processes with events in the trace", r->nr_procs);
}

static int om_fill(FILE *f, void *ctx)
{
	struct om_report o = { .r = ctx };
	int ret;

	o.order = report_order(o.r);
	if (!o.order)
		return -1;
	om_write_trace_metrics(f, o.r);
	om_write_proc_metrics(f, &o);
	ret = om_write_map_metrics(f, &o);
	om_control_plane(f);
	om_eof(f);
	free(o.order);
	return ret;
}

/* report --openmetrics PATH: the arguments of om_tick. */
struct om_out {
	struct report *r;
	const char *path;
};

static int om_tick(void *ctx)
{
	struct om_out *out = ctx;

	return om_write_file(out->path, om_fill, out->r);
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
		"Usage: %1$s report -i FILE [--top N] [--openmetrics OUT [--interval S]]\n"
		"       %1$s report [--top N] [--openmetrics OUT [--interval S]]\n"
		"               [DUMP OPTIONS] {-p PID | -- CMD [ARG]...}\n"
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
		"      --openmetrics OUT\n"
		"                     also write the report as OpenMetrics text to OUT\n"
		"                     (node_exporter's textfile collector reads the *.prom\n"
		"                     files of its directory), replaced atomically (OUT.tmp,\n"
		"                     fsync, rename) at the end; '-': to stdout, instead of the\n"
		"                     report (not with -j).  Per process: Go GC cycles,\n"
		"                     scavenger releases, maps and their bytes, the kernel\n"
		"                     probes' madvise/munmap/mmap figures, JVM GC pauses;\n"
		"                     per map, of the top N live maps: entries, peak,\n"
		"                     bytes, grows, assigns, deletes, clears; the trace's\n"
		"                     events and losses; the module's per-session and\n"
		"                     per-probe counters (mapwatch_control_plane_up 0 when\n"
		"                     it cannot be asked: not loaded, not root)\n"
		"      --interval S   with --openmetrics: also rewrite OUT every S seconds\n"
		"                     while the trace is read (live, -i -, or a long -i FILE)\n"
		"Without -i, the remaining arguments go to '%1$s -j dump' (see\n"
		"'%1$s dump help'), which runs until its processes exit or SIGINT.\n"
		"With --openmetrics, SIGINT or SIGTERM sent to report itself stops the\n"
		"live dump (report then writes OUT and the report); with -i it stops\n"
		"reading (a pipe: 2 s later); a second signal stops at once.\n"
		"With -j, the report is one JSON object.\n",
		bin_name);
	return 0;
}

/* --interval SECONDS: a positive number, in milliseconds (at least 1). */
static int parse_interval(const char *arg, int64_t *ms)
{
	char *end;
	double v = strtod(arg, &end);

	if (*end || !*arg || !isfinite(v) || v <= 0 || v > 86400.0 * 366) {
		p_err("--interval %s: not a number of seconds (more than 0, at most a year)", arg);
		return -1;
	}
	*ms = (int64_t)(v * 1000);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

/*
 * --openmetrics: SIGINT and SIGTERM go to pump_on_signal, blocked but in
 * ppoll(); @old_* keeps what to restore.
 */
static void om_signals(struct pump *pp, struct sigaction *old_int, struct sigaction *old_term,
		       sigset_t *old_mask)
{
	struct sigaction sa = { .sa_handler = pump_on_signal };
	sigset_t block;

	pump_signals = 0;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, old_int);
	sigaction(SIGTERM, &sa, old_term);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, old_mask);
	pp->waitmask = *old_mask;
	sigdelset(&pp->waitmask, SIGINT);
	sigdelset(&pp->waitmask, SIGTERM);
}

int do_report(int argc, char **argv)
{
	struct report r = { .top = 20 };
	const char *input = NULL, *om_path = NULL;
	int i, n = 0, fd, ret = 0, status;
	struct sigaction old_int, old_term;
	struct om_out om = { .r = &r };
	struct pump pump = {};
	int64_t interval_ms = 0;
	sigset_t old_mask;
	pid_t child = 0;
	struct stat st;
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
		} else if (!strcmp(argv[i], "--openmetrics") && i + 1 < argc) {
			om_path = argv[++i];
		} else if (!strcmp(argv[i], "--interval") && i + 1 < argc) {
			if (parse_interval(argv[++i], &interval_ms)) {
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
	if (interval_ms && !om_path) {
		p_err("--interval is how often --openmetrics OUT is written: give --openmetrics");
		free(rest);
		return -1;
	}
	if (om_path && !strcmp(om_path, "-") && json_output) {
		p_err("--openmetrics -: stdout has the JSON report; give a file");
		free(rest);
		return -1;
	}
	om.path = om_path;
	if (om_path)
		om_signals(&pump, &old_int, &old_term, &old_mask);
	if (input) {
		fd = strcmp(input, "-") ? open(input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		if (fd < 0) {
			p_err("cannot open %s: %s", input, strerror(errno));
			ret = -1;
			goto out;
		}
	} else {
		/*
		 * SIGINT stops the dump, which ends the trace: we print then.
		 * With --openmetrics, a signal to us is passed on (pump_read).
		 */
		if (!om_path) {
			signal(SIGINT, SIG_IGN);
			signal(SIGTERM, SIG_IGN);
		}
		fd = start_dump(n, rest, &child);
		if (fd < 0) {
			p_err("cannot start dump: %s", strerror(errno));
			ret = -1;
			goto out;
		}
		input = "dump";
	}
	if (om_path) {
		pump.fd = fd;
		pump.interval_ms = interval_ms;
		pump.next_ms = mono_ms() + interval_ms;
		pump.tick = om_tick;
		pump.ctx = &om;
		pump.child = child;
		pump.fifo = !fstat(fd, &st) && S_ISFIFO(st.st_mode);
	}
	ret = read_trace(fd, input, report_object, &r, om_path ? &pump : NULL);
	if (fd != STDIN_FILENO)
		close(fd);
	if (child > 0) {
		/* A second signal: dump may still be running, with no one reading. */
		if (pump.stopped)
			kill(child, SIGKILL);
		waitpid(child, &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			p_err("dump failed (see its message above)");
			ret = -1;
		}
	}
	/* The final metrics, read fully or not: mapwatch_trace_complete says. */
	if (om_path && om_write_file(om_path, om_fill, &r))
		ret = -1;
	if (!ret && !(om_path && !strcmp(om_path, "-")))
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
out:
	if (om_path) {
		sigprocmask(SIG_SETMASK, &old_mask, NULL);
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
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
	if (read_trace(fd, input, ex_object, x, NULL) || ex_svg_write(x, path))
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
	if (read_trace(fd, input, report_object, &r, NULL) || ex_choose(&x, r.top))
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
	if (read_trace(fd, input, ex_object, &x, NULL))
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
