// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: mrt.c - MRT routing dumps (RFC 6396, RFC 8050) for offline replay
 *
 * Owns the record framing of MRT files and the decoding of TABLE_DUMP (version
 * 1: one RIB entry per record, 2-byte ASes), TABLE_DUMP_V2 (PEER_INDEX_TABLE,
 * RIB_IPV4/IPV6_UNICAST and their ADD-PATH forms) and BGP4MP / BGP4MP_ET
 * (messages and state changes). RIB entry attributes go through
 * bgp_attrs_parse() (4-byte AS_PATH in V2, abbreviated MP_REACH); BGP4MP
 * yields the BGP PDU and the caps to decode it with bgp_update_parse().
 * Pure functions over the caller's buffer; each parser leaves through one
 * DROP(reason, offset) exit. A record is checked completely before the first
 * callback.
 *
 * Calls: bgp.c. Called by: the BGP monitor's replay, tests and fuzzers.
 */
#include <errno.h>
#include <string.h>

#include "mrt.h"

#define DROP(r, o)                  \
	do {                        \
		reason = (r);       \
		err_off = (o);      \
		goto drop;          \
	} while (0)

#define PEER_IPV6 0x01
#define PEER_AS4 0x02

static bool type_has_usec(uint16_t type)
{
	return type == MRT_BGP4MP_ET || type == 33 || type == 49;	/* ISIS_ET, OSPFv3_ET */
}

int mrt_next(const uint8_t *buf, size_t len, size_t *off, struct mrt_rec *rec,
	     struct mrt_error *err)
{
	const char *reason = NULL;
	size_t o = *off, err_off = 0;
	uint32_t l;

	memset(rec, 0, sizeof(*rec));
	if (o >= len)
		return 0;
	if (len - o < MRT_HDR_LEN)
		DROP("MRT header truncated", o);
	rec->off = o;
	rec->ts_sec = bgp_get32(buf + o);
	rec->type = bgp_get16(buf + o + 4);
	rec->subtype = bgp_get16(buf + o + 6);
	l = bgp_get32(buf + o + 8);
	if (l > len - o - MRT_HDR_LEN)
		DROP("MRT record overruns the buffer", o + 8);
	rec->body = buf + o + MRT_HDR_LEN;
	rec->len = l;
	if (type_has_usec(rec->type)) {
		if (l < 4)
			DROP("MRT _ET record without microseconds", o + 8);
		rec->ts_usec = bgp_get32(rec->body);
		rec->body += 4;
		rec->len -= 4;
	}
	*off = o + MRT_HDR_LEN + l;
	return 1;

drop:
	if (err) {
		err->reason = reason;
		err->offset = err_off;
	}
	return -EBADMSG;
}

/* One peer entry at b[*o]: 0 and *o past it, or -EBADMSG. */
static int peer_entry(const uint8_t *b, size_t len, size_t *o, struct mrt_peer *p)
{
	size_t need;
	uint8_t type;

	if (len - *o < 1)
		return -EBADMSG;
	type = b[*o];
	need = 1 + 4 + (type & PEER_IPV6 ? 16 : 4) + (type & PEER_AS4 ? 4 : 2);
	if (len - *o < need)
		return -EBADMSG;
	memset(p, 0, sizeof(*p));
	p->bgp_id = bgp_get32(b + *o + 1);
	p->afi = type & PEER_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
	memcpy(p->addr, b + *o + 5, type & PEER_IPV6 ? 16 : 4);
	p->as = type & PEER_AS4 ? bgp_get32(b + *o + need - 4) : bgp_get16(b + *o + need - 2);
	*o += need;
	return 0;
}

int mrt_peer_index_parse(const struct mrt_rec *rec, struct mrt_peer_index *pi, mrt_peer_cb cb,
			 void *ctx, struct mrt_error *err)
{
	const uint8_t *b = rec->body;
	size_t len = rec->len, o, start, err_off = 0;
	const char *reason = NULL;
	struct mrt_peer peer;
	unsigned int i;

	memset(pi, 0, sizeof(*pi));
	if (rec->type != MRT_TABLE_DUMP_V2 || rec->subtype != MRT_PEER_INDEX_TABLE)
		DROP("not a PEER_INDEX_TABLE", 0);
	if (len < 6)
		DROP("peer index header truncated", 0);
	pi->collector_id = bgp_get32(b);
	pi->view_len = bgp_get16(b + 4);
	if (len - 6 < (size_t)pi->view_len + 2)
		DROP("view name overruns the record", 4);
	pi->view = b + 6;
	o = 6 + (size_t)pi->view_len;
	pi->n_peers = bgp_get16(b + o);
	o += 2;
	start = o;
	for (i = 0; i < pi->n_peers; i++)
		if (peer_entry(b, len, &o, &peer))
			DROP("peer entry truncated", o);
	if (o != len)
		DROP("bytes after the last peer entry", o);
	o = start;
	for (i = 0; i < pi->n_peers; i++) {
		peer_entry(b, len, &o, &peer);
		if (cb)
			cb((uint16_t)i, &peer, ctx);
	}
	return 0;

drop:
	if (err) {
		err->reason = reason;
		err->offset = err_off;
	}
	return -EBADMSG;
}

