/* SPDX-License-Identifier: GPL-2.0 */
/*
 * every kernel-version and architecture difference the
 * module depends on, in one place.  Code elsewhere calls these wrappers and
 * never tests LINUX_VERSION_CODE itself.
 */
#ifndef _MAPWATCH_COMPAT_H
#define _MAPWATCH_COMPAT_H

#include <linux/version.h>
#include <linux/mm.h>
#include <linux/ptrace.h>
#include <linux/ring_buffer.h>
#include <linux/sched/coredump.h>
#include <linux/uprobes.h>
#include <net/genetlink.h>
#include <linux/mapwatch.h>

/* vm_flags became read-only behind helpers in 6.3. */
static inline void mapwatch_vma_clear_flags(struct vm_area_struct *vma, vm_flags_t flags)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 3, 0)
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * Syscall entry points as kprobe targets: the name of the wrapper that the
 * syscall table calls for a native task.
 */
#if defined(CONFIG_X86_64)
#define MAPWATCH_SYSCALL_SYM(name)	"__x64_sys_" #name
#elif defined(CONFIG_ARM64)
#define MAPWATCH_SYSCALL_SYM(name)	"__arm64_sys_" #name
#endif

/*
 * Uprobes: three API shapes.
 *   <= 6.11  uprobe_register_refctr(inode, off, ref, uc) returns int;
 *            uprobe_unregister(inode, off, uc) waits for handlers;
 *            filter(uc, ctx, mm); handler(uc, regs)
 *   6.12     uprobe_register() returns struct uprobe *;
 *            uprobe_unregister_nosync() + uprobe_unregister_sync();
 *            filter(uc, mm)
 * uprobe_apply() is not exported on any of them.
 *   >= 6.13  handler(uc, regs, data)
 */
struct mapwatch_uprobe_reg {
	struct inode *inode;
	loff_t offset;
	loff_t ref_ctr_offset;
	struct uprobe *uprobe;		/* 6.12+ */
};

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 13, 0)
#define MAPWATCH_UPROBE_HANDLER_ARGS	struct uprobe_consumer *uc, struct pt_regs *regs, \
					__u64 *data
#else
#define MAPWATCH_UPROBE_HANDLER_ARGS	struct uprobe_consumer *uc, struct pt_regs *regs
#endif

#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 12, 0)
#define MAPWATCH_UPROBE_FILTER_ARGS	struct uprobe_consumer *uc, struct mm_struct *mm

static inline int mapwatch_uprobe_register(struct mapwatch_uprobe_reg *r,
					   struct uprobe_consumer *uc)
{
	struct uprobe *up = uprobe_register(r->inode, r->offset, r->ref_ctr_offset, uc);

	if (IS_ERR(up))
		return PTR_ERR(up);
	r->uprobe = up;
	return 0;
}

/*
 * Unregister without waiting for handlers; mapwatch_uprobe_sync() waits for
 * all such: a session's teardown waits once, not once per probe.
 */
static inline void mapwatch_uprobe_unregister_nosync(struct mapwatch_uprobe_reg *r,
						     struct uprobe_consumer *uc)
{
	uprobe_unregister_nosync(r->uprobe, uc);
}

static inline void mapwatch_uprobe_sync(void)
{
	uprobe_unregister_sync();
}

#else
#define MAPWATCH_UPROBE_FILTER_ARGS	struct uprobe_consumer *uc, \
					enum uprobe_filter_ctx ctx, struct mm_struct *mm

static inline int mapwatch_uprobe_register(struct mapwatch_uprobe_reg *r,
					   struct uprobe_consumer *uc)
{
	return uprobe_register_refctr(r->inode, r->offset, r->ref_ctr_offset, uc);
}

/* This one already waits for the handlers (register_rwsem). */
static inline void mapwatch_uprobe_unregister_nosync(struct mapwatch_uprobe_reg *r,
						     struct uprobe_consumer *uc)
{
	uprobe_unregister(r->inode, r->offset, uc);
}

static inline void mapwatch_uprobe_sync(void)
{
}

#endif

/* Returns once no handler of @uc runs. */
static inline void mapwatch_uprobe_unregister(struct mapwatch_uprobe_reg *r,
					      struct uprobe_consumer *uc)
{
	mapwatch_uprobe_unregister_nosync(r, uc);
	mapwatch_uprobe_sync();
}

/*
 * Fetch-program registers: where the register with this UAPI index lives in
 * @regs (the index is checked when the program is validated).
 */
#if defined(CONFIG_X86_64)
#define MAPWATCH_NR_REGS	MAPWATCH_REG_X86_NR

