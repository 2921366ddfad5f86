// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of tools/ctl/sdt/notes.c (ASan+UBSan):
 *
 *   - every x86-64 and arm64 operand form, size and sign, and the exact
 *     error of each malformed spec;
 *   - the fetch programs of each form, run by a copy of the module's
 *     interpreter (module/fetch.c) over fake registers and memory, and
 *     decoded by fp_decode(): sub-registers, sign extension, loads,
 *     constants, PC-relative globals; the exact error of what cannot be
 *     translated;
 *   - hand-made ELF files: file offsets, semaphores, the prelink
 *     adjustment, symbols, and every malformed note with its exact error;
 *   - programs built at test time with gcc and <sys/sdt.h>
 *     (systemtap-sdt-dev), checked against readelf -n;
 *   - Debian's OpenJDK 17 libjvm.so when installed, against readelf -n.
 *
 *   usdt_test [MAPWATCHCTL]   with a mapwatchctl, also its `usdt` output
 *
 * What cannot run here (no gcc/sdt.h, no readelf, no libjvm.so) is
 * printed as SKIP with the reason and counted apart, never as passed.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <json-c/json.h>

#include "sdt/notes.h"

#define LIBJVM	"/usr/lib/jvm/java-17-openjdk-amd64/lib/server/libjvm.so"

static int passed, failed, skipped;

#define CHECK(cond) check(!!(cond), __LINE__, "%s", #cond)
#define CHECK_EQ(got, want) do {						\
	unsigned long long g_ = (got), w_ = (want);				\
	check(g_ == w_, __LINE__, "%s = 0x%llx, expected 0x%llx", #got, g_, w_); \
} while (0)
#define CHECK_STR(got, want) do {						\
	const char *g_ = (got), *w_ = (want);					\
	check(g_ && !strcmp(g_, w_), __LINE__, "%s = \"%s\",\n      expected \"%s\"", \
	      #got, g_ ? g_ : "(null)", w_);					\
} while (0)

static const char *context = "";

