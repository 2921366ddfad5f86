// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/go/prologue.c - where a Go function's probes go: its body
 * decoded with capstone, the first instruction after the stack-check
 * prologue (the entry probe), and every RET (the return probes).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go/gobin.h"
#include "go/gobin_internal.h"

/* offsetof(g, stackguard0), every version; //go:systemstack code checks stackguard1 */
#define STACKGUARD0		0x10
#define STACKGUARD1		0x18
#define IS_STACKGUARD(d)	((d) == STACKGUARD0 || (d) == STACKGUARD1)
#define PROLOGUE_WINDOW		8	/* instructions before the stack-check compare */
#define SLOWPATH_WINDOW		24	/* instructions from the branch target to the call */
#define MAX_FUNC_BYTES		(16u << 20)

enum insn_kind { I_OTHER, I_RET, I_CALL, I_JMP, I_JCC, I_GUARD_CMP };

struct insn {
	uint64_t addr, target;	/* target: direct branch/call destination, else 0 */
	uint8_t size, kind;
};

struct insn_list {
	struct insn *v;
	size_t nr, cap;
};

static int insn_push(struct insn_list *l, const struct insn *in)
{
	if (l->nr == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 256;
		void *n = realloc(l->v, cap * sizeof(*l->v));

		if (!n)
			return -1;
		l->v = n;
		l->cap = cap;
	}
	l->v[l->nr++] = *in;
	return 0;
}

static int cs_setup(struct gobin *gb, struct mw_err *err)
{
	cs_arch arch = gb->info.machine == EM_X86_64 ? CS_ARCH_X86 : CS_ARCH_ARM64;
	cs_mode mode = gb->info.machine == EM_X86_64 ? CS_MODE_64 : CS_MODE_ARM;

	if (gb->cs_open)
		return 0;
	if (cs_open(arch, mode, &gb->cs) != CS_ERR_OK)
		return mw_err_set(err, MW_E_IO, "capstone: cannot open a %s disassembler",
				  gb->info.goarch);
	cs_option(gb->cs, CS_OPT_DETAIL, CS_OPT_ON);
	gb->cs_open = true;
	return 0;
}

/* x86-64: cmp {rsp|r12}, [r14 + 0x10]: the compare against g.stackguard0 (or 1). */
static bool x86_guard_cmp(const cs_insn *ci)
{
	const cs_x86 *x = &ci->detail->x86;
	int i;

	if (ci->id != X86_INS_CMP)
		return false;
	for (i = 0; i < x->op_count; i++)
		if (x->operands[i].type == X86_OP_MEM && x->operands[i].mem.base == X86_REG_R14 &&
		    x->operands[i].mem.index == X86_REG_INVALID &&
		    IS_STACKGUARD(x->operands[i].mem.disp))
			return true;
	return false;
}

static bool in_group(const cs_insn *ci, uint8_t group)
{
	int i;

	for (i = 0; i < ci->detail->groups_count; i++)
		if (ci->detail->groups[i] == group)
			return true;
	return false;
}

static void x86_classify(const cs_insn *ci, struct insn *in)
{
	const cs_x86 *x = &ci->detail->x86;
	bool direct = x->op_count == 1 && x->operands[0].type == X86_OP_IMM;

	if (ci->id == X86_INS_RET) {
		in->kind = I_RET;
	} else if (ci->id == X86_INS_CALL) {
		in->kind = I_CALL;
	} else if (ci->id == X86_INS_JMP) {
		in->kind = I_JMP;
	} else if (in_group(ci, CS_GRP_JUMP)) {
		in->kind = I_JCC;
	} else if (x86_guard_cmp(ci)) {
		in->kind = I_GUARD_CMP;
		return;
	}
	if (in->kind != I_OTHER && in->kind != I_RET && direct)
		in->target = x->operands[0].imm;
}

/*
 * arm64: MOVD 16(R28), Rn loads g.stackguard0 (24: stackguard1); the CMP that reads Rn is
 * the guard compare.  *guard is that Rn, or ARM64_REG_INVALID.
 */
