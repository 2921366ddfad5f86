/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/report/outfile.h - files the user keeps, never left half-written. */
#ifndef _MAPWATCHCTL_REPORT_OUTFILE_H
#define _MAPWATCHCTL_REPORT_OUTFILE_H

#include <stdbool.h>
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

/*
 * The same in steps, for a file written over a long time (dump -w):
 * outfile_open() makes the temporary file (or opens "-" or a non-regular
 * file as it is) and sets @o->f; outfile_commit() flushes, fsyncs, closes
 * and renames it over the path; outfile_abort() closes and removes it,
 * leaving the path as it was.  Both free @o.  0, or -1 with the reason
 * printed.  A commit that fails removes the temporary file, unless
 * @o->keep (set after outfile_open(): what it holds cannot be made again),
 * then it is kept and named.
 */
struct outfile {
	FILE *f;
	const char *name;	/* the path as given */
	const char *dest;	/* what is replaced: the path, or a link's file */
	char *tmp;		/* the temporary file; NULL when written as it is */
	char *real;		/* a link's file, allocated */
	bool keep;		/* a failed commit keeps the temporary file */
};

int outfile_open(struct outfile *o, const char *path);
int outfile_commit(struct outfile *o);
void outfile_abort(struct outfile *o);
/* Close and free @o, leaving its temporary file where it is (the caller names it). */
void outfile_keep(struct outfile *o);

#endif
