// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * BGP UPDATE / OPEN parser: hand-built vectors for IPv4 and MP_REACH IPv6,
 * 2- and 4-byte AS paths, the RFC 6793 AS4_PATH merge, ADD-PATH, every
 * RFC 7606 error class, and truncation at every length of a valid UPDATE.
 * Every parse runs on an exact-size heap copy so ASan sees any overread.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-bgp/bgp.h"
#include "wire_build.h"


static void battr(struct b *b, uint8_t fl, uint8_t code, const void *v, size_t len)
{
	b8(b, fl);
	b8(b, code);
	if (fl & 0x10)
		b16(b, (unsigned int)len);
	else
		b8(b, (unsigned int)len);
	bmem(b, v, len);
}

static void bupdate(struct b *out, const struct b *wd, const struct b *attrs, const struct b *nlri)
{
	out->n = 0;
	memset(out->d, 0xff, 16);
	out->n = 16;
	b16(out, 0);
	b8(out, BGP_MSG_UPDATE);
	b16(out, (unsigned int)wd->n);
	bmem(out, wd->d, wd->n);
	b16(out, (unsigned int)attrs->n);
	bmem(out, attrs->d, attrs->n);
	bmem(out, nlri->d, nlri->n);
	out->d[16] = (uint8_t)(out->n >> 8);
	out->d[17] = (uint8_t)out->n;
}

/* AS_PATH of one AS_SEQUENCE */
static void bseq(struct b *v, const uint32_t *as, unsigned int n, bool as4)
{
	unsigned int i;

	b8(v, 2);
	b8(v, n);
	for (i = 0; i < n; i++) {
		if (as4)
			b32(v, as[i]);
		else
			b16(v, as[i]);
	}
}

static const uint8_t origin_igp[] = { 0 };
static const uint8_t nh_v4[] = { 192, 0, 2, 1 };
static const uint32_t path3[] = { 65001, 64500, 64501 };

static void std_attrs(struct b *a, bool as4)
{
	struct b v = { .n = 0 };

	battr(a, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	bseq(&v, path3, 3, as4);
	battr(a, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(a, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);
}

/* 203.0.113.0/24 and 198.51.100.0/25 */
static void std_nlri(struct b *n)
{
	b8(n, 24);
	b8(n, 203);
	b8(n, 0);
	b8(n, 113);
	b8(n, 25);
	b8(n, 198);
	b8(n, 51);
	b8(n, 100);
	b8(n, 0);
}

struct got {
	unsigned int n;
	struct bgp_route r[80];
	struct bgp_path p[80];
};

static void collect(const struct bgp_route *r, void *ctx)
{
	struct got *g = ctx;

	assert_true(g->n < 80);
	g->r[g->n] = *r;
	if (r->path) {
		g->p[g->n] = *r->path;
		g->r[g->n].path = &g->p[g->n];
	}
	g->n++;
}

struct fx {
	struct b wd, attrs, nlri, msg;
	struct got got;
	struct bgp_update_result res;
	struct bgp_session_caps caps;
	uint8_t *copy;			/* the last parsed bytes: paths point here */
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->caps.as4 = true;
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

/* parse f->msg from an exact-size heap copy, kept until the next run */
static int run(struct fx *f)
{
	free(f->copy);
	f->copy = malloc(f->msg.n ? f->msg.n : 1);
	assert_non_null(f->copy);
	memcpy(f->copy, f->msg.d, f->msg.n);
	memset(&f->got, 0, sizeof(f->got));
	return bgp_update_parse(f->copy, f->msg.n, &f->caps, collect, &f->got, &f->res);
}

static void build(struct fx *f)
{
	bupdate(&f->msg, &f->wd, &f->attrs, &f->nlri);
}

static struct bgp_prefix pfx(const char *s)
{
	struct bgp_prefix p;

	assert_int_equal(bgp_prefix_parse(s, &p), 0);
	return p;
}

static void test_ipv4_announce(void **state)
{
	static const uint8_t med[] = { 0, 0, 0, 10 }, lp[] = { 0, 0, 0, 200 };
	static const uint8_t comm[] = { 0xff, 0xff, 0xff, 0x01, 0xfd, 0xe9, 0x00, 0x64 };
	static const uint8_t large[] = { 0, 0, 0xfd, 0xe9, 0, 0, 0, 1, 0, 0, 0, 2 };
	struct fx *f = *state;
	struct bgp_prefix want = pfx("198.51.100.0/25");
	const struct bgp_path *p;

	std_attrs(&f->attrs, true);
	battr(&f->attrs, 0x80, BGP_ATTR_MED, med, 4);
	battr(&f->attrs, 0x40, BGP_ATTR_LOCAL_PREF, lp, 4);
	battr(&f->attrs, 0xc0, BGP_ATTR_COMMUNITIES, comm, sizeof(comm));
	battr(&f->attrs, 0xc0, BGP_ATTR_LARGE_COMMUNITY, large, sizeof(large));
	std_nlri(&f->nlri);
	build(f);

	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_NONE);
	assert_int_equal(f->got.n, 2);
	assert_int_equal(f->res.n_announced, 2);
	assert_int_equal(f->got.r[0].action, BGP_ANNOUNCE);
	assert_true(bgp_prefix_equal(&f->got.r[1].prefix, &want));
	assert_false(f->got.r[0].has_path_id);
	p = f->got.r[0].path;
	assert_non_null(p);
	assert_int_equal(p->origin, BGP_ORIGIN_IGP);
	assert_true(p->has_origin_as);
	assert_int_equal(p->origin_as, 64501);
	assert_true(p->has_first_as);
	assert_int_equal(p->first_as, 65001);
	assert_int_equal(p->as_path_n, 3);
	assert_int_equal(p->as_path_len, 3);
	assert_int_equal(p->as_path[1], 64500);
	assert_int_equal(p->nexthop.afi, BGP_AFI_IPV4);
	assert_memory_equal(p->nexthop.addr, nh_v4, 4);
	assert_true(p->has_med);
	assert_int_equal(p->med, 10);
	assert_true(p->has_local_pref);
	assert_int_equal(p->local_pref, 200);
	assert_int_equal(p->n_communities, 2);
	assert_true(bgp_path_has_community(p, BGP_COMMUNITY_NO_EXPORT));
	assert_false(bgp_path_has_community(p, 0xFFFFFF02));
	assert_string_equal(bgp_attr_name(BGP_ATTR_COMMUNITIES), "COMMUNITIES");
	assert_null(bgp_attr_name(28));
	assert_null(bgp_attr_name(200));
	assert_int_equal(p->n_large, 1);
}

static void test_as2_path(void **state)
{
	struct fx *f = *state;

	f->caps.as4 = false;
	std_attrs(&f->attrs, false);
	std_nlri(&f->nlri);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_NONE);
	assert_int_equal(f->got.p[0].origin_as, 64501);
	assert_int_equal(f->got.p[0].as_path_n, 3);

	/* the same bytes read as 4-byte ASNs do not fit: treat-as-withdraw */
	f->caps.as4 = true;
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_TREAT_AS_WITHDRAW);
	assert_int_equal(f->res.err.attr, BGP_ATTR_AS_PATH);
}

