/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: watch.h - watched prefixes, each carrier's view of them, and the alerts
 *
 * The detection engine of the BGP monitor, without I/O: routes come in from
 * the BMP station (station.c) or an MRT replay (replay.c) as struct bgp_route
 * against a view (one BGP peer of one BMP router, i.e. one carrier's view);
 * only routes inside a watched prefix are kept. Each change re-judges that
 * route and raises or clears alerts through ops->alert; when a watch with a
 * tunnel (or route = true) is anomalous in one uplink's view and clean in
 * another's, ops->steer says which uplink to avoid. Time comes in as arguments (tests, replay).
 *
 * Bounded and indexed for hostile input: routes and alerts sit in hash tables
 * (a new route costs O(1) lookups, never a scan); more-specific routes and
 * their alerts are bounded across all views together (max_routes,
 * max_alerts), while the watched prefixes themselves always keep a few paths
 * per view, so a flood of more-specifics cannot hide a hijack of the prefix.
 * Steering is re-evaluated once per changed watch when a call (or a batch of
 * calls between watch_batch_begin/end) is over, not once per alert.
 */
#ifndef UPLINKD_BGP_WATCH_H
#define UPLINKD_BGP_WATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "list.h"

#define WATCH_MAX_AS 32
#define WATCH_NAME_MAX 32
#define WATCH_ID_MAX 192
#define WATCH_PATH_TEXT 160
#define WATCH_EXACT_PATHS 16	/* paths (ADD-PATH) of a watched prefix kept per view */
#define WATCH_NO_RULE UINT16_MAX

enum watch_type {
	WATCH_HIJACK,		/* exact prefix (or allowed more-specific), origin not allowed */
	WATCH_SUBPREFIX,	/* a more-specific that is not expected */
	WATCH_SQUAT,		/* announced although the rule allows no origin */
	WATCH_PATH,		/* allowed origin, unexpected upstream (first hop after the carrier) */
	WATCH_VISIBILITY,	/* the exact prefix withdrawn in a view that had it */
	WATCH_FLAP,		/* more updates than flap_max in flap_window_s */
	WATCH_NEXTHOP,		/* next hop of the exact prefix changed */
	WATCH_TYPE_MAX,
};

extern const char *const watch_type_names[WATCH_TYPE_MAX];

/* Types that make a view "anomalous" for steering. */
#define WATCH_STEER_MASK (1u << WATCH_HIJACK | 1u << WATCH_SUBPREFIX | 1u << WATCH_SQUAT | \
			  1u << WATCH_PATH | 1u << WATCH_VISIBILITY)

struct watch_rule {
	struct bgp_prefix prefix;
	uint32_t origin_as[WATCH_MAX_AS];
	uint32_t upstream_as[WATCH_MAX_AS];
	uint8_t n_origin;		/* 0: every announcement is squatting */
	uint8_t n_upstream;		/* 0: any upstream */
	bool more_specifics;		/* more-specifics expected (judged by origin) */
	char tunnel[WATCH_NAME_MAX];	/* "" none */
	bool route;			/* steer a route for the prefix too */
};

struct watch_params {
	unsigned int flap_max;		/* updates per window; 0: off */
	unsigned int flap_window_s;
	unsigned int nexthop_hold_s;	/* a next-hop alert clears after this; 0: off */
	unsigned int max_routes;	/* more-specific routes kept, all views together */
	unsigned int max_alerts;	/* alerts on more-specifics kept, all views together;
					 * 0: as many as max_routes */
};

struct watch;

struct watch_view;

/* One route kept: inside some watch, in one view. */
struct watch_route {
	struct list_head node;		/* in its view's routes */
	struct watch_route *hnext;	/* hash chain */
	struct watch_view *view;
	struct bgp_prefix prefix;
	uint32_t path_id;
	uint16_t rule;			/* WATCH_NO_RULE: no longer watched (being removed) */
	uint16_t bits;			/* 1 << enum watch_type currently raised by it */
	bool exact;			/* the rule's prefix itself */
	bool has_origin;
	bool has_up;			/* an AS between the carrier and the origin */
	uint32_t origin_as;
	uint32_t upstream;		/* the first of those */
	uint8_t nh[16];
	char path[WATCH_PATH_TEXT];
};

/* Per view and rule. */
struct watch_vrule {
	bool visible;			/* the exact prefix is announced now */
	bool seen;			/* ... was announced at some time */
	bool has_nh;
	uint8_t nh[16];
	uint16_t bits;			/* rule-level alerts: visibility, flap, nexthop */
	unsigned int exact;		/* routes (paths) of the exact prefix kept */
	unsigned int anom;		/* routes whose bits make the view anomalous */
	unsigned int upd;		/* updates in the current window */
	uint64_t win_start_ms;
	uint64_t last_upd_ms;
	uint64_t nh_since_ms;
};

