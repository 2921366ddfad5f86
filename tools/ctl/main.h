/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/main.h - what mapwatchctl's command files share. */
#ifndef _MAPWATCHCTL_MAIN_H
#define _MAPWATCHCTL_MAIN_H

#include <stdbool.h>
#include <stdint.h>
#include <getopt.h>
#include <stdio.h>

#include "lib/json_writer.h"

#define HELP_SPEC_OPTIONS \
	"OPTIONS := { {-j|--json} [--pretty] | {-d|--device} PATH | {-V|--version} }\n" \
	"       -j, --json and --pretty may also follow COMMAND\n" \
	"Exit status: 0 done, 1 failed (or the trace read was incomplete), 2 a\n" \
	"wrong command line"

/*
 * The options every command takes after its name, for its getopt_long()
 * table (and "j" in its short options): -j/--json, --pretty (no -p:
 * that is dump's pid).  common_option() handles them.
 */
#define OPT_PRETTY	0x100
#define COMMON_OPTIONS \
	{ "json",	no_argument,	NULL, 'j' }, \
	{ "pretty",	no_argument,	NULL, OPT_PRETTY }

struct cmd {
	const char *name;
	int (*func)(int argc, char **argv);
};

extern const char *bin_name;
extern const char *device_path;
extern bool json_output;
extern bool pretty_output;
extern json_writer_t *json_wtr;

int cmd_select(const struct cmd *cmds, int argc, char **argv, int (*help)(int argc, char **argv));
bool is_prefix(const char *pfx, const char *str);
/* JSON output from here on (the writer made on first use). */
void json_enable(bool pretty);
/* @opt from getopt_long(): true if it was -j or --pretty, now in effect. */
bool common_option(int opt);
/*
 * A command's getopt_long() over its arguments (@argv[0] the first, as
 * commands get them), options before the first operand ("+"); the common
 * options are handled here.  Returns the option, -1 at the end (*@next:
 * the index of the first operand in @argv), or '?' after an unknown
 * option or a missing value, named with the command's help (printed, a
 * usage error).  @cmd NULL: mapwatchctl's own options, before a command.
 */
int cmd_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *next);
/*
 * For a command with no options of its own: -h/--help/"help" (@help is
 * called: 1), the common options, then @argc and @argv are its operands (0);
 * -1 after an unknown option (printed).
 */
int cmd_options(const char *cmd, int *argc, char ***argv, int (*help)(void));
/* --top N: 0 or a count; -1 (printed) if not a number. */
int parse_top(const char *arg, size_t *top);
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* p_err() for a wrong command line: mapwatchctl then exits 2. */
void p_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
extern bool usage_error;
/* A command's help: on stderr, or under -j as {"help": TEXT} on stdout; 0. */
int help_print(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t mono_ns(void);

#define ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* dump's own options (no common ones, no help), for report to forward. */
#define DUMP_NR_OPTIONS	17	/* entries of dump_options, its { NULL } included */
extern const struct option dump_options[DUMP_NR_OPTIONS];
extern const char dump_shortopts[];

int do_info(int argc, char **argv);
int do_dump(int argc, char **argv);
int do_symbols(int argc, char **argv);
int do_report(int argc, char **argv);
int do_top(int argc, char **argv);
int do_export(int argc, char **argv);
int do_filter(int argc, char **argv);
int do_usdt(int argc, char **argv);
int do_status(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_detach(int argc, char **argv);

#endif
