// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/trace/kprobes.c - the module's fixed kernel probes, by name, and how
 * their payloads decode.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "trace/kprobes.h"

static const char *const kprobe_names[MAPWATCH_KPROBE_MAX] = {
	[MAPWATCH_KPROBE_GETPRIORITY] = "getpriority",
	[MAPWATCH_KPROBE_MADVISE] = "madvise",
	[MAPWATCH_KPROBE_MUNMAP] = "munmap",
	[MAPWATCH_KPROBE_MMAP] = "mmap",
	[MAPWATCH_KPROBE_EXIT] = "exit",
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

/* One decoder for both outputs: plain " key=value" or JSON fields. */
struct kp_out {
	FILE *f;		/* plain, or */
	json_writer_t *w;	/* JSON */
};

static void out_hex(struct kp_out *o, const char *k, uint64_t v)
{
	if (o->w)
		jsonw_uint_field(o->w, k, v);
	else
		fprintf(o->f, " %s=0x%llx", k, (unsigned long long)v);
}

static void out_uint(struct kp_out *o, const char *k, uint64_t v)
{
	if (o->w)
		jsonw_uint_field(o->w, k, v);
	else
		fprintf(o->f, " %s=%llu", k, (unsigned long long)v);
}

static void out_int(struct kp_out *o, const char *k, int64_t v)
{
	if (o->w)
		jsonw_int_field(o->w, k, v);
	else
		fprintf(o->f, " %s=%lld", k, (long long)v);
}

static void out_str(struct kp_out *o, const char *k, const char *v)
{
	if (o->w)
		jsonw_string_field(o->w, k, v);
	else
		fprintf(o->f, " %s=%s", k, v);
}

static const struct {
	int value;
	const char *name;
} madv_names[] = {
	{ MADV_NORMAL, "normal" }, { MADV_RANDOM, "random" },
	{ MADV_SEQUENTIAL, "sequential" }, { MADV_WILLNEED, "willneed" },
	{ MADV_DONTNEED, "dontneed" }, { 8, "free" }, { 9, "remove" },
	{ 10, "dontfork" }, { 11, "dofork" }, { 12, "mergeable" }, { 13, "unmergeable" },
	{ 14, "hugepage" }, { 15, "nohugepage" }, { 16, "dontdump" }, { 17, "dodump" },
	{ 18, "wipeonfork" }, { 19, "keeponfork" }, { 20, "cold" }, { 21, "pageout" },
	{ 22, "populate_read" }, { 23, "populate_write" }, { 24, "dontneed_locked" },
	{ 25, "collapse" },
};

/* "dontneed" for MADV_DONTNEED (Linux's numbering); NULL if unknown. */
const char *madvise_name(int advice)
{
	size_t i;

	for (i = 0; i < sizeof(madv_names) / sizeof(madv_names[0]); i++)
		if (madv_names[i].value == advice)
			return madv_names[i].name;
	return NULL;
}

static void out_payload(struct kp_out *o, unsigned int type, const void *payload,
			unsigned int size)
{
	const struct mapwatch_kp_getpriority *gp = payload;
	const struct mapwatch_kp_madvise *ma = payload;
	const struct mapwatch_kp_munmap *mu = payload;
	const struct mapwatch_kp_mmap *mm = payload;
	const struct mapwatch_kp_exit *ex = payload;
	const char *name;
	char prot[4];

	switch (type) {
	case MAPWATCH_KPROBE_GETPRIORITY:
		if (size < sizeof(*gp))
			break;
		out_int(o, "which", gp->which);
		out_int(o, "who", gp->who);
		return;
	case MAPWATCH_KPROBE_MADVISE:
		if (size < sizeof(*ma))
			break;
		out_hex(o, "start", ma->start);
		out_uint(o, "len", ma->len);
		name = madvise_name(ma->advice);
		if (name)
			out_str(o, "advice", name);
		else
			out_int(o, "advice", ma->advice);
		return;
	case MAPWATCH_KPROBE_MUNMAP:
		if (size < sizeof(*mu))
			break;
		out_hex(o, "start", mu->start);
		out_uint(o, "len", mu->len);
		return;
	case MAPWATCH_KPROBE_MMAP:
		if (size < sizeof(*mm))
			break;
		out_hex(o, "addr", mm->addr);
		out_uint(o, "len", mm->len);
		snprintf(prot, sizeof(prot), "%c%c%c", mm->prot & PROT_READ ? 'r' : '-',
			 mm->prot & PROT_WRITE ? 'w' : '-', mm->prot & PROT_EXEC ? 'x' : '-');
		out_str(o, "prot", prot);
		out_hex(o, "flags", mm->flags);
		out_str(o, "map", mm->flags & MAP_ANONYMOUS ? "anon" :
			mm->flags & MAP_SHARED ? "shared-file" : "private-file");
		out_int(o, "fd", mm->fd);
		out_uint(o, "off", mm->off);
		if (mm->ret < 0 && mm->ret >= -4095)
			out_int(o, "error", -mm->ret);
		else
			out_hex(o, "ret", (uint64_t)mm->ret);
		return;
	case MAPWATCH_KPROBE_EXIT:
		if (size < sizeof(*ex))
			break;
		out_str(o, "exit", ex->group_dead ? "process" : "thread");
		if (ex->code & 0x7f)
			out_int(o, "signal", ex->code & 0x7f);
		else
			out_int(o, "status", (ex->code >> 8) & 0xff);
		return;
	}
	out_uint(o, "payload_bytes", size);
}

void kprobe_print_payload(FILE *f, unsigned int type, const void *payload, unsigned int size)
{
	struct kp_out o = { .f = f };

	out_payload(&o, type, payload, size);
}

void kprobe_json_payload(json_writer_t *w, unsigned int type, const void *payload,
			 unsigned int size)
{
	struct kp_out o = { .w = w };

	out_payload(&o, type, payload, size);
}
