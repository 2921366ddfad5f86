// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/usdt.c - mapwatchctl usdt: the SystemTap SDT probes of an
 * ELF file (usdt.h), where they would be attached and what their arguments
 * would record, without attaching anything.
 */
#include <fnmatch.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "sdt/notes.h"

static int usdt_help(void)
{
	help_print(
		"Usage: %1$s usdt PATH [PATTERN]...\n"
		"\n"
		"List the SystemTap SDT probes (USDT, the .note.stapsdt notes) of the ELF\n"
		"file PATH, such as OpenJDK's libjvm.so, one per 'usdt:PATH:PROVIDER:NAME'\n"
		"line as 'bpftrace -l' names them; under each, its address, the file offset\n"
		"a uprobe goes at, its semaphore (address, and the file offset the kernel\n"
		"counts users at) or 'none', then each argument: its field (arg0, ...),\n"
		"type (u8..u64; s8..s64 signed; f32, f64 floating point), spec as in the\n"
		"note and what it reads.\n"
		"A probe mapwatch cannot attach, or an argument it cannot fetch, shows why.\n"
		"PATTERN, a glob on PROVIDER:NAME ('hotspot:gc__*'), selects probes.\n"
		"With -j: {path, machine, stapsdt_base, probes: [...]}, addresses and\n"
		"offsets as hex strings, an \"error\" per probe (null when usable).\n"
		"Fails (status 1) when PATH is not a 64-bit x86-64 or arm64 ELF executable\n"
		"or library, or its notes are malformed.\n",
		bin_name);
	return 0;
}

static void hex_value(uint64_t v)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	jsonw_string(json_wtr, buf);
}

static void hex_field(const char *name, uint64_t v)
{
	jsonw_name(json_wtr, name);
	hex_value(v);
}

/* "u8", "s32", "f64" */
static const char *arg_type(const struct usdt_arg *a, char *buf, size_t len)
{
	snprintf(buf, len, "%c%u", a->is_float ? 'f' : a->is_signed ? 's' : 'u', a->size * 8);
	return buf;
}

static bool selected(const struct usdt_probe *pr, int nr_pats, char **pats)
{
	bool match = false;
	char *full;
	int i;

	if (!nr_pats)
		return true;
	if (asprintf(&full, "%s:%s", pr->provider, pr->name) < 0)
		return true;
	for (i = 0; i < nr_pats && !match; i++)
		match = !fnmatch(pats[i], full, 0);
	free(full);
	return match;
}

/* Payload bytes of P's fields. */
static unsigned int payload_bytes(const struct fprog *p)
{
	unsigned int i, n = 0;

	for (i = 0; i < p->nr_fields; i++)
		n += p->fields[i].kind == FP_UINT || p->fields[i].kind == FP_INT ?
			p->fields[i].size : 2u + p->fields[i].max;
	return n;
}

static void probe_plain(const char *path, const struct usdt_file *uf,
			const struct usdt_probe *pr, const char *err)
{
	char type[8], what[256];
	unsigned int i;

	printf("usdt:%s:%s:%s\n", path, pr->provider, pr->name);
	if (pr->error.code) {
		printf("    address 0x%" PRIx64 "  error: %s\n", pr->pc, pr->error.msg);
		return;
	}
	printf("    address 0x%" PRIx64 "  file offset 0x%" PRIx64 "  semaphore ", pr->pc,
	       pr->offset);
	if (pr->sema)
		printf("0x%" PRIx64 " (file offset 0x%" PRIx64 "%s%s)\n", pr->sema,
		       pr->sema_offset, pr->sema_section[0] ? ", " : "", pr->sema_section);
	else
		printf("none\n");
	for (i = 0; i < pr->nr_args; i++) {
		const struct usdt_arg *a = &pr->args[i];

		usdt_arg_describe(uf->machine, a, what, sizeof(what));
		printf("    %-5s %-4s %-18s %s\n", usdt_arg_name(i),
		       arg_type(a, type, sizeof(type)), a->spec, what);
	}
	if (err)
		printf("    error: %s\n", err);
}

