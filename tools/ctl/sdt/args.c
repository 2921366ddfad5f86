// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/sdt/args.c - SDT argument specs ("-4@%edi", "8@-8(%rbp)",
 * "-4@[sp, 12]"): the registers of x86-64 and arm64 by name, the specs
 * parsed into struct usdt_arg, and described for people.  The notes that
 * carry them are read by notes.c.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdt/internal.h"
#include "sdt/notes.h"

void usdt_probe_err(struct usdt_probe *pr, enum mw_errc code, const char *fmt, ...)
{
	struct mw_err *e = &pr->error;
	size_t n;
	va_list ap;

	if (e->code)
		return;
	e->code = code;
	e->errnum = 0;
	n = snprintf(e->msg, sizeof(e->msg), "%.64s:%.64s: ", pr->provider, pr->name);
	if (n >= sizeof(e->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(e->msg + n, sizeof(e->msg) - n, fmt, ap);
	va_end(ap);
}


/* ------------------------------------------------------------------------ */
/* Registers                                                                  */

struct reg_name {
	const char *name;
	uint8_t reg;		/* MAPWATCH_REG_X86_* */
	uint8_t bytes;
};

#define X86_REG4(q, d, w, b, r) \
	{ q, MAPWATCH_REG_X86_##r, 8 }, { d, MAPWATCH_REG_X86_##r, 4 }, \
	{ w, MAPWATCH_REG_X86_##r, 2 }, { b, MAPWATCH_REG_X86_##r, 1 }

static const struct reg_name x86_regs[] = {
	X86_REG4("rax", "eax", "ax", "al", AX),
	X86_REG4("rbx", "ebx", "bx", "bl", BX),
	X86_REG4("rcx", "ecx", "cx", "cl", CX),
	X86_REG4("rdx", "edx", "dx", "dl", DX),
	X86_REG4("rsi", "esi", "si", "sil", SI),
	X86_REG4("rdi", "edi", "di", "dil", DI),
	X86_REG4("rbp", "ebp", "bp", "bpl", BP),
	X86_REG4("rsp", "esp", "sp", "spl", SP),
	X86_REG4("r8", "r8d", "r8w", "r8b", R8),
	X86_REG4("r9", "r9d", "r9w", "r9b", R9),
	X86_REG4("r10", "r10d", "r10w", "r10b", R10),
	X86_REG4("r11", "r11d", "r11w", "r11b", R11),
	X86_REG4("r12", "r12d", "r12w", "r12b", R12),
	X86_REG4("r13", "r13d", "r13w", "r13b", R13),
	X86_REG4("r14", "r14d", "r14w", "r14b", R14),
	X86_REG4("r15", "r15d", "r15w", "r15b", R15),
	{ "rip", MAPWATCH_REG_X86_IP, 8 },
};

/* By MAPWATCH_REG_X86_*. */
static const char *const x86_full[MAPWATCH_REG_X86_NR] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp",
	"r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15", "rip",
};

const char *usdt_reg_name(uint16_t machine, int reg)
{
	static const char *const arm64[MAPWATCH_REG_ARM64_NR] = {
		"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10",
		"x11", "x12", "x13", "x14", "x15", "x16", "x17", "x18", "x19", "x20",
		"x21", "x22", "x23", "x24", "x25", "x26", "x27", "x28", "x29", "x30",
		"sp", "pc",
	};

	if (reg < 0)
		return "?";
	if (machine == EM_AARCH64)
		return reg < MAPWATCH_REG_ARM64_NR ? arm64[reg] : "?";
	return reg < MAPWATCH_REG_X86_NR ? x86_full[reg] : "?";
}

const char *usdt_arg_name(unsigned int i)
{
	static const char *const names[USDT_MAX_ARGS] = {
		"arg0", "arg1", "arg2", "arg3", "arg4", "arg5",
		"arg6", "arg7", "arg8", "arg9", "arg10", "arg11",
	};

	return i < USDT_MAX_ARGS ? names[i] : "arg?";
}

const char *usdt_kind_name(enum usdt_arg_kind kind)
{
	switch (kind) {
	case USDT_ARG_REG:	return "register";
	case USDT_ARG_MEM:	return "memory";
	case USDT_ARG_CONST:	return "constant";
	case USDT_ARG_GLOBAL:	return "global";
	}
	return "?";
}

/* A name of letters and digits at S (up to END or NUL) into BUF; its length. */
static size_t reg_word(const char *s, const char *end, char *buf, size_t len)
{
	size_t n = 0;

	while (s + n < end && isalnum((unsigned char)s[n]))
		n++;
	if (n < len) {
		memcpy(buf, s, n);
		buf[n] = 0;
	} else {
		buf[0] = 0;
	}
	return n;
}

/* The x86-64 register named NAME ("edi", no '%'). */
static int x86_reg(const char *name, uint8_t *reg, uint8_t *bytes, struct mw_err *err)
{
	size_t i;

	for (i = 0; i < sizeof(x86_regs) / sizeof(x86_regs[0]); i++) {
		if (!strcasecmp(name, x86_regs[i].name)) {
			*reg = x86_regs[i].reg;
			*bytes = x86_regs[i].bytes;
			return 0;
		}
	}
	if (strlen(name) == 2 && strchr("abcd", tolower((unsigned char)name[0])) &&
	    tolower((unsigned char)name[1]) == 'h')
		return mw_err_set(err, MW_E_INVAL, "%%%s is bits 8-15 of r%cx: high-byte registers "
				  "are not supported", name, tolower((unsigned char)name[0]));
	if (!strncasecmp(name, "xmm", 3) || !strncasecmp(name, "ymm", 3) ||
	    !strncasecmp(name, "zmm", 3) || !strncasecmp(name, "st", 2) ||
	    !strncasecmp(name, "mm", 2))
		return mw_err_set(err, MW_E_INVAL, "%%%s: floating-point and vector registers are "
				  "not supported (a uprobe sees the general-purpose "
				  "registers only)", name);
	return mw_err_set(err, MW_E_INVAL, "unknown register %%%s", name);
}

/* arm64: x0..x30, w0..w30, sp, wsp. */
static int arm64_reg(const char *name, uint8_t *reg, uint8_t *bytes)
{
	char *end;
	long n;

	if (!strcasecmp(name, "sp") || !strcasecmp(name, "wsp")) {
		*reg = MAPWATCH_REG_ARM64_SP;
		*bytes = tolower((unsigned char)name[0]) == 'w' ? 4 : 8;
		return 0;
	}
	if ((name[0] != 'x' && name[0] != 'w' && name[0] != 'X' && name[0] != 'W') ||
	    !isdigit((unsigned char)name[1]) || (name[1] == '0' && name[2]))
		return -1;
	n = strtol(name + 1, &end, 10);
	if (*end || n > 30)
		return -1;
	*reg = n;
	*bytes = tolower((unsigned char)name[0]) == 'w' ? 4 : 8;
	return 0;
}

/* ------------------------------------------------------------------------ */
/* Argument specs                                                             */

/*
 * An unsigned number at *S as the assembler reads it: 0x hex, 0 octal,
 * else decimal.  Advances *S past its digits.
 */
static int parse_uint(const char **s, uint64_t *v, struct mw_err *err)
{
	const char *p = *s;
	unsigned int base = 10, digits = 0;
	uint64_t acc = 0;

	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && isxdigit((unsigned char)p[2])) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && isdigit((unsigned char)p[1])) {
		base = 8;
		p++;
	}
	for (;; p++, digits++) {
		unsigned int d;

		if (isdigit((unsigned char)*p))
			d = *p - '0';
		else if (base == 16 && isxdigit((unsigned char)*p))
			d = tolower((unsigned char)*p) - 'a' + 10;
		else
			break;
		if (d >= base)
			break;
		if (acc > (UINT64_MAX - d) / base)
			return mw_err_set(err, MW_E_INVAL, "number out of range");
		acc = acc * base + d;
	}
	if (!digits)
		return mw_err_set(err, MW_E_INVAL, "expected a number at '%.32s'", *s);
	*s = p;
	*v = acc;
	return 0;
}

/* A number with an optional sign; values past INT64_MAX wrap, as the assembler's do. */
static int parse_int(const char **s, int64_t *v, struct mw_err *err)
{
	bool neg = **s == '-';
	uint64_t u;

	if (**s == '-' || **s == '+')
		(*s)++;
	if (parse_uint(s, &u, err))
		return -1;
	*v = (int64_t)(neg ? 0 - u : u);
	return 0;
}

static bool sym_start(char c)
{
	return isalpha((unsigned char)c) || c == '_' || c == '.';
}

static bool sym_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '$';
}

