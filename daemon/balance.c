// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: balance.c - balance choices as pure policy functions (see balance.h)
 *
 * Owns nothing at run time: every function takes the uplinks as policy sees
 * them and returns a plan with a reason. Calls nothing but libc; called by
 * policy_flow.c and the unit tests.
 */
#include "balance.h"

#include <stdio.h>
#include <string.h>

static int eff_weight(const struct balance_cand *c)
{
	if (!c->usable || c->state == HEALTH_DOWN)
		return 0;
	return c->state == HEALTH_UP ? 2 * c->weight : c->weight;
}

int balance_shares(const struct balance_cand *c, size_t n, const bool *subset, unsigned *share,
		   char *reason, size_t len)
{
	unsigned rem[BALANCE_MAX] = { 0 };
	int w[BALANCE_MAX] = { 0 };
	int total = 0, given = 0, k = 0;
	bool degraded = false;
	size_t i, used;

	if (n > BALANCE_MAX)
		n = BALANCE_MAX;
	for (i = 0; i < n; i++) {
		share[i] = 0;
		if (subset && !subset[i])
			continue;
		w[i] = eff_weight(&c[i]);
		total += w[i];
		degraded |= w[i] && c[i].state == HEALTH_DEGRADED;
	}
	if (!total) {
		snprintf(reason, len, "no usable uplink; new connections follow the main default route");
		return 0;
	}
	/* largest remainder: the percentages sum to exactly 100 */
	for (i = 0; i < n; i++) {
		share[i] = (unsigned)(w[i] * 100 / total);
		rem[i] = (unsigned)(w[i] * 100 % total);
		given += (int)share[i];
	}
	while (given < 100) {
		size_t best = n;

		for (i = 0; i < n; i++)
			if (w[i] && (best == n || rem[i] > rem[best]))
				best = i;
		share[best]++;
		rem[best] = 0;
		given++;
	}
	reason[0] = '\0';
	for (i = 0; i < n; i++) {
		if (!share[i])
			continue;
		used = strlen(reason);
		snprintf(reason + used, len - used, "%s%s %u%%", k++ ? ", " : "", c[i].name, share[i]);
	}
	used = strlen(reason);
	snprintf(reason + used, len - used, " by weight%s", degraded ? "; degraded uplinks count half" : "");
	return k;
}

static double metric(const struct balance_cand *c, int action)
{
	switch (action) {
	case RULE_LOWEST_RTT:
		return c->rtt_ms;
	case RULE_LOWEST_JITTER:
		return c->jitter_ms;
	default:
		return c->loss_pct;
	}
}

static const char *metric_name(int action)
{
	return action == RULE_LOWEST_RTT ? "RTT" : action == RULE_LOWEST_JITTER ? "jitter" : "loss";
}

static const char *metric_unit(int action)
{
	return action == RULE_LOWEST_LOSS ? "%" : " ms";
}

/* Better than cur by the hysteresis margin? Unmeasured counts as worst. */
static bool clearly_better(double cand, double cur, int action)
{
	double margin;

	if (cand < 0)
		return false;
	if (cur < 0)
		return true;
	switch (action) {
	case RULE_LOWEST_RTT:
		margin = cur * BALANCE_RTT_REL;
		if (margin < BALANCE_RTT_ABS_MS)
			margin = BALANCE_RTT_ABS_MS;
		break;
	case RULE_LOWEST_JITTER:
		margin = cur * BALANCE_JITTER_REL;
		if (margin < BALANCE_JITTER_ABS_MS)
			margin = BALANCE_JITTER_ABS_MS;
		break;
	default:
		margin = BALANCE_LOSS_ABS_PCT;
		break;
	}
	return cand < cur - margin;
}

static bool lower(double a, double b)
{
	if (a < 0)
		return false;
	return b < 0 || a < b;
}

/* Indices of the rule's uplinks in c, in the rule's order; -1 for unknown names. */
static size_t rule_members(const struct cfg_rule *r, const struct balance_cand *c, size_t n,
			   int *idx)
{
	size_t k, i, m = 0;

	for (k = 0; k < r->uplinks.n && m < BALANCE_MAX; k++) {
		idx[m] = -1;
		for (i = 0; i < n; i++)
			if (c[i].name && !strcmp(c[i].name, r->uplinks.v[k]))
				idx[m] = (int)i;
		m++;
	}
	return m;
}

