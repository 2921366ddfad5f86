// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/sdt/usdttrace.c - USDT probes for mapwatchctl dump (see usdttrace.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace/kprobes.h"
#include "sdt/usdttrace.h"
#include "trace/format.h"

void usdttrace_init(struct usdttrace *t)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

/* Append a copy of PAT to the ARR of NR (option OPT, for the message). */
static int pat_push(char **arr, unsigned int *nr, const char *pat, const char *opt,
		    struct mw_err *err)
{
	if (*nr == USDTTRACE_MAX_PATS)
		return mw_err_set(err, MW_E_INVAL, "at most %d %s patterns", USDTTRACE_MAX_PATS,
				  opt);
	arr[*nr] = strdup(pat);
	if (!arr[*nr])
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	(*nr)++;
	return 0;
}

int usdttrace_add_pattern(struct usdttrace *t, const char *pat, struct mw_err *err)
{
	if (!strchr(pat, ':') || pat[0] == ':')
		return mw_err_set(err, MW_E_INVAL, "--usdt '%s': want PROVIDER:NAME (globs "
				  "allowed), for example hotspot:gc__begin or 'hotspot:gc__*'",
				  pat);
	return pat_push(t->pats, &t->nr_pats, pat, "--usdt", err);
}

int usdttrace_add_methods(struct usdttrace *t, const char *pat, struct mw_err *err)
{
	if (!strchr(pat, '.'))
		return mw_err_set(err, MW_E_INVAL, "--methods '%s': want CLASS.METHOD with the "
				  "class in the JVM's form (globs allowed), for example "
				  "'java/util/WeakHashMap.*'", pat);
	return pat_push(t->methods, &t->nr_methods, pat, "--methods", err);
}

bool usdttrace_wanted(const struct usdttrace *t)
{
	return t->jvm || t->nr_pats;
}

/* "provider:name" matches one of the --usdt patterns. */
static bool pattern_match(const struct usdttrace *t, const struct usdt_probe *pr,
			  unsigned int *which)
{
	char full[256];
	unsigned int i;

	snprintf(full, sizeof(full), "%s:%s", pr->provider, pr->name);
	for (i = 0; i < t->nr_pats; i++) {
		if (!fnmatch(t->pats[i], full, 0)) {
			if (which)
				*which = i;
			return true;
		}
	}
	return false;
}

/* The preset's use of a probe, or UT_GENERIC when it is not one of its. */
static enum usdttrace_kind preset_kind(const struct usdttrace *t, const struct usdt_probe *pr)
{
	if (!t->jvm || strcmp(pr->provider, "hotspot"))
		return UT_GENERIC;
	if (!strcmp(pr->name, "gc__begin"))
		return UT_GC_BEGIN;
	if (!strcmp(pr->name, "gc__end"))
		return UT_GC_END;
	if (!strcmp(pr->name, "method__entry") && t->nr_methods)
		return UT_METHOD_ENTRY;
	if (!strcmp(pr->name, "object__alloc") && t->alloc)
		return UT_OBJECT_ALLOC;
	return UT_GENERIC;
}

/* Has the file at PATH a probe this session wants?  Quietly false if not readable. */
static bool has_wanted_probe(const struct usdttrace *t, const char *path)
{
	struct usdt_file uf;
	struct mw_err e;
	bool found = false;
	size_t i;

	if (usdt_open(path, &uf, &e))
		return false;
	for (i = 0; i < uf.nr && !found; i++)
		found = preset_kind(t, &uf.probes[i]) != UT_GENERIC ||
			pattern_match(t, &uf.probes[i], NULL);
	usdt_free(&uf);
	return found;
}

static bool is_libjvm(const char *path)
{
	const char *base = strrchr(path, '/');

	return base && !strcmp(base + 1, "libjvm.so");
}