static void check(bool ok, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void check(bool ok, int line, const char *fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		return;
	}
	failed++;
	printf("FAIL %s:%d [%s] ", __FILE__, line, context);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void skip(const char *what, const char *why)
{
	skipped++;
	printf("SKIP %s: %s\n", what, why);
}

/* ------------------------------------------------------------------------ */
/* Specs                                                                      */

#define NOREG	-1

struct good_spec {
	const char *spec;
	enum usdt_arg_kind kind;
	uint8_t size;
	bool sgn, flt;
	int reg;
	uint8_t reg_bytes;
	int64_t value;
	int index;
	uint8_t scale;
	const char *sym;
};

#define X(r)	MAPWATCH_REG_X86_##r

static const struct good_spec x86_good[] = {
	{ "8@%rdi", USDT_ARG_REG, 8, false, false, X(DI), 8, 0, NOREG, 0, NULL },
	{ "-4@%edi", USDT_ARG_REG, 4, true, false, X(DI), 4, 0, NOREG, 0, NULL },
	{ "2@%di", USDT_ARG_REG, 2, false, false, X(DI), 2, 0, NOREG, 0, NULL },
	{ "1@%dil", USDT_ARG_REG, 1, false, false, X(DI), 1, 0, NOREG, 0, NULL },
	{ "8@%rax", USDT_ARG_REG, 8, false, false, X(AX), 8, 0, NOREG, 0, NULL },
	{ "-4@%eax", USDT_ARG_REG, 4, true, false, X(AX), 4, 0, NOREG, 0, NULL },
	{ "2@%ax", USDT_ARG_REG, 2, false, false, X(AX), 2, 0, NOREG, 0, NULL },
	{ "-1@%al", USDT_ARG_REG, 1, true, false, X(AX), 1, 0, NOREG, 0, NULL },
	{ "8@%rbx", USDT_ARG_REG, 8, false, false, X(BX), 8, 0, NOREG, 0, NULL },
	{ "-4@%ebx", USDT_ARG_REG, 4, true, false, X(BX), 4, 0, NOREG, 0, NULL },
	{ "1@%bl", USDT_ARG_REG, 1, false, false, X(BX), 1, 0, NOREG, 0, NULL },
	{ "-4@%ecx", USDT_ARG_REG, 4, true, false, X(CX), 4, 0, NOREG, 0, NULL },
	{ "2@%cx", USDT_ARG_REG, 2, false, false, X(CX), 2, 0, NOREG, 0, NULL },
	{ "1@%cl", USDT_ARG_REG, 1, false, false, X(CX), 1, 0, NOREG, 0, NULL },
	{ "8@%rdx", USDT_ARG_REG, 8, false, false, X(DX), 8, 0, NOREG, 0, NULL },
	{ "-1@%dl", USDT_ARG_REG, 1, true, false, X(DX), 1, 0, NOREG, 0, NULL },
	{ "8@%rsi", USDT_ARG_REG, 8, false, false, X(SI), 8, 0, NOREG, 0, NULL },
	{ "4@%esi", USDT_ARG_REG, 4, false, false, X(SI), 4, 0, NOREG, 0, NULL },
	{ "1@%sil", USDT_ARG_REG, 1, false, false, X(SI), 1, 0, NOREG, 0, NULL },
	{ "8@%rbp", USDT_ARG_REG, 8, false, false, X(BP), 8, 0, NOREG, 0, NULL },
	{ "-4@%ebp", USDT_ARG_REG, 4, true, false, X(BP), 4, 0, NOREG, 0, NULL },
	{ "1@%bpl", USDT_ARG_REG, 1, false, false, X(BP), 1, 0, NOREG, 0, NULL },
	{ "8@%rsp", USDT_ARG_REG, 8, false, false, X(SP), 8, 0, NOREG, 0, NULL },
	{ "1@%spl", USDT_ARG_REG, 1, false, false, X(SP), 1, 0, NOREG, 0, NULL },
	{ "8@%r8", USDT_ARG_REG, 8, false, false, X(R8), 8, 0, NOREG, 0, NULL },
	{ "-4@%r9d", USDT_ARG_REG, 4, true, false, X(R9), 4, 0, NOREG, 0, NULL },
	{ "2@%r10w", USDT_ARG_REG, 2, false, false, X(R10), 2, 0, NOREG, 0, NULL },
	{ "-1@%r11b", USDT_ARG_REG, 1, true, false, X(R11), 1, 0, NOREG, 0, NULL },
	{ "-4@%r12d", USDT_ARG_REG, 4, true, false, X(R12), 4, 0, NOREG, 0, NULL },
	{ "-2@%r13w", USDT_ARG_REG, 2, true, false, X(R13), 2, 0, NOREG, 0, NULL },
	{ "8@%r14", USDT_ARG_REG, 8, false, false, X(R14), 8, 0, NOREG, 0, NULL },
	{ "-1@%r15b", USDT_ARG_REG, 1, true, false, X(R15), 1, 0, NOREG, 0, NULL },
	{ "8@%rip", USDT_ARG_REG, 8, false, false, X(IP), 8, 0, NOREG, 0, NULL },
	{ "8@%RAX", USDT_ARG_REG, 8, false, false, X(AX), 8, 0, NOREG, 0, NULL },
	{ "8f@%rdx", USDT_ARG_REG, 8, false, true, X(DX), 8, 0, NOREG, 0, NULL },
	{ "4f@%eax", USDT_ARG_REG, 4, false, true, X(AX), 4, 0, NOREG, 0, NULL },
	{ "-8@-56(%rbp)", USDT_ARG_MEM, 8, true, false, X(BP), 8, -56, NOREG, 0, NULL },
	{ "-4@-60(%rbp)", USDT_ARG_MEM, 4, true, false, X(BP), 8, -60, NOREG, 0, NULL },
	{ "8@152(%rbx)", USDT_ARG_MEM, 8, false, false, X(BX), 8, 152, NOREG, 0, NULL },
	{ "1@37(%r14)", USDT_ARG_MEM, 1, false, false, X(R14), 8, 37, NOREG, 0, NULL },
	{ "-4@(%rax)", USDT_ARG_MEM, 4, true, false, X(AX), 8, 0, NOREG, 0, NULL },
	{ "-4@-4(%rsp)", USDT_ARG_MEM, 4, true, false, X(SP), 8, -4, NOREG, 0, NULL },
	{ "8@0x10(%rsp)", USDT_ARG_MEM, 8, false, false, X(SP), 8, 16, NOREG, 0, NULL },
	{ "8@-0x10(%r15)", USDT_ARG_MEM, 8, false, false, X(R15), 8, -16, NOREG, 0, NULL },
	{ "4@010(%rax)", USDT_ARG_MEM, 4, false, false, X(AX), 8, 8, NOREG, 0, NULL },
	{ "4@+12(%rax)", USDT_ARG_MEM, 4, false, false, X(AX), 8, 12, NOREG, 0, NULL },
	{ "-4@(%rdx,%rbx,4)", USDT_ARG_MEM, 4, true, false, X(DX), 8, 0, X(BX), 4, NULL },
	{ "1@-96(%rbp,%rax,8)", USDT_ARG_MEM, 1, false, false, X(BP), 8, -96, X(AX), 8, NULL },
	{ "4@(%rbp,%rax)", USDT_ARG_MEM, 4, false, false, X(BP), 8, 0, X(AX), 1, NULL },
	{ "4@16(,%rax,8)", USDT_ARG_MEM, 4, false, false, NOREG, 0, 16, X(AX), 8, NULL },
	{ "4@(%eax)", USDT_ARG_MEM, 4, false, false, X(AX), 4, 0, NOREG, 0, NULL },
	{ "-8@$5", USDT_ARG_CONST, 8, true, false, NOREG, 0, 5, NOREG, 0, NULL },
	{ "-4@$-1", USDT_ARG_CONST, 4, true, false, NOREG, 0, -1, NOREG, 0, NULL },
	{ "1@$0", USDT_ARG_CONST, 1, false, false, NOREG, 0, 0, NOREG, 0, NULL },
	{ "2@$0x1f", USDT_ARG_CONST, 2, false, false, NOREG, 0, 31, NOREG, 0, NULL },
	{ "8@$9223372036854775807", USDT_ARG_CONST, 8, false, false, NOREG, 0, INT64_MAX, NOREG,
	  0, NULL },
	{ "8@$18446744073709551615", USDT_ARG_CONST, 8, false, false, NOREG, 0, -1, NOREG, 0,
	  NULL },
	{ "-8@$-9223372036854775808", USDT_ARG_CONST, 8, true, false, NOREG, 0, INT64_MIN,
	  NOREG, 0, NULL },
	{ "-8@g_counter(%rip)", USDT_ARG_GLOBAL, 8, true, false, X(IP), 8, 0, NOREG, 0,
	  "g_counter" },
	{ "-4@8+g_arr(%rip)", USDT_ARG_GLOBAL, 4, true, false, X(IP), 8, 8, NOREG, 0, "g_arr" },
	{ "4@g_arr+12(%rip)", USDT_ARG_GLOBAL, 4, false, false, X(IP), 8, 12, NOREG, 0, "g_arr" },
	{ "4@g_arr-4(%rip)", USDT_ARG_GLOBAL, 4, false, false, X(IP), 8, -4, NOREG, 0, "g_arr" },
	{ "4@4+counter.0+4(%rip)", USDT_ARG_GLOBAL, 4, false, false, X(IP), 8, 8, NOREG, 0,
	  "counter.0" },
	{ "8@_ZN3Foo3barE(%rip)", USDT_ARG_GLOBAL, 8, false, false, X(IP), 8, 0, NOREG, 0,
	  "_ZN3Foo3barE" },
	{ "8@16(%rip)", USDT_ARG_GLOBAL, 8, false, false, X(IP), 8, 16, NOREG, 0, NULL },
	{ "8@(%rip)", USDT_ARG_GLOBAL, 8, false, false, X(IP), 8, 0, NOREG, 0, NULL },
};

static const struct good_spec arm64_good[] = {
	{ "8@x0", USDT_ARG_REG, 8, false, false, 0, 8, 0, NOREG, 0, NULL },
	{ "-4@w1", USDT_ARG_REG, 4, true, false, 1, 4, 0, NOREG, 0, NULL },
	{ "8@x30", USDT_ARG_REG, 8, false, false, 30, 8, 0, NOREG, 0, NULL },
	{ "-8@x19", USDT_ARG_REG, 8, true, false, 19, 8, 0, NOREG, 0, NULL },
	{ "8@sp", USDT_ARG_REG, 8, false, false, MAPWATCH_REG_ARM64_SP, 8, 0, NOREG, 0, NULL },
	{ "8@[sp, 8]", USDT_ARG_MEM, 8, false, false, MAPWATCH_REG_ARM64_SP, 8, 8, NOREG, 0,
	  NULL },
	{ "-4@[x29, -4]", USDT_ARG_MEM, 4, true, false, 29, 8, -4, NOREG, 0, NULL },
	{ "8@[x0]", USDT_ARG_MEM, 8, false, false, 0, 8, 0, NOREG, 0, NULL },
	{ "8@[x1,#16]", USDT_ARG_MEM, 8, false, false, 1, 8, 16, NOREG, 0, NULL },
	{ "4@[x2, #-8]", USDT_ARG_MEM, 4, false, false, 2, 8, -8, NOREG, 0, NULL },
	{ "-4@5", USDT_ARG_CONST, 4, true, false, NOREG, 0, 5, NOREG, 0, NULL },
	{ "8@-1", USDT_ARG_CONST, 8, false, false, NOREG, 0, -1, NOREG, 0, NULL },
	{ "4@#7", USDT_ARG_CONST, 4, false, false, NOREG, 0, 7, NOREG, 0, NULL },
};

struct bad_spec {
	const char *spec;
	const char *err;
};

#define SIZE_RULE	"must be 1, 2, 4 or 8 (a '-' before it for signed)"
#define ARM64_RULE	"not supported (registers x0-x30, w0-w30, sp; [reg], [reg, offset] and " \
			"constants are)"

static const struct bad_spec x86_bad[] = {
	{ "3@%rdi", "size 3: " SIZE_RULE },
	{ "-3@%rdi", "size 3: " SIZE_RULE },
	{ "0@%rdi", "size 0: " SIZE_RULE },
	{ "16@%rdi", "size 16: " SIZE_RULE },
	{ "12345@%rdi", "size 12345: " SIZE_RULE },
	{ "%rdi", "no SIZE@ before the operand (as in 8@%rdi)" },
	{ "", "no SIZE@ before the operand (as in 8@%rdi)" },
	{ "@%rdi", "no size before '@'" },
	{ "-@%rdi", "no size before '@'" },
	{ "8x@%rdi", "unexpected 'x' after the size" },
	{ "8ff@%rdi", "unexpected 'f' after the size" },
	{ "8@", "no operand after '@'" },
	{ "8@%foo", "unknown register %foo" },
	{ "8@%eip", "unknown register %eip" },
	{ "8@%", "expected a register name after '%'" },
	{ "8@%raxxxxxxxxxxxxxxxxxxx", "unknown register %raxxxxxxxxxxxxxxxxxxx" },
	{ "1@%ah", "%ah is bits 8-15 of rax: high-byte registers are not supported" },
	{ "1@%dh", "%dh is bits 8-15 of rdx: high-byte registers are not supported" },
	{ "8@%xmm0", "%xmm0: floating-point and vector registers are not supported (a uprobe "
		     "sees the general-purpose registers only)" },
	{ "8@%rdi,", "unexpected ',' after register in '%rdi,'" },
	{ "4@%fs:tls_v@tpoff", "segment-relative memory '%fs:tls_v@tpoff' (a thread-local "
			       "variable): not supported" },
	{ "8@$", "expected a number at ''" },
	{ "8@$-", "expected a number at ''" },
	{ "8@$abc", "the address of a symbol as a constant ('$abc'): not supported" },
	{ "8@$5x", "unexpected 'x' after constant in '$5x'" },
	{ "8@$99999999999999999999", "number out of range" },
	{ "8@rdi", "operand 'rdi' is not a register (%reg), a constant ($n) or memory "
		   "(disp(%reg))" },
	{ "8@8(%rbp", "memory operand '8(%rbp' does not end with ')'" },
	{ "8@8(%rbp))", "unexpected ')' in memory operand '8(%rbp))'" },
	{ "8@8(%rbp,%rax,3)", "scale 3 in '8(%rbp,%rax,3)': must be 1, 2, 4 or 8" },
	{ "8@8(%rbp,%rax,)", "expected a number at ')'" },
	{ "8@(%rbp,%rsp)", "%rsp cannot be an index register in '(%rbp,%rsp)'" },
	{ "8@()", "expected a register (%name) at ')'" },
	{ "8@(,)", "expected a register (%name) at ')'" },
	{ "8@(rax)", "expected a register (%name) at 'rax)'" },
	{ "8@8(%rip,%rax)", "%rip with an index register in '8(%rip,%rax)'" },
	{ "8@sym(%rbx)", "symbol 'sym' with a base or index register in 'sym(%rbx)': not "
			 "supported (only sym(%rip) is)" },
	{ "8@-sym(%rip)", "a symbol subtracted in displacement '-sym': not supported" },
	{ "8@a+b(%rip)", "two symbols in displacement 'a+b'" },
	{ "8@sym@GOTPCREL(%rip)", "symbol reference 'sym@GOTPCREL' with a relocation "
				  "(@GOTPCREL, @PLT...): not supported" },
	{ "8@8+(%rip)", "bad displacement '8+'" },
	{ "8@8*2(%rax)", "unexpected '*' in displacement '8*2'" },
	{ "8@99999999999999999999(%rax)", "number out of range" },
};

static const struct bad_spec arm64_bad[] = {
	{ "8@x31", "arm64 operand 'x31': " ARM64_RULE },
	{ "8@x01", "arm64 operand 'x01': " ARM64_RULE },
	{ "8@v0", "arm64 operand 'v0': " ARM64_RULE },
	{ "8@xzr", "arm64 operand 'xzr': " ARM64_RULE },
	{ "8@[x0, x1]", "arm64 operand '[x0, x1]': " ARM64_RULE },
	{ "8@[x0, 8]!", "arm64 operand '[x0, 8]!': " ARM64_RULE },
	{ "8@[x0, 8", "arm64 operand '[x0, 8': " ARM64_RULE },
	{ "8@[x0, lsl 3]", "arm64 operand '[x0, lsl 3]': " ARM64_RULE },
	{ "8@[w0, 8]", "arm64 operand '[w0, 8]': a 32-bit base register" },
	{ "8@5x", "unexpected 'x' after constant in '5x'" },
	{ "8@%x0", "arm64 operand '%x0': " ARM64_RULE },
	{ "3@x0", "size 3: " SIZE_RULE },
};

static void check_good(uint16_t machine, const struct good_spec *g)
{
	struct mw_err err = { .msg = "" };
	struct usdt_arg a;
	int ret;

	context = g->spec;
	ret = usdt_parse_arg(machine, g->spec, &a, &err);
	check(ret == 0, __LINE__, "parse failed: %s", err.msg);
	if (ret)
		return;
	CHECK_STR(a.spec, g->spec);
	CHECK_EQ(a.kind, g->kind);
	CHECK_EQ(a.size, g->size);
	CHECK_EQ(a.is_signed, g->sgn);
	CHECK_EQ(a.is_float, g->flt);
	CHECK_EQ(a.value, g->value);
	if (g->kind != USDT_ARG_CONST) {
		CHECK_EQ(a.reg, g->reg);
		CHECK_EQ(a.reg_bytes, g->reg_bytes);
	}
	CHECK_EQ(a.index, g->index);
	if (g->index >= 0)
		CHECK_EQ(a.scale, g->scale);
	if (g->sym)
		CHECK_STR(a.sym, g->sym);
	else
		CHECK(!a.sym);
	usdt_arg_release(&a);
}

static void check_bad(uint16_t machine, const struct bad_spec *b)
{
	struct mw_err err = { .msg = "" };
	struct usdt_arg a;

	context = b->spec;
	CHECK(usdt_parse_arg(machine, b->spec, &a, &err) == -1);
	CHECK_STR(err.msg, b->err);
	CHECK_EQ(err.code, MW_E_INVAL);
	CHECK(!a.sym);
}

/* A probe of our own with ARGS parsed (or not: ret). */
static int make_probe(struct usdt_probe *pr, uint16_t machine, const char *args)
{
	memset(pr, 0, sizeof(*pr));
	pr->provider = "p";
	pr->name = "n";
	pr->args_str = (char *)args;
	return usdt_parse_args(machine, args, pr);
}

static void free_probe(struct usdt_probe *pr)
{
	usdt_args_release(pr);
	CHECK(!pr->nr_args && !pr->spec_buf);
}

static void test_specs(void)
{
	struct usdt_probe pr;
	char many[512];
	size_t i;

	for (i = 0; i < sizeof(x86_good) / sizeof(x86_good[0]); i++)
		check_good(EM_X86_64, &x86_good[i]);
	for (i = 0; i < sizeof(arm64_good) / sizeof(arm64_good[0]); i++)
		check_good(EM_AARCH64, &arm64_good[i]);
	for (i = 0; i < sizeof(x86_bad) / sizeof(x86_bad[0]); i++)
		check_bad(EM_X86_64, &x86_bad[i]);
	for (i = 0; i < sizeof(arm64_bad) / sizeof(arm64_bad[0]); i++)
		check_bad(EM_AARCH64, &arm64_bad[i]);

	context = "x86 spec on another machine";
	{
		struct mw_err err;
		struct usdt_arg a;

		CHECK(usdt_parse_arg(EM_RISCV, "8@a0", &a, &err) == -1);
		CHECK_STR(err.msg, "argument specs of ELF machine 243 are not supported");
		CHECK_EQ(err.code, MW_E_ARCH);
	}

	context = "split";
	CHECK(make_probe(&pr, EM_X86_64, "  8@%rdi \t -4@-60(%rbp)  1@$0 ") == 0);
	CHECK_EQ(pr.nr_args, 3);
	CHECK_STR(pr.args[0].spec, "8@%rdi");
	CHECK_STR(pr.args[1].spec, "-4@-60(%rbp)");
	CHECK_STR(pr.args[2].spec, "1@$0");
	CHECK_STR(pr.error.msg, "");
	free_probe(&pr);
	CHECK(make_probe(&pr, EM_X86_64, "") == 0);
	CHECK_EQ(pr.nr_args, 0);
	free_probe(&pr);
	CHECK(make_probe(&pr, EM_AARCH64, "8@[sp, 8] -4@x0 -4@[x29, -4]") == 0);
	CHECK_EQ(pr.nr_args, 3);
	CHECK_STR(pr.args[0].spec, "8@[sp, 8]");
	CHECK_STR(pr.args[1].spec, "-4@x0");
	CHECK_STR(pr.args[2].spec, "-4@[x29, -4]");
	free_probe(&pr);
	CHECK(make_probe(&pr, EM_X86_64, "8@%rdi 3@%rsi") == -1);
	CHECK_EQ(pr.nr_args, 0);
	CHECK_STR(pr.error.msg, "p:n: argument 1 '3@%rsi': size 3: " SIZE_RULE);
	CHECK_EQ(pr.error.code, MW_E_INVAL);
	free_probe(&pr);
	CHECK(make_probe(&pr, EM_AARCH64, "8@[sp, 8 -4@x0") == -1);
	CHECK_STR(pr.error.msg, "p:n: argument 0 '8@[sp, 8 -4@x0': arm64 operand '[sp, 8 -4@x0': "
		  ARM64_RULE);
	free_probe(&pr);
	many[0] = 0;
	for (i = 0; i < 13; i++)
		strcat(many, "8@%rdi ");
	CHECK(make_probe(&pr, EM_X86_64, many) == -1);
	CHECK_STR(pr.error.msg, "p:n: more than 12 arguments in '8@%rdi 8@%rdi 8@%rdi 8@%rdi "
		  "8@%rdi 8@%rdi 8@%rdi 8@%rdi 8@%rdi 8@%rdi 8@%rdi 8@%rdi 8@%rdi '");
	CHECK_EQ(pr.nr_args, 0);
	free_probe(&pr);
	many[strlen(many) - 7] = 0;
	CHECK(make_probe(&pr, EM_X86_64, many) == 0);
	CHECK_EQ(pr.nr_args, 12);
	free_probe(&pr);
}

/* ------------------------------------------------------------------------ */
/* Fetch programs, run                                                         */

#define STACK_VA	0x7ffd00001000ull
#define BIAS		0x7f0000000000ull	/* where the test "loads" the file */

struct fake {
	uint64_t regs[MAPWATCH_REG_ARM64_NR];
	unsigned char stack[512];	/* at STACK_VA */
	uint64_t glob_va;		/* link-time address of glob[] */
	unsigned char glob[64];
};

static bool fake_read(const struct fake *f, uint64_t addr, unsigned int n, void *out)
{
	if (addr >= STACK_VA && addr - STACK_VA <= sizeof(f->stack) - n) {
		memcpy(out, f->stack + (addr - STACK_VA), n);
		return true;
	}
	if (addr >= BIAS + f->glob_va && addr - BIAS - f->glob_va <= sizeof(f->glob) - n) {
		memcpy(out, f->glob + (addr - BIAS - f->glob_va), n);
		return true;
	}
	return false;
}

/* module/fetch.c's mapwatch_fetch_run() for REG/CONST/PC/ADD/LOAD/EMIT. */
static size_t run_prog(const struct fprog *p, const struct fake *f, uint64_t ip, uint8_t *out,
		       bool *fault)
{
	uint64_t var[MAPWATCH_FETCH_VARS] = { 0 };
	size_t n = 0;
	unsigned int i;

	*fault = false;
	for (i = 0; i < p->nr_ops; i++) {
		const struct mapwatch_fetch_op *op = &p->ops[i];
		union { uint8_t b; uint16_t h; uint32_t w; uint64_t d; } v;
		bool sign = op->flags & MAPWATCH_FOPF_SIGNED;

		switch (op->code) {
		case MAPWATCH_FOP_REG:
			var[op->dst] = f->regs[op->src];
			break;
		case MAPWATCH_FOP_CONST:
			var[op->dst] = op->imm;
			break;
		case MAPWATCH_FOP_PC:
			var[op->dst] = ip + op->imm;
			break;
		case MAPWATCH_FOP_ADD:
			var[op->dst] = var[op->src] + op->imm;
			break;
		case MAPWATCH_FOP_LOAD:
			v.d = 0;
			if (!fake_read(f, var[op->src] + op->imm, op->size, &v)) {
				*fault = true;
				var[op->dst] = 0;
				break;
			}
			var[op->dst] = op->size == 1 ? (sign ? (uint64_t)(int8_t)v.b : v.b) :
				       op->size == 2 ? (sign ? (uint64_t)(int16_t)v.h : v.h) :
				       op->size == 4 ? (sign ? (uint64_t)(int32_t)v.w : v.w) : v.d;
			break;
		case MAPWATCH_FOP_EMIT:
			memcpy(out + n, &var[op->src], op->size);	/* little-endian */
			n += op->size;
			break;
		case MAPWATCH_FOP_COPY: {
			uint64_t len = op->dst == MAPWATCH_FETCH_NOVAR ? op->max :
				       var[op->dst] < op->max ? var[op->dst] : op->max;
			uint16_t got = (uint16_t)len;

			if (len && !fake_read(f, var[op->src] + op->imm, (unsigned int)len,
					      out + n + 2)) {
				*fault = true;
				got = 0;
			}
			memcpy(out + n, &got, 2);
			n += 2 + got;
			break;
		}
		default:
			*fault = true;
		}
	}
	return n;
}

/*
 * ARGS of a probe at link-time PC, translated, run on F and decoded:
 * values in VALS (as fp_decode gives them: sign-extended for signed).
 */
static int fetch(uint16_t machine, const char *args, uint64_t pc, const struct fake *f,
		 struct fprog *p, uint64_t *vals, struct mw_err *err)
{
	struct fp_value out[FP_MAX_FIELDS];
	struct usdt_probe pr;
	uint8_t payload[256];
	unsigned int i;
	bool fault;
	size_t n;
	int ret;

	if (make_probe(&pr, machine, args)) {
		*err = pr.error;
		return -1;
	}
	pr.pc = pc;
	for (i = 0; i < pr.nr_args; i++)
		if (pr.args[i].sym)
			pr.args[i].sym_addr = f->glob_va + 0x10 * (pr.args[i].sym[0] == 'b');
	ret = usdt_fetchprog(&pr, machine, p, err);
	if (!ret) {
		CHECK(!p->error);
		CHECK_EQ(p->nr_fields, pr.nr_args);
		n = run_prog(p, f, BIAS + pc, payload, &fault);
		CHECK(!fault);
		ret = fp_decode(p, payload, n, out);
		CHECK(ret == 0);
		for (i = 0; !ret && i < p->nr_fields; i++) {
			CHECK_STR(out[i].field->name, usdt_arg_name(i));
			vals[i] = out[i].u;
		}
	}
	free_probe(&pr);
	return ret;
}

static void init_fake(struct fake *f)
{
	unsigned int i;
	uint64_t v;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < MAPWATCH_REG_ARM64_NR; i++)
		f->regs[i] = 0x1111111111111111ull * (i + 1);
	f->regs[X(AX)] = (uint64_t)-10;
	f->regs[X(CX)] = 0x12345678fffffffeull;	/* ecx -2, cx 0xfffe, cl 0xfe */
	f->regs[X(DI)] = 0xdeadbeef00000080ull;	/* dil 0x80: -128 signed */
	f->regs[X(BP)] = STACK_VA + 0x100;
	f->regs[X(R9)] = 0x00000000ffffff85ull;	/* r9d -123 */
	f->regs[X(R10)] = 0x0000000000018000ull;	/* r10w 0x8000 */
	for (i = 0; i < sizeof(f->stack); i++)
		f->stack[i] = i;
	v = (uint64_t)-60;			/* at rbp-64: -60 as 4 and 8 bytes */
	memcpy(f->stack + 0x100 - 64, &v, 8);
	v = 0x0123456789abcdefull;		/* at rbp-56 */
	memcpy(f->stack + 0x100 - 56, &v, 8);
	f->glob_va = 0x404000;
	for (i = 0; i < sizeof(f->glob); i++)
		f->glob[i] = 0xa0 + i;
}

