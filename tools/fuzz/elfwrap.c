// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/elfwrap.c - minimal ELF executables around fuzzed blobs, and
 * tiny well-formed Go tables to start from (see elfwrap.h).
 */
#include <elf.h>
#include <stdlib.h>
#include <string.h>

#include "elfwrap.h"

#define ALIGN16(x)	(((x) + 15) & ~(size_t)15)
#define ALIGN8(x)	(((x) + 7) & ~(size_t)7)

static void put_u32(unsigned char *p, uint32_t v)
{
	memcpy(p, &v, 4);	/* little-endian host */
}

static void put_u64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

unsigned char *ew_build(uint16_t machine, const struct ew_seg *segs, unsigned int n,
			size_t *len)
{
	size_t off[EW_MAX_SEGS], name_off[EW_MAX_SEGS], pos, strtab, strtab_len = 1, shoff;
	unsigned int nr_sh = 2, i, k;	/* null, .shstrtab, + named segments */
	unsigned char *f;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	Elf64_Shdr *sh;

	if (n > EW_MAX_SEGS)
		return NULL;
	pos = sizeof(Elf64_Ehdr) + (n + 1) * sizeof(Elf64_Phdr);
	for (i = 0; i < n; i++) {
		pos = ALIGN16(pos);
		off[i] = pos;
		pos += segs[i].len;
		if (segs[i].name) {
			name_off[i] = strtab_len;
			strtab_len += strlen(segs[i].name) + 1;
			nr_sh++;
		}
	}
	strtab = pos;
	pos += strtab_len + sizeof(".shstrtab");
	shoff = ALIGN8(pos);
	*len = shoff + nr_sh * sizeof(Elf64_Shdr);
	f = calloc(1, *len);
	if (!f)
		return NULL;

	eh = (Elf64_Ehdr *)f;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = machine;
	eh->e_version = EV_CURRENT;
	eh->e_entry = EW_TEXT_VA;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_shoff = shoff;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = n + 1;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = nr_sh;
	eh->e_shstrndx = nr_sh - 1;

	ph = (Elf64_Phdr *)(f + eh->e_phoff);
	for (i = 0; i < n; i++) {
		ph[i].p_type = PT_LOAD;
		ph[i].p_flags = segs[i].p_flags;
		ph[i].p_offset = off[i];
		ph[i].p_vaddr = ph[i].p_paddr = segs[i].va;
		ph[i].p_filesz = ph[i].p_memsz = segs[i].len;
		ph[i].p_align = 16;
		if (segs[i].len)
			memcpy(f + off[i], segs[i].data, segs[i].len);
	}
	ph[n].p_type = PT_LOAD;
	ph[n].p_flags = PF_R | PF_X;
	ph[n].p_vaddr = ph[n].p_paddr = EW_TEXT_VA;
	ph[n].p_filesz = ph[n].p_memsz = *len;
	ph[n].p_align = 16;

	for (i = 0; i < n; i++)
		if (segs[i].name)
			strcpy((char *)f + strtab + name_off[i], segs[i].name);
	strcpy((char *)f + strtab + strtab_len, ".shstrtab");

	sh = (Elf64_Shdr *)(f + shoff);
	for (i = 0, k = 1; i < n; i++) {
		if (!segs[i].name)
			continue;
		sh[k].sh_name = name_off[i];
		sh[k].sh_type = SHT_PROGBITS;
		sh[k].sh_flags = segs[i].sh_flags;
		sh[k].sh_addr = segs[i].va;
		sh[k].sh_offset = off[i];
		sh[k].sh_size = segs[i].len;
		sh[k].sh_addralign = 1;
		k++;
	}
	sh[k].sh_name = strtab_len;
	sh[k].sh_type = SHT_STRTAB;
	sh[k].sh_offset = strtab;
	sh[k].sh_size = strtab_len + sizeof(".shstrtab");
	sh[k].sh_addralign = 1;
	return f;
}

