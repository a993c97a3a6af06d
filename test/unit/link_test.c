// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * link_msg.c's pure parsers on hand-built messages: RTM_NEWLINK (flags, operstate,
 * IFLA_STATS64, the carrier rule), RTM_NEWADDR, the requests it builds parsed
 * back, ethtool LINKMODES replies and
 * notifications, and nl.c's generic netlink family parser. No kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "link_msg.h"
#include "nl.h"

struct msgbuf {
	uint32_t buf[1024];
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

static struct nlmsghdr *newlink(struct msgbuf *m, uint16_t type, int ifindex, unsigned int flags,
				const char *name, int operstate)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = flags;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (operstate >= 0)
		mnl_attr_put_u8(nlh, IFLA_OPERSTATE, (uint8_t)operstate);
	return nlh;
}

static void put_stats(struct nlmsghdr *nlh, size_t len)
{
	struct rtnl_link_stats64 st;

	memset(&st, 0, sizeof(st));
	st.rx_packets = 1000;
	st.rx_errors = 3;
	st.tx_errors = 4;
	st.rx_dropped = 10;
	st.tx_dropped = 20;
	mnl_attr_put(nlh, IFLA_STATS64, len, &st);
}

static void test_newlink_up(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = newlink(m, RTM_NEWLINK, 5, IFF_UP | IFF_RUNNING | IFF_LOWER_UP,
				       "wan1", IF_OPER_UP);
	struct link_info li;

	put_stats(nlh, sizeof(struct rtnl_link_stats64));
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), 0);
	assert_int_equal(li.ifindex, 5);
	assert_string_equal(li.name, "wan1");
	assert_true(li.flags & IFF_UP);
	assert_int_equal(li.operstate, IF_OPER_UP);
	assert_true(li.has_stats);
	assert_int_equal(li.errors, 7);
	assert_int_equal(li.drops, 30);
	assert_true(link_info_carrier(&li));
}

static void test_newlink_carrier_rule(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh;
	struct link_info li;

	/* lower layer down although the flag says otherwise (a VLAN on a dead port) */
	nlh = newlink(m, RTM_NEWLINK, 6, IFF_UP | IFF_LOWER_UP, "wan2", IF_OPER_LOWERLAYERDOWN);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), 0);
	assert_false(link_info_carrier(&li));
	/* no carrier */
	nlh = newlink(m, RTM_NEWLINK, 6, IFF_UP, "wan2", IF_OPER_DOWN);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), 0);
	assert_false(link_info_carrier(&li));
	assert_false(li.has_stats);
	/* ppp/tun report operstate unknown: the flag decides */
	nlh = newlink(m, RTM_NEWLINK, 7, IFF_UP | IFF_LOWER_UP | IFF_POINTOPOINT, "ppp0", -1);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), 0);
	assert_int_equal(li.operstate, IF_OPER_UNKNOWN);
	assert_true(link_info_carrier(&li));
	assert_true(li.flags & IFF_POINTOPOINT);
	/* dellink parses the same way */
	nlh = newlink(m, RTM_DELLINK, 7, 0, "ppp0", -1);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), 0);
	assert_int_equal(li.ifindex, 7);
}

static void test_newlink_short_stats(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh;
	struct link_info li;

	/* an older kernel's shorter struct still has the counters we use */
	nlh = newlink(m, RTM_NEWLINK, 5, IFF_UP, "wan1", IF_OPER_UP);
	put_stats(nlh, offsetof(struct rtnl_link_stats64, tx_dropped) + 8);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), 0);
	assert_int_equal(li.drops, 30);
	/* too short to hold them: malformed */
	nlh = newlink(m, RTM_NEWLINK, 5, IFF_UP, "wan1", IF_OPER_UP);
	put_stats(nlh, 16);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), -EINVAL);
}

static void test_newlink_malformed(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh;
	struct link_info li;

	nlh = newlink(m, RTM_NEWADDR, 5, 0, "wan1", -1);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), -EINVAL);
	nlh = newlink(m, RTM_NEWLINK, 0, 0, "wan1", -1);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), -EINVAL);
	nlh = newlink(m, RTM_NEWLINK, 5, 0, "wan1", -1);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len - 4, &li), -EINVAL);
	assert_int_equal(link_msg_parse(nlh, 10, &li), -EINVAL);
	/* an operstate of the wrong size */
	nlh = newlink(m, RTM_NEWLINK, 5, 0, "wan1", -1);
	mnl_attr_put_u32(nlh, IFLA_OPERSTATE, 6);
	assert_int_equal(link_msg_parse(nlh, nlh->nlmsg_len, &li), -EINVAL);
}

