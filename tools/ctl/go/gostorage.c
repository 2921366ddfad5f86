// SPDX-License-Identifier: GPL-2.0
/*
 * The bytes a Go map holds (gostorage.h says what is counted), computed
 * the way the runtime sizes the structures: makeBucketArray (classic),
 * NewMap/newTable/growToTable/rehash (swiss), roundupsize (malloc).
 */
#include <string.h>

#include "go/gostorage.h"

uint64_t gostore_roundupsize(unsigned int minor, uint64_t size, bool noscan)
{
	uint64_t req = size;
	unsigned int i;

	if (minor >= GOVER_MALLOC_HEADERS_MINOR) {
		if (req > GOVER_MAX_SMALL_SIZE - GOVER_MALLOC_HEADER_SIZE)
			goto large;
		if (!noscan && req > GOVER_MALLOC_HEADER_MIN)
			req += GOVER_MALLOC_HEADER_SIZE;
	} else if (req >= GOVER_MAX_SMALL_SIZE) {
		goto large;
	}
	for (i = 0; i < gover_nr_size_classes; i++)
		if (gover_size_classes[i] >= req)
			return gover_size_classes[i] - (req - size);
large:
	if (size + GOVER_PAGE_SIZE - 1 < size)
		return size;
	return (size + GOVER_PAGE_SIZE - 1) & ~(uint64_t)(GOVER_PAGE_SIZE - 1);
}

uint64_t gostore_classic_nbuckets(unsigned int minor, unsigned int B, uint64_t bucket_size,
				  bool noscan)
{
	uint64_t n = 1ull << B, size, up;

	if (B < 4 || !bucket_size)
		return n;
	n += 1ull << (B - 4);
	size = n * bucket_size;
	up = gostore_roundupsize(minor, size, noscan);
	return up != size ? up / bucket_size : n;
}

static uint64_t gs_get(const uint8_t *p, int off, unsigned int size)
{
	uint64_t v = 0;

	/* Little-endian on both architectures Go maps are traced on. */
	memcpy(&v, p + off, size);
	return v;
}

int gostore_parse_hdr(const struct gover_layout *lay, const uint8_t *hdr, unsigned int len,
		      struct gostore_hdr *out)
{
	memset(out, 0, sizeof(*out));
	if (len < lay->hdr_size)
		return -1;
	out->count = gs_get(hdr, lay->count, 8);
	if (lay->impl == GOMAP_CLASSIC) {
		out->flags = gs_get(hdr, lay->flags, 1);
		out->B = gs_get(hdr, lay->B, 1);
		out->noverflow = gs_get(hdr, lay->noverflow, 2);
		out->buckets = gs_get(hdr, lay->buckets, 8);
		out->oldbuckets = gs_get(hdr, lay->oldbuckets, 8);
		out->extra = gs_get(hdr, lay->extra, 8);
		out->seed = gs_get(hdr, lay->hash0, 4);
	} else {
		out->seed = gs_get(hdr, lay->seed, 8);
		out->dir_ptr = gs_get(hdr, lay->dir_ptr, 8);
		out->dir_len = gs_get(hdr, lay->dir_len, 8);
	}
	return 0;
}

static uint64_t gs_indirect(const struct gostore_type *ty, uint64_t count, bool key, bool elem)
{
	return (key ? count * ty->key_size : 0) + (elem ? count * ty->elem_size : 0);
}

static int gs_classic(unsigned int minor, const struct gover_layout *lay,
		      const struct gostore_type *ty, const struct gostore_hdr *h,
		      struct gostore_bytes *out)
{
	uint64_t bs = ty->bucket_size, base, nb, prealloc, used, outside = 0, total;
	bool noscan;

