/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: bgp.h - BGP wire format: UPDATE, path attributes, OPEN capabilities
 *
 * Pure parsers over caller-owned bytes (RFC 4271, 4760, 6793, 7606, 7911, 8092).
 * Nothing here allocates, logs or keeps state; every pointer handed out points
 * into the caller's buffer and is valid only as long as that buffer is.
 */
#ifndef UPLINKD_BGP_H
#define UPLINKD_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_HDR_LEN 19
#define BGP_MAX_LEN 65535		/* RFC 8654 extended messages */
#define BGP_AS_TRANS 23456
#define BGP_PATH_MAX 64			/* AS path entries kept in struct bgp_path */
#define BGP_COMMUNITY_NO_EXPORT 0xFFFFFF01u

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
};

enum bgp_afi {
	BGP_AFI_IPV4 = 1,
	BGP_AFI_IPV6 = 2,
};

#define BGP_SAFI_UNICAST 1

enum bgp_attr_code {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,
	BGP_ATTR_ORIGINATOR_ID = 9,
	BGP_ATTR_CLUSTER_LIST = 10,
	BGP_ATTR_MP_REACH = 14,
	BGP_ATTR_MP_UNREACH = 15,
	BGP_ATTR_AS4_PATH = 17,
	BGP_ATTR_AS4_AGGREGATOR = 18,
	BGP_ATTR_LARGE_COMMUNITY = 32,
};

enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
	BGP_ORIGIN_NONE = 255,		/* attribute absent */
};

/*
 * RFC 7606 responses, weakest first; when several errors occur the strongest
 * wins. AFI_DISABLE and SESSION both mean "the router resets (part of) the
 * session": the parser then reports no prefix at all.
 */
enum bgp_err_class {
	BGP_ERR_NONE = 0,
	BGP_ERR_ATTR_DISCARD,
	BGP_ERR_TREAT_AS_WITHDRAW,
	BGP_ERR_AFI_DISABLE,
	BGP_ERR_SESSION,
};

extern const char *const bgp_err_class_names[];

struct bgp_error {
	enum bgp_err_class cls;
	const char *reason;		/* static string, NULL when cls == NONE */
	size_t offset;			/* byte offset in the PDU (or record) */
	uint8_t attr;			/* attribute type code at fault, 0 if none */
};

/* What the session negotiated; decides how UPDATE bytes are read. */
struct bgp_session_caps {
	bool as4;			/* AS_PATH carries 4-byte ASNs (cap 65 both ways) */
	bool addpath_v4;		/* IPv4 unicast NLRI carry a 4-byte path id */
	bool addpath_v6;		/* IPv6 unicast NLRI carry a 4-byte path id */
	bool ebgp;			/* external peer: LOCAL_PREF errors discard only */
	bool addpath_guess;		/* an NLRI block that fails to parse with the
					 * setting above is retried with the other
					 * (BMP post-policy and Loc-RIB feeds) */
};

struct bgp_prefix {
	uint8_t afi;			/* enum bgp_afi */
	uint8_t len;			/* bits */
	uint8_t addr[16];		/* network order, bits past len are zero */
};

struct bgp_nexthop {
	uint8_t afi;			/* 0: none */
	bool has_ll;			/* IPv6 link-local present (32-byte form) */
	uint8_t addr[16];		/* IPv4 in the first 4 bytes */
	uint8_t ll[16];
};

/*
 * The parsed path of one announcement. as_path[] is the AS path after the
 * RFC 6793 AS4_PATH merge, flattened, without confederation segments; bit i
 * of as_set_mask says entry i came from an AS_SET.
 */
struct bgp_path {
	uint8_t origin;			/* enum bgp_origin */
	bool has_origin_as;		/* false if the path is empty or ends in an AS_SET */
	bool has_first_as;		/* false if the path is empty or starts with an AS_SET */
	bool as_path_truncated;		/* more than BGP_PATH_MAX entries */
	uint32_t origin_as;
	uint32_t first_as;
	uint16_t as_path_n;		/* entries in as_path[] */
	uint16_t as_path_len;		/* RFC 4271 length: AS_SET counts 1, confed 0 */
	uint32_t as_path[BGP_PATH_MAX];
	uint64_t as_set_mask;
	struct bgp_nexthop nexthop;	/* NEXT_HOP or the MP_REACH next hop */
	bool has_med;
	bool has_local_pref;
	bool atomic_aggregate;
	uint32_t med;
	uint32_t local_pref;
	const uint8_t *communities;	/* n x 4 bytes, network order */
	uint16_t n_communities;
	uint16_t n_large;
	const uint8_t *large;		/* n x 12 bytes, network order */
};

enum bgp_action {
	BGP_ANNOUNCE,
	BGP_WITHDRAW,
};

struct bgp_route {
	struct bgp_prefix prefix;
	enum bgp_action action;
	bool has_path_id;
	bool treat_as_withdraw;		/* announced, but the UPDATE was malformed */
	uint32_t path_id;
	const struct bgp_path *path;	/* announcements only, else NULL */
};

