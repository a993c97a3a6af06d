// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: link.c - the uplinks' interfaces as the kernel sees them
 *
 * Owns struct linkmon (d->link) and fills each uplink's struct uplink_link:
 * ifindex (by interface name; PPPoE/LTE devices come and go and come back with
 * a new ifindex), admin state, carrier (IFF_LOWER_UP and an operstate that is
 * not down), point-to-point, the first global IPv4/IPv6 address, the gateways
 * the kernel learned (main-table default routes through the interface that are
 * not ours: DHCP, RA, PPP), and link quality: speed and duplex over ethtool
 * generic netlink (queried at start and when the carrier comes up, followed on
 * the "monitor" group) and error/drop counters polled every 5 s. Each change
 * is reported through the callback given to link_init (LINK_CHG_UP when an
 * interface comes back up: the kernel dropped its IPv4 routes). Listens on
 * the daemon's rtnetlink event socket (rtnl.h); talks through nl_talk();
 * uses route.c's pure parser for learned gateways. Called by daemon.c and
 * uplinks.c (link_uplink_added).
 */
#include "link.h"
#include "daemon.h"
#include "log.h"
#include "route.h"
#include "rtnl.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#define LINK_STATS_INTERVAL_NS (5 * NSEC_PER_SEC)

struct linkmon {
	struct daemon *d;
	struct rtnl_listener rtnl;
	link_changed_fn changed; /* the uplinks' callback */
	struct nl_sock genl;	/* ethtool requests */
	struct nl_sock genl_ev; /* ethtool notifications */
	uint16_t ethtool_id;
	bool ethtool;
	struct loop_timer stats;
	struct log_rl rl;
};

/* ---- pure parsers ---- */

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

/* ---- comparing views ---- */

static unsigned int link_diff(const struct uplink_link *a, const struct uplink_link *b)
{
	unsigned int bits = 0;

	if (a->ifindex != b->ifindex)
		bits |= LINK_CHG_IFINDEX;
	if (a->carrier != b->carrier || a->admin_up != b->admin_up)
		bits |= LINK_CHG_CARRIER;
	if (a->pointopoint != b->pointopoint || a->has_addr4 != b->has_addr4 ||
	    a->has_addr6 != b->has_addr6 ||
	    (a->has_addr4 && (a->addr4.s_addr != b->addr4.s_addr || a->plen4 != b->plen4)) ||
	    (a->has_addr6 && (memcmp(&a->addr6, &b->addr6, sizeof(a->addr6)) ||
			      a->plen6 != b->plen6)))
		bits |= LINK_CHG_ADDR;
	if (a->has_gw4 != b->has_gw4 || a->has_gw6 != b->has_gw6 ||
	    a->dev4 != b->dev4 || a->dev6 != b->dev6 ||
	    (a->has_gw4 && a->gw4.s_addr != b->gw4.s_addr) ||
	    (a->has_gw6 && memcmp(&a->gw6, &b->gw6, sizeof(a->gw6))))
		bits |= LINK_CHG_GW;
	if (a->lq.known != b->lq.known || a->lq.speed_mbps != b->lq.speed_mbps ||
	    a->lq.duplex != b->lq.duplex)
		bits |= LINK_CHG_QUALITY;
	return bits;
}

