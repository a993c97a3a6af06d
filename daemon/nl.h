/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: nl.h - netlink sockets (the narrow kernel boundary)
 *
 * struct nl_sock wraps one libmnl socket with its own sequence numbers. A
 * command socket talks synchronously (request, replies, ACK) and returns -errno
 * plus the kernel's extack text; an event socket is non-blocking, registered
 * in the loop, and reports an overrun (ENOBUFS) so its owner can re-dump.
 *
 * rtnl.c builds the daemon's rtnetlink sockets and their listeners on it;
 * link.c (ethtool over generic netlink) and ct.c (ctnetlink) open their own
 * nl_socks with the same helpers. Only the kernel rooms (rtnl, link, route,
 * route_prefix, ct) include this header.
 */
#ifndef UPLINKD_NL_H
#define UPLINKD_NL_H

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loop.h"


#define NL_RCVBUF_EVENTS (4 << 20) /* event sockets: SO_RCVBUFFORCE, else SO_RCVBUF */
#define NL_BUF_SIZE 32768	   /* one receive: the kernel's largest dump skb */
#define NL_ERRLEN 256

struct nl_sock {
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	/* event sockets (nl_sock_watch) */
	struct loop *loop;
	struct loop_fd fd;
	mnl_cb_t on_msg;		     /* each message; its return value is ignored */
	void (*on_overrun)(struct nl_sock *s); /* ENOBUFS: events were lost; re-dump */
	void *data;			     /* passed to on_msg */
};

/* Open a blocking command socket on bus (NETLINK_ROUTE, _GENERIC, _NETFILTER)
 * with NETLINK_EXT_ACK, NETLINK_CAP_ACK and a receive timeout. 0 or -errno. */
int nl_sock_open(struct nl_sock *s, int bus);
/* Close (unregistering it from its loop if watched); a closed socket is a no-op. */
void nl_sock_close(struct nl_sock *s);
/* Next request sequence number (never 0). */
uint32_t nl_sock_seq(struct nl_sock *s);
/* Fill nlh's seq and portid, send, and read replies until the ACK (NLM_F_ACK is
 * added unless NLM_F_DUMP) or NLMSG_DONE; cb(msg, data) runs for every other
 * reply (cb may be NULL). Returns 0 or -errno; err (if not NULL) gets the
 * kernel's extack text or strerror(). */
int nl_sock_talk(struct nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		 char *err, size_t errlen);
/* Make s a non-blocking event socket in l: join the given multicast groups
 * (NETLINK_ADD_MEMBERSHIP numbers), enlarge its receive buffer, register it. */
int nl_sock_watch(struct nl_sock *s, struct loop *l, const unsigned int *groups, size_t ngroups,
		  mnl_cb_t on_msg, void (*on_overrun)(struct nl_sock *s), void *data);

/* Generic netlink: resolve a family id and (if group != NULL) the id of one of
 * its multicast groups with CTRL_CMD_GETFAMILY. 0, -ENOENT or -errno. */
int nl_genl_resolve(struct nl_sock *s, const char *family, const char *group, uint16_t *id,
		    uint32_t *group_id);
/* Pure parser of a CTRL_CMD_NEWFAMILY message (unit tests). 0 or -ENOENT/-EINVAL. */
int nl_genl_parse_family(const struct nlmsghdr *nlh, const char *group, uint16_t *id,
			 uint32_t *group_id);

#endif
