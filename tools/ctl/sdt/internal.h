/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/sdt/internal.h - what notes.c and args.c share. */
#ifndef _MAPWATCHCTL_SDT_INTERNAL_H
#define _MAPWATCHCTL_SDT_INTERNAL_H

#include "sdt/notes.h"

/*
 * The first problem of @pr, with @code, into @pr->error, prefixed
 * "provider:name: "; later ones are dropped.
 */
void usdt_probe_err(struct usdt_probe *pr, enum mw_errc code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
