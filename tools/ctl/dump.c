// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/dump.c - mapwatchctl dump: trace processes, print each event.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "go/gotrace.h"
#include "main.h"
#include "report/outfile.h"
#include "trace/kprobes.h"
#include "sdt/usdttrace.h"
#include "lib/mapwatch.h"
#include "trace/format.h"
#include "trace/budget.h"
#include "trace/header.h"
#include "trace/target.h"

#define DUMP_MAX_PROBES	16

struct dump {
	struct mw_session s;
	uint32_t probe_type[DUMP_MAX_PROBES + 1];	/* by probe id */
	unsigned int nr_probes;
	size_t attached;		/* probes attached: kprobes and uprobes */
	uint64_t events, lost_seen, max_events;
	bool use_read;
	bool go;			/* the target is a Go binary: its maps are traced */
	struct gotrace gt;
	struct gotrace_final final;	/* what gotrace_final() read */
	double progress_s;		/* when progress was last shown */
	bool progress_shown;
	struct usdttrace ut;		/* --usdt, --jvm */
	/* Records drained but not yet printed, see drain(). */
	struct pending *pend;
	size_t nr_pend, max_pend;
	uint64_t pend_seq;
	struct dump_budget *budget;	/* --budget, or NULL */
};

/*
 * --budget: where the current period stands (trace/budget.h).  The clocks
 * are CPU clocks: the traced processes', ours, and our reader's (report
 * or top, MAPWATCHCTL_BUDGET_PEER), whose work is tracing's too.
 */
struct dump_budget {
	struct budget b;
	clockid_t proc[MAPWATCH_MAX_PIDS + 1];
	int nr_proc;
	clockid_t peer;
	bool have_peer;
	uint64_t period_start, window_start, window_end, period_end;	/* CLOCK_MONOTONIC ns */
	bool window_closed;		/* in this period */
	uint64_t window_len;		/* the window just closed; 0 while open */
	/* at the period's start, and at the window's end */
	uint64_t p_proc, p_tool, p_hits, w_tool, w_hits;
	bool states_due;		/* the window closed: drain, then read the maps */
	uint64_t next_states;		/* when to read them again between windows */
	bool failed;			/* detaching failed (printed): tracing stops */
	bool ended;			/* tracing ended: no window to close */
	uint64_t states_read;		/* maps read between windows, summed */
	/* CPU time summed per clock (budget_cpu()): the processes', then ours, our reader's */
	uint64_t cpu_last[MAPWATCH_MAX_PIDS + 3];
	uint64_t cpu_proc, cpu_tool;
};

struct pending {
	uint64_t time_ns;
	uint64_t seq;			/* drain order: ties keep it */
	unsigned int cpu;
	struct mapwatch_rec_hdr *rec;	/* a copy */
};

static volatile sig_atomic_t stop;

static bool budget_window_over(struct dump *d, uint64_t now);
static void budget_close_window(struct dump *d, uint64_t now);

static void on_signal(int sig)
{
	stop = sig;
}

static int dump_help(void)
{
	help_print(
		"Usage: %1$s dump [-p PID]... [-k KPROBE]... [-c COUNT] [-t SECONDS]\n"
		"                 [--key-max N] [--hot] [--pages N] [--overwrite] [--read]\n"
		"                 [-w FILE] [--usdt PROVIDER:NAME]... [-e FILE]\n"
		"                 [--jvm [--methods CLASS.METHOD]... [--alloc]]\n"
		"                 [-- CMD [ARG]...]\n"
		"\n"
		"Trace the processes PID (any thread of each; up to the module's limit) or\n"
		"CMD, started by %1$s and traced from its first instruction, and print\n"
		"every event: time (CLOCK_MONOTONIC ns), cpu, pid/tid, then what happened.\n"
		"When the first target is a Go program (Go 1.%2$d to 1.%3$d), every map\n"
		"operation is traced: goroutine id, make/assign/delete/clear/grow, the\n"
		"map's address, its len() before the operation, its size class (B for\n"
		"classic maps, the directory length for swiss maps), the key and the\n"
		"bytes its runtime structures hold (bytes=, once known; ~: an estimate;\n"
		"see the README); so are its GC cycles (start, end of marking, end;\n"
		"numbered like runtime.MemStats.NumGC when the binary has a symbol\n"
		"table) and the scavenger's releases of memory to the OS (address,\n"
		"bytes).\n"
		"--usdt traces SDT (USDT) probes by name, any program: each hit prints\n"
		"its arguments (arg0..) as integers.  --jvm traces HotSpot: GC begin and\n"
		"end (full-GC flag, duration), with --methods the entries of the Java\n"
		"methods matching CLASS.METHOD (a glob on the JVM's names, such as\n"
		"'java/util/WeakHashMap.*'; decoded as class.method(signature) with the\n"
		"Java thread id; the JVM must run with -XX:+DTraceMethodProbes), with\n"
		"--alloc object allocations (-XX:+DTraceAllocProbes).  Every method\n"
		"entry the JVM makes is recorded and those not matching are dropped here\n"
		"(counted in the summary): fetch programs cannot compare.  The file\n"
		"probed: -e FILE; else the one mapped by the first PID that has the\n"
		"probes (libjvm.so for --jvm); else, for --jvm, the libjvm.so of the JDK\n"
		"whose bin/java CMD is.  -e FILE with neither PID nor CMD traces every\n"
		"process that maps FILE, until -c, -t or a signal (CAP_SYS_ADMIN).\n"
		"Lost events are printed where they happened (those of a ring still full\n"
		"when tracing stopped: last) and summed at the end.\n"
		"With -j, the output is one JSON array (docs/trace-format.md): a first\n"
		"\"header\" (format version, host, kernel, the wall-clock time of the\n"
		"monotonic clock's zero, each binary with its build ids and Go version),\n"
		"an object per event (\"type\":\n"
		"\"map\" for Go map operations, \"gc\" and \"scavenge\" for the Go\n"
		"runtime's, \"event\" for kernel probes), \"lost\"\n"
		"objects, \"usdt\", \"jvm_gc\", \"jvm_method\", \"jvm_alloc\" objects for\n"
		"SDT probes, and a last \"summary\" (probes attached, their hits, events\n"
		"printed, records produced, lost_ring_full, lost_nested,\n"
		"lost_overwritten, lost_reported, methods_filtered, and the kernel probes\n"
		"that were on).\n"
		"Tracing ends with -c/-t, on SIGINT, SIGTERM or SIGHUP (passed on to\n"
		"CMD), when CMD exits, or when every PID has exited.  CMD still\n"
		"running then gets SIGTERM (after -c/-t) and SIGKILL 10 s later, as\n"
		"with timeout(1).  While it runs\n"
		"with stdout not a terminal (-w, a pipe) and stderr one, a line there\n"
		"says the events and losses so far (MAPWATCHCTL_PROGRESS=0: not).\n"
		"-j without -w: CMD's stdout is mapwatchctl's stderr, the trace alone\n"
		"on stdout.  -w FILE is written as FILE.tmp.XXXXXX beside it, renamed\n"
		"over FILE when tracing ends: a dump that fails before tracing leaves\n"
		"FILE as it was, and its errors are not written into FILE (-j: on\n"
		"stdout).\n"
		"\n"
		"  -p, --pid PID       trace process PID (any thread), repeatable\n"
		"  -k, --kprobe NAME   kernel probe to enable, repeatable, or NAME,NAME:\n"
		"                      getpriority, mmap, madvise, munmap, exit (default:\n"
		"                      none for a Go target or with --usdt/--jvm, all for\n"
		"                      others; see '%1$s info')\n"
		"      --key-max N     copy at most N bytes of each key (default 64)\n"
		"      --hot           also trace each bucket evacuation step (classic)\n"
		"  -c, --count N       stop after N events\n"
		"  -t, --time S        stop after S seconds\n"
		"      --pages N       ring data pages per CPU (power of two, default 256)\n"
		"      --overwrite     flight recorder: keep the newest events, print them\n"
		"                      when tracing stops\n"
		"      --read          drain with read(2) instead of the mmap'ed rings\n"
		"  -w, --write FILE    write the events to FILE, replaced when tracing\n"
		"                      ends (CMD keeps stdout)\n"
		"      --usdt P:N      SDT probe(s) PROVIDER:NAME (glob), repeatable\n"
		"  -e, --elf FILE      the file whose SDT probes --usdt/--jvm trace\n"
		"      --jvm           HotSpot's GC cycles\n"
		"      --methods C.M   and Java method entries (implies --jvm), repeatable\n"
		"      --alloc         and object allocations (implies --jvm)\n"
		"      --budget PCT    keep tracing's cost within PCT percent of the\n"
		"                      traced processes' CPU time (0: no bound): map\n"
		"                      operations are traced in windows, the maps read\n"
		"                      from the process between them (a Go target;\n"
		"                      GC and scavenger events always)\n",
		bin_name, GOVER_MIN_MINOR, GOVER_MAX_MINOR);
	return 0;
}

