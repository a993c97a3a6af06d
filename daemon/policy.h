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
 * Each run states the whole desired state (struct policy_desired): the IPv4 and
 * IPv6 default routes, the route of every steered prefix, the balance shares and
 * marks; the actuators (route_set_default, route_prefix_sync, nft) write only
 * what differs from what they installed. Publishes BUS_ACTIVE with the reason,
 * then the actuators' actions follow, then the listeners (tunnel steering) are
 * told the run is done, so every subscriber sees switch, action, move in order.
 */
#ifndef UPLINKD_POLICY_H
#define UPLINKD_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "policy_rank.h"

struct daemon;
struct uplink;
struct route_prefix_want;

#define POLICY_MAX_BALANCE 8 /* struct route holds 8 next hops */
#define POLICY_MAX_UPLINKS 16

/* The whole desired state, as the last run computed it. */
struct policy_desired {
	uint64_t run;				  /* runs so far */
	bool keep[2];				  /* [0] IPv4, [1] IPv6: no choice (waiting,
						     all down): the kernel's route stays */
	char def[2][POLICY_MAX_BALANCE][32];	  /* the default route's uplinks; 0 and not
						     keep: none of ours (IPv6 taken away) */
	size_t ndef[2];
	const struct route_prefix_want *prefix;	  /* steered prefixes (policy_prefix.c) */
	size_t nprefix;
	bool balancing;				  /* new connections spread by share */
	unsigned share[POLICY_MAX_UPLINKS];	  /* percent, by uplink position */
	uint32_t mark[POLICY_MAX_UPLINKS];	  /* the fwmark each uplink's share gets */
	size_t nuplinks;
};
/* NULL before the first run. */
const struct policy_desired *policy_desired_get(const struct daemon *d);

/* u as the policy sees it for family: state, routability, priority, prefer, disabled;
 * the one way a candidate is built (the IPsec monitor ranks its paths with it). */
void policy_cand_fill(const struct daemon *d, const struct uplink *u, int family,
		      struct policy_cand *c);

/* Told after every policy run, once the switch and the actuators' actions are on the
 * bus: a module that acts on the uplinks' states (tunnel steering) re-decides from here
 * (through a deferred event), so what it does is seen after the switch. */
struct policy_listener {
	struct list_head node;
	void (*ran)(struct policy_listener *l);
};
void policy_listen(struct daemon *d, struct policy_listener *l);
void policy_unlisten(struct policy_listener *l);

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

/* Pure choice, for unit tests and policy_run (struct policy_cand: policy_rank.h). */
/* Returns the index chosen, -1 when nothing is usable, or POLICY_WAIT when nothing
 * carries traffic and the usable uplinks are not measured yet (keep what is there in
 * both cases: traffic never moves to an uplink before its first verdict); writes why
 * into reason. */
#define POLICY_WAIT (-2)
int policy_choose(const struct policy_cand *c, size_t n, char *reason, size_t len);

#endif
