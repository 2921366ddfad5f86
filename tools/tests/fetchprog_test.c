// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of tools/lib/fetchprog.c: the ops a builder writes obey
 * the module's rules, and payloads decode back field by field; payloads
 * that do not match the program are refused, never over-read.
 */
#include <stdio.h>
#include <string.h>

#include "lib/fetchprog.h"

static int failures, nr;

#define CHECK(cond) do {						\
	nr++;								\
	if (!(cond)) {							\
		failures++;						\
		printf("not ok %d %s:%d %s\n", nr, __FILE__, __LINE__, #cond); \
	} else {							\
		printf("ok %d %s\n", nr, #cond);			\
	}								\
} while (0)

/* A Go mapassign_faststr-like program: goid, map count, string key. */
static void build(struct fprog *p)
{
	int g, m, kp, kl;

	fp_init(p);
	g = fp_reg(p, MAPWATCH_REG_X86_R14);
	fp_emit(p, "goid", fp_load(p, g, 152, 8, false), 8, false);
	m = fp_reg(p, MAPWATCH_REG_X86_BX);
	fp_emit(p, "map", m, 8, false);
	fp_emit(p, "count", fp_load(p, m, 0, 8, false), 8, false);
	kp = fp_reg(p, MAPWATCH_REG_X86_CX);
	kl = fp_reg(p, MAPWATCH_REG_X86_DI);
	fp_copy(p, "key", kp, kl, 32);
	fp_emit(p, "delta", fp_const(p, -3), 2, true);
}

int main(void)
{
	uint8_t payload[64], *b = payload;
	uint64_t goid = 7, map = 0xc000010000ULL, count = 41;
	uint16_t len = 5, delta = (uint16_t)-3;
	struct fp_value v[FP_MAX_FIELDS];
	struct fprog p;
	size_t n;

	printf("TAP version 13\n");
	build(&p);
	CHECK(p.error == NULL);
	CHECK(p.nr_fields == 5);
	CHECK(p.ops[0].code == MAPWATCH_FOP_REG && p.ops[0].src == MAPWATCH_REG_X86_R14);
	CHECK(p.ops[1].code == MAPWATCH_FOP_LOAD && p.ops[1].imm == 152 && p.ops[1].size == 8);

	memcpy(b, &goid, 8), b += 8;
	memcpy(b, &map, 8), b += 8;
	memcpy(b, &count, 8), b += 8;
	memcpy(b, &len, 2), b += 2;
	memcpy(b, "hello", 5), b += 5;
	memcpy(b, &delta, 2), b += 2;
	n = b - payload;
	CHECK(fp_decode(&p, payload, n, v) == 0);
	CHECK(fp_get(&p, v, "goid")->u == 7);
	CHECK(fp_get(&p, v, "map")->u == map);
	CHECK(fp_get(&p, v, "count")->u == 41);
	CHECK(fp_get(&p, v, "key")->len == 5 && !memcmp(fp_get(&p, v, "key")->bytes, "hello", 5));
	CHECK((int64_t)fp_get(&p, v, "delta")->u == -3);
	CHECK(fp_get(&p, v, "nothing") == NULL);

	/* Every truncation and one extra byte are refused. */
	for (size_t cut = 0; cut < n; cut++)
		if (fp_decode(&p, payload, cut, v) == 0)
			CHECK(!"a truncated payload decoded");
	CHECK(fp_decode(&p, payload, n + 1, v) == -1);
	/* A length above the field's max is refused. */
	len = 33;
	memcpy(payload + 24, &len, 2);
	CHECK(fp_decode(&p, payload, n, v) == -1);

	/* Builder misuse is reported, not encoded. */
	fp_init(&p);
	fp_emit(&p, "x", 3, 8, false);
	CHECK(p.error != NULL);
	fp_init(&p);
	fp_load(&p, fp_reg(&p, 0), 0, 3, false);
	CHECK(p.error != NULL);
	fp_init(&p);
	for (int i = 0; i < 9; i++)
		fp_const(&p, i);
	CHECK(p.error != NULL);
	fp_init(&p);
	fp_copy(&p, "k", fp_reg(&p, 0), -1, MAPWATCH_MAX_PAYLOAD + 1);
	CHECK(p.error != NULL);

	printf("1..%d\n", nr);
	return failures ? 1 : 0;
}
