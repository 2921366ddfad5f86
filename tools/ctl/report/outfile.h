/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/report/outfile.h - files the user keeps, never left half-written. */
#ifndef _MAPWATCHCTL_REPORT_OUTFILE_H
#define _MAPWATCHCTL_REPORT_OUTFILE_H

#include <stdio.h>

/*
 * Write @path with @fill: into "@path.tmp.XXXXXX" (a new file with the
 * mode and owner of the one it replaces, or 0666 less the umask) in the
 * same directory, which must be writable, fsync,
 * rename(2) over @path, so a reader sees the old file or the new one,
 * never part of one, and a failed command leaves the old one as it was.
 * "-" writes to stdout, and a path that is not a regular file (a pipe, a
 * terminal, /dev/stdout) is written as it is; a symbolic link's file is
 * replaced, the link kept.  0, or -1 with the reason printed (@fill's
 * non-zero return is an error too, and its reason is @fill's to print).
 */
int outfile_write(const char *path, int (*fill)(FILE *f, void *ctx), void *ctx);

#endif
