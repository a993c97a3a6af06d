/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: station.h - one BMP session's protocol state, without the socket
 *
 * A struct bmp_router reassembles the TCP byte stream into BMP messages in a
 * bounded buffer, keeps each monitored peer's capabilities from its Peer Up,
 * and feeds Route Monitoring UPDATEs to the detection engine (watch.h). Only
 * broken BMP framing ends a session; a message or UPDATE that does not parse
 * is counted, reported through ops->note and skipped (RFC 7606 for UPDATEs).
 * The first message must be an Initiation (RFC 7854 4.3), or the session
 * ends. Views exist only for the BGP peers ops->uplink_of knows (bgp.peers),
 * one per peer address: messages about any other peer, or about a second
 * instance (RD, type) of a known address, are counted and dropped.
 * bgpmon.c owns the socket and reads into station_rx_buf(); fuzzers and tests
 * call station_input() with bytes of their own.
 */
#ifndef UPLINKD_BGP_STATION_H
#define UPLINKD_BGP_STATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "bmp.h"
#include "watch.h"

#define STATION_BUF_MIN (64 * 1024)	/* grows to one whole message, at most BMP_MAX_LEN */
#define STATION_MAX_PEERS 64
#define STATION_NOTED_UNKNOWN 16	/* unknown peers named once each, per session */

struct bmp_router;

struct station_ops {
	/* bgp.peers: the uplink a peer address maps to ("" listed without one), or NULL
	 * when the peer is not listed (its messages are dropped) */
	const char *(*uplink_of)(void *ctx, const char *peer);
	/* something worth an event: "malformed-update", "peer-up", "peer-down"... */
	void (*note)(void *ctx, struct bmp_router *r, const char *what, const char *text);
};

struct station_peer {
	uint8_t type;
	uint8_t rd[8];
	uint8_t addr[16];
	bool v6;
	bool has_up;
	struct bmp_peer_up up;		/* caps only: pointers cleared */
	struct watch_view *view;
	uint64_t updates;
};

struct station_stats {
	uint64_t bytes;
	uint64_t msgs;
	uint64_t updates;
	uint64_t prefixes;		/* NLRI announced or withdrawn */
	uint64_t malformed;		/* UPDATEs with treat-as-withdraw or worse */
	uint64_t skipped;		/* BMP messages that did not parse */
	uint64_t ignored;		/* post-policy, Loc-RIB, Adj-RIB-Out */
	uint64_t unknown_peer;		/* messages about peers not in bgp.peers (or a
					 * second instance of one): dropped */
};

struct bmp_router {
	struct watch *w;
	const struct station_ops *ops;
	void *ctx;
	char name[64];			/* "192.0.2.1 port 4711" for messages */
	char sys_name[64];
	bool post_policy;		/* judge post-policy instead of pre-policy */
	uint8_t *buf;
	size_t len, cap;
	uint64_t stream_off;		/* bytes of the stream before buf[0] */
	struct station_peer peers[STATION_MAX_PEERS];
	size_t npeers;
	uint8_t noted[STATION_NOTED_UNKNOWN][17];	/* unknown peers named: address, v6 */
	size_t nnoted;
	struct station_stats st;
	uint64_t now_ms;		/* time of the bytes being fed */
	uint64_t last_update_ns;	/* CLOCK_MONOTONIC of the last UPDATE read */
	bool initiated;			/* Initiation received */
	bool terminated;		/* Termination received */
	char error[192];		/* why the session must close */
};

void station_router_init(struct bmp_router *r, struct watch *w, const struct station_ops *ops,
			 void *ctx, const char *name);
/* Views of this router leave the engine (their alerts cleared with `why`). */
void station_router_free(struct bmp_router *r, const char *why, uint64_t now_ms);

/* bgp.peers changed: views follow their peer's new uplink; views of peers no
 * longer listed go (their alerts cleared with `why`). */
void station_router_remap(struct bmp_router *r, const char *why, uint64_t now_ms);

/* Where to read into: at least 1 byte, or NULL (-ENOMEM) */
uint8_t *station_rx_buf(struct bmp_router *r, size_t *avail);
/* n bytes were read into station_rx_buf(): process every whole message.
 * 0, or -EBADMSG (framing: r->error says where; close this session only). */
int station_rx_done(struct bmp_router *r, size_t n, uint64_t now_ms);
/* Copy data in and process it (tests, fuzzers, replays of captures). */
int station_input(struct bmp_router *r, const uint8_t *data, size_t len, uint64_t now_ms);

#endif
