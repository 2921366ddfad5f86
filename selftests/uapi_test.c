// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/uapi_test.c - mapwatch UAPI layout test, host side (no module).
 *
 * Built for 64- and 32-bit x86: both builds must find the same numbers,
 * which is what lets 32-bit tools talk to a 64-bit kernel through
 * compat_ioctl without translation.
 */
#include <stddef.h>
#include <linux/mapwatch.h>

#include "kselftest_harness.h"
#include "uapi_layout.h"

struct field {
	const char *strukt, *name;
	size_t offset, size;		/* what the compiler laid out */
	size_t want_offset, want_size;	/* what the ABI says */
};

struct strukt {
	const char *name;
	size_t size, want_size, size_ver0;
};

#define FIELD_ROW(s, f, off, sz) \
	{ #s, #f, offsetof(struct s, f), MWT_SIZEOF_FIELD(s, f), off, sz },
#define STRUCT_ROW(s, sz, ver0) { #s, sizeof(struct s), sz, ver0 },

static const struct field fields[] = { MWT_UAPI_FIELDS(FIELD_ROW) };
static const struct strukt structs[] = { MWT_UAPI_STRUCTS(STRUCT_ROW) };

static const struct strukt *find_struct(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(structs); i++)
		if (!strcmp(structs[i].name, name))
			return &structs[i];
	return NULL;
}

TEST(every_field_has_its_abi_offset_and_size)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];

		ASSERT_EQ(f->want_offset, f->offset) TH_LOG("%s.%s", f->strukt, f->name);
		ASSERT_EQ(f->want_size, f->size) TH_LOG("%s.%s", f->strukt, f->name);
	}
}

TEST(structures_have_no_implicit_holes)
{
	const char *cur = NULL;
	size_t i, end = 0;

	for (i = 0; i <= ARRAY_SIZE(fields); i++) {
		const struct field *f = i < ARRAY_SIZE(fields) ? &fields[i] : NULL;

		if (!f || !cur || strcmp(cur, f->strukt)) {
			/* The last field of the previous structure ends it. */
			if (cur)
				ASSERT_EQ(find_struct(cur)->size, end) TH_LOG("struct %s", cur);
			if (!f)
				break;
			cur = f->strukt;
			end = 0;
		}
		/* Each field starts where the previous one ended. */
		ASSERT_EQ(end, f->offset) TH_LOG("hole before %s.%s", f->strukt, f->name);
		end = f->offset + f->size;
	}
}

TEST(structure_sizes_equal_their_size_constants)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(structs); i++) {
		const struct strukt *s = &structs[i];

		ASSERT_EQ(s->want_size, s->size) TH_LOG("struct %s", s->name);
		ASSERT_EQ(s->size, s->size_ver0) TH_LOG("struct %s", s->name);
		/* Records and ioctl structures keep 8-byte multiples. */
		ASSERT_EQ(0, s->size % 8) TH_LOG("struct %s", s->name);
	}
}

TEST(ioctl_numbers_are_stable)
{
#define IOCTL_ROW(cmd, nr) { #cmd, cmd, nr },
	static const struct { const char *name; unsigned long cmd, nr; } ioctls[] = {
		MWT_UAPI_IOCTLS(IOCTL_ROW)
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ioctls); i++) {
		ASSERT_EQ(ioctls[i].nr, ioctls[i].cmd) TH_LOG("%s", ioctls[i].name);
		ASSERT_EQ(MAPWATCH_IOC_MAGIC, _IOC_TYPE(ioctls[i].cmd)) TH_LOG("%s", ioctls[i].name);
	}
}

TEST(ioctl_numbers_encode_version0_sizes)
{
	ASSERT_EQ(MAPWATCH_API_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_API));
	ASSERT_EQ(MAPWATCH_RING_CONFIG_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_RING_CONFIG));
	ASSERT_EQ(0, _IOC_SIZE(MAPWATCH_IOC_ENABLE));
	ASSERT_EQ(0, _IOC_SIZE(MAPWATCH_IOC_DISABLE));
	ASSERT_EQ(MAPWATCH_COUNTERS_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_COUNTERS));
	ASSERT_EQ(MAPWATCH_PID_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_PID));
	ASSERT_EQ(MAPWATCH_KPROBE_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_KPROBE_ATTACH));
	ASSERT_EQ(MAPWATCH_DETACH_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_DETACH));
	ASSERT_EQ(MAPWATCH_PROBE_COUNTERS_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_PROBE_COUNTERS));
	ASSERT_EQ(MAPWATCH_UPROBE_SIZE_VER0, _IOC_SIZE(MAPWATCH_IOC_UPROBE_ATTACH));
}

