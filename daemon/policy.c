// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: policy.c - which uplink carries the default route, and why
 *
 * Owns struct policy (d->policy): the deferred run event, the operator's
 * `prefer`, the last decision's reason and the switch counters. The choice
 * itself is policy_choose(), pure and unit-tested; policy_run() gathers the
 * uplinks' health, adopts the kernel's existing default route at start (no
 * switch after a restart), calls the actuators (route_set_default, then
 * ct_flush_uplink for the uplink left behind) and publishes BUS_ACTIVE with a
 * reason an operator can act on. If the kernel refuses, the old route and the
 * old active flags stay and BUS_ERROR carries the kernel's message.
 *
 * Each run fills struct policy_desired (the whole desired state) and hands
 * each part to its actuator: the default routes to route.c, the steered
 * prefixes (decided by policy_prefix.c) to route_prefix.c, the shares to nft.c
 * through policy_flow.c. Then the listeners are told (policy_listen).
 *
 * Calls policy_flow.c (the inet uplinkd table, first; it gets policy_schedule
 * as a callback for its re-judge timer), policy_prefix.c (after the default
 * route; the same callback for steers and hold-downs), route.c, ct.c, uplink.c
 * (lookups, routability) and the bus. Called by daemon.c (init, first run),
 * uplinks.c (policy_schedule on every health or link change), command_run.c
 * (prefer, disable, enable), status.c, and view.c (getters; the listener and
 * the candidates of a tunnel's paths for the IPsec monitor).
 */
#include "policy.h"
#include "policy_flow.h"
#include "policy_prefix.h"
#include "bus.h"
#include "ct.h"
#include "daemon.h"
#include "log.h"
#include "route.h"
#include "uplink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct policy_off {
	char *name;
	char *who;
	uint64_t since_ms;
};

struct policy {
	struct daemon *d;
	struct policy_off *off; /* disabled uplinks, by name (survive reloads) */
	size_t noff;
	struct loop_event ev;
	char *prefer;		/* NULL: auto */
	char reason[512];	/* the last decision */
	uint64_t changed_ms;	/* wall clock of the last switch */
	uint64_t switches;
	uint64_t last_swap_us;	/* decision to kernel ACK of the last switch */
	bool all_down;		/* "all uplinks down" already reported */
	bool by_prefer;		/* the last decision was the operator's pin */
	struct policy_desired want; /* the last run's desired state */
	struct list_head listeners; /* struct policy_listener */
};

/* ---- the pure choice ---- */

static int state_rank(enum health_state s)
{
	return s == HEALTH_UP ? 2 : s == HEALTH_DEGRADED ? 1 : 0;
}

static bool cand_usable(const struct policy_cand *c)
{
	return c->state != HEALTH_DOWN && c->routable && !c->disabled;
}

static bool cand_better(const struct policy_cand *a, const struct policy_cand *b)
{
	int ra = state_rank(a->state), rb = state_rank(b->state);

	return ra > rb || (ra == rb && a->priority < b->priority);
}

static void cand_unusable_text(const struct policy_cand *c, char *buf, size_t len)
{
	if (c->disabled)
		snprintf(buf, len, "%s disabled by the operator", c->name);
	else if (c->state == HEALTH_DOWN)
		snprintf(buf, len, "%s down", c->name);
	else
		snprintf(buf, len, "%s not routable (no interface, carrier or next hop)", c->name);
}

