// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: watch.c - watched prefixes, each carrier's view of them, and the alerts
 *
 * Owns the routes kept per view (only those inside a watched prefix, so a full
 * table costs one rule lookup per NLRI), the alerts and the steering decisions.
 * A route's alerts are a bit set recomputed on every change and diffed with
 * the previous one, so an alert is raised once, refreshed while the anomaly
 * lasts and cleared when it ends (ADD-PATH: when the last path holding it
 * goes). Rule-level alerts (visibility, flap, next hop) live in the view's
 * per-rule state. Judging follows ARTEMIS' prefix/path dimensions: exact or
 * more-specific, origin allowed, first hop after the carrier allowed.
 *
 * Calls: bgp.c (prefix helpers), ops callbacks. Called by: station.c,
 * replay.c, bgpmon.c; tests and fuzzers.
 */
#include "watch.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

const char *const watch_type_names[WATCH_TYPE_MAX] = {
	[WATCH_HIJACK] = "hijack",	   [WATCH_SUBPREFIX] = "subprefix",
	[WATCH_SQUAT] = "squat",	   [WATCH_PATH] = "path",
	[WATCH_VISIBILITY] = "visibility", [WATCH_FLAP] = "flap",
	[WATCH_NEXTHOP] = "nexthop",
};

#define BIT(t) ((uint16_t)(1u << (t)))
#define RULE_BITS (BIT(WATCH_VISIBILITY) | BIT(WATCH_FLAP) | BIT(WATCH_NEXTHOP))
#define HASH_MIN 64

static uint64_t fmix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

/* Keyed by a secret seed, so a peer cannot aim its prefixes at one bucket. */
static uint64_t key_hash(const struct watch *w, const void *view, const struct bgp_prefix *p,
			 uint32_t extra)
{
	uint64_t a, b, h;

	memcpy(&a, p->addr, 8);
	memcpy(&b, p->addr + 8, 8);
	h = fmix(w->seed ^ (uint64_t)(uintptr_t)view);
	h = fmix(h ^ a);
	h = fmix(h ^ b);
	return fmix(h ^ ((uint64_t)p->afi << 40 | (uint64_t)p->len << 32 | extra));
}

void watch_init(struct watch *w, const struct watch_ops *ops, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->ctx = ctx;
	list_init(&w->views);
	list_init(&w->alerts);
	list_init(&w->steers);
	if (getrandom(&w->seed, sizeof(w->seed), GRND_NONBLOCK) != sizeof(w->seed))
		w->seed = (uint64_t)(uintptr_t)w ^ 0x9e3779b97f4a7c15ULL;
}

int watch_rule_find(const struct watch *w, const struct bgp_prefix *p)
{
	int best = -1;
	size_t i;

	for (i = 0; i < w->nrules; i++) {
		const struct bgp_prefix *rp = &w->rules[i].prefix;

		if (rp->afi != p->afi || rp->len > p->len)
			continue;
		if (!bgp_prefix_contains(rp, p))
			continue;
		if (best < 0 || rp->len > w->rules[best].prefix.len)
			best = (int)i;
	}
	return best;
}

static const char *view_name(const struct watch_view *v, char *buf, size_t len)
{
	if (v->uplink[0])
		snprintf(buf, len, "%s's view", v->uplink);
	else
		snprintf(buf, len, "the view of unmapped peer %s", v->peer);
	return buf;
}

static bool as_in(const uint32_t *list, size_t n, uint32_t as)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i] == as)
			return true;
	return false;
}

/* ---- indexes ---- */

static size_t route_bucket(const struct watch *w, const struct watch_view *v,
			   const struct bgp_prefix *p, uint32_t path_id)
{
	return (size_t)key_hash(w, v, p, path_id) & (w->rhash_size - 1);
}

static size_t alert_bucket(const struct watch *w, const struct watch_view *v,
			   const struct bgp_prefix *p, enum watch_type t)
{
	return (size_t)key_hash(w, v, p, 0x80000000u | (uint32_t)t) & (w->ahash_size - 1);
}

/* Double a table when it holds as many entries as buckets; false: no memory (the
 * old table goes on working, only slower). */
static bool rhash_grow(struct watch *w)
{
	size_t size = w->rhash_size ? w->rhash_size * 2 : HASH_MIN, i;
	struct watch_route **t = calloc(size, sizeof(*t));
	struct watch_route **old = w->rhash;
	size_t old_size = w->rhash_size;

	if (!t)
		return false;
	w->rhash = t;
	w->rhash_size = size;
	for (i = 0; i < old_size; i++) {
		struct watch_route *rt = old[i], *next;

		for (; rt; rt = next) {
			size_t b = route_bucket(w, rt->view, &rt->prefix, rt->path_id);

			next = rt->hnext;
			rt->hnext = t[b];
			t[b] = rt;
		}
	}
	free(old);
	return true;
}

