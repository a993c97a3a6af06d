// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * route.c's pure builders and parsers: messages are built with
 * route_msg_build()/rule_msg_build() and read back with mnl_attr_parse (and
 * with route_msg_parse()/rule_msg_parse()). No kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "route.h"

struct msgbuf {
	uint32_t buf[512];
};

static int setup(void **state)
{
	struct msgbuf *m = calloc(1, sizeof(*m));

	if (!m)
		return -1;
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

#define TB_MAX 32

static int tb_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type < TB_MAX)
		tb[type] = a;
	return MNL_CB_OK;
}

static void v4(union inet_addr *a, const char *s)
{
	assert_int_equal(inet_pton(AF_INET, s, &a->v4), 1);
}

static void v6(union inet_addr *a, const char *s)
{
	assert_int_equal(inet_pton(AF_INET6, s, &a->v6), 1);
}

static struct route table_route(void)
{
	struct route r = {
		.family = AF_INET, .table = 101, .protocol = RTPROT_UPLINKD,
		.scope = RT_SCOPE_UNIVERSE, .nnh = 1,
	};

	v4(&r.nh[0].gw, "100.64.1.1");
	r.nh[0].has_gw = true;
	r.nh[0].ifindex = 3;
	return r;
}

static void test_route_v4_table(void **state)
{
	struct msgbuf *m = *state;
	struct route r = table_route();
	const struct nlattr *tb[TB_MAX] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct rtmsg *rtm;
	struct in_addr gw;
	int n;

	n = route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE,
			    NLM_F_CREATE | NLM_F_REPLACE, 42);
	assert_true(n > 0);
	assert_int_equal(nlh->nlmsg_len, n);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWROUTE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE);
	assert_int_equal(nlh->nlmsg_seq, 42);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_family, AF_INET);
	assert_int_equal(rtm->rtm_dst_len, 0);
	assert_int_equal(rtm->rtm_table, 101);
	assert_int_equal(rtm->rtm_protocol, RTPROT_UPLINKD);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(rtm->rtm_type, RTN_UNICAST);
	assert_true(mnl_attr_parse(nlh, sizeof(*rtm), tb_cb, tb) >= 0);
	assert_non_null(tb[RTA_TABLE]);
	assert_int_equal(mnl_attr_get_u32(tb[RTA_TABLE]), 101);
	assert_non_null(tb[RTA_GATEWAY]);
	assert_int_equal(mnl_attr_get_payload_len(tb[RTA_GATEWAY]), 4);
	inet_pton(AF_INET, "100.64.1.1", &gw);
	assert_memory_equal(mnl_attr_get_payload(tb[RTA_GATEWAY]), &gw, 4);
	assert_non_null(tb[RTA_OIF]);
	assert_int_equal(mnl_attr_get_u32(tb[RTA_OIF]), 3);
	assert_null(tb[RTA_PRIORITY]); /* metric 0: not sent */
	assert_null(tb[RTA_DST]);
	assert_null(tb[RTA_MULTIPATH]);
}

static void test_route_big_table_and_metric(void **state)
{
	struct msgbuf *m = *state;
	struct route r = table_route();
	const struct nlattr *tb[TB_MAX] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct rtmsg *rtm;

	r.table = 1000;
	r.metric = 10;
	assert_true(route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE, 0, 1) > 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_table, RT_TABLE_UNSPEC);
	assert_true(mnl_attr_parse(nlh, sizeof(*rtm), tb_cb, tb) >= 0);
	assert_int_equal(mnl_attr_get_u32(tb[RTA_TABLE]), 1000);
	assert_int_equal(mnl_attr_get_u32(tb[RTA_PRIORITY]), 10);
}

