// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/export.c - mapwatchctl export: a recorded trace as a Perfetto
 * timeline (report/perfetto.c) or an SVG plot (report/svg.c), of the maps
 * the report would show first, or as a pprof profile of its live maps
 * (report/pprof.c).  The trace is read twice: once for the report's
 * model, which chooses the maps and knows each one's lives, then for the
 * timeline.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "main.h"
#include "report/model.h"
#include "report/report.h"
#include "trace/read.h"

static int export_help(void)
{
	help_print("Usage: %1$s export {--perfetto OUT | --svg OUT | --pprof OUT}... -i FILE"
		" [--top N]\n"
		"\n"
		"Write the trace FILE (from '%1$s -j dump -w FILE') as a Chrome/Perfetto\n"
		"JSON timeline (open it at ui.perfetto.dev): per process, counter tracks\n"
		"of len() and of bytes held for each of its top N maps by bytes held\n"
		"(as report lists them, a freed map too; default 20; 0: all; a map made\n"
		"at the address of a freed one is a new map: \"map 0xADDR #2 len\"),\n"
		"Go GC cycles as slices (start to end, the cycle number in their\n"
		"arguments) with mark termination as an instant, a JVM's GC pauses\n"
		"(--jvm) as slices on the same track, the scavenger's releases and the\n"
		"madvise/munmap calls as instants with their address and length, and\n"
		"lost records as instants (with the count) on a \"lost events\" track.\n"
		"--svg draws a panel per process with Go maps or GC cycles, its time\n"
		"axis from its own first event to its last: len() and bytes held of\n"
		"the first 10 of its maps (two plots, ticks on both axes), a map held\n"
		"at its last value to the process's last event unless the trace shows\n"
		"it freed; GC cycle ends as grey lines, lost records as red ones; the\n"
		"legend gives report's figures (bytes \"?\" unknown, \"~\" an estimate).\n"
		"--pprof writes a pprof profile (gzipped protobuf) of every live map at\n"
		"the end of the trace, --top aside, for 'go tool pprof OUT': one sample\n"
		"per map, its stack the function that made it ('(unknown maker)' when the\n"
		"trace does not name it), labels pid and map (the address); sample\n"
		"types bytes (the default), peak_entries, entries (len() at the end) and\n"
		"maps (1 each): the figures of '%1$s -j report --top 0'.  Maps without\n"
		"a bytes figure are left out, counted in its comments (-comments).\n"
		"Several processes share one profile: '-tagfocus pid=PID' picks one.\n",
		bin_name);
	return 0;
}

int do_export(int argc, char **argv)
{
	struct report r = { .top = 20 };
	const char *input = NULL, *out = NULL, *svg = NULL, *pprof = NULL;
	static const struct option options[] = {
		{ "input",	required_argument,	NULL, 'i' },
		{ "perfetto",	required_argument,	NULL, 'P' },
		{ "svg",	required_argument,	NULL, 'S' },
		{ "pprof",	required_argument,	NULL, 'G' },
		{ "top",	required_argument,	NULL, 'T' },
		{ "help",	no_argument,		NULL, 'h' },
		COMMON_OPTIONS,
		{ NULL,		0,			NULL, 0 },
	};
	int fd = -1, ret = -1, opt, next;
	bool *chosen = NULL;

	if (argc && !strcmp(argv[0], "help"))
		return export_help();
	while ((opt = cmd_getopt("export", argc, argv, "+i:hj", options, &next)) >= 0) {
		switch (opt) {
		case 'i':
			input = optarg;
			break;
		case 'P':
			out = optarg;
			break;
		case 'S':
			svg = optarg;
			break;
		case 'G':
			pprof = optarg;
			break;
		case 'T':
			if (parse_top(optarg, &r.top))
				return -1;
			break;
		case 'h':
			return export_help();
		default:
			return -1;
		}
	}
	if (next < argc) {
		p_usage("unexpected '%s'; see '%s export help'", argv[next], bin_name);
		return -1;
	}
	if (!input || (!out && !svg && !pprof)) {
		p_usage("export needs --perfetto OUT, --svg OUT or --pprof OUT, and -i FILE (a"
			" recorded trace: it is read twice)");
		return -1;
	}
	/* Pass 1: the report, to know the processes and pick the maps. */
	fd = open(input, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		p_err("cannot open %s: %s", input, strerror(errno));
		return -1;
	}
	if (trace_read(fd, input, report_object, &r, NULL))
		goto out;
	if (!r.records) {
		report_trace_whole(&r, input, false);
		goto out;
	}
	chosen = report_choose_top(&r, r.top);
	if (!chosen)
		goto out;
	/* the profile first: it needs no second reading of the trace */
	if (pprof && export_pprof(&r, input, pprof))
		goto out;
	if (svg && export_svg(&r, chosen, fd, input, svg))
		goto out;
	if (out && export_perfetto(&r, chosen, fd, input, out))
		goto out;
	/* Written all the same, as report prints its figures: exit 1 says. */
	ret = report_trace_whole(&r, input, false);
out:
	close(fd);
	free(chosen);
	report_free(&r);
	return ret;
}