static void test_as4_path_merge(void **state)
{
	static const uint32_t as2[] = { 65001, BGP_AS_TRANS, BGP_AS_TRANS };
	static const uint32_t as4[] = { 4200000001u, 4200000002u };
	static const uint32_t as4long[] = { 1, 2, 3, 4 };
	struct fx *f = *state;
	struct b v = { .n = 0 }, v4 = { .n = 0 };

	f->caps.as4 = false;
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	bseq(&v, as2, 3, false);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);
	bseq(&v4, as4, 2, true);
	battr(&f->attrs, 0xc0, BGP_ATTR_AS4_PATH, v4.d, v4.n);
	std_nlri(&f->nlri);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_NONE);
	assert_int_equal(f->got.p[0].as_path_n, 3);
	assert_int_equal(f->got.p[0].as_path[0], 65001);
	assert_int_equal(f->got.p[0].as_path[1], 4200000001u);
	assert_int_equal(f->got.p[0].origin_as, 4200000002u);
	assert_int_equal(f->got.p[0].as_path_len, 3);

	/* AS4_PATH longer than AS_PATH: ignored */
	f->attrs.n = 0;
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);
	v4.n = 0;
	bseq(&v4, as4long, 4, true);
	battr(&f->attrs, 0xc0, BGP_ATTR_AS4_PATH, v4.d, v4.n);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->got.p[0].origin_as, BGP_AS_TRANS);

	/* a 4-byte session ignores AS4_PATH */
	f->caps.as4 = true;
	f->attrs.n = 0;
	v.n = 0;
	bseq(&v, path3, 3, true);
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);
	battr(&f->attrs, 0xc0, BGP_ATTR_AS4_PATH, v4.d, v4.n);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->got.p[0].origin_as, 64501);

	/* a malformed AS4_PATH is discarded, the route stays */
	f->caps.as4 = false;
	f->attrs.n = 0;
	v.n = 0;
	bseq(&v, as2, 3, false);
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);
	battr(&f->attrs, 0xc0, BGP_ATTR_AS4_PATH, "\x02\x05\x00\x00", 4);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_ATTR_DISCARD);
	assert_int_equal(f->res.err.attr, BGP_ATTR_AS4_PATH);
	assert_int_equal(f->got.r[0].action, BGP_ANNOUNCE);
	assert_int_equal(f->got.p[0].origin_as, BGP_AS_TRANS);
}

