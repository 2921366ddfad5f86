// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/trace/header.c - the header record dump -j writes first.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "lib/elfbin.h"
#include "trace/format.h"
#include "trace/header.h"

#define NT_GO_BUILDID	4	/* Go's linker: owner "Go", the build ID as text */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

/*
 * CLOCK_REALTIME at CLOCK_MONOTONIC's zero: realtime less monotonic, read
 * on the tightest of three tries (the pair bracketing the fewest ns).
 */
static uint64_t clock_zero(void)
{
	uint64_t best = 0, span = UINT64_MAX;
	int i;

	for (i = 0; i < 3; i++) {
		uint64_t m0 = clock_ns(CLOCK_MONOTONIC), r = clock_ns(CLOCK_REALTIME);
		uint64_t m1 = clock_ns(CLOCK_MONOTONIC);

		if (m1 - m0 < span) {
			span = m1 - m0;
			best = r - (m0 + (m1 - m0) / 2);
		}
	}
	return best;
}

static void build_ids(json_writer_t *w, const char *path)
{
	struct elfbin eb;
	const unsigned char *id;
	size_t len, i;
	char hex[2 * 64 + 1];

	if (elfbin_open(&eb, path, NULL))
		return;
	id = elfbin_note(&eb, "GNU", 3 /* NT_GNU_BUILD_ID */, &len);
	if (id && len && len <= 64) {
		for (i = 0; i < len; i++)
			snprintf(hex + 2 * i, 3, "%02x", id[i]);
		jsonw_string_field(w, "build_id", hex);
	}
	id = elfbin_note(&eb, "Go", NT_GO_BUILDID, &len);
	if (id && len && len < 256) {
		char go[256];

		memcpy(go, id, len);
		go[len] = '\0';
		if (strlen(go) == len)
			jsonw_string_field(w, "go_build_id", go);
	}
	elfbin_close(&eb);
}

void trace_header_write(json_writer_t *w, const struct trace_target *t)
{
	struct utsname u;
	char abi[24];
	size_t i;

	jsonw_start_object(w);
	jsonw_string_field(w, "type", TRACE_HEADER);
	jsonw_string_field(w, "format", TRACE_FORMAT_NAME);
	jsonw_uint_field(w, "version", TRACE_FORMAT_VERSION);
	jsonw_string_field(w, "mapwatchctl", MAPWATCH_TOOL_VERSION);
	jsonw_string_field(w, "module", t->api->version);
	snprintf(abi, sizeof(abi), "%u.%u", t->api->abi_major, t->api->abi_minor);
	jsonw_string_field(w, "abi", abi);
	if (!uname(&u)) {
		jsonw_string_field(w, "host", u.nodename);
		jsonw_string_field(w, "kernel", u.release);
		jsonw_string_field(w, "machine", u.machine);
	}
	jsonw_uint_field(w, "cpus", t->api->nr_cpus);
	jsonw_string_field(w, "clock", "CLOCK_MONOTONIC");
	jsonw_uint_field(w, "clock_zero_realtime_ns", clock_zero());
	jsonw_uint_field(w, "start_ns", t->start_ns);
	jsonw_name(w, "pids");
	jsonw_start_array(w);
	for (i = 0; i < t->nr_pids; i++)
		jsonw_uint(w, t->pids[i]);
	if (t->cmd_pid)
		jsonw_uint(w, t->cmd_pid);
	jsonw_end_array(w);
	if (t->cmd) {
		jsonw_name(w, "command");
		jsonw_start_array(w);
		for (i = 0; t->cmd[i]; i++)
			jsonw_string(w, t->cmd[i]);
		jsonw_end_array(w);
	}
	jsonw_name(w, "binaries");
	jsonw_start_array(w);
	for (i = 0; i < t->nr_bins; i++) {
		const struct trace_binary *b = &t->bins[i];
		char real[PATH_MAX];

		ssize_t n;

		jsonw_start_object(w);
		jsonw_string_field(w, "role", b->role);
		/* /proc/PID/exe of a program deleted since: "/path (deleted)". */
		if (!realpath(b->path, real)) {
			n = readlink(b->path, real, sizeof(real) - 1);
			if (n > 0)
				real[n] = '\0';
			else
				snprintf(real, sizeof(real), "%s", b->path);
		}
		jsonw_string_field(w, "path", real);
		build_ids(w, b->path);
		if (b->go_version)
			jsonw_string_field(w, "go_version", b->go_version);
		if (b->map_impl)
			jsonw_string_field(w, "map_impl", b->map_impl);
		jsonw_end_object(w);
	}
	jsonw_end_array(w);
	jsonw_end_object(w);
}
