// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * MRT parser: record framing (plain and _ET), PEER_INDEX_TABLE, RIB entries
 * (IPv4, IPv6 with the abbreviated MP_REACH, ADD-PATH), BGP4MP messages and
 * state changes, records written by gobgpd 3.10 on loopback, TABLE_DUMP
 * (version 1) records built byte by byte from RFC 6396 4.2, and truncation
 * of valid records at every length. Parses run on exact-size heap copies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-bgp/mrt.h"
#include "mrt_table_dump_v1.h"
#include "wire_build.h"

/* written by gobgpd 3.10 ([[mrt-dump]] table and updates), AS 65002 peering with 65001 */
static const uint8_t gobgp_peer_index[] = {
	0x6b, 0x03, 0xf2, 0xf5, 0x00, 0x0d, 0x00, 0x01, 0x00, 0x00, 0x00, 0x22,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x02, 0x00, 0x00, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xc0, 0x00,
	0x02, 0x01, 0x7f, 0x00, 0x00, 0x01, 0x00, 0x00, 0xfd, 0xe9,
};
static const uint8_t gobgp_rib_v4_addpath[] = {
	0x6b, 0x03, 0xf2, 0xf5, 0x00, 0x0d, 0x00, 0x08, 0x00, 0x00, 0x00, 0x40,
	0x00, 0x00, 0x00, 0x00, 0x18, 0xcb, 0x00, 0x71, 0x00, 0x01, 0x00, 0x01,
	0x6b, 0x03, 0xf2, 0xc0, 0x00, 0x00, 0x00, 0x01, 0x00, 0x2a, 0x40, 0x01,
	0x01, 0x00, 0x40, 0x02, 0x0e, 0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9, 0x00,
	0x00, 0xfb, 0xf4, 0x00, 0x00, 0xfb, 0xf5, 0x80, 0x04, 0x04, 0x00, 0x00,
	0x00, 0x0a, 0xc0, 0x08, 0x04, 0xff, 0xff, 0xff, 0x01, 0x40, 0x03, 0x04,
	0xc0, 0x00, 0x02, 0x01,
};
static const uint8_t gobgp_rib_v6[] = {
	0x6b, 0x03, 0xf2, 0xf5, 0x00, 0x0d, 0x00, 0x04, 0x00, 0x00, 0x00, 0x45,
	0x00, 0x00, 0x00, 0x02, 0x20, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00,
	0x01, 0x6b, 0x03, 0xf2, 0xc0, 0x00, 0x32, 0x40, 0x01, 0x01, 0x00, 0x40,
	0x02, 0x0e, 0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0xfb, 0xf4,
	0x00, 0x00, 0xfb, 0xf5, 0x80, 0x0e, 0x1a, 0x00, 0x02, 0x01, 0x10, 0x00,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff, 0xff, 0x7f,
	0x00, 0x00, 0x01, 0x00, 0x20, 0x20, 0x01, 0x0d, 0xb8,
};
static const uint8_t gobgp_bgp4mp_addpath[] = {
	0x6b, 0x03, 0xf2, 0x8b, 0x00, 0x10, 0x00, 0x09, 0x00, 0x00, 0x00, 0x5d,
	0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0xfd, 0xea, 0x00, 0x00, 0x00, 0x01,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x49, 0x02, 0x00, 0x00, 0x00, 0x2a, 0x40, 0x01, 0x01, 0x00, 0x40,
	0x02, 0x0e, 0x02, 0x03, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0xfb, 0xf4,
	0x00, 0x00, 0xfb, 0xf5, 0x80, 0x04, 0x04, 0x00, 0x00, 0x00, 0x0a, 0xc0,
	0x08, 0x04, 0xff, 0xff, 0xff, 0x01, 0x40, 0x03, 0x04, 0x7f, 0x00, 0x00,
	0x01, 0x00, 0x00, 0x00, 0x01, 0x18, 0xcb, 0x00, 0x71,
};
static const uint8_t gobgp_bgp4mp_v6[] = {
	0x6b, 0x03, 0xf2, 0x8b, 0x00, 0x10, 0x00, 0x04, 0x00, 0x00, 0x00, 0x68,
	0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0xfd, 0xea, 0x00, 0x00, 0x00, 0x01,
	0x7f, 0x00, 0x00, 0x01, 0x7f, 0x00, 0x00, 0x02, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0x00, 0x54, 0x02, 0x00, 0x00, 0x00, 0x3d, 0x40, 0x01, 0x01, 0x00, 0x40,
	0x02, 0x10, 0x02, 0x02, 0x00, 0x00, 0xfd, 0xe9, 0x00, 0x00, 0xfb, 0xf4,
	0x01, 0x01, 0x00, 0x00, 0xfc, 0x00, 0xc0, 0x08, 0x04, 0xff, 0xff, 0xff,
	0x02, 0x80, 0x0e, 0x1c, 0x00, 0x02, 0x01, 0x10, 0x20, 0x01, 0x0d, 0xb8,
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
	0x00, 0x30, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01,
};

