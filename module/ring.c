// SPDX-License-Identifier: GPL-2.0
/*
 * mapwatch per-CPU ring core.  See ring.h for the model.
 *
 * Producer state that only the writer needs (head, busy) lives in
 * struct mapwatch_ring; what the reader needs lives in the producer page.
 * Positions only grow; a record's bytes sit at (pos & mask) and never wrap,
 * a PAD record fills the end of the data area instead.
 */
#ifdef __KERNEL__
#include <linux/kernel.h>
#include <linux/kprobes.h>
#include <linux/string.h>
#endif
#include "ring.h"

void mapwatch_ring_init(struct mapwatch_ring *rb, void *cons_page, void *prod_page,
			void *data, u64 data_size, u32 cpu, u32 flags, u32 watermark)
{
	rb->cons = cons_page;
	rb->prod = prod_page;
	rb->data = data;
	rb->mask = data_size - 1;
	rb->head = 0;
	rb->watermark = watermark;
	rb->overwrite = flags & MAPWATCH_RING_OVERWRITE;
	rb->busy = 0;
	rb->cons->cons_pos = 0;
	memset(rb->prod, 0, sizeof(*rb->prod));
	rb->prod->data_size = data_size;
	rb->prod->cpu = cpu;
	rb->prod->flags = flags;
}

static inline void ring_inc(u64 *counter)
{
	WRITE_ONCE(*counter, READ_ONCE(*counter) + 1);
}

/*
 * Overwrite mode: move the tail past the oldest records until @end fits.
 * Every record between tail and head is complete: this writer wrote it.
 */
static void __ring_make_room(struct mapwatch_ring *rb, u64 end)
{
	struct mapwatch_ring_producer *prod = rb->prod;
	u64 size = rb->mask + 1;
	u64 tail = prod->tail_pos;

	while (end - tail > size) {
		const struct mapwatch_rec_hdr *hdr = (const void *)(rb->data + (tail & rb->mask));
		u32 sz = hdr->size;

		if (unlikely(sz < sizeof(*hdr) || sz % MAPWATCH_REC_ALIGN || sz > size)) {
			/* Cannot happen: only this writer writes the data area. */
			tail = end - size;
			break;
		}
		if (hdr->type == MAPWATCH_REC_EVENT)
			ring_inc(&prod->lost_overwritten);
		tail += sz;
	}
	WRITE_ONCE(prod->tail_pos, tail);
}

/*
 * Find @len contiguous bytes at the head, padding to the end of the data
 * area if needed.  Returns the record's offset in the data area, or -1 if
 * the reader has not freed enough (discard mode).
 */
static s64 __ring_alloc(struct mapwatch_ring *rb, u32 len, u64 cons)
{
	u64 size = rb->mask + 1;
	u64 head = rb->head;
	u64 off = head & rb->mask;
	u64 pad = off + len > size ? size - off : 0;
	u64 end = head + pad + len;

	if (rb->overwrite)
		__ring_make_room(rb, end);
	else if (end - cons > size)
		return -1;

	if (pad) {
		struct mapwatch_rec_hdr *hdr = (void *)(rb->data + off);

		hdr->type = MAPWATCH_REC_PAD;
		hdr->flags = 0;
		hdr->size = pad;
	}
	rb->head = end;
	return (head + pad) & rb->mask;
}

/* Report losses not yet covered by a LOST record, if there is room. */
static void __ring_write_lost(struct mapwatch_ring *rb, u64 cons, u64 now)
{
	struct mapwatch_ring_producer *prod = rb->prod;
	u64 lost = READ_ONCE(prod->lost_full) + READ_ONCE(prod->lost_nested) -
		   prod->lost_reported;
	struct mapwatch_rec_lost *rec;
	s64 off;

	if (likely(!lost))
		return;
	off = __ring_alloc(rb, sizeof(*rec), cons);
	if (off < 0)
		return;
	rec = (void *)(rb->data + off);
	rec->hdr.type = MAPWATCH_REC_LOST;
	rec->hdr.flags = 0;
	rec->hdr.size = sizeof(*rec);
	rec->time_ns = now;
	rec->lost = lost;
	rec->cpu = prod->cpu;
	rec->__reserved = 0;
	WRITE_ONCE(prod->lost_reported, prod->lost_reported + lost);
}