static bool ahash_grow(struct watch *w)
{
	size_t size = w->ahash_size ? w->ahash_size * 2 : HASH_MIN, i;
	struct watch_alert **t = calloc(size, sizeof(*t));
	struct watch_alert **old = w->ahash;
	size_t old_size = w->ahash_size;

	if (!t)
		return false;
	w->ahash = t;
	w->ahash_size = size;
	for (i = 0; i < old_size; i++) {
		struct watch_alert *a = old[i], *next;

		for (; a; a = next) {
			size_t b = alert_bucket(w, a->view, &a->prefix, a->type);

			next = a->hnext;
			a->hnext = t[b];
			t[b] = a;
		}
	}
	free(old);
	return true;
}

static struct watch_route *route_find(struct watch *w, struct watch_view *v,
				      const struct bgp_prefix *p, uint32_t path_id)
{
	struct watch_route *rt;

	if (!w->rhash_size)
		return NULL;
	for (rt = w->rhash[route_bucket(w, v, p, path_id)]; rt; rt = rt->hnext)
		if (rt->view == v && rt->path_id == path_id && bgp_prefix_equal(&rt->prefix, p))
			return rt;
	return NULL;
}

static void route_unhash(struct watch *w, struct watch_route *rt)
{
	struct watch_route **pp = &w->rhash[route_bucket(w, rt->view, &rt->prefix, rt->path_id)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == rt) {
			*pp = rt->hnext;
			return;
		}
}

static struct watch_alert *alert_find(struct watch *w, const struct watch_view *v,
				      enum watch_type t, const struct bgp_prefix *p)
{
	struct watch_alert *a;

	if (!w->ahash_size)
		return NULL;
	for (a = w->ahash[alert_bucket(w, v, p, t)]; a; a = a->hnext)
		if (a->view == v && a->type == t && bgp_prefix_equal(&a->prefix, p))
			return a;
	return NULL;
}

/* Out of every index, counted off; the caller frees it. */
static void alert_unlink(struct watch *w, struct watch_alert *a)
{
	struct watch_alert **pp = &w->ahash[alert_bucket(w, a->view, &a->prefix, a->type)];

	for (; *pp; pp = &(*pp)->hnext)
		if (*pp == a) {
			*pp = a->hnext;
			break;
		}
	list_del(&a->node);
	list_del(&a->vnode);
	w->nalerts--;
	if (a->counted)
		w->alerts_ms--;
}

/* ---- steering ---- */

static void mark_dirty(struct watch *w, uint16_t rule)
{
	if (rule >= w->nrules || w->dirty[rule])
		return;
	w->dirty[rule] = true;
	w->dirty_q[w->ndirty++] = rule;
}

static bool vr_anomalous(const struct watch_vrule *vr)
{
	return vr->anom || (vr->bits & WATCH_STEER_MASK);
}

#define STEER_UPLINKS 64

/* One rule as each uplink sees it, summed over the views mapped to it. */
struct uplink_state {
	const char *name;
	bool anomalous;
	bool visible;
};

static size_t uplink_states(const struct watch *w, uint16_t rule, struct uplink_state *u)
{
	const struct watch_view *v;
	size_t n = 0, i;

	list_for_each_entry(v, &w->views, node) {
		const struct watch_vrule *vr = &v->vr[rule];

		if (!v->uplink[0])
			continue;
		for (i = 0; i < n && strcmp(u[i].name, v->uplink); i++)
			;
		if (i == n) {
			if (n == STEER_UPLINKS)
				continue;
			u[n++] = (struct uplink_state){ .name = v->uplink };
		}
		if (vr_anomalous(vr))
			u[i].anomalous = true;
		if (!v->down && vr->visible)
			u[i].visible = true;
	}
	return n;
}

static const struct uplink_state *ustate(const struct uplink_state *u, size_t n,
					 const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(u[i].name, name) == 0)
			return &u[i];
	return NULL;
}

static bool ustate_clean(const struct uplink_state *s)
{
	return s && s->visible && !s->anomalous;
}

/* The first alert that makes `uplink`'s view of the rule anomalous, for the reason text. */
static const struct watch_alert *alert_first(const struct watch *w, uint16_t rule,
					     const char *uplink)
{
	const struct watch_view *v;
	const struct watch_alert *a;

	list_for_each_entry(v, &w->views, node) {
		if (strcmp(v->uplink, uplink) != 0)
			continue;
		list_for_each_entry(a, &v->alerts, vnode)
			if (a->rule == rule && (WATCH_STEER_MASK & (1u << a->type)))
				return a;
	}
	return NULL;
}

static struct watch_steer *steer_find(struct watch *w, uint16_t rule, const char *uplink)
{
	struct watch_steer *s;

	list_for_each_entry(s, &w->steers, node)
		if (s->rule == rule && strcmp(s->uplink, uplink) == 0)
			return s;
	return NULL;
}

