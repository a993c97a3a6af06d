// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The BGP monitor's detection engine (watch.c), BMP station (station.c) and
 * MRT replay (replay.c) without sockets: every alert type raised and cleared,
 * legitimate changes silent, steering only when another carrier's view is
 * clean, ADD-PATH holds, acks, rule reloads, peer down; the station on a
 * stream cut at every byte, broken framing with its offset, a malformed
 * UPDATE treated as withdraw without losing the session; a gobgpd MRT dump;
 * a TABLE_DUMP (version 1) dump; a replay stopped by a pending SIGINT/SIGTERM.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-bgp/replay.h"
#include "../../plugins/monitor-bgp/station.h"
#include "../../plugins/monitor-bgp/watch.h"
#include "bgp_lab_capture.h"
#include "mrt_table_dump_v1.h"
#include "wire_build.h"

struct rec {
	char log[64][256];
	size_t n;
};

static void on_alert(void *ctx, const struct watch_alert *a, const char *what,
		     const char *reason, uint64_t now_ms)
{
	struct rec *r = ctx;

	(void)reason;
	(void)now_ms;
	if (r->n < 64)
		snprintf(r->log[r->n++], sizeof(r->log[0]), "%s %s", what, a->id);
}

static void on_steer(void *ctx, const struct watch_steer *s, bool avoid, const char *reason,
		     uint64_t now_ms)
{
	struct rec *r = ctx;

	(void)reason;
	(void)now_ms;
	if (r->n < 64)
		snprintf(r->log[r->n++], sizeof(r->log[0]), "steer %s%s %s %s", s->tunnel,
			 s->route ? "+route" : "", avoid ? "avoid" : "clear", s->uplink);
}

static const struct watch_ops ops = { .alert = on_alert, .steer = on_steer };

struct fx {
	struct watch w;
	struct rec rec;
	struct watch_view *v1, *v2;
	int owner;
};

static bool logged(const struct rec *r, const char *s)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcmp(r->log[i], s) == 0)
			return true;
	return false;
}

static const struct watch_params par = { .flap_max = 5, .flap_window_s = 60,
					 .nexthop_hold_s = 30, .max_routes = 100 };

static void rule(struct watch_rule *r, const char *pfx, uint32_t origin, uint32_t up1,
		 uint32_t up2, bool ms, const char *tunnel)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(bgp_prefix_parse(pfx, &r->prefix), 0);
	if (origin) {
		r->origin_as[0] = origin;
		r->n_origin = 1;
	}
	if (up1) {
		r->upstream_as[0] = up1;
		r->upstream_as[1] = up2;
		r->n_upstream = 2;
	}
	r->more_specifics = ms;
	snprintf(r->tunnel, sizeof(r->tunnel), "%s", tunnel);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct watch_rule r[2];

	if (!f)
		return -1;
	watch_init(&f->w, &ops, &f->rec);
	rule(&r[0], "203.0.113.0/24", 64500, 64510, 64511, false, "hq");
	rule(&r[1], "2001:db8:100::/48", 64500, 0, 0, true, "");
	if (watch_set_rules(&f->w, r, 2, &par, 1000) < 0)
		return -1;
	f->v1 = watch_view_get(&f->w, &f->owner, "100.64.1.1", "isp1");
	f->v2 = watch_view_get(&f->w, &f->owner, "100.64.2.1", "isp2");
	*state = f;
	return f->v1 && f->v2 ? 0 : -1;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	watch_destroy(&f->w);
	free(f);
	return 0;
}

/* announce pfx with the path "a b c ..." (0-terminated) and next hop nh */
static void ann_id(struct fx *f, struct watch_view *v, const char *pfx, uint32_t path_id,
		   uint8_t nh, uint64_t now, ...)
{
	struct bgp_path p = { .origin = BGP_ORIGIN_IGP };
	struct bgp_route r = { .action = BGP_ANNOUNCE, .path = &p };
	va_list ap;
	uint32_t as;

	assert_int_equal(bgp_prefix_parse(pfx, &r.prefix), 0);
	r.has_path_id = path_id != 0;
	r.path_id = path_id;
	va_start(ap, now);
	while ((as = va_arg(ap, uint32_t)) != 0)
		p.as_path[p.as_path_n++] = as;
	va_end(ap);
	p.as_path_len = p.as_path_n;
	if (p.as_path_n) {
		p.has_origin_as = p.has_first_as = true;
		p.origin_as = p.as_path[p.as_path_n - 1];
		p.first_as = p.as_path[0];
	}
	p.nexthop.afi = r.prefix.afi;
	p.nexthop.addr[0] = 100;
	p.nexthop.addr[3] = nh;
	watch_route(&f->w, v, &r, now);
}

#define ann(f, v, pfx, now, ...) ann_id(f, v, pfx, 0, 1, now, __VA_ARGS__, 0u)

static void wd_id(struct fx *f, struct watch_view *v, const char *pfx, uint32_t path_id,
		  bool taw, uint64_t now)
{
	struct bgp_route r = { .action = taw ? BGP_ANNOUNCE : BGP_WITHDRAW,
			       .treat_as_withdraw = taw };

	assert_int_equal(bgp_prefix_parse(pfx, &r.prefix), 0);
	r.has_path_id = path_id != 0;
	r.path_id = path_id;
	watch_route(&f->w, v, &r, now);
}