/*
 * An x86-64 displacement in [S, END): numbers and at most one symbol,
 * joined by + and -, as the compiler prints them ("-60", "8+g_arr",
 * "counter.0+4").  The symbol is malloc'd into *SYM.
 */
static int parse_disp(const char *s, const char *end, int64_t *disp, char **sym,
		      struct mw_err *err)
{
	const char *p = s, *sym_at = NULL;
	uint64_t sum = 0;
	size_t sym_len = 0;

	*disp = 0;
	*sym = NULL;
	while (p < end) {
		bool neg = false;

		if (*p == '+' || *p == '-') {
			neg = *p == '-';
			p++;
		} else if (p != s) {
			return mw_err_set(err, MW_E_INVAL, "unexpected '%c' in displacement '%.*s'",
					  *p, (int)(end - s), s);
		}
		if (p < end && isdigit((unsigned char)*p)) {
			uint64_t v;

			if (parse_uint(&p, &v, err))
				return -1;
			sum = neg ? sum - v : sum + v;
		} else if (p < end && sym_start(*p)) {
			const char *q = p;

			while (q < end && sym_char(*q))
				q++;
			if (q < end && *q == '@')
				return mw_err_set(err, MW_E_INVAL, "symbol reference '%.*s' with a "
						  "relocation (@GOTPCREL, @PLT...): not supported",
						  (int)(end - p), p);
			if (neg)
				return mw_err_set(err, MW_E_INVAL, "a symbol subtracted in "
						  "displacement '%.*s': not supported",
						  (int)(end - s), s);
			if (sym_at)
				return mw_err_set(err, MW_E_INVAL,
						  "two symbols in displacement '%.*s'",
						  (int)(end - s), s);
			sym_at = p;
			sym_len = q - p;
			p = q;
		} else {
			return mw_err_set(err, MW_E_INVAL, "bad displacement '%.*s'",
					  (int)(end - s), s);
		}
	}
	if (sym_at) {
		*sym = strndup(sym_at, sym_len);
		if (!*sym)
			return mw_err_set(err, MW_E_NOMEM, "out of memory");
	}
	*disp = (int64_t)sum;
	return 0;
}