static void arm64_classify(const cs_insn *ci, struct insn *in, unsigned int *guard)
{
	const cs_arm64 *a = &ci->detail->arm64;
	int i;

	switch (ci->id) {
	case ARM64_INS_RET:
		in->kind = I_RET;
		return;
	case ARM64_INS_BL:
		in->kind = I_CALL;
		break;
	case ARM64_INS_B:
		in->kind = a->cc == ARM64_CC_INVALID || a->cc == ARM64_CC_AL ? I_JMP : I_JCC;
		break;
	case ARM64_INS_CBZ: case ARM64_INS_CBNZ: case ARM64_INS_TBZ: case ARM64_INS_TBNZ:
		in->kind = I_JCC;
		break;
	case ARM64_INS_LDR:
		if (a->op_count == 2 && a->operands[0].type == ARM64_OP_REG &&
		    a->operands[1].type == ARM64_OP_MEM && a->operands[1].mem.base == ARM64_REG_X28 &&
		    a->operands[1].mem.index == ARM64_REG_INVALID &&
		    IS_STACKGUARD(a->operands[1].mem.disp))
			*guard = a->operands[0].reg;
		return;
	case ARM64_INS_CMP:
		for (i = 0; i < a->op_count; i++)
			if (*guard != ARM64_REG_INVALID && a->operands[i].type == ARM64_OP_REG &&
			    a->operands[i].reg == *guard)
				in->kind = I_GUARD_CMP;
		return;
	default:
		return;
	}
	for (i = a->op_count - 1; i >= 0; i--) {
		if (a->operands[i].type == ARM64_OP_IMM) {
			in->target = a->operands[i].imm;
			break;
		}
	}
}

static int decode_func(struct gobin *gb, const struct gobin_func *fn, struct insn_list *l,
		       struct gobin_probe *p, struct mw_err *err)
{
	bool x86 = gb->info.machine == EM_X86_64;
	unsigned int guard = ARM64_REG_INVALID;
	const uint8_t *code;
	size_t left;
	uint64_t addr;
	cs_insn *ci;

	code = elfbin_vaddr_bytes(&gb->eb, fn->addr, fn->size);
	if (!code)
		return mw_err_set(err, MW_E_GO_CORRUPT,
				  "%s: code at 0x%llx+0x%llx is not in the file", fn->name,
				  (unsigned long long)fn->addr, (unsigned long long)fn->size);
	ci = cs_malloc(gb->cs);
	if (!ci)
		return mw_err_set(err, MW_E_NOMEM, "out of memory");
	left = fn->size;
	addr = fn->addr;
	while (left) {
		struct insn in = { .addr = addr };

		if (!cs_disasm_iter(gb->cs, &code, &left, &addr, ci)) {
			/* capstone 4 lacks ENDBR64; Go does not emit it, C code may */
			if (x86 && left >= 4 && !memcmp(code, "\xf3\x0f\x1e\xfa", 4)) {
				code += 4;
				left -= 4;
				addr += 4;
				continue;
			}
			/*
			 * x86: the stream is lost, the RETs after it unknown.
			 * arm64 is fixed width: a word capstone 4 cannot decode
			 * (the LSE atomics Go inlines, CASAL, LDADDAL; a literal
			 * pool word; the zero padding) is no RET nor branch it
			 * would have decoded, and the next word is an
			 * instruction again: kept as an other one, no error.
			 */
			if (x86 || left < 4) {
				if (!p->decode_error) {
					p->decode_error = true;
					p->decode_error_at = addr;
				}
				break;
			}
			in.size = 4;
			if (insn_push(l, &in)) {
				cs_free(ci, 1);
				return mw_err_set(err, MW_E_NOMEM, "out of memory");
			}
			code += 4;
			left -= 4;
			addr += 4;
			continue;
		}
		in.size = ci->size;
		if (x86)
			x86_classify(ci, &in);
		else
			arm64_classify(ci, &in, &guard);
		if (l->nr >= PROLOGUE_WINDOW)
			guard = ARM64_REG_INVALID;
		if (insn_push(l, &in)) {
			cs_free(ci, 1);
			return mw_err_set(err, MW_E_NOMEM, "out of memory");
		}
	}
	cs_free(ci, 1);
	return 0;
}

static bool is_morestack(const struct gobin *gb, uint64_t target)
{
	const struct gobin_func *f = gobin_func_at(gb, target);

	return f && f->addr == target && !strncmp(f->name, "runtime.morestack", 17);
}

