/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: ipsec_health.h - one tunnel's health on the path it uses (pure)
 *
 * Fed by ipsec.c with each list-sas poll (struct ipsec_sa, or none) and each
 * in-tunnel probe result; no I/O, no clock reads (every call takes `now`, ns).
 *
 * ESP stall: counters are per CHILD_SA instance, so the baseline is keyed on
 * (child uniqueid, SPI in) and restarts on a rekey or when a counter goes
 * backwards. The tunnel is "ESP stalled" when, since inbound packets last grew,
 * at least 2 packets went out, the last one less than esp_stall_s ago, and
 * nothing came in for esp_stall_s (charon's use-in, else our poll times).
 *
 * States: down when there is no ESTABLISHED IKE_SA with an INSTALLED CHILD_SA
 * for down_after polls, or at once when ESP stalls (the stall is already
 * qualified by time); degraded when down_after in-tunnel probes in a row were
 * lost while the SA is fine; up after up_after good polls (SA fine, not
 * stalled, last probe answered). Hold-down applies to paths, not here: a path
 * that failed is not used again for hold_down_s (ipsec.c).
 */
#ifndef UPLINKD_IPSEC_HEALTH_H
#define UPLINKD_IPSEC_HEALTH_H

#include <stdbool.h>
#include <stdint.h>

#include "view.h"
#include "ipsec_sa.h"

struct tunnel_health {
	int esp_stall_s, down_after, up_after;
	bool probing;			/* a probe is configured */

	enum view_state state;
	char reason[200];
	uint64_t since_ns;

	/* stall baseline */
	bool base_valid;
	uint64_t base_uid;
	uint32_t base_spi;
	uint64_t last_in, last_out;
	uint64_t out_at_in;		/* packets out when inbound last grew */
	uint64_t in_change_ns;
	bool stalled;
	char stall_reason[160];

	int sa_bad, good, probe_lost;
	bool last_probe_ok;
	char sa_reason[120];
};

void tunnel_health_init(struct tunnel_health *th, int esp_stall_s, int down_after, int up_after,
			bool probing, uint64_t now);
/* A fresh path: forget counters and streaks; state down, reason given. */
void tunnel_health_restart(struct tunnel_health *th, const char *reason, uint64_t now);
/* child-rekey / ike-rekey seen: the next poll starts a new baseline. */
void tunnel_health_rebase(struct tunnel_health *th);
/* One poll: sa NULL when the connection has no IKE_SA. `via` names the
 * uplink for reasons. True if the state changed. */
bool tunnel_health_poll(struct tunnel_health *th, const struct ipsec_sa *sa, const char *via,
			uint64_t now);
/* One in-tunnel probe judged (answered, or lost after its timeout). */
bool tunnel_health_probe(struct tunnel_health *th, bool answered, const char *what,
			 uint64_t now);

#endif