int policy_choose(const struct policy_cand *c, size_t n, char *reason, size_t len)
{
	int cur = -1, pref = -1, best = -1, waiting = 0;
	bool cur_ok;
	char why[192];
	size_t i;

	for (i = 0; i < n; i++) {
		if (c[i].current && cur < 0)
			cur = (int)i;
		if (c[i].preferred && pref < 0)
			pref = (int)i;
	}
	cur_ok = cur >= 0 && cand_usable(&c[cur]);

	if (pref >= 0 && cand_usable(&c[pref])) {
		snprintf(reason, len, "%s preferred by the operator (%s, priority %d)",
			 c[pref].name, health_state_names[c[pref].state], c[pref].priority);
		return pref;
	}
	/* just started (kill -9 and restart): keep what carries traffic until settled */
	if (cur_ok && !c[cur].settled) {
		snprintf(reason, len, "keeping %s: %s since start, health not settled yet",
			 c[cur].name, health_state_names[c[cur].state]);
		return cur;
	}
	for (i = 0; i < n; i++) {
		if (!cand_usable(&c[i]))
			continue;
		if (!c[i].settled) {
			waiting++; /* never moved to before it was measured */
			continue;
		}
		if (best < 0 || cand_better(&c[i], &c[best]))
			best = (int)i;
	}
	if (best < 0 && !cur_ok && waiting) {
		size_t used;

		snprintf(reason, len, "waiting for the first verdicts on");
		for (i = 0; i < n; i++) {
			used = strlen(reason);
			if (cand_usable(&c[i]) && !c[i].settled)
				snprintf(reason + used, len - used, " %s", c[i].name);
		}
		used = strlen(reason);
		snprintf(reason + used, len - used, "; keeping the current default route");
		return POLICY_WAIT;
	}
	if (best < 0 && !cur_ok) {
		snprintf(reason, len, "all uplinks down; keeping the current default route");
		return -1;
	}
	if (best < 0 || (cur_ok && !cand_better(&c[best], &c[cur]))) {
		snprintf(reason, len, "keeping %s (%s, priority %d)", c[cur].name,
			 health_state_names[c[cur].state], c[cur].priority);
		return cur;
	}
	if (cur_ok) {
		snprintf(reason, len, "%s %s (priority %d) is better than %s %s (priority %d)",
			 c[best].name, health_state_names[c[best].state], c[best].priority,
			 c[cur].name, health_state_names[c[cur].state], c[cur].priority);
	} else {
		if (cur >= 0)
			cand_unusable_text(&c[cur], why, sizeof(why));
		else
			snprintf(why, sizeof(why), "no uplink carries the default route");
		snprintf(reason, len, "%s; %s %s (priority %d)", why, c[best].name,
			 health_state_names[c[best].state], c[best].priority);
	}
	return best;
}

/* ---- running it ---- */

static void policy_ev_cb(struct loop_event *e)
{
	struct policy *p = container_of(e, struct policy, ev);

	policy_run(p->d);
}

int policy_init(struct daemon *d)
{
	struct policy *p = calloc(1, sizeof(*p));
	int err;

	if (!p)
		return -ENOMEM;
	p->d = d;
	loop_event_init(&p->ev, policy_ev_cb);
	list_init(&p->listeners);
	snprintf(p->reason, sizeof(p->reason), "no decision yet");
	d->policy = p;
	err = policy_prefix_init(d, policy_schedule);
	return err < 0 ? err : policy_flow_init(d, policy_schedule);
}

void policy_destroy(struct daemon *d)
{
	struct policy *p;

	if (!d || !d->policy)
		return;
	p = d->policy;
	policy_flow_destroy(d);
	policy_prefix_destroy(d);
	while (!list_empty(&p->listeners))
		list_del(p->listeners.next); /* a listener may unlisten later: harmless */
	loop_event_cancel(&d->loop, &p->ev);
	free(p->prefer);
	while (p->noff--) {
		free(p->off[p->noff].name);
		free(p->off[p->noff].who);
	}
	free(p->off);
	free(p);
	d->policy = NULL;
}

void policy_schedule(struct daemon *d)
{
	if (d->policy)
		loop_event_schedule(&d->loop, &d->policy->ev);
}

void policy_listen(struct daemon *d, struct policy_listener *l)
{
	list_init(&l->node);
	if (d->policy)
		list_add_tail(&l->node, &d->policy->listeners);
}

void policy_unlisten(struct policy_listener *l)
{
	list_del(&l->node);
}

const struct policy_desired *policy_desired_get(const struct daemon *d)
{
	return d->policy && d->policy->want.run ? &d->policy->want : NULL;
}

void policy_cand_fill(const struct daemon *d, const struct uplink *u, int family,
		      struct policy_cand *c)
{
	uplink_cand(u, family, policy_prefer_get(d),
		    policy_disabled(d, u->cfg.name, NULL, NULL), c);
}

/* The desired default route of family: through ups[0..n) (none of ours when n is 0). */
static void want_default(struct policy *p, int family, struct uplink *const *ups, size_t n)
{
	int f = family == AF_INET6;
	size_t i;

	p->want.keep[f] = false;
	p->want.ndef[f] = 0;
	for (i = 0; i < n && i < POLICY_MAX_BALANCE; i++)
		snprintf(p->want.def[f][p->want.ndef[f]++], sizeof(p->want.def[f][0]), "%s",
			 ups[i]->cfg.name);
}