/* Start a write: claim the ring against nested writers. */
static bool __ring_begin(struct mapwatch_ring *rb)
{
	if (READ_ONCE(rb->busy)) {
		/* Only nested writers touch lost_nested: no lost update. */
		ring_inc(&rb->prod->lost_nested);
		return false;
	}
	WRITE_ONCE(rb->busy, 1);
	barrier();
	rb->head = rb->prod->prod_pos;
	return true;
}

static void __ring_end(struct mapwatch_ring *rb)
{
	if (rb->head != rb->prod->prod_pos)
		/* Pairs with the reader's smp_load_acquire() of prod_pos. */
		smp_store_release(&rb->prod->prod_pos, rb->head);
	barrier();
	WRITE_ONCE(rb->busy, 0);
}

struct mapwatch_rec_event *mapwatch_ring_reserve(struct mapwatch_ring *rb, u32 payload,
						 u64 now)
{
	u32 len = mapwatch_rec_len(payload);
	struct mapwatch_rec_event *rec;
	u64 cons;
	s64 off;

	if (!__ring_begin(rb))
		return NULL;
	/*
	 * Pairs with the reader's smp_store_release() of cons_pos: the bytes
	 * below it have been read and may be overwritten.
	 */
	cons = smp_load_acquire(&rb->cons->cons_pos);
	__ring_write_lost(rb, cons, now);
	off = __ring_alloc(rb, len, cons);
	if (off < 0) {
		ring_inc(&rb->prod->lost_full);
		__ring_end(rb);		/* a LOST record may have been written */
		return NULL;
	}
	rec = (void *)(rb->data + off);
	rec->hdr.type = MAPWATCH_REC_EVENT;
	rec->hdr.flags = 0;
	rec->hdr.size = len;
	rec->time_ns = now;
	rec->cpu = (u16)rb->prod->cpu;
	rec->payload_size = (u16)payload;
	/* Zero the alignment tail so no stale bytes follow the payload. */
	memset((u8 *)rec + sizeof(*rec) + payload, 0, len - sizeof(*rec) - payload);
	return rec;
}

NOKPROBE_SYMBOL(mapwatch_ring_reserve);

bool mapwatch_ring_commit(struct mapwatch_ring *rb)
{
	ring_inc(&rb->prod->written);
	__ring_end(rb);
	if (rb->overwrite)
		return false;
	return rb->head - READ_ONCE(rb->cons->cons_pos) >= rb->watermark;
}

NOKPROBE_SYMBOL(mapwatch_ring_commit);

bool mapwatch_ring_flush_lost(struct mapwatch_ring *rb, u64 now)
{
	struct mapwatch_ring_producer *prod = rb->prod;

	if (!__ring_begin(rb))
		return false;
	/* Pairs with the reader's smp_store_release() of cons_pos. */
	__ring_write_lost(rb, smp_load_acquire(&rb->cons->cons_pos), now);
	__ring_end(rb);
	return prod->lost_full + prod->lost_nested == prod->lost_reported;
}

u64 mapwatch_ring_read_start(const struct mapwatch_ring_producer *prod, u64 cons_pos)
{
	u64 tail;

	if (!(prod->flags & MAPWATCH_RING_OVERWRITE))
		return cons_pos;
	tail = READ_ONCE(prod->tail_pos);
	return (s64)(tail - cons_pos) > 0 ? tail : cons_pos;
}

const struct mapwatch_rec_hdr *mapwatch_ring_next(const u8 *data, u64 data_size, u64 *pos,
						  u64 end, u32 *size)
{
	u64 mask = data_size - 1;

	while (*pos != end) {
		const struct mapwatch_rec_hdr *hdr;
		u64 off = *pos & mask;
		u32 sz;

		if (end - *pos > data_size || *pos % MAPWATCH_REC_ALIGN)
			return MAPWATCH_ERR_REC;
		hdr = (const void *)(data + off);
		sz = READ_ONCE(hdr->size);
		if (sz < sizeof(*hdr) || sz % MAPWATCH_REC_ALIGN || sz > end - *pos ||
		    off + sz > data_size)
			return MAPWATCH_ERR_REC;
		if (READ_ONCE(hdr->type) != MAPWATCH_REC_PAD) {
			*size = sz;
			return hdr;
		}
		*pos += sz;
	}
	return NULL;
}
