// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/main.c - mapwatchctl: command table, global options, errors.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

bool usage_error;

int help_print(const char *fmt, ...)
{
	char *text;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		p_err("out of memory");
		return -1;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "help", text);
		jsonw_end_object(json_wtr);
	} else {
		fputs(text, stderr);
	}
	free(text);
	return 0;
}

void p_usage(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	usage_error = true;
	p_err("%s", msg);
}

uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
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
	char spec[80], word[64], **args = argv - 1;
	const char *bad;
	int opt;

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
		/* The word it stopped at; a short option inside "-xyz" by itself. */
		bad = optind > 0 && optind <= argc + 1 ? args[optind - 1] : "?";
		if (optopt && (strncmp(bad, "--", 2) || !bad[2]))
			snprintf(word, sizeof(word), "-%c", optopt);
		else
			snprintf(word, sizeof(word), "%.*s", (int)strcspn(bad, "="), bad);
		p_usage("%s%s%s '%s'; see '%s%s%s help'", cmd ? cmd : "", cmd ? ": " : "",
			opt == ':' ? "option needs a value:" : "unknown option", word, bin_name,
			cmd ? " " : "", cmd ? cmd : "");
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
	int i;

	if (argc < 1)
		return help(argc, argv);
	for (c = cmds; c->name; c++)
		if (is_prefix(argv[0], c->name))
			break;
	/*
	 * -j anywhere before "--" asks for JSON from the start, so that
	 * "CMD help -j" and an error before the -j are JSON too.
	 */
	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "-j") || !strcmp(argv[i], "--json") ||
		    !strcmp(argv[i], "--pretty"))
			json_enable(!strcmp(argv[i], "--pretty"));
	if (c->name)
		return c->func(argc - 1, argv + 1);
	p_usage("unknown command '%s'; see '%s help'", argv[0], bin_name);
	return -1;
}

int parse_top(const char *arg, size_t *top)
{
	char *end;

	*top = strtoul(arg, &end, 10);
	if (*end || !*arg || *arg == '-') {
		p_usage("--top %s: not a number", arg);
		return -1;
	}
	return 0;
}

static int do_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	help_print(
		"Usage: %1$s [OPTIONS] COMMAND ...\n"
		"       %1$s help\n"
		"\n"
		"COMMAND := { info | dump | report | top | export | filter | symbols | usdt |\n"
		"             status | monitor | detach | version }\n"
		"       %1$s info                 module version, ABI, rings and probes available\n"
		"       %1$s dump -p PID ...      trace PID and print each event as it arrives\n"
		"                                 (see '%1$s dump help')\n"
		"       %1$s report -p PID ...    per map: peak and current entries, grows;\n"
		"                                 per process: GC cycles, memory returned\n"
		"                                 (see '%1$s report help')\n"
		"       %1$s top -p PID           a live view of PID's biggest maps, refreshed\n"
		"                                 every -d seconds (see '%1$s top help')\n"
		"       %1$s report --openmetrics FILE [--interval S] ...  the same as\n"
		"                                 metrics for Prometheus (node_exporter)\n"
		"       %1$s export --perfetto OUT -i FILE  a recorded trace as a Perfetto\n"
		"                                 timeline (or --svg OUT: a plot)\n"
		"       %1$s filter -i FILE -w OUT --pid PID ...  the records of a trace\n"
		"                                 that match, as a trace (see '%1$s filter help')\n"
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

static int print_version(void);

static int version_help(void)
{
	return help_print("Usage: %s version\n\nmapwatchctl's version and the ABI it was built for.\n",
			  bin_name);
}

static int do_version(int argc, char **argv)
{
	int ret = cmd_options("version", &argc, &argv, version_help);

	if (ret)
		return ret < 0 ? -1 : 0;
	if (argc) {
		p_usage("unexpected '%s'; see '%s version help'", argv[0], bin_name);
		return -1;
	}
	return print_version();
}

static int print_version(void)
{
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
	{ "top",	do_top },
	{ "export",	do_export },
	{ "filter",	do_filter },
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
		{ "device",	required_argument,	NULL, 'd' },
		{ "help",	no_argument,		NULL, 'h' },
		{ "version",	no_argument,		NULL, 'V' },
		COMMON_OPTIONS,
		{ NULL,		0,			NULL, 0 },
	};
	int opt, ret, asked = 0;

	bin_name = "mapwatchctl";
	/*
	 * Global options come before the command: stop at the first
	 * non-option.  cmd_getopt() wants the name before the arguments:
	 * argv[0] is ours.
	 */
	while ((opt = cmd_getopt(NULL, argc - 1, argv + 1, "+d:hVj", options, &ret)) >= 0) {
		switch (opt) {
		case 'd':
			device_path = optarg;
			break;
		case 'h':
		case 'V':
			/* After the other options: -V -j is JSON. */
			asked = opt;
			break;
		default:
			goto out;
		}
	}
	if (asked) {
		ret = asked == 'V' ? print_version() : do_help(0, NULL);
		goto out;
	}
	argc -= ret + 1;
	argv += ret + 1;
	/* Each command restarts getopt over its own arguments. */
	optind = 0;
	ret = cmd_select(commands, argc, argv, do_help);
out:
	if (json_wtr)
		jsonw_destroy(&json_wtr);
	/* 2: the command line was wrong (an option, an argument); 1: it failed. */
	if (usage_error)
		return 2;
	return ret ? 1 : 0;
}
