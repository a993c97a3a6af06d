// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: route.c - routes and rules: the only code that changes them
 *
 * Owns struct route_ctl (d->route): a record of what we installed. Per uplink,
 * the default route(s) of its own table and its rules (fwmark -> table, from
 * its addresses -> table); and the main-table default route with our metric.
 * Every change is make-before-break: routes are replaced (NLM_F_CREATE |
 * NLM_F_REPLACE), new rules are added before stale ones are deleted, and the
 * main default route is never deleted. What we installed is re-asserted when
 * the event socket shows one of ours deleted or replaced, after an ENOBUFS
 * resync, when an uplink's interface comes back up and every policy.reassert_s
 * seconds (BIRD's sync). At start the main default route is adopted by its oif
 * (a restart after kill -9 keeps the traffic where it was), and rules with our
 * protocol left by an earlier run are removed.
 * Listens on the daemon's rtnetlink sockets (rtnl.h) for our routes and
 * rules being deleted or replaced, and for resyncs; talks through nl_talk();
 * reads uplink.h. Called by uplinks.c, policy.c and daemon.c.
 */
#include "route.h"
#include "daemon.h"
#include "log.h"
#include "rtnl.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RT_MSG_SIZE 1024
#define RT_NRULES 4 /* fwmark v4/v6, from addr4, from addr6 */
#define RT_CHECK_DELAY_NS (200 * NSEC_PER_MSEC)
#define RT_DESC_LEN 192
#define RT_MAX_UPS ARRAY_SIZE(((struct route *)0)->nh)

struct rt_uplink {
	struct list_head node;
	struct uplink *u;
	char *name;
	bool has_route[2]; /* [0] IPv4, [1] IPv6 */
	struct route route[2];
	char desc[2][RT_DESC_LEN];
	size_t nrules;
	struct rule rules[RT_NRULES];
};

struct rt_default {
	bool set;		   /* we installed it this run */
	struct route r;
	char desc[RT_DESC_LEN];
	char *names[RT_MAX_UPS];   /* the uplinks policy asked for, for re-assertion */
	size_t nnames;
	int adopted_oif;	   /* found at start */
};

/* What we deleted ourselves, until the event socket reports it: a reload removes and
 * re-adds an uplink's rules and table route, and the deletion's event arrives after the
 * re-add; it must not read as someone else's deletion. */
#define RT_OWN_DEL 32

struct rt_own_del {
	bool live;	  /* noted, its event not seen yet */
	bool is_rule;
	struct rule rl;	  /* is_rule */
	int family;	  /* table route: family and table */
	uint32_t table;
};

struct route_ctl {
	struct daemon *d;
	struct rtnl_listener rtnl; /* our routes and rules deleted or replaced */
	struct rt_own_del own[RT_OWN_DEL]; /* a ring; oldest overwritten */
	size_t own_next;
	struct list_head ups; /* struct rt_uplink */
	struct rt_default def[2];
	struct loop_timer reassert; /* periodic */
	struct loop_timer check;    /* debounced, after events */
	bool in_reassert;
	struct log_rl rl;
};

static int fam_idx(int family)
{
	return family == AF_INET6;
}

static size_t addr_len(int family)
{
	return family == AF_INET6 ? sizeof(struct in6_addr) : sizeof(struct in_addr);
}

static const char *fam_name(int family)
{
	return family == AF_INET6 ? "IPv6" : "IPv4";
}

/* ---- comparing and describing ---- */

static bool nh_equal(const struct route_nh *a, const struct route_nh *b, int family)
{
	return a->has_gw == b->has_gw && a->ifindex == b->ifindex &&
	       (!a->has_gw || !memcmp(&a->gw, &b->gw, addr_len(family)));
}

static bool route_equal(const struct route *a, const struct route *b)
{
	size_t i;

	if (a->family != b->family || a->table != b->table || a->dst_len != b->dst_len ||
	    a->metric != b->metric || a->nnh != b->nnh ||
	    (a->dst_len && memcmp(&a->dst, &b->dst, addr_len(a->family))))
		return false;
	for (i = 0; i < a->nnh; i++)
		if (!nh_equal(&a->nh[i], &b->nh[i], a->family) ||
		    (a->nnh > 1 && a->nh[i].weight != b->nh[i].weight))
			return false;
	return true;
}

static bool rule_equal(const struct rule *a, const struct rule *b)
{
	return a->family == b->family && a->prio == b->prio && a->table == b->table &&
	       a->fwmark == b->fwmark && a->fwmask == b->fwmask && a->src_len == b->src_len &&
	       (!a->src_len || !memcmp(&a->src, &b->src, addr_len(a->family)));
}

static const char *table_name(uint32_t table, char *buf, size_t len)
{
	if (table == RT_TABLE_MAIN)
		return "main";
	snprintf(buf, len, "%u", table);
	return buf;
}

/* "via 100.64.1.1 dev wan1", or for multipath "via A dev X weight 1, via B dev Y weight 2". */
static void route_describe(char *out, size_t len, const struct route *r,
			   const char *const *ifnames)
{
	char a[INET6_ADDRSTRLEN];
	size_t i, n = 0;

	*out = '\0';
	for (i = 0; i < r->nnh && n < len; i++) {
		const struct route_nh *nh = &r->nh[i];
		int w;

		if (nh->has_gw) {
			inet_ntop(r->family, &nh->gw, a, sizeof(a));
			w = snprintf(out + n, len - n, "%svia %s dev %s", i ? ", " : "", a,
				     ifnames[i]);
		} else {
			w = snprintf(out + n, len - n, "%sdev %s", i ? ", " : "", ifnames[i]);
		}
		if (w < 0)
			return;
		n += (size_t)w;
		if (r->nnh > 1 && n < len) {
			w = snprintf(out + n, len - n, " weight %d", nh->weight);
			if (w < 0)
				return;
			n += (size_t)w;
		}
	}
}

static void rule_describe(char *out, size_t len, const struct rule *r)
{
	char a[INET6_ADDRSTRLEN], t[16];

	if (r->src_len) {
		inet_ntop(r->family, &r->src, a, sizeof(a));
		snprintf(out, len, "rule from %s lookup %s (priority %u)", a,
			 table_name(r->table, t, sizeof(t)), r->prio);
	} else {
		snprintf(out, len, "%s rule fwmark %#x lookup %s (priority %u)",
			 fam_name(r->family), r->fwmark, table_name(r->table, t, sizeof(t)),
			 r->prio);
	}
}

/* ---- talking to the kernel ---- */

static int route_send(struct daemon *d, const struct route *r, uint16_t type, uint16_t flags,
		      char *err, size_t errlen)
{
	uint32_t buf[RT_MSG_SIZE / sizeof(uint32_t)];
	int n = route_msg_build(buf, sizeof(buf), r, type, flags, 0);

	if (n < 0) {
		snprintf(err, errlen, "message too large");
		return n;
	}
	return nl_talk(d, (struct nlmsghdr *)buf, NULL, NULL, err, errlen);
}

static int rule_send(struct daemon *d, const struct rule *r, uint16_t type, uint16_t flags,
		     char *err, size_t errlen)
{
	uint32_t buf[RT_MSG_SIZE / sizeof(uint32_t)];
	int n = rule_msg_build(buf, sizeof(buf), r, type, flags, 0);

	if (n < 0) {
		snprintf(err, errlen, "message too large");
		return n;
	}
	return nl_talk(d, (struct nlmsghdr *)buf, NULL, NULL, err, errlen);
}

/* Add a rule unless the same one is there already (rules have no replace, and
 * without NLM_F_EXCL the kernel would add a duplicate). 1 added, 0 was there. */
static int rule_add(struct daemon *d, const struct rule *r, char *err, size_t errlen)
{
	int rc = rule_send(d, r, RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL, err, errlen);

	if (rc == -EEXIST)
		return 0;
	return rc < 0 ? rc : 1;
}

static void own_del_note(struct daemon *d, const struct rt_own_del *o)
{
	struct route_ctl *rc = d->route;

	if (!rc)
		return;
	rc->own[rc->own_next] = *o;
	rc->own[rc->own_next].live = true;
	rc->own_next = (rc->own_next + 1) % RT_OWN_DEL;
}

/* Was this deletion ours? Then forget it (one event per deletion) and say so. */
static bool own_del_take(struct route_ctl *rc, const struct rt_own_del *ev)
{
	size_t i;

	for (i = 0; i < RT_OWN_DEL; i++) {
		struct rt_own_del *o = &rc->own[i];

		if (!o->live || o->is_rule != ev->is_rule)
			continue;
		if (ev->is_rule ? !rule_equal(&o->rl, &ev->rl) :
				  (o->family != ev->family || o->table != ev->table))
			continue;
		o->live = false;
		return true;
	}
	return false;
}

static int rule_del(struct daemon *d, const struct rule *r, char *err, size_t errlen)
{
	int rc = rule_send(d, r, RTM_DELRULE, 0, err, errlen);

	if (rc == 0)
		own_del_note(d, &(struct rt_own_del){ .is_rule = true, .rl = *r });
	return rc == -ENOENT || rc == -ESRCH ? 0 : rc;
}

/* Delete our default route from an uplink table (no next hop given: any of ours). */
static int table_route_del(struct daemon *d, const struct route *installed, char *err,
			   size_t errlen)
{
	struct route r = *installed;
	int rc;

	r.nnh = 0;
	rc = route_send(d, &r, RTM_DELROUTE, 0, err, errlen);
	if (rc == 0)
		own_del_note(d, &(struct rt_own_del){ .family = r.family, .table = r.table });
	return rc == -ESRCH || rc == -ENOENT || rc == -ENODEV ? 0 : rc;
}

struct route_dump {
	int family;
	uint32_t table;
	void (*fn)(struct route_dump *dump, const struct route *r);
	/* adoption */
	bool found;
	struct route best;
	/* verification */
	const struct route *want;
	struct route_nh seen[RT_MAX_UPS];
	size_t nseen;
	/* stale rules */
	struct rule *rules;
	size_t nrules, cap;
};

static int route_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct route_dump *dump = data;
	struct route r;

	if (route_msg_parse(nlh, nlh->nlmsg_len, &r) < 0)
		return MNL_CB_OK;
	if (r.family != dump->family || r.table != dump->table || r.dst_len)
		return MNL_CB_OK;
	dump->fn(dump, &r);
	return MNL_CB_OK;
}

