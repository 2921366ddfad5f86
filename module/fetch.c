// SPDX-License-Identifier: GPL-2.0
/*
 * Fetch programs: validated once at attach, run at every uprobe hit to
 * build the payload from registers and user memory.  The module does not
 * know what the values mean; mapwatchctl wrote the program and decodes it.
 */
#include <linux/kernel.h>
#include <linux/magic.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/uaccess.h>
#include <linux/userfaultfd_k.h>

#include "compat.h"
#include "internal.h"

static bool fop_size_ok(u8 size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* Checks one op; returns the payload bytes it may add, or -EINVAL. */
static int fop_check(const struct mapwatch_fetch_op *op)
{
	bool dst_var = op->dst < MAPWATCH_FETCH_VARS;
	bool src_var = op->src < MAPWATCH_FETCH_VARS;
	bool no_extra = !op->size && !op->flags && !op->max;

	switch (op->code) {
	case MAPWATCH_FOP_REG:
		return dst_var && op->src < MAPWATCH_NR_REGS && no_extra && !op->imm ? 0 : -EINVAL;
	case MAPWATCH_FOP_CONST:
	case MAPWATCH_FOP_PC:
		return dst_var && !op->src && no_extra ? 0 : -EINVAL;
	case MAPWATCH_FOP_ADD:
		return dst_var && src_var && no_extra ? 0 : -EINVAL;
	case MAPWATCH_FOP_LOAD:
		return dst_var && src_var && fop_size_ok(op->size) &&
		       !(op->flags & ~(MAPWATCH_FOPF_SIGNED | MAPWATCH_FOPF_QUIET)) &&
		       !op->max ? 0 : -EINVAL;
	case MAPWATCH_FOP_EMIT:
		return !op->dst && src_var && fop_size_ok(op->size) && !op->flags && !op->max &&
		       !op->imm ? op->size : -EINVAL;
	case MAPWATCH_FOP_COPY:
	case MAPWATCH_FOP_STR:
		if (!src_var || (!dst_var && op->dst != MAPWATCH_FETCH_NOVAR) || op->size ||
		    op->flags || !op->max || op->max > MAPWATCH_MAX_PAYLOAD)
			return -EINVAL;
		return sizeof(u16) + op->max;
	}
	return -EINVAL;
}

/*
 * mapwatch_fetch_prog_new - copy and validate a program
 *
 * Returns the program or an ERR_PTR: -EINVAL with *@bad_op set to the
 * first invalid op (or MAPWATCH_ALL_OPS_VALID when only the total payload
 * is too large), -EFAULT, -ENOMEM.
 */
struct mapwatch_fetch_prog *mapwatch_fetch_prog_new(u64 uops, u32 nr_ops, u32 *bad_op)
{
	struct mapwatch_fetch_prog *prog;
	u32 i, payload = 0;

	*bad_op = MAPWATCH_ALL_OPS_VALID;
	if (nr_ops > MAPWATCH_FETCH_MAX_OPS)
		return ERR_PTR(-EINVAL);
	prog = kzalloc(struct_size(prog, ops, nr_ops), GFP_KERNEL_ACCOUNT);
	if (!prog)
		return ERR_PTR(-ENOMEM);
	if (copy_from_user(prog->ops, u64_to_user_ptr(uops), nr_ops * sizeof(prog->ops[0]))) {
		kfree(prog);
		return ERR_PTR(-EFAULT);
	}
	for (i = 0; i < nr_ops; i++) {
		int n = fop_check(&prog->ops[i]);

		if (n < 0) {
			*bad_op = i;
			kfree(prog);
			return ERR_PTR(-EINVAL);
		}
		payload += n;
	}
	if (payload > MAPWATCH_MAX_PAYLOAD) {
		kfree(prog);
		return ERR_PTR(-EINVAL);
	}
	prog->nr_ops = nr_ops;
	prog->payload_max = payload;
	return prog;
}

/*
 * Reads at a hit never wait on userspace.  They are nofault reads first;
 * only a page that is not in the task's page tables is brought in, out of
 * the program's own pass (mapwatch_fetch_fault_in()), and only where that
 * waits on the kernel alone: not in a range registered with userfaultfd,
 * whose faults wait for the process's own handler thread, nor in a file
 * on FUSE, whose reads wait for a userspace daemon.  The uprobe core runs
 * the handlers inside what DETACH and close wait for (register_rwsem up
 * to 6.11, tasks-trace RCU since 6.12); such a page reads as a fault.
 * What get_user_pages() refuses is not faulted in either: a device's
 * mapping (VM_IO, VM_PFNMAP), whose fault handler is a driver's, and
 * memfd_secret() memory, which the kernel keeps out of its own reach.
 * (A page of those already mapped is read by the nofault pass, as
 * bpf_probe_read_user() reads it: no VMA is looked up at a hit.)
 */
static bool fop_vma_may_fault_in(struct vm_area_struct *vma)
{
	struct file *file = vma->vm_file;
	unsigned long magic = file ? file_inode(file)->i_sb->s_magic : 0;

	if (userfaultfd_armed(vma) || (vma->vm_flags & (VM_IO | VM_PFNMAP)))
		return false;
	return magic != FUSE_SUPER_MAGIC && magic != SECRETMEM_MAGIC;
}

/*
 * Fault the page at @addr in as the task's own read would; true if it is
 * readable now.  A read fault, not get_user_pages(): GUP finds a present
 * page whose entry is old and leaves the entry old (it marks the folio
 * accessed only), and an arm64 CPU without hardware access-flag updates
 * (Cortex-A53/A57/A72) faults on such an entry, so the nofault read after
 * it failed all the same.  Reclaim's aging leaves entries old, and so does
 * MADV_COLD (arm64 7.3 under qemu flagged every runtime.mapclear record of
 * one run a fault).  The fault makes the entry young.
 */
static bool fop_fault_in_page(unsigned long addr)
{
	struct mm_struct *mm = current->mm;
	struct vm_area_struct *vma;
	bool ok = false;

	if (!mm || mmap_read_lock_killable(mm))
		return false;
	vma = vma_lookup(mm, addr);
	/*
	 * The mmap lock is held across the fault (no @unlocked: the fault is
	 * not retried with the lock dropped): the VMA checked is the one
	 * faulted, and userfaultfd cannot register it meanwhile.
	 */
	if (vma && fop_vma_may_fault_in(vma))
		ok = !fixup_user_fault(mm, addr, 0, NULL);
	mmap_read_unlock(mm);
	return ok;
}

/* Every page of [@addr, @addr + @len). */
static bool fop_fault_in(u64 addr, u64 len)
{
	u64 page = addr & PAGE_MASK, end = addr + len;

	if (!len || end < addr)
		return false;
	for (; page < end; page += PAGE_SIZE)
		if (!fop_fault_in_page(page))
			return false;
	return true;
}

/*
 * Read user memory without faulting; with @fault_in, a miss brings the
 * pages in (as above) and reads once more.  Returns 0 or -EFAULT.
 */
static int fop_read(void *dst, u64 addr, size_t n, bool fault_in)
{
	const void __user *src = (const void __user *)(unsigned long)addr;

	if (!copy_from_user_nofault(dst, src, n))
		return 0;
	if (!fault_in || !fop_fault_in(addr, n))
		return -EFAULT;
	return copy_from_user_nofault(dst, src, n) ? -EFAULT : 0;
}

static bool fop_load(u64 addr, u8 size, bool sign, u64 *val, bool fault_in)
{
	union { u8 b; u16 h; u32 w; u64 d; } v;

	if (fop_read(&v, addr, size, fault_in)) {
		*val = 0;
		return false;
	}
	switch (size) {
	case 1:
		*val = sign ? (u64)(s8)v.b : v.b;
		break;
	case 2:
		*val = sign ? (u64)(s16)v.h : v.h;
		break;
	case 4:
		*val = sign ? (u64)(s32)v.w : v.w;
		break;
	default:
		*val = v.d;
	}
	return true;
}

/* The low @size bytes of @val, in the CPU's byte order, unaligned. */
static void fop_emit(u8 *out, u64 val, u8 size)
{
	u8 b = val;
	u16 h = val;
	u32 w = val;

	switch (size) {
	case 1:
		memcpy(out, &b, 1);
		break;
	case 2:
		memcpy(out, &h, 2);
		break;
	case 4:
		memcpy(out, &w, 4);
		break;
	default:
		memcpy(out, &val, 8);
	}
}

/* Bytes of a string scanned at a time by the fault-in pass. */
#define FOP_SCAN	64

/*
 * A NUL-terminated string of at most @max bytes (NUL included), read page
 * by page so bytes past the string's page are never touched.  Returns the
 * bytes copied to @dst; a page that cannot be read ends it and sets
 * *@fault.  With @dst NULL (the fault-in pass) the string is only walked,
 * FOP_SCAN bytes at a time, its pages brought in.
 */
static long fop_str(u8 *dst, u64 addr, u64 max, bool *fault)
{
	u8 scan[FOP_SCAN];
	u64 done = 0;

	while (done < max) {
		u64 chunk = min_t(u64, max - done, PAGE_SIZE - ((addr + done) & ~PAGE_MASK));
		u8 *to = dst ? dst + done : scan;
		u8 *nul;

		if (!dst)
			chunk = min_t(u64, chunk, FOP_SCAN);
		if (fop_read(to, addr + done, chunk, !dst)) {
			*fault = true;
			return done;
		}
		nul = memchr(to, 0, chunk);
		if (nul)
			return done + (nul - to) + 1;
		done += chunk;
	}
	return done;
}

/*
 * The user address an op reads: its variable plus its offset, untagged.
 * A tagged pointer (arm64's top byte, which the CPU ignores for the task
 * whatever its tagged-address ABI setting; x86 LAM) is read at its untagged
 * address, as copy_from_user_nofault() checks the address as given and
 * the fault-in looks the VMA up by it.  (So memory of an arm64 task with
 * MTE tag checks reads as a fault, as it did before; Go uses none.)
 */
static u64 fop_addr(const struct mapwatch_fetch_op *op, const u64 *var)
{
	return untagged_addr(var[op->src] + op->imm);
}

/* COPY and STR: a __u16 length, then the bytes.  @out NULL: fault-in pass. */
static u32 fop_copy(const struct mapwatch_fetch_op *op, const u64 *var, u8 *out, bool *fault)
{
	u64 addr = fop_addr(op, var);
	u64 want = op->max;
	long n;

	if (op->dst != MAPWATCH_FETCH_NOVAR)
		want = min_t(u64, var[op->dst], op->max);
	if (!want)
		n = 0;
	else if (op->code == MAPWATCH_FOP_STR)
		n = fop_str(out ? out + sizeof(u16) : NULL, addr, want, fault);
	else if (!out)
		n = fop_fault_in(addr, want) ? want : -EFAULT;
	else
		n = fop_read(out + sizeof(u16), addr, want, false) ? -EFAULT : want;
	if (n < 0) {
		*fault = true;
		n = 0;
	}
	if (out)
		fop_emit(out, n, sizeof(u16));
	return sizeof(u16) + n;
}

/*
 * One pass of @prog: into @out with nofault reads, or, with @out NULL,
 * the fault-in pass (nothing written; loads and strings read as needed to
 * follow the program's addresses, missing pages brought in).
 */
static u32 fetch_pass(const struct mapwatch_fetch_prog *prog, struct pt_regs *regs, u8 *out,
		      bool *fault)
{
	u64 var[MAPWATCH_FETCH_VARS] = {};
	u32 i, n = 0;

	for (i = 0; i < prog->nr_ops; i++) {
		const struct mapwatch_fetch_op *op = &prog->ops[i];

		switch (op->code) {
		case MAPWATCH_FOP_REG:
			var[op->dst] = mapwatch_reg_value(regs, op->src);
			break;
		case MAPWATCH_FOP_CONST:
			var[op->dst] = op->imm;
			break;
		case MAPWATCH_FOP_PC:
			var[op->dst] = instruction_pointer(regs) + op->imm;
			break;
		case MAPWATCH_FOP_ADD:
			var[op->dst] = var[op->src] + op->imm;
			break;
		case MAPWATCH_FOP_LOAD:
			if (!fop_load(fop_addr(op, var), op->size,
				      op->flags & MAPWATCH_FOPF_SIGNED, &var[op->dst], !out) &&
			    !(op->flags & MAPWATCH_FOPF_QUIET))
				*fault = true;
			break;
		case MAPWATCH_FOP_EMIT:
			if (out)
				fop_emit(out + n, var[op->src], op->size);
			n += op->size;
			break;
		case MAPWATCH_FOP_COPY:
		case MAPWATCH_FOP_STR:
			n += fop_copy(op, var, out ? out + n : NULL, fault);
			break;
		}
	}
	return n;
}

/*
 * mapwatch_fetch_run - run @prog at a hit, reading without faulting
 * @out:	room for prog->payload_max bytes
 *
 * Nothing here sleeps.  Returns the payload bytes written; sets *@fault if
 * a user read failed.
 */
u32 mapwatch_fetch_run(const struct mapwatch_fetch_prog *prog, struct pt_regs *regs, u8 *out,
		       bool *fault)
{
	return fetch_pass(prog, regs, out, fault);
}

NOKPROBE_SYMBOL(mapwatch_fetch_run);

/*
 * mapwatch_fetch_fault_in - bring in the pages a run of @prog missed
 *
 * For a caller that may sleep, after mapwatch_fetch_run() set its fault
 * flag: follows the program as the task's memory is now, faulting in what
 * is missing where that waits on the kernel only (above).  Returns true
 * if every read of the program succeeded now.
 */
bool mapwatch_fetch_fault_in(const struct mapwatch_fetch_prog *prog, struct pt_regs *regs)
{
	bool fault = false;

	might_sleep();
	fetch_pass(prog, regs, NULL, &fault);
	return !fault;
}

NOKPROBE_SYMBOL(mapwatch_fetch_fault_in);
