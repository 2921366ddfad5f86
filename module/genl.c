// SPDX-License-Identifier: GPL-2.0
/*
 * The control plane: generic netlink family "mapwatch".
 *
 * Sessions are listed from the registry in session.c, by id: a dump
 * resumes after the last id it sent, so sessions coming and going between
 * two parts neither repeat nor stop it.  Reading needs what opening
 * /dev/mapwatch needs (root, mode 0600): mapwatch_genl_may_read().
 *
 * Notifications go to the "events" group.  Lifecycle ones are sent where
 * the change is made.  Exits of traced processes and ring losses are not
 * sent from the handlers: a work item looks once a second while sessions
 * are open, so a storm of losses makes at most a LOSS_START and a
 * LOSS_STOP per session and second, and the hot path is unchanged.
 */
#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/sched/signal.h>
#include <linux/workqueue.h>
#include <net/genetlink.h>
#include <net/sock.h>

#include "internal.h"

static struct genl_family mapwatch_genl_family;

/*
 * /dev/mapwatch is 0600 root: its owner, or who may override file modes.
 * Both the socket's opener and the sender must be, as netlink_capable()
 * asks a capability of both: a socket root opened and handed to another
 * process does not read for it, nor one it opened for root.
 */
static bool mapwatch_genl_may_read(struct sk_buff *skb)
{
	struct sock *sk = NETLINK_CB(skb).sk;
	struct socket *sock = sk ? sk->sk_socket : NULL;
	struct file *file = sock ? sock->file : NULL;

	if (!file)
		return false;
	if (!uid_eq(file->f_cred->fsuid, GLOBAL_ROOT_UID) &&
	    !file_ns_capable(file, &init_user_ns, CAP_DAC_OVERRIDE))
		return false;
	return uid_eq(current_fsuid(), GLOBAL_ROOT_UID) || capable(CAP_DAC_OVERRIDE);
}

static int mapwatch_genl_put_session(struct sk_buff *msg, struct mapwatch_session *s,
				     u32 portid, u32 seq, int flags)
{
	struct mapwatch_counters c = { .cpu = MAPWATCH_ALL_CPUS };
	u32 pages = 0, nr_probes;
	bool enabled, dead;
	void *hdr;

	mutex_lock(&s->lock);
	dead = s->state == MAPWATCH_STATE_DEAD;
	enabled = READ_ONCE(s->enabled);
	nr_probes = s->nr_probes;
	if (!dead && s->rings) {
		mapwatch_ringset_counters(s->rings, MAPWATCH_ALL_CPUS, &c);
		pages = s->rings->data_pages;
	}
	mutex_unlock(&s->lock);
	if (dead)
		return 0;	/* released meanwhile: not listed */

	hdr = genlmsg_put(msg, portid, seq, &mapwatch_genl_family, flags,
			  MAPWATCH_CMD_SESSION_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, MAPWATCH_A_SESSION_ID, s->id) ||
	    nla_put_u32(msg, MAPWATCH_A_OWNER_UID, from_kuid(&init_user_ns, s->owner_uid)) ||
	    nla_put_u32(msg, MAPWATCH_A_OWNER_PID, s->owner_pid) ||
	    nla_put_string(msg, MAPWATCH_A_OWNER_COMM, s->owner_comm) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_OPENED_NS, s->opened_ns, MAPWATCH_A_PAD) ||
	    nla_put_u8(msg, MAPWATCH_A_ENABLED, enabled) ||
	    nla_put_u32(msg, MAPWATCH_A_NR_PROBES, nr_probes) ||
	    nla_put_u32(msg, MAPWATCH_A_RING_PAGES, pages) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_PRODUCED, c.produced, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_WRITTEN, c.written, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_LOST_FULL, c.lost_full, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_LOST_NESTED, c.lost_nested, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_LOST_OVERWRITTEN, c.lost_overwritten,
			      MAPWATCH_A_PAD)) {
		genlmsg_cancel(msg, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return 0;
}

static int mapwatch_genl_session_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mapwatch_session *s;
	struct sk_buff *msg;
	int ret;

	if (!mapwatch_genl_may_read(skb))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, MAPWATCH_A_SESSION_ID))
		return -EINVAL;
	s = mapwatch_session_get(nla_get_u32(info->attrs[MAPWATCH_A_SESSION_ID]));
	if (!s)
		return -ENOENT;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg) {
		mapwatch_session_put(s);
		return -ENOMEM;
	}
	ret = mapwatch_genl_put_session(msg, s, info->snd_portid, info->snd_seq, 0);
	mapwatch_session_put(s);
	if (ret) {
		nlmsg_free(msg);
		return ret;
	}
	return genlmsg_reply(msg, info);
}

