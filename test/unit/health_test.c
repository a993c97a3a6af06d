// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Health: windows and dpinger-style loss with late replies, the statistics
 * helpers, round judgment, and the up/degraded/down state machine with its
 * hysteresis and hold-down, all on a fake clock (health.c reads no clock).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "health.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

struct fx {
	struct health h;
	uint64_t now;
	int ups, downs, degrades; /* transitions seen by step() */
};

static const struct health_params base_params = {
	.interval_ms = 500,
	.timeout_ms = 1000,
	.down_after = 3,
	.up_after = 5,
	.min_targets = 1,
	.hold_down_s = 10,
	.window = 50,
	.degraded_loss_pct = 10,
	.degraded_rtt_ms = 250,
	.degraded_jitter_ms = 0,
	.min_speed_mbps = 0,
	.degraded_errors_per_min = 0,
};

static const char *const names[] = { "192.0.2.1", "192.0.2.2", "192.0.2.3" };

static struct fx *fx_new(const struct health_params *p, size_t n)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->now = 1000 * SEC;
	assert_int_equal(health_init(&f->h, p, n, names, f->now), 0);
	health_set_ifname(&f->h, "wan1");
	return f;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	if (f) {
		health_destroy(&f->h);
		free(f);
	}
	return 0;
}

static void note(struct fx *f, enum health_state old)
{
	if (f->h.state == old)
		return;
	if (f->h.state == HEALTH_UP)
		f->ups++;
	else if (f->h.state == HEALTH_DOWN)
		f->downs++;
	else
		f->degrades++;
}

/* One interval: a probe to every target; those in `mask` answer after rtt_us. */
static bool step(struct fx *f, unsigned int mask, uint32_t rtt_us)
{
	enum health_state old = f->h.state;
	uint32_t seq[8];
	bool changed = false;
	size_t i;

	for (i = 0; i < f->h.ntargets; i++)
		seq[i] = health_sent(&f->h, i, f->now);
	for (i = 0; i < f->h.ntargets; i++)
		if (mask & (1u << i))
			changed |= health_answered(&f->h, i, seq[i], f->now + rtt_us * 1000ULL);
	f->now += (uint64_t)f->h.p.interval_ms * MS;
	changed |= health_expire(&f->h, f->now);
	note(f, old);
	return changed;
}

static void steps(struct fx *f, int n, unsigned int mask, uint32_t rtt_us)
{
	while (n-- > 0)
		step(f, mask, rtt_us);
}

/* ---- statistics helpers ---- */

static void test_helpers(void **state)
{
	uint32_t odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 }, hundred[100], twenty[20];
	double j = 0;
	int i;

	(void)state;
	assert_true(health_median(odd, 3) == 3);
	assert_true(health_median(even, 4) == 2.5);
	assert_true(health_median(odd, 0) == -1);
	assert_true(health_p95(odd, 0) == -1);
	for (i = 0; i < 100; i++)
		hundred[i] = (uint32_t)(100 - i);
	assert_true(health_p95(hundred, 100) == 95);
	for (i = 0; i < 20; i++)
		twenty[i] = (uint32_t)(i + 1);
	assert_true(health_p95(twenty, 20) == 19);
	assert_true(health_median(twenty, 1) == 1);

	/* RFC 3550: J += (|D| - J) / 16 */
	j = health_jitter_update(j, 10000, 26000);
	assert_true(j == 1000);
	j = health_jitter_update(j, 26000, 10000);
	assert_true(j == 1000 + (16000 - 1000) / 16.0);
	assert_true(health_jitter_update(160, 500, 500) == 150);
}

/* ---- windows and loss ---- */

