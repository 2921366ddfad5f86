// SPDX-License-Identifier: GPL-2.0
/*
 * Go map tracing: every map function of the binary's Go version (gover.c)
 * gets a uprobe after its stack-check prologue -- or on each RET when its
 * result is needed, since uretprobes crash Go programs -- and a fetch
 * program reading the goroutine id, the map's header and the key.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <search.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "go/gostate.h"
#include "go/gotrace.h"
#include "trace/kprobes.h"
#include "trace/format.h"

/*
 * The map fields every event carries: its address and a copy of its header
 * (len(), B or the directory, what its storage is computed from), for a
 * classic map mapextra.nextOverflow, and for a swiss make the capacity of
 * table 0 (every table's, in a map NewMap sized from a hint).
 */
static void gt_map_fields(struct gotrace *t, struct fprog *p, int m, const struct gover_func *f)
{
	const struct gover_layout *lay = t->lay;
	int v, w;

	fp_emit(p, "map", m, 8, false);
	fp_copy_at(p, "s_hdr", m, 0, lay->hdr_size);
	if (lay->impl == GOMAP_CLASSIC) {
		v = fp_load(p, m, lay->extra, 8, false);
		/* No mapextra: none preallocated. */
		w = fp_load_quiet(p, v, GOVER_MAPEXTRA_NEXT_OVERFLOW, 8);
		fp_emit(p, "s_next_overflow", w, 8, false);
	} else if (f->op == GOMAP_OP_MAKE) {
		v = fp_load(p, m, lay->dir_ptr, 8, false);
		/* Quiet: a small map has no directory, only a group. */
		w = fp_load_quiet(p, v, 0, 8);
		fp_free(p, v);
		v = w;
		w = fp_load_quiet(p, v, lay->tab_capacity, 2);
		fp_emit(p, "s_cap0", w, 2, false);
	} else {
		return;
	}
	fp_free(p, v);
	fp_free(p, w);
}

/*
 * The map type's sizes storage depends on: the bucket or group size and
 * flags after the abi.Type, and the key's and elem's Size_ and PtrBytes.
 * They are constant per map type, so a probe that fires per operation
 * (@full false) records only the map type's address, and mapwatchctl
 * learns the sizes once per type (gt_learn_type()): from a make's record,
 * or read from the process.
 */
static void gt_type_fields(struct gotrace *t, struct fprog *p, int mt, bool full)
{
	const struct gover_layout *lay = t->lay;
	int v;

	fp_emit(p, "s_maptype", mt, 8, false);
	if (!full)
		return;
	fp_copy_at(p, "s_tmap", mt,
		   lay->impl == GOMAP_CLASSIC ? lay->t_keysize : lay->t_group_size, 8);
	v = fp_load(p, mt, lay->t_key, 8, false);
	fp_copy_at(p, "s_tkey", v, 0, 16);
	fp_free(p, v);
	v = fp_load(p, mt, lay->t_elem, 8, false);
	fp_copy_at(p, "s_telem", v, 0, 16);
	fp_free(p, v);
}

/* A probe that fires per map operation (dump --budget windows those too). */
static bool gt_per_op(const struct gover_func *f)
{
	return f->op == GOMAP_OP_ASSIGN || f->op == GOMAP_OP_DELETE || (f->flags & GOVER_F_HOT);
}

/* The key size, from the map type: classic keysize byte, swiss key->Size_. */
static int gt_key_size(struct gotrace *t, struct fprog *p, int mt)
{
	int k, size;

	if (t->lay->t_keysize != GOVER_NONE)
		return fp_load(p, mt, t->lay->t_keysize, 1, false);
	k = fp_load(p, mt, t->lay->t_key, 8, false);
	size = fp_load(p, k, 0, 8, false);	/* abi.Type.Size_ is its first field */
	fp_free(p, k);
	return size;
}

static int gt_arg_index(const uint8_t *roles, unsigned int n, enum goarg role)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (roles[i] == role)
			return i;
	return -1;
}

/*
 * A program for @f's registers described by @roles (arguments or results),
 * probed at link-time address @va.
 */
