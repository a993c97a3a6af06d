// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nft.c's pure batch builder: a table description is built into one batch and read back,
 * message by message, with libnftnl's parsers; the rules' expressions are compared to
 * golden text and the skeleton (table messages) to golden bytes. No kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nft.h"

#define BUF (256 * 1024)

struct fix {
	void *buf;
	struct nft_map maps[2];
	struct nft_rule rules[3];
	struct nft_spec spec;
};

static void prefix(struct nft_prefix *p, int fam, const char *a, int len)
{
	p->family = (uint8_t)fam;
	p->len = (uint8_t)len;
	assert_int_equal(inet_pton(fam, a, p->addr), 1);
}

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (!f || !(f->buf = calloc(1, BUF)))
		return -1;
	snprintf(f->maps[0].name, sizeof(f->maps[0].name), "shares");
	f->maps[0].slot[0] = 0x65;
	f->maps[0].slot[1] = 0x65;
	f->maps[0].slot[2] = 0x65;
	f->maps[0].slot[3] = 0x66;
	f->maps[0].nslots = 4;
	snprintf(f->maps[1].name, sizeof(f->maps[1].name), "rule_2");
	f->maps[1].slot[0] = 0x65;
	f->maps[1].slot[1] = 0x66;
	f->maps[1].nslots = 2;
	/* web to 198.51.100.0/24 port 443 via isp2 */
	f->rules[0].m = (struct nft_match){ .family = AF_INET, .has_dst = true,
					    .l4proto = IPPROTO_TCP, .dport = 443, .dscp = -1 };
	prefix(&f->rules[0].m.dst, AF_INET, "198.51.100.0", 24);
	f->rules[0].t = (struct nft_target){ .mark = 0x66 };
	f->rules[0].what = "rule web";
	/* voice: IPv6 from 2001:db8:80::/64 with DSCP EF, isp1 */
	f->rules[1].m = (struct nft_match){ .family = AF_INET6, .has_src = true, .dscp = 46 };
	prefix(&f->rules[1].m.src, AF_INET6, "2001:db8:80::", 64);
	f->rules[1].t = (struct nft_target){ .mark = 0x65 };
	/* bulk: udp, spread by its own map */
	f->rules[2].m = (struct nft_match){ .l4proto = IPPROTO_UDP, .dscp = -1 };
	f->rules[2].t = (struct nft_target){ .map = 1 };
	f->spec.ifnames[0] = "wan1";
	f->spec.ifnames[1] = "wan2";
	f->spec.nifs = 2;
	f->spec.maps = f->maps;
	f->spec.nmaps = 2;
	f->spec.rules = f->rules;
	f->spec.nrules = 3;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fix *f = *state;

	free(f->buf);
	free(f);
	return 0;
}

static const struct nlmsghdr *next_msg(const struct nlmsghdr *m, int *left)
{
	m = mnl_nlmsg_next(m, left);
	assert_true(mnl_nlmsg_ok(m, *left));
	return m;
}

static uint16_t nft_type(const struct nlmsghdr *m)
{
	assert_int_equal(m->nlmsg_type >> 8, NFNL_SUBSYS_NFTABLES);
	return m->nlmsg_type & 0xff;
}

/* The rule's expressions as libnftnl prints them, one line. */
static void rule_text(const struct nlmsghdr *m, char *out, size_t len)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	assert_non_null(r);
	assert_int_equal(nftnl_rule_nlmsg_parse(m, r), 0);
	assert_string_equal(nftnl_rule_get_str(r, NFTNL_RULE_TABLE), NFT_TABLE);
	assert_string_equal(nftnl_rule_get_str(r, NFTNL_RULE_CHAIN), NFT_CHAIN);
	nftnl_rule_snprintf(out, len, r, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(r);
	for (char *p = out; *p; p++)
		if (*p == '\n')
			*p = ' ';
}

