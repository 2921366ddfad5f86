// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/sdt/notes.c - SystemTap SDT notes and argument specs (see usdt.h).
 *
 * Facts from sys/sdt.h (systemtap-sdt-dev 4.8) and the sourceware wiki's
 * UserSpaceProbeImplementation page; no code taken from systemtap, bcc,
 * bpftrace or libbpf.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdt/internal.h"
#include "sdt/notes.h"

#define NOTE_HDR	12	/* namesz, descsz, type */
#define NOTE_ADDRS	24	/* pc, base, semaphore: 8 bytes each (ELF64) */
#define ALIGN4(x)	(((x) + 3) & ~(uint64_t)3)
#define SEMA_BYTES	2	/* an unsigned short, as the kernel counts it */
#define REG_CACHE	5	/* base registers kept in variables across arguments */

/* A malformed file: the whole file is refused. */
#define corrupt(err, ...)	mw_err_set(err, MW_E_CORRUPT, __VA_ARGS__)

/* ------------------------------------------------------------------------ */
/* Notes                                                                      */

/* Where PR's pc and semaphore are in the file. */
static void locate(const struct elfbin *eb, struct usdt_probe *pr)
{
	const GElf_Phdr *ph;
	size_t i;

	for (i = 0; i < eb->nr_phdrs; i++) {
		ph = &eb->phdrs[i];
		if (ph->p_type != PT_LOAD || pr->pc < ph->p_vaddr ||
		    pr->pc - ph->p_vaddr >= ph->p_memsz)
			continue;
		if (pr->pc - ph->p_vaddr >= ph->p_filesz)
			usdt_probe_err(pr, MW_E_CORRUPT, "probe address 0x%llx is in the "
				       "zero-filled part of segment %zu (no file bytes): a corrupt "
				       "note or file", (unsigned long long)pr->pc, i);
		else if (!(ph->p_flags & PF_X))
			usdt_probe_err(pr, MW_E_CORRUPT, "probe address 0x%llx is in segment %zu, "
				       "which is not executable: a corrupt note, or a wrong "
				       ".stapsdt.base", (unsigned long long)pr->pc, i);
		else
			pr->offset = pr->pc - ph->p_vaddr + ph->p_offset;
		break;
	}
	if (i == eb->nr_phdrs)
		usdt_probe_err(pr, MW_E_CORRUPT, "probe address 0x%llx is not in any loadable "
			       "segment (PT_LOAD): a corrupt note, or a wrong .stapsdt.base",
			       (unsigned long long)pr->pc);
	if (!pr->sema)
		return;
	for (i = 0; i < eb->nr_phdrs; i++) {
		ph = &eb->phdrs[i];
		if (ph->p_type != PT_LOAD || pr->sema < ph->p_vaddr ||
		    pr->sema - ph->p_vaddr >= ph->p_memsz)
			continue;
		if (pr->sema - ph->p_vaddr >= ph->p_filesz ||
		    ph->p_filesz - (pr->sema - ph->p_vaddr) < SEMA_BYTES)
			usdt_probe_err(pr, MW_E_CORRUPT, "semaphore 0x%llx is not in the file "
				       "bytes of segment %zu: the kernel counts probe users in a "
				       "page of the file", (unsigned long long)pr->sema, i);
		else if (!(ph->p_flags & PF_W) || (ph->p_flags & PF_X))
			usdt_probe_err(pr, MW_E_CORRUPT, "semaphore 0x%llx is in segment %zu, "
				       "which is not writable data: a corrupt note",
				       (unsigned long long)pr->sema, i);
		else
			pr->sema_offset = pr->sema - ph->p_vaddr + ph->p_offset;
		break;
	}
	if (i == eb->nr_phdrs)
		usdt_probe_err(pr, MW_E_CORRUPT, "semaphore 0x%llx is not in any loadable segment "
			       "(PT_LOAD): a corrupt note, or a wrong .stapsdt.base",
			       (unsigned long long)pr->sema);
	if (pr->sema_offset) {
		const struct elfbin_sect *s = elfbin_section_at(eb, pr->sema);

		if (s)
			snprintf(pr->sema_section, sizeof(pr->sema_section), "%s", s->name);
	}
}

