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

#endif