/* Dump the default routes of table for family; dump->fn sees each. */
static int route_dump_defaults(struct daemon *d, struct route_dump *dump)
{
	uint32_t buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	char err[NL_ERRLEN];

	nlh->nlmsg_type = RTM_GETROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)dump->family;
	rtm->rtm_table = dump->table < 256 ? (uint8_t)dump->table : RT_TABLE_UNSPEC;
	mnl_attr_put_u32(nlh, RTA_TABLE, dump->table); /* a filter under strict checking */
	return nl_talk(d, nlh, route_dump_cb, dump, err, sizeof(err));
}

static void present_fn(struct route_dump *dump, const struct route *r)
{
	if (r->protocol == RTPROT_UPLINKD && route_equal(r, dump->want))
		dump->found = true;
}

/* Is want in the kernel as it reports it? (Then it is not written again.) */
static bool table_route_present(struct daemon *d, const struct route *want)
{
	struct route_dump dump = { .family = want->family, .table = want->table,
				   .fn = present_fn, .want = want };

	return route_dump_defaults(d, &dump) == 0 && dump.found;
}

/* ---- per-uplink tables and rules ---- */

static struct rt_uplink *rt_find(struct route_ctl *rc, const struct uplink *u)
{
	struct rt_uplink *e;

	list_for_each_entry(e, &rc->ups, node)
		if (e->u == u)
			return e;
	return NULL;
}