static void test_fetch(void)
{
	uint64_t vals[USDT_MAX_ARGS];
	struct mw_err err;
	struct fprog p;
	struct fake f;
	int ret;

	init_fake(&f);

	context = "registers";
	ret = fetch(EM_X86_64, "-8@%rax 8@%rax -4@%ecx 4@%ecx 2@%cx -2@%cx -1@%cl 1@%dil "
		    "-1@%dil -4@%r9d -2@%r10w 2@%r10w", 0x401000, &f, &p, vals, &err);
	CHECK(ret == 0);
	CHECK_EQ(vals[0], (uint64_t)-10);
	CHECK_EQ(vals[1], (uint64_t)-10);
	CHECK_EQ(vals[2], (uint64_t)-2);
	CHECK_EQ(vals[3], 0xfffffffe);
	CHECK_EQ(vals[4], 0xfffe);
	CHECK_EQ(vals[5], (uint64_t)-2);
	CHECK_EQ(vals[6], (uint64_t)-2);
	CHECK_EQ(vals[7], 0x80);
	CHECK_EQ(vals[8], (uint64_t)-128);
	CHECK_EQ(vals[9], (uint64_t)-123);
	CHECK_EQ(vals[10], (uint64_t)-32768);
	CHECK_EQ(vals[11], 0x8000);
	CHECK_EQ(p.fields[0].kind, FP_INT);
	CHECK_EQ(p.fields[0].size, 8);
	CHECK_EQ(p.fields[3].kind, FP_UINT);
	CHECK_EQ(p.fields[3].size, 4);
	CHECK_EQ(p.fields[7].size, 1);

	context = "one register: the ops";
	ret = fetch(EM_X86_64, "1@%dil", 0x401000, &f, &p, vals, &err);
	CHECK(ret == 0);
	CHECK_EQ(p.nr_ops, 2);
	CHECK_EQ(p.ops[0].code, MAPWATCH_FOP_REG);
	CHECK_EQ(p.ops[0].src, X(DI));
	CHECK_EQ(p.ops[1].code, MAPWATCH_FOP_EMIT);
	CHECK_EQ(p.ops[1].size, 1);
	CHECK_EQ(p.fields[0].kind, FP_UINT);

	context = "a register narrower than the argument";
	ret = fetch(EM_X86_64, "-8@%ecx 8@%cl", 0x401000, &f, &p, vals, &err);
	CHECK(ret == 0);
	CHECK_EQ(p.fields[0].size, 4);
	CHECK_EQ(p.fields[1].size, 1);
	CHECK_EQ(vals[0], (uint64_t)-2);
	CHECK_EQ(vals[1], 0xfe);

	context = "memory";
	ret = fetch(EM_X86_64, "-4@-64(%rbp) -8@-64(%rbp) 8@-56(%rbp) 1@-56(%rbp) -1@-49(%rbp) "
		    "2@(%rbp)", 0x401000, &f, &p, vals, &err);
	CHECK(ret == 0);
	CHECK_EQ(vals[0], (uint64_t)-60);
	CHECK_EQ(vals[1], (uint64_t)-60);
	CHECK_EQ(vals[2], 0x0123456789abcdefull);
	CHECK_EQ(vals[3], 0xef);
	CHECK_EQ(vals[4], 0x01);
	CHECK_EQ(vals[5], 0x0100);
	/* one read of rbp for all six: REG, then LOAD + EMIT each */
	CHECK_EQ(p.nr_ops, 13);
	CHECK_EQ(p.ops[0].code, MAPWATCH_FOP_REG);
	CHECK_EQ(p.ops[0].src, X(BP));
	CHECK_EQ(p.ops[1].code, MAPWATCH_FOP_LOAD);
	CHECK_EQ((uint64_t)p.ops[1].imm, (uint64_t)-64);
	CHECK_EQ(p.ops[1].size, 4);
	CHECK_EQ(p.ops[1].flags, MAPWATCH_FOPF_SIGNED);

	context = "constants";
	ret = fetch(EM_X86_64, "-8@$5 -4@$-1 4@$-1 1@$300 8@$-1 -2@$0x8000", 0x401000, &f, &p, vals,
		    &err);
	CHECK(ret == 0);
	CHECK_EQ(vals[0], 5);
	CHECK_EQ(vals[1], (uint64_t)-1);
	CHECK_EQ(vals[2], 0xffffffff);
	CHECK_EQ(vals[3], 300 & 0xff);
	CHECK_EQ(vals[4], UINT64_MAX);
	CHECK_EQ(vals[5], (uint64_t)-32768);
	CHECK_EQ(p.ops[0].code, MAPWATCH_FOP_CONST);

	context = "globals (%rip)";
	/* a*: at glob_va, b*: at glob_va + 0x10 (fetch()) */
	ret = fetch(EM_X86_64, "-8@avar(%rip) -4@8+bvar(%rip) 1@bvar-1(%rip)", 0x401234, &f, &p,
		    vals, &err);
	CHECK(ret == 0);
	CHECK_EQ(vals[0], 0xa7a6a5a4a3a2a1a0ull);
	CHECK_EQ(vals[1], (uint64_t)(int32_t)0xbbbab9b8);
	CHECK_EQ(vals[2], 0xaf);
	CHECK_EQ(p.ops[0].code, MAPWATCH_FOP_PC);
	CHECK_EQ((uint64_t)p.ops[0].imm, 0x404000 - 0x401234ull);

	context = "arm64";
	f.regs[0] = (uint64_t)-7;
	f.regs[1] = 0xffffffff00000009ull;
	f.regs[MAPWATCH_REG_ARM64_SP] = STACK_VA + 0x100;
	ret = fetch(EM_AARCH64, "-8@x0 -4@w1 4@w0 -4@[sp, -64] 8@[sp,#-56] -4@5", 0x401000, &f,
		    &p, vals, &err);
	CHECK(ret == 0);
	CHECK_EQ(vals[0], (uint64_t)-7);
	CHECK_EQ(vals[1], 9);
	CHECK_EQ(vals[2], 0xfffffff9);
	CHECK_EQ(vals[3], (uint64_t)-60);
	CHECK_EQ(vals[4], 0x0123456789abcdefull);
	CHECK_EQ(vals[5], 5);

	context = "untranslatable";
	CHECK(fetch(EM_X86_64, "8@%rdi 8f@%rdx", 0x401000, &f, &p, vals, &err) == -1);
	CHECK_STR(err.msg, "p:n: argument 1 '8f@%rdx': a floating-point argument: not supported "
		  "(fetch programs record integers)");
	CHECK(fetch(EM_X86_64, "-4@(%rdx,%rbx,4)", 0x401000, &f, &p, vals, &err) == -1);
	CHECK_STR(err.msg, "p:n: argument 0 '-4@(%rdx,%rbx,4)': indexed memory (base + index * "
		  "scale): not supported, a fetch program cannot add two registers");
	CHECK(fetch(EM_X86_64, "4@16(,%rax,8)", 0x401000, &f, &p, vals, &err) == -1);
	CHECK_STR(err.msg, "p:n: argument 0 '4@16(,%rax,8)': indexed memory (base + index * "
		  "scale): not supported, a fetch program cannot add two registers");
	CHECK(fetch(EM_X86_64, "4@(%eax)", 0x401000, &f, &p, vals, &err) == -1);
	CHECK_STR(err.msg, "p:n: argument 0 '4@(%eax)': memory at a 32-bit address: not supported");
	CHECK(fetch(EM_X86_64, "8@16(%rip)", 0x401000, &f, &p, vals, &err) == -1);
	CHECK_STR(err.msg, "p:n: argument 0 '8@16(%rip)': an offset from %rip without a symbol: "
		  "its instruction is not known, so neither is the address");
	CHECK(fetch(EM_X86_64, "8@%rdi 3@%rdi", 0x401000, &f, &p, vals, &err) == -1);
	CHECK_STR(err.msg, "p:n: argument 1 '3@%rdi': size 3: " SIZE_RULE);
	/* eleven bases, none shared: 3 ops each; the 11th does not fit in 32 */
	CHECK(fetch(EM_X86_64, "8@(%rax) 8@(%rbx) 8@(%rcx) 8@(%rdx) 8@(%rsi) 8@(%rdi) 8@(%r8) "
		    "8@(%r9) 8@(%r10) 8@(%r11) 8@(%r12)", 0x401000, &f, &p, vals, &err) == -1);
	CHECK_STR(err.msg, "p:n: argument 10 '8@(%r12)': fetch program: too many fetch ops (32 "
		  "operations at most)");
	/* twelve registers and constants fit: 24 ops */
	CHECK(fetch(EM_X86_64, "8@%rax 8@%rbx 8@%rcx 8@%rdx 8@%rsi 8@%rdi 8@%r8 8@%r9 8@%r10 "
		    "8@%r11 1@$1 -1@$-1", 0x401000, &f, &p, vals, &err) == 0);
	CHECK_EQ(p.nr_ops, 24);
	CHECK_EQ(vals[10], 1);
	CHECK_EQ(vals[11], UINT64_MAX);

	context = "hotspot:method__entry: names copied, lengths emitted";
	{
		static const struct usdt_bytes names[] = { { 1, 2, 16 }, { 3, 4, 16 }, { 5, 6, 16 } };
		struct fp_value out[FP_MAX_FIELDS];
		struct usdt_probe pr;
		uint8_t payload[256];
		bool fault;
		size_t n;

		init_fake(&f);
		CHECK(make_probe(&pr, EM_X86_64, "-8@%rax 8@%rdx -4@%ecx 8@%rsi -4@%edi 8@%r8 "
				 "-4@%r9d") == 0);
		f.regs[X(DX)] = STACK_VA + 0x10;
		f.regs[X(SI)] = STACK_VA + 0x20;
		f.regs[X(DI)] = 3;
		f.regs[X(R8)] = STACK_VA + 0x30;
		f.regs[X(R9)] = 0xffffffff00000000ull;	/* r9d 0, garbage above */
		/* rcx: ecx -2 with garbage above; the copy is clamped to max. */
		CHECK(usdt_fetchprog_bytes(&pr, EM_X86_64, names, 3, &p, &err) == 0);
		CHECK(!p.error);
		CHECK_EQ(p.nr_fields, 7);
		n = run_prog(&p, &f, BIAS + 0x401000, payload, &fault);
		CHECK(!fault);
		CHECK(fp_decode(&p, payload, n, out) == 0);
		CHECK_EQ(out[0].u, (uint64_t)-10);
		CHECK(out[1].field->kind == FP_BYTES && out[1].len == 16 && out[1].bytes &&
		      out[1].bytes[0] == 0x10 && out[1].bytes[15] == 0x1f);
		CHECK_EQ(out[2].u, (uint64_t)-2);	/* the true length: the decoder cuts */
		CHECK(out[3].len == 3 && out[3].bytes[0] == 0x20 && out[3].bytes[2] == 0x22);
		CHECK_EQ(out[4].u, 3);
		CHECK(out[5].len == 16);		/* r9 is all the copy sees */
		CHECK_EQ(out[6].u, 0);
		CHECK_STR(out[5].field->name, "arg5");
		free_probe(&pr);

		/* A length argument that does not exist. */
		CHECK(make_probe(&pr, EM_X86_64, "8@%rdx -4@%ecx") == 0);
		{
			static const struct usdt_bytes bad[] = { { 0, 2, 16 } };

			CHECK(usdt_fetchprog_bytes(&pr, EM_X86_64, bad, 1, &p, &err) == -1);
			CHECK(strstr(err.msg, "no length argument 2"));
		}
		free_probe(&pr);
		init_fake(&f);
	}

	context = "a probe with an error";
	{
		struct usdt_probe pr;

		make_probe(&pr, EM_X86_64, "8@%rdi");
		mw_err_set(&pr.error, MW_E_INVAL, "p:n: whatever went wrong");
		CHECK(usdt_fetchprog(&pr, EM_X86_64, &p, &err) == -1);
		CHECK_STR(err.msg, "p:n: whatever went wrong");
		CHECK_EQ(err.code, MW_E_INVAL);
		free_probe(&pr);
	}
}