static void bhdr(struct b *b, unsigned int type, unsigned int subtype)
{
	b->n = 0;
	b32(b, 1700000000);
	b16(b, type);
	b16(b, subtype);
	b32(b, 0);
}

static void bend(struct b *b)
{
	size_t l = b->n - MRT_HDR_LEN;

	b->d[8] = (uint8_t)(l >> 24);
	b->d[9] = (uint8_t)(l >> 16);
	b->d[10] = (uint8_t)(l >> 8);
	b->d[11] = (uint8_t)l;
}

struct fx {
	struct b m;
	uint8_t *copy;
	struct mrt_rec rec;
	struct mrt_error err;
	unsigned int n_cb;
	struct mrt_peer peers[4];
	struct mrt_rib_entry e[4];
	struct bgp_path p[4];
	struct bgp_prefix prefix;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	free(f->copy);
	free(f);
	return 0;
}

/* mrt_next() over an exact-size heap copy of d (kept until the next call) */
static int next(struct fx *f, const uint8_t *d, size_t n)
{
	size_t off = 0;

	free(f->copy);
	f->copy = malloc(n ? n : 1);
	assert_non_null(f->copy);
	memcpy(f->copy, d, n);
	f->n_cb = 0;
	memset(&f->err, 0, sizeof(f->err));
	return mrt_next(f->copy, n, &off, &f->rec, &f->err);
}

static void on_peer(uint16_t i, const struct mrt_peer *p, void *ctx)
{
	struct fx *f = ctx;

	assert_int_equal(i, f->n_cb);
	if (f->n_cb < 4)
		f->peers[f->n_cb] = *p;
	f->n_cb++;
}

static void on_entry(const struct mrt_rib *rib, const struct mrt_rib_entry *e, void *ctx)
{
	struct fx *f = ctx;

	f->prefix = rib->prefix;
	if (f->n_cb < 4) {
		f->e[f->n_cb] = *e;
		if (e->path) {
			f->p[f->n_cb] = *e->path;
			f->e[f->n_cb].path = &f->p[f->n_cb];
		}
	}
	f->n_cb++;
}

static void test_next(void **state)
{
	struct fx *f = *state;
	uint8_t two[40];
	size_t off = 0;

	bhdr(&f->m, MRT_BGP4MP_ET, MRT_BGP4MP_STATE_CHANGE);
	b32(&f->m, 250000);
	b8(&f->m, 0xaa);
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(f->rec.ts_sec, 1700000000);
	assert_int_equal(f->rec.ts_usec, 250000);
	assert_int_equal(f->rec.len, 1);
	assert_int_equal(f->rec.body[0], 0xaa);

	/* two records back to back, then the clean end */
	memcpy(two, f->m.d, f->m.n);
	memcpy(two + f->m.n, f->m.d, f->m.n);
	assert_int_equal(mrt_next(two, 2 * f->m.n, &off, &f->rec, NULL), 1);
	assert_int_equal(mrt_next(two, 2 * f->m.n, &off, &f->rec, NULL), 1);
	assert_int_equal(off, 2 * f->m.n);
	assert_int_equal(mrt_next(two, 2 * f->m.n, &off, &f->rec, NULL), 0);

	/* _ET without room for the microseconds */
	f->m.n = MRT_HDR_LEN + 3;
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), -EBADMSG);
	assert_non_null(f->err.reason);
	assert_int_equal(f->err.offset, 8);
	assert_int_equal(next(f, f->m.d, 0), 0);
}

