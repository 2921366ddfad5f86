// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/symbols.c - mapwatchctl symbols: what would be probed in a Go
 * binary, without attaching anything.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "go/gobin.h"
#include "go/gotrace.h"
#include "go/gover.h"
#include "main.h"

static int symbols_help(void)
{
	help_print(
		"Usage: %1$s symbols PATH [FUNC]...\n"
		"\n"
		"Read the Go binary PATH and show what '%1$s dump' would probe: Go version,\n"
		"GOEXPERIMENTs, map implementation, PIE, stripped; then, for each map\n"
		"function of that Go version, its address, file offset, the probe offset\n"
		"after the stack-check prologue, its RET offsets and what its argument\n"
		"registers hold.  Functions the binary lacks (not linked, or inlined) are\n"
		"listed as absent.  With FUNC names, analyse those functions instead\n"
		"(exit status 1 if one is not in PATH).\n"
		"Offsets are file offsets, as uprobes take them.\n",
		bin_name);
	return 0;
}

static void hex_field(const char *name, uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	jsonw_string_field(json_wtr, name, buf);
}

static void hex_value(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	jsonw_string(json_wtr, buf);
}

static const char *pclntab_name(unsigned int format)
{
	switch (format) {
	case 102:	return "1.2";
	case 116:	return "1.16";
	case 118:	return "1.18";
	case 120:	return "1.20";
	default:	return NULL;
	}
}

/* Space-separated names in S, as a JSON array. */
static void json_word_array(const char *name, const char *s)
{
	char word[128];

	jsonw_name(json_wtr, name);
	jsonw_start_array(json_wtr);
	while (s && *s) {
		size_t n = strcspn(s, " ,");

		if (n && n < sizeof(word)) {
			memcpy(word, s, n);
			word[n] = 0;
			jsonw_string(json_wtr, word);
		}
		s += n;
		s += strspn(s, " ,");
	}
	jsonw_end_array(json_wtr);
}

static void header_plain(const char *path, const struct gobin_info *in)
{
	printf("binary:       %s\n", path);
	printf("go version:   %s%s%s\n", in->version, *in->experiments ? "  experiments: " : "",
	       in->experiments);
	printf("arch:         %s\n", in->goarch);
	printf("pie:          %s\n", in->pie ? "yes" : "no");
	printf("stripped:     %s (functions from %s)\n", in->stripped ? "yes" : "no",
	       in->stripped ? ".gopclntab" : ".symtab");
	printf("cgo:          %s\n", in->cgo < 0 ? "not recorded" : in->cgo ? "yes" : "no");
	printf("maps:         %s (version says %s, functions say %s)\n",
	       gomap_impl_name(in->map_impl), gomap_impl_name(in->map_impl_version),
	       gomap_impl_name(in->map_impl_symbols));
	if (in->map_impl_note)
		printf("              note: %s\n", in->map_impl_note);
	if (in->pclntab_format)
		printf("pclntab:      Go %s format at 0x%" PRIx64 ", text at 0x%" PRIx64 "\n",
		       pclntab_name(in->pclntab_format), in->pclntab_addr, in->text_start);
	printf("functions:    %zu\n", in->nr_funcs);
}

static void header_json(const char *path, const struct gobin_info *in)
{
	jsonw_string_field(json_wtr, "path", path);
	jsonw_string_field(json_wtr, "go_version", in->version);
	jsonw_uint_field(json_wtr, "go_major", in->go_major);
	jsonw_uint_field(json_wtr, "go_minor", in->go_minor);
	jsonw_uint_field(json_wtr, "go_patch", in->go_patch);
	json_word_array("experiments", in->experiments);
	jsonw_string_field(json_wtr, "goarch", in->goarch);
	jsonw_bool_field(json_wtr, "pie", in->pie);
	jsonw_bool_field(json_wtr, "stripped", in->stripped);
	jsonw_string_field(json_wtr, "functions_from", in->stripped ? ".gopclntab" : ".symtab");
	jsonw_name(json_wtr, "cgo");
	if (in->cgo < 0)
		jsonw_null(json_wtr);
	else
		jsonw_bool(json_wtr, in->cgo);
	jsonw_string_field(json_wtr, "map_impl", gomap_impl_name(in->map_impl));
	jsonw_string_field(json_wtr, "map_impl_version", gomap_impl_name(in->map_impl_version));
	jsonw_string_field(json_wtr, "map_impl_symbols", gomap_impl_name(in->map_impl_symbols));
	jsonw_name(json_wtr, "map_impl_note");
	if (in->map_impl_note)
		jsonw_string(json_wtr, in->map_impl_note);
	else
		jsonw_null(json_wtr);
	jsonw_name(json_wtr, "pclntab_format");
	if (in->pclntab_format)
		jsonw_string(json_wtr, pclntab_name(in->pclntab_format));
	else
		jsonw_null(json_wtr);
	if (in->pclntab_format) {
		hex_field("pclntab_address", in->pclntab_addr);
		hex_field("text_start", in->text_start);
	}
	jsonw_uint_field(json_wtr, "nr_functions", in->nr_funcs);
}