static void test_window_loss_late(void **state)
{
	struct health_params p = base_params;
	struct health_metrics m;
	struct fx *f;
	uint32_t seq[10];
	int i;

	p.window = 10;
	f = fx_new(&p, 1);
	*state = f;
	for (i = 0; i < 10; i++) {
		seq[i] = health_sent(&f->h, 0, f->now);
		assert_int_equal(seq[i], i);
		if (i != 3 && i != 7)
			health_answered(&f->h, 0, seq[i], f->now + 20 * MS);
		f->now += 500 * MS;
	}
	/* probes 3 and 7 are pending, not lost, until health_expire() judges them */
	assert_int_equal(f->h.t[0].ring[3].result, PROBE_PENDING);
	assert_int_equal(f->h.t[0].ring[7].result, PROBE_PENDING);
	assert_int_equal(health_next_expiry(&f->h), f->h.t[0].ring[3].sent_ns + 1000 * MS);
	health_metrics(&f->h, &m);
	assert_true(m.loss_pct == 0); /* 8 resolved, all answered */
	assert_int_equal(f->h.next_round, 3); /* round 3 is still open */

	f->now += 1000 * MS;
	health_expire(&f->h, f->now);
	assert_int_equal(f->h.t[0].ring[3].result, PROBE_LOST);
	assert_int_equal(f->h.t[0].ring[7].result, PROBE_LOST);
	assert_int_equal(health_next_expiry(&f->h), 0);
	health_metrics(&f->h, &m);
	assert_true(m.loss_pct == 20);
	assert_true(m.rtt_ms == 20);

	/* a late reply un-loses probe 3 for the statistics, but its round stays failed */
	assert_false(health_answered(&f->h, 0, seq[3], f->now));
	assert_int_equal(f->h.t[0].ring[3].result, PROBE_LATE);
	health_metrics(&f->h, &m);
	assert_true(m.loss_pct == 10);
	assert_int_equal(f->h.bad_rounds, 0); /* round 7 failed, rounds 8 and 9 passed */
	assert_int_equal(f->h.judged_rounds, 10);
	/* a duplicate is ignored */
	assert_false(health_answered(&f->h, 0, seq[3], f->now));
	assert_int_equal(f->h.t[0].answered, 9);
	/* an answer past the timeout before health_expire() ran is late as well */
	seq[0] = health_sent(&f->h, 0, f->now);
	health_answered(&f->h, 0, seq[0], f->now + 1500 * MS);
	assert_int_equal(f->h.t[0].ring[seq[0] % 10].result, PROBE_LATE);
	assert_int_equal(f->h.bad_rounds, 1);
	/* a seq that fell out of the window is unknown */
	assert_false(health_answered(&f->h, 0, 0, f->now));
}

/* One target's numbers: its own window, not the pool. */
static void test_target_metrics(void **state)
{
	const char *const names[] = { "a", "b" };
	struct health_params p = base_params;
	struct health_target_metrics tm;
	struct fx *f;
	int i;

	p.window = 10;
	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	f->now = 1000 * SEC;
	assert_int_equal(health_init(&f->h, &p, 2, names, f->now), 0);
	health_target_metrics(&f->h, 0, &tm);
	assert_true(tm.sent == 0 && tm.answered == 0);
	assert_true(tm.rtt_ms < 0 && tm.last_rtt_ms < 0 && tm.loss_pct < 0 && tm.jitter_ms < 0);
	/* a answers every probe in 10 ms then 30 ms; b answers one in four in 50 ms */
	for (i = 0; i < 8; i++) {
		uint32_t sa = health_sent(&f->h, 0, f->now), sb = health_sent(&f->h, 1, f->now);

		health_answered(&f->h, 0, sa, f->now + (i < 4 ? 10 : 30) * MS);
		if (i % 4 == 0)
			health_answered(&f->h, 1, sb, f->now + 50 * MS);
		f->now += 500 * MS;
		health_expire(&f->h, f->now);
	}
	f->now += 5 * SEC; /* every probe resolved */
	health_expire(&f->h, f->now);
	health_target_metrics(&f->h, 0, &tm);
	assert_true(tm.sent == 8 && tm.answered == 8);
	assert_true(tm.rtt_ms == 20 && tm.last_rtt_ms == 30 && tm.loss_pct == 0);
	assert_true(tm.jitter_ms > 0);
	health_target_metrics(&f->h, 1, &tm);
	assert_true(tm.sent == 8 && tm.answered == 2);
	assert_true(tm.rtt_ms == 50 && tm.loss_pct == 75);
	health_target_metrics(&f->h, 2, &tm); /* out of range: nothing */
	assert_true(tm.sent == 0 && tm.rtt_ms < 0);
}

/* ---- rounds ---- */