/* NAME's address in .symtab, else .dynsym: 0, -1 absent, -2 a TLS symbol. */
static int find_sym(const struct elfbin *eb, const char *name, uint64_t *addr)
{
	static const uint32_t types[] = { SHT_SYMTAB, SHT_DYNSYM };
	unsigned int t;
	size_t i, j, n;

	for (t = 0; t < 2; t++) {
		for (i = 0; i < eb->nr_sects; i++) {
			Elf_Scn *scn;
			Elf_Data *d;
			GElf_Shdr sh;

			if (eb->sects[i].type != types[t])
				continue;
			scn = elf_getscn(eb->elf, eb->sects[i].index);
			if (!scn || !gelf_getshdr(scn, &sh) || sh.sh_entsize != sizeof(Elf64_Sym) ||
			    !(d = elf_getdata(scn, NULL)))
				continue;
			n = d->d_size / sizeof(Elf64_Sym);
			for (j = 1; j < n; j++) {
				const char *nm;
				GElf_Sym sym;

				if (!gelf_getsym(d, j, &sym) || sym.st_shndx == SHN_UNDEF)
					continue;
				nm = elf_strptr(eb->elf, sh.sh_link, sym.st_name);
				if (!nm || strcmp(nm, name))
					continue;
				if (GELF_ST_TYPE(sym.st_info) == STT_TLS)
					return -2;
				*addr = sym.st_value;
				return 0;
			}
		}
	}
	return -1;
}

static void resolve_syms(const struct elfbin *eb, struct usdt_probe *pr)
{
	unsigned int i;

	for (i = 0; i < pr->nr_args; i++) {
		struct usdt_arg *a = &pr->args[i];
		int ret;

		if (a->kind != USDT_ARG_GLOBAL || !a->sym)
			continue;
		ret = find_sym(eb, a->sym, &a->sym_addr);
		if (ret == -2)
			usdt_probe_err(pr, MW_E_INVAL, "argument %u '%.96s': %.64s is a "
				       "thread-local variable: not supported", i, a->spec, a->sym);
		else if (ret)
			usdt_probe_err(pr, MW_E_INVAL, "argument %u '%.96s': symbol %.64s is in "
				       "neither .symtab nor .dynsym (a stripped file?)", i, a->spec,
				       a->sym);
	}
}

/* "" or what is wrong with the NUL-terminated string at [s, end). */
static const char *check_str(const char *s, const char *end, bool spaces, size_t *len)
{
	const char *nul = memchr(s, 0, end - s);
	const char *p;

	if (!nul)
		return "not NUL-terminated inside the note";
	for (p = s; p < nul; p++)
		if (!isgraph((unsigned char)*p) && !(spaces && (*p == ' ' || *p == '\t')))
			return "has a non-printable byte";
	*len = nul - s;
	return "";
}

static struct usdt_probe *new_probe(struct usdt_file *uf, size_t *cap)
{
	struct usdt_probe *pr;

	if (uf->nr == *cap) {
		size_t n = *cap ? *cap * 2 : 64;

		pr = realloc(uf->probes, n * sizeof(*pr));
		if (!pr)
			return NULL;
		uf->probes = pr;
		*cap = n;
	}
	pr = &uf->probes[uf->nr++];
	memset(pr, 0, sizeof(*pr));
	return pr;
}

/* One stapsdt note's description: DESC, LEN bytes. */
static int add_note(const struct elfbin *eb, struct usdt_file *uf, size_t *cap,
		    const unsigned char *desc, size_t len, const char *where,
		    struct mw_err *err)
{
	const char *s = (const char *)desc + NOTE_ADDRS, *end = (const char *)desc + len;
	const char *str[3], *why;
	static const char *const what[3] = { "provider name", "probe name", "argument string" };
	struct usdt_probe *pr;
	size_t n;
	int i;

