/* SPDX-License-Identifier: GPL-2.0 */
/* tools/lib/internal.h - what libmapwatch's files share, not its users. */
#ifndef _MAPWATCH_LIB_INTERNAL_H
#define _MAPWATCH_LIB_INTERNAL_H

/* Set mw_error()'s message; returns -@err. */
int mw_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
