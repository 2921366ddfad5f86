// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/fuzz_buildinfo.c - the input is a .go.buildinfo section,
 * loaded at EW_BUILDINFO_VA in a minimal ELF executable (elfwrap.h) with a
 * small well-formed .gopclntab; opened with gobin_open_mem().  Pointer-format
 * build info (before Go 1.18) points into the input itself.
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "go/gobin.h"
#include "elfwrap.h"
#include "gobin_exercise.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned char *pcln;
static size_t pcln_len;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const names[] = { "runtime.text", "main.main", "runtime.mapassign" };

	(void)argc;
	(void)argv;
	pcln = ew_pclntab(120, EW_TEXT_VA + 0x40, names, 3, &pcln_len);
	return pcln ? 0 : -1;
}

/* Opened: a version, and experiments that fit their field. */
static void check_info(struct gobin *gb)
{
	const struct gobin_info *in = gobin_info(gb);

	if (!in->version[0] || strlen(in->experiments) >= sizeof(in->experiments))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ew_seg segs[2] = {
		{ data, size, EW_BUILDINFO_VA, PF_R | PF_W, ".go.buildinfo", SHF_ALLOC | SHF_WRITE },
		{ pcln, pcln_len, EW_PCLNTAB_VA, PF_R, ".gopclntab", SHF_ALLOC },
	};
	unsigned char *elf;
	size_t len;

	/* the last byte's low bit: no section, as the scan of the data segment finds it */
	if (size && (data[size - 1] & 1))
		segs[0].name = NULL;
	elf = ew_build(EM_X86_64, segs, 2, &len);
	if (!elf)
		abort();
	fz_gobin_open_exercise(elf, len, check_info);
	free(elf);
	return 0;
}
