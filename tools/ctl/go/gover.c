// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/go/gover.c - per-Go-version probe data: the one place that knows
 * Go's map runtime by version.
 *
 * Sources: ../shared/reference/go-runtime-maps.md sections 1-4, re-checked
 * here against binaries built by Debian's Go toolchains (go tool nm for the
 * names, DWARF for the offsets, go tool objdump for prologues and RETs);
 * tools/tests/gobin_test.c repeats the name and offset checks on every
 * fixture binary it finds.  Where a row differs from the reference, the
 * comment on it says so.
 */
#include <elf.h>
#include <string.h>
#include <linux/mapwatch.h>

#include "go/gover.h"
#include "trace/format.h"

/*
 * A row that holds for the newest Go version known so far ends at LATEST:
 * a new Go version that changes nothing is GOVER_MAX_MINOR + 1 (gover.h)
 * and no row here.  A change is a row that ends the old one at the last
 * version it held for and a new one from the new version to LATEST
 * (HACKING.md, "A new Go version").
 */
#define LATEST		GOVER_MAX_MINOR

#define A(...)		{ __VA_ARGS__ }
#define NOARGS		{ GOARG_NONE }
#define MT		GOARG_MAPTYPE
#define M		GOARG_MAP
#define MAKE_RETS	{ GOARG_MAP }
/* maps.clone(m any) any: the eface's type word is the map type. */
#define EFACE_MAP	{ GOARG_MAPTYPE, GOARG_MAP }

#define RUNTIME_DELETES	"runtime.mapdelete runtime.mapdelete_fast32 " \
			"runtime.mapdelete_fast64 runtime.mapdelete_faststr"
#define IRM		"internal/runtime/maps."

/*
 * Compiler-emitted entry points are never inlined into user code, but each
 * is linked only when the program (or the runtime) uses it: an absent row is
 * normal.  runtime.makemap64 and *_fast32ptr exist only on 32-bit targets
 * and are left out.  Access and iteration are not map-changing operations.
 */
