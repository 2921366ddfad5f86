/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/go/gobin.h - a Go executable as a probe target.
 *
 * gobin_open() reads the ELF file (lib/elfbin.h), the Go build info
 * (.go.buildinfo: version, GOEXPERIMENTs, cgo), the function table (.symtab,
 * or .gopclntab when the binary is stripped) and decides the map
 * implementation.  gobin_probe_func() decodes one function with capstone and
 * says where its probes go: the first instruction after the stack-check
 * prologue, and every RET.  Addresses are link-time virtual addresses;
 * every *_off is the file offset a uprobe is attached at.
 *
 * Every table read from the file is bounds-checked; a truncated or corrupt
 * file gives an error with a message, never a crash.
 *
 * Limits: ELF only, 64-bit little-endian, x86-64 and arm64; one text
 * section (Go splits text only in very large ppc64/arm binaries); pclntab
 * formats of Go 1.2, 1.16, 1.18 and 1.20 (magic 0xfffffffb/fa/f0/f1).
 */
#ifndef _MAPWATCHCTL_GOBIN_H
#define _MAPWATCHCTL_GOBIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/elfbin.h"
#include "go/gover.h"

struct gobin_func {
	const char *name;
	uint64_t addr;		/* entry */
	uint64_t size;		/* bytes to the end (symbol size, or to the next function) */
};

struct gobin_info {
	uint16_t machine;		/* EM_X86_64, EM_AARCH64 */
	const char *goarch;		/* "amd64", "arm64" */
	bool pie;			/* ET_DYN executable (interpreter or DF_1_PIE) */
	bool stripped;			/* no .symtab: functions come from .gopclntab */
	int cgo;			/* build setting CGO_ENABLED: 1, 0, or -1 if not recorded */
	char version[64];		/* "go1.25.12": the build info's version, no experiments */
	unsigned int go_major, go_minor, go_patch;	/* 0 where not parsed */
	char experiments[128];		/* "noswissmap,..." from the version and modinfo, or "" */
	enum gomap_impl map_impl;	/* the decision: symbols when conclusive, else version */
	enum gomap_impl map_impl_version;	/* implied by version + experiments */
	enum gomap_impl map_impl_symbols;	/* shown by marker functions, UNKNOWN if none */
	const char *map_impl_note;	/* why version and symbols disagree, or NULL */
	unsigned int pclntab_format;	/* 102, 116, 118, 120 (Go version of the layout); 0: none */
	uint64_t pclntab_addr;
	uint64_t text_start;		/* runtime.text from pclntab (0 if none) */
	size_t nr_funcs;
};

struct gobin;

/*
 * Open and read PATH.  NULL with ERR filled in on failure: elfbin_open()'s
 * codes, MW_E_NOT_GO, MW_E_GO_CORRUPT.
 */
struct gobin *gobin_open(const char *path, struct mw_err *err);
/* The same over memory (tests); DATA must outlive the result and be writable. */
struct gobin *gobin_open_mem(void *data, size_t size, struct mw_err *err);
void gobin_close(struct gobin *gb);

const struct gobin_info *gobin_info(const struct gobin *gb);
const struct elfbin *gobin_elf(const struct gobin *gb);

/* Functions sorted by address: .symtab's if present, else .gopclntab's. */
const struct gobin_func *gobin_funcs(const struct gobin *gb, size_t *nr);
/* .gopclntab's functions even when .symtab is there (ABI0 names lack ".abi0"). */
const struct gobin_func *gobin_pclntab_funcs(const struct gobin *gb, size_t *nr);
const struct gobin_func *gobin_func_by_name(const struct gobin *gb, const char *name);
/* The function whose [addr, addr + size) holds VA, or NULL. */
const struct gobin_func *gobin_func_at(const struct gobin *gb, uint64_t va);
/* File offset of VA (see elfbin_vaddr_to_offset).  0 or -1. */
int gobin_file_offset(const struct gobin *gb, uint64_t va, uint64_t *off);

enum gobin_prologue {
	GOBIN_PROLOGUE_STACK_CHECK,	/* recognised: body is after its conditional branch */
	GOBIN_PROLOGUE_NOSPLIT,		/* no stack check (never calls morestack): body = entry */
	GOBIN_PROLOGUE_UNKNOWN,		/* calls morestack, pattern not recognised: body = entry;
					 * an entry probe there can fire twice */
};

struct gobin_probe {
	const struct gobin_func *fn;
	uint64_t entry, entry_off;
	uint64_t body, body_off;	/* where an entry probe goes */
	enum gobin_prologue prologue;
	unsigned int nr_rets;
	uint64_t *rets, *ret_offs;	/* RET instructions: addresses and file offsets */
	unsigned int nr_tail_jumps;	/* direct jumps out of the function: exits without RET */
	bool decode_error;		/* decoding stopped early: rets may be incomplete */
	uint64_t decode_error_at;
};

/* Decode FN.  0, or -1 with ERR filled in; release P with gobin_probe_release(). */
int gobin_probe_func(struct gobin *gb, const struct gobin_func *fn, struct gobin_probe *p,
		     struct mw_err *err);
void gobin_probe_release(struct gobin_probe *p);

const char *gobin_prologue_name(enum gobin_prologue pr);	/* "stack_check", ... */

#endif