/* "%reg" at *S (up to END): the register and its width; advances *S. */
static int x86_reg_at(const char **s, const char *end, uint8_t *reg, uint8_t *bytes,
		      struct mw_err *err)
{
	char name[16];
	size_t n;

	if (*s >= end || **s != '%')
		return mw_err_set(err, MW_E_INVAL, "expected a register (%%name) at '%.*s'",
				  (int)(end - *s), *s);
	n = reg_word(*s + 1, end, name, sizeof(name));
	if (!n)
		return mw_err_set(err, MW_E_INVAL, "expected a register name after '%%'");
	if (n >= sizeof(name))
		return mw_err_set(err, MW_E_INVAL, "unknown register %%%.*s", (int)n, *s + 1);
	if (x86_reg(name, reg, bytes, err))
		return -1;
	*s += 1 + n;
	return 0;
}

/* disp(%base), disp(%base,%index[,scale]), disp(,%index[,scale]), sym+disp(%rip) */
static int parse_x86_mem(const char *op, struct usdt_arg *a, struct mw_err *err)
{
	const char *lp = strchr(op, '('), *p, *end = op + strlen(op);
	uint8_t reg, bytes;

	if (!lp)
		return mw_err_set(err, MW_E_INVAL, "operand '%s' is not a register (%%reg), a "
				  "constant ($n) or memory (disp(%%reg))", op);
	if (end[-1] != ')')
		return mw_err_set(err, MW_E_INVAL, "memory operand '%s' does not end with ')'", op);
	if (parse_disp(op, lp, &a->value, &a->sym, err))
		return -1;
	a->kind = USDT_ARG_MEM;
	a->reg = -1;
	a->index = -1;
	p = lp + 1;
	if (*p != ',') {
		if (x86_reg_at(&p, end, &reg, &bytes, err))
			return -1;
		a->reg = reg;
		a->reg_bytes = bytes;
	}
	if (*p == ',') {
		p++;
		if (x86_reg_at(&p, end, &reg, &bytes, err))
			return -1;
		if (reg == MAPWATCH_REG_X86_IP || reg == MAPWATCH_REG_X86_SP)
			return mw_err_set(err, MW_E_INVAL,
					  "%%%s cannot be an index register in '%s'",
					  x86_full[reg], op);
		a->index = reg;
		a->scale = 1;
		if (*p == ',') {
			uint64_t scale;

			p++;
			if (parse_uint(&p, &scale, err))
				return -1;
			if (scale != 1 && scale != 2 && scale != 4 && scale != 8)
				return mw_err_set(err, MW_E_INVAL,
						  "scale %llu in '%s': must be 1, 2, 4 or 8",
						  (unsigned long long)scale, op);
			a->scale = scale;
		}
	}
	if (p != end - 1)
		return mw_err_set(err, MW_E_INVAL, "unexpected '%.*s' in memory operand '%s'",
				  (int)(end - 1 - p), p, op);
	if (a->reg == MAPWATCH_REG_X86_IP) {
		if (a->index >= 0)
			return mw_err_set(err, MW_E_INVAL, "%%rip with an index register in '%s'",
					  op);
		a->kind = USDT_ARG_GLOBAL;
		return 0;
	}
	if (a->reg < 0 && a->index < 0)
		return mw_err_set(err, MW_E_INVAL, "memory operand '%s' has no register", op);
	if (a->sym)
		return mw_err_set(err, MW_E_INVAL, "symbol '%s' with a base or index register in "
				  "'%s': not supported (only sym(%%rip) is)", a->sym, op);
	return 0;
}