const struct gover_func gover_funcs[] = {
	/* make, both implementations */
	{ "runtime.makemap", "generic", GOMAP_OP_MAKE, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, GOARG_HINT, GOARG_MAP_IN), MAKE_RETS, GOVER_F_RET | GOVER_F_NESTED,
	  "maps.clone" },
	{ "runtime.makemap_small", "small", GOMAP_OP_MAKE, GOMAP_BOTH_BITS, 19, LATEST,
	  NOARGS, MAKE_RETS, GOVER_F_RET, NULL },
	/* maps.Clone (runtime.mapclone, pushed as maps.clone): 1.21+. */
	{ "maps.clone", "clone", GOMAP_OP_MAKE, GOMAP_BOTH_BITS, 21, LATEST,
	  EFACE_MAP, EFACE_MAP, GOVER_F_RET, NULL },
	/*
	 * Swiss entry points that reflect (encoding/json) and maps.Clone reach
	 * without passing through a runtime.* one: reflect_makemap inlines
	 * makemap and calls NewMap; reflect_mapdelete and reflect_mapclear
	 * inline theirs and call (*Map).Delete / (*Map).Clear.
	 * (*Map).Clone: the reference has it from 1.26, 1.25.12's
	 * runtime/map_swiss.go mapclone already calls it (checked in a 1.25
	 * binary); 1.24 goes through runtime.mapclone2.
	 */
	{ IRM "NewMap", "swiss", GOMAP_OP_MAKE, GOMAP_SWISS_BIT, 24, LATEST,
	  A(MT, GOARG_HINT, GOARG_MAP_IN, GOARG_MAXALLOC), MAKE_RETS,
	  GOVER_F_RET | GOVER_F_NESTED, "runtime.makemap maps.clone" },
	{ IRM "(*Map).Clone", "clone", GOMAP_OP_MAKE, GOMAP_SWISS_BIT, 25, LATEST,
	  A(M, MT), MAKE_RETS, GOVER_F_RET | GOVER_F_NESTED, "maps.clone" },

	/* assign: generic and every fast variant, both implementations */
	{ "runtime.mapassign", "generic", GOMAP_OP_ASSIGN, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_PTR), { GOARG_ELEM_PTR }, 0, NULL },
	{ "runtime.mapassign_fast32", "fast32", GOMAP_OP_ASSIGN, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_U32), { GOARG_ELEM_PTR }, 0, NULL },
	{ "runtime.mapassign_fast64", "fast64", GOMAP_OP_ASSIGN, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_U64), { GOARG_ELEM_PTR }, 0, NULL },
	{ "runtime.mapassign_fast64ptr", "fast64ptr", GOMAP_OP_ASSIGN, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_PTRVAL), { GOARG_ELEM_PTR }, 0, NULL },
	{ "runtime.mapassign_faststr", "faststr", GOMAP_OP_ASSIGN, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_STR_PTR, GOARG_KEY_STR_LEN), { GOARG_ELEM_PTR }, 0, NULL },

	/* delete: there is no _fast64ptr; pointer keys use _fast64 */
	{ "runtime.mapdelete", "generic", GOMAP_OP_DELETE, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_PTR), NOARGS, 0, NULL },
	{ "runtime.mapdelete_fast32", "fast32", GOMAP_OP_DELETE, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_U32), NOARGS, 0, NULL },
	{ "runtime.mapdelete_fast64", "fast64", GOMAP_OP_DELETE, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_U64), NOARGS, 0, NULL },
	{ "runtime.mapdelete_faststr", "faststr", GOMAP_OP_DELETE, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M, GOARG_KEY_STR_PTR, GOARG_KEY_STR_LEN), NOARGS, 0, NULL },
	/* Every runtime.mapdelete* calls it; reflect.mapdelete reaches only it. */
	{ IRM "(*Map).Delete", "swiss", GOMAP_OP_DELETE, GOMAP_SWISS_BIT, 24, LATEST,
	  A(M, MT, GOARG_KEY_PTR), NOARGS, GOVER_F_NESTED, RUNTIME_DELETES },

	/* clear (and the "for k := range m { delete(m, k) }" idiom) */
	{ "runtime.mapclear", "generic", GOMAP_OP_CLEAR, GOMAP_BOTH_BITS, 19, LATEST,
	  A(MT, M), NOARGS, 0, NULL },
	{ IRM "(*Map).Clear", "swiss", GOMAP_OP_CLEAR, GOMAP_SWISS_BIT, 24, LATEST,
	  A(M, MT), NOARGS, GOVER_F_NESTED, "runtime.mapclear" },

	/* classic growth: hashGrow starts one; evacuation moves buckets on later writes */
	{ "runtime.hashGrow", "start", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M), NOARGS, 0, NULL },
	{ "runtime.growWork", "generic", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT, NULL },
	{ "runtime.growWork_fast32", "fast32", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT, NULL },
	{ "runtime.growWork_fast64", "fast64", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT, NULL },
	{ "runtime.growWork_faststr", "faststr", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT, NULL },
	{ "runtime.evacuate", "generic", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT | GOVER_F_NESTED, "runtime.growWork" },
	{ "runtime.evacuate_fast32", "fast32", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT | GOVER_F_NESTED,
	  "runtime.growWork_fast32" },
	{ "runtime.evacuate_fast64", "fast64", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT | GOVER_F_NESTED,
	  "runtime.growWork_fast64" },
	{ "runtime.evacuate_faststr", "faststr", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(MT, M, GOARG_BUCKET), NOARGS, GOVER_F_HOT | GOVER_F_NESTED,
	  "runtime.growWork_faststr" },
	/* Growth ends when it sets oldbuckets = nil.  Note the argument order. */
	{ "runtime.advanceEvacuationMark", "end", GOMAP_OP_GROW, GOMAP_CLASSIC_BIT, 19, 25,
	  A(M, MT, GOARG_NEWBIT), NOARGS, GOVER_F_HOT | GOVER_F_NESTED,
	  "runtime.evacuate runtime.evacuate_fast32 runtime.evacuate_fast64 "
	  "runtime.evacuate_faststr" },

	/*
	 * swiss growth: small map's first group, small -> table, table rehash
	 * (called from the assigns; rehash then grows or splits the table).
	 */
	{ IRM "(*Map).growToSmall", "to_small", GOMAP_OP_GROW, GOMAP_SWISS_BIT, 24, LATEST,
	  A(M, MT), NOARGS, 0, NULL },
	{ IRM "(*Map).growToTable", "to_table", GOMAP_OP_GROW, GOMAP_SWISS_BIT, 24, LATEST,
	  A(M, MT), NOARGS, 0, NULL },
	{ IRM "(*table).rehash", "rehash", GOMAP_OP_GROW, GOMAP_SWISS_BIT, 24, LATEST,
	  A(GOARG_TABLE, MT, M), NOARGS, 0, NULL },
	{ IRM "(*table).grow", "grow", GOMAP_OP_GROW, GOMAP_SWISS_BIT, 24, LATEST,
	  A(GOARG_TABLE, MT, M, GOARG_NEW_CAPACITY), NOARGS, GOVER_F_NESTED,
	  IRM "(*table).rehash" },
	{ IRM "(*table).split", "split", GOMAP_OP_GROW, GOMAP_SWISS_BIT, 24, LATEST,
	  A(GOARG_TABLE, MT, M), NOARGS, GOVER_F_NESTED, IRM "(*table).rehash" },
	{ IRM "(*Map).installTableSplit", "dir_split", GOMAP_OP_GROW, GOMAP_SWISS_BIT, 24, LATEST,
	  A(M, GOARG_TABLE, GOARG_TABLE_LEFT, GOARG_TABLE_RIGHT), NOARGS, GOVER_F_NESTED,
	  IRM "(*table).split" },
	/* 1.25+: reclaims tombstones in place instead of growing (called by assigns). */
	{ IRM "(*table).pruneTombstones", "prune", GOMAP_OP_GROW, GOMAP_SWISS_BIT, 25, LATEST,
	  A(GOARG_TABLE, MT, M), NOARGS, 0, NULL },

	/*
	 * GC cycles and the scavenger (reference section 6; present in every
	 * fixture binary, 1.19-1.27, stripped too). gcStart may return
	 * early: startCycle runs exactly once per cycle, right after
	 * work.cycles++ in the sweep-termination stop. gcMarkTermination runs
	 * once per cycle: its entry is the end of marking, its RET the end of
	 * the cycle, after memstats.numgc++. sysUnusedOS(v, n) is the one
	 * place the scavenger releases memory (then madvise); its length is
	 * the bytes released.
	 */
	{ "runtime.(*gcControllerState).startCycle", "gc", GOMAP_OP_GC_START, GOMAP_BOTH_BITS,
	  19, LATEST, NOARGS, NOARGS, GOVER_F_NUMGC, NULL },
	{ "runtime.gcMarkTermination", "gc", GOMAP_OP_GC_MARK_END, GOMAP_BOTH_BITS, 19, LATEST,
	  NOARGS, NOARGS, GOVER_F_NUMGC, NULL },
	{ "runtime.gcMarkTermination", "gc", GOMAP_OP_GC_END, GOMAP_BOTH_BITS, 19, LATEST,
	  NOARGS, NOARGS, GOVER_F_RET | GOVER_F_NUMGC, NULL },
	{ "runtime.sysUnusedOS", "scavenge", GOMAP_OP_RELEASE, GOMAP_BOTH_BITS, 19, LATEST,
	  A(GOARG_ADDR, GOARG_LEN), NOARGS, 0, NULL },
};

