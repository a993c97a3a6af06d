// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: health.c - probe windows, rounds and the up/degraded/down state machine
 *
 * Owns the per-target ring windows of struct health and every verdict made from
 * them. Pure: no I/O, no clock reads, no logging; every entry point takes `now`
 * (CLOCK_MONOTONIC ns), so the unit tests drive it on a fake clock.
 *
 * Measurement follows dpinger: a probe is lost only once older than timeout_ms,
 * and a reply arriving later turns it into PROBE_LATE, which counts as answered
 * for loss/RTT/jitter but stays lost for its (already judged) round.
 *
 * Calls nothing outside libc. Called by probe.c (sends, replies, expiry) and
 * uplink.c (init, carrier and link quality from link.c); status and policy read
 * the struct and health_metrics().
 */
#include "health.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NS_PER_SEC 1000000000ULL
#define NS_PER_MS 1000000ULL
#define NS_PER_US 1000ULL
#define ERR_SAMPLE_NS (5 * NS_PER_SEC) /* one error counter sample kept per 5 s */
#define ERR_SPAN_NS (60 * NS_PER_SEC)  /* the error rate is per minute */
#define ERR_HIST_MAX (sizeof(((struct health *)0)->err_hist) / sizeof(uint64_t))

const char *const health_state_names[HEALTH_STATE_MAX] = {
	[HEALTH_DOWN] = "down",
	[HEALTH_DEGRADED] = "degraded",
	[HEALTH_UP] = "up",
};

enum round_verdict {
	ROUND_OPEN,
	ROUND_PASS,
	ROUND_FAIL,
};

/* Probe metrics against the degraded thresholds. */
enum metric_level {
	METRIC_CLEAR, /* every metric under 80% of its threshold (or too few data) */
	METRIC_BAND,  /* between 80% and the threshold: hysteresis, neither */
	METRIC_OVER,  /* at least one metric at or over its threshold */
};

/* ---- pure statistics helpers ---- */

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

double health_median(const uint32_t *v, size_t n)
{
	uint32_t *s = (uint32_t *)v;

	if (!n)
		return -1;
	qsort(s, n, sizeof(*s), cmp_u32);
	if (n % 2)
		return s[n / 2];
	return ((double)s[n / 2 - 1] + (double)s[n / 2]) / 2;
}

/* Nearest rank: the smallest value with at least 95% of the values at or below it. */
double health_p95(const uint32_t *v, size_t n)
{
	uint32_t *s = (uint32_t *)v;
	size_t rank;

	if (!n)
		return -1;
	qsort(s, n, sizeof(*s), cmp_u32);
	rank = (n * 95 + 99) / 100; /* ceil(0.95 n) */
	return s[rank ? rank - 1 : 0];
}

/* RFC 3550 section 6.4.1: J += (|D| - J) / 16, D the difference of successive RTTs. */
double health_jitter_update(double j, uint32_t prev_rtt_us, uint32_t rtt_us)
{
	double d = (double)rtt_us - (double)prev_rtt_us;

	if (d < 0)
		d = -d;
	return j + (d - j) / 16;
}

/* ---- setup ---- */

int health_init(struct health *h, const struct health_params *p, size_t ntargets,
		const char *const *names, uint64_t now)
{
	size_t i;

	memset(h, 0, sizeof(*h));
	h->p = *p;
	if (h->p.window < 1)
		h->p.window = 50;
	if (h->p.interval_ms < 1)
		h->p.interval_ms = 1000;
	if (h->p.timeout_ms < 1)
		h->p.timeout_ms = h->p.interval_ms;
	if (h->p.down_after < 1)
		h->p.down_after = 1;
	if (h->p.up_after < 1)
		h->p.up_after = 1;
	if (h->p.min_targets < 1)
		h->p.min_targets = 1;
	if (ntargets && (size_t)h->p.min_targets > ntargets)
		h->p.min_targets = (int)ntargets;

	h->t = calloc(ntargets ? ntargets : 1, sizeof(*h->t));
	if (!h->t)
		goto err;
	h->ntargets = ntargets;
	for (i = 0; i < ntargets; i++) {
		struct health_target *t = &h->t[i];

		t->ring = calloc((size_t)h->p.window, sizeof(*t->ring));
		if (!t->ring)
			goto err;
		snprintf(t->name, sizeof(t->name), "%s", names && names[i] ? names[i] : "?");
	}
	h->state = HEALTH_UP;
	h->since_ns = now;
	h->settled = false;
	h->carrier = true;
	h->hold_exempt = true;
	snprintf(h->reason, sizeof(h->reason), "starting");
	return 0;

err:
	health_destroy(h);
	return -ENOMEM;
}