static void steer_eval(struct watch *w, uint16_t rule, uint64_t now_ms)
{
	const struct watch_rule *r = rule < w->nrules ? &w->rules[rule] : NULL;
	struct uplink_state u[STEER_UPLINKS];
	struct watch_steer *s, *n;
	char reason[WATCH_ID_MAX + 160];
	size_t nu = r ? uplink_states(w, rule, u) : 0, i, j;

	/* start: an anomalous uplink while another one's view is clean */
	for (i = 0; r && (r->tunnel[0] || r->route) && i < nu; i++) {
		const struct watch_alert *a;
		const char *clean = NULL;

		if (!u[i].anomalous || steer_find(w, rule, u[i].name))
			continue;
		for (j = 0; j < nu; j++)
			if (j != i && ustate_clean(&u[j]))
				clean = u[j].name;
		if (!clean)
			continue;
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		s->rule = rule;
		snprintf(s->uplink, sizeof(s->uplink), "%s", u[i].name);
		snprintf(s->tunnel, sizeof(s->tunnel), "%s", r->tunnel);
		snprintf(s->via, sizeof(s->via), "%s", clean);
		s->route = r->route;
		s->prefix = r->prefix;
		list_add_tail(&s->node, &w->steers);
		a = alert_first(w, rule, u[i].name);
		if (a)
			snprintf(reason, sizeof(reason), "%s; %s's view of the prefix is clean", a->id,
				 clean);
		else
			snprintf(reason, sizeof(reason), "%s's view has anomalous more-specifics (alerts past max_alerts are not kept); %s's view of the prefix is clean",
				 u[i].name, clean);
		if (w->ops && w->ops->steer)
			w->ops->steer(w->ctx, s, true, reason, now_ms);
	}
	/* end: no longer anomalous, or no clean view left to go to */
	list_for_each_entry_safe(s, n, &w->steers, node) {
		const struct uplink_state *me;
		const char *clean = NULL;
		bool via_clean = false;

		if (s->rule != rule)
			continue;
		me = ustate(u, nu, s->uplink);
		if (r && strcmp(r->tunnel, s->tunnel) == 0 && r->route == s->route && me &&
		    me->anomalous) {
			for (j = 0; j < nu; j++) {
				if (!strcmp(u[j].name, s->uplink) || !ustate_clean(&u[j]))
					continue;
				clean = u[j].name;
				if (strcmp(u[j].name, s->via) == 0)
					via_clean = true;
			}
		}
		if (clean && !via_clean) {
			/* still avoided, but towards another clean view now */
			snprintf(s->via, sizeof(s->via), "%s", clean);
			snprintf(reason, sizeof(reason), "%s's view of the prefix is clean", clean);
			if (w->ops && w->ops->steer)
				w->ops->steer(w->ctx, s, true, reason, now_ms);
		}
		if (clean)
			continue;
		snprintf(reason, sizeof(reason), "%s",
			 !r || strcmp(r->tunnel, s->tunnel) || r->route != s->route ?
			 "the watch changed or is gone" :
			 me && me->anomalous ? "no carrier's view is clean any more" :
			 "the anomaly is over");
		list_del(&s->node);
		if (w->ops && w->ops->steer)
			w->ops->steer(w->ctx, s, false, reason, now_ms);
		free(s);
	}
}

static void steer_flush(struct watch *w, uint64_t now_ms)
{
	while (w->ndirty) {
		uint16_t rule = w->dirty_q[--w->ndirty];

		w->dirty[rule] = false;
		steer_eval(w, rule, now_ms);
	}
}

static void done(struct watch *w, uint64_t now_ms)
{
	if (!w->batch)
		steer_flush(w, now_ms);
}

void watch_batch_begin(struct watch *w)
{
	w->batch++;
}

void watch_batch_end(struct watch *w, uint64_t now_ms)
{
	if (w->batch && !--w->batch)
		steer_flush(w, now_ms);
}

/* ---- alerts ---- */

static void alert_reason(const struct watch *w, const struct watch_alert *a,
			 const struct watch_view *v, char *buf, size_t len)
{
	const struct watch_rule *r = &w->rules[a->rule];
	char pfx[64], rp[64], vn[160];

	bgp_prefix_format(&a->prefix, pfx, sizeof(pfx));
	bgp_prefix_format(&r->prefix, rp, sizeof(rp));
	view_name(v, vn, sizeof(vn));
	switch (a->type) {
	case WATCH_HIJACK:
		if (a->has_origin)
			snprintf(buf, len, "%s originated by AS%u, which is not allowed (path %s) in %s",
				 pfx, a->origin_as, a->path, vn);
		else
			snprintf(buf, len, "%s has no single origin AS (path %s) in %s", pfx,
				 a->path, vn);
		break;
	case WATCH_SUBPREFIX:
		snprintf(buf, len, "%s, a more-specific of %s, announced (path %s) in %s", pfx, rp,
			 a->path, vn);
		break;
	case WATCH_SQUAT:
		snprintf(buf, len, "%s announced (path %s) although no origin is expected, in %s",
			 pfx, a->path, vn);
		break;
	case WATCH_PATH:
		snprintf(buf, len, "%s reached through an unexpected upstream (path %s) in %s", pfx,
			 a->path, vn);
		break;
	case WATCH_VISIBILITY:
		snprintf(buf, len, "%s withdrawn in %s", pfx, vn);
		break;
	case WATCH_FLAP:
		snprintf(buf, len, "%s: more than %u updates in %u s in %s", pfx,
			 w->par.flap_max, w->par.flap_window_s, vn);
		break;
	case WATCH_NEXTHOP:
		snprintf(buf, len, "%s: next hop changed in %s", pfx, vn);
		break;
	default:
		snprintf(buf, len, "%s", pfx);
	}
}

