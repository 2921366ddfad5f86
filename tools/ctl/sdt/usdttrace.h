/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tools/ctl/sdt/usdttrace.h - USDT probes traced by mapwatchctl dump: any probe
 * by name (--usdt PROVIDER:NAME, a glob), and the JVM preset (--jvm):
 * HotSpot's GC begin/end with durations, method entry filtered to the
 * classes and methods asked for (--methods), object allocation (--alloc).
 *
 * Everything is decided here, in userspace: each probe is a uprobe at the
 * note's file offset, with the kernel's reference counter on its semaphore
 * (ref_ctr_offset) and a fetch program made from its argument specs.  The
 * names a method probe passes (class, method, signature: pointer + length,
 * not NUL-terminated) are copied by the fetch program, at most
 * USDTTRACE_STR_MAX bytes each.
 *
 * --methods filters in mapwatchctl, not in the handler: a fetch program is
 * a straight list of loads and copies with no comparison (the module
 * validates its cost once, at attach), so every method__entry the JVM
 * fires is recorded and those outside the patterns are counted and
 * dropped here (a record whose reads faulted is always printed).  The
 * summary reports them.
 */
#ifndef _MAPWATCHCTL_USDTTRACE_H
#define _MAPWATCHCTL_USDTTRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/fetchprog.h"
#include "lib/json_writer.h"
#include "sdt/notes.h"
#include "lib/mapwatch.h"

#define USDTTRACE_STR_MAX	128	/* bytes copied of each JVM name */
#define USDTTRACE_MAX_PATS	16
#define USDTTRACE_MAX_GC_PIDS	16	/* processes whose open GC is remembered */

enum usdttrace_kind {
	UT_GENERIC,		/* --usdt: arg0.. as integers */
	UT_GC_BEGIN,		/* hotspot:gc__begin (full flag) */
	UT_GC_END,		/* hotspot:gc__end */
	UT_METHOD_ENTRY,	/* hotspot:method__entry */
	UT_OBJECT_ALLOC,	/* hotspot:object__alloc */
};

struct usdttrace_probe {
	const struct usdt_probe *up;	/* in usdttrace.uf */
	enum usdttrace_kind kind;
	struct fprog prog;
	uint32_t id;			/* the session's probe id, once attached */
};

struct usdttrace_gc {
	uint32_t pid;
	uint64_t begin_ns;		/* 0: no cycle open */
	bool full;
};

struct usdttrace {
	char path[4096];		/* the ELF file probed */
	int fd;
	struct usdt_file uf;
	struct usdttrace_probe *probes;
	size_t nr;
	bool jvm, alloc;
	bool all_processes;		/* every process mapping the file (dump -e alone) */
	char *pats[USDTTRACE_MAX_PATS];	/* --usdt */
	unsigned int nr_pats;
	char *methods[USDTTRACE_MAX_PATS];	/* --methods, on "class.method" */
	unsigned int nr_methods;
	uint64_t methods_filtered;	/* method events outside --methods */
	struct usdttrace_gc gc[USDTTRACE_MAX_GC_PIDS];
};

void usdttrace_init(struct usdttrace *t);
/* Options, before usdttrace_open(); 0, or -1 with ERR (MW_E_INVAL, MW_E_NOMEM). */
int usdttrace_add_pattern(struct usdttrace *t, const char *pat, struct mw_err *err);
int usdttrace_add_methods(struct usdttrace *t, const char *pat, struct mw_err *err);
/* Anything asked for: --usdt, --jvm. */
bool usdttrace_wanted(const struct usdttrace *t);

/*
 * Where the probes are: -e PATH as given; else the file mapped by PID that
 * has them (libjvm.so for --jvm); else, for --jvm and a command, the
 * libjvm.so of the JDK the command (a java launcher) belongs to.  0, or -1
 * with ERR saying what to give instead (MW_E_INVAL; MW_E_IO: unreadable).
 */
int usdttrace_find(struct usdttrace *t, const char *elf, int pid, const char *cmd_path,
		   struct mw_err *err);
/*
 * Read PATH's notes and plan the probes asked for; 0, or -1 with ERR:
 * usdt_open()'s codes, a matching probe's own (usdt_probe.error),
 * MW_E_INVAL (nothing matches the options, or an argument the fetch program
 * cannot read), MW_E_FORMAT (not the HotSpot probes mapwatchctl knows),
 * MW_E_IO.
 */
int usdttrace_open(struct usdttrace *t, struct mw_err *err);
int usdttrace_attach(struct usdttrace *t, struct mw_session *s);
void usdttrace_close(struct usdttrace *t);

/* The probe a record came from, or NULL if it is not one of @t's. */
const struct usdttrace_probe *usdttrace_probe(const struct usdttrace *t, uint32_t id);
/* Print one event; false if it was filtered out (--methods). */
bool usdttrace_print(struct usdttrace *t, const struct usdttrace_probe *p,
		     const struct mapwatch_rec_event *ev, FILE *f, json_writer_t *jw);

#endif