static int parse_x86(const char *op, struct usdt_arg *a, struct mw_err *err)
{
	const char *p = op, *end = op + strlen(op);
	uint8_t reg, bytes;

	if (*op == '%') {
		char seg[4];

		if (reg_word(op + 1, end, seg, sizeof(seg)) == 2 && op[3] == ':')
			return mw_err_set(err, MW_E_INVAL, "segment-relative memory '%s' (a "
					  "thread-local variable): not supported", op);
		if (x86_reg_at(&p, end, &reg, &bytes, err))
			return -1;
		if (*p)
			return mw_err_set(err, MW_E_INVAL, "unexpected '%s' after register in '%s'",
					  p, op);
		a->kind = USDT_ARG_REG;
		a->reg = reg;
		a->reg_bytes = bytes;
		return 0;
	}
	if (*op == '$') {
		p++;
		if (sym_start(*p))
			return mw_err_set(err, MW_E_INVAL, "the address of a symbol as a constant "
					  "('%s'): not supported", op);
		if (parse_int(&p, &a->value, err))
			return -1;
		if (*p)
			return mw_err_set(err, MW_E_INVAL, "unexpected '%s' after constant in '%s'",
					  p, op);
		a->kind = USDT_ARG_CONST;
		return 0;
	}
	return parse_x86_mem(op, a, err);
}

#define ARM64_FORMS "registers x0-x30, w0-w30, sp; [reg], [reg, offset] and constants are"

