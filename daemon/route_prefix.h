/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: route_prefix.h - single-prefix routes steered around a bad BGP view: the actuator
 *
 * Takes the policy's desired list of steered prefixes (policy_prefix.c) and makes
 * the main table hold exactly that: a route of ours through the chosen uplink
 * for each prefix that has one, none for the others. It writes only what differs
 * from what it installed (a run where nothing changed writes nothing), replaces
 * in place (make-before-break), and puts back a route someone deleted.
 */
#ifndef UPLINKD_ROUTE_PREFIX_H
#define UPLINKD_ROUTE_PREFIX_H

#include <stddef.h>
#include <stdint.h>

#include "route.h"

struct daemon;

/* One steered prefix as the policy wants it. */
struct route_prefix_want {
	char name[64];	  /* "203.0.113.0/24" as the BGP monitor published it */
	char via[32];	  /* the uplink to route it through; "": no route of ours */
	char reason[320]; /* why, for the route's event */
};

/* Remove prefix routes a crashed run left behind; listen for our routes being deleted. */
int route_prefix_init(struct daemon *d);
/* Remove every prefix route we installed. */
void route_prefix_destroy(struct daemon *d);

/* Make the kernel hold exactly w[0..n) (prefixes not listed: no route of ours).
 * Publishes BUS_ACTION for every route installed, moved or removed, BUS_ERROR for
 * one the kernel refused. 0, or the first -errno. */
int route_prefix_sync(struct daemon *d, const struct route_prefix_want *w, size_t n);
/* Netlink writes so far (unit tests). */
uint64_t route_prefix_writes(const struct daemon *d);

#endif
