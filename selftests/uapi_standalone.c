// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/uapi_standalone.c - uapi/linux/mapwatch.h on its own.
 *
 * The header comes first, so it must bring everything it needs.  This file
 * is compiled, not run: as C11 and C++11, -pedantic, -Wpadded (any padding
 * the compiler inserts is an error), for 64- and 32-bit x86, and every
 * layout number in uapi_layout.h is checked at compile time.
 */
#include <linux/mapwatch.h>
#include <stddef.h>

#include "uapi_layout.h"

#ifdef __cplusplus
#define MWT_STATIC_ASSERT(cond, msg)	static_assert(cond, msg)
#else
#define MWT_STATIC_ASSERT(cond, msg)	_Static_assert(cond, msg)
#endif

#define CHECK_FIELD(s, f, off, sz)					\
	MWT_STATIC_ASSERT(offsetof(struct s, f) == (off), #s "." #f " offset"); \
	MWT_STATIC_ASSERT(MWT_SIZEOF_FIELD(s, f) == (sz), #s "." #f " size");
#define CHECK_STRUCT(s, sz, ver0)					\
	MWT_STATIC_ASSERT(sizeof(struct s) == (sz), #s " size");	\
	MWT_STATIC_ASSERT((ver0) == (sz), #s " size constant");		\
	MWT_STATIC_ASSERT(sizeof(struct s) % 8 == 0, #s " not a multiple of 8");
#define CHECK_IOCTL(cmd, nr)						\
	MWT_STATIC_ASSERT((cmd) == (nr), #cmd " renumbered");

MWT_UAPI_FIELDS(CHECK_FIELD)
MWT_UAPI_STRUCTS(CHECK_STRUCT)
MWT_UAPI_IOCTLS(CHECK_IOCTL)

/* Enumerations and limits the ABI fixes. */
MWT_STATIC_ASSERT(MAPWATCH_REC_PAD == 1 && MAPWATCH_REC_EVENT == 2 && MAPWATCH_REC_LOST == 3,
		  "record types");
MWT_STATIC_ASSERT(MAPWATCH_PID_ADD == 1 && MAPWATCH_PID_DEL == 2 && MAPWATCH_PID_CLEAR == 3,
		  "pid ops");
MWT_STATIC_ASSERT(MAPWATCH_KPROBE_GETPRIORITY == 1, "kprobe types");
MWT_STATIC_ASSERT(MAPWATCH_RING_FLAG_MASK == MAPWATCH_RING_OVERWRITE, "ring flags");
MWT_STATIC_ASSERT((MAPWATCH_MAX_RING_PAGES & (MAPWATCH_MAX_RING_PAGES - 1)) == 0,
		  "MAPWATCH_MAX_RING_PAGES is a power of two");

/* ABI 1.1: uprobes and fetch programs. */
MWT_STATIC_ASSERT(MAPWATCH_ABI_MINOR == 5, "ABI minor");
MWT_STATIC_ASSERT(MAPWATCH_FEAT_UPROBE == 4, "uprobe feature bit");
MWT_STATIC_ASSERT(MAPWATCH_FOP_REG == 1 && MAPWATCH_FOP_CONST == 2 && MAPWATCH_FOP_PC == 3 &&
		  MAPWATCH_FOP_ADD == 4 && MAPWATCH_FOP_LOAD == 5 && MAPWATCH_FOP_EMIT == 6 &&
		  MAPWATCH_FOP_COPY == 7 && MAPWATCH_FOP_STR == 8, "fetch op codes");
MWT_STATIC_ASSERT(MAPWATCH_FOPF_SIGNED == 1, "fetch op flags");
MWT_STATIC_ASSERT(MAPWATCH_FETCH_VARS == 8 && MAPWATCH_FETCH_MAX_OPS == 32 &&
		  MAPWATCH_FETCH_NOVAR == 0xff, "fetch program limits");
MWT_STATIC_ASSERT(MAPWATCH_REG_X86_AX == 0 && MAPWATCH_REG_X86_BX == 1 &&
		  MAPWATCH_REG_X86_CX == 2 && MAPWATCH_REG_X86_DX == 3 &&
		  MAPWATCH_REG_X86_SI == 4 && MAPWATCH_REG_X86_DI == 5 &&
		  MAPWATCH_REG_X86_BP == 6 && MAPWATCH_REG_X86_SP == 7 &&
		  MAPWATCH_REG_X86_R8 == 8 && MAPWATCH_REG_X86_R15 == 15 &&
		  MAPWATCH_REG_X86_IP == 16 && MAPWATCH_REG_X86_NR == 17, "x86-64 registers");
MWT_STATIC_ASSERT(MAPWATCH_REG_ARM64_SP == 31 && MAPWATCH_REG_ARM64_PC == 32 &&
		  MAPWATCH_REG_ARM64_NR == 33, "arm64 registers");
MWT_STATIC_ASSERT(MAPWATCH_UPROBE_ALL_PROCESSES == 1 &&
		  MAPWATCH_UPROBE_FLAG_MASK == MAPWATCH_UPROBE_ALL_PROCESSES, "uprobe flags");
MWT_STATIC_ASSERT(MAPWATCH_ALL_OPS_VALID == 0xffffffffU, "bad_op sentinel");
/* ABI 1.3: the proof of ptrace-attach rights. */
MWT_STATIC_ASSERT(MAPWATCH_FEAT_PID_MEM_FD == 8 && MAPWATCH_PID_MEM_FD == 1 &&
		  MAPWATCH_PID_FLAG_MASK == MAPWATCH_PID_MEM_FD &&
		  MAPWATCH_PID_SIZE_VER1 == 24, "pid mem_fd");
/* ABI 1.4: what the kernel lets the module see, and the events group. */
MWT_STATIC_ASSERT(MAPWATCH_FEAT_DUMPABLE == 16 && MAPWATCH_FEAT_GENL_EVENTS == 32,
		  "ABI 1.4 feature bits");
/* ABI 1.5: several probes detached at once. */
MWT_STATIC_ASSERT(MAPWATCH_DETACH_SIZE_VER0 == 8 && MAPWATCH_DETACH_SIZE_VER1 == 24,
		  "detach sizes");
/* The largest program's payload fits in a record's __u16 payload_size. */
MWT_STATIC_ASSERT(MAPWATCH_MAX_PAYLOAD <= 0xffff, "payload_size is 16 bits");

int mwt_uapi_standalone(void);
int mwt_uapi_standalone(void)
{
	return MAPWATCH_ABI_MAJOR;
}