void health_destroy(struct health *h)
{
	size_t i;

	if (!h || !h->t)
		return;
	for (i = 0; i < h->ntargets; i++)
		free(h->t[i].ring);
	free(h->t);
	h->t = NULL;
	h->ntargets = 0;
}

void health_set_ifname(struct health *h, const char *ifname)
{
	snprintf(h->ifname, sizeof(h->ifname), "%s", ifname ? ifname : "");
}

static const char *ifn(const struct health *h)
{
	return h->ifname[0] ? h->ifname : "link";
}

/* ---- windows ---- */

static struct probe_rec *rec_find(const struct health *h, size_t idx, uint32_t seq)
{
	struct probe_rec *r;

	if (idx >= h->ntargets)
		return NULL;
	r = &h->t[idx].ring[seq % (uint32_t)h->p.window];
	if (r->result == PROBE_NONE || r->seq != seq)
		return NULL;
	return r;
}

static uint64_t timeout_ns(const struct health *h)
{
	return (uint64_t)h->p.timeout_ms * NS_PER_MS;
}

uint32_t health_sent(struct health *h, size_t idx, uint64_t now)
{
	struct health_target *t;
	struct probe_rec *r;
	uint32_t seq;

	assert(idx < h->ntargets);
	t = &h->t[idx];
	seq = t->next_seq++;
	r = &t->ring[seq % (uint32_t)h->p.window];
	r->seq = seq;
	r->result = PROBE_PENDING;
	r->sent_ns = now;
	r->rtt_us = 0;
	t->sent++;
	return seq;
}

uint64_t health_next_expiry(const struct health *h)
{
	uint64_t best = 0, to = timeout_ns(h);
	size_t i, j;

	for (i = 0; i < h->ntargets; i++) {
		for (j = 0; j < (size_t)h->p.window; j++) {
			const struct probe_rec *r = &h->t[i].ring[j];

			if (r->result == PROBE_PENDING && (!best || r->sent_ns + to < best))
				best = r->sent_ns + to;
		}
	}
	return best;
}

/* ---- metrics ---- */

/* What the degraded judgment needs besides struct health_metrics. */
struct pool {
	size_t resolved;	   /* answered, late or lost, in the whole windows */
	size_t res_cut, lost_cut;  /* the same for probes sent after the cut */
};

/* Pooled over every target's window. The cut leaves an outage's losses out of
 * the degraded judgment (an outage is judged by rounds, and its losses would
 * otherwise hold a recovered uplink in "degraded" until the window refills). */
static void metrics_compute(const struct health *h, struct health_metrics *m, uint64_t cut,
			    struct pool *pl)
{
	size_t i, j, n = 0, lost = 0, nj = 0;
	size_t cap = h->ntargets * (size_t)h->p.window;
	uint32_t *rtts = cap ? malloc(cap * sizeof(*rtts)) : NULL;
	struct pool none;
	double jsum = 0;

