// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: policy_rank.c - the rankings of uplinks for prefixes and tunnel paths
 *
 * Pure (no daemon state, no clock): the prefix route's uplink and a tunnel's
 * path order, with the same rules as the default route's choice in policy.c.
 * Called by policy_prefix.c and view.c (a tunnel's paths, for the IPsec monitor).
 */
#include "policy_rank.h"

#include <stdio.h>
#include <string.h>

static int state_rank(enum health_state s)
{
	return s == HEALTH_UP ? 2 : s == HEALTH_DEGRADED ? 1 : 0;
}

static bool usable(const struct policy_cand *c)
{
	return c->state != HEALTH_DOWN && c->routable && !c->disabled;
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

/* "isp2" or "isp2 and isp3": the uplinks whose view is avoided (held: or held down). */
static void views_text(const struct policy_cand *c, size_t n, const struct policy_prefix_view *v,
		       bool held, char *buf, size_t len)
{
	size_t i, k = 0, used;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!(held ? v[i].held_down && !v[i].avoided : v[i].avoided))
			continue;
		used = strlen(buf);
		snprintf(buf + used, len - used, "%s%s", k++ ? " and " : "", c[i].name);
	}
}

int policy_rank_prefix(const struct policy_cand *c, size_t n, const struct policy_prefix_view *v,
		       char *reason, size_t len)
{
	char bad[160], held[160], tail[200] = "";
	bool any = false;
	int best = -1;
	size_t i;

	for (i = 0; i < n; i++)
		any |= v[i].avoided || v[i].held_down;
	if (!any) {
		snprintf(reason, len, "no carrier's view is avoided any more; the default route "
			 "applies");
		return POLICY_PREFIX_FOLLOW;
	}
	for (i = 0; i < n; i++) {
		if (!usable(&c[i]) || v[i].avoided || v[i].held_down)
			continue;
		if (best < 0 || cand_cmp(&c[i], &c[best]) < 0)
			best = (int)i;
	}
	views_text(c, n, v, false, bad, sizeof(bad));
	views_text(c, n, v, true, held, sizeof(held));
	if (held[0])
		snprintf(tail, sizeof(tail), "%s%s held down after its anomaly ended", bad[0] ?
			 "; " : "", held);
	if (best < 0) {
		snprintf(reason, len, "no usable uplink is left outside the avoided views (%s%s%s); "
			 "the default route applies", bad[0] ? "anomalous: " : "", bad, tail);
		return POLICY_PREFIX_NONE;
	}
	snprintf(reason, len, "routed through %s (%s, priority %d), away from %s%s%s", c[best].name,
		 health_state_names[c[best].state], c[best].priority,
		 bad[0] ? "the anomalous view of " : "", bad, tail);
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