/* Does the code at TARGET (inside FN) call runtime.morestack*? */
static bool slowpath_calls_morestack(const struct gobin *gb, const struct insn_list *l,
				     uint64_t target)
{
	size_t i, n = 0;

	for (i = 0; i < l->nr && l->v[i].addr < target; i++)
		;
	if (i == l->nr || l->v[i].addr != target)
		return false;
	for (; i < l->nr && n < SLOWPATH_WINDOW; i++, n++) {
		if (l->v[i].kind == I_CALL)
			return l->v[i].target && is_morestack(gb, l->v[i].target);
		if (l->v[i].kind == I_RET || l->v[i].kind == I_JMP)
			return false;
	}
	return false;
}

static void place_entry(const struct gobin *gb, const struct gobin_func *fn,
			const struct insn_list *l, struct gobin_probe *p)
{
	size_t i;

	p->body = fn->addr;
	for (i = 0; i < l->nr && i < PROLOGUE_WINDOW; i++) {
		const struct insn *in = &l->v[i];

		if (in->kind == I_GUARD_CMP) {
			const struct insn *br = i + 1 < l->nr ? &l->v[i + 1] : NULL;

			if (br && br->kind == I_JCC && br->target > br->addr &&
			    br->target - fn->addr < fn->size &&
			    slowpath_calls_morestack(gb, l, br->target)) {
				p->prologue = GOBIN_PROLOGUE_STACK_CHECK;
				p->body = br->addr + br->size;
				return;
			}
			break;
		}
		if (in->kind != I_OTHER && in->kind != I_JCC)
			break;	/* calls, jumps, returns: past any prologue */
	}
	p->prologue = GOBIN_PROLOGUE_NOSPLIT;
	for (i = 0; i < l->nr; i++)
		if (l->v[i].kind == I_CALL && l->v[i].target && is_morestack(gb, l->v[i].target))
			p->prologue = GOBIN_PROLOGUE_UNKNOWN;
}

int gobin_probe_func(struct gobin *gb, const struct gobin_func *fn, struct gobin_probe *p,
		     struct mw_err *err)
{
	struct insn_list l = { 0 };
	unsigned int i, n = 0;

	memset(p, 0, sizeof(*p));
	p->fn = fn;
	p->entry = fn->addr;
	if (!fn->size || fn->size > MAX_FUNC_BYTES)
		return mw_err_set(err, MW_E_GO_CORRUPT, "%s: implausible size %llu", fn->name,
				  (unsigned long long)fn->size);
	if (gobin_file_offset(gb, fn->addr, &p->entry_off))
		return mw_err_set(err, MW_E_GO_CORRUPT, "%s: 0x%llx is not in a loaded segment",
				  fn->name, (unsigned long long)fn->addr);
	if (cs_setup(gb, err) || decode_func(gb, fn, &l, p, err))
		goto err_free;
	place_entry(gb, fn, &l, p);
	if (gobin_file_offset(gb, p->body, &p->body_off)) {
		mw_err_set(err, MW_E_GO_CORRUPT, "%s: body outside the file", fn->name);
		goto err_free;
	}
	for (i = 0; i < l.nr; i++) {
		if (l.v[i].kind == I_RET)
			n++;
		else if (l.v[i].kind == I_JMP && l.v[i].target &&
			 l.v[i].target - fn->addr >= fn->size)
			p->nr_tail_jumps++;
	}
	if (n) {
		p->rets = calloc(n, sizeof(*p->rets));
		p->ret_offs = calloc(n, sizeof(*p->ret_offs));
		if (!p->rets || !p->ret_offs) {
			mw_err_set(err, MW_E_NOMEM, "out of memory");
			goto err_free;
		}
	}
	for (i = 0; i < l.nr; i++) {
		if (l.v[i].kind != I_RET)
			continue;
		p->rets[p->nr_rets] = l.v[i].addr;
		if (gobin_file_offset(gb, l.v[i].addr, &p->ret_offs[p->nr_rets])) {
			mw_err_set(err, MW_E_GO_CORRUPT, "%s: RET outside the file", fn->name);
			goto err_free;
		}
		p->nr_rets++;
	}
	free(l.v);
	return 0;

err_free:
	free(l.v);
	gobin_probe_release(p);
	return -1;
}

void gobin_probe_release(struct gobin_probe *p)
{
	free(p->rets);
	free(p->ret_offs);
	p->rets = p->ret_offs = NULL;
	p->nr_rets = 0;
}

const char *gobin_prologue_name(enum gobin_prologue pr)
{
	switch (pr) {
	case GOBIN_PROLOGUE_STACK_CHECK:	return "stack_check";
	case GOBIN_PROLOGUE_NOSPLIT:		return "nosplit";
	default:				return "unrecognised";
	}
}