static const struct watch_alert *alert(struct fx *f, const char *id)
{
	const struct watch_alert *a;

	list_for_each_entry(a, &f->w.alerts, node)
		if (strcmp(a->id, id) == 0)
			return a;
	return NULL;
}

static size_t nalerts(struct fx *f)
{
	const struct watch_alert *a;
	size_t n = 0;

	list_for_each_entry(a, &f->w.alerts, node)
		n++;
	return n;
}

static void test_clean_and_legit_change(void **state)
{
	struct fx *f = *state;

	ann(f, f->v1, "203.0.113.0/24", 2000, 65001u, 64510u, 64500u);
	ann(f, f->v2, "203.0.113.0/24", 2000, 65002u, 64511u, 64500u);
	/* another allowed upstream, prepending, a path straight from the carrier */
	ann(f, f->v1, "203.0.113.0/24", 3000, 65001u, 64511u, 64511u, 64500u, 64500u);
	ann(f, f->v2, "203.0.113.0/24", 3000, 65002u, 64500u);
	ann(f, f->v1, "198.51.100.0/24", 3000, 65001u, 64666u); /* not watched */
	assert_int_equal(nalerts(f), 0);
	assert_int_equal(f->rec.n, 0);
	assert_int_equal(f->w.routes_kept, 2);
}

static void test_hijack_steers_and_clears(void **state)
{
	struct fx *f = *state;
	const struct watch_alert *a;

	ann(f, f->v1, "203.0.113.0/24", 2000, 65001u, 64510u, 64500u);
	ann(f, f->v2, "203.0.113.0/24", 2000, 65002u, 64510u, 64500u);
	ann(f, f->v1, "203.0.113.0/24", 5000, 65001u, 64666u);
	a = alert(f, "hijack:203.0.113.0/24:isp1");
	assert_non_null(a);
	assert_string_equal(a->peer, "100.64.1.1");
	assert_string_equal(a->uplink, "isp1");
	assert_true(a->has_origin);
	assert_int_equal(a->origin_as, 64666);
	assert_string_equal(a->path, "65001 64666");
	assert_int_equal(a->since_ms, 5000);
	assert_true(logged(&f->rec, "raised hijack:203.0.113.0/24:isp1"));
	assert_true(logged(&f->rec, "steer hq avoid isp1"));
	ann(f, f->v1, "203.0.113.0/24", 6000, 65001u, 64666u);
	assert_int_equal(alert(f, "hijack:203.0.113.0/24:isp1")->last_seen_ms, 6000);
	assert_int_equal(alert(f, "hijack:203.0.113.0/24:isp1")->since_ms, 5000);
	ann(f, f->v1, "203.0.113.0/24", 7000, 65001u, 64510u, 64500u);
	assert_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	assert_true(logged(&f->rec, "cleared hijack:203.0.113.0/24:isp1"));
	assert_true(logged(&f->rec, "steer hq clear isp1"));
}

static void test_no_steer_without_clean_view(void **state)
{
	struct fx *f = *state;

	ann(f, f->v1, "203.0.113.0/24", 2000, 65001u, 64666u);
	ann(f, f->v2, "203.0.113.0/24", 2000, 65002u, 64666u);
	assert_int_equal(nalerts(f), 2);
	assert_false(logged(&f->rec, "steer hq avoid isp1"));
	assert_false(logged(&f->rec, "steer hq avoid isp2"));
	/* isp2 recovers: now isp1 is avoided */
	ann(f, f->v2, "203.0.113.0/24", 3000, 65002u, 64510u, 64500u);
	assert_true(logged(&f->rec, "steer hq avoid isp1"));
	/* isp2 goes bad again: no clean view left, steering ends */
	ann(f, f->v2, "203.0.113.0/24", 4000, 65002u, 64666u);
	assert_true(logged(&f->rec, "steer hq clear isp1"));
}

static void test_subprefix_squat_path(void **state)
{
	struct fx *f = *state;
	struct watch_rule r[3];

	ann(f, f->v1, "203.0.113.128/25", 2000, 65001u, 64510u, 64500u);
	assert_non_null(alert(f, "subprefix:203.0.113.128/25:isp1"));
	wd_id(f, f->v1, "203.0.113.128/25", 0, false, 2500);
	assert_null(alert(f, "subprefix:203.0.113.128/25:isp1"));
	/* IPv6 rule takes more-specifics judged by origin */
	ann(f, f->v1, "2001:db8:100:1::/64", 2600, 65001u, 64500u);
	assert_int_equal(nalerts(f), 0);
	ann(f, f->v1, "2001:db8:100:2::/64", 2700, 65001u, 64666u);
	assert_non_null(alert(f, "hijack:2001:db8:100:2::/64:isp1"));
	/* unexpected upstream */
	ann(f, f->v1, "203.0.113.0/24", 3000, 65001u, 64999u, 64500u);
	assert_non_null(alert(f, "path:203.0.113.0/24:isp1"));
	/* squatting: a rule with no origin at all */
	rule(&r[0], "203.0.113.0/24", 64500, 64510, 64511, false, "hq");
	rule(&r[1], "2001:db8:100::/48", 64500, 0, 0, true, "");
	rule(&r[2], "192.0.2.0/24", 0, 0, 0, false, "");
	assert_int_equal(watch_set_rules(&f->w, r, 3, &par, 4000), 0);
	ann(f, f->v2, "192.0.2.0/24", 4000, 65002u, 64500u);
	assert_non_null(alert(f, "squat:192.0.2.0/24:isp2"));
	/* the path alert survived the reload (same rule) */
	assert_non_null(alert(f, "path:203.0.113.0/24:isp1"));
}

