// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: link_msg.c - link.c's netlink messages, built and parsed without a socket
 *
 * Parsers of RTM_NEWLINK/RTM_DELLINK (flags, operstate, IFLA_STATS64, the
 * carrier rule), RTM_NEWADDR and ethtool LINKMODES replies and notifications;
 * builders of the requests link.c and link_ethtool.c send. Every attribute is
 * validated before it is read. Touches no socket and no uplink. Called by
 * link.c, link_ethtool.c and the tests.
 */
#include "link_msg.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

/* ---- parsers ---- */

static int link_attr_cb(const struct nlattr *a, void *data)
{
	struct link_info *li = data;
	struct rtnl_link_stats64 st;
	size_t n;

	switch (mnl_attr_get_type(a)) {
	case IFLA_IFNAME:
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return MNL_CB_ERROR;
		snprintf(li->name, sizeof(li->name), "%s", mnl_attr_get_str(a));
		break;
	case IFLA_OPERSTATE:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		li->operstate = mnl_attr_get_u8(a);
		break;
	case IFLA_STATS64:
		n = mnl_attr_get_payload_len(a);
		/* older kernels send a shorter struct: need up to tx_dropped */
		if (n < offsetof(struct rtnl_link_stats64, tx_dropped) + sizeof(st.tx_dropped))
			return MNL_CB_ERROR;
		memset(&st, 0, sizeof(st));
		memcpy(&st, mnl_attr_get_payload(a), n < sizeof(st) ? n : sizeof(st));
		li->errors = st.rx_errors + st.tx_errors;
		li->drops = st.rx_dropped + st.tx_dropped;
		li->has_stats = true;
		break;
	}
	return MNL_CB_OK;
}

int link_msg_parse(const void *nlmsg, size_t len, struct link_info *li)
{
	const struct nlmsghdr *nlh = nlmsg;
	const struct ifinfomsg *ifi;

	memset(li, 0, sizeof(*li));
	li->operstate = IF_OPER_UNKNOWN;
	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifi)) ||
	    (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK))
		return -EINVAL;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_index <= 0)
		return -EINVAL;
	li->ifindex = ifi->ifi_index;
	li->flags = ifi->ifi_flags;
	if (mnl_attr_parse(nlh, sizeof(*ifi), link_attr_cb, li) < 0)
		return -EINVAL;
	return 0;
}

bool link_info_carrier(const struct link_info *li)
{
	return (li->flags & IFF_LOWER_UP) && li->operstate != IF_OPER_DOWN &&
	       li->operstate != IF_OPER_LOWERLAYERDOWN;
}

struct ethtool_parse {
	int ifindex;
	bool have_speed, have_duplex;
	uint32_t speed;
	uint8_t duplex;
};

static int ethtool_header_cb(const struct nlattr *a, void *data)
{
	struct ethtool_parse *p = data;

	if (mnl_attr_get_type(a) == ETHTOOL_A_HEADER_DEV_INDEX) {
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->ifindex = (int)mnl_attr_get_u32(a);
	}
	return MNL_CB_OK;
}

static int ethtool_attr_cb(const struct nlattr *a, void *data)
{
	struct ethtool_parse *p = data;

	switch (mnl_attr_get_type(a)) {
	case ETHTOOL_A_LINKMODES_HEADER:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(a, ethtool_header_cb, p) < 0)
			return MNL_CB_ERROR;
		break;
	case ETHTOOL_A_LINKMODES_SPEED:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return MNL_CB_ERROR;
		p->speed = mnl_attr_get_u32(a);
		p->have_speed = true;
		break;
	case ETHTOOL_A_LINKMODES_DUPLEX:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		p->duplex = mnl_attr_get_u8(a);
		p->have_duplex = true;
		break;
	}
	return MNL_CB_OK;
}

int link_ethtool_parse_linkmodes(const void *nlmsg, size_t len, int *ifindex,
				 uint32_t *speed_mbps, int *duplex)
{
	const struct nlmsghdr *nlh = nlmsg;
	const struct genlmsghdr *g;
	struct ethtool_parse p = { 0 };

	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*g)) || nlh->nlmsg_type < NLMSG_MIN_TYPE)
		return -EINVAL;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != ETHTOOL_MSG_LINKMODES_GET_REPLY && g->cmd != ETHTOOL_MSG_LINKMODES_NTF)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*g), ethtool_attr_cb, &p) < 0 || p.ifindex <= 0)
		return -EINVAL;
	*ifindex = p.ifindex;
	*speed_mbps = p.have_speed && p.speed != (uint32_t)SPEED_UNKNOWN ? p.speed : 0;
	if (p.have_duplex && p.duplex == DUPLEX_FULL)
		*duplex = 1;
	else if (p.have_duplex && p.duplex == DUPLEX_HALF)
		*duplex = 0;
	else
		*duplex = -1;
	return 0;
}

static int addr_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type == IFA_ADDRESS || type == IFA_LOCAL)
		tb[type] = a;
	else if (type == IFA_FLAGS && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

int link_addr_parse(const void *nlmsg, size_t len, struct link_addr *la)
{
	const struct nlmsghdr *nlh = nlmsg;
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	size_t alen;

	memset(la, 0, sizeof(*la));
	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)) || nlh->nlmsg_type != RTM_NEWADDR)
		return -EINVAL;
	ifa = mnl_nlmsg_get_payload(nlh);
	if (ifa->ifa_family == AF_INET)
		alen = sizeof(la->addr.v4);
	else if (ifa->ifa_family == AF_INET6)
		alen = sizeof(la->addr.v6);
	else
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0)
		return -EINVAL;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a || mnl_attr_get_payload_len(a) != alen)
		return -EINVAL;
	la->family = ifa->ifa_family;
	la->ifindex = (int)ifa->ifa_index;
	la->scope = ifa->ifa_scope;
	la->plen = ifa->ifa_prefixlen;
	la->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	memcpy(&la->addr, mnl_attr_get_payload(a), alen);
	return 0;
}

/* ---- builders ---- */

struct nlmsghdr *link_msg_build_get(void *buf, size_t len, const char *name, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (!ifindex && !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, name))
		return NULL;
	return nlh;
}

struct nlmsghdr *link_msg_build_addr_dump(void *buf, size_t len, int family, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	(void)len; /* fixed size */
	nlh->nlmsg_type = RTM_GETADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_index = (uint32_t)ifindex; /* a filter under strict checking */
	return nlh;
}

struct nlmsghdr *link_msg_build_main_dump(void *buf, size_t len, int family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	if (!mnl_attr_put_u32_check(nlh, len, RTA_TABLE, RT_TABLE_MAIN)) /* strict checking */
		return NULL;
	return nlh;
}

struct nlmsghdr *link_msg_build_ethtool_get(void *buf, size_t len, uint16_t family_id,
					    int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *hdr;

	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = ETHTOOL_MSG_LINKMODES_GET;
	g->version = ETHTOOL_GENL_VERSION;
	hdr = mnl_attr_nest_start_check(nlh, len, ETHTOOL_A_LINKMODES_HEADER);
	if (!hdr ||
	    !mnl_attr_put_u32_check(nlh, len, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex) ||
	    !mnl_attr_put_u32_check(nlh, len, ETHTOOL_A_HEADER_FLAGS,
				    ETHTOOL_FLAG_COMPACT_BITSETS))
		return NULL;
	mnl_attr_nest_end(nlh, hdr);
	return nlh;
}
