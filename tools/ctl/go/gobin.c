// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/go/gobin.c - a Go binary's build info and function tables, and
 * the map implementation it uses (probe placement: prologue.c).
 *
 * Layouts (read in Go's src/debug/buildinfo, src/debug/gosym/pclntab.go
 * and src/runtime/symtab.go; no code taken from them):
 *
 * .go.buildinfo: 32-byte header, 16-aligned: "\xff Go buildinf:" (14),
 *   pointer size (1), flags (1; 0x1 big-endian, 0x2 strings inline).
 *   Inline (Go 1.18+): then uvarint-length-prefixed version and modinfo.
 *   Before: at 16 and 16 + ptrsize, pointers to Go string headers
 *   {data, len} holding version and modinfo.  Modinfo is framed by 16-byte
 *   sentinels.
 *
 * .gopclntab header (all little-endian here, ptrsize 8):
 *   0  magic u32     0xfffffffb 1.2, 0xfffffffa 1.16, 0xfffffff0 1.18,
 *                    0xfffffff1 1.20
 *   4  0, 0, min instruction size (1, 2, 4), pointer size
 *   8  words of ptrsize:
 *      1.18+: nfunc, nfiles, textStart, funcname, cu, filetab, pctab, pcln
 *             (textStart is 0 from 1.26: moduledata.text has it)
 *      1.16:  nfunc, nfiles, funcname, cu, filetab, pctab, pcln
 *      1.2:   nfunc, then the functab itself
 *   Offsets are from the header.  The functab (at "pcln") has nfunc
 *   {entry, funcoff} pairs and one final entry (end of text): u32 fields,
 *   entry relative to textStart, from 1.18; ptrsize fields with absolute
 *   entries before.  funcoff locates the function's _func from the pcln
 *   base; its second field (int32, after a u32 entry offset from 1.18 or a
 *   ptrsize entry before) is the name's offset in the funcname table.
 *   In PIE binaries pointer fields are dynamically relocated: the file
 *   holds 0 and a RELATIVE relocation the value (elfbin_read_ptr()).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <capstone/capstone.h>

#include "go/gobin.h"
#include "go/gobin_internal.h"

#define BUILDINFO_MAGIC		"\xff Go buildinf:"
#define BUILDINFO_MAGIC_LEN	14
#define BUILDINFO_HDR		32
#define BUILDINFO_FLAG_BE	0x1
#define BUILDINFO_FLAG_INLINE	0x2
#define MODINFO_SENTINEL	16

#define PCLN_MAGIC_12		0xfffffffbu
#define PCLN_MAGIC_116		0xfffffffau
#define PCLN_MAGIC_118		0xfffffff0u
#define PCLN_MAGIC_120		0xfffffff1u

static uint64_t get_u64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* ------------------------------------------------------------------------ */
/* Build info                                                                 */

/* A uvarint at *p (< end); advances *p.  -1 if it runs off the end or overflows. */
static int uvarint(const unsigned char **p, const unsigned char *end, uint64_t *v)
{
	unsigned int shift = 0;

	*v = 0;
	while (*p < end && shift < 64) {
		unsigned char b = *(*p)++;

		*v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return 0;
		shift += 7;
	}
	return -1;
}

static void add_experiment(struct gobin_info *in, const char *name, size_t len)
{
	char *e = in->experiments;
	size_t have = strlen(e);
	const char *s = e;

	if (!len)
		return;
	while (*s) {	/* already listed? */
		const char *comma = strchr(s, ',');
		size_t n = comma ? (size_t)(comma - s) : strlen(s);

		if (n == len && !memcmp(s, name, len))
			return;
		s += n + (comma ? 1 : 0);
	}
	if (have + len + 2 > sizeof(in->experiments))
		return;
	if (have)
		e[have++] = ',';
	memcpy(e + have, name, len);
	e[have + len] = 0;
}

static void add_experiment_list(struct gobin_info *in, const char *s, size_t len)
{
	const char *end = s + len;

	while (s < end) {
		const char *comma = memchr(s, ',', end - s);
		size_t n = comma ? (size_t)(comma - s) : (size_t)(end - s);

		add_experiment(in, s, n);
		s += n + 1;
	}
}

/*
 * "go1.25.12", "go1.24.4 X:noswissmap" (<= 1.25), "go1.26.1-X:foo" (1.26+),
 * "devel go1.27-abcdef ...": fill version, numbers and experiments.
 */