static void gt_build(struct gotrace *t, struct fprog *p, const struct gover_func *f,
		     const uint8_t *roles, unsigned int n, uint64_t va, bool at_ret)
{
	uint16_t machine = t->info->machine;
	int g, v, keysize = -1, sp, fpr;
	unsigned int i;

	fp_init(p);
	g = fp_reg(p, gover_g_reg(machine));
	v = fp_load(p, g, t->g->goid, 8, false);
	fp_emit(p, "goid", v, 8, false);
	fp_free(p, v);
	fp_free(p, g);
	if ((f->flags & GOVER_F_NUMGC) && t->numgc_va) {
		/* A global: where the probe runs plus its link-time distance (PIE). */
		g = fp_pc(p, (int64_t)(t->numgc_va - va));
		v = fp_load(p, g, 0, 4, false);
		fp_emit(p, "numgc", v, 4, false);
		fp_free(p, v);
		fp_free(p, g);
	}

	if (f->op == GOMAP_OP_MAKE && at_ret && !gover_frame_regs(machine, &sp, &fpr)) {
		/*
		 * Where the map was made: the return address into the caller,
		 * the caller's own (a nested make's caller is the runtime), and
		 * where this probe runs, to undo a PIE's load bias.
		 */
		static const char *const rets[] = { "ret1", "ret2", "ret3" };
		int next;

		if (gover_link_reg(machine) >= 0) {
			v = fp_reg(p, gover_link_reg(machine));
			fp_emit(p, "ret0", v, 8, false);
			fp_free(p, v);
		} else {
			g = fp_reg(p, sp);
			v = fp_load(p, g, 0, 8, false);
			fp_emit(p, "ret0", v, 8, false);
			fp_free(p, v);
			fp_free(p, g);
		}
		/* Up the frame-pointer chain, quietly: it may end before. */
		g = fp_reg(p, fpr);
		for (i = 0; i < 3; i++) {
			v = fp_load_quiet(p, g, 8, 8);
			fp_emit(p, rets[i], v, 8, false);
			fp_free(p, v);
			if (i < 2) {
				next = fp_load_quiet(p, g, 0, 8);
				fp_free(p, g);
				g = next;
			}
		}
		fp_free(p, g);
		v = fp_pc(p, 0);
		fp_emit(p, "pc", v, 8, false);
		fp_free(p, v);
	}
	for (i = 0; i < n; i++) {
		int r, len;

		if (roles[i] == GOARG_NONE || roles[i] == GOARG_KEY_STR_LEN ||
		    roles[i] == GOARG_ELEM_PTR || roles[i] == GOARG_MAXALLOC)
			continue;
		r = fp_reg(p, gover_abi_reg(machine, i));
		switch (roles[i]) {
		case GOARG_MAP:
			gt_map_fields(t, p, r, f);
			break;
		case GOARG_MAPTYPE:
			gt_type_fields(t, p, r, !gt_per_op(f));
			/* Only a key passed by pointer needs its size. */
			if (gt_arg_index(roles, n, GOARG_KEY_PTR) >= 0)
				keysize = gt_key_size(t, p, r);
			break;
		case GOARG_TABLE:
			/* The table, and its entries and slots as the function begins. */
			fp_emit(p, "table", r, 8, false);
			v = fp_load(p, r, t->lay->tab_used, 2, false);
			fp_emit(p, "table_used", v, 2, false);
			fp_free(p, v);
			v = fp_load(p, r, t->lay->tab_capacity, 2, false);
			fp_emit(p, "table_capacity", v, 2, false);
			fp_free(p, v);
			break;
		case GOARG_KEY_PTR:
			fp_copy(p, "key", r, keysize, t->key_max);
			break;
		case GOARG_KEY_U32:
			fp_emit(p, "key", r, 4, false);
			break;
		case GOARG_KEY_U64:
		case GOARG_KEY_PTRVAL:
			fp_emit(p, "key", r, 8, false);
			break;
		case GOARG_KEY_STR_PTR:
			len = gt_arg_index(roles, n, GOARG_KEY_STR_LEN);
			len = len < 0 ? -1 : fp_reg(p, gover_abi_reg(machine, len));
			fp_copy(p, "key", r, len, t->key_max);
			fp_free(p, len);
			break;
		default:
			fp_emit(p, goarg_name(roles[i]), r, 8, roles[i] == GOARG_HINT);
			break;
		}
		fp_free(p, r);
	}
	fp_free(p, keysize);
}

static int gt_add(struct gotrace *t, const struct gover_func *f, bool at_ret, uint64_t off,
		  uint64_t va, struct mw_err *err)
{
	struct gotrace_probe *gp;
	void *n = realloc(t->probes, (t->nr + 1) * sizeof(*t->probes));

	if (!n)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	t->probes = n;
	gp = &t->probes[t->nr];
	memset(gp, 0, sizeof(*gp));
	gp->f = f;
	gp->at_ret = at_ret;
	gp->off = off;
	gp->va = va;
	gp->windowed = gt_per_op(f);
	if (at_ret)
		gt_build(t, &gp->prog, f, f->rets, GOVER_MAX_RETS, va, true);
	else
		gt_build(t, &gp->prog, f, f->args, GOVER_MAX_ARGS, va, false);
	if (gp->prog.error)
		return mw_err_set(err, MW_E_INVAL, "%s: %s", f->sym, gp->prog.error);
	t->nr++;
	return 0;
}

static int gt_plan(struct gotrace *t, bool hot, struct mw_err *err)
{
	unsigned int minor = t->info->go_minor, i, j;

	for (i = 0; i < gover_nr_funcs; i++) {
		const struct gover_func *f = &gover_funcs[i];
		const struct gobin_func *fn;
		struct gobin_probe pr;
		struct mw_err e;
		int ret = 0;

		if (!gover_func_applies(f, minor, t->info->map_impl))
			continue;
		if ((f->flags & GOVER_F_HOT) && !hot)
			continue;
		fn = gobin_func_by_name(t->gb, f->sym);
		if (!fn) {
			t->absent++;
			continue;
		}
		if (gobin_probe_func(t->gb, fn, &pr, &e))
			return mw_err_set(err, e.code, "%s: %s", f->sym, e.msg);
		if (f->flags & GOVER_F_RET) {
			if (pr.decode_error || !pr.nr_rets)
				ret = mw_err_set(err, MW_E_GO_CORRUPT,
						 "%s: its RET instructions could not be found",
						 f->sym);
			for (j = 0; !ret && j < pr.nr_rets; j++)
				ret = gt_add(t, f, true, pr.ret_offs[j], pr.rets[j], err);
		} else {
			ret = gt_add(t, f, false, pr.body_off, pr.body, err);
		}
		gobin_probe_release(&pr);
		if (ret)
			return ret;
	}
	if (!t->nr)
		return mw_err_set(err, MW_E_NO_FUNC,
				  "no map function of Go 1.%u found in the binary", minor);
	return 0;
}

static int gt_memstats_sym(void *ctx, const char *name, uint64_t addr, uint64_t size)
{
	(void)size;
	if (strcmp(name, "runtime.memstats"))
		return 0;
	*(uint64_t *)ctx = addr;
	return 1;
}

/* runtime.memstats.numgc's link-time address, if .symtab names memstats. */
static int gt_find_numgc(struct gotrace *t, struct mw_err *err)
{
	uint64_t memstats = 0;

	if (elfbin_for_each_symbol(gobin_elf(t->gb), STT_OBJECT, gt_memstats_sym, &memstats,
				   err) < 0)
		return -1;
	t->numgc_va = memstats ? memstats + t->rt->memstats_numgc : 0;
	return 0;
}

