/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: link_ethtool.h - speed and duplex over ethtool generic netlink
 *
 * One request socket (LINKMODES_GET) and one on the "monitor" group for the
 * kernel's notifications. It knows interfaces by index only; link.c maps them
 * to uplinks. Embedded in link.c's struct linkmon.
 */
#ifndef UPLINKD_LINK_ETHTOOL_H
#define UPLINKD_LINK_ETHTOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nl.h"

struct loop;
struct link_ethtool;

/* The kernel says ifindex now runs at speed_mbps (0: unknown) and duplex
 * (1 full, 0 half, -1 unknown). */
typedef void (*link_ethtool_changed_fn)(struct link_ethtool *e, int ifindex,
					uint32_t speed_mbps, int duplex);
/* Notifications were lost (ENOBUFS): query every interface again. */
typedef void (*link_ethtool_lost_fn)(struct link_ethtool *e);

struct link_ethtool {
	struct nl_sock req;	/* LINKMODES_GET */
	struct nl_sock ev;	/* the "monitor" group */
	uint16_t family;	/* ethtool's generic netlink id */
	bool on;		/* ethtool netlink answered */
	link_ethtool_changed_fn changed;
	link_ethtool_lost_fn lost;
};

/* No sockets yet; link_ethtool_close() is safe from here on. */
void link_ethtool_init(struct link_ethtool *e, link_ethtool_changed_fn changed,
		       link_ethtool_lost_fn lost);
/* Resolve the family and follow its notifications on l; without ethtool netlink
 * (old kernel) it logs that speed stays unknown and queries answer -ENOTSUP. */
void link_ethtool_open(struct link_ethtool *e, struct loop *l);
void link_ethtool_close(struct link_ethtool *e);
/* Ask for ifindex's speed and duplex now: 0, or -errno with the kernel's text in
 * err (veth, dummy, tun and ppp have no link modes). speed 0: unknown. */
int link_ethtool_query(struct link_ethtool *e, int ifindex, uint32_t *speed_mbps, int *duplex,
		       char *err, size_t errlen);

#endif
