/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/status.h - the control plane's probes, for people (status,
 * openmetrics); the client itself is tools/lib/genl.h.
 */
#ifndef _MAPWATCHCTL_STATUS_H
#define _MAPWATCHCTL_STATUS_H

#include <stddef.h>

#include "lib/genl.h"

/*
 * Where a probe is, for people: the kprobe's name ("madvise"), or the
 * uprobe's file and offset ("/usr/bin/app+0x4a1f20"; "dev 8:1 ino 1234+0x..."
 * when no process maps the file now).  Written into @buf.  A path found is
 * remembered for the next calls.
 */
const char *ctl_probe_where(const struct mw_probe_row *p, char *buf, size_t len);

#endif
