// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: uplinks.c - runtime uplinks: create, diff on reload, destroy, notify
 *
 * Owns the lifecycle of struct uplink. Reload diffs by name (netifd's vlist,
 * BIRD's reconfigure): an uplink whose configuration is unchanged keeps its
 * health windows and hold-down; one whose probes or health settings changed
 * gets fresh ones; one whose only changes are priority, weight or
 * flush_conntrack is updated in place; any other change (position, table,
 * mark, interface) restarts its probes on the new fwmark. Health changes
 * reach it through u->health_changed (set here, invoked by probe.c), link
 * changes through uplink_link_changed (given to link_init by daemon.c).
 * Calls health.c, probe.c, link.c, route.c and policy.c; called by daemon.c.
 */
#include "uplinks.h"
#include "bus.h"
#include "daemon.h"
#include "link.h"
#include "log.h"
#include "policy.h"
#include "probe.h"
#include "route.h"
#include "schema.h"
#include "uplink.h"

#include <errno.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* ---- probes and health ---- */

static size_t uplink_ntargets(const struct cfg_uplink *c)
{
	size_t i, n = 0;

	for (i = 0; i < c->probes.n; i++)
		n += cfg_probe_ntargets((const struct cfg_probe *)c->probes.v + i);
	return n;
}

static void probes_stop(struct uplink *u)
{
	size_t i;

	for (i = 0; i < u->nprobes; i++)
		probe_run_stop(u->probes[i]);
	free(u->probes);
	u->probes = NULL;
	u->nprobes = 0;
	loop_timer_cancel(&u->d->loop, &u->expiry);
}

static int probes_start(struct uplink *u)
{
	size_t i, first = 0;

	u->probes = calloc(u->cfg.probes.n ? u->cfg.probes.n : 1, sizeof(*u->probes));
	if (!u->probes)
		return -ENOMEM;
	u->probes_ifindex = (int)if_nametoindex(u->cfg.interface);
	for (i = 0; i < u->cfg.probes.n; i++) {
		const struct cfg_probe *p = (const struct cfg_probe *)u->cfg.probes.v + i;

		u->probes[i] = probe_run_start(u, p, first);
		if (!u->probes[i] && u->probes_ifindex)
			log_err("%s: cannot start %s probes; the uplink is judged on the others",
				u->cfg.name, p->method);
		else if (!u->probes[i]) /* no interface: started again when it appears */
			log_info("%s: %s probes wait for %s", u->cfg.name, p->method,
				 u->cfg.interface);
		u->nprobes++;
		first += cfg_probe_ntargets(p);
	}
	return 0;
}

static int health_start(struct uplink *u)
{
	const struct cfg_probe *p0 = u->cfg.probes.v;
	struct health_params hp = {
		.interval_ms = p0 ? p0->interval_ms : 1000,
		.timeout_ms = p0 ? p0->timeout_ms : 1000,
		.down_after = u->cfg.health.down_after,
		.up_after = u->cfg.health.up_after,
		.min_targets = u->cfg.health.min_targets,
		.hold_down_s = u->cfg.health.hold_down_s,
		.window = u->cfg.health.window,
		.degraded_loss_pct = u->cfg.health.degraded_loss_pct,
		.degraded_rtt_ms = u->cfg.health.degraded_rtt_ms,
		.degraded_jitter_ms = u->cfg.health.degraded_jitter_ms,
		.min_speed_mbps = u->cfg.health.min_speed_mbps,
		.degraded_errors_per_min = u->cfg.health.degraded_errors_per_min,
	};
	size_t n = uplink_ntargets(&u->cfg), i, j, k = 0;
	const char **names = calloc(n ? n : 1, sizeof(*names));
	int err;

	if (!names)
		return -ENOMEM;
	for (i = 0; i < u->cfg.probes.n; i++) {
		const struct cfg_probe *p = (const struct cfg_probe *)u->cfg.probes.v + i;

		for (j = 0; j < cfg_probe_ntargets(p); j++)
			names[k++] = cfg_probe_target(p, j);
	}
	err = health_init(&u->health, &hp, n, names, loop_now(&u->d->loop));
	free(names);
	if (!err)
		health_set_ifname(&u->health, u->cfg.interface);
	if (!err && !u->link.carrier && u->link.ifindex)
		health_set_carrier(&u->health, false, loop_now(&u->d->loop));
	return err;
}

/* ---- create / destroy ---- */

static void uplink_resolve(struct uplink *u)
{
	u->table = u->cfg.table ? (uint32_t)u->cfg.table : 100 + (uint32_t)u->pos + 1;
	u->mark = u->cfg.mark ? (uint32_t)u->cfg.mark : u->table;
}

static struct uplink *uplink_create(struct daemon *d, const struct cfg_uplink *c, size_t pos)
{
	struct uplink *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	u->d = d;
	u->pos = pos;
	u->health_changed = uplink_health_changed;
	list_init(&u->node);
	loop_timer_init(&u->expiry, NULL);
	if (schema_copy(config_uplink_keys, &u->cfg, c) < 0)
		goto err;
	uplink_resolve(u);
	u->link.carrier = true; /* until link.c says otherwise */
	if (health_start(u) < 0)
		goto err;
	u->state_since_ms = loop_clock_realtime_ms();
	if (probes_start(u) < 0)
		goto err_health;
	log_info("%s: created on %s (table %u, mark %u, priority %d)", u->cfg.name,
		 u->cfg.interface, u->table, u->mark, u->cfg.priority);
	return u;

err_health:
	health_destroy(&u->health);
err:
	schema_free(config_uplink_keys, &u->cfg);
	free(u);
	return NULL;
}

static void uplink_destroy(struct uplink *u)
{
	if (!u)
		return;
	probes_stop(u);
	health_destroy(&u->health);
	schema_free(config_uplink_keys, &u->cfg);
	free(u);
}

/* ---- reload ---- */

/* Fields that need no restart of probes, health or routes. */
static bool only_soft_changes(const struct cfg_uplink *a, const struct cfg_uplink *b)
{
	struct cfg_uplink x = *a;

	x.priority = b->priority;
	x.weight = b->weight;
	x.flush_conntrack = b->flush_conntrack;
	return schema_equal(config_uplink_keys, &x, b);
}

static bool probes_or_health_changed(const struct cfg_uplink *a, const struct cfg_uplink *b)
{
	const struct cfg_key *k;

	for (k = config_uplink_keys; k->name; k++) {
		struct cfg_key one[2] = { *k, CFG_END };

		if ((!strcmp(k->name, "probes") || !strcmp(k->name, "health")) &&
		    !schema_equal(one, a, b))
			return true;
	}
	return false;
}

static int uplink_update(struct uplink *u, const struct cfg_uplink *c, size_t pos)
{
	struct cfg_uplink copy;
	bool restart_health, iface_changed, table_changed, mark_changed;
	uint32_t old_table = u->table, old_mark = u->mark;

	if (u->pos == pos && schema_equal(config_uplink_keys, &u->cfg, c))
		return 0;
	memset(&copy, 0, sizeof(copy));
	if (schema_copy(config_uplink_keys, &copy, c) < 0) {
		schema_free(config_uplink_keys, &copy);
		return -ENOMEM;
	}
	if (only_soft_changes(&u->cfg, c) && u->pos == pos) {
		/* probe instances keep pointers into u->cfg: change only these fields */
		u->cfg.priority = c->priority;
		u->cfg.weight = c->weight;
		u->cfg.flush_conntrack = c->flush_conntrack;
		schema_free(config_uplink_keys, &copy);
		log_info("%s: priority/weight/flush settings updated", u->cfg.name);
		return 0;
	}
	restart_health = probes_or_health_changed(&u->cfg, c);
	iface_changed = strcmp(u->cfg.interface, c->interface) != 0;
	/*
	 * Probe sockets carry the fwmark they were opened with and plugin instances
	 * point into u->cfg: any change beyond the soft ones (a new position moves the
	 * default table and mark, table/mark set explicitly) restarts the probes, while
	 * health keeps its windows unless the probes or health settings changed.
	 */
	probes_stop(u);
	if (u->d->route)
		route_uplink_remove(u->d, u); /* rules/tables of the old settings */
	schema_free(config_uplink_keys, &u->cfg);
	u->cfg = copy;
	u->pos = pos;
	uplink_resolve(u);
	table_changed = old_table != u->table;
	mark_changed = old_mark != u->mark;
	if (iface_changed) {
		memset(&u->link, 0, sizeof(u->link));
		u->link.carrier = true;
		if (u->d->link)
			link_uplink_added(u->d, u);
	}
	if (restart_health) {
		health_destroy(&u->health);
		u->probe_phase_ns = 0;
		if (health_start(u) < 0)
			return -ENOMEM;
		u->state_since_ms = loop_clock_realtime_ms();
	}
	probes_start(u);
	log_info("%s: reconfigured%s%s%s%s", u->cfg.name,
		 restart_health ? " (new probes and health)" : " (probes restarted)",
		 iface_changed ? " (new interface)" : "", table_changed ? " (new table)" : "",
		 mark_changed ? " (new mark)" : "");
	return 0;
}

int uplinks_apply(struct daemon *d, const struct config *cfg)
{
	struct list_head keep;
	struct uplink *u, *n;
	size_t i;
	int err = 0;

	/* removed uplinks go first, so their tables and rules are free */
	list_for_each_entry_safe(u, n, &d->uplinks, node) {
		if (config_find_uplink(cfg, u->cfg.name))
			continue;
		log_notice("%s: removed from the configuration", u->cfg.name);
		if (d->route)
			route_uplink_remove(d, u);
		list_del(&u->node);
		uplink_destroy(u);
	}

	list_init(&keep);
	for (i = 0; i < cfg->uplinks.n; i++) {
		const struct cfg_uplink *c = config_uplink(cfg, i);

		u = uplink_find(d, c->name);
		if (u) {
			list_del(&u->node);
			if (uplink_update(u, c, i) < 0)
				err = -ENOMEM;
		} else {
			u = uplink_create(d, c, i);
			if (!u) {
				err = -ENOMEM;
				continue;
			}
			if (d->link)
				link_uplink_added(d, u);
		}
		list_add_tail(&u->node, &keep);
	}
	/* config order */
	list_for_each_entry_safe(u, n, &keep, node) {
		list_del(&u->node);
		list_add_tail(&u->node, &d->uplinks);
	}
	if (d->route)
		list_for_each_entry(u, &d->uplinks, node)
			route_uplink_sync(d, u);
	if (d->policy)
		policy_schedule(d);
	return err;
}

void uplinks_destroy(struct daemon *d)
{
	struct uplink *u, *n;

	list_for_each_entry_safe(u, n, &d->uplinks, node) {
		list_del(&u->node);
		uplink_destroy(u);
	}
}

/* ---- changes ---- */

void uplink_health_changed(struct uplink *u, enum health_state old)
{
	struct bus_event ev = {
		.type = BUS_UPLINK_STATE,
		.object = u->cfg.name,
		.old_state = health_state_names[old],
		.new_state = health_state_names[u->health.state],
		.reason = u->health.reason,
	};

	if (old != u->health.state) {
		u->state_since_ms = loop_clock_realtime_ms();
		log_notice("%s: %s -> %s: %s", u->cfg.name, ev.old_state, ev.new_state,
			   u->health.reason);
		bus_publish(&u->d->bus, &ev);
	}
	if (u->d->policy)
		policy_schedule(u->d);
}

void uplink_link_changed(struct uplink *u, unsigned int what)
{
	struct daemon *d = u->d;
	uint64_t now = loop_now(&d->loop);
	enum health_state old = u->health.state;
	bool changed = false;

	if ((what & LINK_CHG_IFINDEX) && u->link.ifindex != u->probes_ifindex) {
		/* sockets bound to a vanished device see nothing: rebind */
		log_info("%s: %s %s (ifindex %d)", u->cfg.name, u->cfg.interface,
			 u->link.ifindex ? "appeared" : "disappeared", u->link.ifindex);
		probes_stop(u);
		probes_start(u);
	}
	if (what & (LINK_CHG_CARRIER | LINK_CHG_IFINDEX))
		changed |= health_set_carrier(&u->health, u->link.ifindex && u->link.carrier, now);
	if (what & LINK_CHG_QUALITY)
		changed |= health_set_link(&u->health, &u->link.lq, now);
	/* the main default route follows at the policy run scheduled below */
	if ((what & (LINK_CHG_IFINDEX | LINK_CHG_ADDR | LINK_CHG_GW)) && d->route)
		route_uplink_sync(d, u);
	if ((what & LINK_CHG_UP) && d->route)
		route_reassert_soon(d); /* what the kernel dropped silently goes back */
	if (changed)
		uplink_health_changed(u, old);
	else if (d->policy && (what & (LINK_CHG_IFINDEX | LINK_CHG_ADDR | LINK_CHG_GW |
				       LINK_CHG_CARRIER)))
		policy_schedule(d); /* routability may have changed */
}
