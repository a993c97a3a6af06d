// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: station.c - one BMP session's protocol state, without the socket
 *
 * Owns a router's stream buffer (bounded: it grows only to hold one whole
 * message the header announced, never past BMP_MAX_LEN, and shrinks back),
 * its monitored peers (capabilities from Peer Up; RFC 7854 4.10) and the
 * counters shown in the status. Route Monitoring UPDATEs of the pre-policy
 * Adj-RIB-In (or post-policy, if configured) go to the detection engine;
 * Loc-RIB and Adj-RIB-Out are not a carrier's view and are only counted.
 *
 * Calls: bmp.c, bgp.c (parsers), watch.c (engine), ops (uplink mapping,
 * events). Called by: bgpmon.c (socket I/O), fuzzers, tests.
 */
#include "station.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void station_router_init(struct bmp_router *r, struct watch *w, const struct station_ops *ops,
			 void *ctx, const char *name)
{
	memset(r, 0, sizeof(*r));
	r->w = w;
	r->ops = ops;
	r->ctx = ctx;
	snprintf(r->name, sizeof(r->name), "%s", name);
}

void station_router_remap(struct bmp_router *r, const char *why, uint64_t now_ms)
{
	size_t i = 0;

	while (i < r->npeers) {
		struct station_peer *p = &r->peers[i];
		char addr[INET6_ADDRSTRLEN];
		const char *uplink;

		if (!inet_ntop(p->v6 ? AF_INET6 : AF_INET, p->addr, addr, sizeof(addr)))
			snprintf(addr, sizeof(addr), "?");
		uplink = r->ops && r->ops->uplink_of ? r->ops->uplink_of(r->ctx, addr) : NULL;
		if (uplink) {
			watch_view_set_uplink(p->view, uplink, now_ms);
			i++;
			continue;
		}
		watch_view_remove(p->view, why, now_ms);
		*p = r->peers[--r->npeers];
	}
}

void station_router_free(struct bmp_router *r, const char *why, uint64_t now_ms)
{
	size_t i;

	for (i = 0; i < r->npeers; i++)
		if (r->peers[i].view)
			watch_view_remove(r->peers[i].view, why, now_ms);
	r->npeers = 0;
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}

__attribute__((format(printf, 3, 4)))
static void note(struct bmp_router *r, const char *what, const char *fmt, ...)
{
	char text[320];
	va_list ap;

	if (!r->ops || !r->ops->note)
		return;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r->ops->note(r->ctx, r, what, text);
}

static void addr_text(const struct bmp_peer_hdr *ph, char *buf, size_t len)
{
	if (!inet_ntop(ph->afi == BGP_AFI_IPV6 ? AF_INET6 : AF_INET, ph->addr, buf,
		       (socklen_t)len))
		snprintf(buf, len, "?");
}

static struct station_peer *peer_get(struct bmp_router *r, const struct bmp_peer_hdr *ph,
				     bool create)
{
	static const uint8_t zero_rd[8];
	char addr[INET6_ADDRSTRLEN], key[INET6_ADDRSTRLEN + 40];
	bool v6 = ph->afi == BGP_AFI_IPV6;
	struct station_peer *p;
	const char *uplink;
	size_t i;

	for (i = 0; i < r->npeers; i++) {
		p = &r->peers[i];
		if (memcmp(p->addr, ph->addr, 16) != 0 || p->v6 != v6)
			continue;
		if (p->type == ph->type && memcmp(p->rd, ph->rd, 8) == 0)
			return p;
		r->st.unknown_peer++; /* another instance of the address: one view each */
		return NULL;
	}
	if (!create)
		goto unknown;
	addr_text(ph, addr, sizeof(addr));
	uplink = r->ops && r->ops->uplink_of ? r->ops->uplink_of(r->ctx, addr) : NULL;
	if (!uplink || r->npeers >= STATION_MAX_PEERS)
		goto unknown;
	/* the view's name: an RD or local peer is told apart from a global one */
	if (ph->type == BMP_PEER_GLOBAL && memcmp(ph->rd, zero_rd, 8) == 0)
		snprintf(key, sizeof(key), "%s", addr);
	else
		snprintf(key, sizeof(key), "%s type %u rd %02x%02x%02x%02x%02x%02x%02x%02x", addr,
			 ph->type, ph->rd[0], ph->rd[1], ph->rd[2], ph->rd[3], ph->rd[4],
			 ph->rd[5], ph->rd[6], ph->rd[7]);
	p = &r->peers[r->npeers];
	memset(p, 0, sizeof(*p));
	p->view = watch_view_get(r->w, r, key, uplink);
	if (!p->view)
		return NULL;
	p->type = ph->type;
	memcpy(p->rd, ph->rd, 8);
	memcpy(p->addr, ph->addr, 16);
	p->v6 = v6;
	r->npeers++;
	return p;
unknown:
	r->st.unknown_peer++;
	for (i = 0; i < r->nnoted; i++)
		if (memcmp(r->noted[i], ph->addr, 16) == 0 && r->noted[i][16] == v6)
			return NULL;
	if (create && r->nnoted < STATION_NOTED_UNKNOWN) {
		memcpy(r->noted[r->nnoted], ph->addr, 16);
		r->noted[r->nnoted++][16] = v6;
		addr_text(ph, addr, sizeof(addr));
		note(r, "unknown-peer", "%s: peer %s is not in bgp.peers: its messages are dropped (list it in bgp.peers to watch its view)",
		     r->name, addr);
	}
	return NULL;
}