	if (!pl)
		pl = &none;
	memset(pl, 0, sizeof(*pl));
	memset(m, 0, sizeof(*m));
	m->targets = (int)h->ntargets;
	for (i = 0; i < h->ntargets; i++) {
		const struct health_target *t = &h->t[i];

		for (j = 0; j < (size_t)h->p.window; j++) {
			const struct probe_rec *r = &t->ring[j];
			bool after = r->sent_ns > cut;

			switch (r->result) {
			case PROBE_ANSWERED:
			case PROBE_LATE:
				pl->resolved++;
				pl->res_cut += after;
				if (rtts)
					rtts[n++] = r->rtt_us;
				break;
			case PROBE_LOST:
				pl->resolved++;
				pl->res_cut += after;
				pl->lost_cut += after;
				lost++;
				break;
			default:
				break;
			}
		}
		if (t->have_last_rtt) {
			jsum += t->jitter_us;
			nj++;
		}
	}
	m->loss_pct = pl->resolved ? 100.0 * (double)lost / (double)pl->resolved : 0;
	m->rtt_ms = n ? health_median(rtts, n) / 1000.0 : -1;
	m->rtt_p95_ms = n ? health_p95(rtts, n) / 1000.0 : -1;
	m->jitter_ms = nj ? jsum / (double)nj / 1000.0 : 0;
	free(rtts);
}

static enum round_verdict round_judge(const struct health *h, uint32_t n, int *answered);

void health_metrics(const struct health *h, struct health_metrics *m)
{
	int ans = 0;

	metrics_compute(h, m, 0, NULL);
	if (h->state == HEALTH_DOWN) /* no RTT to show for a link that does not answer */
		m->rtt_ms = m->rtt_p95_ms = m->jitter_ms = -1;
	if (h->next_round > 0)
		round_judge(h, h->next_round - 1, &ans);
	m->answered_last_round = ans;
}

void health_target_metrics(const struct health *h, size_t idx,
			   struct health_target_metrics *m)
{
	const struct health_target *t;
	size_t j, n = 0, lost = 0;
	uint32_t *rtts;

	memset(m, 0, sizeof(*m));
	m->rtt_ms = m->last_rtt_ms = m->loss_pct = m->jitter_ms = -1;
	if (idx >= h->ntargets)
		return;
	t = &h->t[idx];
	m->sent = t->sent;
	m->answered = t->answered;
	rtts = malloc((size_t)h->p.window * sizeof(*rtts));
	for (j = 0; j < (size_t)h->p.window; j++) {
		const struct probe_rec *r = &t->ring[j];

		if (r->result == PROBE_ANSWERED || r->result == PROBE_LATE) {
			if (rtts)
				rtts[n] = r->rtt_us;
			n++;
		} else if (r->result == PROBE_LOST) {
			lost++;
		}
	}
	if (n + lost)
		m->loss_pct = 100.0 * (double)lost / (double)(n + lost);
	if (n && rtts)
		m->rtt_ms = health_median(rtts, n) / 1000.0;
	free(rtts);
	if (t->have_last_rtt)
		m->last_rtt_ms = t->last_rtt_us / 1000.0;
	if (t->answered >= 2)
		m->jitter_ms = t->jitter_us / 1000.0;
}

static void fmt_ms(char *buf, size_t len, double ms)
{
	if (ms < 0.1)
		snprintf(buf, len, "%.2f ms", ms < 0.01 ? 0.01 : ms); /* never "0.0 ms" */
	else if (ms < 10)
		snprintf(buf, len, "%.1f ms", ms);
	else
		snprintf(buf, len, "%.0f ms", ms);
}

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used >= len - 1)
		return;
	if (used) {
		snprintf(buf + used, len - used, "; ");
		used = strlen(buf);
	}
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static enum metric_level level_of(double v, int thr)
{
	if (thr <= 0 || v < 0)
		return METRIC_CLEAR;
	if (v >= thr)
		return METRIC_OVER;
	if (v >= 0.8 * thr)
		return METRIC_BAND;
	return METRIC_CLEAR;
}