int gotrace_open(struct gotrace *t, const char *path, unsigned int key_max, bool hot,
		 struct mw_err *err)
{
	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->key_max = key_max;
	t->gb = gobin_open(path, err);
	if (!t->gb)
		return -1;
	t->info = gobin_info(t->gb);
	if (!gover_supported(t->info->go_major, t->info->go_minor)) {
		mw_err_set(err, MW_E_FORMAT, "%s: Go %s is not supported (Go 1.%u to 1.%u are)",
			   path, t->info->version, GOVER_MIN_MINOR, GOVER_MAX_MINOR);
		goto err_close;
	}
	t->lay = gover_layout(t->info->go_minor, t->info->map_impl);
	t->g = gover_g(t->info->go_minor);
	t->rt = gover_runtime(t->info->go_minor);
	if (!t->lay || !t->g || !t->rt) {
		mw_err_set(err, MW_E_FORMAT, "%s: no layout for Go %s with %s maps", path,
			   t->info->version, gomap_impl_name(t->info->map_impl));
		goto err_close;
	}
	if (gt_find_numgc(t, err))
		goto err_close;
	t->fd = open(path, O_RDONLY | O_CLOEXEC);
	if (t->fd < 0) {
		mw_err_set(err, MW_E_IO, "cannot open %s: %s", path, strerror(errno));
		goto err_close;
	}
	if (gt_plan(t, hot, err))
		goto err_close;
	return 0;

err_close:
	gotrace_close(t);
	return -1;
}

static int gt_attach_one(struct gotrace *t, struct mw_session *s, struct gotrace_probe *gp)
{
	return mw_uprobe_attach(s, t->fd, gp->off, 0, gp->prog.ops, gp->prog.nr_ops, 0, &gp->id);
}

int gotrace_attach(struct gotrace *t, struct mw_session *s)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		int ret = gt_attach_one(t, s, &t->probes[i]);

		if (ret)
			return ret;
	}
	t->ops_armed = true;
	return 0;
}

int gotrace_disarm(struct gotrace *t, struct mw_session *s)
{
	struct mapwatch_probe_counters pc;
	size_t i, first = t->nr_retired, n = 0;
	uint64_t *hits;
	uint32_t *ids, done = 0;
	int ret = -ENOMEM;

	/* Room for every probe: retired[] takes those of this disarm. */
	if (t->nr_retired + t->nr > t->max_retired) {
		void *grown = realloc(t->retired, (t->nr_retired + t->nr) * sizeof(*t->retired));

		if (!grown)
			return -ENOMEM;
		t->retired = grown;
		t->max_retired = t->nr_retired + t->nr;
	}
	ids = malloc(t->nr * sizeof(*ids) + 1);
	hits = malloc(t->nr * sizeof(*hits) + 1);
	if (!ids || !hits)
		goto out;
	for (i = 0; i < t->nr; i++) {
		struct gotrace_probe *gp = &t->probes[i];

		if (!gp->windowed || !gp->id)
			continue;
		/*
		 * Detached, its counters are gone: what it hit is kept here
		 * (read just before, the hits of the last instant are missed).
		 */
		hits[n] = mw_probe_counters(s, gp->id, &pc) ? 0 : pc.hits;
		ids[n] = gp->id;
		t->retired[first + n].id = gp->id;
		t->retired[first + n].idx = i;
		n++;
	}
	/*
	 * Together, all or none: one wait for the handlers of all (on 6.12+ a
	 * grace period each: one by one, a window's last probes stayed
	 * attached seconds longer under TCG).
	 */
	ret = mw_detach_ids(s, ids, n, &done);
	/* Those detached (all, or none but on a module before ABI 1.5) retire. */
	for (i = 0; i < done; i++) {
		struct gotrace_probe *gp = &t->probes[t->retired[first + i].idx];

		gp->hits_before += hits[i];
		gp->id = 0;
	}
	t->nr_retired += done;
	if (done)
		t->ops_unseen = true;
	if (!ret)
		t->ops_armed = false;
out:
	free(ids);
	free(hits);
	return ret;
}

int gotrace_arm(struct gotrace *t, struct mw_session *s)
{
	size_t i;

	for (i = 0; i < t->nr; i++) {
		struct gotrace_probe *gp = &t->probes[i];
		int ret;

		if (!gp->windowed || gp->id)
			continue;
		ret = gt_attach_one(t, s, gp);
		if (ret)
			return ret;
	}
	t->ops_armed = true;
	return 0;
}

size_t gotrace_window_more(struct gotrace *t)
{
	size_t i, n = 0;

	for (i = 0; i < t->nr; i++) {
		enum gomap_op op = t->probes[i].f->op;

		if ((op == GOMAP_OP_GROW || op == GOMAP_OP_MAKE || op == GOMAP_OP_CLEAR) &&
		    !t->probes[i].windowed) {
			t->probes[i].windowed = true;
			n++;
		}
	}
	return n;
}

void gotrace_window_open(struct gotrace *t, uint64_t from)
{
	unsigned int i = t->win_n++ % GOTRACE_WINDOWS;

	t->win[i].from = from;
	t->win[i].to = UINT64_MAX;
}

void gotrace_window_close(struct gotrace *t, uint64_t to)
{
	if (t->win_n)
		t->win[(t->win_n - 1) % GOTRACE_WINDOWS].to = to;
}

/*
 * The rings are drained in time order per CPU, but a window's last records
 * can still be read after the next window began: each is checked against
 * the last GOTRACE_WINDOWS, newest first.
 */
static bool in_window(const struct gotrace *t, uint64_t time_ns)
{
	uint64_t n = t->win_n < GOTRACE_WINDOWS ? t->win_n : GOTRACE_WINDOWS;
	uint64_t k;

	if (!t->win_n)
		return true;
	for (k = 1; k <= n; k++) {
		unsigned int i = (t->win_n - k) % GOTRACE_WINDOWS;

		if (time_ns >= t->win[i].from)
			return time_ns <= t->win[i].to;
	}
	return false;
}

void gotrace_retired_drained(struct gotrace *t)
{
	t->nr_retired = 0;
}