/* The first file mapped by PID with a wanted probe (libjvm.so for --jvm). */
static int find_in_maps(struct usdttrace *t, int pid, struct mw_err *err)
{
	char path[64], line[4096 + 256], last[4096] = "", *file, *nl;
	FILE *f;
	int ret = -1;

	snprintf(path, sizeof(path), "/proc/%d/maps", pid);
	f = fopen(path, "re");
	if (!f)
		return mw_err_set(err, MW_E_IO, "cannot read %s: %s", path, strerror(errno));
	while (ret && fgets(line, sizeof(line), f)) {
		nl = strchr(line, '\n');
		if (nl)
			*nl = 0;
		file = strchr(line, '/');
		/* A file's mappings are adjacent; a deleted file cannot be probed. */
		if (!file || strstr(file, " (deleted)") || !strcmp(file, last))
			continue;
		snprintf(last, sizeof(last), "%s", file);
		if (t->jvm && !t->nr_pats && !is_libjvm(file))
			continue;
		if (has_wanted_probe(t, file)) {
			snprintf(t->path, sizeof(t->path), "%s", file);
			ret = 0;
		}
	}
	fclose(f);
	if (ret)
		return mw_err_set(err, MW_E_INVAL, "process %d maps no file with %s; give the file "
				  "with -e PATH (see 'mapwatchctl usdt PATH')", pid,
				  t->jvm ? "HotSpot's probes (libjvm.so)" :
				  "a probe matching --usdt");
	return 0;
}

/* The libjvm.so of the JDK whose launcher is CMD (JAVA_HOME/bin/java). */
static int find_for_cmd(struct usdttrace *t, const char *cmd, struct mw_err *err)
{
	char real[PATH_MAX], *slash;
	int n;

	if (!t->jvm) {
		if (cmd && has_wanted_probe(t, cmd)) {
			snprintf(t->path, sizeof(t->path), "%s", cmd);
			return 0;
		}
		return mw_err_set(err, MW_E_INVAL, "%s has no probe matching --usdt: give the file "
				  "that has them with -e PATH", cmd ? cmd : "the command");
	}
	if (!cmd || !realpath(cmd, real))
		return mw_err_set(err, MW_E_INVAL,
				  "cannot find the JVM of %s: give its libjvm.so with -e PATH",
				  cmd ? cmd : "the command");
	/* JAVA_HOME/bin/java -> JAVA_HOME/lib/server/libjvm.so */
	for (n = 0; n < 2; n++) {
		slash = strrchr(real, '/');
		if (!slash || slash == real)
			return mw_err_set(err, MW_E_INVAL, "%s is not a JDK's bin/java: give its "
					  "libjvm.so with -e PATH", real);
		*slash = 0;
	}
	n = snprintf(t->path, sizeof(t->path), "%s/lib/server/libjvm.so", real);
	if (n >= (int)sizeof(t->path) || access(t->path, R_OK))
		return mw_err_set(err, MW_E_IO,
				  "%s (the JVM of %s): %s; give its libjvm.so with -e PATH",
				  t->path, cmd, strerror(errno ? errno : ENAMETOOLONG));
	return 0;
}

int usdttrace_find(struct usdttrace *t, const char *elf, int pid, const char *cmd_path,
		   struct mw_err *err)
{
	if (elf) {
		if (snprintf(t->path, sizeof(t->path), "%s", elf) >= (int)sizeof(t->path))
			return mw_err_set(err, MW_E_INVAL, "-e: path too long");
		return 0;
	}
	if (pid > 0)
		return find_in_maps(t, pid, err);
	return find_for_cmd(t, cmd_path, err);
}

/* Arguments each preset probe must have (HotSpot's dtrace.d). */
static unsigned int preset_args(enum usdttrace_kind kind)
{
	switch (kind) {
	case UT_GC_BEGIN:
		return 1;	/* full */
	case UT_METHOD_ENTRY:
		return 7;	/* jtid, class, len, method, len, signature, len */
	case UT_OBJECT_ALLOC:
		return 4;	/* jtid, class, len, size */
	default:
		return 0;
	}
}

static const char *const kind_names[] = {
	[UT_GENERIC] = "usdt", [UT_GC_BEGIN] = "hotspot:gc__begin",
	[UT_GC_END] = "hotspot:gc__end", [UT_METHOD_ENTRY] = "hotspot:method__entry",
	[UT_OBJECT_ALLOC] = "hotspot:object__alloc",
};

