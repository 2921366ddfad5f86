// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/fuzz_usdt.c - SystemTap SDT notes and argument specs, as
 * `mapwatchctl usdt FILE` reads them (tools/ctl/sdt/notes.h).  The input is
 *
 *   - an ELF file (it starts with \x7fELF): `mapwatchctl usdt` on it, plain
 *     or -- the last byte's low bit -- JSON, checked to parse; then
 *     usdt_open_mem() and every probe translated;
 *   - otherwise, by the first byte: even, the rest is a .note.stapsdt
 *     section in a minimal executable (elfwrap.h: ew_stapsdt(), x86-64 or,
 *     by bit 1, arm64), read and translated as above; odd, the rest is a
 *     probe's argument string, parsed and translated for x86-64 and arm64.
 *
 * A translated program must have one field per argument, named argN, and
 * decode a payload of its size; anything refused must say why.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "sdt/notes.h"
#include "elfwrap.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	bin_name = "mapwatchctl";
	fz_quiet_stdout();
	return 0;
}

/* PR's program: refused with a reason, or one decodable argN field per argument. */
static void translate(const struct usdt_probe *pr, uint16_t machine)
{
	uint8_t payload[USDT_MAX_ARGS * 8] = { 0 };
	struct fp_value vals[FP_MAX_FIELDS];
	struct mw_err err = { .msg = "" };
	char what[256];
	unsigned int i, size = 0;
	struct fprog p;

	for (i = 0; i < pr->nr_args; i++) {
		usdt_arg_describe(machine, &pr->args[i], what, sizeof(what));
		if (!what[0] || !pr->args[i].spec || !*pr->args[i].spec)
			abort();
	}
	if (usdt_fetchprog(pr, machine, &p, &err)) {
		if (!err.code || !err.msg[0])
			abort();	/* refused without a reason */
		return;
	}
	if (p.error || p.nr_fields != pr->nr_args || p.nr_ops > MAPWATCH_FETCH_MAX_OPS)
		abort();
	for (i = 0; i < p.nr_fields; i++) {
		const struct fp_field *f = &p.fields[i];

		if (strcmp(f->name, usdt_arg_name(i)) ||
		    (f->kind != FP_UINT && f->kind != FP_INT) || f->size > pr->args[i].size)
			abort();
		size += f->size;
	}
	if (fp_decode(&p, payload, size, vals))
		abort();
}

static void read_file(void *elf, size_t len)
{
	struct mw_err err = { .msg = "" };
	struct usdt_file uf;
	size_t i;

	if (usdt_open_mem(elf, len, &uf, &err)) {
		if (!err.code || !err.msg[0] || uf.nr || uf.probes)
			abort();
		return;
	}
	for (i = 0; i < uf.nr; i++)
		translate(&uf.probes[i], uf.machine);
	usdt_free(&uf);
}

/* `mapwatchctl [-j] usdt PATH` on the bytes, then the reader directly. */
static void whole_file(const uint8_t *data, size_t size)
{
	static int fd = -1;
	void *copy;

	fz_run_file_cmd(do_usdt, "usdt -j", &fd, "fuzz-usdt", data, size);
	copy = fz_copy(data, size);
	read_file(copy, size);
	free(copy);
}

static void arg_string(const uint8_t *data, size_t size)
{
	static const uint16_t machines[] = { EM_X86_64, EM_AARCH64 };
	struct usdt_probe pr;
	char *args = malloc(size + 1);
	unsigned int m;

	if (!args)
		abort();
	memcpy(args, data, size);
	args[size] = 0;
	for (m = 0; m < 2; m++) {
		memset(&pr, 0, sizeof(pr));
		pr.provider = "fuzz";
		pr.name = "args";
		pr.args_str = args;
		pr.pc = EW_TEXT_VA;
		if (usdt_parse_args(machines[m], args, &pr) &&
		    (!pr.error.code || !pr.error.msg[0] || pr.nr_args))
			abort();
		translate(&pr, machines[m]);
		usdt_args_release(&pr);
	}
	free(args);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *elf;
	size_t len;

	if (size >= 4 && !memcmp(data, ELFMAG, SELFMAG)) {
		whole_file(data, size);
		return 0;
	}
	if (!size)
		return 0;
	if (data[0] & 1) {
		arg_string(data + 1, size - 1);
		return 0;
	}
	elf = ew_stapsdt(data[0] & 2 ? EM_AARCH64 : EM_X86_64, data + 1, size - 1, &len);
	if (!elf)
		abort();
	read_file(elf, len);
	free(elf);
	return 0;
}
