// SPDX-License-Identifier: GPL-2.0
/*
 * Host unit tests of the error shape (tools/lib/mwerr.h): mw_err_set()
 * fills code and message, or nothing when given no struct; libmapwatch
 * keeps its last failure per thread as the same struct (mw_last_err(),
 * code MW_E_SYS and the errno), the message mw_error() returns.  No
 * module needed: the failures are of a device path that does not exist.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "lib/mapwatch.h"

static int failures, nr;

#define CHECK(cond) do {						\
	nr++;								\
	if (!(cond)) {							\
		failures++;						\
		printf("not ok %d %s:%d %s\n", nr, __FILE__, __LINE__, #cond); \
	} else {							\
		printf("ok %d %s\n", nr, #cond);			\
	}								\
} while (0)

#define MISSING	"/nonexistent/mapwatch"

/* Another thread's failure, with another errno: a copy of it into @arg. */
static void *other_thread(void *arg)
{
	struct mw_session s;

	if (mw_open(&s, "/proc/self/exe/x", 0) == 0)
		mw_close(&s);
	*(struct mw_err *)arg = *mw_last_err();
	return NULL;
}

int main(void)
{
	char long_arg[2 * MW_ERR_LEN];
	struct mw_err err, theirs;
	const struct mw_err *last;
	struct mw_session s;
	pthread_t t;

	printf("TAP version 13\n");

	CHECK(mw_err_set(&err, MW_E_INVAL, "--usdt '%s': want PROVIDER:NAME", "x") == -1);
	CHECK(err.code == MW_E_INVAL && err.errnum == 0);
	CHECK(!strcmp(err.msg, "--usdt 'x': want PROVIDER:NAME"));
	CHECK(mw_err_set(NULL, MW_E_IO, "nowhere to put it") == -1);

	/* A message longer than the struct is cut, NUL-terminated. */
	memset(long_arg, 'a', sizeof(long_arg) - 1);
	long_arg[sizeof(long_arg) - 1] = 0;
	mw_err_set(&err, MW_E_CORRUPT, "%s", long_arg);
	CHECK(err.code == MW_E_CORRUPT && strlen(err.msg) == MW_ERR_LEN - 1);

	/* libmapwatch: -errno, and the same failure as a struct. */
	CHECK(mw_open(&s, MISSING, 0) == -ENOENT);
	last = mw_last_err();
	CHECK(last->code == MW_E_SYS && last->errnum == ENOENT);
	CHECK(!strcmp(last->msg, MISSING " does not exist (-d names the device; the module makes /dev/mapwatch)"));
	CHECK(mw_error() == last->msg);

	/* Each thread has its own: another's failure leaves ours. */
	CHECK(pthread_create(&t, NULL, other_thread, &theirs) == 0);
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(theirs.code == MW_E_SYS && theirs.errnum == ENOTDIR);
	CHECK(!strcmp(theirs.msg, "cannot open /proc/self/exe/x: Not a directory"));
	CHECK(last == mw_last_err());
	CHECK(last->code == MW_E_SYS && last->errnum == ENOENT);
	CHECK(!strcmp(mw_error(), MISSING " does not exist (-d names the device; the module makes /dev/mapwatch)"));

	printf("1..%d\n", nr);
	return failures ? 1 : 0;
}