static void test_gobgp_table_dump(void **state)
{
	struct fx *f = *state;
	struct mrt_peer_index pi;
	struct mrt_rib rib;
	char s[64];

	assert_int_equal(next(f, gobgp_peer_index, sizeof(gobgp_peer_index)), 1);
	assert_int_equal(mrt_peer_index_parse(&f->rec, &pi, on_peer, f, &f->err), 0);
	assert_int_equal(pi.n_peers, 2);
	assert_int_equal(f->n_cb, 2);
	assert_int_equal(f->peers[1].as, 65001);
	assert_int_equal(f->peers[1].afi, BGP_AFI_IPV4);
	assert_memory_equal(f->peers[1].addr, "\x7f\x00\x00\x01", 4);

	assert_int_equal(next(f, gobgp_rib_v4_addpath, sizeof(gobgp_rib_v4_addpath)), 1);
	assert_int_equal(mrt_rib_parse(&f->rec, &rib, on_entry, f, &f->err), 0);
	assert_true(rib.addpath);
	assert_int_equal(f->n_cb, 1);
	bgp_prefix_format(&f->prefix, s, sizeof(s));
	assert_string_equal(s, "203.0.113.0/24");
	assert_int_equal(f->e[0].peer_index, 1);
	assert_int_equal(f->e[0].path_id, 1);
	assert_non_null(f->e[0].path);
	assert_int_equal(f->p[0].origin_as, 64501);
	assert_int_equal(f->p[0].first_as, 65001);
	assert_memory_equal(f->p[0].nexthop.addr, "\xc0\x00\x02\x01", 4);
	assert_true(bgp_path_has_community(&f->p[0], BGP_COMMUNITY_NO_EXPORT));

	assert_int_equal(next(f, gobgp_rib_v6, sizeof(gobgp_rib_v6)), 1);
	assert_int_equal(mrt_rib_parse(&f->rec, &rib, on_entry, f, &f->err), 0);
	assert_false(rib.addpath);
	bgp_prefix_format(&f->prefix, s, sizeof(s));
	assert_string_equal(s, "2001:db8::/32");
	assert_int_equal(f->p[0].nexthop.afi, BGP_AFI_IPV6);
	assert_int_equal(f->p[0].nexthop.addr[10], 0xff);

	/* a RIB record is not a peer index, and the other way round */
	assert_int_equal(mrt_peer_index_parse(&f->rec, &pi, NULL, NULL, &f->err), -EBADMSG);
	assert_int_equal(next(f, gobgp_peer_index, sizeof(gobgp_peer_index)), 1);
	assert_int_equal(mrt_rib_parse(&f->rec, &rib, NULL, NULL, &f->err), -EBADMSG);
}

static void test_gobgp_bgp4mp(void **state)
{
	struct fx *f = *state;
	struct mrt_bgp4mp m;
	struct bgp_update_result res;

	assert_int_equal(next(f, gobgp_bgp4mp_addpath, sizeof(gobgp_bgp4mp_addpath)), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), 0);
	assert_int_equal(m.peer_as, 65001);
	assert_int_equal(m.local_as, 65002);
	assert_int_equal(m.afi, BGP_AFI_IPV4);
	assert_true(m.caps.as4);
	assert_true(m.caps.addpath_v4);
	assert_true(m.caps.ebgp);
	assert_false(m.local);
	assert_int_equal(bgp_update_parse(m.pdu, m.pdu_len, &m.caps, NULL, NULL, &res), 0);
	assert_int_equal(res.n_announced, 1);

	assert_int_equal(next(f, gobgp_bgp4mp_v6, sizeof(gobgp_bgp4mp_v6)), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), 0);
	assert_false(m.caps.addpath_v6);
	assert_int_equal(bgp_update_parse(m.pdu, m.pdu_len, &m.caps, NULL, NULL, &res), 0);
	assert_int_equal(res.n_announced, 1);
}