static void link_describe_change(const struct uplink *u, const struct uplink_link *old,
				 unsigned int bits)
{
	const struct uplink_link *l = &u->link;
	char a[INET6_ADDRSTRLEN];

	if ((bits & LINK_CHG_CARRIER) && l->ifindex)
		log_info("%s: %s is %s, carrier %s", u->cfg.name, u->cfg.interface,
			 l->admin_up ? "up" : "down", l->carrier ? "on" : "off");
	if ((bits & LINK_CHG_ADDR) && (l->has_addr4 != old->has_addr4 ||
				       l->addr4.s_addr != old->addr4.s_addr)) {
		if (l->has_addr4)
			log_info("%s: %s has IPv4 address %s/%u", u->cfg.name, u->cfg.interface,
				 inet_ntop(AF_INET, &l->addr4, a, sizeof(a)), l->plen4);
		else
			log_info("%s: %s has no IPv4 address", u->cfg.name, u->cfg.interface);
	}
	if ((bits & LINK_CHG_ADDR) && (l->has_addr6 != old->has_addr6 ||
				       memcmp(&l->addr6, &old->addr6, sizeof(l->addr6)))) {
		if (l->has_addr6)
			log_info("%s: %s has IPv6 address %s/%u", u->cfg.name, u->cfg.interface,
				 inet_ntop(AF_INET6, &l->addr6, a, sizeof(a)), l->plen6);
		else
			log_info("%s: %s has no global IPv6 address", u->cfg.name,
				 u->cfg.interface);
	}
	if ((bits & LINK_CHG_GW) && (l->has_gw4 != old->has_gw4 ||
				     l->gw4.s_addr != old->gw4.s_addr))
		log_info("%s: learned IPv4 gateway %s", u->cfg.name,
			 l->has_gw4 ? inet_ntop(AF_INET, &l->gw4, a, sizeof(a)) : "none");
	if ((bits & LINK_CHG_GW) && l->dev4 != old->dev4)
		log_info("%s: %s default route through %s without a gateway (routed by device)",
			 u->cfg.name, l->dev4 ? "learned an IPv4" : "lost its IPv4",
			 u->cfg.interface);
	if ((bits & LINK_CHG_GW) && l->dev6 != old->dev6)
		log_info("%s: %s default route through %s without a gateway (routed by device)",
			 u->cfg.name, l->dev6 ? "learned an IPv6" : "lost its IPv6",
			 u->cfg.interface);
	if ((bits & LINK_CHG_GW) && (l->has_gw6 != old->has_gw6 ||
				     memcmp(&l->gw6, &old->gw6, sizeof(l->gw6))))
		log_info("%s: learned IPv6 gateway %s", u->cfg.name,
			 l->has_gw6 ? inet_ntop(AF_INET6, &l->gw6, a, sizeof(a)) : "none");
	if (bits & LINK_CHG_QUALITY) {
		if (l->lq.known)
			log_info("%s: %s speed %u Mb/s, %s duplex", u->cfg.name, u->cfg.interface,
				 l->lq.speed_mbps, l->lq.duplex == 1 ? "full" :
				 l->lq.duplex == 0 ? "half" : "unknown");
		else
			log_dbg(LOG_NL, "%s: %s speed unknown", u->cfg.name, u->cfg.interface);
	}
}

/* Tell uplink.c what changed since old; extra bits are reported as they are. */
static void link_notify(struct daemon *d, struct uplink *u, const struct uplink_link *old,
			unsigned int extra)
{
	unsigned int bits = link_diff(old, &u->link);
	bool came_up = (u->link.admin_up && !old->admin_up) ||
		       (u->link.ifindex && u->link.ifindex != old->ifindex);

	link_describe_change(u, old, bits);
	bits |= extra;
	/* the kernel dropped the device's IPv4 routes when it went down, silently:
	 * whoever installed routes there hears it (LINK_CHG_UP) */
	if (came_up)
		bits |= LINK_CHG_UP;
	if (bits && d->link->changed)
		d->link->changed(u, bits);
}

/* ---- ethtool ---- */

struct ethtool_reply {
	struct uplink *u;
	bool got;
	uint32_t speed;
	int duplex;
};

static int ethtool_reply_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ethtool_reply *r = data;
	int ifindex;

	if (link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &r->speed,
					 &r->duplex) == 0 && ifindex == r->u->link.ifindex)
		r->got = true;
	return MNL_CB_OK;
}

/* Fill u->link.lq's speed and duplex (no notification here). */
static void ethtool_query(struct linkmon *lm, struct uplink *u)
{
	uint32_t buf[128];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nlattr *hdr;
	struct ethtool_reply r = { .u = u };
	char err[NL_ERRLEN];
	int rc;

	u->link.lq.known = false;
	u->link.lq.speed_mbps = 0;
	u->link.lq.duplex = -1;
	if (!lm->ethtool || !u->link.ifindex)
		return;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = lm->ethtool_id;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = ETHTOOL_MSG_LINKMODES_GET;
	g->version = ETHTOOL_GENL_VERSION;
	hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_LINKMODES_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)u->link.ifindex);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_COMPACT_BITSETS);
	mnl_attr_nest_end(nlh, hdr);
	rc = nl_sock_talk(&lm->genl, nlh, ethtool_reply_cb, &r, err, sizeof(err));
	if (rc < 0) {
		/* veth, dummy, tun and ppp have no link modes: not an error */
		log_dbg(LOG_NL, "%s: no speed from ethtool for %s: %s", u->cfg.name,
			u->cfg.interface, err);
		return;
	}
	if (!r.got || !r.speed)
		return;
	u->link.lq.known = true;
	u->link.lq.speed_mbps = r.speed;
	u->link.lq.duplex = r.duplex;
}

