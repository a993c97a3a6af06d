/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: policy_prefix.h - steered prefixes: the policy's part
 *
 * Part of the one decider. The BGP monitor publishes BUS_STEER (BUS_STEER_PREFIX,
 * target "P/LEN") naming the uplink whose view of P is anomalous (new "avoid")
 * and again when that ends ("clear"). This module keeps, per prefix, which
 * uplinks' views are avoided and which are held down (for that uplink's
 * hold_down_s after its anomaly ended: a flapping announcement does not flap
 * the route), and asks for a policy run. On each run, policy_prefix_run()
 * decides every prefix's route with policy_rank_prefix() and hands the whole
 * list to the actuator (route_prefix_sync), which writes only what differs.
 */
#ifndef UPLINKD_POLICY_PREFIX_H
#define UPLINKD_POLICY_PREFIX_H

#include <stddef.h>

#include "policy_rank.h"
#include "route_prefix.h"

struct daemon;
struct uplink;

/* rerun: asks for a policy run (policy_schedule): after a steer, when a hold-down ends. */
int policy_prefix_init(struct daemon *d, void (*rerun)(struct daemon *d));
void policy_prefix_destroy(struct daemon *d);

/* The policy run's prefix half: c4/c6 are the n uplinks ups[] as this run sees them for
 * IPv4 and IPv6. Fills the desired prefix routes (*want, *nwant: valid until the next
 * run) and reconciles them (route_prefix_sync). */
void policy_prefix_run(struct daemon *d, struct uplink *const *ups, const struct policy_cand *c4,
		       const struct policy_cand *c6, size_t n,
		       const struct route_prefix_want **want, size_t *nwant);

#endif
