/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/lib/mapwatch.h - libmapwatch: open a session, map its rings, drain
 * records.  Used by mapwatchctl and by the selftests.
 */
#ifndef _MAPWATCH_LIB_H
#define _MAPWATCH_LIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/mapwatch.h>

#include "mwerr.h"

struct mw_cpu_ring {
	struct mapwatch_ring_consumer *cons;		/* NULL: no such CPU */
	const struct mapwatch_ring_producer *prod;
	const uint8_t *data;
	uint64_t data_size;
};

struct mw_session {
	int fd;
	struct mapwatch_api api;
	struct mapwatch_ring_config cfg;
	unsigned int nr_cpus;
	struct mw_cpu_ring *cpu;
};

/* A record handed to a drain callback; return non-zero to stop draining. */
typedef int (*mw_record_fn)(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr);

/*
 * All functions return 0 (or a count) on success and -errno on failure;
 * mw_error() then tells what failed, naming the cause and the fix, and
 * mw_last_err() holds it as a struct mw_err (code MW_E_SYS, errnum the
 * errno).  Both are this thread's, kept until its next failure.
 */
int mw_open(struct mw_session *s, const char *path, int flags);
int mw_configure(struct mw_session *s, uint32_t data_pages, uint32_t flags,
		 uint32_t watermark, uint32_t timer_ms);
int mw_enable(struct mw_session *s);
int mw_disable(struct mw_session *s);
int mw_pid(struct mw_session *s, uint32_t op, int pid);
int mw_kprobe_attach(struct mw_session *s, uint32_t type, uint32_t *probe_id);
/*
 * Attach a uprobe at @offset of the file open as @fd, running @ops at each
 * hit.  On EINVAL from a bad program, mw_error() names the op.
 */
int mw_uprobe_attach(struct mw_session *s, int fd, uint64_t offset, uint64_t ref_ctr_offset,
		     const struct mapwatch_fetch_op *ops, uint32_t nr_ops, uint32_t flags,
		     uint32_t *probe_id);
int mw_detach(struct mw_session *s, uint32_t probe_id);
/*
 * Detach the @nr probes @ids together (all or none), waiting once for the
 * handlers of the uprobes among them; a module before ABI 1.5: one by one.
 * *@done: how many of @ids (the first ones) are detached, failure or not.
 */
int mw_detach_ids(struct mw_session *s, const uint32_t *ids, uint32_t nr, uint32_t *done);
int mw_counters(struct mw_session *s, uint32_t cpu, struct mapwatch_counters *c);
int mw_probe_counters(struct mw_session *s, uint32_t probe_id, struct mapwatch_probe_counters *c);
/* Drain every CPU's ring through the mapping; returns records handed to @fn. */
long mw_drain(struct mw_session *s, mw_record_fn fn, void *ctx);
/* Wait until the session is readable; 1 readable, 0 timeout, -errno. */
int mw_wait(struct mw_session *s, int timeout_ms);
void mw_close(struct mw_session *s);
const char *mw_error(void);
const struct mw_err *mw_last_err(void);

static inline const void *mw_event_payload(const struct mapwatch_rec_event *ev)
{
	return ev + 1;
}

#endif /* _MAPWATCH_LIB_H */
