/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: health.h - per-uplink health: probe windows, rounds, state machine
 *
 * Pure: no I/O, no clock reads; every function takes `now` (CLOCK_MONOTONIC ns),
 * so tests drive it on a fake clock. probe.c feeds it; uplink.c reads it.
 *
 * Measurement (dpinger's model): each target keeps its last `window` probes.
 * A probe is lost once older than timeout_ms; a reply that arrives later still
 * un-loses it for the loss/RTT statistics ("re-judged"), though the round it
 * belonged to has already been judged.
 *
 * Rounds: round n is probe number n sent to every target of the uplink (all of
 * an uplink's probes share one interval). Round n passes as soon as min_targets
 * targets answered their probe n, and fails as soon as that has become
 * impossible (answers + still-pending < min_targets). Rounds are judged in order.
 *
 * State machine (states up / degraded / down):
 * - down_after consecutive failed rounds: -> down ("0/2 targets answered for 3
 *   rounds; last reply 0.6 s before (RTT 4.1 ms)"). Carrier loss: -> down at once ("wan1 lost carrier").
 * - degraded when, over the window (all targets of the uplink pooled), loss_pct >=
 *   degraded_loss_pct, or median RTT >= degraded_rtt_ms, or jitter >=
 *   degraded_jitter_ms, or the link is slower than min_speed_mbps, half duplex
 *   after full, or its error rate exceeds degraded_errors_per_min. Probe metrics
 *   must be over threshold for down_after consecutive judged rounds (one lost
 *   probe is noise) and need at least `window/2` resolved probes.
 * - Every move to a worse state records now as last_bad_ns; any failed round or
 *   degraded-metric round while not up refreshes it too.
 * - Moving to a better state (down->up, down->degraded, degraded->up) needs
 *   up_after consecutive good rounds AND hold_down_s since last_bad_ns. The
 *   initial verdict after health_init() is exempt from the hold-down.
 * - Degraded is left when every degraded metric is back under 80% of its
 *   threshold (hysteresis), subject to the same up_after + hold-down rule.
 *
 * Initial state: health_init() starts in HEALTH_UP with `settled = false` and
 * reason "starting"; settled becomes true after max(up_after, down_after) judged
 * rounds or on the first state change. Policy does not move traffic onto or off an
 * unsettled uplink unless it goes down (no switch after kill -9 and restart).
 */
#ifndef UPLINKD_HEALTH_H
#define UPLINKD_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum health_state {
	HEALTH_DOWN,
	HEALTH_DEGRADED,
	HEALTH_UP,
	HEALTH_STATE_MAX,
};

extern const char *const health_state_names[HEALTH_STATE_MAX]; /* "down", "degraded", "up" */

struct health_params {
	int interval_ms;
	int timeout_ms;
	int down_after;
	int up_after;
	int min_targets;
	int hold_down_s;
	int window;
	int degraded_loss_pct;
	int degraded_rtt_ms;
	int degraded_jitter_ms;
	int min_speed_mbps;
	int degraded_errors_per_min;
};

enum probe_result {
	PROBE_NONE,	/* slot unused */
	PROBE_PENDING,
	PROBE_ANSWERED,
	PROBE_LOST,
	PROBE_LATE,	/* lost for its round, answered after the timeout */
};

struct probe_rec {
	uint32_t seq;
	uint8_t result; /* enum probe_result */
	uint64_t sent_ns;
	uint32_t rtt_us;
};

struct health_target {
	char name[64];		/* for reasons and status */
	struct probe_rec *ring; /* window slots, indexed seq % window */
	uint32_t next_seq;	/* next seq to send; seq 0 is the first */
	double jitter_us;	/* RFC 3550 estimator over successive RTTs */
	uint32_t last_rtt_us;
	bool have_last_rtt;
	uint64_t sent, answered; /* lifetime counters */
};

/* What the link layer (link.c) last saw for the uplink's interface. */
struct link_quality {
	bool known;		/* ethtool answered */
	uint32_t speed_mbps;	/* 0: unknown */
	int duplex;		/* 0 half, 1 full, -1 unknown */
	uint64_t errors;	/* rx_errors + tx_errors, cumulative */
	uint64_t drops;		/* rx_dropped + tx_dropped, cumulative */
};

struct health_metrics {
	double rtt_ms;	  /* median over the pooled window; -1: no answers */
	double rtt_p95_ms;
	double loss_pct;  /* lost / resolved over the pooled window */
	double jitter_ms; /* mean of the targets' RFC 3550 estimates */
	int answered_last_round;
	int targets;
};

struct health {
	struct health_params p;
	size_t ntargets;
	struct health_target *t;

	enum health_state state;
	uint64_t since_ns;
	bool settled;
	char reason[256];

	uint32_t next_round;	/* oldest round not judged yet */
	int bad_rounds, good_rounds, judged_rounds;
	int degraded_rounds;	/* consecutive rounds with a probe metric over threshold */
	uint64_t last_bad_ns;
	uint64_t changes;	/* number of state changes */

	bool carrier;		/* starts true; link.c sets it */
	struct link_quality lq, lq_first;
	uint64_t err_hist[12];	/* error counter samples, one per 5 s, for the rate */
	uint64_t err_hist_ns[12];
	size_t err_hist_n;
	char link_reason[128];	/* set while the link itself is degraded */

	/* added by health.c's room */
	char ifname[16];	/* for link reasons (health_set_ifname); "": "link" */
	bool hold_exempt;	/* the initial verdict skips the hold-down */
	uint64_t loss_since_ns;	/* loss for "degraded" counts probes sent after the last outage */
};

/* Allocates the windows; names[i] label the targets. Returns 0 or -ENOMEM. */
int health_init(struct health *h, const struct health_params *p, size_t ntargets,
		const char *const *names, uint64_t now);
void health_destroy(struct health *h);
/* Name the interface in link reasons ("wan1 lost carrier"); call after health_init(). */
void health_set_ifname(struct health *h, const char *ifname);

/* The bool functions below also return true when `settled` became true, so
 * that policy runs again (u->health_changed copes with old == new). */
/* A probe to target idx is being sent now; returns its seq (the round). */
uint32_t health_sent(struct health *h, size_t idx, uint64_t now);
/* Reply for (idx, seq) at now. Returns true if the state changed. */
bool health_answered(struct health *h, size_t idx, uint32_t seq, uint64_t now);
/* The send itself failed (ENETUNREACH, ENETDOWN...): lost at once. */
bool health_send_failed(struct health *h, size_t idx, uint32_t seq, uint64_t now);
/* Time out pending probes older than timeout_ms; judge rounds. True if state changed. */
bool health_expire(struct health *h, uint64_t now);
/* Earliest time a pending probe times out; 0 if none pending. */
uint64_t health_next_expiry(const struct health *h);

bool health_set_carrier(struct health *h, bool up, uint64_t now);
/* New link quality sample (speed/duplex on change, counters periodically). */
bool health_set_link(struct health *h, const struct link_quality *lq, uint64_t now);

void health_metrics(const struct health *h, struct health_metrics *m);

/* One target's numbers, for the status and /metrics. */
struct health_target_metrics {
	uint64_t sent, answered; /* lifetime, as in struct health_target */
	double rtt_ms;		 /* median over its window; -1: no answer in it */
	double last_rtt_ms;	 /* -1: never answered */
	double loss_pct;	 /* over its window; -1: nothing resolved yet */
	double jitter_ms;	 /* RFC 3550; -1: fewer than two answers */
};
void health_target_metrics(const struct health *h, size_t idx,
			   struct health_target_metrics *m);

/* Pure statistics helpers (exported for unit tests). */
double health_median(const uint32_t *v, size_t n); /* sorts v in place */
double health_p95(const uint32_t *v, size_t n);	   /* sorts v in place */
double health_jitter_update(double j, uint32_t prev_rtt_us, uint32_t rtt_us);

#endif