static int plan(struct usdttrace *t, struct usdttrace_probe *tp, struct mw_err *err)
{
	static const struct usdt_bytes method[] = {
		{ 1, 2, USDTTRACE_STR_MAX }, { 3, 4, USDTTRACE_STR_MAX },
		{ 5, 6, USDTTRACE_STR_MAX },
	};
	static const struct usdt_bytes alloc[] = { { 1, 2, USDTTRACE_STR_MAX } };
	const struct usdt_probe *pr = tp->up;
	unsigned int want = preset_args(tp->kind);

	if (pr->error.code)
		return mw_err_set(err, pr->error.code, "%s: %s", t->path, pr->error.msg);
	if (tp->kind != UT_GENERIC && pr->nr_args != want)
		return mw_err_set(err, MW_E_FORMAT, "%s: %s has %u arguments, HotSpot's has %u: "
				  "not a libjvm.so mapwatchctl knows (use --usdt)", t->path,
				  kind_names[tp->kind], pr->nr_args, want);
	if (tp->kind == UT_METHOD_ENTRY)
		return usdt_fetchprog_bytes(pr, t->uf.machine, method, 3, &tp->prog, err);
	if (tp->kind == UT_OBJECT_ALLOC)
		return usdt_fetchprog_bytes(pr, t->uf.machine, alloc, 1, &tp->prog, err);
	return usdt_fetchprog(pr, t->uf.machine, &tp->prog, err);
}

int usdttrace_open(struct usdttrace *t, struct mw_err *err)
{
	bool seen[UT_OBJECT_ALLOC + 1] = { false };
	bool pat_seen[USDTTRACE_MAX_PATS] = { false };
	unsigned int i, which;
	size_t k;

	if (usdt_open(t->path, &t->uf, err))
		return -1;
	if (!t->uf.has_notes)
		return mw_err_set(err, MW_E_INVAL, "%s has no SDT probes (no %s section); see '%s'",
				  t->path, USDT_NOTE_SECTION, "mapwatchctl usdt PATH");
	t->probes = calloc(t->uf.nr ? t->uf.nr : 1, sizeof(*t->probes));
	if (!t->probes)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	for (k = 0; k < t->uf.nr; k++) {
		const struct usdt_probe *pr = &t->uf.probes[k];
		struct usdttrace_probe *tp = &t->probes[t->nr];
		bool by_pat = pattern_match(t, pr, &which);

		tp->kind = preset_kind(t, pr);
		if (tp->kind == UT_GENERIC && !by_pat)
			continue;
		if (by_pat)
			pat_seen[which] = true;
		tp->up = pr;
		if (plan(t, tp, err))
			return -1;
		seen[tp->kind] = true;
		t->nr++;
	}
	for (i = 0; i < t->nr_pats; i++)
		if (!pat_seen[i])
			return mw_err_set(err, MW_E_INVAL,
					  "no probe of %s matches '%s'; see '%s %s'", t->path,
					  t->pats[i], "mapwatchctl usdt", t->path);
	if (t->jvm && (!seen[UT_GC_BEGIN] || !seen[UT_GC_END]))
		return mw_err_set(err, MW_E_INVAL, "%s has no hotspot:gc__begin/gc__end probes: "
				  "--jvm wants HotSpot's libjvm.so (give it with -e PATH)",
				  t->path);
	if (t->nr_methods && !seen[UT_METHOD_ENTRY])
		return mw_err_set(err, MW_E_INVAL,
				  "%s has no hotspot:method__entry probe for --methods", t->path);
	if (t->alloc && !seen[UT_OBJECT_ALLOC])
		return mw_err_set(err, MW_E_INVAL,
				  "%s has no hotspot:object__alloc probe for --alloc", t->path);
	t->fd = open(t->path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0)
		return mw_err_set(err, MW_E_IO, "cannot open %s: %s", t->path, strerror(errno));
	return 0;
}

int usdttrace_attach(struct usdttrace *t, struct mw_session *s)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		struct usdttrace_probe *tp = &t->probes[i];
		int ret = mw_uprobe_attach(s, t->fd, tp->up->offset, tp->up->sema_offset,
					   tp->prog.ops, tp->prog.nr_ops,
					   t->all_processes ? MAPWATCH_UPROBE_ALL_PROCESSES : 0,
					   &tp->id);

		if (ret)
			return ret;
	}
	return 0;
}