int mrt_rib_parse(const struct mrt_rec *rec, struct mrt_rib *rib, mrt_rib_cb cb, void *ctx,
		  struct mrt_error *err)
{
	static const struct bgp_session_caps caps = { .as4 = true };
	const uint8_t *b = rec->body;
	size_t len = rec->len, o = 5, start, err_off = 0, fixed;
	const char *reason = NULL;
	uint32_t ignore;
	unsigned int i;
	uint8_t afi;

	memset(rib, 0, sizeof(*rib));
	if (rec->type != MRT_TABLE_DUMP_V2)
		DROP("not TABLE_DUMP_V2", 0);
	switch (rec->subtype) {
	case MRT_RIB_IPV4_UNICAST_ADDPATH:
		rib->addpath = true;
		/* fall through */
	case MRT_RIB_IPV4_UNICAST:
		afi = BGP_AFI_IPV4;
		break;
	case MRT_RIB_IPV6_UNICAST_ADDPATH:
		rib->addpath = true;
		/* fall through */
	case MRT_RIB_IPV6_UNICAST:
		afi = BGP_AFI_IPV6;
		break;
	default:
		DROP("not a unicast RIB subtype", 0);
	}
	if (len < 5)
		DROP("RIB header truncated", 0);
	rib->seq = bgp_get32(b);
	o = 4;
	if (bgp_nlri_decode(b, len, &o, afi, false, &rib->prefix, &ignore))
		DROP("bad RIB prefix", 4);
	if (len - o < 2)
		DROP("entry count truncated", o);
	rib->n_entries = bgp_get16(b + o);
	o += 2;
	start = o;
	fixed = rib->addpath ? 12 : 8;	/* index, time, [path id], attribute length */
	for (i = 0; i < rib->n_entries; i++) {
		size_t alen;

		if (len - o < fixed)
			DROP("RIB entry truncated", o);
		alen = bgp_get16(b + o + fixed - 2);
		if (alen > len - o - fixed)
			DROP("RIB entry attributes overrun the record", o + fixed - 2);
		o += fixed + alen;
	}
	if (o != len)
		DROP("bytes after the last RIB entry", o);

	o = start;
	for (i = 0; i < rib->n_entries; i++) {
		struct mrt_rib_entry e = { 0 };
		size_t alen = bgp_get16(b + o + fixed - 2);
		struct bgp_attrs a;

		e.peer_index = bgp_get16(b + o);
		e.originated = bgp_get32(b + o + 2);
		if (rib->addpath)
			e.path_id = bgp_get32(b + o + 6);
		o += fixed;
		if (!bgp_attrs_parse(b + o, alen, o, BGP_ATTRS_MRT, &caps, &a) &&
		    a.err.cls < BGP_ERR_TREAT_AS_WITHDRAW) {
			if (afi == BGP_AFI_IPV4 && a.nh4.afi)
				a.path.nexthop = a.nh4;
			else
				a.path.nexthop = a.mp_nh;
			e.path = &a.path;
		}
		e.err = a.err;
		o += alen;
		if (cb)
			cb(rib, &e, ctx);
	}
	return 0;

drop:
	if (err) {
		err->reason = reason;
		err->offset = err_off;
	}
	return -EBADMSG;
}

int mrt_table_dump_parse(const struct mrt_rec *rec, struct mrt_table_dump *td,
			 struct mrt_error *err)
{
	static const struct bgp_session_caps caps = { .as4 = false };
	const uint8_t *b = rec->body;
	size_t len = rec->len, o, iplen, alen, err_off = 0;
	const char *reason = NULL;
	struct bgp_attrs *a = &td->attrs;
	unsigned int bits;

