// SPDX-License-Identifier: GPL-2.0
/*
 * selftests/sdt/sdtfix.c - a program with SystemTap SDT probes for
 * `mapwatchctl dump --usdt` (selftests/sdt/run), built with -O0 so that
 * gcc passes some arguments as memory operands (-8(%rbp)) and globals
 * PC-relative (g_total(%rip)).
 *
 *   sdtfix N [-wait]
 *
 * Fires mwfix:tick(i, -i, g_total) N times (g_total: the sum of 0..i),
 * whatever its semaphore says, and mwfix:guarded(i) whenever its semaphore
 * says a tracer has it attached (the kernel counts its breakpoints there).
 * With -wait it prints "ready PID" on stderr and waits for a line on stdin
 * first.  Then prints what it did as JSON: {"n":N,"enabled":E,"total":T}.
 */
/* Every probe gets a semaphore (sys/sdt.h decides at its inclusion). */
#define _SDT_HAS_SEMAPHORES 1
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/sdt.h>

unsigned short mwfix_tick_semaphore __attribute__((unused, section(".probes")));
unsigned short mwfix_guarded_semaphore __attribute__((unused, section(".probes")));
long g_total;

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 10, i, enabled = 0;
	char line[16];

	if (argc > 2 && !strcmp(argv[2], "-wait")) {
		fprintf(stderr, "ready %d\n", (int)getpid());
		if (!fgets(line, sizeof(line), stdin))
			line[0] = 0;
	}
	for (i = 0; i < n; i++) {
		g_total += i;
		STAP_PROBE3(mwfix, tick, i, -i, g_total);
		if (*(volatile unsigned short *)&mwfix_guarded_semaphore) {
			enabled++;
			STAP_PROBE1(mwfix, guarded, i);
		}
	}
	printf("{\"n\":%ld,\"enabled\":%ld,\"total\":%ld}\n", n, enabled, g_total);
	return 0;
}