static void bgp4mp_body(struct b *b, bool as4, uint16_t afi)
{
	if (as4) {
		b32(b, 4200000001u);
		b32(b, 64512);
	} else {
		b16(b, 64500);
		b16(b, 64512);
	}
	b16(b, 3);
	b16(b, afi);
	if (afi == BGP_AFI_IPV6) {
		b32(b, 0x20010db8);
		b32(b, 0);
		b32(b, 0);
		b32(b, 1);
		b32(b, 0x20010db8);
		b32(b, 0);
		b32(b, 0);
		b32(b, 2);
	} else {
		b32(b, 0xc0000201);
		b32(b, 0xc0000202);
	}
}

static void test_bgp4mp_built(void **state)
{
	static const uint8_t keepalive[19] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					       0, 19, 4 };
	struct fx *f = *state;
	struct mrt_bgp4mp m;
	struct bgp_update_result res;

	/* 2-byte MESSAGE over IPv6: the AS_PATH inside is 2-byte too */
	bhdr(&f->m, MRT_BGP4MP, MRT_BGP4MP_MESSAGE);
	bgp4mp_body(&f->m, false, BGP_AFI_IPV6);
	bmem(&f->m, keepalive, sizeof(keepalive));
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), 0);
	assert_int_equal(m.peer_as, 64500);
	assert_int_equal(m.ifindex, 3);
	assert_int_equal(m.peer_ip[15], 1);
	assert_int_equal(m.local_ip[15], 2);
	assert_false(m.caps.as4);
	assert_int_equal(m.pdu_len, 19);
	assert_int_equal(bgp_update_parse(m.pdu, m.pdu_len, &m.caps, NULL, NULL, &res), -ENOMSG);

	/* MESSAGE_AS4_LOCAL in _ET */
	bhdr(&f->m, MRT_BGP4MP_ET, MRT_BGP4MP_MESSAGE_AS4_LOCAL);
	b32(&f->m, 99);
	bgp4mp_body(&f->m, true, BGP_AFI_IPV4);
	bmem(&f->m, keepalive, sizeof(keepalive));
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), 0);
	assert_true(m.local);
	assert_int_equal(m.peer_as, 4200000001u);
	assert_true(m.caps.as4);

	/* STATE_CHANGE_AS4: established (6) to idle (1) */
	bhdr(&f->m, MRT_BGP4MP, MRT_BGP4MP_STATE_CHANGE_AS4);
	bgp4mp_body(&f->m, true, BGP_AFI_IPV4);
	b16(&f->m, 6);
	b16(&f->m, 1);
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), 0);
	assert_true(m.state_change);
	assert_int_equal(m.old_state, 6);
	assert_int_equal(m.new_state, 1);
	assert_null(m.pdu);

	/* address family 3, unknown subtype, wrong type */
	f->m.d[MRT_HDR_LEN + 11] = 3;
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), -EBADMSG);
	assert_int_equal(f->err.offset, 10);
	f->m.d[7] = 3;
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), -ENOMSG);
	f->m.d[5] = MRT_TABLE_DUMP_V2;
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_bgp4mp_parse(&f->rec, &m, &f->err), -EBADMSG);
}

static void attrs_v6(struct b *a, bool bad)
{
	static const uint8_t nh[17] = { 16, 0x20, 0x01, 0x0d, 0xb8, [16] = 9 };

	b8(a, 0x40);
	b8(a, BGP_ATTR_ORIGIN);
	b8(a, 1);
	b8(a, bad ? 7 : 0);
	b8(a, 0x40);
	b8(a, BGP_ATTR_AS_PATH);
	b8(a, 10);
	b8(a, 2);
	b8(a, 2);
	b32(a, 64500);
	b32(a, 4200000001u);
	b8(a, 0x80);
	b8(a, BGP_ATTR_MP_REACH);
	b8(a, sizeof(nh));
	bmem(a, nh, sizeof(nh));
}

