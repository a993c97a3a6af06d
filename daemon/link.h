/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: link.h - the uplinks' interfaces as the kernel sees them
 *
 * Follows links (carrier, operstate, ifindex: PPPoE/LTE interfaces come and go),
 * addresses and the gateways the kernel learned (DHCP/RA/PPP default routes in
 * the main table that are not ours) over rtnetlink; speed and duplex over
 * ethtool generic netlink; error and drop counters by polling. Fills each
 * uplink's struct uplink_link and reports what changed (LINK_CHG_* bits)
 * through the callback it was given: a sensor, it calls no actuator.
 */
#ifndef UPLINKD_LINK_H
#define UPLINKD_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;
struct uplink;
struct link_quality;

/* What changed of u's interface (LINK_CHG_* of uplink.h). */
typedef void (*link_changed_fn)(struct uplink *u, unsigned int what);

/* Listens on the daemon's rtnetlink sockets (nl_init first); changes go to changed. */
int link_init(struct daemon *d, link_changed_fn changed);
void link_destroy(struct daemon *d);
/* An uplink was created (start or reload): fill its view from the kernel. */
void link_uplink_added(struct daemon *d, struct uplink *u);

/* Pure parsers (unit tests, fuzzing): ETHTOOL_MSG_LINKMODES_GET_REPLY /
 * _NTF payload -> speed and duplex; returns 0 or -EINVAL. */
/* What an RTM_NEWLINK/RTM_DELLINK message says about one interface. */
struct link_info {
	int ifindex;
	char name[16];		/* IFNAMSIZ */
	unsigned int flags;	/* IFF_* (IFF_UP, IFF_LOWER_UP, IFF_POINTOPOINT) */
	uint8_t operstate;	/* IF_OPER_*; IF_OPER_UNKNOWN when absent */
	bool has_stats;		/* IFLA_STATS64 was there */
	uint64_t errors;	/* rx_errors + tx_errors */
	uint64_t drops;		/* rx_dropped + tx_dropped */
};

/* Pure parser (unit tests, fuzzing): 0 or -EINVAL. */
int link_msg_parse(const void *nlmsg, size_t len, struct link_info *li);
/* The carrier rule: IFF_LOWER_UP and operstate neither down nor lower-layer-down. */
bool link_info_carrier(const struct link_info *li);

int link_ethtool_parse_linkmodes(const void *nlmsg, size_t len, int *ifindex,
				 uint32_t *speed_mbps, int *duplex);

#endif
