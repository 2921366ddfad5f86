/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/fuzz/elfwrap.h - wrap blobs (a .go.buildinfo, a .gopclntab, a data
 * segment) in a minimal 64-bit little-endian ELF executable, so that the
 * fuzzers drive gobin_open_mem() -- the real entry point -- with the bytes
 * they mutate where the parser looks for them.  Also makes the tiny tables
 * the seed generator and the harnesses start from.
 */
#ifndef _MAPWATCH_FUZZ_ELFWRAP_H
#define _MAPWATCH_FUZZ_ELFWRAP_H

#include <stddef.h>
#include <stdint.h>

/* The text segment: every file byte, loaded at TEXT_VA, read+execute. */
#define EW_TEXT_VA	0x400000ull
/* Where the buildinfo fuzzer loads its blob (pointer-format seeds point here). */
#define EW_BUILDINFO_VA	0x600000ull
/* Where the synthetic pclntab goes when the harness makes one. */
#define EW_PCLNTAB_VA	0x700000ull

#define EW_MAX_SEGS	4

struct ew_seg {
	const void *data;
	size_t len;
	uint64_t va;
	uint32_t p_flags;	/* PF_R, PF_W, PF_X */
	const char *name;	/* its section, or NULL for none */
	uint64_t sh_flags;	/* SHF_ALLOC, SHF_WRITE, ... */
};

/*
 * An ET_EXEC for MACHINE (EM_X86_64, EM_AARCH64) holding SEGS in this order
 * (the first PT_LOAD holding an address wins), then a read+execute PT_LOAD
 * over the whole file at EW_TEXT_VA.  malloc'd (writable, as
 * gobin_open_mem() wants); NULL without memory.
 */
unsigned char *ew_build(uint16_t machine, const struct ew_seg *segs, unsigned int n,
			size_t *len);

/*
 * A well-formed .gopclntab of FORMAT (102, 116, 118, 120) with the
 * functions NAMES (NR of them, NULL-free), the first at TEXT, each 0x40
 * bytes long.  TEXT 0 in a 118/120 table: as Go 1.26+ writes it.
 * malloc'd; NULL without memory.
 */
unsigned char *ew_pclntab(unsigned int format, uint64_t text,
			  const char *const *names, unsigned int nr, size_t *len);

/* An inline (Go 1.18+) .go.buildinfo: VERSION and MODINFO (may be ""). */
unsigned char *ew_buildinfo_inline(const char *version, const char *modinfo, size_t *len);
/*
 * A pointer-format (before Go 1.18) .go.buildinfo loaded at VA: the header,
 * two Go string headers, the strings.
 */
unsigned char *ew_buildinfo_ptr(uint64_t va, const char *version, const char *modinfo,
				size_t *len);

/*
 * The part of a runtime.moduledata (Go 1.16 to 1.27) that gobin reads to
 * find the text start of a 118/120 PCLN (at PCLN_VA) that has none:
 * MD_LEN bytes, to be loaded writable.
 */
#define EW_MD_LEN	192
unsigned char *ew_moduledata(const unsigned char *pcln, uint64_t pcln_va, uint64_t text,
			     uint64_t etext);

/*
 * An ET_EXEC for MACHINE around NOTES (LEN bytes) as its .note.stapsdt
 * (SHT_NOTE, not allocated), with a 1-byte .stapsdt.base at
 * EW_SDTBASE_VA and EW_PROBES_LEN zero bytes of writable .probes at
 * EW_PROBES_VA (semaphores); the whole file is text at EW_TEXT_VA, where
 * probe addresses go.  malloc'd; NULL without memory.
 */
#define EW_SDTBASE_VA	0x580000ull
#define EW_PROBES_VA	0x680000ull
#define EW_PROBES_LEN	64
unsigned char *ew_stapsdt(uint16_t machine, const void *notes, size_t len, size_t *out_len);
/*
 * Append one well-formed stapsdt note (4-aligned) to BUF at *LEN, if it
 * fits in CAP bytes; returns 0, or -1 when it does not.
 */
int ew_stapsdt_note(unsigned char *buf, size_t *len, size_t cap, uint64_t pc, uint64_t base,
		    uint64_t sema, const char *provider, const char *name, const char *args);

#endif
