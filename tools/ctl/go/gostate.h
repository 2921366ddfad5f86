/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/go/gostate.h - a Go map's state read from its process
 * (/proc/PID/mem, which dump opens anyway as its proof of ptrace rights):
 * no trap, no kernel change (DESIGN.md section 8).  What events cannot
 * give: the tables of a swiss map made before the attach, and each live
 * map's count and storage when tracing ends.
 */
#ifndef _MAPWATCHCTL_GOSTATE_H
#define _MAPWATCHCTL_GOSTATE_H

#include <stdint.h>
#include <sys/types.h>

#include "go/gostorage.h"
#include "go/gover.h"

/* A directory longer than this (8 MiB of it) is not read: too big a map. */
#define GOSTATE_MAX_DIR		(1u << 20)
/* A classic map's B above this (2^34 buckets: a TiB of them) is no map's. */
#define GOSTATE_MAX_B		34

/* /proc/@pid/mem opened for reading; -errno if it cannot be. */
int gostate_open(pid_t pid);

/*
 * The header of the map at @addr (@lay's offsets) into @h and, for a
 * swiss map with a directory, its distinct tables and their summed
 * capacity into @tabs (known; a small map has none).  The reads are
 * not atomic with the program's writes: each field is read once and
 * then checked (a directory or capacity out of bounds is refused, and
 * so is what no map header holds: B over GOSTATE_MAX_B, unknown flags,
 * entries without buckets, more entries than slots).
 * 0; -EIO or -ESRCH (the memory is gone: unmapped, or the process has
 * exited), -EBADMSG (what is there is not a map header, or was being
 * changed), -E2BIG (a directory over GOSTATE_MAX_DIR), -ENOMEM.
 */
int gostate_read(int fd, const struct gover_layout *lay, uint64_t addr,
		 struct gostore_hdr *h, struct gostore_tables *tabs);

#endif