static int parse_version(struct gobin_info *in, const char *v, size_t len, struct mw_err *err)
{
	const char *end = v + len, *x;
	char num[8];
	size_t i, n;

	if (len >= 6 && !memcmp(v, "devel ", 6)) {
		v += 6;
		len -= 6;
	}
	for (x = v; x + 3 <= end; x++) {
		if ((x[0] == ' ' || x[0] == '-') && x[1] == 'X' && x[2] == ':') {
			add_experiment_list(in, x + 3, end - (x + 3));
			break;
		}
	}
	n = x + 3 <= end ? (size_t)(x - v) : len;
	for (i = 0; i < n && !isspace((unsigned char)v[i]); i++)
		;
	n = i;
	if (n < 3 || memcmp(v, "go", 2) || n >= sizeof(in->version))
		return mw_err_set(err, MW_E_GO_CORRUPT, "unrecognised Go version '%.*s'",
				  (int)(len < 40 ? len : 40), v);
	memcpy(in->version, v, n);
	in->version[n] = 0;
	/* go1.N[.P]: read up to three numbers */
	{
		const char *s = in->version + 2;
		unsigned int *dst[3] = { &in->go_major, &in->go_minor, &in->go_patch };

		for (i = 0; i < 3 && isdigit((unsigned char)*s); i++) {
			size_t k = 0;

			while (isdigit((unsigned char)*s) && k < sizeof(num) - 1)
				num[k++] = *s++;
			num[k] = 0;
			*dst[i] = strtoul(num, NULL, 10);
			if (*s != '.')
				break;
			s++;
		}
	}
	if (!in->go_major)
		return mw_err_set(err, MW_E_GO_CORRUPT, "unrecognised Go version '%s'",
				  in->version);
	return 0;
}

/* Modinfo lines "build\tKEY=VALUE": experiments and cgo. */
static void parse_modinfo(struct gobin_info *in, const char *m, size_t len)
{
	const char *end, *line;

	if (len >= 2 * MODINFO_SENTINEL + 1 && m[len - MODINFO_SENTINEL - 1] == '\n') {
		m += MODINFO_SENTINEL;
		len -= 2 * MODINFO_SENTINEL;
	}
	end = m + len;
	for (line = m; line < end;) {
		const char *nl = memchr(line, '\n', end - line);
		size_t n = nl ? (size_t)(nl - line) : (size_t)(end - line);

		if (n > 19 && !memcmp(line, "build\tGOEXPERIMENT=", 19))
			add_experiment_list(in, line + 19, n - 19);
		else if (n == 19 && !memcmp(line, "build\tCGO_ENABLED=", 18))
			in->cgo = line[18] == '1';
		line += n + 1;
	}
}

/* The Go string header {data, len} at VA: its bytes. */
static const char *go_string_at(const struct gobin *gb, uint64_t va, uint64_t *len)
{
	const unsigned char *hdr = elfbin_vaddr_bytes(&gb->eb, va, 16);
	uint64_t data;

	if (!hdr || elfbin_read_ptr(&gb->eb, va, &data))
		return NULL;
	*len = get_u64(hdr + 8);
	if (*len > 1u << 20)
		return NULL;
	return (const char *)elfbin_vaddr_bytes(&gb->eb, data, *len ? *len : 1);
}

static int parse_buildinfo(struct gobin *gb, const unsigned char *p, uint64_t size, uint64_t va,
			   struct mw_err *err)
{
	const unsigned char *end = p + size, *q;
	const char *ver, *mod = NULL;
	uint64_t vlen, mlen = 0;