static const char *const golden_rules[] = {
	"inet uplinkd prerouting   [ meta load iifname => reg 1 ]   [ cmp eq reg 1 0x316e6177 0x00000000 0x00000000 0x00000000 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ meta load iifname => reg 1 ]   [ cmp eq reg 1 0x326e6177 0x00000000 0x00000000 0x00000000 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ ct load mark => reg 1 ]   [ cmp neq reg 1 0x00000000 ]   [ meta set mark with reg 1 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ ct load state => reg 1 ]   [ bitwise reg 1 = ( reg 1 & 0x00000008 ) ^ 0x00000000 ]   [ cmp eq reg 1 0x00000000 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ fib daddr oifname => reg 1 ]   [ cmp neq reg 1 0x316e6177 0x00000000 0x00000000 0x00000000 ]   [ fib daddr oifname => reg 1 ]   [ cmp neq reg 1 0x326e6177 0x00000000 0x00000000 0x00000000 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ meta load nfproto => reg 1 ]   [ cmp eq reg 1 0x00000002 ]   [ payload load 4b @ network header + 16 => reg 1 ]   [ bitwise reg 1 = ( reg 1 & 0x00ffffff ) ^ 0x00000000 ]   [ cmp eq reg 1 0x006433c6 ]   [ meta load l4proto => reg 1 ]   [ cmp eq reg 1 0x00000006 ]   [ payload load 2b @ transport header + 2 => reg 1 ]   [ cmp eq reg 1 0x0000bb01 ]   [ immediate reg 1 0x00000066 ]   [ meta set mark with reg 1 ]   [ meta load mark => reg 1 ]   [ ct set mark with reg 1 ]   [ counter pkts 0 bytes 0 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ meta load nfproto => reg 1 ]   [ cmp eq reg 1 0x0000000a ]   [ payload load 16b @ network header + 8 => reg 1 ]   [ bitwise reg 1 = ( reg 1 & 0xffffffff 0xffffffff 0x00000000 0x00000000 ) ^ 0x00000000 0x00000000 0x00000000 0x00000000 ]   [ cmp eq reg 1 0xb80d0120 0x00008000 0x00000000 0x00000000 ]   [ payload load 2b @ network header + 0 => reg 1 ]   [ bitwise reg 1 = ( reg 1 & 0x0000c00f ) ^ 0x00000000 ]   [ cmp eq reg 1 0x0000800b ]   [ immediate reg 1 0x00000065 ]   [ meta set mark with reg 1 ]   [ meta load mark => reg 1 ]   [ ct set mark with reg 1 ]   [ counter pkts 0 bytes 0 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ meta load l4proto => reg 1 ]   [ cmp eq reg 1 0x00000011 ]   [ numgen reg 1 = random mod 2 ]   [ lookup reg 1 set rule_2 dreg 1 ]   [ meta set mark with reg 1 ]   [ meta load mark => reg 1 ]   [ ct set mark with reg 1 ]   [ counter pkts 0 bytes 0 ]   [ immediate reg 0 return ] ",
	"inet uplinkd prerouting   [ numgen reg 1 = random mod 4 ]   [ lookup reg 1 set shares dreg 1 ]   [ meta set mark with reg 1 ]   [ meta load mark => reg 1 ]   [ ct set mark with reg 1 ]   [ counter pkts 0 bytes 0 ]   [ immediate reg 0 return ] ",
};

/* NFT_MSG_NEWTABLE for inet uplinkd, seq 1001, as the kernel receives it */
static const uint8_t golden_newtable[] = {
	0x20, 0x00, 0x00, 0x00,		/* nlmsg_len 32 */
	0x00, 0x0a,			/* NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE */
	0x05, 0x04,			/* NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE */
	0xe9, 0x03, 0x00, 0x00,		/* seq 1001 */
	0x00, 0x00, 0x00, 0x00,		/* pid */
	0x01, 0x00, 0x00, 0x00,		/* nfgenmsg: NFPROTO_INET, v0, res_id 0 */
	0x0c, 0x00, 0x01, 0x00,		/* NFTA_TABLE_NAME, 12 bytes */
	0x75, 0x70, 0x6c, 0x69, 0x6e, 0x6b, 0x64, 0x00, /* "uplinkd" */
};

