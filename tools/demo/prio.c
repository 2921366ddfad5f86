// SPDX-License-Identifier: GPL-2.0
/*
 * tools/demo/prio.c - the program `make demo` traces until Go tracing
 * lands: it calls getpriority(2) N times with who = 1..N and an invalid
 * `which`, so each call is a traced event that changes nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 5;
	long i;

	for (i = 1; i <= n; i++)
		syscall(SYS_getpriority, 1000, i);
	printf("prio: called getpriority(1000, 1..%ld)\n", n);
	return 0;
}
