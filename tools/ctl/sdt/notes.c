// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/sdt/notes.c - SystemTap SDT notes and argument specs (see usdt.h).
 *
 * Facts from sys/sdt.h (systemtap-sdt-dev 4.8) and the sourceware wiki's
 * UserSpaceProbeImplementation page; no code taken from systemtap, bcc,
 * bpftrace or libbpf.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sdt/notes.h"

#define NOTE_HDR	12	/* namesz, descsz, type */
#define NOTE_ADDRS	24	/* pc, base, semaphore: 8 bytes each (ELF64) */
#define ALIGN4(x)	(((x) + 3) & ~(uint64_t)3)
#define SEMA_BYTES	2	/* an unsigned short, as the kernel counts it */
#define REG_CACHE	5	/* base registers kept in variables across arguments */

static int errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int errf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (buf && len) {
		va_start(ap, fmt);
		vsnprintf(buf, len, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* A malformed file: the whole file is refused. */
#define corrupt(err, ...)	elfbin_set_err(err, ELFBIN_E_CORRUPT, __VA_ARGS__)

/* The first problem of PR, prefixed "provider:name: "; later ones are dropped. */
static void probe_err(struct usdt_probe *pr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void probe_err(struct usdt_probe *pr, const char *fmt, ...)
{
	size_t n;
	va_list ap;

	if (pr->error[0])
		return;
	n = snprintf(pr->error, sizeof(pr->error), "%.64s:%.64s: ", pr->provider, pr->name);
	if (n >= sizeof(pr->error))
		return;
	va_start(ap, fmt);
	vsnprintf(pr->error + n, sizeof(pr->error) - n, fmt, ap);
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
static int x86_reg(const char *name, uint8_t *reg, uint8_t *bytes, char *err, size_t errlen)
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
		return errf(err, errlen, "%%%s is bits 8-15 of r%cx: high-byte registers are not "
			    "supported", name, tolower((unsigned char)name[0]));
	if (!strncasecmp(name, "xmm", 3) || !strncasecmp(name, "ymm", 3) ||
	    !strncasecmp(name, "zmm", 3) || !strncasecmp(name, "st", 2) ||
	    !strncasecmp(name, "mm", 2))
		return errf(err, errlen, "%%%s: floating-point and vector registers are not "
			    "supported (a uprobe sees the general-purpose registers only)", name);
	return errf(err, errlen, "unknown register %%%s", name);
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
static int parse_uint(const char **s, uint64_t *v, char *err, size_t errlen)
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
			return errf(err, errlen, "number out of range");
		acc = acc * base + d;
	}
	if (!digits)
		return errf(err, errlen, "expected a number at '%.32s'", *s);
	*s = p;
	*v = acc;
	return 0;
}

/* A number with an optional sign; values past INT64_MAX wrap, as the assembler's do. */
static int parse_int(const char **s, int64_t *v, char *err, size_t errlen)
{
	bool neg = **s == '-';
	uint64_t u;

	if (**s == '-' || **s == '+')
		(*s)++;
	if (parse_uint(s, &u, err, errlen))
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
static int parse_disp(const char *s, const char *end, int64_t *disp, char **sym, char *err,
		      size_t errlen)
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
			return errf(err, errlen, "unexpected '%c' in displacement '%.*s'", *p,
				    (int)(end - s), s);
		}
		if (p < end && isdigit((unsigned char)*p)) {
			uint64_t v;

			if (parse_uint(&p, &v, err, errlen))
				return -1;
			sum = neg ? sum - v : sum + v;
		} else if (p < end && sym_start(*p)) {
			const char *q = p;

			while (q < end && sym_char(*q))
				q++;
			if (q < end && *q == '@')
				return errf(err, errlen, "symbol reference '%.*s' with a "
					    "relocation (@GOTPCREL, @PLT...): not supported",
					    (int)(end - p), p);
			if (neg)
				return errf(err, errlen, "a symbol subtracted in displacement "
					    "'%.*s': not supported", (int)(end - s), s);
			if (sym_at)
				return errf(err, errlen, "two symbols in displacement '%.*s'",
					    (int)(end - s), s);
			sym_at = p;
			sym_len = q - p;
			p = q;
		} else {
			return errf(err, errlen, "bad displacement '%.*s'", (int)(end - s), s);
		}
	}
	if (sym_at) {
		*sym = strndup(sym_at, sym_len);
		if (!*sym)
			return errf(err, errlen, "out of memory");
	}
	*disp = (int64_t)sum;
	return 0;
}