static void test_route_multipath_v4(void **state)
{
	struct msgbuf *m = *state;
	struct route r = {
		.family = AF_INET, .table = RT_TABLE_MAIN, .metric = 10,
		.protocol = RTPROT_UPLINKD, .nnh = 2,
	};
	const struct nlattr *tb[TB_MAX] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	const struct rtnexthop *rtnh;
	const struct nlattr *a;
	union inet_addr want[2];
	const char *p;
	size_t left, i = 0;

	v4(&r.nh[0].gw, "100.64.1.1");
	r.nh[0].has_gw = true;
	r.nh[0].ifindex = 3;
	r.nh[0].weight = 1;
	v4(&r.nh[1].gw, "100.64.2.1");
	r.nh[1].has_gw = true;
	r.nh[1].ifindex = 4;
	r.nh[1].weight = 3;
	want[0] = r.nh[0].gw;
	want[1] = r.nh[1].gw;
	assert_true(route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE,
				    NLM_F_CREATE | NLM_F_REPLACE, 7) > 0);
	assert_int_equal(((struct rtmsg *)mnl_nlmsg_get_payload(nlh))->rtm_table, RT_TABLE_MAIN);
	assert_true(mnl_attr_parse(nlh, sizeof(struct rtmsg), tb_cb, tb) >= 0);
	assert_null(tb[RTA_GATEWAY]);
	assert_null(tb[RTA_OIF]);
	assert_int_equal(mnl_attr_get_u32(tb[RTA_PRIORITY]), 10);
	assert_non_null(tb[RTA_MULTIPATH]);
	p = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
	left = mnl_attr_get_payload_len(tb[RTA_MULTIPATH]);
	while (left >= sizeof(*rtnh)) {
		rtnh = (const struct rtnexthop *)(const void *)p;
		assert_true(rtnh->rtnh_len <= left);
		assert_true(i < 2);
		assert_int_equal(rtnh->rtnh_ifindex, r.nh[i].ifindex);
		assert_int_equal(rtnh->rtnh_hops, r.nh[i].weight - 1);
		a = (const struct nlattr *)(const void *)(p + RTNH_ALIGN(sizeof(*rtnh)));
		assert_int_equal(mnl_attr_get_type(a), RTA_GATEWAY);
		assert_memory_equal(mnl_attr_get_payload(a), &want[i].v4, 4);
		i++;
		if (RTNH_ALIGN((size_t)rtnh->rtnh_len) >= left)
			break;
		left -= RTNH_ALIGN((size_t)rtnh->rtnh_len);
		p += RTNH_ALIGN(rtnh->rtnh_len);
	}
	assert_int_equal(i, 2);
}

static void test_route_v6_and_parse(void **state)
{
	struct msgbuf *m = *state;
	struct route r = {
		.family = AF_INET6, .table = 102, .metric = 1024, .protocol = RTPROT_UPLINKD,
		.nnh = 1,
	}, back;
	const struct nlattr *tb[TB_MAX] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	int n;

	v6(&r.nh[0].gw, "2001:db8:1::1");
	r.nh[0].has_gw = true;
	r.nh[0].ifindex = 9;
	n = route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE, NLM_F_CREATE, 3);
	assert_true(n > 0);
	assert_true(mnl_attr_parse(nlh, sizeof(struct rtmsg), tb_cb, tb) >= 0);
	assert_int_equal(mnl_attr_get_payload_len(tb[RTA_GATEWAY]), 16);
	assert_memory_equal(mnl_attr_get_payload(tb[RTA_GATEWAY]), &r.nh[0].gw.v6, 16);

	assert_int_equal(route_msg_parse(m->buf, (size_t)n, &back), 0);
	assert_int_equal(back.family, AF_INET6);
	assert_int_equal(back.table, 102);
	assert_int_equal(back.metric, 1024);
	assert_int_equal(back.protocol, RTPROT_UPLINKD);
	assert_int_equal(back.nnh, 1);
	assert_true(back.nh[0].has_gw);
	assert_int_equal(back.nh[0].ifindex, 9);
	assert_memory_equal(&back.nh[0].gw.v6, &r.nh[0].gw.v6, 16);
}

static void test_route_parse_multipath_roundtrip(void **state)
{
	struct msgbuf *m = *state;
	struct route r = { .family = AF_INET6, .table = RT_TABLE_MAIN, .metric = 5,
			   .protocol = RTPROT_UPLINKD, .nnh = 3 }, back;
	size_t i;
	int n;

	for (i = 0; i < 3; i++) {
		char s[32];

		snprintf(s, sizeof(s), "2001:db8:%zu::1", i + 1);
		v6(&r.nh[i].gw, s);
		r.nh[i].has_gw = true;
		r.nh[i].ifindex = (int)(10 + i);
		r.nh[i].weight = (int)(i + 1) * 50;
	}
	n = route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE, 0, 1);
	assert_true(n > 0);
	assert_int_equal(route_msg_parse(m->buf, (size_t)n, &back), 0);
	assert_int_equal(back.nnh, 3);
	for (i = 0; i < 3; i++) {
		assert_int_equal(back.nh[i].ifindex, r.nh[i].ifindex);
		assert_int_equal(back.nh[i].weight, r.nh[i].weight);
		assert_true(back.nh[i].has_gw);
		assert_memory_equal(&back.nh[i].gw, &r.nh[i].gw, 16);
	}
	/* truncated: the parser refuses it */
	assert_int_equal(route_msg_parse(m->buf, (size_t)n - 4, &back), -EINVAL);
}

