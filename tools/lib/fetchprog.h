/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Fetch programs from mapwatchctl's side: build one while naming the
 * fields it emits, then decode the payloads the module records with the
 * same description.
 */
#ifndef _MAPWATCHCTL_FETCHPROG_H
#define _MAPWATCHCTL_FETCHPROG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/mapwatch.h>

#define FP_MAX_FIELDS	16

enum fp_kind {
	FP_UINT,	/* EMIT of 1, 2, 4 or 8 bytes */
	FP_INT,		/* the same, sign-extended when decoded */
	FP_BYTES,	/* COPY: __u16 length + bytes */
	FP_STR,		/* STR: __u16 length + bytes, NUL included when found */
};

struct fp_field {
	const char *name;
	enum fp_kind kind;
	uint8_t size;		/* FP_UINT, FP_INT */
	uint16_t max;		/* FP_BYTES, FP_STR */
};

struct fprog {
	struct mapwatch_fetch_op ops[MAPWATCH_FETCH_MAX_OPS];
	unsigned int nr_ops;
	struct fp_field fields[FP_MAX_FIELDS];
	unsigned int nr_fields;
	uint32_t vars;		/* bit i: variable i holds a value */
	const char *error;	/* first misuse of the builder, or NULL */
};

/* Builders return a variable index (or -1 after an error, kept in p->error). */
void fp_init(struct fprog *p);
int fp_reg(struct fprog *p, unsigned int reg);
int fp_const(struct fprog *p, int64_t value);
int fp_pc(struct fprog *p, int64_t offset);
int fp_add(struct fprog *p, int var, int64_t value);
int fp_load(struct fprog *p, int var, int64_t offset, unsigned int size, bool is_signed);
/* A load whose fault reads 0 and does not flag the record (ABI 1.2). */
int fp_load_quiet(struct fprog *p, int var, int64_t offset, unsigned int size);
void fp_emit(struct fprog *p, const char *name, int var, unsigned int size, bool is_signed);
/* len_var < 0: copy max bytes. */
void fp_copy(struct fprog *p, const char *name, int addr_var, int len_var, unsigned int max);
/* @len bytes at var + @offset. */
void fp_copy_at(struct fprog *p, const char *name, int addr_var, int64_t offset,
		unsigned int len);
void fp_str(struct fprog *p, const char *name, int addr_var, unsigned int max);
/* Variable @var may be reused by the next op that needs one. */
void fp_free(struct fprog *p, int var);

/* A decoded field: an integer, or bytes pointing into the payload. */
struct fp_value {
	const struct fp_field *field;
	uint64_t u;		/* FP_UINT; FP_INT as two's complement */
	const uint8_t *bytes;	/* FP_BYTES, FP_STR */
	uint16_t len;
};

/*
 * Decode @payload into @out (p->nr_fields entries).  Returns 0, or -1 if
 * the payload does not match the program (too short, a length above its
 * field's max, bytes left over).
 */
int fp_decode(const struct fprog *p, const void *payload, size_t size, struct fp_value *out);
/* The value of the field called @name, or NULL. */
const struct fp_value *fp_get(const struct fprog *p, const struct fp_value *vals,
			      const char *name);

#endif
