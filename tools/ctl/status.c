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
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/mapwatch.h>

#include "elf.h"
#include "main.h"
#include "probes.h"
#include "status.h"

struct gn {
	struct nl_sock *sk;
	int family;
	int err;		/* the kernel's errno from an error message */
	bool quiet;
};

static int gn_open(struct gn *g, bool quiet)
{
	memset(g, 0, sizeof(*g));
	g->quiet = quiet;
	g->sk = nl_socket_alloc();
	if (!g->sk) {
		if (!quiet)
			p_err("out of memory");
		return -1;
	}
	if (genl_connect(g->sk)) {
		if (!quiet)
			p_err("cannot open a generic netlink socket");
		goto err;
	}
	g->family = genl_ctrl_resolve(g->sk, MAPWATCH_GENL_NAME);
	if (g->family < 0) {
		if (!quiet)
			p_err("no generic netlink family '%s': is the module loaded (modprobe mapwatch)?",
			      MAPWATCH_GENL_NAME);
		goto err;
	}
	return 0;
err:
	nl_socket_free(g->sk);
	g->sk = NULL;
	return -1;
}

/* libnl maps errnos coarsely: keep the kernel's own from the error message. */
static int gn_on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct gn *g = arg;

	(void)nla;
	g->err = -e->error;
	return NL_STOP;
}

static struct nla_policy gn_policy[MAPWATCH_A_MAX + 1] = {
	[MAPWATCH_A_SESSION_ID] = { .type = NLA_U32 },
	[MAPWATCH_A_OWNER_UID] = { .type = NLA_U32 },
	[MAPWATCH_A_OWNER_PID] = { .type = NLA_U32 },
	[MAPWATCH_A_OWNER_COMM] = { .type = NLA_STRING },
	[MAPWATCH_A_OPENED_NS] = { .type = NLA_U64 },
	[MAPWATCH_A_ENABLED] = { .type = NLA_U8 },
	[MAPWATCH_A_NR_PROBES] = { .type = NLA_U32 },
	[MAPWATCH_A_RING_PAGES] = { .type = NLA_U32 },
	[MAPWATCH_A_PRODUCED] = { .type = NLA_U64 },
	[MAPWATCH_A_WRITTEN] = { .type = NLA_U64 },
	[MAPWATCH_A_LOST_FULL] = { .type = NLA_U64 },
	[MAPWATCH_A_LOST_NESTED] = { .type = NLA_U64 },
	[MAPWATCH_A_LOST_OVERWRITTEN] = { .type = NLA_U64 },
	[MAPWATCH_A_PROBE_ID] = { .type = NLA_U32 },
	[MAPWATCH_A_PROBE_KIND] = { .type = NLA_U32 },
	[MAPWATCH_A_KPROBE_TYPE] = { .type = NLA_U32 },
	[MAPWATCH_A_UPROBE_DEV] = { .type = NLA_U64 },
	[MAPWATCH_A_UPROBE_INO] = { .type = NLA_U64 },
	[MAPWATCH_A_UPROBE_OFFSET] = { .type = NLA_U64 },
	[MAPWATCH_A_UPROBE_ALL] = { .type = NLA_FLAG },
	[MAPWATCH_A_HITS] = { .type = NLA_U64 },
	[MAPWATCH_A_FILTERED] = { .type = NLA_U64 },
	[MAPWATCH_A_RECORDED] = { .type = NLA_U64 },
	[MAPWATCH_A_FAULTS] = { .type = NLA_U64 },
	[MAPWATCH_A_MISSED] = { .type = NLA_U64 },
	[MAPWATCH_A_PID] = { .type = NLA_U32 },
	[MAPWATCH_A_EXIT_STATUS] = { .type = NLA_U32 },
	[MAPWATCH_A_LOST] = { .type = NLA_U64 },
};

static uint32_t get_u32(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u32(tb[a]) : 0;
}

static uint64_t get_u64(struct nlattr **tb, int a)
{
	return tb[a] ? nla_get_u64(tb[a]) : 0;
}

