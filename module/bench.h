/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * The benchmark build's ioctl (module/bench.c), shared with
 * tools/bench/handler_bench.c.  Not part of the UAPI: the module users
 * build answers it with ENOTTY.
 */
#ifndef _MAPWATCH_BENCH_H
#define _MAPWATCH_BENCH_H

#include <linux/types.h>
#include <linux/mapwatch.h>

#define MAPWATCH_BENCH_MAX_ITER	1048576

/*
 * Run the handler of one of the session's uprobes @iterations times in the
 * calling task, on registers holding @regs (indexed as MAPWATCH_FOP_REG's
 * registers), four ways in turn, each timed as a whole:
 *   ns_fetch    the fetch program alone, into a scratch buffer;
 *   ns_ring     the record write alone: reserve, copy of that payload,
 *               commit, on this CPU's ring;
 *   ns_handler  the handler's whole work (mapwatch_uprobe_handle: hit
 *               count, filter, program, record), as a breakpoint hit runs it;
 *   ns_ftrace   the ftrace ring buffer's reserve, copy of the same payload
 *               and commit, on a private buffer.
 * The session must be enabled, its rings configured and the caller traced
 * (MAPWATCH_IOC_PID), or the record writes are filtered out; the caller
 * drains the rings between calls: 2 * @iterations records are written.
 */
struct mapwatch_bench_handler {
	__u32 size;			/* sizeof(struct mapwatch_bench_handler) */
	__u32 probe_id;			/* in: a uprobe of this session */
	__u32 iterations;		/* in: 1..MAPWATCH_BENCH_MAX_ITER */
	__u32 payload;			/* out: bytes the program wrote (last run) */
	__u64 regs[MAPWATCH_REG_ARM64_NR];	/* in: the first MAPWATCH_REG_*_NR used */
	__u64 faults;			/* out: runs in which a read faulted */
	__u64 ns_fetch;			/* out */
	__u64 ns_ring;			/* out */
	__u64 ns_handler;		/* out */
	__u64 ns_ftrace;		/* out */
};

#define MAPWATCH_IOC_BENCH_HANDLER \
	_IOWR(MAPWATCH_IOC_MAGIC, 0xb0, struct mapwatch_bench_handler)

#endif /* _MAPWATCH_BENCH_H */