typedef void (*bgp_prefix_cb)(const struct bgp_route *route, void *ctx);

struct bgp_update_result {
	struct bgp_error err;		/* the strongest error (first of equals) */
	unsigned int n_errors;		/* every error noted, all classes */
	unsigned int n_discarded;	/* attributes discarded */
	unsigned int n_announced;
	unsigned int n_withdrawn;	/* including treat-as-withdraw */
	bool end_of_rib;
	bool addpath_guessed;		/* addpath_guess flipped a block */
	uint8_t eor_afi;
	uint16_t msg_len;
};

/*
 * The path attributes of one UPDATE or MRT RIB entry, once walked. The MP
 * spans point at the NLRI part of MP_REACH / MP_UNREACH.
 */
struct bgp_attrs {
	struct bgp_path path;
	struct bgp_nexthop nh4;		/* NEXT_HOP attribute */
	struct bgp_nexthop mp_nh;	/* MP_REACH next hop */
	uint64_t seen;			/* bit c set: attribute code c (< 64) present */
	bool has_mp_reach;
	bool has_mp_unreach;
	uint16_t mp_reach_afi;
	uint16_t mp_unreach_afi;
	uint8_t mp_reach_safi;
	uint8_t mp_unreach_safi;
	const uint8_t *mp_reach;
	const uint8_t *mp_unreach;
	size_t mp_reach_len;
	size_t mp_unreach_len;
	size_t mp_reach_off;		/* of mp_reach in the PDU */
	size_t mp_unreach_off;
	struct bgp_error err;
	unsigned int n_errors;
	unsigned int n_discarded;
};

/* bgp_attrs_parse() flags */
#define BGP_ATTRS_MRT 0x1		/* MRT RIB entry: MP_REACH holds next hop only */

struct bgp_open {
	uint8_t version;
	uint16_t my_as;			/* 2-byte field; AS_TRANS for large ASNs */
	uint16_t hold_time;
	uint32_t bgp_id;
	bool has_as4;			/* capability 65 */
	uint32_t as4;			/* its value */
	uint8_t addpath_v4;		/* capability 69: BGP_ADDPATH_RX | _TX */
	uint8_t addpath_v6;
};

#define BGP_ADDPATH_RX 0x1
#define BGP_ADDPATH_TX 0x2

static inline uint16_t bgp_get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t bgp_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* 0 and *type, *msg_len; -EBADMSG (marker, length 19..len, length < 19) */
int bgp_header_parse(const uint8_t *pdu, size_t len, uint8_t *type, uint16_t *msg_len);

/*
 * Parse an UPDATE and report each prefix to cb (may be NULL). Returns 0 with
 * res->err.cls NONE, ATTR_DISCARD or TREAT_AS_WITHDRAW (all announced NLRI then
 * reported as withdrawn with treat_as_withdraw set); -EBADMSG with
 * AFI_DISABLE/SESSION and no callback at all; -ENOMSG for a well-formed
 * message that is not an UPDATE.
 */
int bgp_update_parse(const uint8_t *pdu, size_t len, const struct bgp_session_caps *caps,
		     bgp_prefix_cb cb, void *ctx, struct bgp_update_result *res);

/*
 * Walk a path-attribute block. base_off is added to every reported offset.
 * 0 (with a->err possibly ATTR_DISCARD / TREAT_AS_WITHDRAW) or -EBADMSG.
 */
int bgp_attrs_parse(const uint8_t *buf, size_t len, size_t base_off, unsigned int flags,
		    const struct bgp_session_caps *caps, struct bgp_attrs *a);

/*
 * Decode one NLRI prefix (with a path id if addpath) at buf[*off]; advances
 * *off. 0 or -EBADMSG (overrun, length past the family's width).
 */
int bgp_nlri_decode(const uint8_t *buf, size_t len, size_t *off, uint8_t afi, bool addpath,
		    struct bgp_prefix *p, uint32_t *path_id);

/* A whole OPEN message (header included): 0 or -EBADMSG. */
int bgp_open_parse(const uint8_t *pdu, size_t len, struct bgp_open *open);

/* Caps for UPDATEs the local side receives, given what it sent and received. */
void bgp_session_caps_from_opens(const struct bgp_open *sent, const struct bgp_open *rcvd,
				 struct bgp_session_caps *caps);

bool bgp_prefix_equal(const struct bgp_prefix *a, const struct bgp_prefix *b);
/* inner is outer or a more-specific of it (same family) */
bool bgp_prefix_contains(const struct bgp_prefix *outer, const struct bgp_prefix *inner);
/* "203.0.113.0/24": 0 or -EINVAL (family or length); -ENOSPC */
int bgp_prefix_format(const struct bgp_prefix *p, char *buf, size_t size);
/* "2001:db8::/32" into p, host bits cleared: 0 or -EINVAL */
int bgp_prefix_parse(const char *s, struct bgp_prefix *p);

bool bgp_path_has_community(const struct bgp_path *path, uint32_t community);

/* "COMMUNITIES" for 8; NULL for codes this parser does not know */
const char *bgp_attr_name(uint8_t code);

#endif
