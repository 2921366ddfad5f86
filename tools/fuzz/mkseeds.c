// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuzz/mkseeds.c - seed corpora for the fuzzers (tools/fuzz/run).
 *
 *   mkseeds OUT [--trace FILE]... [--usdt FILE]... [GOBIN]...
 *
 * Writes OUT/{gobin,buildinfo,pclntab,trace,records,usdt}/: small handcrafted
 * inputs always (so that a machine without Go fixtures still has seeds),
 * and from each Go binary its .go.buildinfo and its .gopclntab (with the
 * runtime.firstmoduledata bytes a table without a text start needs); the
 * first probe-able binary also gives well-formed records of every probe
 * dump would attach.  Each --trace FILE (a `-j dump` trace) gives its first
 * objects.  Each --usdt FILE (an ELF file with SDT notes, libjvm.so) gives
 * its probes' argument strings, and its notes moved into a minimal ELF.
 * The binaries themselves are copied by the run script.
 */
#include <elf.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "go/gotrace.h"
#include "main.h"
#include "sdt/notes.h"
#include "elfwrap.h"

static const char *outdir;
static unsigned int nr_written;

static void put(const char *dir, const char *name, const void *a, size_t alen,
		const void *b, size_t blen)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, dir, name);
	f = fopen(path, "we");
	if (!f || (alen && fwrite(a, 1, alen, f) != alen) ||
	    (blen && fwrite(b, 1, blen, f) != blen) || fclose(f)) {
		fprintf(stderr, "mkseeds: cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
	nr_written++;
}

static void *must(void *p)
{
	if (!p) {
		fprintf(stderr, "mkseeds: out of memory\n");
		exit(1);
	}
	return p;
}

static const char *const fnames[] = {
	"runtime.text", "runtime.morestack_noctxt", "internal/runtime/maps.NewMap",
	"runtime.makemap", "runtime.mapassign", "main.main",
};
#define NR_FNAMES	(sizeof(fnames) / sizeof(fnames[0]))

static const char *const versions[] = {
	"go1.19.13", "go1.21.0", "go1.22.3", "go1.23.1", "go1.24.4 X:noswissmap", "go1.25.0",
	"go1.26.1-X:foo,noswissmap", "devel go1.27-abcdef Tue Jan 1", "go1.2",
};

#define MODINFO	"0123456789abcdef" "path\tmain\nbuild\tGOEXPERIMENT=noswissmap,bar\n" \
		"build\tCGO_ENABLED=1\n" "fedcba9876543210"

static void seeds_buildinfo(void)
{
	unsigned int i;
	char name[64];

	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		unsigned char *b;
		size_t len;

		b = must(ew_buildinfo_inline(versions[i], i & 1 ? MODINFO : "", &len));
		snprintf(name, sizeof(name), "inline-%u", i);
		put("buildinfo", name, b, len, NULL, 0);
		free(b);
		b = must(ew_buildinfo_ptr(EW_BUILDINFO_VA, versions[i], i & 1 ? "" : MODINFO,
					  &len));
		snprintf(name, sizeof(name), "ptr-%u", i);
		put("buildinfo", name, b, len, NULL, 0);
		free(b);
	}
}

/* pclntab fuzzer input: header, table, data. */
static void put_pclntab(const char *name, uint64_t pcln_va, uint64_t data_va,
			const void *pcln, size_t pcln_len, const void *md, size_t md_len,
			uint32_t flags)
{
	unsigned char hdr[24];
	uint32_t l = pcln_len;
	unsigned char *buf = must(malloc(pcln_len + md_len + 1));

	memcpy(hdr, &pcln_va, 8);
	memcpy(hdr + 8, &data_va, 8);
	memcpy(hdr + 16, &l, 4);
	memcpy(hdr + 20, &flags, 4);
	memcpy(buf, pcln, pcln_len);
	if (md_len)
		memcpy(buf + pcln_len, md, md_len);
	put("pclntab", name, hdr, sizeof(hdr), buf, pcln_len + md_len);
	free(buf);
}