uint64_t gotrace_hits(const struct gotrace *t, struct mw_session *s, bool windowed)
{
	struct mapwatch_probe_counters pc;
	uint64_t hits = 0;
	size_t i;

	for (i = 0; i < t->nr; i++) {
		const struct gotrace_probe *gp = &t->probes[i];

		if (windowed && !gp->windowed)
			continue;
		hits += gp->hits_before;
		if (gp->id && !mw_probe_counters(s, gp->id, &pc))
			hits += pc.hits;
	}
	return hits;
}

void gotrace_close(struct gotrace *t)
{
	if (t->gb)
		gobin_close(t->gb);
	if (t->fd >= 0)
		close(t->fd);
	free(t->probes);
	free(t->retired);
	tdestroy(t->maps, free);
	tdestroy(t->types, free);
	while (t->nr_mem--)
		if (t->mem[t->nr_mem].fd >= 0)
			close(t->mem[t->nr_mem].fd);
	memset(t, 0, sizeof(*t));
	t->fd = -1;
}

const struct gotrace_probe *gotrace_probe(const struct gotrace *t, uint32_t id)
{
	size_t i;

	if (!id)
		return NULL;
	for (i = 0; i < t->nr; i++)
		if (t->probes[i].id == id)
			return &t->probes[i];
	for (i = 0; i < t->nr_retired; i++)
		if (t->retired[i].id == id)
			return &t->probes[t->retired[i].idx];
	return NULL;
}

static bool gt_is_outer(const struct gover_func *nested, const struct gover_func *f)
{
	const char *o = nested->outer;
	size_t n = strlen(f->sym);

	while (o && *o) {
		if (!strncmp(o, f->sym, n) && (o[n] == ' ' || !o[n]))
			return true;
		o = strchr(o, ' ');
		o = o ? o + 1 : NULL;
	}
	return false;
}

static bool gt_nests(const struct gover_func *inner, const struct gover_func *outer)
{
	return (inner->flags & GOVER_F_NESTED) && gt_is_outer(inner, outer);
}

/*
 * A nested function (swiss (*Map).Delete under runtime.mapdelete*, NewMap
 * under runtime.makemap, ...) repeats the event of its caller on the same
 * goroutine and map, just after it (entry probes) or just before it (RET
 * probes): keep the first of the two.  Reached another way (reflect, json),
 * the nested function's event stands alone and is kept.  Pairs are of one
 * op, and growth events are tracked apart from the others: a clone's growth
 * (1.24: NewMap, growToSmall, then maps.clone's return) sits between the
 * two events of its make pair.
 */
static bool gt_nested_repeat(struct gotrace *t, const struct gover_func *f, uint64_t goid,
			     uint64_t map)
{
	struct gotrace_last *l = &t->last[goid % GOTRACE_LAST][f->op == GOMAP_OP_GROW];
	bool repeat = l->f && l->goid == goid && l->map == map &&
		      (gt_nests(f, l->f) || gt_nests(l->f, f));

	if (repeat) {
		l->f = NULL;	/* a pair is two events: the next one starts afresh */
		return true;
	}

	l->goid = goid;
	l->f = f;
	l->map = map;
	return false;
}

static void gt_print_key(FILE *out, json_writer_t *jw, const struct gotrace_probe *gp,
			 const struct fp_value *k)
{
	char buf[2 * MAPWATCH_MAX_PAYLOAD + 3];
	enum goarg role = GOARG_NONE;
	unsigned int i;
	bool str;

	for (i = 0; i < GOVER_MAX_ARGS; i++)
		if (gp->f->args[i] >= GOARG_KEY_PTR && gp->f->args[i] <= GOARG_KEY_STR_PTR)
			role = gp->f->args[i];
	if (!k->bytes) {
		if (role == GOARG_KEY_PTRVAL)
			snprintf(buf, sizeof(buf), "0x%" PRIx64, k->u);
		else
			snprintf(buf, sizeof(buf), "%" PRIu64, k->u);
		if (jw)
			jsonw_string_field(jw, "key", buf);
		else
			fprintf(out, " key=%s", buf);
		return;
	}
	str = role == GOARG_KEY_STR_PTR;
	if (str) {
		snprintf(buf, sizeof(buf), "%.*s", (int)k->len, (const char *)k->bytes);
		for (i = 0; buf[i]; i++)
			if ((unsigned char)buf[i] < 0x20)
				buf[i] = '?';
	} else {
		size_t n = 0;

		n += snprintf(buf, sizeof(buf), "0x");
		for (i = 0; i < k->len; i++)
			n += snprintf(buf + n, sizeof(buf) - n, "%02x", k->bytes[i]);
	}
	if (jw)
		jsonw_string_field(jw, str ? "key" : "key_bytes", buf);
	else if (str)
		fprintf(out, " key=\"%s\"", buf);
	else
		fprintf(out, " key=%s", buf);
}

/* The runtime's own code, maps.clone (runtime.mapclone's linkname) too. */
static bool gt_runtime_func(const char *name)
{
	return !strncmp(name, "runtime.", 8) || !strncmp(name, "internal/runtime/", 17) ||
	       !strcmp(name, "maps.clone");
}

/*
 * The function a make event's map was made in: the first of its caller and
 * three more up the frame-pointer chain that is not the runtime's (a
 * NewMap nested in runtime.makemap, a classic clone's makemap in
 * runtime.mapclone2 in maps.clone), else the caller.  NULL when the
 * event has no return addresses (arm64) or they are in no known function.
 */
