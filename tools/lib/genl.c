// SPDX-License-Identifier: GPL-2.0
/*
 * tools/lib/genl.c - the module's generic netlink family from userspace
 * (libnl-genl-3): status dumps, detach, notifications.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/mapwatch.h>

#include "genl.h"
#include "internal.h"

int mw_genl_open(struct mw_genl *g)
{
	memset(g, 0, sizeof(*g));
	g->sk = nl_socket_alloc();
	if (!g->sk)
		return mw_fail(ENOMEM, "out of memory");
	if (genl_connect(g->sk)) {
		nl_socket_free(g->sk);
		g->sk = NULL;
		return mw_fail(EIO, "cannot open a generic netlink socket");
	}
	g->family = genl_ctrl_resolve(g->sk, MAPWATCH_GENL_NAME);
	if (g->family < 0) {
		nl_socket_free(g->sk);
		g->sk = NULL;
		return mw_fail(ENOENT, "no generic netlink family '%s': is the module loaded (modprobe mapwatch)?",
			       MAPWATCH_GENL_NAME);
	}
	return 0;
}

void mw_genl_close(struct mw_genl *g)
{
	if (g->sk)
		nl_socket_free(g->sk);
	g->sk = NULL;
}

int mw_genl_fd(const struct mw_genl *g)
{
	return nl_socket_get_fd(g->sk);
}

/* libnl maps errnos coarsely: keep the kernel's own from the error message. */
static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *e, void *arg)
{
	struct mw_genl *g = arg;

	(void)nla;
	g->err = -e->error;
	return NL_STOP;
}

static struct nla_policy policy[MAPWATCH_A_MAX + 1] = {
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

static void get_str(struct nlattr **tb, int a, char *buf, size_t len)
{
	snprintf(buf, len, "%s", tb[a] ? nla_get_string(tb[a]) : "");
}

/* 0 and the command, or -1 for a message without a session id. */
static int parse(struct nl_msg *msg, struct nlattr **tb, int *cmd)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));

	*cmd = gh->cmd;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MAPWATCH_A_MAX, policy) ||
	    !tb[MAPWATCH_A_SESSION_ID])
		return -1;
	return 0;
}

/* A dump's rows are appended to the struct mw_status. */
struct collect {
	struct mw_status *st;
	bool nomem;
	unsigned long malformed;
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

static int collect(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MAPWATCH_A_MAX + 1];
	struct collect *c = arg;
	struct mw_status *st = c->st;
	int cmd;

