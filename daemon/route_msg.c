// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: route_msg.c - rtnetlink route and rule messages, built and parsed (pure)
 *
 * Owns the wire form of struct route and struct rule: RTM_NEWROUTE/DELROUTE
 * and RTM_NEWRULE/DELRULE builders (make-before-break flags are the caller's)
 * and parsers that validate every attribute's length before reading it. No
 * sockets, no state: route.c sends what these build, link.c and route.c's
 * event handling read what these parse, and unit tests read both back.
 */
#include "route.h"
#include "list.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>

static size_t addr_len(int family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

static bool put_addr(struct nlmsghdr *nlh, size_t len, uint16_t type, int family,
		     const union inet_addr *a)
{
	return mnl_attr_put_check(nlh, len, type, addr_len(family), a);
}

int route_msg_build(void *buf, size_t len, const struct route *r, uint16_t type,
		    uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	size_t i;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*rtm)) || r->nnh > ARRAY_SIZE(r->nh) ||
	    (r->family != AF_INET && r->family != AF_INET6))
		return -ENOSPC;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)r->family;
	rtm->rtm_dst_len = r->dst_len;
	rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	rtm->rtm_protocol = r->protocol;
	if (type == RTM_DELROUTE) {
		rtm->rtm_scope = RT_SCOPE_NOWHERE; /* match any scope */
		rtm->rtm_type = RTN_UNSPEC;
	} else {
		rtm->rtm_scope = r->scope;
		rtm->rtm_type = RTN_UNICAST;
	}
	if (!mnl_attr_put_u32_check(nlh, len, RTA_TABLE, r->table))
		return -ENOSPC;
	if (r->dst_len && !put_addr(nlh, len, RTA_DST, r->family, &r->dst))
		return -ENOSPC;
	if (r->metric && !mnl_attr_put_u32_check(nlh, len, RTA_PRIORITY, r->metric))
		return -ENOSPC;
	if (r->nnh == 1) {
		const struct route_nh *nh = &r->nh[0];

		if (nh->has_gw && !put_addr(nlh, len, RTA_GATEWAY, r->family, &nh->gw))
			return -ENOSPC;
		if (nh->ifindex &&
		    !mnl_attr_put_u32_check(nlh, len, RTA_OIF, (uint32_t)nh->ifindex))
			return -ENOSPC;
	} else if (r->nnh > 1) {
		struct nlattr *mp = mnl_attr_nest_start_check(nlh, len, RTA_MULTIPATH);

		if (!mp)
			return -ENOSPC;
		for (i = 0; i < r->nnh; i++) {
			const struct route_nh *nh = &r->nh[i];
			struct rtnexthop *rtnh = mnl_nlmsg_get_payload_tail(nlh);
			int w = nh->weight < 1 ? 1 : nh->weight > 256 ? 256 : nh->weight;

			if (nlh->nlmsg_len + RTNH_ALIGN(sizeof(*rtnh)) > len)
				return -ENOSPC;
			memset(rtnh, 0, sizeof(*rtnh));
			rtnh->rtnh_hops = (unsigned char)(w - 1);
			rtnh->rtnh_ifindex = nh->ifindex;
			nlh->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
			if (nh->has_gw && !put_addr(nlh, len, RTA_GATEWAY, r->family, &nh->gw))
				return -ENOSPC;
			rtnh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) -
							  (char *)rtnh);
		}
		mnl_attr_nest_end(nlh, mp);
	}
	return (int)nlh->nlmsg_len;
}

