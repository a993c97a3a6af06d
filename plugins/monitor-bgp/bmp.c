// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: bmp.c - BGP Monitoring Protocol v3 wire format (RFC 7854, 8671, 9069)
 *
 * Owns message framing on a BMP TCP stream and the decoding of the common
 * header, the per-peer header and every message type. A framing error
 * (bmp_frame_next) ends that one BMP session; a malformed message
 * (bmp_parse) is skipped and the session goes on; unknown types are skipped
 * by length. Pure functions: no allocation, logging or state; each parser
 * leaves through one DROP(reason, offset) exit.
 *
 * Calls: bgp.c for the OPENs in Peer Up. Called by: the BGP monitor's
 * station (reads the socket, keeps per-peer caps), tests and fuzzers.
 */
#include <errno.h>
#include <string.h>

#include "bmp.h"

#define DROP(r, o)                  \
	do {                        \
		reason = (r);       \
		err_off = (o);      \
		goto drop;          \
	} while (0)

int bmp_frame_next(const uint8_t *buf, size_t len, size_t *msg_len, const char **why)
{
	const char *reason = NULL;
	size_t err_off = 0;
	uint32_t l;

	if (len < 1)
		return 0;
	if (buf[0] != BMP_VERSION)
		DROP("BMP version is not 3", 0);
	if (len < 5)
		return 0;
	l = bgp_get32(buf + 1);
	if (l < BMP_HDR_LEN)
		DROP("BMP message length below 6", 1);
	if (l > BMP_MAX_LEN)
		DROP("BMP message length above 1 MiB", 1);
	if (len < l)
		return 0;
	*msg_len = l;
	return 1;

drop:
	(void)err_off;
	if (why)
		*why = reason;
	return -EBADMSG;
}

static void peer_hdr(const uint8_t *p, struct bmp_peer_hdr *ph)
{
	ph->type = p[0];
	ph->flags = p[1];
	memcpy(ph->rd, p + 2, 8);
	memset(ph->addr, 0, sizeof(ph->addr));
	if (ph->flags & BMP_FLAG_V && ph->type != BMP_PEER_LOC_RIB) {
		ph->afi = BGP_AFI_IPV6;
		memcpy(ph->addr, p + 10, 16);
	} else {
		ph->afi = BGP_AFI_IPV4;
		memcpy(ph->addr, p + 22, 4);
	}
	ph->as = bgp_get32(p + 26);
	ph->bgp_id = bgp_get32(p + 30);
	ph->ts_sec = bgp_get32(p + 34);
	ph->ts_usec = bgp_get32(p + 38);
}

/*
 * Walk type(2)/length(2) TLVs in buf[off..len): 0, or -EBADMSG with *bad the
 * offset of the TLV that overruns. With cb == NULL only checks.
 */
typedef void (*tlv_cb)(uint16_t type, const uint8_t *v, uint16_t len, void *ctx);

static int tlv_walk(const uint8_t *buf, size_t off, size_t len, tlv_cb cb, void *ctx, size_t *bad)
{
	while (off < len) {
		uint16_t type, l;

		*bad = off;
		if (len - off < 4)
			return -EBADMSG;
		type = bgp_get16(buf + off);
		l = bgp_get16(buf + off + 2);
		if (l > len - off - 4)
			return -EBADMSG;
		if (cb)
			cb(type, buf + off + 4, l, ctx);
		off += 4 + (size_t)l;
	}
	return 0;
}

static void set_str(struct bmp_str *s, const uint8_t *v, uint16_t len)
{
	if (s->s)
		return;		/* keep the first */
	s->s = v;
	s->len = len;
}

static void init_tlv(uint16_t type, const uint8_t *v, uint16_t len, void *ctx)
{
	struct bmp_info *info = ctx;

	if (type == 0)
		set_str(&info->string, v, len);
	else if (type == 1)
		set_str(&info->sys_descr, v, len);
	else if (type == 2)
		set_str(&info->sys_name, v, len);
}

static void term_tlv(uint16_t type, const uint8_t *v, uint16_t len, void *ctx)
{
	struct bmp_info *info = ctx;

	if (type == 0) {
		set_str(&info->string, v, len);
	} else if (type == 1 && len == 2 && !info->has_reason) {
		info->has_reason = true;
		info->reason = bgp_get16(v);
	}
}