static int mapwatch_genl_session_start(struct netlink_callback *cb)
{
	return mapwatch_genl_may_read(cb->skb) ? 0 : -EPERM;
}

/* cb->args[0]: the last session id sent (0: none yet). */
static int mapwatch_genl_session_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct mapwatch_session *s;
	u32 id;

	for (;;) {
		if (cb->args[0] >= U32_MAX)
			break;
		id = cb->args[0] + 1;
		s = mapwatch_session_find_next(&id);
		if (!s)
			break;
		if (mapwatch_genl_put_session(skb, s, NETLINK_CB(cb->skb).portid,
					      cb->nlh->nlmsg_seq, NLM_F_MULTI)) {
			mapwatch_session_put(s);
			break;	/* full: this id again in the next part */
		}
		mapwatch_session_put(s);
		cb->args[0] = id;
	}
	return skb->len;
}

static int mapwatch_genl_put_probe(struct sk_buff *msg, struct mapwatch_session *s,
				   struct mapwatch_probe *p, u32 portid, u32 seq)
{
	struct mapwatch_probe_counters c = {};
	u64 lost = 0;
	void *hdr;

	mapwatch_probe_sum(p, &c, &lost);
	hdr = genlmsg_put(msg, portid, seq, &mapwatch_genl_family, NLM_F_MULTI,
			  MAPWATCH_CMD_PROBE_GET);
	if (!hdr)
		return -EMSGSIZE;
	if (nla_put_u32(msg, MAPWATCH_A_SESSION_ID, s->id) ||
	    nla_put_u32(msg, MAPWATCH_A_PROBE_ID, p->id) ||
	    nla_put_u32(msg, MAPWATCH_A_PROBE_KIND, p->kind == MAPWATCH_PROBE_KPROBE ? 1 : 2))
		goto full;
	if (p->kind == MAPWATCH_PROBE_KPROBE) {
		if (nla_put_u32(msg, MAPWATCH_A_KPROBE_TYPE, p->type))
			goto full;
	} else {
		struct inode *inode = p->up.reg.inode;
		u64 dev = new_encode_dev(inode->i_sb->s_dev);

		if (nla_put_u64_64bit(msg, MAPWATCH_A_UPROBE_DEV, dev, MAPWATCH_A_PAD) ||
		    nla_put_u64_64bit(msg, MAPWATCH_A_UPROBE_INO, inode->i_ino, MAPWATCH_A_PAD) ||
		    nla_put_u64_64bit(msg, MAPWATCH_A_UPROBE_OFFSET, p->up.reg.offset,
				      MAPWATCH_A_PAD) ||
		    (p->up.all_processes && nla_put_flag(msg, MAPWATCH_A_UPROBE_ALL)))
			goto full;
	}
	if (nla_put_u64_64bit(msg, MAPWATCH_A_HITS, c.hits, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_FILTERED, c.filtered, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_RECORDED, c.recorded, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_FAULTS, c.faults, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_MISSED, c.missed, MAPWATCH_A_PAD) ||
	    nla_put_u64_64bit(msg, MAPWATCH_A_LOST, lost, MAPWATCH_A_PAD))
		goto full;
	genlmsg_end(msg, hdr);
	return 0;
full:
	genlmsg_cancel(msg, hdr);
	return -EMSGSIZE;
}