int rule_msg_build(void *buf, size_t len, const struct rule *r, uint16_t type,
		   uint16_t flags, uint32_t seq)
{
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*frh)) ||
	    (r->family != AF_INET && r->family != AF_INET6))
		return -ENOSPC;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)r->family;
	frh->src_len = r->src_len;
	frh->table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_UNSPEC;
	frh->action = FR_ACT_TO_TBL;
	if (r->prio && !mnl_attr_put_u32_check(nlh, len, FRA_PRIORITY, r->prio))
		return -ENOSPC;
	if (!mnl_attr_put_u32_check(nlh, len, FRA_TABLE, r->table))
		return -ENOSPC;
	if (r->fwmark && !mnl_attr_put_u32_check(nlh, len, FRA_FWMARK, r->fwmark))
		return -ENOSPC;
	if (r->fwmask && !mnl_attr_put_u32_check(nlh, len, FRA_FWMASK, r->fwmask))
		return -ENOSPC;
	if (r->src_len && !put_addr(nlh, len, FRA_SRC, r->family, &r->src))
		return -ENOSPC;
	if (r->protocol && !mnl_attr_put_u8_check(nlh, len, FRA_PROTOCOL, r->protocol))
		return -ENOSPC;
	return (int)nlh->nlmsg_len;
}

static bool attr_addr(const struct nlattr *a, int family, union inet_addr *out)
{
	if (mnl_attr_get_payload_len(a) != addr_len(family))
		return false;
	memcpy(out, mnl_attr_get_payload(a), addr_len(family));
	return true;
}

static int parse_multipath(const struct nlattr *mp, struct route *r)
{
	const char *p = mnl_attr_get_payload(mp);
	size_t left = mnl_attr_get_payload_len(mp);

	r->nnh = 0;
	while (left >= sizeof(struct rtnexthop)) {
		struct rtnexthop rtnh;
		const struct nlattr *a;
		size_t alen, off, step;

		memcpy(&rtnh, p, sizeof(rtnh));
		if (rtnh.rtnh_len < sizeof(rtnh) || rtnh.rtnh_len > left)
			return -EINVAL;
		if (r->nnh < ARRAY_SIZE(r->nh)) {
			struct route_nh *nh = &r->nh[r->nnh++];

			memset(nh, 0, sizeof(*nh));
			nh->ifindex = rtnh.rtnh_ifindex;
			nh->weight = rtnh.rtnh_hops + 1;
			off = RTNH_ALIGN(sizeof(rtnh));
			while (off + sizeof(struct nlattr) <= rtnh.rtnh_len) {
				a = (const struct nlattr *)(const void *)(p + off);
				alen = a->nla_len;
				if (alen < sizeof(*a) || off + alen > rtnh.rtnh_len)
					return -EINVAL;
				if ((a->nla_type & NLA_TYPE_MASK) == RTA_GATEWAY) {
					if (!attr_addr(a, r->family, &nh->gw))
						return -EINVAL;
					nh->has_gw = true;
				}
				off += MNL_ALIGN(alen);
			}
		}
		step = RTNH_ALIGN((size_t)rtnh.rtnh_len);
		if (step >= left)
			break;
		left -= step;
		p += step;
	}
	return 0;
}

struct route_parse {
	struct route *r;
	int err;
};

/* A u32 attribute's value, or false if the attribute is malformed. */
static bool attr_u32(const struct nlattr *a, uint32_t *v)
{
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return false;
	*v = mnl_attr_get_u32(a);
	return true;
}

static int route_attr_cb(const struct nlattr *a, void *data)
{
	struct route_parse *ps = data;
	struct route *r = ps->r;

	switch (mnl_attr_get_type(a)) {
	case RTA_TABLE:
		if (!attr_u32(a, &r->table))
			goto bad;
		break;
	case RTA_DST:
		if (!attr_addr(a, r->family, &r->dst))
			goto bad;
		break;
	case RTA_PRIORITY:
		if (!attr_u32(a, &r->metric))
			goto bad;
		break;
	case RTA_GATEWAY:
		if (!attr_addr(a, r->family, &r->nh[0].gw))
			goto bad;
		r->nh[0].has_gw = true;
		if (!r->nnh)
			r->nnh = 1;
		break;
	case RTA_OIF:
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			goto bad;
		r->nh[0].ifindex = (int)mnl_attr_get_u32(a);
		if (!r->nnh)
			r->nnh = 1;
		break;
	case RTA_MULTIPATH:
		if (parse_multipath(a, r) < 0)
			goto bad;
		break;
	}
	return MNL_CB_OK;
bad:
	ps->err = -EINVAL;
	return MNL_CB_ERROR;
}

