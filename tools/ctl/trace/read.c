// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/trace/read.c - reading a trace object by object (json-c's
 * tokener), so that a trace of any length needs memory only for what its
 * reader keeps; the pump of report --openmetrics; a live dump as the source.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "main.h"
#include "trace/read.h"

uint64_t tr_u64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? (uint64_t)json_object_get_uint64(v) : 0;
}

double tr_double(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_double(v) : 0;
}

int64_t tr_i64(json_object *o, const char *key)
{
	json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_int64(v) : 0;
}

const char *tr_str(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

bool tr_has(json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static volatile sig_atomic_t pump_signals;

static void pump_on_signal(int sig)
{
	(void)sig;
	pump_signals++;
}

int64_t trace_mono_ms(void)
{
	return (int64_t)(mono_ns() / 1000000);
}

/*
 * SIGINT and SIGTERM pending while blocked: taken here.  ppoll() delivers
 * them only when it waits: with data always ready (a live trace faster
 * than we parse), it returns at once with the old mask back, and a
 * signal would stay pending for as long as the flood lasts.
 */
static void pump_take_signals(void)
{
	static const struct timespec zero;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	while (sigtimedwait(&set, NULL, &zero) > 0)
		pump_signals++;
}

/* read(2) for trace_read(): > 0 bytes, 0 at the end (or when stopped), -1 error. */
static ssize_t pump_read(struct trace_pump *pp, void *buf, size_t len)
{
	for (;;) {
		struct pollfd pfd = { .fd = pp->fd, .events = POLLIN };
		int64_t now = trace_mono_ms(), wait = -1;
		struct timespec ts;
		ssize_t n;

		pump_take_signals();

		if (pump_signals != pp->signals_seen) {
			pp->signals_seen = pump_signals;
			if (pp->stop_ms) {
				pp->stopped = true;
				return 0;
			}
			if (pp->child > 0) {
				kill(pp->child, SIGINT);
				pp->stop_ms = INT64_MAX;	/* until dump ends the trace */
			} else if (pp->fifo) {
				pp->stop_ms = now + 2000;
			} else {
				pp->stopped = true;
				return 0;
			}
		}
		if (pp->stop_ms && now >= pp->stop_ms) {
			pp->stopped = true;
			return 0;
		}
		if (pp->interval_ms && now >= pp->next_ms) {
			pp->tick(pp->ctx);
			now = trace_mono_ms();
			pp->next_ms = now + pp->interval_ms;
		}
		if (pp->interval_ms)
			wait = pp->next_ms - now;
		if (pp->stop_ms && pp->stop_ms != INT64_MAX && (wait < 0 || pp->stop_ms - now < wait))
			wait = pp->stop_ms - now;
		if (wait >= 0) {
			ts.tv_sec = wait / 1000;
			ts.tv_nsec = wait % 1000 * 1000000;
		}
		n = ppoll(&pfd, 1, wait >= 0 ? &ts : NULL, &pp->waitmask);
		if (n < 0 && errno != EINTR)
			return -1;
		if (n <= 0)
			continue;
		n = read(pp->fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		/* A copy of the trace as it comes (report -w): a short write is kept. */
		if (n > 0 && pp->tee && !pp->tee_errno && fwrite(buf, 1, n, pp->tee) != (size_t)n)
			pp->tee_errno = errno ? errno : EIO;
		return n;
	}
}

int trace_read(int fd, const char *name, trace_fn fn, void *ctx, struct trace_pump *pp)
{
	json_tokener *tok = json_tokener_new();
	static char buf[1 << 16];
	bool in_obj = false;
	size_t len = 0, off = 0;
	int ret = 0;

	if (!tok)
		return -1;
	for (;;) {
		if (off == len) {
			ssize_t n = pp ? pump_read(pp, buf, sizeof(buf)) : read(fd, buf, sizeof(buf));

			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0) {
				p_err("%s: %s", name, strerror(errno));
				ret = -1;
				break;
			}
			if (!n)
				break;
			len = n;
			off = 0;
		}
		if (!in_obj) {
			char c = buf[off];

			if (c == '{') {
				in_obj = true;
			} else if (strchr(" \t\r\n[],", c)) {
				off++;
			} else {
				/* dump's text lines begin with a time */
				p_err("%s: not a 'mapwatchctl -j dump' trace (unexpected '%c')%s",
				      name, c, isdigit((unsigned char)c) ?
				      ": dump's text output? Record with 'mapwatchctl -j dump -w FILE'" :
				      "");
				ret = -1;
				break;
			}
			continue;
		}
		{
			json_object *o = json_tokener_parse_ex(tok, buf + off, (int)(len - off));
			enum json_tokener_error err = json_tokener_get_error(tok);

			off += json_tokener_get_parse_end(tok);
			if (o) {
				in_obj = false;
				ret = fn(ctx, o);
				json_object_put(o);
				json_tokener_reset(tok);
				if (ret) {
					if (ret == -ENOMEM)
						p_err("out of memory");
					ret = -1;
					break;
				}
			} else if (err != json_tokener_continue) {
				p_err("%s: not a 'mapwatchctl -j dump' trace: %s", name,
				      json_tokener_error_desc(err));
				ret = -1;
				break;
			}
		}
	}
	if (!ret && in_obj && !(pp && pp->stopped)) {
		p_err("%s: the trace ends inside an object", name);
		ret = -1;
	}
	json_tokener_free(tok);
	return ret;
}

int trace_dump_option(int opt, const char *arg, struct trace_dump_args *a)
{
	const struct option *o;

	for (o = dump_options; o->name && o->val != opt; o++)
		;
	if (!o->name)
		return -1;
	/* By its long name: one spelling for dump to parse. */
	snprintf(a->names[a->nr_names], sizeof(a->names[0]), "--%s", o->name);
	a->argv[a->argc++] = a->names[a->nr_names++];
	if (o->has_arg)
		a->argv[a->argc++] = (char *)arg;
	return 0;
}

int trace_dump_status(int status, bool killed_by_us)
{
	if (WIFSIGNALED(status) && !(killed_by_us && WTERMSIG(status) == SIGKILL)) {
		p_err("dump was killed by signal %d", WTERMSIG(status));
		return -1;
	}
	if (!WIFEXITED(status) || !WEXITSTATUS(status))
		return 0;
	/* dump said why, relayed from the trace; under -j that is the document. */
	if (!json_output)
		p_err("dump failed (see its message above)");
	/* One of dump's options was wrong: so was our command line. */
	if (WEXITSTATUS(status) == 2)
		usage_error = true;
	return -1;
}

/* Start `mapwatchctl -j dump ARGS...` writing into a pipe; its read end. */
int trace_start_dump(int argc, char **argv, pid_t *child)
{
	char **args = calloc(argc + 8, sizeof(*args)), wpath[32], self[4096];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	int pfd[2], n = 0, i;

	/* dump writes into the pipe (-w); a CMD it starts keeps our stdout. */
	if (!args || pipe2(pfd, O_CLOEXEC)) {
		free(args);
		return -1;
	}
	snprintf(wpath, sizeof(wpath), "/proc/self/fd/%d", pfd[1]);
	args[n++] = (char *)bin_name;
	args[n++] = "-j";
	if (device_path) {
		args[n++] = "-d";
		args[n++] = (char *)device_path;
	}
	args[n++] = "dump";
	args[n++] = "-w";
	args[n++] = wpath;
	for (i = 0; i < argc; i++)
		args[n++] = argv[i];
	*child = fork();
	if (*child < 0) {
		free(args);
		close(pfd[0]);
		close(pfd[1]);
		return -1;
	}
	if (!*child) {
		char peer[24];
		sigset_t none;

		/* Our CPU is tracing's too: dump --budget counts it (trace/budget.h). */
		snprintf(peer, sizeof(peer), "%d", (int)getppid());
		setenv("MAPWATCHCTL_BUDGET_PEER", peer, 1);

		/* --openmetrics blocks SIGINT and SIGTERM outside ppoll(): not dump. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		/* Only the write end crosses the exec, as /proc/self/fd/N for -w. */
		if (fcntl(pfd[1], F_SETFD, 0))
			_exit(127);
		/*
		 * By its path, so that the session's owner is "mapwatchctl" (as
		 * mapwatchctl status shows it), not "exe"; the link if the file
		 * has gone since.
		 */
		if (len > 0 && len < (ssize_t)sizeof(self)) {
			self[len] = '\0';
			execv(self, args);
		}
		execv("/proc/self/exe", args);
		_exit(127);
	}
	free(args);
	close(pfd[1]);
	return pfd[0];
}

void trace_pump_catch(struct trace_pump *pp, struct trace_pump_saved *saved)
{
	struct sigaction sa = { .sa_handler = pump_on_signal };
	sigset_t block;

	pump_signals = 0;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sigaction(SIGINT, &sa, &saved->old_int);
	sigaction(SIGTERM, &sa, &saved->old_term);
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &saved->old_mask);
	pp->waitmask = saved->old_mask;
	sigdelset(&pp->waitmask, SIGINT);
	sigdelset(&pp->waitmask, SIGTERM);
}

void trace_pump_release(const struct trace_pump_saved *saved)
{
	sigprocmask(SIG_SETMASK, &saved->old_mask, NULL);
	sigaction(SIGINT, &saved->old_int, NULL);
	sigaction(SIGTERM, &saved->old_term, NULL);
}
