// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: bgpmon.c - the BGP monitor plugin: BMP station on the loop, alerts, steering
 *
 * Owns the `bgp { bmp_listen; routers; peers; watch; ... }` section, the BMP
 * listener (IPv4 or IPv6, non-blocking, in d->loop) and its router sessions,
 * each a struct bmp_router (station.c) with a bounded buffer. Only addresses
 * in bgp.routers may connect (others are reset at accept, counted and logged
 * at a limited rate); a session must send its Initiation within
 * BGPMON_INIT_DEADLINE_S. Only broken BMP framing (or no Initiation) closes
 * a session, and only that one. Every kind of event this monitor publishes
 * (peer up/down, termination, malformed UPDATEs, unknown peers, each alert
 * type) is rate-limited on its own, with a count of what was held back
 * published when its window ends; steering is never held back. The detection engine
 * (watch.c) calls back here to publish BUS_ALERT (raised/cleared/acked) and
 * BUS_STEER ("tunnel NAME", old = the uplink to avoid, new = avoid|clear);
 * malformed UPDATEs and peer changes go out as BUS_SIGNAL. The `status` hook
 * fills bgp.alerts[] (and sessions, steering, counters), the `action` hook
 * takes "ack ID"; the `replay` hook (uplinkd --replay) is replay_cli.c, which
 * feeds a dump in through bgpmon_replay(). The listener opens on the loop's
 * first turn, so a replay never binds. Created by daemon.c.
 */
#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"

#include "bgp.h"
#include "replay.h"
#include "replay_cli.h"
#include "station.h"
#include "watch.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* Work per wake of a session: reads of at most 16 KiB (a flood of watched more-specifics
 * costs a few ms per read) until 256 KiB or 5 ms, so probes, the control socket and other
 * sessions keep their turn while a router floods. */
#define BGPMON_READ_MAX (16 * 1024)
#define BGPMON_READS_PER_WAKE 16
#define BGPMON_WAKE_BUDGET_NS (5 * NSEC_PER_MSEC)
#define BGPMON_RETRY_NS (5 * NSEC_PER_SEC)
#define BGPMON_EV_WINDOW_S 10
#define BGPMON_EV_BURST 5		/* events per source and window */
#define BGPMON_INIT_DEADLINE_S 10

struct bgp_peer_conf {
	char *address;
	char *uplink;
};

struct bgp_watch_conf {
	char *prefix;
	struct cfg_vec origin_as;	/* uint32_t */
	struct cfg_vec upstream_as;
	bool more_specifics;
	char *tunnel;
	bool route;
};

struct bgp_conf {
	char *bmp_listen;
	struct cfg_strv routers;	/* addresses allowed to connect */
	int max_routers;
	bool post_policy;
	int flap_max;
	int flap_window_s;
	int nexthop_hold_s;
	int max_routes;
	int max_alerts;
	struct cfg_vec peers;		/* struct bgp_peer_conf */
	struct cfg_vec watch;		/* struct bgp_watch_conf */
};

static const struct cfg_key peer_keys[] = {
	{ "address", CFG_ADDR, offsetof(struct bgp_peer_conf, address), CFG_REQUIRED,
	  .hint = "the carrier router's address as the BMP Peer Up names it" },
	{ "uplink", CFG_STRING, offsetof(struct bgp_peer_conf, uplink), 0, .min = 1,
	  .max = WATCH_NAME_MAX - 1,
	  .hint = "the name of an uplink in uplinks (without it the view is watched, not steered on)" },
	CFG_END
};

static const struct cfg_key watch_keys[] = {
	{ "prefix", CFG_STRING, offsetof(struct bgp_watch_conf, prefix), CFG_REQUIRED, .min = 1,
	  .max = 63, .hint = "e.g. prefix = \"203.0.113.0/24\";" },
	{ "origin_as", CFG_U32S, offsetof(struct bgp_watch_conf, origin_as), 0, .max = WATCH_MAX_AS,
	  .hint = "the ASes allowed to originate it; [] means none (squatting)" },
	{ "upstream_as", CFG_U32S, offsetof(struct bgp_watch_conf, upstream_as), 0,
	  .max = WATCH_MAX_AS, .hint = "the ASes allowed right after the carrier" },
	{ "more_specifics", CFG_BOOL, offsetof(struct bgp_watch_conf, more_specifics), 0,
	  .def = 0 },
	{ "tunnel", CFG_STRING, offsetof(struct bgp_watch_conf, tunnel), 0, .min = 1,
	  .max = WATCH_NAME_MAX - 1, .hint = "the ipsec tunnel that depends on the prefix" },
	{ "route", CFG_BOOL, offsetof(struct bgp_watch_conf, route), 0, .def = 0 },
	CFG_END
};