static void test_as_set_and_long_path(void **state)
{
	struct fx *f = *state;
	struct b v = { .n = 0 };
	unsigned int i;

	/* 64500 {64510 64511}: no origin AS */
	b8(&v, 2);
	b8(&v, 1);
	b32(&v, 64500);
	b8(&v, 1);
	b8(&v, 2);
	b32(&v, 64510);
	b32(&v, 64511);
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);
	std_nlri(&f->nlri);
	build(f);
	assert_int_equal(run(f), 0);
	assert_false(f->got.p[0].has_origin_as);
	assert_true(f->got.p[0].has_first_as);
	assert_int_equal(f->got.p[0].first_as, 64500);
	assert_int_equal(f->got.p[0].as_path_n, 3);
	assert_int_equal(f->got.p[0].as_path_len, 2);
	assert_int_equal(f->got.p[0].as_set_mask, 0x6);

	/* 100 ASNs (with a confed segment first): 64 kept, origin is the last */
	f->attrs.n = 0;
	v.n = 0;
	b8(&v, 3);
	b8(&v, 1);
	b32(&v, 65535);
	b8(&v, 2);
	b8(&v, 100);
	for (i = 0; i < 100; i++)
		b32(&v, 1000 + i);
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	battr(&f->attrs, 0x50, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_NONE);
	assert_int_equal(f->got.p[0].as_path_n, BGP_PATH_MAX);
	assert_true(f->got.p[0].as_path_truncated);
	assert_int_equal(f->got.p[0].as_path_len, 100);
	assert_int_equal(f->got.p[0].first_as, 1000);
	assert_int_equal(f->got.p[0].origin_as, 1099);
}

static void test_addpath(void **state)
{
	struct fx *f = *state;

	f->caps.addpath_v4 = true;
	std_attrs(&f->attrs, true);
	b32(&f->nlri, 7);
	b8(&f->nlri, 24);
	b8(&f->nlri, 203);
	b8(&f->nlri, 0);
	b8(&f->nlri, 113);
	b32(&f->nlri, 8);
	b8(&f->nlri, 24);
	b8(&f->nlri, 203);
	b8(&f->nlri, 0);
	b8(&f->nlri, 113);
	b32(&f->wd, 3);
	b8(&f->wd, 8);
	b8(&f->wd, 10);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->got.n, 3);
	assert_int_equal(f->got.r[0].action, BGP_WITHDRAW);
	assert_int_equal(f->got.r[0].path_id, 3);
	assert_true(f->got.r[1].has_path_id);
	assert_int_equal(f->got.r[1].path_id, 7);
	assert_int_equal(f->got.r[2].path_id, 8);
	assert_false(f->res.addpath_guessed);

	/* the same UPDATE without path ids: a syntax error, unless guessing */
	f->caps.addpath_v4 = false;
	assert_int_equal(run(f), -EBADMSG);
	assert_int_equal(f->got.n, 0);
	f->caps.addpath_guess = true;
	assert_int_equal(run(f), 0);
	assert_true(f->res.addpath_guessed);
	assert_int_equal(f->got.r[1].path_id, 7);
}

static void mp_reach_v6(struct b *a, unsigned int nhlen)
{
	static const uint8_t nh[32] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1, 0xfe, 0x80, [31] = 1 };
	struct b v = { .n = 0 };

	b16(&v, BGP_AFI_IPV6);
	b8(&v, 1);
	b8(&v, nhlen);
	bmem(&v, nh, nhlen);
	b8(&v, 0);
	b8(&v, 32);
	b32(&v, 0x20010db8);
	b8(&v, 48);
	b32(&v, 0x20010db8);
	b16(&v, 0x0002);
	battr(a, 0x90, BGP_ATTR_MP_REACH, v.d, v.n);
}

static void test_mp_reach_ipv6(void **state)
{
	static const uint8_t unreach[] = { 0, 2, 1, 48, 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
	struct fx *f = *state;
	struct b v = { .n = 0 };
	struct bgp_prefix want = pfx("2001:db8:2::/48");
	char s[64];

	mp_reach_v6(&f->attrs, 32);
	battr(&f->attrs, 0x80, BGP_ATTR_MP_UNREACH, unreach, sizeof(unreach));
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	bseq(&v, path3, 3, true);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_NONE);
	assert_int_equal(f->got.n, 3);
	assert_int_equal(f->got.r[0].action, BGP_WITHDRAW);
	assert_int_equal(bgp_prefix_format(&f->got.r[0].prefix, s, sizeof(s)), 0);
	assert_string_equal(s, "2001:db8:1::/48");
	assert_int_equal(f->got.r[1].action, BGP_ANNOUNCE);
	assert_int_equal(f->got.r[1].prefix.afi, BGP_AFI_IPV6);
	assert_int_equal(f->got.r[1].prefix.len, 32);
	assert_true(bgp_prefix_equal(&f->got.r[2].prefix, &want));
	assert_int_equal(f->got.p[1].nexthop.afi, BGP_AFI_IPV6);
	assert_true(f->got.p[1].nexthop.has_ll);
	assert_int_equal(f->got.p[1].nexthop.addr[1], 0x01);
	assert_int_equal(f->got.p[1].origin_as, 64501);

	/* 16-byte next hop, no NEXT_HOP attribute needed */
	f->attrs.n = 0;
	mp_reach_v6(&f->attrs, 16);
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_NONE);
	assert_false(f->got.p[0].nexthop.has_ll);

	/* bad next hop length: AFI/SAFI disable, nothing reported */
	f->attrs.n = 0;
	mp_reach_v6(&f->attrs, 5);
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	build(f);
	assert_int_equal(run(f), -EBADMSG);
	assert_int_equal(f->res.err.cls, BGP_ERR_AFI_DISABLE);
	assert_int_equal(f->res.err.attr, BGP_ATTR_MP_REACH);
	assert_int_equal(f->got.n, 0);
}

