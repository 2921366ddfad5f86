/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mapwatch per-CPU ring core (producer and consumer halves).
 *
 * The same source builds in the kernel and in userspace (host unit tests
 * and benchmarks, with ring_shim_user.h standing in for the kernel's
 * primitives), so it touches nothing but the ring's three areas:
 *
 *   | consumer page (RW to the reader) | producer page | data area |
 *
 * One ring has one producer context at a time: the kernel writer runs with
 * interrupts off on the ring's own CPU.  What can still interrupt a writer
 * (an NMI, a probe on a function the writer calls; a signal handler in the
 * userspace build) finds the ring busy and counts the event in lost_nested,
 * a counter only such nested writers touch.  The consumer may run at any
 * time on any CPU.
 */
#ifndef _MAPWATCH_RING_H
#define _MAPWATCH_RING_H

#ifdef __KERNEL__
#include <linux/types.h>
#include <linux/compiler.h>
#include <asm/barrier.h>
#else
#include "ring_shim_user.h"
#endif
#include <linux/mapwatch.h>

#define MAPWATCH_REC_ALIGN	8
#define MAPWATCH_REC_MAX	(sizeof(struct mapwatch_rec_event) + MAPWATCH_MAX_PAYLOAD)

/* Bytes an event record with @payload bytes of payload takes in the ring. */
static inline u32 mapwatch_rec_len(u32 payload)
{
	u32 len = sizeof(struct mapwatch_rec_event) + payload;

	return (len + MAPWATCH_REC_ALIGN - 1) & ~(MAPWATCH_REC_ALIGN - 1);
}

struct mapwatch_ring {
	struct mapwatch_ring_consumer *cons;	/* reader-writable: never trusted */
	struct mapwatch_ring_producer *prod;	/* reader-readable */
	u8 *data;
	u64 mask;		/* data_size - 1 */
	u64 head;		/* reservation end, published at commit */
	u32 watermark;		/* unread bytes that ask for a wakeup */
	bool overwrite;
	int busy;		/* a writer is between reserve and commit */
};

void mapwatch_ring_init(struct mapwatch_ring *rb, void *cons_page, void *prod_page,
			void *data, u64 data_size, u32 cpu, u32 flags, u32 watermark);

/*
 * mapwatch_ring_reserve - reserve room for an event record
 * @rb:		this CPU's ring; the caller keeps the writer on this CPU
 *		(interrupts off) until mapwatch_ring_commit()
 * @payload:	payload bytes, at most MAPWATCH_MAX_PAYLOAD
 * @now:	timestamp for a LOST record written ahead of the event
 *
 * Returns the record, its header filled in and the rest to be written by
 * the caller; or NULL when the event is dropped (and counted: ring full or
 * ring busy).  A non-NULL return must be followed by mapwatch_ring_commit().
 */
struct mapwatch_rec_event *mapwatch_ring_reserve(struct mapwatch_ring *rb, u32 payload,
						 u64 now);

/*
 * mapwatch_ring_commit - publish what was reserved
 *
 * Returns true when the unread data reached the watermark: the caller
 * should make sure a reader wakeup is pending.
 */
bool mapwatch_ring_commit(struct mapwatch_ring *rb);

/*
 * mapwatch_ring_flush_lost - write a LOST record for unreported losses
 *
 * For a quiescent ring only (session disabled, no writer can run).
 * Returns true if nothing is left unreported.
 */
bool mapwatch_ring_flush_lost(struct mapwatch_ring *rb, u64 now);

/* Consumer half. */

/* Where a reader starts: its own position, or the tail in overwrite mode. */
u64 mapwatch_ring_read_start(const struct mapwatch_ring_producer *prod, u64 cons_pos);

/*
 * mapwatch_ring_next - find the next record at or after @pos, skipping PAD
 * @data, @data_size:	the data area
 * @pos:		in: a position; out: the position of the returned record
 * @end:		the producer position read with acquire semantics
 * @size:	out: the returned record's size, read once and checked
 *
 * Returns the record header, NULL when none is left before @end, or
 * ERR_REC when the stream is inconsistent (a bad position or size).
 *
 * Only *@size may be trusted: the header lies in memory a writer may reuse
 * meanwhile (overwrite mode, or a reader that moved cons_pos behind the
 * caller's back), so it must not be read again for a length.
 */
#define MAPWATCH_ERR_REC	((const struct mapwatch_rec_hdr *)1)
const struct mapwatch_rec_hdr *mapwatch_ring_next(const u8 *data, u64 data_size, u64 *pos,
						  u64 end, u32 *size);

#endif /* _MAPWATCH_RING_H */