static void rt_free(struct rt_uplink *e)
{
	list_del(&e->node);
	free(e->name);
	free(e);
}

/* What u's table and rules should hold now. */
static void uplink_desired(const struct uplink *u, struct route rt[2], bool has[2],
			   struct rule rules[RT_NRULES], size_t *nrules)
{
	const struct uplink_link *l = &u->link;
	size_t n = 0;
	int f;

	for (f = 0; f < 2; f++) {
		struct route *r = &rt[f];
		bool gw;

		memset(r, 0, sizeof(*r));
		r->family = f ? AF_INET6 : AF_INET;
		r->table = u->table;
		r->metric = route_metric_kernel(r->family, 0);
		r->protocol = RTPROT_UPLINKD;
		r->nnh = 1;
		r->nh[0].ifindex = l->ifindex;
		r->nh[0].weight = 1;
		gw = f ? uplink_gateway6(u, &r->nh[0].gw.v6) : uplink_gateway4(u, &r->nh[0].gw.v4);
		r->nh[0].has_gw = gw;
		r->scope = gw ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
		if (f)
			r->scope = RT_SCOPE_UNIVERSE;
		/* the kernel refuses a gateway it cannot reach: wait for an address
		 * (IPv6: unless the gateway is link-local, as RA ones are) */
		if (f)
			has[f] = (gw && (l->has_addr6 || IN6_IS_ADDR_LINKLOCAL(&r->nh[0].gw.v6))) ||
				 (!gw && uplink_by_dev(u, AF_INET6));
		else
			has[f] = (gw && l->has_addr4) || (!gw && uplink_by_dev(u, AF_INET));
		has[f] = has[f] && l->ifindex && l->admin_up;
	}
	for (f = 0; f < 2; f++) {
		struct rule *r = &rules[n++];

		memset(r, 0, sizeof(*r));
		r->family = f ? AF_INET6 : AF_INET;
		r->prio = RULE_PRIO_MARK + (uint32_t)u->pos;
		r->table = u->table;
		r->fwmark = u->mark;
		r->fwmask = 0xffffffff; /* what the kernel reports for a plain fwmark */
		r->protocol = RTPROT_UPLINKD;
	}
	if (l->ifindex && l->has_addr4) {
		struct rule *r = &rules[n++];

		memset(r, 0, sizeof(*r));
		r->family = AF_INET;
		r->prio = RULE_PRIO_SRC + (uint32_t)u->pos;
		r->table = u->table;
		r->src_len = 32;
		r->src.v4 = l->addr4;
		r->protocol = RTPROT_UPLINKD;
	}
	if (l->ifindex && l->has_addr6) {
		struct rule *r = &rules[n++];

		memset(r, 0, sizeof(*r));
		r->family = AF_INET6;
		r->prio = RULE_PRIO_SRC + (uint32_t)u->pos;
		r->table = u->table;
		r->src_len = 128;
		r->src.v6 = l->addr6;
		r->protocol = RTPROT_UPLINKD;
	}
	*nrules = n;
}