static const char *gt_made_at(struct gotrace *t, const struct gotrace_probe *gp,
			      const struct fp_value *v)
{
	const struct fp_value *pc = fp_get(&gp->prog, v, "pc");
	const char *first = NULL;
	const char *names[4] = { "ret0", "ret1", "ret2", "ret3" };
	unsigned int i;

	if (!pc)
		return NULL;
	for (i = 0; i < 4; i++) {
		const struct fp_value *r = fp_get(&gp->prog, v, names[i]);
		const struct gobin_func *fn;

		if (!r || !r->u)
			continue;
		/* Link-time address of the call instruction (just before the return). */
		fn = gobin_func_at(t->gb, r->u - pc->u + gp->va - 1);
		if (!fn)
			continue;
		if (!gt_runtime_func(fn->name))
			return fn->name;
		if (!first)
			first = fn->name;
	}
	return first;
}

/*
 * A GC or scavenger event: {"type":"gc","op":"start"|"mark_end"|"end",
 * "cycle":N} or {"type":"scavenge","op":"release","addr":A,"len":N}.  The
 * cycle number comes from memstats.numgc (completed cycles): the running
 * cycle's is one more until its end.  Without .symtab there is none.
 */
static void gt_print_runtime(const struct gotrace_probe *gp, const struct mapwatch_rec_event *ev,
			     const struct fp_value *v, const struct fp_value *goid, FILE *out,
			     json_writer_t *jw)
{
	const struct fp_value *numgc = fp_get(&gp->prog, v, "numgc");
	const struct fp_value *addr = fp_get(&gp->prog, v, "addr");
	const struct fp_value *len = fp_get(&gp->prog, v, "len");
	const char *type = gp->f->op == GOMAP_OP_RELEASE ? TRACE_SCAVENGE : TRACE_GC;
	bool fault = ev->hdr.flags & MAPWATCH_RECF_FAULT;
	uint64_t cycle = 0;

	if (numgc)
		cycle = numgc->u + (gp->f->op != GOMAP_OP_GC_END);
	if (jw) {
		event_head_json(jw, type, ev);
		jsonw_uint_field(jw, "goid", goid->u);
		jsonw_string_field(jw, "op", gomap_op_name(gp->f->op));
		jsonw_string_field(jw, "func", gp->f->sym);
		jsonw_bool_field(jw, "fault", fault);
		if (numgc)
			jsonw_uint_field(jw, "cycle", cycle);
		if (addr)
			jsonw_uint_field(jw, "addr", addr->u);
		if (len)
			jsonw_uint_field(jw, "len", len->u);
		jsonw_end_object(jw);
		return;
	}
	event_head_plain(out, ev);
	fprintf(out, " g%" PRIu64 " %s %s", goid->u, type, gomap_op_name(gp->f->op));
	if (numgc)
		fprintf(out, " cycle=%" PRIu64, cycle);
	if (addr)
		fprintf(out, " addr=0x%" PRIx64, addr->u);
	if (len)
		fprintf(out, " len=%" PRIu64, len->u);
	fprintf(out, "%s\n", fault ? " fault" : "");
}

/* The map's address, then len() and B (classic) or the directory's length (swiss). */
static void gt_print_map(struct gotrace *t, FILE *out, json_writer_t *jw, uint64_t addr,
			 const struct gostore_hdr *h)
{
	const char *size = t->lay->impl == GOMAP_CLASSIC ? "B" : "dirlen";
	uint64_t sv = h ? (t->lay->impl == GOMAP_CLASSIC ? h->B : h->dir_len) : 0;

	if (jw) {
		jsonw_uint_field(jw, "map", addr);
		jsonw_uint_field(jw, "count", h ? h->count : 0);
		jsonw_uint_field(jw, size, sv);
	} else {
		fprintf(out, " map=0x%" PRIx64 " count=%" PRIu64 " %s=%" PRIu64, addr,
			h ? h->count : 0, size, sv);
	}
}