static const struct cfg_key bgp_keys[] = {
	{ "bmp_listen", CFG_STRING, offsetof(struct bgp_conf, bmp_listen), 0, .min = 1,
	  .hint = "e.g. bmp_listen = \"127.0.0.1:11019\";" },
	{ "routers", CFG_ADDRS, offsetof(struct bgp_conf, routers), 0, .max = 64,
	  .hint = "the addresses BMP speakers connect from, e.g. routers = [ \"127.0.0.1\" ];" },
	{ "max_routers", CFG_INT, offsetof(struct bgp_conf, max_routers), 0, .min = 1,
	  .max = 64, .def = 8 },
	{ "post_policy", CFG_BOOL, offsetof(struct bgp_conf, post_policy), 0, .def = 0 },
	{ "flap_max", CFG_INT, offsetof(struct bgp_conf, flap_max), 0, .min = 0, .max = 100000,
	  .def = 20, .hint = "updates per window before a flap alert; 0 turns it off" },
	{ "flap_window_s", CFG_INT, offsetof(struct bgp_conf, flap_window_s), 0, .min = 1,
	  .max = 86400, .def = 60 },
	{ "nexthop_hold_s", CFG_INT, offsetof(struct bgp_conf, nexthop_hold_s), 0, .min = 0,
	  .max = 86400, .def = 300 },
	{ "max_routes", CFG_INT, offsetof(struct bgp_conf, max_routes), 0, .min = 16,
	  .max = 1000000, .def = 10000,
	  .hint = "more-specific routes kept, all views together" },
	{ "max_alerts", CFG_INT, offsetof(struct bgp_conf, max_alerts), 0, .min = 16,
	  .max = 1000000, .def = 1000,
	  .hint = "alerts on more-specifics kept, all views together" },
	{ "peers", CFG_LIST, offsetof(struct bgp_conf, peers), 0, .max = 64, .sub = peer_keys,
	  .elem_size = sizeof(struct bgp_peer_conf),
	  .hint = "e.g. peers = ( { address = \"100.64.1.1\"; uplink = \"isp1\"; } );" },
	{ "watch", CFG_LIST, offsetof(struct bgp_conf, watch), 0, .max = 256, .sub = watch_keys,
	  .elem_size = sizeof(struct bgp_watch_conf),
	  .hint = "e.g. watch = ( { prefix = \"203.0.113.0/24\"; origin_as = [ 64500 ]; } );" },
	CFG_END
};

struct bgp_peer_map {
	char addr[INET6_ADDRSTRLEN];	/* canonical text */
	char uplink[WATCH_NAME_MAX];	/* "" listed without an uplink */
};

struct bgp_router_addr {
	int family;
	uint8_t addr[16];
};

/* Event sources limited one by one: what one of them floods does not silence the others. */
enum ev_src {
	EV_PEER_UP,
	EV_PEER_DOWN,
	EV_TERMINATION,
	EV_MALFORMED,
	EV_SKIPPED,
	EV_UNKNOWN_PEER,
	EV_SESSION,
	EV_ALERT,			/* + enum watch_type */
	EV_SRC_MAX = EV_ALERT + WATCH_TYPE_MAX,
};

static const char *const ev_src_names[EV_SRC_MAX] = {
	[EV_PEER_UP] = "peer-up",		[EV_PEER_DOWN] = "peer-down",
	[EV_TERMINATION] = "bmp-termination",	[EV_MALFORMED] = "malformed-update",
	[EV_SKIPPED] = "bmp-skipped",		[EV_UNKNOWN_PEER] = "unknown-peer",
	[EV_SESSION] = "session",
	[EV_ALERT + WATCH_HIJACK] = "alert hijack",
	[EV_ALERT + WATCH_SUBPREFIX] = "alert subprefix",
	[EV_ALERT + WATCH_SQUAT] = "alert squat",
	[EV_ALERT + WATCH_PATH] = "alert path",
	[EV_ALERT + WATCH_VISIBILITY] = "alert visibility",
	[EV_ALERT + WATCH_FLAP] = "alert flap",
	[EV_ALERT + WATCH_NEXTHOP] = "alert nexthop",
};

struct ev_limit {
	uint64_t start_ns;
	unsigned int n;			/* published in this window */
	uint64_t held;			/* held back in this window */
	uint64_t total;			/* held back since start */
};

struct bgpmon;

struct bmp_conn {
	struct list_head node;
	struct bgpmon *m;
	struct loop_fd fd;
	struct bmp_router r;
	struct loop_timer init_deadline;
	struct sockaddr_storage sa;
	uint64_t since_ms;
	uint64_t first_rx_ns;		/* first byte read */
	uint64_t done_ns;		/* the last read processed */
};

struct bgpmon {
	struct daemon *d;
	struct bgp_conf conf;
	struct bgp_peer_map *map;
	size_t nmap;
	struct bgp_router_addr *routers;
	size_t nrouters;
	struct watch w;
	struct loop_fd lfd;
	struct loop_event listen_ev;
	struct loop_timer retry;
	struct loop_timer tick;
	struct list_head conns;
	size_t nconns;
	struct log_rl rl;
	struct log_rl refuse_rl;
	struct ev_limit ev[EV_SRC_MAX];
	uint64_t refused;		/* connections from addresses not in bgp.routers */
	uint64_t init_timeouts;		/* sessions closed without an Initiation */
	uint64_t rx_ns;			/* when the bytes being processed were read */
	uint64_t latency_us_last, latency_us_max;
	uint64_t raised;
	const char *ack_who;
	bool replay;			/* no bus time: events carry the dump's */
};

/* ---- configuration ---- */

static int listen_parse(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
	char addr[INET6_ADDRSTRLEN];
	const char *colon, *port;
	size_t alen;
	char *end;
	long p;

	memset(sa, 0, sizeof(*sa));
	if (s[0] == '[') {
		colon = strchr(s, ']');
		if (!colon || colon[1] != ':')
			return -EINVAL;
		alen = (size_t)(colon - s - 1);
		s++;
		port = colon + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL;
		alen = (size_t)(colon - s);
		port = colon + 1;
	}
	if (!alen || alen >= sizeof(addr) || !isdigit((unsigned char)*port))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || *end || p < 1 || p > 65535)
		return -EINVAL;
	if (strchr(addr, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;

		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1)
			return -EINVAL;
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)sa;

		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1)
			return -EINVAL;
		*len = sizeof(*a4);
	}
	return 0;
}

static bool canon_addr(const char *s, char *out, size_t len)
{
	unsigned char b[16];

	if (inet_pton(AF_INET, s, b) == 1)
		return inet_ntop(AF_INET, b, out, (socklen_t)len) != NULL;
	if (inet_pton(AF_INET6, s, b) == 1)
		return inet_ntop(AF_INET6, b, out, (socklen_t)len) != NULL;
	return false;
}