static unsigned int max_alerts(const struct watch *w)
{
	return w->par.max_alerts ? w->par.max_alerts : w->par.max_routes;
}

static void alert_raise(struct watch *w, struct watch_view *v, enum watch_type t,
			const struct bgp_prefix *p, uint16_t rule, const struct watch_route *rt,
			uint64_t now_ms)
{
	struct watch_alert *a = alert_find(w, v, t, p);
	bool counted = !bgp_prefix_equal(p, &w->rules[rule].prefix);
	char pfx[64], reason[512];
	size_t b;

	if (a) {
		a->refs++;
		a->last_seen_ms = now_ms;
		a->rule = rule;
		if (rt) {
			a->has_origin = rt->has_origin;
			a->origin_as = rt->origin_as;
			snprintf(a->path, sizeof(a->path), "%s", rt->path);
		}
		return;
	}
	/* more-specifics are bounded; the watched prefixes themselves always have room
	 * (at most rules x views x types of them) */
	if (counted && w->alerts_ms >= max_alerts(w)) {
		w->alerts_dropped++;
		return;
	}
	if (w->nalerts >= w->ahash_size)
		ahash_grow(w);
	if (!w->ahash_size)
		return;
	a = calloc(1, sizeof(*a));
	if (!a) {
		w->alerts_dropped++;
		return;
	}
	a->type = t;
	a->prefix = *p;
	a->rule = rule;
	a->view = v;
	a->refs = 1;
	a->counted = counted;
	a->since_ms = a->last_seen_ms = now_ms;
	snprintf(a->peer, sizeof(a->peer), "%s", v->peer);
	snprintf(a->uplink, sizeof(a->uplink), "%s", v->uplink);
	if (rt) {
		a->has_origin = rt->has_origin;
		a->origin_as = rt->origin_as;
		snprintf(a->path, sizeof(a->path), "%s", rt->path);
	}
	bgp_prefix_format(p, pfx, sizeof(pfx));
	snprintf(a->id, sizeof(a->id), "%s:%s:%s", watch_type_names[t], pfx,
		 v->uplink[0] ? v->uplink : v->peer);
	b = alert_bucket(w, v, p, t);
	a->hnext = w->ahash[b];
	w->ahash[b] = a;
	list_add_tail(&a->node, &w->alerts);
	list_add_tail(&a->vnode, &v->alerts);
	w->nalerts++;
	if (counted)
		w->alerts_ms++;
	alert_reason(w, a, v, reason, sizeof(reason));
	if (w->ops && w->ops->alert)
		w->ops->alert(w->ctx, a, "raised", reason, now_ms);
}

/* Release one hold on an alert; the last one clears it. */
static void alert_drop(struct watch *w, struct watch_view *v, enum watch_type t,
		       const struct bgp_prefix *p, const char *why, uint64_t now_ms)
{
	struct watch_alert *a = alert_find(w, v, t, p);
	char reason[WATCH_ID_MAX + 200];

	if (!a || --a->refs > 0)
		return;
	alert_unlink(w, a);
	snprintf(reason, sizeof(reason), "%s: %s", a->id, why);
	if (w->ops && w->ops->alert)
		w->ops->alert(w->ctx, a, "cleared", reason, now_ms);
	free(a);
}

/* A route's part in its view's per-rule state: exact paths and anomalous routes. */
static void route_account(struct watch_route *rt, int sign)
{
	struct watch_vrule *vr;

	if (rt->rule == WATCH_NO_RULE)
		return;
	vr = &rt->view->vr[rt->rule];
	if (rt->exact)
		vr->exact = (unsigned int)((int)vr->exact + sign);
	if (rt->bits & WATCH_STEER_MASK)
		vr->anom = (unsigned int)((int)vr->anom + sign);
}

/* Route-level bits: drop the ones gone, raise the new ones, refresh the rest. */
static void route_bits_set(struct watch *w, struct watch_view *v, struct watch_route *rt,
			   uint16_t bits, const char *why, uint64_t now_ms)
{
	uint16_t old = rt->bits;
	int t;

	if (rt->rule != WATCH_NO_RULE) {
		struct watch_vrule *vr = &v->vr[rt->rule];
		bool was = vr_anomalous(vr);

		route_account(rt, -1);
		rt->bits = bits;
		route_account(rt, +1);
		if (was != vr_anomalous(vr))
			mark_dirty(w, rt->rule);
	}
	rt->bits = bits;
	for (t = 0; t < WATCH_TYPE_MAX; t++) {
		if ((old & BIT(t)) && !(bits & BIT(t))) {
			alert_drop(w, v, (enum watch_type)t, &rt->prefix, why, now_ms);
		} else if (bits & BIT(t)) {
			struct watch_alert *a;

			if (!(old & BIT(t))) {
				alert_raise(w, v, (enum watch_type)t, &rt->prefix, rt->rule, rt,
					    now_ms);
				continue;
			}
			/* still there: refresh without taking another hold */
			a = alert_find(w, v, (enum watch_type)t, &rt->prefix);
			if (a) {
				a->last_seen_ms = now_ms;
				a->rule = rt->rule;
				a->has_origin = rt->has_origin;
				a->origin_as = rt->origin_as;
				snprintf(a->path, sizeof(a->path), "%s", rt->path);
			}
		}
	}
}