	if (size < BUILDINFO_HDR)
		return mw_err_set(err, MW_E_GO_CORRUPT, "truncated Go build info");
	if (p[14] != 8)
		return mw_err_set(err, MW_E_GO_CORRUPT, "Go build info pointer size %u, not 8",
				  p[14]);
	if (p[15] & BUILDINFO_FLAG_BE)
		return mw_err_set(err, MW_E_FORMAT, "big-endian Go build info");
	if (p[15] & BUILDINFO_FLAG_INLINE) {
		q = p + BUILDINFO_HDR;
		if (uvarint(&q, end, &vlen) || vlen > (uint64_t)(end - q))
			return mw_err_set(err, MW_E_GO_CORRUPT, "corrupt Go build info (version)");
		ver = (const char *)q;
		q += vlen;
		if (!uvarint(&q, end, &mlen) && mlen <= (uint64_t)(end - q))
			mod = (const char *)q;
	} else {
		ver = go_string_at(gb, va + 16, &vlen);
		if (!ver)
			return mw_err_set(err, MW_E_GO_CORRUPT,
					  "corrupt Go build info (version pointer)");
		mod = go_string_at(gb, va + 24, &mlen);
	}
	if (!vlen)
		return mw_err_set(err, MW_E_GO_CORRUPT, "Go build info has no version");
	if (parse_version(&gb->info, ver, vlen, err))
		return -1;
	if (mod)
		parse_modinfo(&gb->info, mod, mlen);
	return 0;
}

/* .go.buildinfo, or the header at a 16-byte boundary of the first RW data segment. */
static int find_buildinfo(struct gobin *gb, struct mw_err *err)
{
	const struct elfbin_sect *s = elfbin_section(&gb->eb, ".go.buildinfo");
	const struct elfbin *eb = &gb->eb;
	size_t i;

	if (s) {
		const unsigned char *p = elfbin_section_data(eb, s);

		if (!p || s->size < BUILDINFO_HDR || memcmp(p, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
			return mw_err_set(err, MW_E_GO_CORRUPT, "corrupt .go.buildinfo section");
		return parse_buildinfo(gb, p, s->size, s->addr, err);
	}
	for (i = 0; i < eb->nr_phdrs; i++) {
		const GElf_Phdr *ph = &eb->phdrs[i];
		const unsigned char *seg;
		uint64_t off;

		if (ph->p_type != PT_LOAD || (ph->p_flags & (PF_W | PF_X)) != PF_W)
			continue;
		seg = eb->data + ph->p_offset;	/* checked by elfbin_open() */
		for (off = (16 - ph->p_vaddr % 16) % 16; off + BUILDINFO_HDR <= ph->p_filesz;
		     off += 16)
			if (!memcmp(seg + off, BUILDINFO_MAGIC, BUILDINFO_MAGIC_LEN))
				return parse_buildinfo(gb, seg + off, ph->p_filesz - off,
						       ph->p_vaddr + off, err);
		break;
	}
	return mw_err_set(err, MW_E_NOT_GO, "not a Go binary (no Go build info)");
}

/* ------------------------------------------------------------------------ */
/* pclntab                                                                    */

struct pcln {
	const unsigned char *p;	/* header */
	uint64_t size;		/* bytes readable from p */
	uint64_t va;
	unsigned int format;
};

/* NUL-terminated string at off in [base, base + size); NULL if it runs off. */
static const char *pcln_str(const unsigned char *base, uint64_t size, uint64_t off)
{
	if (off >= size || !memchr(base + off, 0, size - off))
		return NULL;
	return (const char *)base + off;
}

static unsigned int pcln_format(const unsigned char *p)
{
	if (p[4] || p[5] || (p[6] != 1 && p[6] != 2 && p[6] != 4) || p[7] != 8)
		return 0;
	switch (get_u32(p)) {
	case PCLN_MAGIC_12:	return 102;
	case PCLN_MAGIC_116:	return 116;
	case PCLN_MAGIC_118:	return 118;
	case PCLN_MAGIC_120:	return 120;
	default:		return 0;
	}
}

/*
 * runtime.firstmoduledata, from 1.16 to 1.27 (runtime/symtab.go):
 *   0 pcHeader, 8 funcnametab, 32 cutab, 56 filetab, 80 pctab,
 *   104 pclntable, 128 ftab (slices: data, len, cap), 152 findfunctab,
 *   160 minpc, 168 maxpc, 176 text, 184 etext.
 */
#define MD_FUNCNAMETAB	8
#define MD_PCLNTABLE	104
#define MD_FTAB		128
#define MD_TEXT		176
#define MD_ETEXT	184

/* Is there a moduledata at VA describing the pclntab T?  Then its text start. */
static bool moduledata_at(const struct gobin *gb, uint64_t va, const struct pcln *t,
			  uint64_t nametab, uint64_t pcln, uint64_t nfunc, uint64_t *text)
{
	const unsigned char *md = elfbin_vaddr_bytes(&gb->eb, va, MD_ETEXT + 8);
	uint64_t v, etext;

	if (!md)
		return false;
	if (elfbin_read_ptr(&gb->eb, va, &v) || v != t->va ||
	    elfbin_read_ptr(&gb->eb, va + MD_FUNCNAMETAB, &v) || v != t->va + nametab ||
	    elfbin_read_ptr(&gb->eb, va + MD_PCLNTABLE, &v) || v != t->va + pcln ||
	    elfbin_read_ptr(&gb->eb, va + MD_FTAB, &v) || v != t->va + pcln ||
	    get_u64(md + MD_FTAB + 8) != nfunc + 1 ||
	    elfbin_read_ptr(&gb->eb, va + MD_TEXT, text) ||
	    elfbin_read_ptr(&gb->eb, va + MD_ETEXT, &etext) || !*text || etext < *text)
		return false;
	return true;
}

/* Find the moduledata that points at T: by relocation in PIE, else by value. */
static int moduledata_text(const struct gobin *gb, const struct pcln *t, uint64_t nametab,
			   uint64_t pcln, uint64_t nfunc, uint64_t *text)
{
	const struct elfbin *eb = &gb->eb;
	size_t i;

	for (i = 0; i < eb->nr_rels; i++)
		if (eb->rels[i].addend == t->va &&
		    moduledata_at(gb, eb->rels[i].offset, t, nametab, pcln, nfunc, text))
			return 0;
	for (i = 0; i < eb->nr_phdrs; i++) {
		const GElf_Phdr *ph = &eb->phdrs[i];
		uint64_t off;

		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_W))
			continue;
		for (off = (8 - ph->p_vaddr % 8) % 8; off + 8 <= ph->p_filesz; off += 8)
			if (get_u64(eb->data + ph->p_offset + off) == t->va &&
			    moduledata_at(gb, ph->p_vaddr + off, t, nametab, pcln, nfunc, text))
				return 0;
	}
	return -1;
}

