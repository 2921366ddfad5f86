/* SPDX-License-Identifier: GPL-2.0 */
/* tools/lib/internal.h - what libmapwatch's files share, not its users. */
#ifndef _MAPWATCH_LIB_INTERNAL_H
#define _MAPWATCH_LIB_INTERNAL_H

/* Set this thread's last failure (mw_error(), mw_last_err()) to errno @err; returns -@err. */
int mw_fail(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