static int parse_arm64(const char *op, struct usdt_arg *a, struct mw_err *err)
{
	char name[8];
	const char *p = op, *end = op + strlen(op);
	uint8_t reg, bytes;
	size_t n;

	if (*op == '[') {
		p++;
		n = reg_word(p, end, name, sizeof(name));
		if (!n || n >= sizeof(name) || arm64_reg(name, &reg, &bytes))
			return mw_err_set(err, MW_E_INVAL, "arm64 operand '%s': not supported ("
					  ARM64_FORMS ")", op);
		if (bytes != 8)
			return mw_err_set(err, MW_E_INVAL,
					  "arm64 operand '%s': a 32-bit base register", op);
		p += n;
		a->kind = USDT_ARG_MEM;
		a->reg = reg;
		a->reg_bytes = 8;
		a->index = -1;
		if (*p == ',') {
			p++;
			while (*p == ' ')
				p++;
			if (*p == '#')
				p++;
			if (*p != '-' && *p != '+' && !isdigit((unsigned char)*p))
				return mw_err_set(err, MW_E_INVAL, "arm64 operand '%s': not "
						  "supported (" ARM64_FORMS ")", op);
			if (parse_int(&p, &a->value, err))
				return -1;
		}
		if (*p != ']' || p[1])
			return mw_err_set(err, MW_E_INVAL, "arm64 operand '%s': not supported ("
					  ARM64_FORMS ")", op);
		return 0;
	}
	if (isalpha((unsigned char)*op)) {
		n = reg_word(p, end, name, sizeof(name));
		if (n != (size_t)(end - p) || n >= sizeof(name) || arm64_reg(name, &reg, &bytes))
			return mw_err_set(err, MW_E_INVAL, "arm64 operand '%s': not supported ("
					  ARM64_FORMS ")", op);
		a->kind = USDT_ARG_REG;
		a->reg = reg;
		a->reg_bytes = bytes;
		return 0;
	}
	if (*p == '#')
		p++;
	if (*p == '-' || *p == '+' || isdigit((unsigned char)*p)) {
		if (parse_int(&p, &a->value, err))
			return -1;
		if (*p)
			return mw_err_set(err, MW_E_INVAL, "unexpected '%s' after constant in '%s'",
					  p, op);
		a->kind = USDT_ARG_CONST;
		return 0;
	}
	return mw_err_set(err, MW_E_INVAL, "arm64 operand '%s': not supported (" ARM64_FORMS ")",
			  op);
}

void usdt_arg_release(struct usdt_arg *arg)
{
	free(arg->sym);
	arg->sym = NULL;
}

int usdt_parse_arg(uint16_t machine, const char *spec, struct usdt_arg *a, struct mw_err *err)
{
	const char *p = spec, *digits;
	unsigned int size = 0;
	int ret;

	memset(a, 0, sizeof(*a));
	a->spec = spec;
	a->reg = -1;
	a->index = -1;
	if (!strchr(spec, '@'))
		return mw_err_set(err, MW_E_INVAL, "no SIZE@ before the operand (as in 8@%%rdi)");
	if (*p == '-') {
		a->is_signed = true;
		p++;
	}
	for (digits = p; isdigit((unsigned char)*p); p++)
		if (p - digits < 2)
			size = size * 10 + (*p - '0');
	if (p == digits)
		return mw_err_set(err, MW_E_INVAL, "no size before '@'");
	if (p - digits > 2 || (size != 1 && size != 2 && size != 4 && size != 8))
		return mw_err_set(err, MW_E_INVAL,
				  "size %.*s: must be 1, 2, 4 or 8 (a '-' before it for signed)",
				  (int)(p - digits < 20 ? p - digits : 20), digits);
	a->size = size;
	if (*p == 'f') {
		a->is_float = true;
		p++;
	}
	if (*p != '@')
		return mw_err_set(err, MW_E_INVAL, "unexpected '%c' after the size", *p);
	p++;
	if (!*p)
		return mw_err_set(err, MW_E_INVAL, "no operand after '@'");
	if (machine == EM_X86_64)
		ret = parse_x86(p, a, err);
	else if (machine == EM_AARCH64)
		ret = parse_arm64(p, a, err);
	else
		ret = mw_err_set(err, MW_E_ARCH,
				 "argument specs of ELF machine %u are not supported", machine);
	if (ret)
		usdt_arg_release(a);
	return ret;
}

