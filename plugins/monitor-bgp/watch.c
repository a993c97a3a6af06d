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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const watch_type_names[WATCH_TYPE_MAX] = {
	[WATCH_HIJACK] = "hijack",	   [WATCH_SUBPREFIX] = "subprefix",
	[WATCH_SQUAT] = "squat",	   [WATCH_PATH] = "path",
	[WATCH_VISIBILITY] = "visibility", [WATCH_FLAP] = "flap",
	[WATCH_NEXTHOP] = "nexthop",
};

#define BIT(t) ((uint16_t)(1u << (t)))
#define RULE_BITS (BIT(WATCH_VISIBILITY) | BIT(WATCH_FLAP) | BIT(WATCH_NEXTHOP))

void watch_init(struct watch *w, const struct watch_ops *ops, void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->ops = ops;
	w->ctx = ctx;
	list_init(&w->views);
	list_init(&w->alerts);
	list_init(&w->steers);
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

/* ---- steering ---- */

static bool uplink_anomalous(const struct watch *w, uint16_t rule, const char *uplink,
			     const struct watch_alert **first)
{
	const struct watch_alert *a;

	list_for_each_entry(a, &w->alerts, node) {
		if (a->rule == rule && (WATCH_STEER_MASK & (1u << a->type)) &&
		    strcmp(a->view->uplink, uplink) == 0) {
			if (first)
				*first = a;
			return true;
		}
	}
	return false;
}

static bool uplink_clean(const struct watch *w, uint16_t rule, const char *uplink)
{
	const struct watch_view *v;
	bool visible = false;

	list_for_each_entry(v, &w->views, node)
		if (!v->down && strcmp(v->uplink, uplink) == 0 && v->vr[rule].visible)
			visible = true;
	return visible && !uplink_anomalous(w, rule, uplink, NULL);
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
	struct watch_steer *s, *n;
	struct watch_view *v, *o;
	char reason[WATCH_ID_MAX + 160];

	/* start: an anomalous uplink while another one's view is clean */
	list_for_each_entry(v, &w->views, node) {
		const struct watch_alert *a = NULL;
		const char *clean = NULL;

		if (!r || (!r->tunnel[0] && !r->route) || !v->uplink[0] ||
		    steer_find(w, rule, v->uplink))
			continue;
		if (!uplink_anomalous(w, rule, v->uplink, &a))
			continue;
		list_for_each_entry(o, &w->views, node)
			if (o->uplink[0] && strcmp(o->uplink, v->uplink) &&
			    uplink_clean(w, rule, o->uplink))
				clean = o->uplink;
		if (!clean)
			continue;
		s = calloc(1, sizeof(*s));
		if (!s)
			return;
		s->rule = rule;
		snprintf(s->uplink, sizeof(s->uplink), "%s", v->uplink);
		snprintf(s->tunnel, sizeof(s->tunnel), "%s", r->tunnel);
		snprintf(s->via, sizeof(s->via), "%s", clean);
		s->route = r->route;
		s->prefix = r->prefix;
		list_add_tail(&s->node, &w->steers);
		snprintf(reason, sizeof(reason), "%s; %s's view of the prefix is clean", a->id,
			 clean);
		if (w->ops && w->ops->steer)
			w->ops->steer(w->ctx, s, true, reason, now_ms);
	}
	/* end: no longer anomalous, or no clean view left to go to */
	list_for_each_entry_safe(s, n, &w->steers, node) {
		const char *clean = NULL;
		bool via_clean = false;

		if (s->rule != rule)
			continue;
		if (r && strcmp(r->tunnel, s->tunnel) == 0 && r->route == s->route &&
		    uplink_anomalous(w, rule, s->uplink, NULL)) {
			list_for_each_entry(o, &w->views, node) {
				if (!o->uplink[0] || !strcmp(o->uplink, s->uplink) ||
				    !uplink_clean(w, rule, o->uplink))
					continue;
				clean = o->uplink;
				if (strcmp(o->uplink, s->via) == 0)
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
			 uplink_anomalous(w, rule, s->uplink, NULL) ?
			 "no carrier's view is clean any more" : "the anomaly is over");
		list_del(&s->node);
		if (w->ops && w->ops->steer)
			w->ops->steer(w->ctx, s, false, reason, now_ms);
		free(s);
	}
}

/* ---- alerts ---- */

static struct watch_alert *alert_find(struct watch *w, const struct watch_view *v,
				      enum watch_type t, const struct bgp_prefix *p)
{
	struct watch_alert *a;

	list_for_each_entry(a, &w->alerts, node)
		if (a->view == v && a->type == t && bgp_prefix_equal(&a->prefix, p))
			return a;
	return NULL;
}

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

static void alert_raise(struct watch *w, struct watch_view *v, enum watch_type t,
			const struct bgp_prefix *p, uint16_t rule, const struct watch_route *rt,
			uint64_t now_ms)
{
	struct watch_alert *a = alert_find(w, v, t, p);
	char pfx[64], reason[512];

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
	a = calloc(1, sizeof(*a));
	if (!a)
		return;
	a->type = t;
	a->prefix = *p;
	a->rule = rule;
	a->view = v;
	a->refs = 1;
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
	list_add_tail(&a->node, &w->alerts);
	alert_reason(w, a, v, reason, sizeof(reason));
	if (w->ops && w->ops->alert)
		w->ops->alert(w->ctx, a, "raised", reason, now_ms);
	steer_eval(w, rule, now_ms);
}

/* Release one hold on an alert; the last one clears it. */
static void alert_drop(struct watch *w, struct watch_view *v, enum watch_type t,
		       const struct bgp_prefix *p, const char *why, uint64_t now_ms)
{
	struct watch_alert *a = alert_find(w, v, t, p);
	char reason[WATCH_ID_MAX + 200];
	uint16_t rule;

	if (!a || --a->refs > 0)
		return;
	rule = a->rule;
	list_del(&a->node);
	snprintf(reason, sizeof(reason), "%s: %s", a->id, why);
	if (w->ops && w->ops->alert)
		w->ops->alert(w->ctx, a, "cleared", reason, now_ms);
	free(a);
	steer_eval(w, rule, now_ms);
}

/* Route-level bits: drop the ones gone, raise the new ones, refresh the rest. */
static void route_bits_set(struct watch *w, struct watch_view *v, struct watch_route *rt,
			   uint16_t bits, const char *why, uint64_t now_ms)
{
	uint16_t old = rt->bits;
	int t;

	rt->bits = bits;
	for (t = 0; t < WATCH_TYPE_MAX; t++) {
		if ((old & BIT(t)) && !(bits & BIT(t))) {
			alert_drop(w, v, (enum watch_type)t, &rt->prefix, why, now_ms);
		} else if (bits & BIT(t)) {
			struct watch_alert *a = alert_find(w, v, (enum watch_type)t, &rt->prefix);

			if (old & BIT(t)) {
				/* still there: refresh without taking another hold */
				if (a) {
					a->last_seen_ms = now_ms;
					a->rule = rt->rule;
					a->has_origin = rt->has_origin;
					a->origin_as = rt->origin_as;
					snprintf(a->path, sizeof(a->path), "%s", rt->path);
				}
			} else {
				alert_raise(w, v, (enum watch_type)t, &rt->prefix, rt->rule, rt,
					    now_ms);
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

static struct watch_route *route_find(struct watch_view *v, const struct bgp_prefix *p,
				      uint32_t path_id)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (v->routes[i].path_id == path_id && bgp_prefix_equal(&v->routes[i].prefix, p))
			return &v->routes[i];
	return NULL;
}

static void route_remove(struct watch *w, struct watch_view *v, struct watch_route *rt,
			 const char *why, uint64_t now_ms)
{
	route_bits_set(w, v, rt, 0, why, now_ms);
	*rt = v->routes[--v->n];
	w->routes_kept--;
}

/* Exact prefix present in v for rule? Visibility alerts follow it. */
static void visibility_eval(struct watch *w, struct watch_view *v, uint16_t rule,
			    uint64_t now_ms)
{
	struct watch_vrule *vr = &v->vr[rule];
	bool vis = false;
	size_t i;

	for (i = 0; i < v->n && !vis; i++)
		vis = v->routes[i].rule == rule &&
		      bgp_prefix_equal(&v->routes[i].prefix, &w->rules[rule].prefix);
	if (vis == vr->visible)
		return;
	vr->visible = vis;
	if (vis) {
		vr->seen = true;
		rule_alert(w, v, rule, WATCH_VISIBILITY, false, "announced again", now_ms);
	} else if (vr->seen) {
		rule_alert(w, v, rule, WATCH_VISIBILITY, true, NULL, now_ms);
	}
	steer_eval(w, rule, now_ms);
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
	rt = route_find(v, &r->prefix, path_id);
	flap_count(w, v, (uint16_t)rule, now_ms);
	if (!announce) {
		if (rt)
			route_remove(w, v, rt, r->treat_as_withdraw ?
				     "withdrawn (malformed UPDATE treated as withdraw)" : "withdrawn",
				     now_ms);
		visibility_eval(w, v, (uint16_t)rule, now_ms);
		return;
	}
	if (!rt) {
		if (v->n >= w->par.max_routes) {
			v->dropped++;
			return;
		}
		if (v->n == v->cap) {
			size_t cap = v->cap ? v->cap * 2 : 8;
			struct watch_route *n = realloc(v->routes, cap * sizeof(*n));

			if (!n) {
				v->dropped++;
				return;
			}
			v->routes = n;
			v->cap = cap;
		}
		rt = &v->routes[v->n++];
		memset(rt, 0, sizeof(*rt));
		rt->prefix = r->prefix;
		rt->path_id = path_id;
		w->routes_kept++;
	}
	rt->rule = (uint16_t)rule;
	rt->has_origin = r->path->has_origin_as;
	rt->origin_as = r->path->origin_as;
	path_text(r->path, rt->path, sizeof(rt->path));
	rt->has_up = path_upstream(r->path, &rt->upstream);
	if (bgp_prefix_equal(&r->prefix, &w->rules[rule].prefix) && r->path->nexthop.afi) {
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
	snprintf(v->peer, sizeof(v->peer), "%s", peer);
	snprintf(v->uplink, sizeof(v->uplink), "%s", uplink ? uplink : "");
	list_add_tail(&v->node, &w->views);
	return v;
}

static void view_clear_alerts(struct watch *w, struct watch_view *v, const char *why,
			      uint64_t now_ms)
{
	struct watch_alert *a, *n;
	size_t i;

	list_for_each_entry_safe(a, n, &w->alerts, node) {
		char reason[WATCH_ID_MAX + 200];

		if (a->view != v)
			continue;
		list_del(&a->node);
		snprintf(reason, sizeof(reason), "%s: %s", a->id, why);
		if (w->ops && w->ops->alert)
			w->ops->alert(w->ctx, a, "cleared", reason, now_ms);
		free(a);
	}
	for (i = 0; i < v->n; i++)
		v->routes[i].bits = 0;
	for (i = 0; i < w->nrules; i++)
		v->vr[i].bits = 0;
}

static void steer_eval_all(struct watch *w, uint64_t now_ms)
{
	struct watch_steer *s, *n;
	size_t i;

	for (i = 0; i < w->nrules; i++)
		steer_eval(w, (uint16_t)i, now_ms);
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

	while (v->n)
		route_remove(w, v, &v->routes[v->n - 1], "peer down", now_ms);
	v->down = true;
	for (i = 0; i < w->nrules; i++)
		visibility_eval(w, v, (uint16_t)i, now_ms);
}

void watch_view_remove(struct watch_view *v, const char *why, uint64_t now_ms)
{
	struct watch *w = v->w;

	view_clear_alerts(w, v, why, now_ms);
	w->routes_kept -= v->n;
	list_del(&v->node);
	free(v->routes);
	free(v->vr);
	free(v);
	steer_eval_all(w, now_ms);
}

/* Rules changed (or the view's uplink): every kept route is judged again. */
static void view_rejudge(struct watch *w, struct watch_view *v, uint64_t now_ms)
{
	size_t i = 0;

	while (i < v->n) {
		struct watch_route *rt = &v->routes[i];
		int rule = watch_rule_find(w, &rt->prefix);
		uint16_t bits;

		if (rule < 0) {
			route_remove(w, v, rt, "no longer watched", now_ms);
			continue;
		}
		rt->rule = (uint16_t)rule;
		bits = judge(&w->rules[rule], rt);
		route_bits_set(w, v, rt, bits, "allowed by the new configuration", now_ms);
		i++;
	}
	for (i = 0; i < w->nrules; i++)
		visibility_eval(w, v, (uint16_t)i, now_ms);
}

int watch_set_rules(struct watch *w, const struct watch_rule *rules, size_t n,
		    const struct watch_params *par, uint64_t now_ms)
{
	struct watch_rule *nr = calloc(n ? n : 1, sizeof(*nr));
	struct watch_view *v;
	struct watch_alert *a, *an;
	struct watch_vrule **vrs;
	struct watch_steer *s;
	size_t i, j, k, nviews = 0;

	if (!nr)
		return -ENOMEM;
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
		free(nr);
		return -ENOMEM;
	}
	k = 0;
	list_for_each_entry(v, &w->views, node) {
		struct watch_vrule *vr = vrs[k++];

		for (i = 0; i < n; i++)
			for (j = 0; j < w->nrules; j++)
				if (bgp_prefix_equal(&nr[i].prefix, &w->rules[j].prefix))
					vr[i] = v->vr[j];
		/* rule-level alerts of rules that are gone */
		list_for_each_entry_safe(a, an, &w->alerts, node) {
			bool keep = false;

			if (a->view != v || !(RULE_BITS & BIT(a->type)))
				continue;
			for (i = 0; i < n && !keep; i++)
				if (bgp_prefix_equal(&nr[i].prefix, &w->rules[a->rule].prefix)) {
					a->rule = (uint16_t)i;
					keep = true;
				}
			if (!keep) {
				char reason[WATCH_ID_MAX + 40];

				list_del(&a->node);
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
		s->rule = to == (size_t)-1 ? UINT16_MAX : (uint16_t)to;
	}
	free(w->rules);
	w->rules = nr;
	w->nrules = n;
	w->par = *par;
	/* route-level alerts point at the new rules before anything is re-judged */
	list_for_each_entry(a, &w->alerts, node) {
		int r = watch_rule_find(w, &a->prefix);

		if (!(RULE_BITS & BIT(a->type)))
			a->rule = r < 0 ? UINT16_MAX : (uint16_t)r;
	}
	if (!w->par.max_routes)
		w->par.max_routes = 1;
	list_for_each_entry(v, &w->views, node)
		view_rejudge(w, v, now_ms);
	steer_eval_all(w, now_ms);
	return 0;
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
	struct watch_steer *s, *sn;

	list_for_each_entry_safe(a, an, &w->alerts, node)
		free(a);
	list_for_each_entry_safe(v, vn, &w->views, node) {
		free(v->routes);
		free(v->vr);
		free(v);
	}
	list_for_each_entry_safe(s, sn, &w->steers, node)
		free(s);
	free(w->rules);
	list_init(&w->alerts);
	list_init(&w->views);
	list_init(&w->steers);
	w->rules = NULL;
	w->nrules = 0;
}