/*
 * cb->args[0]: the session being listed (0: none yet); cb->args[1]: the
 * last probe id of it sent.  Both only grow: a probe attached behind the
 * cursor waits for the next dump, none is sent twice.  With
 * MAPWATCH_A_SESSION_ID, that session's probes only.
 */
static int mapwatch_genl_probe_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct nlattr **attrs = mapwatch_genl_dump_attrs(cb);
	struct mapwatch_session *s;
	struct mapwatch_probe *p;
	bool full = false;
	u32 only = 0, id;

	if (attrs && attrs[MAPWATCH_A_SESSION_ID])
		only = nla_get_u32(attrs[MAPWATCH_A_SESSION_ID]);
	if (only && !cb->args[0])
		cb->args[0] = only;
	while (!full && cb->args[0] < U32_MAX) {
		id = cb->args[0] ? cb->args[0] : 1;
		s = mapwatch_session_find_next(&id);
		if (!s)
			break;
		if (only && id != only) {
			mapwatch_session_put(s);
			break;
		}
		if (id != cb->args[0]) {
			cb->args[0] = id;
			cb->args[1] = 0;
		}
		mutex_lock(&s->lock);
		if (s->state != MAPWATCH_STATE_DEAD) {
			list_for_each_entry(p, &s->probes, node) {
				if (p->id <= cb->args[1])
					continue;
				if (mapwatch_genl_put_probe(skb, s, p, NETLINK_CB(cb->skb).portid,
							    cb->nlh->nlmsg_seq)) {
					full = true;
					break;
				}
				cb->args[1] = p->id;
			}
		}
		mutex_unlock(&s->lock);
		mapwatch_session_put(s);
		if (!full) {
			cb->args[0] = id + 1;
			cb->args[1] = 0;
		}
	}
	return skb->len;
}

static int mapwatch_genl_probe_detach_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct mapwatch_session *s;
	int ret;

	/* Not GENL_ADMIN_PERM: that is CAP_NET_ADMIN. */
	if (!netlink_capable(skb, CAP_SYS_ADMIN))
		return -EPERM;
	if (GENL_REQ_ATTR_CHECK(info, MAPWATCH_A_SESSION_ID) ||
	    GENL_REQ_ATTR_CHECK(info, MAPWATCH_A_PROBE_ID))
		return -EINVAL;
	s = mapwatch_session_get(nla_get_u32(info->attrs[MAPWATCH_A_SESSION_ID]));
	if (!s) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MAPWATCH_A_SESSION_ID],
				    "no such session");
		return -ENOENT;
	}
	ret = mapwatch_session_detach(s, nla_get_u32(info->attrs[MAPWATCH_A_PROBE_ID]));
	mapwatch_session_put(s);
	if (ret)
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[MAPWATCH_A_PROBE_ID],
				    "no such probe in the session");
	return ret;
}

static const struct nla_policy mapwatch_genl_detach_policy[MAPWATCH_A_PROBE_ID + 1] = {
	[MAPWATCH_A_SESSION_ID] = { .type = NLA_U32 },
	[MAPWATCH_A_PROBE_ID] = { .type = NLA_U32 },
};

static const struct nla_policy mapwatch_genl_session_policy[MAPWATCH_A_SESSION_ID + 1] = {
	[MAPWATCH_A_SESSION_ID] = { .type = NLA_U32 },
};

static const struct genl_ops mapwatch_genl_ops[] = {
	{
		.cmd		= MAPWATCH_CMD_SESSION_GET,
		.doit		= mapwatch_genl_session_doit,
		.start		= mapwatch_genl_session_start,
		.dumpit		= mapwatch_genl_session_dumpit,
		.policy		= mapwatch_genl_session_policy,
		.maxattr	= ARRAY_SIZE(mapwatch_genl_session_policy) - 1,
	},
	{
		.cmd		= MAPWATCH_CMD_PROBE_GET,
		.start		= mapwatch_genl_session_start,
		.dumpit		= mapwatch_genl_probe_dumpit,
		.policy		= mapwatch_genl_session_policy,
		.maxattr	= ARRAY_SIZE(mapwatch_genl_session_policy) - 1,
	},
	{
		.cmd		= MAPWATCH_CMD_PROBE_DETACH,
		.doit		= mapwatch_genl_probe_detach_doit,
		.policy		= mapwatch_genl_detach_policy,
		.maxattr	= ARRAY_SIZE(mapwatch_genl_detach_policy) - 1,
	},
};