static int gn_parse(struct nl_msg *msg, struct nlattr **tb, int *cmd)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	*cmd = gh->cmd;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MAPWATCH_A_MAX, gn_policy) ||
	    !tb[MAPWATCH_A_SESSION_ID]) {
		p_err("a malformed message from the module (command %d)", gh->cmd);
		return -1;
	}
	return 0;
}

/* A dump's rows are appended to the struct ctl_status. */
struct gn_collect {
	struct ctl_status *st;
	bool nomem;
};

/* A zeroed row appended to *@rows (*@nr of @size bytes each), or NULL. */
static void *row_append(void **rows, size_t *nr, size_t size)
{
	char *n = realloc(*rows, (*nr + 1) * size);

	if (!n)
		return NULL;
	*rows = n;
	memset(n + *nr * size, 0, size);
	return n + (*nr)++ * size;
}

static int gn_collect(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MAPWATCH_A_MAX + 1];
	struct gn_collect *c = arg;
	struct ctl_status *st = c->st;
	int cmd;

	if (gn_parse(msg, tb, &cmd))
		return NL_SKIP;
	if (cmd == MAPWATCH_CMD_SESSION_GET) {
		struct ctl_session_row *r;

		r = row_append((void **)&st->sessions, &st->nr_sessions, sizeof(*r));
		if (!r) {
			c->nomem = true;
			return NL_STOP;
		}
		r->id = get_u32(tb, MAPWATCH_A_SESSION_ID);
		r->uid = get_u32(tb, MAPWATCH_A_OWNER_UID);
		r->pid = get_u32(tb, MAPWATCH_A_OWNER_PID);
		if (tb[MAPWATCH_A_OWNER_COMM])
			snprintf(r->comm, sizeof(r->comm), "%s",
				 nla_get_string(tb[MAPWATCH_A_OWNER_COMM]));
		r->opened_ns = get_u64(tb, MAPWATCH_A_OPENED_NS);
		r->enabled = tb[MAPWATCH_A_ENABLED] && nla_get_u8(tb[MAPWATCH_A_ENABLED]);
		r->nr_probes = get_u32(tb, MAPWATCH_A_NR_PROBES);
		r->ring_pages = get_u32(tb, MAPWATCH_A_RING_PAGES);
		r->produced = get_u64(tb, MAPWATCH_A_PRODUCED);
		r->written = get_u64(tb, MAPWATCH_A_WRITTEN);
		r->lost_full = get_u64(tb, MAPWATCH_A_LOST_FULL);
		r->lost_nested = get_u64(tb, MAPWATCH_A_LOST_NESTED);
		r->lost_overwritten = get_u64(tb, MAPWATCH_A_LOST_OVERWRITTEN);
	} else if (cmd == MAPWATCH_CMD_PROBE_GET) {
		struct ctl_probe_row *r;

		r = row_append((void **)&st->probes, &st->nr_probes, sizeof(*r));
		if (!r) {
			c->nomem = true;
			return NL_STOP;
		}
		r->session = get_u32(tb, MAPWATCH_A_SESSION_ID);
		r->probe = get_u32(tb, MAPWATCH_A_PROBE_ID);
		r->kind = get_u32(tb, MAPWATCH_A_PROBE_KIND);
		r->kprobe_type = get_u32(tb, MAPWATCH_A_KPROBE_TYPE);
		r->dev = get_u64(tb, MAPWATCH_A_UPROBE_DEV);
		r->ino = get_u64(tb, MAPWATCH_A_UPROBE_INO);
		r->offset = get_u64(tb, MAPWATCH_A_UPROBE_OFFSET);
		r->all_processes = tb[MAPWATCH_A_UPROBE_ALL];
		r->hits = get_u64(tb, MAPWATCH_A_HITS);
		r->filtered = get_u64(tb, MAPWATCH_A_FILTERED);
		r->recorded = get_u64(tb, MAPWATCH_A_RECORDED);
		r->faults = get_u64(tb, MAPWATCH_A_FAULTS);
		r->missed = get_u64(tb, MAPWATCH_A_MISSED);
		r->lost = get_u64(tb, MAPWATCH_A_LOST);
	}
	return NL_OK;
}

