/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: mrt.h - MRT routing dumps (RFC 6396, RFC 8050) for offline replay
 *
 * mrt_next() walks the records of a buffer; TABLE_DUMP (the RIB dumps before
 * 2008), TABLE_DUMP_V2 and BGP4MP records are decoded into views whose
 * pointers stay inside that buffer. RIB entry attributes and BGP4MP UPDATEs go
 * through bgp.h, so replay and the live BMP feed share one UPDATE path.
 */
#ifndef UPLINKD_MRT_H
#define UPLINKD_MRT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"

#define MRT_HDR_LEN 12

enum mrt_type {
	MRT_TABLE_DUMP = 12,
	MRT_TABLE_DUMP_V2 = 13,
	MRT_BGP4MP = 16,
	MRT_BGP4MP_ET = 17,
};

enum mrt_td_subtype {			/* TABLE_DUMP: the AFI of prefix and peer */
	MRT_TD_AFI_IPV4 = 1,
	MRT_TD_AFI_IPV6 = 2,
};

enum mrt_td2_subtype {
	MRT_PEER_INDEX_TABLE = 1,
	MRT_RIB_IPV4_UNICAST = 2,
	MRT_RIB_IPV6_UNICAST = 4,
	MRT_RIB_IPV4_UNICAST_ADDPATH = 8,	/* RFC 8050 */
	MRT_RIB_IPV6_UNICAST_ADDPATH = 10,
};

enum mrt_bgp4mp_subtype {
	MRT_BGP4MP_STATE_CHANGE = 0,
	MRT_BGP4MP_MESSAGE = 1,
	MRT_BGP4MP_MESSAGE_AS4 = 4,
	MRT_BGP4MP_STATE_CHANGE_AS4 = 5,
	MRT_BGP4MP_MESSAGE_LOCAL = 6,
	MRT_BGP4MP_MESSAGE_AS4_LOCAL = 7,
	MRT_BGP4MP_MESSAGE_ADDPATH = 8,		/* RFC 8050 */
	MRT_BGP4MP_MESSAGE_AS4_ADDPATH = 9,
	MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH = 10,
	MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH = 11,
};

/* Why a record was rejected: offset in the buffer (mrt_next) or record body. */
struct mrt_error {
	const char *reason;
	size_t offset;
};

struct mrt_rec {
	uint32_t ts_sec;
	uint32_t ts_usec;		/* _ET types only, else 0 */
	uint16_t type;
	uint16_t subtype;
	const uint8_t *body;		/* after the header (and microseconds) */
	size_t len;
	size_t off;			/* of the record in the buffer */
};

struct mrt_peer {
	uint32_t bgp_id;
	uint8_t afi;			/* BGP_AFI_IPV4 / _IPV6 */
	uint8_t addr[16];
	uint32_t as;
};

struct mrt_peer_index {
	uint32_t collector_id;
	const uint8_t *view;		/* not NUL-terminated */
	uint16_t view_len;
	uint16_t n_peers;
};

typedef void (*mrt_peer_cb)(uint16_t index, const struct mrt_peer *peer, void *ctx);

struct mrt_rib {
	uint32_t seq;
	struct bgp_prefix prefix;
	uint16_t n_entries;
	bool addpath;
};

struct mrt_rib_entry {
	uint16_t peer_index;
	uint32_t originated;
	uint32_t path_id;		/* ADD-PATH subtypes only */
	const struct bgp_path *path;	/* NULL if the attributes were unusable */
	struct bgp_error err;		/* attribute errors (offset in the record body) */
};

typedef void (*mrt_rib_cb)(const struct mrt_rib *rib, const struct mrt_rib_entry *e, void *ctx);

struct mrt_bgp4mp {
	uint32_t peer_as;
	uint32_t local_as;
	uint16_t ifindex;
	uint16_t afi;
	uint8_t peer_ip[16];
	uint8_t local_ip[16];
	bool local;			/* _LOCAL: a message the collector sent */
	bool state_change;
	uint16_t old_state;		/* state changes */
	uint16_t new_state;
	const uint8_t *pdu;		/* whole BGP message (messages) */
	size_t pdu_len;
	struct bgp_session_caps caps;	/* to pass to bgp_update_parse() */
};

/*
 * The record at buf[*off]: 1 and *rec (and *off past it), 0 at the clean end
 * of the buffer, -EBADMSG for a truncated or impossible record (*err).
 */
int mrt_next(const uint8_t *buf, size_t len, size_t *off, struct mrt_rec *rec,
	     struct mrt_error *err);

/* PEER_INDEX_TABLE: checks all of it, then calls cb (may be NULL) per peer. */
int mrt_peer_index_parse(const struct mrt_rec *rec, struct mrt_peer_index *pi, mrt_peer_cb cb,
			 void *ctx, struct mrt_error *err);

/*
 * RIB_IPV4/IPV6_UNICAST (and _ADDPATH): checks the record's framing, then
 * calls cb per entry. Attribute errors are per entry (e->err), never fatal.
 */
int mrt_rib_parse(const struct mrt_rec *rec, struct mrt_rib *rib, mrt_rib_cb cb, void *ctx,
		  struct mrt_error *err);

/*
 * TABLE_DUMP (RFC 6396 4.2): one RIB entry per record, with its peer. ASes are
 * 2 bytes (an AS4_PATH is merged as RFC 6793 says); MP_REACH may be the whole
 * attribute or next hop only. path points into td itself (td->attrs).
 */
struct mrt_table_dump {
	uint16_t view;
	uint16_t seq;
	struct bgp_prefix prefix;
	uint8_t status;
	uint32_t originated;
	struct mrt_peer peer;		/* bgp_id 0; afi and address of the subtype, 2-byte AS */
	const struct bgp_path *path;	/* NULL if the attributes were unusable */
	struct bgp_error err;		/* attribute errors (offset in the record body) */
	struct bgp_attrs attrs;
};

/* TABLE_DUMP: 0, -ENOMSG (a subtype other than AFI_IPv4/AFI_IPv6), -EBADMSG. */
int mrt_table_dump_parse(const struct mrt_rec *rec, struct mrt_table_dump *td,
			 struct mrt_error *err);

/* BGP4MP / BGP4MP_ET messages and state changes: 0, -ENOMSG (other subtype), -EBADMSG. */
int mrt_bgp4mp_parse(const struct mrt_rec *rec, struct mrt_bgp4mp *m, struct mrt_error *err);

#endif
