// SPDX-License-Identifier: GPL-2.0
/*
 * tools/tests/gobin_test.c - host tests of mapwatchctl's Go binary reader
 * (tools/ctl/go/gobin.c, tools/lib/elfbin.c, gover.c), run under AddressSanitizer + UBSan.
 *
 * On every Go binary found (the fixtures in $CACHE/go-fixtures, or the
 * files and directories named on the command line), the reader is compared
 * with tools that share no code with it:
 *   - function addresses      with `go tool nm`
 *   - file offsets            with the section table `readelf -SW` prints
 *   - version, experiments    with `go version -m`
 *   - prologue skip and RETs  with `go tool objdump`, for every function
 *   - .gopclntab              with .symtab of the same binary, and a
 *                             stripped binary with its unstripped twin
 * and copies of one binary, truncated at many lengths or with bytes flipped
 * (fixed seed), must give an error or a consistent answer, never a crash.
 *
 * The Go tool is $MAPWATCH_GO, or the newest $CACHE/go/VERSION toolchain
 * (tools/go/toolchain).  Without binaries the binary tests are skipped with
 * a message; `make check` makes the fixtures a prerequisite.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "go/gobin.h"

static int test_nr, failures;
static char go_tool[4096];

static void tap(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void tap(int ret, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d ", ret ? "not " : "", ++test_nr);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ret)
		failures++;
}

static void tap_skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Under make check (MAPWATCH_SELFTEST_STRICT=1) a skip is a failure. */
static void tap_skip(const char *fmt, ...)
{
	const char *strict = getenv("MAPWATCH_SELFTEST_STRICT");
	va_list ap;

	if (strict && !strcmp(strict, "1")) {
		printf("not ok %d (skip not allowed) ", ++test_nr);
		failures++;
	} else {
		printf("ok %d # SKIP ", ++test_nr);
	}
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

/* At most this many mismatches are printed per test. */
#define SHOW	5
#define MISMATCH(cnt, ...) do {						\
	if ((cnt)++ < SHOW) {						\
		fprintf(stderr, "#   ");				\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
	}								\
} while (0)

/* ------------------------------------------------------------------------ */
/* Helpers                                                                    */

static char *read_file(const char *path, size_t *size)
{
	struct stat st;
	char *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size ? st.st_size : 1))) {
		close(fd);
		return NULL;
	}
	if (read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		close(fd);
		return NULL;
	}
	close(fd);
	*size = st.st_size;
	return buf;
}

/* 'path' quoted for sh -c. */
static void shell_quote(char *dst, size_t n, const char *s)
{
	size_t o = 0;

	if (n < 3)
		return;
	dst[o++] = '\'';
	for (; *s && o + 5 < n; s++) {
		if (*s == '\'') {
			memcpy(dst + o, "'\\''", 4);
			o += 4;
		} else {
			dst[o++] = *s;
		}
	}
	dst[o++] = '\'';
	dst[o] = 0;
}

typedef int (*line_fn)(void *ctx, char *line);

/* Run CMD, call FN on each output line.  -1 if it cannot run or fails. */
static int run_lines(const char *cmd, line_fn fn, void *ctx)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f = popen(cmd, "r");

	if (!f)
		return -1;
	while ((n = getline(&line, &cap, f)) >= 0) {
		if (n && line[n - 1] == '\n')
			line[n - 1] = 0;
		if (fn(ctx, line))
			break;
	}
	free(line);
	return pclose(f) ? -1 : 0;
}

static bool has_suffix(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && !strcmp(s + a - b, suf);
}

/*
 * The .symtab name of an ABI0 function is pclntab's plus ".abi0"; the
 * linker writes pclntab's middle dot (U+00B7) as '.' in .symtab; and 1.19's
 * pclntab shortens brackets (array lengths, generic shapes) to "[...]".
 */
static bool same_func_name(const char *symtab, const char *pcln)
{
	while (*pcln) {
		if ((unsigned char)pcln[0] == 0xc2 && (unsigned char)pcln[1] == 0xb7 &&
		    *symtab == '.') {
			pcln += 2;
			symtab++;
		} else if (!strncmp(pcln, "[...]", 5) && symtab[0] == '[') {
			int depth = 0;

			pcln += 5;
			do {
				depth += *symtab == '[';
				depth -= *symtab == ']';
			} while (*symtab++ && depth);
			if (depth)
				return false;
		} else if (*pcln++ != *symtab++) {
			return false;
		}
	}
	return !*symtab || !strcmp(symtab, ".abi0");
}

/* ------------------------------------------------------------------------ */
/* Bad input without fixtures                                                 */

static int expect_err(void *data, size_t size, enum mw_errc code, const char *what)
{
	struct mw_err err;
	struct gobin *gb = gobin_open_mem(data, size, &err);

	if (gb) {
		gobin_close(gb);
		fprintf(stderr, "# %s: opened\n", what);
		return -1;
	}
	if (err.code != code) {
		fprintf(stderr, "# %s: error %d (%s), wanted %d\n", what, err.code, err.msg, code);
		return -1;
	}
	printf("# %s: %s\n", what, err.msg);
	return 0;
}

