/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: bmp.h - BGP Monitoring Protocol v3 wire format (RFC 7854, 8671, 9069)
 *
 * bmp_frame_next() finds message boundaries in a TCP byte stream; bmp_parse()
 * decodes one whole message. Both are pure: every pointer in struct bmp_msg
 * points into the caller's buffer. Embedded BGP PDUs are decoded by bgp.h.
 */
#ifndef UPLINKD_BMP_H
#define UPLINKD_BMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

#define BMP_VERSION 3
#define BMP_HDR_LEN 6
#define BMP_PEER_HDR_LEN 42
#define BMP_MAX_LEN (1u << 20)		/* larger is a framing error */

enum bmp_type {
	BMP_ROUTE_MONITORING = 0,
	BMP_STATISTICS = 1,
	BMP_PEER_DOWN = 2,
	BMP_PEER_UP = 3,
	BMP_INITIATION = 4,
	BMP_TERMINATION = 5,
	BMP_ROUTE_MIRRORING = 6,
};

enum bmp_peer_type {
	BMP_PEER_GLOBAL = 0,
	BMP_PEER_RD = 1,
	BMP_PEER_LOCAL = 2,
	BMP_PEER_LOC_RIB = 3,		/* RFC 9069 */
};

#define BMP_FLAG_V 0x80			/* peer address is IPv6 */
#define BMP_FLAG_L 0x40			/* post-policy */
#define BMP_FLAG_A 0x20			/* legacy 2-byte AS_PATH */
#define BMP_FLAG_O 0x10			/* Adj-RIB-Out (RFC 8671) */

enum bmp_peer_down_reason {
	BMP_DOWN_LOCAL_NOTIFY = 1,
	BMP_DOWN_LOCAL_FSM = 2,
	BMP_DOWN_REMOTE_NOTIFY = 3,
	BMP_DOWN_REMOTE_NODATA = 4,
	BMP_DOWN_DECONFIGURED = 5,
	BMP_DOWN_LOCAL_TLV = 6,		/* RFC 9069 */
};

struct bmp_peer_hdr {
	uint8_t type;			/* enum bmp_peer_type */
	uint8_t flags;			/* BMP_FLAG_* */
	uint8_t afi;			/* BGP_AFI_IPV4 / _IPV6, from the V flag */
	uint8_t rd[8];
	uint8_t addr[16];		/* IPv4 in the first 4 bytes */
	uint32_t as;
	uint32_t bgp_id;
	uint32_t ts_sec;
	uint32_t ts_usec;
};

/* A string TLV: not NUL-terminated. */
struct bmp_str {
	const uint8_t *s;
	uint16_t len;
};

struct bmp_peer_up {
	uint8_t local_addr[16];		/* family as the peer header's */
	uint16_t local_port;
	uint16_t remote_port;
	const uint8_t *sent_open;	/* whole BGP OPENs, headers included */
	const uint8_t *rcvd_open;
	uint16_t sent_open_len;
	uint16_t rcvd_open_len;
	struct bgp_open sent;
	struct bgp_open rcvd;
	struct bgp_session_caps rx;	/* for UPDATEs received from the peer */
	struct bgp_session_caps tx;	/* for UPDATEs sent to it (Adj-RIB-Out) */
	struct bmp_str info;		/* first string TLV, if any */
};

struct bmp_peer_down {
	uint8_t reason;			/* enum bmp_peer_down_reason */
	bool has_notification;
	uint8_t notify_code;
	uint8_t notify_subcode;
	uint16_t fsm_event;		/* reason 2 */
	const uint8_t *data;		/* whatever follows the reason byte */
	size_t data_len;
};

struct bmp_info {
	struct bmp_str string;		/* type 0 */
	struct bmp_str sys_descr;	/* initiation type 1 */
	struct bmp_str sys_name;	/* initiation type 2 */
	bool has_reason;		/* termination type 1 */
	uint16_t reason;
};

struct bmp_stats {
	uint32_t count;
	const uint8_t *tlvs;
	size_t len;
};

struct bmp_stat {
	uint16_t type;
	uint16_t len;
	bool has_afi;			/* types 9 and 10 */
	bool is_gauge;			/* 64-bit value */
	uint8_t safi;
	uint16_t afi;
	uint64_t value;			/* 0 for unknown lengths */
};

struct bmp_mirror {
	const uint8_t *pdu;		/* TLV 0: one BGP message, or NULL */
	size_t pdu_len;
	bool has_code;
	uint16_t code;			/* TLV 1: 0 errored PDU, 1 messages lost */
};

struct bmp_msg {
	uint8_t type;			/* enum bmp_type, or unknown */
	uint32_t len;
	bool has_peer;
	struct bmp_peer_hdr peer;
	union {
		struct {
			const uint8_t *pdu;
			size_t len;
		} rm;
		struct bmp_stats stats;
		struct bmp_peer_down down;
		struct bmp_peer_up up;
		struct bmp_info info;
		struct bmp_mirror mirror;
	};
	const char *drop_reason;	/* set when bmp_parse() fails */
	size_t drop_offset;
};

/*
 * Look at the start of a stream buffer: 1 and *msg_len if a whole message is
 * there, 0 if more bytes are needed, -EBADMSG on a framing error (version not
 * 3, length < 6 or > 1 MiB): the caller closes that BMP session only.
 * *reason (may be NULL) names the framing error.
 */
int bmp_frame_next(const uint8_t *buf, size_t len, size_t *msg_len, const char **reason);

/*
 * Decode one whole message (exactly its length). 0, or -EBADMSG with
 * m->drop_reason/drop_offset: the message is skipped, the session goes on.
 * Unknown types return 0 with only type and len set.
 */
int bmp_parse(const uint8_t *buf, size_t len, struct bmp_msg *m);

/* Statistics TLVs, checked by bmp_parse(): 1 and *st, 0 at the end. */
int bmp_stats_next(const struct bmp_stats *s, size_t *off, struct bmp_stat *st);

/*
 * The caps to decode a Route Monitoring UPDATE of this peer: AS size from the
 * A flag, ADD-PATH from the peer's Peer Up (NULL if unknown).
 */
void bmp_route_caps(const struct bmp_peer_hdr *ph, const struct bmp_peer_up *up,
		    struct bgp_session_caps *caps);

#endif