static struct uplink *uplink_by_ifindex(struct daemon *d, int ifindex)
{
	struct uplink *u;

	if (ifindex <= 0)
		return NULL;
	list_for_each_entry(u, &d->uplinks, node)
		if (u->link.ifindex == ifindex)
			return u;
	return NULL;
}

static int ethtool_event(const struct nlmsghdr *nlh, void *data)
{
	struct linkmon *lm = data;
	struct uplink_link old;
	struct uplink *u;
	uint32_t speed;
	int ifindex, duplex;

	if (nlh->nlmsg_type != lm->ethtool_id ||
	    link_ethtool_parse_linkmodes(nlh, nlh->nlmsg_len, &ifindex, &speed, &duplex) < 0)
		return MNL_CB_OK;
	/* several uplinks on one interface are not expected; notify each anyway */
	list_for_each_entry(u, &lm->d->uplinks, node) {
		if (u->link.ifindex != ifindex)
			continue;
		old = u->link;
		u->link.lq.known = speed != 0;
		u->link.lq.speed_mbps = speed;
		u->link.lq.duplex = speed ? duplex : -1;
		link_notify(lm->d, u, &old, 0);
	}
	return MNL_CB_OK;
}

static void ethtool_overrun(struct nl_sock *s)
{
	struct linkmon *lm = container_of(s, struct linkmon, genl_ev);
	struct uplink_link old;
	struct uplink *u;

	list_for_each_entry(u, &lm->d->uplinks, node) {
		old = u->link;
		ethtool_query(lm, u);
		link_notify(lm->d, u, &old, 0);
	}
}

static void ethtool_open(struct linkmon *lm)
{
	uint32_t grp;
	int err;

	if ((err = nl_sock_open(&lm->genl, NETLINK_GENERIC)) < 0 ||
	    (err = nl_genl_resolve(&lm->genl, ETHTOOL_GENL_NAME, ETHTOOL_MCGRP_MONITOR_NAME,
				   &lm->ethtool_id, &grp)) < 0) {
		log_info("link: ethtool netlink unavailable (%s); speed and duplex unknown",
			 strerror(-err));
		nl_sock_close(&lm->genl);
		return;
	}
	lm->ethtool = true;
	if ((err = nl_sock_open(&lm->genl_ev, NETLINK_GENERIC)) < 0 ||
	    (err = nl_sock_watch(&lm->genl_ev, &lm->d->loop, &grp, 1, ethtool_event,
				 ethtool_overrun, lm)) < 0) {
		log_warn("link: cannot follow ethtool notifications (%s); speed is read when "
			 "the carrier comes up", strerror(-err));
		nl_sock_close(&lm->genl_ev);
	}
}

/* ---- rtnetlink queries ---- */

/* Apply an RTM_NEWLINK view (li) or the interface's absence (li == NULL). */
static void link_apply(struct linkmon *lm, struct uplink *u, const struct link_info *li)
{
	struct uplink_link *l = &u->link;
	bool was_carrier = l->ifindex && l->carrier;

	if (!li) {
		struct link_quality lq = { .duplex = -1 };

		memset(l, 0, sizeof(*l));
		l->lq = lq;
		return;
	}
	if (l->ifindex != li->ifindex) {
		/* a new device: nothing of the old one holds (counters restart too) */
		memset(l, 0, sizeof(*l));
		l->lq.duplex = -1;
		l->ifindex = li->ifindex;
		was_carrier = false;
	}
	l->admin_up = li->flags & IFF_UP;
	l->carrier = link_info_carrier(li);
	l->pointopoint = li->flags & IFF_POINTOPOINT;
	if (li->has_stats) {
		l->lq.errors = li->errors;
		l->lq.drops = li->drops;
	}
	if (l->carrier && !was_carrier)
		ethtool_query(lm, u); /* speed is renegotiated with the carrier */
	else if (!l->carrier) {
		l->lq.known = false;
		l->lq.speed_mbps = 0;
		l->lq.duplex = -1;
	}
}

struct link_get {
	struct link_info li;
	bool got;
};

static int link_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_get *g = data;

	if (nlh->nlmsg_type == RTM_NEWLINK && link_msg_parse(nlh, nlh->nlmsg_len, &g->li) == 0)
		g->got = true;
	return MNL_CB_OK;
}

