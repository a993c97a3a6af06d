/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: policy_rank.h - the rankings of uplinks, in one place
 *
 * Pure functions over struct policy_cand (policy.h): the default route
 * (policy_choose, policy.c), the uplink a steered prefix uses, and the order of
 * a tunnel's (uplink, remote) paths. They honour the same things the same
 * way: an uplink that is down or not routable is never used; up beats
 * degraded; the operator's `prefer` wins among usable uplinks; then the
 * uplink carrying the default route, then the lower priority number, then
 * configuration order. Avoided uplinks (a BGP steer) and held-down paths are
 * skipped. Unit-tested without the daemon (test/unit/policy_rank_test.c).
 */
#ifndef UPLINKD_POLICY_RANK_H
#define UPLINKD_POLICY_RANK_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* The uplink a steered prefix should use: index into c, or -1 when none is usable.
 * avoided[i] (may be NULL): c[i]'s view of the prefix is anomalous. */
int policy_rank_prefix(const struct policy_cand *c, size_t n, const bool *avoided);

/* One way a tunnel can go: through uplink c[cand] to its remote number `remote`. */
struct policy_path {
	size_t cand;
	int remote;
	bool held_down; /* failed lately: not used until its hold-down ends */
	bool avoided;	/* its uplink is steered away from (BGP) */
};

/* The usable paths best first: writes their indexes into order (room for np) and
 * returns how many there are (0: none usable). Ties keep the paths' order. */
size_t policy_rank_paths(const struct policy_cand *c, size_t n, const struct policy_path *p,
			 size_t np, size_t *order);

#endif
