/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/sdt/internal.h - what notes.c and args.c share. */
#ifndef _MAPWATCHCTL_SDT_INTERNAL_H
#define _MAPWATCHCTL_SDT_INTERNAL_H

#include <stddef.h>

#include "sdt/notes.h"

/* Format into @buf (if given, @len bytes); returns -1. */
int usdt_errf(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The first problem of @pr, prefixed "provider:name: "; later ones are dropped. */
void usdt_probe_err(struct usdt_probe *pr, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