/* No choice this run (waiting for verdicts, all down): the kernel's routes stay. */
static void want_keep(struct policy *p)
{
	p->want.keep[0] = p->want.keep[1] = true;
}

static size_t uplinks_count(struct daemon *d)
{
	struct uplink *u;
	size_t n = 0;

	list_for_each_entry(u, &d->uplinks, node)
		n++;
	return n;
}

static struct uplink *active_first(struct daemon *d)
{
	struct uplink *u;

	list_for_each_entry(u, &d->uplinks, node)
		if (u->active)
			return u;
	return NULL;
}

static void publish_active(struct daemon *d, const char *obj, const char *old, const char *reason)
{
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_ACTIVE, .object = obj,
						  .old_state = old, .new_state = obj,
						  .reason = reason });
}

/* At start: the kernel's default route already goes somewhere; take it as ours. */
static void policy_adopt(struct daemon *d)
{
	struct policy *p = d->policy;
	struct uplink *u;

	if (!d->route || active_first(d))
		return;
	u = route_current_default(d, AF_INET);
	if (!u)
		return;
	u->active = true;
	u->active_since_ms = loop_clock_realtime_ms();
	snprintf(p->reason, sizeof(p->reason), "adopted the existing default route via %s",
		 u->cfg.name);
	p->changed_ms = u->active_since_ms;
	log_notice("%s: %s", u->cfg.name, p->reason);
	publish_active(d, u->cfg.name, "none", p->reason);
}

static void report_error(struct daemon *d, const char *obj, int family, int err,
			 const char *kmsg)
{
	char reason[384];

	snprintf(reason, sizeof(reason),
		 "cannot point the IPv%d default route at %s: %s%s%s; the old route stays",
		 family == AF_INET ? 4 : 6, obj, strerror(-err), kmsg[0] ? ": " : "", kmsg);
	log_err("%s", reason);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_ERROR, .object = obj,
						  .reason = reason });
}

static void flush_conntrack(struct daemon *d, struct uplink *prev)
{
	int k;

	if (!prev || !prev->cfg.flush_conntrack || !d->ct)
		return;
	/* queued: ct.c works through it a batch at a time and logs the count */
	k = ct_flush_uplink(d, prev);
	if (k < 0)
		log_err("%s: cannot flush its conntrack entries: %s", prev->cfg.name,
			strerror(-k));
}

static void switch_reason(const struct uplink *prev, const struct uplink *nu, bool prev_routable,
			  const char *choose_reason, char *buf, size_t len)
{
	const char *who;

	if (prev && policy_disabled(prev->d, prev->cfg.name, &who, NULL))
		snprintf(buf, len, "%s disabled by %s; %s %s (priority %d)", prev->cfg.name, who,
			 nu->cfg.name, health_state_names[nu->health.state], nu->cfg.priority);
	else if (prev && prev->health.state != HEALTH_UP)
		snprintf(buf, len, "%s %s: %s; %s %s (priority %d)", prev->cfg.name,
			 health_state_names[prev->health.state], prev->health.reason,
			 nu->cfg.name, health_state_names[nu->health.state], nu->cfg.priority);
	else if (prev && !prev_routable)
		snprintf(buf, len, "%s not routable (%s has no carrier, address or next hop); "
			 "%s %s (priority %d)", prev->cfg.name, prev->cfg.interface,
			 nu->cfg.name, health_state_names[nu->health.state], nu->cfg.priority);
	else
		snprintf(buf, len, "%s", choose_reason);
}