/* "rax=map_type rbx=map rcx=key_ptr" */
static void regs_plain(uint16_t machine, const uint8_t *roles, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		if (roles[i] != GOARG_NONE)
			printf(" %s=%s", gover_abi_reg_name(machine, i), goarg_name(roles[i]));
}

static void regs_json(const char *name, uint16_t machine, const uint8_t *roles, unsigned int n)
{
	unsigned int i;

	jsonw_name(json_wtr, name);
	jsonw_start_array(json_wtr);
	for (i = 0; i < n; i++) {
		if (roles[i] == GOARG_NONE)
			continue;
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "index", i);
		jsonw_string_field(json_wtr, "reg", gover_abi_reg_name(machine, i));
		jsonw_string_field(json_wtr, "holds", goarg_name(roles[i]));
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
}

static void probe_plain(const struct gobin_probe *p, const struct mw_err *perr)
{
	unsigned int i;

	if (!p) {
		printf("  error: %s\n", perr->msg);
		return;
	}
	printf("0x%-9" PRIx64 " 0x%-8" PRIx64 " 0x%-8" PRIx64 " %-12s", p->entry, p->entry_off,
	       p->body_off, gobin_prologue_name(p->prologue));
	for (i = 0; i < p->nr_rets; i++)
		printf("%s0x%" PRIx64, i ? "," : " ret ", p->ret_offs[i]);
	if (!p->nr_rets)
		printf(" no RET");
	if (p->nr_tail_jumps)
		printf(" +%u tail jump%s", p->nr_tail_jumps, p->nr_tail_jumps > 1 ? "s" : "");
	if (p->decode_error)
		printf(" (undecodable at 0x%" PRIx64 ": RETs may be missing)", p->decode_error_at);
	putchar('\n');
}

static void probe_json(const struct gobin_probe *p, const struct mw_err *perr)
{
	unsigned int i;

	if (!p) {
		jsonw_string_field(json_wtr, "error", perr->msg);
		return;
	}
	hex_field("address", p->entry);
	hex_field("file_offset", p->entry_off);
	hex_field("probe_offset", p->body_off);
	jsonw_uint_field(json_wtr, "prologue_bytes", p->body - p->entry);
	jsonw_string_field(json_wtr, "prologue", gobin_prologue_name(p->prologue));
	jsonw_name(json_wtr, "ret_offsets");
	jsonw_start_array(json_wtr);
	for (i = 0; i < p->nr_rets; i++)
		hex_value(p->ret_offs[i]);
	jsonw_end_array(json_wtr);
	jsonw_uint_field(json_wtr, "tail_jumps", p->nr_tail_jumps);
	jsonw_name(json_wtr, "decode_error_at");
	if (p->decode_error)
		hex_value(p->decode_error_at);
	else
		jsonw_null(json_wtr);
}

/* Decode FN; on failure print the error in place (other functions still show). */
static const struct gobin_probe *analyse(struct gobin *gb, const struct gobin_func *fn,
					 struct gobin_probe *p, struct mw_err *perr)
{
	return gobin_probe_func(gb, fn, p, perr) ? NULL : p;
}

