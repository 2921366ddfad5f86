/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/go/gover.h - what to probe in a Go binary, per Go version and map
 * implementation: the map runtime functions, what their argument registers
 * hold, and the offsets of the fields an event reads.
 *
 * The data is in one place, gover.c.  Facts come from
 * ../shared/reference/go-runtime-maps.md and were re-checked against real
 * binaries (go tool nm / objdump, DWARF); gover.c says which.
 */
#ifndef _MAPWATCHCTL_GOVER_H
#define _MAPWATCHCTL_GOVER_H

#include <stdbool.h>
#include <stdint.h>

/* Go 1.MINOR versions with a table; others are refused by name. */
#define GOVER_MIN_MINOR	19
#define GOVER_MAX_MINOR	27

#define GOVER_NONE	(-1)	/* offset of a field this version does not have */
#define GOVER_MAX_ARGS	4	/* integer argument registers described per function */
#define GOVER_MAX_RETS	2	/* integer result registers described per function */

enum gomap_impl {
	GOMAP_UNKNOWN,
	GOMAP_CLASSIC,		/* runtime.hmap buckets: <= 1.23, 1.24/1.25 with noswissmap */
	GOMAP_SWISS,		/* internal/runtime/maps.Map: 1.24+ */
};

#define GOMAP_IMPL_BIT(i)	(1u << (i))
#define GOMAP_CLASSIC_BIT	GOMAP_IMPL_BIT(GOMAP_CLASSIC)
#define GOMAP_SWISS_BIT		GOMAP_IMPL_BIT(GOMAP_SWISS)
#define GOMAP_BOTH_BITS		(GOMAP_CLASSIC_BIT | GOMAP_SWISS_BIT)

enum gomap_op {
	GOMAP_OP_MAKE,
	GOMAP_OP_ASSIGN,
	GOMAP_OP_DELETE,
	GOMAP_OP_CLEAR,
	GOMAP_OP_GROW,
	/* The runtime's own memory work (gover_funcs rows too, map-less): */
	GOMAP_OP_GC_START,	/* a GC cycle begins (sweep termination) */
	GOMAP_OP_GC_MARK_END,	/* marking done: mark termination begins */
	GOMAP_OP_GC_END,	/* the cycle ends: memstats.numgc counts it */
	GOMAP_OP_RELEASE,	/* the scavenger returns pages to the OS */
	GOMAP_OP_NR,
};

/* GC and scavenger rows have no map argument: they print as other events. */
#define GOMAP_OP_IS_MAP(op)	((op) <= GOMAP_OP_GROW)

/* What an integer argument or result register holds. */
enum goarg {
	GOARG_NONE,
	GOARG_MAPTYPE,		/* *maptype / *abi.OldMapType / *abi.SwissMapType / *abi.MapType */
	GOARG_MAP,		/* *hmap or *maps.Map */
	GOARG_MAP_IN,		/* makemap/NewMap's m: a caller-provided (stack) header, or nil */
	GOARG_HINT,		/* make's size hint (int) */
	GOARG_MAXALLOC,		/* NewMap's maxAlloc */
	GOARG_KEY_PTR,		/* pointer to the key */
	GOARG_KEY_U32,		/* the key, in the low 32 bits only */
	GOARG_KEY_U64,		/* the key (also pointer keys passed to *_fast64 deletes) */
	GOARG_KEY_PTRVAL,	/* the key, a pointer (mapassign_fast64ptr) */
	GOARG_KEY_STR_PTR,	/* string key: data pointer */
	GOARG_KEY_STR_LEN,	/* string key: length */
	GOARG_ELEM_PTR,		/* result of mapassign*: where the caller stores the value */
	GOARG_BUCKET,		/* classic: bucket index (growWork, evacuate) */
	GOARG_NEWBIT,		/* classic advanceEvacuationMark: number of old buckets */
	GOARG_TABLE,		/* swiss: *table (receiver of table methods) */
	GOARG_TABLE_LEFT,	/* swiss installTableSplit: the new tables */
	GOARG_TABLE_RIGHT,
	GOARG_NEW_CAPACITY,	/* swiss (*table).grow: new capacity in slots (uint16) */
	GOARG_ADDR,		/* sysUnusedOS: first byte released */
	GOARG_LEN,		/* sysUnusedOS: bytes released */
	GOARG_NR,
};

/* gover_func.flags */
#define GOVER_F_RET	0x1	/* the result is needed: probe the RETs (no uretprobes on Go) */
#define GOVER_F_NESTED	0x2	/* repeats the event of a listed outer function that
				 * calls it (.outer): count it only when not inside
				 * one on the same g */
#define GOVER_F_HOT	0x4	/* fires per bucket or table step; enable on request */
#define GOVER_F_NUMGC	0x8	/* also read runtime.memstats.numgc (needs .symtab) */

struct gover_func {
	const char *sym;	/* ELF / pclntab name */
	const char *variant;	/* "generic", "fast32", ..., "reflect", "clone" */
	uint8_t op;		/* enum gomap_op */
	uint8_t impls;		/* GOMAP_*_BIT */
	uint8_t min_minor, max_minor;	/* inclusive */
	uint8_t args[GOVER_MAX_ARGS];	/* enum goarg of integer argument register i */
	uint8_t rets[GOVER_MAX_RETS];	/* enum goarg of integer result register i */
	uint8_t flags;		/* GOVER_F_* */
	const char *outer;	/* GOVER_F_NESTED: listed functions that call this one */
};