/* The worst level of the probe metrics; what is over goes into why. */
static enum metric_level metrics_level(const struct health *h, const struct health_metrics *m,
				       const struct pool *pl, char *why, size_t len)
{
	size_t need = h->ntargets * (size_t)(h->p.window / 2);
	enum metric_level lvl = METRIC_CLEAR, l;
	char a[32], b[32];
	double loss;

	why[0] = '\0';
	if (!need)
		need = 1;
	if (pl->res_cut >= need) { /* too few data to call it degraded otherwise */
		loss = 100.0 * (double)pl->lost_cut / (double)pl->res_cut;
		l = level_of(loss, h->p.degraded_loss_pct);
		if (l == METRIC_OVER)
			append(why, len, "loss %.1f%% over %zu probes (threshold %d%%)", loss,
			       pl->res_cut, h->p.degraded_loss_pct);
		lvl = l > lvl ? l : lvl;
	}
	if (pl->resolved < need)
		return lvl;

	l = level_of(m->rtt_ms, h->p.degraded_rtt_ms);
	if (l == METRIC_OVER) {
		fmt_ms(a, sizeof(a), m->rtt_ms);
		fmt_ms(b, sizeof(b), h->p.degraded_rtt_ms);
		append(why, len, "median RTT %s (threshold %s)", a, b);
	}
	lvl = l > lvl ? l : lvl;

	l = level_of(m->jitter_ms, h->p.degraded_jitter_ms);
	if (l == METRIC_OVER) {
		fmt_ms(a, sizeof(a), m->jitter_ms);
		fmt_ms(b, sizeof(b), h->p.degraded_jitter_ms);
		append(why, len, "jitter %s (threshold %s)", a, b);
	}
	return l > lvl ? l : lvl;
}

/* "last reply 0.6 s before (RTT 4.1 ms)" from the most recent reply in the windows. */
static void last_rtt_text(const struct health *h, uint64_t now, char *buf, size_t len)
{
	const struct probe_rec *best = NULL;
	uint64_t best_at = 0;
	size_t i, j;
	char ms[32];

	for (i = 0; i < h->ntargets; i++) {
		for (j = 0; j < (size_t)h->p.window; j++) {
			const struct probe_rec *r = &h->t[i].ring[j];
			uint64_t at = r->sent_ns + (uint64_t)r->rtt_us * NS_PER_US;

			if ((r->result == PROBE_ANSWERED || r->result == PROBE_LATE) &&
			    (!best || at > best_at)) {
				best = r;
				best_at = at;
			}
		}
	}
	if (!best) {
		snprintf(buf, len, "no reply in the last %d probes", h->p.window);
		return;
	}
	fmt_ms(ms, sizeof(ms), best->rtt_us / 1000.0);
	snprintf(buf, len, "last reply %.1f s before (RTT %s)",
		 now > best_at ? (double)(now - best_at) / NS_PER_SEC : 0.0, ms);
}

/* ---- the state machine ---- */

static bool hold_down_over(const struct health *h, uint64_t now)
{
	return h->hold_exempt || now >= h->last_bad_ns + (uint64_t)h->p.hold_down_s * NS_PER_SEC;
}

static void state_set(struct health *h, enum health_state s, uint64_t now)
{
	if (s < h->state) {
		h->last_bad_ns = now; /* a move to a worse state */
	} else {
		h->hold_exempt = false; /* the initial verdict has been revised once */
		if (h->state == HEALTH_DOWN)
			h->loss_since_ns = h->last_bad_ns; /* the outage's losses stay out */
	}
	h->state = s;
	h->since_ns = now;
	h->changes++;
	h->settled = true;
	h->good_rounds = 0;
}

static void recovered_text(const struct health *h, uint64_t now, char *buf, size_t len)
{
	int n = snprintf(buf, len, "recovered: %d good round%s", h->good_rounds,
			 h->good_rounds == 1 ? "" : "s");

	if (n < 0 || (size_t)n >= len)
		return;
	if (h->last_bad_ns)
		snprintf(buf + n, len - (size_t)n, ", %llu s since last failure",
			 (unsigned long long)((now - h->last_bad_ns) / NS_PER_SEC));
}