	if (len < NOTE_ADDRS)
		return corrupt(err, "%s: description of %zu bytes, shorter than its three 8-byte "
			       "addresses", where, len);
	for (i = 0; i < 3; i++) {
		if (s >= end)
			return corrupt(err, "%s: %s missing (the note ends before it)", where,
				       what[i]);
		why = check_str(s, end, i == 2, &n);
		if (*why)
			return corrupt(err, "%s: %s %s", where, what[i], why);
		if (!n && i < 2)
			return corrupt(err, "%s: empty %s", where, what[i]);
		str[i] = s;
		s += n + 1;
	}
	pr = new_probe(uf, cap);
	if (!pr)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	pr->provider = strdup(str[0]);
	pr->name = strdup(str[1]);
	pr->args_str = strdup(str[2]);
	if (!pr->provider || !pr->name || !pr->args_str)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	memcpy(&pr->note_pc, desc, 8);		/* little-endian file and host */
	memcpy(&pr->note_base, desc + 8, 8);
	memcpy(&pr->note_sema, desc + 16, 8);
	pr->pc = pr->note_pc;
	pr->sema = pr->note_sema;
	/* Prelink moved the sections: move the probe with .stapsdt.base. */
	if (uf->has_base && pr->note_base) {
		pr->pc += uf->base - pr->note_base;
		if (pr->sema)
			pr->sema += uf->base - pr->note_base;
	}
	locate(eb, pr);
	if (usdt_parse_args(uf->machine, pr->args_str, pr) == 0)
		resolve_syms(eb, pr);
	return 0;
}

static int read_notes(const struct elfbin *eb, struct usdt_file *uf, size_t *cap,
		      const struct elfbin_sect *s, struct mw_err *err)
{
	const unsigned char *data = elfbin_section_data(eb, s);
	uint64_t off = 0, size = s->size;
	unsigned int nr;
	char where[96];

	if (s->type != SHT_NOTE)
		return corrupt(err, "section %s has type %u, not SHT_NOTE (%u)", s->name, s->type,
			       SHT_NOTE);
	if (!data)
		return corrupt(err, "section %s has no bytes in the file", s->name);
	for (nr = 0; off < size; nr++) {
		uint32_t namesz, descsz, type;
		uint64_t name_off, desc_off;

		snprintf(where, sizeof(where), "%s: note %u at offset 0x%llx", s->name, nr,
			 (unsigned long long)off);
		if (size - off < NOTE_HDR)
			return corrupt(err, "%s: truncated: %llu bytes left, a note header is %u",
				       where, (unsigned long long)(size - off), NOTE_HDR);
		memcpy(&namesz, data + off, 4);
		memcpy(&descsz, data + off + 4, 4);
		memcpy(&type, data + off + 8, 4);
		name_off = off + NOTE_HDR;
		if (namesz > size - name_off)
			return corrupt(err, "%s: name size %u runs past the end of the section "
				       "(0x%llx bytes)", where, namesz, (unsigned long long)size);
		desc_off = name_off + ALIGN4((uint64_t)namesz);
		if (desc_off > size || descsz > size - desc_off)
			return corrupt(err, "%s: description size %u runs past the end of the "
				       "section (0x%llx bytes)", where, descsz,
				       (unsigned long long)size);
		/* The last note's padding may be missing. */
		off = desc_off + ALIGN4((uint64_t)descsz);
		if (off > size)
			off = size;
		if (type != USDT_NOTE_TYPE)
			continue;
		if (namesz == sizeof(USDT_NOTE_NAME) - 1 &&
		    !memcmp(data + name_off, USDT_NOTE_NAME, namesz))
			return corrupt(err, "%s: name \"stapsdt\" is not NUL-terminated (name size "
				       "%u)", where, namesz);
		if (namesz != sizeof(USDT_NOTE_NAME) ||
		    memcmp(data + name_off, USDT_NOTE_NAME, sizeof(USDT_NOTE_NAME)))
			continue;	/* another owner's note of type 3 */
		if (add_note(eb, uf, cap, data + desc_off, descsz, where, err))
			return -1;
	}
	return 0;
}