static void test_rounds_min_targets(void **state)
{
	struct health_params p = base_params;
	struct fx *f;
	uint32_t s0, s1, s2;

	p.min_targets = 2;
	f = fx_new(&p, 3);
	*state = f;

	/* round 0: passes as soon as the second target answers */
	s0 = health_sent(&f->h, 0, f->now);
	s1 = health_sent(&f->h, 1, f->now);
	s2 = health_sent(&f->h, 2, f->now);
	assert_int_equal(s0, 0);
	health_answered(&f->h, 0, s0, f->now + MS);
	assert_int_equal(f->h.next_round, 0);
	health_answered(&f->h, 2, s2, f->now + 2 * MS);
	assert_int_equal(f->h.next_round, 1);
	assert_int_equal(f->h.bad_rounds, 0);
	health_answered(&f->h, 1, s1, f->now + 3 * MS); /* after the verdict: no change */
	assert_int_equal(f->h.next_round, 1);

	/* round 1: two sends fail, so 2 answers are impossible: failed at once */
	f->now += 500 * MS;
	s0 = health_sent(&f->h, 0, f->now);
	s1 = health_sent(&f->h, 1, f->now);
	health_send_failed(&f->h, 0, s0, f->now);
	assert_int_equal(f->h.next_round, 1); /* target 2 has not even sent yet */
	health_send_failed(&f->h, 1, s1, f->now);
	assert_int_equal(f->h.next_round, 2);
	assert_int_equal(f->h.bad_rounds, 1);

	/* rounds are judged in order: round 2 pending blocks a complete round 3 */
	s2 = health_sent(&f->h, 2, f->now); /* target 2's round 1, late to send */
	f->now += 500 * MS;
	s0 = health_sent(&f->h, 0, f->now);
	s1 = health_sent(&f->h, 1, f->now);
	f->now += 500 * MS;
	{
		uint32_t a = health_sent(&f->h, 0, f->now), b = health_sent(&f->h, 1, f->now);

		assert_int_equal(a, 3);
		health_answered(&f->h, 0, a, f->now + MS);
		health_answered(&f->h, 1, b, f->now + MS);
	}
	assert_int_equal(f->h.next_round, 2);
	health_answered(&f->h, 0, s0, f->now + 2 * MS);
	health_answered(&f->h, 1, s1, f->now + 2 * MS);
	assert_int_equal(f->h.next_round, 4);
	assert_int_equal(f->h.bad_rounds, 0);
	(void)s2;
}

/* ---- the state machine ---- */

static void test_down_after_exactly(void **state)
{
	struct fx *f = fx_new(&base_params, 2);
	int r;

	*state = f;
	steps(f, 10, 3, 4100);
	assert_int_equal(f->h.state, HEALTH_UP);
	assert_true(f->h.settled);
	/* from now on nobody answers; a round fails once both probes are 1 s old */
	for (r = 0; f->h.bad_rounds < 2; r++)
		step(f, 0, 0);
	assert_int_equal(f->h.state, HEALTH_UP);
	while (f->h.bad_rounds < 3)
		step(f, 0, 0);
	assert_int_equal(f->h.state, HEALTH_DOWN);
	assert_int_equal(f->downs, 1);
	assert_string_equal(f->h.reason, "0/2 targets answered for 3 rounds; last reply 2.5 s before (RTT 4.1 ms)");
	assert_int_equal(f->h.last_bad_ns, f->now);
	/* a down uplink shows no RTT (it used to keep the last one); the loss stays */
	{
		struct health_metrics m;

		health_metrics(&f->h, &m);
		assert_true(m.rtt_ms < 0 && m.rtt_p95_ms < 0 && m.jitter_ms < 0);
		assert_true(m.loss_pct > 0);
	}
}

static void test_carrier_immediate(void **state)
{
	struct fx *f = fx_new(&base_params, 2);

	*state = f;
	steps(f, 10, 3, 5000);
	assert_false(health_set_carrier(&f->h, true, f->now));
	assert_true(health_set_carrier(&f->h, false, f->now));
	assert_int_equal(f->h.state, HEALTH_DOWN);
	assert_string_equal(f->h.reason, "wan1 lost carrier");
	/* carrier back: still down until probe rounds say otherwise */
	assert_false(health_set_carrier(&f->h, true, f->now));
	assert_int_equal(f->h.state, HEALTH_DOWN);
}