static void up_tlv(uint16_t type, const uint8_t *v, uint16_t len, void *ctx)
{
	struct bmp_peer_up *up = ctx;

	if (type == 0)
		set_str(&up->info, v, len);
}

static void mirror_tlv(uint16_t type, const uint8_t *v, uint16_t len, void *ctx)
{
	struct bmp_mirror *mi = ctx;

	if (type == 0 && !mi->pdu) {
		mi->pdu = v;
		mi->pdu_len = len;
	} else if (type == 1 && len == 2 && !mi->has_code) {
		mi->has_code = true;
		mi->code = bgp_get16(v);
	}
}

static void peer_down(const uint8_t *d, size_t len, struct bmp_peer_down *pd)
{
	uint16_t mlen;
	uint8_t type;

	pd->data = d;
	pd->data_len = len;
	switch (pd->reason) {
	case BMP_DOWN_LOCAL_NOTIFY:
	case BMP_DOWN_REMOTE_NOTIFY:
		if (!bgp_header_parse(d, len, &type, &mlen) && type == BGP_MSG_NOTIFICATION &&
		    mlen >= 21) {
			pd->has_notification = true;
			pd->notify_code = d[19];
			pd->notify_subcode = d[20];
		}
		break;
	case BMP_DOWN_LOCAL_FSM:
		if (len >= 2)
			pd->fsm_event = bgp_get16(d);
		break;
	}
}

/* One OPEN at buf[*off]: 0 and *off past it, or -EBADMSG. */
static int peer_open(const uint8_t *buf, size_t len, size_t *off, struct bgp_open *o,
		     const uint8_t **pdu, uint16_t *pdu_len)
{
	uint16_t mlen;
	uint8_t type;

	if (bgp_header_parse(buf + *off, len - *off, &type, &mlen))
		return -EBADMSG;
	if (bgp_open_parse(buf + *off, mlen, o))
		return -EBADMSG;
	*pdu = buf + *off;
	*pdu_len = mlen;
	*off += mlen;
	return 0;
}

int bmp_parse(const uint8_t *buf, size_t len, struct bmp_msg *m)
{
	const char *reason = NULL;
	size_t off = BMP_HDR_LEN, err_off = 0, bad;
	uint32_t l;

	memset(m, 0, sizeof(*m));
	if (!buf || len < BMP_HDR_LEN)
		DROP("shorter than the common header", 0);
	if (buf[0] != BMP_VERSION)
		DROP("BMP version is not 3", 0);
	l = bgp_get32(buf + 1);
	if (l < BMP_HDR_LEN || l > len || l > BMP_MAX_LEN)
		DROP("BMP length does not match the message", 1);
	len = l;
	m->len = l;
	m->type = buf[5];

	switch (m->type) {
	case BMP_ROUTE_MONITORING:
	case BMP_STATISTICS:
	case BMP_PEER_DOWN:
	case BMP_PEER_UP:
	case BMP_ROUTE_MIRRORING:
		if (len - off < BMP_PEER_HDR_LEN)
			DROP("per-peer header truncated", off);
		peer_hdr(buf + off, &m->peer);
		m->has_peer = true;
		off += BMP_PEER_HDR_LEN;
		break;
	}

	switch (m->type) {
	case BMP_ROUTE_MONITORING:
		m->rm.pdu = buf + off;
		m->rm.len = len - off;
		break;

	case BMP_STATISTICS:
		if (len - off < 4)
			DROP("statistics count truncated", off);
		m->stats.count = bgp_get32(buf + off);
		off += 4;
		if (tlv_walk(buf, off, len, NULL, NULL, &bad))
			DROP("statistics TLV overruns the message", bad);
		m->stats.tlvs = buf + off;
		m->stats.len = len - off;
		break;

	case BMP_PEER_DOWN:
		if (len - off < 1)
			DROP("peer down reason missing", off);
		m->down.reason = buf[off];
		peer_down(buf + off + 1, len - off - 1, &m->down);
		break;

	case BMP_PEER_UP: {
		struct bmp_peer_up *up = &m->up;

		if (len - off < 20)
			DROP("peer up addresses truncated", off);
		if (m->peer.afi == BGP_AFI_IPV6)
			memcpy(up->local_addr, buf + off, 16);
		else
			memcpy(up->local_addr, buf + off + 12, 4);
		up->local_port = bgp_get16(buf + off + 16);
		up->remote_port = bgp_get16(buf + off + 18);
		off += 20;
		if (peer_open(buf, len, &off, &up->sent, &up->sent_open, &up->sent_open_len))
			DROP("bad sent OPEN", off);
		if (peer_open(buf, len, &off, &up->rcvd, &up->rcvd_open, &up->rcvd_open_len))
			DROP("bad received OPEN", off);
		if (tlv_walk(buf, off, len, up_tlv, up, &bad))
			DROP("peer up information TLV overruns", bad);
		bgp_session_caps_from_opens(&up->sent, &up->rcvd, &up->rx);
		bgp_session_caps_from_opens(&up->rcvd, &up->sent, &up->tx);
		break;
	}

	case BMP_INITIATION:
		if (tlv_walk(buf, off, len, NULL, NULL, &bad))
			DROP("initiation TLV overruns", bad);
		tlv_walk(buf, off, len, init_tlv, &m->info, &bad);
		break;

	case BMP_TERMINATION:
		if (tlv_walk(buf, off, len, NULL, NULL, &bad))
			DROP("termination TLV overruns", bad);
		tlv_walk(buf, off, len, term_tlv, &m->info, &bad);
		break;

	case BMP_ROUTE_MIRRORING:
		if (tlv_walk(buf, off, len, NULL, NULL, &bad))
			DROP("route mirroring TLV overruns", bad);
		tlv_walk(buf, off, len, mirror_tlv, &m->mirror, &bad);
		break;

	default:
		break;		/* RFC 7854 4.1: unknown types are ignored */
	}
	return 0;

drop:
	m->drop_reason = reason;
	m->drop_offset = err_off;
	return -EBADMSG;
}