#if MAPWATCH_GENL_EVENTS
static const struct genl_multicast_group mapwatch_genl_mcgrps[] = {
	MAPWATCH_GENL_MCGRP(MAPWATCH_GENL_MCGRP_EVENTS),
};
#endif

static struct genl_family mapwatch_genl_family __ro_after_init = {
	.name		= MAPWATCH_GENL_NAME,
	.version	= MAPWATCH_GENL_VERSION,
	.module		= THIS_MODULE,
	.parallel_ops	= true,
	.ops		= mapwatch_genl_ops,
	.n_ops		= ARRAY_SIZE(mapwatch_genl_ops),
#if MAPWATCH_GENL_EVENTS
	.mcgrps		= mapwatch_genl_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(mapwatch_genl_mcgrps),
#endif
};

/* A notification for session @s, or NULL (no listener, no memory). */
static struct sk_buff *mapwatch_genl_event_new(u8 cmd, struct mapwatch_session *s, void **hdr)
{
	struct sk_buff *msg;

	if (!MAPWATCH_GENL_EVENTS || !genl_has_listeners(&mapwatch_genl_family, &init_net, 0))
		return NULL;
	msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	if (!msg)
		return NULL;
	*hdr = genlmsg_put(msg, 0, 0, &mapwatch_genl_family, 0, cmd);
	if (!*hdr || nla_put_u32(msg, MAPWATCH_A_SESSION_ID, s->id)) {
		nlmsg_free(msg);
		return NULL;
	}
	return msg;
}

static void mapwatch_genl_event_send(struct sk_buff *msg, void *hdr)
{
	genlmsg_end(msg, hdr);
	genlmsg_multicast(&mapwatch_genl_family, msg, 0, 0, GFP_KERNEL);
}

void mapwatch_genl_notify(u8 cmd, struct mapwatch_session *s, u32 probe_id)
{
	struct sk_buff *msg;
	void *hdr;

	msg = mapwatch_genl_event_new(cmd, s, &hdr);
	if (!msg)
		return;
	if ((probe_id && nla_put_u32(msg, MAPWATCH_A_PROBE_ID, probe_id)) ||
	    (cmd == MAPWATCH_CMD_SESSION_NEW &&
	     (nla_put_u32(msg, MAPWATCH_A_OWNER_UID, from_kuid(&init_user_ns, s->owner_uid)) ||
	      nla_put_u32(msg, MAPWATCH_A_OWNER_PID, s->owner_pid) ||
	      nla_put_string(msg, MAPWATCH_A_OWNER_COMM, s->owner_comm)))) {
		nlmsg_free(msg);
		return;
	}
	mapwatch_genl_event_send(msg, hdr);
}

static void mapwatch_genl_notify_lost(u8 cmd, struct mapwatch_session *s, u64 lost)
{
	struct sk_buff *msg;
	void *hdr;

	msg = mapwatch_genl_event_new(cmd, s, &hdr);
	if (!msg)
		return;
	if (nla_put_u64_64bit(msg, MAPWATCH_A_LOST, lost, MAPWATCH_A_PAD)) {
		nlmsg_free(msg);
		return;
	}
	mapwatch_genl_event_send(msg, hdr);
}

/*
 * Has thread group @tgid exited, every thread past do_exit()?  Its wait
 * status in @status while its leader is a zombie, -1 once it is reaped.
 */
