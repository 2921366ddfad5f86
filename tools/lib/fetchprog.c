// SPDX-License-Identifier: GPL-2.0
/*
 * Fetch programs from mapwatchctl's side: see fetchprog.h.  The module's
 * rules (module/fetch.c) are mirrored here so a misuse is caught with a
 * message before the ioctl refuses it.
 */
#include <string.h>

#include "lib/fetchprog.h"

void fp_init(struct fprog *p)
{
	memset(p, 0, sizeof(*p));
}

static struct mapwatch_fetch_op *fp_op(struct fprog *p, uint8_t code)
{
	struct mapwatch_fetch_op *op;

	if (p->error)
		return NULL;
	if (p->nr_ops == MAPWATCH_FETCH_MAX_OPS) {
		p->error = "too many fetch ops";
		return NULL;
	}
	op = &p->ops[p->nr_ops++];
	memset(op, 0, sizeof(*op));
	op->code = code;
	return op;
}

static int fp_new_var(struct fprog *p)
{
	int var;

	if (p->error)
		return -1;
	for (var = 0; var < MAPWATCH_FETCH_VARS; var++) {
		if (!(p->vars & (1u << var))) {
			p->vars |= 1u << var;
			return var;
		}
	}
	p->error = "too many fetch variables live at once";
	return -1;
}

static bool fp_var_ok(struct fprog *p, int var)
{
	if (p->error)
		return false;
	if (var < 0 || var >= MAPWATCH_FETCH_VARS || !(p->vars & (1u << var))) {
		p->error = "fetch variable used before it was set";
		return false;
	}
	return true;
}

void fp_free(struct fprog *p, int var)
{
	if (var >= 0 && var < MAPWATCH_FETCH_VARS)
		p->vars &= ~(1u << var);
}

static struct fp_field *fp_field(struct fprog *p, const char *name, enum fp_kind kind)
{
	struct fp_field *f;

	if (p->error)
		return NULL;
	if (p->nr_fields == FP_MAX_FIELDS) {
		p->error = "too many fields";
		return NULL;
	}
	f = &p->fields[p->nr_fields++];
	f->name = name;
	f->kind = kind;
	f->size = 0;
	f->max = 0;
	return f;
}

int fp_reg(struct fprog *p, unsigned int reg)
{
	int var = fp_new_var(p);
	struct mapwatch_fetch_op *op;

	if (var < 0 || !(op = fp_op(p, MAPWATCH_FOP_REG)))
		return -1;
	op->dst = var;
	op->src = reg;
	return var;
}

static int fp_imm(struct fprog *p, uint8_t code, int64_t imm)
{
	int var = fp_new_var(p);
	struct mapwatch_fetch_op *op;

	if (var < 0 || !(op = fp_op(p, code)))
		return -1;
	op->dst = var;
	op->imm = imm;
	return var;
}

int fp_const(struct fprog *p, int64_t value)
{
	return fp_imm(p, MAPWATCH_FOP_CONST, value);
}

int fp_pc(struct fprog *p, int64_t offset)
{
	return fp_imm(p, MAPWATCH_FOP_PC, offset);
}

int fp_add(struct fprog *p, int var, int64_t value)
{
	struct mapwatch_fetch_op *op;
	int dst;

	if (!fp_var_ok(p, var))
		return -1;
	dst = fp_new_var(p);
	if (dst < 0 || !(op = fp_op(p, MAPWATCH_FOP_ADD)))
		return -1;
	op->dst = dst;
	op->src = var;
	op->imm = value;
	return dst;
}

static bool fp_size_ok(struct fprog *p, unsigned int size)
{
	if (size == 1 || size == 2 || size == 4 || size == 8)
		return true;
	p->error = "load and emit sizes are 1, 2, 4 or 8";
	return false;
}

int fp_load(struct fprog *p, int var, int64_t offset, unsigned int size, bool is_signed)
{
	struct mapwatch_fetch_op *op;
	int dst;

	if (!fp_var_ok(p, var) || !fp_size_ok(p, size))
		return -1;
	dst = fp_new_var(p);
	if (dst < 0 || !(op = fp_op(p, MAPWATCH_FOP_LOAD)))
		return -1;
	op->dst = dst;
	op->src = var;
	op->size = size;
	op->flags = is_signed ? MAPWATCH_FOPF_SIGNED : 0;
	op->imm = offset;
	return dst;
}

