// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: bgp.c - BGP wire format: UPDATE, path attributes, OPEN capabilities
 *
 * Owns the decoding of BGP PDUs that reach the BGP monitor inside BMP Route
 * Monitoring / Peer Up messages and MRT records. Pure functions over the
 * caller's bytes: no allocation, no logging, no state.
 *
 * Errors follow RFC 7606: an UPDATE is validated completely (framing, every
 * attribute, every NLRI) before the first callback, so a caller never sees
 * half an UPDATE. Attribute errors are graded (attribute-discard,
 * treat-as-withdraw); errors that leave NLRI unlocatable, duplicate MP
 * attributes and NLRI syntax errors are session-level and report nothing.
 * Each parser leaves through one DROP(reason, offset) exit.
 *
 * Calls: libc only. Called by: bmp.c, mrt.c, the BGP monitor, tests, fuzzers.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bgp.h"

#define F_OPTIONAL 0x80
#define F_TRANSITIVE 0x40
#define F_EXTLEN 0x10

/* the one exit of each parser: reason and byte offset, then `drop:` */
#define DROP(r, o)                  \
	do {                        \
		reason = (r);       \
		err_off = (o);      \
		goto drop;          \
	} while (0)

#define SEG_SET 1
#define SEG_SEQUENCE 2
#define SEG_CONFED_SEQUENCE 3
#define SEG_CONFED_SET 4

const char *const bgp_err_class_names[] = {
	[BGP_ERR_NONE] = "none",
	[BGP_ERR_ATTR_DISCARD] = "attribute-discard",
	[BGP_ERR_TREAT_AS_WITHDRAW] = "treat-as-withdraw",
	[BGP_ERR_AFI_DISABLE] = "afi-safi-disable",
	[BGP_ERR_SESSION] = "session-reset",
};

/*
 * Per known attribute: the Optional/Transitive bits it must carry and the
 * RFC 7606 response when it is malformed (flags included, RFC 7606 3.c).
 */
struct attr_rule {
	uint8_t ot;
	uint8_t cls;
};

static const struct attr_rule attr_rules[] = {
	[BGP_ATTR_ORIGIN] = { F_TRANSITIVE, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_AS_PATH] = { F_TRANSITIVE, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_NEXT_HOP] = { F_TRANSITIVE, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_MED] = { F_OPTIONAL, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_LOCAL_PREF] = { F_TRANSITIVE, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_ATOMIC_AGGREGATE] = { F_TRANSITIVE, BGP_ERR_ATTR_DISCARD },
	[BGP_ATTR_AGGREGATOR] = { F_OPTIONAL | F_TRANSITIVE, BGP_ERR_ATTR_DISCARD },
	[BGP_ATTR_COMMUNITIES] = { F_OPTIONAL | F_TRANSITIVE, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_ORIGINATOR_ID] = { F_OPTIONAL, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_CLUSTER_LIST] = { F_OPTIONAL, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_MP_REACH] = { F_OPTIONAL, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_MP_UNREACH] = { F_OPTIONAL, BGP_ERR_TREAT_AS_WITHDRAW },
	[BGP_ATTR_AS4_PATH] = { F_OPTIONAL | F_TRANSITIVE, BGP_ERR_ATTR_DISCARD },
	[BGP_ATTR_AS4_AGGREGATOR] = { F_OPTIONAL | F_TRANSITIVE, BGP_ERR_ATTR_DISCARD },
	[BGP_ATTR_LARGE_COMMUNITY] = { F_OPTIONAL | F_TRANSITIVE, BGP_ERR_TREAT_AS_WITHDRAW },
};

static const char *const attr_names[] = {
	[BGP_ATTR_ORIGIN] = "ORIGIN",
	[BGP_ATTR_AS_PATH] = "AS_PATH",
	[BGP_ATTR_NEXT_HOP] = "NEXT_HOP",
	[BGP_ATTR_MED] = "MULTI_EXIT_DISC",
	[BGP_ATTR_LOCAL_PREF] = "LOCAL_PREF",
	[BGP_ATTR_ATOMIC_AGGREGATE] = "ATOMIC_AGGREGATE",
	[BGP_ATTR_AGGREGATOR] = "AGGREGATOR",
	[BGP_ATTR_COMMUNITIES] = "COMMUNITIES",
	[BGP_ATTR_ORIGINATOR_ID] = "ORIGINATOR_ID",
	[BGP_ATTR_CLUSTER_LIST] = "CLUSTER_LIST",
	[BGP_ATTR_MP_REACH] = "MP_REACH_NLRI",
	[BGP_ATTR_MP_UNREACH] = "MP_UNREACH_NLRI",
	[BGP_ATTR_AS4_PATH] = "AS4_PATH",
	[BGP_ATTR_AS4_AGGREGATOR] = "AS4_AGGREGATOR",
	[BGP_ATTR_LARGE_COMMUNITY] = "LARGE_COMMUNITY",
};

