// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/report.c - mapwatchctl report: each map's life and each
 * process's GC cycles and memory returned, from a trace read from a file
 * (-i) or from a dump this command starts with the other arguments (live);
 * --openmetrics writes the same as metrics, now and then.  The model is
 * report/model.c, the writers report/text.c, json.c and metrics.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "main.h"
#include "report/model.h"
#include "report/outfile.h"
#include "report/report.h"
#include "trace/read.h"

/* report --openmetrics PATH: the arguments of om_tick. */
struct om_out {
	struct report *r;
	const char *path;
};

static int om_tick(void *ctx)
{
	struct om_out *out = ctx;

	return outfile_write(out->path, report_openmetrics, out->r);
}

static int report_help(void)
{
	help_print(
		"Usage: %1$s report -i FILE [--top N] [--openmetrics OUT [--interval S]]\n"
		"       %1$s report [--top N] [--openmetrics OUT [--interval S]]\n"
		"               [DUMP OPTIONS] {-p PID | -- CMD [ARG]...}\n"
		"\n"
		"Sum up a trace: per process, its GC cycles and the memory returned to\n"
		"the OS (the scavenger's releases; the madvise, munmap and anonymous\n"
		"mmap calls and bytes of those kernel probes that were on); per map,\n"
		"sorted by the bytes it holds: BYTES, the size of its runtime\n"
		"structures (buckets or groups, tables, directory, header, keys and\n"
		"values stored apart; '?' when not known yet, '~' an estimate), its\n"
		"peak and its len() (both as its last traced operation began), grows,\n"
		"clears, assigns, deletes, and which goroutine made it, in which\n"
		"function (with the runtime function that made it in brackets). A map\n"
		"whose entries fell to a quarter of a peak of 64 or more gets a\n"
		"verdict: it holds the bytes of its peak (Go maps never shrink).\n"
		"For a JVM traced with --jvm: its GC pauses (start, duration, full or\n"
		"not) and, with --methods, the Java methods entered (class.method)\n"
		"between the start of one pause and the start of the next.\n"
		"\n"
		"  -i, --input FILE   a trace written by '%1$s -j dump' ('-' for stdin)\n"
		"      --top N        at most N maps per process (default 20; 0: all)\n"
		"      --openmetrics OUT\n"
		"                     also write the report as OpenMetrics text to OUT\n"
		"                     (node_exporter's textfile collector reads the *.prom\n"
		"                     files of its directory), replaced atomically (OUT.tmp.*,\n"
		"                     fsync, rename) at the end; '-': to stdout, instead of the\n"
		"                     report (not with -j).  Per process: Go GC cycles,\n"
		"                     scavenger releases, maps and their bytes, the kernel\n"
		"                     probes' madvise/munmap/mmap figures, JVM GC pauses;\n"
		"                     per map, of the top N live maps: entries, peak,\n"
		"                     bytes, grows, assigns, deletes, clears; the trace's\n"
		"                     events and losses; the module's per-session and\n"
		"                     per-probe counters (mapwatch_control_plane_up 0 when\n"
		"                     it cannot be asked: not loaded, not root)\n"
		"  -w, --write FILE   live: also keep the trace in FILE, for report -i\n"
		"                     and export (replaced once tracing has begun)\n"
		"      --interval S   with --openmetrics: also rewrite OUT every S seconds\n"
		"                     while the trace is read (live, -i -, or a long -i FILE)\n"
		"Without -i, the remaining arguments go to '%1$s -j dump' (see\n"
		"'%1$s dump help'), which runs until its processes exit or a signal.\n"
		"SIGINT or SIGTERM sent to report itself (kill, timeout, a service\n"
		"manager) stops the live dump, and report prints (and writes OUT) what\n"
		"was traced; with -i and --openmetrics it stops reading (a pipe: 2 s\n"
		"later); a second signal stops at once.\n"
		"With -j, the report is one JSON object.\n",
		bin_name);
	return 0;
}

/* --interval SECONDS: a positive number, in milliseconds (at least 1). */
static int parse_interval(const char *arg, int64_t *ms)
{
	char *end;
	double v = strtod(arg, &end);

	if (*end || !*arg || !isfinite(v) || v <= 0 || v > 86400.0 * 366) {
		p_usage("--interval %s: not a number of seconds (more than 0, at most a year)", arg);
		return -1;
	}
	*ms = (int64_t)(v * 1000);
	if (*ms < 1)
		*ms = 1;
	return 0;
}