struct watch_view {
	struct list_head node;
	struct watch *w;
	const void *owner;		/* the router (or replay) it belongs to */
	char peer[96];			/* the BGP peer's address (and RD, type if not global) */
	char uplink[WATCH_NAME_MAX];	/* bgp.peers mapping, "" unmapped */
	bool down;
	struct list_head routes;	/* struct watch_route */
	size_t n;
	struct list_head alerts;	/* struct watch_alert (vnode) */
	struct watch_vrule *vr;		/* one per rule */
	uint64_t dropped;		/* routes not kept: max_routes or WATCH_EXACT_PATHS */
};

struct watch_alert {
	struct list_head node;		/* in watch.alerts, oldest first */
	struct list_head vnode;		/* in its view's alerts */
	struct watch_alert *hnext;	/* hash chain */
	bool counted;			/* against max_alerts (a more-specific's) */
	char id[WATCH_ID_MAX];		/* "hijack:203.0.113.0/24:isp1" */
	enum watch_type type;
	struct bgp_prefix prefix;
	uint16_t rule;
	const struct watch_view *view;
	char peer[96];
	char uplink[WATCH_NAME_MAX];
	bool has_origin;
	uint32_t origin_as;
	char path[WATCH_PATH_TEXT];
	uint64_t since_ms, last_seen_ms;
	bool acked;
	unsigned int refs;		/* routes (ADD-PATH) holding it */
};

struct watch_steer;

struct watch_ops {
	/* what: "raised" | "cleared" | "acked"; now_ms is the event's time */
	void (*alert)(void *ctx, const struct watch_alert *a, const char *what,
		      const char *reason, uint64_t now_ms);
	/* avoid: steer s->tunnel (and, with s->route, the prefix) away from s->uplink,
	 * towards s->via; !avoid: that is over */
	void (*steer)(void *ctx, const struct watch_steer *s, bool avoid, const char *reason,
		      uint64_t now_ms);
};

struct watch_steer {
	struct list_head node;
	uint16_t rule;
	char uplink[WATCH_NAME_MAX];	/* to avoid */
	char via[WATCH_NAME_MAX];	/* an uplink whose view is clean */
	char tunnel[WATCH_NAME_MAX];	/* "" none */
	bool route;
	struct bgp_prefix prefix;	/* the watch's */
};

struct watch {
	const struct watch_ops *ops;
	void *ctx;
	struct watch_rule *rules;
	size_t nrules;
	struct watch_params par;
	struct list_head views;
	struct list_head alerts;
	struct list_head steers;	/* steering in force */
	uint64_t routes_kept;
	uint64_t routes_seen;		/* every NLRI judged */
	uint64_t routes_dropped;	/* not kept: a bound reached */
	uint64_t alerts_dropped;	/* not kept (max_alerts): still judged and steered on */
	size_t nalerts;
	size_t routes_ms, alerts_ms;	/* more-specific routes and alerts kept */
	/* indexes */
	uint64_t seed;
	struct watch_route **rhash;
	size_t rhash_size;
	struct watch_alert **ahash;
	size_t ahash_size;
	/* rules whose steering must be looked at again */
	bool *dirty;
	uint16_t *dirty_q;
	size_t ndirty;
	unsigned int batch;
};

void watch_init(struct watch *w, const struct watch_ops *ops, void *ctx);
/* Copy the rules in; routes kept so far are re-judged (dropped if no rule
 * covers them any more). 0 or -ENOMEM (nothing changed). */
int watch_set_rules(struct watch *w, const struct watch_rule *rules, size_t n,
		    const struct watch_params *par, uint64_t now_ms);
void watch_destroy(struct watch *w);

/* The view of `peer` for `owner`, created on first use (NULL: no memory). */
struct watch_view *watch_view_get(struct watch *w, const void *owner, const char *peer,
				  const char *uplink);
/* A peer's uplink mapping changed: its alerts are re-raised under the new name. */
void watch_view_set_uplink(struct watch_view *v, const char *uplink, uint64_t now_ms);
/* Peer Down: every route of the view is withdrawn (visibility alerts). */
void watch_view_down(struct watch_view *v, uint64_t now_ms);
/* The feed is gone (BMP session closed): the view and its alerts go, silently
 * as far as visibility goes; `why` is the reason given for the cleared alerts. */
void watch_view_remove(struct watch_view *v, const char *why, uint64_t now_ms);

/* One announced or withdrawn NLRI (treat-as-withdraw counts as withdrawn). */
void watch_route(struct watch *w, struct watch_view *v, const struct bgp_route *r,
		 uint64_t now_ms);
/* Calls between begin and end evaluate steering once, at the end (a BMP read). */
void watch_batch_begin(struct watch *w);
void watch_batch_end(struct watch *w, uint64_t now_ms);

/* Expire flap and next-hop alerts; call every second or so. */
void watch_tick(struct watch *w, uint64_t now_ms);

/* Operator acknowledgement: 0, or -ENOENT. */
int watch_ack(struct watch *w, const char *id, uint64_t now_ms);

/* The rule covering p most specifically, or -1. */
int watch_rule_find(const struct watch *w, const struct bgp_prefix *p);

#endif