static void show_map_func(struct gobin *gb, const struct gover_func *gf)
{
	const struct gobin_info *in = gobin_info(gb);
	const struct gobin_func *fn = gobin_func_by_name(gb, gf->sym);
	const struct gobin_probe *p = NULL;
	struct gobin_probe probe;
	struct mw_err perr;

	if (fn)
		p = analyse(gb, fn, &probe, &perr);
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "name", gf->sym);
		jsonw_string_field(json_wtr, "op", gomap_op_name(gf->op));
		jsonw_string_field(json_wtr, "variant", gf->variant);
		jsonw_bool_field(json_wtr, "present", fn);
		if (fn)
			probe_json(p, &perr);
		regs_json("args", in->machine, gf->args, GOVER_MAX_ARGS);
		regs_json("results", in->machine, gf->rets, GOVER_MAX_RETS);
		jsonw_bool_field(json_wtr, "needs_return_probe", gf->flags & GOVER_F_RET);
		jsonw_bool_field(json_wtr, "hot", gf->flags & GOVER_F_HOT);
		json_word_array("nested_in", gf->flags & GOVER_F_NESTED ? gf->outer : NULL);
		jsonw_end_object(json_wtr);
	} else {
		printf("%-8s %-47s ", gomap_op_name(gf->op), gf->sym);
		if (fn)
			probe_plain(p, &perr);
		else
			printf("absent (not linked, or inlined)\n");
		printf("%9sargs:", "");
		if (gf->args[0] == GOARG_NONE)
			printf(" none");
		regs_plain(in->machine, gf->args, GOVER_MAX_ARGS);
		if (gf->flags & GOVER_F_RET) {
			printf("; at RET:");
			regs_plain(in->machine, gf->rets, GOVER_MAX_RETS);
		}
		if (gf->flags & GOVER_F_HOT)
			printf("; hot");
		if (gf->flags & GOVER_F_NESTED)
			printf("; repeats %s", gf->outer);
		putchar('\n');
	}
	if (p)
		gobin_probe_release(&probe);
}

/* Returns whether the binary has the function. */
static bool show_any_func(struct gobin *gb, const char *name)
{
	const struct gobin_func *fn = gobin_func_by_name(gb, name);
	const struct gobin_probe *p = NULL;
	struct gobin_probe probe;
	struct mw_err perr;

	if (fn)
		p = analyse(gb, fn, &probe, &perr);
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "name", name);
		jsonw_bool_field(json_wtr, "present", fn);
		if (fn) {
			jsonw_uint_field(json_wtr, "size_bytes", fn->size);
			probe_json(p, &perr);
		}
		jsonw_end_object(json_wtr);
	} else {
		printf("%-56s ", name);
		if (fn)
			probe_plain(p, &perr);
		else
			printf("absent\n");
	}
	if (p)
		gobin_probe_release(&probe);
	return fn;
}

static void layout_plain(const struct gover_layout *l, const struct gover_g *g, uint16_t machine)
{
	if (l->impl == GOMAP_CLASSIC)
		printf("hmap:         count@0x%x flags@0x%x B@0x%x buckets@0x%x oldbuckets@0x%x "
		       "(size %u); maptype keysize@0x%x bucketsize@0x%x\n",
		       l->count, l->flags, l->B, l->buckets, l->oldbuckets, l->hdr_size,
		       l->t_keysize, l->t_bucketsize);
	else
		printf("maps.Map:     used@0x%x dirPtr@0x%x dirLen@0x%x globalDepth@0x%x "
		       "(size %u); maptype GroupSize@0x%x\n",
		       l->count, l->dir_ptr, l->dir_len, l->global_depth, l->hdr_size,
		       l->t_group_size);
	if (g)
		printf("goroutine:    g in %s, goid@0x%x\n", gover_g_reg_name(machine), g->goid);
}

static void layout_json(const struct gover_layout *l, const struct gover_g *g, uint16_t machine)
{
	jsonw_name(json_wtr, "layout");
	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "header_bytes", l->hdr_size);
	jsonw_uint_field(json_wtr, "count", l->count);
#define F(name, v)	do { if ((v) != GOVER_NONE) jsonw_uint_field(json_wtr, name, v); } while (0)
	F("flags", l->flags);
	F("B", l->B);
	F("noverflow", l->noverflow);
	F("buckets", l->buckets);
	F("oldbuckets", l->oldbuckets);
	F("nevacuate", l->nevacuate);
	F("extra", l->extra);
	F("dir_ptr", l->dir_ptr);
	F("dir_len", l->dir_len);
	F("global_depth", l->global_depth);
	F("clear_seq", l->clear_seq);
	F("type_key", l->t_key);
	F("type_keysize", l->t_keysize);
	F("type_bucketsize", l->t_bucketsize);
	F("type_group_size", l->t_group_size);
	F("type_slot_size", l->t_slot_size);
	F("type_elem_off", l->t_elem_off);
	F("table_capacity", l->tab_capacity);
