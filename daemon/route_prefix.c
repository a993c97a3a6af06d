// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: route_prefix.c - routes for single prefixes steered around a bad BGP view
 *
 * The actuator of the policy's steered prefixes (bgp.watch route = true): owns
 * the main-table routes for them and a record of what it installed. Each policy
 * run hands it the whole desired list (route_prefix_sync); it installs a route
 * that is wanted and missing, replaces one whose uplink or next hop changed in
 * place (make-before-break), removes one that is no longer wanted, and writes
 * nothing for the rest. Every change is a BUS_ACTION with the policy's reason,
 * published from the policy run (never inside an event's delivery), so every
 * subscriber sees it after the switch that caused it. A route of ours that
 * someone deletes is put back 200 ms after the netlink event (debounced), and
 * all of them after a resync. Its routes carry RTPROT_UPLINKD and a non-zero
 * prefix length; ones left by an earlier run (kill -9) are removed at start,
 * and all are removed on stop. Called by policy_prefix.c (sync) and daemon.c
 * (init, destroy); reads uplinks; talks through nl_talk() and listens on the
 * rtnetlink event socket (rtnl.h).
 */
#include "route_prefix.h"
#include "bus.h"
#include "daemon.h"
#include "log.h"
#include "rtnl.h"
#include "route.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RP_MSG_SIZE 1024
#define RP_CHECK_DELAY_NS (200 * NSEC_PER_MSEC)

struct rp_entry {
	struct list_head node;
	char name[64];		/* "203.0.113.0/24" as published */
	int family;
	uint8_t len;
	union inet_addr dst;
	bool wanted;		/* listed by the last sync */
	struct route_prefix_want want; /* what the policy asked for last */
	bool installed;
	struct route r;		/* what we installed */
	char via[32];		/* through which uplink */
};

struct route_prefix {
	struct daemon *d;
	struct loop_timer check;   /* put back what someone deleted, debounced */
	struct rtnl_listener rtnl; /* our routes deleted; resyncs */
	struct list_head entries;  /* struct rp_entry */
	uint64_t writes;	   /* netlink writes (unit tests) */
	bool stopping;		   /* destroy: remove quietly, nothing on the bus */
};

static int rp_send(struct daemon *d, const struct route *r, uint16_t type, uint16_t flags,
		   char *err, size_t errlen)
{
	uint32_t buf[RP_MSG_SIZE / sizeof(uint32_t)];
	int n = route_msg_build(buf, sizeof(buf), r, type, flags, 0);

	if (n < 0) {
		snprintf(err, errlen, "message too large");
		return n;
	}
	if (d->route_prefix)
		d->route_prefix->writes++;
	return nl_talk(d, (struct nlmsghdr *)buf, NULL, NULL, err, errlen);
}

static void rp_build(struct daemon *d, const struct rp_entry *e, struct uplink *u,
		     struct route *r)
{
	struct route_nh *nh = &r->nh[0];

	memset(r, 0, sizeof(*r));
	r->family = e->family;
	r->table = RT_TABLE_MAIN;
	r->dst_len = e->len;
	r->dst = e->dst;
	r->metric = route_metric_kernel(e->family, (uint32_t)d->cfg->policy.metric);
	r->protocol = RTPROT_UPLINKD;
	r->nnh = 1;
	nh->ifindex = u->link.ifindex;
	if (e->family == AF_INET)
		nh->has_gw = uplink_gateway4(u, &nh->gw.v4);
	else
		nh->has_gw = uplink_gateway6(u, &nh->gw.v6);
	r->scope = nh->has_gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
}

static bool rp_same(const struct route *a, const struct route *b)
{
	return a->family == b->family && a->dst_len == b->dst_len && a->metric == b->metric &&
	       !memcmp(&a->dst, &b->dst, sizeof(a->dst)) && a->nh[0].ifindex == b->nh[0].ifindex &&
	       a->nh[0].has_gw == b->nh[0].has_gw &&
	       (!a->nh[0].has_gw || !memcmp(&a->nh[0].gw, &b->nh[0].gw, sizeof(a->nh[0].gw)));
}

static void rp_publish(struct daemon *d, const struct rp_entry *e, int type, const char *old,
		       const char *new, const char *reason)
{
	if (d->route_prefix && d->route_prefix->stopping)
		return;
	bus_publish(&d->bus, &(struct bus_event){ .type = type, .object = e->name,
						  .old_state = old, .new_state = new,
						  .reason = reason });
}

static void rp_remove(struct daemon *d, struct rp_entry *e, const char *why)
{
	char err[NL_ERRLEN], reason[512];
	int ret;

	if (!e->installed)
		return;
	ret = rp_send(d, &e->r, RTM_DELROUTE, 0, err, sizeof(err));
	if (ret < 0 && ret != -ESRCH) {
		log_warn("bgp route: %s: cannot remove the route through %s: %s", e->name, e->via,
			 err);
		snprintf(reason, sizeof(reason), "removing the route of %s through %s failed: %s",
			 e->name, e->via, err);
		rp_publish(d, e, BUS_ERROR, NULL, NULL, reason);
		return; /* still ours: tried again at the next change */
	}
	snprintf(reason, sizeof(reason), "%s: route through %s removed: %s", e->name, e->via, why);
	log_notice("bgp route: %s", reason);
	rp_publish(d, e, BUS_ACTION, e->via, "none", reason);
	e->installed = false;
	e->via[0] = '\0';
}

/* Bring e's kernel route in line with what the policy wants; again: it was deleted. */
static int rp_apply(struct daemon *d, struct rp_entry *e, bool again)
{
	const struct route_prefix_want *w = &e->want;
	char err[NL_ERRLEN], reason[512], old[32];
	struct uplink *u = w->via[0] && e->wanted ? uplink_find(d, w->via) : NULL;
	struct route r;
	int ret;

	if (!u) {
		rp_remove(d, e, e->wanted ? w->reason : "no longer watched");
		return 0;
	}
	rp_build(d, e, u, &r);
	if (e->installed && !strcmp(e->via, u->cfg.name) && rp_same(&r, &e->r))
		return 0; /* as wanted: write nothing */
	ret = rp_send(d, &r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, err, sizeof(err));
	if (ret < 0) {
		log_warn("bgp route: %s: cannot route it through %s: %s", e->name, u->cfg.name, err);
		snprintf(reason, sizeof(reason), "route %s through %s failed: %s", e->name,
			 u->cfg.name, err);
		rp_publish(d, e, BUS_ERROR, NULL, NULL, reason);
		return ret;
	}
	if (e->installed && r.metric != e->r.metric)
		rp_send(d, &e->r, RTM_DELROUTE, 0, err, sizeof(err)); /* metric changed */
	snprintf(old, sizeof(old), "%s", e->installed ? e->via : "none");
	e->r = r;
	e->installed = true;
	snprintf(e->via, sizeof(e->via), "%s", u->cfg.name);
	if (again)
		snprintf(reason, sizeof(reason), "%s %s; put back: it was deleted", e->name,
			 w->reason);
	else
		snprintf(reason, sizeof(reason), "%s %s", e->name, w->reason);
	log_notice("bgp route: %s", reason);
	rp_publish(d, e, BUS_ACTION, old, u->cfg.name, reason);
	return 0;
}

static struct rp_entry *rp_get(struct route_prefix *rp, const char *name)
{
	struct rp_entry *e;

	list_for_each_entry(e, &rp->entries, node)
		if (!strcmp(e->name, name))
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (strlen(name) >= sizeof(e->name) ||
	    route_prefix_parse(name, &e->family, &e->dst, &e->len) < 0) {
		log_warn("bgp route: \"%s\" is not a prefix; ignored", name);
		free(e);
		return NULL;
	}
	strcpy(e->name, name);
	list_add_tail(&e->node, &rp->entries);
	return e;
}

int route_prefix_sync(struct daemon *d, const struct route_prefix_want *w, size_t n)
{
	struct route_prefix *rp = d->route_prefix;
	struct rp_entry *e, *tmp;
	int ret = 0, rv;
	size_t i;

	if (!rp)
		return -ENOTCONN;
	list_for_each_entry(e, &rp->entries, node)
		e->wanted = false;
	for (i = 0; i < n; i++) {
		e = rp_get(rp, w[i].name);
		if (!e)
			continue;
		e->wanted = true;
		e->want = w[i];
	}
	list_for_each_entry_safe(e, tmp, &rp->entries, node) {
		rv = rp_apply(d, e, false);
		if (rv < 0 && !ret)
			ret = rv;
		if (!e->wanted && !e->installed) {
			list_del(&e->node);
			free(e);
		}
	}
	return ret;
}

uint64_t route_prefix_writes(const struct daemon *d)
{
	return d->route_prefix ? d->route_prefix->writes : 0;
}

/* Put back what is missing: every wanted route we do not hold any more. */
static void rp_check_timer(struct loop_timer *t)
{
	struct route_prefix *rp = container_of(t, struct route_prefix, check);
	struct rp_entry *e;

	list_for_each_entry(e, &rp->entries, node)
		if (e->wanted && !e->installed)
			rp_apply(rp->d, e, true);
}

/* One of our prefix routes deleted by someone else: forget it, put it back soon. */
static void rp_rtnl_event(struct rtnl_listener *l, const struct nlmsghdr *nlh)
{
	struct route_prefix *rp = container_of(l, struct route_prefix, rtnl);
	struct rp_entry *e;
	struct route r;

	if (nlh->nlmsg_type != RTM_DELROUTE || route_msg_parse(nlh, nlh->nlmsg_len, &r) < 0 ||
	    r.table != RT_TABLE_MAIN || r.protocol != RTPROT_UPLINKD || !r.dst_len)
		return;
	list_for_each_entry(e, &rp->entries, node) {
		if (!e->installed || !rp_same(&r, &e->r))
			continue;
		log_notice("bgp route: our route of %s through %s was deleted; putting it back",
			   e->name, e->via);
		e->installed = false;
		e->via[0] = '\0';
		if (!loop_timer_pending(&rp->check))
			loop_timer_set_in(&rp->d->loop, &rp->check, RP_CHECK_DELAY_NS);
		return;
	}
}

/* Events were lost: our routes may have been deleted meanwhile. */
static void rp_rtnl_resync(struct rtnl_listener *l)
{
	struct route_prefix *rp = container_of(l, struct route_prefix, rtnl);
	struct rp_entry *e;

	list_for_each_entry(e, &rp->entries, node) {
		if (!e->installed)
			continue;
		e->installed = false; /* replace unconditionally: it may have been deleted */
		rp_apply(rp->d, e, false);
	}
}

/* ---- start and stop ---- */

struct rp_stale {
	struct route r[32];
	size_t n;
};

static int rp_stale_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rp_stale *st = data;
	struct route r;

	if (route_msg_parse(nlh, nlh->nlmsg_len, &r) < 0)
		return MNL_CB_OK;
	if (r.table == RT_TABLE_MAIN && r.protocol == RTPROT_UPLINKD && r.dst_len &&
	    st->n < sizeof(st->r) / sizeof(st->r[0]))
		st->r[st->n++] = r;
	return MNL_CB_OK;
}