static void rt_remove_all(struct daemon *d, struct rt_uplink *e)
{
	char err[NL_ERRLEN], what[RT_DESC_LEN], t[16];
	size_t i;
	int f;

	for (i = 0; i < e->nrules; i++) {
		rule_describe(what, sizeof(what), &e->rules[i]);
		if (rule_del(d, &e->rules[i], err, sizeof(err)) < 0)
			log_err("%s: cannot remove %s: %s", e->name, what, err);
		else
			log_info("%s: %s removed", e->name, what);
	}
	e->nrules = 0;
	for (f = 0; f < 2; f++) {
		if (!e->has_route[f])
			continue;
		table_name(e->route[f].table, t, sizeof(t));
		if (table_route_del(d, &e->route[f], err, sizeof(err)) < 0)
			log_err("%s: cannot remove the %s default route from table %s: %s",
				e->name, fam_name(e->route[f].family), t, err);
		else
			log_info("%s: %s default route removed from table %s", e->name,
				 fam_name(e->route[f].family), t);
		e->has_route[f] = false;
	}
}

int route_uplink_sync(struct daemon *d, struct uplink *u)
{
	struct route_ctl *rc = d->route;
	struct route want[2];
	struct rule rules[RT_NRULES], keep[RT_NRULES];
	char err[NL_ERRLEN], what[RT_DESC_LEN], t[16];
	bool has[2];
	size_t n, nkeep = 0, i, j;
	struct rt_uplink *e;
	int f, ret = 0, rv;

	if (!rc)
		return -ENOTCONN;
	e = rt_find(rc, u);
	if (!e) {
		e = calloc(1, sizeof(*e));
		if (!e || !(e->name = strdup(u->cfg.name))) {
			free(e);
			return -ENOMEM;
		}
		e->u = u;
		list_add_tail(&e->node, &rc->ups);
	}
	uplink_desired(u, want, has, rules, &n);

	/* the table's default routes: replace, or remove when there is no next hop */
	for (f = 0; f < 2; f++) {
		const char *ifn = u->cfg.interface;

		table_name(u->table, t, sizeof(t));
		if (!has[f]) {
			if (!e->has_route[f])
				continue;
			if ((rv = table_route_del(d, &e->route[f], err, sizeof(err))) < 0) {
				log_rl_msg(&rc->rl, LOG_ERR, "%s: cannot remove the %s default "
					   "route from table %s: %s", u->cfg.name,
					   fam_name(want[f].family), t, err);
				ret = rv;
				continue;
			}
			log_info("%s: %s default route removed from table %s (no next hop)",
				 u->cfg.name, fam_name(want[f].family), t);
			e->has_route[f] = false;
			continue;
		}
		if (e->has_route[f] && route_equal(&e->route[f], &want[f]) &&
		    table_route_present(d, &want[f]))
			continue; /* right as it is: never rewritten */
		route_describe(what, sizeof(what), &want[f], &ifn);
		rv = route_send(d, &want[f], RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, err,
				sizeof(err));
		if (rv < 0) {
			log_rl_msg(&rc->rl, LOG_ERR,
				   "%s: cannot install the %s default route %s in table %s: %s",
				   u->cfg.name, fam_name(want[f].family), what, t, err);
			ret = rv;
			continue;
		}
		if (e->has_route[f] && e->route[f].table != want[f].table &&
		    table_route_del(d, &e->route[f], err, sizeof(err)) == 0)
			log_info("%s: %s default route removed from its old table %u", u->cfg.name,
				 fam_name(want[f].family), e->route[f].table);
		if (!e->has_route[f] || !route_equal(&e->route[f], &want[f]))
			log_info("%s: %s default route %s installed in table %s", u->cfg.name,
				 fam_name(want[f].family), what, t);
		else
			log_dbg(LOG_NL, "%s: %s default route %s in table %s re-asserted",
				u->cfg.name, fam_name(want[f].family), what, t);
		e->route[f] = want[f];
		snprintf(e->desc[f], sizeof(e->desc[f]), "%s", what);
		e->has_route[f] = true;
	}

	/* rules: add the wanted ones first, then delete the stale ones */
	for (i = 0; i < n; i++) {
		bool known = false;

		for (j = 0; j < e->nrules; j++)
			known |= rule_equal(&e->rules[j], &rules[i]);
		rule_describe(what, sizeof(what), &rules[i]);
		if ((rv = rule_add(d, &rules[i], err, sizeof(err))) < 0) {
			log_rl_msg(&rc->rl, LOG_ERR, "%s: cannot add %s: %s", u->cfg.name, what,
				   err);
			ret = rv;
			if (known)
				keep[nkeep++] = rules[i]; /* it may still be there */
			continue;
		}
		if (!known)
			log_info("%s: %s added", u->cfg.name, what);
		else if (rv == 1)
			log_info("%s: %s was missing; added again", u->cfg.name, what);
		keep[nkeep++] = rules[i];
	}
	for (j = 0; j < e->nrules; j++) {
		bool wanted = false;

		for (i = 0; i < n; i++)
			wanted |= rule_equal(&e->rules[j], &rules[i]);
		if (wanted)
			continue;
		rule_describe(what, sizeof(what), &e->rules[j]);
		if ((rv = rule_del(d, &e->rules[j], err, sizeof(err))) < 0) {
			log_err("%s: cannot remove %s: %s", u->cfg.name, what, err);
			ret = rv;
			if (nkeep < RT_NRULES)
				keep[nkeep++] = e->rules[j]; /* try again next time */
			continue;
		}
		log_info("%s: %s removed", u->cfg.name, what);
	}
	memcpy(e->rules, keep, nkeep * sizeof(keep[0]));
	e->nrules = nkeep;
	return ret;
}

