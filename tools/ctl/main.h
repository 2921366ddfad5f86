/* SPDX-License-Identifier: GPL-2.0 */
/* tools/ctl/main.h - what mapwatchctl's command files share. */
#ifndef _MAPWATCHCTL_MAIN_H
#define _MAPWATCHCTL_MAIN_H

#include <stdbool.h>
#include <stdio.h>

#include "lib/json_writer.h"

#define HELP_SPEC_OPTIONS \
	"OPTIONS := { {-j|--json} [{-p|--pretty}] | {-d|--device} PATH }"

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
/* --top N: 0 or a count; -1 (printed) if not a number. */
int parse_top(const char *arg, size_t *top);
void p_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void p_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

int do_info(int argc, char **argv);
int do_dump(int argc, char **argv);
int do_symbols(int argc, char **argv);
int do_report(int argc, char **argv);
int do_export(int argc, char **argv);
int do_usdt(int argc, char **argv);
int do_status(int argc, char **argv);
int do_monitor(int argc, char **argv);
int do_detach(int argc, char **argv);

#endif