static void test_route_delete_and_device(void **state)
{
	struct msgbuf *m = *state;
	struct route r = table_route();
	const struct nlattr *tb[TB_MAX] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct rtmsg *rtm;

	r.nnh = 0; /* delete ours, whatever its next hop */
	assert_true(route_msg_build(m->buf, sizeof(m->buf), &r, RTM_DELROUTE, 0, 1) > 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_DELROUTE);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_NOWHERE);
	assert_int_equal(rtm->rtm_protocol, RTPROT_UPLINKD);
	assert_true(mnl_attr_parse(nlh, sizeof(*rtm), tb_cb, tb) >= 0);
	assert_null(tb[RTA_GATEWAY]);
	assert_null(tb[RTA_OIF]);
	assert_int_equal(mnl_attr_get_u32(tb[RTA_TABLE]), 101);

	/* p-t-p: a device route, link scope, no gateway */
	r = table_route();
	r.nh[0].has_gw = false;
	r.scope = RT_SCOPE_LINK;
	memset(tb, 0, sizeof(tb));
	assert_true(route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE, 0, 1) > 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_scope, RT_SCOPE_LINK);
	assert_true(mnl_attr_parse(nlh, sizeof(*rtm), tb_cb, tb) >= 0);
	assert_null(tb[RTA_GATEWAY]);
	assert_int_equal(mnl_attr_get_u32(tb[RTA_OIF]), 3);
}

static void test_route_enospc(void **state)
{
	struct msgbuf *m = *state;
	struct route r = table_route();
	struct rule ru = { .family = AF_INET, .prio = 1000, .table = 101, .fwmark = 101 };

	assert_int_equal(route_msg_build(m->buf, 16, &r, RTM_NEWROUTE, 0, 1), -ENOSPC);
	assert_int_equal(route_msg_build(m->buf, 40, &r, RTM_NEWROUTE, 0, 1), -ENOSPC);
	assert_int_equal(rule_msg_build(m->buf, 30, &ru, RTM_NEWRULE, 0, 1), -ENOSPC);
	r.nnh = 9;
	assert_int_equal(route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE, 0, 1),
			 -ENOSPC);
}

static void test_rule_fwmark(void **state)
{
	struct msgbuf *m = *state;
	struct rule r = { .family = AF_INET, .prio = RULE_PRIO_MARK + 1, .table = 102,
			  .fwmark = 102, .fwmask = 0xffffffff, .protocol = RTPROT_UPLINKD };
	const struct nlattr *tb[TB_MAX] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct fib_rule_hdr *frh;
	struct rule back;
	int n;

	n = rule_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, 5);
	assert_true(n > 0);
	assert_int_equal(nlh->nlmsg_type, RTM_NEWRULE);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->family, AF_INET);
	assert_int_equal(frh->table, 102);
	assert_int_equal(frh->action, FR_ACT_TO_TBL);
	assert_int_equal(frh->src_len, 0);
	assert_true(mnl_attr_parse(nlh, sizeof(*frh), tb_cb, tb) >= 0);
	assert_int_equal(mnl_attr_get_u32(tb[FRA_PRIORITY]), 1001);
	assert_int_equal(mnl_attr_get_u32(tb[FRA_TABLE]), 102);
	assert_int_equal(mnl_attr_get_u32(tb[FRA_FWMARK]), 102);
	assert_int_equal(mnl_attr_get_u32(tb[FRA_FWMASK]), 0xffffffff);
	assert_int_equal(mnl_attr_get_u8(tb[FRA_PROTOCOL]), RTPROT_UPLINKD);
	assert_null(tb[FRA_SRC]);

	assert_int_equal(rule_msg_parse(m->buf, (size_t)n, &back), 0);
	assert_int_equal(back.prio, 1001);
	assert_int_equal(back.table, 102);
	assert_int_equal(back.fwmark, 102);
	assert_int_equal(back.fwmask, 0xffffffff);
	assert_int_equal(back.protocol, RTPROT_UPLINKD);
	/* a route message is not a rule */
	r.fwmask = 0;
	assert_int_equal(rule_msg_parse(m->buf, 8, &back), -EINVAL);
}

