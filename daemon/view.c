// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: view.c - the plugins' read-only view of uplinks, policy and status
 *
 * Copies what plugins may know of the core (uplink names, state, reason,
 * activity, link, measurements, per-target counters, the policy's last
 * decision) into the caller's structs; changes nothing. For a monitor that
 * steers (IPsec) it also relays the policy's "ran" news and hands a tunnel's
 * paths to the core's one ranking (policy_rank.c). Reads uplink.c, health.c,
 * policy.c, policy_rank.c, status.c and journal.c. Used by the web plugin
 * (web.c, web_api.c, metrics_daemon.c) and the IPsec plugin (ipsec.c,
 * ipsec_path.c); any plugin may use it.
 */
#include "view.h"
#include "daemon.h"
#include "health.h"
#include "journal.h"
#include "policy.h"
#include "policy_rank.h"
#include "status.h"
#include "uplink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

_Static_assert((int)VIEW_DOWN == (int)HEALTH_DOWN &&
		       (int)VIEW_DEGRADED == (int)HEALTH_DEGRADED &&
		       (int)VIEW_UP == (int)HEALTH_UP &&
		       (int)VIEW_STATE_MAX == (int)HEALTH_STATE_MAX,
	       "view_state mirrors health_state");

const char *const view_state_names[VIEW_STATE_MAX] = {
	[VIEW_DOWN] = "down",
	[VIEW_DEGRADED] = "degraded",
	[VIEW_UP] = "up",
};

static const char *const mode_names[] = {
	[POLICY_FAILOVER] = "failover",
	[POLICY_BALANCE] = "balance",
};

const char *view_state_name(enum view_state s)
{
	return (unsigned int)s < VIEW_STATE_MAX ? view_state_names[s] : "?";
}

const struct uplink *view_uplink_next(const struct daemon *d, const struct uplink *prev)
{
	const struct list_head *next = prev ? prev->node.next : d->uplinks.next;

	return next == &d->uplinks ? NULL : container_of(next, const struct uplink, node);
}

size_t view_uplink_count(const struct daemon *d)
{
	const struct uplink *u;
	size_t n = 0;

	view_for_each_uplink(d, u)
		n++;
	return n;
}

const struct uplink *view_uplink_find(const struct daemon *d, const char *name)
{
	const struct uplink *u;

	view_for_each_uplink(d, u)
		if (!strcmp(u->cfg.name, name))
			return u;
	return NULL;
}

void view_uplink_get(const struct uplink *u, struct view_uplink *v)
{
	const char *prefer = u->d->policy ? policy_prefer_get(u->d) : NULL;
	struct health_metrics m;

	memset(v, 0, sizeof(*v));
	health_metrics(&u->health, &m);
	v->name = u->cfg.name;
	v->interface = u->cfg.interface;
	v->pos = u->pos;
	v->priority = u->cfg.priority;
	v->weight = u->cfg.weight;
	v->state = (enum view_state)u->health.state;
	v->settled = u->health.settled;
	v->reason = u->health.reason;
	v->state_since_ms = u->state_since_ms;
	v->active = u->active;
	v->active_since_ms = u->active_since_ms;
	v->switches = u->switches;
	v->preferred = prefer && !strcmp(prefer, u->cfg.name);
	v->disabled = u->d->policy &&
		      policy_disabled(u->d, u->cfg.name, &v->disabled_by, &v->disabled_since_ms);
	if (!v->disabled) {
		v->disabled_by = NULL;
		v->disabled_since_ms = 0;
	}
	v->present = u->link.ifindex != 0;
	v->carrier = u->link.carrier;
	v->routable4 = uplink_routable(u, AF_INET);
	v->routable6 = uplink_routable(u, AF_INET6);
	v->has_addr4 = u->link.has_addr4;
	v->has_addr6 = u->link.has_addr6;
	v->addr4 = u->link.addr4;
	v->addr6 = u->link.addr6;
	v->rtt_ms = m.rtt_ms;
	v->rtt_p95_ms = m.rtt_p95_ms;
	v->loss_pct = m.loss_pct;
	v->jitter_ms = m.rtt_ms < 0 ? -1 : m.jitter_ms;
	v->ntargets = u->health.ntargets;
}