static void test_rib_built(void **state)
{
	struct fx *f = *state;
	struct mrt_peer_index pi;
	struct mrt_rib rib;
	struct b a = { .n = 0 };
	size_t i;

	/* peer index: one IPv4 2-byte peer, one IPv6 4-byte peer */
	bhdr(&f->m, MRT_TABLE_DUMP_V2, MRT_PEER_INDEX_TABLE);
	b32(&f->m, 0xc0000201);
	b16(&f->m, 4);
	bmem(&f->m, "edge", 4);
	b16(&f->m, 2);
	b8(&f->m, 0);
	b32(&f->m, 0xc0000202);
	b32(&f->m, 0xc6336401);
	b16(&f->m, 64500);
	b8(&f->m, 3);
	b32(&f->m, 0xc0000203);
	b32(&f->m, 0x20010db8);
	b32(&f->m, 0);
	b32(&f->m, 0);
	b32(&f->m, 5);
	b32(&f->m, 4200000001u);
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_peer_index_parse(&f->rec, &pi, on_peer, f, &f->err), 0);
	assert_int_equal(pi.view_len, 4);
	assert_memory_equal(pi.view, "edge", 4);
	assert_int_equal(f->peers[0].as, 64500);
	assert_int_equal(f->peers[1].as, 4200000001u);
	assert_int_equal(f->peers[1].afi, BGP_AFI_IPV6);
	assert_int_equal(f->peers[1].addr[15], 5);
	for (i = 0; i < f->m.n; i++) {	/* every truncation fails, no callback */
		struct b t = f->m;

		t.n = i;
		if (i >= MRT_HDR_LEN)
			bend(&t);
		if (next(f, t.d, t.n) != 1)
			continue;
		assert_int_equal(mrt_peer_index_parse(&f->rec, &pi, on_peer, f, &f->err),
				 -EBADMSG);
		assert_int_equal(f->n_cb, 0);
	}

	/* IPv6 RIB: a good entry and one with a bad ORIGIN */
	bhdr(&f->m, MRT_TABLE_DUMP_V2, MRT_RIB_IPV6_UNICAST);
	b32(&f->m, 7);
	b8(&f->m, 48);
	b32(&f->m, 0x20010db8);
	b16(&f->m, 1);
	b16(&f->m, 2);
	attrs_v6(&a, false);
	b16(&f->m, 1);
	b32(&f->m, 1700000000);
	b16(&f->m, (unsigned int)a.n);
	bmem(&f->m, a.d, a.n);
	a.n = 0;
	attrs_v6(&a, true);
	b16(&f->m, 0);
	b32(&f->m, 1700000001);
	b16(&f->m, (unsigned int)a.n);
	bmem(&f->m, a.d, a.n);
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_rib_parse(&f->rec, &rib, on_entry, f, &f->err), 0);
	assert_int_equal(rib.seq, 7);
	assert_int_equal(rib.n_entries, 2);
	assert_int_equal(f->n_cb, 2);
	assert_int_equal(f->e[0].peer_index, 1);
	assert_non_null(f->e[0].path);
	assert_int_equal(f->p[0].origin_as, 4200000001u);
	assert_int_equal(f->p[0].nexthop.afi, BGP_AFI_IPV6);
	assert_int_equal(f->p[0].nexthop.addr[15], 9);
	assert_null(f->e[1].path);
	assert_int_equal(f->e[1].err.cls, BGP_ERR_TREAT_AS_WITHDRAW);
	assert_int_equal(f->e[1].err.attr, BGP_ATTR_ORIGIN);

	for (i = 0; i < f->m.n; i++) {
		struct b t = f->m;

		t.n = i;
		if (i >= MRT_HDR_LEN)
			bend(&t);
		if (next(f, t.d, t.n) != 1)
			continue;
		assert_int_equal(mrt_rib_parse(&f->rec, &rib, on_entry, f, &f->err), -EBADMSG);
		assert_non_null(f->err.reason);
		assert_int_equal(f->n_cb, 0);
	}
	/* a trailing byte after the last entry */
	f->m.d[f->m.n++] = 0;
	bend(&f->m);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_rib_parse(&f->rec, &rib, on_entry, f, &f->err), -EBADMSG);
}