int do_report(int argc, char **argv)
{
	struct report r = { .top = 20 };
	const char *input = NULL, *om_path = NULL, *keep_path = NULL;
	struct outfile keep = {};
	int fd, ret = 0, status = 0;
	struct trace_pump_saved saved;
	struct om_out om = { .r = &r };
	struct trace_pump pump = {};
	int64_t interval_ms = 0;
	bool live = false;
	pid_t child = 0;
	struct stat st;
	struct trace_dump_args da = {};

	/* Ours, the common ones, then dump's: those are passed on to the dump. */
	struct option options[7 + DUMP_NR_OPTIONS] = {
		{ "input",	required_argument,	NULL, 'i' },
		{ "top",	required_argument,	NULL, 'T' },
		{ "openmetrics", required_argument,	NULL, 'O' },
		{ "interval",	required_argument,	NULL, 'I' },
		{ "help",	no_argument,		NULL, 'h' },
		COMMON_OPTIONS,
	};
	char shortopts[64];
	int opt, next;

	memcpy(options + 7, dump_options, sizeof(dump_options));
	snprintf(shortopts, sizeof(shortopts), "+i:hj%s", dump_shortopts);
	if (argc && !strcmp(argv[0], "help"))
		return report_help();
	/* Each of dump's options with its value, "--" and CMD: at most 2 per argument. */
	da.argv = calloc(2 * argc + 2, sizeof(*da.argv));
	da.names = calloc(argc + 1, sizeof(*da.names));
	if (!da.argv || !da.names)
		goto bad;
	while ((opt = cmd_getopt("report", argc, argv, shortopts, options, &next)) >= 0) {
		switch (opt) {
		case 'i':
			input = optarg;
			continue;
		case 'T':
			if (parse_top(optarg, &r.top))
				goto bad;
			continue;
		case 'O':
			om_path = optarg;
			continue;
		case 'I':
			if (parse_interval(optarg, &interval_ms))
				goto bad;
			continue;
		case 'h':
			free(da.argv);
			free(da.names);
			return report_help();
		case 'w':
			/* Ours: the dump writes into our pipe; we keep a copy. */
			keep_path = optarg;
			continue;
		case '?':
			goto bad;
		}
		if (trace_dump_option(opt, optarg, &da))
			goto bad;
	}
	/* What follows the options: "-- CMD..." (getopt ate the "--"), or nothing. */
	if (next < argc) {
		if (next == 0 || strcmp(argv[next - 1], "--")) {
			p_usage("unexpected '%s': give -i FILE, dump's options, or -- CMD [ARG]...",
			      argv[next]);
			goto bad;
		}
		da.argv[da.argc++] = "--";
		while (next < argc)
			da.argv[da.argc++] = argv[next++];
	}
	if (keep_path && !strcmp(keep_path, "-")) {
		p_usage("-w -: stdout has the report; give a file");
		goto bad;
	}
	if (input && keep_path) {
		p_usage("-w keeps the trace of a live report: %s is one already", input);
		goto bad;
	}
	if (input && da.argc) {
		p_usage("-i reads a recorded trace: '%s' is for a live one", da.argv[0]);
		goto bad;
	}
	if (!input && !da.argc) {
		p_usage("nothing to report: give -i FILE, -p PID or -- CMD");
		goto bad;
	}
	if (interval_ms && !om_path) {
		p_usage("--interval is how often --openmetrics OUT is written: give --openmetrics");
		goto bad;
	}
	if (om_path && !strcmp(om_path, "-") && json_output) {
		p_usage("--openmetrics -: stdout has the JSON report; give a file");
		goto bad;
	}
	om.path = om_path;
	/* Live, or --openmetrics: SIGINT and SIGTERM are taken by the pump. */
	live = !input;
	if (om_path || live)
		trace_pump_catch(&pump, &saved);
	if (input) {
		fd = strcmp(input, "-") ? open(input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
		if (fd < 0) {
			p_err("cannot open %s: %s", input, strerror(errno));
			ret = -1;
			goto out;
		}
	} else {
		/*
		 * A signal to us is passed on to the dump (pump_read), which
		 * ends the trace: we print then; a second one stops at once.
		 */
		if (keep_path && outfile_open(&keep, keep_path)) {
			ret = -1;
			goto out;
		}
		fd = trace_start_dump(da.argc, da.argv, &child);
		if (fd < 0) {
			p_err("cannot start dump: %s", strerror(errno));
			ret = -1;
			goto out;
		}
		input = "dump";
	}
	if (om_path || live) {
		pump.fd = fd;
		pump.interval_ms = om_path ? interval_ms : 0;
		pump.next_ms = trace_mono_ms() + pump.interval_ms;
		pump.tick = om_tick;
		pump.ctx = &om;
		pump.child = child;
		pump.fifo = !fstat(fd, &st) && S_ISFIFO(st.st_mode);
		pump.tee = keep.f;
	}
	ret = trace_read(fd, input, report_object, &r, om_path || live ? &pump : NULL);
	if (fd != STDIN_FILENO)
		close(fd);
	if (child > 0) {
		/* A second signal: dump may still be running, with no one reading. */
		if (pump.stopped)
			kill(child, SIGKILL);
		if (waitpid(child, &status, 0) != child)
			status = 0;
		if (trace_dump_status(status, pump.stopped))
			ret = -1;
	}
	/*
	 * The copy: once tracing began (the header came), renamed over -w
	 * FILE whatever the trace holds, as dump's; before, FILE is kept.
	 */
	if (keep.f && r.has_header) {
		if (pump.tee_errno) {
			p_err("cannot write %s: %s", keep.tmp ? keep.tmp : keep.name,
			      strerror(pump.tee_errno));
			ret = -1;
		}
		keep.keep = true;
		if (outfile_commit(&keep))
			ret = -1;
	}
	/* Nothing at all: said, and no report of zeros. */
	if (!ret && !r.records && !r.errors) {
		ret = report_trace_whole(&r, input, false);
		goto out;
	}
	/* The final metrics, read fully or not: mapwatch_trace_complete says. */
	if (om_path && outfile_write(om_path, report_openmetrics, &r))
		ret = -1;
	if (!ret && !(om_path && !strcmp(om_path, "-")))
		ret = json_output ? report_print_json(&r) : report_print_text(&r);
	/* After the report, so that a plain one shows the warning last. */
	if (!ret)
		ret = report_trace_whole(&r, input, json_output);
	if (r.errors)
		ret = -1;
out:
	if (keep.f)
		outfile_abort(&keep);
	if (om_path || live)
		trace_pump_release(&saved);
	report_free(&r);
	free(da.argv);
	free(da.names);
	return ret;
bad:
	free(da.argv);
	free(da.names);
	return -1;
}