static void test_bad_input(void)
{
	unsigned char small[64] = "#!/bin/sh\n";
	size_t size;
	char *self = read_file("/proc/self/exe", &size);
	int ret = 0;

	ret |= expect_err(small, 0, MW_E_NOT_ELF, "empty");
	ret |= expect_err(small, sizeof(small), MW_E_NOT_ELF, "shell script");
	memcpy(small, ELFMAG, SELFMAG);
	small[EI_CLASS] = ELFCLASS32;
	small[EI_DATA] = ELFDATA2LSB;
	ret |= expect_err(small, sizeof(small), MW_E_FORMAT, "32-bit ELF");
	small[EI_CLASS] = ELFCLASS64;
	small[EI_DATA] = ELFDATA2MSB;
	ret |= expect_err(small, sizeof(small), MW_E_FORMAT, "big-endian ELF");
	small[EI_DATA] = ELFDATA2LSB;
	ret |= expect_err(small, 20, MW_E_CORRUPT, "ELF header cut short");
	if (!self) {
		tap(-1, "bad input rejected (cannot read /proc/self/exe)");
		return;
	}
	ret |= expect_err(self, size, MW_E_NOT_GO, "this C test binary");
	((Elf64_Ehdr *)self)->e_machine = EM_RISCV;
	ret |= expect_err(self, size, MW_E_ARCH, "riscv machine");
	((Elf64_Ehdr *)self)->e_type = ET_REL;
	ret |= expect_err(self, size, MW_E_FORMAT, "relocatable object");
	free(self);
	tap(ret, "bad input: empty, not ELF, 32-bit, big-endian, short, not Go, other arch");
}

static void test_table(void)
{
	unsigned int minor, i, bad = 0;

	for (minor = GOVER_MIN_MINOR; minor <= GOVER_MAX_MINOR; minor++) {
		enum gomap_impl impls[2] = { GOMAP_CLASSIC, GOMAP_SWISS };
		unsigned int k;

		if (!gover_g(minor))
			MISMATCH(bad, "1.%u: no g offsets", minor);
		for (k = 0; k < 2; k++) {
			bool has = minor >= 24 && minor <= 25 ? true :
				   impls[k] == (minor <= 23 ? GOMAP_CLASSIC : GOMAP_SWISS);
			unsigned int ops = 0;

			if (!has)
				continue;
			if (!gover_layout(minor, impls[k]))
				MISMATCH(bad, "1.%u %s: no layout", minor, gomap_impl_name(impls[k]));
			for (i = 0; i < gover_nr_funcs; i++)
				if (gover_func_applies(&gover_funcs[i], minor, impls[k]))
					ops |= 1u << gover_funcs[i].op;
			if (ops != (1u << GOMAP_OP_NR) - 1)
				MISMATCH(bad, "1.%u %s: some operation has no function", minor,
					 gomap_impl_name(impls[k]));
		}
	}
	for (i = 0; i < gover_nr_funcs; i++) {
		const struct gover_func *f = &gover_funcs[i];

		if (f->min_minor > f->max_minor || !f->impls || ((f->flags & GOVER_F_NESTED) && !f->outer))
			MISMATCH(bad, "row %s is inconsistent", f->sym);
		if (gover_abi_reg(EM_X86_64, 0) < 0 || gover_abi_reg(EM_X86_64, 9) != -1)
			MISMATCH(bad, "amd64 has 9 integer argument registers");
	}
	tap(bad, "gover: every supported version has layouts and a function per operation");
}

/* ------------------------------------------------------------------------ */
/* Comparisons with the Go tool and readelf                                  */

struct nm_ctx {
	struct gobin *gb;
	unsigned int seen, bad;
};

static int nm_line(void *ctx, char *line)
{
	struct nm_ctx *c = ctx;
	const struct gobin_func *f;
	unsigned long long addr;
	char type, name[1024];

	if (sscanf(line, " %llx %c %1023[^\n]", &addr, &type, name) != 3 ||
	    (type != 'T' && type != 't'))
		return 0;
	/* go tool nm lists .symtab's text symbols; function symbols are all of them
	 * but markers (runtime.text, runtime.etext) and C labels. */
	f = gobin_func_by_name(c->gb, name);
	if (!f)
		return 0;
	c->seen++;
	if (f->addr != addr)
		MISMATCH(c->bad, "%s: nm 0x%llx, gobin 0x%llx", name, addr,
			 (unsigned long long)f->addr);
	return 0;
}

static void test_nm(struct gobin *gb, const char *path, const char *qpath)
{
	struct nm_ctx c = { .gb = gb };
	char cmd[16384];
	size_t i, nr, missing = 0;
	const struct gobin_func *funcs = gobin_funcs(gb, &nr);

	snprintf(cmd, sizeof(cmd), "%s tool nm %s 2>/dev/null", go_tool, qpath);
	if (run_lines(cmd, nm_line, &c)) {
		tap(-1, "%s: go tool nm failed", path);
		return;
	}
	/* every Go function of ours must have been listed by nm */
	for (i = 0; i < nr; i++)
		if (funcs[i].addr >= gobin_info(gb)->text_start && !has_suffix(funcs[i].name, ".abi0"))
			missing++;
	if (c.seen + 64 < missing / 2)
		MISMATCH(c.bad, "nm named only %u of our %zu functions", c.seen, missing);
	tap(c.bad, "%s: %u function addresses equal go tool nm's", path, c.seen);
}

struct shdr { unsigned long long addr, off, size; };

struct readelf_ctx {
	struct shdr s[256];
	unsigned int nr;
};