int route_msg_parse(const void *nlmsg, size_t len, struct route *r)
{
	const struct nlmsghdr *nlh = nlmsg;
	struct route_parse ps = { r, 0 };
	const struct rtmsg *rtm;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*rtm)) ||
	    (nlh->nlmsg_type != RTM_NEWROUTE && nlh->nlmsg_type != RTM_DELROUTE))
		return -EINVAL;
	rtm = mnl_nlmsg_get_payload(nlh);
	if (rtm->rtm_family != AF_INET && rtm->rtm_family != AF_INET6)
		return -EOPNOTSUPP;
	r->family = rtm->rtm_family;
	r->dst_len = rtm->rtm_dst_len;
	r->table = rtm->rtm_table;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	if ((size_t)r->dst_len > addr_len(r->family) * 8)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*rtm), route_attr_cb, &ps) < 0)
		return ps.err ? ps.err : -EINVAL;
	if (rtm->rtm_type != RTN_UNICAST || (rtm->rtm_flags & RTM_F_CLONED))
		return -EOPNOTSUPP;
	return 0;
}

static int rule_attr_cb(const struct nlattr *a, void *data)
{
	struct rule *r = data;

	switch (mnl_attr_get_type(a)) {
	case FRA_PRIORITY:
		if (!attr_u32(a, &r->prio))
			return MNL_CB_ERROR;
		break;
	case FRA_TABLE:
		if (!attr_u32(a, &r->table))
			return MNL_CB_ERROR;
		break;
	case FRA_FWMARK:
		if (!attr_u32(a, &r->fwmark))
			return MNL_CB_ERROR;
		break;
	case FRA_FWMASK:
		if (!attr_u32(a, &r->fwmask))
			return MNL_CB_ERROR;
		break;
	case FRA_SRC:
		if (!attr_addr(a, r->family, &r->src))
			return MNL_CB_ERROR;
		break;
	case FRA_PROTOCOL:
		if (mnl_attr_validate(a, MNL_TYPE_U8) < 0)
			return MNL_CB_ERROR;
		r->protocol = mnl_attr_get_u8(a);
		break;
	}
	return MNL_CB_OK;
}

int rule_msg_parse(const void *nlmsg, size_t len, struct rule *r)
{
	const struct nlmsghdr *nlh = nlmsg;
	const struct fib_rule_hdr *frh;

	memset(r, 0, sizeof(*r));
	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*frh)) ||
	    (nlh->nlmsg_type != RTM_NEWRULE && nlh->nlmsg_type != RTM_DELRULE))
		return -EINVAL;
	frh = mnl_nlmsg_get_payload(nlh);
	if (frh->family != AF_INET && frh->family != AF_INET6)
		return -EOPNOTSUPP;
	r->family = frh->family;
	r->src_len = frh->src_len;
	r->table = frh->table;
	if ((size_t)r->src_len > addr_len(r->family) * 8)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(*frh), rule_attr_cb, r) < 0)
		return -EINVAL;
	if (frh->action != FR_ACT_TO_TBL)
		return -EOPNOTSUPP;
	return 0;
}

/* Pure: "P/LEN" -> family, address (host bits must be zero), length. 0 or -EINVAL. */
int route_prefix_parse(const char *s, int *family, union inet_addr *dst, uint8_t *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long n;
	size_t bytes, i;
	unsigned char *p;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return -EINVAL;
	*slash = '\0';
	memset(dst, 0, sizeof(*dst));
	if (inet_pton(AF_INET, buf, &dst->v4) == 1)
		*family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &dst->v6) == 1)
		*family = AF_INET6;
	else
		return -EINVAL;
	errno = 0;
	n = strtoul(slash + 1, &end, 10);
	if (errno || *end || n > (*family == AF_INET ? 32u : 128u) || n == 0)
		return -EINVAL;
	*len = (uint8_t)n;
	p = (unsigned char *)dst;
	bytes = *family == AF_INET ? 4 : 16;
	for (i = n / 8; i < bytes; i++) {
		unsigned char mask = i == n / 8 ? (unsigned char)(0xff >> (n % 8)) : 0xff;

		if (p[i] & mask)
			return -EINVAL;
	}
	return 0;
}