	total = lay->hdr_size + (h->extra ? GOVER_MAPEXTRA_SIZE : 0);
	if (!h->buckets && !h->oldbuckets) {
		out->bytes = total;	/* no bucket yet (make without hint, or hint <= 8) */
		return 0;
	}
	if (!ty->known || !bs)
		return -1;
	noscan = !(ty->tflags & (GOVER_CLASSIC_KEY_INDIRECT | GOVER_CLASSIC_ELEM_INDIRECT)) &&
		 !ty->key_ptrbytes && !ty->elem_ptrbytes;
	if (h->buckets) {
		base = 1ull << h->B;
		nb = gostore_classic_nbuckets(minor, h->B, bs, noscan);
		prealloc = nb - base;
		/* nextOverflow: the next unused preallocated bucket; nil once all are used. */
		used = prealloc;
		if (!h->extra) {
			used = 0;
		} else if (h->next_overflow) {
			uint64_t first = h->buckets + base * bs, end = h->buckets + nb * bs;

			if (h->next_overflow < first || h->next_overflow > end ||
			    (h->next_overflow - first) % bs)
				out->estimated = true;
			else
				used = (h->next_overflow - first) / bs;
		}
		if (h->noverflow > used)
			outside = h->noverflow - used;
		if (h->B >= GOVER_CLASSIC_NOVERFLOW_EXACT_B)
			out->estimated = true;
		total += (nb + outside) * bs;
	}
	if (h->oldbuckets) {
		unsigned int oldB = h->flags & GOVER_HMAP_SAME_SIZE_GROW || !h->B ? h->B : h->B - 1;

		total += gostore_classic_nbuckets(minor, oldB, bs, noscan) * bs;
	}
	total += gs_indirect(ty, h->count, ty->tflags & GOVER_CLASSIC_KEY_INDIRECT,
			     ty->tflags & GOVER_CLASSIC_ELEM_INDIRECT);
	out->bytes = total;
	return 0;
}

static int gs_swiss(const struct gover_layout *lay, const struct gostore_type *ty,
		    const struct gostore_hdr *h, const struct gostore_tables *tabs,
		    struct gostore_bytes *out)
{
	uint64_t total = lay->hdr_size;

	if (!h->dir_ptr) {
		out->bytes = total;	/* no group yet */
		return 0;
	}
	if (!ty->known || !ty->group_size)
		return -1;
	if (!h->dir_len) {
		total += ty->group_size;	/* a small map: one group */
	} else {
		if (!tabs->known)
			return -1;
		out->estimated = tabs->estimated;
		total += h->dir_len * 8 + tabs->tables * GOVER_SWISS_TABLE_SIZE +
			 tabs->capacity / GOVER_SWISS_GROUP_SLOTS * ty->group_size;
	}
	total += gs_indirect(ty, h->count, ty->key_size > GOVER_MAX_INLINE_BYTES,
			     ty->elem_size > GOVER_MAX_INLINE_BYTES);
	out->bytes = total;
	return 0;
}

int gostore_bytes(unsigned int minor, const struct gover_layout *lay,
		  const struct gostore_type *ty, const struct gostore_hdr *h,
		  const struct gostore_tables *tabs, struct gostore_bytes *out)
{
	memset(out, 0, sizeof(*out));
	if (lay->impl == GOMAP_CLASSIC)
		return gs_classic(minor, lay, ty, h, out);
	return gs_swiss(lay, ty, h, tabs, out);
}

void gostore_swiss_to_table(struct gostore_tables *tabs)
{
	/* growToTable: newTable(typ, 2*abi.MapGroupSlots, 0, 0) */
	tabs->known = true;
	tabs->estimated = false;
	tabs->tables = 1;
	tabs->capacity = 2 * GOVER_SWISS_GROUP_SLOTS;
}

void gostore_swiss_rehash(struct gostore_tables *tabs, uint64_t table_capacity)
{
	/* rehash: grow to twice the capacity, or split a full-size table in two */
	if (2 * table_capacity <= GOVER_SWISS_MAX_TABLE_CAPACITY) {
		tabs->capacity += table_capacity;
	} else {
		tabs->tables++;
		tabs->capacity += 2 * GOVER_SWISS_MAX_TABLE_CAPACITY - table_capacity;
	}
}