static int readelf_line(void *ctx, char *line)
{
	struct readelf_ctx *c = ctx;
	char *p = strchr(line, ']'), name[256], type[64];
	struct shdr *s = &c->s[c->nr];

	if (!p || c->nr == 256 || !strstr(line, "AX"))
		return 0;
	if (sscanf(p + 1, " %255s %63s %llx %llx %llx", name, type, &s->addr, &s->off, &s->size) == 5)
		c->nr++;
	return 0;
}

static int elftype_line(void *ctx, char *line)
{
	if (strstr(line, "Type:"))
		*(int *)ctx = strstr(line, "DYN") ? 1 : 0;
	return 0;
}

static void test_offsets(struct gobin *gb, const char *path, const char *qpath)
{
	struct readelf_ctx c = { .nr = 0 };
	unsigned int bad = 0, checked = 0, j;
	int dyn = -1;
	size_t i, nr;
	const struct gobin_func *funcs = gobin_funcs(gb, &nr);
	char cmd[16384];

	snprintf(cmd, sizeof(cmd), "readelf -SW %s", qpath);
	if (run_lines(cmd, readelf_line, &c) || !c.nr) {
		tap(-1, "%s: readelf -SW failed", path);
		return;
	}
	for (i = 0; i < nr; i++) {
		uint64_t off;

		for (j = 0; j < c.nr; j++)
			if (funcs[i].addr >= c.s[j].addr && funcs[i].addr < c.s[j].addr + c.s[j].size)
				break;
		if (j == c.nr)
			continue;	/* not in an executable section (should not happen) */
		checked++;
		if (gobin_file_offset(gb, funcs[i].addr, &off) ||
		    off != c.s[j].off + funcs[i].addr - c.s[j].addr)
			MISMATCH(bad, "%s: offset 0x%llx, readelf's section table says 0x%llx",
				 funcs[i].name, (unsigned long long)off,
				 c.s[j].off + funcs[i].addr - c.s[j].addr);
	}
	if (checked < nr / 2)
		MISMATCH(bad, "only %u of %zu functions in executable sections", checked, nr);
	/* Go executables: DYN means PIE (go build -buildmode=pie) */
	snprintf(cmd, sizeof(cmd), "readelf -hW %s", qpath);
	if (run_lines(cmd, elftype_line, &dyn) || dyn != gobin_info(gb)->pie)
		MISMATCH(bad, "pie %d, readelf -h says type %s", gobin_info(gb)->pie,
			 dyn < 0 ? "?" : dyn ? "DYN" : "EXEC");
	tap(bad, "%s: %u file offsets agree with readelf's section table; PIE as its ELF type", path,
	    checked);
}

struct gover_ctx {
	const struct gobin_info *in;
	char version[128];
	char experiments[256];
	int cgo;
};

static int goversion_line(void *ctx, char *line)
{
	struct gover_ctx *c = ctx;
	char *p;

	if (!c->version[0] && (p = strstr(line, ": go")))
		snprintf(c->version, sizeof(c->version), "%s", p + 2);
	else if ((p = strstr(line, "build\tGOEXPERIMENT=")))
		snprintf(c->experiments, sizeof(c->experiments), "%s", p + 19);
	else if ((p = strstr(line, "build\tCGO_ENABLED=")))
		c->cgo = p[18] == '1';
	return 0;
}

static void test_version(struct gobin *gb, const char *path, const char *qpath)
{
	struct gover_ctx c = { .in = gobin_info(gb), .cgo = -1 };
	const struct gobin_info *in = c.in;
	unsigned int bad = 0;
	char cmd[16384], *sp;

	snprintf(cmd, sizeof(cmd), "%s version -m %s", go_tool, qpath);
	if (run_lines(cmd, goversion_line, &c) || !c.version[0]) {
		tap(-1, "%s: go version -m failed", path);
		return;
	}
	sp = strpbrk(c.version, " ");
	if (sp)
		*sp = 0;	/* "go1.24.4 X:noswissmap": the experiment is checked below */
	if (strncmp(c.version, in->version, strlen(in->version)))
		MISMATCH(bad, "version '%s', go version says '%s'", in->version, c.version);
	if (c.experiments[0] && !strstr(in->experiments, c.experiments))
		MISMATCH(bad, "experiments '%s', go version -m says '%s'", in->experiments,
			 c.experiments);
	if (c.cgo != in->cgo)
		MISMATCH(bad, "cgo %d, go version -m says %d", in->cgo, c.cgo);
	if (in->map_impl == GOMAP_UNKNOWN || in->map_impl_note)
		MISMATCH(bad, "map implementation %s: %s", gomap_impl_name(in->map_impl),
			 in->map_impl_note ? in->map_impl_note : "unknown");
	tap(bad, "%s: %s%s%s, %s maps, as go version -m says", path, in->version,
	    in->experiments[0] ? " " : "", in->experiments, gomap_impl_name(in->map_impl));
}

/* ------------------------------------------------------------------------ */
/* go tool objdump: prologue and RETs of every function                      */

struct od_func {
	char *name;
	uint64_t entry;
	uint64_t body;		/* expected probe address */
	bool check;		/* stack check recognised in the text */
	bool morestack;		/* calls runtime.morestack* */
	uint64_t *rets;
	unsigned int nr_rets, cap_rets;
	/* prologue state */
	unsigned int n;
	char guard_reg[16];
	bool after_cmp, done;
	bool undecodable;	/* Go's decoder lost sync ("?"): hand-written AVX code */
	bool assembly;		/* from a .s file */
};