	memset(td, 0, sizeof(*td));
	if (rec->type != MRT_TABLE_DUMP)
		DROP("not TABLE_DUMP", 0);
	if (rec->subtype == MRT_TD_AFI_IPV4)
		iplen = 4;
	else if (rec->subtype == MRT_TD_AFI_IPV6)
		iplen = 16;
	else
		return -ENOMSG;
	/* view, sequence, prefix, length, status, time, peer address, peer AS, attr length */
	if (len < 2 + 2 + iplen + 1 + 1 + 4 + iplen + 2 + 2)
		DROP("TABLE_DUMP entry truncated", 0);
	td->view = bgp_get16(b);
	td->seq = bgp_get16(b + 2);
	td->prefix.afi = iplen == 4 ? BGP_AFI_IPV4 : BGP_AFI_IPV6;
	memcpy(td->prefix.addr, b + 4, iplen);
	o = 4 + iplen;
	bits = b[o];
	if (bits > iplen * 8)
		DROP("TABLE_DUMP prefix length past the address", o);
	td->prefix.len = (uint8_t)bits;
	/* bits past the length are zero in a struct bgp_prefix */
	if (bits % 8)
		td->prefix.addr[bits / 8] &= (uint8_t)(0xff << (8 - bits % 8));
	memset(td->prefix.addr + (bits + 7) / 8, 0, sizeof(td->prefix.addr) - (bits + 7) / 8);
	td->status = b[o + 1];
	td->originated = bgp_get32(b + o + 2);
	o += 6;
	td->peer.afi = td->prefix.afi;
	memcpy(td->peer.addr, b + o, iplen);
	o += iplen;
	td->peer.as = bgp_get16(b + o);
	alen = bgp_get16(b + o + 2);
	o += 4;
	if (alen != len - o)
		DROP(alen > len - o ? "TABLE_DUMP attributes overrun the record" :
				      "bytes after the TABLE_DUMP attributes", o - 2);
	if (!bgp_attrs_parse(b + o, alen, o, BGP_ATTRS_MRT, &caps, a) &&
	    a->err.cls < BGP_ERR_TREAT_AS_WITHDRAW) {
		if (td->prefix.afi == BGP_AFI_IPV4 && a->nh4.afi)
			a->path.nexthop = a->nh4;
		else
			a->path.nexthop = a->mp_nh;
		td->path = &a->path;
	}
	td->err = a->err;
	return 0;

drop:
	if (err) {
		err->reason = reason;
		err->offset = err_off;
	}
	return -EBADMSG;
}

int mrt_bgp4mp_parse(const struct mrt_rec *rec, struct mrt_bgp4mp *m, struct mrt_error *err)
{
	const uint8_t *b = rec->body;
	size_t len = rec->len, o, iplen, err_off = 0;
	const char *reason = NULL;
	bool as4 = false, addpath = false;

	memset(m, 0, sizeof(*m));
	if (rec->type != MRT_BGP4MP && rec->type != MRT_BGP4MP_ET)
		DROP("not BGP4MP", 0);
	switch (rec->subtype) {
	case MRT_BGP4MP_STATE_CHANGE_AS4:
		as4 = true;
		/* fall through */
	case MRT_BGP4MP_STATE_CHANGE:
		m->state_change = true;
		break;
	case MRT_BGP4MP_MESSAGE_AS4_LOCAL_ADDPATH:
		m->local = true;
		/* fall through */
	case MRT_BGP4MP_MESSAGE_AS4_ADDPATH:
		addpath = true;
		as4 = true;
		break;
	case MRT_BGP4MP_MESSAGE_LOCAL_ADDPATH:
		m->local = true;
		/* fall through */
	case MRT_BGP4MP_MESSAGE_ADDPATH:
		addpath = true;
		break;
	case MRT_BGP4MP_MESSAGE_AS4_LOCAL:
		m->local = true;
		/* fall through */
	case MRT_BGP4MP_MESSAGE_AS4:
		as4 = true;
		break;
	case MRT_BGP4MP_MESSAGE_LOCAL:
		m->local = true;
		break;
	case MRT_BGP4MP_MESSAGE:
		break;
	default:
		return -ENOMSG;
	}
	o = as4 ? 8 : 4;
	if (len < o + 4)
		DROP("BGP4MP header truncated", 0);
	m->peer_as = as4 ? bgp_get32(b) : bgp_get16(b);
	m->local_as = as4 ? bgp_get32(b + 4) : bgp_get16(b + 2);
	m->ifindex = bgp_get16(b + o);
	m->afi = bgp_get16(b + o + 2);
	o += 4;
	if (m->afi == BGP_AFI_IPV4)
		iplen = 4;
	else if (m->afi == BGP_AFI_IPV6)
		iplen = 16;
	else
		DROP("BGP4MP address family not 1 or 2", o - 2);
	if (len - o < 2 * iplen)
		DROP("BGP4MP addresses truncated", o);
	memcpy(m->peer_ip, b + o, iplen);
	memcpy(m->local_ip, b + o + iplen, iplen);
	o += 2 * iplen;
	if (m->state_change) {
		if (len - o < 4)
			DROP("BGP4MP state change truncated", o);
		m->old_state = bgp_get16(b + o);
		m->new_state = bgp_get16(b + o + 2);
		return 0;
	}
	if (len - o < BGP_HDR_LEN)
		DROP("BGP4MP message truncated", o);
	m->pdu = b + o;
	m->pdu_len = len - o;
	m->caps.as4 = as4;
	m->caps.addpath_v4 = addpath;
	m->caps.addpath_v6 = addpath;
	m->caps.ebgp = m->peer_as != m->local_as;
	return 0;

drop:
	if (err) {
		err->reason = reason;
		err->offset = err_off;
	}
	return -EBADMSG;
}
