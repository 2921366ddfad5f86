// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/status.c - the control plane over generic netlink (libnl-genl-3):
 * mapwatchctl status (sessions and probes), monitor (notifications until
 * interrupted), detach --session ID --probe ID (the admin's).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <linux/mapwatch.h>

#include "lib/elfbin.h"
#include "lib/genl.h"
#include "main.h"
#include "trace/kprobes.h"
#include "status.h"

/*
 * The path of the file (st_dev @dev as new_encode_dev() packs it, @ino) in
 * some process's mappings, or NULL.  One pass over /proc per call: status
 * is not a hot path.
 */
static char *mapped_path(uint64_t dev, uint64_t ino)
{
	unsigned int want_major = (dev & 0xfff00) >> 8;
	unsigned int want_minor = (dev & 0xff) | ((dev >> 12) & 0xfff00);
	DIR *proc = opendir("/proc");
	struct dirent *de;
	char *found = NULL;

	while (proc && !found && (de = readdir(proc))) {
		char path[300], line[4352];
		FILE *f;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/maps", de->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		while (!found && fgets(line, sizeof(line), f)) {
			unsigned int major, minor;
			unsigned long long inode;
			int name = 0;

			if (sscanf(line, "%*x-%*x %*4s %*x %x:%x %llu %n", &major, &minor, &inode,
				   &name) < 3 || !name || line[name] != '/')
				continue;
			if (major == want_major && minor == want_minor && inode == ino) {
				line[strcspn(line, "\n")] = '\0';
				found = strdup(line + name);
			}
		}
		fclose(f);
	}
	if (proc)
		closedir(proc);
	return found;
}

/* Files found by mapped_path(): report --interval asks again and again. */
static struct {
	uint64_t dev, ino;
	char *path;
} path_cache[32];
static unsigned int paths_cached;

static const char *cached_path(uint64_t dev, uint64_t ino)
{
	const unsigned int n = sizeof(path_cache) / sizeof(path_cache[0]);
	unsigned int i;
	char *found;

	for (i = 0; i < paths_cached && i < n; i++)
		if (path_cache[i].dev == dev && path_cache[i].ino == ino)
			return path_cache[i].path;
	found = mapped_path(dev, ino);
	if (!found)
		return NULL;
	/* Round robin once full; the path it replaces is freed. */
	i = paths_cached++ % n;
	free(path_cache[i].path);
	path_cache[i].dev = dev;
	path_cache[i].ino = ino;
	path_cache[i].path = found;
	return found;
}

struct sym_find {
	uint64_t va;
	char name[256];
	uint64_t off;
};

static int sym_find_fn(void *ctx, const char *name, uint64_t addr, uint64_t size)
{
	struct sym_find *f = ctx;

	if (f->va < addr || f->va - addr >= (size ? size : 1))
		return 0;
	snprintf(f->name, sizeof(f->name), "%s", name);
	f->off = f->va - addr;
	return 1;
}

/* " <function+0xN>" for file offset @off of @path, from its .symtab; or "". */
static void offset_symbol(const char *path, uint64_t off, char *buf, size_t len)
{
	struct sym_find f = {};
	struct elfbin eb;
	size_t i;

	buf[0] = '\0';
	if (elfbin_open(&eb, path, NULL))
		return;
	for (i = 0; i < eb.nr_phdrs; i++) {
		const GElf_Phdr *ph = &eb.phdrs[i];

		if (ph->p_type == PT_LOAD && off >= ph->p_offset &&
		    off - ph->p_offset < ph->p_filesz) {
			f.va = off - ph->p_offset + ph->p_vaddr;
			if (elfbin_for_each_func(&eb, sym_find_fn, &f, NULL) > 0)
				snprintf(buf, len, " <%s+%#llx>", f.name, (unsigned long long)f.off);
			break;
		}
	}
	elfbin_close(&eb);
}

/* What ctl_probe_where() said of each uprobe: a file is read once. */
static struct {
	uint64_t dev, ino, offset;
	char *where;
} where_cache[256];
static unsigned int where_cached;