static void test_end_of_rib(void **state)
{
	static const uint8_t unreach[] = { 0, 2, 1 };
	struct fx *f = *state;

	build(f);
	assert_int_equal(f->msg.n, 23);
	assert_int_equal(run(f), 0);
	assert_true(f->res.end_of_rib);
	assert_int_equal(f->res.eor_afi, BGP_AFI_IPV4);

	battr(&f->attrs, 0x80, BGP_ATTR_MP_UNREACH, unreach, 3);
	build(f);
	assert_int_equal(run(f), 0);
	assert_true(f->res.end_of_rib);
	assert_int_equal(f->res.eor_afi, BGP_AFI_IPV6);
	assert_int_equal(f->got.n, 0);
}

/* ---- RFC 7606 classes ------------------------------------------------------ */

enum mut {
	M_NONE,
	M_ORIGIN_LEN,
	M_ORIGIN_VALUE,
	M_ORIGIN_FLAGS,
	M_ORIGIN_DUP,
	M_ORIGIN_MISSING,
	M_ORIGIN_EXTLEN,
	M_ASPATH_OVERRUN,
	M_ASPATH_ZERO,
	M_ASPATH_TYPE,
	M_ASPATH_MISSING,
	M_NH_LEN,
	M_NH_MISSING,
	M_MED_LEN,
	M_LP_LEN,
	M_LP_LEN_EBGP,
	M_COMM_LEN,
	M_COMM_EMPTY,
	M_LARGE_LEN,
	M_ATOMIC_LEN,
	M_AGGR_LEN,
	M_AS4AGGR_LEN,
	M_CLUSTER_LEN,
	M_UNKNOWN_OPT,
	M_UNKNOWN_WK,
	M_ATTR_OVERRUN,
	M_ATTR_SHORT,
	M_DUP_MP_REACH,
	M_DUP_MP_UNREACH,
	M_MP_OVERRUN,
	M_NLRI_LEN,
	M_NLRI_OVERRUN,
	M_MP_NLRI_LEN,
	M_WD_OVERRUN,
	M_ATTRLEN_OVERRUN,
	M_MARKER,
	M_SHORT_LEN,
};

struct case7606 {
	enum mut mut;
	int ret;
	enum bgp_err_class cls;
	uint8_t attr;
	unsigned int n_routes;		/* callbacks: withdrawn or announced */
};

