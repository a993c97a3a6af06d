// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: policy_prefix.c - steered prefixes: decide, then hand to the actuator
 *
 * Owns struct policy_prefix (d->pprefix): per steered prefix, the uplinks
 * whose view of it is avoided now and those held down after their anomaly
 * ended (until then + the uplink's hold_down_s), a timer that asks for a policy
 * run when the first hold-down ends, and the desired list of the last run.
 * Subscribes to the bus for BUS_STEER (BUS_STEER_PREFIX) only to note the
 * request and ask for a policy run (policy_schedule, through the rerun callback
 * it was given: no include, no cycle); it never acts inside delivery. The
 * choice is policy_rank_prefix() (policy_rank.c); the kernel work is
 * route_prefix_sync() (route_prefix.c). Called by policy.c (init, destroy,
 * every run).
 */
#include "policy_prefix.h"
#include "bus.h"
#include "daemon.h"
#include "log.h"
#include "route.h"
#include "uplink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define PP_MAX_VIEWS 16  /* uplinks named per prefix (config.c allows 1..16 uplinks) */
#define PP_MAX_UPLINKS 16

struct pp_view {
	char uplink[32];
	bool avoided;
	uint64_t held_until_ns; /* monotonic; 0: not held down */
};

struct pp_entry {
	struct list_head node;
	char name[64];
	int family;
	struct pp_view v[PP_MAX_VIEWS];
	size_t nv;
};

struct policy_prefix {
	struct daemon *d;
	void (*rerun)(struct daemon *d);
	struct bus_sub sub;
	struct loop_timer hold; /* the first hold-down to end: run the policy again */
	struct list_head entries; /* struct pp_entry */
	struct route_prefix_want *want; /* the last run's desired routes */
	size_t nwant;
};

static struct pp_entry *pp_get(struct policy_prefix *pp, const char *name)
{
	union inet_addr dst;
	struct pp_entry *e;
	uint8_t len;

	list_for_each_entry(e, &pp->entries, node)
		if (!strcmp(e->name, name))
			return e;
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (strlen(name) >= sizeof(e->name) ||
	    route_prefix_parse(name, &e->family, &dst, &len) < 0) {
		log_warn("bgp route: \"%s\" is not a prefix; ignored", name);
		free(e);
		return NULL;
	}
	strcpy(e->name, name);
	list_add_tail(&e->node, &pp->entries);
	return e;
}

static struct pp_view *view_get(struct pp_entry *e, const char *uplink)
{
	size_t i;

	for (i = 0; i < e->nv; i++)
		if (!strcmp(e->v[i].uplink, uplink))
			return &e->v[i];
	if (e->nv == PP_MAX_VIEWS || strlen(uplink) >= sizeof(e->v[0].uplink))
		return NULL;
	memset(&e->v[e->nv], 0, sizeof(e->v[0]));
	strcpy(e->v[e->nv].uplink, uplink);
	return &e->v[e->nv++];
}

/* Note the request; the policy run decides (deferred: never inside delivery). */
static void pp_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct policy_prefix *pp = container_of(s, struct policy_prefix, sub);
	struct daemon *d = pp->d;
	struct pp_entry *e;
	struct pp_view *v;
	struct uplink *u;

	if (ev->type != BUS_STEER || ev->steer != BUS_STEER_PREFIX || !ev->target ||
	    !ev->old_state || !ev->new_state)
		return;
	e = pp_get(pp, ev->target);
	v = e ? view_get(e, ev->old_state) : NULL;
	if (!v)
		return;
	if (!strcmp(ev->new_state, "avoid")) {
		v->avoided = true;
		v->held_until_ns = 0;
	} else if (v->avoided) {
		/* like a failure: unused for the uplink's hold-down after the anomaly ends,
		 * so a flapping announcement does not flap the route */
		u = uplink_find(d, v->uplink);
		v->avoided = false;
		v->held_until_ns = loop_now(&d->loop) +
				   (uint64_t)(u ? u->cfg.health.hold_down_s : 0) * NSEC_PER_SEC;
	}
	pp->rerun(d);
}