const char *ctl_probe_where(const struct mw_probe_row *p, char *buf, size_t len)
{
	const unsigned int n = sizeof(where_cache) / sizeof(where_cache[0]);
	const char *path;
	char sym[300];
	unsigned int i;

	if (p->kind == 1) {
		snprintf(buf, len, "%s", kprobe_name(p->kprobe_type));
		return buf;
	}
	for (i = 0; i < where_cached && i < n; i++) {
		if (where_cache[i].where && where_cache[i].dev == p->dev && where_cache[i].ino == p->ino &&
		    where_cache[i].offset == p->offset) {
			snprintf(buf, len, "%s", where_cache[i].where);
			return buf;
		}
	}
	path = cached_path(p->dev, p->ino);
	if (!path) {
		/* No process maps it now: perhaps later, so not remembered. */
		snprintf(buf, len, "dev %llu:%llu ino %llu+%#llx",
			 (unsigned long long)((p->dev & 0xfff00) >> 8),
			 (unsigned long long)((p->dev & 0xff) | ((p->dev >> 12) & 0xfff00)),
			 (unsigned long long)p->ino, (unsigned long long)p->offset);
		return buf;
	}
	offset_symbol(path, p->offset, sym, sizeof(sym));
	snprintf(buf, len, "%s+%#llx%s", path, (unsigned long long)p->offset, sym);
	i = where_cached++ % n;
	free(where_cache[i].where);
	where_cache[i].dev = p->dev;
	where_cache[i].ino = p->ino;
	where_cache[i].offset = p->offset;
	where_cache[i].where = strdup(buf);
	if (!where_cache[i].where)
		where_cache[i].dev = where_cache[i].ino = 0;
	return buf;
}

static const char *user_name(uint32_t uid, char *buf, size_t len)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		snprintf(buf, len, "%s", pw->pw_name);
	else
		snprintf(buf, len, "%u", uid);
	return buf;
}

static const char *wall_time(uint64_t ns, char *buf, size_t len)
{
	time_t t = ns / 1000000000ULL;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%llu", (unsigned long long)ns);
	return buf;
}

static void status_json(const struct mw_status *st)
{
	char where[4352];
	size_t i;

	jsonw_start_object(json_wtr);
	/* replies without a session id, skipped (a module bug) */
	jsonw_uint_field(json_wtr, "malformed_replies", st->malformed);
	jsonw_name(json_wtr, "sessions");
	jsonw_start_array(json_wtr);
	for (i = 0; i < st->nr_sessions; i++) {
		const struct mw_session_row *s = &st->sessions[i];

		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "session", s->id);
		jsonw_uint_field(json_wtr, "uid", s->uid);
		jsonw_uint_field(json_wtr, "pid", s->pid);
		jsonw_string_field(json_wtr, "comm", s->comm);
		jsonw_uint_field(json_wtr, "opened_ns", s->opened_ns);
		jsonw_bool_field(json_wtr, "enabled", s->enabled);
		jsonw_uint_field(json_wtr, "probes", s->nr_probes);
		jsonw_uint_field(json_wtr, "ring_pages", s->ring_pages);
		jsonw_uint_field(json_wtr, "produced", s->produced);
		jsonw_uint_field(json_wtr, "written", s->written);
		jsonw_uint_field(json_wtr, "lost_full", s->lost_full);
		jsonw_uint_field(json_wtr, "lost_nested", s->lost_nested);
		jsonw_uint_field(json_wtr, "lost_overwritten", s->lost_overwritten);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_name(json_wtr, "probes");
	jsonw_start_array(json_wtr);
	for (i = 0; i < st->nr_probes; i++) {
		const struct mw_probe_row *p = &st->probes[i];

		jsonw_start_object(json_wtr);
		jsonw_uint_field(json_wtr, "session", p->session);
		jsonw_uint_field(json_wtr, "probe", p->probe);
		jsonw_string_field(json_wtr, "kind", p->kind == 1 ? "kprobe" : "uprobe");
		if (p->kind == 1) {
			jsonw_string_field(json_wtr, "kprobe", kprobe_name(p->kprobe_type));
		} else {
			jsonw_uint_field(json_wtr, "dev", p->dev);
			jsonw_uint_field(json_wtr, "ino", p->ino);
			jsonw_uint_field(json_wtr, "offset", p->offset);
			jsonw_bool_field(json_wtr, "all_processes", p->all_processes);
		}
		jsonw_string_field(json_wtr, "where", ctl_probe_where(p, where, sizeof(where)));
		jsonw_uint_field(json_wtr, "hits", p->hits);
		jsonw_uint_field(json_wtr, "filtered", p->filtered);
		jsonw_uint_field(json_wtr, "recorded", p->recorded);
		jsonw_uint_field(json_wtr, "faults", p->faults);
		jsonw_uint_field(json_wtr, "missed", p->missed);
		jsonw_uint_field(json_wtr, "lost", p->lost);
		jsonw_end_object(json_wtr);
	}
	jsonw_end_array(json_wtr);
	jsonw_end_object(json_wtr);
}