static void print_event(struct dump *d, unsigned int cpu, const struct mapwatch_rec_event *ev)
{
	uint32_t type = ev->probe_id <= d->nr_probes ? d->probe_type[ev->probe_id] : 0;

	(void)cpu;
	if (json_output) {
		event_head_json(json_wtr, TRACE_EVENT, ev);
		jsonw_uint_field(json_wtr, "probe_id", ev->probe_id);
		jsonw_string_field(json_wtr, "probe", kprobe_name(type));
		jsonw_bool_field(json_wtr, "fault", ev->hdr.flags & MAPWATCH_RECF_FAULT);
		kprobe_json_payload(json_wtr, type, mw_event_payload(ev), ev->payload_size);
		jsonw_end_object(json_wtr);
		return;
	}
	event_head_plain(stdout, ev);
	printf(" %s", kprobe_name(type));
	kprobe_print_payload(stdout, type, mw_event_payload(ev), ev->payload_size);
	if (ev->hdr.flags & MAPWATCH_RECF_FAULT)
		printf(" fault");
	putchar('\n');
}

static void print_lost(const struct mapwatch_rec_lost *lost)
{
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "type", TRACE_LOST);
		jsonw_uint_field(json_wtr, "time_ns", lost->time_ns);
		jsonw_uint_field(json_wtr, "cpu", lost->cpu);
		jsonw_uint_field(json_wtr, "lost", lost->lost);
		jsonw_end_object(json_wtr);
		return;
	}
	printf("%llu.%09llu cpu%u LOST %llu events\n", (unsigned long long)lost->time_ns / 1000000000,
	       (unsigned long long)lost->time_ns % 1000000000, lost->cpu,
	       (unsigned long long)lost->lost);
}

/*
 * DISABLE appends a LOST record to each ring with unreported losses only
 * if the ring has room: when the reader was behind as tracing stopped, the
 * last losses are only in the counters.  Print them, so that the LOST
 * records always add up to the counters.
 */
static void print_unmarked_lost(struct dump *d)
{
	struct mapwatch_rec_lost rec = { .hdr.type = MAPWATCH_REC_LOST };
	struct mapwatch_counters c;
	struct timespec ts;
	unsigned int cpu;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	rec.time_ns = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	for (cpu = 0; cpu < d->s.nr_cpus; cpu++) {
		if (mw_counters(&d->s, cpu, &c)) {
			p_err("%s", mw_error());
			return;
		}
		if (c.lost_full + c.lost_nested <= c.lost_reported)
			continue;
		rec.cpu = cpu;
		rec.lost = c.lost_full + c.lost_nested - c.lost_reported;
		d->lost_seen += rec.lost;
		print_lost(&rec);
	}
}

static int print_record(struct dump *d, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	const struct usdttrace_probe *up;
	const struct gotrace_probe *gp;

	if (hdr->type == MAPWATCH_REC_LOST) {
		d->lost_seen += ((const struct mapwatch_rec_lost *)hdr)->lost;
		print_lost((const void *)hdr);
		return 0;
	}
	if (hdr->type != MAPWATCH_REC_EVENT)
		return 0;
	gp = d->go ? gotrace_probe(&d->gt, ((const struct mapwatch_rec_event *)hdr)->probe_id) :
		     NULL;
	up = usdttrace_probe(&d->ut, ((const struct mapwatch_rec_event *)hdr)->probe_id);
	if (up) {
		if (!usdttrace_print(&d->ut, up, (const void *)hdr, stdout,
				     json_output ? json_wtr : NULL))
			return 0;
	} else if (gp) {
		if (!gotrace_print(&d->gt, gp, (const void *)hdr, stdout,
				   json_output ? json_wtr : NULL))
			return 0;
	} else {
		print_event(d, cpu, (const void *)hdr);
	}
	d->events++;
	return d->max_events && d->events >= d->max_events;
}

static uint64_t rec_time(const struct mapwatch_rec_hdr *hdr)
{
	if (hdr->type == MAPWATCH_REC_EVENT && hdr->size >= sizeof(struct mapwatch_rec_event))
		return ((const struct mapwatch_rec_event *)hdr)->time_ns;
	if (hdr->type == MAPWATCH_REC_LOST && hdr->size >= sizeof(struct mapwatch_rec_lost))
		return ((const struct mapwatch_rec_lost *)hdr)->time_ns;
	return 0;
}

