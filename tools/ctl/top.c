// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/top.c - mapwatchctl top: a live view of a running Go
 * process's maps, the ones holding the most bytes first, refreshed every
 * few seconds.  A dump runs beside it (as for report -p); each refresh
 * reads the shown maps' headers from the process (go/gostate.h), so the
 * entries are what the maps hold now, not as their last traced
 * operation began.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "go/gostate.h"
#include "main.h"
#include "report/model.h"
#include "report/report.h"
#include "trace/read.h"

struct top {
	struct report r;
	pid_t pid, child;
	unsigned int frames, iterations;	/* iterations 0: until stopped */
	size_t shown;				/* maps per frame */
	bool batch, tty_raw, quit;
	const struct gover_layout *lay;		/* from the trace's header, once */
	bool lay_looked;
	int mem;				/* /proc/PID/mem, or -errno */
	struct termios saved;
	struct timespec t0;
};

static int top_help(void)
{
	return help_print(
		"Usage: %1$s top -p PID [-d SECONDS] [-n ITERATIONS] [-b] [--top N]\n"
		"               [--budget PERCENT] [DUMP OPTIONS]\n"
		"\n"
		"A live view of the Go process PID's maps, the ones holding the most\n"
		"bytes first: address, bytes (as of its last traced operation; '?' not\n"
		"known yet), entries now (read from the process at each refresh), the\n"
		"peak seen, grows and where it was made; above them the process's GC\n"
		"cycles and memory returned to the OS, the trace's events and losses,\n"
		"and what tracing cost.  A traced map operation costs a trap: top\n"
		"traces them in windows that keep the cost within --budget (default\n"
		"1 percent of the process's CPU time; 0: every operation), and reads\n"
		"the maps from the process between them.\n"
		"\n"
		"  -p, --pid PID        the process (a dump option, required)\n"
		"  -d, --delay S        seconds between refreshes (default 2)\n"
		"  -n, --iterations N   stop after N refreshes (default: q, SIGINT or\n"
		"                       SIGTERM, or the process's exit)\n"
		"  -b, --batch          no terminal control: frames one after another\n"
		"      --top N          maps per refresh (default 10; 0: all)\n"
		"      --budget PCT     tracing's cost bound, a percent (default 1)\n"
		"The other options go to the dump, as for report (see '%1$s dump help').\n"
		"With -j, one JSON object per refresh, one per line: time_ns, pid,\n"
		"events, lost, gc_cycles, released_bytes, budget {percent,\n"
		"spent_percent, armed_percent, windows} (absent with --budget 0,\n"
		"and before dump's first budget record), maps [{map, bytes (absent\n"
		"when unknown), entries, entries_read (read from the process, not\n"
		"from the last traced operation), peak, grows, made_at}].\n",
		bin_name);
}

/* The map layout of the traced binary, from the trace's header. */
static const struct gover_layout *top_layout(struct top *t)
{
	unsigned int minor;

	if (t->lay_looked || !t->r.has_header)
		return t->lay;
	t->lay_looked = true;
	if (sscanf(t->r.go_version, "go1.%u", &minor) == 1)
		t->lay = gover_layout(minor, !strcmp(t->r.map_impl, "swiss") ? GOMAP_SWISS :
					     !strcmp(t->r.map_impl, "classic") ? GOMAP_CLASSIC :
					     GOMAP_UNKNOWN);
	return t->lay;
}

/* A map's entries now: read from the process, or its last event's figure. */
static uint64_t entries_now(struct top *t, const struct rmap *m, bool *read)
{
	struct gostore_tables tabs;
	struct gostore_hdr h;

	*read = false;
	if (!top_layout(t) || t->mem < 0 || m->reused)
		return m->entries;
	if (gostate_read(t->mem, t->lay, m->addr, &h, &tabs))
		return m->entries;
	*read = true;
	return h.count;
}

static void frame_json(struct top *t, struct rmap **order, const struct rproc *p)
{
	size_t i, shown = 0;

	jsonw_start_object(json_wtr);
	jsonw_uint_field(json_wtr, "time_ns", mono_ns());
	jsonw_uint_field(json_wtr, "pid", t->pid);
	jsonw_uint_field(json_wtr, "events", t->r.events);
	jsonw_uint_field(json_wtr, "lost", t->r.lost);
	jsonw_uint_field(json_wtr, "gc_cycles", p ? p->gc_end : 0);
	jsonw_uint_field(json_wtr, "released_bytes", p ? p->released : 0);
	report_budget_json(&t->r.budget);
	jsonw_name(json_wtr, "maps");
	jsonw_start_array(json_wtr);
	for (i = 0; order && order[i]; i++) {
		const struct rmap *m = order[i];
		bool read;

		if (m->pid != (uint32_t)t->pid || m->reused || (t->shown && shown >= t->shown))
			continue;
		shown++;
		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "map", m->addr);
		if (m->have_bytes)
			jsonw_uint_field(json_wtr, "bytes", m->bytes);
		jsonw_uint_field(json_wtr, "entries", entries_now(t, m, &read));
		jsonw_bool_field(json_wtr, "entries_read", read);
		jsonw_uint_field(json_wtr, "peak", m->peak);
		jsonw_uint_field(json_wtr, "grows", m->ops[OP_GROW]);
		if (m->made_at[0])
			jsonw_string_field(json_wtr, "made_at", m->made_at);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
	/* One object per line, ended now: a reader takes each as it comes. */
	jsonw_destroy(&json_wtr);
	json_enable(false);
}