const unsigned int gover_nr_funcs = sizeof(gover_funcs) / sizeof(gover_funcs[0]);

#define N	GOVER_NONE
#define CLASSIC_COMMON \
	.count = 0x00, .flags = 0x08, .B = 0x09, .noverflow = 0x0a, .hash0 = 0x0c, \
	.buckets = 0x10, .oldbuckets = 0x18, .nevacuate = 0x20, \
	.seed = N, .dir_ptr = N, .dir_len = N, .global_depth = N, .global_shift = N, \
	.writing = N, .tombstone_possible = N, \
	.t_key = 0x30, .t_elem = 0x38, .t_bucket = 0x40, .t_keysize = 0x50, \
	.t_elemsize = 0x51, .t_bucketsize = 0x52, .t_group_size = N, .t_slot_size = N, \
	.t_elem_off = N, .t_flags = 0x54, \
	.tab_used = N, .tab_capacity = N, .tab_growth_left = N, .tab_local_depth = N, \
	.tab_index = N, .tab_groups_data = N, .tab_groups_mask = N
#define SWISS_COMMON \
	.count = 0x00, .flags = N, .B = N, .noverflow = N, .hash0 = N, .buckets = N, \
	.oldbuckets = N, .nevacuate = N, .extra = N, \
	.seed = 0x08, .dir_ptr = 0x10, .dir_len = 0x18, .global_depth = 0x20, \
	.global_shift = 0x21, .writing = 0x22, .clear_seq = 0x28, .hdr_size = 48, \
	.t_key = 0x30, .t_elem = 0x38, .t_bucket = 0x40, .t_keysize = N, .t_elemsize = N, \
	.t_bucketsize = N, .t_group_size = 0x50, \
	.tab_used = 0, .tab_capacity = 2, .tab_growth_left = 4, .tab_local_depth = 6, \
	.tab_index = 8, .tab_groups_data = 16, .tab_groups_mask = 24