static void status_text(const struct mw_status *st)
{
	char user[64], when[32], where[4352];
	size_t i;

	if (!st->nr_sessions) {
		printf("no session is open\n");
		return;
	}
	printf("%7s  %-28s %-19s %-7s %6s %6s %12s %10s %10s\n", "SESSION", "OWNER (user pid comm)",
	       "OPENED", "ENABLED", "PROBES", "PAGES", "WRITTEN", "LOST", "OVERWRITTEN");
	for (i = 0; i < st->nr_sessions; i++) {
		const struct mw_session_row *s = &st->sessions[i];
		char owner[96];

		snprintf(owner, sizeof(owner), "%s %u %s", user_name(s->uid, user, sizeof(user)),
			 s->pid, s->comm);
		printf("%7u  %-28s %-19s %-7s %6u %6u %12llu %10llu %10llu\n", s->id, owner,
		       wall_time(s->opened_ns, when, sizeof(when)), s->enabled ? "yes" : "no",
		       s->nr_probes, s->ring_pages, (unsigned long long)s->written,
		       (unsigned long long)(s->lost_full + s->lost_nested),
		       (unsigned long long)s->lost_overwritten);
	}
	if (!st->nr_probes)
		return;
	printf("\n%7s %5s %-6s %12s %12s %12s %10s %8s %8s  %s\n", "SESSION", "PROBE", "KIND",
	       "HITS", "FILTERED", "RECORDED", "LOST", "FAULTS", "MISSED", "WHERE");
	for (i = 0; i < st->nr_probes; i++) {
		const struct mw_probe_row *p = &st->probes[i];

		printf("%7u %5u %-6s %12llu %12llu %12llu %10llu %8llu %8llu  %s%s\n", p->session,
		       p->probe, p->kind == 1 ? "kprobe" : "uprobe", (unsigned long long)p->hits,
		       (unsigned long long)p->filtered, (unsigned long long)p->recorded,
		       (unsigned long long)p->lost, (unsigned long long)p->faults,
		       (unsigned long long)p->missed,
		       ctl_probe_where(p, where, sizeof(where)),
		       p->all_processes ? " (every process)" : "");
	}
}

static int status_usage(void)
{
	help_print("Usage: %1$s status [-j]\n"
		"\n"
		"Every mapwatch session open on this host, whoever owns it (user, pid,\n"
		"command, when opened, enabled or not, probes, ring pages per CPU,\n"
		"records written, events lost because a ring was full or busy, records\n"
		"overwritten), then every probe (hits, hits filtered out, recorded,\n"
		"recorded but lost to a full or busy ring, faults reading user memory,\n"
		"misses, and where: the kernel function or the file and offset with\n"
		"the function around it).  Read from the module's generic netlink family\n"
		"'%2$s'; needs what opening /dev/mapwatch needs (root).\n"
		"With -j, one JSON object {\"sessions\": [...], \"probes\": [...]}.\n",
		bin_name, MAPWATCH_GENL_NAME);
	return 0;
}

int do_status(int argc, char **argv)
{
	int ret = cmd_options("status", &argc, &argv, status_usage);
	struct mw_status st;
	struct mw_genl g;

	if (ret)
		return ret < 0 ? -1 : 0;
	if (argc > 0) {
		p_usage("status takes no argument (unexpected '%s')", *argv);
		return -1;
	}
	if (mw_genl_open(&g) || mw_genl_status(&g, &st)) {
		p_err("%s", mw_error());
		mw_genl_close(&g);
		return -1;
	}
	mw_genl_close(&g);
	if (st.malformed)
		p_info("status: %lu malformed replies from the module were skipped", st.malformed);
	if (json_output)
		status_json(&st);
	else
		status_text(&st);
	mw_status_free(&st);
	return 0;
}