static const struct case7606 cases[] = {
	{ M_NONE, 0, BGP_ERR_NONE, 0, 2 },
	{ M_ORIGIN_LEN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_ORIGIN, 2 },
	{ M_ORIGIN_VALUE, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_ORIGIN, 2 },
	{ M_ORIGIN_FLAGS, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_ORIGIN, 2 },
	{ M_ORIGIN_DUP, 0, BGP_ERR_ATTR_DISCARD, BGP_ATTR_ORIGIN, 2 },
	{ M_ORIGIN_MISSING, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_ORIGIN, 2 },
	{ M_ORIGIN_EXTLEN, 0, BGP_ERR_NONE, 0, 2 },
	{ M_ASPATH_OVERRUN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_AS_PATH, 2 },
	{ M_ASPATH_ZERO, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_AS_PATH, 2 },
	{ M_ASPATH_TYPE, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_AS_PATH, 2 },
	{ M_ASPATH_MISSING, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_AS_PATH, 2 },
	{ M_NH_LEN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_NEXT_HOP, 2 },
	{ M_NH_MISSING, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_NEXT_HOP, 2 },
	{ M_MED_LEN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_MED, 2 },
	{ M_LP_LEN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_LOCAL_PREF, 2 },
	{ M_LP_LEN_EBGP, 0, BGP_ERR_ATTR_DISCARD, BGP_ATTR_LOCAL_PREF, 2 },
	{ M_COMM_LEN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_COMMUNITIES, 2 },
	{ M_COMM_EMPTY, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_COMMUNITIES, 2 },
	{ M_LARGE_LEN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_LARGE_COMMUNITY, 2 },
	{ M_ATOMIC_LEN, 0, BGP_ERR_ATTR_DISCARD, BGP_ATTR_ATOMIC_AGGREGATE, 2 },
	{ M_AGGR_LEN, 0, BGP_ERR_ATTR_DISCARD, BGP_ATTR_AGGREGATOR, 2 },
	{ M_AS4AGGR_LEN, 0, BGP_ERR_ATTR_DISCARD, BGP_ATTR_AS4_AGGREGATOR, 2 },
	{ M_CLUSTER_LEN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_CLUSTER_LIST, 2 },
	{ M_UNKNOWN_OPT, 0, BGP_ERR_NONE, 0, 2 },
	{ M_UNKNOWN_WK, 0, BGP_ERR_ATTR_DISCARD, 99, 2 },
	{ M_ATTR_OVERRUN, 0, BGP_ERR_TREAT_AS_WITHDRAW, BGP_ATTR_COMMUNITIES, 2 },
	{ M_ATTR_SHORT, 0, BGP_ERR_TREAT_AS_WITHDRAW, 0, 2 },
	{ M_DUP_MP_REACH, -EBADMSG, BGP_ERR_SESSION, BGP_ATTR_MP_REACH, 0 },
	{ M_DUP_MP_UNREACH, -EBADMSG, BGP_ERR_SESSION, BGP_ATTR_MP_UNREACH, 0 },
	{ M_MP_OVERRUN, -EBADMSG, BGP_ERR_SESSION, BGP_ATTR_MP_REACH, 0 },
	{ M_NLRI_LEN, -EBADMSG, BGP_ERR_SESSION, 0, 0 },
	{ M_NLRI_OVERRUN, -EBADMSG, BGP_ERR_SESSION, 0, 0 },
	{ M_MP_NLRI_LEN, -EBADMSG, BGP_ERR_AFI_DISABLE, BGP_ATTR_MP_REACH, 0 },
	{ M_WD_OVERRUN, -EBADMSG, BGP_ERR_SESSION, 0, 0 },
	{ M_ATTRLEN_OVERRUN, -EBADMSG, BGP_ERR_SESSION, 0, 0 },
	{ M_MARKER, -EBADMSG, BGP_ERR_SESSION, 0, 0 },
	{ M_SHORT_LEN, -EBADMSG, BGP_ERR_SESSION, 0, 0 },
};

