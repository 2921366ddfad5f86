// SPDX-License-Identifier: GPL-2.0
/* tools/fuzz/gobin_exercise.c - see gobin_exercise.h. */
#include <stdlib.h>
#include <string.h>

#include "gobin_exercise.h"

static int count_sym(void *ctx, const char *name, uint64_t addr, uint64_t size)
{
	size_t *n = ctx;

	(void)addr;
	(void)size;
	*n += strlen(name) > 0;
	return 0;
}

static void probe(struct gobin *gb, const struct gobin_func *fn)
{
	struct gobin_probe p;
	struct mw_err err;
	uint64_t off;
	unsigned int i;

	if (!fn)
		return;
	/* what symbols prints for a function */
	if (gobin_probe_func(gb, fn, &p, &err))
		return;
	for (i = 0; i < p.nr_rets; i++)
		if (gobin_file_offset(gb, p.rets[i], &off) || off != p.ret_offs[i])
			abort();	/* the offsets it handed out must agree */
	gobin_probe_release(&p);
}

void fz_gobin_exercise(struct gobin *gb)
{
	static const char *const names[] = {
		"runtime.makemap", "runtime.mapassign", "internal/runtime/maps.NewMap",
		"runtime.morestack_noctxt", "main.main", "runtime.gcStart",
	};
	const struct gobin_info *in = gobin_info(gb);
	const struct gobin_func *f, *pf;
	struct mw_err e;
	size_t n, pn, i, syms = 0;

	f = gobin_funcs(gb, &n);
	pf = gobin_pclntab_funcs(gb, &pn);
	if (n != in->nr_funcs)
		abort();
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		probe(gb, gobin_func_by_name(gb, names[i]));
	if (n) {
		probe(gb, &f[0]);
		probe(gb, &f[n / 2]);
		probe(gb, &f[n - 1]);
		gobin_func_at(gb, f[n / 2].addr + 1);
		gobin_func_at(gb, f[n - 1].addr + f[n - 1].size);
		gobin_func_at(gb, 0);
	}
	if (pn)
		gobin_func_at(gb, pf[pn - 1].addr);
	gobin_func_at(gb, in->text_start);
	elfbin_for_each_symbol(gobin_elf(gb), STT_OBJECT, count_sym, &syms, &e);
}

void fz_gobin_open_exercise(void *elf, size_t len,
			    void (*check)(struct gobin *gb))
{
	struct mw_err err = { .code = MW_OK };
	struct gobin *gb = gobin_open_mem(elf, len, &err);

	if (!gb) {
		if (!err.code || !err.msg[0])
			abort();
		return;
	}
	if (check)
		check(gb);
	fz_gobin_exercise(gb);
	gobin_close(gb);
}