/* ------------------------------------------------------------------------ */
/* Hand-made ELF files                                                        */

/*
 * The layout: three PT_LOADs (text R+X, read-only with .stapsdt.base, data
 * R+W with .probes and a zero-filled tail), file offsets away from the
 * addresses so that offset != address; then .note.stapsdt (not loaded),
 * .symtab, .strtab, .shstrtab and the section headers.
 */
#define TEXT_VA		0x401000ull
#define TEXT_OFF	0x1000ull
#define TEXT_LEN	0x100ull
#define RO_VA		0x402100ull
#define RO_OFF		0x1100ull
#define RO_LEN		0x10ull
#define DATA_VA		0x603200ull
#define DATA_OFF	0x1200ull
#define DATA_FILESZ	0x20ull
#define DATA_MEMSZ	0x1000ull
#define NOTE_OFF	0x1300ull
#define G_COUNTER	(DATA_VA + 0x8)
#define G_ARR		(DATA_VA + 0x10)

struct elf_opts {
	uint16_t machine;	/* 0: EM_X86_64 */
	uint32_t note_type;	/* 0: SHT_NOTE */
	bool no_base;		/* no .stapsdt.base */
	uint64_t base_va;	/* 0: RO_VA */
};

struct nb {
	unsigned char buf[8192];
	size_t len;
};

static void nb_put(struct nb *nb, const void *p, size_t n)
{
	if (nb->len + n > sizeof(nb->buf)) {
		fprintf(stderr, "usdt_test: note buffer full\n");
		exit(2);
	}
	memcpy(nb->buf + nb->len, p, n);
	nb->len += n;
}

static void nb_pad(struct nb *nb)
{
	static const unsigned char zero[4];

	nb_put(nb, zero, (4 - nb->len % 4) % 4);
}

/* A note as given, padded; DESC of DESCLEN bytes (descsz may say otherwise). */
static void note_raw(struct nb *nb, uint32_t namesz, uint32_t descsz, uint32_t type,
		     const void *name, size_t namelen, const void *desc, size_t desclen)
{
	nb_put(nb, &namesz, 4);
	nb_put(nb, &descsz, 4);
	nb_put(nb, &type, 4);
	nb_put(nb, name, namelen);
	nb_pad(nb);
	nb_put(nb, desc, desclen);
}

/* A well-formed stapsdt note. */
static void note(struct nb *nb, uint64_t pc, uint64_t base, uint64_t sema, const char *prov,
		 const char *name, const char *args)
{
	unsigned char desc[1024];
	size_t n = 0, l;

	memcpy(desc, &pc, 8);
	memcpy(desc + 8, &base, 8);
	memcpy(desc + 16, &sema, 8);
	n = 24;
	l = strlen(prov) + 1;
	memcpy(desc + n, prov, l);
	n += l;
	l = strlen(name) + 1;
	memcpy(desc + n, name, l);
	n += l;
	l = strlen(args) + 1;
	memcpy(desc + n, args, l);
	n += l;
	note_raw(nb, 8, n, USDT_NOTE_TYPE, "stapsdt", 8, desc, n);
	nb_pad(nb);
}

/* The address-carrying part of a desc, for the malformed notes. */
static size_t desc_addrs(unsigned char *desc, uint64_t pc)
{
	uint64_t base = RO_VA, sema = 0;

	memcpy(desc, &pc, 8);
	memcpy(desc + 8, &base, 8);
	memcpy(desc + 16, &sema, 8);
	return 24;
}

struct sym_def {
	const char *name;
	uint64_t value;
	unsigned char type;
	uint16_t shndx;
};

static const struct sym_def syms[] = {
	{ "g_counter", G_COUNTER, STT_OBJECT, 3 },
	{ "g_arr", G_ARR, STT_OBJECT, 3 },
	{ "tls_v", 0x4, STT_TLS, 3 },
	{ "undef_sym", 0, STT_NOTYPE, SHN_UNDEF },
	{ "main", TEXT_VA, STT_FUNC, 1 },
};
#define NR_SYMS	(sizeof(syms) / sizeof(syms[0]))

static const char *const sect_names[] = {
	"", ".text", ".stapsdt.base", ".probes", ".note.stapsdt", ".symtab", ".strtab",
	".shstrtab",
};
#define NR_SECTS	8

