// SPDX-License-Identifier: GPL-2.0
/*
 * tools/ctl/status.c - the control plane over generic netlink (libnl-genl-3):
 * mapwatchctl status (sessions and probes), monitor (notifications until
 * interrupted), detach --session ID --probe ID (the admin's).  WIP, issue 8.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/mapwatch.h>

#include "main.h"

struct gn {
	struct nl_sock *sk;
	int family;
	int err;		/* the kernel's errno from an error message */
};

static int gn_open(struct gn *g)
{
	memset(g, 0, sizeof(*g));
	g->sk = nl_socket_alloc();
	if (!g->sk) {
		p_err("out of memory");
		return -1;
	}
	if (genl_connect(g->sk)) {
		p_err("cannot open a generic netlink socket");
		goto err;
	}
	g->family = genl_ctrl_resolve(g->sk, MAPWATCH_GENL_NAME);
	if (g->family < 0) {
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
};

static const char *const u32_names[MAPWATCH_A_MAX + 1] = {
	[MAPWATCH_A_SESSION_ID] = "session", [MAPWATCH_A_OWNER_UID] = "uid",
	[MAPWATCH_A_OWNER_PID] = "pid", [MAPWATCH_A_NR_PROBES] = "probes",
	[MAPWATCH_A_RING_PAGES] = "ring_pages", [MAPWATCH_A_PROBE_ID] = "probe",
	[MAPWATCH_A_PROBE_KIND] = "kind", [MAPWATCH_A_KPROBE_TYPE] = "kprobe_type",
};

static const char *const u64_names[MAPWATCH_A_MAX + 1] = {
	[MAPWATCH_A_OPENED_NS] = "opened_ns", [MAPWATCH_A_PRODUCED] = "produced",
	[MAPWATCH_A_WRITTEN] = "written", [MAPWATCH_A_LOST_FULL] = "lost_full",
	[MAPWATCH_A_LOST_NESTED] = "lost_nested",
	[MAPWATCH_A_LOST_OVERWRITTEN] = "lost_overwritten", [MAPWATCH_A_UPROBE_DEV] = "dev",
	[MAPWATCH_A_UPROBE_INO] = "ino", [MAPWATCH_A_UPROBE_OFFSET] = "offset",
	[MAPWATCH_A_HITS] = "hits", [MAPWATCH_A_FILTERED] = "filtered",
	[MAPWATCH_A_RECORDED] = "recorded", [MAPWATCH_A_FAULTS] = "faults",
	[MAPWATCH_A_MISSED] = "missed",
};

static const char *cmd_name(int cmd)
{
	switch (cmd) {
	case MAPWATCH_CMD_SESSION_GET:
		return "session";
	case MAPWATCH_CMD_PROBE_GET:
		return "probe";
	case MAPWATCH_CMD_SESSION_NEW:
		return "session_new";
	case MAPWATCH_CMD_SESSION_DEL:
		return "session_del";
	case MAPWATCH_CMD_PROBE_NEW:
		return "probe_new";
	case MAPWATCH_CMD_PROBE_DEL:
		return "probe_del";
	}
	return "unknown";
}

/* One message as "kind key=value..." or a JSON object. */
static int gn_print(struct nl_msg *msg, void *arg)
{
	struct genlmsghdr *gh = nlmsg_data(nlmsg_hdr(msg));
	struct nlattr *tb[MAPWATCH_A_MAX + 1];
	int i;

	(void)arg;
	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, MAPWATCH_A_MAX, gn_policy)) {
		p_err("a malformed message from the module (command %d)", gh->cmd);
		return NL_SKIP;
	}
	if (json_output) {
		jsonw_start_object(json_wtr);
		jsonw_string_field(json_wtr, "type", cmd_name(gh->cmd));
	} else {
		printf("%s", cmd_name(gh->cmd));
	}
	for (i = 1; i <= MAPWATCH_A_MAX; i++) {
		if (!tb[i])
			continue;
		if (u32_names[i]) {
			if (json_output)
				jsonw_uint_field(json_wtr, u32_names[i], nla_get_u32(tb[i]));
			else
				printf(" %s=%u", u32_names[i], nla_get_u32(tb[i]));
		} else if (u64_names[i]) {
			if (json_output)
				jsonw_uint_field(json_wtr, u64_names[i], nla_get_u64(tb[i]));
			else
				printf(" %s=%llu", u64_names[i],
				       (unsigned long long)nla_get_u64(tb[i]));
		} else if (i == MAPWATCH_A_OWNER_COMM) {
			if (json_output)
				jsonw_string_field(json_wtr, "comm", nla_get_string(tb[i]));
			else
				printf(" comm=%s", nla_get_string(tb[i]));
		} else if (i == MAPWATCH_A_ENABLED) {
			if (json_output)
				jsonw_bool_field(json_wtr, "enabled", nla_get_u8(tb[i]));
			else
				printf(" enabled=%u", nla_get_u8(tb[i]));
		} else if (i == MAPWATCH_A_UPROBE_ALL) {
			if (json_output)
				jsonw_bool_field(json_wtr, "all_processes", true);
			else
				printf(" all_processes");
		}
	}
	if (json_output)
		jsonw_end_object(json_wtr);
	else
		putchar('\n');
	fflush(stdout);
	return NL_OK;
}