struct od_ctx {
	struct od_func *f;
	size_t nr, cap;
	bool arm64;
};

static void od_insn(struct od_ctx *c, uint64_t addr, const char *asmtxt)
{
	struct od_func *f = &c->f[c->nr - 1];

	if (!f->n)
		f->entry = addr;
	if (!strncmp(asmtxt, "RET", 3) && (asmtxt[3] == 0 || asmtxt[3] == ' ' || asmtxt[3] == '\t')) {
		if (f->nr_rets == f->cap_rets) {
			f->cap_rets = f->cap_rets ? 2 * f->cap_rets : 4;
			f->rets = realloc(f->rets, f->cap_rets * sizeof(*f->rets));
		}
		f->rets[f->nr_rets++] = addr;
	}
	if (strstr(asmtxt, "CALL runtime.morestack"))
		f->morestack = true;
	/* the stack check: amd64 CMPQ x, 0x10(R14); arm64 MOVD 16(R28), Rn ... CMP Rn, x */
	if (!f->done && f->after_cmp) {
		f->done = true;
		f->check = !strncmp(asmtxt, "JBE", 3) || !strncmp(asmtxt, "JLS", 3) ||
			   !strncmp(asmtxt, "BLS", 3);
		f->body = 0;	/* set to the next instruction's address */
	} else if (f->done && f->check && !f->body) {
		f->body = addr;
	} else if (!f->done && f->n < 8) {
		if (!c->arm64 && !strncmp(asmtxt, "CMPQ", 4) &&
		    (strstr(asmtxt, ", 0x10(R14)") || strstr(asmtxt, ", 0x18(R14)"))) {
			f->after_cmp = true;
		} else if (c->arm64 && (!strncmp(asmtxt, "MOVD 16(R28), ", 14) ||
					!strncmp(asmtxt, "MOVD 24(R28), ", 14))) {
			snprintf(f->guard_reg, sizeof(f->guard_reg), "%s", asmtxt + 14);
		} else if (c->arm64 && f->guard_reg[0] && !strncmp(asmtxt, "CMP ", 4) &&
			   strstr(asmtxt, f->guard_reg)) {
			f->after_cmp = true;
		}
	}
	f->n++;
}

static int od_line(void *ctx, char *line)
{
	struct od_ctx *c = ctx;
	unsigned long long addr;
	char *field[4], *p, *save = NULL;
	int n = 0;

	if (!strncmp(line, "TEXT ", 5)) {
		p = strstr(line, "(SB)");
		if (!p)
			return 0;
		if (c->nr == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 1024;
			c->f = realloc(c->f, c->cap * sizeof(*c->f));
		}
		memset(&c->f[c->nr], 0, sizeof(c->f[c->nr]));
		c->f[c->nr].name = strndup(line + 5, p - (line + 5));
		c->nr++;
		return 0;
	}
	if (!c->nr || line[0] != ' ')
		return 0;
	/* "  file.go:12\t0x401000\t\t493b6610\t\tCMPQ SP, 0x10(R14)\t..." */
	for (p = strtok_r(line, "\t", &save); p && n < 4; p = strtok_r(NULL, "\t", &save))
		field[n++] = p;
	if (n < 4 || sscanf(field[1], "%llx", &addr) != 1)
		return 0;
	if (strstr(field[0], ".s:"))
		c->f[c->nr - 1].assembly = true;
	/* "?": Go's decoder could not decode it; arm64 zero padding is expected */
	if (!strcmp(field[3], "?") && strcmp(field[2], "00000000"))
		c->f[c->nr - 1].undecodable = true;
	od_insn(c, addr, field[3]);
	return 0;
}

static void od_free(struct od_ctx *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++) {
		free(c->f[i].name);
		free(c->f[i].rets);
	}
	free(c->f);
}

static const struct gobin_func *find_func(struct gobin *gb, const char *odname, uint64_t entry)
{
	const struct gobin_func *f = gobin_func_at(gb, entry);

	if (f && f->addr == entry && same_func_name(f->name, odname))
		return f;
	f = gobin_func_by_name(gb, odname);
	return f && f->addr == entry ? f : NULL;
}

static bool is_map_func(const struct gobin_info *in, const char *name)
{
	return gover_func_by_sym(name, in->go_minor, in->map_impl) != NULL;
}

struct gnu_ctx {
	uint64_t rets[256];
	unsigned int nr;
};

static int gnu_line(void *ctx, char *line)
{
	struct gnu_ctx *c = ctx;
	unsigned long long addr;
	char *field[3], *p, *save = NULL, word[16];
	int n = 0;

	/* "  4030a7:\tc3                   \tret    " */
	for (p = strtok_r(line, "\t", &save); p && n < 3; p = strtok_r(NULL, "\t", &save))
		field[n++] = p;
	if (n < 3 || sscanf(field[0], " %llx:", &addr) != 1 || sscanf(field[2], "%15s", word) != 1)
		return 0;
	if ((!strcmp(word, "ret") || !strcmp(word, "retq")) && c->nr < 256)
		c->rets[c->nr++] = addr;
	return 0;
}