/* RTM_GETLINK by name (ifindex 0) or by index. 1 found, 0 absent, -errno. */
static int link_get(struct daemon *d, const char *name, int ifindex, struct link_info *li)
{
	uint32_t buf[128];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct link_get g = { .got = false };
	char err[NL_ERRLEN];
	int rc;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (!ifindex && !mnl_attr_put_strz_check(nlh, sizeof(buf), IFLA_IFNAME, name))
		return -ENAMETOOLONG;
	rc = nl_talk(d, nlh, link_get_cb, &g, err, sizeof(err));
	if (rc == -ENODEV || (rc == 0 && !g.got))
		return 0;
	if (rc < 0) {
		log_warn("link: cannot read interface %s: %s", ifindex ? "by index" : name, err);
		return rc;
	}
	*li = g.li;
	return 1;
}

struct addr_dump {
	int ifindex;
	bool has4, has6, dep6;
	struct in_addr a4;
	struct in6_addr a6;
	uint8_t plen4, plen6;
};

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

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *ad = data;
	const struct nlattr *tb[IFA_MAX + 1] = { NULL };
	const struct ifaddrmsg *ifa;
	const struct nlattr *a;
	uint32_t flags;

	if (nlh->nlmsg_type != RTM_NEWADDR || nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
		return MNL_CB_OK;
	ifa = mnl_nlmsg_get_payload(nlh);
	if ((int)ifa->ifa_index != ad->ifindex || ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return MNL_CB_OK;
	if (mnl_attr_parse(nlh, sizeof(*ifa), addr_attr_cb, tb) < 0)
		return MNL_CB_OK;
	flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	a = tb[IFA_LOCAL] ? tb[IFA_LOCAL] : tb[IFA_ADDRESS];
	if (!a)
		return MNL_CB_OK;
	if (ifa->ifa_family == AF_INET && !ad->has4 &&
	    mnl_attr_get_payload_len(a) == sizeof(ad->a4)) {
		memcpy(&ad->a4, mnl_attr_get_payload(a), sizeof(ad->a4));
		ad->plen4 = ifa->ifa_prefixlen;
		ad->has4 = true;
	} else if (ifa->ifa_family == AF_INET6 && (!ad->has6 || ad->dep6) &&
		   mnl_attr_get_payload_len(a) == sizeof(ad->a6) &&
		   !(flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))) {
		bool dep = flags & IFA_F_DEPRECATED;

		if (ad->has6 && dep)
			return MNL_CB_OK; /* keep the first; prefer a preferred one */
		memcpy(&ad->a6, mnl_attr_get_payload(a), sizeof(ad->a6));
		ad->plen6 = ifa->ifa_prefixlen;
		ad->has6 = true;
		ad->dep6 = dep;
	}
	return MNL_CB_OK;
}

/* Re-read u's first global addresses (no notification here). */
static void addr_refresh(struct daemon *d, struct uplink *u)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	struct addr_dump ad = { .ifindex = u->link.ifindex };
	struct uplink_link *l = &u->link;
	char err[NL_ERRLEN];
	size_t i;
	int rc;

	if (!l->ifindex) {
		l->has_addr4 = l->has_addr6 = false;
		return;
	}
	for (i = 0; i < ARRAY_SIZE(fams); i++) {
		uint32_t buf[64];
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ifaddrmsg *ifa;

		nlh->nlmsg_type = RTM_GETADDR;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
		ifa->ifa_family = (uint8_t)fams[i];
		ifa->ifa_index = (uint32_t)l->ifindex; /* a filter under strict checking */
		rc = nl_talk(d, nlh, addr_dump_cb, &ad, err, sizeof(err));
		if (rc == -ENODEV)
			break; /* gone; its RTM_DELLINK follows */
		if (rc < 0) {
			log_warn("%s: cannot read the addresses of %s: %s", u->cfg.name,
				 u->cfg.interface, err);
			return; /* keep what we had */
		}
	}
	l->has_addr4 = ad.has4;
	l->addr4 = ad.has4 ? ad.a4 : (struct in_addr){ 0 };
	l->plen4 = ad.has4 ? ad.plen4 : 0;
	l->has_addr6 = ad.has6;
	l->addr6 = ad.has6 ? ad.a6 : (struct in6_addr){ 0 };
	l->plen6 = ad.has6 ? ad.plen6 : 0;
}

/* The learned gateway of one interface: the lowest-metric main-table default
 * route through it that is not ours. */