static bool name_ok(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static int bgp_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct bgp_conf *c = conf;
	struct sockaddr_storage sa;
	socklen_t len;
	size_t i, j;

	if (c->bmp_listen && listen_parse(c->bmp_listen, &sa, &len) < 0)
		cfg_diag_add(d, line, "bgp.bmp_listen: \"%s\" is not ADDR:PORT or [IPV6]:PORT with a port 1..65535; e.g. \"127.0.0.1:11019\"",
			     c->bmp_listen);
	if (c->bmp_listen && !c->routers.n)
		cfg_diag_add(d, line, "bgp.routers: required with bmp_listen: list the addresses your BMP speakers connect from, e.g. routers = [ \"127.0.0.1\" ]; (any other address is refused)");
	for (i = 0; i < c->peers.n; i++) {
		const struct bgp_peer_conf *p = (const struct bgp_peer_conf *)c->peers.v + i;
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];

		if (p->uplink && !config_find_uplink(cfg, p->uplink))
			cfg_diag_add(d, line, "bgp.peers.[%zu].uplink: \"%s\" is not an uplink; use one of the names in uplinks",
				     i, p->uplink);
		for (j = 0; j < i && p->address; j++) {
			const struct bgp_peer_conf *o = (const struct bgp_peer_conf *)c->peers.v + j;

			if (o->address && canon_addr(p->address, a, sizeof(a)) &&
			    canon_addr(o->address, b, sizeof(b)) && strcmp(a, b) == 0)
				cfg_diag_add(d, line, "bgp.peers.[%zu].address: %s is already bgp.peers.[%zu]; list each peer once",
					     i, p->address, j);
		}
	}
	for (i = 0; i < c->watch.n; i++) {
		const struct bgp_watch_conf *w = (const struct bgp_watch_conf *)c->watch.v + i;
		struct bgp_prefix p, q;
		char canon[64];

		if (!w->prefix)
			continue;
		if (bgp_prefix_parse(w->prefix, &p) < 0) {
			cfg_diag_add(d, line, "bgp.watch.[%zu].prefix: \"%s\" is not a prefix; write ADDRESS/LENGTH, e.g. \"203.0.113.0/24\" or \"2001:db8::/32\"",
				     i, w->prefix);
			continue;
		}
		bgp_prefix_format(&p, canon, sizeof(canon));
		if (strcmp(canon, w->prefix) != 0 && strchr(w->prefix, '/') &&
		    (bgp_prefix_parse(canon, &q) < 0 || !bgp_prefix_equal(&p, &q) ||
		     strncmp(canon, w->prefix, strlen(canon)) != 0))
			cfg_diag_add(d, line, "bgp.watch.[%zu].prefix: \"%s\" has bits set past its length; write \"%s\"",
				     i, w->prefix, canon);
		for (j = 0; j < i; j++) {
			const struct bgp_watch_conf *o = (const struct bgp_watch_conf *)c->watch.v + j;

			if (o->prefix && bgp_prefix_parse(o->prefix, &q) == 0 &&
			    bgp_prefix_equal(&p, &q))
				cfg_diag_add(d, line, "bgp.watch.[%zu].prefix: %s is already watched by bgp.watch.[%zu]; merge the two",
					     i, canon, j);
		}
		if (w->tunnel && !name_ok(w->tunnel))
			cfg_diag_add(d, line, "bgp.watch.[%zu].tunnel: \"%s\" may only use letters, digits, '-', '_' and '.'",
				     i, w->tunnel);
		for (j = 0; j < w->origin_as.n + w->upstream_as.n; j++) {
			bool up = j >= w->origin_as.n;
			const uint32_t *as = up ? (const uint32_t *)w->upstream_as.v +
							  (j - w->origin_as.n) :
						  (const uint32_t *)w->origin_as.v + j;

			if (*as == 0)
				cfg_diag_add(d, line, "bgp.watch.[%zu].%s: AS 0 is not usable (RFC 7607); write AS numbers above 2147483647 with an L suffix, e.g. 4200000000L",
					     i, up ? "upstream_as" : "origin_as");
		}
		if (w->upstream_as.n && !w->origin_as.n)
			cfg_diag_add(d, line, "bgp.watch.[%zu].upstream_as: set, but origin_as is empty (every announcement is squatting); list the origins too",
				     i);
	}
	return 0;
}

/* Rules for the engine from a (checked) configuration. */
static struct watch_rule *rules_build(const struct bgp_conf *c)
{
	struct watch_rule *r = calloc(c->watch.n ? c->watch.n : 1, sizeof(*r));
	size_t i;

	if (!r)
		return NULL;
	for (i = 0; i < c->watch.n; i++) {
		const struct bgp_watch_conf *w = (const struct bgp_watch_conf *)c->watch.v + i;

		bgp_prefix_parse(w->prefix, &r[i].prefix);
		r[i].n_origin = (uint8_t)w->origin_as.n;
		if (w->origin_as.n)
			memcpy(r[i].origin_as, w->origin_as.v, w->origin_as.n * sizeof(uint32_t));
		r[i].n_upstream = (uint8_t)w->upstream_as.n;
		if (w->upstream_as.n)
			memcpy(r[i].upstream_as, w->upstream_as.v,
			       w->upstream_as.n * sizeof(uint32_t));
		r[i].more_specifics = w->more_specifics;
		snprintf(r[i].tunnel, sizeof(r[i].tunnel), "%s", w->tunnel ? w->tunnel : "");
		r[i].route = w->route;
	}
	return r;
}

static void params_of(const struct bgp_conf *c, struct watch_params *p)
{
	p->flap_max = (unsigned int)c->flap_max;
	p->flap_window_s = (unsigned int)c->flap_window_s;
	p->nexthop_hold_s = (unsigned int)c->nexthop_hold_s;
	p->max_routes = (unsigned int)c->max_routes;
	p->max_alerts = (unsigned int)c->max_alerts;
}