/* A whole tiny Go executable: build info, function table, maybe a moduledata. */
static void put_gobin(const char *name, uint16_t machine, unsigned int format, bool md_text,
		      const char *version, bool json)
{
	uint64_t text = EW_TEXT_VA + 0x40;
	size_t bl, pl, el;
	unsigned char *b = must(ew_buildinfo_inline(version, MODINFO, &bl));
	unsigned char *p = must(ew_pclntab(format, md_text ? 0 : text, fnames, NR_FNAMES, &pl));
	unsigned char *md = must(ew_moduledata(p, EW_PCLNTAB_VA, text, text + 0x40 * NR_FNAMES));
	struct ew_seg segs[3] = {
		{ b, bl, EW_BUILDINFO_VA, PF_R | PF_W, ".go.buildinfo", SHF_ALLOC | SHF_WRITE },
		{ p, pl, EW_PCLNTAB_VA, PF_R, ".gopclntab", SHF_ALLOC },
		{ md, EW_MD_LEN, 0x800000, PF_R | PF_W, ".noptrdata", SHF_ALLOC | SHF_WRITE },
	};
	unsigned char *elf = must(ew_build(machine, segs, md_text ? 3 : 2, &el));

	put("gobin", name, elf, el, "\x01", json);
	free(elf);
	free(md);
	free(p);
	free(b);
}

static void seeds_tables(void)
{
	static const unsigned int formats[] = { 102, 116, 118, 120 };
	unsigned int i, arm;
	char name[64];

	for (i = 0; i < 4; i++) {
		for (arm = 0; arm < 2; arm++) {
			size_t len;
			unsigned char *p = must(ew_pclntab(formats[i], EW_TEXT_VA + 0x40, fnames,
							   NR_FNAMES, &len));

			snprintf(name, sizeof(name), "pcln-%u-%s", formats[i], arm ? "arm64" : "x86");
			put_pclntab(name, EW_PCLNTAB_VA, 0x800000, p, len, NULL, 0, arm | (i << 1));
			snprintf(name, sizeof(name), "scan-%u-%s", formats[i], arm ? "arm64" : "x86");
			put_pclntab(name, EW_PCLNTAB_VA, 0x800000, p, len, NULL, 0, arm | 16);
			free(p);
			snprintf(name, sizeof(name), "elf-%u-%s", formats[i], arm ? "arm64" : "x86");
			put_gobin(name, arm ? EM_AARCH64 : EM_X86_64, formats[i], false,
				  versions[i + 2], arm);
		}
	}
	{	/* Go 1.26+: no text start in the table, moduledata has it */
		size_t len;
		uint64_t text = EW_TEXT_VA + 0x40;
		unsigned char *p = must(ew_pclntab(120, 0, fnames, NR_FNAMES, &len));
		unsigned char *md = must(ew_moduledata(p, EW_PCLNTAB_VA, text,
						       text + 0x40 * NR_FNAMES));

		put_pclntab("pcln-126-md", EW_PCLNTAB_VA, 0x800000, p, len, md, EW_MD_LEN, 2);
		put_gobin("elf-126-md", EM_X86_64, 120, true, "go1.26.1", false);
		put_gobin("elf-126-md-json", EM_X86_64, 120, true, "go1.26.1", true);
		free(md);
		free(p);
	}
}

struct md_find {
	uint64_t va;
};

static int find_md(void *ctx, const char *name, uint64_t addr, uint64_t size)
{
	struct md_find *m = ctx;

	(void)size;
	if (!strcmp(name, "runtime.firstmoduledata"))
		m->va = addr;
	return 0;
}

static void seeds_from_binary(const char *path, unsigned int n)
{
	struct elfbin eb;
	struct mw_err err;
	const struct elfbin_sect *s;
	struct md_find md = { 0 };
	char name[64];

	if (elfbin_open(&eb, path, &err)) {
		fprintf(stderr, "mkseeds: %s: %s (skipped)\n", path, err.msg);
		return;
	}
	s = elfbin_section(&eb, ".go.buildinfo");
	if (s && elfbin_section_data(&eb, s)) {
		snprintf(name, sizeof(name), "fixture-%u", n);
		put("buildinfo", name, elfbin_section_data(&eb, s), s->size, NULL, 0);
	}
	s = elfbin_section(&eb, ".gopclntab");
	elfbin_for_each_symbol(&eb, STT_OBJECT, find_md, &md, &err);
	/* PIE tables hold relocated pointers: zeros without their relocations */
	if (s && elfbin_section_data(&eb, s) && !elfbin_is_pie(&eb)) {
		const unsigned char *mdb = md.va ? elfbin_vaddr_bytes(&eb, md.va, EW_MD_LEN) : NULL;

		snprintf(name, sizeof(name), "fixture-%u", n);
		put_pclntab(name, s->addr, md.va, elfbin_section_data(&eb, s), s->size, mdb,
			    mdb ? EW_MD_LEN : 0, eb.ehdr.e_machine == EM_AARCH64);
	}
	elfbin_close(&eb);
}