int usdt_read(const struct elfbin *eb, struct usdt_file *uf, struct mw_err *err)
{
	const struct elfbin_sect *base = elfbin_section(eb, USDT_BASE_SECTION);
	size_t i, cap = 0;

	memset(uf, 0, sizeof(*uf));
	uf->machine = eb->ehdr.e_machine;
	if (base) {
		uf->has_base = true;
		uf->base = base->addr;
	}
	for (i = 0; i < eb->nr_sects; i++) {
		if (strcmp(eb->sects[i].name, USDT_NOTE_SECTION))
			continue;
		uf->has_notes = true;
		if (read_notes(eb, uf, &cap, &eb->sects[i], err)) {
			usdt_free(uf);
			return -1;
		}
	}
	return 0;
}

int usdt_open(const char *path, struct usdt_file *uf, struct mw_err *err)
{
	struct elfbin eb;
	int ret;

	memset(uf, 0, sizeof(*uf));
	if (elfbin_open(&eb, path, err))
		return -1;
	ret = usdt_read(&eb, uf, err);
	elfbin_close(&eb);
	return ret;
}

int usdt_open_mem(void *data, size_t size, struct usdt_file *uf, struct mw_err *err)
{
	struct elfbin eb;
	int ret;

	memset(uf, 0, sizeof(*uf));
	if (elfbin_open_mem(&eb, data, size, err))
		return -1;
	ret = usdt_read(&eb, uf, err);
	elfbin_close(&eb);
	return ret;
}

void usdt_free(struct usdt_file *uf)
{
	size_t i;

	for (i = 0; i < uf->nr; i++) {
		struct usdt_probe *pr = &uf->probes[i];

		usdt_args_release(pr);
		free(pr->provider);
		free(pr->name);
		free(pr->args_str);
	}
	free(uf->probes);
	memset(uf, 0, sizeof(*uf));
}

/* ------------------------------------------------------------------------ */
/* Fetch programs                                                             */

/* Registers already read into variables, oldest first. */
struct reg_cache {
	int reg[REG_CACHE];
	int var[REG_CACHE];
	unsigned int n;
};

static int reg_var(struct fprog *p, struct reg_cache *rc, int reg)
{
	unsigned int i;
	int var;

	for (i = 0; i < rc->n; i++)
		if (rc->reg[i] == reg)
			return rc->var[i];
	if (rc->n == REG_CACHE) {
		fp_free(p, rc->var[0]);
		memmove(rc->reg, rc->reg + 1, (REG_CACHE - 1) * sizeof(rc->reg[0]));
		memmove(rc->var, rc->var + 1, (REG_CACHE - 1) * sizeof(rc->var[0]));
		rc->n--;
	}
	var = fp_reg(p, reg);
	if (var < 0)
		return -1;
	rc->reg[rc->n] = reg;
	rc->var[rc->n++] = var;
	return var;
}

/* Why argument A cannot be fetched, or NULL. */
static const char *untranslatable(uint16_t machine, const struct usdt_arg *a)
{
	if (a->is_float)
		return "a floating-point argument: not supported (fetch programs record "
		       "integers)";
	switch (a->kind) {
	case USDT_ARG_MEM:
		if (a->index >= 0)
			return "indexed memory (base + index * scale): not supported, a fetch "
			       "program cannot add two registers";
		if (a->reg < 0 || a->reg_bytes != 8)
			return "memory at a 32-bit address: not supported";
		break;
	case USDT_ARG_GLOBAL:
		if (!a->sym)
			return "an offset from %rip without a symbol: its instruction is not "
			       "known, so neither is the address";
		break;
	case USDT_ARG_REG:
		if (machine == EM_X86_64 ? a->reg >= MAPWATCH_REG_X86_NR :
		    a->reg >= MAPWATCH_REG_ARM64_NR)
			return "a register the module cannot read";
		break;
	case USDT_ARG_CONST:
		break;
	}
	return NULL;
}

/* The variable holding argument A's value: a register as it is, or a load. */
static int arg_var(struct fprog *p, struct reg_cache *rc, const struct usdt_probe *pr,
		   const struct usdt_arg *a)
{
	switch (a->kind) {
	case USDT_ARG_REG:
		return reg_var(p, rc, a->reg);
	case USDT_ARG_MEM:
		return fp_load(p, reg_var(p, rc, a->reg), a->value, a->size, a->is_signed);
	case USDT_ARG_CONST:
		return fp_const(p, a->value);
	case USDT_ARG_GLOBAL: {
		int pc = fp_pc(p, (int64_t)(a->sym_addr + (uint64_t)a->value - pr->pc));
		int val = fp_load(p, pc, 0, a->size, a->is_signed);

		fp_free(p, pc);
		return val;
	}
	}
	return -1;
}