/* one TABLE_DUMP IPv4 entry: fixed part, then attrs (a) */
static void td_build(struct b *m, unsigned int plen, const struct b *a, int alen_delta)
{
	bhdr(m, MRT_TABLE_DUMP, MRT_TD_AFI_IPV4);
	b16(m, 0);
	b16(m, 1);
	b32(m, 0xcb007100);
	b8(m, plen);
	b8(m, 1);
	b32(m, 1150000000);
	b32(m, 0x64400201);
	b16(m, 64511);
	b16(m, (unsigned int)((int)a->n + alen_delta));
	bmem(m, a->d, a->n);
	bend(m);
}

static void test_table_dump_v1(void **state)
{
	struct fx *f = *state;
	struct mrt_table_dump td;
	struct b a = { .n = 0 };
	char s[64];
	size_t i;

	assert_int_equal(next(f, td_v4, sizeof(td_v4)), 1);
	assert_int_equal(f->rec.type, MRT_TABLE_DUMP);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), 0);
	assert_int_equal(td.view, 0);
	assert_int_equal(td.seq, 7);
	bgp_prefix_format(&td.prefix, s, sizeof(s));
	assert_string_equal(s, "203.0.113.0/24");
	assert_int_equal(td.prefix.addr[3], 0);	/* host bits cleared */
	assert_int_equal(td.status, 1);
	assert_int_equal(td.originated, 0x44ffff00);
	assert_int_equal(td.peer.afi, BGP_AFI_IPV4);
	assert_memory_equal(td.peer.addr, "\x64\x40\x01\x01", 4);
	assert_int_equal(td.peer.as, 64510);
	assert_non_null(td.path);
	assert_int_equal(td.path->as_path_n, 2);
	assert_int_equal(td.path->first_as, 64510);
	assert_int_equal(td.path->origin_as, 64666);
	assert_int_equal(td.path->nexthop.afi, BGP_AFI_IPV4);
	assert_memory_equal(td.path->nexthop.addr, "\x64\x40\x01\x01", 4);

	assert_int_equal(next(f, td_v6, sizeof(td_v6)), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), 0);
	bgp_prefix_format(&td.prefix, s, sizeof(s));
	assert_string_equal(s, "2001:db8:100::/48");
	assert_int_equal(td.peer.afi, BGP_AFI_IPV6);
	assert_int_equal(td.peer.addr[15], 1);
	assert_non_null(td.path);
	assert_int_equal(td.path->origin_as, 64500);
	assert_int_equal(td.path->nexthop.afi, BGP_AFI_IPV6);
	assert_memory_equal(td.path->nexthop.addr, td_v6 + 12 + 4 + 16 + 2 + 4, 16);

	/* 2-byte AS_PATH with AS_TRANS, and the AS4_PATH that says who it is (RFC 6793) */
	b8(&a, 0x40); b8(&a, 1); b8(&a, 1); b8(&a, 0);
	b8(&a, 0x40); b8(&a, 2); b8(&a, 6); b8(&a, 2); b8(&a, 2); b16(&a, 64511); b16(&a, 23456);
	b8(&a, 0x40); b8(&a, 3); b8(&a, 4); b32(&a, 0x64400201);
	b8(&a, 0xc0); b8(&a, 17); b8(&a, 10); b8(&a, 2); b8(&a, 2); b32(&a, 64511);
	b32(&a, 4200000001u);
	td_build(&f->m, 24, &a, 0);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), 0);
	assert_non_null(td.path);
	assert_int_equal(td.path->origin_as, 4200000001u);
	assert_int_equal(td.peer.as, 64511);

	/* attributes that cannot be used: the entry is there, its path is not */
	a.n = 0;
	b8(&a, 0x40); b8(&a, 1); b8(&a, 1); b8(&a, 0);	/* ORIGIN only */
	td_build(&f->m, 24, &a, 0);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), 0);
	assert_null(td.path);
	assert_int_equal(td.err.cls, BGP_ERR_TREAT_AS_WITHDRAW);
	assert_int_equal(td.err.attr, BGP_ATTR_AS_PATH);

	/* framing errors, each with its reason and offset */
	td_build(&f->m, 33, &a, 0);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), -EBADMSG);
	assert_string_equal(f->err.reason, "TABLE_DUMP prefix length past the address");
	assert_int_equal(f->err.offset, 8);
	td_build(&f->m, 24, &a, 1);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), -EBADMSG);
	assert_string_equal(f->err.reason, "TABLE_DUMP attributes overrun the record");
	assert_int_equal(f->err.offset, 20);
	td_build(&f->m, 24, &a, -1);
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), -EBADMSG);
	assert_string_equal(f->err.reason, "bytes after the TABLE_DUMP attributes");
	/* another AFI: not ours to guess the lengths of */
	f->m.d[7] = 3;
	assert_int_equal(next(f, f->m.d, f->m.n), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), -ENOMSG);
	/* and the other parsers refuse it */
	assert_int_equal(next(f, td_v4, sizeof(td_v4)), 1);
	assert_int_equal(mrt_rib_parse(&f->rec, &(struct mrt_rib){ 0 }, NULL, NULL, &f->err),
			 -EBADMSG);
	assert_int_equal(next(f, gobgp_rib_v6, sizeof(gobgp_rib_v6)), 1);
	assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), -EBADMSG);

	/* every truncation of the hand-built records fails cleanly */
	for (i = MRT_HDR_LEN; i < sizeof(td_v6); i++) {
		struct b t = { .n = 0 };

		bmem(&t, td_v6, i);
		bend(&t);
		assert_int_equal(next(f, t.d, t.n), 1);
		assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err), -EBADMSG);
		assert_non_null(f->err.reason);
	}
}

