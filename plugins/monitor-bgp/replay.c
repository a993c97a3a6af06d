// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: replay.c - MRT dumps through the detection engine (uplinkd --replay)
 *
 * Owns nothing but the walk: the PEER_INDEX_TABLE's peers for the RIB records
 * that follow it, and one view per dump peer (TABLE_DUMP records name theirs).
 * Between records it looks for a pending SIGINT or SIGTERM, which main()
 * blocks for its signalfd, so that a long replay can be interrupted. Calls
 * mrt.c, bgp.c and watch.c; called by bgpmon.c (bgpmon_replay(), which the
 * replay hook in replay_cli.c uses) and the tests.
 */
#include "replay.h"
#include "mrt.h"

#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct replay {
	struct watch *w;
	const void *owner;
	replay_uplink_fn uplink_of;
	void *ctx;
	struct replay_stats *st;
	char (*peers)[INET6_ADDRSTRLEN];	/* from the PEER_INDEX_TABLE */
	size_t npeers;
	uint64_t now_ms;
	struct watch_view *view;		/* of the current BGP4MP record */
};

static void peer_text(uint8_t afi, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(afi == BGP_AFI_IPV6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static struct watch_view *view_of(struct replay *rp, const char *peer)
{
	return watch_view_get(rp->w, rp->owner, peer,
			      rp->uplink_of ? rp->uplink_of(rp->ctx, peer) : NULL);
}

static void on_peer(uint16_t index, const struct mrt_peer *peer, void *ctx)
{
	struct replay *rp = ctx;

	if (index < rp->npeers)
		peer_text(peer->afi, peer->addr, rp->peers[index], sizeof(rp->peers[index]));
}

static void on_rib(const struct mrt_rib *rib, const struct mrt_rib_entry *e, void *ctx)
{
	struct replay *rp = ctx;
	struct bgp_route r = { .prefix = rib->prefix, .action = BGP_ANNOUNCE,
			       .has_path_id = rib->addpath, .path_id = e->path_id,
			       .path = e->path };
	struct watch_view *v;

	rp->st->rib_entries++;
	rp->st->prefixes++;
	if (e->peer_index >= rp->npeers)
		return;
	if (!e->path || e->err.cls >= BGP_ERR_TREAT_AS_WITHDRAW) {
		rp->st->malformed++;
		r.treat_as_withdraw = true;
		r.path = NULL;
	}
	v = view_of(rp, rp->peers[e->peer_index]);
	if (v)
		watch_route(rp->w, v, &r, rp->now_ms);
}

static void on_route(const struct bgp_route *r, void *ctx)
{
	struct replay *rp = ctx;

	rp->st->prefixes++;
	watch_route(rp->w, rp->view, r, rp->now_ms);
}

/* TABLE_DUMP: one RIB entry, announced by the peer it names */
static int table_dump(struct replay *rp, const struct mrt_rec *rec, struct mrt_error *me)
{
	struct mrt_table_dump td;
	struct bgp_route r = { .action = BGP_ANNOUNCE };
	char peer[INET6_ADDRSTRLEN];
	struct watch_view *v;
	int err = mrt_table_dump_parse(rec, &td, me);

	if (err == -ENOMSG) {
		rp->st->skipped++;
		return 0;
	}
	if (err < 0)
		return err;
	rp->st->rib_entries++;
	rp->st->prefixes++;
	r.prefix = td.prefix;
	r.path = td.path;
	if (!td.path) {
		rp->st->malformed++;
		r.treat_as_withdraw = true;
	}
	peer_text(td.peer.afi, td.peer.addr, peer, sizeof(peer));
	v = view_of(rp, peer);
	if (!v)
		return -ENOMEM;
	watch_route(rp->w, v, &r, rp->now_ms);
	return 0;
}

/* SIGINT or SIGTERM waiting (blocked for main's signalfd): its number, else 0 */
static int stop_signal(void)
{
	sigset_t set;

	if (sigpending(&set) < 0)
		return 0;
	return sigismember(&set, SIGINT) ? SIGINT : sigismember(&set, SIGTERM) ? SIGTERM : 0;
}

static int bgp4mp(struct replay *rp, const struct mrt_rec *rec, struct mrt_error *me)
{
	struct bgp_update_result res;
	char peer[INET6_ADDRSTRLEN];
	struct mrt_bgp4mp m;
	int err = mrt_bgp4mp_parse(rec, &m, me);

	if (err == -ENOMSG) {
		rp->st->skipped++;
		return 0;
	}
	if (err < 0)
		return err;
	if (m.local) /* what the collector itself sent is not a carrier's view */
		return 0;
	peer_text((uint8_t)m.afi, m.peer_ip, peer, sizeof(peer));
	rp->view = view_of(rp, peer);
	if (!rp->view)
		return -ENOMEM;
	if (m.state_change) {
		if (m.old_state == 6 && m.new_state != 6)
			watch_view_down(rp->view, rp->now_ms);
		return 0;
	}
	rp->st->updates++;
	err = bgp_update_parse(m.pdu, m.pdu_len, &m.caps, on_route, rp, &res);
	if (err == -ENOMSG)
		return 0;
	if (err < 0 || res.err.cls >= BGP_ERR_TREAT_AS_WITHDRAW)
		rp->st->malformed++;
	return 0;
}

int replay_mrt(struct watch *w, const void *owner, const uint8_t *buf, size_t len,
	       replay_uplink_fn uplink_of, void *ctx, struct replay_stats *st, char *errbuf,
	       size_t errlen)
{
	struct replay rp = { .w = w, .owner = owner, .uplink_of = uplink_of, .ctx = ctx,
			     .st = st };
	struct mrt_error me = { 0 };
	uint64_t last_tick = 0;
	struct mrt_rec rec;
	size_t off = 0;
	int k = 0, err = 0, sig = 0;

	memset(st, 0, sizeof(*st));
	for (;;) {
		/* every 256 records: a syscall costs less than the records it follows */
		if (!(st->records % 256) && (sig = stop_signal()))
			break;
		if ((k = mrt_next(buf, len, &off, &rec, &me)) <= 0)
			break;
		st->records++;
		rp.now_ms = (uint64_t)rec.ts_sec * 1000 + rec.ts_usec / 1000;
		if (rp.now_ms >= last_tick + 1000) {
			watch_tick(w, rp.now_ms);
			last_tick = rp.now_ms;
		}
		if (rec.type == MRT_TABLE_DUMP_V2 && rec.subtype == MRT_PEER_INDEX_TABLE) {
			struct mrt_peer_index pi;

			if ((err = mrt_peer_index_parse(&rec, &pi, NULL, NULL, &me)) < 0)
				break;
			free(rp.peers);
			rp.npeers = pi.n_peers;
			rp.peers = calloc(pi.n_peers ? pi.n_peers : 1, sizeof(*rp.peers));
			if (!rp.peers) {
				err = -ENOMEM;
				break;
			}
			mrt_peer_index_parse(&rec, &pi, on_peer, &rp, &me);
		} else if (rec.type == MRT_TABLE_DUMP_V2 &&
			   (rec.subtype == MRT_RIB_IPV4_UNICAST ||
			    rec.subtype == MRT_RIB_IPV6_UNICAST ||
			    rec.subtype == MRT_RIB_IPV4_UNICAST_ADDPATH ||
			    rec.subtype == MRT_RIB_IPV6_UNICAST_ADDPATH)) {
			struct mrt_rib rib;

			if (!rp.peers) {
				me.reason = "RIB record before any PEER_INDEX_TABLE";
				me.offset = 0;
				err = -EBADMSG;
				break;
			}
			if ((err = mrt_rib_parse(&rec, &rib, on_rib, &rp, &me)) < 0)
				break;
		} else if (rec.type == MRT_BGP4MP || rec.type == MRT_BGP4MP_ET) {
			if ((err = bgp4mp(&rp, &rec, &me)) < 0)
				break;
		} else if (rec.type == MRT_TABLE_DUMP) {
			if ((err = table_dump(&rp, &rec, &me)) < 0)
				break;
		} else {
			st->skipped++;
		}
	}
	free(rp.peers);
	if (sig) {
		snprintf(errbuf, errlen, "interrupted by %s after %llu records",
			 sig == SIGINT ? "SIGINT" : "SIGTERM", (unsigned long long)st->records);
		return -EINTR;
	}
	if (k < 0) {
		snprintf(errbuf, errlen, "byte %zu: %s", me.offset,
			 me.reason ? me.reason : "truncated or impossible record");
		return -EBADMSG;
	}
	if (err < 0) {
		if (err == -ENOMEM)
			snprintf(errbuf, errlen, "out of memory");
		else
			snprintf(errbuf, errlen, "record at byte %zu (type %u/%u): %s (+%zu)",
				 rec.off, rec.type, rec.subtype,
				 me.reason ? me.reason : "malformed", me.offset);
		return err == -ENOMEM ? err : -EBADMSG;
	}
	return 0;
}