void usdttrace_close(struct usdttrace *t)
{
	unsigned int i;

	if (t->fd >= 0)
		close(t->fd);
	usdt_free(&t->uf);
	free(t->probes);
	for (i = 0; i < t->nr_pats; i++)
		free(t->pats[i]);
	for (i = 0; i < t->nr_methods; i++)
		free(t->methods[i]);
	usdttrace_init(t);
}

const struct usdttrace_probe *usdttrace_probe(const struct usdttrace *t, uint32_t id)
{
	size_t i;

	for (i = 0; i < t->nr; i++)
		if (t->probes[i].id == id)
			return &t->probes[i];
	return NULL;
}

/* ------------------------------------------------------------------------ */
/* Printing                                                                   */

/* Bytes field NAME cut to the length in field LEN_NAME, as a C string in BUF. */
static const char *names_str(const struct fprog *p, const struct fp_value *v, const char *name,
			     const char *len_name, char *buf, size_t size, bool *cut)
{
	const struct fp_value *b = fp_get(p, v, name), *l = fp_get(p, v, len_name);
	size_t n = b ? b->len : 0;
	int64_t want = l ? (int64_t)l->u : 0;

	if (want < 0)
		want = 0;
	if ((uint64_t)want < n)
		n = want;
	if ((uint64_t)want > n)
		*cut = true;
	if (n >= size)
		n = size - 1;
	memcpy(buf, b ? (const char *)b->bytes : "", n);
	buf[n] = 0;
	return buf;
}

static struct usdttrace_gc *gc_slot(struct usdttrace *t, uint32_t pid)
{
	struct usdttrace_gc *free_slot = NULL;
	unsigned int i;

	for (i = 0; i < USDTTRACE_MAX_GC_PIDS; i++) {
		if (t->gc[i].pid == pid)
			return &t->gc[i];
		if (!free_slot && !t->gc[i].pid)
			free_slot = &t->gc[i];
	}
	if (!free_slot) {
		free_slot = &t->gc[pid % USDTTRACE_MAX_GC_PIDS];
		free_slot->begin_ns = 0;
	}
	free_slot->pid = pid;
	return free_slot;
}

static bool method_selected(const struct usdttrace *t, const char *cls, const char *method)
{
	char full[2 * USDTTRACE_STR_MAX + 2];
	unsigned int i;

	snprintf(full, sizeof(full), "%s.%s", cls, method);
	for (i = 0; i < t->nr_methods; i++)
		if (!fnmatch(t->methods[i], full, 0))
			return true;
	return false;
}

static void print_generic(const struct usdttrace_probe *tp, const struct fp_value *v, FILE *f,
			  json_writer_t *jw)
{
	unsigned int i;

	if (jw) {
		jsonw_name(jw, "args");
		jsonw_start_object(jw);
	} else {
		fprintf(f, " usdt %s:%s", tp->up->provider, tp->up->name);
	}
	for (i = 0; i < tp->prog.nr_fields; i++) {
		const struct fp_value *x = &v[i];
		bool sgn = x->field->kind == FP_INT;

		if (jw && sgn)
			jsonw_int_field(jw, x->field->name, (int64_t)x->u);
		else if (jw)
			jsonw_uint_field(jw, x->field->name, x->u);
		else if (sgn)
			fprintf(f, " %s=%" PRId64, x->field->name, (int64_t)x->u);
		else
			fprintf(f, " %s=%#" PRIx64, x->field->name, x->u);
	}
	if (jw)
		jsonw_end_object(jw);
}