static struct nlmsghdr *linkmodes(struct msgbuf *m, uint8_t cmd, int ifindex, int64_t speed,
				  int duplex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf);
	struct genlmsghdr *g;
	struct nlattr *hdr;

	nlh->nlmsg_type = 27; /* whatever id the kernel gave ethtool */
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = ETHTOOL_GENL_VERSION;
	if (ifindex >= 0) {
		hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_LINKMODES_HEADER);
		mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "wan1");
		mnl_attr_nest_end(nlh, hdr);
	}
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_AUTONEG, 1);
	if (speed >= 0)
		mnl_attr_put_u32(nlh, ETHTOOL_A_LINKMODES_SPEED, (uint32_t)speed);
	if (duplex >= 0)
		mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_DUPLEX, (uint8_t)duplex);
	return nlh;
}

static void test_ethtool_reply(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = linkmodes(m, ETHTOOL_MSG_LINKMODES_GET_REPLY, 5, 1000, DUPLEX_FULL);
	uint32_t speed;
	int ifindex, duplex;

	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), 0);
	assert_int_equal(ifindex, 5);
	assert_int_equal(speed, 1000);
	assert_int_equal(duplex, 1);

	nlh = linkmodes(m, ETHTOOL_MSG_LINKMODES_NTF, 5, 100, DUPLEX_HALF);
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), 0);
	assert_int_equal(speed, 100);
	assert_int_equal(duplex, 0);
}

static void test_ethtool_unknown(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh;
	uint32_t speed;
	int ifindex, duplex;

	/* no carrier: the kernel says SPEED_UNKNOWN / DUPLEX_UNKNOWN */
	nlh = linkmodes(m, ETHTOOL_MSG_LINKMODES_NTF, 8, (uint32_t)SPEED_UNKNOWN, DUPLEX_UNKNOWN);
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), 0);
	assert_int_equal(ifindex, 8);
	assert_int_equal(speed, 0);
	assert_int_equal(duplex, -1);
	/* neither attribute */
	nlh = linkmodes(m, ETHTOOL_MSG_LINKMODES_GET_REPLY, 8, -1, -1);
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), 0);
	assert_int_equal(speed, 0);
	assert_int_equal(duplex, -1);
}

static void test_ethtool_malformed(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh;
	uint32_t speed;
	int ifindex, duplex;

	/* no header: which device? */
	nlh = linkmodes(m, ETHTOOL_MSG_LINKMODES_GET_REPLY, -1, 1000, DUPLEX_FULL);
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), -EINVAL);
	/* another message */
	nlh = linkmodes(m, ETHTOOL_MSG_LINKINFO_GET_REPLY, 5, 1000, DUPLEX_FULL);
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), -EINVAL);
	/* truncated */
	nlh = linkmodes(m, ETHTOOL_MSG_LINKMODES_GET_REPLY, 5, 1000, DUPLEX_FULL);
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len - 8, &ifindex, &speed,
						      &duplex), -EINVAL);
	/* a speed of the wrong size */
	nlh = linkmodes(m, ETHTOOL_MSG_LINKMODES_GET_REPLY, 5, -1, -1);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_SPEED, 1);
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), -EINVAL);
}

static void test_genl_family(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf);
	struct genlmsghdr *g;
	struct nlattr *groups, *grp;
	uint16_t id = 0;
	uint32_t gid = 0;

	nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 27);
	groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
	grp = mnl_attr_nest_start(nlh, 1);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 6);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "other");
	mnl_attr_nest_end(nlh, grp);
	grp = mnl_attr_nest_start(nlh, 2);
	mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 7);
	mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, ETHTOOL_MCGRP_MONITOR_NAME);
	mnl_attr_nest_end(nlh, grp);
	mnl_attr_nest_end(nlh, groups);

	assert_int_equal(nl_genl_parse_family(nlh, ETHTOOL_MCGRP_MONITOR_NAME, &id, &gid), 0);
	assert_int_equal(id, 27);
	assert_int_equal(gid, 7);
	assert_int_equal(nl_genl_parse_family(nlh, NULL, &id, NULL), 0);
	assert_int_equal(nl_genl_parse_family(nlh, "nonesuch", &id, &gid), -ENOENT);
	nlh->nlmsg_type = 27;
	assert_int_equal(nl_genl_parse_family(nlh, NULL, &id, NULL), -EINVAL);
}

