// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/mwt_trigger.c - a 64-bit process that makes getpriority events.
 *
 *   mwt_trigger FIRST COUNT     events FIRST .. FIRST + COUNT - 1, after one
 *                               call of trigger_probed()
 *   mwt_trigger --offset        print trigger_probed()'s offset in this file
 *
 * The module probes the 64-bit syscall entry, so the 32-bit build of the
 * ABI test has this helper make the events it traces; on arm64, whose
 * kernel probes no AArch32 code, its uprobe cases probe trigger_probed().
 */
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mapwatch_test.h"

/* Called once per run: what a uprobe on this helper hits. */
__attribute__((noinline, used)) int trigger_probed(int x)
{
	__asm__ __volatile__("" : "+r"(x) : : "memory");
	return x + 1;
}

static int (*volatile probed)(int) = trigger_probed;

int main(int argc, char **argv)
{
	uint64_t off;

	if (argc == 2 && !strcmp(argv[1], "--offset")) {
		if (mwt_file_offset((const void *)trigger_probed, &off, NULL, 0))
			return 1;
		printf("%llu\n", (unsigned long long)off);
		return 0;
	}
	if (argc != 3)
		return 2;
	if (probed(7) != 8)
		return 1;
	mwt_events(atoi(argv[1]), atoi(argv[2]));
	return 0;
}