/* One round was judged: count it and move the state. True if state or settled changed. */
static bool round_done(struct health *h, bool pass, int answered, uint64_t now)
{
	enum health_state old = h->state;
	bool was_settled = h->settled, link_bad = h->link_reason[0] != '\0';
	struct health_metrics m;
	enum metric_level lvl;
	struct pool pl;
	char why[192], txt[96];
	int settle_after;

	h->judged_rounds++;
	metrics_compute(h, &m, h->state == HEALTH_DOWN ? h->last_bad_ns : h->loss_since_ns, &pl);
	lvl = metrics_level(h, &m, &pl, why, sizeof(why));
	h->degraded_rounds = lvl == METRIC_OVER ? h->degraded_rounds + 1 : 0;

	if (!pass) {
		h->bad_rounds++;
		h->good_rounds = 0;
		if (h->state != HEALTH_UP)
			h->last_bad_ns = now;
	} else {
		h->bad_rounds = 0;
		if (!h->carrier) {
			h->good_rounds = 0; /* a reply still in flight when the carrier went */
		} else if (h->state == HEALTH_DEGRADED && (lvl != METRIC_CLEAR || link_bad)) {
			h->good_rounds = 0;
			if (lvl == METRIC_OVER || link_bad)
				h->last_bad_ns = now;
		} else {
			h->good_rounds++;
		}
	}

	if (h->bad_rounds >= h->p.down_after && h->state != HEALTH_DOWN) {
		last_rtt_text(h, now, txt, sizeof(txt));
		snprintf(h->reason, sizeof(h->reason), "%d/%zu targets answered for %d round%s; %s",
			 answered, h->ntargets, h->bad_rounds, h->bad_rounds == 1 ? "" : "s", txt);
		state_set(h, HEALTH_DOWN, now);
	} else if (h->state == HEALTH_UP && (h->degraded_rounds >= h->p.down_after || link_bad)) {
		h->reason[0] = '\0';
		if (h->degraded_rounds >= h->p.down_after)
			append(h->reason, sizeof(h->reason), "%s", why);
		if (link_bad)
			append(h->reason, sizeof(h->reason), "%s", h->link_reason);
		state_set(h, HEALTH_DEGRADED, now);
	} else if (h->state != HEALTH_UP && h->good_rounds >= h->p.up_after &&
		   hold_down_over(h, now)) {
		enum health_state to = HEALTH_UP;

		if (h->state == HEALTH_DOWN && (lvl == METRIC_OVER || link_bad))
			to = HEALTH_DEGRADED;
		recovered_text(h, now, h->reason, sizeof(h->reason));
		if (to == HEALTH_DEGRADED) {
			if (lvl == METRIC_OVER)
				append(h->reason, sizeof(h->reason), "still degraded: %s", why);
			else
				append(h->reason, sizeof(h->reason), "still degraded: %s",
				       h->link_reason);
		}
		state_set(h, to, now);
	} else if (h->state == HEALTH_DEGRADED && (lvl == METRIC_OVER || link_bad)) {
		/* still degraded: keep the reason current */
		h->reason[0] = '\0';
		if (lvl == METRIC_OVER)
			append(h->reason, sizeof(h->reason), "%s", why);
		if (link_bad)
			append(h->reason, sizeof(h->reason), "%s", h->link_reason);
	}

	settle_after = h->p.up_after > h->p.down_after ? h->p.up_after : h->p.down_after;
	if (!h->settled && h->judged_rounds >= settle_after) {
		h->settled = true;
		if (h->state == HEALTH_UP) {
			h->hold_exempt = false;
			snprintf(h->reason, sizeof(h->reason), "up: %d good rounds since start",
				 h->good_rounds);
		}
	}
	return h->state != old || h->settled != was_settled;
}

