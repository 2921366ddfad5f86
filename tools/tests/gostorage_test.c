// SPDX-License-Identifier: GPL-2.0
/*
 * mapwatchctl's Go map storage arithmetic (tools/ctl/go/gostorage.c) on
 * figures worked out by hand from the runtime's rules, and on shapes the
 * Go fixture measured (selftests/go/mapfixture, 1.24 noswissmap and 1.27).
 * The end-to-end check, every op of every fixture, is selftests/go/run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "go/gostorage.h"

static int failures, checks;

#define EXPECT_EQ(what, got, want) do {						\
	unsigned long long g_ = (got), w_ = (want);				\
	checks++;								\
	if (g_ != w_) {								\
		failures++;							\
		fprintf(stderr, "FAIL %s:%d: %s = %llu, expected %llu\n",	\
			__FILE__, __LINE__, what, g_, w_);			\
	}									\
} while (0)

static void test_roundupsize(void)
{
	/* Size classes: 2448 -> 2688; past 32 KiB whole 8 KiB pages. */
	EXPECT_EQ("1.21 2448", gostore_roundupsize(21, 2448, false), 2688);
	EXPECT_EQ("1.21 8", gostore_roundupsize(21, 8, true), 8);
	EXPECT_EQ("1.21 33000", gostore_roundupsize(21, 33000, false), 40960);
	/* 1.22+: a scanned object over 512 bytes carries an 8-byte header. */
	EXPECT_EQ("1.22 2448 scan", gostore_roundupsize(22, 2448, false), 2680);
	EXPECT_EQ("1.22 2448 noscan", gostore_roundupsize(22, 2448, true), 2688);
	EXPECT_EQ("1.22 512 scan", gostore_roundupsize(22, 512, false), 512);
	EXPECT_EQ("1.22 2688 scan", gostore_roundupsize(22, 2688, false), 3064);
	EXPECT_EQ("1.27 32760 scan", gostore_roundupsize(27, 32760, false), 32760);
	EXPECT_EQ("1.27 32761 scan", gostore_roundupsize(27, 32761, false), 32768);
	EXPECT_EQ("1.27 40000", gostore_roundupsize(27, 40000, true), 40960);
}

static void test_nbuckets(void)
{
	/* B < 4: no preallocated overflow buckets. */
	EXPECT_EQ("B3", gostore_classic_nbuckets(24, 3, 144, true), 8);
	/* B 4, 144-byte buckets: 17 -> 2448 bytes -> class 2688 -> 18 (fixture). */
	EXPECT_EQ("B4 144", gostore_classic_nbuckets(24, 4, 144, true), 18);
	/* B 9, 272: 544 buckets, 147968 bytes, pages: 155648 / 272 = 572. */
	EXPECT_EQ("B9 272", gostore_classic_nbuckets(24, 9, 272, false), 572);
}

static const struct gover_layout *layout(unsigned int minor, enum gomap_impl impl)
{
	const struct gover_layout *l = gover_layout(minor, impl);

	if (!l) {
		fprintf(stderr, "FAIL: no layout for 1.%u\n", minor);
		exit(1);
	}
	return l;
}