static void no_choice(const struct cfg_rule *r, struct balance_choice *out)
{
	size_t k, used;

	snprintf(out->reason, sizeof(out->reason), "none of ");
	for (k = 0; k < r->uplinks.n; k++) {
		used = strlen(out->reason);
		snprintf(out->reason + used, sizeof(out->reason) - used, "%s%s", k ? ", " : "",
			 r->uplinks.v[k]);
	}
	used = strlen(out->reason);
	snprintf(out->reason + used, sizeof(out->reason) - used,
		 " is usable; its connections are spread like the rest");
}

int balance_rule_choose(const struct cfg_rule *r, const struct balance_cand *c, size_t n, int prev,
			struct balance_choice *out)
{
	int idx[BALANCE_MAX], best = -1;
	enum health_state tier;
	size_t m, k;

	memset(out, 0, sizeof(*out));
	out->uplink = -1;
	if (n > BALANCE_MAX)
		n = BALANCE_MAX;
	m = rule_members(r, c, n, idx);

	if (r->action == RULE_BALANCE) {
		bool subset[BALANCE_MAX] = { false };
		char why[160];

		for (k = 0; k < m; k++)
			if (idx[k] >= 0)
				subset[idx[k]] = true;
		if (!balance_shares(c, n, subset, out->share, why, sizeof(why))) {
			no_choice(r, out);
			return -1;
		}
		out->spread = true;
		snprintf(out->reason, sizeof(out->reason), "balance: %s", why);
		return -1;
	}

	/* the up members first; degraded ones only when no member is up */
	for (tier = HEALTH_UP; tier >= HEALTH_DEGRADED && best < 0; tier--) {
		for (k = 0; k < m; k++) {
			int i = idx[k];

			if (i < 0 || !c[i].usable || c[i].state != tier)
				continue;
			if (r->action == RULE_FAILOVER) {
				best = i;
				break;
			}
			if (best < 0 || lower(metric(&c[i], r->action), metric(&c[best], r->action)))
				best = i;
		}
		if (best >= 0)
			break;
	}
	if (best < 0) {
		no_choice(r, out);
		return -1;
	}
	if (r->action == RULE_FAILOVER) {
		if (idx[0] == best)
			snprintf(out->reason, sizeof(out->reason), "%s first in the list, %s", c[best].name,
				 health_state_names[c[best].state]);
		else
			snprintf(out->reason, sizeof(out->reason), "%s %s; falling back to %s (%s)",
				 idx[0] >= 0 ? c[idx[0]].name : r->uplinks.v[0],
				 idx[0] >= 0 && c[idx[0]].usable ? health_state_names[c[idx[0]].state]
								 : "not usable",
				 c[best].name, health_state_names[c[best].state]);
		out->uplink = best;
		return best;
	}
	/* SLA: keep the previous choice unless the best is clearly better */
	if (prev >= 0 && (size_t)prev < n && prev != best && c[prev].usable &&
	    c[prev].state == c[best].state) {
		bool member = false;

		for (k = 0; k < m; k++)
			member |= idx[k] == prev;
		if (member && !clearly_better(metric(&c[best], r->action),
					      metric(&c[prev], r->action), r->action)) {
			snprintf(out->reason, sizeof(out->reason),
				 "keeping %s: %s %.1f%s; %s %.1f%s is not better by the margin",
				 c[prev].name, metric_name(r->action), metric(&c[prev], r->action),
				 metric_unit(r->action), c[best].name, metric(&c[best], r->action),
				 metric_unit(r->action));
			out->uplink = prev;
			return prev;
		}
	}
	if (metric(&c[best], r->action) < 0)
		snprintf(out->reason, sizeof(out->reason), "%s (%s); no %s measured yet", c[best].name,
			 health_state_names[c[best].state], metric_name(r->action));
	else
		snprintf(out->reason, sizeof(out->reason), "%s has the lowest %s (%.1f%s)%s",
			 c[best].name, metric_name(r->action), metric(&c[best], r->action),
			 metric_unit(r->action),
			 c[best].state == HEALTH_DEGRADED ? " among degraded uplinks" : "");
	out->uplink = best;
	return best;
}