void view_target_get(const struct uplink *u, size_t idx, struct view_target *t)
{
	struct health_target_metrics tm;
	size_t b, first = 0;

	memset(t, 0, sizeof(*t));
	t->uplink = u->cfg.name;
	if (idx >= u->health.ntargets)
		return;
	for (b = 0; b < u->cfg.probes.n; b++) {
		const struct cfg_probe *p = (const struct cfg_probe *)u->cfg.probes.v + b;

		first += cfg_probe_ntargets(p);
		if (idx < first) {
			t->method = p->method;
			break;
		}
	}
	health_target_metrics(&u->health, idx, &tm);
	t->target = u->health.t[idx].name;
	t->sent = tm.sent;
	t->answered = tm.answered;
	t->rtt_ms = tm.rtt_ms;
	t->loss_pct = tm.loss_pct;
	t->jitter_ms = tm.jitter_ms;
}

void view_uplink_names(const struct daemon *d, char *buf, size_t len)
{
	const struct uplink *u;
	size_t off = 0;

	if (!len)
		return;
	buf[0] = '\0';
	view_for_each_uplink(d, u) {
		int n = snprintf(buf + off, len - off, "%s%s", off ? " " : "", u->cfg.name);

		if (n < 0 || (size_t)n >= len - off) {
			buf[off] = '\0'; /* whole names only */
			return;
		}
		off += (size_t)n;
	}
}

void view_policy_get(const struct daemon *d, struct view_policy *p)
{
	int mode = d->cfg ? d->cfg->policy.mode : POLICY_FAILOVER;

	memset(p, 0, sizeof(*p));
	p->mode = mode >= 0 && (size_t)mode < sizeof(mode_names) / sizeof(mode_names[0]) ?
			  mode_names[mode] : "?";
	if (!d->policy)
		return;
	p->reason = policy_reason(d);
	p->prefer = policy_prefer_get(d);
	p->changed_ms = policy_changed_ms(d);
	p->switches = policy_switches(d);
}

struct json_object *view_status(struct daemon *d)
{
	return status_build(d);
}

struct json_object *view_event_json(const struct bus_event *ev)
{
	return journal_event_json(ev);
}

struct json_object *view_events(struct daemon *d, size_t count)
{
	return journal_last(d, count);
}

struct view_listener_core {
	struct policy_listener pl;
	struct view_policy_listener *l;
};

static void listener_ran(struct policy_listener *pl)
{
	struct view_listener_core *c = container_of(pl, struct view_listener_core, pl);

	c->l->ran(c->l);
}

int view_policy_listen(struct daemon *d, struct view_policy_listener *l)
{
	struct view_listener_core *c = calloc(1, sizeof(*c));

	if (!c)
		return -ENOMEM;
	c->l = l;
	c->pl.ran = listener_ran;
	l->core = c;
	policy_listen(d, &c->pl);
	return 0;
}

void view_policy_unlisten(struct view_policy_listener *l)
{
	struct view_listener_core *c = l->core;

	if (!c)
		return;
	policy_unlisten(&c->pl);
	free(c);
	l->core = NULL;
}

size_t view_rank_paths(const struct daemon *d, const char *const *names, size_t n,
		       const struct view_path *p, size_t np, size_t *order)
{
	struct policy_cand *c = calloc(n ? n : 1, sizeof(*c));
	struct policy_path *pp = calloc(np ? np : 1, sizeof(*pp));
	size_t i, k = 0;

	if (!c || !pp)
		goto out;
	for (i = 0; i < n; i++) {
		const struct uplink *u = view_uplink_find(d, names[i]);

		c[i] = (struct policy_cand){ .name = names[i], .state = HEALTH_DOWN };
		if (!u)
			continue;
		policy_cand_fill(d, u, AF_INET, &c[i]);
		c[i].routable &= u->link.has_addr4; /* the tunnel's local address */
	}
	for (i = 0; i < np; i++)
		pp[i] = (struct policy_path){ .cand = p[i].uplink, .remote = p[i].remote,
					      .held_down = p[i].held_down,
					      .avoided = p[i].avoided };
	k = policy_rank_paths(c, n, pp, np, order);
out:
	free(c);
	free(pp);
	return k;
}
