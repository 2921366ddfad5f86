// SPDX-License-Identifier: GPL-2.0
/*
 * tools/lib/elfbin.c - ELF headers through libelf; byte ranges checked against
 * the file before anyone reads them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/elfbin.h"

#ifndef R_AARCH64_RELATIVE
#define R_AARCH64_RELATIVE	1027
#endif

/* [off, off + len) inside [0, size), without overflow. */
static bool in_file(const struct elfbin *eb, uint64_t off, uint64_t len)
{
	return off <= eb->size && len <= eb->size - off;
}

const char *elfbin_machine_name(uint16_t machine)
{
	switch (machine) {
	case EM_X86_64:		return "x86-64";
	case EM_AARCH64:	return "arm64";
	case EM_386:		return "i386";
	case EM_ARM:		return "arm";
	case EM_RISCV:		return "riscv";
	case EM_PPC64:		return "ppc64";
	case EM_S390:		return "s390";
	case EM_MIPS:		return "mips";
	case EM_LOONGARCH:	return "loongarch";
	default:		return NULL;
	}
}

static int load_phdrs(struct elfbin *eb, struct mw_err *err)
{
	size_t i, n;

	if (elf_getphdrnum(eb->elf, &n))
		return mw_err_set(err, MW_E_CORRUPT, "bad program headers: %s", elf_errmsg(-1));
	if (!n)
		return mw_err_set(err, MW_E_CORRUPT, "no program headers (not an executable?)");
	eb->phdrs = calloc(n, sizeof(*eb->phdrs));
	if (!eb->phdrs)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		GElf_Phdr *ph = &eb->phdrs[i];

		if (!gelf_getphdr(eb->elf, i, ph))
			return mw_err_set(err, MW_E_CORRUPT, "bad program header %zu: %s", i,
					  elf_errmsg(-1));
		if (ph->p_type != PT_LOAD)
			continue;
		if (!in_file(eb, ph->p_offset, ph->p_filesz))
			return mw_err_set(err, MW_E_CORRUPT, "truncated or corrupt: segment %zu "
					  "(file bytes 0x%llx+0x%llx) goes past the end of the "
					  "file (0x%zx bytes)", i, (unsigned long long)ph->p_offset,
					  (unsigned long long)ph->p_filesz, eb->size);
		if (ph->p_vaddr + ph->p_memsz < ph->p_vaddr || ph->p_filesz > ph->p_memsz)
			return mw_err_set(err, MW_E_CORRUPT, "corrupt segment %zu", i);
	}
	eb->nr_phdrs = n;
	return 0;
}

static int load_sects(struct elfbin *eb, struct mw_err *err)
{
	size_t n, shstrndx, i = 0;
	Elf_Scn *scn = NULL;

	if (elf_getshdrnum(eb->elf, &n) || elf_getshdrstrndx(eb->elf, &shstrndx))
		return mw_err_set(err, MW_E_CORRUPT,
				  "truncated or corrupt: bad section headers: %s", elf_errmsg(-1));
	if (!n)
		return 0;
	eb->sects = calloc(n, sizeof(*eb->sects));
	if (!eb->sects)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	while ((scn = elf_nextscn(eb->elf, scn)) && i < n) {
		struct elfbin_sect *s = &eb->sects[i];
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh))
			return mw_err_set(err, MW_E_CORRUPT, "bad section header: %s",
					  elf_errmsg(-1));
		s->name = elf_strptr(eb->elf, shstrndx, sh.sh_name);
		if (!s->name)
			return mw_err_set(err, MW_E_CORRUPT, "corrupt section name table");
		s->addr = sh.sh_addr;
		s->offset = sh.sh_offset;
		s->size = sh.sh_size;
		s->type = sh.sh_type;
		s->flags = sh.sh_flags;
		s->index = elf_ndxscn(scn);
		if (s->type != SHT_NOBITS && s->type != SHT_NULL && !in_file(eb, s->offset, s->size))
			return mw_err_set(err, MW_E_CORRUPT, "truncated or corrupt: section %s "
					  "(file bytes 0x%llx+0x%llx) goes past the end of the "
					  "file (0x%zx bytes)", s->name,
					  (unsigned long long)s->offset,
					  (unsigned long long)s->size, eb->size);
		i++;
	}
	eb->nr_sects = i;
	return 0;
}