/* NFTA_DATA_VALUE inside a nested NFTA_SET_ELEM_KEY or _DATA: one u32 */
static uint32_t data_u32(const struct nlattr *a)
{
	const struct nlattr *v = mnl_attr_get_payload(a);

	assert_int_equal(mnl_attr_get_type(v), NFTA_DATA_VALUE);
	assert_int_equal(mnl_attr_get_payload_len(v), 4);
	return *(const uint32_t *)mnl_attr_get_payload(v);
}

/* The elements of a NEWSETELEM message are the map's slots, in order (host byte order:
 * numgen's result and the mark are host-endian registers). */
static void elems_check(const struct nlmsghdr *m, const struct nft_map *map)
{
	const struct nlattr *a, *e, *x;
	uint32_t k = 0;

	mnl_attr_for_each(a, m, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == NFTA_SET_ELEM_LIST_SET)
			assert_string_equal(mnl_attr_get_str(a), map->name);
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		mnl_attr_for_each_nested(e, a) {
			uint32_t key = UINT32_MAX, val = 0;

			mnl_attr_for_each_nested(x, e) {
				if (mnl_attr_get_type(x) == NFTA_SET_ELEM_KEY)
					key = data_u32(x);
				if (mnl_attr_get_type(x) == NFTA_SET_ELEM_DATA)
					val = data_u32(x);
			}
			assert_int_equal(key, k);
			assert_int_equal(val, map->slot[k]);
			k++;
		}
	}
	assert_int_equal(k, map->nslots);
}