int bmp_stats_next(const struct bmp_stats *s, size_t *off, struct bmp_stat *st)
{
	const uint8_t *v;
	size_t o = *off;

	memset(st, 0, sizeof(*st));
	if (!s->tlvs || o >= s->len || s->len - o < 4)
		return 0;
	st->type = bgp_get16(s->tlvs + o);
	st->len = bgp_get16(s->tlvs + o + 2);
	if (st->len > s->len - o - 4)
		return 0;
	v = s->tlvs + o + 4;
	*off = o + 4 + st->len;
	if ((st->type == 9 || st->type == 10) && st->len == 11) {
		st->has_afi = true;
		st->afi = bgp_get16(v);
		st->safi = v[2];
		v += 3;
		st->is_gauge = true;
		st->value = (uint64_t)bgp_get32(v) << 32 | bgp_get32(v + 4);
	} else if (st->len == 8) {
		st->is_gauge = true;
		st->value = (uint64_t)bgp_get32(v) << 32 | bgp_get32(v + 4);
	} else if (st->len == 4) {
		st->value = bgp_get32(v);
	}
	return 1;
}

void bmp_route_caps(const struct bmp_peer_hdr *ph, const struct bmp_peer_up *up,
		    struct bgp_session_caps *caps)
{
	memset(caps, 0, sizeof(*caps));
	/*
	 * Only pre-policy Adj-RIB-In/Out carries the UPDATE as negotiated.
	 * Post-policy and Loc-RIB feeds have no defined path-id rule (GoBGP
	 * 3.10 sends them without path ids): start from "none" there, and let
	 * the parser retry the other way whenever a block does not parse.
	 */
	if (up && ph->type != BMP_PEER_LOC_RIB && !(ph->flags & BMP_FLAG_L))
		*caps = (ph->flags & BMP_FLAG_O) ? up->tx : up->rx;
	else if (up)
		caps->ebgp = up->rx.ebgp;
	caps->addpath_guess = true;
	/* RFC 7854 4.2: the A flag, not the OPENs, says how AS_PATH is encoded;
	 * RFC 9069 Loc-RIB is always 4-byte (its flag 0x80 means "filtered") */
	caps->as4 = ph->type == BMP_PEER_LOC_RIB || !(ph->flags & BMP_FLAG_A);
	if (ph->type == BMP_PEER_LOC_RIB)
		caps->ebgp = false;
}
