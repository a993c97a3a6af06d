/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: policy_rank.h - the rankings of uplinks, in one place
 *
 * Pure functions over struct policy_cand: the default route (policy_choose,
 * policy.c), the uplink a steered prefix uses, and the order of a tunnel's
 * (uplink, remote) paths. They honour the same things the same way: an uplink
 * that is down, not routable or disabled by the operator is never used; up
 * beats degraded; the operator's `prefer` wins among usable uplinks; then the
 * uplink carrying the default route, then the lower priority number, then
 * configuration order. Avoided uplinks (a BGP steer) and held-down ones (a
 * steer that ended less than a hold-down ago, a path that failed lately) are
 * skipped. Unit-tested without the daemon (test/unit/policy_rank_test.c).
 */
#ifndef UPLINKD_POLICY_RANK_H
#define UPLINKD_POLICY_RANK_H

#include <stdbool.h>
#include <stddef.h>

#include "health.h"

/* An uplink as the policy sees it in one run. */
struct policy_cand {
	const char *name;
	enum health_state state;
	bool settled;
	bool routable; /* link present with carrier and a next hop */
	int priority;
	bool current;	/* carries the default route now */
	bool preferred; /* operator's prefer */
	bool disabled;	/* taken out of service by the operator (policy_admin) */
};

/* How one uplink's view of a steered prefix stands. */
struct policy_prefix_view {
	bool avoided;	/* anomalous now (a BGP steer) */
	bool held_down;	/* was until lately: skipped until its hold-down ends */
};

#define POLICY_PREFIX_FOLLOW (-1) /* no view avoided: no route of ours, P follows the default */
#define POLICY_PREFIX_NONE (-2)	  /* every usable uplink avoided: no route of ours either */

/* The uplink a steered prefix should be routed through: an index into c, or
 * POLICY_PREFIX_FOLLOW / POLICY_PREFIX_NONE. v (n entries) says which views are
 * avoided or held down. Writes why into reason (for the route's event). */
int policy_rank_prefix(const struct policy_cand *c, size_t n, const struct policy_prefix_view *v,
		       char *reason, size_t len);

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