static void test_recovery_needs_rounds_and_hold_down(void **state)
{
	struct fx *f = fx_new(&base_params, 2);
	uint64_t last_fail;
	int good = 0;

	*state = f;
	steps(f, 10, 3, 5000);
	while (f->h.state != HEALTH_DOWN)
		step(f, 0, 0);
	steps(f, 4, 0, 0); /* stays down a while; each failed round refreshes last_bad */
	/* the last unanswered probes are judged two intervals later */
	step(f, 3, 5000);
	step(f, 3, 5000);
	last_fail = f->h.last_bad_ns;
	while (f->h.state == HEALTH_DOWN) {
		step(f, 3, 5000);
		good++;
		assert_true(good < 100);
	}
	/* up_after (5) good rounds came long before the 10 s hold-down was over */
	assert_int_equal(f->h.state, HEALTH_UP);
	assert_true(f->now - last_fail >= 10 * SEC);
	assert_true(f->now - last_fail < 10 * SEC + 500 * MS + 1);
	assert_true(f->h.good_rounds == 0); /* counting starts anew after a change */
	assert_non_null(strstr(f->h.reason, "recovered: "));
	assert_non_null(strstr(f->h.reason, "10 s since last failure"));
	assert_int_equal(f->ups, 1);
}

static void test_recovery_needs_up_after(void **state)
{
	struct health_params p = base_params;
	struct fx *f;
	int n = 0;

	p.hold_down_s = 0;
	f = fx_new(&p, 1);
	*state = f;
	steps(f, 10, 1, 5000);
	while (f->h.state != HEALTH_DOWN)
		step(f, 0, 0);
	step(f, 0, 0);
	step(f, 0, 0);
	/* every further answered round is judged at once */
	while (f->h.state == HEALTH_DOWN) {
		step(f, 1, 5000);
		n++;
	}
	assert_int_equal(n, 5);
	assert_string_equal(f->h.reason, "recovered: 5 good rounds, 1 s since last failure");
}

static void test_flapping_carrier(void **state)
{
	struct fx *f = fx_new(&base_params, 2);
	uint64_t start, last_up = 0, t;
	int i;

	*state = f;
	steps(f, 10, 3, 5000);
	start = f->now;
	/* 120 s: the carrier drops for 1 s every 10 s; no replies while it is down */
	for (i = 0; i < 240; i++) {
		enum health_state old = f->h.state;
		bool carrier;

		t = f->now - start;
		carrier = (t % (10 * SEC)) >= 1 * SEC;
		health_set_carrier(&f->h, carrier, f->now);
		note(f, old);
		old = f->h.state;
		step(f, carrier ? 3 : 0, 5000);
		if (f->h.state == HEALTH_UP && old != HEALTH_UP) {
			/* at most one down->up cycle per hold-down */
			assert_true(last_up == 0 || f->now - last_up >= 10 * SEC);
			last_up = f->now;
		}
	}
	assert_true(f->ups <= 120 / 10);
	assert_true(f->downs >= 1);
	/* once it stops flapping it comes back after the hold-down */
	health_set_carrier(&f->h, true, f->now);
	steps(f, 30, 3, 5000);
	assert_int_equal(f->h.state, HEALTH_UP);
}