static int detach_usage(void)
{
	help_print("Usage: %1$s detach --session ID --probe ID\n"
		"\n"
		"Detach a probe from any session (ids from '%1$s status'): its owner\n"
		"keeps the session and its records; the probe records no more.\n"
		"Needs CAP_SYS_ADMIN.\n"
		"\n"
		"  -s, --session ID   the session (a number from 1)\n"
		"  -p, --probe ID     the probe, in that session\n",
		bin_name);
	return 0;
}

static int parse_id(const char *s, const char *what, uint32_t *id)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s || !v || v > UINT32_MAX || *s == '-') {
		p_usage("--%s '%s': not an id (a number from 1, see '%s status')", what, s,
		      bin_name);
		return -1;
	}
	*id = v;
	return 0;
}

int do_detach(int argc, char **argv)
{
	static const struct option options[] = {
		{ "session",	required_argument,	NULL, 's' },
		{ "probe",	required_argument,	NULL, 'p' },
		{ "help",	no_argument,		NULL, 'h' },
		COMMON_OPTIONS,
		{ NULL,		0,			NULL, 0 },
	};
	uint32_t session = 0, probe = 0;
	struct mw_genl g;
	int opt, ret, next;

	if (argc > 0 && is_prefix(*argv, "help"))
		return detach_usage();
	while ((opt = cmd_getopt("detach", argc, argv, "+s:p:hj", options, &next)) != -1) {
		switch (opt) {
		case 's':
			if (parse_id(optarg, "session", &session))
				return -1;
			break;
		case 'p':
			if (parse_id(optarg, "probe", &probe))
				return -1;
			break;
		case 'h':
			return detach_usage();
		default:
			return -1;
		}
	}
	if (!session || !probe || next != argc) {
		p_usage("usage: %s detach --session ID --probe ID (see '%s status')", bin_name,
		      bin_name);
		return -1;
	}
	ret = mw_genl_open(&g);
	if (!ret)
		ret = mw_genl_detach(&g, session, probe);
	if (ret == -ENOENT && g.sk)
		p_err("%s (see '%s status')", mw_error(), bin_name);
	else if (ret)
		p_err("%s", mw_error());
	mw_genl_close(&g);
	if (!ret && json_output)
		jsonw_null(json_wtr);
	return ret;
}

static const char *event_name(int cmd)
{
	switch (cmd) {
	case MAPWATCH_CMD_SESSION_NEW:
		return "session_open";
	case MAPWATCH_CMD_SESSION_DEL:
		return "session_close";
	case MAPWATCH_CMD_PROBE_NEW:
		return "probe_attach";
	case MAPWATCH_CMD_PROBE_DEL:
		return "probe_detach";
	case MAPWATCH_CMD_PROCESS_EXIT:
		return "process_exit";
	case MAPWATCH_CMD_LOSS_START:
		return "loss_start";
	case MAPWATCH_CMD_LOSS_STOP:
		return "loss_stop";
	}
	return NULL;
}

struct monitor {
	unsigned long long events;
	unsigned long long unknown;	/* commands newer than this mapwatchctl */
};