static void build_case(struct fx *f, enum mut m)
{
	static const uint8_t four[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12 };
	static const uint8_t unreach[] = { 0, 2, 1 };
	struct b v = { .n = 0 };

	f->wd.n = f->attrs.n = f->nlri.n = 0;
	f->caps = (struct bgp_session_caps){ .as4 = true, .ebgp = m == M_LP_LEN_EBGP };

	if (m == M_ORIGIN_LEN)
		battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, four, 2);
	else if (m == M_ORIGIN_VALUE)
		battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, "\x03", 1);
	else if (m == M_ORIGIN_FLAGS)
		battr(&f->attrs, 0xc0, BGP_ATTR_ORIGIN, origin_igp, 1);
	else if (m == M_ORIGIN_EXTLEN)
		battr(&f->attrs, 0x50, BGP_ATTR_ORIGIN, origin_igp, 1);
	else if (m != M_ORIGIN_MISSING)
		battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	if (m == M_ORIGIN_DUP)
		battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, "\x02", 1);

	bseq(&v, path3, 3, true);
	if (m == M_ASPATH_OVERRUN)
		v.d[1] = 4;
	if (m == M_ASPATH_ZERO) {
		b8(&v, 2);
		b8(&v, 0);
	}
	if (m == M_ASPATH_TYPE)
		v.d[0] = 5;
	if (m != M_ASPATH_MISSING)
		battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);

	if (m == M_NH_LEN)
		battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, four, 5);
	else if (m != M_NH_MISSING)
		battr(&f->attrs, 0x40, BGP_ATTR_NEXT_HOP, nh_v4, 4);

	switch (m) {
	case M_MED_LEN:
		battr(&f->attrs, 0x80, BGP_ATTR_MED, four, 3);
		break;
	case M_LP_LEN:
	case M_LP_LEN_EBGP:
		battr(&f->attrs, 0x40, BGP_ATTR_LOCAL_PREF, four, 3);
		break;
	case M_COMM_LEN:	/* the 3-byte COMMUNITIES of notes 4 */
		battr(&f->attrs, 0xc0, BGP_ATTR_COMMUNITIES, four, 3);
		break;
	case M_COMM_EMPTY:
		battr(&f->attrs, 0xc0, BGP_ATTR_COMMUNITIES, four, 0);
		break;
	case M_LARGE_LEN:
		battr(&f->attrs, 0xc0, BGP_ATTR_LARGE_COMMUNITY, four, 11);
		break;
	case M_ATOMIC_LEN:
		battr(&f->attrs, 0x40, BGP_ATTR_ATOMIC_AGGREGATE, four, 1);
		break;
	case M_AGGR_LEN:
		battr(&f->attrs, 0xc0, BGP_ATTR_AGGREGATOR, four, 7);
		break;
	case M_AS4AGGR_LEN:
		battr(&f->attrs, 0xc0, BGP_ATTR_AS4_AGGREGATOR, four, 6);
		break;
	case M_CLUSTER_LEN:
		battr(&f->attrs, 0x80, BGP_ATTR_CLUSTER_LIST, four, 6);
		break;
	case M_UNKNOWN_OPT:	/* junk attribute 28 (June 2023): passed on, no error */
		battr(&f->attrs, 0xe0, 28, four, 7);
		break;
	case M_UNKNOWN_WK:
		battr(&f->attrs, 0x40, 99, four, 2);
		break;
	case M_ATTR_OVERRUN:	/* last attribute claims 9 bytes, 4 remain */
		battr(&f->attrs, 0xc0, BGP_ATTR_COMMUNITIES, four, 4);
		f->attrs.d[f->attrs.n - 5] = 9;
		break;
	case M_ATTR_SHORT:
		b8(&f->attrs, 0xc0);
		b8(&f->attrs, 8);
		break;
	case M_DUP_MP_REACH:
		mp_reach_v6(&f->attrs, 16);
		mp_reach_v6(&f->attrs, 16);
		break;
	case M_DUP_MP_UNREACH:
		battr(&f->attrs, 0x80, BGP_ATTR_MP_UNREACH, unreach, 3);
		battr(&f->attrs, 0x80, BGP_ATTR_MP_UNREACH, unreach, 3);
		break;
	case M_MP_OVERRUN:
		mp_reach_v6(&f->attrs, 16);
		f->attrs.d[f->attrs.n - 37 + 2] = 0xff;	/* extended length high byte */
		break;
	case M_MP_NLRI_LEN:
		mp_reach_v6(&f->attrs, 16);
		f->attrs.d[f->attrs.n - 12] = 129;	/* first prefix length */
		break;
	default:
		break;
	}
	std_nlri(&f->nlri);
	if (m == M_NLRI_LEN)
		f->nlri.d[0] = 33;
	if (m == M_NLRI_OVERRUN)
		b8(&f->nlri, 24);	/* a /24 with no bytes */
	build(f);
	if (m == M_WD_OVERRUN)
		f->msg.d[20] = 200;
	if (m == M_ATTRLEN_OVERRUN)
		f->msg.d[22] = 0xff;
	if (m == M_MARKER)
		f->msg.d[3] = 0;
	if (m == M_SHORT_LEN) {
		f->msg.d[16] = 0;
		f->msg.d[17] = 22;
	}
}

#define CHECK(cond)                                                 \
	do {                                                        \
		if (!(cond))                                        \
			fail_msg("case %d: %s", (int)c->mut, #cond); \
	} while (0)

static void test_rfc7606(void **state)
{
	struct fx *f = *state;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct case7606 *c = &cases[i];
		unsigned int j;

		build_case(f, c->mut);
		CHECK(run(f) == c->ret);
		CHECK(f->res.err.cls == c->cls);
		CHECK(f->res.err.attr == c->attr);
		CHECK(f->got.n == c->n_routes);
		if (c->cls != BGP_ERR_NONE) {
			CHECK(f->res.err.reason != NULL);
			CHECK(f->res.err.offset < f->msg.n);
		}
		for (j = 0; j < f->got.n; j++) {
			if (c->cls == BGP_ERR_TREAT_AS_WITHDRAW) {
				assert_int_equal(f->got.r[j].action, BGP_WITHDRAW);
				assert_true(f->got.r[j].treat_as_withdraw);
				assert_null(f->got.r[j].path);
			} else {
				assert_int_equal(f->got.r[j].action, BGP_ANNOUNCE);
				assert_non_null(f->got.r[j].path);
			}
		}
	}
}

static void test_strongest_error_wins(void **state)
{
	struct fx *f = *state;

	build_case(f, M_ATOMIC_LEN);
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);	/* duplicate: discard */
	battr(&f->attrs, 0xc0, BGP_ATTR_COMMUNITIES, "\x01\x02\x03", 3);	/* withdraw */
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->res.err.cls, BGP_ERR_TREAT_AS_WITHDRAW);
	assert_int_equal(f->res.err.attr, BGP_ATTR_COMMUNITIES);
	assert_int_equal(f->res.n_errors, 3);
	assert_int_equal(f->res.n_discarded, 2);
	assert_int_equal(f->res.n_withdrawn, 2);
}