/* "%reg" at *S (up to END): the register and its width; advances *S. */
static int x86_reg_at(const char **s, const char *end, uint8_t *reg, uint8_t *bytes, char *err,
		      size_t errlen)
{
	char name[16];
	size_t n;

	if (*s >= end || **s != '%')
		return errf(err, errlen, "expected a register (%%name) at '%.*s'",
			    (int)(end - *s), *s);
	n = reg_word(*s + 1, end, name, sizeof(name));
	if (!n)
		return errf(err, errlen, "expected a register name after '%%'");
	if (n >= sizeof(name))
		return errf(err, errlen, "unknown register %%%.*s", (int)n, *s + 1);
	if (x86_reg(name, reg, bytes, err, errlen))
		return -1;
	*s += 1 + n;
	return 0;
}

/* disp(%base), disp(%base,%index[,scale]), disp(,%index[,scale]), sym+disp(%rip) */
static int parse_x86_mem(const char *op, struct usdt_arg *a, char *err, size_t errlen)
{
	const char *lp = strchr(op, '('), *p, *end = op + strlen(op);
	uint8_t reg, bytes;

	if (!lp)
		return errf(err, errlen, "operand '%s' is not a register (%%reg), a constant "
			    "($n) or memory (disp(%%reg))", op);
	if (end[-1] != ')')
		return errf(err, errlen, "memory operand '%s' does not end with ')'", op);
	if (parse_disp(op, lp, &a->value, &a->sym, err, errlen))
		return -1;
	a->kind = USDT_ARG_MEM;
	a->reg = -1;
	a->index = -1;
	p = lp + 1;
	if (*p != ',') {
		if (x86_reg_at(&p, end, &reg, &bytes, err, errlen))
			return -1;
		a->reg = reg;
		a->reg_bytes = bytes;
	}
	if (*p == ',') {
		p++;
		if (x86_reg_at(&p, end, &reg, &bytes, err, errlen))
			return -1;
		if (reg == MAPWATCH_REG_X86_IP || reg == MAPWATCH_REG_X86_SP)
			return errf(err, errlen, "%%%s cannot be an index register in '%s'",
				    x86_full[reg], op);
		a->index = reg;
		a->scale = 1;
		if (*p == ',') {
			uint64_t scale;

			p++;
			if (parse_uint(&p, &scale, err, errlen))
				return -1;
			if (scale != 1 && scale != 2 && scale != 4 && scale != 8)
				return errf(err, errlen, "scale %llu in '%s': must be 1, 2, 4 or 8",
					    (unsigned long long)scale, op);
			a->scale = scale;
		}
	}
	if (p != end - 1)
		return errf(err, errlen, "unexpected '%.*s' in memory operand '%s'",
			    (int)(end - 1 - p), p, op);
	if (a->reg == MAPWATCH_REG_X86_IP) {
		if (a->index >= 0)
			return errf(err, errlen, "%%rip with an index register in '%s'", op);
		a->kind = USDT_ARG_GLOBAL;
		return 0;
	}
	if (a->reg < 0 && a->index < 0)
		return errf(err, errlen, "memory operand '%s' has no register", op);
	if (a->sym)
		return errf(err, errlen, "symbol '%s' with a base or index register in '%s': "
			    "not supported (only sym(%%rip) is)", a->sym, op);
	return 0;
}

static int parse_x86(const char *op, struct usdt_arg *a, char *err, size_t errlen)
{
	const char *p = op, *end = op + strlen(op);
	uint8_t reg, bytes;

	if (*op == '%') {
		char seg[4];

		if (reg_word(op + 1, end, seg, sizeof(seg)) == 2 && op[3] == ':')
			return errf(err, errlen, "segment-relative memory '%s' (a thread-local "
				    "variable): not supported", op);
		if (x86_reg_at(&p, end, &reg, &bytes, err, errlen))
			return -1;
		if (*p)
			return errf(err, errlen, "unexpected '%s' after register in '%s'", p, op);
		a->kind = USDT_ARG_REG;
		a->reg = reg;
		a->reg_bytes = bytes;
		return 0;
	}
	if (*op == '$') {
		p++;
		if (sym_start(*p))
			return errf(err, errlen, "the address of a symbol as a constant ('%s'): "
				    "not supported", op);
		if (parse_int(&p, &a->value, err, errlen))
			return -1;
		if (*p)
			return errf(err, errlen, "unexpected '%s' after constant in '%s'", p, op);
		a->kind = USDT_ARG_CONST;
		return 0;
	}
	return parse_x86_mem(op, a, err, errlen);
}

#define ARM64_FORMS "registers x0-x30, w0-w30, sp; [reg], [reg, offset] and constants are"