TEST(mmap_offsets_are_64_bit)
{
	/* CPU 70000's region lies beyond 4 GiB with a 64 KiB + 2 page stride. */
	const __u64 stride = 65536 + 2 * 4096;

	ASSERT_EQ(70000ULL * stride, MAPWATCH_MMAP_CONSUMER(70000, stride, 4096));
	ASSERT_EQ(70000ULL * stride + 4096, MAPWATCH_MMAP_PRODUCER(70000, stride, 4096));
	ASSERT_EQ(70000ULL * stride + 8192, MAPWATCH_MMAP_DATA(70000, stride, 4096));
	ASSERT_EQ(8, sizeof(MAPWATCH_MMAP_DATA(1, stride, 4096)));
}

TEST(abi_constants)
{
	ASSERT_EQ(1, MAPWATCH_ABI_MAJOR);
	ASSERT_EQ(0xE7, MAPWATCH_IOC_MAGIC);
	ASSERT_EQ(0xffffffffU, MAPWATCH_ALL_CPUS);
	ASSERT_EQ(1, MAPWATCH_RING_OVERWRITE);
	ASSERT_EQ(1, MAPWATCH_RECF_FAULT);
	ASSERT_EQ(1, MAPWATCH_FEAT_RING_OVERWRITE);
	ASSERT_EQ(2, MAPWATCH_FEAT_READ);
	ASSERT_EQ(0, strcmp("/dev/mapwatch", MAPWATCH_DEVICE));
}

TEST(abi_1_1_constants)
{
	/* Uprobes came compatibly: the minor moved, the major did not. */
	ASSERT_EQ(5, MAPWATCH_ABI_MINOR);
	ASSERT_EQ(4, MAPWATCH_FEAT_UPROBE);
	ASSERT_EQ(0x10, _IOC_NR(MAPWATCH_IOC_UPROBE_ATTACH));
	ASSERT_EQ(_IOC_READ | _IOC_WRITE, _IOC_DIR(MAPWATCH_IOC_UPROBE_ATTACH));
	/* Fetch program limits. */
	ASSERT_EQ(8, MAPWATCH_FETCH_VARS);
	ASSERT_EQ(32, MAPWATCH_FETCH_MAX_OPS);
	ASSERT_EQ(0xff, MAPWATCH_FETCH_NOVAR);
	/* NOVAR is never a variable index. */
	ASSERT_LE(MAPWATCH_FETCH_VARS, MAPWATCH_FETCH_NOVAR);
	ASSERT_EQ(1, MAPWATCH_FOPF_SIGNED);
	ASSERT_EQ(1, MAPWATCH_UPROBE_ALL_PROCESSES);
	ASSERT_EQ(0xffffffffU, MAPWATCH_ALL_OPS_VALID);
	/* The index of any op a program can have is not the sentinel. */
	ASSERT_LT(MAPWATCH_FETCH_MAX_OPS, MAPWATCH_ALL_OPS_VALID);
	/* What a program's payload_max is checked against. */
	ASSERT_EQ(1024, MAPWATCH_MAX_PAYLOAD);
}

TEST(register_numbers_fit_a_fetch_op)
{
	struct mapwatch_fetch_op op = { .src = MAPWATCH_REG_X86_NR - 1 };

	/* Every register index and variable index travels in a __u8. */
	ASSERT_EQ(MAPWATCH_REG_X86_IP, op.src);
	ASSERT_GT(256, MAPWATCH_REG_X86_NR);
	ASSERT_GT(256, MAPWATCH_REG_ARM64_NR);
	ASSERT_EQ(17, MAPWATCH_REG_X86_NR);
	ASSERT_EQ(33, MAPWATCH_REG_ARM64_NR);
}

TEST_HARNESS_MAIN
