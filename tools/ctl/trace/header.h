/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/trace/header.h - a trace's first record (docs/trace-format.md):
 * the format and its version, who wrote it (mapwatchctl, the module),
 * where (host, kernel, machine), when (the wall-clock time of the
 * monotonic clock's zero, so every time_ns converts to a date), and what
 * was traced (processes, command, each binary with its build ids).
 */
#ifndef _MAPWATCHCTL_TRACE_HEADER_H
#define _MAPWATCHCTL_TRACE_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include <linux/mapwatch.h>

#include "lib/json_writer.h"

struct trace_binary {
	const char *role;		/* "go" or "sdt" */
	const char *path;		/* as given; /proc/PID/exe is resolved */
	const char *go_version;		/* "go1.25.3", or NULL */
	const char *map_impl;		/* "classic", "swiss", or NULL */
};

struct trace_target {
	const struct mapwatch_api *api;	/* the module's handshake */
	const int *pids;
	size_t nr_pids;
	char *const *cmd;		/* the command started, or NULL */
	int cmd_pid;			/* its pid, 0 if none */
	const struct trace_binary *bins;
	size_t nr_bins;
	uint64_t start_ns;		/* CLOCK_MONOTONIC just before ENABLE */
};

void trace_header_write(json_writer_t *w, const struct trace_target *t);

#endif