/*
 * Read the function table of T into gb->pcln_funcs.  Every offset is checked
 * against T->size; entries must not decrease.  ERR may be NULL (scanning).
 */
static int pcln_parse(struct gobin *gb, const struct pcln *t, struct mw_err *err)
{
	const unsigned char *p = t->p;
	uint64_t nfunc, nametab, pcln, ftab, fsz, i, text = 0, hdr;
	struct gobin_func *funcs;

	hdr = t->format >= 118 ? 8 + 8 * 8 : t->format == 116 ? 8 + 7 * 8 : 16;
	if (t->size < hdr)
		return mw_err_set(err, MW_E_GO_CORRUPT, "truncated pclntab header");
	nfunc = get_u64(p + 8);
	if (t->format >= 118) {
		if (elfbin_read_ptr(&gb->eb, t->va + 24, &text))
			return mw_err_set(err, MW_E_GO_CORRUPT, "unreadable pclntab text start");
		nametab = get_u64(p + 32);
		pcln = get_u64(p + 64);
		fsz = 4;
		/* Go 1.26+ no longer stores it: take moduledata's */
		if (!text && moduledata_text(gb, t, nametab, pcln, nfunc, &text))
			return mw_err_set(err, MW_E_GO_CORRUPT,
					  "pclntab without a text start, and no moduledata found");
	} else if (t->format == 116) {
		nametab = get_u64(p + 24);
		pcln = get_u64(p + 56);
		fsz = 8;
	} else {
		nametab = 0;
		pcln = 0;
		fsz = 8;
	}
	ftab = t->format == 102 ? 16 : pcln;
	if (!nfunc || nfunc > t->size / (2 * fsz) || nametab >= t->size || pcln >= t->size ||
	    ftab > t->size || (2 * nfunc + 1) * fsz > t->size - ftab)
		return mw_err_set(err, MW_E_GO_CORRUPT, "corrupt pclntab header (%llu functions)",
				  (unsigned long long)nfunc);
	funcs = calloc(nfunc, sizeof(*funcs));
	if (!funcs)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	for (i = 0; i < nfunc; i++) {
		const unsigned char *e = p + ftab + 2 * i * fsz;
		uint64_t entry, next, foff, nameoff;

		if (fsz == 4) {
			entry = text + get_u32(e);
			foff = get_u32(e + 4);
			next = text + get_u32(e + 8);
		} else if (elfbin_read_ptr(&gb->eb, t->va + ftab + 2 * i * fsz, &entry) ||
			   elfbin_read_ptr(&gb->eb, t->va + ftab + (2 * i + 2) * fsz, &next)) {
			goto corrupt;
		} else {
			foff = get_u64(e + 8);
		}
		/* _func: entry (u32 from 1.18, uintptr before), then int32 name offset */
		foff += pcln + (fsz == 4 ? 4 : 8);
		if (next < entry || foff > t->size - 4)
			goto corrupt;
		nameoff = nametab + get_u32(p + foff);
		funcs[i].name = pcln_str(p, t->size, nameoff);
		if (!funcs[i].name)
			goto corrupt;
		funcs[i].addr = entry;
		funcs[i].size = next - entry;
	}
	gb->pcln_funcs = funcs;
	gb->nr_pcln_funcs = nfunc;
	gb->info.pclntab_format = t->format;
	gb->info.pclntab_addr = t->va;
	gb->info.text_start = fsz == 4 ? text : funcs[0].addr;
	return 0;

corrupt:
	free(funcs);
	return mw_err_set(err, MW_E_GO_CORRUPT, "corrupt pclntab (function %llu of %llu)",
			  (unsigned long long)i, (unsigned long long)nfunc);
}