static void test_visibility_and_taw(void **state)
{
	struct fx *f = *state;

	wd_id(f, f->v1, "203.0.113.0/24", 0, false, 1500); /* never seen: nothing */
	assert_int_equal(nalerts(f), 0);
	ann(f, f->v1, "203.0.113.0/24", 2000, 65001u, 64510u, 64500u);
	ann(f, f->v2, "203.0.113.0/24", 2000, 65002u, 64510u, 64500u);
	wd_id(f, f->v2, "203.0.113.0/24", 0, true, 3000); /* treat-as-withdraw */
	assert_non_null(alert(f, "visibility:203.0.113.0/24:isp2"));
	assert_true(logged(&f->rec, "steer hq avoid isp2"));
	ann(f, f->v2, "203.0.113.0/24", 4000, 65002u, 64510u, 64500u);
	assert_null(alert(f, "visibility:203.0.113.0/24:isp2"));
	assert_true(logged(&f->rec, "steer hq clear isp2"));
	/* peer down withdraws everything; removal of the feed clears silently */
	watch_view_down(f->v1, 5000);
	assert_non_null(alert(f, "visibility:203.0.113.0/24:isp1"));
	watch_view_remove(f->v1, "BMP session closed", 6000);
	f->v1 = NULL;
	assert_int_equal(nalerts(f), 0);
	assert_true(logged(&f->rec, "steer hq clear isp1"));
}

static void test_flap_and_nexthop(void **state)
{
	struct fx *f = *state;
	uint64_t t;

	for (t = 0; t < 6; t++)
		ann(f, f->v1, "203.0.113.0/24", 2000 + t, 65001u, 64510u, 64500u);
	assert_non_null(alert(f, "flap:203.0.113.0/24:isp1"));
	watch_tick(&f->w, 30000);
	assert_non_null(alert(f, "flap:203.0.113.0/24:isp1"));
	watch_tick(&f->w, 70000);
	assert_null(alert(f, "flap:203.0.113.0/24:isp1"));
	ann_id(f, f->v1, "203.0.113.0/24", 0, 2, 80000, 65001u, 64510u, 64500u, 0u);
	assert_non_null(alert(f, "nexthop:203.0.113.0/24:isp1"));
	watch_tick(&f->w, 100000);
	assert_non_null(alert(f, "nexthop:203.0.113.0/24:isp1"));
	watch_tick(&f->w, 111000);
	assert_null(alert(f, "nexthop:203.0.113.0/24:isp1"));
}

static void test_addpath_and_ack(void **state)
{
	struct fx *f = *state;

	ann_id(f, f->v1, "203.0.113.0/24", 1, 1, 2000, 65001u, 64666u, 0u);
	ann_id(f, f->v1, "203.0.113.0/24", 2, 1, 2000, 65001u, 64777u, 0u);
	assert_int_equal(nalerts(f), 1);
	assert_int_equal(watch_ack(&f->w, "hijack:203.0.113.0/24:isp1", 2100), 0);
	assert_true(alert(f, "hijack:203.0.113.0/24:isp1")->acked);
	assert_true(logged(&f->rec, "acked hijack:203.0.113.0/24:isp1"));
	assert_int_equal(watch_ack(&f->w, "hijack:nope", 2100), -ENOENT);
	wd_id(f, f->v1, "203.0.113.0/24", 1, false, 3000);
	assert_non_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	wd_id(f, f->v1, "203.0.113.0/24", 2, false, 3000);
	assert_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	/* a withdrawal after an announce of the same prefix: visibility */
	assert_non_null(alert(f, "visibility:203.0.113.0/24:isp1"));
}

static void test_rules_reload(void **state)
{
	struct fx *f = *state;
	struct watch_rule r[1];

	ann(f, f->v1, "203.0.113.0/24", 2000, 65001u, 64510u, 64666u);
	ann(f, f->v1, "2001:db8:100::/48", 2000, 65001u, 64666u);
	assert_int_equal(nalerts(f), 2);
	/* 64666 becomes an allowed origin; the IPv6 watch goes */
	rule(&r[0], "203.0.113.0/24", 64666, 0, 0, false, "hq");
	assert_int_equal(watch_set_rules(&f->w, r, 1, &par, 3000), 0);
	assert_int_equal(nalerts(f), 0);
	assert_int_equal(f->w.routes_kept, 1);
	/* a peer mapped to another uplink: its alerts move to the new name */
	ann(f, f->v1, "203.0.113.0/24", 4000, 65001u, 64500u);
	assert_non_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	watch_view_set_uplink(f->v1, "isp3", 5000);
	assert_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	assert_non_null(alert(f, "hijack:203.0.113.0/24:isp3"));
}