static void rule_alert(struct watch *w, struct watch_view *v, uint16_t rule, enum watch_type t,
		       bool on, const char *why, uint64_t now_ms)
{
	struct watch_vrule *vr = &v->vr[rule];
	bool was = vr->bits & BIT(t);

	if (on && !was) {
		vr->bits |= BIT(t);
		alert_raise(w, v, t, &w->rules[rule].prefix, rule, NULL, now_ms);
	} else if (on) {
		struct watch_alert *a = alert_find(w, v, t, &w->rules[rule].prefix);

		if (a)
			a->last_seen_ms = now_ms;
	} else if (was) {
		vr->bits &= (uint16_t)~BIT(t);
		alert_drop(w, v, t, &w->rules[rule].prefix, why, now_ms);
	}
	if (was != on && (WATCH_STEER_MASK & (1u << t)))
		mark_dirty(w, rule);
}

/* ---- judging ---- */

static uint16_t judge(const struct watch_rule *r, const struct watch_route *rt)
{
	bool exact = rt->prefix.len == r->prefix.len;

	if (!exact && !r->more_specifics)
		return BIT(WATCH_SUBPREFIX);
	if (!r->n_origin)
		return BIT(WATCH_SQUAT);
	if (!rt->has_origin || !as_in(r->origin_as, r->n_origin, rt->origin_as))
		return BIT(WATCH_HIJACK);
	if (r->n_upstream && rt->has_up && !as_in(r->upstream_as, r->n_upstream, rt->upstream))
		return BIT(WATCH_PATH);
	return 0;
}

/* Upstream = the AS after the carrier (first) on the path without prepends,
 * when there is one between the carrier and the origin. */
static bool path_upstream(const struct bgp_path *p, uint32_t *up)
{
	uint32_t clean[3];
	size_t n = 0, i;

	for (i = 0; i < p->as_path_n && n < 3; i++) {
		if (n && clean[n - 1] == p->as_path[i])
			continue;
		if (i < 64 && (p->as_set_mask >> i) & 1)
			return false;
		clean[n++] = p->as_path[i];
	}
	if (n < 3)
		return false;
	*up = clean[1];
	return true;
}

static void path_text(const struct bgp_path *p, char *buf, size_t len)
{
	size_t off = 0, i;

	buf[0] = '\0';
	for (i = 0; i < p->as_path_n && off + 16 < len; i++) {
		bool set = i < 64 && ((p->as_set_mask >> i) & 1);
		int n = snprintf(buf + off, len - off, "%s%s%u%s", off ? " " : "", set ? "{" : "",
				 p->as_path[i], set ? "}" : "");

		if (n < 0)
			break;
		off += (size_t)n;
	}
	if (i < p->as_path_n || p->as_path_truncated)
		snprintf(buf + off, len - off, " ...");
}

static void route_remove(struct watch *w, struct watch_view *v, struct watch_route *rt,
			 const char *why, uint64_t now_ms)
{
	route_bits_set(w, v, rt, 0, why, now_ms);
	route_account(rt, -1);
	route_unhash(w, rt);
	list_del(&rt->node);
	v->n--;
	w->routes_kept--;
	if (!rt->exact)
		w->routes_ms--;
	free(rt);
}

/* Exact prefix present in v for rule? Visibility alerts follow it. */
static void visibility_eval(struct watch *w, struct watch_view *v, uint16_t rule,
			    uint64_t now_ms)
{
	struct watch_vrule *vr = &v->vr[rule];
	bool vis = vr->exact > 0;

	if (vis == vr->visible)
		return;
	vr->visible = vis;
	if (vis) {
		vr->seen = true;
		rule_alert(w, v, rule, WATCH_VISIBILITY, false, "announced again", now_ms);
	} else if (vr->seen) {
		rule_alert(w, v, rule, WATCH_VISIBILITY, true, NULL, now_ms);
	}
	mark_dirty(w, rule);
}

static void flap_count(struct watch *w, struct watch_view *v, uint16_t rule, uint64_t now_ms)
{
	struct watch_vrule *vr = &v->vr[rule];

	if (!w->par.flap_max)
		return;
	if (now_ms - vr->win_start_ms >= (uint64_t)w->par.flap_window_s * 1000 ||
	    now_ms < vr->win_start_ms) {
		vr->win_start_ms = now_ms;
		vr->upd = 0;
	}
	vr->upd++;
	vr->last_upd_ms = now_ms;
	if (vr->upd > w->par.flap_max)
		rule_alert(w, v, rule, WATCH_FLAP, true, NULL, now_ms);
}