/* Prefix routes of ours left by a run that did not stop cleanly. */
static void rp_purge_stale(struct daemon *d, int family)
{
	uint32_t buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rp_stale *st = calloc(1, sizeof(*st));
	char err[NL_ERRLEN], txt[INET6_ADDRSTRLEN];
	struct rtmsg *rtm;
	size_t i;

	if (!st)
		return;
	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_table = RT_TABLE_MAIN;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	if (nl_talk(d, nlh, rp_stale_cb, st, err, sizeof(err)) == 0)
		for (i = 0; i < st->n; i++) {
			inet_ntop(family, &st->r[i].dst, txt, sizeof(txt));
			if (rp_send(d, &st->r[i], RTM_DELROUTE, 0, err, sizeof(err)) == 0)
				log_info("bgp route: removed %s/%u left by an earlier run", txt,
					 st->r[i].dst_len);
		}
	free(st);
}

int route_prefix_init(struct daemon *d)
{
	struct route_prefix *rp = calloc(1, sizeof(*rp));

	if (!rp)
		return -ENOMEM;
	rp->d = d;
	list_init(&rp->entries);
	loop_timer_init(&rp->check, rp_check_timer);
	rp_purge_stale(d, AF_INET);
	rp_purge_stale(d, AF_INET6);
	rp->rtnl.kinds = RTNL_ROUTE;
	rp->rtnl.event = rp_rtnl_event;
	rp->rtnl.resync = rp_rtnl_resync;
	rtnl_listen(d, &rp->rtnl);
	d->route_prefix = rp;
	return 0;
}

void route_prefix_destroy(struct daemon *d)
{
	struct route_prefix *rp = d->route_prefix;
	struct rp_entry *e, *n;

	if (!rp)
		return;
	rtnl_unlisten(&rp->rtnl);
	loop_timer_cancel(&d->loop, &rp->check);
	rp->stopping = true;
	list_for_each_entry_safe(e, n, &rp->entries, node) {
		rp_remove(d, e, "uplinkd stops");
		list_del(&e->node);
		free(e);
	}
	free(rp);
	d->route_prefix = NULL;
}