static void test_max_routes(void **state)
{
	struct fx *f = *state;
	char p[64];
	int i;

	for (i = 0; i < 130; i++) {
		snprintf(p, sizeof(p), "2001:db8:100:%x::/64", i);
		ann(f, f->v1, p, 2000, 65001u, 64500u);
	}
	assert_int_equal(f->v1->n, 100);
	assert_int_equal(f->v1->dropped, 30);
	/* the bound is one for all views together */
	for (i = 0; i < 10; i++) {
		snprintf(p, sizeof(p), "2001:db8:100:%x::/64", 0x200 + i);
		ann(f, f->v2, p, 2000, 65002u, 64500u);
	}
	assert_int_equal(f->v2->n, 0);
	assert_int_equal(f->v2->dropped, 10);
	assert_int_equal(f->w.routes_dropped, 40);
	/* withdrawals make room again */
	wd_id(f, f->v1, "2001:db8:100:0::/64", 0, false, 2100);
	ann(f, f->v2, "2001:db8:100:200::/64", 2200, 65002u, 64500u);
	assert_int_equal(f->v2->n, 1);
}

/* A flood of more-specifics fills max_routes and max_alerts; a hijack of the watched
 * prefix itself is still kept, alerted and steered on, and the flood's own anomaly
 * still counts for steering although most of its alerts are not kept. */
static void test_flood_keeps_exact(void **state)
{
	struct fx *f = *state;
	struct watch_params p = par;
	struct watch_rule r[2];
	char pfx[64];
	int i;

	rule(&r[0], "203.0.113.0/24", 64500, 64510, 64511, false, "hq");
	rule(&r[1], "2001:db8:100::/48", 64500, 0, 0, false, "");
	p.max_alerts = 20;
	p.flap_max = 0;
	assert_int_equal(watch_set_rules(&f->w, r, 2, &p, 1000), 0);
	ann(f, f->v2, "203.0.113.0/24", 2000, 65002u, 64510u, 64500u);
	ann(f, f->v2, "2001:db8:100::/48", 2000, 65002u, 64500u);
	for (i = 0; i < 300; i++) {
		snprintf(pfx, sizeof(pfx), "2001:db8:100:%x::/64", i);
		ann(f, f->v1, pfx, 3000, 65001u, 64500u);
	}
	assert_int_equal(f->w.routes_ms, 100);
	assert_int_equal(f->w.alerts_ms, 20);
	assert_int_equal(f->w.alerts_dropped, 80);
	assert_int_equal(nalerts(f), 20);
	/* the exact prefix, new in this view: kept, alerted and steered on */
	ann(f, f->v1, "203.0.113.0/24", 4000, 65001u, 64666u);
	assert_non_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	assert_true(logged(&f->rec, "steer hq avoid isp1"));
	/* ADD-PATH copies of the exact prefix are bounded per view too */
	for (i = 1; i <= 40; i++)
		ann_id(f, f->v2, "203.0.113.0/24", (uint32_t)i, 1, 5000, 65002u, 64510u, 64500u,
		       0u);
	assert_int_equal(f->v2->vr[0].exact, WATCH_EXACT_PATHS);
	/* the more-specific flood ends: every kept alert clears, counts back to zero */
	for (i = 0; i < 300; i++) {
		snprintf(pfx, sizeof(pfx), "2001:db8:100:%x::/64", i);
		wd_id(f, f->v1, pfx, 0, false, 6000);
	}
	assert_int_equal(f->w.routes_ms, 0);
	assert_int_equal(f->w.alerts_ms, 0);
	assert_int_equal(f->v1->vr[1].anom, 0);
	assert_int_equal(nalerts(f), 1);
}

/* Steering is judged once per batch (a BMP read), not once per alert. */
static void test_batch_steer(void **state)
{
	struct fx *f = *state;
	size_t n;

	ann(f, f->v1, "203.0.113.0/24", 2000, 65001u, 64510u, 64500u);
	ann(f, f->v2, "203.0.113.0/24", 2000, 65002u, 64510u, 64500u);
	watch_batch_begin(&f->w);
	ann(f, f->v1, "203.0.113.0/24", 3000, 65001u, 64666u);
	assert_false(logged(&f->rec, "steer hq avoid isp1"));
	ann(f, f->v1, "203.0.113.0/24", 3000, 65001u, 64510u, 64500u);
	ann(f, f->v1, "203.0.113.0/24", 3000, 65001u, 64666u);
	n = f->rec.n;
	watch_batch_end(&f->w, 3000);
	assert_int_equal(f->rec.n, n + 1);
	assert_true(logged(&f->rec, "steer hq avoid isp1"));
}