/*
 * Send CMD (a dump with NLM_F_DUMP) for SESSION/PROBE (0: none), hand every
 * reply to FN.  -1 with errno: the kernel's, or EIO (printed) for libnl's.
 */
static int gn_request(struct gn *g, int cmd, int flags, uint32_t session, uint32_t probe,
		      nl_recvmsg_msg_cb_t fn, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = -1;

	if (!msg || !cb) {
		errno = ENOMEM;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0, flags, cmd,
			 MAPWATCH_GENL_VERSION) ||
	    (session && nla_put_u32(msg, MAPWATCH_A_SESSION_ID, session)) ||
	    (probe && nla_put_u32(msg, MAPWATCH_A_PROBE_ID, probe))) {
		errno = ENOMEM;
		goto out;
	}
	if (fn)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	nl_cb_err(cb, NL_CB_CUSTOM, gn_on_error, g);
	g->err = 0;
	if (nl_send_auto(g->sk, msg) < 0) {
		errno = EIO;
		if (!g->quiet)
			p_err("cannot send to the module");
		goto out;
	}
	do {
		ret = nl_recvmsgs(g->sk, cb);
		/* A dump that raced with a change is started again, as libnl does. */
	} while (ret == -NLE_DUMP_INTR && !g->err && nl_send_auto(g->sk, msg) >= 0);
	/* The ack (NLM_F_ACK) or NLMSG_DONE ended nl_recvmsgs(): nothing to wait for. */
	if (g->err) {
		errno = g->err;
		ret = -1;
	} else if (ret < 0) {
		if (!g->quiet)
			p_err("%s", nl_geterror(ret));
		errno = EIO;
		ret = -1;
	}
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static void status_error(const char *what, int err)
{
	if (err == EPERM)
		p_err("reading the module's %s needs root (as opening /dev/mapwatch does)", what);
	else if (err != EIO)
		p_err("reading the module's %s: %s", what, strerror(err));
}

int ctl_status_read(struct ctl_status *st, bool quiet)
{
	struct gn_collect c = { .st = st };
	struct gn g;
	int ret;

	memset(st, 0, sizeof(*st));
	if (gn_open(&g, quiet))
		return -1;
	ret = gn_request(&g, MAPWATCH_CMD_SESSION_GET, NLM_F_DUMP, 0, 0, gn_collect, &c);
	if (ret && !quiet)
		status_error("sessions", errno);
	if (!ret) {
		ret = gn_request(&g, MAPWATCH_CMD_PROBE_GET, NLM_F_DUMP, 0, 0, gn_collect, &c);
		if (ret && !quiet)
			status_error("probes", errno);
	}
	if (!ret && c.nomem) {
		if (!quiet)
			p_err("out of memory");
		ret = -1;
	}
	nl_socket_free(g.sk);
	if (ret)
		ctl_status_free(st);
	return ret;
}

void ctl_status_free(struct ctl_status *st)
{
	free(st->sessions);
	free(st->probes);
	memset(st, 0, sizeof(*st));
}

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

const char *ctl_probe_where(const struct ctl_probe_row *p, char *buf, size_t len)
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