/* Round n: pass once min_targets answered, fail once that is impossible. */
static enum round_verdict round_judge(const struct health *h, uint32_t n, int *answered)
{
	int ans = 0, open = 0;
	size_t i;

	for (i = 0; i < h->ntargets; i++) {
		const struct health_target *t = &h->t[i];
		const struct probe_rec *r;

		if (t->next_seq <= n) {
			open++; /* not sent yet */
			continue;
		}
		r = &t->ring[n % (uint32_t)h->p.window];
		if (r->seq != n)
			continue; /* overwritten: long lost */
		if (r->result == PROBE_ANSWERED)
			ans++;
		else if (r->result == PROBE_PENDING)
			open++;
	}
	*answered = ans;
	if (ans >= h->p.min_targets)
		return ROUND_PASS;
	if (ans + open < h->p.min_targets)
		return ROUND_FAIL;
	return ROUND_OPEN;
}

static bool rounds_judge(struct health *h, uint64_t now)
{
	bool changed = false;
	int ans;

	if (!h->ntargets)
		return false;
	for (;;) {
		enum round_verdict v = round_judge(h, h->next_round, &ans);

		if (v == ROUND_OPEN)
			break;
		h->next_round++;
		changed |= round_done(h, v == ROUND_PASS, ans, now);
	}
	return changed;
}

bool health_answered(struct health *h, size_t idx, uint32_t seq, uint64_t now)
{
	struct probe_rec *r = rec_find(h, idx, seq);
	struct health_target *t;
	uint64_t rtt;

	if (!r || (r->result != PROBE_PENDING && r->result != PROBE_LOST))
		return false; /* unknown, too old for the window, or a duplicate */
	t = &h->t[idx];
	rtt = now > r->sent_ns ? (now - r->sent_ns) / NS_PER_US : 0;
	if (rtt > UINT32_MAX)
		rtt = UINT32_MAX;
	/* past the timeout it is late even if health_expire() has not run yet */
	if (r->result == PROBE_LOST || rtt * NS_PER_US > timeout_ns(h))
		r->result = PROBE_LATE;
	else
		r->result = PROBE_ANSWERED;
	r->rtt_us = (uint32_t)rtt;
	t->answered++;
	if (t->have_last_rtt)
		t->jitter_us = health_jitter_update(t->jitter_us, t->last_rtt_us, r->rtt_us);
	t->last_rtt_us = r->rtt_us;
	t->have_last_rtt = true;
	return rounds_judge(h, now);
}

bool health_send_failed(struct health *h, size_t idx, uint32_t seq, uint64_t now)
{
	struct probe_rec *r = rec_find(h, idx, seq);

	if (!r || r->result != PROBE_PENDING)
		return false;
	r->result = PROBE_LOST;
	return rounds_judge(h, now);
}

bool health_expire(struct health *h, uint64_t now)
{
	uint64_t to = timeout_ns(h);
	size_t i, j;

	for (i = 0; i < h->ntargets; i++) {
		for (j = 0; j < (size_t)h->p.window; j++) {
			struct probe_rec *r = &h->t[i].ring[j];

			if (r->result == PROBE_PENDING && r->sent_ns + to <= now)
				r->result = PROBE_LOST;
		}
	}
	return rounds_judge(h, now);
}

/* ---- link layer ---- */

bool health_set_carrier(struct health *h, bool up, uint64_t now)
{
	if (up == h->carrier)
		return false;
	h->carrier = up;
	if (up)
		return false; /* coming back is judged by probe rounds */
	h->good_rounds = 0;
	h->last_bad_ns = now;
	if (h->state == HEALTH_DOWN)
		return false;
	snprintf(h->reason, sizeof(h->reason), "%s lost carrier", ifn(h));
	state_set(h, HEALTH_DOWN, now);
	return true;
}

