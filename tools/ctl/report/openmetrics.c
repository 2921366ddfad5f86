// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/openmetrics.c - the OpenMetrics text format for `mapwatchctl
 * report --openmetrics FILE` (the report's own metrics are in report.c):
 * families, samples, escaping, the atomic file write, and the counters of
 * the module's control plane.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "report/openmetrics.h"
#include "status.h"

/* Length of the valid UTF-8 sequence at @s, or 0 if it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;
	uint32_t c;

	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xe0) == 0xc0) {
		n = 2;
		c = s[0] & 0x1f;
	} else if ((s[0] & 0xf0) == 0xe0) {
		n = 3;
		c = s[0] & 0x0f;
	} else if ((s[0] & 0xf8) == 0xf0) {
		n = 4;
		c = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	/* overlong forms, surrogates, beyond Unicode */
	if ((n == 2 && c < 0x80) || (n == 3 && c < 0x800) || (n == 4 && c < 0x10000) ||
	    (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		return 0;
	return n;
}

void om_escape(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (*p == '\\')
			fputs("\\\\", f);
		else if (*p == '"')
			fputs("\\\"", f);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (!n)
			fputc('?', f);
		else
			fwrite(p, 1, n, f);
		p += n ? n : 1;
	}
}

void om_family(FILE *f, const char *name, const char *type, const char *unit,
	       const char *help)
{
	fprintf(f, "# TYPE %s %s\n", name, type);
	if (unit)
		fprintf(f, "# UNIT %s %s\n", name, unit);
	fprintf(f, "# HELP %s ", name);
	om_escape(f, help);
	fputc('\n', f);
}

static void om_head(FILE *f, const char *name, const char *suffix, const struct om_label *l,
		    size_t nr)
{
	bool any = false;
	size_t i;

	fprintf(f, "%s%s", name, suffix);
	for (i = 0; i < nr; i++) {
		if (!l[i].value)
			continue;
		fprintf(f, "%s%s=\"", any ? "," : "{", l[i].name);
		om_escape(f, l[i].value);
		fputc('"', f);
		any = true;
	}
	if (any)
		fputc('}', f);
}

void om_sample_u64(FILE *f, const char *name, const char *suffix, const struct om_label *l,
		   size_t nr, uint64_t v)
{
	om_head(f, name, suffix, l, nr);
	fprintf(f, " %" PRIu64 "\n", v);
}

void om_sample_ns(FILE *f, const char *name, const char *suffix, const struct om_label *l,
		  size_t nr, uint64_t ns)
{
	om_head(f, name, suffix, l, nr);
	fprintf(f, " %" PRIu64 ".%09" PRIu64 "\n", ns / 1000000000, ns % 1000000000);
}

void om_eof(FILE *f)
{
	fputs("# EOF\n", f);
}

/* ------------------------------------------------------------------------ */
/* The module's control plane: every session and probe on the host.         */

#define NUM(buf, v) (snprintf(buf, sizeof(buf), "%" PRIu64, (uint64_t)(v)), buf)

static void om_session_counter(FILE *f, const struct mw_status *st, const char *name,
			       const char *help, size_t field)
{
	char id[24];
	size_t i;

	om_family(f, name, "counter", NULL, help);
	for (i = 0; i < st->nr_sessions; i++) {
		const struct mw_session_row *s = &st->sessions[i];
		struct om_label l[] = { { "session", NUM(id, s->id) } };

		om_sample_u64(f, name, "_total", l, 1,
			      *(const uint64_t *)((const char *)s + field));
	}
}

static void om_probe_counter(FILE *f, const struct mw_status *st, const char *name,
			     const char *help, size_t field)
{
	char sid[24], pid[24], where[512];
	size_t i;

	om_family(f, name, "counter", NULL, help);
	for (i = 0; i < st->nr_probes; i++) {
		const struct mw_probe_row *p = &st->probes[i];
		struct om_label l[] = {
			{ "session", NUM(sid, p->session) },
			{ "probe", NUM(pid, p->probe) },
			{ "kind", p->kind == 1 ? "kprobe" : p->kind == 2 ? "uprobe" : "unknown" },
			{ "where", ctl_probe_where(p, where, sizeof(where)) },
		};

		om_sample_u64(f, name, "_total", l, 4,
			      *(const uint64_t *)((const char *)p + field));
	}
}

void om_control_plane(FILE *f)
{
	struct mw_status st = {};
	char id[24], pid[24], uid[24];
	struct mw_genl g;
	bool up = !mw_genl_open(&g) && !mw_genl_status(&g, &st);
	size_t i;

	mw_genl_close(&g);

	om_family(f, "mapwatch_control_plane_up", "gauge", NULL,
		  "1 if the module's generic netlink family answered (the session and probe"
		  " metrics follow), 0 if not (module not loaded, or no right to ask: root)");
	om_sample_u64(f, "mapwatch_control_plane_up", "", NULL, 0, up);
	if (!up)
		return;
	/* A gauge, not OpenMetrics' info: node_exporter's text parser knows no info. */
	om_family(f, "mapwatch_session_info", "gauge", NULL,
		  "A tracing session on the host (an open /dev/mapwatch) and its owner; always 1");
	for (i = 0; i < st.nr_sessions; i++) {
		const struct mw_session_row *s = &st.sessions[i];
		char comm[sizeof(s->comm) + 1];
		struct om_label l[] = {
			{ "session", NUM(id, s->id) },
			{ "owner_pid", NUM(pid, s->pid) },
			{ "owner_uid", NUM(uid, s->uid) },
			{ "owner_comm", comm },
		};

		memcpy(comm, s->comm, sizeof(s->comm));
		comm[sizeof(s->comm)] = 0;
		om_sample_u64(f, "mapwatch_session_info", "", l, 4, 1);
	}
	om_family(f, "mapwatch_session_enabled", "gauge", NULL,
		  "1 while the session's probes record (MAPWATCH_IOC_ENABLE)");
	for (i = 0; i < st.nr_sessions; i++) {
		struct om_label l[] = { { "session", NUM(id, st.sessions[i].id) } };

		om_sample_u64(f, "mapwatch_session_enabled", "", l, 1, st.sessions[i].enabled);
	}
	om_session_counter(f, &st, "mapwatch_session_produced",
			   "Records the session's probes produced (written + lost_full +"
			   " lost_nested)", offsetof(struct mw_session_row, produced));
	om_session_counter(f, &st, "mapwatch_session_written",
			   "Records committed to the session's rings",
			   offsetof(struct mw_session_row, written));
	om_family(f, "mapwatch_session_lost", "counter", NULL,
		  "Records the session's rings dropped, by cause: ring_full (no room,"
		  " discard mode), nested (ring busy in an interrupted writer), overwritten"
		  " (flight-recorder mode)");
	for (i = 0; i < st.nr_sessions; i++) {
		const struct mw_session_row *s = &st.sessions[i];
		struct om_label l[] = { { "session", NUM(id, s->id) }, { "cause", "ring_full" } };

		om_sample_u64(f, "mapwatch_session_lost", "_total", l, 2, s->lost_full);
		l[1].value = "nested";
		om_sample_u64(f, "mapwatch_session_lost", "_total", l, 2, s->lost_nested);
		l[1].value = "overwritten";
		om_sample_u64(f, "mapwatch_session_lost", "_total", l, 2, s->lost_overwritten);
	}
	om_probe_counter(f, &st, "mapwatch_probe_hits", "Times the probe's handler ran",
			 offsetof(struct mw_probe_row, hits));
	om_probe_counter(f, &st, "mapwatch_probe_filtered",
			 "Hits not recorded: not a traced process, or the session disabled",
			 offsetof(struct mw_probe_row, filtered));
	om_probe_counter(f, &st, "mapwatch_probe_recorded",
			 "Hits handed to the ring (written, or counted lost)",
			 offsetof(struct mw_probe_row, recorded));
	om_probe_counter(f, &st, "mapwatch_probe_faults",
			 "Records flagged as faulted: a user memory read of the fetch program"
			 " failed", offsetof(struct mw_probe_row, faults));
	om_probe_counter(f, &st, "mapwatch_probe_missed",
			 "Hits the kernel's kprobe core missed (recursion, no free kretprobe"
			 " instance): the handler did not run",
			 offsetof(struct mw_probe_row, missed));
	om_probe_counter(f, &st, "mapwatch_probe_lost",
			 "Recorded hits the session's rings could not take (full, or the CPU's"
			 " writer busy): counted, not written",
			 offsetof(struct mw_probe_row, lost));
	mw_status_free(&st);
}