struct gw_dump {
	int family;
	int ifindex;
	bool has;	/* a default route through ifindex: via gw, or by device if !has_gw */
	bool has_gw;
	union inet_addr gw;
	uint32_t metric;
};

static int gw_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct gw_dump *gd = data;
	struct route r;
	size_t i;

	if (route_msg_parse(nlh, nlh->nlmsg_len, &r) < 0 || r.family != gd->family ||
	    r.table != RT_TABLE_MAIN || r.dst_len || r.protocol == RTPROT_UPLINKD)
		return MNL_CB_OK;
	for (i = 0; i < r.nnh; i++) {
		if (r.nh[i].ifindex != gd->ifindex || (gd->has && gd->metric <= r.metric))
			continue;
		gd->has = true;
		gd->has_gw = r.nh[i].has_gw;
		gd->gw = r.nh[i].gw;
		gd->metric = r.metric;
	}
	return MNL_CB_OK;
}

/* Re-read u's learned gateway for family (no notification here). */
static int gw_refresh(struct daemon *d, struct uplink *u, int family)
{
	struct gw_dump gd = { .family = family, .ifindex = u->link.ifindex };
	uint32_t buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	char err[NL_ERRLEN];
	int rc;

	if (u->link.ifindex) {
		nlh->nlmsg_type = RTM_GETROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		rtm->rtm_family = (uint8_t)family;
		rtm->rtm_table = RT_TABLE_MAIN;
		mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN); /* filter (strict checking) */
		rc = nl_talk(d, nlh, gw_dump_cb, &gd, err, sizeof(err));
		if (rc < 0 && rc != -ENODEV) {
			log_warn("%s: cannot read the main routing table: %s", u->cfg.name, err);
			return rc;
		}
	}
	if (family == AF_INET) {
		u->link.has_gw4 = gd.has_gw;
		u->link.gw4 = gd.has_gw ? gd.gw.v4 : (struct in_addr){ 0 };
		u->link.dev4 = gd.has && !gd.has_gw;
	} else {
		u->link.has_gw6 = gd.has_gw;
		u->link.gw6 = gd.has_gw ? gd.gw.v6 : (struct in6_addr){ 0 };
		u->link.dev6 = gd.has && !gd.has_gw;
	}
	return 0;
}

/* Gateways of family may have changed: re-read and notify each uplink. */
static void gw_update_all(struct linkmon *lm, int family)
{
	struct daemon *d = lm->d;
	struct uplink_link old;
	struct uplink *u;

	list_for_each_entry(u, &d->uplinks, node) {
		if (!u->link.ifindex)
			continue;
		old = u->link;
		if (gw_refresh(d, u, family) == 0)
			link_notify(d, u, &old, 0);
	}
}

/* Everything about one uplink, from scratch; notifies what changed. */
static void link_refresh(struct linkmon *lm, struct uplink *u)
{
	struct daemon *d = lm->d;
	struct uplink_link old = u->link;
	struct link_info li;
	int rc;

	rc = link_get(d, u->cfg.interface, 0, &li);
	if (rc < 0)
		return;
	if (rc == 0 && !old.ifindex && u->link.carrier) /* the optimistic start value */
		log_warn("%s: interface %s does not exist (yet)", u->cfg.name, u->cfg.interface);
	link_apply(lm, u, rc ? &li : NULL);
	addr_refresh(d, u);
	gw_refresh(d, u, AF_INET);
	gw_refresh(d, u, AF_INET6);
	link_notify(d, u, &old, 0);
}

/* ---- events from nl.c ---- */

static void link_event_link(struct linkmon *lm, const struct nlmsghdr *nlh)
{
	struct daemon *d = lm->d;
	struct link_info li;
	struct uplink_link old;
	struct uplink *u;

	if (link_msg_parse(nlh, nlh->nlmsg_len, &li) < 0)
		return;
	list_for_each_entry(u, &d->uplinks, node) {
		bool same_name = !strcmp(li.name, u->cfg.interface);
		bool same_index = u->link.ifindex == li.ifindex;

		if (!same_name && !same_index)
			continue;
		old = u->link;
		if (nlh->nlmsg_type == RTM_DELLINK || !same_name) {
			if (!same_index)
				continue; /* the old device of that name going away */
			log_dbg(LOG_NL, "%s: interface %s %s", u->cfg.name, u->cfg.interface,
				nlh->nlmsg_type == RTM_DELLINK ? "removed" : "renamed away");
			link_apply(lm, u, NULL);
			link_notify(d, u, &old, 0);
			continue;
		}
		link_apply(lm, u, &li);
		if (old.ifindex != u->link.ifindex) {
			/* a new device: its addresses and routes may be there already */
			addr_refresh(d, u);
			gw_refresh(d, u, AF_INET);
			gw_refresh(d, u, AF_INET6);
		}
		link_notify(d, u, &old, 0);
	}
}