/* An ELF image holding NOTES (malloc'd, *LEN bytes). */
static unsigned char *build_elf(const struct nb *notes, const struct elf_opts *o, size_t *len)
{
	size_t symtab, strtab, strtab_len = 1, shstrtab, shstrtab_len = 0, shoff, i, k;
	size_t name_off[NR_SECTS];
	unsigned char *f;
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	Elf64_Shdr *sh;
	Elf64_Sym *sym;

	symtab = (NOTE_OFF + notes->len + 7) & ~7ull;
	for (i = 0; i < NR_SYMS; i++)
		strtab_len += strlen(syms[i].name) + 1;
	strtab = symtab + (NR_SYMS + 1) * sizeof(Elf64_Sym);
	shstrtab = strtab + strtab_len;
	for (i = 0; i < NR_SECTS; i++) {
		name_off[i] = shstrtab_len;
		shstrtab_len += strlen(sect_names[i]) + 1;
	}
	shoff = (shstrtab + shstrtab_len + 7) & ~7ull;
	*len = shoff + NR_SECTS * sizeof(Elf64_Shdr);
	f = calloc(1, *len);
	if (!f)
		exit(2);

	eh = (Elf64_Ehdr *)f;
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_EXEC;
	eh->e_machine = o->machine ? o->machine : EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_entry = TEXT_VA;
	eh->e_phoff = sizeof(Elf64_Ehdr);
	eh->e_shoff = shoff;
	eh->e_ehsize = sizeof(Elf64_Ehdr);
	eh->e_phentsize = sizeof(Elf64_Phdr);
	eh->e_phnum = 3;
	eh->e_shentsize = sizeof(Elf64_Shdr);
	eh->e_shnum = NR_SECTS;
	eh->e_shstrndx = NR_SECTS - 1;

	ph = (Elf64_Phdr *)(f + eh->e_phoff);
	ph[0] = (Elf64_Phdr){ PT_LOAD, PF_R | PF_X, TEXT_OFF, TEXT_VA, TEXT_VA, TEXT_LEN, TEXT_LEN,
			      0x1000 };
	ph[1] = (Elf64_Phdr){ PT_LOAD, PF_R, RO_OFF, RO_VA, RO_VA, RO_LEN, RO_LEN, 0x1000 };
	ph[2] = (Elf64_Phdr){ PT_LOAD, PF_R | PF_W, DATA_OFF, DATA_VA, DATA_VA, DATA_FILESZ,
			      DATA_MEMSZ, 0x1000 };
	memset(f + TEXT_OFF, 0x90, TEXT_LEN);		/* nops */
	memcpy(f + NOTE_OFF, notes->buf, notes->len);

	sym = (Elf64_Sym *)(f + symtab);
	for (i = 0, k = 1; i < NR_SYMS; i++) {
		sym[i + 1].st_name = k;
		sym[i + 1].st_value = syms[i].value;
		sym[i + 1].st_size = 8;
		sym[i + 1].st_info = ELF64_ST_INFO(STB_GLOBAL, syms[i].type);
		sym[i + 1].st_shndx = syms[i].shndx;
		strcpy((char *)f + strtab + k, syms[i].name);
		k += strlen(syms[i].name) + 1;
	}
	for (i = 0; i < NR_SECTS; i++)
		strcpy((char *)f + shstrtab + name_off[i], sect_names[i]);

	sh = (Elf64_Shdr *)(f + shoff);
	for (i = 1; i < NR_SECTS; i++)
		sh[i].sh_name = name_off[i];
	sh[1].sh_type = SHT_PROGBITS;
	sh[1].sh_flags = SHF_ALLOC | SHF_EXECINSTR;
	sh[1].sh_addr = TEXT_VA;
	sh[1].sh_offset = TEXT_OFF;
	sh[1].sh_size = TEXT_LEN;
	sh[2].sh_type = SHT_PROGBITS;
	sh[2].sh_flags = SHF_ALLOC;
	sh[2].sh_addr = o->base_va ? o->base_va : RO_VA;
	sh[2].sh_offset = RO_OFF;
	sh[2].sh_size = 1;
	if (o->no_base)
		sh[2].sh_name = name_off[1] + 1;	/* "text": not .stapsdt.base */
	sh[3].sh_type = SHT_PROGBITS;
	sh[3].sh_flags = SHF_ALLOC | SHF_WRITE;
	sh[3].sh_addr = DATA_VA;
	sh[3].sh_offset = DATA_OFF;
	sh[3].sh_size = 8;
	sh[4].sh_type = o->note_type ? o->note_type : SHT_NOTE;
	sh[4].sh_offset = NOTE_OFF;
	sh[4].sh_size = notes->len;
	sh[4].sh_addralign = 4;
	sh[5].sh_type = SHT_SYMTAB;
	sh[5].sh_offset = symtab;
	sh[5].sh_size = (NR_SYMS + 1) * sizeof(Elf64_Sym);
	sh[5].sh_link = 6;
	sh[5].sh_info = 1;
	sh[5].sh_entsize = sizeof(Elf64_Sym);
	sh[5].sh_addralign = 8;
	sh[6].sh_type = SHT_STRTAB;
	sh[6].sh_offset = strtab;
	sh[6].sh_size = strtab_len;
	sh[7].sh_type = SHT_STRTAB;
	sh[7].sh_offset = shstrtab;
	sh[7].sh_size = shstrtab_len;
	return f;
}

/* Open NOTES in an ELF file; 0 or -1 with ERR. */
static int open_notes(const struct nb *notes, const struct elf_opts *o, struct usdt_file *uf,
		      struct mw_err *err)
{
	size_t len;
	unsigned char *f = build_elf(notes, o, &len);
	int ret;

	err->msg[0] = 0;
	ret = usdt_open_mem(f, len, uf, err);
	free(f);		/* usdt_file keeps nothing of the image */
	return ret;
}

static const struct usdt_probe *find(const struct usdt_file *uf, const char *prov,
				     const char *name)
{
	size_t i;

	for (i = 0; i < uf->nr; i++)
		if (!strcmp(uf->probes[i].provider, prov) && !strcmp(uf->probes[i].name, name))
			return &uf->probes[i];
	return NULL;
}

#define PRELINK	0x1000ull

static void good_notes(struct nb *nb)
{
	unsigned char ver1[32] = { 0 };

	note(nb, TEXT_VA + 0x10, RO_VA, 0, "prov", "regs", "-4@%edi 8@%rsi -1@%dl 2@%cx 8@%r8");
	note(nb, TEXT_VA + 0x20, RO_VA, DATA_VA, "prov", "sema", "-4@-60(%rbp)");
	note(nb, TEXT_VA + 0x21, RO_VA, 0, "prov", "globals",
	     "-8@g_counter(%rip) -4@8+g_arr(%rip)");
	/* prelinked: the notes were written before everything moved up PRELINK */
	note(nb, TEXT_VA + 0x30 - PRELINK, RO_VA - PRELINK, DATA_VA + 2 - PRELINK, "prov",
	     "prelinked", "1@$1");
	note(nb, TEXT_VA + 0x40, RO_VA, 0, "prov", "noargs", "");
	/* another owner's type-3 note, and a version-1 stapsdt note: skipped */
	note_raw(nb, 4, 16, 3, "GNU", 4, ver1, 16);
	note_raw(nb, 8, 32, 1, "stapsdt", 8, ver1, 32);
	note(nb, 0x900000, RO_VA, 0, "bad", "nowhere", "");
	note(nb, DATA_VA + 0x10, RO_VA, 0, "bad", "data", "");
	note(nb, DATA_VA + 0x100, RO_VA, 0, "bad", "bss", "");
	note(nb, TEXT_VA + 0x50, RO_VA, RO_VA + 4, "bad", "semaro", "");
	note(nb, TEXT_VA + 0x50, RO_VA, DATA_VA + 0x100, "bad", "semabss", "");
	note(nb, TEXT_VA + 0x50, RO_VA, DATA_VA + DATA_FILESZ - 1, "bad", "semaend", "");
	note(nb, TEXT_VA + 0x50, RO_VA, 0x10, "bad", "semanowhere", "");
	note(nb, TEXT_VA + 0x50, RO_VA, 0, "bad", "spec", "8@%rdi 3@%rsi");
	note(nb, TEXT_VA + 0x50, RO_VA, 0, "bad", "nosym", "8@nosuch(%rip)");
	note(nb, TEXT_VA + 0x50, RO_VA, 0, "bad", "tls", "4@tls_v(%rip)");
	note(nb, TEXT_VA + 0x50, RO_VA, 0, "bad", "undef", "8@undef_sym(%rip)");
	note(nb, 0x900000, RO_VA, 0, "bad", "twice", "3@%rdi");
}

