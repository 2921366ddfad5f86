// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/probes.c - the module's fixed kernel probes, by name, and how
 * their payloads decode.
 */
#include <stdio.h>
#include <string.h>

#include "probes.h"

static const char *const kprobe_names[MAPWATCH_KPROBE_MAX] = {
	[MAPWATCH_KPROBE_GETPRIORITY] = "getpriority",
};

const char *kprobe_name(unsigned int type)
{
	static char buf[32];

	if (type < MAPWATCH_KPROBE_MAX && kprobe_names[type])
		return kprobe_names[type];
	snprintf(buf, sizeof(buf), "kprobe-%u", type);
	return buf;
}

int kprobe_type(const char *name, uint32_t *type)
{
	unsigned int t;

	for (t = 1; t < MAPWATCH_KPROBE_MAX; t++) {
		if (kprobe_names[t] && !strcmp(name, kprobe_names[t])) {
			*type = t;
			return 0;
		}
	}
	return -1;
}

void event_head_plain(FILE *f, const struct mapwatch_rec_event *ev)
{
	fprintf(f, "%llu.%09llu cpu%u %u/%u", (unsigned long long)ev->time_ns / 1000000000,
		(unsigned long long)ev->time_ns % 1000000000, ev->cpu, ev->tgid, ev->tid);
}

void event_head_json(json_writer_t *w, const char *type, const struct mapwatch_rec_event *ev)
{
	jsonw_start_object(w);
	jsonw_string_field(w, "type", type);
	jsonw_uint_field(w, "time_ns", ev->time_ns);
	jsonw_uint_field(w, "cpu", ev->cpu);
	jsonw_uint_field(w, "pid", ev->tgid);
	jsonw_uint_field(w, "tid", ev->tid);
}

void kprobe_print_payload(FILE *f, unsigned int type, const void *payload, unsigned int size)
{
	const struct mapwatch_kp_getpriority *gp = payload;

	if (type == MAPWATCH_KPROBE_GETPRIORITY && size >= sizeof(*gp)) {
		fprintf(f, " which=%d who=%d", gp->which, gp->who);
		return;
	}
	fprintf(f, " payload=%u bytes", size);
}

void kprobe_json_payload(json_writer_t *w, unsigned int type, const void *payload,
			 unsigned int size)
{
	const struct mapwatch_kp_getpriority *gp = payload;

	if (type == MAPWATCH_KPROBE_GETPRIORITY && size >= sizeof(*gp)) {
		jsonw_int_field(w, "which", gp->which);
		jsonw_int_field(w, "who", gp->who);
		return;
	}
	jsonw_uint_field(w, "payload_bytes", size);
}
