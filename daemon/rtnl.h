/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: rtnl.h - the daemon's rtnetlink sockets and who listens to them
 *
 * One command socket, used synchronously (nl_talk), and one event socket
 * (links, addresses, routes, rules of both families) in the loop. Consumers
 * register a listener for the kinds of messages they want, with an event
 * callback and a resync callback that runs after the event socket overran
 * (events were lost: re-dump and re-assert, as netifd and BIRD do). The
 * dispatcher calls nobody by name: link.c, route.c and route_prefix.c (and
 * the nftables code to come) register.
 */
#ifndef UPLINKD_RTNL_H
#define UPLINKD_RTNL_H

#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "nl.h"

struct daemon;

/* Which messages a listener wants (its `kinds`). */
enum {
	RTNL_LINK = 1 << 0,  /* RTM_NEWLINK, RTM_DELLINK */
	RTNL_ADDR = 1 << 1,  /* RTM_NEWADDR, RTM_DELADDR */
	RTNL_ROUTE = 1 << 2, /* RTM_NEWROUTE, RTM_DELROUTE */
	RTNL_RULE = 1 << 3,  /* RTM_NEWRULE, RTM_DELRULE */
};

struct rtnl_listener {
	struct list_head node;
	unsigned int kinds;
	/* one message of a wanted kind; NULL: none wanted */
	void (*event)(struct rtnl_listener *l, const struct nlmsghdr *nlh);
	/* events were lost (or nl_resync): re-read what you depend on */
	void (*resync)(struct rtnl_listener *l);
};

/* Register or drop a listener; listeners are called in registration order. */
void rtnl_listen(struct daemon *d, struct rtnl_listener *l);
void rtnl_unlisten(struct rtnl_listener *l);

/* The daemon's rtnetlink sockets (daemon.c: nl_init before link_init). */
int nl_init(struct daemon *d);
void nl_destroy(struct daemon *d);
/* nl_sock_talk() on the daemon's rtnetlink command socket; -ENOTCONN before nl_init. */
int nl_talk(struct daemon *d, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, char *err,
	    size_t errlen);
/* Every listener's resync now (as after ENOBUFS). */
void nl_resync(struct daemon *d);
/* Number of event-socket overruns so far (status, tests). */
uint64_t nl_overruns(const struct daemon *d);

#endif
