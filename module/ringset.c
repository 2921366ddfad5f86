// SPDX-License-Identifier: GPL-2.0
/*
 * a session's set of per-CPU rings (one ring: ring.c): allocation, mmap,
 * read().
 *
 * Each possible CPU gets one area that is, byte for byte, the mmap region
 * the ABI describes:
 *
 *   | consumer page | producer page | data pages ... |
 *   ^ cpu * stride
 *
 * Its pages are allocated one by one and mapped with vmap(VM_USERMAP), as
 * the BPF ring buffer does, rather than by vmalloc_user(): the size is the
 * caller's choice, so a failure is an ENOMEM for the caller and not a
 * warning with a stack dump in the kernel log (__GFP_NOWARN), and the
 * pages are charged to the caller's memory cgroup.
 */
#include <linux/cpumask.h>
#include <linux/log2.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include "compat.h"
#include "internal.h"

#define MAPWATCH_RING_GFP	(GFP_KERNEL_ACCOUNT | __GFP_ZERO | __GFP_NOWARN)

static void ring_area_free(struct mapwatch_cpu_ring *r)
{
	u32 i;

	if (r->area)
		vunmap(r->area);
	if (!r->pages)
		return;
	for (i = 0; i < r->nr_pages && r->pages[i]; i++)
		__free_page(r->pages[i]);
	kvfree(r->pages);
}

static int ring_area_alloc(struct mapwatch_cpu_ring *r, u32 nr_pages)
{
	u32 i;

	r->pages = kvcalloc(nr_pages, sizeof(*r->pages), MAPWATCH_RING_GFP);
	if (!r->pages)
		return -ENOMEM;
	r->nr_pages = nr_pages;
	for (i = 0; i < nr_pages; i++) {
		r->pages[i] = alloc_page(MAPWATCH_RING_GFP);
		if (!r->pages[i])
			return -ENOMEM;
	}
	/* VM_USERMAP: remap_vmalloc_range() maps it to userspace. */
	r->area = vmap(r->pages, nr_pages, VM_MAP | VM_USERMAP, PAGE_KERNEL);
	return r->area ? 0 : -ENOMEM;
}

struct mapwatch_ringset *mapwatch_ringset_alloc(const struct mapwatch_ring_config *cfg)
{
	size_t data_size = (size_t)cfg->data_pages << PAGE_SHIFT;
	struct mapwatch_ringset *rings;
	u32 watermark;
	int cpu;

	watermark = cfg->watermark ? cfg->watermark : data_size / 2;
	rings = kzalloc(struct_size(rings, cpu, nr_cpu_ids), GFP_KERNEL_ACCOUNT);
	if (!rings)
		return NULL;
	rings->nr = nr_cpu_ids;
	rings->flags = cfg->flags;
	rings->data_pages = cfg->data_pages;
	rings->watermark = watermark;
	rings->timer_ms = cfg->timer_ms ? cfg->timer_ms : MAPWATCH_DEFAULT_TIMER_MS;
	rings->stride = mapwatch_ringset_stride(cfg->data_pages);

	for_each_possible_cpu(cpu) {
		struct mapwatch_cpu_ring *r = &rings->cpu[cpu];

		if (ring_area_alloc(r, rings->stride >> PAGE_SHIFT))
			goto err_free_rings;
		mapwatch_ring_init(&r->rb, r->area, r->area + PAGE_SIZE, r->area + 2 * PAGE_SIZE,
				   data_size, cpu, cfg->flags, watermark);
	}
	return rings;

err_free_rings:
	mapwatch_ringset_free(rings);
	return NULL;
}

void mapwatch_ringset_free(struct mapwatch_ringset *rings)
{
	u32 cpu;

	if (!rings)
		return;
	for (cpu = 0; cpu < rings->nr; cpu++)
		ring_area_free(&rings->cpu[cpu]);
	kfree(rings);
}

/*
 * A mapping lies within one CPU's region.  Only a mapping of exactly the
 * consumer page may be writable; every other mapping loses VM_MAYWRITE so
 * mprotect() cannot make it writable later.
 */
int mapwatch_ringset_mmap(struct mapwatch_ringset *rings, struct vm_area_struct *vma)
{
	unsigned long len = vma->vm_end - vma->vm_start;
	u64 off = (u64)vma->vm_pgoff << PAGE_SHIFT;
	u64 cpu = div64_u64(off, rings->stride);
	u64 in = off - cpu * rings->stride;

	if (cpu >= rings->nr || !rings->cpu[cpu].area)
		return -EINVAL;
	if (len > rings->stride - in)
		return -EINVAL;
	if (vma->vm_flags & VM_WRITE) {
		if (in != 0 || len != PAGE_SIZE)
			return -EPERM;
		if (!(vma->vm_flags & VM_SHARED))
			return -EINVAL;
	} else if (in != 0 || len != PAGE_SIZE) {
		mapwatch_vma_clear_flags(vma, VM_MAYWRITE);
	}
	return remap_vmalloc_range(vma, rings->cpu[cpu].area, in >> PAGE_SHIFT);
}