static void test_batch_reads_back(void **state)
{
	struct fix *f = *state;
	const struct nlmsghdr *m;
	uint32_t nmsgs = 0, seq = 1000;
	int origin[64], len, left, i;
	char text[2048];

	len = nft_batch_build(f->buf, BUF, &f->spec, seq, &nmsgs, origin);
	assert_true(len > 0);
	/* 3 table, 1 chain, 2 x (set + elements), 5 skeleton rules, 3 rules, the default */
	assert_int_equal(nmsgs, 3 + 1 + 4 + 5 + 3 + 1);
	left = len;
	m = f->buf;
	assert_true(mnl_nlmsg_ok(m, left));
	assert_int_equal(m->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	assert_int_equal(m->nlmsg_seq, seq);

	m = next_msg(m, &left);
	assert_int_equal(nft_type(m), NFT_MSG_NEWTABLE);
	assert_int_equal(m->nlmsg_len, sizeof(golden_newtable));
	assert_memory_equal(m, golden_newtable, sizeof(golden_newtable));
	assert_true(m->nlmsg_flags & NLM_F_ACK);
	m = next_msg(m, &left);
	assert_int_equal(nft_type(m), NFT_MSG_DELTABLE);
	m = next_msg(m, &left);
	assert_int_equal(nft_type(m), NFT_MSG_NEWTABLE);
	m = next_msg(m, &left);
	assert_int_equal(nft_type(m), NFT_MSG_NEWCHAIN);
	for (i = 0; i < 2; i++) {
		struct nftnl_set *s = nftnl_set_alloc();

		m = next_msg(m, &left);
		assert_int_equal(nft_type(m), NFT_MSG_NEWSET);
		assert_int_equal(nftnl_set_nlmsg_parse(m, s), 0);
		assert_string_equal(nftnl_set_get_str(s, NFTNL_SET_NAME), f->maps[i].name);
		assert_int_equal(nftnl_set_get_u32(s, NFTNL_SET_FLAGS), NFT_SET_MAP);
		nftnl_set_free(s);
		m = next_msg(m, &left);
		assert_int_equal(nft_type(m), NFT_MSG_NEWSETELEM);
		elems_check(m, &f->maps[i]);
	}
	for (i = 0; i < (int)(sizeof(golden_rules) / sizeof(golden_rules[0])); i++) {
		m = next_msg(m, &left);
		assert_int_equal(nft_type(m), NFT_MSG_NEWRULE);
		assert_true(m->nlmsg_flags & NLM_F_APPEND);
		rule_text(m, text, sizeof(text));
		if (getenv("NFT_GOLDEN_PRINT"))
			printf("\t\"%s\",\n", text);
		else
			assert_string_equal(text, golden_rules[i]);
	}
	/* errors map back: message 4 + 4 + 5 (0-based, after BEGIN) is the first rule */
	assert_int_equal(origin[12], -1);
	assert_int_equal(origin[13], 0);
	assert_int_equal(origin[15], 2);
	assert_int_equal(origin[16], -1);
	m = next_msg(m, &left);
	assert_int_equal(m->nlmsg_type, NFNL_MSG_BATCH_END);
	assert_int_equal(m->nlmsg_seq, seq + nmsgs + 1);
	mnl_nlmsg_next(m, &left);
	assert_int_equal(left, 0);
}

static void test_empty_shares_no_default_rule(void **state)
{
	struct fix *f = *state;
	uint32_t nmsgs = 0;

	f->maps[0].nslots = 0; /* every uplink down: nothing marked, the main table decides */
	f->spec.nrules = 0;
	f->spec.nmaps = 1;
	assert_true(nft_batch_build(f->buf, BUF, &f->spec, 1, &nmsgs, NULL) > 0);
	assert_int_equal(nmsgs, 3 + 1 + 1 + 5); /* no elements, no default rule */
}

static void test_rule_without_target_is_skipped(void **state)
{
	struct fix *f = *state;
	uint32_t nmsgs = 0;

	f->rules[0].t = (struct nft_target){ .map = -1 }; /* nothing usable: falls through */
	assert_true(nft_batch_build(f->buf, BUF, &f->spec, 1, &nmsgs, NULL) > 0);
	assert_int_equal(nmsgs, 3 + 1 + 4 + 5 + 2 + 1);
}

static void test_bad_match_refused(void **state)
{
	struct fix *f = *state;
	uint32_t nmsgs = 0;

	f->rules[0].m.l4proto = IPPROTO_ICMP; /* a port needs tcp or udp */
	assert_int_equal(nft_batch_build(f->buf, BUF, &f->spec, 1, &nmsgs, NULL), -EINVAL);
	f->rules[0].m.l4proto = IPPROTO_TCP;
	f->rules[1].m.family = 0; /* DSCP needs a family */
	f->rules[1].m.has_src = false;
	assert_int_equal(nft_batch_build(f->buf, BUF, &f->spec, 1, &nmsgs, NULL), -EINVAL);
}

static void test_too_small(void **state)
{
	struct fix *f = *state;
	uint32_t nmsgs = 0;

	assert_int_equal(nft_batch_build(f->buf, 20000, &f->spec, 1, &nmsgs, NULL), -ENOSPC);
	assert_int_equal(nft_batch_build(f->buf, 40000, &f->spec, 1, &nmsgs, NULL) > 0, 1);
}

static void test_delete_batch(void **state)
{
	struct fix *f = *state;
	const struct nlmsghdr *m = f->buf;
	uint32_t nmsgs = 0;
	int len, left;

	len = nft_batch_build_delete(f->buf, BUF, 7, &nmsgs);
	assert_true(len > 0);
	assert_int_equal(nmsgs, 2);
	left = len;
	assert_int_equal(m->nlmsg_type, NFNL_MSG_BATCH_BEGIN);
	m = next_msg(m, &left);
	assert_int_equal(nft_type(m), NFT_MSG_NEWTABLE); /* so deleting never fails on absence */
	m = next_msg(m, &left);
	assert_int_equal(nft_type(m), NFT_MSG_DELTABLE);
	m = next_msg(m, &left);
	assert_int_equal(m->nlmsg_type, NFNL_MSG_BATCH_END);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_batch_reads_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty_shares_no_default_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_without_target_is_skipped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_match_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_small, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_batch, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