/* binutils objdump's RETs in F: 0 if they are P's. */
static int gnu_rets(const char *qpath, const struct gobin_func *f, const struct gobin_probe *p)
{
	struct gnu_ctx c = { .nr = 0 };
	char cmd[16384];
	unsigned int i;

	snprintf(cmd, sizeof(cmd), "objdump -d --start-address=0x%llx --stop-address=0x%llx %s",
		 (unsigned long long)f->addr, (unsigned long long)(f->addr + f->size), qpath);
	if (run_lines(cmd, gnu_line, &c) || c.nr != p->nr_rets)
		return -1;
	for (i = 0; i < c.nr; i++)
		if (c.rets[i] != p->rets[i])
			return -1;
	return 0;
}

static void test_objdump(struct gobin *gb, const char *path, const char *qpath)
{
	const struct gobin_info *in = gobin_info(gb);
	struct od_ctx c = { .arm64 = in->machine == EM_AARCH64 };
	unsigned int bad = 0, map_bad = 0, checked = 0, maps = 0, rets = 0, i;
	unsigned int unknown = 0, checks = 0, skipped = 0, gnu_arbiter = 0, flagged = 0;
	char cmd[16384];
	size_t k;

	snprintf(cmd, sizeof(cmd), "%s tool objdump %s", go_tool, qpath);
	if (run_lines(cmd, od_line, &c) || !c.nr) {
		od_free(&c);
		tap(-1, "%s: go tool objdump failed", path);
		return;
	}
	for (k = 0; k < c.nr; k++) {
		const struct od_func *o = &c.f[k];
		const struct gobin_func *f = find_func(gb, o->name, o->entry);
		bool is_map = is_map_func(in, o->name);
		unsigned int *cnt = is_map ? &map_bad : &bad;
		struct gobin_probe p;
		struct mw_err err;
		uint64_t want_body = o->check && o->body ? o->body : o->entry;

		if (!f)
			continue;	/* C functions of cgo binaries, aliases */
		if (o->undecodable && !is_map && !c.arm64) {	/* x86: lost sync */
			skipped++;
			continue;
		}
		if (gobin_probe_func(gb, f, &p, &err)) {
			MISMATCH(*cnt, "%s: %s", o->name, err.msg);
			continue;
		}
		checked++;
		maps += is_map;
		if (p.body != want_body)
			MISMATCH(*cnt, "%s: probe at +0x%llx (%s), objdump says +0x%llx", o->name,
				 (unsigned long long)(p.body - p.entry),
				 gobin_prologue_name(p.prologue),
				 (unsigned long long)(want_body - o->entry));
		if (p.prologue == GOBIN_PROLOGUE_UNKNOWN)
			unknown++;
		checks += p.prologue == GOBIN_PROLOGUE_STACK_CHECK;
		if (is_map && p.prologue != GOBIN_PROLOGUE_STACK_CHECK)
			MISMATCH(map_bad, "%s: map function without a recognised stack check",
				 o->name);
		if (p.decode_error && !is_map && p.nr_rets < o->nr_rets) {
			/* capstone 4 lacks some AVX-512: flagged, not silently wrong */
			flagged++;
		} else if (p.nr_rets != o->nr_rets && o->assembly && !c.arm64 &&
		    gnu_rets(qpath, f, &p) == 0) {
			/* Go's x86 decoder misreads some VEX code: binutils agrees with us */
			gnu_arbiter++;
		} else if (p.nr_rets != o->nr_rets) {
			MISMATCH(*cnt, "%s: %u RETs, objdump shows %u", o->name, p.nr_rets,
				 o->nr_rets);
		} else {
			for (i = 0; i < p.nr_rets; i++) {
				uint64_t off;

				if (p.rets[i] != o->rets[i] || gobin_file_offset(gb, p.rets[i], &off) ||
				    off != p.ret_offs[i])
					MISMATCH(*cnt, "%s: RET %u at 0x%llx, objdump 0x%llx", o->name,
						 i, (unsigned long long)p.rets[i],
						 (unsigned long long)o->rets[i]);
			}
		}
		rets += p.nr_rets;
		gobin_probe_release(&p);
	}
	od_free(&c);
	tap(map_bad, "%s: %u map functions: probe after the stack check and RETs as objdump shows",
	    path, maps);
	if (skipped)
		printf("# %u assembly functions skipped: go tool objdump cannot decode them\n",
		       skipped);
	if (flagged)
		printf("# %u functions capstone cannot fully decode, flagged as such\n", flagged);
	if (gnu_arbiter)
		printf("# %u assembly functions where go tool objdump misses RETs: they match "
		       "binutils objdump's\n", gnu_arbiter);
	tap(bad || checked < 100, "%s: all %u functions: same prologue skip (%u stack checks, "
	    "%u unrecognised) and %u RETs as objdump", path, checked, checks, unknown, rets);
}

/* ------------------------------------------------------------------------ */
/* pclntab against .symtab, stripped against unstripped                     */

/* A .symtab function at F's address with F's name (modulo same_func_name). */
static const struct gobin_func *symtab_twin(struct gobin *gb, const struct gobin_func *f)
{
	size_t i, n;
	const struct gobin_func *funcs = gobin_funcs(gb, &n);

	for (i = 0; i < n; i++)
		if (funcs[i].addr == f->addr && same_func_name(funcs[i].name, f->name))
			return &funcs[i];
	return NULL;
}