static void frame_text(struct top *t, struct rmap **order, const struct rproc *p)
{
	struct timespec now;
	size_t i, shown = 0, live = 0, unread = 0;
	double s;

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = (now.tv_sec - t->t0.tv_sec) + (now.tv_nsec - t->t0.tv_nsec) / 1e9;
	if (!t->batch)
		fputs("\033[H\033[2J", stdout);
	for (i = 0; order && order[i]; i++)
		live += order[i]->pid == (uint32_t)t->pid && !order[i]->reused;
	printf("mapwatchctl top: pid %d, %.0f s, %" PRIu64 " events, %" PRIu64 " lost%s\n",
	       (int)t->pid, s, t->r.events, t->r.lost, t->batch ? "" : "  (q quits)");
	printf("GC: %" PRIu64 " cycles ended; returned to the OS: %" PRIu64 " bytes in %" PRIu64
	       " calls; %zu maps seen\n", p ? p->gc_end : 0, p ? p->released : 0,
	       p ? p->releases : 0, live);
	if (t->r.budget.seen)
		printf("Cost: %.2f%% of the process's CPU (budget %g%%); map operations traced "
		       "%.1f%% of the time, in %" PRIu64 " windows\n", t->r.budget.spent_percent,
		       t->r.budget.percent, t->r.budget.armed_percent, t->r.budget.windows);
	printf("%-16s %10s %9s %9s %5s  %s\n", "MAP", "BYTES", "ENTRIES", "PEAK", "GROWS",
	       "MADE AT");
	for (i = 0; order && order[i]; i++) {
		const struct rmap *m = order[i];
		char bytes[24];
		uint64_t n;
		bool read;

		if (m->pid != (uint32_t)t->pid || m->reused || (t->shown && shown >= t->shown))
			continue;
		shown++;
		n = entries_now(t, m, &read);
		unread += !read;
		printf("0x%-14" PRIx64 " %10s %9" PRIu64 "%s %8" PRIu64 " %5" PRIu64 "  %s\n",
		       m->addr, report_bytes_text(m, bytes, sizeof(bytes)), n, read ? " " : "*",
		       m->peak, m->ops[OP_GROW], m->made_at[0] ? m->made_at :
		       m->made ? "?" : "(made before the attach)");
	}
	if (unread)
		printf("(* entries as the last traced operation began: not read from the process)\n");
	if (t->batch)
		putchar('\n');
	fflush(stdout);
}

/* q on the terminal: stop the dump, which ends the trace. */
static void check_keys(struct top *t)
{
	struct pollfd pfd = { .fd = STDIN_FILENO, .events = POLLIN };
	char c;

	if (!t->tty_raw)
		return;
	while (poll(&pfd, 1, 0) == 1 && read(STDIN_FILENO, &c, 1) == 1)
		if (c == 'q' || c == 'Q')
			t->quit = true;
}

static int top_tick(void *ctx)
{
	struct top *t = ctx;
	struct rmap **order;
	struct rproc *p = NULL;
	size_t i;

	check_keys(t);
	for (i = 0; i < t->r.nr_procs; i++)
		if (t->r.procs[i].pid == (uint32_t)t->pid)
			p = &t->r.procs[i];
	order = t->r.nr_maps ? report_order(&t->r) : NULL;
	if (json_output)
		frame_json(t, order, p);
	else
		frame_text(t, order, p);
	free(order);
	t->frames++;
	if (t->child > 0 && ((t->iterations && t->frames >= t->iterations) || t->quit))
		kill(t->child, SIGINT);
	return 0;
}

static void raw_terminal(struct top *t)
{
	struct termios raw;

	if (t->batch || json_output || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &t->saved))
		return;
	raw = t->saved;
	raw.c_lflag &= ~(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &raw))
		t->tty_raw = true;
}

/* -d S: seconds, a tenth at least, a day at most; in milliseconds. */
static int parse_delay(const char *arg, int64_t *ms)
{
	char *end;
	double v = strtod(arg, &end);

	if (*end || !*arg || !(v >= 0.1 && v <= 86400)) {
		p_usage("-d %s: not a number of seconds (0.1 to 86400)", arg);
		return -1;
	}
	*ms = (int64_t)(v * 1000);
	return 0;
}

