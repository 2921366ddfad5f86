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

#endif /* _MAPWATCH_COMPAT_H */