static int parse_arm64(const char *op, struct usdt_arg *a, char *err, size_t errlen)
{
	char name[8];
	const char *p = op, *end = op + strlen(op);
	uint8_t reg, bytes;
	size_t n;

	if (*op == '[') {
		p++;
		n = reg_word(p, end, name, sizeof(name));
		if (!n || n >= sizeof(name) || arm64_reg(name, &reg, &bytes))
			return errf(err, errlen, "arm64 operand '%s': not supported (" ARM64_FORMS
				    ")", op);
		if (bytes != 8)
			return errf(err, errlen, "arm64 operand '%s': a 32-bit base register", op);
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
				return errf(err, errlen, "arm64 operand '%s': not supported ("
					    ARM64_FORMS ")", op);
			if (parse_int(&p, &a->value, err, errlen))
				return -1;
		}
		if (*p != ']' || p[1])
			return errf(err, errlen, "arm64 operand '%s': not supported (" ARM64_FORMS
				    ")", op);
		return 0;
	}
	if (isalpha((unsigned char)*op)) {
		n = reg_word(p, end, name, sizeof(name));
		if (n != (size_t)(end - p) || n >= sizeof(name) || arm64_reg(name, &reg, &bytes))
			return errf(err, errlen, "arm64 operand '%s': not supported (" ARM64_FORMS
				    ")", op);
		a->kind = USDT_ARG_REG;
		a->reg = reg;
		a->reg_bytes = bytes;
		return 0;
	}
	if (*p == '#')
		p++;
	if (*p == '-' || *p == '+' || isdigit((unsigned char)*p)) {
		if (parse_int(&p, &a->value, err, errlen))
			return -1;
		if (*p)
			return errf(err, errlen, "unexpected '%s' after constant in '%s'", p, op);
		a->kind = USDT_ARG_CONST;
		return 0;
	}
	return errf(err, errlen, "arm64 operand '%s': not supported (" ARM64_FORMS ")", op);
}

void usdt_arg_release(struct usdt_arg *arg)
{
	free(arg->sym);
	arg->sym = NULL;
}

int usdt_parse_arg(uint16_t machine, const char *spec, struct usdt_arg *a, char *err,
		   size_t errlen)
{
	const char *p = spec, *digits;
	unsigned int size = 0;
	int ret;

	memset(a, 0, sizeof(*a));
	a->spec = spec;
	a->reg = -1;
	a->index = -1;
	if (!strchr(spec, '@'))
		return errf(err, errlen, "no SIZE@ before the operand (as in 8@%%rdi)");
	if (*p == '-') {
		a->is_signed = true;
		p++;
	}
	for (digits = p; isdigit((unsigned char)*p); p++)
		if (p - digits < 2)
			size = size * 10 + (*p - '0');
	if (p == digits)
		return errf(err, errlen, "no size before '@'");
	if (p - digits > 2 || (size != 1 && size != 2 && size != 4 && size != 8))
		return errf(err, errlen, "size %.*s: must be 1, 2, 4 or 8 (a '-' before it for "
			    "signed)", (int)(p - digits < 20 ? p - digits : 20), digits);
	a->size = size;
	if (*p == 'f') {
		a->is_float = true;
		p++;
	}
	if (*p != '@')
		return errf(err, errlen, "unexpected '%c' after the size", *p);
	p++;
	if (!*p)
		return errf(err, errlen, "no operand after '@'");
	if (machine == EM_X86_64)
		ret = parse_x86(p, a, err, errlen);
	else if (machine == EM_AARCH64)
		ret = parse_arm64(p, a, err, errlen);
	else
		ret = errf(err, errlen, "argument specs of ELF machine %u are not supported",
			   machine);
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
	char err[USDT_ERR_LEN];
	size_t i = 0;
	char *buf;

	usdt_args_release(pr);
	buf = strdup(args);
	if (!buf) {
		probe_err(pr, "out of memory");
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
			probe_err(pr, "more than %u arguments in '%.96s'", USDT_MAX_ARGS, args);
			break;
		}
		if (usdt_parse_arg(machine, spec, &pr->args[pr->nr_args], err, sizeof(err))) {
			probe_err(pr, "argument %u '%.96s': %s", pr->nr_args, spec, err);
			break;
		}
		pr->nr_args++;
	}
	usdt_args_release(pr);
	return -1;
}

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
			probe_err(pr, "probe address 0x%llx is in the zero-filled part of segment "
				  "%zu (no file bytes): a corrupt note or file",
				  (unsigned long long)pr->pc, i);
		else if (!(ph->p_flags & PF_X))
			probe_err(pr, "probe address 0x%llx is in segment %zu, which is not "
				  "executable: a corrupt note, or a wrong .stapsdt.base",
				  (unsigned long long)pr->pc, i);
		else
			pr->offset = pr->pc - ph->p_vaddr + ph->p_offset;
		break;
	}
	if (i == eb->nr_phdrs)
		probe_err(pr, "probe address 0x%llx is not in any loadable segment (PT_LOAD): a "
			  "corrupt note, or a wrong .stapsdt.base", (unsigned long long)pr->pc);
	if (!pr->sema)
		return;
	for (i = 0; i < eb->nr_phdrs; i++) {
		ph = &eb->phdrs[i];
		if (ph->p_type != PT_LOAD || pr->sema < ph->p_vaddr ||
		    pr->sema - ph->p_vaddr >= ph->p_memsz)
			continue;
		if (pr->sema - ph->p_vaddr >= ph->p_filesz ||
		    ph->p_filesz - (pr->sema - ph->p_vaddr) < SEMA_BYTES)
			probe_err(pr, "semaphore 0x%llx is not in the file bytes of segment %zu: "
				  "the kernel counts probe users in a page of the file",
				  (unsigned long long)pr->sema, i);
		else if (!(ph->p_flags & PF_W) || (ph->p_flags & PF_X))
			probe_err(pr, "semaphore 0x%llx is in segment %zu, which is not writable "
				  "data: a corrupt note", (unsigned long long)pr->sema, i);
		else
			pr->sema_offset = pr->sema - ph->p_vaddr + ph->p_offset;
		break;
	}
	if (i == eb->nr_phdrs)
		probe_err(pr, "semaphore 0x%llx is not in any loadable segment (PT_LOAD): a "
			  "corrupt note, or a wrong .stapsdt.base", (unsigned long long)pr->sema);
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
			probe_err(pr, "argument %u '%.96s': %.64s is a thread-local variable: not "
				  "supported", i, a->spec, a->sym);
		else if (ret)
			probe_err(pr, "argument %u '%.96s': symbol %.64s is in neither .symtab nor "
				  ".dynsym (a stripped file?)", i, a->spec, a->sym);
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
		    struct elfbin_err *err)
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
		return corrupt(err, "out of memory");
	pr->provider = strdup(str[0]);
	pr->name = strdup(str[1]);
	pr->args_str = strdup(str[2]);
	if (!pr->provider || !pr->name || !pr->args_str)
		return corrupt(err, "out of memory");
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
		      const struct elfbin_sect *s, struct elfbin_err *err)
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

