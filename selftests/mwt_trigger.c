// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/mwt_trigger.c - a 64-bit process that makes getpriority events.
 *
 *   mwt_trigger FIRST COUNT     events FIRST .. FIRST + COUNT - 1
 *
 * The module probes the 64-bit syscall entry, so the 32-bit build of the
 * ABI test has this helper make the events it traces.
 */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mapwatch_test.h"

int main(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	mwt_events(atoi(argv[1]), atoi(argv[2]));
	return 0;
}
