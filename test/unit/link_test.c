// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * link.c's pure parsers on hand-built messages: RTM_NEWLINK (flags, operstate,
 * IFLA_STATS64, the carrier rule), ethtool LINKMODES replies and
 * notifications, and nl.c's generic netlink family parser. No kernel.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "link.h"
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