/*
 * Offsets (bytes) for one version and implementation, 64-bit, amd64 = arm64.
 * GOVER_NONE where a field does not exist.
 */
struct gover_layout {
	uint8_t impl;		/* enum gomap_impl */
	uint8_t min_minor, max_minor;
	uint8_t hdr_size;	/* sizeof(hmap) / sizeof(maps.Map) */
	int16_t count;		/* hmap.count / Map.used: the map's len(), 8 bytes */
	/* classic hmap */
	int16_t flags, B, noverflow, hash0, buckets, oldbuckets, nevacuate, extra;
	/* swiss Map */
	int16_t seed, dir_ptr, dir_len, global_depth, global_shift, writing, tombstone_possible;
	int16_t clear_seq;	/* classic 1.24/1.25 noswiss and swiss */
	/* map type descriptor (after the 48-byte abi.Type) */
	int16_t t_key, t_elem, t_bucket;	/* *Type; t_bucket is Group for swiss */
	int16_t t_keysize, t_elemsize;		/* classic: uint8 each */
	int16_t t_bucketsize;			/* classic: uint16 */
	int16_t t_group_size, t_slot_size, t_elem_off;	/* swiss: uintptr each */
	int16_t t_flags;			/* uint32; classic and swiss bits differ */
	/* swiss table */
	int16_t tab_used, tab_capacity, tab_growth_left, tab_local_depth, tab_index;
	int16_t tab_groups_data, tab_groups_mask;
};

/* The goroutine struct, reached through the g register. */
struct gover_g {
	uint8_t min_minor, max_minor;
	int16_t stackguard0, m, goid;
};

/* Runtime globals an event reads, by version. */
struct gover_runtime {
	uint8_t min_minor, max_minor;
	int16_t memstats_numgc;	/* runtime.memstats.numgc: uint32, completed cycles */
};

/*
 * Map and malloc constants that hold for every supported version (checked
 * in the runtime sources of 1.19 and 1.21-1.27).
 */
#define GOVER_HMAP_SAME_SIZE_GROW	0x08	/* hmap.flags sameSizeGrow */
#define GOVER_MAPEXTRA_SIZE		24	/* runtime.mapextra */
#define GOVER_MAPEXTRA_NEXT_OVERFLOW	16	/* mapextra.nextOverflow */
#define GOVER_CLASSIC_KEY_INDIRECT	0x1	/* maptype.flags */
#define GOVER_CLASSIC_ELEM_INDIRECT	0x2
#define GOVER_CLASSIC_NOVERFLOW_EXACT_B	16	/* incrnoverflow counts each one below */
#define GOVER_SWISS_TABLE_SIZE		32	/* maps.table */
#define GOVER_SWISS_GROUP_SLOTS		8
#define GOVER_SWISS_MAX_TABLE_CAPACITY	1024
#define GOVER_MAX_INLINE_BYTES		128	/* larger keys/elems are stored by pointer */
#define GOVER_MALLOC_HEADERS_MINOR	22	/* roundupsize reserves an 8-byte header */
#define GOVER_MALLOC_HEADER_SIZE	8
#define GOVER_MALLOC_HEADER_MIN		512	/* objects with pointers above this size */
#define GOVER_MAX_SMALL_SIZE		32768
#define GOVER_PAGE_SIZE			8192

/* runtime class_to_size (sizeclasses.go, the same table 1.19-1.27), 0 first. */
extern const uint16_t gover_size_classes[];
extern const unsigned int gover_nr_size_classes;

extern const struct gover_func gover_funcs[];
extern const unsigned int gover_nr_funcs;

/* Whether F is a probe target of Go 1.MINOR with IMPL. */
bool gover_func_applies(const struct gover_func *f, unsigned int minor, enum gomap_impl impl);
const struct gover_func *gover_func_by_sym(const char *sym, unsigned int minor,
					   enum gomap_impl impl);
const struct gover_layout *gover_layout(unsigned int minor, enum gomap_impl impl);
const struct gover_g *gover_g(unsigned int minor);
const struct gover_runtime *gover_runtime(unsigned int minor);
bool gover_supported(unsigned int major, unsigned int minor);

const char *gomap_impl_name(enum gomap_impl impl);	/* "classic", "swiss", "unknown" */
const char *gomap_op_name(enum gomap_op op);		/* "make", "assign", ... */
const char *goarg_name(enum goarg a);			/* "map_type", "map", "key_ptr", ... */

/*
 * Go's ABIInternal integer registers (abi-internal.md; 1.17+ amd64, 1.18+
 * arm64) as MAPWATCH_REG_* numbers of uapi/linux/mapwatch.h.  MACHINE is
 * EM_X86_64 or EM_AARCH64.  -1 for an index past the last register.
 */
int gover_abi_reg(uint16_t machine, unsigned int idx);
const char *gover_abi_reg_name(uint16_t machine, unsigned int idx);	/* "rax", "x0" */
int gover_g_reg(uint16_t machine);		/* r14 / x28 */
/*
 * At a RET: the stack pointer (the return address is at 0(SP)) and the
 * frame pointer (the caller's: its return address at 8(FP)); 0, or -1
 * where not supported.
 */
int gover_frame_regs(uint16_t machine, int *sp, int *fp);
/* The register holding the return address at a RET (arm64's LR), or -1: on the stack. */
int gover_link_reg(uint16_t machine);
const char *gover_g_reg_name(uint16_t machine);

#endif