/* every shorter length of a valid UPDATE fails cleanly, framed or not */
static void test_truncation(void **state)
{
	static const uint8_t comm[] = { 0xff, 0xff, 0xff, 0x01 };
	struct fx *f = *state;
	struct b full;
	size_t n;

	f->caps.addpath_v4 = true;
	b32(&f->wd, 1);
	b8(&f->wd, 16);
	b8(&f->wd, 10);
	b8(&f->wd, 1);
	mp_reach_v6(&f->attrs, 32);
	std_attrs(&f->attrs, true);
	battr(&f->attrs, 0xc0, BGP_ATTR_COMMUNITIES, comm, 4);
	b32(&f->nlri, 2);
	b8(&f->nlri, 24);
	b8(&f->nlri, 203);
	b8(&f->nlri, 0);
	b8(&f->nlri, 113);
	build(f);
	assert_int_equal(run(f), 0);
	assert_int_equal(f->got.n, 4);
	full = f->msg;

	for (n = 0; n < full.n; n++) {
		int r;

		/* the header still claims the full length */
		f->msg = full;
		f->msg.n = n;
		assert_int_equal(run(f), -EBADMSG);
		assert_int_equal(f->got.n, 0);
		/* the header claims n: parsed as far as it goes */
		if (n >= 18) {
			f->msg.d[16] = (uint8_t)(n >> 8);
			f->msg.d[17] = (uint8_t)n;
		}
		r = run(f);
		assert_true(r == 0 || r == -EBADMSG);
		if (r == 0)
			assert_true(f->res.err.cls <= BGP_ERR_TREAT_AS_WITHDRAW);
		else
			assert_int_equal(f->got.n, 0);
	}
}

static void test_not_update(void **state)
{
	struct fx *f = *state;

	memset(f->msg.d, 0xff, 16);
	f->msg.d[16] = 0;
	f->msg.d[17] = 19;
	f->msg.d[18] = BGP_MSG_KEEPALIVE;
	f->msg.n = 19;
	assert_int_equal(run(f), -ENOMSG);
	assert_int_equal(f->res.err.cls, BGP_ERR_NONE);
	assert_int_equal(bgp_update_parse(f->msg.d, 19, NULL, NULL, NULL, &f->res), -ENOMSG);
}

static void bopen(struct b *m, uint16_t as, uint32_t as4, uint8_t ap4, uint8_t ap6, bool ext)
{
	struct b caps = { .n = 0 };

	b8(&caps, 2);
	b8(&caps, 0);
	b8(&caps, 1);		/* MP ipv4 unicast */
	b8(&caps, 4);
	b32(&caps, 0x00010001);
	if (as4) {
		b8(&caps, 65);
		b8(&caps, 4);
		b32(&caps, as4);
	}
	b8(&caps, 69);
	b8(&caps, 8);
	b32(&caps, 0x00010100 | ap4);
	b32(&caps, 0x00020100 | ap6);
	caps.d[1] = (uint8_t)(caps.n - 2);

	m->n = 0;
	memset(m->d, 0xff, 16);
	m->n = 16;
	b16(m, 0);
	b8(m, BGP_MSG_OPEN);
	b8(m, 4);
	b16(m, as);
	b16(m, 90);
	b32(m, 0xc0000201);
	if (ext) {
		b8(m, 255);
		b8(m, 255);
		b16(m, (unsigned int)caps.n + 1);
		b8(m, 2);
		b16(m, (unsigned int)caps.n - 2);
		bmem(m, caps.d + 2, caps.n - 2);
	} else {
		b8(m, (unsigned int)caps.n);
		bmem(m, caps.d, caps.n);
	}
	m->d[16] = (uint8_t)(m->n >> 8);
	m->d[17] = (uint8_t)m->n;
}