/* A new route, if a bound allows: more-specifics against max_routes (all views),
 * the watched prefix itself against WATCH_EXACT_PATHS (this view). */
static struct watch_route *route_add(struct watch *w, struct watch_view *v,
				     const struct bgp_prefix *p, uint32_t path_id, uint16_t rule)
{
	bool exact = bgp_prefix_equal(p, &w->rules[rule].prefix);
	struct watch_route *rt;
	size_t b;

	if (exact ? v->vr[rule].exact >= WATCH_EXACT_PATHS : w->routes_ms >= w->par.max_routes)
		goto drop;
	if (w->routes_kept >= w->rhash_size)
		rhash_grow(w);
	if (!w->rhash_size || !(rt = calloc(1, sizeof(*rt))))
		goto drop;
	rt->view = v;
	rt->prefix = *p;
	rt->path_id = path_id;
	rt->rule = rule;
	rt->exact = exact;
	b = route_bucket(w, v, p, path_id);
	rt->hnext = w->rhash[b];
	w->rhash[b] = rt;
	list_add_tail(&rt->node, &v->routes);
	v->n++;
	w->routes_kept++;
	if (!exact)
		w->routes_ms++;
	route_account(rt, +1);
	return rt;
drop:
	v->dropped++;
	w->routes_dropped++;
	return NULL;
}

void watch_route(struct watch *w, struct watch_view *v, const struct bgp_route *r,
		 uint64_t now_ms)
{
	bool announce = r->action == BGP_ANNOUNCE && !r->treat_as_withdraw && r->path;
	uint32_t path_id = r->has_path_id ? r->path_id : 0;
	struct watch_route *rt;
	int rule;

	w->routes_seen++;
	rule = watch_rule_find(w, &r->prefix);
	if (rule < 0)
		return;
	if (announce)
		v->down = false;
	rt = route_find(w, v, &r->prefix, path_id);
	flap_count(w, v, (uint16_t)rule, now_ms);
	if (!announce) {
		if (rt)
			route_remove(w, v, rt, r->treat_as_withdraw ?
				     "withdrawn (malformed UPDATE treated as withdraw)" : "withdrawn",
				     now_ms);
		visibility_eval(w, v, (uint16_t)rule, now_ms);
		done(w, now_ms);
		return;
	}
	if (!rt && !(rt = route_add(w, v, &r->prefix, path_id, (uint16_t)rule))) {
		done(w, now_ms);
		return;
	}
	rt->has_origin = r->path->has_origin_as;
	rt->origin_as = r->path->origin_as;
	path_text(r->path, rt->path, sizeof(rt->path));
	rt->has_up = path_upstream(r->path, &rt->upstream);
	if (rt->exact && r->path->nexthop.afi) {
		struct watch_vrule *vr = &v->vr[rule];

		if (vr->has_nh && memcmp(vr->nh, r->path->nexthop.addr, 16) != 0 &&
		    w->par.nexthop_hold_s) {
			vr->nh_since_ms = now_ms;
			rule_alert(w, v, (uint16_t)rule, WATCH_NEXTHOP, true, NULL, now_ms);
		}
		memcpy(vr->nh, r->path->nexthop.addr, 16);
		vr->has_nh = true;
	}
	memcpy(rt->nh, r->path->nexthop.addr, 16);
	route_bits_set(w, v, rt, judge(&w->rules[rule], rt), "path is clean now", now_ms);
	visibility_eval(w, v, (uint16_t)rule, now_ms);
	done(w, now_ms);
}

void watch_tick(struct watch *w, uint64_t now_ms)
{
	struct watch_view *v;
	size_t i;

	list_for_each_entry(v, &w->views, node) {
		for (i = 0; i < w->nrules; i++) {
			struct watch_vrule *vr = &v->vr[i];

			if ((vr->bits & BIT(WATCH_FLAP)) &&
			    now_ms - vr->last_upd_ms >= (uint64_t)w->par.flap_window_s * 1000)
				rule_alert(w, v, (uint16_t)i, WATCH_FLAP, false,
					   "quiet for a whole window", now_ms);
			if ((vr->bits & BIT(WATCH_NEXTHOP)) &&
			    now_ms - vr->nh_since_ms >= (uint64_t)w->par.nexthop_hold_s * 1000)
				rule_alert(w, v, (uint16_t)i, WATCH_NEXTHOP, false,
					   "next hop stable since", now_ms);
		}
	}
	done(w, now_ms);
}

/* ---- views ---- */

struct watch_view *watch_view_get(struct watch *w, const void *owner, const char *peer,
				  const char *uplink)
{
	struct watch_view *v;

	list_for_each_entry(v, &w->views, node)
		if (v->owner == owner && strcmp(v->peer, peer) == 0)
			return v;
	v = calloc(1, sizeof(*v));
	if (!v)
		return NULL;
	v->vr = calloc(w->nrules ? w->nrules : 1, sizeof(*v->vr));
	if (!v->vr) {
		free(v);
		return NULL;
	}
	v->w = w;
	v->owner = owner;
	list_init(&v->routes);
	list_init(&v->alerts);
	snprintf(v->peer, sizeof(v->peer), "%s", peer);
	snprintf(v->uplink, sizeof(v->uplink), "%s", uplink ? uplink : "");
	list_add_tail(&v->node, &w->views);
	return v;
}