	if (parse(msg, tb, &cmd)) {
		c->malformed++;
		return NL_SKIP;
	}
	if (cmd == MAPWATCH_CMD_SESSION_GET) {
		struct mw_session_row *r;

		r = row_append((void **)&st->sessions, &st->nr_sessions, sizeof(*r));
		if (!r) {
			c->nomem = true;
			return NL_STOP;
		}
		r->id = get_u32(tb, MAPWATCH_A_SESSION_ID);
		r->uid = get_u32(tb, MAPWATCH_A_OWNER_UID);
		r->pid = get_u32(tb, MAPWATCH_A_OWNER_PID);
		get_str(tb, MAPWATCH_A_OWNER_COMM, r->comm, sizeof(r->comm));
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
		struct mw_probe_row *r;

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
 * Send @cmd (a dump with NLM_F_DUMP) for @session/@probe (0: none), hand
 * every reply to @fn.  0, or -errno: the kernel's, or -EIO for libnl's own
 * failures (mw_error() says which).
 */
static int request(struct mw_genl *g, int cmd, int flags, uint32_t session, uint32_t probe,
		   nl_recvmsg_msg_cb_t fn, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret;

	if (!msg || !cb) {
		ret = mw_fail(ENOMEM, "out of memory");
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0, flags, cmd,
			 MAPWATCH_GENL_VERSION) ||
	    (session && nla_put_u32(msg, MAPWATCH_A_SESSION_ID, session)) ||
	    (probe && nla_put_u32(msg, MAPWATCH_A_PROBE_ID, probe))) {
		ret = mw_fail(ENOMEM, "out of memory");
		goto out;
	}
	if (fn)
		nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, g);
	g->err = 0;
	if (nl_send_auto(g->sk, msg) < 0) {
		ret = mw_fail(EIO, "cannot send to the module");
		goto out;
	}
	do {
		ret = nl_recvmsgs(g->sk, cb);
		/* A dump that raced with a change is started again, as libnl does. */
	} while (ret == -NLE_DUMP_INTR && !g->err && nl_send_auto(g->sk, msg) >= 0);
	/* The ack (NLM_F_ACK) or NLMSG_DONE ended nl_recvmsgs(): nothing to wait for. */
	if (g->err)
		ret = mw_fail(g->err, "%s", strerror(g->err));
	else if (ret < 0)
		ret = mw_fail(EIO, "%s", nl_geterror(ret));
	else
		ret = 0;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static int read_error(int ret, const char *what)
{
	if (ret == -EPERM)
		return mw_fail(EPERM, "reading the module's %s needs root (as opening /dev/mapwatch does)",
			       what);
	if (ret == -EIO)
		return ret;		/* mw_error() has libnl's reason */
	return mw_fail(-ret, "reading the module's %s: %s", what, strerror(-ret));
}

int mw_genl_status(struct mw_genl *g, struct mw_status *st)
{
	struct collect c = { .st = st };
	int ret;

	memset(st, 0, sizeof(*st));
	ret = request(g, MAPWATCH_CMD_SESSION_GET, NLM_F_DUMP, 0, 0, collect, &c);
	if (ret)
		ret = read_error(ret, "sessions");
	if (!ret) {
		ret = request(g, MAPWATCH_CMD_PROBE_GET, NLM_F_DUMP, 0, 0, collect, &c);
		if (ret)
			ret = read_error(ret, "probes");
	}
	if (!ret && c.nomem)
		ret = mw_fail(ENOMEM, "out of memory");
	st->malformed = c.malformed;
	if (ret)
		mw_status_free(st);
	return ret;
}

void mw_status_free(struct mw_status *st)
{
	free(st->sessions);
	free(st->probes);
	memset(st, 0, sizeof(*st));
}

int mw_genl_detach(struct mw_genl *g, uint32_t session, uint32_t probe)
{
	int ret = request(g, MAPWATCH_CMD_PROBE_DETACH, NLM_F_ACK, session, probe, NULL, NULL);

	if (ret == -EPERM)
		return mw_fail(EPERM, "detaching a probe needs CAP_SYS_ADMIN");
	if (ret == -ENOENT)
		return mw_fail(ENOENT, "no probe %u in session %u", probe, session);
	if (ret && ret != -EIO)
		return mw_fail(-ret, "detach: %s", strerror(-ret));
	return ret;
}

static bool known_notification(int cmd)
{
	switch (cmd) {
	case MAPWATCH_CMD_SESSION_NEW:
	case MAPWATCH_CMD_SESSION_DEL:
	case MAPWATCH_CMD_PROBE_NEW:
	case MAPWATCH_CMD_PROBE_DEL:
	case MAPWATCH_CMD_PROCESS_EXIT:
	case MAPWATCH_CMD_LOSS_START:
	case MAPWATCH_CMD_LOSS_STOP:
		return true;
	}
	return false;
}

struct notify {
	mw_notify_fn fn;
	void *ctx;
	unsigned long long *unknown;
};

static int notify(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[MAPWATCH_A_MAX + 1];
	struct notify *nt = arg;
	struct mw_notification n = {};

	if (parse(msg, tb, &n.cmd) || !known_notification(n.cmd)) {
		(*nt->unknown)++;
		return NL_SKIP;
	}
	n.session = get_u32(tb, MAPWATCH_A_SESSION_ID);
	n.probe = get_u32(tb, MAPWATCH_A_PROBE_ID);
	n.uid = get_u32(tb, MAPWATCH_A_OWNER_UID);
	n.pid = n.cmd == MAPWATCH_CMD_PROCESS_EXIT ? get_u32(tb, MAPWATCH_A_PID) :
						      get_u32(tb, MAPWATCH_A_OWNER_PID);
	get_str(tb, MAPWATCH_A_OWNER_COMM, n.comm, sizeof(n.comm));
	n.has_status = tb[MAPWATCH_A_EXIT_STATUS];
	n.status = (int)get_u32(tb, MAPWATCH_A_EXIT_STATUS);
	n.lost = get_u64(tb, MAPWATCH_A_LOST);
	nt->fn(nt->ctx, &n);
	return NL_OK;
}

int mw_genl_subscribe(struct mw_genl *g)
{
	int grp, ret;

	grp = genl_ctrl_resolve_grp(g->sk, MAPWATCH_GENL_NAME, MAPWATCH_GENL_MCGRP_EVENTS);
	if (grp < 0)
		return mw_fail(ENOENT, "the module has no '%s' group: %s",
			       MAPWATCH_GENL_MCGRP_EVENTS, nl_geterror(grp));
	ret = nl_socket_add_membership(g->sk, grp);
	if (ret)
		return mw_fail(EPERM, "cannot join the module's '%s' group: %s (it needs CAP_SYS_ADMIN)",
			       MAPWATCH_GENL_MCGRP_EVENTS, nl_geterror(ret));
	nl_socket_disable_seq_check(g->sk);
	nl_socket_set_buffer_size(g->sk, 1 << 20, 0);
	/* libnl retries a receive a signal interrupted: poll() first, then drain. */
	nl_socket_set_nonblocking(g->sk);
	return 0;
}

int mw_genl_notifications(struct mw_genl *g, mw_notify_fn fn, void *ctx,
			  unsigned long long *unknown)
{
	struct notify nt = { .fn = fn, .ctx = ctx, .unknown = unknown };
	/* A copy of the socket's callbacks (its sequence check is off, see
	 * subscribe), so that none is left pointing at this frame. */
	struct nl_cb *own = nl_socket_get_cb(g->sk), *cb = nl_cb_clone(own);
	int total = 0, n;

	nl_cb_put(own);
	if (!cb)
		return mw_fail(ENOMEM, "out of memory");
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, notify, &nt);
	for (;;) {
		/* The number of messages read; 0 once the socket is empty. */
		n = nl_recvmsgs_report(g->sk, cb);
		if (n > 0) {
			total += n;
			continue;
		}
		if (!n || n == -NLE_AGAIN)
			break;
		/* ENOBUFS: the socket overran, notifications were lost. */
		total = n == -NLE_NOMEM ?
			mw_fail(ENOBUFS, "the socket's buffer overran: notifications were lost") :
			mw_fail(EIO, "%s", nl_geterror(n));
		break;
	}
	nl_cb_put(cb);
	return total;
}