/* every truncation of the captured records: refused or parsed, never a crash */
static void test_truncation(void **state)
{
	static const struct {
		const uint8_t *d;
		size_t n;
	} v[] = {
		{ gobgp_peer_index, sizeof(gobgp_peer_index) },
		{ gobgp_rib_v4_addpath, sizeof(gobgp_rib_v4_addpath) },
		{ gobgp_rib_v6, sizeof(gobgp_rib_v6) },
		{ gobgp_bgp4mp_addpath, sizeof(gobgp_bgp4mp_addpath) },
		{ gobgp_bgp4mp_v6, sizeof(gobgp_bgp4mp_v6) },
		{ td_v4, sizeof(td_v4) },
	};
	struct fx *f = *state;
	size_t i, n;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		for (n = 0; n < v[i].n; n++) {
			struct b t;
			struct mrt_peer_index pi;
			struct mrt_rib rib;
			struct mrt_bgp4mp m;
			struct mrt_table_dump td;
			struct bgp_update_result res;

			/* the header still claims the full record */
			assert_int_equal(next(f, v[i].d, n), n ? -EBADMSG : 0);
			if (n < MRT_HDR_LEN)
				continue;
			memcpy(t.d, v[i].d, n);
			t.n = n;
			bend(&t);
			assert_int_equal(next(f, t.d, t.n), 1);
			switch (f->rec.type * 100 + f->rec.subtype) {
			case 1301:
				assert_int_equal(mrt_peer_index_parse(&f->rec, &pi, on_peer, f,
								      &f->err), -EBADMSG);
				break;
			case 1304:
			case 1308:
				assert_int_equal(mrt_rib_parse(&f->rec, &rib, on_entry, f, &f->err),
						 -EBADMSG);
				break;
			case 1201:
				assert_int_equal(mrt_table_dump_parse(&f->rec, &td, &f->err),
						 -EBADMSG);
				break;
			default:
				if (mrt_bgp4mp_parse(&f->rec, &m, &f->err))
					break;
				assert_int_equal(bgp_update_parse(m.pdu, m.pdu_len, &m.caps, NULL,
								  NULL, &res), -EBADMSG);
			}
			assert_int_equal(f->n_cb, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_next, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gobgp_table_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gobgp_bgp4mp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bgp4mp_built, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rib_built, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_dump_v1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