void route_uplink_remove(struct daemon *d, struct uplink *u)
{
	struct rt_uplink *e;

	if (!d->route || !(e = rt_find(d->route, u)))
		return;
	rt_remove_all(d, e);
	rt_free(e);
}

/* ---- the main default route ---- */

static void def_forget_names(struct rt_default *def)
{
	size_t i;

	for (i = 0; i < def->nnames; i++)
		free(def->names[i]);
	def->nnames = 0;
}

/* Build the main default route through ups; names the hops' devices in ifn. */
static int def_build(struct daemon *d, int family, struct uplink *const *ups, size_t n,
		     struct route *r, const char **ifn, struct uplink **used, char *err,
		     size_t errlen)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->family = family;
	r->table = RT_TABLE_MAIN;
	r->metric = route_metric_kernel(family, (uint32_t)d->cfg->policy.metric);
	r->protocol = RTPROT_UPLINKD;
	r->scope = family == AF_INET ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE;
	for (i = 0; i < n && r->nnh < RT_MAX_UPS; i++) {
		struct uplink *u = ups[i];
		struct route_nh *nh = &r->nh[r->nnh];

		memset(nh, 0, sizeof(*nh));
		if (!u->link.ifindex)
			continue;
		nh->has_gw = family == AF_INET6 ? uplink_gateway6(u, &nh->gw.v6)
						: uplink_gateway4(u, &nh->gw.v4);
		if (!nh->has_gw && !uplink_by_dev(u, family))
			continue;
		if (nh->has_gw)
			r->scope = RT_SCOPE_UNIVERSE;
		nh->ifindex = u->link.ifindex;
		nh->weight = u->cfg.weight < 1 ? 1 : u->cfg.weight > 256 ? 256 : u->cfg.weight;
		ifn[r->nnh] = u->cfg.interface;
		used[r->nnh] = u;
		r->nnh++;
	}
	if (!r->nnh) {
		snprintf(err, errlen, "%s has no %s next hop (no gateway, no interface, not "
			 "point-to-point and no device default route)", n ? ups[0]->cfg.name : "no uplink", fam_name(family));
		return -ENETUNREACH;
	}
	return 0;
}

static void def_owner(char *out, size_t len, struct uplink *const *used, size_t n)
{
	size_t i, o = 0;

	*out = '\0';
	for (i = 0; i < n && o < len; i++) {
		int w = snprintf(out + o, len - o, "%s%s", i ? "+" : "", used[i]->cfg.name);

		if (w < 0)
			break;
		o += (size_t)w;
	}
}

/* quiet: a re-assertion of something unchanged logs at debug level only. */
static int def_install(struct daemon *d, int family, struct uplink *const *ups, size_t n,
		       bool quiet, char *err, size_t errlen)
{
	struct rt_default *def = &d->route->def[fam_idx(family)];
	const char *ifn[RT_MAX_UPS];
	struct uplink *used[RT_MAX_UPS];
	char what[RT_DESC_LEN], owner[128];
	struct route r;
	int rv;

	if ((rv = def_build(d, family, ups, n, &r, ifn, used, err, errlen)) < 0)
		return rv;
	route_describe(what, sizeof(what), &r, ifn);
	def_owner(owner, sizeof(owner), used, r.nnh);
	rv = route_send(d, &r, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, err, errlen);
	if (rv < 0) {
		log_err("%s: cannot install the %s default route %s in table main: %s", owner,
			fam_name(family), what, err);
		return rv;
	}
	if (!def->set || !route_equal(&def->r, &r) || !quiet)
		log_info("%s: %s default route %s installed in table main (metric %u)", owner,
			 fam_name(family), what, r.metric);
	else
		log_dbg(LOG_NL, "%s: %s default route %s re-asserted", owner, fam_name(family),
			what);
	def->r = r;
	def->set = true;
	snprintf(def->desc, sizeof(def->desc), "%s", what);
	return 0;
}

