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

int mwt_uapi_standalone(void);
int mwt_uapi_standalone(void)
{
	return MAPWATCH_ABI_MAJOR;
}