/* The usdt_bytes entry whose pointer is argument I, or NULL. */
static const struct usdt_bytes *bytes_of(const struct usdt_bytes *b, unsigned int nr,
					 unsigned int i)
{
	while (nr--)
		if (b[nr].ptr_arg == i)
			return &b[nr];
	return NULL;
}

int usdt_fetchprog(const struct usdt_probe *pr, uint16_t machine, struct fprog *p,
		   struct mw_err *err)
{
	return usdt_fetchprog_bytes(pr, machine, NULL, 0, p, err);
}

int usdt_fetchprog_bytes(const struct usdt_probe *pr, uint16_t machine,
			 const struct usdt_bytes *copies, unsigned int nr_copies, struct fprog *p,
			 struct mw_err *err)
{
	struct reg_cache rc = { .n = 0 };
	unsigned int i;

	fp_init(p);
	if (pr->error.code) {
		if (err)
			*err = pr->error;
		return -1;
	}
	for (i = 0; i < pr->nr_args; i++) {
		const struct usdt_arg *a = &pr->args[i];
		const char *name = usdt_arg_name(i), *why = untranslatable(machine, a);
		const struct usdt_bytes *b;
		unsigned int bytes;
		int var, val;

		if (why)
			return mw_err_set(err, MW_E_INVAL, "%.64s:%.64s: argument %u '%.96s': %s",
					  pr->provider, pr->name, i, a->spec, why);
		b = bytes_of(copies, nr_copies, i);
		if (b) {
			const struct usdt_arg *la = b->len_arg < pr->nr_args ?
						    &pr->args[b->len_arg] : NULL;

			if (!la || la->is_float || untranslatable(machine, la) || !b->max)
				return mw_err_set(err, MW_E_INVAL, "%.64s:%.64s: argument %u: no "
						  "length argument %u to copy its bytes with",
						  pr->provider, pr->name, i, b->len_arg);
			var = arg_var(p, &rc, pr, a);
			val = arg_var(p, &rc, pr, la);
			/*
			 * The length variable is the whole register: a 32-bit
			 * length may have garbage above it, so the copy is
			 * at most max bytes and the emitted length says how
			 * many of them count.
			 */
			fp_copy(p, name, var, val, b->max);
			if (a->kind != USDT_ARG_REG)
				fp_free(p, var);
			if (la->kind != USDT_ARG_REG)
				fp_free(p, val);
			goto next;
		}
		switch (a->kind) {
		case USDT_ARG_REG:
			/* A narrower register holds the value: %edi's low 32 bits of DI. */
			bytes = a->size < a->reg_bytes ? a->size : a->reg_bytes;
			fp_emit(p, name, reg_var(p, &rc, a->reg), bytes, a->is_signed);
			break;
		case USDT_ARG_MEM:
			var = reg_var(p, &rc, a->reg);
			val = fp_load(p, var, a->value, a->size, a->is_signed);
			fp_emit(p, name, val, a->size, a->is_signed);
			fp_free(p, val);
			break;
		case USDT_ARG_CONST:
			val = fp_const(p, a->value);
			fp_emit(p, name, val, a->size, a->is_signed);
			fp_free(p, val);
			break;
		case USDT_ARG_GLOBAL:
			/* The probe and the symbol move together: PC-relative. */
			var = fp_pc(p, (int64_t)(a->sym_addr + (uint64_t)a->value - pr->pc));
			val = fp_load(p, var, 0, a->size, a->is_signed);
			fp_emit(p, name, val, a->size, a->is_signed);
			fp_free(p, val);
			fp_free(p, var);
			break;
		}
next:
		if (p->error)
			return mw_err_set(err, MW_E_INVAL, "%.64s:%.64s: argument %u '%.96s': "
					  "fetch program: %s (%u operations at most)", pr->provider,
					  pr->name, i, a->spec, p->error, MAPWATCH_FETCH_MAX_OPS);
	}
	return 0;
}