static void test_elf_good(void)
{
	struct elf_opts o = { 0 };
	const struct usdt_probe *pr;
	struct mw_err err2;
	struct mw_err err;
	struct usdt_file uf;
	struct fprog p;
	struct nb nb;

	context = "hand-made ELF";
	nb.len = 0;
	good_notes(&nb);
	if (open_notes(&nb, &o, &uf, &err)) {
		check(false, __LINE__, "open: %s", err.msg);
		return;
	}
	CHECK(uf.has_notes);
	CHECK(uf.has_base);
	CHECK_EQ(uf.base, RO_VA);
	CHECK_EQ(uf.machine, EM_X86_64);
	CHECK_EQ(uf.nr, 17);

	pr = find(&uf, "prov", "regs");
	CHECK(pr);
	if (pr) {
		CHECK_STR(pr->error.msg, "");
		CHECK_EQ(pr->pc, TEXT_VA + 0x10);
		CHECK_EQ(pr->offset, TEXT_OFF + 0x10);
		CHECK_EQ(pr->sema, 0);
		CHECK_EQ(pr->sema_offset, 0);
		CHECK_EQ(pr->nr_args, 5);
		CHECK_STR(pr->args_str, "-4@%edi 8@%rsi -1@%dl 2@%cx 8@%r8");
		CHECK_STR(pr->args[2].spec, "-1@%dl");
		CHECK_EQ(pr->args[2].reg, X(DX));
		CHECK(usdt_fetchprog(pr, uf.machine, &p, &err2) == 0);
		CHECK_EQ(p.nr_fields, 5);
	}
	pr = find(&uf, "prov", "sema");
	CHECK(pr);
	if (pr) {
		CHECK_STR(pr->error.msg, "");
		CHECK_EQ(pr->offset, TEXT_OFF + 0x20);
		CHECK_EQ(pr->sema, DATA_VA);
		CHECK_EQ(pr->sema_offset, DATA_OFF);
		CHECK_STR(pr->sema_section, ".probes");
	}
	pr = find(&uf, "prov", "globals");
	CHECK(pr);
	if (pr) {
		CHECK_STR(pr->error.msg, "");
		CHECK_EQ(pr->args[0].sym_addr, G_COUNTER);
		CHECK_EQ(pr->args[1].sym_addr, G_ARR);
		CHECK(usdt_fetchprog(pr, uf.machine, &p, &err2) == 0);
		CHECK_EQ(p.ops[0].code, MAPWATCH_FOP_PC);
		CHECK_EQ((uint64_t)p.ops[0].imm, G_COUNTER - (TEXT_VA + 0x21));
		CHECK_EQ(p.ops[3].code, MAPWATCH_FOP_PC);
		CHECK_EQ((uint64_t)p.ops[3].imm, G_ARR + 8 - (TEXT_VA + 0x21));
	}
	pr = find(&uf, "prov", "prelinked");
	CHECK(pr);
	if (pr) {
		CHECK_STR(pr->error.msg, "");
		CHECK_EQ(pr->note_pc, TEXT_VA + 0x30 - PRELINK);
		CHECK_EQ(pr->note_base, RO_VA - PRELINK);
		CHECK_EQ(pr->pc, TEXT_VA + 0x30);
		CHECK_EQ(pr->offset, TEXT_OFF + 0x30);
		CHECK_EQ(pr->sema, DATA_VA + 2);
		CHECK_EQ(pr->sema_offset, DATA_OFF + 2);
	}
	pr = find(&uf, "prov", "noargs");
	CHECK(pr && !pr->nr_args && !pr->error.code && !*pr->args_str);
	if (pr) {
		CHECK(usdt_fetchprog(pr, uf.machine, &p, &err2) == 0);
		CHECK_EQ(p.nr_ops, 0);
	}

#define BAD(name, errc, want) do {						\
	pr = find(&uf, "bad", name);						\
	CHECK(pr);								\
	if (pr) {								\
		CHECK_STR(pr->error.msg, want);					\
		CHECK_EQ(pr->error.code, errc);					\
		CHECK(usdt_fetchprog(pr, uf.machine, &p, &err2) == -1);		\
		CHECK_STR(err2.msg, want);					\
		CHECK_EQ(err2.code, errc);					\
	}									\
} while (0)
	BAD("nowhere", MW_E_CORRUPT, "bad:nowhere: probe address 0x900000 is not in any loadable "
	    "segment (PT_LOAD): a corrupt note, or a wrong .stapsdt.base");
	BAD("data", MW_E_CORRUPT, "bad:data: probe address 0x603210 is in segment 2, which is "
	    "not executable: a corrupt note, or a wrong .stapsdt.base");
	BAD("bss", MW_E_CORRUPT, "bad:bss: probe address 0x603300 is in the zero-filled part of "
	    "segment 2 (no file bytes): a corrupt note or file");
	BAD("semaro", MW_E_CORRUPT, "bad:semaro: semaphore 0x402104 is in segment 1, which is "
	    "not writable data: a corrupt note");
	BAD("semabss", MW_E_CORRUPT, "bad:semabss: semaphore 0x603300 is not in the file bytes "
	    "of segment 2: the kernel counts probe users in a page of the file");
	BAD("semaend", MW_E_CORRUPT, "bad:semaend: semaphore 0x60321f is not in the file bytes "
	    "of segment 2: the kernel counts probe users in a page of the file");
	BAD("semanowhere", MW_E_CORRUPT, "bad:semanowhere: semaphore 0x10 is not in any loadable "
	    "segment (PT_LOAD): a corrupt note, or a wrong .stapsdt.base");
	BAD("spec", MW_E_INVAL, "bad:spec: argument 1 '3@%rsi': size 3: " SIZE_RULE);
	BAD("nosym", MW_E_INVAL, "bad:nosym: argument 0 '8@nosuch(%rip)': symbol nosuch is in "
	    "neither .symtab nor .dynsym (a stripped file?)");
	BAD("tls", MW_E_INVAL, "bad:tls: argument 0 '4@tls_v(%rip)': tls_v is a thread-local "
	    "variable: not supported");
	BAD("undef", MW_E_INVAL, "bad:undef: argument 0 '8@undef_sym(%rip)': symbol undef_sym is "
	    "in neither .symtab nor .dynsym (a stripped file?)");
	/* the first problem is the one told */
	BAD("twice", MW_E_CORRUPT, "bad:twice: probe address 0x900000 is not in any loadable "
	    "segment (PT_LOAD): a corrupt note, or a wrong .stapsdt.base");
	usdt_free(&uf);

	context = "no .stapsdt.base: no adjustment";
	o.no_base = true;
	nb.len = 0;
	note(&nb, TEXT_VA + 0x30, RO_VA - PRELINK, 0, "prov", "p", "");
	CHECK(open_notes(&nb, &o, &uf, &err) == 0);
	CHECK(!uf.has_base);
	CHECK_EQ(uf.nr, 1);
	if (uf.nr)
		CHECK_EQ(uf.probes[0].pc, TEXT_VA + 0x30);
	usdt_free(&uf);
	o.no_base = false;

	context = "the last note without its padding";
	nb.len = 0;
	note(&nb, TEXT_VA + 0x30, RO_VA, 0, "prov", "p", "8@%rdi");
	nb.len -= 1;		/* a 38-byte description: 2 bytes of padding, 1 left */
	CHECK(open_notes(&nb, &o, &uf, &err) == 0);
	CHECK_EQ(uf.nr, 1);
	usdt_free(&uf);

	context = "no notes";
	nb.len = 0;
	CHECK(open_notes(&nb, &o, &uf, &err) == 0);
	CHECK(uf.has_notes);
	CHECK_EQ(uf.nr, 0);
	usdt_free(&uf);

	context = "arm64";
	o.machine = EM_AARCH64;
	nb.len = 0;
	note(&nb, TEXT_VA + 0x10, RO_VA, 0, "prov", "a", "-4@x0 8@[sp, 8] -4@[x29, -4] 8@5");
	CHECK(open_notes(&nb, &o, &uf, &err) == 0);
	CHECK_EQ(uf.machine, EM_AARCH64);
	CHECK_EQ(uf.nr, 1);
	if (uf.nr) {
		CHECK_STR(uf.probes[0].error.msg, "");
		CHECK_EQ(uf.probes[0].nr_args, 4);
		CHECK(usdt_fetchprog(&uf.probes[0], uf.machine, &p, &err2) == 0);
		CHECK_EQ(p.nr_fields, 4);
	}
	usdt_free(&uf);
}

struct bad_file {
	const char *what;
	const char *err;
};

static void expect_file_err(const struct nb *nb, const struct elf_opts *o, const char *what,
			    const char *want)
{
	struct mw_err err;
	struct usdt_file uf;

	context = what;
	CHECK(open_notes(nb, o, &uf, &err) == -1);
	CHECK_STR(err.msg, want);
	CHECK_EQ(err.code, MW_E_CORRUPT);
	CHECK(!uf.nr && !uf.probes);
}

static void test_elf_bad(void)
{
	struct elf_opts o = { 0 };
	unsigned char desc[256];
	struct mw_err err;
	struct usdt_file uf;
	struct nb nb;
	size_t n;

	/* a good note first: the bad one is note 1 at offset 0x38 */
	nb.len = 0;
	note(&nb, TEXT_VA, RO_VA, 0, "p", "n", "8@%rdi");
	CHECK_EQ(nb.len, 0x38);
	nb_put(&nb, "\x08\0\0\0\x10\0\0\0", 8);
	expect_file_err(&nb, &o, "truncated header", ".note.stapsdt: note 1 at offset 0x38: "
			"truncated: 8 bytes left, a note header is 12");

	nb.len = 0;
	note(&nb, TEXT_VA, RO_VA, 0, "p", "n", "8@%rdi");
	note_raw(&nb, 0xffffffff, 24, 3, "stapsdt", 8, desc, 0);
	expect_file_err(&nb, &o, "namesz", ".note.stapsdt: note 1 at offset 0x38: name size "
			"4294967295 runs past the end of the section (0x4c bytes)");

	nb.len = 0;
	n = desc_addrs(desc, TEXT_VA);
	memcpy(desc + n, "p\0n\0\0", 5);
	note_raw(&nb, 8, 1000, 3, "stapsdt", 8, desc, n + 5);
	expect_file_err(&nb, &o, "descsz", ".note.stapsdt: note 0 at offset 0x0: description size "
			"1000 runs past the end of the section (0x31 bytes)");

	nb.len = 0;
	note_raw(&nb, 6, 0, 3, "stapsd", 6, desc, 0);	/* name padding runs off the end */
	nb.len = 12 + 6;
	expect_file_err(&nb, &o, "padding", ".note.stapsdt: note 0 at offset 0x0: description size "
			"0 runs past the end of the section (0x12 bytes)");

	nb.len = 0;
	note_raw(&nb, 8, 20, 3, "stapsdt", 8, desc, 20);
	expect_file_err(&nb, &o, "short desc", ".note.stapsdt: note 0 at offset 0x0: description "
			"of 20 bytes, shorter than its three 8-byte addresses");

	nb.len = 0;
	n = desc_addrs(desc, TEXT_VA);
	note_raw(&nb, 8, n, 3, "stapsdt", 8, desc, n);
	expect_file_err(&nb, &o, "no strings", ".note.stapsdt: note 0 at offset 0x0: provider name "
			"missing (the note ends before it)");

	nb.len = 0;
	memcpy(desc + n, "prov", 4);
	note_raw(&nb, 8, n + 4, 3, "stapsdt", 8, desc, n + 4);
	nb_put(&nb, "\0\0\0\0", 4);	/* NULs after the note do not count */
	expect_file_err(&nb, &o, "provider NUL", ".note.stapsdt: note 0 at offset 0x0: provider "
			"name not NUL-terminated inside the note");

	nb.len = 0;
	memcpy(desc + n, "prov\0name", 9);
	note_raw(&nb, 8, n + 9, 3, "stapsdt", 8, desc, n + 9);
	nb_put(&nb, "\0\0\0\0", 4);
	expect_file_err(&nb, &o, "name NUL", ".note.stapsdt: note 0 at offset 0x0: probe name not "
			"NUL-terminated inside the note");

	nb.len = 0;
	memcpy(desc + n, "prov\0name\0", 10);
	note_raw(&nb, 8, n + 10, 3, "stapsdt", 8, desc, n + 10);
	nb_put(&nb, "\0\0\0\0", 4);
	expect_file_err(&nb, &o, "args missing", ".note.stapsdt: note 0 at offset 0x0: argument "
			"string missing (the note ends before it)");

	nb.len = 0;
	memcpy(desc + n, "prov\0name\08@%rdi", 16);
	note_raw(&nb, 8, n + 16, 3, "stapsdt", 8, desc, n + 16);
	nb_put(&nb, "\0\0\0\0", 4);
	expect_file_err(&nb, &o, "args NUL", ".note.stapsdt: note 0 at offset 0x0: argument string "
			"not NUL-terminated inside the note");

	nb.len = 0;
	memcpy(desc + n, "\0name\0\0", 7);
	note_raw(&nb, 8, n + 7, 3, "stapsdt", 8, desc, n + 7);
	expect_file_err(&nb, &o, "empty provider", ".note.stapsdt: note 0 at offset 0x0: empty "
			"provider name");

	nb.len = 0;
	memcpy(desc + n, "prov\0\0\0", 7);
	note_raw(&nb, 8, n + 7, 3, "stapsdt", 8, desc, n + 7);
	expect_file_err(&nb, &o, "empty name", ".note.stapsdt: note 0 at offset 0x0: empty probe "
			"name");

	nb.len = 0;
	memcpy(desc + n, "pr\x01v\0name\0\0", 11);
	note_raw(&nb, 8, n + 11, 3, "stapsdt", 8, desc, n + 11);
	expect_file_err(&nb, &o, "control byte", ".note.stapsdt: note 0 at offset 0x0: provider "
			"name has a non-printable byte");

	nb.len = 0;
	memcpy(desc + n, "prov\0na me\0\0", 12);
	note_raw(&nb, 8, n + 12, 3, "stapsdt", 8, desc, n + 12);
	expect_file_err(&nb, &o, "space in name", ".note.stapsdt: note 0 at offset 0x0: probe name "
			"has a non-printable byte");

	nb.len = 0;
	memcpy(desc + n, "prov\0name\08@%rdi\xff\0", 18);
	note_raw(&nb, 8, n + 18, 3, "stapsdt", 8, desc, n + 18);
	expect_file_err(&nb, &o, "byte 0xff in args", ".note.stapsdt: note 0 at offset 0x0: "
			"argument string has a non-printable byte");

	nb.len = 0;
	memcpy(desc + n, "prov\0name\0\0", 11);
	note_raw(&nb, 7, n + 11, 3, "stapsdt", 7, desc, n + 11);
	expect_file_err(&nb, &o, "note name NUL", ".note.stapsdt: note 0 at offset 0x0: name "
			"\"stapsdt\" is not NUL-terminated (name size 7)");

	nb.len = 0;
	note(&nb, TEXT_VA, RO_VA, 0, "p", "n", "");
	o.note_type = SHT_PROGBITS;
	expect_file_err(&nb, &o, "section type", "section .note.stapsdt has type 1, not SHT_NOTE "
			"(7)");
	o.note_type = SHT_NOBITS;
	expect_file_err(&nb, &o, "section type", "section .note.stapsdt has type 8, not SHT_NOTE "
			"(7)");
	o.note_type = 0;

	context = "not ELF";
	{
		char junk[64] = "this is not an ELF file at all, just some text";

		CHECK(usdt_open_mem(junk, sizeof(junk), &uf, &err) == -1);
		CHECK_STR(err.msg, "not an ELF file");
		CHECK(usdt_open("/nonexistent/libjvm.so", &uf, &err) == -1);
		CHECK_STR(err.msg, "cannot open /nonexistent/libjvm.so: No such file or directory");
	}
}

