// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: rtnl.c - the daemon's rtnetlink sockets and the listeners they feed
 *
 * Owns struct nl (d->nl): the command socket (nl_talk) and the event socket,
 * whose messages go to every listener that registered for their kind
 * (rtnl_listen). When the event socket overruns, a deferred resync calls each
 * listener's resync. Calls nl.c (sockets) and the registered callbacks only;
 * called by daemon.c (nl_init/nl_destroy) and the listeners' owners.
 */
#include "rtnl.h"
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

struct nl {
	struct daemon *d;
	struct nl_sock cmd;
	struct nl_sock ev;
	struct loop_event resync;
	struct list_head listeners; /* struct rtnl_listener */
	uint64_t overruns;
	struct log_rl rl;
};

static unsigned int msg_kind(uint16_t type)
{
	switch (type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		return RTNL_LINK;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		return RTNL_ADDR;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		return RTNL_ROUTE;
	case RTM_NEWRULE:
	case RTM_DELRULE:
		return RTNL_RULE;
	}
	return 0;
}

static int nl_event(const struct nlmsghdr *nlh, void *data)
{
	struct daemon *d = data;
	struct rtnl_listener *l, *n;
	unsigned int kind = msg_kind(nlh->nlmsg_type);

	if (!kind || !d->nl)
		return MNL_CB_OK;
	list_for_each_entry_safe(l, n, &d->nl->listeners, node)
		if ((l->kinds & kind) && l->event)
			l->event(l, nlh);
	return MNL_CB_OK;
}

void rtnl_listen(struct daemon *d, struct rtnl_listener *l)
{
	if (d->nl)
		list_add_tail(&l->node, &d->nl->listeners);
	else
		list_init(&l->node);
}

void rtnl_unlisten(struct rtnl_listener *l)
{
	list_del(&l->node);
	list_init(&l->node);
}

static void nl_resync_ev(struct loop_event *e)
{
	struct nl *nl = container_of(e, struct nl, resync);

	nl_resync(nl->d);
}

static void nl_overrun(struct nl_sock *s)
{
	struct nl *nl = container_of(s, struct nl, ev);

	nl->overruns++;
	log_rl_msg(&nl->rl, LOG_WARNING,
		   "netlink: event socket overrun (%llu so far); re-reading the kernel's state",
		   (unsigned long long)nl->overruns);
	loop_event_schedule(&nl->d->loop, &nl->resync);
}

void nl_resync(struct daemon *d)
{
	struct rtnl_listener *l, *n;

	if (!d->nl)
		return;
	list_for_each_entry_safe(l, n, &d->nl->listeners, node)
		if (l->resync)
			l->resync(l);
}

uint64_t nl_overruns(const struct daemon *d)
{
	return d->nl ? d->nl->overruns : 0;
}

int nl_talk(struct daemon *d, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, char *err,
	    size_t errlen)
{
	return nl_sock_talk(d->nl ? &d->nl->cmd : NULL, nlh, cb, data, err, errlen);
}

int nl_init(struct daemon *d)
{
	static const unsigned int groups[] = {
		RTNLGRP_LINK,	    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR,
		RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,	 RTNLGRP_IPV4_RULE,
		RTNLGRP_IPV6_RULE,
	};
	struct nl *nl;
	int err;

	nl = calloc(1, sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	nl->d = d;
	list_init(&nl->listeners);
	loop_event_init(&nl->resync, nl_resync_ev);
	if ((err = nl_sock_open(&nl->cmd, NETLINK_ROUTE)) < 0)
		goto err;
	if ((err = nl_sock_open(&nl->ev, NETLINK_ROUTE)) < 0)
		goto err;
	err = nl_sock_watch(&nl->ev, &d->loop, groups, ARRAY_SIZE(groups), nl_event, nl_overrun, d);
	if (err < 0)
		goto err;
	d->nl = nl;
	log_dbg(LOG_NL, "netlink: command socket %u, event socket %u", nl->cmd.portid,
		nl->ev.portid);
	return 0;

err:
	nl_sock_close(&nl->ev);
	nl_sock_close(&nl->cmd);
	free(nl);
	return err;
}

void nl_destroy(struct daemon *d)
{
	struct nl *nl = d->nl;

	if (!nl)
		return;
	loop_event_cancel(&d->loop, &nl->resync);
	nl_sock_close(&nl->ev);
	nl_sock_close(&nl->cmd);
	free(nl);
	d->nl = NULL;
}