unsigned char *ew_pclntab(unsigned int format, uint64_t text,
			  const char *const *names, unsigned int nr, size_t *len)
{
	size_t hdr, names_len = 0, nametab, pcln, ftab, funcs, fsz, func_len, i;
	uint32_t magic;
	unsigned char *p;

	switch (format) {
	case 102: magic = 0xfffffffbu; hdr = 16; fsz = 8; break;
	case 116: magic = 0xfffffffau; hdr = 8 + 7 * 8; fsz = 8; break;
	case 118: magic = 0xfffffff0u; hdr = 8 + 8 * 8; fsz = 4; break;
	default:  magic = 0xfffffff1u; hdr = 8 + 8 * 8; fsz = 4; format = 120; break;
	}
	for (i = 0; i < nr; i++)
		names_len += strlen(names[i]) + 1;
	func_len = fsz == 4 ? 16 : 24;		/* entry, name offset, padding */
	if (format == 102) {
		/* functab first (at 16), then the names, then the _funcs */
		ftab = hdr;
		nametab = ftab + (2 * nr + 1) * fsz;
		pcln = 0;
		funcs = ALIGN8(nametab + names_len);
	} else {
		nametab = hdr;
		pcln = ALIGN8(nametab + names_len);
		ftab = pcln;
		funcs = ALIGN8(ftab + (2 * nr + 1) * fsz);
	}
	*len = funcs + nr * func_len;
	p = calloc(1, *len);
	if (!p)
		return NULL;
	put_u32(p, magic);
	p[6] = 1;		/* minimum instruction size (x86) */
	p[7] = 8;		/* pointer size */
	put_u64(p + 8, nr);
	if (format >= 118) {
		put_u64(p + 24, text);
		put_u64(p + 32, nametab);
		put_u64(p + 64, pcln);
	} else if (format == 116) {
		put_u64(p + 24, nametab);
		put_u64(p + 56, pcln);
	}
	{
		size_t at = nametab;

		for (i = 0; i < nr; i++) {
			unsigned char *e = p + ftab + 2 * i * fsz;
			unsigned char *fn = p + funcs + i * func_len;
			uint64_t entry = 0x40 * i;
			uint64_t foff = funcs + i * func_len - pcln;

			if (fsz == 4) {
				put_u32(e, entry);
				put_u32(e + 4, foff);
				put_u32(fn, entry);
				put_u32(fn + 4, at - nametab);
			} else {
				put_u64(e, text + entry);
				put_u64(e + 8, foff);
				put_u64(fn, text + entry);
				put_u32(fn + 8, at - nametab);
			}
			strcpy((char *)p + at, names[i]);
			at += strlen(names[i]) + 1;
		}
		if (fsz == 4)
			put_u32(p + ftab + 2 * nr * fsz, 0x40 * nr);
		else
			put_u64(p + ftab + 2 * nr * fsz, text + 0x40 * nr);
	}
	return p;
}

#define BI_MAGIC	"\xff Go buildinf:"

static size_t put_uvarint(unsigned char *p, uint64_t v)
{
	size_t n = 0;

	while (v >= 0x80) {
		p[n++] = (unsigned char)(v | 0x80);
		v >>= 7;
	}
	p[n++] = (unsigned char)v;
	return n;
}

unsigned char *ew_buildinfo_inline(const char *version, const char *modinfo, size_t *len)
{
	size_t vl = strlen(version), ml = strlen(modinfo), n = 32;
	unsigned char *p = calloc(1, ALIGN16(32 + 10 + vl + 10 + ml));

	if (!p)
		return NULL;
	memcpy(p, BI_MAGIC, 14);
	p[14] = 8;
	p[15] = 0x2;		/* strings inline */
	n += put_uvarint(p + n, vl);
	memcpy(p + n, version, vl);
	n += vl;
	n += put_uvarint(p + n, ml);
	memcpy(p + n, modinfo, ml);
	n += ml;
	*len = ALIGN16(n);
	return p;
}