/* ------------------------------------------------------------------------ */
/* readelf -n as the oracle                                                    */

struct oracle {
	char provider[128], name[128], args[1024];
	unsigned long long pc, base, sema;
};

/* Every stapsdt note readelf -n shows, in order; -1 when readelf cannot run. */
static int readelf_notes(const char *path, struct oracle **out, size_t *nr)
{
	char cmd[4200], line[2048];
	struct oracle *o = NULL, *cur = NULL;
	size_t cap = 0;
	FILE *f;

	*out = NULL;
	*nr = 0;
	snprintf(cmd, sizeof(cmd), "LC_ALL=C readelf -n --wide '%s' 2>/dev/null", path);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *s = line + strspn(line, " "), *nl = strchr(s, '\n');

		if (nl)
			*nl = 0;
		/* --wide: "stapsdt  0x00000046\tNT_STAPSDT (...)\t    Provider: tprov" */
		if (strstr(s, "Provider: ")) {
			s = strstr(s, "Provider: ");
			if (*nr == cap) {
				cap = cap ? cap * 2 : 64;
				o = realloc(o, cap * sizeof(*o));
				if (!o)
					exit(2);
			}
			cur = &o[(*nr)++];
			memset(cur, 0, sizeof(*cur));
			snprintf(cur->provider, sizeof(cur->provider), "%s", s + 10);
		} else if (cur && !strncmp(s, "Name: ", 6)) {
			snprintf(cur->name, sizeof(cur->name), "%s", s + 6);
		} else if (cur && !strncmp(s, "Location: ", 10)) {
			sscanf(s, "Location: %llx, Base: %llx, Semaphore: %llx", &cur->pc,
			       &cur->base, &cur->sema);
		} else if (cur && !strncmp(s, "Arguments:", 10)) {
			snprintf(cur->args, sizeof(cur->args), "%s",
				 s[10] == ' ' ? s + 11 : s + 10);
		}
	}
	if (pclose(f)) {
		free(o);
		*nr = 0;
		return -1;
	}
	*out = o;
	return 0;
}

static bool have_readelf(void)
{
	return system("readelf --version >/dev/null 2>&1") == 0;
}

