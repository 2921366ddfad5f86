// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/main.c - mapwatchctl: command table, global options, errors.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "main.h"
#include "lib/mapwatch.h"

const char *bin_name;
const char *device_path = MAPWATCH_DEVICE;
bool json_output;
bool pretty_output;
json_writer_t *json_wtr;

void p_err(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "error", msg);
		jsonw_end_object(json_wtr);
	} else {
		fprintf(stderr, "Error: %s\n", msg);
	}
}

void p_info(const char *fmt, ...)
{
	va_list ap;

	if (json_output)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void json_enable(bool pretty)
{
	json_output = true;
	pretty_output |= pretty;
	if (!json_wtr) {
		json_wtr = jsonw_new(stdout);
		if (!json_wtr) {
			fprintf(stderr, "Error: out of memory\n");
			exit(1);
		}
	}
	jsonw_pretty(json_wtr, pretty_output);
}

bool common_option(int opt)
{
	if (opt != 'j' && opt != OPT_PRETTY)
		return false;
	json_enable(opt == OPT_PRETTY);
	return true;
}

int cmd_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
	       const struct option *longopts, int *next)
{
	char spec[80], **args = argv - 1;
	const char *bad;
	int opt, i;

	/* Ours to say, as JSON under -j: ':' tells a missing value apart. */
	snprintf(spec, sizeof(spec), "+:%s", shortopts + (shortopts[0] == '+'));
	opterr = 0;
	/* getopt wants the program's name first: the command's is before argv[0]. */
	for (;;) {
		opt = getopt_long(argc + 1, args, spec, longopts, NULL);
		if (opt < 0) {
			*next = optind - 1;
			return -1;
		}
		if (common_option(opt))
			continue;
		if (opt != '?' && opt != ':')
			return opt;
		/* -j later on the line asked for JSON: the error is JSON too. */
		for (i = optind; i <= argc && strcmp(args[i], "--"); i++)
			if (!strcmp(args[i], "-j") || !strcmp(args[i], "--json") ||
			    !strcmp(args[i], "--pretty"))
				json_enable(!strcmp(args[i], "--pretty"));
		/* The word it stopped at; a short option inside "-xyz" by itself. */
		bad = optind > 0 && optind <= argc + 1 ? args[optind - 1] : "?";
		if (optopt && (strncmp(bad, "--", 2) || !bad[2]))
			p_err("%s: %s '-%c'; see '%s %s help'", cmd,
			      opt == ':' ? "option needs a value:" : "unknown option", optopt,
			      bin_name, cmd);
		else
			p_err("%s: %s '%.*s'; see '%s %s help'", cmd,
			      opt == ':' ? "option needs a value:" : "unknown option",
			      (int)strcspn(bad, "="), bad, bin_name, cmd);
		return '?';
	}
}

int cmd_options(const char *cmd, int *argc, char ***argv, int (*help)(void))
{
	static const struct option options[] = {
		{ "help", no_argument, NULL, 'h' },
		COMMON_OPTIONS,
		{ NULL, 0, NULL, 0 },
	};
	int opt, next;

	if (*argc && !strcmp((*argv)[0], "help")) {
		help();
		return 1;
	}
	while ((opt = cmd_getopt(cmd, *argc, *argv, "+hj", options, &next)) >= 0) {
		if (opt != 'h')
			return -1;
		help();
		return 1;
	}
	*argc -= next;
	*argv += next;
	return 0;
}

bool is_prefix(const char *pfx, const char *str)
{
	return pfx && str && *pfx && !strncmp(str, pfx, strlen(pfx));
}

int cmd_select(const struct cmd *cmds, int argc, char **argv, int (*help)(int argc, char **argv))
{
	const struct cmd *c;

	if (argc < 1)
		return help(argc, argv);
	for (c = cmds; c->name; c++)
		if (is_prefix(argv[0], c->name))
			return c->func(argc - 1, argv + 1);
	p_err("unknown command '%s'; see '%s help'", argv[0], bin_name);
	return -1;
}