static int map_build(const struct bgp_conf *c, struct bgp_peer_map **out, size_t *n)
{
	struct bgp_peer_map *m = calloc(c->peers.n ? c->peers.n : 1, sizeof(*m));
	size_t i;

	if (!m)
		return -ENOMEM;
	for (i = 0; i < c->peers.n; i++) {
		const struct bgp_peer_conf *p = (const struct bgp_peer_conf *)c->peers.v + i;

		if (!canon_addr(p->address, m[i].addr, sizeof(m[i].addr)))
			snprintf(m[i].addr, sizeof(m[i].addr), "%s", p->address);
		snprintf(m[i].uplink, sizeof(m[i].uplink), "%s", p->uplink ? p->uplink : "");
	}
	*out = m;
	*n = c->peers.n;
	return 0;
}

static int routers_build(const struct bgp_conf *c, struct bgp_router_addr **out, size_t *n)
{
	struct bgp_router_addr *r = calloc(c->routers.n ? c->routers.n : 1, sizeof(*r));
	size_t i;

	if (!r)
		return -ENOMEM;
	for (i = 0; i < c->routers.n; i++) {
		if (inet_pton(AF_INET, c->routers.v[i], r[i].addr) == 1)
			r[i].family = AF_INET;
		else if (inet_pton(AF_INET6, c->routers.v[i], r[i].addr) == 1)
			r[i].family = AF_INET6;
	}
	*out = r;
	*n = c->routers.n;
	return 0;
}

static bool router_allowed(const struct bgpmon *m, const struct sockaddr_storage *sa)
{
	const void *a = sa->ss_family == AF_INET6 ?
				(const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr :
				(const void *)&((const struct sockaddr_in *)sa)->sin_addr;
	size_t i;

	for (i = 0; i < m->nrouters; i++)
		if (m->routers[i].family == sa->ss_family &&
		    memcmp(m->routers[i].addr, a, sa->ss_family == AF_INET6 ? 16 : 4) == 0)
			return true;
	return false;
}

static const char *uplink_of(void *ctx, const char *peer)
{
	struct bgpmon *m = ctx;
	size_t i;

	for (i = 0; i < m->nmap; i++)
		if (strcmp(m->map[i].addr, peer) == 0)
			return m->map[i].uplink;
	return NULL;
}

/* ---- engine and station callbacks: the bus ---- */

static uint64_t mono_ns(void)
{
	return loop_clock_monotonic();
}

/* What was held back in a window that is over, as one event. */
static void ev_summary(struct bgpmon *m, enum ev_src s)
{
	struct ev_limit *l = &m->ev[s];
	char why[256];

	if (!l->held)
		return;
	snprintf(why, sizeof(why), "%llu %s events in %u s were not published (at most %u per %u s; %llu in all, see bgp.stats.suppressed)",
		 (unsigned long long)l->held, ev_src_names[s], BGPMON_EV_WINDOW_S, BGPMON_EV_BURST,
		 BGPMON_EV_WINDOW_S, (unsigned long long)l->total);
	log_notice("bgp: %s", why);
	l->held = 0;
	bus_publish(&m->d->bus, &(struct bus_event){ .type = BUS_SIGNAL, .object = "bgp station",
						     .new_state = "suppressed", .reason = why });
}

/* May an event of source s be published (and logged) now? A replay publishes all. */
static bool ev_allow(struct bgpmon *m, enum ev_src s)
{
	struct ev_limit *l = &m->ev[s];
	uint64_t now = mono_ns();

	if (m->replay)
		return true;
	if (!l->start_ns || now - l->start_ns >= BGPMON_EV_WINDOW_S * NSEC_PER_SEC) {
		ev_summary(m, s);
		l->start_ns = now;
		l->n = 0;
	}
	if (l->n < BGPMON_EV_BURST) {
		l->n++;
		return true;
	}
	l->held++;
	l->total++;
	return false;
}

static void ev_tick(struct bgpmon *m)
{
	uint64_t now = mono_ns();
	int s;

	for (s = 0; s < EV_SRC_MAX; s++)
		if (m->ev[s].held && now - m->ev[s].start_ns >= BGPMON_EV_WINDOW_S * NSEC_PER_SEC) {
			ev_summary(m, (enum ev_src)s);
			m->ev[s].start_ns = now;
			m->ev[s].n = 0;
		}
}

static void on_alert(void *ctx, const struct watch_alert *a, const char *what,
		     const char *reason, uint64_t now_ms)
{
	struct bgpmon *m = ctx;
	char buf[640];

	if (strcmp(what, "raised") == 0) {
		m->raised++;
		if (m->rx_ns) {
			uint64_t us = (mono_ns() - m->rx_ns) / NSEC_PER_USEC;

			m->latency_us_last = us;
			if (us > m->latency_us_max)
				m->latency_us_max = us;
		}
		if (!ev_allow(m, EV_ALERT + a->type))
			return;
		log_warn("bgp: alert %s: %s", a->id, reason);
	} else if (strcmp(what, "acked") == 0) {
		snprintf(buf, sizeof(buf), "acknowledged by %s", m->ack_who ? m->ack_who : "?");
		reason = buf;
		log_notice("bgp: alert %s %s", a->id, buf);
	} else {
		if (!ev_allow(m, EV_ALERT + a->type))
			return;
		log_notice("bgp: alert %s cleared: %s", a->id, reason);
	}
	bus_publish(&m->d->bus, &(struct bus_event){ .type = BUS_ALERT,
						     .ts_ms = m->replay ? now_ms : 0,
						     .object = a->id, .new_state = what,
						     .reason = reason });
}

static void steer_publish(struct bgpmon *m, enum bus_steer kind, const char *target,
			  const struct watch_steer *s, bool avoid, const char *why,
			  uint64_t now_ms)
{
	char obj[WATCH_NAME_MAX + 72];

	snprintf(obj, sizeof(obj), "%s %s", kind == BUS_STEER_TUNNEL ? "tunnel" : "prefix",
		 target);
	log_notice("bgp: %s: %s %s: %s", obj, avoid ? "avoid" : "no longer avoid", s->uplink, why);
	bus_publish(&m->d->bus, &(struct bus_event){ .type = BUS_STEER,
						     .ts_ms = m->replay ? now_ms : 0,
						     .object = obj, .old_state = s->uplink,
						     .new_state = avoid ? "avoid" : "clear",
						     .reason = why, .steer = kind,
						     .target = target });
}

/* BUS_STEER: a tunnel for the IPsec monitor, a prefix for the policy (route = true) */
static void on_steer(void *ctx, const struct watch_steer *s, bool avoid, const char *reason,
		     uint64_t now_ms)
{
	struct bgpmon *m = ctx;
	char pfx[64], why[640];

	snprintf(why, sizeof(why), "%s%s%s", reason, avoid ? "; use " : "",
		 avoid ? s->via : "");
	if (s->tunnel[0])
		steer_publish(m, BUS_STEER_TUNNEL, s->tunnel, s, avoid, why, now_ms);
	if (s->route) {
		bgp_prefix_format(&s->prefix, pfx, sizeof(pfx));
		steer_publish(m, BUS_STEER_PREFIX, pfx, s, avoid, why, now_ms);
	}
}

static void on_note(void *ctx, struct bmp_router *r, const char *what, const char *text)
{
	static const struct {
		const char *what;
		enum ev_src src;
		int level;
	} kinds[] = {
		{ "peer-up", EV_PEER_UP, LOG_INFO },
		{ "peer-down", EV_PEER_DOWN, LOG_INFO },
		{ "bmp-termination", EV_TERMINATION, LOG_INFO },
		{ "malformed-update", EV_MALFORMED, LOG_WARNING },
		{ "bmp-skipped", EV_SKIPPED, LOG_WARNING },
		{ "unknown-peer", EV_UNKNOWN_PEER, LOG_NOTICE },
	};
	struct bgpmon *m = ctx;
	enum ev_src src = EV_SESSION;
	int level = LOG_INFO;
	char obj[80];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(what, kinds[i].what) == 0) {
			src = kinds[i].src;
			level = kinds[i].level;
		}
	/* a router's flood of any kind must not flood the log, the journal and hooks:
	 * a few events per window, the rest counted (bgp.stats.suppressed) */
	if (!ev_allow(m, src))
		return;
	log_msg(level, "bgp: %s", text);
	snprintf(obj, sizeof(obj), "bgp %s", r->name);
	bus_publish(&m->d->bus, &(struct bus_event){ .type = BUS_SIGNAL, .object = obj,
						     .new_state = what, .reason = text });
}

