/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: policy.h - which uplink carries the default route, and why
 *
 * Runs as a deferred loop event after any health change, so ten samples in one
 * tick cause one run. Failover mode: the best uplink by state (up > degraded >
 * down), then priority (lower wins), then config order; the current one is kept
 * on a tie. A degraded uplink is used only when nothing better is up; when all
 * are down the current route is kept (never no default route). Unsettled
 * uplinks (just started) are not switched to or from unless they are down.
 * `prefer` pins an uplink while it is not down. Balance mode: every up uplink
 * (else every degraded one) in a multipath route, by weight.
 * Policy calls the actuators (route_set_default, ct_flush_uplink) and publishes
 * BUS_ACTIVE with the reason.
 */
#ifndef UPLINKD_POLICY_H
#define UPLINKD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "health.h"

struct daemon;

int policy_init(struct daemon *d);
void policy_destroy(struct daemon *d);

/* Run the policy after the current callback (deferred loop event). */
void policy_schedule(struct daemon *d);
/* Run it now (startup, tests). */
void policy_run(struct daemon *d);

/* Pin an uplink ("auto" to clear). Returns 0, or -ENOENT with a message. */
int policy_prefer(struct daemon *d, const char *name, const char *who, char *err,
		  size_t errlen);
const char *policy_prefer_get(const struct daemon *d); /* NULL: auto */

/* `uplinkctl disable|enable NAME` (and the page): take an uplink out of service
 * administratively, or back; journalled with who. Kept across reloads (by name).
 * 0, or -ENOENT with err naming the uplinks. */
int policy_admin(struct daemon *d, const char *name, bool disable, const char *who, char *err,
		 size_t errlen);
/* Is name disabled? Then *who and *since_ms (wall clock) say by whom and when. */
bool policy_disabled(const struct daemon *d, const char *name, const char **who,
		     uint64_t *since_ms);

/* For status: the last decision's reason, when, how many switches, swap time. */
const char *policy_reason(const struct daemon *d);
uint64_t policy_changed_ms(const struct daemon *d);
uint64_t policy_switches(const struct daemon *d);
uint64_t policy_last_swap_us(const struct daemon *d); /* decision to kernel ACK */

/* Pure choice, for unit tests and policy_run. */
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
/* Returns the index chosen, -1 when nothing is usable, or POLICY_WAIT when nothing
 * carries traffic and the usable uplinks are not measured yet (keep what is there in
 * both cases: traffic never moves to an uplink before its first verdict); writes why
 * into reason. */
#define POLICY_WAIT (-2)
int policy_choose(const struct policy_cand *c, size_t n, char *reason, size_t len);

#endif