/* Is the first function's entry in an executable segment? */
static bool pcln_plausible(const struct gobin *gb)
{
	const struct elfbin *eb = &gb->eb;
	uint64_t va = gb->nr_pcln_funcs ? gb->pcln_funcs[0].addr : 0;
	size_t i;

	for (i = 0; i < eb->nr_phdrs; i++)
		if (eb->phdrs[i].p_type == PT_LOAD && (eb->phdrs[i].p_flags & PF_X) &&
		    va >= eb->phdrs[i].p_vaddr && va - eb->phdrs[i].p_vaddr < eb->phdrs[i].p_filesz)
			return true;
	return false;
}

/*
 * .gopclntab (internal linking), .data.rel.ro.gopclntab (internal PIE);
 * with external linking (cgo PIE) it is merged into .data.rel.ro and only
 * a scan for a header that parses finds it.
 */
static int find_pclntab(struct gobin *gb, struct mw_err *err)
{
	static const char *const names[] = { ".gopclntab", ".data.rel.ro.gopclntab" };
	const struct elfbin *eb = &gb->eb;
	struct pcln t;
	size_t i;

	for (i = 0; i < 2; i++) {
		const struct elfbin_sect *s = elfbin_section(eb, names[i]);

		if (!s)
			continue;
		t.p = elfbin_section_data(eb, s);
		if (!t.p || s->size < 16 || !(t.format = pcln_format(t.p)))
			return mw_err_set(err, MW_E_GO_CORRUPT, "corrupt %s header", names[i]);
		t.size = s->size;
		t.va = s->addr;
		if (pcln_parse(gb, &t, err))
			return -1;
		if (!pcln_plausible(gb))
			return mw_err_set(err, MW_E_GO_CORRUPT, "%s: functions outside the text",
					  names[i]);
		return 0;
	}
	for (i = 0; i < eb->nr_phdrs; i++) {
		const GElf_Phdr *ph = &eb->phdrs[i];
		uint64_t off;

		if (ph->p_type != PT_LOAD || (ph->p_flags & PF_X))
			continue;
		for (off = (8 - ph->p_vaddr % 8) % 8; off + 16 <= ph->p_filesz; off += 8) {
			const unsigned char *p = eb->data + ph->p_offset + off;

			if (p[3] != 0xff || p[2] != 0xff || !(t.format = pcln_format(p)))
				continue;
			t.p = p;
			t.size = ph->p_filesz - off;
			t.va = ph->p_vaddr + off;
			if (!pcln_parse(gb, &t, NULL)) {
				if (pcln_plausible(gb))
					return 0;
				free(gb->pcln_funcs);
				gb->pcln_funcs = NULL;
				gb->nr_pcln_funcs = 0;
				gb->info.pclntab_format = 0;
			}
		}
	}
	return 0;	/* none: fine if .symtab has the functions */
}

/* ------------------------------------------------------------------------ */
/* Function list                                                              */

struct sym_collect {
	struct gobin_func *funcs;
	size_t nr, cap;
};