int usdt_read(const struct elfbin *eb, struct usdt_file *uf, struct elfbin_err *err)
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

int usdt_open(const char *path, struct usdt_file *uf, struct elfbin_err *err)
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

int usdt_open_mem(void *data, size_t size, struct usdt_file *uf, struct elfbin_err *err)
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

int usdt_fetchprog(const struct usdt_probe *pr, uint16_t machine, struct fprog *p, char *err,
		   size_t errlen)
{
	return usdt_fetchprog_bytes(pr, machine, NULL, 0, p, err, errlen);
}

int usdt_fetchprog_bytes(const struct usdt_probe *pr, uint16_t machine,
			 const struct usdt_bytes *copies, unsigned int nr_copies, struct fprog *p,
			 char *err, size_t errlen)
{
	struct reg_cache rc = { .n = 0 };
	unsigned int i;

	fp_init(p);
	if (pr->error[0])
		return errf(err, errlen, "%s", pr->error);
	for (i = 0; i < pr->nr_args; i++) {
		const struct usdt_arg *a = &pr->args[i];
		const char *name = usdt_arg_name(i), *why = untranslatable(machine, a);
		const struct usdt_bytes *b;
		unsigned int bytes;
		int var, val;

		if (why)
			return errf(err, errlen, "%.64s:%.64s: argument %u '%.96s': %s",
				    pr->provider, pr->name, i, a->spec, why);
		b = bytes_of(copies, nr_copies, i);
		if (b) {
			const struct usdt_arg *la = b->len_arg < pr->nr_args ?
						    &pr->args[b->len_arg] : NULL;

			if (!la || la->is_float || untranslatable(machine, la) || !b->max)
				return errf(err, errlen, "%.64s:%.64s: argument %u: no length "
					    "argument %u to copy its bytes with", pr->provider,
					    pr->name, i, b->len_arg);
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
			return errf(err, errlen, "%.64s:%.64s: argument %u '%.96s': fetch program: "
				    "%s (%u operations at most)", pr->provider, pr->name, i,
				    a->spec, p->error, MAPWATCH_FETCH_MAX_OPS);
	}
	return 0;
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