static void link_rtnl_event(struct rtnl_listener *l, const struct nlmsghdr *nlh)
{
	struct linkmon *lm = container_of(l, struct linkmon, rtnl);
	struct daemon *d = lm->d;
	const struct ifaddrmsg *ifa;
	struct uplink_link old;
	struct uplink *u;
	struct route r;

	if (!lm)
		return;
	switch (nlh->nlmsg_type) {
	case RTM_NEWLINK:
	case RTM_DELLINK:
		link_event_link(lm, nlh);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*ifa)))
			return;
		ifa = mnl_nlmsg_get_payload(nlh);
		u = uplink_by_ifindex(d, (int)ifa->ifa_index);
		if (!u)
			return;
		old = u->link;
		addr_refresh(d, u);
		link_notify(d, u, &old, 0);
		break;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (route_msg_parse(nlh, nlh->nlmsg_len, &r) < 0 || r.table != RT_TABLE_MAIN ||
		    r.dst_len || r.protocol == RTPROT_UPLINKD)
			return;
		gw_update_all(lm, r.family);
		break;
	}
}

static void link_rtnl_resync(struct rtnl_listener *l)
{
	struct linkmon *lm = container_of(l, struct linkmon, rtnl);
	struct uplink *u;

	list_for_each_entry(u, &lm->d->uplinks, node)
		link_refresh(lm, u);
}

void link_uplink_added(struct daemon *d, struct uplink *u)
{
	if (d->link)
		link_refresh(d->link, u);
}

/* ---- counters ---- */

static void stats_timer(struct loop_timer *t)
{
	struct linkmon *lm = container_of(t, struct linkmon, stats);
	struct daemon *d = lm->d;
	struct uplink_link old;
	struct link_info li;
	struct uplink *u;
	int rc;

	loop_timer_set(&d->loop, t, t->due_ns + LINK_STATS_INTERVAL_NS);
	list_for_each_entry(u, &d->uplinks, node) {
		if (!u->link.ifindex)
			continue;
		old = u->link;
		rc = link_get(d, NULL, u->link.ifindex, &li);
		if (rc < 0)
			continue;
		if (rc == 0 || strcmp(li.name, u->cfg.interface)) {
			/* missed its removal: look it up by name again */
			link_refresh(lm, u);
			continue;
		}
		link_apply(lm, u, &li);
		/* every poll is a counter sample for the error rate */
		link_notify(d, u, &old, li.has_stats ? LINK_CHG_QUALITY : 0);
	}
}

/* ---- start and stop ---- */

int link_init(struct daemon *d, link_changed_fn changed)
{
	struct linkmon *lm;
	struct uplink *u;

	if (!d->nl)
		return -ENOTCONN;
	lm = calloc(1, sizeof(*lm));
	if (!lm)
		return -ENOMEM;
	lm->d = d;
	lm->changed = changed;
	lm->rtnl.kinds = RTNL_LINK | RTNL_ADDR | RTNL_ROUTE; /* routes: learned gateways */
	lm->rtnl.event = link_rtnl_event;
	lm->rtnl.resync = link_rtnl_resync;
	lm->genl.fd.fd = -1;
	lm->genl_ev.fd.fd = -1;
	loop_timer_init(&lm->stats, stats_timer);
	d->link = lm;
	rtnl_listen(d, &lm->rtnl);
	ethtool_open(lm);
	list_for_each_entry(u, &d->uplinks, node)
		link_refresh(lm, u);
	loop_timer_set(&d->loop, &lm->stats,
		       loop_now(&d->loop) + LINK_STATS_INTERVAL_NS +
			       loop_random(NSEC_PER_SEC));
	return 0;
}

void link_destroy(struct daemon *d)
{
	struct linkmon *lm = d->link;

	if (!lm)
		return;
	loop_timer_cancel(&d->loop, &lm->stats);
	rtnl_unlisten(&lm->rtnl);
	nl_sock_close(&lm->genl_ev);
	nl_sock_close(&lm->genl);
	free(lm);
	d->link = NULL;
}
