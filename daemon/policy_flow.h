/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: policy_flow.h - balance mode and per-flow rules: the policy's part
 *
 * Part of the one decider: on each policy run, policy_flow_run() gathers the
 * uplinks, asks the pure functions of balance.c for the shares of new
 * connections and each rule's uplink, turns that into the whole `inet uplinkd`
 * table (struct nft_spec) and hands it to nft.c when it differs from what is
 * installed. The table exists in balance mode and whenever rules are
 * configured; otherwise it is removed. A refused table leaves the old one and
 * is reported on the bus. SLA rules are re-judged every few seconds.
 */
#ifndef UPLINKD_POLICY_FLOW_H
#define UPLINKD_POLICY_FLOW_H

#include <stdbool.h>
#include <stddef.h>

struct daemon;
struct json_object;

/* rerun: asks for a policy run (policy_schedule), for SLA rules and retries. */
int policy_flow_init(struct daemon *d, void (*rerun)(struct daemon *d));
void policy_flow_destroy(struct daemon *d);
/* Decide and reconcile the table (called at the end of every policy run). */
void policy_flow_run(struct daemon *d);
/* The shares of new connections the last run decided, by uplink position (n at most);
 * true when new connections are spread by them (balance mode). */
bool policy_flow_shares(const struct daemon *d, unsigned *share, size_t n);
/* Add share_pct and connections to each of st's uplinks[], and rules[] (status.c). */
void policy_flow_status(struct daemon *d, struct json_object *st);

#endif
