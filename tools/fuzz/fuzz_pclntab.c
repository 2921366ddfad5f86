// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/fuzz_pclntab.c - a Go function table as gobin reads it.
 *
 * Input: a 24-byte header { u64 pclntab_va, u64 data_va, u32 pclntab_len,
 * u32 flags }, then the .gopclntab bytes, then a writable data segment
 * (where a Go 1.26+ table's runtime.moduledata is found).  They go into a
 * minimal ELF executable (elfwrap.h) with a fixed Go build info and no
 * .symtab, so the functions come from the table; gobin_open_mem() opens it.
 * flags: bit 0 arm64; bits 1-2 the Go version; bit 3 the section is
 * .data.rel.ro.gopclntab; bit 4 no section (found by scanning).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "go/gobin.h"
#include "elfwrap.h"
#include "fuzz_common.h"
#include "gobin_exercise.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HDR	24

static unsigned char *bi[4];
static size_t bi_len[4];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const versions[4] = {
		"go1.22.3", "go1.26.1", "go1.19.13", "go1.24.4 X:noswissmap",
	};
	unsigned int i;

	(void)argc;
	(void)argv;
	for (i = 0; i < 4; i++) {
		bi[i] = ew_buildinfo_inline(versions[i], "", &bi_len[i]);
		if (!bi[i])
			return -1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint64_t pcln_va = fz_get(data, size, 0, 8), data_va = fz_get(data, size, 8, 8);
	uint64_t pcln_len = fz_get(data, size, 16, 4);
	uint32_t flags = fz_get(data, size, 20, 4);
	struct ew_seg segs[3];
	unsigned char *elf;
	size_t len, rest;

	if (size < HDR)
		return 0;
	rest = size - HDR;
	if (pcln_len > rest)
		pcln_len = rest;
	segs[0] = (struct ew_seg){ bi[(flags >> 1) & 3], bi_len[(flags >> 1) & 3],
				   EW_BUILDINFO_VA, PF_R | PF_W, ".go.buildinfo",
				   SHF_ALLOC | SHF_WRITE };
	segs[1] = (struct ew_seg){ data + HDR, pcln_len, pcln_va, PF_R,
				   flags & 8 ? ".data.rel.ro.gopclntab" : ".gopclntab",
				   SHF_ALLOC };
	segs[2] = (struct ew_seg){ data + HDR + pcln_len, rest - pcln_len, data_va,
				   PF_R | PF_W, ".noptrdata", SHF_ALLOC | SHF_WRITE };
	if (flags & 16)
		segs[1].name = NULL;
	elf = ew_build(flags & 1 ? EM_AARCH64 : EM_X86_64, segs, 3, &len);
	if (!elf)
		abort();
	fz_gobin_open_exercise(elf, len, NULL);
	free(elf);
	return 0;
}