static void test_rule_src_big_table(void **state)
{
	struct msgbuf *m = *state;
	struct rule r = { .family = AF_INET, .prio = RULE_PRIO_SRC, .table = 300, .src_len = 32,
			  .protocol = RTPROT_UPLINKD }, back;
	const struct nlattr *tb[TB_MAX] = { NULL };
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct fib_rule_hdr *frh;
	int n;

	v4(&r.src, "100.64.1.2");
	n = rule_msg_build(m->buf, sizeof(m->buf), &r, RTM_DELRULE, 0, 9);
	assert_true(n > 0);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->table, RT_TABLE_UNSPEC);
	assert_int_equal(frh->src_len, 32);
	assert_true(mnl_attr_parse(nlh, sizeof(*frh), tb_cb, tb) >= 0);
	assert_int_equal(mnl_attr_get_u32(tb[FRA_TABLE]), 300);
	assert_int_equal(mnl_attr_get_u32(tb[FRA_PRIORITY]), RULE_PRIO_SRC);
	assert_memory_equal(mnl_attr_get_payload(tb[FRA_SRC]), &r.src.v4, 4);
	assert_null(tb[FRA_FWMARK]);
	assert_null(tb[FRA_FWMASK]);
	assert_int_equal(rule_msg_parse(m->buf, (size_t)n, &back), 0);
	assert_int_equal(back.table, 300);
	assert_int_equal(back.src_len, 32);
	assert_memory_equal(&back.src.v4, &r.src.v4, 4);

	/* IPv6 source */
	memset(&r, 0, sizeof(r));
	r.family = AF_INET6;
	r.prio = RULE_PRIO_SRC + 1;
	r.table = 102;
	r.src_len = 128;
	v6(&r.src, "2001:db8:1::2");
	memset(tb, 0, sizeof(tb));
	assert_true(rule_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWRULE, 0, 1) > 0);
	frh = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(frh->family, AF_INET6);
	assert_int_equal(frh->src_len, 128);
	assert_true(mnl_attr_parse(nlh, sizeof(*frh), tb_cb, tb) >= 0);
	assert_int_equal(mnl_attr_get_payload_len(tb[FRA_SRC]), 16);
	assert_memory_equal(mnl_attr_get_payload(tb[FRA_SRC]), &r.src.v6, 16);
	assert_null(tb[FRA_PROTOCOL]);
}

static void test_route_parse_rejects(void **state)
{
	struct msgbuf *m = *state;
	struct route r = table_route(), back;
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct rtmsg *rtm;
	int n;

	n = route_msg_build(m->buf, sizeof(m->buf), &r, RTM_NEWROUTE, 0, 1);
	assert_true(n > 0);
	rtm = mnl_nlmsg_get_payload(nlh);
	rtm->rtm_type = RTN_BLACKHOLE;
	assert_int_equal(route_msg_parse(m->buf, (size_t)n, &back), -EOPNOTSUPP);
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_dst_len = 33;
	assert_int_equal(route_msg_parse(m->buf, (size_t)n, &back), -EINVAL);
	rtm->rtm_dst_len = 0;
	nlh->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(route_msg_parse(m->buf, (size_t)n, &back), -EINVAL);
	nlh->nlmsg_type = RTM_DELROUTE;
	assert_int_equal(route_msg_parse(m->buf, (size_t)n, &back), 0);
	assert_int_equal(back.nh[0].ifindex, 3);
}

/* bgp.watch route = true: the prefix a steer event names */
static void test_prefix_parse(void **state)
{
	static const char *const bad[] = { "203.0.113.0", "203.0.113.1/24", "203.0.113.0/33",
					   "203.0.113.0/0", "2001:db8::/129", "2001:db8::1/64",
					   "x/8", "10.0.0.0/8x", "10.0.0.0/", "" };
	union inet_addr a;
	uint8_t len;
	size_t i;
	int fam;

	(void)state;
	assert_int_equal(route_prefix_parse("203.0.113.0/24", &fam, &a, &len), 0);
	assert_int_equal(fam, AF_INET);
	assert_int_equal(len, 24);
	assert_int_equal(a.v4.s_addr, htonl(0xcb007100));
	assert_int_equal(route_prefix_parse("203.0.113.128/25", &fam, &a, &len), 0);
	assert_int_equal(route_prefix_parse("2001:db8:ff::/48", &fam, &a, &len), 0);
	assert_int_equal(fam, AF_INET6);
	assert_int_equal(len, 48);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (route_prefix_parse(bad[i], &fam, &a, &len) != -EINVAL)
			print_message("accepted \"%s\"\n", bad[i]);
		assert_int_equal(route_prefix_parse(bad[i], &fam, &a, &len), -EINVAL);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_route_v4_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_big_table_and_metric, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_multipath_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_v6_and_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_parse_multipath_roundtrip, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_route_delete_and_device, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_enospc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_fwmark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rule_src_big_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_route_parse_rejects, setup, teardown),
		cmocka_unit_test(test_prefix_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