static void view_clear_alerts(struct watch *w, struct watch_view *v, const char *why,
			      uint64_t now_ms)
{
	struct watch_alert *a, *n;
	struct watch_route *rt;
	size_t i;

	list_for_each_entry_safe(a, n, &v->alerts, vnode) {
		char reason[WATCH_ID_MAX + 200];

		alert_unlink(w, a);
		snprintf(reason, sizeof(reason), "%s: %s", a->id, why);
		if (w->ops && w->ops->alert)
			w->ops->alert(w->ctx, a, "cleared", reason, now_ms);
		free(a);
	}
	list_for_each_entry(rt, &v->routes, node) {
		route_account(rt, -1);
		rt->bits = 0;
		route_account(rt, +1);
	}
	for (i = 0; i < w->nrules; i++)
		v->vr[i].bits = 0;
}

static void steer_eval_all(struct watch *w, uint64_t now_ms)
{
	struct watch_steer *s, *n;
	size_t i;

	w->ndirty = 0;
	for (i = 0; i < w->nrules; i++) {
		w->dirty[i] = false;
		steer_eval(w, (uint16_t)i, now_ms);
	}
	/* steering of rules that no longer exist */
	list_for_each_entry_safe(s, n, &w->steers, node)
		if (s->rule >= w->nrules)
			steer_eval(w, s->rule, now_ms);
}

static void view_rejudge(struct watch *w, struct watch_view *v, uint64_t now_ms);

void watch_view_set_uplink(struct watch_view *v, const char *uplink, uint64_t now_ms)
{
	struct watch *w = v->w;

	if (strcmp(v->uplink, uplink ? uplink : "") == 0)
		return;
	view_clear_alerts(w, v, "the peer now maps to another uplink", now_ms);
	snprintf(v->uplink, sizeof(v->uplink), "%s", uplink ? uplink : "");
	view_rejudge(w, v, now_ms);
	steer_eval_all(w, now_ms);
}

void watch_view_down(struct watch_view *v, uint64_t now_ms)
{
	struct watch *w = v->w;
	size_t i;

	while (!list_empty(&v->routes))
		route_remove(w, v, list_entry(v->routes.prev, struct watch_route, node),
			     "peer down", now_ms);
	v->down = true;
	for (i = 0; i < w->nrules; i++)
		visibility_eval(w, v, (uint16_t)i, now_ms);
	done(w, now_ms);
}

void watch_view_remove(struct watch_view *v, const char *why, uint64_t now_ms)
{
	struct watch *w = v->w;
	struct watch_route *rt, *n;

	view_clear_alerts(w, v, why, now_ms);
	list_for_each_entry_safe(rt, n, &v->routes, node) {
		route_unhash(w, rt);
		w->routes_kept--;
		if (!rt->exact)
			w->routes_ms--;
		free(rt);
	}
	list_del(&v->node);
	free(v->vr);
	free(v);
	steer_eval_all(w, now_ms);
}

/* Rules changed (or the view's uplink): every kept route is judged again. */
static void view_rejudge(struct watch *w, struct watch_view *v, uint64_t now_ms)
{
	struct watch_route *rt, *n;
	size_t i;

	list_for_each_entry_safe(rt, n, &v->routes, node) {
		if (rt->rule == WATCH_NO_RULE) {
			route_remove(w, v, rt, "no longer watched", now_ms);
			continue;
		}
		route_bits_set(w, v, rt, judge(&w->rules[rt->rule], rt),
			       "allowed by the new configuration", now_ms);
	}
	for (i = 0; i < w->nrules; i++)
		visibility_eval(w, v, (uint16_t)i, now_ms);
}

