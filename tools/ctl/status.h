/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/status.h - what the module's control plane (generic netlink
 * family "mapwatch") says of every session and probe on the host.
 */
#ifndef _MAPWATCHCTL_STATUS_H
#define _MAPWATCHCTL_STATUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ctl_session_row {
	uint32_t id;
	uint32_t uid;			/* the owner's, initial user namespace */
	uint32_t pid;			/* the owner's tgid, initial pid namespace */
	char comm[16];
	uint64_t opened_ns;		/* CLOCK_REALTIME */
	bool enabled;
	uint32_t nr_probes;
	uint32_t ring_pages;		/* 0: rings not configured */
	uint64_t produced, written, lost_full, lost_nested, lost_overwritten;
};

struct ctl_probe_row {
	uint32_t session;
	uint32_t probe;
	uint32_t kind;			/* 1 kprobe, 2 uprobe */
	uint32_t kprobe_type;		/* enum mapwatch_kprobe_type */
	uint64_t dev, ino, offset;	/* a uprobe's file (st_dev, st_ino) and offset */
	bool all_processes;
	uint64_t hits, filtered, recorded, faults, missed;
	uint64_t lost;			/* recorded, but the rings were full or busy */
};

struct ctl_status {
	struct ctl_session_row *sessions;
	size_t nr_sessions;
	struct ctl_probe_row *probes;
	size_t nr_probes;
};

/*
 * Read every session and probe from the module.  0, or -1 with the reason
 * printed unless @quiet (module not loaded, no right to read: root).
 */
int ctl_status_read(struct ctl_status *st, bool quiet);
void ctl_status_free(struct ctl_status *st);
/*
 * Where a probe is, for people: the kprobe's name ("madvise"), or the
 * uprobe's file and offset ("/usr/bin/app+0x4a1f20"; "dev 8:1 ino 1234+0x..."
 * when no process maps the file now).  Written into @buf.  A path found is
 * remembered for the next calls.
 */
const char *ctl_probe_where(const struct ctl_probe_row *p, char *buf, size_t len);

#endif
