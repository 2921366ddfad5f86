/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib/genl.h - libmapwatch's client of the module's control plane,
 * the generic netlink family "mapwatch" (libnl-genl-3): every session and
 * probe on the host, an admin's detach, and the notifications of the
 * "events" group.
 *
 * Errors as in mapwatch.h: -errno, and mw_error() says what failed,
 * naming the cause and the fix (the module not loaded, no right to read).
 */
#ifndef _MAPWATCH_LIB_GENL_H
#define _MAPWATCH_LIB_GENL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "mwerr.h"

struct nl_sock;

/* The last failure (this thread's), as in mapwatch.h. */
const char *mw_error(void);
const struct mw_err *mw_last_err(void);

struct mw_genl {
	struct nl_sock *sk;
	int family;
	int err;			/* the kernel's errno from an error message */
};

struct mw_session_row {
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

struct mw_probe_row {
	uint32_t session;
	uint32_t probe;
	uint32_t kind;			/* 1 kprobe, 2 uprobe */
	uint32_t kprobe_type;		/* enum mapwatch_kprobe_type */
	uint64_t dev, ino, offset;	/* a uprobe's file (st_dev, st_ino) and offset */
	bool all_processes;
	uint64_t hits, filtered, recorded, faults, missed;
	uint64_t lost;			/* recorded, but the rings were full or busy */
};

struct mw_status {
	struct mw_session_row *sessions;
	size_t nr_sessions;
	struct mw_probe_row *probes;
	size_t nr_probes;
	unsigned long malformed;	/* replies without a session id, skipped */
};

/* One notification of the "events" group. */
struct mw_notification {
	int cmd;			/* MAPWATCH_CMD_SESSION_NEW, ... */
	uint32_t session;
	uint32_t probe;			/* PROBE_NEW, PROBE_DEL */
	uint32_t uid, pid;		/* SESSION_NEW: the owner; PROCESS_EXIT: pid */
	char comm[16];
	bool has_status;		/* PROCESS_EXIT: the wait status is known */
	int status;			/* as waitpid() gives it */
	uint64_t lost;			/* LOSS_START, LOSS_STOP */
};

typedef void (*mw_notify_fn)(void *ctx, const struct mw_notification *n);

/* Connect and resolve the family; -ENOENT: the module is not loaded. */
int mw_genl_open(struct mw_genl *g);
void mw_genl_close(struct mw_genl *g);
/*
 * Every session, then every probe (-EPERM: reading needs root).  A reply
 * without a session id is skipped and counted in st->malformed.
 */
int mw_genl_status(struct mw_genl *g, struct mw_status *st);
void mw_status_free(struct mw_status *st);
/* PROBE_DETACH: -EPERM without CAP_SYS_ADMIN, -ENOENT no such probe. */
int mw_genl_detach(struct mw_genl *g, uint32_t session, uint32_t probe);
/*
 * Join the "events" group (-EPERM without CAP_SYS_ADMIN) and make the
 * socket non-blocking; poll mw_genl_fd() for POLLIN, then
 * mw_genl_notifications() hands each waiting notification to @fn: the
 * number handled (0: none waiting), -ENOBUFS when the socket's buffer
 * overran and notifications were lost (call again: more may wait), or
 * another -errno.  Commands newer than this library are counted in
 * *@unknown, not handed out.
 */
int mw_genl_subscribe(struct mw_genl *g);
int mw_genl_fd(const struct mw_genl *g);
int mw_genl_notifications(struct mw_genl *g, mw_notify_fn fn, void *ctx,
			  unsigned long long *unknown);

#endif /* _MAPWATCH_LIB_GENL_H */