static void test_pclntab(struct gobin *gb, const char *path)
{
	size_t i, n;
	const struct gobin_func *pf = gobin_pclntab_funcs(gb, &n);
	unsigned int bad = 0;

	if (!n) {
		tap(-1, "%s: no .gopclntab functions", path);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct gobin_func *s = gobin_func_at(gb, pf[i].addr);
		char abi0[1024];

		if (!s || !same_func_name(s->name, pf[i].name)) {
			snprintf(abi0, sizeof(abi0), "%s.abi0", pf[i].name);
			s = gobin_func_by_name(gb, pf[i].name);
			if (!s)
				s = gobin_func_by_name(gb, abi0);
		}
		if (!s || s->addr != pf[i].addr)
			s = symtab_twin(gb, &pf[i]);
		if (!s || s->addr != pf[i].addr)
			MISMATCH(bad, "pclntab %s at 0x%llx: .symtab has %s", pf[i].name,
				 (unsigned long long)pf[i].addr, s ? "another address" : "no such name");
		else if (pf[i].size < s->size)
			MISMATCH(bad, "%s: pclntab size %llu < symbol size %llu", pf[i].name,
				 (unsigned long long)pf[i].size, (unsigned long long)s->size);
	}
	tap(bad, "%s: all %zu .gopclntab functions are in .symtab at the same address", path, n);
}

static void test_twin(struct gobin *stripped, const char *path, const char *twin_path)
{
	struct mw_err err;
	struct gobin *twin = gobin_open(twin_path, &err);
	const struct gobin_info *in = gobin_info(stripped);
	unsigned int bad = 0, maps = 0, i;
	size_t k, n;
	const struct gobin_func *tf;

	if (!twin) {
		tap(-1, "%s: twin %s: %s", path, twin_path, err.msg);
		return;
	}
	if (gobin_info(twin)->stripped || strcmp(gobin_info(twin)->version, in->version) ||
	    gobin_info(twin)->map_impl != in->map_impl || gobin_info(twin)->machine != in->machine)
		MISMATCH(bad, "twin differs in version, arch, map implementation or is stripped");
	/* The same program, linked with and without symbols: the same functions. */
	tf = gobin_pclntab_funcs(twin, &n);
	if (n != gobin_info(stripped)->nr_funcs)
		MISMATCH(bad, "%zu functions in the twin's pclntab, %zu here", n, in->nr_funcs);
	for (k = 0; k < n; k++)
		if (!gobin_func_by_name(stripped, tf[k].name))
			MISMATCH(bad, "%s missing", tf[k].name);
	/* Map functions: same size and offsets relative to entry. */
	for (i = 0; i < gover_nr_funcs; i++) {
		const struct gover_func *g = &gover_funcs[i];
		const struct gobin_func *a, *b;
		struct gobin_probe pa, pb;

		if (!gover_func_applies(g, in->go_minor, in->map_impl))
			continue;
		a = gobin_func_by_name(stripped, g->sym);
		b = gobin_func_by_name(twin, g->sym);
		if (!a != !b) {
			MISMATCH(bad, "%s present in only one", g->sym);
			continue;
		}
		if (!a)
			continue;
		maps++;
		if (gobin_probe_func(stripped, a, &pa, &err)) {
			MISMATCH(bad, "%s: %s", g->sym, err.msg);
			continue;
		}
		if (gobin_probe_func(twin, b, &pb, &err)) {
			gobin_probe_release(&pa);
			MISMATCH(bad, "twin %s: %s", g->sym, err.msg);
			continue;
		}
		if (pa.body - pa.entry != pb.body - pb.entry || pa.nr_rets != pb.nr_rets ||
		    pa.prologue != pb.prologue)
			MISMATCH(bad, "%s: probe +0x%llx/%u RETs, twin +0x%llx/%u RETs", g->sym,
				 (unsigned long long)(pa.body - pa.entry), pa.nr_rets,
				 (unsigned long long)(pb.body - pb.entry), pb.nr_rets);
		gobin_probe_release(&pa);
		gobin_probe_release(&pb);
	}
	gobin_close(twin);
	tap(bad, "%s: same functions via .gopclntab as unstripped %s (%u map functions alike)",
	    path, twin_path, maps);
}

/*
 * The unstripped build of a stripped binary: its path with "-stripped"
 * removed (fx-1.25-stripped) or replaced by "-default" (the fixtures'
 * 1.27-stripped/mapfixture and 1.27-default/mapfixture).
 */