static int collect_sym(void *ctx, const char *name, uint64_t addr, uint64_t size)
{
	struct sym_collect *c = ctx;

	if (c->nr == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 4096;
		void *n = realloc(c->funcs, cap * sizeof(*c->funcs));

		if (!n)
			return -2;
		c->funcs = n;
		c->cap = cap;
	}
	c->funcs[c->nr].name = name;
	c->funcs[c->nr].addr = addr;
	c->funcs[c->nr].size = size;
	c->nr++;
	return 0;
}

static int func_addr_cmp(const void *a, const void *b)
{
	const struct gobin_func *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int func_name_cmp(const void *a, const void *b)
{
	const struct gobin_func *const *x = a, *const *y = b;
	int c = strcmp((*x)->name, (*y)->name);

	if (c)
		return c;
	return (*x)->addr < (*y)->addr ? -1 : (*x)->addr > (*y)->addr;
}

static int load_funcs(struct gobin *gb, struct mw_err *err)
{
	struct sym_collect c = { 0 };
	size_t i;
	int ret;

	ret = elfbin_for_each_func(&gb->eb, collect_sym, &c, err);
	if (ret) {
		free(c.funcs);
		if (ret == -2)
			return mw_err_set(err, MW_E_NOMEM, "out of memory");
		return -1;
	}
	if (c.nr) {
		qsort(c.funcs, c.nr, sizeof(*c.funcs), func_addr_cmp);
		/* Symbols without a size end at the next function. */
		for (i = 0; i < c.nr; i++)
			if (!c.funcs[i].size && i + 1 < c.nr)
				c.funcs[i].size = c.funcs[i + 1].addr - c.funcs[i].addr;
		gb->funcs = c.funcs;
		gb->nr_funcs = c.nr;
	} else {
		free(c.funcs);
		gb->info.stripped = true;
		if (!gb->nr_pcln_funcs)
			return mw_err_set(err, MW_E_GO_CORRUPT,
					  "stripped and no Go function table (.gopclntab) found");
		gb->funcs = malloc(gb->nr_pcln_funcs * sizeof(*gb->funcs));
		if (!gb->funcs)
			return mw_err_set(err, MW_E_NOMEM, "out of memory");
		memcpy(gb->funcs, gb->pcln_funcs, gb->nr_pcln_funcs * sizeof(*gb->funcs));
		gb->nr_funcs = gb->nr_pcln_funcs;
		qsort(gb->funcs, gb->nr_funcs, sizeof(*gb->funcs), func_addr_cmp);
	}
	gb->by_name = malloc(gb->nr_funcs * sizeof(*gb->by_name));
	if (!gb->by_name)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	for (i = 0; i < gb->nr_funcs; i++)
		gb->by_name[i] = &gb->funcs[i];
	qsort(gb->by_name, gb->nr_funcs, sizeof(*gb->by_name), func_name_cmp);
	gb->info.nr_funcs = gb->nr_funcs;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Map implementation                                                         */

static const char *const swiss_markers[] = {
	"internal/runtime/maps.NewMap",
	"internal/runtime/maps.(*table).grow",
	"runtime.mapIterStart",
};

/* Not "any internal/runtime/maps.": noswiss 1.24/1.25 keep a few of those. */
static const char *const classic_markers[] = {
	"runtime.hashGrow",
	"runtime.evacuate",
	"runtime.makeBucketArray",
};

static bool any_func(const struct gobin *gb, const char *const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (gobin_func_by_name(gb, names[i]))
			return true;
	return false;
}

static bool has_experiment(const struct gobin_info *in, const char *name)
{
	size_t n = strlen(name);
	const char *s = in->experiments;

	while (*s) {
		const char *comma = strchr(s, ',');
		size_t k = comma ? (size_t)(comma - s) : strlen(s);

		if (k == n && !memcmp(s, name, n))
			return true;
		s += k + (comma ? 1 : 0);
	}
	return false;
}

static void decide_map_impl(struct gobin *gb)
{
	struct gobin_info *in = &gb->info;
	bool swiss = any_func(gb, swiss_markers, 3), classic = any_func(gb, classic_markers, 3);

	if (in->go_major != 1)
		in->map_impl_version = GOMAP_UNKNOWN;
	else if (in->go_minor <= 23)
		in->map_impl_version = GOMAP_CLASSIC;
	else if (in->go_minor <= 25)
		in->map_impl_version = has_experiment(in, "noswissmap") ? GOMAP_CLASSIC : GOMAP_SWISS;
	else
		in->map_impl_version = GOMAP_SWISS;

	in->map_impl_symbols = swiss == classic ? GOMAP_UNKNOWN : swiss ? GOMAP_SWISS : GOMAP_CLASSIC;
	if (in->map_impl_symbols != GOMAP_UNKNOWN) {
		in->map_impl = in->map_impl_symbols;
		if (in->map_impl_version != GOMAP_UNKNOWN &&
		    in->map_impl_version != in->map_impl_symbols)
			in->map_impl_note = "the map functions present contradict the Go version and "
					    "experiments; following the functions";
	} else {
		in->map_impl = in->map_impl_version;
		if (swiss && classic)
			in->map_impl_note = "both swiss and classic map functions present; "
					    "following the Go version";
		else
			in->map_impl_note = "no map growth functions present; following the Go "
					    "version";
	}
}

/* ------------------------------------------------------------------------ */
/* Open, close, lookups                                                       */

static struct gobin *gobin_init(struct gobin *gb, struct mw_err *err)
{
	struct gobin_info *in = &gb->info;

	in->machine = gb->eb.ehdr.e_machine;
	in->goarch = in->machine == EM_X86_64 ? "amd64" : "arm64";
	in->pie = elfbin_is_pie(&gb->eb);
	in->cgo = -1;
	if (find_buildinfo(gb, err) || find_pclntab(gb, err) || load_funcs(gb, err)) {
		gobin_close(gb);
		return NULL;
	}
	decide_map_impl(gb);
	return gb;
}

struct gobin *gobin_open(const char *path, struct mw_err *err)
{
	struct gobin *gb = calloc(1, sizeof(*gb));

	if (!gb) {
		mw_err_set(err, MW_E_NOMEM, "out of memory");
		return NULL;
	}
	if (elfbin_open(&gb->eb, path, err)) {
		free(gb);
		return NULL;
	}
	return gobin_init(gb, err);
}

struct gobin *gobin_open_mem(void *data, size_t size, struct mw_err *err)
{
	struct gobin *gb = calloc(1, sizeof(*gb));

	if (!gb) {
		mw_err_set(err, MW_E_NOMEM, "out of memory");
		return NULL;
	}
	if (elfbin_open_mem(&gb->eb, data, size, err)) {
		free(gb);
		return NULL;
	}
	return gobin_init(gb, err);
}

void gobin_close(struct gobin *gb)
{
	if (!gb)
		return;
	if (gb->cs_open)
		cs_close(&gb->cs);
	free(gb->funcs);
	free(gb->by_name);
	free(gb->pcln_funcs);
	elfbin_close(&gb->eb);
	free(gb);
}

const struct gobin_info *gobin_info(const struct gobin *gb)
{
	return &gb->info;
}

const struct elfbin *gobin_elf(const struct gobin *gb)
{
	return &gb->eb;
}

const struct gobin_func *gobin_funcs(const struct gobin *gb, size_t *nr)
{
	*nr = gb->nr_funcs;
	return gb->funcs;
}

const struct gobin_func *gobin_pclntab_funcs(const struct gobin *gb, size_t *nr)
{
	*nr = gb->nr_pcln_funcs;
	return gb->pcln_funcs;
}

const struct gobin_func *gobin_func_by_name(const struct gobin *gb, const char *name)
{
	size_t lo = 0, hi = gb->nr_funcs;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(gb->by_name[mid]->name, name);

		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < gb->nr_funcs && !strcmp(gb->by_name[lo]->name, name))
		return gb->by_name[lo];
	return NULL;
}

const struct gobin_func *gobin_func_at(const struct gobin *gb, uint64_t va)
{
	size_t lo = 0, hi = gb->nr_funcs;

	uint64_t start;

	/* after the last function starting at or before va */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (gb->funcs[mid].addr <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	/* several names may start there (aliases, C symbols) */
	for (start = gb->funcs[lo - 1].addr; lo > 0 && gb->funcs[lo - 1].addr == start; lo--)
		if (va - start < gb->funcs[lo - 1].size)
			return &gb->funcs[lo - 1];
	return NULL;
}

int gobin_file_offset(const struct gobin *gb, uint64_t va, uint64_t *off)
{
	return elfbin_vaddr_to_offset(&gb->eb, va, off);
}