int route_set_default(struct daemon *d, int family, struct uplink *const *ups, size_t n,
		      char *err, size_t errlen)
{
	struct route_ctl *rc = d->route;
	struct rt_default *def;
	const char *ifn[RT_MAX_UPS];
	struct uplink *used[RT_MAX_UPS];
	struct route r;
	char e2[NL_ERRLEN];
	size_t i;
	int rv;

	if (err && errlen)
		*err = '\0';
	if (!err) {
		err = e2;
		errlen = sizeof(e2);
	}
	if (!n)
		return 0;
	if (!rc) {
		snprintf(err, errlen, "routes not initialised");
		return -ENOTCONN;
	}
	if (family != AF_INET && family != AF_INET6) {
		snprintf(err, errlen, "unknown address family %d", family);
		return -EAFNOSUPPORT;
	}
	def = &rc->def[fam_idx(family)];
	/*
	 * Unchanged: write nothing (policy asks on every run). Should the kernel lose
	 * it, the event socket, a resync or the periodic check puts it back.
	 */
	if (def_build(d, family, ups, n, &r, ifn, used, err, errlen) == 0 && def->set &&
	    route_equal(&def->r, &r))
		rv = 0;
	else
		rv = def_install(d, family, ups, n, false, err, errlen);
	if (rv == 0) {
		/* remember what was asked, so a re-assertion can bring an uplink back */
		def_forget_names(def);
		for (i = 0; i < n && i < RT_MAX_UPS; i++)
			if ((def->names[def->nnames] = strdup(ups[i]->cfg.name)))
				def->nnames++;
	}
	return rv;
}

int route_clear_default(struct daemon *d, int family, char *err, size_t errlen)
{
	struct route_ctl *rc = d->route;
	struct rt_default *def;
	char e2[NL_ERRLEN];
	int rv;

	if (!err) {
		err = e2;
		errlen = sizeof(e2);
	}
	*err = '\0';
	if (!rc || (family != AF_INET && family != AF_INET6))
		return 0;
	def = &rc->def[fam_idx(family)];
	if (!def->set)
		return 0;
	def->set = false; /* first, so the event of our own delete is not re-asserted */
	rv = route_send(d, &def->r, RTM_DELROUTE, 0, err, errlen);
	if (rv == -ESRCH || rv == -ENOENT || rv == -ENODEV)
		rv = 0;
	if (rv < 0) {
		def->set = true;
		log_err("route: cannot remove the %s default route %s from table main: %s",
			fam_name(family), def->desc, err);
		return rv;
	}
	log_info("route: %s default route %s removed from table main", fam_name(family),
		 def->desc);
	def_forget_names(def);
	def->adopted_oif = 0;
	return 0;
}

struct uplink *route_current_default(struct daemon *d, int family)
{
	struct rt_default *def;
	struct uplink *u;
	int oif;

	if (!d->route || (family != AF_INET && family != AF_INET6))
		return NULL;
	def = &d->route->def[fam_idx(family)];
	oif = def->set ? def->r.nh[0].ifindex : def->adopted_oif;
	if (!oif)
		return NULL;
	list_for_each_entry(u, &d->uplinks, node)
		if (u->link.ifindex == oif)
			return u;
	return NULL;
}

static void adopt_fn(struct route_dump *dump, const struct route *r)
{
	bool better;

	if (!r->nnh || !r->nh[0].ifindex)
		return;
	better = !dump->found || r->metric < dump->best.metric ||
		 (r->metric == dump->best.metric && r->protocol == RTPROT_UPLINKD &&
		  dump->best.protocol != RTPROT_UPLINKD);
	if (better) {
		dump->best = *r;
		dump->found = true;
	}
}

static void verify_fn(struct route_dump *dump, const struct route *r)
{
	size_t i;

	if (r->protocol != RTPROT_UPLINKD || r->metric != dump->want->metric)
		return;
	/* IPv6 may list the hops of one multipath route as separate routes */
	for (i = 0; i < r->nnh && dump->nseen < RT_MAX_UPS; i++)
		dump->seen[dump->nseen++] = r->nh[i];
}

/* Is our main default route in the kernel as we installed it? */
static bool def_present(struct daemon *d, const struct rt_default *def)
{
	struct route_dump dump = { .family = def->r.family, .table = RT_TABLE_MAIN,
				   .fn = verify_fn, .want = &def->r };
	size_t i, j;

	if (route_dump_defaults(d, &dump) < 0)
		return false;
	if (dump.nseen != def->r.nnh)
		return false;
	for (i = 0; i < def->r.nnh; i++) {
		bool found = false;

		for (j = 0; j < dump.nseen; j++)
			found |= nh_equal(&def->r.nh[i], &dump.seen[j], def->r.family);
		if (!found)
			return false;
	}
	return true;
}

static void def_reassert(struct daemon *d, int family, const char *why)
{
	struct rt_default *def = &d->route->def[fam_idx(family)];
	struct uplink *ups[RT_MAX_UPS], *used[RT_MAX_UPS];
	const char *ifn[RT_MAX_UPS];
	char err[NL_ERRLEN];
	struct route r;
	size_t i, n = 0;
	bool present;

	if (!def->set)
		return;
	for (i = 0; i < def->nnames; i++) {
		struct uplink *u = uplink_find(d, def->names[i]);

		if (u && uplink_routable(u, family))
			ups[n++] = u;
	}
	/* nothing usable: leave the kernel as it is; policy will choose again */
	if (!n || def_build(d, family, ups, n, &r, ifn, used, err, sizeof(err)) < 0)
		return;
	present = def_present(d, def);
	if (present && route_equal(&r, &def->r))
		return;
	if (!present)
		log_notice("route: the %s default route %s in table main is missing or was "
			   "replaced (%s); re-installing it", fam_name(family), def->desc, why);
	/* when only the next hops moved (an uplink left or came back), say so */
	def_install(d, family, ups, n, !present, err, sizeof(err));
}