/* Collect a copy of each drained record; drain() prints them in time order. */
static int on_record(void *ctx, unsigned int cpu, const struct mapwatch_rec_hdr *hdr)
{
	struct dump *d = ctx;
	struct pending *p;

	if (d->nr_pend == d->max_pend) {
		size_t n = d->max_pend ? 2 * d->max_pend : 4096;

		p = realloc(d->pend, n * sizeof(*p));
		if (!p) {
			p_err("out of memory");
			return -1;
		}
		d->pend = p;
		d->max_pend = n;
	}
	p = &d->pend[d->nr_pend];
	p->rec = malloc(hdr->size);
	if (!p->rec) {
		p_err("out of memory");
		return -1;
	}
	memcpy(p->rec, hdr, hdr->size);
	p->time_ns = rec_time(hdr);
	p->seq = d->pend_seq++;
	p->cpu = cpu;
	d->nr_pend++;
	return 0;
}

static int pending_cmp(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;

	if (x->time_ns != y->time_ns)
		return x->time_ns < y->time_ns ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/*
 * Print the pending records older than @cut (all with cut == UINT64_MAX),
 * in time order across CPUs; keep the others for the next drain.
 */
static void print_pending(struct dump *d, uint64_t cut)
{
	size_t i, done;
	bool stop = false;

	qsort(d->pend, d->nr_pend, sizeof(*d->pend), pending_cmp);
	for (done = 0; done < d->nr_pend && d->pend[done].time_ns < cut; done++) {
		if (!stop)
			stop = print_record(d, d->pend[done].cpu, d->pend[done].rec);
		free(d->pend[done].rec);
		/* --budget: printing takes long; the window ends on time all the same. */
		if (d->budget && !d->budget->ended && !(done % 16)) {
			uint64_t now = mono_ns();

			if (budget_window_over(d, now))
				budget_close_window(d, now);
		}
	}
	for (i = done; i < d->nr_pend; i++)
		d->pend[i - done] = d->pend[i];
	d->nr_pend -= done;
}

/* read(2) fallback: whole records, CPU by CPU. */
static long drain_read(struct dump *d)
{
	static uint64_t buf[8192];
	long total = 0;

	for (;;) {
		ssize_t n = read(d->s.fd, buf, sizeof(buf));
		size_t off = 0;

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return total;
			p_err("read: %s", strerror(errno));
			return -1;
		}
		if (n == 0)
			return total;
		while (off < (size_t)n) {
			const struct mapwatch_rec_hdr *hdr = (const void *)((char *)buf + off);

			if (on_record(d, 0, hdr))
				return total + 1;
			off += hdr->size;
			total++;
		}
	}
}

/*
 * Each CPU has its own ring, and a goroutine that moves to another CPU
 * leaves its earlier events in the first ring: read ring by ring, a nested
 * function's event (swiss (*Map).Delete under runtime.mapdelete_fast64)
 * could be printed before its caller's, which gotrace's pairing of the two
 * then missed (the comparison with the Go fixture saw the delete twice).
 * So records are printed in time order, and only those stamped before the
 * drain began: a record stamped later may have a predecessor on its
 * goroutine (stamped earlier, committed before its own stamp, so before
 * any later drain) that this drain's pass over another ring missed.  With
 * @final everything is printed.
 */
