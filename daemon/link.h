/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: link.h - the uplinks' interfaces as the kernel sees them
 *
 * Follows links (carrier, operstate, ifindex: PPPoE/LTE interfaces come and go),
 * addresses and the gateways the kernel learned (DHCP/RA/PPP default routes in
 * the main table that are not ours) over rtnetlink; speed and duplex over
 * ethtool generic netlink; error and drop counters by polling. Fills each
 * uplink's struct uplink_link and calls uplink_link_changed().
 */
#ifndef UPLINKD_LINK_H
#define UPLINKD_LINK_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct uplink;
struct link_quality;

int link_init(struct daemon *d);
void link_destroy(struct daemon *d);
/* An uplink was created (start or reload): fill its view from the kernel. */
void link_uplink_added(struct daemon *d, struct uplink *u);

/* Pure parsers (unit tests, fuzzing): ETHTOOL_MSG_LINKMODES_GET_REPLY /
 * _NTF payload -> speed and duplex; returns 0 or -EINVAL. */
int link_ethtool_parse_linkmodes(const void *nlmsg, size_t len, int *ifindex,
				 uint32_t *speed_mbps, int *duplex);

#endif