#undef F
	jsonw_end_object(json_wtr);
	if (g) {
		jsonw_string_field(json_wtr, "g_register", gover_g_reg_name(machine));
		jsonw_uint_field(json_wtr, "goid_offset", g->goid);
	}
}

/* The fetch programs dump would attach (hot steps too): their size, or why none. */
static void show_programs(const char *path)
{
	unsigned int ops = 0, payload = 0;
	struct gotrace t;
	struct mw_err err;
	size_t i;

	if (gotrace_open(&t, path, DUMP_KEY_MAX, true, &err)) {
		if (json_output)
			jsonw_string_field(json_wtr, "programs_error", err.msg);
		else
			printf("\nfetch programs: %s\n", err.msg);
		return;
	}
	for (i = 0; i < t.nr; i++) {
		const struct fprog *p = &t.probes[i].prog;
		unsigned int j, size = 0;

		for (j = 0; j < p->nr_fields; j++)
			size += p->fields[j].kind == FP_UINT || p->fields[j].kind == FP_INT ?
				p->fields[j].size : 2u + p->fields[j].max;
		if (p->nr_ops > ops)
			ops = p->nr_ops;
		if (size > payload)
			payload = size;
	}
	if (json_output) {
		jsonw_name(json_wtr, "programs");
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "probes", t.nr);
		jsonw_uint_field(json_wtr, "max_ops", ops);
		jsonw_uint_field(json_wtr, "max_payload", payload);
		jsonw_end_object(json_wtr);
	} else {
		printf("\nfetch programs: %zu probes, at most %u of %u ops, at most %u payload bytes"
		       " (keys up to %u)\n", t.nr, ops, MAPWATCH_FETCH_MAX_OPS, payload,
		       DUMP_KEY_MAX);
	}
	gotrace_close(&t);
}

int do_symbols(int argc, char **argv)
{
	const struct gover_layout *layout;
	const struct gobin_info *in;
	const char *path;
	struct mw_err err;
	struct gobin *gb;
	unsigned int i;
	unsigned int missing = 0;
	bool named;
	int ret;

	ret = cmd_options("symbols", &argc, &argv, symbols_help);
	if (ret)
		return ret < 0 ? -1 : 0;
	if (!argc)
		return symbols_help();
	path = argv[0];
	named = argc > 1;
	gb = gobin_open(path, &err);
	if (!gb) {
		p_err("%s: %s", path, err.msg);
		return -1;
	}
	in = gobin_info(gb);
	if (!named && !gover_supported(in->go_major, in->go_minor)) {
		p_err("%s: Go version %s is not supported (go1.%u to go1.%u are)", path,
		      in->version, GOVER_MIN_MINOR, GOVER_MAX_MINOR);
		gobin_close(gb);
		return -1;
	}
	if (!named && in->map_impl == GOMAP_UNKNOWN) {
		p_err("%s: cannot tell the map implementation of %s", path, in->version);
		gobin_close(gb);
		return -1;
	}
	layout = gover_layout(in->go_minor, in->map_impl);
	if (json_output) {
		jsonw_start_object(json_wtr);
		header_json(path, in);
		if (layout)
			layout_json(layout, gover_g(in->go_minor), in->machine);
		jsonw_name(json_wtr, "functions");
		jsonw_start_array(json_wtr);
	} else {
		header_plain(path, in);
		if (layout)
			layout_plain(layout, gover_g(in->go_minor), in->machine);
		printf("\n%-8s %-47s %-11s %-10s %-10s %-12s %s\n", "op", "function", "address",
		       "file off", "probe off", "prologue", "returns (file offsets)");
	}
	if (named)
		for (i = 1; i < (unsigned int)argc; i++)
			missing += !show_any_func(gb, argv[i]);
	else
		for (i = 0; i < gover_nr_funcs; i++)
			if (gover_func_applies(&gover_funcs[i], in->go_minor, in->map_impl))
				show_map_func(gb, &gover_funcs[i]);
	if (json_output)
		jsonw_end_array(json_wtr);
	if (!named)
		show_programs(path);
	if (json_output)
		jsonw_end_object(json_wtr);
	gobin_close(gb);
	/* A function asked for by name and not there: exit 1 ("present": false). */
	if (missing && !json_output)
		p_err("%s: %u of the functions named %s not in it", path, missing,
		      missing > 1 ? "are" : "is");
	return missing ? -1 : 0;
}