static uint32_t lcg(uint32_t *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

/*
 * 3% loss against a 10% threshold over 100 pooled probes: an excursion to 10%
 * has a probability of about 1e-3 per window position, so "never" holds for
 * this seed over 2000 rounds (about 1 seed in 10 sees one excursion).
 */
static void test_random_loss_never_degrades(void **state)
{
	struct fx *f = fx_new(&base_params, 2);
	struct health_metrics m;
	uint32_t seed = 1;
	uint64_t lost = 0, sent = 0;
	int i;

	*state = f;
	for (i = 0; i < 2000; i++) {
		unsigned int mask = 0, k;

		for (k = 0; k < 2; k++) {
			if (lcg(&seed) % 1000 >= 30)
				mask |= 1u << k;
			else
				lost++;
			sent++;
		}
		step(f, mask, 20000 + lcg(&seed) % 2000);
		assert_int_equal(f->h.state, HEALTH_UP);
	}
	assert_true(lost > sent / 50 && lost < sent / 25); /* about 3% */
	assert_int_equal(f->downs + f->degrades, 0);
	health_metrics(&f->h, &m);
	assert_true(m.loss_pct < 10);
	assert_true(m.rtt_ms >= 20 && m.rtt_ms <= 22);
	assert_true(m.jitter_ms > 0 && m.jitter_ms < 2);
}

static void test_degraded_rtt_hysteresis(void **state)
{
	struct health_params p = base_params;
	struct fx *f;
	int n = 0;

	p.window = 10;
	f = fx_new(&p, 1);
	*state = f;
	steps(f, 10, 1, 20000);
	assert_true(f->h.settled);
	assert_int_equal(f->h.state, HEALTH_UP);
	while (f->h.state == HEALTH_UP) {
		step(f, 1, 300000);
		n++;
		assert_true(n < 20);
	}
	/* the median crosses once 6 of 10 are slow; then down_after - 1 more rounds */
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	assert_int_equal(n, 6 + 2);
	assert_string_equal(f->h.reason, "median RTT 300 ms (threshold 250 ms)");

	/* 220 ms is under the threshold but over 80% of it: stays degraded */
	steps(f, 60, 1, 220000);
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	/* 150 ms: clear; needs up_after good rounds and the hold-down */
	n = 0;
	while (f->h.state == HEALTH_DEGRADED) {
		step(f, 1, 150000);
		n++;
		assert_true(n < 100);
	}
	assert_int_equal(f->h.state, HEALTH_UP);
	assert_true(n >= 5);
	assert_int_equal(f->degrades, 1);
	assert_int_equal(f->ups, 1);
}

static void test_degraded_loss(void **state)
{
	struct health_params p = base_params;
	struct fx *f;
	int i;

	p.window = 20;
	f = fx_new(&p, 2);
	*state = f;
	steps(f, 20, 3, 10000);
	/* target 2 loses every other probe: 25% pooled; rounds still pass */
	for (i = 0; i < 40 && f->h.state == HEALTH_UP; i++)
		step(f, (i % 2) ? 3 : 1, 10000);
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	assert_string_equal(f->h.reason, "loss 12.8% over 39 probes (threshold 10%)");
}

static void test_link_speed(void **state)
{
	struct health_params p = base_params;
	struct link_quality lq = { .known = true, .speed_mbps = 1000, .duplex = 1 };
	struct fx *f;

	p.min_speed_mbps = 1000;
	f = fx_new(&p, 1);
	*state = f;
	steps(f, 10, 1, 5000);
	assert_false(health_set_link(&f->h, &lq, f->now));
	lq.speed_mbps = 100;
	assert_true(health_set_link(&f->h, &lq, f->now));
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	assert_string_equal(f->h.reason,
			    "wan1 renegotiated 1000\u2192100 Mb/s (minimum 1000 Mb/s)");
	steps(f, 40, 1, 5000);
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	lq.speed_mbps = 1000;
	assert_false(health_set_link(&f->h, &lq, f->now));
	assert_int_equal(f->h.link_reason[0], '\0');
	steps(f, 21, 1, 5000); /* 10 s hold-down from the last bad sample */
	assert_int_equal(f->h.state, HEALTH_UP);
}

static void test_link_duplex(void **state)
{
	struct link_quality lq = { .known = true, .speed_mbps = 100, .duplex = 1 };
	struct fx *f = fx_new(&base_params, 1);

	*state = f;
	steps(f, 10, 1, 5000);
	health_set_link(&f->h, &lq, f->now);
	lq.duplex = 0;
	assert_true(health_set_link(&f->h, &lq, f->now));
	assert_string_equal(f->h.reason, "wan1 renegotiated full\u2192half duplex");
}

static void test_link_errors(void **state)
{
	struct health_params p = base_params;
	struct link_quality lq = { .known = true, .speed_mbps = 1000, .duplex = 1 };
	struct fx *f;
	int i;

	p.degraded_errors_per_min = 60;
	f = fx_new(&p, 1);
	*state = f;
	steps(f, 10, 1, 5000);
	/* 10 errors per 5 s = 120/min: degraded once over 60 in the last minute */
	for (i = 0; i < 12 && f->h.state == HEALTH_UP; i++) {
		lq.errors += 10;
		health_set_link(&f->h, &lq, f->now);
		steps(f, 10, 1, 5000);
	}
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	assert_int_equal(i, 8); /* the first sample is the base: 70 errors after it */
	assert_string_equal(f->h.reason, "wan1 70 errors/min (threshold 60)");
	/* 5 per 5 s = 60/min: not over 60, but over 80% of it: hysteresis keeps it */
	for (i = 0; i < 24; i++) {
		lq.errors += 5;
		health_set_link(&f->h, &lq, f->now);
		steps(f, 10, 1, 5000);
	}
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	assert_non_null(strstr(f->h.link_reason, "errors/min"));
	/* quiet: the rate falls under 48 within a minute, then hold-down and up_after */
	for (i = 0; i < 24 && f->h.state != HEALTH_UP; i++) {
		health_set_link(&f->h, &lq, f->now);
		steps(f, 10, 1, 5000);
	}
	assert_int_equal(f->h.state, HEALTH_UP);
	/* counters reset (interface re-created): no negative rate */
	lq.errors = 0;
	assert_false(health_set_link(&f->h, &lq, f->now));
}

static void test_initial_settled(void **state)
{
	struct fx *f = fx_new(&base_params, 2);
	int i;

	*state = f;
	assert_int_equal(f->h.state, HEALTH_UP);
	assert_false(f->h.settled);
	assert_string_equal(f->h.reason, "starting");
	/* the third round's answers settle nothing yet: max(up_after, down_after) = 5 */
	for (i = 0; i < 4; i++)
		assert_false(step(f, 3, 5000));
	assert_false(f->h.settled);
	assert_true(step(f, 3, 5000)); /* settled: reported so that policy runs again */
	assert_true(f->h.settled);
	assert_int_equal(f->h.state, HEALTH_UP);
	assert_string_equal(f->h.reason, "up: 5 good rounds since start");
}

static void test_initial_dead_then_alive(void **state)
{
	struct fx *f = fx_new(&base_params, 2);
	int n = 0;

	*state = f;
	/* dead at start: down after down_after rounds, settled by the change */
	while (f->h.state == HEALTH_UP)
		step(f, 0, 0);
	assert_true(f->h.settled);
	assert_string_equal(f->h.reason,
			    "0/2 targets answered for 3 rounds; no reply in the last 50 probes");
	/* the initial verdict is revised without waiting for the hold-down */
	while (f->h.state == HEALTH_DOWN) {
		step(f, 3, 5000);
		n++;
	}
	assert_int_equal(f->h.state, HEALTH_UP);
	assert_true(n <= 5 + 2);
	/* but the next failure is subject to it */
	while (f->h.state == HEALTH_UP)
		step(f, 0, 0);
	n = 0;
	while (f->h.state == HEALTH_DOWN) {
		step(f, 3, 5000);
		n++;
	}
	assert_true(n >= 20);
}

static void test_carrier_at_start(void **state)
{
	struct fx *f = fx_new(&base_params, 1);

	*state = f;
	assert_true(health_set_carrier(&f->h, false, f->now));
	assert_int_equal(f->h.state, HEALTH_DOWN);
	assert_true(f->h.settled);
	steps(f, 4, 0, 0);
	health_set_carrier(&f->h, true, f->now);
	steps(f, 8, 1, 5000);
	assert_int_equal(f->h.state, HEALTH_UP); /* exempt from the hold-down */
}

static void test_down_to_degraded(void **state)
{
	struct health_params p = base_params;
	struct fx *f;

	p.window = 10;
	p.hold_down_s = 0;
	f = fx_new(&p, 1);
	*state = f;
	steps(f, 10, 1, 5000);
	while (f->h.state != HEALTH_DOWN)
		step(f, 0, 0);
	while (f->h.state == HEALTH_DOWN)
		step(f, 1, 400000); /* back, but slow */
	assert_int_equal(f->h.state, HEALTH_DEGRADED);
	assert_string_equal(f->h.reason, "recovered: 5 good rounds, 1 s since last failure; "
			    "still degraded: median RTT 400 ms (threshold 250 ms)");
	step(f, 1, 400000); /* the reason follows the metrics while degraded */
	assert_string_equal(f->h.reason, "median RTT 400 ms (threshold 250 ms)");
}

static void test_no_targets(void **state)
{
	struct fx *f = fx_new(&base_params, 0);
	struct health_metrics m;

	*state = f;
	assert_false(health_expire(&f->h, f->now + SEC));
	assert_int_equal(health_next_expiry(&f->h), 0);
	health_metrics(&f->h, &m);
	assert_true(m.rtt_ms == -1);
	health_destroy(NULL);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, NULL, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_helpers),
		T(test_window_loss_late),
		T(test_target_metrics),
		T(test_rounds_min_targets),
		T(test_down_after_exactly),
		T(test_carrier_immediate),
		T(test_recovery_needs_rounds_and_hold_down),
		T(test_recovery_needs_up_after),
		T(test_flapping_carrier),
		T(test_random_loss_never_degrades),
		T(test_degraded_rtt_hysteresis),
		T(test_degraded_loss),
		T(test_link_speed),
		T(test_link_duplex),
		T(test_link_errors),
		T(test_initial_settled),
		T(test_initial_dead_then_alive),
		T(test_carrier_at_start),
		T(test_down_to_degraded),
		T(test_no_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