int fp_load_quiet(struct fprog *p, int var, int64_t offset, unsigned int size)
{
	int dst = fp_load(p, var, offset, size, false);

	if (dst >= 0)
		p->ops[p->nr_ops - 1].flags |= MAPWATCH_FOPF_QUIET;
	return dst;
}

void fp_emit(struct fprog *p, const char *name, int var, unsigned int size, bool is_signed)
{
	struct mapwatch_fetch_op *op;
	struct fp_field *f;

	if (!fp_var_ok(p, var) || !fp_size_ok(p, size) || !(op = fp_op(p, MAPWATCH_FOP_EMIT)))
		return;
	op->src = var;
	op->size = size;
	f = fp_field(p, name, is_signed ? FP_INT : FP_UINT);
	if (f)
		f->size = size;
}

static void fp_copy_op(struct fprog *p, uint8_t code, enum fp_kind kind, const char *name,
		       int addr_var, int64_t offset, int len_var, unsigned int max)
{
	struct mapwatch_fetch_op *op;
	struct fp_field *f;

	if (!fp_var_ok(p, addr_var) || (len_var >= 0 && !fp_var_ok(p, len_var)))
		return;
	if (!max || max > MAPWATCH_MAX_PAYLOAD) {
		p->error = "copy length out of range";
		return;
	}
	op = fp_op(p, code);
	if (!op)
		return;
	op->src = addr_var;
	op->imm = offset;
	op->dst = len_var < 0 ? MAPWATCH_FETCH_NOVAR : len_var;
	op->max = max;
	f = fp_field(p, name, kind);
	if (f)
		f->max = max;
}

void fp_copy(struct fprog *p, const char *name, int addr_var, int len_var, unsigned int max)
{
	fp_copy_op(p, MAPWATCH_FOP_COPY, FP_BYTES, name, addr_var, 0, len_var, max);
}

void fp_copy_at(struct fprog *p, const char *name, int addr_var, int64_t offset,
		unsigned int len)
{
	fp_copy_op(p, MAPWATCH_FOP_COPY, FP_BYTES, name, addr_var, offset, -1, len);
}

void fp_str(struct fprog *p, const char *name, int addr_var, unsigned int max)
{
	fp_copy_op(p, MAPWATCH_FOP_STR, FP_STR, name, addr_var, 0, -1, max);
}

static uint64_t fp_read_uint(const uint8_t *b, unsigned int size)
{
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;

	switch (size) {
	case 1:
		memcpy(&u8, b, 1);
		return u8;
	case 2:
		memcpy(&u16, b, 2);
		return u16;
	case 4:
		memcpy(&u32, b, 4);
		return u32;
	default:
		memcpy(&u64, b, 8);
		return u64;
	}
}

int fp_decode(const struct fprog *p, const void *payload, size_t size, struct fp_value *out)
{
	const uint8_t *b = payload;
	size_t off = 0;
	unsigned int i;

	for (i = 0; i < p->nr_fields; i++) {
		const struct fp_field *f = &p->fields[i];
		struct fp_value *v = &out[i];

		memset(v, 0, sizeof(*v));
		v->field = f;
		if (f->kind == FP_UINT || f->kind == FP_INT) {
			if (size - off < f->size)
				return -1;
			v->u = fp_read_uint(b + off, f->size);
			if (f->kind == FP_INT && f->size < 8 && (v->u >> (8 * f->size - 1)))
				v->u |= ~0ULL << (8 * f->size);
			off += f->size;
			continue;
		}
		if (size - off < sizeof(uint16_t))
			return -1;
		v->len = (uint16_t)fp_read_uint(b + off, 2);
		off += 2;
		if (v->len > f->max || size - off < v->len)
			return -1;
		v->bytes = b + off;
		off += v->len;
	}
	return off == size ? 0 : -1;
}

const struct fp_value *fp_get(const struct fprog *p, const struct fp_value *vals,
			      const char *name)
{
	unsigned int i;

	for (i = 0; i < p->nr_fields; i++)
		if (!strcmp(p->fields[i].name, name))
			return &vals[i];
	return NULL;
}