unsigned char *ew_buildinfo_ptr(uint64_t va, const char *version, const char *modinfo,
				size_t *len)
{
	size_t vl = strlen(version), ml = strlen(modinfo);
	unsigned char *p;

	*len = ALIGN16(64 + vl + ml);
	p = calloc(1, *len);
	if (!p)
		return NULL;
	memcpy(p, BI_MAGIC, 14);
	p[14] = 8;
	put_u64(p + 16, va + 32);	/* *string version */
	put_u64(p + 24, va + 48);	/* *string modinfo */
	put_u64(p + 32, va + 64);
	put_u64(p + 40, vl);
	put_u64(p + 48, va + 64 + vl);
	put_u64(p + 56, ml);
	memcpy(p + 64, version, vl);
	memcpy(p + 64 + vl, modinfo, ml);
	return p;
}

unsigned char *ew_moduledata(const unsigned char *pcln, uint64_t pcln_va, uint64_t text,
			     uint64_t etext)
{
	unsigned char *md = calloc(1, EW_MD_LEN);
	uint64_t nfunc, nametab, ftab;

	if (!md)
		return NULL;
	memcpy(&nfunc, pcln + 8, 8);
	memcpy(&nametab, pcln + 32, 8);
	memcpy(&ftab, pcln + 64, 8);
	put_u64(md, pcln_va);			/* pcHeader */
	put_u64(md + 8, pcln_va + nametab);	/* funcnametab */
	put_u64(md + 104, pcln_va + ftab);	/* pclntable */
	put_u64(md + 128, pcln_va + ftab);	/* ftab: data, len, cap */
	put_u64(md + 136, nfunc + 1);
	put_u64(md + 144, nfunc + 1);
	put_u64(md + 176, text);
	put_u64(md + 184, etext);
	return md;
}

unsigned char *ew_stapsdt(uint16_t machine, const void *notes, size_t len, size_t *out_len)
{
	static const unsigned char zeros[EW_PROBES_LEN];
	struct ew_seg segs[3] = {
		{ zeros, 1, EW_SDTBASE_VA, PF_R, ".stapsdt.base", SHF_ALLOC },
		{ zeros, EW_PROBES_LEN, EW_PROBES_VA, PF_R | PF_W, ".probes",
		  SHF_ALLOC | SHF_WRITE },
		{ notes, len, 0, PF_R, ".note.stapsdt", 0 },
	};
	unsigned char *f = ew_build(machine, segs, 3, out_len);
	Elf64_Ehdr *eh;
	Elf64_Shdr *sh;

	if (!f)
		return NULL;
	/* ew_build() makes PROGBITS sections: the third named one is the notes */
	eh = (Elf64_Ehdr *)f;
	sh = (Elf64_Shdr *)(f + eh->e_shoff);
	sh[3].sh_type = SHT_NOTE;
	sh[3].sh_addralign = 4;
	return f;
}

int ew_stapsdt_note(unsigned char *buf, size_t *len, size_t cap, uint64_t pc, uint64_t base,
		    uint64_t sema, const char *provider, const char *name, const char *args)
{
	size_t pl = strlen(provider) + 1, nl = strlen(name) + 1, al = strlen(args) + 1;
	size_t desc = 24 + pl + nl + al, total = 12 + 8 + ((desc + 3) & ~(size_t)3);
	unsigned char *p = buf + *len;

	if (cap - *len < total)
		return -1;
	memset(p, 0, total);
	put_u32(p, 8);
	put_u32(p + 4, desc);
	put_u32(p + 8, 3);		/* NT_STAPSDT */
	memcpy(p + 12, "stapsdt", 8);
	put_u64(p + 20, pc);
	put_u64(p + 28, base);
	put_u64(p + 36, sema);
	memcpy(p + 44, provider, pl);
	memcpy(p + 44 + pl, name, nl);
	memcpy(p + 44 + pl + nl, args, al);
	*len += total;
	return 0;
}
