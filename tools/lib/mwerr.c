// SPDX-License-Identifier: GPL-2.0
/* tools/lib/mwerr.c - filling a struct mw_err (mwerr.h). */
#include <stdarg.h>
#include <stdio.h>

#include "lib/mwerr.h"

int mw_err_set(struct mw_err *err, enum mw_errc code, const char *fmt, ...)
{
	va_list ap;

	if (err) {
		err->code = code;
		err->errnum = 0;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return -1;
}