/* ---- re-assertion ---- */

static void route_reassert(struct daemon *d, const char *why)
{
	struct route_ctl *rc = d->route;
	struct uplink *u;

	if (!rc || rc->in_reassert)
		return;
	rc->in_reassert = true;
	log_dbg(LOG_NL, "route: re-asserting routes and rules (%s)", why);
	list_for_each_entry(u, &d->uplinks, node)
		route_uplink_sync(d, u);
	def_reassert(d, AF_INET, why);
	def_reassert(d, AF_INET6, why);
	rc->in_reassert = false;
}

static void reassert_arm(struct route_ctl *rc)
{
	int s = rc->d->cfg ? rc->d->cfg->policy.reassert_s : 0;

	if (s > 0)
		loop_timer_set_in(&rc->d->loop, &rc->reassert, (uint64_t)s * NSEC_PER_SEC);
}

static void reassert_timer(struct loop_timer *t)
{
	struct route_ctl *rc = container_of(t, struct route_ctl, reassert);

	route_reassert(rc->d, "periodic");
	reassert_arm(rc);
}

static void check_timer(struct loop_timer *t)
{
	struct route_ctl *rc = container_of(t, struct route_ctl, check);

	route_reassert(rc->d, "a netlink event");
}

void route_reassert_soon(struct daemon *d)
{
	struct route_ctl *rc = d->route;

	if (rc && !loop_timer_pending(&rc->check))
		loop_timer_set_in(&d->loop, &rc->check, RT_CHECK_DELAY_NS);
}

static void route_rtnl_resync(struct rtnl_listener *l)
{
	struct route_ctl *rc = container_of(l, struct route_ctl, rtnl);

	route_reassert(rc->d, "resync after a netlink overrun");
}

static void route_rtnl_event(struct rtnl_listener *l, const struct nlmsghdr *nlh)
{
	struct route_ctl *rc = container_of(l, struct route_ctl, rtnl);
	struct daemon *d = rc->d;
	struct rt_uplink *e;
	struct route r;
	struct rule rl;
	size_t i;
	int f;

	if (!rc || rc->in_reassert)
		return;
	if (nlh->nlmsg_type == RTM_NEWRULE || nlh->nlmsg_type == RTM_DELRULE) {
		if (nlh->nlmsg_type != RTM_DELRULE ||
		    rule_msg_parse(nlh, nlh->nlmsg_len, &rl) < 0 ||
		    own_del_take(rc, &(struct rt_own_del){ .is_rule = true, .rl = rl }))
			return;
		list_for_each_entry(e, &rc->ups, node)
			for (i = 0; i < e->nrules; i++)
				if (rule_equal(&e->rules[i], &rl)) {
					log_info("%s: our rule (priority %u) was deleted; "
						 "re-asserting", e->name, rl.prio);
					route_reassert_soon(d);
					return;
				}
		return;
	}
	if (route_msg_parse(nlh, nlh->nlmsg_len, &r) < 0 || r.dst_len)
		return;
	f = fam_idx(r.family);
	if (r.table == RT_TABLE_MAIN && rc->def[f].set && r.metric == rc->def[f].r.metric) {
		if (nlh->nlmsg_type == RTM_DELROUTE && r.protocol == RTPROT_UPLINKD) {
			log_info("route: our %s default route in table main was deleted; "
				 "re-asserting", fam_name(r.family));
			route_reassert_soon(d);
		} else if (nlh->nlmsg_type == RTM_NEWROUTE && r.protocol != RTPROT_UPLINKD &&
			   (nlh->nlmsg_flags & NLM_F_REPLACE)) {
			log_info("route: our %s default route in table main was replaced by "
				 "protocol %u; re-asserting", fam_name(r.family), r.protocol);
			route_reassert_soon(d);
		}
		return;
	}
	if (nlh->nlmsg_type != RTM_DELROUTE || r.protocol != RTPROT_UPLINKD ||
	    own_del_take(rc, &(struct rt_own_del){ .family = r.family, .table = r.table }))
		return;
	list_for_each_entry(e, &rc->ups, node)
		if (e->has_route[f] && e->route[f].table == r.table) {
			log_info("%s: our %s default route in table %u was deleted; re-asserting",
				 e->name, fam_name(r.family), r.table);
			route_reassert_soon(d);
			return;
		}
}

/* ---- start and stop ---- */