static void test_route_steer_via(void **state)
{
	struct fx *f = *state;
	struct watch_rule r[1];
	struct watch_view *v3 = watch_view_get(&f->w, &f->owner, "100.64.3.1", "isp3");
	const struct watch_steer *s;

	assert_non_null(v3);
	rule(&r[0], "203.0.113.0/24", 64500, 0, 0, false, "");
	r[0].route = true;
	assert_int_equal(watch_set_rules(&f->w, r, 1, &par, 1000), 0);
	ann(f, f->v2, "203.0.113.0/24", 2000, 65002u, 64500u);
	ann(f, v3, "203.0.113.0/24", 2000, 65003u, 64500u);
	ann(f, f->v1, "203.0.113.0/24", 3000, 65001u, 64666u);
	assert_true(logged(&f->rec, "steer +route avoid isp1"));
	assert_false(list_empty(&f->w.steers));
	s = list_entry(f->w.steers.next, struct watch_steer, node);
	assert_true(s->route);
	assert_string_equal(s->uplink, "isp1");
	/* the clean view it goes to turns bad: steered to the other one, still avoiding isp1 */
	if (strcmp(s->via, "isp2") == 0) {
		ann(f, f->v2, "203.0.113.0/24", 4000, 65002u, 64777u);
		assert_string_equal(s->via, "isp3");
	} else {
		ann(f, v3, "203.0.113.0/24", 4000, 65003u, 64777u);
		assert_string_equal(s->via, "isp2");
	}
	assert_false(logged(&f->rec, "steer +route clear isp1"));
}

/* ---- the station ---- */

static void bmp_hdr(struct b *b, uint8_t type, size_t len)
{
	b8(b, 3);
	b32(b, (uint32_t)len);
	b8(b, type);
}

static void bmp_peer(struct b *b, const uint8_t ip[4], uint32_t as)
{
	static const uint8_t zero[12];

	b8(b, 0);		/* global */
	b8(b, 0);		/* pre-policy, 4-byte AS */
	bmem(b, zero, 8);	/* RD */
	bmem(b, zero, 12);
	bmem(b, ip, 4);
	b32(b, as);
	bmem(b, ip, 4);		/* BGP ID */
	b32(b, 0);
	b32(b, 0);
}

/* Route Monitoring: one UPDATE announcing 203.0.113.0/24 with `path`; bad: a 3-byte COMMUNITIES */
static void bmp_rm(struct b *b, const uint8_t ip[4], const uint32_t *path, size_t n, bool bad)
{
	struct b u = { .n = 0 };
	size_t i, attr_len = 4 + (3 + 2 + 4 * n) + 7 + (bad ? 6 : 0);

	for (i = 0; i < 16; i++)
		b8(&u, 0xff);
	b16(&u, (unsigned int)(19 + 2 + 2 + attr_len + 4));
	b8(&u, 2);
	b16(&u, 0);
	b16(&u, (unsigned int)attr_len);
	b8(&u, 0x40); b8(&u, 1); b8(&u, 1); b8(&u, 0);			/* ORIGIN igp */
	b8(&u, 0x40); b8(&u, 2); b8(&u, (unsigned int)(2 + 4 * n));	/* AS_PATH */
	b8(&u, 2); b8(&u, (unsigned int)n);
	for (i = 0; i < n; i++)
		b32(&u, path[i]);
	b8(&u, 0x40); b8(&u, 3); b8(&u, 4); bmem(&u, ip, 4);		/* NEXT_HOP */
	if (bad) {
		b8(&u, 0xc0); b8(&u, 8); b8(&u, 3); b8(&u, 1); b8(&u, 2); b8(&u, 3);
	}
	b8(&u, 24); b8(&u, 203); b8(&u, 0); b8(&u, 113);
	bmp_hdr(b, 0, 6 + 42 + u.n);
	bmp_peer(b, ip, 65001);
	bmem(b, u.d, u.n);
}

static void bmp_init(struct b *b)
{
	bmp_hdr(b, 4, 6 + 4 + 5 + 4 + 5);
	b16(b, 1); b16(b, 5); bmem(b, "descr", 5);
	b16(b, 2); b16(b, 5); bmem(b, "rtr-1", 5);
}

struct notes {
	unsigned int malformed;
};

static void st_note(void *ctx, struct bmp_router *r, const char *what, const char *text)
{
	struct notes *n = ctx;

	(void)r;
	(void)text;
	if (strcmp(what, "malformed-update") == 0)
		n->malformed++;
}

static const char *st_uplink(void *ctx, const char *peer)
{
	(void)ctx;
	return strcmp(peer, "100.64.1.1") == 0 ? "isp1" : NULL;
}

static const struct station_ops sops = { .uplink_of = st_uplink, .note = st_note };