static void arg_json(const struct usdt_file *uf, const struct usdt_arg *a, unsigned int i)
{
	char what[256];

	jsonw_start_object(json_wtr);
	jsonw_string_field(json_wtr, "name", usdt_arg_name(i));
	jsonw_string_field(json_wtr, "spec", a->spec);
	jsonw_uint_field(json_wtr, "bytes", a->size);
	jsonw_bool_field(json_wtr, "signed", a->is_signed);
	jsonw_bool_field(json_wtr, "float", a->is_float);
	jsonw_string_field(json_wtr, "kind", usdt_kind_name(a->kind));
	switch (a->kind) {
	case USDT_ARG_REG:
		jsonw_string_field(json_wtr, "register", usdt_reg_name(uf->machine, a->reg));
		jsonw_uint_field(json_wtr, "register_bytes", a->reg_bytes);
		break;
	case USDT_ARG_MEM:
		jsonw_name(json_wtr, "base");
		if (a->reg >= 0)
			jsonw_string(json_wtr, usdt_reg_name(uf->machine, a->reg));
		else
			jsonw_null(json_wtr);
		if (a->index >= 0) {
			jsonw_string_field(json_wtr, "index", usdt_reg_name(uf->machine, a->index));
			jsonw_uint_field(json_wtr, "scale", a->scale);
		}
		jsonw_int_field(json_wtr, "offset", a->value);
		break;
	case USDT_ARG_CONST:
		jsonw_int_field(json_wtr, "value", a->value);
		break;
	case USDT_ARG_GLOBAL:
		jsonw_name(json_wtr, "symbol");
		if (a->sym)
			jsonw_string(json_wtr, a->sym);
		else
			jsonw_null(json_wtr);
		jsonw_int_field(json_wtr, "offset", a->value);
		if (a->sym)
			hex_field("address", a->sym_addr + (uint64_t)a->value);
		break;
	}
	usdt_arg_describe(uf->machine, a, what, sizeof(what));
	jsonw_string_field(json_wtr, "reads", what);
	jsonw_end_object(json_wtr);
}

static void probe_json(const char *path, const struct usdt_file *uf,
		       const struct usdt_probe *pr, const struct fprog *prog, const char *err)
{
	unsigned int i;
	char *full;

	jsonw_start_object(json_wtr);
	if (asprintf(&full, "usdt:%s:%s:%s", path, pr->provider, pr->name) >= 0) {
		jsonw_string_field(json_wtr, "probe", full);
		free(full);
	}
	jsonw_string_field(json_wtr, "provider", pr->provider);
	jsonw_string_field(json_wtr, "name", pr->name);
	hex_field("address", pr->pc);
	hex_field("note_address", pr->note_pc);
	hex_field("note_base", pr->note_base);
	jsonw_name(json_wtr, "file_offset");
	if (pr->error.code)
		jsonw_null(json_wtr);
	else
		hex_value(pr->offset);
	jsonw_name(json_wtr, "semaphore");
	if (pr->sema) {
		jsonw_start_object(json_wtr);
		hex_field("address", pr->sema);
		jsonw_name(json_wtr, "file_offset");
		if (pr->sema_offset)
			hex_value(pr->sema_offset);
		else
			jsonw_null(json_wtr);
		jsonw_name(json_wtr, "section");
		if (pr->sema_section[0])
			jsonw_string(json_wtr, pr->sema_section);
		else
			jsonw_null(json_wtr);
		jsonw_end_object(json_wtr);
	} else {
		jsonw_null(json_wtr);
	}
	jsonw_string_field(json_wtr, "arg_string", pr->args_str);
	jsonw_name(json_wtr, "args");
	jsonw_start_array(json_wtr);
	for (i = 0; i < pr->nr_args; i++)
		arg_json(uf, &pr->args[i], i);
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "fetch_ops");
	if (err)
		jsonw_null(json_wtr);
	else
		jsonw_uint(json_wtr, prog->nr_ops);
	jsonw_name(json_wtr, "payload_bytes");
	if (err)
		jsonw_null(json_wtr);
	else
		jsonw_uint(json_wtr, payload_bytes(prog));
	jsonw_name(json_wtr, "error");
	if (err)
		jsonw_string(json_wtr, err);
	else
		jsonw_null(json_wtr);
	jsonw_end_object(json_wtr);
}

int do_usdt(int argc, char **argv)
{
	struct mw_err err, fperr;
	size_t i, shown = 0, bad = 0;
	struct usdt_file uf;
	const char *path;

	int ret = cmd_options("usdt", &argc, &argv, usdt_help);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (!argc)
		return usdt_help();
	path = argv[0];
	if (usdt_open(path, &uf, &err)) {
		p_err("%s: %s", path, err.msg);
		return -1;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "path", path);
		jsonw_string_field(json_wtr, "machine", elfbin_machine_name(uf.machine));
		jsonw_name(json_wtr, "stapsdt_base");
		if (uf.has_base)
			hex_value(uf.base);
		else
			jsonw_null(json_wtr);
		jsonw_name(json_wtr, "probes");
		jsonw_start_array(json_wtr);
	}
	for (i = 0; i < uf.nr; i++) {
		const struct usdt_probe *pr = &uf.probes[i];
		const char *perr = NULL;
		struct fprog prog;

		if (!selected(pr, argc - 1, argv + 1))
			continue;
		shown++;
		/* The probe's own error is in pr->error: the plain listing prints it once. */
		if (usdt_fetchprog(pr, uf.machine, &prog, &fperr)) {
			perr = fperr.msg;
			bad++;
		}
		if (json_output)
			probe_json(path, &uf, pr, &prog, perr);
		else
			probe_plain(path, &uf, pr, pr->error.code ? NULL : perr);
	}
	if (json_output) {
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
	} else if (!uf.has_notes) {
		p_info("%s: no SystemTap SDT probes (no %s section)", path, USDT_NOTE_SECTION);
	} else {
		p_info("%s: %zu probes, %zu shown, %zu with an error", path, uf.nr, shown, bad);
	}
	usdt_free(&uf);
	return 0;
}
