/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/go/gostorage.h - the bytes a Go map's runtime structures hold,
 * from the header and type fields a probe fetched (and, for swiss maps,
 * the table sizes learnt from make and growth events).
 *
 * What is counted is the size of the structures, not of the malloc size
 * classes that hold them; the size classes matter only where the runtime
 * itself sizes an array to fill one (classic bucket arrays).
 *
 * classic: header (+ mapextra), the bucket array (2^B buckets plus the
 *   overflow buckets preallocated with it), the old array while growing,
 *   the overflow buckets made since the last growth outside the array
 *   (hmap.noverflow, exact below B = 16, the runtime's estimate above),
 *   and keys/elems over 128 bytes, stored as objects of their own.  Not
 *   counted: overflow buckets chained from the old array during a growth
 *   (the header does not count them; they go as evacuation proceeds).
 * swiss: the Map header, the directory (8 bytes per entry), each distinct
 *   table and its groups, or the one group of a small map, and the
 *   indirect keys/elems.
 */
#ifndef _MAPWATCHCTL_GOSTORAGE_H
#define _MAPWATCHCTL_GOSTORAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "go/gover.h"

/* A map type's facts, from the descriptor (abi.Type Size_/PtrBytes of key and elem). */
struct gostore_type {
	bool known;
	uint32_t bucket_size;		/* classic t.BucketSize */
	uint64_t group_size;		/* swiss t.GroupSize */
	uint64_t key_size, elem_size;	/* abi.Type.Size_ */
	uint64_t key_ptrbytes, elem_ptrbytes;
	uint32_t tflags;		/* classic t.Flags: 1 indirect key, 2 indirect elem */
};

/* Header fields, both implementations (the others' stay 0). */
struct gostore_hdr {
	uint64_t count;
	uint64_t seed;		/* hmap.hash0 / Map.seed: new at make and at clear */
	/* classic */
	uint8_t flags, B;
	uint16_t noverflow;
	uint64_t buckets, oldbuckets, extra, next_overflow;
	/* swiss */
	uint64_t dir_ptr, dir_len;
};

/* Swiss tables as learnt from events: at make, then growth. */
struct gostore_tables {
	bool known;		/* a make was seen (or the map is small) */
	bool estimated;		/* a clone's tables taken as all of table 0's size */
	uint64_t tables;	/* distinct tables */
	uint64_t capacity;	/* slots over all tables */
};

struct gostore_bytes {
	uint64_t bytes;
	bool estimated;		/* classic B >= 16, or estimated swiss tables */
};

/* The size-classed size mallocgc gives an object of @size bytes (Go 1.MINOR). */
uint64_t gostore_roundupsize(unsigned int minor, uint64_t size, bool noscan);

/* Buckets makeBucketArray allocates for 2^B, preallocated overflow included. */
uint64_t gostore_classic_nbuckets(unsigned int minor, unsigned int B, uint64_t bucket_size,
				  bool noscan);

/*
 * Parse a header copied from the map (@len bytes at @hdr) with @lay's
 * offsets.  Returns -1 if it is shorter than the layout's header.
 */
int gostore_parse_hdr(const struct gover_layout *lay, const uint8_t *hdr, unsigned int len,
		      struct gostore_hdr *out);

/*
 * Bytes held, from the header, the type and (swiss) the tables.  Returns
 * -1 when they cannot be known: the type was not seen yet and the map has
 * storage, or a swiss map's tables were never learnt.
 */
int gostore_bytes(unsigned int minor, const struct gover_layout *lay,
		  const struct gostore_type *ty, const struct gostore_hdr *h,
		  const struct gostore_tables *tabs, struct gostore_bytes *out);

/* Swiss growth steps: a small map's first table; a table's rehash. */
void gostore_swiss_to_table(struct gostore_tables *tabs);
void gostore_swiss_rehash(struct gostore_tables *tabs, uint64_t table_capacity);

#endif