static void policy_run_failover(struct daemon *d, struct uplink **ups, struct policy_cand *c,
				size_t n)
{
	struct policy *p = d->policy;
	struct uplink *nu, *prev = active_first(d);
	char why[256], reason[512], kmsg[256] = "";
	uint64_t t0, t1;
	bool prev_routable = prev && uplink_routable(prev, AF_INET), by_prefer;
	int i, err;
	size_t j;

	i = policy_choose(c, n, why, sizeof(why));
	if (i < 0)
		want_keep(p);
	if (i == POLICY_WAIT) {
		if (strcmp(p->reason, why)) {
			snprintf(p->reason, sizeof(p->reason), "%s", why);
			log_info("policy: %s", why);
		}
		return;
	}
	if (i < 0) {
		if (!p->all_down) {
			p->all_down = true;
			snprintf(p->reason, sizeof(p->reason), "%s", why);
			log_warn("policy: %s", why);
		}
		return;
	}
	p->all_down = false;
	nu = ups[i];
	by_prefer = c[i].preferred && cand_usable(&c[i]);

	/*
	 * The whole desired state, every run: route.c writes only what differs from
	 * what it installed or adopted (a new next hop of the same uplink, say). IPv6
	 * follows the IPv4 choice; an uplink without an IPv6 next hop takes our IPv6
	 * default route away rather than leaving it on the uplink it failed over from.
	 */
	want_default(p, AF_INET, &nu, 1);
	want_default(p, AF_INET6, &nu, uplink_routable(nu, AF_INET6) ? 1 : 0);
	t0 = loop_clock_monotonic();
	err = route_set_default(d, AF_INET, &nu, 1, kmsg, sizeof(kmsg));
	t1 = loop_clock_monotonic();
	if (err < 0) {
		report_error(d, nu->cfg.name, AF_INET, err, kmsg);
		return;
	}
	kmsg[0] = '\0';
	if (p->want.ndef[1])
		err = route_set_default(d, AF_INET6, &nu, 1, kmsg, sizeof(kmsg));
	else
		err = route_clear_default(d, AF_INET6, kmsg, sizeof(kmsg));
	if (err < 0)
		report_error(d, nu->cfg.name, AF_INET6, err, kmsg);
	if (nu == prev) {
		/* the pin was lifted or the pinned uplink's state moved: say so now */
		if ((by_prefer || p->by_prefer) && strcmp(p->reason, why)) {
			snprintf(p->reason, sizeof(p->reason), "%s", why);
			log_info("policy: %s", why);
		}
		p->by_prefer = by_prefer;
		return;
	}
	p->by_prefer = by_prefer;
	p->last_swap_us = (t1 - t0) / NSEC_PER_USEC;

	for (j = 0; j < n; j++)
		ups[j]->active = false;
	nu->active = true;
	nu->switches++;
	nu->active_since_ms = loop_clock_realtime_ms();
	p->switches++;
	p->changed_ms = nu->active_since_ms;
	switch_reason(prev, nu, prev_routable, why, reason, sizeof(reason));
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
	log_notice("policy: default route %s -> %s: %s", prev ? prev->cfg.name : "none",
		   nu->cfg.name, reason);
	publish_active(d, nu->cfg.name, prev ? prev->cfg.name : "none", reason);
	flush_conntrack(d, prev);
}

static void names_join(struct uplink *const *ups, size_t n, char *buf, size_t len)
{
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s%s", i ? "," : "", ups[i]->cfg.name);
	}
}