int do_top(int argc, char **argv)
{
	struct option options[7 + DUMP_NR_OPTIONS] = {
		{ "delay",	required_argument,	NULL, 'd' },
		{ "iterations",	required_argument,	NULL, 'n' },
		{ "batch",	no_argument,		NULL, 'b' },
		{ "top",	required_argument,	NULL, 'T' },
		{ "help",	no_argument,		NULL, 'h' },
		COMMON_OPTIONS,
	};
	struct top t = { .shown = 10, .mem = -ENOENT };
	bool budget_given = false;
	struct trace_pump pump = {};
	struct trace_pump_saved saved;
	struct trace_dump_args da = {};
	char shortopts[64], *end;
	int opt, next, fd, status = 0, ret = -1;
	int64_t delay_ms = 2000;
	unsigned long v;

	memcpy(options + 7, dump_options, sizeof(dump_options));
	snprintf(shortopts, sizeof(shortopts), "+d:n:bhj%s", dump_shortopts);
	if (argc && !strcmp(argv[0], "help"))
		return top_help();
	da.argv = calloc(2 * argc + 4, sizeof(*da.argv));	/* and --budget 1 */
	da.names = calloc(argc + 1, sizeof(*da.names));
	if (!da.argv || !da.names)
		goto out_free;
	while ((opt = cmd_getopt("top", argc, argv, shortopts, options, &next)) >= 0) {
		switch (opt) {
		case 'd':
			if (parse_delay(optarg, &delay_ms))
				goto out_free;
			continue;
		case 'n':
			v = strtoul(optarg, &end, 10);
			if (*end || !*optarg || *optarg == '-' || !v || v > 1000000) {
				p_usage("-n %s: not a number of refreshes (1 to 1000000)", optarg);
				goto out_free;
			}
			t.iterations = v;
			continue;
		case 'b':
			t.batch = true;
			continue;
		case 'T':
			if (parse_top(optarg, &t.shown))
				goto out_free;
			continue;
		case 'h':
			ret = top_help();
			goto out_free;
		case 'w':
			p_usage("top keeps no trace: use report -p PID -w FILE");
			goto out_free;
		case '?':
			goto out_free;
		}
		/* A flight recorder keeps every event: no default budget with it. */
		budget_given |= opt == 'G' || opt == 'o';
		if (opt == 'p') {
			if (t.pid) {
				p_usage("top watches one process");
				goto out_free;
			}
			t.pid = strtol(optarg, &end, 10);
			if (*end || t.pid <= 0) {
				p_usage("'%s' is not a pid", optarg);
				goto out_free;
			}
		}
		if (trace_dump_option(opt, optarg, &da))
			goto out_free;
	}
	if (next < argc) {
		p_usage("unexpected '%s'; see '%s top help'", argv[next], bin_name);
		goto out_free;
	}
	if (!t.pid) {
		p_usage("top needs -p PID (a running Go process)");
		goto out_free;
	}
	if (!budget_given) {
		da.argv[da.argc++] = "--budget";
		da.argv[da.argc++] = "1";
	}
	t.mem = gostate_open(t.pid);
	/* The dump's progress line would draw over the frames. */
	setenv("MAPWATCHCTL_PROGRESS", "0", 1);
	trace_pump_catch(&pump, &saved);
	fd = trace_start_dump(da.argc, da.argv, &t.child);
	if (fd < 0) {
		p_err("cannot start dump: %s", strerror(errno));
		goto out_release;
	}
	clock_gettime(CLOCK_MONOTONIC, &t.t0);
	raw_terminal(&t);
	pump.fd = fd;
	pump.interval_ms = delay_ms;
	pump.next_ms = trace_mono_ms() + delay_ms;
	pump.tick = top_tick;
	pump.ctx = &t;
	pump.child = t.child;
	pump.fifo = true;
	ret = trace_read(fd, "dump", report_object, &t.r, &pump);
	close(fd);
	if (pump.stopped)
		kill(t.child, SIGKILL);
	if (waitpid(t.child, &status, 0) != t.child)
		status = 0;
	t.child = 0;
	if (t.tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &t.saved);
	if (trace_dump_status(status, pump.stopped))
		ret = -1;
	/* The last frame, unless -n's count is shown: the maps as they are now. */
	if (!ret && t.r.records && !(t.iterations && t.frames >= t.iterations))
		top_tick(&t);
out_release:
	trace_pump_release(&saved);
	if (t.mem >= 0)
		close(t.mem);
	report_free(&t.r);
out_free:
	free(da.argv);
	free(da.names);
	return ret;
}