static void test_station_stream(void **state)
{
	static const uint8_t ip1[4] = { 100, 64, 1, 1 };
	static const uint32_t good[] = { 65001, 64510, 64500 }, bad[] = { 65001, 64666 };
	struct fx *f = *state;
	struct notes notes = { 0 };
	struct bmp_router r;
	struct b s = { .n = 0 };
	size_t i;

	bmp_init(&s);
	bmp_rm(&s, ip1, good, 3, false);
	bmp_rm(&s, ip1, bad, 2, false);
	/* byte by byte: the same result as at once */
	station_router_init(&r, &f->w, &sops, &notes, "router test");
	for (i = 0; i < s.n; i++)
		assert_int_equal(station_input(&r, s.d + i, 1, 2000), 0);
	assert_string_equal(r.sys_name, "rtr-1");
	assert_int_equal(r.st.msgs, 3);
	assert_int_equal(r.st.updates, 2);
	assert_non_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	assert_string_equal(alert(f, "hijack:203.0.113.0/24:isp1")->peer, "100.64.1.1");
	/* malformed: treat-as-withdraw, a note, the session goes on */
	s.n = 0;
	bmp_rm(&s, ip1, bad, 2, true);
	assert_int_equal(station_input(&r, s.d, s.n, 3000), 0);
	assert_int_equal(notes.malformed, 1);
	assert_int_equal(r.st.malformed, 1);
	assert_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	assert_non_null(alert(f, "visibility:203.0.113.0/24:isp1"));
	s.n = 0;
	bmp_rm(&s, ip1, good, 3, false);
	assert_int_equal(station_input(&r, s.d, s.n, 4000), 0);
	assert_int_equal(nalerts(f), 0);
	/* broken framing: the offset in the stream is named */
	s.n = 0;
	b8(&s, 9);
	b32(&s, 100);
	assert_int_equal(station_input(&r, s.d, s.n, 5000), -EBADMSG);
	assert_non_null(strstr(r.error, "router test: broken BMP framing at stream byte "));
	{
		char want[64];

		snprintf(want, sizeof(want), "stream byte %llu:", (unsigned long long)r.stream_off);
		assert_non_null(strstr(r.error, want));
	}
	station_router_free(&r, "closed", 6000);
	assert_int_equal(nalerts(f), 0);
}

/* Before anything else, an Initiation; then views only for the peers bgp.peers lists,
 * one per address; a reload that drops a peer drops its view. */
static void test_station_peers_and_initiation(void **state)
{
	static const uint8_t ip1[4] = { 100, 64, 1, 1 }, ip9[4] = { 100, 64, 9, 9 };
	static const uint32_t bad[] = { 65001, 64666 };
	struct fx *f = *state;
	struct notes notes = { 0 };
	struct bmp_router r;
	struct b s = { .n = 0 };

	/* Route Monitoring before the Initiation: the session ends, nothing judged */
	bmp_rm(&s, ip1, bad, 2, false);
	station_router_init(&r, &f->w, &sops, &notes, "router early");
	assert_int_equal(station_input(&r, s.d, s.n, 1000), -EBADMSG);
	assert_non_null(strstr(r.error, "does not start with an Initiation message"));
	assert_int_equal(nalerts(f), 0);
	station_router_free(&r, "closed", 1000);

	/* a peer not in bgp.peers: counted and dropped, no view, no alert */
	s.n = 0;
	bmp_init(&s);
	bmp_rm(&s, ip9, bad, 2, false);
	bmp_rm(&s, ip9, bad, 2, false);
	station_router_init(&r, &f->w, &sops, &notes, "router test");
	assert_int_equal(station_input(&r, s.d, s.n, 2000), 0);
	assert_int_equal(r.npeers, 0);
	assert_int_equal(r.st.unknown_peer, 2);
	assert_int_equal(r.nnoted, 1); /* named once */
	assert_int_equal(nalerts(f), 0);
	/* a listed peer: a view; another instance (RD) of its address: dropped */
	s.n = 0;
	bmp_rm(&s, ip1, bad, 2, false);
	assert_int_equal(station_input(&r, s.d, s.n, 2000), 0);
	assert_int_equal(r.npeers, 1);
	assert_non_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	s.n = 0;
	bmp_rm(&s, ip1, bad, 2, false);
	s.d[6] = 1; /* peer type 1: an RD instance */
	s.d[8] = 7;
	assert_int_equal(station_input(&r, s.d, s.n, 2000), 0);
	assert_int_equal(r.npeers, 1);
	assert_int_equal(r.st.unknown_peer, 3);
	/* the peer leaves bgp.peers: its view and alert go */
	r.ops = &(const struct station_ops){ .note = st_note };
	station_router_remap(&r, "no longer in bgp.peers", 3000);
	assert_int_equal(r.npeers, 0);
	assert_int_equal(nalerts(f), 0);
	assert_true(logged(&f->rec, "cleared hijack:203.0.113.0/24:isp1"));
	station_router_free(&r, "closed", 4000);
}

static void test_station_big_message_bounded(void **state)
{
	struct fx *f = *state;
	struct bmp_router r;
	uint8_t *big = calloc(1, 300000);
	size_t avail;

	assert_non_null(big);
	station_router_init(&r, &f->w, &sops, NULL, "router big");
	{
		struct b s = { .n = 0 };

		bmp_init(&s);
		assert_int_equal(station_input(&r, s.d, s.n, 1000), 0);
	}
	/* an unknown type of 300000 bytes: skipped by length, buffer back to the minimum */
	big[0] = 3;
	big[1] = 0;
	big[2] = 0x04;
	big[3] = 0x93;
	big[4] = 0xe0;
	big[5] = 42;
	assert_int_equal(station_input(&r, big, 300000, 1000), 0);
	assert_int_equal(r.st.msgs, 2);
	assert_non_null(station_rx_buf(&r, &avail));
	assert_int_equal(r.cap, STATION_BUF_MIN);
	/* a length above 1 MiB is a framing error, before any allocation */
	big[1] = 0x10;
	assert_int_equal(station_input(&r, big, 6, 1000), -EBADMSG);
	station_router_free(&r, "closed", 2000);
	free(big);
}