const char *bgp_attr_name(uint8_t code)
{
	return code < sizeof(attr_names) / sizeof(attr_names[0]) ? attr_names[code] : NULL;
}

static bool attr_known(uint8_t code)
{
	return code < sizeof(attr_rules) / sizeof(attr_rules[0]) && attr_rules[code].cls;
}

static void err_note(struct bgp_error *e, unsigned int *n, enum bgp_err_class cls,
		     const char *reason, size_t off, uint8_t attr)
{
	(*n)++;
	if (cls <= e->cls)
		return;
	e->cls = cls;
	e->reason = reason;
	e->offset = off;
	e->attr = attr;
}

int bgp_header_parse(const uint8_t *pdu, size_t len, uint8_t *type, uint16_t *msg_len)
{
	uint16_t l;
	int i;

	if (!pdu || len < BGP_HDR_LEN)
		return -EBADMSG;
	for (i = 0; i < 16; i++)
		if (pdu[i] != 0xff)
			return -EBADMSG;
	l = bgp_get16(pdu + 16);
	if (l < BGP_HDR_LEN || l > len)
		return -EBADMSG;
	*type = pdu[18];
	*msg_len = l;
	return 0;
}

/* ---- prefixes ------------------------------------------------------------ */

int bgp_nlri_decode(const uint8_t *buf, size_t len, size_t *off, uint8_t afi, bool addpath,
		    struct bgp_prefix *p, uint32_t *path_id)
{
	size_t o = *off, bytes;
	unsigned int bits, max;

	if (afi != BGP_AFI_IPV4 && afi != BGP_AFI_IPV6)
		return -EBADMSG;
	max = afi == BGP_AFI_IPV6 ? 128 : 32;
	*path_id = 0;
	if (o > len)
		return -EBADMSG;
	if (addpath) {
		if (len - o < 4)
			return -EBADMSG;
		*path_id = bgp_get32(buf + o);
		o += 4;
	}
	if (o >= len)
		return -EBADMSG;
	bits = buf[o++];
	if (bits > max)
		return -EBADMSG;
	bytes = (bits + 7) / 8;
	if (len - o < bytes)
		return -EBADMSG;
	memset(p, 0, sizeof(*p));
	p->afi = afi;
	p->len = (uint8_t)bits;
	if (bytes) {
		memcpy(p->addr, buf + o, bytes);
		if (bits % 8)
			p->addr[bytes - 1] &= (uint8_t)(0xff << (8 - bits % 8));
	}
	*off = o + bytes;
	return 0;
}

bool bgp_prefix_equal(const struct bgp_prefix *a, const struct bgp_prefix *b)
{
	return a->afi == b->afi && a->len == b->len && !memcmp(a->addr, b->addr, sizeof(a->addr));
}

bool bgp_prefix_contains(const struct bgp_prefix *outer, const struct bgp_prefix *inner)
{
	unsigned int full, rest;

	if (outer->afi != inner->afi || inner->len < outer->len)
		return false;
	if (outer->len > (outer->afi == BGP_AFI_IPV6 ? 128 : 32))
		return false;
	full = outer->len / 8;
	rest = outer->len % 8;
	if (memcmp(outer->addr, inner->addr, full))
		return false;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));

		if ((outer->addr[full] & mask) != (inner->addr[full] & mask))
			return false;
	}
	return true;
}