void usdt_args_release(struct usdt_probe *pr)
{
	unsigned int i;

	for (i = 0; i < pr->nr_args; i++)
		usdt_arg_release(&pr->args[i]);
	pr->nr_args = 0;
	free(pr->spec_buf);
	pr->spec_buf = NULL;
}

int usdt_parse_args(uint16_t machine, const char *args, struct usdt_probe *pr)
{
	struct mw_err err;
	size_t i = 0;
	char *buf;

	usdt_args_release(pr);
	buf = strdup(args);
	if (!buf) {
		usdt_probe_err(pr, MW_E_NOMEM, "out of memory");
		return -1;
	}
	pr->spec_buf = buf;
	for (;;) {
		unsigned int depth = 0;
		char *spec;

		while (buf[i] == ' ' || buf[i] == '\t')
			i++;
		if (!buf[i])
			return 0;
		spec = buf + i;
		while (buf[i] && (depth || (buf[i] != ' ' && buf[i] != '\t'))) {
			if (buf[i] == '[')
				depth++;
			else if (buf[i] == ']' && depth)
				depth--;
			i++;
		}
		if (buf[i])
			buf[i++] = 0;
		if (pr->nr_args == USDT_MAX_ARGS) {
			usdt_probe_err(pr, MW_E_INVAL, "more than %u arguments in '%.96s'",
				       USDT_MAX_ARGS, args);
			break;
		}
		if (usdt_parse_arg(machine, spec, &pr->args[pr->nr_args], &err)) {
			usdt_probe_err(pr, err.code, "argument %u '%.96s': %s", pr->nr_args, spec,
				       err.msg);
			break;
		}
		pr->nr_args++;
	}
	usdt_args_release(pr);
	return -1;
}

/* "rbp-60", "rbp+rax*8-96", "g_arr+8" */
static void addr_words(uint16_t machine, const struct usdt_arg *a, char *buf, size_t len)
{
	size_t n = 0;
	uint64_t mag = a->value < 0 ? 0 - (uint64_t)a->value : (uint64_t)a->value;

	buf[0] = 0;
	if (a->kind == USDT_ARG_GLOBAL)
		n = snprintf(buf, len, "%s", a->sym ? a->sym : "rip");
	else if (a->reg >= 0)
		n = snprintf(buf, len, "%s", usdt_reg_name(machine, a->reg));
	if (n < len && a->index >= 0)
		n += snprintf(buf + n, len - n, "%s%s*%u", n ? "+" : "",
			      usdt_reg_name(machine, a->index), a->scale);
	if (n < len && a->value)
		snprintf(buf + n, len - n, "%s%llu", a->value < 0 ? "-" : "+",
			 (unsigned long long)mag);
}

void usdt_arg_describe(uint16_t machine, const struct usdt_arg *a, char *buf, size_t len)
{
	char addr[160];

	switch (a->kind) {
	case USDT_ARG_REG:
		if (a->reg_bytes >= 8 || !a->reg_bytes)
			snprintf(buf, len, "%s", usdt_reg_name(machine, a->reg));
		else if (a->reg_bytes == 1)
			snprintf(buf, len, "%s, low byte", usdt_reg_name(machine, a->reg));
		else
			snprintf(buf, len, "%s, low %u bytes", usdt_reg_name(machine, a->reg),
				 a->reg_bytes);
		break;
	case USDT_ARG_MEM:
		addr_words(machine, a, addr, sizeof(addr));
		snprintf(buf, len, "memory at %s", addr);
		break;
	case USDT_ARG_CONST:
		snprintf(buf, len, "constant %lld", (long long)a->value);
		break;
	case USDT_ARG_GLOBAL:
		addr_words(machine, a, addr, sizeof(addr));
		if (a->sym)
			snprintf(buf, len, "memory at %s (0x%llx)", addr,
				 (unsigned long long)(a->sym_addr + (uint64_t)a->value));
		else
			snprintf(buf, len, "memory at %s", addr);
		break;
	}
}