/* Balance: every up uplink (else every degraded one), by weight, in config order. */
static void policy_run_balance(struct daemon *d, struct uplink **ups, struct policy_cand *c,
			       size_t n)
{
	struct policy *p = d->policy;
	struct uplink *set[POLICY_MAX_BALANCE], *set6[POLICY_MAX_BALANCE];
	struct uplink *old[POLICY_MAX_BALANCE];
	size_t k = 0, k6 = 0, ko = 0, i;
	char now_s[256], old_s[256], reason[sizeof(((struct policy *)0)->reason)], kmsg[256] = "";
	enum health_state want;
	bool same = true, any_settled = false;
	uint64_t t0;
	int err;

	for (i = 0; i < n; i++) {
		if (ups[i]->active && ko < POLICY_MAX_BALANCE)
			old[ko++] = ups[i];
		if (cand_usable(&c[i]) && c[i].state == HEALTH_UP && (c[i].settled || c[i].current))
			any_settled = true;
	}
	for (want = HEALTH_UP; want >= HEALTH_DEGRADED && !k; want--) {
		for (i = 0; i < n && k < POLICY_MAX_BALANCE; i++) {
			if (!cand_usable(&c[i]) || c[i].state != want)
				continue;
			if (want == HEALTH_UP && any_settled && !c[i].settled && !c[i].current)
				continue; /* joins once settled */
			set[k++] = ups[i];
		}
	}
	for (i = 0; i < k; i++)
		if (uplink_routable(set[i], AF_INET6))
			set6[k6++] = set[i];
	if (!k) {
		want_keep(p);
		if (!p->all_down) {
			p->all_down = true;
			snprintf(p->reason, sizeof(p->reason),
				 "all uplinks down; keeping the current default route");
			log_warn("policy: %s", p->reason);
		}
		return;
	}
	p->all_down = false;
	want_default(p, AF_INET, set, k);
	want_default(p, AF_INET6, set6, k6);
	p->want.keep[1] = !k6; /* balance leaves IPv6 as it is when no uplink has it */
	if (k != ko)
		same = false;
	for (i = 0; same && i < k; i++)
		same = set[i] == old[i];
	if (same)
		return;

	t0 = loop_clock_monotonic();
	err = route_set_default(d, AF_INET, set, k, kmsg, sizeof(kmsg));
	p->last_swap_us = (loop_clock_monotonic() - t0) / NSEC_PER_USEC;
	names_join(set, k, now_s, sizeof(now_s));
	if (err < 0) {
		report_error(d, now_s, AF_INET, err, kmsg);
		return;
	}
	if (k6) {
		kmsg[0] = '\0';
		err = route_set_default(d, AF_INET6, set6, k6, kmsg, sizeof(kmsg));
		if (err < 0)
			report_error(d, now_s, AF_INET6, err, kmsg);
	}
	names_join(old, ko, old_s, sizeof(old_s));
	for (i = 0; i < n; i++)
		ups[i]->active = false;
	for (i = 0; i < k; i++) {
		bool was = false;
		size_t j;

		for (j = 0; j < ko; j++)
			was |= old[j] == set[i];
		set[i]->active = true;
		if (!was) {
			set[i]->switches++;
			set[i]->active_since_ms = loop_clock_realtime_ms();
		}
	}
	p->switches++;
	p->changed_ms = loop_clock_realtime_ms();
	snprintf(reason, sizeof(reason), "balancing over %s (%s)", now_s,
		 health_state_names[set[0]->health.state]);
	for (i = 0; i < ko; i++) {
		if (!old[i]->active) {
			size_t used = strlen(reason);

			snprintf(reason + used, sizeof(reason) - used, "; %s %s: %s",
				 old[i]->cfg.name, health_state_names[old[i]->health.state],
				 old[i]->health.reason);
		}
	}
	snprintf(p->reason, sizeof(p->reason), "%s", reason);
	log_notice("policy: %s", reason);
	publish_active(d, now_s, ko ? old_s : "none", reason);
	for (i = 0; i < ko; i++)
		if (!old[i]->active)
			flush_conntrack(d, old[i]);
}

void policy_run(struct daemon *d)
{
	struct policy *p = d->policy;
	struct policy_cand *c = NULL, *c6 = NULL;
	struct uplink **ups = NULL, *u;
	struct policy_listener *l, *ln;
	size_t n, i = 0;

	if (!p)
		return;
	n = uplinks_count(d);
	if (!n)
		return;
	policy_adopt(d);
	c = calloc(n, sizeof(*c));
	c6 = calloc(n, sizeof(*c6));
	ups = calloc(n, sizeof(*ups));
	if (!c || !c6 || !ups) {
		log_err("policy: out of memory; keeping the current default route");
		goto out;
	}
	list_for_each_entry(u, &d->uplinks, node) {
		ups[i] = u;
		policy_cand_fill(d, u, AF_INET, &c[i]);
		i++;
	}
	/* new connections first (the inet uplinkd table), then routes and flushes: a flow
	 * flushed off a failed uplink must not be marked for it again meanwhile */
	policy_flow_run(d);
	if (d->cfg && d->cfg->policy.mode == POLICY_BALANCE)
		policy_run_balance(d, ups, c, n);
	else
		policy_run_failover(d, ups, c, n);
	/* then the steered prefixes, against the uplinks as they are after the switch
	 * (its event is on the bus already, so their actions follow it) */
	for (i = 0; i < n; i++) {
		policy_cand_fill(d, ups[i], AF_INET, &c[i]);
		policy_cand_fill(d, ups[i], AF_INET6, &c6[i]);
	}
	policy_prefix_run(d, ups, c, c6, n, &p->want.prefix, &p->want.nprefix);
	p->want.nuplinks = n < POLICY_MAX_UPLINKS ? n : POLICY_MAX_UPLINKS;
	p->want.balancing = policy_flow_shares(d, p->want.share, p->want.nuplinks);
	for (i = 0; i < p->want.nuplinks; i++)
		p->want.mark[i] = ups[i]->mark;
	p->want.run++;
	/* last: whoever follows the decision (tunnels) re-decides after it */
	list_for_each_entry_safe(l, ln, &p->listeners, node)
		l->ran(l);
out:
	free(c);
	free(c6);
	free(ups);
}

