/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: balance.h - balance choices: shares of new connections and per-flow rules
 *
 * Pure policy functions (no daemon, no kernel): given the uplinks as policy sees
 * them, balance_shares() says which share of new connections each one takes,
 * and balance_rule_choose() which uplink (or spread) a per-flow rule uses now,
 * and why. Weights: an up uplink counts its weight twice, a degraded one once
 * (its share is halved against up ones), a down or unusable one not at all.
 * Rules: failover takes the first up uplink of its list, else the first
 * degraded one; balance spreads over its list by the same weights; lowest_rtt,
 * lowest_jitter and lowest_loss pick among the up uplinks of the list (else the
 * degraded ones) and keep their previous choice unless another is better by a
 * margin (hysteresis). A rule with nothing usable falls through to the shares.
 * Called by policy_flow.c; unit-tested in test/unit/balance_test.c.
 */
#ifndef UPLINKD_BALANCE_H
#define UPLINKD_BALANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "health.h"

#define BALANCE_MAX 16 /* uplinks */

/* Hysteresis of the SLA choices: switch only when better by max(abs, rel * current). */
#define BALANCE_RTT_ABS_MS 5.0
#define BALANCE_RTT_REL 0.2
#define BALANCE_JITTER_ABS_MS 2.0
#define BALANCE_JITTER_REL 0.25
#define BALANCE_LOSS_ABS_PCT 2.0

struct balance_cand {
	const char *name;
	enum health_state state;
	bool usable;	/* routable, and settled or already carrying traffic */
	int weight;	/* 1..256 */
	double rtt_ms, jitter_ms, loss_pct; /* < 0: not measured */
};

struct balance_choice {
	int uplink;		       /* >= 0: every new matching connection goes there */
	bool spread;		       /* action balance: by share[] */
	unsigned share[BALANCE_MAX];   /* percent per candidate, sums to 100 when spread */
	char reason[224];
};

/*
 * Percent of new connections per candidate (sums to 100), by weight over the
 * subset (NULL: all n). All zero when nothing is usable. Returns how many get a
 * share; reason says how the shares came about.
 */
int balance_shares(const struct balance_cand *c, size_t n, const bool *subset, unsigned *share,
		   char *reason, size_t len);

/*
 * The choice of rule r now. prev is the uplink it used before (-1: none), for
 * hysteresis. Returns out->uplink (-1 when spread or when nothing is usable).
 */
int balance_rule_choose(const struct cfg_rule *r, const struct balance_cand *c, size_t n, int prev,
			struct balance_choice *out);

#endif