/* The file's bytes (malloc'd), or NULL. */
static unsigned char *slurp(const char *path, size_t *len)
{
	unsigned char *buf = NULL;
	struct stat st;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return NULL;
	if (!fstat(fd, &st) && (buf = malloc(st.st_size + 1)) &&
	    read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	*len = buf ? (size_t)st.st_size : 0;
	return buf;
}

/*
 * PATH's probes as usdt_open() reads them, against readelf -n: names,
 * note addresses, argument strings; each file offset on a nop; each
 * semaphore's file offset through the section headers.  0 or -1.
 */
static int compare_with_readelf(const char *path, struct usdt_file *uf)
{
	struct oracle *o;
	struct mw_err err;
	struct elfbin eb;
	unsigned char *bytes;
	size_t i, n, len;
	int before = failed;

	memset(uf, 0, sizeof(*uf));
	if (readelf_notes(path, &o, &n)) {
		check(false, __LINE__, "readelf -n %s failed", path);
		return -1;
	}
	if (usdt_open(path, uf, &err)) {
		check(false, __LINE__, "usdt_open %s: %s", path, err.msg);
		free(o);
		return -1;
	}
	CHECK_EQ(uf->nr, n);
	bytes = slurp(path, &len);
	CHECK(bytes);
	if (elfbin_open(&eb, path, &err)) {
		check(false, __LINE__, "elfbin_open %s: %s", path, err.msg);
		free(bytes);
		free(o);
		return -1;
	}
	for (i = 0; i < n && i < uf->nr; i++) {
		const struct usdt_probe *pr = &uf->probes[i];
		unsigned char nop = uf->machine == EM_X86_64 ? 0x90 : 0x1f;

		CHECK_STR(pr->provider, o[i].provider);
		CHECK_STR(pr->name, o[i].name);
		CHECK_EQ(pr->note_pc, o[i].pc);
		CHECK_EQ(pr->note_base, o[i].base);
		CHECK_EQ(pr->note_sema, o[i].sema);
		CHECK_STR(pr->args_str, o[i].args);
		CHECK_STR(pr->error.msg, "");
		if (bytes && pr->offset < len)
			check(bytes[pr->offset] == nop, __LINE__, "%s:%s: byte 0x%02x at file "
			      "offset 0x%llx, not a nop", pr->provider, pr->name,
			      bytes[pr->offset], (unsigned long long)pr->offset);
		else
			check(false, __LINE__, "%s:%s: offset 0x%llx past the file", pr->provider,
			      pr->name, (unsigned long long)pr->offset);
		if (pr->sema) {
			const struct elfbin_sect *s = elfbin_section(&eb, ".probes");

			CHECK(s);
			if (s)
				CHECK_EQ(pr->sema_offset, pr->sema - s->addr + s->offset);
			CHECK_STR(pr->sema_section, ".probes");
		}
	}
	elfbin_close(&eb);
	free(bytes);
	free(o);
	return failed == before ? 0 : -1;
}

/* ------------------------------------------------------------------------ */
/* Programs built with gcc and <sys/sdt.h>                                    */

/* Each probe's name ends with its number of arguments. */
static const char sdt_src[] =
	"#include <sys/sdt.h>\n"
	"#include <stdint.h>\n"
	"long g_counter = 7;\n"
	"int g_arr[4] = { 1, 2, 3, 4 };\n"
	"static int counter;\n"
	"__attribute__((noinline)) int regs(int a, long b, signed char c, unsigned short d,\n"
	"				   uint64_t e)\n"
	"{\n"
	"	volatile int loc = a * 3;\n"
	"	STAP_PROBE5(tprov, regs5, a, b, c, d, e);\n"
	"	STAP_PROBE2(tprov, consts2, 5, -1);\n"
	"	STAP_PROBE2(tprov, globals2, g_counter, g_arr[2]);\n"
	"	STAP_PROBE1(tprov, stack1, loc);\n"
	"	STAP_PROBE(tprov, noargs0);\n"
	"	counter += a;\n"
	"	STAP_PROBE1(tprov, static1, counter);\n"
	"	return loc;\n"
	"}\n"
	"__attribute__((noinline)) int many(long a, long b, long c, long d, long e, long f,\n"
	"				   int *p)\n"
	"{\n"
	"	STAP_PROBE12(tprov, twelve12, a, b, c, d, e, f, p[0], p[1], (short)p[2],\n"
	"		     (signed char)p[3], (unsigned char)a, counter);\n"
	"	return 0;\n"
	"}\n"
	"__attribute__((noinline)) double flt(double d)\n"
	"{\n"
	"	STAP_PROBE1(tprov, flt1, d);\n"
	"	return d * 2;\n"
	"}\n";

static const char sema_src[] =
	"#define _SDT_HAS_SEMAPHORES 1\n"
	"#include <sys/sdt.h>\n"
	"unsigned short tprov_sema1_semaphore __attribute__((unused, section(\".probes\")));\n"
	"unsigned short tprov_sema0_semaphore __attribute__((unused, section(\".probes\")));\n"
	"__attribute__((noinline)) int sema(int a)\n"
	"{\n"
	"	if (tprov_sema1_semaphore)\n"
	"		STAP_PROBE1(tprov, sema1, a);\n"
	"	if (tprov_sema0_semaphore)\n"
	"		STAP_PROBE(tprov, sema0);\n"
	"	return a;\n"
	"}\n";

static const char main_src[] =
	"int regs(int, long, signed char, unsigned short, unsigned long);\n"
	"int many(long, long, long, long, long, long, int *);\n"
	"double flt(double);\n"
	"int sema(int);\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"	int v[4] = { argc, 2, 3, 4 };\n"
	"	(void)argv;\n"
	"	return regs(argc, 2, 3, 4, 5) + many(1, 2, 3, 4, 5, 6, v) + (int)flt(argc) +\n"
	"	       sema(argc);\n"
	"}\n";

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

static void check_built(const char *what, const char *path)
{
	struct usdt_file uf;
	size_t i, nr_sema = 0;

	context = what;
	if (compare_with_readelf(path, &uf)) {
		usdt_free(&uf);
		return;
	}
	CHECK_EQ(uf.nr, 10);
	for (i = 0; i < uf.nr; i++) {
		const struct usdt_probe *pr = &uf.probes[i];
		struct mw_err err;
		struct fprog p;
		size_t l = strlen(pr->name);
		unsigned int want = pr->name[l - 1] - '0';
		int ret;

		if (l > 2 && pr->name[l - 2] == '1')
			want += 10;
		check(pr->nr_args == want, __LINE__, "%s: %u arguments, expected %u", pr->name,
		      pr->nr_args, want);
		if (pr->sema) {
			nr_sema++;
			check(pr->sema_offset != 0, __LINE__, "%s: no semaphore offset", pr->name);
		}
		ret = usdt_fetchprog(pr, uf.machine, &p, &err);
		if (!strcmp(pr->name, "flt1")) {
			CHECK(ret == -1);
			CHECK(strstr(err.msg, "a floating-point argument: not supported"));
		} else {
			check(ret == 0, __LINE__, "%s: %s", pr->name, err.msg);
			if (!ret)
				CHECK_EQ(p.nr_fields, pr->nr_args);
		}
	}
	CHECK_EQ(nr_sema, 2);
	usdt_free(&uf);
}

static void test_gcc(const char *dir)
{
	static const struct {
		const char *name, *flags;
		bool lib;
	} builds[] = {
		{ "pie-O0", "-O0", false },
		{ "pie-O2", "-O2", false },
		{ "nopie-O2", "-O2 -no-pie", false },
		{ "lib-O2.so", "-O2 -fPIC -shared", true },
	};
	char path[4][512], cmd[4096];
	size_t i;

	snprintf(path[0], sizeof(path[0]), "%s/sdt.c", dir);
	snprintf(path[1], sizeof(path[1]), "%s/sema.c", dir);
	snprintf(path[2], sizeof(path[2]), "%s/main.c", dir);
	if (write_file(path[0], sdt_src) || write_file(path[1], sema_src) ||
	    write_file(path[2], main_src)) {
		check(false, __LINE__, "cannot write sources in %s: %s", dir, strerror(errno));
		return;
	}
	snprintf(cmd, sizeof(cmd), "gcc -fsyntax-only '%s' 2>/dev/null", path[0]);
	if (system(cmd)) {
		skip("programs built with <sys/sdt.h>", "gcc cannot compile with <sys/sdt.h> "
		     "(apt-get install gcc systemtap-sdt-dev)");
		return;
	}
	if (!have_readelf()) {
		skip("programs built with <sys/sdt.h>", "no readelf (apt-get install binutils)");
		return;
	}
	for (i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
		snprintf(path[3], sizeof(path[3]), "%s/%s", dir, builds[i].name);
		snprintf(cmd, sizeof(cmd), "gcc %s -o '%s' '%s/sdt.c' '%s/sema.c' %s%s%s",
			 builds[i].flags, path[3], dir, dir, builds[i].lib ? "" : "'",
			 builds[i].lib ? "" : path[2], builds[i].lib ? "" : "'");
		if (system(cmd)) {
			check(false, __LINE__, "%s failed", cmd);
			continue;
		}
		check_built(builds[i].name, path[3]);
	}
}

/* ------------------------------------------------------------------------ */
/* OpenJDK 17's libjvm.so                                                     */

static void test_libjvm(void)
{
	const struct usdt_probe *pr;
	struct mw_err err;
	struct usdt_file uf;
	struct fprog p;
	size_t i, bad = 0;

	context = "libjvm.so";
	if (access(LIBJVM, R_OK)) {
		skip("libjvm.so", LIBJVM " is not installed (apt-get install "
		     "openjdk-17-jre-headless)");
		return;
	}
	if (!have_readelf()) {
		skip("libjvm.so", "no readelf (apt-get install binutils)");
		return;
	}
	if (compare_with_readelf(LIBJVM, &uf)) {
		usdt_free(&uf);
		return;
	}
	CHECK(uf.nr > 500);
	CHECK(uf.has_base);
	pr = find(&uf, "hotspot", "gc__begin");
	CHECK(pr);
	if (pr) {
		CHECK_EQ(pr->nr_args, 1);
		CHECK_STR(pr->args_str, "1@%dil");
		CHECK_EQ(pr->args[0].kind, USDT_ARG_REG);
		CHECK_EQ(pr->args[0].reg, X(DI));
		CHECK_EQ(pr->args[0].reg_bytes, 1);
		CHECK_EQ(pr->args[0].size, 1);
		CHECK(!pr->args[0].is_signed);
		CHECK_EQ(pr->sema, 0);
		CHECK(usdt_fetchprog(pr, uf.machine, &p, &err) == 0);
		CHECK_EQ(p.nr_ops, 2);
		CHECK_EQ(p.ops[0].code, MAPWATCH_FOP_REG);
		CHECK_EQ(p.ops[0].src, X(DI));
		CHECK_EQ(p.ops[1].size, 1);
		CHECK_STR(p.fields[0].name, "arg0");
		CHECK_EQ(p.fields[0].kind, FP_UINT);
	}
	pr = find(&uf, "hotspot", "gc__end");
	CHECK(pr && pr->nr_args == 0);
	pr = find(&uf, "hotspot", "method__entry");
	CHECK(pr);
	if (pr) {
		static const char *const specs[7] = {
			"-8@%rax", "8@%rdx", "-4@%ecx", "8@%rsi", "-4@%edi", "8@%r8", "-4@%r9d",
		};
		static const uint8_t regs[7] = {
			X(AX), X(DX), X(CX), X(SI), X(DI), X(R8), X(R9),
		};

		CHECK_EQ(pr->nr_args, 7);
		for (i = 0; i < 7 && i < pr->nr_args; i++) {
			CHECK_STR(pr->args[i].spec, specs[i]);
			CHECK_EQ(pr->args[i].kind, USDT_ARG_REG);
			CHECK_EQ(pr->args[i].reg, regs[i]);
			CHECK_EQ(pr->args[i].is_signed, specs[i][0] == '-');
		}
		CHECK(usdt_fetchprog(pr, uf.machine, &p, &err) == 0);
		CHECK_EQ(p.nr_fields, 7);
		CHECK_EQ(p.fields[2].kind, FP_INT);
		CHECK_EQ(p.fields[2].size, 4);
	}
	pr = find(&uf, "hotspot", "thread__start");
	CHECK(pr);
	if (pr) {
		CHECK_EQ(pr->nr_args, 5);
		CHECK_EQ(pr->args[1].kind, USDT_ARG_MEM);
		CHECK_EQ(pr->args[1].reg, X(BP));
		CHECK_EQ(pr->args[1].value, -60);
		CHECK(usdt_fetchprog(pr, uf.machine, &p, &err) == 0);
	}
	for (i = 0; i < uf.nr; i++) {
		if (usdt_fetchprog(&uf.probes[i], uf.machine, &p, &err)) {
			printf("libjvm.so: %s\n", err.msg);
			bad++;
		}
	}
	check(bad == 0, __LINE__, "%zu of libjvm.so's %zu probes do not translate", bad, uf.nr);
	printf("libjvm.so: %zu probes, all placed and translated\n", uf.nr);
	usdt_free(&uf);
}

/* ------------------------------------------------------------------------ */
/* mapwatchctl usdt                                                           */

static char *run_out(const char *cmd)
{
	size_t len = 0, cap = 4096;
	char *buf = malloc(cap);
	FILE *f = popen(cmd, "r");
	size_t n;

	if (!buf || !f)
		exit(2);
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			if (!buf)
				exit(2);
		}
	}
	buf[len] = 0;
	if (pclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static void test_cli(const char *ctl, const char *dir)
{
	char path[512], cmd[2048], want[4096];
	struct elf_opts o = { 0 };
	unsigned char *f;
	json_object *j, *probes, *pr, *v;
	size_t len;
	struct nb nb;
	char *out;
	FILE *fp;

	context = "mapwatchctl usdt";
	if (!ctl) {
		skip("mapwatchctl usdt", "no mapwatchctl given (usdt_test tools/mapwatchctl)");
		return;
	}
	nb.len = 0;
	note(&nb, TEXT_VA + 0x10, RO_VA, 0, "prov", "regs", "-4@%edi 8@%rsi -1@-60(%rbp) 1@$0");
	note(&nb, TEXT_VA + 0x20, RO_VA, DATA_VA, "prov", "sema", "8@g_counter(%rip)");
	note(&nb, TEXT_VA + 0x30, RO_VA, 0, "other", "flt", "8f@%rdx");
	note(&nb, 0x900000, RO_VA, 0, "other", "bad", "8@%rdi");
	f = build_elf(&nb, &o, &len);
	snprintf(path, sizeof(path), "%s/hand.elf", dir);
	fp = fopen(path, "w");
	CHECK(fp && fwrite(f, 1, len, fp) == len && !fclose(fp));
	free(f);

	snprintf(cmd, sizeof(cmd), "'%s' usdt '%s' 2>/dev/null", ctl, path);
	out = run_out(cmd);
	CHECK(out);
	if (out) {
		snprintf(want, sizeof(want),
			 "usdt:%1$s:prov:regs\n"
			 "    address 0x401010  file offset 0x1010  semaphore none\n"
			 "    arg0  s32  -4@%%edi            rdi, low 4 bytes\n"
			 "    arg1  u64  8@%%rsi             rsi\n"
			 "    arg2  s8   -1@-60(%%rbp)       memory at rbp-60\n"
			 "    arg3  u8   1@$0               constant 0\n"
			 "usdt:%1$s:prov:sema\n"
			 "    address 0x401020  file offset 0x1020  semaphore 0x603200 (file "
			 "offset 0x1200, .probes)\n"
			 "    arg0  u64  8@g_counter(%%rip)  memory at g_counter (0x603208)\n"
			 "usdt:%1$s:other:flt\n"
			 "    address 0x401030  file offset 0x1030  semaphore none\n"
			 "    arg0  f64  8f@%%rdx            rdx\n"
			 "    error: other:flt: argument 0 '8f@%%rdx': a floating-point argument: "
			 "not supported (fetch programs record integers)\n"
			 "usdt:%1$s:other:bad\n"
			 "    address 0x900000  error: other:bad: probe address 0x900000 is not in "
			 "any loadable segment (PT_LOAD): a corrupt note, or a wrong "
			 ".stapsdt.base\n",
			 path);
		CHECK_STR(out, want);
		free(out);
	}
	snprintf(cmd, sizeof(cmd), "'%s' usdt '%s' 'prov:s*' 2>/dev/null", ctl, path);
	out = run_out(cmd);
	CHECK(out && !strncmp(out, "usdt:", 5) && strstr(out, ":prov:sema\n") &&
	      !strstr(out, ":prov:regs"));
	free(out);

	snprintf(cmd, sizeof(cmd), "'%s' -j usdt '%s'", ctl, path);
	out = run_out(cmd);
	CHECK(out);
	j = out ? json_tokener_parse(out) : NULL;
	CHECK(j);
	if (j && json_object_object_get_ex(j, "probes", &probes)) {
		CHECK_EQ(json_object_array_length(probes), 4);
		pr = json_object_array_get_idx(probes, 1);
		CHECK(json_object_object_get_ex(pr, "file_offset", &v) &&
		      !strcmp(json_object_get_string(v), "0x1020"));
		CHECK(json_object_object_get_ex(pr, "semaphore", &v) &&
		      json_object_object_get_ex(v, "file_offset", &v) &&
		      !strcmp(json_object_get_string(v), "0x1200"));
		CHECK(json_object_object_get_ex(pr, "fetch_ops", &v) &&
		      json_object_get_int(v) == 3);
		pr = json_object_array_get_idx(probes, 3);
		CHECK(json_object_object_get_ex(pr, "error", &v) && json_object_get_string(v) &&
		      strstr(json_object_get_string(v), "not in any loadable segment"));
		CHECK(json_object_object_get_ex(pr, "file_offset", &v) && !v);
	} else {
		check(false, __LINE__, "no probes array in: %s", out ? out : "(nothing)");
	}
	json_object_put(j);
	free(out);

	snprintf(cmd, sizeof(cmd), "'%s' -j usdt /nonexistent/file", ctl);
	out = run_out(cmd);
	CHECK(!out);	/* exits 1 */
	snprintf(cmd, sizeof(cmd), "'%s' -j usdt /nonexistent/file; true", ctl);
	out = run_out(cmd);
	CHECK(out && strstr(out, "{\"error\":\"/nonexistent/file: cannot open"));
	free(out);
	snprintf(cmd, sizeof(cmd), "'%s' usdt '%s' 2>&1 >/dev/null", ctl, path);
	out = run_out(cmd);
	snprintf(want, sizeof(want), "%s: 4 probes, 4 shown, 2 with an error\n", path);
	CHECK_STR(out, want);
	free(out);
	if (!access(LIBJVM, R_OK)) {
		snprintf(cmd, sizeof(cmd), "'%s' usdt " LIBJVM " hotspot:gc__begin 2>/dev/null",
			 ctl);
		out = run_out(cmd);
		/* the addresses are the build's: readelf's were compared above */
#define GC_BEGIN_HEAD	"usdt:" LIBJVM ":hotspot:gc__begin\n    address 0x"
		CHECK(out && !strncmp(out, GC_BEGIN_HEAD, strlen(GC_BEGIN_HEAD)));
		CHECK(out && strstr(out, "  semaphore none\n"
				    "    arg0  u8   1@%dil             rdi, low byte\n"));
		free(out);
	}
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int main(int argc, char **argv)
{
	char dir[] = "/tmp/usdt_test.XXXXXX";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 2;
	}
	test_specs();
	test_fetch();
	test_elf_good();
	test_elf_bad();
	test_gcc(dir);
	test_libjvm();
	test_cli(argc > 1 ? argv[1] : NULL, dir);
	if (nftw(dir, rm_one, 8, FTW_DEPTH | FTW_PHYS))
		fprintf(stderr, "usdt_test: could not remove %s: %s\n", dir, strerror(errno));
	printf("usdt_test: %d passed, %d failed, %d skipped\n", passed, failed, skipped);
	/* Under make check (MAPWATCH_SELFTEST_STRICT=1) a skip is a failure. */
	if (skipped && getenv("MAPWATCH_SELFTEST_STRICT") &&
	    !strcmp(getenv("MAPWATCH_SELFTEST_STRICT"), "1")) {
		printf("usdt_test: MAPWATCH_SELFTEST_STRICT=1: %d skipped checks fail the run\n",
		       skipped);
		return 1;
	}
	return failed ? 1 : 0;
}