/* One notification: "TIME EVENT session=N key=value..." or a JSON object. */
static void monitor_print(void *arg, const struct mw_notification *n)
{
	const char *name = event_name(n->cmd);
	struct monitor *m = arg;
	char when[32];
	struct timespec ts;
	struct tm tm;

	m->events++;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (!localtime_r(&ts.tv_sec, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		when[0] = '\0';
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "event", name);
		jsonw_uint_field(json_wtr, "time_ns",
				 (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
		jsonw_uint_field(json_wtr, "session", n->session);
	} else {
		printf("%s.%03ld %-13s session=%u", when, ts.tv_nsec / 1000000, name, n->session);
	}
	switch (n->cmd) {
	case MAPWATCH_CMD_SESSION_NEW:
		if (json_output) {
			jsonw_uint_field(json_wtr, "uid", n->uid);
			jsonw_uint_field(json_wtr, "pid", n->pid);
			jsonw_string_field(json_wtr, "comm", n->comm);
		} else {
			printf(" uid=%u pid=%u comm=%s", n->uid, n->pid, n->comm);
		}
		break;
	case MAPWATCH_CMD_PROBE_NEW:
	case MAPWATCH_CMD_PROBE_DEL:
		if (json_output)
			jsonw_uint_field(json_wtr, "probe", n->probe);
		else
			printf(" probe=%u", n->probe);
		break;
	case MAPWATCH_CMD_PROCESS_EXIT:
		if (json_output)
			jsonw_uint_field(json_wtr, "pid", n->pid);
		else
			printf(" pid=%u", n->pid);
		if (!n->has_status)
			break;
		if (WIFSIGNALED(n->status)) {
			if (json_output)
				jsonw_int_field(json_wtr, "signal", WTERMSIG(n->status));
			else
				printf(" signal=%d", WTERMSIG(n->status));
		} else {
			if (json_output)
				jsonw_int_field(json_wtr, "exit_code", WEXITSTATUS(n->status));
			else
				printf(" exit_code=%d", WEXITSTATUS(n->status));
		}
		break;
	case MAPWATCH_CMD_LOSS_START:
	case MAPWATCH_CMD_LOSS_STOP:
		if (json_output)
			jsonw_uint_field(json_wtr, "lost", n->lost);
		else
			printf(" lost=%llu", (unsigned long long)n->lost);
		break;
	}
	if (json_output)
		jsonw_end_object(json_wtr);
	else
		putchar('\n');
	fflush(stdout);
}

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

static int monitor_usage(void)
{
	help_print("Usage: %1$s monitor [-j]\n"
		"\n"
		"Print the module's notifications as they come, until SIGINT or SIGTERM:\n"
		"  session_open   session=ID uid= pid= comm=   (its owner)\n"
		"  session_close  session=ID\n"
		"  probe_attach   session=ID probe=ID\n"
		"  probe_detach   session=ID probe=ID\n"
		"  process_exit   session=ID pid=PID exit_code=N | signal=N  (a traced\n"
		"                 process's last thread exited; pid in the initial pid\n"
		"                 namespace; no code if it was reaped before the look)\n"
		"  loss_start     session=ID lost=N  (events lost since the last look)\n"
		"  loss_stop      session=ID lost=N  (the episode's total)\n"
		"Exits and losses are looked for once a second, and when a session\n"
		"closes.  Joining the '%2$s' group needs CAP_SYS_ADMIN.  Notifications the\n"
		"socket could not hold are counted and reported, never dropped silently.\n"
		"With -j, one JSON array of objects with an \"event\" field.\n",
		bin_name, MAPWATCH_GENL_MCGRP_EVENTS);
	return 0;
}

int do_monitor(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = monitor_on_signal };
	unsigned long long overruns = 0;
	struct monitor m = {};
	struct pollfd pfd;
	struct mw_genl g;
	int ret = 0;

	ret = cmd_options("monitor", &argc, &argv, monitor_usage);
	if (ret)
		return ret < 0 ? -1 : 0;
	if (argc > 0) {
		p_usage("monitor takes no argument (unexpected '%s')", *argv);
		return -1;
	}
	if (mw_genl_open(&g) || mw_genl_subscribe(&g)) {
		p_err("%s", mw_error());
		mw_genl_close(&g);
		return -1;
	}
	/* No SA_RESTART: a signal ends poll(). */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Told once the group is joined: a script may wait for it. */
	if (json_output)
		jsonw_start_array(json_wtr);
	else
		p_info("monitor: following the module's notifications (^C ends)");
	fflush(stdout);
	fflush(stderr);
	pfd.fd = mw_genl_fd(&g);
	pfd.events = POLLIN;
	while (!monitor_stop) {
		int n = poll(&pfd, 1, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			p_err("monitor: poll: %s", strerror(errno));
			ret = -1;
			break;
		}
		while ((n = mw_genl_notifications(&g, monitor_print, &m, &m.unknown)) == -ENOBUFS) {
			overruns++;
			p_err("monitor: %s", mw_error());
		}
		if (n < 0) {
			p_err("monitor: %s", mw_error());
			ret = -1;
			break;
		}
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	fflush(stdout);
	if (!json_output || overruns || m.unknown)
		fprintf(stderr, "monitor: %llu notifications, %llu socket overruns, %llu of unknown kinds\n",
			m.events, overruns, m.unknown);
	mw_genl_close(&g);
	return ret;
}