/* The operator named an uplink that does not exist: say which ones do (then TAIL). */
static int no_such_uplink(struct daemon *d, const char *name, const char *tail, char *err,
			  size_t errlen)
{
	struct uplink *u;
	size_t used;

	snprintf(err, errlen, "no uplink named \"%s\"; use one of:", name);
	list_for_each_entry(u, &d->uplinks, node) {
		used = strlen(err);
		snprintf(err + used, errlen - used, " %s", u->cfg.name);
	}
	used = strlen(err);
	snprintf(err + used, errlen - used, "%s", tail);
	return -ENOENT;
}

int policy_prefer(struct daemon *d, const char *name, const char *who, char *err,
		  size_t errlen)
{
	struct policy *p = d->policy;
	char reason[224];
	char *copy = NULL;

	if (!p) {
		snprintf(err, errlen, "policy is not running");
		return -ENOENT;
	}
	if (strcmp(name, "auto") != 0) {
		if (!uplink_find(d, name))
			return no_such_uplink(d, name, " or auto", err, errlen);
		copy = strdup(name);
		if (!copy) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
	}
	free(p->prefer);
	p->prefer = copy;
	if (copy)
		snprintf(reason, sizeof(reason),
			 "%s prefers %s; it carries the default route while not down",
			 who ? who : "operator", name);
	else
		snprintf(reason, sizeof(reason),
			 "%s cleared the preference; automatic choice", who ? who : "operator");
	log_notice("policy: %s", reason);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_ACTION,
						  .object = copy ? copy : "auto",
						  .new_state = "prefer", .reason = reason });
	policy_schedule(d);
	return 0;
}

static struct policy_off *off_find(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->noff; i++)
		if (strcmp(p->off[i].name, name) == 0)
			return &p->off[i];
	return NULL;
}

bool policy_disabled(const struct daemon *d, const char *name, const char **who,
		     uint64_t *since_ms)
{
	const struct policy_off *o = d->policy ? off_find(d->policy, name) : NULL;

	if (o && who)
		*who = o->who;
	if (o && since_ms)
		*since_ms = o->since_ms;
	return o != NULL;
}

int policy_admin(struct daemon *d, const char *name, bool disable, const char *who, char *err,
		 size_t errlen)
{
	struct policy *p = d->policy;
	struct policy_off *o, *grown;
	char reason[256];

	if (!p) {
		snprintf(err, errlen, "policy is not running");
		return -ENOENT;
	}
	who = who ? who : "operator";
	if (!uplink_find(d, name))
		return no_such_uplink(d, name, "", err, errlen);
	o = off_find(p, name);
	if (disable && !o) {
		grown = realloc(p->off, (p->noff + 1) * sizeof(*p->off));
		if (!grown) {
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		p->off = grown;
		o = &p->off[p->noff];
		o->name = strdup(name);
		o->who = strdup(who);
		if (!o->name || !o->who) {
			free(o->name);
			free(o->who);
			snprintf(err, errlen, "out of memory");
			return -ENOMEM;
		}
		o->since_ms = loop_clock_realtime_ms();
		p->noff++;
		snprintf(reason, sizeof(reason), "%s disabled %s: out of service until enabled",
			 who, name);
	} else if (!disable && o) {
		free(o->name);
		free(o->who);
		*o = p->off[--p->noff];
		snprintf(reason, sizeof(reason), "%s enabled %s: back in service", who, name);
	} else {
		return 0; /* already so: nothing to journal */
	}
	log_notice("policy: %s", reason);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_ACTION, .object = name,
						  .new_state = disable ? "disabled" : "enabled",
						  .reason = reason });
	policy_schedule(d);
	return 0;
}

const char *policy_prefer_get(const struct daemon *d)
{
	return d->policy ? d->policy->prefer : NULL;
}

const char *policy_reason(const struct daemon *d)
{
	return d->policy ? d->policy->reason : "";
}

uint64_t policy_changed_ms(const struct daemon *d)
{
	return d->policy ? d->policy->changed_ms : 0;
}

uint64_t policy_switches(const struct daemon *d)
{
	return d->policy ? d->policy->switches : 0;
}

uint64_t policy_last_swap_us(const struct daemon *d)
{
	return d->policy ? d->policy->last_swap_us : 0;
}