static int gt_map_cmp(const void *a, const void *b)
{
	const struct gotrace_map *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * The state of map @addr of process @tgid, made on first sight (*@created
 * then true); NULL without memory.
 */
static struct gotrace_map *gt_map(struct gotrace *t, uint32_t tgid, uint64_t addr,
				  bool *created)
{
	struct gotrace_map key = { .tgid = tgid, .addr = addr }, *m, **found;

	*created = false;
	found = tfind(&key, &t->maps, gt_map_cmp);
	if (found)
		return *found;
	*created = true;
	m = calloc(1, sizeof(*m));
	if (!m)
		return NULL;
	*m = key;
	found = tsearch(m, &t->maps, gt_map_cmp);
	if (!found || *found != m) {
		free(m);
		return found ? *found : NULL;
	}
	return m;
}

/* /proc/@tgid/mem, opened once per process; -errno if it cannot be. */
static int gt_mem(struct gotrace *t, uint32_t tgid)
{
	unsigned int i;

	for (i = 0; i < t->nr_mem; i++)
		if (t->mem[i].tgid == tgid)
			return t->mem[i].fd;
	if (t->nr_mem == GOTRACE_MEMS)
		return -EMFILE;
	t->mem[t->nr_mem].tgid = tgid;
	t->mem[t->nr_mem].fd = gostate_open(tgid);
	return t->mem[t->nr_mem++].fd;
}

static uint64_t gt_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * A swiss map first seen after its make (made before the attach): its
 * tables are read from the process, if its seed says it is still the
 * map the event saw.  Growth events older than the read are in it.
 */
static void gt_read_tables(struct gotrace *t, struct gotrace_map *m, const struct gostore_hdr *h)
{
	struct gostore_tables tabs;
	struct gostore_hdr now;
	uint64_t ns = gt_now_ns();
	int fd = gt_mem(t, m->tgid);

	if (fd < 0 || gostate_read(fd, t->lay, m->addr, &now, &tabs) || now.seed != h->seed)
		return;
	m->tables = tabs;
	m->tables_read_ns = ns;
	t->tables_read++;
}

/* The sizes from the map type's bytes: @tm at t_keysize or t_group_size, key, elem. */
static void gt_parse_type(struct gotrace *t, const uint8_t *tm, const uint8_t *tk,
			  const uint8_t *te, struct gostore_type *ty)
{
	uint16_t bs;
	uint32_t fl;

	memset(ty, 0, sizeof(*ty));
	if (t->lay->impl == GOMAP_CLASSIC) {
		/* keysize u8, elemsize u8, bucketsize u16, flags u32 from t_keysize */
		memcpy(&bs, tm + (t->lay->t_bucketsize - t->lay->t_keysize), 2);
		memcpy(&fl, tm + (t->lay->t_flags - t->lay->t_keysize), 4);
		ty->bucket_size = bs;
		ty->tflags = fl;
	} else {
		memcpy(&ty->group_size, tm, 8);
	}
	memcpy(&ty->key_size, tk, 8);
	memcpy(&ty->key_ptrbytes, tk + 8, 8);
	memcpy(&ty->elem_size, te, 8);
	memcpy(&ty->elem_ptrbytes, te + 8, 8);
	ty->known = true;
}

/* A map type learnt, by process and address (types are per binary, PIE or not). */
struct gt_type {
	uint32_t tgid;
	uint64_t addr;
	struct gostore_type ty;
};

static int gt_type_cmp(const void *a, const void *b)
{
	const struct gt_type *x = a, *y = b;

	if (x->tgid != y->tgid)
		return x->tgid < y->tgid ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static void gt_type_keep(struct gotrace *t, uint32_t tgid, uint64_t addr,
			 const struct gostore_type *ty)
{
	struct gt_type key = { .tgid = tgid, .addr = addr }, *n, **found;

	found = tfind(&key, &t->types, gt_type_cmp);
	if (found) {
		(*found)->ty = *ty;
		return;
	}
	n = malloc(sizeof(*n));
	if (!n)
		return;
	*n = key;
	n->ty = *ty;
	if (!tsearch(n, &t->types, gt_type_cmp))
		free(n);
}

/* The map type at @addr in @tgid, read from the process; 0, or -1. */
static int gt_type_read(struct gotrace *t, uint32_t tgid, uint64_t addr, struct gostore_type *ty)
{
	const struct gover_layout *lay = t->lay;
	uint8_t tm[8], tk[16], te[16];
	uint64_t kp, ep;
	int fd = gt_mem(t, tgid);

	if (fd < 0 ||
	    pread(fd, tm, 8, addr + (lay->impl == GOMAP_CLASSIC ? lay->t_keysize :
								   lay->t_group_size)) != 8 ||
	    pread(fd, &kp, 8, addr + lay->t_key) != 8 || pread(fd, &ep, 8, addr + lay->t_elem) != 8 ||
	    pread(fd, tk, 16, kp) != 16 || pread(fd, te, 16, ep) != 16)
		return -1;
	gt_parse_type(t, tm, tk, te, ty);
	t->types_read++;
	return 0;
}

/*
 * The map type's sizes: from an event that read them (a make, a clear, a
 * growth; not a faulted one), kept for the type; else, for a map whose
 * type is not known yet, the type kept or read from the process.
 */
static void gt_learn_type(struct gotrace *t, const struct gotrace_probe *gp,
			  const struct fp_value *v, struct gotrace_map *m)
{
	const struct fp_value *mt = fp_get(&gp->prog, v, "s_maptype");
	const struct fp_value *tm = fp_get(&gp->prog, v, "s_tmap");
	const struct fp_value *tk = fp_get(&gp->prog, v, "s_tkey");
	const struct fp_value *te = fp_get(&gp->prog, v, "s_telem");
	struct gt_type key, **found;

	if (tm && tk && te && tm->len >= 8 && tk->len >= 16 && te->len >= 16) {
		gt_parse_type(t, tm->bytes, tk->bytes, te->bytes, &m->type);
		m->type_addr = mt ? mt->u : 0;
		if (mt)
			gt_type_keep(t, m->tgid, mt->u, &m->type);
		return;
	}
	/*
	 * The type this map was learnt with, unless the address now holds a
	 * map of another type (a map on a goroutine's stack is made with no
	 * runtime call, so with no make event).
	 */
	if (!mt || !mt->u || (m->type.known && mt->u == m->type_addr))
		return;
	m->type_addr = mt->u;
	key.tgid = m->tgid;
	key.addr = mt->u;
	found = tfind(&key, &t->types, gt_type_cmp);
	if (found) {
		m->type = (*found)->ty;
		return;
	}
	/* Kept either way: a type that cannot be read is not read again. */
	if (gt_type_read(t, m->tgid, mt->u, &m->type))
		memset(&m->type, 0, sizeof(m->type));
	gt_type_keep(t, m->tgid, mt->u, &m->type);
}

/*
 * A make: the address holds a new map.  A swiss map's tables: none while
 * small, else dirLen tables of table 0's capacity -- NewMap sizes them
 * all alike; a clone copies its source's, which may differ: estimated.
 */
static void gt_map_made(struct gotrace *t, const struct gotrace_probe *gp,
			const struct fp_value *v, const struct gostore_hdr *h,
			struct gotrace_map *m)
{
	const struct fp_value *cap0 = fp_get(&gp->prog, v, "s_cap0");
	struct gostore_tables *tabs = &m->tables;

	memset(&m->type, 0, sizeof(m->type));
	memset(tabs, 0, sizeof(*tabs));
	if (t->lay->impl != GOMAP_SWISS)
		return;
	tabs->known = !h->dir_len || cap0;
	if (h->dir_len && cap0) {
		tabs->tables = h->dir_len;
		tabs->capacity = h->dir_len * cap0->u;
		tabs->estimated = h->dir_len > 1 && !strcmp(gp->f->variant, "clone");
	}
}

/* Growth that changes a swiss map's tables, after the event's figure. */
static void gt_map_grown(const struct gotrace_probe *gp, const struct fp_value *v,
			 const struct mapwatch_rec_event *ev, struct gotrace_map *m)
{
	const struct fp_value *tcap = fp_get(&gp->prog, v, "table_capacity");

	if (gp->f->op != GOMAP_OP_GROW || ev->time_ns < m->tables_read_ns)
		return;
	if (!strcmp(gp->f->variant, "to_table"))
		gostore_swiss_to_table(&m->tables);
	else if (!strcmp(gp->f->variant, "rehash") && tcap && m->tables.known)
		gostore_swiss_rehash(&m->tables, tcap->u);
}

bool gotrace_print(struct gotrace *t, const struct gotrace_probe *gp,
		   const struct mapwatch_rec_event *ev, FILE *out, json_writer_t *jw)
{
	struct fp_value v[FP_MAX_FIELDS];
	const struct fp_value *goid, *map, *hdr;
	struct gotrace_map *m;
	struct gostore_hdr h;
	struct gostore_bytes bytes;
	bool have_hdr, repeat, have_bytes, created = false;
	const char *at;
	unsigned int i;

	/*
	 * --budget attaches and detaches the windowed probes one by one: an
	 * event outside the window they were all attached in (assigns before
	 * the deletes were in, say) would be a stream with holes.  Dropped,
	 * and counted.
	 */
	if (gp->windowed && !in_window(t, ev->time_ns)) {
		t->outside_window++;
		return false;
	}

	if (fp_decode(&gp->prog, mw_event_payload(ev), ev->payload_size, v)) {
		if (jw) {
			event_head_json(jw, TRACE_ERROR, ev);
			jsonw_string_field(jw, "func", gp->f->sym);
			jsonw_string_field(jw, "error", "payload does not match the probe");
			jsonw_end_object(jw);
		} else {
			fprintf(out, "%u/%u %s: payload does not match the probe\n", ev->tgid,
				ev->tid, gp->f->sym);
		}
		return true;
	}
	goid = fp_get(&gp->prog, v, "goid");
	map = fp_get(&gp->prog, v, "map");
	if (!GOMAP_OP_IS_MAP(gp->f->op)) {
		gt_print_runtime(gp, ev, v, goid, out, jw);
		return true;
	}
	hdr = fp_get(&gp->prog, v, "s_hdr");
	have_hdr = hdr && !gostore_parse_hdr(t->lay, hdr->bytes, hdr->len, &h);
	repeat = gt_nested_repeat(t, gp->f, goid->u, map ? map->u : 0);
	/* A faulted record's fields may be zeros: no storage from it. */
	m = have_hdr && map->u && !(ev->hdr.flags & MAPWATCH_RECF_FAULT) ?
	    gt_map(t, ev->tgid, map->u, &created) : NULL;
	if (m) {
		/* Opened while the process is surely the one traced, not a later one. */
		if (created)
			gt_mem(t, m->tgid);
		if (gp->f->op == GOMAP_OP_MAKE && !repeat)
			gt_map_made(t, gp, v, &h, m);
		else if (created && t->lay->impl == GOMAP_SWISS)
			gt_read_tables(t, m, &h);
		gt_learn_type(t, gp, v, m);
		/*
		 * A clear draws a new seed after the header was read, and so
		 * does a delete that empties the map (the runtime's defence
		 * against collision attacks): unknown from then on.
		 */
		m->seed = h.seed;
		m->seed_known = gp->f->op != GOMAP_OP_CLEAR &&
				!(gp->f->op == GOMAP_OP_DELETE && h.count <= 1);
	}
	if (repeat) {
		t->nested_dropped++;
		return false;
	}
	have_bytes = m && !gostore_bytes(t->info->go_minor, t->lay, &m->type, &h, &m->tables,
					 &bytes);
	if (m)
		gt_map_grown(gp, v, ev, m);
	if (jw) {
		event_head_json(jw, TRACE_MAP, ev);
		jsonw_uint_field(jw, "goid", goid->u);
		jsonw_string_field(jw, "op", gomap_op_name(gp->f->op));
		jsonw_string_field(jw, "variant", gp->f->variant);
		jsonw_string_field(jw, "func", gp->f->sym);
		jsonw_bool_field(jw, "fault", ev->hdr.flags & MAPWATCH_RECF_FAULT);
	} else {
		event_head_plain(out, ev);
		fprintf(out, " g%" PRIu64 " %s/%s", goid->u, gomap_op_name(gp->f->op),
			gp->f->variant);
	}
	at = gt_made_at(t, gp, v);
	if (at) {
		if (jw)
			jsonw_string_field(jw, "at", at);
		else
			fprintf(out, " at=%s", at);
	}
	for (i = 0; i < gp->prog.nr_fields; i++) {
		const struct fp_value *f = &v[i];
		const char *name = f->field->name;

		if (f == goid || !strncmp(name, "ret", 3) || !strcmp(name, "pc") ||
		    !strncmp(name, "s_", 2))
			continue;
		if (!strcmp(name, "key")) {
			gt_print_key(out, jw, gp, f);
		} else if (!strcmp(name, "map")) {
			gt_print_map(t, out, jw, f->u, have_hdr ? &h : NULL);
		} else if (jw) {
			jsonw_uint_field(jw, name, f->u);
		} else if (!strcmp(name, "table") || !strcmp(name, "table_left") ||
			   !strcmp(name, "table_right") || !strcmp(name, "map_in")) {
			fprintf(out, " %s=0x%" PRIx64, name, f->u);	/* pointers */
		} else {
			fprintf(out, " %s=%" PRIu64, name, f->u);
		}
	}
	if (have_bytes && jw) {
		jsonw_uint_field(jw, "bytes", bytes.bytes);
		if (bytes.estimated)
			jsonw_bool_field(jw, "bytes_estimated", true);
	} else if (have_bytes) {
		fprintf(out, " bytes=%s%" PRIu64, bytes.estimated ? "~" : "", bytes.bytes);
	}
	if (jw)
		jsonw_end_object(jw);
	else
		fprintf(out, "%s\n", ev->hdr.flags & MAPWATCH_RECF_FAULT ? " fault" : "");
	return true;
}

struct gt_walk {
	struct gotrace_map **maps;
	size_t nr, cap;
};

static void gt_collect(const void *node, VISIT which, void *ctx)
{
	struct gt_walk *w = ctx;
	struct gotrace_map **grown;

	if (which != postorder && which != leaf)
		return;
	if (w->nr == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 64;

		grown = realloc(w->maps, cap * sizeof(*w->maps));
		if (!grown)
			return;		/* the maps so far; the rest not read */
		w->maps = grown;
		w->cap = cap;
	}
	w->maps[w->nr++] = *(struct gotrace_map *const *)node;
}

static void gt_state_plain(FILE *f, uint64_t now_ns, const struct gotrace_map *m,
			   const char *state, const struct gostore_hdr *h,
			   const struct gostore_tables *tabs, const struct gostore_bytes *b)
{
	fprintf(f, "%" PRIu64 " %u map_state map=0x%" PRIx64 " %s", now_ns, m->tgid, m->addr,
		state);
	if (strcmp(state, TRACE_STATE_LIVE)) {
		fputc('\n', f);
		return;
	}
	fprintf(f, " count=%" PRIu64, h->count);
	if (tabs->known)
		fprintf(f, " dirlen=%" PRIu64 " tables=%" PRIu64 " capacity=%" PRIu64,
			h->dir_len, tabs->tables, tabs->capacity);
	else
		fprintf(f, " B=%u", h->B);
	if (b)
		fprintf(f, " bytes=%s%" PRIu64, b->estimated ? "~" : "", b->bytes);
	fputc('\n', f);
}

static void gt_state_json(json_writer_t *jw, uint64_t now_ns, const struct gotrace_map *m,
			  const char *state, const struct gostore_hdr *h,
			  const struct gostore_tables *tabs, const struct gostore_bytes *b)
{
	jsonw_start_object(jw);
	jsonw_string_field(jw, "type", TRACE_MAP_STATE);
	jsonw_uint_field(jw, "time_ns", now_ns);
	jsonw_uint_field(jw, "pid", m->tgid);
	jsonw_uint_field(jw, "map", m->addr);
	jsonw_string_field(jw, "state", state);
	if (!strcmp(state, TRACE_STATE_LIVE)) {
		jsonw_uint_field(jw, "count", h->count);
		if (tabs->known) {
			jsonw_uint_field(jw, "dirlen", h->dir_len);
			jsonw_uint_field(jw, "tables", tabs->tables);
			jsonw_uint_field(jw, "capacity", tabs->capacity);
		} else {
			jsonw_uint_field(jw, "B", h->B);
		}
		if (b) {
			jsonw_uint_field(jw, "bytes", b->bytes);
			if (b->estimated)
				jsonw_bool_field(jw, "bytes_estimated", true);
		}
	}
	jsonw_end_object(jw);
}

static void gt_states(struct gotrace *t, uint64_t now_ns, FILE *f, json_writer_t *jw,
		      struct gotrace_final *res, bool during)
{
	struct gt_walk w = {};
	size_t i;

	size_t n, first = 0;

	memset(res, 0, sizeof(*res));
	twalk_r(t->maps, gt_collect, &w);
	n = w.nr;
	/*
	 * During the trace, a bounded number a round, the next ones the next
	 * round: a server makes maps by the thousand a second, and a map the
	 * program dropped reads as live until its memory is reused.
	 */
	if (during && n > GOTRACE_STATES_MAX) {
		first = t->states_cursor % w.nr;
		n = GOTRACE_STATES_MAX;
		t->states_cursor = first + n;
	}
	for (i = 0; i < n; i++) {
		struct gotrace_map *m = w.maps[(first + i) % w.nr];
		struct gostore_tables tabs;
		struct gostore_bytes b;
		struct gostore_hdr h;
		const char *state;
		bool have_bytes;
		int fd = gt_mem(t, m->tgid), ret;
		uint64_t read_ns = gt_now_ns();

		ret = fd < 0 ? fd : gostate_read(fd, t->lay, m->addr, &h, &tabs);
		/* Read while the program changed it (a directory replaced): again. */
		if (ret == -EBADMSG)
			ret = gostate_read(fd, t->lay, m->addr, &h, &tabs);
		/*
		 * A new seed says another map only if every clear and every
		 * delete was seen (each may draw one): not between --budget's
		 * windows, nor after them.
		 */
		if (ret == -EBADMSG ||
		    (!ret && m->seed_known && h.seed != m->seed && !t->ops_unseen)) {
			state = TRACE_STATE_REUSED;
			res->reused++;
		} else if (ret) {
			/* exited, unmapped, or too big to read: nothing to say of it now */
			res->gone++;
			continue;
		} else {
			state = TRACE_STATE_LIVE;
			res->live++;
		}
		have_bytes = !ret && !gostore_bytes(t->info->go_minor, t->lay, &m->type, &h,
						    tabs.known ? &tabs : &m->tables, &b);
		if (jw)
			gt_state_json(jw, now_ns, m, state, &h, &tabs, have_bytes ? &b : NULL);
		else
			gt_state_plain(f, now_ns, m, state, &h, &tabs, have_bytes ? &b : NULL);
		if (!during)
			continue;
		if (strcmp(state, TRACE_STATE_LIVE)) {
			/* Another map, or none: a map made here later starts afresh. */
			tdelete(m, &t->maps, gt_map_cmp);
			free(m);
			continue;
		}
		/* What the header says now is what the next events build on. */
		if (tabs.known)
			m->tables = tabs;
		m->seed = h.seed;
		m->seed_known = true;
		m->tables_read_ns = read_ns;
	}
	free(w.maps);
}

void gotrace_final(struct gotrace *t, uint64_t now_ns, FILE *f, json_writer_t *jw,
		   struct gotrace_final *res)
{
	gt_states(t, now_ns, f, jw, res, false);
}

void gotrace_states(struct gotrace *t, uint64_t now_ns, FILE *f, json_writer_t *jw,
		    struct gotrace_final *res)
{
	gt_states(t, now_ns, f, jw, res, true);
}