static void test_open(void **state)
{
	struct fx *f = *state;
	struct bgp_open sent, rcvd;
	struct bgp_session_caps caps;
	size_t n;

	bopen(&f->msg, 65002, 65002, 3, 0, false);
	assert_int_equal(bgp_open_parse(f->msg.d, f->msg.n, &sent), 0);
	assert_int_equal(sent.my_as, 65002);
	assert_int_equal(sent.hold_time, 90);
	assert_true(sent.has_as4);
	assert_int_equal(sent.addpath_v4, BGP_ADDPATH_RX | BGP_ADDPATH_TX);
	assert_int_equal(sent.addpath_v6, 0);

	bopen(&f->msg, BGP_AS_TRANS, 4200000001u, BGP_ADDPATH_TX, BGP_ADDPATH_TX, true);
	assert_int_equal(bgp_open_parse(f->msg.d, f->msg.n, &rcvd), 0);
	assert_int_equal(rcvd.as4, 4200000001u);
	assert_int_equal(rcvd.addpath_v6, BGP_ADDPATH_TX);

	bgp_session_caps_from_opens(&sent, &rcvd, &caps);
	assert_true(caps.as4);
	assert_true(caps.addpath_v4);
	assert_false(caps.addpath_v6);	/* we did not offer to receive */
	assert_true(caps.ebgp);

	bopen(&f->msg, 65002, 0, 0, 0, false);
	assert_int_equal(bgp_open_parse(f->msg.d, f->msg.n, &rcvd), 0);
	bgp_session_caps_from_opens(&sent, &rcvd, &caps);
	assert_false(caps.as4);
	assert_false(caps.ebgp);

	/* truncations of an OPEN never parse */
	bopen(&f->msg, 65002, 65002, 3, 0, false);
	for (n = 0; n < f->msg.n; n++) {
		uint8_t *copy = malloc(n ? n : 1);

		memcpy(copy, f->msg.d, n);
		assert_int_equal(bgp_open_parse(copy, n, &rcvd), -EBADMSG);
		free(copy);
	}
	f->msg.d[18] = BGP_MSG_UPDATE;
	assert_int_equal(bgp_open_parse(f->msg.d, f->msg.n, &rcvd), -EBADMSG);
}

static void test_prefix_helpers(void **state)
{
	struct bgp_prefix a = pfx("203.0.113.0/24"), b = pfx("203.0.113.128/25");
	struct bgp_prefix c = pfx("203.0.112.0/23"), d = pfx("203.0.113.77/24");
	struct bgp_prefix e = pfx("2001:db8::/32"), g = pfx("2001:db8:ffff::/48");
	struct bgp_prefix h = pfx("2001:db9::/48"), any = pfx("0.0.0.0/0");
	char s[64];

	(void)state;
	assert_true(bgp_prefix_contains(&a, &b));
	assert_false(bgp_prefix_contains(&b, &a));
	assert_true(bgp_prefix_contains(&c, &a));
	assert_true(bgp_prefix_contains(&a, &a));
	assert_true(bgp_prefix_equal(&a, &d));	/* host bits cleared */
	assert_true(bgp_prefix_contains(&any, &b));
	assert_true(bgp_prefix_contains(&e, &g));
	assert_false(bgp_prefix_contains(&e, &h));
	assert_false(bgp_prefix_contains(&any, &e));	/* families differ */
	assert_false(bgp_prefix_equal(&a, &b));
	assert_int_equal(bgp_prefix_format(&g, s, sizeof(s)), 0);
	assert_string_equal(s, "2001:db8:ffff::/48");
	assert_int_equal(bgp_prefix_format(&g, s, 4), -ENOSPC);
	assert_int_equal(bgp_prefix_parse("203.0.113.0/33", &a), -EINVAL);
	assert_int_equal(bgp_prefix_parse("203.0.113.0/", &a), -EINVAL);
	assert_int_equal(bgp_prefix_parse("bogus", &a), -EINVAL);
	assert_int_equal(bgp_prefix_parse("192.0.2.1", &a), 0);
	assert_int_equal(a.len, 32);
}

static void test_mrt_attrs(void **state)
{
	struct fx *f = *state;
	struct bgp_attrs a;
	struct b v = { .n = 0 };
	uint8_t nh[17] = { 16, 0x20, 0x01, 0x0d, 0xb8 };

	/* RFC 6396 4.3.4: MP_REACH holds only the next hop */
	battr(&f->attrs, 0x40, BGP_ATTR_ORIGIN, origin_igp, 1);
	bseq(&v, path3, 3, true);
	battr(&f->attrs, 0x40, BGP_ATTR_AS_PATH, v.d, v.n);
	battr(&f->attrs, 0x80, BGP_ATTR_MP_REACH, nh, sizeof(nh));
	assert_int_equal(bgp_attrs_parse(f->attrs.d, f->attrs.n, 0, BGP_ATTRS_MRT, NULL, &a), 0);
	assert_int_equal(a.err.cls, BGP_ERR_NONE);
	assert_int_equal(a.mp_nh.afi, BGP_AFI_IPV6);
	assert_int_equal(a.mp_nh.addr[1], 0x01);
	assert_int_equal(a.path.origin_as, 64501);

	/* a RIB entry without ORIGIN is unusable */
	assert_int_equal(bgp_attrs_parse(f->attrs.d + 4, f->attrs.n - 4, 0, BGP_ATTRS_MRT, NULL,
					 &a), 0);
	assert_int_equal(a.err.cls, BGP_ERR_TREAT_AS_WITHDRAW);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ipv4_announce, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as2_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as4_path_merge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_as_set_and_long_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_addpath, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mp_reach_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_end_of_rib, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rfc7606, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strongest_error_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prefix_helpers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mrt_attrs, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
