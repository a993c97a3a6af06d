// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: route_prefix.c - routes for single prefixes steered around a bad BGP view
 *
 * Owns the main-table routes for watched prefixes (bgp.watch route = true).
 * The BGP monitor publishes BUS_STEER "prefix P" with the uplink whose view of
 * P is anomalous (new "avoid") and again when it ends ("clear"); this module
 * keeps, per prefix, the set of uplinks to avoid and (from a deferred loop
 * event, after the request reached every subscriber) installs P through the
 * best other uplink (policy_rank_prefix: the ranking of the default route,
 * prefer included), replacing the route in place when that choice changes
 * (make-before-break) and deleting it only when nothing is avoided any more, so
 * P falls back to the default route. It re-decides on every uplink state and
 * active change, and after a netlink resync. Its routes carry RTPROT_UPLINKD
 * and a non-zero prefix length; ones left by an earlier run (kill -9) are
 * removed at start, and all are removed on stop. Called by daemon.c; reads
 * uplinks; talks through nl_talk() and listens for resyncs (rtnl.h).
 */
#include "route_prefix.h"
#include "bus.h"
#include "daemon.h"
#include "health.h"
#include "log.h"
#include "policy.h"
#include "policy_rank.h"
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
#define RP_MAX_AVOID 8
#define RP_MAX_UPLINKS 16 /* config.c allows 1..16 */

struct rp_entry {
	struct list_head node;
	char name[64];		/* "203.0.113.0/24" as published */
	int family;
	uint8_t len;
	union inet_addr dst;
	char avoid[RP_MAX_AVOID][64];
	size_t navoid;
	bool installed;
	struct route r;		/* what we installed */
	char via[64];		/* through which uplink */
};

struct route_prefix {
	struct daemon *d;
	struct bus_sub sub;
	struct loop_event ev; /* re-decide every prefix, after the current delivery */
	struct rtnl_listener rtnl; /* resync only */
	struct list_head entries; /* struct rp_entry */
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
	return nl_talk(d, (struct nlmsghdr *)buf, NULL, NULL, err, errlen);
}

static bool rp_avoided(const struct rp_entry *e, const char *name)
{
	size_t i;

	for (i = 0; i < e->navoid; i++)
		if (!strcmp(e->avoid[i], name))
			return true;
	return false;
}

/* The uplink P should use: the core's prefix ranking (policy_rank.c), with the
 * uplinks whose view of P is anomalous avoided. */
static struct uplink *rp_choose(struct daemon *d, const struct rp_entry *e)
{
	struct policy_cand c[RP_MAX_UPLINKS];
	struct uplink *ups[RP_MAX_UPLINKS], *u;
	bool avoided[RP_MAX_UPLINKS];
	const char *prefer = policy_prefer_get(d);
	size_t n = 0;
	int i;

	list_for_each_entry(u, &d->uplinks, node) {
		if (n == RP_MAX_UPLINKS)
			break;
		ups[n] = u;
		c[n] = (struct policy_cand){
			.name = u->cfg.name, .state = u->health.state,
			.settled = u->health.settled, .routable = uplink_routable(u, e->family),
			.priority = u->cfg.priority, .current = u->active,
			.preferred = prefer && !strcmp(prefer, u->cfg.name),
		};
		avoided[n] = rp_avoided(e, u->cfg.name);
		n++;
	}
	i = policy_rank_prefix(c, n, avoided);
	return i < 0 ? NULL : ups[i];
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

static void rp_remove(struct daemon *d, struct rp_entry *e, const char *why)
{
	char err[NL_ERRLEN];
	int ret;

	if (!e->installed)
		return;
	ret = rp_send(d, &e->r, RTM_DELROUTE, 0, err, sizeof(err));
	if (ret < 0 && ret != -ESRCH)
		log_warn("bgp route: %s: cannot remove the route through %s: %s", e->name, e->via,
			 err);
	else
		log_notice("bgp route: %s through %s removed: %s", e->name, e->via, why);
	e->installed = false;
	e->via[0] = '\0';
}

/* Bring e's kernel route in line with its avoid set and the uplinks' states. */
static void rp_apply(struct daemon *d, struct rp_entry *e)
{
	char err[NL_ERRLEN], reason[512];
	struct uplink *u;
	struct route r;

	if (!e->navoid) {
		rp_remove(d, e, "no carrier's view is avoided any more; the default route applies");
		return;
	}
	u = rp_choose(d, e);
	if (!u) {
		rp_remove(d, e, "no usable uplink is left outside the avoided views");
		return;
	}
	rp_build(d, e, u, &r);
	if (e->installed && !strcmp(e->via, u->cfg.name) && !memcmp(&r, &e->r, sizeof(r)))
		return;
	if (rp_send(d, &r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, err, sizeof(err)) < 0) {
		log_warn("bgp route: %s: cannot route it through %s: %s", e->name, u->cfg.name, err);
		snprintf(reason, sizeof(reason), "route %s through %s failed: %s", e->name,
			 u->cfg.name, err);
		bus_publish(&d->bus, &(struct bus_event){ .type = BUS_ERROR, .object = e->name,
							  .reason = reason });
		return;
	}
	if (e->installed && memcmp(&r.dst, &e->r.dst, sizeof(r.dst)) == 0 &&
	    r.metric != e->r.metric)
		rp_send(d, &e->r, RTM_DELROUTE, 0, err, sizeof(err)); /* metric changed */
	e->r = r;
	e->installed = true;
	snprintf(e->via, sizeof(e->via), "%s", u->cfg.name);
	snprintf(reason, sizeof(reason), "%s routed through %s, away from the anomalous view of %s%s",
		 e->name, u->cfg.name, e->avoid[0], e->navoid > 1 ? " and others" : "");
	log_notice("bgp route: %s", reason);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_ACTION, .object = e->name,
						  .new_state = u->cfg.name, .reason = reason });
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

