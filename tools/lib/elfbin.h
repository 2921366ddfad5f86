/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib/elfbin.h - a read-only view of an ELF file through libelf, with
 * every byte range checked against the file's size.
 *
 * The file is mapped (or given as memory); headers are libelf's; the bytes of
 * a section or of a virtual address range are handed out as pointers into the
 * mapping only after checking they lie inside the file.  Only 64-bit
 * little-endian files are accepted (x86-64 and arm64 are the targets).
 */
#ifndef _MAPWATCHCTL_ELF_H
#define _MAPWATCHCTL_ELF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <gelf.h>

#include "lib/mwerr.h"

struct elfbin_sect {
	const char *name;
	uint64_t addr, offset, size;
	uint32_t type;		/* SHT_* */
	uint64_t flags;		/* SHF_* */
	size_t index;
};

struct elfbin {
	unsigned char *data;	/* the whole file */
	size_t size;
	bool mapped;		/* data is an mmap of the file (else the caller's memory) */
	Elf *elf;
	GElf_Ehdr ehdr;
	GElf_Phdr *phdrs;
	size_t nr_phdrs;
	struct elfbin_sect *sects;
	size_t nr_sects;
	/* R_*_RELATIVE dynamic relocations, sorted by r_offset (PIE pointers). */
	struct elfbin_rel { uint64_t offset, addend; } *rels;
	size_t nr_rels;
};

/*
 * Open PATH read-only.  0, or -1 with ERR filled in: MW_E_IO, MW_E_NOT_ELF,
 * MW_E_FORMAT, MW_E_ARCH, MW_E_CORRUPT, MW_E_NOMEM.
 */
int elfbin_open(struct elfbin *eb, const char *path, struct mw_err *err);
/* The same over SIZE bytes at DATA, which must outlive EB (not copied). */
int elfbin_open_mem(struct elfbin *eb, void *data, size_t size, struct mw_err *err);
void elfbin_close(struct elfbin *eb);

/* "x86-64", "arm64" for the machines we support. */
const char *elfbin_machine_name(uint16_t machine);

/* The first section named NAME, or NULL. */
const struct elfbin_sect *elfbin_section(const struct elfbin *eb, const char *name);
/* The section containing virtual address VA (allocated sections only), or NULL. */
const struct elfbin_sect *elfbin_section_at(const struct elfbin *eb, uint64_t va);
/* A section's bytes if they lie inside the file (NULL for SHT_NOBITS or bad headers). */
const unsigned char *elfbin_section_data(const struct elfbin *eb, const struct elfbin_sect *s);

/*
 * File offset of virtual address VA: VA - p_vaddr + p_offset of the PT_LOAD
 * whose file-backed part holds VA.  This is the offset a uprobe wants.
 * 0, or -1 if no loaded, file-backed byte is at VA.
 */
int elfbin_vaddr_to_offset(const struct elfbin *eb, uint64_t va, uint64_t *off);
/* LEN file bytes at virtual address VA, all inside one PT_LOAD; NULL otherwise. */
const unsigned char *elfbin_vaddr_bytes(const struct elfbin *eb, uint64_t va, uint64_t len);
/*
 * The pointer-sized value at VA as the loader leaves it, relative to a load
 * base of 0: if a RELATIVE relocation targets VA its addend is the value
 * (the file holds 0 there in PIE binaries), otherwise the stored word.
 */
int elfbin_read_ptr(const struct elfbin *eb, uint64_t va, uint64_t *val);

/*
 * Call FN for each STT_FUNC symbol with a name and an address in .symtab.
 * Returns 0 (also when there is no .symtab: see elfbin_has_symtab), -1 if the
 * table is corrupt (ERR filled in), or FN's first non-zero return.
 */
typedef int (*elfbin_sym_fn)(void *ctx, const char *name, uint64_t addr, uint64_t size);
int elfbin_for_each_func(const struct elfbin *eb, elfbin_sym_fn fn, void *ctx,
			 struct mw_err *err);
/* The same for the symbols of TYPE (STT_FUNC, STT_OBJECT, ...). */
int elfbin_for_each_symbol(const struct elfbin *eb, unsigned int type, elfbin_sym_fn fn,
			   void *ctx, struct mw_err *err);
bool elfbin_has_symtab(const struct elfbin *eb);
/*
 * The description of the first note of @type by @owner ("GNU", "Go") in a
 * SHT_NOTE section, and its length; NULL if there is none.  Every length
 * is checked against the section.
 */
const void *elfbin_note(const struct elfbin *eb, const char *owner, uint32_t type, size_t *len);
/* ET_DYN with an interpreter or DF_1_PIE: an executable loaded at a random base. */
bool elfbin_is_pie(const struct elfbin *eb);

#endif
