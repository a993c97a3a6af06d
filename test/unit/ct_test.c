// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ct.c's pure builders and parser on hand-built ctnetlink messages: which
 * entries are selected (reply destination = the uplink's address), and that
 * the delete request carries the original tuple and zone unchanged. No kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"

struct msgbuf {
	uint32_t buf[512];
	uint32_t out[512];
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

static void put_tuple(struct nlmsghdr *nlh, uint16_t type, int family, const char *src,
		      const char *dst, uint16_t sport, uint16_t dport)
{
	struct nlattr *t, *ip, *proto;
	uint8_t a[16];
	size_t alen = family == AF_INET6 ? 16 : 4;

	t = mnl_attr_nest_start(nlh, type);
	ip = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(family, src, a);
	mnl_attr_put(nlh, family == AF_INET6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, alen, a);
	inet_pton(family, dst, a);
	mnl_attr_put(nlh, family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, alen, a);
	mnl_attr_nest_end(nlh, ip);
	proto = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, IPPROTO_TCP);
	mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
	mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	mnl_attr_nest_end(nlh, proto);
	mnl_attr_nest_end(nlh, t);
}

/* A masqueraded flow: LAN host -> server, replies to the uplink's address. */
static struct nlmsghdr *ct_entry(struct msgbuf *m, int family, const char *lan,
				 const char *server, const char *wan, int zone)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	put_tuple(nlh, CTA_TUPLE_ORIG, family, lan, server, 40000, 443);
	put_tuple(nlh, CTA_TUPLE_REPLY, family, server, wan, 443, 61000);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(0x18e));
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(431999));
	if (zone >= 0)
		mnl_attr_put_u16(nlh, CTA_ZONE, htons((uint16_t)zone));
	return nlh;
}

static void test_dump_request(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = (struct nlmsghdr *)m->buf;
	struct nfgenmsg *nfg;
	int n;

	n = ct_msg_build_dump(m->buf, sizeof(m->buf), AF_INET6, 11);
	assert_int_equal(n, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)));
	assert_int_equal(nlh->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET);
	assert_int_equal(nlh->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
	assert_int_equal(nlh->nlmsg_seq, 11);
	nfg = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(nfg->nfgen_family, AF_INET6);
	assert_int_equal(nfg->version, NFNETLINK_V0);
	assert_int_equal(ct_msg_build_dump(m->buf, 8, AF_INET, 1), -ENOSPC);
}

static void test_match_v4(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = ct_entry(m, AF_INET, "192.168.1.10", "198.51.100.7",
					"100.64.1.2", 5);
	struct in_addr wan, other;
	struct ct_tuple t;

	inet_pton(AF_INET, "100.64.1.2", &wan);
	inet_pton(AF_INET, "100.64.2.2", &other);
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET, &wan, &t), 1);
	assert_int_equal(t.family, AF_INET);
	assert_true(t.has_zone);
	assert_int_equal(ntohs(t.zone_be), 5);
	assert_true(t.len > 0);
	/* the flow is not on the other uplink */
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET, &other, &t), 0);
	/* nor an IPv6 one */
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET6, &wan, &t), 0);
	/* the original destination is not what counts */
	nlh = ct_entry(m, AF_INET, "192.168.1.10", "100.64.1.2", "192.168.1.10", -1);
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET, &wan, &t), 0);
}

struct tuple_view {
	const struct nlattr *orig, *zone;
	const struct nlattr *src, *dst, *sport, *dport, *proto;
};

static int view_ip_cb(const struct nlattr *a, void *data)
{
	struct tuple_view *v = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_IP_V4_SRC:
	case CTA_IP_V6_SRC:
		v->src = a;
		break;
	case CTA_IP_V4_DST:
	case CTA_IP_V6_DST:
		v->dst = a;
		break;
	}
	return MNL_CB_OK;
}

static int view_proto_cb(const struct nlattr *a, void *data)
{
	struct tuple_view *v = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_PROTO_NUM:
		v->proto = a;
		break;
	case CTA_PROTO_SRC_PORT:
		v->sport = a;
		break;
	case CTA_PROTO_DST_PORT:
		v->dport = a;
		break;
	}
	return MNL_CB_OK;
}

static int view_tuple_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == CTA_TUPLE_IP)
		return mnl_attr_parse_nested(a, view_ip_cb, data);
	if (mnl_attr_get_type(a) == CTA_TUPLE_PROTO)
		return mnl_attr_parse_nested(a, view_proto_cb, data);
	return MNL_CB_OK;
}