static struct nlmsghdr *newaddr(struct msgbuf *m, int family, int ifindex, const void *local,
				size_t alen, uint8_t plen, uint32_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(m->buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = (uint32_t)ifindex;
	ifa->ifa_prefixlen = plen;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_flags = (uint8_t)flags;
	if (local)
		mnl_attr_put(nlh, IFA_LOCAL, alen, local);
	if (flags > 0xff)
		mnl_attr_put_u32(nlh, IFA_FLAGS, flags);
	return nlh;
}

/* RTM_NEWADDR: the address (IFA_LOCAL), its prefix, scope and flags (IFA_FLAGS
 * wins over the 8-bit field); a wrong size or family is refused */
static void test_newaddr(void **state)
{
	struct msgbuf *m = *state;
	struct in_addr a4 = { htonl(0x64400102) };
	struct in6_addr a6 = { .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, [15] = 1 } };
	struct link_addr la;
	struct nlmsghdr *nlh;

	nlh = newaddr(m, AF_INET, 4, &a4, sizeof(a4), 24, 0);
	assert_int_equal(link_addr_parse(nlh, nlh->nlmsg_len, &la), 0);
	assert_int_equal(la.family, AF_INET);
	assert_int_equal(la.ifindex, 4);
	assert_int_equal(la.plen, 24);
	assert_int_equal(la.scope, RT_SCOPE_UNIVERSE);
	assert_int_equal(la.addr.v4.s_addr, a4.s_addr);

	nlh = newaddr(m, AF_INET6, 4, &a6, sizeof(a6), 64, IFA_F_DEPRECATED | IFA_F_MANAGETEMPADDR);
	assert_int_equal(link_addr_parse(nlh, nlh->nlmsg_len, &la), 0);
	assert_int_equal(la.family, AF_INET6);
	assert_true(la.flags & IFA_F_DEPRECATED);
	assert_memory_equal(&la.addr.v6, &a6, sizeof(a6));

	nlh = newaddr(m, AF_INET6, 4, &a4, sizeof(a4), 64, 0);	/* an IPv4-sized IPv6 address */
	assert_int_equal(link_addr_parse(nlh, nlh->nlmsg_len, &la), -EINVAL);
	nlh = newaddr(m, AF_INET, 4, NULL, 0, 24, 0);			/* no address */
	assert_int_equal(link_addr_parse(nlh, nlh->nlmsg_len, &la), -EINVAL);
	nlh = newaddr(m, AF_PACKET, 4, &a4, sizeof(a4), 24, 0);
	assert_int_equal(link_addr_parse(nlh, nlh->nlmsg_len, &la), -EINVAL);
	nlh = newaddr(m, AF_INET, 4, &a4, sizeof(a4), 24, 0);
	assert_int_equal(link_addr_parse(nlh, nlh->nlmsg_len - 4, &la), -EINVAL);
}

static int ifname_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) == IFLA_IFNAME)
		*(const char **)data = mnl_attr_get_str(a);
	return MNL_CB_OK;
}

/* The requests link.c sends, parsed back: a name that does not fit is refused */
static void test_builders(void **state)
{
	struct msgbuf *m = *state;
	struct nlmsghdr *nlh;
	const char *name = NULL;
	struct ifaddrmsg *ifa;
	struct rtmsg *rtm;
	uint32_t small[8];
	uint32_t speed;
	int ifindex, duplex;

	nlh = link_msg_build_get(m->buf, sizeof(m->buf), "wan1", 0);
	assert_non_null(nlh);
	assert_int_equal(nlh->nlmsg_type, RTM_GETLINK);
	assert_int_equal(mnl_attr_parse(nlh, sizeof(struct ifinfomsg), ifname_cb, &name), MNL_CB_OK);
	assert_string_equal(name, "wan1");
	assert_null(link_msg_build_get(small, sizeof(small), "a-name-longer-than-the-buffer", 0));

	nlh = link_msg_build_addr_dump(m->buf, sizeof(m->buf), AF_INET6, 7);
	assert_int_equal(nlh->nlmsg_type, RTM_GETADDR);
	assert_true(nlh->nlmsg_flags & NLM_F_DUMP);
	ifa = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(ifa->ifa_family, AF_INET6);
	assert_int_equal(ifa->ifa_index, 7);

	nlh = link_msg_build_main_dump(m->buf, sizeof(m->buf), AF_INET);
	assert_int_equal(nlh->nlmsg_type, RTM_GETROUTE);
	rtm = mnl_nlmsg_get_payload(nlh);
	assert_int_equal(rtm->rtm_table, RT_TABLE_MAIN);

	/* the ethtool request carries the header a reply carries: the parser finds ifindex 9 */
	nlh = link_msg_build_ethtool_get(m->buf, sizeof(m->buf), 27, 9);
	assert_int_equal(nlh->nlmsg_type, 27);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = ETHTOOL_MSG_LINKMODES_GET_REPLY;
	assert_int_equal(link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed,
						      &duplex), 0);
	assert_int_equal(ifindex, 9);
	assert_int_equal(speed, 0);
	assert_int_equal(duplex, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_newlink_up, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newlink_carrier_rule, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newlink_short_stats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newlink_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ethtool_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ethtool_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ethtool_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_genl_family, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newaddr, setup, teardown),
		cmocka_unit_test_setup_teardown(test_builders, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