static void status_json(const struct ctl_status *st)
{
	char where[4352];
	size_t i;

	jsonw_start_object(json_wtr);
	jsonw_name(json_wtr, "sessions");
	jsonw_start_array(json_wtr);
	for (i = 0; i < st->nr_sessions; i++) {
		const struct ctl_session_row *s = &st->sessions[i];

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
		const struct ctl_probe_row *p = &st->probes[i];

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

static void status_text(const struct ctl_status *st)
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
		const struct ctl_session_row *s = &st->sessions[i];
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
		const struct ctl_probe_row *p = &st->probes[i];

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
	fprintf(stderr,
		"Usage: %1$s [-j] status\n"
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
	struct ctl_status st;

	if (argc > 0 && (is_prefix(*argv, "help") || !strcmp(*argv, "--help") ||
			 !strcmp(*argv, "-h")))
		return status_usage();
	if (argc > 0) {
		p_err("status takes no argument (unexpected '%s')", *argv);
		return -1;
	}
	if (ctl_status_read(&st, false))
		return -1;
	if (json_output)
		status_json(&st);
	else
		status_text(&st);
	ctl_status_free(&st);
	return 0;
}

static int detach_usage(void)
{
	fprintf(stderr,
		"Usage: %1$s detach --session ID --probe ID\n"
		"\n"
		"Detach a probe from any session (ids from '%1$s status'): its owner\n"
		"keeps the session and its records; the probe records no more.\n"
		"Needs CAP_SYS_ADMIN.\n",
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
		p_err("--%s '%s': not an id (a number from 1, see '%s status')", what, s,
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
		{ NULL,		0,			NULL, 0 },
	};
	uint32_t session = 0, probe = 0;
	struct gn g;
	int opt, ret;

	if (argc > 0 && is_prefix(*argv, "help"))
		return detach_usage();
	optind = 0;
	while ((opt = getopt_long(argc + 1, argv - 1, "s:p:h", options, NULL)) != -1) {
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
	if (!session || !probe || optind != argc + 1) {
		p_err("usage: %s detach --session ID --probe ID (see '%s status')", bin_name,
		      bin_name);
		return -1;
	}
	if (gn_open(&g, false))
		return -1;
	ret = gn_request(&g, MAPWATCH_CMD_PROBE_DETACH, NLM_F_ACK, session, probe, NULL, NULL);
	if (ret && errno == EPERM)
		p_err("detaching a probe needs CAP_SYS_ADMIN");
	else if (ret && errno == ENOENT)
		p_err("no probe %u in session %u (see '%s status')", probe, session, bin_name);
	else if (ret && errno != EIO)
		p_err("detach: %s", strerror(errno));
	nl_socket_free(g.sk);
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
static int monitor_print(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MAPWATCH_A_MAX + 1];
	struct monitor *m = arg;
	const char *name;
	char when[32];
	struct timespec ts;
	struct tm tm;
	int cmd;

	if (gn_parse(msg, tb, &cmd))
		return NL_SKIP;
	name = event_name(cmd);
	if (!name) {
		m->unknown++;
		return NL_SKIP;
	}
	m->events++;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (!localtime_r(&ts.tv_sec, &tm) || !strftime(when, sizeof(when), "%H:%M:%S", &tm))
		when[0] = '\0';
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "event", name);
		jsonw_uint_field(json_wtr, "time_ns",
				 (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec);
		jsonw_uint_field(json_wtr, "session", get_u32(tb, MAPWATCH_A_SESSION_ID));
	} else {
		printf("%s.%03ld %-13s session=%u", when, ts.tv_nsec / 1000000, name,
		       get_u32(tb, MAPWATCH_A_SESSION_ID));
	}
	switch (cmd) {
	case MAPWATCH_CMD_SESSION_NEW:
		if (json_output) {
			jsonw_uint_field(json_wtr, "uid", get_u32(tb, MAPWATCH_A_OWNER_UID));
			jsonw_uint_field(json_wtr, "pid", get_u32(tb, MAPWATCH_A_OWNER_PID));
			jsonw_string_field(json_wtr, "comm", tb[MAPWATCH_A_OWNER_COMM] ?
					   nla_get_string(tb[MAPWATCH_A_OWNER_COMM]) : "");
		} else {
			printf(" uid=%u pid=%u comm=%s", get_u32(tb, MAPWATCH_A_OWNER_UID),
			       get_u32(tb, MAPWATCH_A_OWNER_PID), tb[MAPWATCH_A_OWNER_COMM] ?
			       nla_get_string(tb[MAPWATCH_A_OWNER_COMM]) : "");
		}
		break;
	case MAPWATCH_CMD_PROBE_NEW:
	case MAPWATCH_CMD_PROBE_DEL:
		if (json_output)
			jsonw_uint_field(json_wtr, "probe", get_u32(tb, MAPWATCH_A_PROBE_ID));
		else
			printf(" probe=%u", get_u32(tb, MAPWATCH_A_PROBE_ID));
		break;
	case MAPWATCH_CMD_PROCESS_EXIT: {
		uint32_t pid = get_u32(tb, MAPWATCH_A_PID);

		if (json_output)
			jsonw_uint_field(json_wtr, "pid", pid);
		else
			printf(" pid=%u", pid);
		if (tb[MAPWATCH_A_EXIT_STATUS]) {
			int status = (int)nla_get_u32(tb[MAPWATCH_A_EXIT_STATUS]);

			if (WIFSIGNALED(status)) {
				if (json_output)
					jsonw_int_field(json_wtr, "signal", WTERMSIG(status));
				else
					printf(" signal=%d", WTERMSIG(status));
			} else {
				if (json_output)
					jsonw_int_field(json_wtr, "exit_code", WEXITSTATUS(status));
				else
					printf(" exit_code=%d", WEXITSTATUS(status));
			}
		}
		break;
	}
	case MAPWATCH_CMD_LOSS_START:
	case MAPWATCH_CMD_LOSS_STOP:
		if (json_output)
			jsonw_uint_field(json_wtr, "lost", get_u64(tb, MAPWATCH_A_LOST));
		else
			printf(" lost=%llu", (unsigned long long)get_u64(tb, MAPWATCH_A_LOST));
		break;
	}
	if (json_output)
		jsonw_end_object(json_wtr);
	else
		putchar('\n');
	fflush(stdout);
	return NL_OK;
}

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

static int monitor_usage(void)
{
	fprintf(stderr,
		"Usage: %1$s [-j] monitor\n"
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
	struct nl_cb *cb;
	struct pollfd pfd;
	struct gn g;
	int grp, ret = 0;

	if (argc > 0 && (is_prefix(*argv, "help") || !strcmp(*argv, "--help") ||
			 !strcmp(*argv, "-h")))
		return monitor_usage();
	if (argc > 0) {
		p_err("monitor takes no argument (unexpected '%s')", *argv);
		return -1;
	}
	if (gn_open(&g, false))
		return -1;
	grp = genl_ctrl_resolve_grp(g.sk, MAPWATCH_GENL_NAME, MAPWATCH_GENL_MCGRP_EVENTS);
	if (grp < 0) {
		p_err("the module has no '%s' group: %s", MAPWATCH_GENL_MCGRP_EVENTS,
		      nl_geterror(grp));
		nl_socket_free(g.sk);
		return -1;
	}
	ret = nl_socket_add_membership(g.sk, grp);
	if (ret) {
		p_err("cannot join the module's '%s' group: %s (it needs CAP_SYS_ADMIN)",
		      MAPWATCH_GENL_MCGRP_EVENTS, nl_geterror(ret));
		nl_socket_free(g.sk);
		return -1;
	}
	nl_socket_disable_seq_check(g.sk);
	nl_socket_modify_cb(g.sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_print, &m);
	cb = nl_socket_get_cb(g.sk);
	nl_socket_set_buffer_size(g.sk, 1 << 20, 0);
	/* libnl retries a receive a signal interrupted: poll() first, then drain. */
	nl_socket_set_nonblocking(g.sk);
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
	pfd.fd = nl_socket_get_fd(g.sk);
	pfd.events = POLLIN;
	ret = 0;
	while (!monitor_stop) {
		int n = poll(&pfd, 1, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			p_err("monitor: poll: %s", strerror(errno));
			ret = -1;
			break;
		}
		for (;;) {
			/* The number of messages read; 0 once the socket is empty. */
			n = nl_recvmsgs_report(g.sk, cb);
			if (n > 0)
				continue;
			if (!n || n == -NLE_AGAIN)
				break;
			if (n == -NLE_NOMEM) {
				/* ENOBUFS: the socket overran, notifications were lost. */
				overruns++;
				p_err("monitor: the socket's buffer overran: notifications were lost");
				continue;
			}
			p_err("monitor: %s", nl_geterror(n));
			ret = -1;
			break;
		}
		if (ret)
			break;
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	fflush(stdout);
	if (!json_output || overruns || m.unknown)
		fprintf(stderr, "monitor: %llu notifications, %llu socket overruns, %llu of unknown kinds\n",
			m.events, overruns, m.unknown);
	nl_cb_put(cb);
	nl_socket_free(g.sk);
	return ret;
}