static long drain(struct dump *d, bool final)
{
	struct timespec ts;
	uint64_t cut;
	long n;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	cut = final ? UINT64_MAX : (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	n = d->use_read ? drain_read(d) : mw_drain(&d->s, on_record, d);
	if (n < 0 && !d->use_read)
		p_err("%s", mw_error());
	print_pending(d, cut);
	fflush(stdout);		/* live, in JSON too: a reader sees each batch */
	return n;
}

/* 1 if the file is a Go program, 0 if not, -1 (reported) if it cannot tell. */
static int is_go_binary(const char *path)
{
	struct mw_err e;
	struct gobin *gb = gobin_open(path, &e);

	if (gb) {
		gobin_close(gb);
		return 1;
	}
	if (e.code == MW_E_NOT_GO || e.code == MW_E_NOT_ELF || e.code == MW_E_FORMAT ||
	    e.code == MW_E_ARCH)
		return 0;
	p_err("%s", e.msg);
	return -1;
}

/*
 * -w FILE: the output goes to a new FILE.tmp.XXXXXX beside FILE (made
 * before anything else, so a directory it cannot write fails first), and
 * stdout is pointed at it once tracing is enabled: until then, errors go
 * where the user sees them.  A FILE that is not a regular file (a pipe:
 * report's dump) is written as it is from -w on, errors included.  When tracing ends, the file is renamed over
 * FILE; a dump that fails before tracing leaves FILE as it was.
 */
static struct outfile out;
static int saved_stdout = -1;

/*
 * CMD's stdout: the one we were given when ours already goes to the trace
 * (-w FILE opened), or ours (-1: inherited); but never the trace's own
 * stream under -j (no -w, -w -, -w /dev/stdout): stderr then, or stdout
 * would not be one JSON document.
 */
static int cmd_stdout(const char *output)
{
	struct stat a, b;
	int given = saved_stdout >= 0 ? saved_stdout : STDOUT_FILENO;

	if (!json_output)
		return saved_stdout;
	if (!output)
		return STDERR_FILENO;
	if (out.f && !fstat(fileno(out.f), &a) && !fstat(given, &b) &&
	    a.st_dev == b.st_dev && a.st_ino == b.st_ino)
		return STDERR_FILENO;
	return saved_stdout;
}

/* A regular file, or none yet: written whole, through a temporary file. */
static bool writes_whole(const char *path)
{
	struct stat st;

	return strcmp(path, "-") && (stat(path, &st) || S_ISREG(st.st_mode));
}

/*
 * -w /proc/self/fd/N (report's pipe), reopened: N closed, so that the
 * pipe ends when our copy does, not when we exit.
 */
static void close_given_fd(const char *path)
{
	char c;
	int n;

	if (out.f && sscanf(path, "/proc/self/fd/%d%c", &n, &c) == 1 && n > 2 &&
	    n != fileno(out.f))
		close(n);
}

static int output_start(void)
{
	fflush(stdout);
	saved_stdout = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (saved_stdout < 0 || dup2(fileno(out.f), STDOUT_FILENO) < 0) {
		p_err("cannot write %s: %s", out.tmp ? out.tmp : out.name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Stdout back as it was; the file renamed over FILE if @keep, else removed. */
static int output_end(bool keep)
{
	int err = 0;

	if (!out.f)
		return 0;
	if (saved_stdout >= 0) {
		/* A JSON document ends with its newline, in the file. */
		if (json_output) {
			jsonw_destroy(&json_wtr);
			json_enable(false);
		}
		/* The trace went through stdout: its write errors are the file's. */
		if (fflush(stdout) || ferror(stdout))
			err = errno ? errno : EIO;
		clearerr(stdout);
		dup2(saved_stdout, STDOUT_FILENO);
		close(saved_stdout);
		saved_stdout = -1;
	}
	if (keep && err && out.tmp) {
		/* Not renamed over FILE: a part of a trace, kept and named. */
		p_err("cannot write %s: %s; what was written is kept in %s", out.name,
		      strerror(err), out.tmp);
		outfile_keep(&out);
		return -1;
	}
	if (keep) {
		out.keep = true;
		return outfile_commit(&out) || err ? -1 : 0;
	}
	outfile_abort(&out);
	return 0;
}

/*
 * Events and losses so far, once a second on a terminal's stderr while
 * the events go elsewhere (-w, a pipe: report's dump); @end clears it.
 */
static void show_progress(struct dump *d, const struct timespec *t0, const struct timespec *now,
			  bool end)
{
	struct mapwatch_counters c;
	double s;

	if (end) {
		if (d->progress_shown)
			fputs("\r\033[K", stderr);
		return;
	}
	s = (now->tv_sec - t0->tv_sec) + (now->tv_nsec - t0->tv_nsec) / 1e9;
	if (s < d->progress_s + 1 || mw_counters(&d->s, MAPWATCH_ALL_CPUS, &c))
		return;
	d->progress_s = s;
	d->progress_shown = true;
	fprintf(stderr, "\rdump: %.0f s, %llu events, %llu lost\033[K", s,
		(unsigned long long)d->events,
		(unsigned long long)(c.lost_full + c.lost_nested + c.lost_overwritten));
}

/* Handler runs of every probe attached, traced process or not. */
/* ------------------------------------------------------------------------ */
/* --budget (trace/budget.h)                                                 */

/*
 * CPU time on clock @c summed into *@sum, from *@last on: a clock that
 * stops reading (its process exited) keeps what it had counted.
 */
static void cpu_add(clockid_t c, uint64_t *last, uint64_t *sum)
{
	struct timespec ts;
	uint64_t v;

	if (clock_gettime(c, &ts))
		return;
	v = (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	if (v > *last) {
		*sum += *last ? v - *last : 0;
		*last = v;
	}
}

/* The traced processes' CPU time, and ours with our reader's, so far. */
static void budget_cpu(struct dump_budget *db, uint64_t *proc, uint64_t *tool)
{
	int i;

	for (i = 0; i < db->nr_proc; i++)
		cpu_add(db->proc[i], &db->cpu_last[i], &db->cpu_proc);
	cpu_add(CLOCK_PROCESS_CPUTIME_ID, &db->cpu_last[db->nr_proc], &db->cpu_tool);
	if (db->have_peer)
		cpu_add(db->peer, &db->cpu_last[db->nr_proc + 1], &db->cpu_tool);
	*proc = db->cpu_proc;
	*tool = db->cpu_tool;
}

/*
 * Tracing ended while CMD runs (a signal, -c, -t, an error): so does CMD,
 * as timeout(1) does, or we would wait on a server for ever.  The signal
 * we were told to stop by, else SIGTERM; SIGKILL if it is still there
 * STOP_CMD_GRACE_S seconds later.
 */
#define STOP_CMD_GRACE_S	10
static void stop_cmd(pid_t child, int sig)
{
	int i;

	if (waitpid(child, NULL, WNOHANG) == child)
		return;
	if (!sig) {
		sig = SIGTERM;
		p_info("dump: tracing ended; sending SIGTERM to CMD (pid %d)", (int)child);
	}
	kill(child, sig);
	for (i = 0; i < STOP_CMD_GRACE_S * 10; i++) {
		if (waitpid(child, NULL, WNOHANG) == child)
			return;
		usleep(100 * 1000);
	}
	p_info("dump: CMD (pid %d) still runs %d s after %s: SIGKILL", (int)child,
	       STOP_CMD_GRACE_S, strsignal(sig));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
}

static int budget_setup(struct dump *d, double percent, const int *pids, int nr_pids, pid_t child)
{
	struct dump_budget *db = calloc(1, sizeof(*db));
	const char *peer = getenv("MAPWATCHCTL_BUDGET_PEER");
	uint64_t hit_ns;
	struct mw_err err;
	int i;

	if (!db) {
		p_err("out of memory");
		return -1;
	}
	d->budget = db;
	if (budget_calibrate(device_path, &hit_ns, &err)) {
		p_err("--budget: %s", err.msg);
		return -1;
	}
	budget_init(&db->b, percent, hit_ns);
	/*
	 * Makes, clears and growth in the windows too: not rare where it
	 * matters (a web server makes a map or more a request, a swiss map
	 * that churns rehashes its tables every few thousand operations), and
	 * the maps read between windows give their figures all the same.
	 */
	gotrace_window_more(&d->gt);
	for (i = 0; i <= nr_pids; i++) {
		pid_t pid = i < nr_pids ? pids[i] : child;

		if (pid > 0 && !clock_getcpuclockid(pid, &db->proc[db->nr_proc]))
			db->nr_proc++;
	}
	if (peer && atoi(peer) > 0 && !clock_getcpuclockid(atoi(peer), &db->peer))
		db->have_peer = true;
	p_info("dump: budget %g%% of the traced processes' CPU; a hit costs them %" PRIu64
	       " ns here", percent, hit_ns);
	return 0;
}

static void budget_start(struct dump *d)
{
	struct dump_budget *db = d->budget;
	uint64_t now = mono_ns();

	budget_cpu(db, &db->p_proc, &db->p_tool);
	db->p_hits = gotrace_hits(&d->gt, &d->s, true);
	db->period_start = db->window_start = now;
	db->window_end = now + db->b.window_ns;
	db->period_end = now + db->b.period_ns;
}

static uint64_t sub0(uint64_t a, uint64_t b);

/*
 * The budget as of @now: the periods ended, and the one under way so far
 * (not planned from: a figure for the reader, refreshed every second).
 */
static void budget_so_far(struct dump *d, uint64_t now, struct budget *b)
{
	struct dump_budget *db = d->budget;
	uint64_t proc, tool, hits = db->window_closed ? db->w_hits :
						    gotrace_hits(&d->gt, &d->s, true);

	*b = db->b;
	if (now <= db->period_start)
		return;
	budget_cpu(db, &proc, &tool);
	b->hits += sub0(hits, db->p_hits);
	b->proc_ns += sub0(proc, db->p_proc);
	b->tool_ns += sub0(tool, db->p_tool);
	b->elapsed_ns += now - db->period_start;
	b->armed_ns += db->window_closed ? db->window_len :
		       d->gt.ops_armed ? sub0(now, db->window_start) : 0;
}

static void print_budget(struct dump *d, uint64_t now)
{
	struct budget so_far, *b = &so_far;

	budget_so_far(d, now, b);

	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "type", TRACE_BUDGET);
		jsonw_uint_field(json_wtr, "time_ns", now);
		jsonw_fixed3_field(json_wtr, "percent", b->share * 100);
		jsonw_fixed3_field(json_wtr, "spent_percent", budget_spent(b));
		jsonw_fixed3_field(json_wtr, "armed_percent", budget_armed(b));
		jsonw_uint_field(json_wtr, "periods", b->periods);
		jsonw_uint_field(json_wtr, "windows", b->windows);
		jsonw_uint_field(json_wtr, "window_ns", b->window_ns);
		jsonw_uint_field(json_wtr, "period_ns", b->period_ns);
		jsonw_uint_field(json_wtr, "hits", b->hits);
		jsonw_uint_field(json_wtr, "hit_ns", b->hit_ns);
		jsonw_uint_field(json_wtr, "tool_ns", b->tool_ns);
		jsonw_uint_field(json_wtr, "process_ns", b->proc_ns);
		jsonw_uint_field(json_wtr, "maps_read", d->budget->states_read);
		jsonw_end_object(json_wtr);
		return;
	}
	printf("%llu.%09llu budget %g%%: spent %.3f%%, armed %.2f%% of the time; next window "
	       "%.1f ms every %.1f ms\n", (unsigned long long)now / 1000000000,
	       (unsigned long long)now % 1000000000, b->share * 100, budget_spent(b),
	       budget_armed(b), b->window_ns / 1e6, b->period_ns / 1e6);
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Close the period at @now: measure it, plan the next one. */
static void budget_period(struct dump *d, uint64_t now)
{
	struct dump_budget *db = d->budget;
	struct budget_sample s = { .period_ns = now - db->period_start };
	uint64_t proc, tool, hits = gotrace_hits(&d->gt, &d->s, true);

	budget_cpu(db, &proc, &tool);
	if (!db->window_closed) {
		/* armed all along (or never, when arming failed) */
		s.window_ns = d->gt.ops_armed ? s.period_ns : 0;
		s.hits = sub0(hits, db->p_hits);
		s.tool_window_ns = sub0(tool, db->p_tool);
	} else {
		s.window_ns = db->window_len < s.period_ns ? db->window_len : s.period_ns;
		s.hits = sub0(db->w_hits, db->p_hits);
		s.tool_window_ns = sub0(db->w_tool, db->p_tool);
	}
	s.proc_ns = sub0(proc, db->p_proc);
	s.tool_ns = sub0(tool, db->p_tool);
	budget_plan(&db->b, &s);
	db->p_proc = proc;
	db->p_tool = tool;
	db->p_hits = hits;
	/* The next period starts here; a window still open goes on in it. */
	db->period_start = now;
	db->period_end = now + db->b.period_ns;
	db->window_closed = false;
	if (d->gt.ops_armed) {
		db->window_start = now;
		db->window_end = now + db->b.window_ns;
	}
}

/* The window is over: the per-operation probes off, now. */
static void budget_close_window(struct dump *d, uint64_t now)
{
	struct dump_budget *db = d->budget;
	uint64_t proc;

	budget_cpu(db, &proc, &db->w_tool);
	db->w_hits = gotrace_hits(&d->gt, &d->s, true);
	db->window_len = now > db->window_start ? now - db->window_start : 0;
	db->window_closed = true;
	gotrace_window_close(&d->gt, mono_ns());
	if (gotrace_disarm(&d->gt, &d->s)) {
		p_err("%s", mw_error());
		db->failed = true;
	}
	db->states_due = true;
}

/* Is the window over?  Asked while printing too: a long drain is no excuse. */
static bool budget_window_over(struct dump *d, uint64_t now)
{
	struct dump_budget *db = d->budget;

	return d->gt.ops_armed && now >= db->window_end && db->b.window_ns < db->b.period_ns;
}

/*
 * Between windows: per-operation probes off, the maps read from their
 * processes.  Returns milliseconds to the next step, or -1 on an error
 * (printed).
 */
static int budget_step(struct dump *d)
{
	struct dump_budget *db = d->budget;
	uint64_t now = mono_ns(), next, proc, tool;
	struct gotrace_final read;

	/* Read often: a process that exits takes its last CPU time with it. */
	budget_cpu(db, &proc, &tool);
	if (budget_window_over(d, now))
		budget_close_window(d, now);
	/* Between windows, a second apart at most: entries and bytes stay fresh. */
	if (!d->gt.ops_armed && now >= db->next_states)
		db->states_due = true;
	if (db->states_due && !db->failed) {
		/* The window's records, then the maps as they are now. */
		db->states_due = false;
		db->next_states = now + BUDGET_STATES_NS;
		/*
		 * Every record of a detached probe is in a ring, stamped before
		 * now (the detach waited for its handlers): this drain takes
		 * them all, and keeps its cut for the probes still attached.
		 */
		if (drain(d, false) < 0)
			db->failed = true;
		gotrace_retired_drained(&d->gt);
		gotrace_states(&d->gt, mono_ns(), stdout, json_output ? json_wtr : NULL, &read);
		db->states_read += read.live;
		/* What was spent so far, with the maps read: a reader shows both. */
		if (now < db->period_end)
			print_budget(d, now);
		fflush(stdout);
	}
	if (db->failed)
		return -1;
	if (now >= db->period_end) {
		budget_period(d, now);
		print_budget(d, now);
		fflush(stdout);
		if (!d->gt.ops_armed) {
			if (gotrace_arm(&d->gt, &d->s)) {
				p_err("%s", mw_error());
				return -1;
			}
			/* From when the probes are in: attaching them takes a while. */
			db->window_start = mono_ns();
			gotrace_window_open(&d->gt, db->window_start);
			db->window_end = db->window_start + db->b.window_ns;
		}
	}
	next = d->gt.ops_armed && db->b.window_ns < db->b.period_ns ? db->window_end :
								       db->period_end;
	if (!d->gt.ops_armed && db->next_states < next)
		next = db->next_states;
	now = mono_ns();
	return next <= now ? 0 : (int)((next - now + 999999) / 1000000);
}

/* The trace ends: its last stretch counts too. */
static void budget_end(struct dump *d)
{
	uint64_t now = mono_ns();

	if (now > d->budget->period_start)
		budget_period(d, now);
	d->budget->ended = true;
	print_budget(d, now);
}

static uint64_t probe_hits(struct dump *d)
{
	struct mapwatch_probe_counters pc;
	uint64_t hits = 0;
	unsigned int i;

	for (i = 1; i <= d->nr_probes; i++)
		if (d->probe_type[i] && !mw_probe_counters(&d->s, i, &pc))
			hits += pc.hits;
	if (d->go)
		hits += gotrace_hits(&d->gt, &d->s, false);
	for (i = 0; i < d->ut.nr; i++)
		if (d->ut.probes[i].id && !mw_probe_counters(&d->s, d->ut.probes[i].id, &pc))
			hits += pc.hits;
	return hits;
}

static void summary(struct dump *d)
{
	struct mapwatch_counters c;
	unsigned int i;
	uint64_t lost, hits;

	if (mw_counters(&d->s, MAPWATCH_ALL_CPUS, &c)) {
		p_err("%s", mw_error());
		return;
	}
	lost = c.lost_full + c.lost_nested + c.lost_overwritten;
	hits = probe_hits(d);
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "type", TRACE_SUMMARY);
		jsonw_uint_field(json_wtr, "probes", d->attached);
		jsonw_uint_field(json_wtr, "hits", hits);
		jsonw_uint_field(json_wtr, "events", d->events);
		jsonw_uint_field(json_wtr, "produced", c.produced);
		jsonw_uint_field(json_wtr, "lost_ring_full", c.lost_full);
		jsonw_uint_field(json_wtr, "lost_nested", c.lost_nested);
		jsonw_uint_field(json_wtr, "lost_overwritten", c.lost_overwritten);
		jsonw_uint_field(json_wtr, "lost_reported", c.lost_reported);
		jsonw_uint_field(json_wtr, "methods_filtered", d->ut.methods_filtered);
		if (d->go) {
			/* Go maps read from their processes (go/gostate.h). */
			jsonw_uint_field(json_wtr, "tables_read", d->gt.tables_read);
			jsonw_uint_field(json_wtr, "map_states", d->final.live);
			jsonw_uint_field(json_wtr, "map_states_reused", d->final.reused);
			jsonw_uint_field(json_wtr, "map_states_unread", d->final.gone);
		}
		if (d->budget) {
			const struct budget *b = &d->budget->b;

			jsonw_fixed3_field(json_wtr, "budget_percent", b->share * 100);
			jsonw_fixed3_field(json_wtr, "budget_spent_percent", budget_spent(b));
			jsonw_fixed3_field(json_wtr, "budget_armed_percent", budget_armed(b));
			jsonw_uint_field(json_wtr, "budget_windows", b->windows);
			jsonw_uint_field(json_wtr, "budget_outside_windows", d->gt.outside_window);
			jsonw_uint_field(json_wtr, "budget_hit_ns", b->hit_ns);
		}
		jsonw_name(json_wtr, "kprobes");
		jsonw_start_array(json_wtr);
		for (i = 1; i <= d->nr_probes; i++)
			if (d->probe_type[i])
				jsonw_string(json_wtr, kprobe_name(d->probe_type[i]));
		jsonw_end_array(json_wtr);
		jsonw_end_object(json_wtr);
		return;
	}
	fprintf(stderr, "dump: %llu events printed, %llu lost, %llu probe hits",
		(unsigned long long)d->events, (unsigned long long)lost, (unsigned long long)hits);
	if (lost)
		fprintf(stderr, " (ring full %llu, nested %llu, overwritten %llu; try --pages)",
			(unsigned long long)c.lost_full, (unsigned long long)c.lost_nested,
			(unsigned long long)c.lost_overwritten);
	fputc('\n', stderr);
	if (d->ut.nr_methods)
		fprintf(stderr, "dump: %llu method entries not matching --methods dropped\n",
			(unsigned long long)d->ut.methods_filtered);
	if (d->budget)
		fprintf(stderr, "dump: budget %g%%: spent %.3f%% of the traced processes' CPU; "
			"map operations traced %.2f%% of the time, in %llu windows\n",
			d->budget->b.share * 100, budget_spent(&d->budget->b),
			budget_armed(&d->budget->b),
			(unsigned long long)d->budget->b.windows);
	if (d->budget && d->gt.outside_window)
		fprintf(stderr, "dump: %llu events dropped: their probes were still being"
			" attached or detached (a window's events are whole)\n",
			(unsigned long long)d->gt.outside_window);
	if (d->go && d->final.live + d->final.reused)
		fprintf(stderr, "dump: %llu maps read from their process at the end, %llu of them"
			" no longer the map traced\n",
			(unsigned long long)(d->final.live + d->final.reused),
			(unsigned long long)d->final.reused);
}

/* The trace's first record (trace/header.c). */
static void write_header(struct dump *d, const char *target, const int *pids, int nr_pids,
			 char *const *cmd, pid_t child, const struct timespec *start)
{
	struct trace_binary bins[2];
	struct trace_target t = {
		.api = &d->s.api, .pids = pids, .nr_pids = nr_pids, .cmd = cmd,
		.cmd_pid = child > 0 ? child : 0, .bins = bins,
		.start_ns = (uint64_t)start->tv_sec * 1000000000ULL + start->tv_nsec,
	};

	if (d->go)
		bins[t.nr_bins++] = (struct trace_binary){
			.role = "go", .path = target, .go_version = d->gt.info->version,
			.map_impl = gomap_impl_name(d->gt.info->map_impl),
		};
	if (d->ut.nr)
		bins[t.nr_bins++] = (struct trace_binary){ .role = "sdt", .path = d->ut.path };
	trace_header_write(json_wtr, &t);
}

/* dump's options; report forwards these to the dump it starts. */
const struct option dump_options[DUMP_NR_OPTIONS] = {
	{ "pid",	required_argument,	NULL, 'p' },
	{ "kprobe",	required_argument,	NULL, 'k' },
	{ "count",	required_argument,	NULL, 'c' },
	{ "time",	required_argument,	NULL, 't' },
	{ "pages",	required_argument,	NULL, 'P' },
	{ "overwrite",	no_argument,		NULL, 'o' },
	{ "read",	no_argument,		NULL, 'r' },
	{ "key-max",	required_argument,	NULL, 'K' },
	{ "hot",	no_argument,		NULL, 'H' },
	{ "write",	required_argument,	NULL, 'w' },
	{ "usdt",	required_argument,	NULL, 'U' },
	{ "elf",	required_argument,	NULL, 'e' },
	{ "jvm",	no_argument,		NULL, 'J' },
	{ "methods",	required_argument,	NULL, 'M' },
	{ "alloc",	no_argument,		NULL, 'A' },
	{ "budget",	required_argument,	NULL, 'G' },
	{ NULL,		0,			NULL, 0 },
};

const char dump_shortopts[] = "p:k:c:t:w:e:";

int do_dump(int argc, char **argv)
{
	int pids[MAPWATCH_MAX_PIDS], nr_pids = 0, go_fd = -1, opt, ret = -1, i;
	uint32_t kprobes[DUMP_MAX_PROBES], nr_kprobes = 0, pages = 256, flags = 0;
	struct dump d = {};
	unsigned int key_max = DUMP_KEY_MAX;
	bool hot = false, progress;
	char target[4096];
	struct mw_err err;
	double seconds = 0, budget = 0;
	struct timespec t0, enabled_at;
	const char *output = NULL, *elf = NULL;
	pid_t child = 0;
	char *end;

	struct option options[ARRAY_LEN(dump_options) + 3] = { COMMON_OPTIONS,
		{ "help", no_argument, NULL, 'h' } };
	int next;

	memcpy(options + 3, dump_options, sizeof(dump_options));
	if (argc && !strcmp(argv[0], "help"))
		return dump_help();
	usdttrace_init(&d.ut);
	while ((opt = cmd_getopt("dump", argc, argv, "+p:k:c:t:w:e:hj", options, &next)) >= 0) {
		switch (opt) {
		case 'U':
			if (usdttrace_add_pattern(&d.ut, optarg, &err))
				goto bad_opt;
			break;
		case 'e':
			elf = optarg;
			break;
		case 'J':
			d.ut.jvm = true;
			break;
		case 'M':
			d.ut.jvm = true;
			if (usdttrace_add_methods(&d.ut, optarg, &err))
				goto bad_opt;
			break;
		case 'A':
			d.ut.jvm = d.ut.alloc = true;
			break;
		case 'w':
			output = optarg;
			/* A pipe (report's dump): errors from here on go in it too. */
			if (!out.f && !writes_whole(output) &&
			    (outfile_open(&out, output) || output_start()))
				goto bad;
			close_given_fd(output);
			break;
		case 'p':
			if (nr_pids == MAPWATCH_MAX_PIDS) {
				p_usage("at most %d processes", MAPWATCH_MAX_PIDS);
				goto bad;
			}
			pids[nr_pids] = strtol(optarg, &end, 10);
			if (*end || pids[nr_pids] <= 0) {
				p_usage("'%s' is not a pid", optarg);
				goto bad;
			}
			nr_pids++;
			break;
		case 'k':
			/* Repeatable, and a comma-separated list as perf's -e takes. */
			for (char *name = strtok(optarg, ","); name; name = strtok(NULL, ",")) {
				if (nr_kprobes == DUMP_MAX_PROBES) {
					p_usage("at most %d kernel probes", DUMP_MAX_PROBES);
					goto bad;
				}
				if (kprobe_type(name, &kprobes[nr_kprobes])) {
					p_usage("unknown kprobe '%s'; see '%s info'", name, bin_name);
					goto bad;
				}
				nr_kprobes++;
			}
			break;
		case 'c':
			d.max_events = strtoull(optarg, &end, 10);
			if (*end || !d.max_events) {
				p_usage("--count wants a positive number, not '%s'", optarg);
				goto bad;
			}
			break;
		case 't':
			seconds = strtod(optarg, &end);
			if (*end || seconds <= 0) {
				p_usage("--time wants seconds, not '%s'", optarg);
				goto bad;
			}
			break;
		case 'P':
			pages = strtoul(optarg, &end, 10);
			if (*end || !pages || (pages & (pages - 1))) {
				p_usage("--pages wants a power of two, not '%s'", optarg);
				goto bad;
			}
			break;
		case 'o':
			flags |= MAPWATCH_RING_OVERWRITE;
			break;
		case 'r':
			d.use_read = true;
			break;
		case 'K':
			key_max = strtoul(optarg, &end, 10);
			if (*end || !key_max || key_max > MAPWATCH_MAX_PAYLOAD / 2) {
				p_usage("--key-max wants 1..%d, not '%s'", MAPWATCH_MAX_PAYLOAD / 2,
				      optarg);
				goto bad;
			}
			break;
		case 'H':
			hot = true;
			break;
		case 'G':
			budget = strtod(optarg, &end);
			if (*end || !*optarg || !(budget >= 0 && budget <= 100)) {
				p_usage("--budget wants a percent from 0 (none) to 100, not '%s'",
					optarg);
				goto bad;
			}
			break;
		case 'h':
			{
			usdttrace_close(&d.ut);
			return dump_help();
		}
		default:
			goto bad;
bad_opt:
			p_usage("%s", err.msg);
			goto bad;
		}
	}
	argc -= next;
	argv += next;
	if (!nr_pids && !argc && !(elf && usdttrace_wanted(&d.ut))) {
		p_usage("nothing to trace: give -p PID or -- CMD (or -e FILE with --usdt/--jvm: every "
		      "process using FILE)");
		goto bad;
	}
	/* -e FILE alone: every process that maps it (CAP_SYS_ADMIN). */
	d.ut.all_processes = !nr_pids && !argc;

	if (budget && (flags & MAPWATCH_RING_OVERWRITE)) {
		p_usage("--budget and --overwrite: a flight recorder keeps every event, or none");
		goto bad;
	}
	if (elf && !usdttrace_wanted(&d.ut)) {
		p_usage("-e FILE names the file of --usdt or --jvm probes: give one of them");
		goto bad;
	}
	if (output && !out.f && outfile_open(&out, output))
		goto bad;

	for (i = 0; i < nr_pids; i++)
		if (target_check_pid(pids[i]))
			goto bad;
	/* The first target's program: is it Go? */
	if (nr_pids)
		snprintf(target, sizeof(target), "/proc/%d/exe", pids[0]);
	else if (!argc || target_find_program(argv[0], target, sizeof(target)))
		target[0] = 0;
	i = target[0] ? is_go_binary(target) : 0;
	if (i < 0)
		goto bad;
	if (i) {
		if (gotrace_open(&d.gt, target, key_max, hot, &err)) {
			p_err("%s", err.msg);
			goto bad;
		}
		d.go = true;
	}
	if (usdttrace_wanted(&d.ut) &&
	    (usdttrace_find(&d.ut, elf, nr_pids ? pids[0] : 0, target[0] ? target : NULL, &err) ||
	     usdttrace_open(&d.ut, &err))) {
		p_err("%s", err.msg);
		goto out_go;
	}

	if (mw_open(&d.s, device_path, 0)) {
		p_err("%s", mw_error());
		goto out_go;
	}
	if (pages > d.s.api.max_ring_pages) {
		p_err("--pages %u is above the module's limit of %u", pages, d.s.api.max_ring_pages);
		goto out_close;
	}
	if (mw_configure(&d.s, pages, flags, 0, 0))
		goto out_err;
	if (!nr_kprobes && !d.go && !usdttrace_wanted(&d.ut)) {
		for (i = 1; i < MAPWATCH_KPROBE_MAX && nr_kprobes < DUMP_MAX_PROBES; i++)
			if (d.s.api.kprobes & (1ULL << i))
				kprobes[nr_kprobes++] = i;
	}
	for (i = 0; i < (int)nr_kprobes; i++) {
		uint32_t id;

		if (mw_kprobe_attach(&d.s, kprobes[i], &id))
			goto out_err;
		d.attached++;
		if (id <= DUMP_MAX_PROBES) {
			d.probe_type[id] = kprobes[i];
			if (id > d.nr_probes)
				d.nr_probes = id;
		}
	}
	for (i = 0; i < nr_pids; i++)
		if (mw_pid(&d.s, MAPWATCH_PID_ADD, pids[i]))
			goto out_err;
	if (argc) {
		/*
		 * -w: CMD keeps the stdout we were given.  -j to stdout: CMD's
		 * goes to stderr, or stdout would not be one JSON document.
		 */
		child = target_spawn(argv, &go_fd, cmd_stdout(output));
		if (child < 0) {
			p_err("cannot start '%s': %s", argv[0], strerror(errno));
			goto out_close;
		}
		if (mw_pid(&d.s, MAPWATCH_PID_ADD, child))
			goto out_err;
	}
	if ((d.go || d.ut.nr) && !(d.s.api.features & MAPWATCH_FEAT_UPROBE)) {
		p_err("the module cannot place uprobes on this architecture");
		goto out_close;
	}
	if (budget && !d.go) {
		p_err("--budget: %s is not a Go program (the budget bounds the Go map probes)",
		      target[0] ? target : "the target");
		goto out_close;
	}
	/* Measured before the probes go in: the target pays nothing meanwhile. */
	if (budget && budget_setup(&d, budget, pids, nr_pids, child))
		goto out_close;
	if (d.go) {
		if (gotrace_attach(&d.gt, &d.s))
			goto out_err;
		/* --budget's first window: from when every probe is in. */
		if (d.budget)
			gotrace_window_open(&d.gt, mono_ns());
		d.attached += d.gt.nr;
		p_info("dump: %s: Go %s, %s maps, %zu probes (%zu functions absent)", target,
		       d.gt.info->version, gomap_impl_name(d.gt.info->map_impl), d.gt.nr,
		       d.gt.absent);
	}
	if (d.ut.nr) {
		if (usdttrace_attach(&d.ut, &d.s))
			goto out_err;
		d.attached += d.ut.nr;
		p_info("dump: %s: %zu SDT probes%s", d.ut.path, d.ut.nr,
		       d.ut.all_processes ? ", in every process that maps it" : "");
	}

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* A terminal that goes (ssh dropped): the trace ends whole, too. */
	signal(SIGHUP, on_signal);
	clock_gettime(CLOCK_MONOTONIC, &enabled_at);
	if (mw_enable(&d.s))
		goto out_err;
	if (out.tmp && output_start())
		goto out_close;
	p_info("dump: tracing");
	if (go_fd >= 0) {
		if (write(go_fd, "g", 1) != 1)
			p_err("cannot start '%s'", argv[0]);
		close(go_fd);
		go_fd = -1;
	}
	if (json_output) {
		/* The array opens once tracing is enabled: a harness waits for it. */
		jsonw_start_array(json_wtr);
		write_header(&d, target, pids, nr_pids, argc ? argv : NULL, child, &enabled_at);
		fflush(stdout);
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (d.budget)
		budget_start(&d);
	/* Progress where a person watches and the events do not scroll by. */
	progress = isatty(STDERR_FILENO) && !isatty(STDOUT_FILENO) &&
		   strcmp(getenv("MAPWATCHCTL_PROGRESS") ?: "", "0");
	while (!stop) {
		struct timespec t;
		int wait_ms = 100;

		if (d.budget) {
			int ms = budget_step(&d);

			if (ms < 0)
				break;
			wait_ms = ms < wait_ms ? ms : wait_ms;
		}
		if (!(flags & MAPWATCH_RING_OVERWRITE)) {
			int n = mw_wait(&d.s, wait_ms);

			if (n < 0 && n != -EINTR) {
				p_err("%s", mw_error());
				break;
			}
			if (drain(&d, false) < 0)
				break;
			/* A long drain: the window may be over already. */
			if (d.budget && budget_step(&d) < 0)
				break;
		} else {
			usleep(100 * 1000);
		}
		if (d.max_events && d.events >= d.max_events)
			break;
		if (child && waitpid(child, NULL, WNOHANG) == child) {
			child = 0;
			break;
		}
		if (nr_pids && !argc && !target_any_alive(pids, nr_pids)) {
			p_info("dump: every traced process has exited");
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (seconds && (t.tv_sec - t0.tv_sec) + (t.tv_nsec - t0.tv_nsec) / 1e9 >= seconds)
			break;
		if (progress)
			show_progress(&d, &t0, &t, false);
	}
	if (progress)
		show_progress(&d, &t0, NULL, true);
	if (d.budget)
		budget_end(&d);
	/* Disabling waits for every handler and appends LOST records. */
	mw_disable(&d.s);
	if (!d.max_events || d.events < d.max_events) {
		drain(&d, true);
		print_unmarked_lost(&d);
	}
	/* Each map's state now, read from its process (gone ones: not). */
	if (d.go) {
		struct timespec now;

		clock_gettime(CLOCK_MONOTONIC, &now);
		gotrace_final(&d.gt, (uint64_t)now.tv_sec * 1000000000ULL + now.tv_nsec, stdout,
			      json_output ? json_wtr : NULL, &d.final);
	}
	summary(&d);
	if (json_output)
		jsonw_end_array(json_wtr);
	ret = output_end(true);
	goto out_close;

out_err:
	p_err("%s", mw_error());
out_close:
	if (child > 0) {
		if (go_fd >= 0)
			close(go_fd);	/* the child exits without running CMD */
		else
			stop_cmd(child, stop);
	}
	mw_close(&d.s);
	while (d.nr_pend)
		free(d.pend[--d.nr_pend].rec);
	free(d.pend);
	free(d.budget);
out_go:
	if (d.go)
		gotrace_close(&d.gt);
	usdttrace_close(&d.ut);
	output_end(false);
	return ret;
bad:
	usdttrace_close(&d.ut);
	output_end(false);
	return -1;
}