/* Errors per minute from the counter samples of the last minute (no extrapolation). */
static double error_rate(struct health *h, uint64_t errors, uint64_t now)
{
	uint64_t span;
	size_t n = h->err_hist_n;

	if (n && errors < h->err_hist[n - 1])
		n = 0; /* counters reset: the interface was re-created */
	/* keep one sample at or before the one-minute boundary */
	while (n >= 2 && h->err_hist_ns[1] + ERR_SPAN_NS <= now) {
		memmove(h->err_hist, h->err_hist + 1, (n - 1) * sizeof(h->err_hist[0]));
		memmove(h->err_hist_ns, h->err_hist_ns + 1, (n - 1) * sizeof(h->err_hist_ns[0]));
		n--;
	}
	if (!n || now >= h->err_hist_ns[n - 1] + ERR_SAMPLE_NS) {
		if (n == ERR_HIST_MAX) {
			memmove(h->err_hist, h->err_hist + 1, (n - 1) * sizeof(h->err_hist[0]));
			memmove(h->err_hist_ns, h->err_hist_ns + 1,
				(n - 1) * sizeof(h->err_hist_ns[0]));
			n--;
		}
		h->err_hist[n] = errors;
		h->err_hist_ns[n] = now;
		n++;
	}
	h->err_hist_n = n;
	span = now - h->err_hist_ns[0];
	if (span < ERR_SPAN_NS)
		span = ERR_SPAN_NS;
	return (double)(errors - h->err_hist[0]) * (double)ERR_SPAN_NS / (double)span;
}

bool health_set_link(struct health *h, const struct link_quality *lq, uint64_t now)
{
	bool was_bad = h->link_reason[0] != '\0';
	enum health_state old = h->state;
	double rate, limit;

	h->lq = *lq;
	if (!lq->known)
		return false;
	if (!h->lq_first.known) {
		h->lq_first = *lq;
	} else {
		if (lq->speed_mbps > h->lq_first.speed_mbps)
			h->lq_first.speed_mbps = lq->speed_mbps; /* the best seen */
		if (lq->duplex == 1)
			h->lq_first.duplex = 1;
	}

	h->link_reason[0] = '\0';
	if (h->p.min_speed_mbps > 0 && lq->speed_mbps > 0 &&
	    lq->speed_mbps < (uint32_t)h->p.min_speed_mbps) {
		if (h->lq_first.speed_mbps > lq->speed_mbps)
			append(h->link_reason, sizeof(h->link_reason),
			       "%s renegotiated %u\u2192%u Mb/s (minimum %d Mb/s)", ifn(h),
			       h->lq_first.speed_mbps, lq->speed_mbps, h->p.min_speed_mbps);
		else
			append(h->link_reason, sizeof(h->link_reason),
			       "%s at %u Mb/s (minimum %d Mb/s)", ifn(h), lq->speed_mbps,
			       h->p.min_speed_mbps);
	}
	if (h->lq_first.duplex == 1 && lq->duplex == 0)
		append(h->link_reason, sizeof(h->link_reason),
		       "%s renegotiated full\u2192half duplex", ifn(h));
	rate = error_rate(h, lq->errors, now);
	if (h->p.degraded_errors_per_min > 0) {
		limit = h->p.degraded_errors_per_min * (was_bad ? 0.8 : 1.0);
		if (rate > limit)
			append(h->link_reason, sizeof(h->link_reason),
			       "%s %.0f errors/min (threshold %d)", ifn(h), rate,
			       h->p.degraded_errors_per_min);
	}

	if (!h->link_reason[0])
		return false; /* leaving degraded takes good rounds and the hold-down */
	if (h->state == HEALTH_UP) {
		snprintf(h->reason, sizeof(h->reason), "%s", h->link_reason);
		state_set(h, HEALTH_DEGRADED, now);
	} else if (h->state == HEALTH_DEGRADED) {
		h->last_bad_ns = now;
		h->good_rounds = 0;
	}
	return h->state != old;
}