static u64 ring_unread(const struct mapwatch_ring *rb)
{
	/* Pairs with smp_store_release() of prod_pos in the writer's commit. */
	u64 prod = smp_load_acquire(&rb->prod->prod_pos);
	u64 cons = mapwatch_ring_read_start(rb->prod, READ_ONCE(rb->cons->cons_pos));

	return prod - cons;
}

/*
 * Is anything unread (or, with @watermark, at least the watermark in one
 * ring)?  Rings in overwrite mode are read after disabling; they never ask
 * for a wakeup.
 */
bool mapwatch_ringset_unread(struct mapwatch_ringset *rings, bool watermark)
{
	u32 cpu;

	if (rings->flags & MAPWATCH_RING_OVERWRITE)
		return false;
	for (cpu = 0; cpu < rings->nr; cpu++) {
		u64 n;

		if (!rings->cpu[cpu].area)
			continue;
		n = ring_unread(&rings->cpu[cpu].rb);
		if (n && (!watermark || n >= rings->watermark))
			return true;
	}
	return false;
}

/* Is nothing left to read, in either mode?  For a stopped session. */
bool mapwatch_ringset_empty(struct mapwatch_ringset *rings)
{
	u32 cpu;

	for (cpu = 0; cpu < rings->nr; cpu++)
		if (rings->cpu[cpu].area && ring_unread(&rings->cpu[cpu].rb))
			return false;
	return true;
}

/*
 * Copy whole records of one ring; returns bytes copied, sets *@err to what
 * stopped it early (-EFAULT, -EIO; else 0) and *@short_buf when the next
 * record did not fit.
 *
 * cons_pos moves past exactly the records handed out, whatever ends the
 * loop: a copy that faults part-way hands that record out again at the
 * next read(), and none before it.  The size that bounds a copy is the
 * one mapwatch_ring_next() checked, never the header read again: the
 * bytes under it may be rewritten meanwhile by a producer (a reader
 * thread that moved cons_pos through the mapping), and the copy must
 * stay inside the ring.
 */
static size_t ring_read(struct mapwatch_ring *rb, char __user *buf, size_t count,
			bool *short_buf, int *err)
{
	u64 data_size = rb->mask + 1;
	u64 prod = smp_load_acquire(&rb->prod->prod_pos);	/* pairs with commit */
	u64 pos = mapwatch_ring_read_start(rb->prod, READ_ONCE(rb->cons->cons_pos));
	size_t done = 0;
	int ret = 0;

	for (;;) {
		const struct mapwatch_rec_hdr *hdr;
		u32 sz;

		hdr = mapwatch_ring_next(rb->data, data_size, &pos, prod, &sz);
		if (hdr == MAPWATCH_ERR_REC) {
			ret = -EIO;
			break;
		}
		if (!hdr)
			break;
		if (sz > count - done) {
			*short_buf = true;
			break;
		}
		if (copy_to_user(buf + done, hdr, sz)) {
			ret = -EFAULT;
			break;
		}
		done += sz;
		pos += sz;
	}
	if (done || !ret)
		/* Pairs with the producer's smp_load_acquire() of cons_pos. */
		smp_store_release(&rb->cons->cons_pos, pos);
	*err = ret;
	return done;
}

/*
 * read(): whole records, CPU by CPU, up to the first fault.  -EINVAL when
 * the buffer cannot hold the next record, so a caller never spins on a
 * zero-length read; an error only when nothing was copied.
 */
ssize_t mapwatch_ringset_read(struct mapwatch_ringset *rings, char __user *buf, size_t count)
{
	size_t done = 0;
	bool short_buf = false;
	int err = 0;
	u32 cpu;

	for (cpu = 0; cpu < rings->nr && !err; cpu++) {
		if (!rings->cpu[cpu].area)
			continue;
		done += ring_read(&rings->cpu[cpu].rb, buf + done, count - done, &short_buf, &err);
	}
	if (done)
		return done;
	if (err)
		return err;
	return short_buf ? -EINVAL : 0;
}

/* Session disabled, no writer left: report every loss in the stream. */
void mapwatch_ringset_flush_lost(struct mapwatch_ringset *rings)
{
	u64 now = ktime_get_mono_fast_ns();
	u32 cpu;

	for (cpu = 0; cpu < rings->nr; cpu++)
		if (rings->cpu[cpu].area)
			mapwatch_ring_flush_lost(&rings->cpu[cpu].rb, now);
}

static void counters_add(struct mapwatch_counters *c, const struct mapwatch_ring_producer *p)
{
	u64 written = READ_ONCE(p->written);
	u64 full = READ_ONCE(p->lost_full);
	u64 nested = READ_ONCE(p->lost_nested);

	c->produced += written + full + nested;
	c->written += written;
	c->lost_full += full;
	c->lost_nested += nested;
	c->lost_overwritten += READ_ONCE(p->lost_overwritten);
	c->lost_reported += READ_ONCE(p->lost_reported);
}

void mapwatch_ringset_counters(struct mapwatch_ringset *rings, u32 cpu, struct mapwatch_counters *c)
{
	u32 i;

	for (i = 0; i < rings->nr; i++)
		if (rings->cpu[i].area && (cpu == MAPWATCH_ALL_CPUS || cpu == i))
			counters_add(c, rings->cpu[i].rb.prod);
}