static int view_top_cb(const struct nlattr *a, void *data)
{
	struct tuple_view *v = data;

	if (mnl_attr_get_type(a) == CTA_TUPLE_ORIG)
		v->orig = a;
	else if (mnl_attr_get_type(a) == CTA_ZONE)
		v->zone = a;
	else
		fail_msg("unexpected attribute %u in a delete request", mnl_attr_get_type(a));
	return MNL_CB_OK;
}

static void test_delete_request(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = ct_entry(m, AF_INET, "192.168.1.10", "198.51.100.7",
					"100.64.1.2", 5);
	struct nlmsghdr *del = (struct nlmsghdr *)m->out;
	struct tuple_view v = { 0 };
	struct in_addr wan, a;
	struct ct_tuple t;
	int n;

	inet_pton(AF_INET, "100.64.1.2", &wan);
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET, &wan, &t), 1);
	n = ct_msg_build_delete(m->out, sizeof(m->out), &t, 12);
	assert_true(n > 0);
	assert_int_equal(del->nlmsg_len, n);
	assert_int_equal(del->nlmsg_type, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE);
	assert_int_equal(del->nlmsg_flags, NLM_F_REQUEST);
	assert_int_equal(del->nlmsg_seq, 12);
	assert_int_equal(((struct nfgenmsg *)mnl_nlmsg_get_payload(del))->nfgen_family, AF_INET);
	assert_true(mnl_attr_parse(del, sizeof(struct nfgenmsg), view_top_cb, &v) >= 0);
	assert_non_null(v.orig);
	assert_non_null(v.zone);
	assert_int_equal(ntohs(mnl_attr_get_u16(v.zone)), 5);
	assert_true(mnl_attr_parse_nested(v.orig, view_tuple_cb, &v) >= 0);
	inet_pton(AF_INET, "192.168.1.10", &a);
	assert_memory_equal(mnl_attr_get_payload(v.src), &a, 4);
	inet_pton(AF_INET, "198.51.100.7", &a);
	assert_memory_equal(mnl_attr_get_payload(v.dst), &a, 4);
	assert_int_equal(mnl_attr_get_u8(v.proto), IPPROTO_TCP);
	assert_int_equal(ntohs(mnl_attr_get_u16(v.sport)), 40000);
	assert_int_equal(ntohs(mnl_attr_get_u16(v.dport)), 443);
	/* too small a buffer */
	assert_int_equal(ct_msg_build_delete(m->out, 24, &t, 1), -ENOSPC);
}

static void test_match_v6_no_zone(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = ct_entry(m, AF_INET6, "2001:db8:10::10", "2001:db8:ff::1",
					"2001:db8:1::2", -1);
	struct nlmsghdr *del = (struct nlmsghdr *)m->out;
	struct tuple_view v = { 0 };
	struct in6_addr wan;
	struct ct_tuple t;

	inet_pton(AF_INET6, "2001:db8:1::2", &wan);
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET6, &wan, &t), 1);
	assert_false(t.has_zone);
	assert_true(ct_msg_build_delete(m->out, sizeof(m->out), &t, 1) > 0);
	assert_int_equal(((struct nfgenmsg *)mnl_nlmsg_get_payload(del))->nfgen_family, AF_INET6);
	assert_true(mnl_attr_parse(del, sizeof(struct nfgenmsg), view_top_cb, &v) >= 0);
	assert_null(v.zone);
	assert_true(mnl_attr_parse_nested(v.orig, view_tuple_cb, &v) >= 0);
	assert_int_equal(mnl_attr_get_payload_len(v.src), 16);
}

static void test_match_malformed(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf);
	struct nfgenmsg *nfg;
	struct in_addr wan;
	struct ct_tuple t;

	inet_pton(AF_INET, "100.64.1.2", &wan);
	/* no reply tuple */
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = AF_INET;
	put_tuple(nlh, CTA_TUPLE_ORIG, AF_INET, "192.168.1.10", "198.51.100.7", 1, 2);
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET, &wan, &t), -EINVAL);
	/* another subsystem */
	nlh = ct_entry(m, AF_INET, "192.168.1.10", "198.51.100.7", "100.64.1.2", -1);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK_EXP << 8) | IPCTNL_MSG_CT_NEW;
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len, AF_INET, &wan, &t), -EINVAL);
	/* truncated */
	nlh = ct_entry(m, AF_INET, "192.168.1.10", "198.51.100.7", "100.64.1.2", -1);
	assert_int_equal(ct_msg_match(nlh, nlh->nlmsg_len - 4, AF_INET, &wan, &t), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dump_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_v4, setup, teardown),
		cmocka_unit_test_setup_teardown(test_delete_request, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_v6_no_zone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_malformed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