static const struct gover_layout layouts[] = {
	/* 1.19 runtime.maptype, 1.21-1.23 abi.MapType: same offsets; 1.20 inferred */
	{ GOMAP_CLASSIC, 19, 23, .hdr_size = 48, CLASSIC_COMMON,
	  .clear_seq = N, .extra = 0x28 },
	/* 1.24/1.25 noswissmap: clearSeq (golang/go#70189) pushes extra down */
	{ GOMAP_CLASSIC, 24, 25, .hdr_size = 56, CLASSIC_COMMON,
	  .clear_seq = 0x28, .extra = 0x30 },
	{ GOMAP_SWISS, 24, 24, SWISS_COMMON, .tombstone_possible = N,
	  .t_slot_size = 0x58, .t_elem_off = 0x60, .t_flags = 0x68 },
	{ GOMAP_SWISS, 25, 26, SWISS_COMMON, .tombstone_possible = 0x23,
	  .t_slot_size = 0x58, .t_elem_off = 0x60, .t_flags = 0x68 },
	/* 1.27 abi.MapType carries strides for GOEXPERIMENT=mapsplitgroup */
	{ GOMAP_SWISS, 27, LATEST, SWISS_COMMON, .tombstone_possible = 0x23,
	  .t_slot_size = N, .t_elem_off = 0x78, .t_flags = 0x80 },
};

static const struct gover_g gs[] = {
	{ 19, 22, .stackguard0 = 0x10, .m = 0x30, .goid = 0x98 },
	{ 23, 24, .stackguard0 = 0x10, .m = 0x30, .goid = 0xa0 },	/* g.syscallbp */
	{ 25, LATEST, .stackguard0 = 0x10, .m = 0x30, .goid = 0x98 },	/* gobuf.ret gone */
};

/* runtime.mstats.numgc from DWARF, every fixture binary (tools/go/inspect). */
static const struct gover_runtime runtimes[] = {
	{ 19, 24, .memstats_numgc = 0x1e18 },
	{ 25, LATEST, .memstats_numgc = 0x1e00 },
};

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

const uint16_t gover_size_classes[] = {
	0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240,
	256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024,
	1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864,
	5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568,
	14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};

const unsigned int gover_nr_size_classes = ARRAY_SIZE(gover_size_classes);

const struct gover_runtime *gover_runtime(unsigned int minor)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(runtimes); i++)
		if (minor >= runtimes[i].min_minor && minor <= runtimes[i].max_minor)
			return &runtimes[i];
	return NULL;
}

bool gover_supported(unsigned int major, unsigned int minor)
{
	return major == 1 && minor >= GOVER_MIN_MINOR && minor <= GOVER_MAX_MINOR;
}

bool gover_func_applies(const struct gover_func *f, unsigned int minor, enum gomap_impl impl)
{
	return minor >= f->min_minor && minor <= f->max_minor && (f->impls & GOMAP_IMPL_BIT(impl));
}

const struct gover_func *gover_func_by_sym(const char *sym, unsigned int minor,
					   enum gomap_impl impl)
{
	unsigned int i;

	for (i = 0; i < gover_nr_funcs; i++)
		if (gover_func_applies(&gover_funcs[i], minor, impl) &&
		    !strcmp(gover_funcs[i].sym, sym))
			return &gover_funcs[i];
	return NULL;
}

const struct gover_layout *gover_layout(unsigned int minor, enum gomap_impl impl)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(layouts); i++)
		if (layouts[i].impl == impl && minor >= layouts[i].min_minor &&
		    minor <= layouts[i].max_minor)
			return &layouts[i];
	return NULL;
}

const struct gover_g *gover_g(unsigned int minor)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(gs); i++)
		if (minor >= gs[i].min_minor && minor <= gs[i].max_minor)
			return &gs[i];
	return NULL;
}

const char *gomap_impl_name(enum gomap_impl impl)
{
	switch (impl) {
	case GOMAP_CLASSIC:	return "classic";
	case GOMAP_SWISS:	return "swiss";
	default:		return "unknown";
	}
}

const char *gomap_op_name(enum gomap_op op)
{
	static const char *const names[GOMAP_OP_NR] = {
		[GOMAP_OP_MAKE] = TRACE_OP_MAKE, [GOMAP_OP_ASSIGN] = TRACE_OP_ASSIGN,
		[GOMAP_OP_DELETE] = TRACE_OP_DELETE, [GOMAP_OP_CLEAR] = TRACE_OP_CLEAR,
		[GOMAP_OP_GROW] = TRACE_OP_GROW, [GOMAP_OP_GC_START] = TRACE_OP_GC_START,
		[GOMAP_OP_GC_MARK_END] = TRACE_OP_GC_MARK_END, [GOMAP_OP_GC_END] = TRACE_OP_GC_END,
		[GOMAP_OP_RELEASE] = TRACE_OP_RELEASE,
	};

	return (unsigned int)op < GOMAP_OP_NR ? names[op] : "unknown";
}

