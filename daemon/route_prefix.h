/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: route_prefix.h - single-prefix routes steered around a bad BGP view
 *
 * Obeys BUS_STEER "prefix P" (from the BGP monitor, bgp.watch route = true):
 * while some carrier's view of P is anomalous, P is routed in the main table
 * through the best uplink whose view is clean; when none is avoided any more
 * the route goes and P follows the default route again.
 */
#ifndef UPLINKD_ROUTE_PREFIX_H
#define UPLINKD_ROUTE_PREFIX_H

struct daemon;

/* Subscribe to the bus and remove prefix routes a crashed run left behind. */
int route_prefix_init(struct daemon *d);
/* Remove every prefix route we installed. */
void route_prefix_destroy(struct daemon *d);

#endif