int bgp_prefix_format(const struct bgp_prefix *p, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	int n;

	if (p->afi == BGP_AFI_IPV4 && p->len <= 32)
		inet_ntop(AF_INET, p->addr, a, sizeof(a));
	else if (p->afi == BGP_AFI_IPV6 && p->len <= 128)
		inet_ntop(AF_INET6, p->addr, a, sizeof(a));
	else
		return -EINVAL;
	n = snprintf(buf, size, "%s/%u", a, p->len);
	return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

int bgp_prefix_parse(const char *s, struct bgp_prefix *p)
{
	char tmp[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long bits;
	unsigned int max, i;

	if (!s || strlen(s) >= sizeof(tmp))
		return -EINVAL;
	strcpy(tmp, s);
	memset(p, 0, sizeof(*p));
	slash = strchr(tmp, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, tmp, p->addr) == 1)
		p->afi = BGP_AFI_IPV4;
	else if (inet_pton(AF_INET6, tmp, p->addr) == 1)
		p->afi = BGP_AFI_IPV6;
	else
		return -EINVAL;
	max = p->afi == BGP_AFI_IPV6 ? 128 : 32;
	bits = max;
	if (slash) {
		if (!slash[1])
			return -EINVAL;
		bits = strtoul(slash + 1, &end, 10);
		if (*end || bits > max)
			return -EINVAL;
	}
	p->len = (uint8_t)bits;
	for (i = 0; i < 16; i++) {
		if (i * 8 >= bits)
			p->addr[i] = 0;
		else if (i * 8 + 8 > bits)
			p->addr[i] &= (uint8_t)(0xff << (8 - (bits - i * 8)));
	}
	return 0;
}

bool bgp_path_has_community(const struct bgp_path *path, uint32_t community)
{
	uint16_t i;

	for (i = 0; i < path->n_communities; i++)
		if (bgp_get32(path->communities + 4 * i) == community)
			return true;
	return false;
}

/* ---- AS paths -------------------------------------------------------------- */

/*
 * Check the segments of an AS_PATH / AS4_PATH. 0 and *count (RFC 4271 path
 * length) or -EBADMSG and *bad (offset of the bad segment).
 */
static int as_path_check(const uint8_t *v, size_t len, unsigned int asz, bool confed_ok,
			 unsigned int *count, size_t *bad)
{
	size_t o = 0;
	unsigned int cnt = 0;

	while (o < len) {
		uint8_t type, n;

		*bad = o;
		if (len - o < 2)
			return -EBADMSG;
		type = v[o];
		n = v[o + 1];
		if (type < SEG_SET || type > SEG_CONFED_SET)
			return -EBADMSG;
		if (!confed_ok && type > SEG_SEQUENCE)
			return -EBADMSG;
		if (n == 0 || len - o - 2 < (size_t)n * asz)
			return -EBADMSG;
		if (type == SEG_SEQUENCE)
			cnt += n;
		else if (type == SEG_SET)
			cnt += 1;
		o += 2 + (size_t)n * asz;
	}
	*count = cnt;
	return 0;
}

static void path_push(struct bgp_path *p, uint32_t asn, bool in_set)
{
	if (p->as_path_n == 0 && !p->as_path_truncated) {
		p->has_first_as = !in_set;
		p->first_as = in_set ? 0 : asn;
	}
	p->has_origin_as = !in_set;
	p->origin_as = in_set ? 0 : asn;
	if (p->as_path_n < BGP_PATH_MAX) {
		if (in_set)
			p->as_set_mask |= 1ull << p->as_path_n;
		p->as_path[p->as_path_n++] = asn;
	} else {
		p->as_path_truncated = true;
	}
}

/*
 * Append up to *budget path-length units of a checked path to the view
 * (UINT_MAX: all). Confederation segments count 0 and are left out.
 */
static void path_emit(struct bgp_path *p, const uint8_t *v, size_t len, unsigned int asz,
		      unsigned int *budget)
{
	size_t o = 0;

	while (o < len && *budget > 0) {
		uint8_t type = v[o], n = v[o + 1];
		const uint8_t *a = v + o + 2;
		unsigned int i, take;

		o += 2 + (size_t)n * asz;
		if (type != SEG_SET && type != SEG_SEQUENCE)
			continue;
		take = type == SEG_SET ? n : (n < *budget ? n : *budget);
		for (i = 0; i < take; i++)
			path_push(p, asz == 4 ? bgp_get32(a + 4 * i) : bgp_get16(a + 2 * i),
				  type == SEG_SET);
		if (type == SEG_SET) {
			*budget -= 1;
			p->as_path_len++;
		} else {
			*budget -= take;
			p->as_path_len = (uint16_t)(p->as_path_len + take);
		}
	}
}

/* ---- path attributes ------------------------------------------------------- */

/* The next hop of an MP_REACH (or MRT's abbreviated form): 0 or -EBADMSG. */
static int mp_nexthop(const uint8_t *v, uint8_t nhlen, uint16_t afi, struct bgp_nexthop *nh)
{
	memset(nh, 0, sizeof(*nh));
	switch (nhlen) {
	case 4:
		if (afi == BGP_AFI_IPV6)
			return -EBADMSG;
		nh->afi = BGP_AFI_IPV4;
		memcpy(nh->addr, v, 4);
		return 0;
	case 32:
		nh->has_ll = true;
		memcpy(nh->ll, v + 16, 16);
		/* fall through */
	case 16:
		nh->afi = BGP_AFI_IPV6;	/* RFC 8950 for IPv4 NLRI */
		memcpy(nh->addr, v, 16);
		return 0;
	default:
		return -EBADMSG;
	}
}

static bool afi_unicast(uint16_t afi, uint8_t safi)
{
	return (afi == BGP_AFI_IPV4 || afi == BGP_AFI_IPV6) && safi == BGP_SAFI_UNICAST;
}

int bgp_attrs_parse(const uint8_t *buf, size_t len, size_t base, unsigned int flags,
		    const struct bgp_session_caps *caps, struct bgp_attrs *a)
{
	static const struct bgp_session_caps defcaps = { .as4 = true };
	const uint8_t *as_path = NULL, *as4_path = NULL;
	size_t as_path_len = 0, as4_path_len = 0, off = 0, err_off = 0, bad;
	unsigned int asz, n_as = 0, n_as4 = 0, all = UINT_MAX;
	enum bgp_err_class drop_cls = BGP_ERR_SESSION;
	const char *reason = NULL;
	uint8_t err_code = 0;

	if (!caps)
		caps = &defcaps;
	asz = caps->as4 ? 4 : 2;
	memset(a, 0, sizeof(*a));
	a->path.origin = BGP_ORIGIN_NONE;

	while (off < len) {
		size_t aoff = off, hdr = 3, alen;
		uint8_t fl = buf[off], code, cls;
		const uint8_t *v;

		if (len - off < 3 || ((fl & F_EXTLEN) && len - off < 4)) {
			err_note(&a->err, &a->n_errors, BGP_ERR_TREAT_AS_WITHDRAW,
				 "attribute header truncated", base + aoff, 0);
			break;
		}
		code = buf[off + 1];
		if (fl & F_EXTLEN) {
			alen = bgp_get16(buf + off + 2);
			hdr = 4;
		} else {
			alen = buf[off + 2];
		}
		if (alen > len - off - hdr) {
			err_code = code;
			if (code == BGP_ATTR_MP_REACH || code == BGP_ATTR_MP_UNREACH)
				DROP("MP attribute overruns the attribute block", aoff);
			err_note(&a->err, &a->n_errors, BGP_ERR_TREAT_AS_WITHDRAW,
				 "attribute length overruns total attribute length", base + aoff,
				 code);
			break;
		}
		v = buf + off + hdr;
		off += hdr + alen;

		if (code < 64 && (a->seen & (1ull << code))) {
			err_code = code;
			if (code == BGP_ATTR_MP_REACH)
				DROP("duplicate MP_REACH_NLRI", aoff);
			if (code == BGP_ATTR_MP_UNREACH)
				DROP("duplicate MP_UNREACH_NLRI", aoff);
			err_note(&a->err, &a->n_errors, BGP_ERR_ATTR_DISCARD,
				 "duplicate attribute", base + aoff, code);
			a->n_discarded++;
			continue;
		}
		if (code < 64)
			a->seen |= 1ull << code;

		if (!attr_known(code)) {
			if (!(fl & F_OPTIONAL)) {
				err_note(&a->err, &a->n_errors, BGP_ERR_ATTR_DISCARD,
					 "unrecognized well-known attribute", base + aoff, code);
				a->n_discarded++;
			}
			continue;
		}
		cls = attr_rules[code].cls;
		if (code == BGP_ATTR_LOCAL_PREF && caps->ebgp)
			cls = BGP_ERR_ATTR_DISCARD;
		if ((fl & (F_OPTIONAL | F_TRANSITIVE)) != attr_rules[code].ot) {
			err_note(&a->err, &a->n_errors, cls, "attribute flags conflict with type",
				 base + aoff, code);
			if (cls == BGP_ERR_ATTR_DISCARD)
				a->n_discarded++;
			/* MP attributes are still read: their NLRI must be withdrawn */
			if (code != BGP_ATTR_MP_REACH && code != BGP_ATTR_MP_UNREACH)
				continue;
		}

		switch (code) {
		case BGP_ATTR_ORIGIN:
			if (alen != 1 || v[0] > BGP_ORIGIN_INCOMPLETE)
				goto malformed;
			a->path.origin = v[0];
			break;
		case BGP_ATTR_AS_PATH:
			if (as_path_check(v, alen, asz, true, &n_as, &bad))
				goto malformed;
			as_path = v;
			as_path_len = alen;
			break;
		case BGP_ATTR_NEXT_HOP:
			if (alen != 4)
				goto malformed;
			a->nh4.afi = BGP_AFI_IPV4;
			memcpy(a->nh4.addr, v, 4);
			break;
		case BGP_ATTR_MED:
			if (alen != 4)
				goto malformed;
			a->path.has_med = true;
			a->path.med = bgp_get32(v);
			break;
		case BGP_ATTR_LOCAL_PREF:
			if (alen != 4)
				goto malformed;
			if (!caps->ebgp) {
				a->path.has_local_pref = true;
				a->path.local_pref = bgp_get32(v);
			}
			break;
		case BGP_ATTR_ATOMIC_AGGREGATE:
			if (alen != 0)
				goto malformed;
			a->path.atomic_aggregate = true;
			break;
		case BGP_ATTR_AGGREGATOR:
			if (alen != (caps->as4 ? 8u : 6u))
				goto malformed;
			break;
		case BGP_ATTR_COMMUNITIES:
			if (alen == 0 || alen % 4)
				goto malformed;
			a->path.communities = v;
			a->path.n_communities = (uint16_t)(alen / 4);
			break;
		case BGP_ATTR_ORIGINATOR_ID:
			if (alen != 4)
				goto malformed;
			break;
		case BGP_ATTR_CLUSTER_LIST:
			if (alen == 0 || alen % 4)
				goto malformed;
			break;
		case BGP_ATTR_MP_REACH: {
			uint8_t nhlen;

			err_code = code;
			a->has_mp_reach = true;
			if ((flags & BGP_ATTRS_MRT) && alen >= 1 && (size_t)v[0] + 1 == alen) {
				/* RFC 6396 4.3.4: next hop length and next hop only */
				if (mp_nexthop(v + 1, v[0], 0, &a->mp_nh)) {
					drop_cls = BGP_ERR_AFI_DISABLE;
					DROP("bad MP_REACH next hop length", aoff);
				}
				break;
			}
			if (alen < 5)
				DROP("MP_REACH_NLRI too short", aoff);
			a->mp_reach_afi = bgp_get16(v);
			a->mp_reach_safi = v[2];
			nhlen = v[3];
			if (alen < 5u + nhlen) {
				drop_cls = BGP_ERR_AFI_DISABLE;
				DROP("MP_REACH next hop overruns the attribute", aoff);
			}
			if (afi_unicast(a->mp_reach_afi, a->mp_reach_safi) &&
			    mp_nexthop(v + 4, nhlen, a->mp_reach_afi, &a->mp_nh)) {
				drop_cls = BGP_ERR_AFI_DISABLE;
				DROP("bad MP_REACH next hop length", aoff);
			}
			a->mp_reach = v + 5 + nhlen;
			a->mp_reach_len = alen - 5 - nhlen;
			a->mp_reach_off = base + (size_t)(a->mp_reach - buf);
			break;
		}
		case BGP_ATTR_MP_UNREACH:
			err_code = code;
			if (alen < 3)
				DROP("MP_UNREACH_NLRI too short", aoff);
			a->has_mp_unreach = true;
			a->mp_unreach_afi = bgp_get16(v);
			a->mp_unreach_safi = v[2];
			a->mp_unreach = v + 3;
			a->mp_unreach_len = alen - 3;
			a->mp_unreach_off = base + (size_t)(a->mp_unreach - buf);
			break;
		case BGP_ATTR_AS4_PATH:
			if (caps->as4)
				break;	/* RFC 6793: NEW speakers ignore it */
			if (as_path_check(v, alen, 4, false, &n_as4, &bad))
				goto malformed;
			as4_path = v;
			as4_path_len = alen;
			break;
		case BGP_ATTR_AS4_AGGREGATOR:
			if (alen != 8)
				goto malformed;
			break;
		case BGP_ATTR_LARGE_COMMUNITY:
			if (alen == 0 || alen % 12)
				goto malformed;
			a->path.large = v;
			a->path.n_large = (uint16_t)(alen / 12);
			break;
		}
		continue;
malformed:
		err_note(&a->err, &a->n_errors, cls, "malformed attribute", base + aoff, code);
		if (cls == BGP_ERR_ATTR_DISCARD)
			a->n_discarded++;
	}

	if ((flags & BGP_ATTRS_MRT) && a->err.cls < BGP_ERR_TREAT_AS_WITHDRAW) {
		if (!(a->seen & (1ull << BGP_ATTR_ORIGIN)))
			err_note(&a->err, &a->n_errors, BGP_ERR_TREAT_AS_WITHDRAW,
				 "missing ORIGIN", base, BGP_ATTR_ORIGIN);
		else if (!(a->seen & (1ull << BGP_ATTR_AS_PATH)))
			err_note(&a->err, &a->n_errors, BGP_ERR_TREAT_AS_WITHDRAW,
				 "missing AS_PATH", base, BGP_ATTR_AS_PATH);
	}

	/* RFC 6793 4.2.3: merge AS4_PATH unless it is longer than AS_PATH */
	if (as_path) {
		if (as4_path && n_as >= n_as4) {
			unsigned int lead = n_as - n_as4;

			path_emit(&a->path, as_path, as_path_len, asz, &lead);
			path_emit(&a->path, as4_path, as4_path_len, 4, &all);
		} else {
			path_emit(&a->path, as_path, as_path_len, asz, &all);
		}
	}
	return 0;

drop:
	err_note(&a->err, &a->n_errors, drop_cls, reason, base + err_off, err_code);
	return -EBADMSG;
}

/* ---- UPDATE ---------------------------------------------------------------- */

struct nlri_run {
	bgp_prefix_cb cb;
	void *ctx;
	struct bgp_update_result *res;
};

/*
 * Walk one NLRI block; with run == NULL only check it. 0 or -EBADMSG with
 * *bad the offset (relative to buf) of the bad prefix.
 */
static int nlri_walk(const uint8_t *buf, size_t len, uint8_t afi, bool addpath,
		     const struct bgp_route *tmpl, const struct nlri_run *run, size_t *bad)
{
	size_t off = 0;

	while (off < len) {
		struct bgp_route r = *tmpl;

		*bad = off;
		if (bgp_nlri_decode(buf, len, &off, afi, addpath, &r.prefix, &r.path_id))
			return -EBADMSG;
		r.has_path_id = addpath;
		if (!run)
			continue;
		if (r.action == BGP_ANNOUNCE)
			run->res->n_announced++;
		else
			run->res->n_withdrawn++;
		if (run->cb)
			run->cb(&r, run->ctx);
	}
	return 0;
}

static bool caps_addpath(const struct bgp_session_caps *caps, uint16_t afi)
{
	return afi == BGP_AFI_IPV4 ? caps->addpath_v4 : caps->addpath_v6;
}

/*
 * Check one NLRI block with path ids as *ap says; if that fails and the caps
 * allow a guess, with the other setting (then *ap is flipped).
 */
static int nlri_check(const uint8_t *buf, size_t len, uint8_t afi,
		      const struct bgp_session_caps *caps, bool *ap,
		      struct bgp_update_result *res, size_t *bad)
{
	struct bgp_route tmpl = { .action = BGP_WITHDRAW };
	size_t bad2;

	if (!nlri_walk(buf, len, afi, *ap, &tmpl, NULL, bad))
		return 0;
	if (!caps->addpath_guess || nlri_walk(buf, len, afi, !*ap, &tmpl, NULL, &bad2))
		return -EBADMSG;
	*ap = !*ap;
	res->addpath_guessed = true;
	return 0;
}

int bgp_update_parse(const uint8_t *pdu, size_t len, const struct bgp_session_caps *caps,
		     bgp_prefix_cb cb, void *ctx, struct bgp_update_result *res)
{
	static const struct bgp_session_caps defcaps = { .as4 = true };
	struct nlri_run run = { .cb = cb, .ctx = ctx, .res = res };
	struct bgp_route wd = { .action = BGP_WITHDRAW }, ann = { .action = BGP_ANNOUNCE };
	enum bgp_err_class drop_cls = BGP_ERR_SESSION;
	const char *reason = NULL;
	size_t wlen, alen, nlri, nlri_len, aoff, err_off = 0, bad;
	struct bgp_attrs a;
	bool mp_reach, mp_unreach, taw, ap_w, ap_n, ap_mu, ap_mr;
	uint16_t mlen;
	uint8_t type, err_code = 0;

	memset(res, 0, sizeof(*res));
	if (!caps)
		caps = &defcaps;
	if (bgp_header_parse(pdu, len, &type, &mlen))
		DROP("bad BGP header (marker or length)", 0);
	res->msg_len = mlen;
	if (type != BGP_MSG_UPDATE)
		return -ENOMSG;
	if (mlen < 23)
		DROP("UPDATE shorter than 23 bytes", 16);
	wlen = bgp_get16(pdu + 19);
	if (wlen > (size_t)mlen - 23)
		DROP("withdrawn routes length overruns the message", 19);
	aoff = 21 + wlen;
	alen = bgp_get16(pdu + aoff);
	if (alen > (size_t)mlen - 23 - wlen)
		DROP("total path attribute length overruns the message", aoff);
	nlri = aoff + 2 + alen;
	nlri_len = mlen - nlri;

	if (bgp_attrs_parse(pdu + aoff + 2, alen, aoff + 2, 0, caps, &a)) {
		res->err = a.err;
		res->n_errors = a.n_errors;
		res->n_discarded = a.n_discarded;
		return -EBADMSG;
	}
	res->err = a.err;
	res->n_errors = a.n_errors;
	res->n_discarded = a.n_discarded;
	mp_reach = a.has_mp_reach && afi_unicast(a.mp_reach_afi, a.mp_reach_safi);
	mp_unreach = a.has_mp_unreach && afi_unicast(a.mp_unreach_afi, a.mp_unreach_safi);

	/* RFC 7606 5.3: NLRI syntax errors reset the session (or AFI/SAFI) */
	ap_w = ap_n = caps->addpath_v4;
	ap_mu = mp_unreach && caps_addpath(caps, a.mp_unreach_afi);
	ap_mr = mp_reach && caps_addpath(caps, a.mp_reach_afi);
	if (nlri_check(pdu + 21, wlen, BGP_AFI_IPV4, caps, &ap_w, res, &bad))
		DROP("malformed withdrawn routes", 21 + bad);
	if (nlri_check(pdu + nlri, nlri_len, BGP_AFI_IPV4, caps, &ap_n, res, &bad))
		DROP("malformed NLRI", nlri + bad);
	if (mp_unreach && nlri_check(a.mp_unreach, a.mp_unreach_len, (uint8_t)a.mp_unreach_afi,
				     caps, &ap_mu, res, &bad)) {
		err_code = BGP_ATTR_MP_UNREACH;
		drop_cls = BGP_ERR_AFI_DISABLE;
		DROP("malformed MP_UNREACH_NLRI prefixes", a.mp_unreach_off + bad);
	}
	if (mp_reach && nlri_check(a.mp_reach, a.mp_reach_len, (uint8_t)a.mp_reach_afi, caps,
				   &ap_mr, res, &bad)) {
		err_code = BGP_ATTR_MP_REACH;
		drop_cls = BGP_ERR_AFI_DISABLE;
		DROP("malformed MP_REACH_NLRI prefixes", a.mp_reach_off + bad);
	}

	/* RFC 7606 3.d: missing well-known mandatory attributes */
	if (nlri_len || (a.has_mp_reach && a.mp_reach_len)) {
		static const struct {
			uint8_t code;
			const char *reason;
		} mand[] = {
			{ BGP_ATTR_ORIGIN, "missing ORIGIN" },
			{ BGP_ATTR_AS_PATH, "missing AS_PATH" },
			{ BGP_ATTR_NEXT_HOP, "missing NEXT_HOP" },
		};
		unsigned int i;

		for (i = 0; i < 3; i++) {
			if (a.seen & (1ull << mand[i].code))
				continue;
			if (mand[i].code == BGP_ATTR_NEXT_HOP && !nlri_len)
				continue;	/* RFC 4760: MP_REACH only */
			err_note(&res->err, &res->n_errors, BGP_ERR_TREAT_AS_WITHDRAW,
				 mand[i].reason, aoff, mand[i].code);
		}
	}

	/* everything checked: report */
	taw = res->err.cls == BGP_ERR_TREAT_AS_WITHDRAW;
	if (taw) {
		ann.action = BGP_WITHDRAW;
		ann.treat_as_withdraw = true;
	} else {
		ann.path = &a.path;
	}
	nlri_walk(pdu + 21, wlen, BGP_AFI_IPV4, ap_w, &wd, &run, &bad);
	if (mp_unreach)
		nlri_walk(a.mp_unreach, a.mp_unreach_len, (uint8_t)a.mp_unreach_afi, ap_mu, &wd,
			  &run, &bad);
	if (mp_reach) {
		a.path.nexthop = a.mp_nh;
		nlri_walk(a.mp_reach, a.mp_reach_len, (uint8_t)a.mp_reach_afi, ap_mr, &ann, &run,
			  &bad);
	}
	a.path.nexthop = a.nh4;
	nlri_walk(pdu + nlri, nlri_len, BGP_AFI_IPV4, ap_n, &ann, &run, &bad);

	/* End-of-RIB (RFC 4724): empty UPDATE, or a lone empty MP_UNREACH */
	if (mlen == 23) {
		res->end_of_rib = true;
		res->eor_afi = BGP_AFI_IPV4;
	} else if (a.has_mp_unreach && !a.mp_unreach_len && !wlen && !nlri_len &&
		   a.seen == 1ull << BGP_ATTR_MP_UNREACH) {
		res->end_of_rib = true;
		res->eor_afi = (uint8_t)a.mp_unreach_afi;
	}
	return 0;

drop:
	err_note(&res->err, &res->n_errors, drop_cls, reason, err_off, err_code);
	return -EBADMSG;
}

/* ---- OPEN ------------------------------------------------------------------ */

static void open_caps(const uint8_t *c, size_t len, struct bgp_open *o)
{
	size_t off = 0;

	while (len - off >= 2) {
		uint8_t code = c[off], clen = c[off + 1];
		const uint8_t *v = c + off + 2;
		size_t i;

		if ((size_t)clen > len - off - 2)
			return;
		off += 2 + (size_t)clen;
		if (code == 65 && clen == 4) {
			o->has_as4 = true;
			o->as4 = bgp_get32(v);
		} else if (code == 69) {
			for (i = 0; i + 4 <= clen; i += 4) {
				uint16_t afi = bgp_get16(v + i);
				uint8_t sr = v[i + 3] & (BGP_ADDPATH_RX | BGP_ADDPATH_TX);

				if (v[i + 2] != BGP_SAFI_UNICAST)
					continue;
				if (afi == BGP_AFI_IPV4)
					o->addpath_v4 = sr;
				else if (afi == BGP_AFI_IPV6)
					o->addpath_v6 = sr;
			}
		}
	}
}

int bgp_open_parse(const uint8_t *pdu, size_t len, struct bgp_open *o)
{
	const char *reason = NULL;
	size_t off, end, err_off = 0;
	uint16_t mlen;
	uint8_t type;
	bool ext;

	memset(o, 0, sizeof(*o));
	if (bgp_header_parse(pdu, len, &type, &mlen))
		DROP("bad BGP header", 0);
	if (type != BGP_MSG_OPEN)
		DROP("not an OPEN", 18);
	if (mlen < 29)
		DROP("OPEN shorter than 29 bytes", 16);
	o->version = pdu[19];
	o->my_as = bgp_get16(pdu + 20);
	o->hold_time = bgp_get16(pdu + 22);
	o->bgp_id = bgp_get32(pdu + 24);
	off = 29;
	end = off + pdu[28];
	/* RFC 9072 extended optional parameters: length 255, type 255 */
	ext = pdu[28] == 255 && mlen >= 32 && pdu[29] == 255;
	if (ext) {
		off = 32;
		end = off + bgp_get16(pdu + 30);
	}
	if (end > mlen)
		DROP("optional parameters overrun the OPEN", 28);
	while (off < end) {
		size_t plen, hdr = ext ? 3 : 2;
		uint8_t ptype;

		if (end - off < hdr)
			DROP("optional parameter header truncated", off);
		ptype = pdu[off];
		plen = ext ? bgp_get16(pdu + off + 1) : pdu[off + 1];
		if (plen > end - off - hdr)
			DROP("optional parameter overruns", off);
		if (ptype == 2)
			open_caps(pdu + off + hdr, plen, o);
		off += hdr + plen;
	}
	return 0;

drop:
	(void)reason;
	(void)err_off;
	return -EBADMSG;
}

void bgp_session_caps_from_opens(const struct bgp_open *sent, const struct bgp_open *rcvd,
				 struct bgp_session_caps *caps)
{
	uint32_t local_as = sent->has_as4 ? sent->as4 : sent->my_as;
	uint32_t peer_as = rcvd->has_as4 ? rcvd->as4 : rcvd->my_as;

	memset(caps, 0, sizeof(*caps));
	caps->as4 = sent->has_as4 && rcvd->has_as4;
	/* RFC 7911: the peer sends path ids if it may send and we may receive */
	caps->addpath_v4 = (sent->addpath_v4 & BGP_ADDPATH_RX) &&
			   (rcvd->addpath_v4 & BGP_ADDPATH_TX);
	caps->addpath_v6 = (sent->addpath_v6 & BGP_ADDPATH_RX) &&
			   (rcvd->addpath_v6 & BGP_ADDPATH_TX);
	caps->ebgp = local_as != peer_as;
}