/* gobgpd 3.10 MRT records (as in mrt_test.c): PEER_INDEX, a RIB entry 203.0.113.0/24
 * with path 65001 64500 64501 from 127.0.0.1 */
static const uint8_t gobgp_peer_index[] = {
	0x6b, 0x03, 0xf2, 0xf5, 0x00, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x22,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc0, 0x00,
	0x02, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0xfd, 0xe9,
};
static const uint8_t gobgp_rib_v4_addpath[] = {
	0x6b, 0x03, 0xf2, 0xf5, 0x00, 0x0d, 0x00, 0x08, 0x00, 0x00, 0x00, 0x40,
	0x00, 0x00, 0x00, 0x00, 0x18, 0xcb, 0x00, 0x71, 0x00, 0x01, 0x00, 0x01,
	0x6b, 0x03, 0xf2, 0xc0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x2a, 0x40, 0x01,
	0x01, 0x00, 0x40, 0x02, 0x0e, 0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9, 0x00,
	0x00, 0xfb, 0xf4, 0x00, 0x00, 0xfb, 0xf5, 0x80, 0x04, 0x04, 0x00, 0x00,
	0x00, 0x0a, 0xc0, 0x08, 0x04, 0xff, 0xff, 0xff, 0x01, 0x40, 0x03, 0x04,
	0xc0, 0x00, 0x02, 0x01,
};

static const char *rp_uplink(void *ctx, const char *peer)
{
	(void)ctx;
	return strcmp(peer, "127.0.0.1") == 0 ? "isp1" : NULL;
}

static void test_replay(void **state)
{
	struct fx *f = *state;
	struct replay_stats st;
	uint8_t buf[sizeof(gobgp_peer_index) + sizeof(gobgp_rib_v4_addpath)];
	char err[128];
	uint8_t *copy;

	memcpy(buf, gobgp_peer_index, sizeof(gobgp_peer_index));
	memcpy(buf + sizeof(gobgp_peer_index), gobgp_rib_v4_addpath, sizeof(gobgp_rib_v4_addpath));
	copy = malloc(sizeof(buf));
	assert_non_null(copy);
	memcpy(copy, buf, sizeof(buf));
	assert_int_equal(replay_mrt(&f->w, f, copy, sizeof(buf), rp_uplink, NULL, &st, err,
				    sizeof(err)), 0);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.rib_entries, 1);
	assert_non_null(alert(f, "hijack:203.0.113.0/24:isp1"));
	assert_int_equal(alert(f, "hijack:203.0.113.0/24:isp1")->since_ms, 0x6b03f2f5ull * 1000);
	/* a RIB record alone: no peer table */
	assert_int_equal(replay_mrt(&f->w, f, copy + sizeof(gobgp_peer_index),
				    sizeof(gobgp_rib_v4_addpath), rp_uplink, NULL, &st, err,
				    sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "PEER_INDEX_TABLE"));
	/* truncated */
	assert_int_equal(replay_mrt(&f->w, f, copy, sizeof(buf) - 3, rp_uplink, NULL, &st, err,
				    sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "byte 54: MRT record overruns"));
	free(copy);
}

/* TABLE_DUMP (version 1), the RIB archives before 2008: each record names its peer */
static const char *td_uplink(void *ctx, const char *peer)
{
	(void)ctx;
	return strcmp(peer, "100.64.1.1") == 0 ? "isp1" : NULL;
}

static void test_replay_table_dump_v1(void **state)
{
	struct fx *f = *state;
	struct replay_stats st;
	uint8_t *copy = malloc(sizeof(td_v4) + sizeof(td_v6));
	char err[128];

	assert_non_null(copy);
	memcpy(copy, td_v4, sizeof(td_v4));
	memcpy(copy + sizeof(td_v4), td_v6, sizeof(td_v6));
	assert_int_equal(replay_mrt(&f->w, f, copy, sizeof(td_v4) + sizeof(td_v6), td_uplink,
				    NULL, &st, err, sizeof(err)), 0);
	assert_int_equal(st.records, 2);
	assert_int_equal(st.rib_entries, 2);
	assert_int_equal(st.skipped, 0);
	assert_int_equal(st.malformed, 0);
	/* 64510 64666 for 203.0.113.0/24 in isp1's view; 64510 64500 for the /48 is fine */
	assert_true(logged(&f->rec, "raised hijack:203.0.113.0/24:isp1"));
	assert_int_equal(alert(f, "hijack:203.0.113.0/24:isp1")->since_ms, 0x45000000ull * 1000);
	assert_int_equal(nalerts(f), 1);
	free(copy);
}

