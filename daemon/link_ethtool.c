// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: link_ethtool.c - speed and duplex over ethtool generic netlink
 *
 * Owns the two generic netlink sockets of struct link_ethtool: requests
 * (ETHTOOL_MSG_LINKMODES_GET, built by link_msg.c) and the "monitor" group,
 * whose LINKMODES notifications it parses and passes on by ifindex; an
 * overrun is passed on too, so the owner can query again. Knows nothing of
 * uplinks. Called by link.c.
 */
#include "link_ethtool.h"
#include "link_msg.h"
#include "list.h"
#include "log.h"

#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <stdio.h>
#include <string.h>

void link_ethtool_init(struct link_ethtool *e, link_ethtool_changed_fn changed,
		       link_ethtool_lost_fn lost)
{
	memset(e, 0, sizeof(*e));
	e->req.fd.fd = -1;
	e->ev.fd.fd = -1;
	e->changed = changed;
	e->lost = lost;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_ethtool *e = data;
	uint32_t speed;
	int ifindex, duplex;

	if (nlh->nlmsg_type != e->family ||
	    link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed, &duplex) < 0)
		return MNL_CB_OK;
	if (e->changed)
		e->changed(e, ifindex, speed, duplex);
	return MNL_CB_OK;
}

static void overrun_cb(struct nl_sock *s)
{
	struct link_ethtool *e = container_of(s, struct link_ethtool, ev);

	if (e->lost)
		e->lost(e);
}

void link_ethtool_open(struct link_ethtool *e, struct loop *l)
{
	uint32_t grp;
	int err;

	if ((err = nl_sock_open(&e->req, NETLINK_GENERIC)) < 0 ||
	    (err = nl_genl_resolve(&e->req, ETHTOOL_GENL_NAME, ETHTOOL_MCGRP_MONITOR_NAME,
				   &e->family, &grp)) < 0) {
		log_info("link: ethtool netlink unavailable (%s); speed and duplex unknown",
			 strerror(-err));
		nl_sock_close(&e->req);
		return;
	}
	e->on = true;
	if ((err = nl_sock_open(&e->ev, NETLINK_GENERIC)) < 0 ||
	    (err = nl_sock_watch(&e->ev, l, &grp, 1, event_cb, overrun_cb, e)) < 0) {
		log_warn("link: cannot follow ethtool notifications (%s); speed is read when "
			 "the carrier comes up", strerror(-err));
		nl_sock_close(&e->ev);
	}
}

void link_ethtool_close(struct link_ethtool *e)
{
	nl_sock_close(&e->ev);
	nl_sock_close(&e->req);
	e->on = false;
}

struct reply {
	int ifindex;
	bool got;
	uint32_t speed;
	int duplex;
};

static int reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct reply *r = data;
	uint32_t speed;
	int ifindex, duplex;

	if (link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed, &duplex) == 0 &&
	    ifindex == r->ifindex) {
		r->got = true;
		r->speed = speed;
		r->duplex = duplex;
	}
	return MNL_CB_OK;
}

int link_ethtool_query(struct link_ethtool *e, int ifindex, uint32_t *speed_mbps, int *duplex,
		       char *err, size_t errlen)
{
	uint32_t buf[128];
	struct nlmsghdr *nlh;
	struct reply r = { .ifindex = ifindex, .duplex = -1 };
	int rc;

	*speed_mbps = 0;
	*duplex = -1;
	if (!e->on) {
		snprintf(err, errlen, "no ethtool netlink");
		return -ENOTSUP;
	}
	nlh = link_msg_build_ethtool_get(buf, sizeof(buf), e->family, ifindex);
	if (!nlh) {
		snprintf(err, errlen, "request does not fit");
		return -EMSGSIZE;
	}
	rc = nl_sock_talk(&e->req, nlh, reply_cb, &r, err, errlen);
	if (rc < 0)
		return rc;
	if (r.got) {
		*speed_mbps = r.speed;
		*duplex = r.duplex;
	}
	return 0;
}