static const struct watch_ops watch_ops = { .alert = on_alert, .steer = on_steer };
static const struct station_ops station_ops = { .uplink_of = uplink_of, .note = on_note };

/* ---- BMP sessions ---- */

/* A session's views, routes and buffers are freed when it closes: after a flood that is
 * megabytes in the middle of the heap, which glibc keeps (RSS stays at the flood's peak) unless
 * asked to give the free pages back. The soak's RSS drift found it. musl has no malloc_trim
 * and returns what it can by itself. */
static void heap_trim(void)
{
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

static void conn_close(struct bmp_conn *c, const char *why)
{
	struct bgpmon *m = c->m;

	loop_timer_cancel(&m->d->loop, &c->init_deadline);
	loop_fd_del(&m->d->loop, &c->fd);
	close(c->fd.fd);
	station_router_free(&c->r, why, loop_clock_realtime_ms());
	list_del(&c->node);
	m->nconns--;
	free(c);
	heap_trim();
}

static void conn_cb(struct loop_fd *f, uint32_t events)
{
	struct bmp_conn *c = container_of(f, struct bmp_conn, fd);
	struct bgpmon *m = c->m;
	uint64_t wake = mono_ns();
	char why[256];
	int i;

	(void)events;
	for (i = 0; i < BGPMON_READS_PER_WAKE; i++) {
		size_t avail = 0;
		uint8_t *b;
		ssize_t n;

		if (i && mono_ns() - wake > BGPMON_WAKE_BUDGET_NS)
			return; /* level-triggered: the rest waits for the next turn */
		b = station_rx_buf(&c->r, &avail);
		if (!b) {
			log_err("bgp: %s: out of memory; closing the session", c->r.name);
			conn_close(c, "BMP session closed (out of memory)");
			return;
		}
		if (avail > BGPMON_READ_MAX)
			avail = BGPMON_READ_MAX;
		n = recv(c->fd.fd, b, avail, 0);
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
			return;
		if (n <= 0) {
			snprintf(why, sizeof(why), "BMP session from %s closed%s%s", c->r.name,
				 n < 0 ? ": " : "", n < 0 ? strerror(errno) : "");
			log_notice("bgp: %s", why);
			conn_close(c, why);
			return;
		}
		m->rx_ns = mono_ns();
		if (!c->first_rx_ns)
			c->first_rx_ns = m->rx_ns;
		if (station_rx_done(&c->r, (size_t)n, loop_clock_realtime_ms()) < 0) {
			if (ev_allow(m, EV_SESSION)) {
				log_warn("bgp: %s", c->r.error);
				bus_publish(&m->d->bus, &(struct bus_event){
					.type = BUS_SIGNAL, .object = "bgp station",
					.new_state = "session-closed", .reason = c->r.error });
			}
			m->rx_ns = 0;
			conn_close(c, "BMP session closed (broken framing)");
			return;
		}
		m->rx_ns = 0;
		c->done_ns = mono_ns();
		if ((size_t)n < avail)
			return;
	}
}

static void init_deadline_cb(struct loop_timer *t)
{
	struct bmp_conn *c = container_of(t, struct bmp_conn, init_deadline);
	char why[160];

	if (c->r.initiated)
		return;
	c->m->init_timeouts++;
	snprintf(why, sizeof(why), "BMP session from %s closed: no Initiation message within %d s (RFC 7854 4.3)",
		 c->r.name, BGPMON_INIT_DEADLINE_S);
	log_rl_msg(&c->m->refuse_rl, LOG_WARNING, "bgp: %s", why);
	conn_close(c, why);
}

/* Refused at once with a reset: nothing is read, no TIME_WAIT is left behind. */
static void refuse(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void accept_cb(struct loop_fd *f, uint32_t events)
{
	struct bgpmon *m = container_of(f, struct bgpmon, lfd);
	struct sockaddr_storage sa;
	socklen_t len = sizeof(sa);
	char addr[INET6_ADDRSTRLEN], name[64];
	struct bmp_conn *c;
	int fd;

	(void)events;
	fd = accept4(f->fd, (struct sockaddr *)&sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_rl_msg(&m->rl, LOG_WARNING, "bgp: accept: %s", strerror(errno));
		return;
	}
	if (sa.ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)&sa;

		inet_ntop(AF_INET6, &a6->sin6_addr, addr, sizeof(addr));
		snprintf(name, sizeof(name), "router %s port %u", addr, ntohs(a6->sin6_port));
	} else {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)&sa;

		inet_ntop(AF_INET, &a4->sin_addr, addr, sizeof(addr));
		snprintf(name, sizeof(name), "router %s port %u", addr, ntohs(a4->sin_port));
	}
	if (!router_allowed(m, &sa)) {
		m->refused++;
		log_rl_msg(&m->refuse_rl, LOG_WARNING, "bgp: %s refused: %s is not in bgp.routers (%llu refused so far)",
			   name, addr, (unsigned long long)m->refused);
		refuse(fd);
		return;
	}
	if (m->nconns >= (size_t)m->conf.max_routers) {
		m->refused++;
		log_rl_msg(&m->refuse_rl, LOG_WARNING, "bgp: %s refused: already %zu BMP sessions (max_routers)",
			   name, m->nconns);
		refuse(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return;
	}
	c->m = m;
	c->fd.fd = fd;
	c->fd.cb = conn_cb;
	c->since_ms = loop_clock_realtime_ms();
	c->sa = sa;
	loop_timer_init(&c->init_deadline, init_deadline_cb);
	station_router_init(&c->r, &m->w, &station_ops, m, name);
	c->r.post_policy = m->conf.post_policy;
	if (loop_fd_add(&m->d->loop, &c->fd, EPOLLIN) < 0) {
		close(fd);
		free(c);
		return;
	}
	list_add_tail(&c->node, &m->conns);
	m->nconns++;
	loop_timer_set_in(&m->d->loop, &c->init_deadline,
			  BGPMON_INIT_DEADLINE_S * NSEC_PER_SEC);
	log_rl_msg(&m->rl, LOG_NOTICE, "bgp: BMP session from %s", name);
}

static int listen_open(struct bgpmon *m)
{
	struct sockaddr_storage sa;
	socklen_t len;
	int fd, one = 1;

	if (listen_parse(m->conf.bmp_listen, &sa, &len) < 0)
		return -EINVAL;
	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (sa.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 16) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	m->lfd.fd = fd;
	m->lfd.cb = accept_cb;
	if (loop_fd_add(&m->d->loop, &m->lfd, EPOLLIN) < 0) {
		close(fd);
		m->lfd.fd = -1;
		return -EIO;
	}
	log_notice("bgp: BMP station listening on %s", m->conf.bmp_listen);
	return 0;
}

static void listen_try(struct bgpmon *m)
{
	int err = listen_open(m);

	if (err < 0) {
		log_err("bgp: cannot listen on %s: %s; retrying in 5 s", m->conf.bmp_listen,
			strerror(-err));
		loop_timer_set_in(&m->d->loop, &m->retry, BGPMON_RETRY_NS);
	}
}

static void listen_ev_cb(struct loop_event *e)
{
	listen_try(container_of(e, struct bgpmon, listen_ev));
}

static void retry_cb(struct loop_timer *t)
{
	listen_try(container_of(t, struct bgpmon, retry));
}

static void tick_cb(struct loop_timer *t)
{
	struct bgpmon *m = container_of(t, struct bgpmon, tick);

	watch_tick(&m->w, loop_clock_realtime_ms());
	ev_tick(m);
	loop_timer_set_in(&m->d->loop, &m->tick, NSEC_PER_SEC);
}

/* ---- plugin hooks ---- */

static void bgp_destroy(void *inst)
{
	struct bgpmon *m = inst;
	const struct watch_steer *s;
	struct bmp_conn *c, *n;

	if (!m)
		return;
	/* whoever obeys the steering must not keep avoiding an uplink for a monitor that is gone */
	list_for_each_entry(s, &m->w.steers, node)
		on_steer(m, s, false, "the BGP monitor stopped", loop_clock_realtime_ms());
	list_for_each_entry_safe(c, n, &m->conns, node) {
		loop_timer_cancel(&m->d->loop, &c->init_deadline);
		loop_fd_del(&m->d->loop, &c->fd);
		close(c->fd.fd);
		free(c->r.buf);
		list_del(&c->node);
		free(c);
	}
	if (m->lfd.fd >= 0) {
		loop_fd_del(&m->d->loop, &m->lfd);
		close(m->lfd.fd);
	}
	loop_event_cancel(&m->d->loop, &m->listen_ev);
	loop_timer_cancel(&m->d->loop, &m->retry);
	loop_timer_cancel(&m->d->loop, &m->tick);
	watch_destroy(&m->w);
	schema_free(bgp_keys, &m->conf);
	free(m->map);
	free(m->routers);
	free(m);
}

static void *bgp_create(struct daemon *d, const void *conf)
{
	struct bgpmon *m = calloc(1, sizeof(*m));
	struct watch_params par;
	struct watch_rule *rules;

	if (!m)
		return NULL;
	m->d = d;
	m->lfd.fd = -1;
	list_init(&m->conns);
	loop_event_init(&m->listen_ev, listen_ev_cb);
	loop_timer_init(&m->retry, retry_cb);
	loop_timer_init(&m->tick, tick_cb);
	watch_init(&m->w, &watch_ops, m);
	if (schema_copy(bgp_keys, &m->conf, conf) < 0 ||
	    map_build(&m->conf, &m->map, &m->nmap) < 0 ||
	    routers_build(&m->conf, &m->routers, &m->nrouters) < 0 ||
	    !(rules = rules_build(&m->conf))) {
		bgp_destroy(m);
		return NULL;
	}
	params_of(&m->conf, &par);
	if (watch_set_rules(&m->w, rules, m->conf.watch.n, &par, loop_clock_realtime_ms()) < 0) {
		free(rules);
		bgp_destroy(m);
		return NULL;
	}
	free(rules);
	if (m->conf.bmp_listen)
		loop_event_schedule(&d->loop, &m->listen_ev);
	loop_timer_set_in(&d->loop, &m->tick, NSEC_PER_SEC);
	return m;
}

static bool str_eq(const char *a, const char *b)
{
	return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int bgp_reconfigure(void *inst, const void *conf)
{
	struct bgpmon *m = inst;
	const struct bgp_conf *c = conf;
	struct bgp_peer_map *map = NULL;
	struct bgp_router_addr *routers = NULL;
	struct bmp_conn *conn, *cn;
	struct watch_rule *rules;
	struct watch_params par;
	struct bgp_conf copy;
	struct watch_view *v;
	size_t nmap, nrouters;
	uint64_t now = loop_clock_realtime_ms();

	if (!str_eq(c->bmp_listen, m->conf.bmp_listen) || c->post_policy != m->conf.post_policy)
		return -EAGAIN;
	memset(&copy, 0, sizeof(copy));
	if (schema_copy(bgp_keys, &copy, c) < 0 || map_build(c, &map, &nmap) < 0 ||
	    routers_build(c, &routers, &nrouters) < 0 || !(rules = rules_build(c))) {
		schema_free(bgp_keys, &copy);
		free(map);
		free(routers);
		return -EAGAIN;
	}
	params_of(c, &par);
	if (watch_set_rules(&m->w, rules, c->watch.n, &par, now) < 0) {
		free(rules);
		schema_free(bgp_keys, &copy);
		free(map);
		free(routers);
		return -EAGAIN;
	}
	free(rules);
	free(m->map);
	m->map = map;
	m->nmap = nmap;
	free(m->routers);
	m->routers = routers;
	m->nrouters = nrouters;
	schema_free(bgp_keys, &m->conf);
	m->conf = copy;
	list_for_each_entry_safe(conn, cn, &m->conns, node) {
		if (!router_allowed(m, &conn->sa)) {
			log_notice("bgp: %s is no longer in bgp.routers; closing its session",
				   conn->r.name);
			conn_close(conn, "BMP session closed (the router is no longer in bgp.routers)");
			continue;
		}
		station_router_remap(&conn->r, "the peer is no longer in bgp.peers", now);
	}
	list_for_each_entry(v, &m->w.views, node) /* a replay's views */
		if (v->owner == m)
			watch_view_set_uplink(v, uplink_of(m, v->peer), now);
	log_notice("bgp: %zu watch%s, %zu peer mapping%s", c->watch.n,
		   c->watch.n == 1 ? "" : "es", nmap, nmap == 1 ? "" : "s");
	return 0;
}

static struct json_object *alert_json(const struct bgpmon *m, const struct watch_alert *a)
{
	struct json_object *o = json_object_new_object();
	char pfx[64];

	bgp_prefix_format(&a->prefix, pfx, sizeof(pfx));
	json_object_object_add(o, "id", json_object_new_string(a->id));
	json_object_object_add(o, "prefix", json_object_new_string(pfx));
	json_object_object_add(o, "type", json_object_new_string(watch_type_names[a->type]));
	json_object_object_add(o, "peer", json_object_new_string(a->peer));
	json_object_object_add(o, "uplink", a->uplink[0] ? json_object_new_string(a->uplink) :
							   NULL);
	json_object_object_add(o, "origin_as", a->has_origin ?
				       json_object_new_int64(a->origin_as) : NULL);
	json_object_object_add(o, "as_path", a->path[0] ? json_object_new_string(a->path) :
							  NULL);
	json_object_object_add(o, "since", json_object_new_int64((int64_t)a->since_ms));
	json_object_object_add(o, "last_seen", json_object_new_int64((int64_t)a->last_seen_ms));
	json_object_object_add(o, "acked", json_object_new_boolean(a->acked));
	json_object_object_add(o, "tunnel", a->rule < m->w.nrules && m->w.rules[a->rule].tunnel[0] ?
				       json_object_new_string(m->w.rules[a->rule].tunnel) : NULL);
	return o;
}

static void bgp_status(void *inst, struct json_object *st)
{
	struct bgpmon *m = inst;
	struct json_object *bgp, *alerts = json_object_new_array();
	struct json_object *sessions = json_object_new_array(), *steer = json_object_new_array();
	struct json_object *stats = json_object_new_object();
	const struct watch_alert *a;
	const struct watch_steer *s;
	const struct bmp_conn *c;

	if (!json_object_object_get_ex(st, "bgp", &bgp)) {
		bgp = json_object_new_object();
		json_object_object_add(st, "bgp", bgp);
	}
	list_for_each_entry(a, &m->w.alerts, node)
		json_object_array_add(alerts, alert_json(m, a));
	list_for_each_entry(c, &m->conns, node) {
		struct json_object *o = json_object_new_object(), *peers = json_object_new_array();
		size_t i;

		json_object_object_add(o, "router", json_object_new_string(c->r.name));
		json_object_object_add(o, "sys_name", json_object_new_string(c->r.sys_name));
		json_object_object_add(o, "since", json_object_new_int64((int64_t)c->since_ms));
		json_object_object_add(o, "bytes", json_object_new_int64((int64_t)c->r.st.bytes));
		json_object_object_add(o, "messages", json_object_new_int64((int64_t)c->r.st.msgs));
		json_object_object_add(o, "updates", json_object_new_int64((int64_t)c->r.st.updates));
		json_object_object_add(o, "prefixes",
				       json_object_new_int64((int64_t)c->r.st.prefixes));
		json_object_object_add(o, "malformed",
				       json_object_new_int64((int64_t)c->r.st.malformed));
		json_object_object_add(o, "skipped", json_object_new_int64((int64_t)c->r.st.skipped));
		json_object_object_add(o, "unknown_peer",
				       json_object_new_int64((int64_t)c->r.st.unknown_peer));
		json_object_object_add(o, "initiated", json_object_new_boolean(c->r.initiated));
		/* from the first byte read to the end of the latest read's processing */
		json_object_object_add(o, "busy_span_us", json_object_new_int64(
			c->first_rx_ns ? (int64_t)((c->done_ns - c->first_rx_ns) / NSEC_PER_USEC) : 0));
		for (i = 0; i < c->r.npeers; i++) {
			const struct station_peer *p = &c->r.peers[i];
			struct json_object *po = json_object_new_object();

			json_object_object_add(po, "address", json_object_new_string(p->view->peer));
			json_object_object_add(po, "uplink", p->view->uplink[0] ?
					       json_object_new_string(p->view->uplink) : NULL);
			json_object_object_add(po, "up", json_object_new_boolean(!p->view->down));
			json_object_object_add(po, "updates",
					       json_object_new_int64((int64_t)p->updates));
			json_object_object_add(po, "routes", json_object_new_int64((int64_t)p->view->n));
			json_object_array_add(peers, po);
		}
		json_object_object_add(o, "peers", peers);
		json_object_array_add(sessions, o);
	}
	list_for_each_entry(s, &m->w.steers, node) {
		struct json_object *o = json_object_new_object();

		char pfx[64];

		bgp_prefix_format(&s->prefix, pfx, sizeof(pfx));
		json_object_object_add(o, "prefix", json_object_new_string(pfx));
		json_object_object_add(o, "tunnel", s->tunnel[0] ? json_object_new_string(s->tunnel) :
								   NULL);
		json_object_object_add(o, "route", json_object_new_boolean(s->route));
		json_object_object_add(o, "avoid", json_object_new_string(s->uplink));
		json_object_object_add(o, "via", json_object_new_string(s->via));
		json_object_array_add(steer, o);
	}
	json_object_object_add(stats, "routes_seen", json_object_new_int64((int64_t)m->w.routes_seen));
	json_object_object_add(stats, "routes_kept", json_object_new_int64((int64_t)m->w.routes_kept));
	json_object_object_add(stats, "routes_dropped",
			       json_object_new_int64((int64_t)m->w.routes_dropped));
	json_object_object_add(stats, "alerts", json_object_new_int64((int64_t)m->w.nalerts));
	json_object_object_add(stats, "alerts_dropped",
			       json_object_new_int64((int64_t)m->w.alerts_dropped));
	json_object_object_add(stats, "refused", json_object_new_int64((int64_t)m->refused));
	json_object_object_add(stats, "init_timeouts",
			       json_object_new_int64((int64_t)m->init_timeouts));
	{
		struct json_object *sup = json_object_new_object();
		int i;

		for (i = 0; i < EV_SRC_MAX; i++)
			if (m->ev[i].total)
				json_object_object_add(sup, ev_src_names[i], json_object_new_int64(
					(int64_t)m->ev[i].total));
		json_object_object_add(stats, "suppressed", sup);
	}
	json_object_object_add(stats, "alerts_raised", json_object_new_int64((int64_t)m->raised));
	json_object_object_add(stats, "alert_latency_us",
			       json_object_new_int64((int64_t)m->latency_us_last));
	json_object_object_add(stats, "alert_latency_us_max",
			       json_object_new_int64((int64_t)m->latency_us_max));
	json_object_object_add(bgp, "alerts", alerts);
	json_object_object_add(bgp, "sessions", sessions);
	json_object_object_add(bgp, "steering", steer);
	json_object_object_add(bgp, "stats", stats);
}

/* the replay hook's way in (replay_cli.c): every event published, with the dump's time */
int bgpmon_replay(void *inst, const uint8_t *buf, size_t len, struct replay_stats *st,
		  char *err, size_t errlen)
{
	struct bgpmon *m = inst;
	int r;

	m->replay = true;
	r = replay_mrt(&m->w, m, buf, len, uplink_of, m, st, err, errlen);
	m->replay = false;
	return r;
}

static int bgp_action(void *inst, const char *verb, const char *arg, const char *who,
		      char *msg, size_t msglen)
{
	struct bgpmon *m = inst;
	int r;

	if (strcmp(verb, "ack") == 0) {
		m->ack_who = who;
		r = watch_ack(&m->w, arg ? arg : "", loop_clock_realtime_ms());
		m->ack_who = NULL;
		if (r < 0)
			snprintf(msg, msglen, "no alert \"%s\"; see bgp.alerts[] in status --json for ids",
				 arg ? arg : "");
		else
			snprintf(msg, msglen, "alert %s acknowledged", arg);
		return r;
	}
	snprintf(msg, msglen, "the bgp monitor knows \"ack ALERT-ID\" only, not \"%s\"", verb);
	return -ENOTSUP;
}

const struct plugin plugin_bgp = {
	.name = "bgp",
	.kind = PLUGIN_MONITOR,
	.keys = bgp_keys,
	.conf_size = sizeof(struct bgp_conf),
	.check = bgp_check,
	.create = bgp_create,
	.reconfigure = bgp_reconfigure,
	.status = bgp_status,
	.action = bgp_action,
	.destroy = bgp_destroy,
	.replay = bgp_replay_main,
};