static inline unsigned long *mapwatch_reg_slot(struct pt_regs *regs, unsigned int idx)
{
	static const unsigned short off[MAPWATCH_REG_X86_NR] = {
		[MAPWATCH_REG_X86_AX] = offsetof(struct pt_regs, ax),
		[MAPWATCH_REG_X86_BX] = offsetof(struct pt_regs, bx),
		[MAPWATCH_REG_X86_CX] = offsetof(struct pt_regs, cx),
		[MAPWATCH_REG_X86_DX] = offsetof(struct pt_regs, dx),
		[MAPWATCH_REG_X86_SI] = offsetof(struct pt_regs, si),
		[MAPWATCH_REG_X86_DI] = offsetof(struct pt_regs, di),
		[MAPWATCH_REG_X86_BP] = offsetof(struct pt_regs, bp),
		[MAPWATCH_REG_X86_SP] = offsetof(struct pt_regs, sp),
		[MAPWATCH_REG_X86_R8] = offsetof(struct pt_regs, r8),
		[MAPWATCH_REG_X86_R9] = offsetof(struct pt_regs, r9),
		[MAPWATCH_REG_X86_R10] = offsetof(struct pt_regs, r10),
		[MAPWATCH_REG_X86_R11] = offsetof(struct pt_regs, r11),
		[MAPWATCH_REG_X86_R12] = offsetof(struct pt_regs, r12),
		[MAPWATCH_REG_X86_R13] = offsetof(struct pt_regs, r13),
		[MAPWATCH_REG_X86_R14] = offsetof(struct pt_regs, r14),
		[MAPWATCH_REG_X86_R15] = offsetof(struct pt_regs, r15),
		[MAPWATCH_REG_X86_IP] = offsetof(struct pt_regs, ip),
	};

	return (unsigned long *)((char *)regs + off[idx]);
}
#elif defined(CONFIG_ARM64)
#define MAPWATCH_NR_REGS	MAPWATCH_REG_ARM64_NR

static inline unsigned long *mapwatch_reg_slot(struct pt_regs *regs, unsigned int idx)
{
	if (idx < 31)
		return (unsigned long *)&regs->regs[idx];
	return (unsigned long *)(idx == MAPWATCH_REG_ARM64_SP ? &regs->sp : &regs->pc);
}
#else
#define MAPWATCH_NR_REGS	0	/* uprobes unsupported on this architecture */

static inline unsigned long *mapwatch_reg_slot(struct pt_regs *regs, unsigned int idx)
{
	return NULL;
}
#endif

static inline unsigned long mapwatch_reg_value(struct pt_regs *regs, unsigned int idx)
{
	unsigned long *slot = mapwatch_reg_slot(regs, idx);

	return slot ? *slot : 0;
}

/*
 * Uprobe handlers run in the traced task, in process context, where they
 * may sleep: up to 6.11 under the uprobe's register_rwsem (read), from
 * 6.12 under tasks-trace RCU, which allows sleeping (sleepable BPF relies
 * on it).  Checked at run time by might_sleep() in the debug tier.
 */
#define MAPWATCH_UPROBE_HANDLER_MAY_SLEEP	1

/* The ftrace ring buffer's commit stopped taking the event in 6.2. */
static inline int mapwatch_rb_unlock_commit(struct trace_buffer *buffer,
					    struct ring_buffer_event *event)
{
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
	return ring_buffer_unlock_commit(buffer);
#else
	return ring_buffer_unlock_commit(buffer, event);
#endif
}

/*
 * Is the process using @mm dumpable by its own user, as ptrace requires of
 * an unprivileged tracer?  Up to 6.x the mm holds it (get_dumpable(), seen
 * on 6.1 and 6.12); 7.x keeps it in a task_exec_state whose accessor
 * (task_exec_state_get_dumpable(), seen on 7.3) is not exported, so only
 * the credential comparison in session.c remains there.  Gated by version,
 * not by whether SUID_DUMP_USER happens to be defined: a kernel of 6.x
 * without get_dumpable() fails to build instead of losing the check, and
 * MAPWATCH_FEAT_DUMPABLE tells userspace which it got.
 */
#if LINUX_VERSION_CODE < KERNEL_VERSION(7, 0, 0)
#define MAPWATCH_HAVE_DUMPABLE	1

static inline bool mapwatch_mm_dumpable(struct mm_struct *mm)
{
	return mm && get_dumpable(mm) == SUID_DUMP_USER;
}
#else
#define MAPWATCH_HAVE_DUMPABLE	0

static inline bool mapwatch_mm_dumpable(struct mm_struct *mm)
{
	return true;
}
#endif

/*
 * The "events" group, which names traced processes, their owners and exit
 * statuses, only for CAP_SYS_ADMIN: GENL_MCAST_CAP_SYS_ADMIN came with 6.7
 * and its stable backports (Debian's 6.1 since late 2023).  A kernel
 * without it gets no events group at all (fail closed): anyone could join.
 */
#ifdef GENL_MCAST_CAP_SYS_ADMIN
#define MAPWATCH_GENL_EVENTS	1
#define MAPWATCH_GENL_MCGRP(n)	{ .name = (n), .flags = GENL_MCAST_CAP_SYS_ADMIN }
#else
#define MAPWATCH_GENL_EVENTS	0
#endif

/* A dump's attributes, parsed by the op's policy: in a genl_info since 6.2. */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#define mapwatch_genl_dump_attrs(cb)	(genl_info_dump(cb)->attrs)
#else
#define mapwatch_genl_dump_attrs(cb)	(genl_dumpit_info(cb)->attrs)
#endif

#endif /* _MAPWATCH_COMPAT_H */
