// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: policy_rank.c - the rankings of uplinks for prefixes and tunnel paths
 *
 * Pure (no daemon state, no clock): the prefix route's uplink and a tunnel's
 * path order, with the same rules as the default route's choice in policy.c.
 * Called by route_prefix.c and the IPsec monitor.
 */
#include "policy_rank.h"

static int state_rank(enum health_state s)
{
	return s == HEALTH_UP ? 2 : s == HEALTH_DEGRADED ? 1 : 0;
}

static bool usable(const struct policy_cand *c)
{
	return c->state != HEALTH_DOWN && c->routable;
}

/* <0: a ranks before b; >0: after; 0: a tie (keep the given order). */
static int cand_cmp(const struct policy_cand *a, const struct policy_cand *b)
{
	if (state_rank(a->state) != state_rank(b->state))
		return state_rank(b->state) - state_rank(a->state);
	if (a->preferred != b->preferred)
		return a->preferred ? -1 : 1;
	if (a->current != b->current)
		return a->current ? -1 : 1;
	if (a->priority != b->priority)
		return a->priority < b->priority ? -1 : 1;
	return 0;
}

int policy_rank_prefix(const struct policy_cand *c, size_t n, const bool *avoided)
{
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!usable(&c[i]) || (avoided && avoided[i]))
			continue;
		if (best < 0 || cand_cmp(&c[i], &c[best]) < 0)
			best = (int)i;
	}
	return best;
}

size_t policy_rank_paths(const struct policy_cand *c, size_t n, const struct policy_path *p,
			 size_t np, size_t *order)
{
	size_t i, j, k = 0;

	for (i = 0; i < np; i++) {
		if (p[i].cand >= n || !usable(&c[p[i].cand]) || p[i].held_down || p[i].avoided)
			continue;
		/* insertion sort, stable: paths are few (uplinks x remotes) */
		for (j = k; j > 0 && cand_cmp(&c[p[i].cand], &c[p[order[j - 1]].cand]) < 0; j--)
			order[j] = order[j - 1];
		order[j] = i;
		k++;
	}
	return k;
}
