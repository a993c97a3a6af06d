// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec_health.c - ESP stall detection and the tunnel state machine
 *
 * Pure (see ipsec_health.h); called by ipsec.c, tested by
 * test/unit/ipsec_health_test.c on a fake clock.
 */
#include "ipsec_health.h"

#include <stdio.h>
#include <string.h>

#define NS 1000000000ULL

void tunnel_health_init(struct tunnel_health *th, int esp_stall_s, int down_after, int up_after,
			bool probing, uint64_t now)
{
	memset(th, 0, sizeof(*th));
	th->esp_stall_s = esp_stall_s;
	th->down_after = down_after;
	th->up_after = up_after;
	th->probing = probing;
	tunnel_health_restart(th, "starting", now);
}

void tunnel_health_restart(struct tunnel_health *th, const char *reason, uint64_t now)
{
	th->state = VIEW_DOWN;
	snprintf(th->reason, sizeof(th->reason), "%s", reason);
	th->since_ns = now;
	th->base_valid = false;
	th->stalled = false;
	th->sa_bad = th->good = th->probe_lost = 0;
	th->last_probe_ok = !th->probing;
	th->sa_reason[0] = '\0';
}

void tunnel_health_rebase(struct tunnel_health *th)
{
	th->base_valid = false;
	th->stalled = false;
}

static bool set_state(struct tunnel_health *th, enum view_state st, const char *reason,
		      uint64_t now)
{
	bool changed = th->state != st;

	snprintf(th->reason, sizeof(th->reason), "%s", reason);
	if (changed) {
		th->state = st;
		th->since_ns = now;
	}
	return changed;
}

static void judge_stall(struct tunnel_health *th, const struct ipsec_sa *sa, const char *via,
			uint64_t now)
{
	uint64_t out_delta, quiet_s;

	if (!th->base_valid || sa->child_uid != th->base_uid || sa->spi_in != th->base_spi ||
	    sa->packets_in < th->last_in || sa->packets_out < th->last_out) {
		th->base_valid = true;
		th->base_uid = sa->child_uid;
		th->base_spi = sa->spi_in;
		th->last_in = sa->packets_in;
		th->last_out = sa->packets_out;
		th->out_at_in = sa->packets_out;
		th->in_change_ns = now;
		th->stalled = false;
		return;
	}
	if (sa->packets_in > th->last_in) {
		th->out_at_in = sa->packets_out;
		th->in_change_ns = now;
	}
	th->last_in = sa->packets_in;
	th->last_out = sa->packets_out;
	out_delta = sa->packets_out - th->out_at_in;
	quiet_s = (now - th->in_change_ns) / NS;
	if (sa->use_in >= 0 && (uint64_t)sa->use_in < quiet_s)
		quiet_s = (uint64_t)sa->use_in;
	th->stalled = out_delta >= 2 && quiet_s >= (uint64_t)th->esp_stall_s &&
		      sa->use_out >= 0 && sa->use_out < th->esp_stall_s;
	if (th->stalled)
		snprintf(th->stall_reason, sizeof(th->stall_reason),
			 "ESP stalled on %s: %llu packets out, 0 in for %llu s", via,
			 (unsigned long long)out_delta, (unsigned long long)quiet_s);
}

static bool evaluate(struct tunnel_health *th, uint64_t now)
{
	if (th->stalled)
		return set_state(th, VIEW_DOWN, th->stall_reason, now);
	if (th->sa_bad > 0) {
		if (th->sa_bad >= th->down_after || th->state == VIEW_DOWN)
			return set_state(th, VIEW_DOWN, th->sa_reason, now);
		return false;
	}
	if (th->probing && th->probe_lost >= th->down_after) {
		char r[200];

		snprintf(r, sizeof(r), "%d in-tunnel probes lost in a row", th->probe_lost);
		if (th->state == VIEW_DOWN)
			return set_state(th, VIEW_DOWN, r, now);
		return set_state(th, VIEW_DEGRADED, r, now);
	}
	if (th->state != VIEW_UP && th->good >= th->up_after)
		return set_state(th, VIEW_UP, "IKE_SA established, CHILD_SA installed, traffic flows",
				 now);
	return false;
}

bool tunnel_health_poll(struct tunnel_health *th, const struct ipsec_sa *sa, const char *via,
			uint64_t now)
{
	if (!sa) {
		snprintf(th->sa_reason, sizeof(th->sa_reason), "no IKE_SA via %s", via);
	} else if (strcmp(sa->ike_state, "ESTABLISHED") != 0) {
		snprintf(th->sa_reason, sizeof(th->sa_reason), "IKE_SA %s via %s", sa->ike_state,
			 via);
	} else if (!sa->child_installed) {
		snprintf(th->sa_reason, sizeof(th->sa_reason), "CHILD_SA not installed via %s",
			 via);
	} else {
		th->sa_reason[0] = '\0';
	}
	if (th->sa_reason[0]) {
		th->sa_bad++;
		th->good = 0;
		th->stalled = false;
		th->base_valid = false;
	} else {
		th->sa_bad = 0;
		judge_stall(th, sa, via, now);
		if (th->stalled || !th->last_probe_ok)
			th->good = 0;
		else
			th->good++;
	}
	return evaluate(th, now);
}

bool tunnel_health_probe(struct tunnel_health *th, bool answered, const char *what, uint64_t now)
{
	(void)what;
	th->last_probe_ok = answered;
	if (answered)
		th->probe_lost = 0;
	else {
		th->probe_lost++;
		th->good = 0;
	}
	return evaluate(th, now);
}