/* A carrier's view: Adj-RIB-In of a global or RD peer, pre- or post-policy as configured. */
static bool is_view(const struct bmp_router *r, const struct bmp_peer_hdr *ph)
{
	if (ph->type == BMP_PEER_LOC_RIB || (ph->flags & BMP_FLAG_O))
		return false;
	return !!(ph->flags & BMP_FLAG_L) == r->post_policy;
}

struct rm_ctx {
	struct bmp_router *r;
	struct station_peer *p;
};

static void on_route(const struct bgp_route *route, void *ctx)
{
	struct rm_ctx *c = ctx;

	c->r->st.prefixes++;
	watch_route(c->r->w, c->p->view, route, c->r->now_ms);
}

static void route_monitoring(struct bmp_router *r, const struct bmp_msg *m, size_t msg_off)
{
	struct bgp_update_result res;
	struct bgp_session_caps caps;
	struct rm_ctx c = { .r = r };
	char peer[INET6_ADDRSTRLEN];
	struct timespec ts;
	int err;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	r->last_update_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (!is_view(r, &m->peer)) {
		r->st.ignored++;
		return;
	}
	c.p = peer_get(r, &m->peer, true);
	if (!c.p)
		return;
	r->st.updates++;
	c.p->updates++;
	bmp_route_caps(&m->peer, c.p->has_up ? &c.p->up : NULL, &caps);
	err = bgp_update_parse(m->rm.pdu, m->rm.len, &caps, on_route, &c, &res);
	if (err == -ENOMSG)
		return;
	if (err < 0 || res.err.cls >= BGP_ERR_TREAT_AS_WITHDRAW) {
		addr_text(&m->peer, peer, sizeof(peer));
		r->st.malformed++;
		note(r, "malformed-update",
		     "%s: UPDATE from peer %s at stream byte %llu: %s%s%s; %s", r->name, peer,
		     (unsigned long long)(r->stream_off + msg_off + BMP_HDR_LEN + BMP_PEER_HDR_LEN +
					  res.err.offset),
		     res.err.reason ? res.err.reason : "malformed",
		     res.err.attr && bgp_attr_name(res.err.attr) ? " in " : "",
		     res.err.attr && bgp_attr_name(res.err.attr) ? bgp_attr_name(res.err.attr) : "",
		     err < 0 ? "nothing in it used (RFC 7606 session-level error)" :
			       "its routes treated as withdrawn (RFC 7606)");
	}
}

static void peer_up(struct bmp_router *r, const struct bmp_msg *m)
{
	struct station_peer *p = peer_get(r, &m->peer, true);
	char peer[INET6_ADDRSTRLEN];

	if (!p)
		return;
	p->up = m->up;
	p->up.sent_open = p->up.rcvd_open = NULL;
	p->up.info.s = NULL;
	p->has_up = true;
	p->view->down = false;
	addr_text(&m->peer, peer, sizeof(peer));
	note(r, "peer-up", "%s: peer %s AS%u up (4-byte AS %s, ADD-PATH %s)", r->name, peer,
	     m->peer.as, p->up.rx.as4 ? "yes" : "no",
	     p->up.rx.addpath_v4 || p->up.rx.addpath_v6 ? "yes" : "no");
}

static void peer_down(struct bmp_router *r, const struct bmp_msg *m)
{
	struct station_peer *p = peer_get(r, &m->peer, false);
	char peer[INET6_ADDRSTRLEN];

	if (!p)
		return;
	addr_text(&m->peer, peer, sizeof(peer));
	note(r, "peer-down", "%s: peer %s down (reason %u)", r->name, peer, m->down.reason);
	p->has_up = false;
	watch_view_down(p->view, r->now_ms);
}