static int rel_cmp(const void *a, const void *b)
{
	const struct elfbin_rel *x = a, *y = b;

	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

/* Collect R_*_RELATIVE entries of allocated SHT_RELA sections (the dynamic ones). */
static int load_rels(struct elfbin *eb, struct mw_err *err)
{
	uint32_t rel_type = eb->ehdr.e_machine == EM_X86_64 ? R_X86_64_RELATIVE : R_AARCH64_RELATIVE;
	size_t i, total = 0;

	for (i = 0; i < eb->nr_sects; i++)
		if (eb->sects[i].type == SHT_RELA && (eb->sects[i].flags & SHF_ALLOC))
			total += eb->sects[i].size / sizeof(Elf64_Rela);
	if (!total)
		return 0;
	eb->rels = calloc(total, sizeof(*eb->rels));
	if (!eb->rels)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	for (i = 0; i < eb->nr_sects; i++) {
		const struct elfbin_sect *s = &eb->sects[i];
		Elf_Scn *scn;
		Elf_Data *d;
		size_t j, n;

		if (s->type != SHT_RELA || !(s->flags & SHF_ALLOC))
			continue;
		scn = elf_getscn(eb->elf, s->index);
		d = scn ? elf_getdata(scn, NULL) : NULL;
		if (!d)
			return mw_err_set(err, MW_E_CORRUPT, "unreadable relocations in %s: %s",
					  s->name, elf_errmsg(-1));
		n = d->d_size / sizeof(Elf64_Rela);
		for (j = 0; j < n && eb->nr_rels < total; j++) {
			GElf_Rela r;

			if (!gelf_getrela(d, j, &r))
				return mw_err_set(err, MW_E_CORRUPT, "bad relocation in %s",
						  s->name);
			if (GELF_R_TYPE(r.r_info) != rel_type)
				continue;
			eb->rels[eb->nr_rels].offset = r.r_offset;
			eb->rels[eb->nr_rels].addend = r.r_addend;
			eb->nr_rels++;
		}
	}
	qsort(eb->rels, eb->nr_rels, sizeof(*eb->rels), rel_cmp);
	return 0;
}

static int elfbin_init(struct elfbin *eb, struct mw_err *err)
{
	const unsigned char *id = eb->data;

	if (eb->size < EI_NIDENT || memcmp(id, ELFMAG, SELFMAG))
		return mw_err_set(err, MW_E_NOT_ELF, "not an ELF file");
	if (id[EI_CLASS] != ELFCLASS64)
		return mw_err_set(err, MW_E_FORMAT, "not a 64-bit ELF file (class %u)",
				  id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return mw_err_set(err, MW_E_FORMAT, "not a little-endian ELF file");
	if (eb->size < sizeof(Elf64_Ehdr))
		return mw_err_set(err, MW_E_CORRUPT, "truncated ELF header");
	if (elf_version(EV_CURRENT) == EV_NONE)
		return mw_err_set(err, MW_E_IO, "libelf: %s", elf_errmsg(-1));
	eb->elf = elf_memory((char *)eb->data, eb->size);
	if (!eb->elf || elf_kind(eb->elf) != ELF_K_ELF || !gelf_getehdr(eb->elf, &eb->ehdr))
		return mw_err_set(err, MW_E_CORRUPT, "bad ELF header: %s", elf_errmsg(-1));
	if (eb->ehdr.e_type != ET_EXEC && eb->ehdr.e_type != ET_DYN)
		return mw_err_set(err, MW_E_FORMAT, "not an executable (ELF type %u)",
				  eb->ehdr.e_type);
	if (eb->ehdr.e_machine != EM_X86_64 && eb->ehdr.e_machine != EM_AARCH64) {
		const char *m = elfbin_machine_name(eb->ehdr.e_machine);

		if (m)
			return mw_err_set(err, MW_E_ARCH,
					  "unsupported architecture %s (x86-64 and arm64 are)", m);
		return mw_err_set(err, MW_E_ARCH,
				  "unsupported architecture (ELF machine %u; x86-64 and arm64 are)",
				  eb->ehdr.e_machine);
	}
	if (load_phdrs(eb, err) || load_sects(eb, err) || load_rels(eb, err))
		return -1;
	return 0;
}

int elfbin_open_mem(struct elfbin *eb, void *data, size_t size, struct mw_err *err)
{
	memset(eb, 0, sizeof(*eb));
	eb->data = data;
	eb->size = size;
	if (elfbin_init(eb, err)) {
		elfbin_close(eb);
		return -1;
	}
	return 0;
}

int elfbin_open(struct elfbin *eb, const char *path, struct mw_err *err)
{
	struct stat st;
	void *p;
	int fd;

	memset(eb, 0, sizeof(*eb));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return mw_err_set(err, MW_E_IO, "cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st)) {
		mw_err_set(err, MW_E_IO, "cannot stat %s: %s", path, strerror(errno));
		goto err_close;
	}
	if (!S_ISREG(st.st_mode)) {
		mw_err_set(err, MW_E_IO, "%s is not a regular file", path);
		goto err_close;
	}
	if (st.st_size < EI_NIDENT) {
		mw_err_set(err, MW_E_NOT_ELF, "%s is not an ELF file (%lld bytes)", path,
			   (long long)st.st_size);
		goto err_close;
	}
	/* Private and writable: libelf may convert in place; the file is never written. */
	p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	if (p == MAP_FAILED) {
		mw_err_set(err, MW_E_IO, "cannot map %s: %s", path, strerror(errno));
		goto err_close;
	}
	close(fd);
	eb->data = p;
	eb->size = st.st_size;
	eb->mapped = true;
	if (elfbin_init(eb, err)) {
		elfbin_close(eb);
		return -1;
	}
	return 0;

err_close:
	close(fd);
	return -1;
}

void elfbin_close(struct elfbin *eb)
{
	if (eb->elf)
		elf_end(eb->elf);
	if (eb->mapped)
		munmap(eb->data, eb->size);
	free(eb->phdrs);
	free(eb->sects);
	free(eb->rels);
	memset(eb, 0, sizeof(*eb));
}

const struct elfbin_sect *elfbin_section(const struct elfbin *eb, const char *name)
{
	size_t i;

	for (i = 0; i < eb->nr_sects; i++)
		if (!strcmp(eb->sects[i].name, name))
			return &eb->sects[i];
	return NULL;
}

const struct elfbin_sect *elfbin_section_at(const struct elfbin *eb, uint64_t va)
{
	size_t i;

	for (i = 0; i < eb->nr_sects; i++) {
		const struct elfbin_sect *s = &eb->sects[i];

		if ((s->flags & SHF_ALLOC) && va >= s->addr && va - s->addr < s->size)
			return s;
	}
	return NULL;
}

const unsigned char *elfbin_section_data(const struct elfbin *eb, const struct elfbin_sect *s)
{
	if (s->type == SHT_NOBITS || !in_file(eb, s->offset, s->size))
		return NULL;
	return eb->data + s->offset;
}

static const GElf_Phdr *load_at(const struct elfbin *eb, uint64_t va, uint64_t len)
{
	size_t i;

	for (i = 0; i < eb->nr_phdrs; i++) {
		const GElf_Phdr *ph = &eb->phdrs[i];

		if (ph->p_type == PT_LOAD && va >= ph->p_vaddr && va - ph->p_vaddr < ph->p_filesz &&
		    len <= ph->p_filesz - (va - ph->p_vaddr))
			return ph;
	}
	return NULL;
}

int elfbin_vaddr_to_offset(const struct elfbin *eb, uint64_t va, uint64_t *off)
{
	const GElf_Phdr *ph = load_at(eb, va, 1);

	if (!ph)
		return -1;
	*off = va - ph->p_vaddr + ph->p_offset;
	return 0;
}

const unsigned char *elfbin_vaddr_bytes(const struct elfbin *eb, uint64_t va, uint64_t len)
{
	const GElf_Phdr *ph = load_at(eb, va, len);

	/* load_phdrs() checked each PT_LOAD's file range. */
	return ph ? eb->data + (va - ph->p_vaddr + ph->p_offset) : NULL;
}

int elfbin_read_ptr(const struct elfbin *eb, uint64_t va, uint64_t *val)
{
	const unsigned char *p = elfbin_vaddr_bytes(eb, va, 8);
	size_t lo = 0, hi = eb->nr_rels;

	if (!p)
		return -1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (eb->rels[mid].offset < va) {
			lo = mid + 1;
		} else if (eb->rels[mid].offset > va) {
			hi = mid;
		} else {
			*val = eb->rels[mid].addend;
			return 0;
		}
	}
	memcpy(val, p, 8);	/* little-endian host and file (checked at open) */
	return 0;
}

bool elfbin_has_symtab(const struct elfbin *eb)
{
	const struct elfbin_sect *s = elfbin_section(eb, ".symtab");

	return s && s->type == SHT_SYMTAB && s->size;
}

int elfbin_for_each_func(const struct elfbin *eb, elfbin_sym_fn fn, void *ctx,
			 struct mw_err *err)
{
	return elfbin_for_each_symbol(eb, STT_FUNC, fn, ctx, err);
}

int elfbin_for_each_symbol(const struct elfbin *eb, unsigned int type, elfbin_sym_fn fn,
			   void *ctx, struct mw_err *err)
{
	const struct elfbin_sect *s = elfbin_section(eb, ".symtab");
	Elf_Scn *scn;
	Elf_Data *d;
	GElf_Shdr sh;
	size_t i, n;
	int ret;

	if (!s || s->type != SHT_SYMTAB)
		return 0;
	scn = elf_getscn(eb->elf, s->index);
	if (!scn || !gelf_getshdr(scn, &sh) || !(d = elf_getdata(scn, NULL)))
		return mw_err_set(err, MW_E_CORRUPT, "unreadable symbol table: %s", elf_errmsg(-1));
	if (!sh.sh_entsize || sh.sh_entsize != sizeof(Elf64_Sym))
		return mw_err_set(err, MW_E_CORRUPT, "corrupt symbol table entry size");
	n = d->d_size / sh.sh_entsize;
	for (i = 1; i < n; i++) {
		const char *name;
		GElf_Sym sym;

		if (!gelf_getsym(d, i, &sym))
			return mw_err_set(err, MW_E_CORRUPT, "bad symbol %zu", i);
		if (GELF_ST_TYPE(sym.st_info) != type || !sym.st_value ||
		    sym.st_shndx == SHN_UNDEF)
			continue;
		name = elf_strptr(eb->elf, sh.sh_link, sym.st_name);
		if (!name)
			return mw_err_set(err, MW_E_CORRUPT, "bad name of symbol %zu", i);
		if (!*name)
			continue;
		ret = fn(ctx, name, sym.st_value, sym.st_size);
		if (ret)
			return ret;
	}
	return 0;
}

/* A position-independent executable: ET_DYN with an interpreter or DF_1_PIE (not a library). */
bool elfbin_is_pie(const struct elfbin *eb)
{
	size_t i, j;

	if (eb->ehdr.e_type != ET_DYN)
		return false;
	for (i = 0; i < eb->nr_phdrs; i++)
		if (eb->phdrs[i].p_type == PT_INTERP)
			return true;
	for (i = 0; i < eb->nr_sects; i++) {
		Elf_Scn *scn;
		Elf_Data *d;

		if (eb->sects[i].type != SHT_DYNAMIC)
			continue;
		scn = elf_getscn(eb->elf, eb->sects[i].index);
		d = scn ? elf_getdata(scn, NULL) : NULL;
		for (j = 0; d && j < d->d_size / sizeof(Elf64_Dyn); j++) {
			GElf_Dyn dyn;

			if (gelf_getdyn(d, j, &dyn) && dyn.d_tag == DT_FLAGS_1)
				return dyn.d_un.d_val & DF_1_PIE;
		}
	}
	return false;
}

const void *elfbin_note(const struct elfbin *eb, const char *owner, uint32_t type, size_t *len)
{
	size_t i, olen = strlen(owner) + 1;

	for (i = 0; i < eb->nr_sects; i++) {
		const struct elfbin_sect *s = &eb->sects[i];
		const unsigned char *p = elfbin_section_data(eb, s);
		uint64_t off = 0;

		if (s->type != SHT_NOTE || !p)
			continue;
		/* namesz, descsz, type; the name and the description 4-aligned */
		while (off <= s->size && s->size - off >= 12) {
			uint32_t nsz, dsz, t;
			uint64_t name, desc;

			memcpy(&nsz, p + off, 4);
			memcpy(&dsz, p + off + 4, 4);
			memcpy(&t, p + off + 8, 4);
			name = off + 12;
			desc = name + (((uint64_t)nsz + 3) & ~3ULL);
			if (desc > s->size || dsz > s->size - desc)
				break;
			/* Go's linker pads its name: "Go\0\0", namesz 4. */
			if (t == type && nsz >= olen && !memcmp(p + name, owner, olen)) {
				*len = dsz;
				return p + desc;
			}
			off = desc + (((uint64_t)dsz + 3) & ~3ULL);
		}
	}
	return NULL;
}