/* The first NR top-level objects of a `-j dump` trace, closed with a summary. */
static void seeds_from_trace(const char *path, unsigned int n, unsigned int nr)
{
	static const char tail[] = ",{\"type\":\"summary\",\"probes\":1,\"kprobes\":[\"madvise\"]}]\n";
	bool str = false, esc = false;
	unsigned int depth = 0, objs = 0;
	char name[64], *buf;
	size_t len, i;
	FILE *f = fopen(path, "re");

	if (!f)
		return;
	buf = must(malloc(1 << 18));
	len = fread(buf, 1, 1 << 18, f);
	fclose(f);
	for (i = 0; i < len && objs < nr; i++) {
		char c = buf[i];

		if (str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				str = false;
		} else if (c == '"') {
			str = true;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if ((c == '}' || c == ']') && depth) {
			if (--depth == 1 && c == '}')
				objs++;
		}
	}
	if (objs) {
		snprintf(name, sizeof(name), "fixture-%u", n);
		put("trace", name, buf, i, tail, sizeof(tail) - 1);
	}
	free(buf);
}

static const char *const traces[] = {
	"[]",
	"[\n{\"type\":\"summary\",\"probes\":0,\"kprobes\":[]}\n]",
	"[{\"type\":\"map\",\"time_ns\":10,\"cpu\":0,\"pid\":7,\"tid\":7,\"goid\":1,\"op\":\"make\","
	"\"variant\":\"small\",\"func\":\"runtime.makemap_small\",\"fault\":false,\"at\":\"main.f\","
	"\"map\":4096,\"count\":0,\"B\":0,\"bytes\":48},"
	"{\"type\":\"map\",\"time_ns\":20,\"cpu\":0,\"pid\":7,\"tid\":7,\"goid\":1,\"op\":\"assign\","
	"\"variant\":\"fast64\",\"func\":\"runtime.mapassign_fast64\",\"fault\":false,\"map\":4096,"
	"\"count\":100,\"B\":4,\"key\":\"5\",\"bytes\":4096,\"bytes_estimated\":true},"
	"{\"type\":\"map\",\"time_ns\":25,\"cpu\":0,\"pid\":7,\"tid\":7,\"goid\":1,\"op\":\"grow\","
	"\"func\":\"runtime.hashGrow\",\"map\":4096,\"count\":100},"
	"{\"type\":\"map\",\"time_ns\":30,\"cpu\":1,\"pid\":7,\"tid\":8,\"goid\":2,\"op\":\"delete\","
	"\"map\":4096,\"count\":3,\"bytes\":4096},"
	"{\"type\":\"map\",\"time_ns\":35,\"pid\":7,\"op\":\"make\",\"map\":4096,\"count\":0},"
	"{\"type\":\"gc\",\"time_ns\":40,\"pid\":7,\"op\":\"start\",\"cycle\":3},"
	"{\"type\":\"gc\",\"time_ns\":41,\"pid\":7,\"op\":\"mark_end\",\"cycle\":3},"
	"{\"type\":\"gc\",\"time_ns\":42,\"pid\":7,\"op\":\"end\",\"cycle\":3},"
	"{\"type\":\"scavenge\",\"time_ns\":50,\"pid\":7,\"op\":\"release\",\"addr\":8192,\"len\":8192},"
	"{\"type\":\"event\",\"time_ns\":60,\"pid\":7,\"probe\":\"madvise\",\"start\":8192,\"len\":4096,"
	"\"advice\":\"dontneed\"},"
	"{\"type\":\"event\",\"time_ns\":61,\"pid\":7,\"probe\":\"madvise\",\"advice\":\"free\",\"len\":1},"
	"{\"type\":\"event\",\"time_ns\":62,\"pid\":7,\"probe\":\"munmap\",\"start\":8192,\"len\":4096},"
	"{\"type\":\"event\",\"time_ns\":63,\"pid\":7,\"probe\":\"mmap\",\"map\":\"anon\",\"len\":4096},"
	"{\"type\":\"event\",\"time_ns\":64,\"pid\":7,\"probe\":\"exit\",\"exit\":\"process\",\"status\":1,"
	"\"signal\":0},"
	"{\"type\":\"lost\",\"time_ns\":65,\"cpu\":0,\"lost\":2},"
	"{\"type\":\"summary\",\"probes\":3,\"kprobes\":[\"madvise\",\"munmap\",\"mmap\",\"exit\"]}]",
	"[{\"error\":\"something failed\"},{\"type\":\"summary\"}]",
	("[{\"type\":\"map\",\"pid\":1,\"op\":\"make\",\"map\":1,\"count\":18446744073709551615,"
	 "\"bytes\":-1,\"time_ns\":1e30}"),
	"{\"type\":\"map\",\"op\":\"assign\",\"map\":1}{\"type\":\"gc\",\"op\":\"end\"}",
};

/* Records fuzzer input: mode byte, then records { sel, flags, tgid, len } + payload. */
struct recbuf {
	unsigned char b[65536];
	size_t n;
};

static void rec_add(struct recbuf *r, uint16_t sel, uint8_t flags, uint8_t tgid,
		    const void *payload, uint16_t len)
{
	if (r->n + 6 + len > sizeof(r->b))
		return;
	memcpy(r->b + r->n, &sel, 2);
	r->b[r->n + 2] = flags;
	r->b[r->n + 3] = tgid;
	memcpy(r->b + r->n + 4, &len, 2);
	memcpy(r->b + r->n + 6, payload, len);
	r->n += 6 + len;
}

static void seeds_records(const char *gobin)
{
	static struct recbuf r;
	unsigned char pl[4096];
	unsigned int type, mode, i, j;
	char name[64];
	struct gotrace t;
	struct mw_err err;

	for (mode = 0; mode < 2; mode++) {
		r.n = 1;
		r.b[0] = mode;
		for (type = 1; type <= MAPWATCH_KPROBE_MAX; type++) {
			for (i = 0; i < 64; i++)
				pl[i] = i * 37 + type;
			rec_add(&r, 0x8000 | type, 0, 1, pl, 64);
			rec_add(&r, 0x8000 | type, 1, 1, pl, 8);
		}
		/* built programs: 3 fields (u32, bytes max 8, str max 8) and a payload */
		memcpy(pl, "\x03\x08\x1e\x1f" "ABCD" "\x03\x00xyz" "\x02\x00hi", 16);
		rec_add(&r, 0x4000, 0, 1, pl, 16);
		snprintf(name, sizeof(name), "synthetic-%s", mode ? "json" : "plain");
		put("records", name, r.b, r.n, NULL, 0);
	}
	if (!gobin || gotrace_open(&t, gobin, DUMP_KEY_MAX, true, &err))
		return;
	/* well-formed payloads of each probe, a map's life on one address */
	for (i = 0; i < t.nr; i += 8) {
		r.n = 1;
		r.b[0] = (i / 8) & 1;
		for (j = i; j < t.nr && j < i + 8; j++) {
			const struct fprog *p = &t.probes[j].prog;
			unsigned int k;
			size_t n = 0;

			for (k = 0; k < p->nr_fields; k++) {
				const struct fp_field *fl = &p->fields[k];

				if (fl->kind == FP_UINT || fl->kind == FP_INT) {
					uint64_t v = !strcmp(fl->name, "map") ? 0xc000010000ull :
						     !strcmp(fl->name, "goid") ? 1 : 0x20 + k;

					memcpy(pl + n, &v, fl->size);
					n += fl->size;
				} else {
					uint16_t l = fl->max < 48 ? fl->max : 48;

					memcpy(pl + n, &l, 2);
					memset(pl + n + 2, 0x11 * (k + 1), l);
					if (l >= 16)
						memcpy(pl + n + 2, "\x05\x00\x00\x00\x00\x00\x00\x00"
						       "\x03\x00\x00\x00\x00\x00\x00\x00", 16);
					n += 2 + l;
				}
			}
			rec_add(&r, j, 0, 1, pl, n);
		}
		snprintf(name, sizeof(name), "probes-%u", i);
		put("records", name, r.b, r.n, NULL, 0);
	}
	gotrace_close(&t);
}

/* ------------------------------------------------------------------------ */
/* usdt: "\x7fELF..." a whole file; "\0" or "\2" + notes (x86-64, arm64); "\1" + args */

static const struct {
	const char *provider, *name, *args;
} sdt_probes[] = {
	{ "hotspot", "gc__begin", "1@%dil" },
	{ "hotspot", "gc__end", "" },
	{ "hotspot", "method__entry", "-8@%rax 8@%rdx -4@%ecx 8@%rsi -4@%edi 8@%r8 -4@%r9d" },
	{ "hotspot", "thread__start", "8@%r13 -4@-60(%rbp) -8@-56(%rbp) 8@%r15 1@%al" },
	{ "hotspot", "class__loaded", "8@%rdx -4@%eax 8@152(%rdi) 1@%cl" },
	{ "hotspot_jni", "GetVersion__return", "-4@$655361" },
	{ "tprov", "subregs", "2@%r10w -1@%r11b -2@%r13w 1@%sil 2@%di 4@%esp 8@%rip" },
	{ "tprov", "consts", "-4@$5 -4@$-1 8@$0x10 1@$0" },
	{ "tprov", "globals", "-8@g_counter(%rip) -4@8+g_arr(%rip) 4@g_arr-4(%rip) 8@16(%rip)" },
	{ "tprov", "sib", "-4@(%rdx,%rbx,4) 1@-96(%rbp,%rax,8) 4@16(,%rax,8)" },
	{ "tprov", "flt", "8f@%rdx 4f@%eax" },
	{ "tprov", "tls", "-4@%fs:tls_v@tpoff" },
	{ "tprov", "twelve", "-8@%rdi -8@%rsi -8@%rdx -8@%rcx -8@%r8 -8@%r9 -4@(%rax) -4@4(%rax) "
	  "-2@8(%rax) -1@12(%rax) 1@%dil -4@counter(%rip)" },
	{ "bad", "size", "3@%rdi" },
	{ "bad", "high", "1@%ah" },
};
#define NR_SDT_PROBES	(sizeof(sdt_probes) / sizeof(sdt_probes[0]))

static const char *const arm64_args[] = {
	"-4@x0 8@[sp, 8] -4@[x29, -4] 8@5 -4@w1 8@[x1,#16]",
	"8@x30 8@sp 4@#7 8@[x0]",
	"8@[x0, x1] 8@x31",
};

/* The notes and the ELF around them, for MACHINE; with JSON, one more byte. */
static void put_sdt(const char *name, uint16_t machine, const unsigned char *notes, size_t len)
{
	unsigned char *elf;
	size_t el;
	char n[96];

	snprintf(n, sizeof(n), "notes-%s", name);
	put("usdt", n, machine == EM_AARCH64 ? "\2" : "\0", 1, notes, len);
	elf = must(ew_stapsdt(machine, notes, len, &el));
	snprintf(n, sizeof(n), "elf-%s", name);
	put("usdt", n, elf, el, NULL, 0);
	snprintf(n, sizeof(n), "elf-%s-json", name);
	put("usdt", n, elf, el, "\x01", 1);
	free(elf);
}

static void seeds_usdt(void)
{
	static unsigned char notes[16384];
	char name[64];
	size_t len = 0, i;

	for (i = 0; i < NR_SDT_PROBES; i++) {
		uint64_t sema = i % 3 ? 0 : EW_PROBES_VA + 2 * i;

		if (ew_stapsdt_note(notes, &len, sizeof(notes), EW_TEXT_VA + 0x10 * i, EW_SDTBASE_VA,
				    sema, sdt_probes[i].provider, sdt_probes[i].name,
				    sdt_probes[i].args))
			break;
		snprintf(name, sizeof(name), "args-%zu", i);
		put("usdt", name, "\1", 1, sdt_probes[i].args, strlen(sdt_probes[i].args));
	}
	put_sdt("x86", EM_X86_64, notes, len);
	/* prelinked: notes written 0x1000 below where everything is now */
	len = 0;
	for (i = 0; i < 3; i++)
		ew_stapsdt_note(notes, &len, sizeof(notes), EW_TEXT_VA + 0x10 * i - 0x1000,
				EW_SDTBASE_VA - 0x1000, EW_PROBES_VA + 2 * i - 0x1000,
				"prelinked", sdt_probes[i].name, sdt_probes[i].args);
	put_sdt("prelinked", EM_X86_64, notes, len);
	len = 0;
	for (i = 0; i < sizeof(arm64_args) / sizeof(arm64_args[0]); i++) {
		ew_stapsdt_note(notes, &len, sizeof(notes), EW_TEXT_VA + 0x10 * i, EW_SDTBASE_VA, 0,
				"arm", "probe", arm64_args[i]);
		snprintf(name, sizeof(name), "args-arm64-%zu", i);
		put("usdt", name, "\1", 1, arm64_args[i], strlen(arm64_args[i]));
	}
	put_sdt("arm64", EM_AARCH64, notes, len);
}

/* FILE's probes: their argument strings, and their notes moved into ew_stapsdt(). */
static void seeds_usdt_file(const char *path, unsigned int n)
{
	static unsigned char notes[65536];
	struct mw_err err;
	struct usdt_file uf;
	char name[64];
	size_t len = 0, i, nr_args = 0;

	if (usdt_open(path, &uf, &err)) {
		fprintf(stderr, "mkseeds: %s: %s (skipped)\n", path, err.msg);
		return;
	}
	for (i = 0; i < uf.nr; i++) {
		const struct usdt_probe *pr = &uf.probes[i];

		/* one in 4 gets a semaphore: HotSpot's have none */
		if (ew_stapsdt_note(notes, &len, sizeof(notes), EW_TEXT_VA + 0x10 * (i % 256),
				    EW_SDTBASE_VA, i % 4 ? 0 : EW_PROBES_VA + 2 * (i % 32),
				    pr->provider, pr->name, pr->args_str))
			break;
		if (nr_args < 64 && pr->nr_args > 2) {
			snprintf(name, sizeof(name), "file-%u-args-%zu", n, nr_args++);
			put("usdt", name, "\1", 1, pr->args_str, strlen(pr->args_str));
		}
	}
	snprintf(name, sizeof(name), "file-%u", n);
	put_sdt(name, uf.machine, notes, len);
	usdt_free(&uf);
}

int main(int argc, char **argv)
{
	unsigned int i, nt = 0, nb = 0, nu = 0;
	const char *first_go = NULL;
	char name[64];

	if (argc < 2) {
		fprintf(stderr,
			"usage: mkseeds OUT [--trace FILE]... [--usdt FILE]... [GOBIN]...\n");
		return 2;
	}
	bin_name = "mkseeds";
	outdir = argv[1];
	seeds_buildinfo();
	seeds_tables();
	seeds_usdt();
	for (i = 0; i < sizeof(traces) / sizeof(traces[0]); i++) {
		snprintf(name, sizeof(name), "synthetic-%u", i);
		put("trace", name, traces[i], strlen(traces[i]), NULL, 0);
	}
	for (i = 2; i < (unsigned int)argc; i++) {
		if (!strcmp(argv[i], "--usdt") && i + 1 < (unsigned int)argc) {
			seeds_usdt_file(argv[++i], nu++);
			continue;
		}
		if (!strcmp(argv[i], "--trace") && i + 1 < (unsigned int)argc) {
			/* the first also past the 64 KiB that report reads at a time */
			if (!nt)
				seeds_from_trace(argv[i + 1], 1000, 500);
			seeds_from_trace(argv[++i], nt, 40);
			nt++;
			continue;
		}
		seeds_from_binary(argv[i], nb++);
		if (!first_go) {
			struct mw_err e;
			struct gobin *gb = gobin_open(argv[i], &e);

			if (gb && gover_supported(gobin_info(gb)->go_major,
						  gobin_info(gb)->go_minor))
				first_go = argv[i];
			gobin_close(gb);
		}
	}
	seeds_records(first_go);
	printf("%u seeds in %s\n", nr_written, outdir);
	return 0;
}