static bool mapwatch_genl_tgid_exited(struct pid *tgid, s64 *status)
{
	struct task_struct *leader;
	bool exited = true;

	*status = -1;
	rcu_read_lock();
	leader = pid_task(tgid, PIDTYPE_TGID);
	if (leader) {
		struct signal_struct *sig = leader->signal;

		/* The leader becomes a zombie in exit_notify(), after its exit_code. */
		exited = !atomic_read(&sig->live) && READ_ONCE(leader->exit_state);
		if (exited)
			*status = (READ_ONCE(sig->flags) & SIGNAL_GROUP_EXIT) ?
				  READ_ONCE(sig->group_exit_code) : READ_ONCE(leader->exit_code);
	}
	rcu_read_unlock();
	return exited;
}

void mapwatch_genl_watch(struct mapwatch_session *s, bool final)
{
	struct mapwatch_pids *pids = rcu_dereference_protected(s->pids, lockdep_is_held(&s->lock));
	struct mapwatch_counters c = { .cpu = MAPWATCH_ALL_CPUS };
	unsigned int i;
	u64 lost;

	for (i = 0; pids && i < pids->nr; i++) {
		struct sk_buff *msg;
		s64 status;
		void *hdr;

		if (pids->t[i].exited || !mapwatch_genl_tgid_exited(pids->t[i].tgid, &status))
			continue;
		pids->t[i].exited = true;
		msg = mapwatch_genl_event_new(MAPWATCH_CMD_PROCESS_EXIT, s, &hdr);
		if (!msg)
			continue;
		if (nla_put_u32(msg, MAPWATCH_A_PID, pid_nr(pids->t[i].tgid)) ||
		    (status >= 0 && nla_put_u32(msg, MAPWATCH_A_EXIT_STATUS, status))) {
			nlmsg_free(msg);
			continue;
		}
		mapwatch_genl_event_send(msg, hdr);
	}

	if (!s->rings)
		return;
	mapwatch_ringset_counters(s->rings, MAPWATCH_ALL_CPUS, &c);
	lost = c.lost_full + c.lost_nested;
	if (!s->watch_losing && lost != s->watch_lost) {
		s->watch_losing = true;
		s->watch_episode = s->watch_lost;
		mapwatch_genl_notify_lost(MAPWATCH_CMD_LOSS_START, s, lost - s->watch_episode);
	} else if (s->watch_losing && lost == s->watch_lost) {
		s->watch_losing = false;
		mapwatch_genl_notify_lost(MAPWATCH_CMD_LOSS_STOP, s, lost - s->watch_episode);
	}
	s->watch_lost = lost;
	if (final && s->watch_losing) {
		s->watch_losing = false;
		mapwatch_genl_notify_lost(MAPWATCH_CMD_LOSS_STOP, s, lost - s->watch_episode);
	}
}

static void mapwatch_genl_watch_fn(struct work_struct *work);
static DECLARE_DELAYED_WORK(mapwatch_genl_watch_work, mapwatch_genl_watch_fn);

static void mapwatch_genl_watch_fn(struct work_struct *work)
{
	struct mapwatch_session *s;
	u32 id = 1;

	while ((s = mapwatch_session_find_next(&id))) {
		mutex_lock(&s->lock);
		if (s->state != MAPWATCH_STATE_DEAD)
			mapwatch_genl_watch(s, false);
		mutex_unlock(&s->lock);
		mapwatch_session_put(s);
		if (id == U32_MAX)
			break;
		id++;
	}
	if (mapwatch_sessions_open())
		schedule_delayed_work(&mapwatch_genl_watch_work, HZ);
}

void mapwatch_genl_watch_start(void)
{
	/* Already queued: nothing to do; running: it queues itself again. */
	schedule_delayed_work(&mapwatch_genl_watch_work, HZ);
}

int __init mapwatch_genl_init(void)
{
	return genl_register_family(&mapwatch_genl_family);
}

void mapwatch_genl_exit(void)
{
	/* No session is open: the work does not queue itself again. */
	cancel_delayed_work_sync(&mapwatch_genl_watch_work);
	genl_unregister_family(&mapwatch_genl_family);
}
