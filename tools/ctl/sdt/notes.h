/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/sdt/notes.h - SystemTap SDT probes (USDT) in an ELF file, such as
 * the hotspot:* probes of OpenJDK's libjvm.so: where each goes as a uprobe,
 * its USDT semaphore, and its arguments as a fetch program.
 *
 * A probe is a NT_STAPSDT (3) note named "stapsdt" in the non-allocated
 * SHT_NOTE section .note.stapsdt, each note 4-aligned (sys/sdt.h):
 *
 *	u32 namesz, descsz, type	8, n, 3
 *	"stapsdt\0"			name, padded to 4
 *	u64 pc				the probe's nop, link-time address
 *	u64 base			the link-time address of .stapsdt.base
 *	u64 semaphore			a 2-byte counter in .probes, or 0
 *	"provider\0" "name\0" "args\0"	args: space-separated specs, maybe ""
 *	padding to 4
 *
 * A prelinked file moved its sections after the notes were written:
 * pc and semaphore are moved by .stapsdt.base's address less the note's
 * base.  The uprobe goes at the file offset of pc (through the executable
 * PT_LOAD holding it); the kernel's reference counter takes the file
 * offset of the semaphore (through the writable PT_LOAD holding it).
 *
 * An argument spec is [-]SIZE[f]@OPERAND: SIZE 1, 2, 4 or 8 bytes, '-'
 * for signed, 'f' for floating point; the operand as the assembler wrote
 * it.  x86-64: %reg (any of the 64/32/16/8-bit names but %ah..%dh),
 * $imm, disp(%reg), disp(%base,%index,scale), sym+disp(%rip).  arm64:
 * xN, wN, sp, [reg], [reg, off], a constant.  Each is parsed; the fetch
 * program (usdt_fetchprog()) covers registers, constants, memory at a
 * register plus an offset and at a symbol ((%rip)), and refuses indexed
 * memory, floating point and a %rip offset without a symbol, saying so.
 *
 * Every read from the file is bounds-checked; a malformed note gives an
 * error for the whole file, a probe that cannot be placed or parsed an
 * error of its own (usdt_probe.error), never a crash.
 */
#ifndef _MAPWATCHCTL_USDT_H
#define _MAPWATCHCTL_USDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/elfbin.h"
#include "lib/fetchprog.h"

#define USDT_NOTE_TYPE		3	/* NT_STAPSDT, sys/sdt.h's _SDT_NOTE_TYPE */
#define USDT_NOTE_NAME		"stapsdt"
#define USDT_NOTE_SECTION	".note.stapsdt"
#define USDT_BASE_SECTION	".stapsdt.base"
#define USDT_MAX_ARGS		12	/* sys/sdt.h's STAP_PROBE12 */

enum usdt_arg_kind {
	USDT_ARG_REG,		/* a register's low bytes */
	USDT_ARG_MEM,		/* memory at base + disp (+ index * scale) */
	USDT_ARG_CONST,		/* an immediate */
	USDT_ARG_GLOBAL,	/* memory at sym + disp: x86-64 sym+disp(%rip) */
};

struct usdt_arg {
	const char *spec;	/* as in the note: "-4@-60(%rbp)" */
	enum usdt_arg_kind kind;
	uint8_t size;		/* 1, 2, 4 or 8 bytes */
	bool is_signed;		/* '-' before the size */
	bool is_float;		/* 'f' after the size */
	int reg;		/* REG: the register; MEM: the base (MAPWATCH_REG_*) */
	uint8_t reg_bytes;	/* REG, MEM: the named register's width (%edi: 4) */
	int index;		/* MEM: the index register, or -1 */
	uint8_t scale;		/* MEM with an index: 1, 2, 4 or 8 */
	int64_t value;		/* CONST: the value; MEM, GLOBAL: the displacement */
	char *sym;		/* GLOBAL: the symbol, NULL for a bare offset from %rip */
	uint64_t sym_addr;	/* GLOBAL with sym: its link-time address (usdt_read()) */
};

struct usdt_probe {
	char *provider;		/* "hotspot" */
	char *name;		/* "gc__begin" */
	char *args_str;		/* the argument string as in the note, "" for none */
	uint64_t note_pc;	/* as in the note */
	uint64_t note_base;
	uint64_t note_sema;
	uint64_t pc;		/* note_pc moved by the prelink adjustment */
	uint64_t sema;		/* note_sema moved likewise; 0: no semaphore */
	uint64_t offset;	/* file offset of pc: where the uprobe goes */
	uint64_t sema_offset;	/* file offset of the semaphore (ref_ctr_offset), or 0 */
	char sema_section[32];	/* the section holding the semaphore (".probes"), or "" */
	unsigned int nr_args;	/* valid when the arguments parsed (no error) */
	struct usdt_arg args[USDT_MAX_ARGS];
	char *spec_buf;		/* args_str split: args[i].spec point here */
	/*
	 * Why the probe cannot be attached, naming it ("hotspot:x: ..."):
	 * MW_E_CORRUPT its place, MW_E_INVAL its arguments; MW_OK if it can.
	 */
	struct mw_err error;
};