static bool twin_of(const char *path, char *out, size_t n)
{
	static const char *const repl[] = { "", "-default" };
	const char *p = strstr(path, "-stripped");
	struct stat st;
	unsigned int i;

	for (i = 0; p && i < 2; i++) {
		snprintf(out, n, "%.*s%s%s", (int)(p - path), path, repl[i], p + 9);
		if (!stat(out, &st) && S_ISREG(st.st_mode))
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------------ */
/* Truncated and corrupted copies                                            */

/* End of the last byte any header, section or segment claims. */
static uint64_t claimed_end(struct gobin *gb)
{
	const struct elfbin *eb = gobin_elf(gb);
	uint64_t end = eb->ehdr.e_phoff + (uint64_t)eb->ehdr.e_phnum * eb->ehdr.e_phentsize;
	size_t i;

	if (eb->ehdr.e_shoff + (uint64_t)eb->ehdr.e_shnum * eb->ehdr.e_shentsize > end)
		end = eb->ehdr.e_shoff + (uint64_t)eb->ehdr.e_shnum * eb->ehdr.e_shentsize;
	for (i = 0; i < eb->nr_sects; i++)
		if (eb->sects[i].type != SHT_NOBITS && eb->sects[i].offset + eb->sects[i].size > end)
			end = eb->sects[i].offset + eb->sects[i].size;
	for (i = 0; i < eb->nr_phdrs; i++)
		if (eb->phdrs[i].p_offset + eb->phdrs[i].p_filesz > end)
			end = eb->phdrs[i].p_offset + eb->phdrs[i].p_filesz;
	return end;
}

/* Open a copy and use everything; returns whether it opened. */
static bool exercise(void *data, size_t size, struct mw_err *err)
{
	struct gobin *gb = gobin_open_mem(data, size, err);
	const struct gobin_info *in;
	size_t i, n;
	const struct gobin_func *funcs;

	if (!gb)
		return false;
	in = gobin_info(gb);
	funcs = gobin_funcs(gb, &n);
	for (i = 0; i < gover_nr_funcs; i++) {
		const struct gobin_func *f = gobin_func_by_name(gb, gover_funcs[i].sym);
		struct gobin_probe p;

		if (f && !gobin_probe_func(gb, f, &p, err))
			gobin_probe_release(&p);
	}
	/* a spread of other functions, and lookups */
	for (i = 0; i < n; i += 1 + n / 64) {
		struct gobin_probe p;

		if (!gobin_probe_func(gb, &funcs[i], &p, err))
			gobin_probe_release(&p);
		(void)gobin_func_at(gb, funcs[i].addr + 1);
	}
	(void)in;
	gobin_close(gb);
	return true;
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;	/* fixed seed */

static uint64_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static void test_corrupt(const char *path)
{
	size_t size, i, cuts = 0, opened = 0, flips = 0, flip_err = 0;
	unsigned int bad = 0;
	char *orig = read_file(path, &size);
	struct mw_err err;
	struct { uint64_t off, len; } region[4] = { { 0, 0 } };
	const struct elfbin_sect *bi;
	struct gobin *gb;
	uint64_t need;
	void *copy;

	if (!orig) {
		tap(-1, "%s: cannot read", path);
		return;
	}
	gb = gobin_open_mem(orig, size, &err);
	if (!gb) {
		free(orig);
		tap(-1, "%s: %s", path, err.msg);
		return;
	}
	need = claimed_end(gb);
	/* regions flips aim at: headers, the pclntab's header and functab, build info */
	region[0].len = size < 65536 ? size : 65536;
	if (gobin_info(gb)->pclntab_format &&
	    !gobin_file_offset(gb, gobin_info(gb)->pclntab_addr, &region[1].off))
		region[1].len = size - region[1].off < 65536 ? size - region[1].off : 65536;
	bi = elfbin_section(gobin_elf(gb), ".go.buildinfo");
	if (bi && bi->offset < size) {
		region[2].off = bi->offset;
		region[2].len = size - bi->offset < 256 ? size - bi->offset : 256;
	}
	gobin_close(gb);
	free(orig);
	orig = read_file(path, &size);	/* libelf may have touched the first copy */

	/* Prefixes: every length up to 512, then a grid of 509 steps, and the last bytes. */
	for (i = 0; i < size; i += i < 512 ? 1 : (size / 509) | 1) {
		copy = malloc(i ? i : 1);	/* exact size: ASan sees any read past it */
		memcpy(copy, orig, i);
		cuts++;
		if (exercise(copy, i, &err)) {
			opened++;
			if (i < need)
				MISMATCH(bad, "prefix of %zu bytes (< %llu) opened", i,
					 (unsigned long long)need);
		} else if (!err.msg[0]) {
			MISMATCH(bad, "prefix of %zu bytes: error without a message", i);
		}
		free(copy);
	}
	tap(bad, "%s: %zu truncated copies: no crash, every one short of %llu bytes refused", path,
	    cuts, (unsigned long long)need);

	/*
	 * Flips: 1-16 random bytes, each in the first 64 KiB (ELF headers), the
	 * pclntab's first 64 KiB, the build info, or anywhere.
	 */
	region[3].len = size;
	bad = 0;
	copy = malloc(size);
	for (i = 0; i < 600; i++) {
		unsigned int k, nflip = 1 + rng() % 16;

		memcpy(copy, orig, size);
		for (k = 0; k < nflip; k++) {
			unsigned int r = rng() % 4;
			size_t at;

			if (!region[r].len)
				r = 3;
			at = region[r].off + rng() % region[r].len;
			((unsigned char *)copy)[at] ^= 1 + rng() % 255;
		}
		err.msg[0] = 0;
		flips++;
		if (!exercise(copy, size, &err)) {
			flip_err++;
			if (!err.msg[0])
				MISMATCH(bad, "flip %zu: error without a message", i);
		}
	}
	free(copy);
	free(orig);
	tap(bad, "%s: %zu copies with flipped bytes: no crash (%zu refused, with a message)", path,
	    flips, flip_err);
}

/* ------------------------------------------------------------------------ */
/* Driver                                                                     */

struct bins {
	char **path;
	size_t nr, cap;
};

static struct bins *walk_bins;

static int walk_fn(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	unsigned char magic[4];
	int fd;

	(void)ftw;
	if (type != FTW_F || !S_ISREG(st->st_mode) || st->st_size < 64)
		return 0;
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return 0;
	if (read(fd, magic, 4) == 4 && !memcmp(magic, ELFMAG, 4)) {
		if (walk_bins->nr == walk_bins->cap) {
			walk_bins->cap = walk_bins->cap ? 2 * walk_bins->cap : 64;
			walk_bins->path = realloc(walk_bins->path,
						  walk_bins->cap * sizeof(char *));
		}
		walk_bins->path[walk_bins->nr++] = strdup(path);
	}
	close(fd);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static const char *cache_dir(void)
{
	static char buf[4096];
	const char *c = getenv("MAPWATCH_CACHE"), *x = getenv("XDG_CACHE_HOME");

	if (c && *c)
		return c;
	if (x && *x)
		snprintf(buf, sizeof(buf), "%s/mapwatch", x);
	else
		snprintf(buf, sizeof(buf), "%s/.cache/mapwatch", getenv("HOME") ? getenv("HOME") : "/root");
	return buf;
}

/* $MAPWATCH_GO, else the newest $CACHE/go/1.N toolchain. */
static void find_go(void)
{
	const char *env = getenv("MAPWATCH_GO");
	char path[4096];
	int minor;

	if (env && *env) {
		shell_quote(go_tool, sizeof(go_tool), env);
		return;
	}
	for (minor = 40; minor >= 19; minor--) {
		snprintf(path, sizeof(path), "%s/go/1.%d/root/usr/lib/go-1.%d/bin/go", cache_dir(),
			 minor, minor);
		if (!access(path, X_OK)) {
			shell_quote(go_tool, sizeof(go_tool), path);
			return;
		}
	}
}

static void test_binary(const char *path, bool corrupt)
{
	struct mw_err err;
	struct gobin *gb = gobin_open(path, &err);
	char qpath[8192], twin[4096];

	if (!gb) {
		if (err.code == MW_E_NOT_GO)
			return;
		tap(-1, "%s: %s", path, err.msg);
		return;
	}
	printf("# %s: %s %s%s%s, %s maps, %s%s, %zu functions\n", path, gobin_info(gb)->version,
	       gobin_info(gb)->goarch, gobin_info(gb)->pie ? " pie" : "",
	       gobin_info(gb)->cgo == 1 ? " cgo" : "", gomap_impl_name(gobin_info(gb)->map_impl),
	       gobin_info(gb)->stripped ? "stripped" : "symbols",
	       gobin_info(gb)->pclntab_format ? "" : " (no pclntab)", gobin_info(gb)->nr_funcs);
	shell_quote(qpath, sizeof(qpath), path);
	if (!gobin_info(gb)->stripped)
		test_pclntab(gb, path);
	else if (twin_of(path, twin, sizeof(twin)))
		test_twin(gb, path, twin);
	test_offsets(gb, path, qpath);
	if (go_tool[0]) {
		test_version(gb, path, qpath);
		if (!gobin_info(gb)->stripped)
			test_nm(gb, path, qpath);
		if (!gobin_info(gb)->stripped)	/* go tool objdump needs .symtab */
			test_objdump(gb, path, qpath);
	}
	gobin_close(gb);
	if (corrupt)
		test_corrupt(path);
}

int main(int argc, char **argv)
{
	struct bins bins = { 0 };
	char fixtures[4096];
	size_t i, smallest[2] = { 0, 0 };
	struct stat st;
	off_t small_size[2] = { 0, 0 };

	printf("TAP version 13\n");
	test_bad_input();
	test_table();

	walk_bins = &bins;
	if (argc > 1) {
		for (i = 1; i < (size_t)argc; i++)
			nftw(argv[i], walk_fn, 16, FTW_PHYS);
	} else {
		snprintf(fixtures, sizeof(fixtures), "%s/go-fixtures", cache_dir());
		nftw(fixtures, walk_fn, 16, FTW_PHYS);
	}
	if (!bins.nr) {
		printf("# no Go binaries found in %s: the tests on real binaries are skipped "
		       "(build them with tools/go/build-fixtures)\n", argc > 1 ? argv[1] : fixtures);
		tap_skip("real Go binaries: none found");
	}
	if (bins.nr)
		qsort(bins.path, bins.nr, sizeof(char *), cmp_str);
	find_go();
	if (bins.nr && !go_tool[0])
		tap_skip("no Go toolchain ($MAPWATCH_GO or %s/go/VERSION): "
			 "nm, objdump and version comparisons", cache_dir());
	/* the corruption tests on the smallest Go binary with and without .symtab */
	for (i = 0; i < bins.nr; i++) {
		struct mw_err err;
		struct gobin *gb;
		int k;

		if (stat(bins.path[i], &st))
			continue;
		gb = gobin_open(bins.path[i], &err);
		if (!gb)
			continue;
		k = gobin_info(gb)->stripped;
		gobin_close(gb);
		if (!small_size[k] || st.st_size < small_size[k]) {
			smallest[k] = i;
			small_size[k] = st.st_size;
		}
	}
	for (i = 0; i < bins.nr; i++)
		test_binary(bins.path[i], (small_size[0] && i == smallest[0]) ||
					  (small_size[1] && i == smallest[1]));
	for (i = 0; i < bins.nr; i++)
		free(bins.path[i]);
	free(bins.path);
	printf("1..%d\n", test_nr);
	return failures ? 1 : 0;
}