const char *goarg_name(enum goarg a)
{
	static const char *const names[GOARG_NR] = {
		[GOARG_NONE] = "none", [GOARG_MAPTYPE] = "map_type", [GOARG_MAP] = "map",
		[GOARG_MAP_IN] = "map_in", [GOARG_HINT] = "hint", [GOARG_MAXALLOC] = "max_alloc",
		[GOARG_KEY_PTR] = "key_ptr", [GOARG_KEY_U32] = "key_u32",
		[GOARG_KEY_U64] = "key_u64", [GOARG_KEY_PTRVAL] = "key_pointer",
		[GOARG_KEY_STR_PTR] = "key_str_ptr", [GOARG_KEY_STR_LEN] = "key_str_len",
		[GOARG_ELEM_PTR] = "elem_ptr", [GOARG_BUCKET] = "bucket",
		[GOARG_NEWBIT] = "newbit", [GOARG_TABLE] = "table",
		[GOARG_TABLE_LEFT] = "table_left", [GOARG_TABLE_RIGHT] = "table_right",
		[GOARG_NEW_CAPACITY] = "new_capacity", [GOARG_ADDR] = "addr", [GOARG_LEN] = "len",
	};

	return (unsigned int)a < GOARG_NR && names[a] ? names[a] : "unknown";
}

/* abi-internal.md: amd64 RAX RBX RCX RDI RSI R8 R9 R10 R11, g in R14. */
static const struct { int reg; const char *name; } amd64_args[] = {
	{ MAPWATCH_REG_X86_AX, "rax" }, { MAPWATCH_REG_X86_BX, "rbx" },
	{ MAPWATCH_REG_X86_CX, "rcx" }, { MAPWATCH_REG_X86_DI, "rdi" },
	{ MAPWATCH_REG_X86_SI, "rsi" }, { MAPWATCH_REG_X86_R8, "r8" },
	{ MAPWATCH_REG_X86_R9, "r9" }, { MAPWATCH_REG_X86_R10, "r10" },
	{ MAPWATCH_REG_X86_R11, "r11" },
};

/* arm64 R0..R15, g in R28. */
static const char *const arm64_names[] = {
	"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7",
	"x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15",
};

int gover_abi_reg(uint16_t machine, unsigned int idx)
{
	if (machine == EM_X86_64)
		return idx < ARRAY_SIZE(amd64_args) ? amd64_args[idx].reg : -1;
	if (machine == EM_AARCH64)
		return idx < ARRAY_SIZE(arm64_names) ? (int)idx : -1;
	return -1;
}

const char *gover_abi_reg_name(uint16_t machine, unsigned int idx)
{
	if (machine == EM_X86_64)
		return idx < ARRAY_SIZE(amd64_args) ? amd64_args[idx].name : NULL;
	if (machine == EM_AARCH64)
		return idx < ARRAY_SIZE(arm64_names) ? arm64_names[idx] : NULL;
	return NULL;
}

int gover_frame_regs(uint16_t machine, int *sp, int *fp)
{
	/* Go keeps frame pointers on amd64: at a RET, BP is the caller's. */
	if (machine == EM_X86_64) {
		*sp = MAPWATCH_REG_X86_SP;
		*fp = MAPWATCH_REG_X86_BP;
		return 0;
	}
	/*
	 * arm64: at a RET the epilogue has put back the caller's FP (R29) and
	 * the return address in LR (R30); a frame keeps its caller's FP at
	 * [R29] and its own saved LR at [R29 + 8], as on amd64.
	 */
	if (machine == EM_AARCH64) {
		*sp = MAPWATCH_REG_ARM64_SP;
		*fp = 29;
		return 0;
	}
	return -1;
}

int gover_link_reg(uint16_t machine)
{
	return machine == EM_AARCH64 ? 30 : -1;
}

int gover_g_reg(uint16_t machine)
{
	if (machine == EM_X86_64)
		return MAPWATCH_REG_X86_R14;
	if (machine == EM_AARCH64)
		return 28;
	return -1;
}

const char *gover_g_reg_name(uint16_t machine)
{
	if (machine == EM_X86_64)
		return "r14";
	if (machine == EM_AARCH64)
		return "x28";
	return NULL;
}