int watch_set_rules(struct watch *w, const struct watch_rule *rules, size_t n,
		    const struct watch_params *par, uint64_t now_ms)
{
	struct watch_rule *nr = calloc(n ? n : 1, sizeof(*nr));
	bool *dirty = calloc(n ? n : 1, sizeof(*dirty));
	uint16_t *dirty_q = calloc(n ? n : 1, sizeof(*dirty_q));
	struct watch_view *v;
	struct watch_alert *a, *an;
	struct watch_route *rt;
	struct watch_vrule **vrs;
	struct watch_steer *s;
	size_t i, j, k, nviews = 0;

	if (!nr || !dirty || !dirty_q || n >= WATCH_NO_RULE)
		goto nomem;
	if (n)
		memcpy(nr, rules, n * sizeof(*nr));
	/* new per-rule state for every view first, so failure changes nothing */
	list_for_each_entry(v, &w->views, node)
		nviews++;
	vrs = calloc(nviews ? nviews : 1, sizeof(*vrs));
	for (k = 0; vrs && k < nviews; k++)
		if (!(vrs[k] = calloc(n ? n : 1, sizeof(**vrs))))
			break;
	if (!vrs || k < nviews) {
		while (vrs && k--)
			free(vrs[k]);
		free(vrs);
		goto nomem;
	}
	k = 0;
	list_for_each_entry(v, &w->views, node) {
		struct watch_vrule *vr = vrs[k++];

		/* the routes' part is counted again below, under the new rules */
		list_for_each_entry(rt, &v->routes, node)
			route_account(rt, -1);
		for (i = 0; i < n; i++)
			for (j = 0; j < w->nrules; j++)
				if (bgp_prefix_equal(&nr[i].prefix, &w->rules[j].prefix))
					vr[i] = v->vr[j];
		/* rule-level alerts of rules that are gone */
		list_for_each_entry_safe(a, an, &v->alerts, vnode) {
			bool keep = false;

			if (!(RULE_BITS & BIT(a->type)))
				continue;
			for (i = 0; i < n && !keep; i++)
				if (bgp_prefix_equal(&nr[i].prefix, &w->rules[a->rule].prefix)) {
					a->rule = (uint16_t)i;
					keep = true;
				}
			if (!keep) {
				char reason[WATCH_ID_MAX + 40];

				alert_unlink(w, a);
				snprintf(reason, sizeof(reason), "%s: no longer watched", a->id);
				if (w->ops && w->ops->alert)
					w->ops->alert(w->ctx, a, "cleared", reason, now_ms);
				free(a);
			}
		}
		free(v->vr);
		v->vr = vr;
	}
	free(vrs);
	/* steering keyed by rule index: carry it over by prefix */
	list_for_each_entry(s, &w->steers, node) {
		size_t to = (size_t)-1;

		for (i = 0; i < n; i++)
			if (s->rule < w->nrules &&
			    bgp_prefix_equal(&nr[i].prefix, &w->rules[s->rule].prefix))
				to = i;
		s->rule = to == (size_t)-1 ? WATCH_NO_RULE : (uint16_t)to;
	}
	free(w->rules);
	w->rules = nr;
	w->nrules = n;
	w->par = *par;
	free(w->dirty);
	free(w->dirty_q);
	w->dirty = dirty;
	w->dirty_q = dirty_q;
	w->ndirty = 0;
	/* route-level alerts point at the new rules before anything is re-judged */
	list_for_each_entry(a, &w->alerts, node) {
		int r = watch_rule_find(w, &a->prefix);

		if (!(RULE_BITS & BIT(a->type)))
			a->rule = r < 0 ? WATCH_NO_RULE : (uint16_t)r;
	}
	/* and so do the routes, counted in their (new) view-rule state */
	list_for_each_entry(v, &w->views, node) {
		list_for_each_entry(rt, &v->routes, node) {
			int r = watch_rule_find(w, &rt->prefix);
			bool exact = r >= 0 && bgp_prefix_equal(&rt->prefix, &nr[r].prefix);

			if (rt->exact != exact) {
				if (exact)
					w->routes_ms--;
				else
					w->routes_ms++;
				rt->exact = exact;
			}
			rt->rule = r < 0 ? WATCH_NO_RULE : (uint16_t)r;
			route_account(rt, +1);
		}
	}
	if (!w->par.max_routes)
		w->par.max_routes = 1;
	list_for_each_entry(v, &w->views, node)
		view_rejudge(w, v, now_ms);
	steer_eval_all(w, now_ms);
	return 0;
nomem:
	free(nr);
	free(dirty);
	free(dirty_q);
	return -ENOMEM;
}

int watch_ack(struct watch *w, const char *id, uint64_t now_ms)
{
	struct watch_alert *a;
	int found = -ENOENT;

	list_for_each_entry(a, &w->alerts, node) {
		if (strcmp(a->id, id) != 0)
			continue;
		found = 0;
		if (a->acked)
			continue;
		a->acked = true;
		if (w->ops && w->ops->alert)
			w->ops->alert(w->ctx, a, "acked", a->id, now_ms);
	}
	return found;
}

void watch_destroy(struct watch *w)
{
	struct watch_alert *a, *an;
	struct watch_view *v, *vn;
	struct watch_route *rt, *rn;
	struct watch_steer *s, *sn;

	list_for_each_entry_safe(a, an, &w->alerts, node)
		free(a);
	list_for_each_entry_safe(v, vn, &w->views, node) {
		list_for_each_entry_safe(rt, rn, &v->routes, node)
			free(rt);
		free(v->vr);
		free(v);
	}
	list_for_each_entry_safe(s, sn, &w->steers, node)
		free(s);
	free(w->rules);
	free(w->rhash);
	free(w->ahash);
	free(w->dirty);
	free(w->dirty_q);
	list_init(&w->alerts);
	list_init(&w->views);
	list_init(&w->steers);
	w->rules = NULL;
	w->nrules = 0;
	w->rhash = NULL;
	w->ahash = NULL;
	w->rhash_size = w->ahash_size = 0;
	w->dirty = NULL;
	w->dirty_q = NULL;
	w->ndirty = 0;
	w->nalerts = w->alerts_ms = w->routes_ms = 0;
	w->routes_kept = 0;
}