struct usdt_file {
	uint16_t machine;	/* EM_X86_64, EM_AARCH64 */
	bool has_notes;		/* the file has a .note.stapsdt section */
	bool has_base;		/* ... and a .stapsdt.base section */
	uint64_t base;		/* the address of .stapsdt.base */
	struct usdt_probe *probes;	/* in note order */
	size_t nr;
};

/*
 * Read the probes of the open file EB into UF (owns its memory: EB may be
 * closed after).  A file without .note.stapsdt has none (has_notes false).
 * 0, or -1 with ERR (MW_E_CORRUPT: a malformed note; MW_E_NOMEM) and UF empty.
 */
int usdt_read(const struct elfbin *eb, struct usdt_file *uf, struct mw_err *err);
/* The same from a path, or from SIZE bytes at DATA (writable, as elfbin_open_mem() wants). */
int usdt_open(const char *path, struct usdt_file *uf, struct mw_err *err);
int usdt_open_mem(void *data, size_t size, struct usdt_file *uf, struct mw_err *err);
void usdt_free(struct usdt_file *uf);

/*
 * Parse one spec for MACHINE into ARG (ARG->spec and ARG->sym point into,
 * or are copied from, SPEC: see usdt_arg_release()).  0, or -1 with the
 * problem in ERR ("size 3: must be 1, 2, 4 or 8 ...", not naming a probe;
 * MW_E_INVAL, MW_E_ARCH for a machine not decoded, MW_E_NOMEM).
 */
int usdt_parse_arg(uint16_t machine, const char *spec, struct usdt_arg *arg,
		   struct mw_err *err);
/* Free what usdt_parse_arg() allocated (the symbol). */
void usdt_arg_release(struct usdt_arg *arg);
/*
 * Split ARGS (space-separated, spaces inside [...] kept) into at most
 * USDT_MAX_ARGS specs and parse each into PR->args (PR->spec_buf holds
 * them).  0, or -1 with PR->error naming the probe, the argument and the
 * problem.
 */
int usdt_parse_args(uint16_t machine, const char *args, struct usdt_probe *pr);
/* Free what usdt_parse_args() allocated; PR->nr_args becomes 0. */
void usdt_args_release(struct usdt_probe *pr);

/*
 * The fetch program of PR's arguments: field argN for argument N, its
 * size (the register's, if narrower) and sign as the spec says.  0, or -1
 * with ERR naming the probe and what cannot be translated (MW_E_INVAL), or
 * PR->error.
 */
int usdt_fetchprog(const struct usdt_probe *pr, uint16_t machine, struct fprog *p,
		   struct mw_err *err);

/*
 * An argument that points to bytes whose count is another argument (the
 * class and method names of hotspot:method__entry, not NUL-terminated).
 */
struct usdt_bytes {
	unsigned int ptr_arg;	/* field argPTR_ARG: FP_BYTES, at most max bytes */
	unsigned int len_arg;	/* still emitted as an integer: the true length */
	unsigned int max;
};

/*
 * usdt_fetchprog(), with the arguments of COPIES (NR_COPIES of them) copied
 * rather than emitted.  Where the copy has more bytes than argument len_arg
 * says (the copy's length is its whole register, clamped to max), the
 * extra bytes are not the argument's: the decoder cuts the field to it.
 */
int usdt_fetchprog_bytes(const struct usdt_probe *pr, uint16_t machine,
			 const struct usdt_bytes *copies, unsigned int nr_copies, struct fprog *p,
			 struct mw_err *err);

/* "arg0".."arg11" (static strings: fetch program field names). */
const char *usdt_arg_name(unsigned int i);
/* "rdi", "x0": the full register's name for MACHINE. */
const char *usdt_reg_name(uint16_t machine, int reg);
/* "register", "memory", "constant", "global". */
const char *usdt_kind_name(enum usdt_arg_kind kind);
/*
 * What ARG reads, in words: "rdi, low byte", "memory at rbp-60",
 * "constant 5", "memory at g_arr+8 (0x4028)".
 */
void usdt_arg_describe(uint16_t machine, const struct usdt_arg *arg, char *buf, size_t len);

#endif