static int dispatch(struct bmp_router *r, const uint8_t *msg, size_t len, size_t msg_off)
{
	struct bmp_msg m;
	int err;

	r->st.msgs++;
	err = bmp_parse(msg, len, &m);
	if (!r->initiated && (err < 0 || m.type != BMP_INITIATION)) {
		snprintf(r->error, sizeof(r->error),
			 "%s: the session does not start with an Initiation message (RFC 7854 4.3) at stream byte %llu; closing this session",
			 r->name, (unsigned long long)(r->stream_off + msg_off));
		return -EBADMSG;
	}
	if (err < 0) {
		r->st.skipped++;
		note(r, "bmp-skipped", "%s: BMP message at stream byte %llu skipped: %s (at +%zu)",
		     r->name, (unsigned long long)(r->stream_off + msg_off),
		     m.drop_reason ? m.drop_reason : "malformed", m.drop_offset);
		return 0;
	}
	switch (m.type) {
	case BMP_ROUTE_MONITORING:
		route_monitoring(r, &m, msg_off);
		break;
	case BMP_PEER_UP:
		if (m.peer.type != BMP_PEER_LOC_RIB)
			peer_up(r, &m);
		break;
	case BMP_PEER_DOWN:
		peer_down(r, &m);
		break;
	case BMP_INITIATION:
		r->initiated = true;
		if (m.info.sys_name.s) {
			size_t n = m.info.sys_name.len < sizeof(r->sys_name) - 1 ?
					   m.info.sys_name.len : sizeof(r->sys_name) - 1;
			size_t i;

			memcpy(r->sys_name, m.info.sys_name.s, n);
			r->sys_name[n] = '\0';
			for (i = 0; i < n; i++)
				if (r->sys_name[i] < 0x20 || r->sys_name[i] > 0x7e)
					r->sys_name[i] = '?';
		}
		break;
	case BMP_TERMINATION:
		r->terminated = true;
		note(r, "bmp-termination", "%s: router ends the session (reason %u)", r->name,
		     m.info.has_reason ? m.info.reason : 1);
		break;
	default: /* statistics, mirroring, unknown: counted */
		break;
	}
	return 0;
}

static int process(struct bmp_router *r)
{
	size_t off = 0, mlen;
	const char *why = NULL;
	int ret = 0;

	watch_batch_begin(r->w);
	while (off < r->len) {
		int k = bmp_frame_next(r->buf + off, r->len - off, &mlen, &why);

		if (k < 0) {
			snprintf(r->error, sizeof(r->error),
				 "%s: broken BMP framing at stream byte %llu: %s; closing this session",
				 r->name,
				 (unsigned long long)(r->stream_off + off +
						      (why && strstr(why, "version") ? 0 : 1)),
				 why ? why : "bad header");
			ret = -EBADMSG;
			break;
		}
		if (k == 0)
			break;
		ret = dispatch(r, r->buf + off, mlen, off);
		if (ret < 0)
			break;
		off += mlen;
	}
	watch_batch_end(r->w, r->now_ms);
	if (off) {
		memmove(r->buf, r->buf + off, r->len - off);
		r->len -= off;
		r->stream_off += off;
	}
	/* give back a buffer grown for one big message */
	if (r->cap > STATION_BUF_MIN && r->len < STATION_BUF_MIN) {
		uint8_t *b = realloc(r->buf, STATION_BUF_MIN);

		if (b) {
			r->buf = b;
			r->cap = STATION_BUF_MIN;
		}
	}
	return ret;
}

uint8_t *station_rx_buf(struct bmp_router *r, size_t *avail)
{
	size_t want = STATION_BUF_MIN;

	/* a partial message whose header is in: make room for all of it */
	if (r->len >= 5 && r->buf[0] == BMP_VERSION) {
		uint32_t l = bgp_get32(r->buf + 1);

		if (l > want && l <= BMP_MAX_LEN)
			want = l;
	}
	if (r->cap < want) {
		uint8_t *b = realloc(r->buf, want);

		if (!b)
			return NULL;
		r->buf = b;
		r->cap = want;
	}
	if (r->len == r->cap)
		return NULL; /* cannot happen: process() leaves less than one message */
	*avail = r->cap - r->len;
	return r->buf + r->len;
}

int station_rx_done(struct bmp_router *r, size_t n, uint64_t now_ms)
{
	r->len += n;
	r->st.bytes += n;
	r->now_ms = now_ms;
	return process(r);
}

int station_input(struct bmp_router *r, const uint8_t *data, size_t len, uint64_t now_ms)
{
	while (len) {
		size_t avail, n;
		uint8_t *b = station_rx_buf(r, &avail);
		int err;

		if (!b)
			return -ENOMEM;
		n = len < avail ? len : avail;
		memcpy(b, data, n);
		data += n;
		len -= n;
		if ((err = station_rx_done(r, n, now_ms)) < 0)
			return err;
	}
	return 0;
}