static void rp_steer(struct route_prefix *rp, const struct bus_event *ev)
{
	struct rp_entry *e;
	size_t i;

	if (ev->steer != BUS_STEER_PREFIX || !ev->target || !ev->old_state || !ev->new_state)
		return;
	e = rp_get(rp, ev->target);
	if (!e)
		return;
	if (!strcmp(ev->new_state, "avoid")) {
		if (!rp_avoided(e, ev->old_state) && e->navoid < RP_MAX_AVOID)
			snprintf(e->avoid[e->navoid++], sizeof(e->avoid[0]), "%s", ev->old_state);
	} else {
		for (i = 0; i < e->navoid; i++)
			if (!strcmp(e->avoid[i], ev->old_state)) {
				memmove(e->avoid[i], e->avoid[i + 1],
					(e->navoid - i - 1) * sizeof(e->avoid[0]));
				e->navoid--;
				break;
			}
	}
	loop_event_schedule(&rp->d->loop, &rp->ev);
}

/* Deferred: act after the event that asked for it reached every subscriber. */
static void rp_ev_cb(struct loop_event *ev)
{
	struct route_prefix *rp = container_of(ev, struct route_prefix, ev);
	struct rp_entry *e;

	list_for_each_entry(e, &rp->entries, node)
		rp_apply(rp->d, e);
}

static void rp_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct route_prefix *rp = container_of(s, struct route_prefix, sub);

	switch (ev->type) {
	case BUS_STEER:
		rp_steer(rp, ev);
		break;
	case BUS_UPLINK_STATE:
	case BUS_ACTIVE:
		if (!list_empty(&rp->entries))
			loop_event_schedule(&rp->d->loop, &rp->ev);
		break;
	default:
		break;
	}
}

/* Events were lost: our routes may have been deleted meanwhile. */
static void rp_rtnl_resync(struct rtnl_listener *l)
{
	struct route_prefix *rp = container_of(l, struct route_prefix, rtnl);
	struct daemon *d = rp->d;
	struct rp_entry *e;

	list_for_each_entry(e, &rp->entries, node) {
		bool was = e->installed;

		e->installed = false; /* replace unconditionally: it may have been deleted */
		if (was || e->navoid)
			rp_apply(d, e);
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
	loop_event_init(&rp->ev, rp_ev_cb);
	rp_purge_stale(d, AF_INET);
	rp_purge_stale(d, AF_INET6);
	rp->sub.cb = rp_event;
	bus_subscribe(&d->bus, &rp->sub);
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
	bus_unsubscribe(&rp->sub);
	rtnl_unlisten(&rp->rtnl);
	loop_event_cancel(&d->loop, &rp->ev);
	list_for_each_entry_safe(e, n, &rp->entries, node) {
		rp_remove(d, e, "uplinkd stops");
		list_del(&e->node);
		free(e);
	}
	free(rp);
	d->route_prefix = NULL;
}
