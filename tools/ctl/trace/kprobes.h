/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/trace/kprobes.h - names and decoders of the module's kernel probes. */
#ifndef _MAPWATCHCTL_PROBES_H
#define _MAPWATCHCTL_PROBES_H

#include <stdint.h>
#include <stdio.h>
#include <linux/mapwatch.h>

#include "lib/json_writer.h"

/* "getpriority" for MAPWATCH_KPROBE_GETPRIORITY; "kprobe-N" if unknown. */
const char *kprobe_name(unsigned int type);
/* "dontneed" for MADV_DONTNEED (Linux's numbering); NULL if unknown. */
const char *madvise_name(int advice);
/* 0 and the type for a known name, -1 otherwise. */
int kprobe_type(const char *name, uint32_t *type);
/* Print a kprobe event's payload as " key=value..." or JSON fields. */
void kprobe_print_payload(FILE *f, unsigned int type, const void *payload, unsigned int size);
void kprobe_json_payload(json_writer_t *w, unsigned int type, const void *payload,
			 unsigned int size);

/*
 * What every event line starts with: CLOCK_MONOTONIC time, cpu, pid/tid
 * (plain), or an object opened with type, time_ns, cpu, pid, tid (JSON).
 */
void event_head_plain(FILE *f, const struct mapwatch_rec_event *ev);
void event_head_json(json_writer_t *w, const char *type, const struct mapwatch_rec_event *ev);

#endif