/* SIGINT or SIGTERM pending (main blocks them for its signalfd): the replay stops */
static void test_replay_interrupted(void **state)
{
	static const int sigs[] = { SIGINT, SIGTERM };
	static const char *const names[] = { "SIGINT", "SIGTERM" };
	struct fx *f = *state;
	struct replay_stats st;
	struct timespec zero = { 0, 0 };
	sigset_t set, old;
	uint8_t *copy = malloc(sizeof(td_v4));
	char err[128], want[64];
	size_t i;

	assert_non_null(copy);
	memcpy(copy, td_v4, sizeof(td_v4));
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &set, &old), 0);
	for (i = 0; i < 2; i++) {
		int r, pending;

		err[0] = '\0';
		assert_int_equal(raise(sigs[i]), 0);
		r = replay_mrt(&f->w, f, copy, sizeof(td_v4), td_uplink, NULL, &st, err,
			       sizeof(err));
		/* it stays pending for the caller, who says which one stopped it */
		pending = sigtimedwait(&set, NULL, &zero);
		assert_int_equal(pending, sigs[i]);
		assert_int_equal(r, -EINTR);
		snprintf(want, sizeof(want), "interrupted by %s after 0 records", names[i]);
		assert_string_equal(err, want);
		assert_int_equal(st.records, 0);
		assert_int_equal(nalerts(f), 0);
	}
	/* nothing pending: the whole dump */
	assert_int_equal(replay_mrt(&f->w, f, copy, sizeof(td_v4), td_uplink, NULL, &st, err,
				    sizeof(err)), 0);
	assert_int_equal(st.records, 1);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	free(copy);
}

/* Real bytes: gobgpd's BMP session from the lab, cut into 7-byte chunks, then its MRT dump. */
static const char *lab_uplink(void *ctx, const char *peer)
{
	(void)ctx;
	return strcmp(peer, "100.64.1.1") == 0 ? "isp1" :
	       strcmp(peer, "100.64.2.1") == 0 ? "isp2" :
	       strcmp(peer, "100.64.1.3") == 0 ? "" : NULL; /* listed, no uplink */
}

static void test_lab_capture(void **state)
{
	static const struct station_ops lops = { .uplink_of = lab_uplink, .note = st_note };
	struct fx *f = *state;
	struct notes notes = { 0 };
	struct replay_stats st;
	struct bmp_router r;
	char err[128];
	uint8_t *copy = malloc(lab_bmp_session_len > lab_updates_mrt_len ? lab_bmp_session_len :
									lab_updates_mrt_len);
	size_t off;

	assert_non_null(copy);
	memcpy(copy, lab_bmp_session, lab_bmp_session_len);
	station_router_init(&r, &f->w, &lops, &notes, "router lab");
	for (off = 0; off < lab_bmp_session_len; off += 7)
		assert_int_equal(station_input(&r, copy + off, lab_bmp_session_len - off < 7 ?
						       lab_bmp_session_len - off : 7, 2000), 0);
	assert_string_equal(r.sys_name, "GoBGP");
	assert_int_equal(r.npeers, 3);
	assert_int_equal(notes.malformed, 1);
	assert_false(logged(&f->rec, "raised path:203.0.113.0/24:isp1")); /* 64511: allowed */
	assert_true(logged(&f->rec, "raised hijack:203.0.113.0/24:isp1"));
	assert_true(logged(&f->rec, "steer hq avoid isp1"));
	assert_true(logged(&f->rec, "raised subprefix:203.0.113.128/25:isp1"));
	assert_true(logged(&f->rec, "cleared subprefix:203.0.113.128/25:isp1"));
	assert_true(logged(&f->rec, "raised visibility:203.0.113.0/24:isp2"));
	assert_true(logged(&f->rec, "raised visibility:203.0.113.0/24:100.64.1.3"));
	/* isp1 disabled at the end: Peer Down withdraws its hijacked route */
	assert_true(logged(&f->rec, "cleared hijack:203.0.113.0/24:isp1"));
	assert_non_null(alert(f, "visibility:203.0.113.0/24:isp1"));
	station_router_free(&r, "closed", 3000);
	assert_int_equal(nalerts(f), 0);

	f->rec.n = 0;
	memcpy(copy, lab_updates_mrt, lab_updates_mrt_len);
	assert_int_equal(replay_mrt(&f->w, f, copy, lab_updates_mrt_len, lab_uplink, NULL, &st,
				    err, sizeof(err)), 0);
	assert_int_equal(st.updates, 9);
	assert_int_equal(st.malformed, 1);
	assert_true(logged(&f->rec, "raised hijack:203.0.113.0/24:isp1"));
	assert_true(logged(&f->rec, "raised subprefix:203.0.113.128/25:isp1"));
	assert_true(logged(&f->rec, "raised visibility:203.0.113.0/24:isp2"));
	assert_true(logged(&f->rec, "raised visibility:203.0.113.0/24:100.64.1.3"));
	free(copy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clean_and_legit_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hijack_steers_and_clears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_steer_without_clean_view, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subprefix_squat_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_visibility_and_taw, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flap_and_nexthop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rules_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_max_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_flood_keeps_exact, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_steer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_steer_via, setup, teardown),
		cmocka_unit_test_setup_teardown(test_station_stream, setup, teardown),
		cmocka_unit_test_setup_teardown(test_station_peers_and_initiation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_station_big_message_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_table_dump_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lab_capture, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