int parse_top(const char *arg, size_t *top)
{
	char *end;

	*top = strtoul(arg, &end, 10);
	if (*end || !*arg || *arg == '-') {
		p_err("--top %s: not a number", arg);
		return -1;
	}
	return 0;
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (json_output) {
		jsonw_null(json_wtr);
		return 0;
	}
	fprintf(stderr,
		"Usage: %1$s [OPTIONS] COMMAND ...\n"
		"       %1$s help\n"
		"\n"
		"COMMAND := { info | dump | report | export | symbols | usdt | status | monitor |\n"
		"             detach | version }\n"
		"       %1$s info                 module version, ABI, rings and probes available\n"
		"       %1$s dump -p PID ...      trace PID and print each event as it arrives\n"
		"                                 (see '%1$s dump help')\n"
		"       %1$s report -p PID ...    per map: peak and current entries, grows;\n"
		"                                 per process: GC cycles, memory returned\n"
		"                                 (see '%1$s report help')\n"
		"       %1$s report --openmetrics FILE [--interval S] ...  the same as\n"
		"                                 metrics for Prometheus (node_exporter)\n"
		"       %1$s export --perfetto OUT -i FILE  a recorded trace as a Perfetto\n"
		"                                 timeline (or --svg OUT: a plot)\n"
		"       %1$s symbols PATH         what would be probed in the Go binary PATH\n"
		"       %1$s usdt PATH            the SystemTap SDT probes (USDT) of the ELF\n"
		"                                 file PATH (libjvm.so): offsets, semaphores,\n"
		"                                 arguments (see '%1$s usdt help')\n"
		"       %1$s status               every session on the host: owner, probes,\n"
		"                                 hits, faults, losses (see '%1$s status help')\n"
		"       %1$s monitor              sessions opened and closed, probes, traced\n"
		"                                 processes' exits, losses, as they happen\n"
		"       %1$s detach --session ID --probe ID  detach any session's probe\n"
		"                                 (CAP_SYS_ADMIN)\n"
		"       " HELP_SPEC_OPTIONS "\n",
		bin_name);
	return 0;
}

static int do_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "version", MAPWATCH_TOOL_VERSION);
		jsonw_uint_field(json_wtr, "abi_major", MAPWATCH_ABI_MAJOR);
		jsonw_uint_field(json_wtr, "abi_minor", MAPWATCH_ABI_MINOR);
		jsonw_end_object(json_wtr);
	} else {
		printf("%s %s (ABI %u.%u)\n", bin_name, MAPWATCH_TOOL_VERSION,
		       MAPWATCH_ABI_MAJOR, MAPWATCH_ABI_MINOR);
	}
	return 0;
}

static const struct cmd commands[] = {
	{ "help",	do_help },
	{ "info",	do_info },
	{ "dump",	do_dump },
	{ "report",	do_report },
	{ "export",	do_export },
	{ "symbols",	do_symbols },
	{ "usdt",	do_usdt },
	{ "status",	do_status },
	{ "monitor",	do_monitor },
	{ "detach",	do_detach },
	{ "version",	do_version },
	{ NULL,		NULL },
};

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json",	no_argument,		NULL, 'j' },
		{ "pretty",	no_argument,		NULL, 'p' },
		{ "device",	required_argument,	NULL, 'd' },
		{ "help",	no_argument,		NULL, 'h' },
		{ NULL,		0,			NULL, 0 },
	};
	int opt, ret;

	bin_name = "mapwatchctl";
	/* Global options come before the command: stop at the first non-option. */
	while ((opt = getopt_long(argc, argv, "+jpd:h", options, NULL)) >= 0) {
		switch (opt) {
		case 'p':
		case 'j':
			json_enable(opt == 'p');
			break;
		case 'd':
			device_path = optarg;
			break;
		case 'h':
			return do_help(0, NULL);
		default:
			fprintf(stderr, "see '%s help'\n", bin_name);
			return 2;
		}
	}
	argc -= optind;
	argv += optind;
	/* Each command restarts getopt over its own arguments. */
	optind = 0;
	ret = cmd_select(commands, argc, argv, do_help);
	if (json_wtr)
		jsonw_destroy(&json_wtr);
	return ret ? 1 : 0;
}
