// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: link.c - the uplinks' interfaces as the kernel sees them
 *
 * Owns struct linkmon (d->link) and fills each uplink's struct uplink_link:
 * ifindex (by interface name; PPPoE/LTE devices come and go and come back with
 * a new ifindex), admin state, carrier (IFF_LOWER_UP and an operstate that is
 * not down), point-to-point, the first global IPv4/IPv6 address, the gateways
 * the kernel learned (main-table default routes through the interface that are
 * not ours: DHCP, RA, PPP), and link quality: speed and duplex from
 * link_ethtool.c (queried at start and when the carrier comes up, followed on
 * its notifications) and error/drop counters polled every 5 s. Each change
 * is reported through the callback given to link_init (LINK_CHG_UP when an
 * interface comes back up: the kernel dropped its IPv4 routes). Listens on
 * the daemon's rtnetlink event socket (rtnl.h); talks through nl_talk() with
 * messages link_msg.c builds and parses; uses route.c's pure parser for
 * learned gateways. Called by daemon.c and uplinks.c (link_uplink_added).
 */
#include "link.h"
#include "daemon.h"
#include "link_ethtool.h"
#include "link_msg.h"
#include "log.h"
#include "route.h"
#include "rtnl.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#define LINK_STATS_INTERVAL_NS (5 * NSEC_PER_SEC)

struct linkmon {
	struct daemon *d;
	struct rtnl_listener rtnl;
	link_changed_fn changed; /* the uplinks' callback */
	struct link_ethtool ethtool; /* speed and duplex */
	struct loop_timer stats;
	struct log_rl rl;
};

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

/* Fill u->link.lq's speed and duplex (no notification here). */
static void ethtool_query(struct linkmon *lm, struct uplink *u)
{
	char err[NL_ERRLEN];
	uint32_t speed;
	int duplex;

	u->link.lq.known = false;
	u->link.lq.speed_mbps = 0;
	u->link.lq.duplex = -1;
	if (!lm->ethtool.on || !u->link.ifindex)
		return;
	if (link_ethtool_query(&lm->ethtool, u->link.ifindex, &speed, &duplex, err,
			       sizeof(err)) < 0) {
		/* veth, dummy, tun and ppp have no link modes: not an error */
		log_dbg(LOG_NL, "%s: no speed from ethtool for %s: %s", u->cfg.name,
			u->cfg.interface, err);
		return;
	}
	if (!speed)
		return;
	u->link.lq.known = true;
	u->link.lq.speed_mbps = speed;
	u->link.lq.duplex = duplex;
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

/* a LINKMODES notification */
static void ethtool_changed(struct link_ethtool *e, int ifindex, uint32_t speed, int duplex)
{
	struct linkmon *lm = container_of(e, struct linkmon, ethtool);
	struct uplink_link old;
	struct uplink *u;

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
}

static void ethtool_lost(struct link_ethtool *e)
{
	struct linkmon *lm = container_of(e, struct linkmon, ethtool);
	struct uplink_link old;
	struct uplink *u;

	list_for_each_entry(u, &lm->d->uplinks, node) {
		old = u->link;
		ethtool_query(lm, u);
		link_notify(lm->d, u, &old, 0);
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
	struct nlmsghdr *nlh = link_msg_build_get(buf, sizeof(buf), name, ifindex);
	struct link_get g = { .got = false };
	char err[NL_ERRLEN];
	int rc;

	if (!nlh)
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

static int addr_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct addr_dump *ad = data;
	struct link_addr la;

	if (link_addr_parse(nlh, nlh->nlmsg_len, &la) < 0 || la.ifindex != ad->ifindex ||
	    la.scope != RT_SCOPE_UNIVERSE)
		return MNL_CB_OK;
	if (la.family == AF_INET && !ad->has4) {
		ad->a4 = la.addr.v4;
		ad->plen4 = la.plen;
		ad->has4 = true;
	} else if (la.family == AF_INET6 && (!ad->has6 || ad->dep6) &&
		   !(la.flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))) {
		bool dep = la.flags & IFA_F_DEPRECATED;

		if (ad->has6 && dep)
			return MNL_CB_OK; /* keep the first; prefer a preferred one */
		ad->a6 = la.addr.v6;
		ad->plen6 = la.plen;
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
		struct nlmsghdr *nlh = link_msg_build_addr_dump(buf, sizeof(buf), fams[i],
								 l->ifindex);

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
	struct nlmsghdr *nlh = link_msg_build_main_dump(buf, sizeof(buf), family);
	char err[NL_ERRLEN];
	int rc;

	if (u->link.ifindex && nlh) {
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
	link_ethtool_init(&lm->ethtool, ethtool_changed, ethtool_lost);
	loop_timer_init(&lm->stats, stats_timer);
	d->link = lm;
	rtnl_listen(d, &lm->rtnl);
	link_ethtool_open(&lm->ethtool, &d->loop);
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
	link_ethtool_close(&lm->ethtool);
	free(lm);
	d->link = NULL;
}