static void test_classic(void)
{
	const struct gover_layout *lay = layout(24, GOMAP_CLASSIC);
	struct gostore_type ty = { .known = true, .bucket_size = 144, .key_size = 8,
				   .elem_size = 8 };
	struct gostore_hdr h = { 0 };
	struct gostore_tables none = { 0 };
	struct gostore_bytes b;
	uint8_t raw[64] = { 0 };

	/* makemap_small: the header alone, even with the type unknown. */
	struct gostore_type unknown = { 0 };

	EXPECT_EQ("empty ok", gostore_bytes(24, lay, &unknown, &h, &none, &b), 0);
	EXPECT_EQ("empty", b.bytes, 56);
	h.buckets = 0x1000;
	EXPECT_EQ("no type", gostore_bytes(24, lay, &unknown, &h, &none, &b), -1);

	/* The fixture's 1.24 noswissmap int64-hint100: B 4, mapextra, 2672 bytes. */
	h.B = 4;
	h.extra = 0x9000;
	h.next_overflow = h.buckets + 16 * 144;		/* none used */
	h.count = 1;
	EXPECT_EQ("hint100 ok", gostore_bytes(24, lay, &ty, &h, &none, &b), 0);
	EXPECT_EQ("hint100", b.bytes, 2672);
	/* Three overflow buckets made, one of them preallocated: two outside. */
	h.noverflow = 3;
	h.next_overflow = h.buckets + 17 * 144;
	gostore_bytes(24, lay, &ty, &h, &none, &b);
	EXPECT_EQ("overflow", b.bytes, 2672 + 2 * 144);
	EXPECT_EQ("exact", b.estimated, 0);
	/* All preallocated ones used: nextOverflow is nil. */
	h.noverflow = 5;
	h.next_overflow = 0;
	gostore_bytes(24, lay, &ty, &h, &none, &b);
	EXPECT_EQ("all used", b.bytes, 2672 + 3 * 144);
	/* A nextOverflow outside the array is not believed. */
	h.next_overflow = h.buckets + 40 * 144;
	gostore_bytes(24, lay, &ty, &h, &none, &b);
	EXPECT_EQ("odd nextOverflow", b.estimated, 1);
	/* Growing from B 3: the old array of 8 buckets too. */
	h.noverflow = 0;
	h.next_overflow = h.buckets + 16 * 144;
	h.oldbuckets = 0x5000;
	gostore_bytes(24, lay, &ty, &h, &none, &b);
	EXPECT_EQ("growing", b.bytes, 2672 + 8 * 144);
	h.flags = GOVER_HMAP_SAME_SIZE_GROW;
	gostore_bytes(24, lay, &ty, &h, &none, &b);
	EXPECT_EQ("same size", b.bytes, 2672 + 18 * 144);
	/* B 16: noverflow is the runtime's estimate. */
	h.flags = 0;
	h.oldbuckets = 0;
	h.B = 16;
	h.next_overflow = 0;
	gostore_bytes(24, lay, &ty, &h, &none, &b);
	EXPECT_EQ("B16 estimated", b.estimated, 1);

	/* Indirect elems (200-byte values): count x size; buckets hold pointers. */
	memset(&h, 0, sizeof(h));
	ty.elem_size = 200;
	ty.tflags = GOVER_CLASSIC_ELEM_INDIRECT;
	h.buckets = 0x1000;
	h.count = 1;
	gostore_bytes(24, lay, &ty, &h, &none, &b);
	EXPECT_EQ("bigelem", b.bytes, 56 + 144 + 200);

	/* The header as copied from the map, at the layout's offsets. */
	raw[lay->B] = 7;
	raw[lay->noverflow] = 2;
	raw[lay->count] = 5;
	EXPECT_EQ("parse short", gostore_parse_hdr(lay, raw, lay->hdr_size - 1, &h), -1);
	EXPECT_EQ("parse", gostore_parse_hdr(lay, raw, lay->hdr_size, &h), 0);
	EXPECT_EQ("parsed B", h.B, 7);
	EXPECT_EQ("parsed noverflow", h.noverflow, 2);
	EXPECT_EQ("parsed count", h.count, 5);
}

static void test_swiss(void)
{
	const struct gover_layout *lay = layout(27, GOMAP_SWISS);
	struct gostore_type ty = { .known = true, .group_size = 136, .key_size = 8,
				   .elem_size = 8 };
	struct gostore_tables tabs = { 0 };
	struct gostore_hdr h = { 0 };
	struct gostore_bytes b;
	uint64_t cap = 16;
	int i;

	/* The fixture's 1.27 small map: header + one group of 136 bytes. */
	h.dir_ptr = 0x1000;
	gostore_bytes(27, lay, &ty, &h, &tabs, &b);
	EXPECT_EQ("small", b.bytes, 184);
	/* A directory whose tables were never learnt: unknown. */
	h.dir_len = 1;
	EXPECT_EQ("unknown tables", gostore_bytes(27, lay, &ty, &h, &tabs, &b), -1);

	/* growToTable, then rehashes: 16 -> 32 -> ... -> 1024, then splits. */
	gostore_swiss_to_table(&tabs);
	for (i = 0; i < 6; i++, cap *= 2)
		gostore_swiss_rehash(&tabs, cap);
	EXPECT_EQ("grown capacity", tabs.capacity, 1024);
	EXPECT_EQ("one table", tabs.tables, 1);
	gostore_swiss_rehash(&tabs, 1024);	/* split: two tables of 1024 */
	gostore_swiss_rehash(&tabs, 1024);
	gostore_swiss_rehash(&tabs, 1024);
	EXPECT_EQ("split tables", tabs.tables, 4);
	EXPECT_EQ("split capacity", tabs.capacity, 4096);
	/* The fixture's grow/int64 (1.27): dirlen 4, 4 tables, 4096 slots, 69840 bytes. */
	h.dir_len = 4;
	gostore_bytes(27, lay, &ty, &h, &tabs, &b);
	EXPECT_EQ("grow/int64", b.bytes, 69840);
	/* Keys over 128 bytes are stored apart. */
	ty.key_size = 200;
	h.count = 3;
	gostore_bytes(27, lay, &ty, &h, &tabs, &b);
	EXPECT_EQ("indirect key", b.bytes, 69840 + 600);
}

int main(void)
{
	test_roundupsize();
	test_nbuckets();
	test_classic();
	test_swiss();
	printf("gostorage_test: %d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