/* Send CMD (a dump with NLM_F_DUMP) with ATTRS and print what comes back. */
static int gn_request(struct gn *g, int cmd, int flags, uint32_t session, uint32_t probe)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int ret = -1;

	if (!msg || !cb) {
		p_err("out of memory");
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, g->family, 0, flags, cmd,
			 MAPWATCH_GENL_VERSION) ||
	    (session && nla_put_u32(msg, MAPWATCH_A_SESSION_ID, session)) ||
	    (probe && nla_put_u32(msg, MAPWATCH_A_PROBE_ID, probe))) {
		p_err("out of memory");
		goto out;
	}
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, gn_print, g);
	nl_cb_err(cb, NL_CB_CUSTOM, gn_on_error, g);
	g->err = 0;
	if (nl_send_auto(g->sk, msg) < 0) {
		p_err("cannot send to the module");
		goto out;
	}
	ret = nl_recvmsgs(g->sk, cb);
	if (!ret && !(flags & NLM_F_DUMP))
		ret = nl_wait_for_ack(g->sk);
	if (g->err) {
		errno = g->err;
		ret = -1;
	} else if (ret < 0) {
		p_err("%s", nl_geterror(ret));
		errno = EIO;
		ret = -1;
	}
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

int do_status(int argc, char **argv)
{
	struct gn g;
	int ret;

	(void)argc;
	(void)argv;
	if (gn_open(&g))
		return -1;
	if (json_output)
		jsonw_start_array(json_wtr);
	ret = gn_request(&g, MAPWATCH_CMD_SESSION_GET, NLM_F_DUMP, 0, 0);
	if (!ret)
		ret = gn_request(&g, MAPWATCH_CMD_PROBE_GET, NLM_F_DUMP, 0, 0);
	if (ret && errno == EPERM)
		p_err("reading the module's sessions needs root (as /dev/mapwatch does)");
	else if (ret && errno != EIO)
		p_err("%s", strerror(errno));
	if (json_output)
		jsonw_end_array(json_wtr);
	nl_socket_free(g.sk);
	return ret;
}

int do_detach(int argc, char **argv)
{
	unsigned long session = 0, probe = 0;
	struct gn g;
	int i, ret;

	for (i = 0; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--session"))
			session = strtoul(argv[i + 1], NULL, 10);
		else if (!strcmp(argv[i], "--probe"))
			probe = strtoul(argv[i + 1], NULL, 10);
	}
	if (!session || !probe || session > UINT32_MAX || probe > UINT32_MAX) {
		p_err("usage: %s detach --session ID --probe ID (see '%s status')", bin_name,
		      bin_name);
		return -1;
	}
	if (gn_open(&g))
		return -1;
	ret = gn_request(&g, MAPWATCH_CMD_PROBE_DETACH, NLM_F_ACK, session, probe);
	if (ret && errno == EPERM)
		p_err("detaching another session's probe needs CAP_SYS_ADMIN");
	else if (ret && errno == ENOENT)
		p_err("no probe %lu in session %lu (see '%s status')", probe, session, bin_name);
	else if (ret && errno != EIO)
		p_err("%s", strerror(errno));
	nl_socket_free(g.sk);
	return ret;
}

static volatile sig_atomic_t monitor_stop;

static void monitor_on_signal(int sig)
{
	(void)sig;
	monitor_stop = 1;
}

int do_monitor(int argc, char **argv)
{
	struct gn g;
	int grp, ret = 0;

	(void)argc;
	(void)argv;
	if (gn_open(&g))
		return -1;
	grp = genl_ctrl_resolve_grp(g.sk, MAPWATCH_GENL_NAME, MAPWATCH_GENL_MCGRP_EVENTS);
	if (grp < 0 || nl_socket_add_membership(g.sk, grp)) {
		p_err("cannot join the module's '%s' group: it needs CAP_SYS_ADMIN",
		      MAPWATCH_GENL_MCGRP_EVENTS);
		nl_socket_free(g.sk);
		return -1;
	}
	nl_socket_disable_seq_check(g.sk);
	nl_socket_modify_cb(g.sk, NL_CB_VALID, NL_CB_CUSTOM, gn_print, &g);
	{
		/* No SA_RESTART: a signal ends the blocking receive. */
		struct sigaction sa = { .sa_handler = monitor_on_signal };

		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	if (json_output)
		jsonw_start_array(json_wtr);
	p_info("monitor: following the module's notifications (^C ends)");
	while (!monitor_stop) {
		ret = nl_recvmsgs_default(g.sk);
		if (ret < 0 && ret != -NLE_INTR && !monitor_stop) {
			/* NLE_NOMEM here is the socket's overrun: notifications lost. */
			p_err("monitor: %s", nl_geterror(ret));
			ret = -1;
			break;
		}
		ret = 0;
	}
	if (json_output)
		jsonw_end_array(json_wtr);
	nl_socket_free(g.sk);
	return ret;
}