bool usdttrace_print(struct usdttrace *t, const struct usdttrace_probe *tp,
		     const struct mapwatch_rec_event *ev, FILE *f, json_writer_t *jw)
{
	struct fp_value v[FP_MAX_FIELDS];
	char cls[USDTTRACE_STR_MAX + 1], method[USDTTRACE_STR_MAX + 1];
	char sig[USDTTRACE_STR_MAX + 1];
	const struct fp_value *x;
	struct usdttrace_gc *gc;
	bool fault = ev->hdr.flags & MAPWATCH_RECF_FAULT, cut = false;
	bool ok = !fp_decode(&tp->prog, mw_event_payload(ev), ev->payload_size, v);
	uint64_t dur = 0;

	if (ok && tp->kind == UT_METHOD_ENTRY) {
		names_str(&tp->prog, v, "arg1", "arg2", cls, sizeof(cls), &cut);
		names_str(&tp->prog, v, "arg3", "arg4", method, sizeof(method), &cut);
		names_str(&tp->prog, v, "arg5", "arg6", sig, sizeof(sig), &cut);
		/* A faulted read is shown, never filtered away as a mismatch. */
		if (!fault && !method_selected(t, cls, method)) {
			t->methods_filtered++;
			return false;
		}
	}
	if (jw) {
		char full[256];

		event_head_json(jw, tp->kind == UT_GENERIC || !ok ? TRACE_USDT :
				tp->kind == UT_METHOD_ENTRY ? TRACE_JVM_METHOD :
				tp->kind == UT_OBJECT_ALLOC ? TRACE_JVM_ALLOC : TRACE_JVM_GC, ev);
		snprintf(full, sizeof(full), "%s:%s", tp->up->provider, tp->up->name);
		jsonw_string_field(jw, "probe", full);
	} else {
		event_head_plain(f, ev);
	}
	if (!ok) {
		if (jw)
			jsonw_bool_field(jw, "undecodable", true);
		else
			fprintf(f, " usdt %s:%s (payload of %u bytes does not match its program)",
				tp->up->provider, tp->up->name, ev->payload_size);
		goto out;
	}
	switch (tp->kind) {
	case UT_GENERIC:
		print_generic(tp, v, f, jw);
		break;
	case UT_GC_BEGIN:
		x = fp_get(&tp->prog, v, "arg0");
		gc = gc_slot(t, ev->tgid);
		gc->begin_ns = ev->time_ns;
		gc->full = x && x->u;
		if (jw) {
			jsonw_string_field(jw, "op", TRACE_OP_JVM_BEGIN);
			jsonw_bool_field(jw, "full", gc->full);
		} else {
			fprintf(f, " jvm gc begin full=%d", gc->full);
		}
		break;
	case UT_GC_END:
		gc = gc_slot(t, ev->tgid);
		if (gc->begin_ns && ev->time_ns >= gc->begin_ns)
			dur = ev->time_ns - gc->begin_ns;
		if (jw) {
			jsonw_string_field(jw, "op", TRACE_OP_JVM_END);
			if (gc->begin_ns) {
				jsonw_bool_field(jw, "full", gc->full);
				jsonw_uint_field(jw, "duration_ns", dur);
			}
		} else if (gc->begin_ns) {
			fprintf(f, " jvm gc end full=%d dur=%.3fms", gc->full, dur / 1e6);
		} else {
			fprintf(f, " jvm gc end (began before tracing)");
		}
		gc->begin_ns = 0;
		break;
	case UT_METHOD_ENTRY:
		x = fp_get(&tp->prog, v, "arg0");
		if (jw) {
			jsonw_int_field(jw, "jtid", x ? (int64_t)x->u : -1);
			jsonw_string_field(jw, "class", cls);
			jsonw_string_field(jw, "method", method);
			jsonw_string_field(jw, "signature", sig);
			if (cut)
				jsonw_bool_field(jw, "truncated", true);
		} else {
			fprintf(f, " jvm method jtid=%" PRId64 " %s.%s%s%s", x ? (int64_t)x->u : -1,
				cls, method, sig, cut ? " (truncated)" : "");
		}
		break;
	case UT_OBJECT_ALLOC:
		names_str(&tp->prog, v, "arg1", "arg2", cls, sizeof(cls), &cut);
		x = fp_get(&tp->prog, v, "arg3");
		dur = x ? (uint64_t)(int64_t)x->u : 0;
		x = fp_get(&tp->prog, v, "arg0");
		if (jw) {
			jsonw_int_field(jw, "jtid", x ? (int64_t)x->u : -1);
			jsonw_string_field(jw, "class", cls);
			jsonw_uint_field(jw, "bytes", dur);
		} else {
			fprintf(f, " jvm alloc jtid=%" PRId64 " %s bytes=%" PRIu64,
				x ? (int64_t)x->u : -1, cls, dur);
		}
		break;
	}
out:
	if (jw) {
		jsonw_bool_field(jw, "fault", fault);
		jsonw_end_object(jw);
	} else {
		fprintf(f, "%s\n", fault ? " fault" : "");
	}
	return true;
}