static void adopt_default(struct daemon *d, int family)
{
	struct rt_default *def = &d->route->def[fam_idx(family)];
	struct route_dump dump = { .family = family, .table = RT_TABLE_MAIN, .fn = adopt_fn };
	char what[RT_DESC_LEN];
	const char *ifn[RT_MAX_UPS];
	struct uplink *u;
	size_t i;

	if (route_dump_defaults(d, &dump) < 0 || !dump.found)
		return;
	def->adopted_oif = dump.best.nh[0].ifindex;
	for (i = 0; i < dump.best.nnh; i++) {
		ifn[i] = "?";
		list_for_each_entry(u, &d->uplinks, node)
			if (u->link.ifindex && u->link.ifindex == dump.best.nh[i].ifindex)
				ifn[i] = u->cfg.interface;
	}
	route_describe(what, sizeof(what), &dump.best, ifn);
	u = route_current_default(d, family);
	log_info("%s: the kernel's %s default route is %s (protocol %u, metric %u)%s",
		 u ? u->cfg.name : "route", fam_name(family), what, dump.best.protocol,
		 dump.best.metric, u ? "; adopted" : "; not through an uplink of ours");
	/*
	 * Ours from an earlier run (kill -9, restart): owned from now on, exactly as if
	 * this run had installed it, so a delete or replace is put back and the next
	 * policy run changes it only if it wants something else.
	 */
	if (u && dump.best.protocol == RTPROT_UPLINKD &&
	    dump.best.metric == (uint32_t)d->cfg->policy.metric) {
		def->r = dump.best;
		def->set = true;
		snprintf(def->desc, sizeof(def->desc), "%s", what);
		def_forget_names(def);
		for (i = 0; i < dump.best.nnh && def->nnames < RT_MAX_UPS; i++)
			list_for_each_entry(u, &d->uplinks, node)
				if (u->link.ifindex == dump.best.nh[i].ifindex &&
				    (def->names[def->nnames] = strdup(u->cfg.name)))
					def->nnames++;
	}
}

struct rule_dump {
	struct rule *v;
	size_t n, cap;
	int err;
};

static int rule_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_dump *rd = data;
	struct rule r;

	if (rule_msg_parse(nlh, nlh->nlmsg_len, &r) < 0 || r.protocol != RTPROT_UPLINKD)
		return MNL_CB_OK;
	if (rd->n == rd->cap) {
		size_t cap = rd->cap ? rd->cap * 2 : 16;
		struct rule *v = realloc(rd->v, cap * sizeof(*v));

		if (!v) {
			rd->err = -ENOMEM;
			return MNL_CB_OK;
		}
		rd->v = v;
		rd->cap = cap;
	}
	rd->v[rd->n++] = r;
	return MNL_CB_OK;
}

/* Rules with our protocol that no uplink wants now: left by an earlier run. */
static void purge_stale_rules(struct daemon *d, int family)
{
	uint32_t buf[64];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct fib_rule_hdr *frh;
	struct rule_dump rd = { 0 };
	char err[NL_ERRLEN], what[RT_DESC_LEN];
	struct rt_uplink *e;
	size_t i, j;

	nlh->nlmsg_type = RTM_GETRULE;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	if (nl_talk(d, nlh, rule_dump_cb, &rd, err, sizeof(err)) < 0) {
		log_warn("route: cannot list the %s rules: %s", fam_name(family), err);
		goto out;
	}
	for (i = 0; i < rd.n; i++) {
		bool ours = false;

		list_for_each_entry(e, &d->route->ups, node)
			for (j = 0; j < e->nrules; j++)
				ours |= rule_equal(&e->rules[j], &rd.v[i]);
		if (ours)
			continue;
		rule_describe(what, sizeof(what), &rd.v[i]);
		if (rule_del(d, &rd.v[i], err, sizeof(err)) < 0)
			log_warn("route: cannot remove the stale %s: %s", what, err);
		else
			log_info("route: stale %s from an earlier run removed", what);
	}
out:
	free(rd.v);
}

int route_init(struct daemon *d)
{
	struct route_ctl *rc;
	struct uplink *u;

	if (!d->nl)
		return -ENOTCONN;
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->d = d;
	list_init(&rc->ups);
	loop_timer_init(&rc->reassert, reassert_timer);
	loop_timer_init(&rc->check, check_timer);
	rc->rtnl.kinds = RTNL_ROUTE | RTNL_RULE;
	rc->rtnl.event = route_rtnl_event;
	rc->rtnl.resync = route_rtnl_resync;
	d->route = rc;
	rtnl_listen(d, &rc->rtnl);

	adopt_default(d, AF_INET);
	adopt_default(d, AF_INET6);
	list_for_each_entry(u, &d->uplinks, node)
		route_uplink_sync(d, u);
	purge_stale_rules(d, AF_INET);
	purge_stale_rules(d, AF_INET6);
	reassert_arm(rc);
	return 0;
}

void route_destroy(struct daemon *d, bool clean_exit)
{
	struct route_ctl *rc = d->route;
	struct rt_uplink *e, *n;
	int f;

	if (!rc)
		return;
	rtnl_unlisten(&rc->rtnl);
	loop_timer_cancel(&d->loop, &rc->reassert);
	loop_timer_cancel(&d->loop, &rc->check);
	list_for_each_entry_safe(e, n, &rc->ups, node) {
		if (clean_exit)
			rt_remove_all(d, e);
		rt_free(e);
	}
	for (f = 0; f < 2; f++)
		def_forget_names(&rc->def[f]);
	if (clean_exit)
		log_info("route: rules and uplink tables removed; the main default route stays");
	free(rc);
	d->route = NULL;
}