static void pp_hold_timer(struct loop_timer *t)
{
	struct policy_prefix *pp = container_of(t, struct policy_prefix, hold);

	pp->rerun(pp->d);
}

void policy_prefix_run(struct daemon *d, struct uplink *const *ups, const struct policy_cand *c4,
		       const struct policy_cand *c6, size_t n,
		       const struct route_prefix_want **want, size_t *nwant)
{
	struct policy_prefix *pp = d->pprefix;
	struct policy_prefix_view v[PP_MAX_UPLINKS];
	uint64_t now = loop_now(&d->loop), next = 0;
	struct pp_entry *e, *tmp;
	struct route_prefix_want *w;
	size_t k = 0, i, j, cnt = 0;
	int best;

	*want = NULL;
	*nwant = 0;
	if (!pp)
		return;
	if (n > PP_MAX_UPLINKS)
		n = PP_MAX_UPLINKS;
	list_for_each_entry(e, &pp->entries, node)
		cnt++;
	w = calloc(cnt ? cnt : 1, sizeof(*w));
	if (!w) {
		log_err("policy: out of memory deciding the steered prefixes; their routes stay");
		return;
	}
	list_for_each_entry_safe(e, tmp, &pp->entries, node) {
		bool any = false;

		for (i = 0; i < n; i++) {
			v[i] = (struct policy_prefix_view){ 0 };
			for (j = 0; j < e->nv; j++) {
				struct pp_view *pv = &e->v[j];

				if (strcmp(pv->uplink, ups[i]->cfg.name))
					continue;
				v[i].avoided = pv->avoided;
				v[i].held_down = !pv->avoided && pv->held_until_ns > now;
				if (v[i].held_down && (!next || pv->held_until_ns < next))
					next = pv->held_until_ns;
			}
		}
		/* views neither avoided nor held down any more are forgotten */
		for (j = 0; j < e->nv;) {
			if (e->v[j].avoided || e->v[j].held_until_ns > now) {
				any = true;
				j++;
			} else {
				e->v[j] = e->v[--e->nv];
			}
		}
		snprintf(w[k].name, sizeof(w[k].name), "%s", e->name);
		best = policy_rank_prefix(e->family == AF_INET6 ? c6 : c4, n, v, w[k].reason,
					  sizeof(w[k].reason));
		if (best >= 0)
			snprintf(w[k].via, sizeof(w[k].via), "%s", ups[best]->cfg.name);
		k++;
		if (!any) { /* nothing to remember; the actuator removes its route */
			list_del(&e->node);
			free(e);
		}
	}
	if (next)
		loop_timer_set(&d->loop, &pp->hold, next);
	else
		loop_timer_cancel(&d->loop, &pp->hold);
	free(pp->want);
	pp->want = w;
	pp->nwant = k;
	*want = w;
	*nwant = k;
	if (d->route_prefix)
		route_prefix_sync(d, w, k);
}

int policy_prefix_init(struct daemon *d, void (*rerun)(struct daemon *d))
{
	struct policy_prefix *pp = calloc(1, sizeof(*pp));

	if (!pp)
		return -ENOMEM;
	pp->d = d;
	pp->rerun = rerun;
	list_init(&pp->entries);
	loop_timer_init(&pp->hold, pp_hold_timer);
	pp->sub.cb = pp_event;
	bus_subscribe(&d->bus, &pp->sub);
	d->pprefix = pp;
	return 0;
}

void policy_prefix_destroy(struct daemon *d)
{
	struct policy_prefix *pp = d->pprefix;
	struct pp_entry *e, *n;

	if (!pp)
		return;
	bus_unsubscribe(&pp->sub);
	loop_timer_cancel(&d->loop, &pp->hold);
	list_for_each_entry_safe(e, n, &pp->entries, node) {
		list_del(&e->node);
		free(e);
	}
	free(pp->want);
	free(pp);
	d->pprefix = NULL;
}
