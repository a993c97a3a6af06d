// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: status.c - the status object of `uplinkctl status --json` and GET /api/status
 *
 * Owns the shape of the stable status object (DESIGN.md): uplinks[] with name,
 * state, active, rtt_ms, loss_pct, jitter_ms, reason; tunnels[]; bgp.alerts[];
 * plus policy and per-uplink details. Reads uplinks, health and policy; called
 * by control.c, main.c (SIGUSR1) and the web plugin.
 */
#include "status.h"
#include "daemon.h"
#include "health.h"
#include "policy.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <math.h>
#include <string.h>
#include <sys/socket.h>

#ifndef UPLINKD_VERSION
#define UPLINKD_VERSION "0.1"
#endif

static const char *const mode_names[] = { [POLICY_FAILOVER] = "failover",
					  [POLICY_BALANCE] = "balance" };

static struct json_object *num1(double v)
{
	if (v < 0 || isnan(v))
		return NULL; /* JSON null: nothing measured */
	return json_object_new_double(round(v * 10.0) / 10.0);
}

static struct json_object *addr_json(int family, const void *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, a, buf, sizeof(buf)))
		return NULL;
	return json_object_new_string(buf);
}

static struct json_object *uplink_json(const struct uplink *u)
{
	struct json_object *o = json_object_new_object(), *targets = json_object_new_array();
	struct health_metrics m;
	struct in_addr gw4;
	struct in6_addr gw6;
	size_t i;

	health_metrics(&u->health, &m);
	json_object_object_add(o, "name", json_object_new_string(u->cfg.name));
	json_object_object_add(o, "interface", json_object_new_string(u->cfg.interface));
	json_object_object_add(o, "state",
			       json_object_new_string(health_state_names[u->health.state]));
	json_object_object_add(o, "active", json_object_new_boolean(u->active));
	json_object_object_add(o, "settled", json_object_new_boolean(u->health.settled));
	json_object_object_add(o, "rtt_ms", num1(m.rtt_ms));
	json_object_object_add(o, "rtt_p95_ms", num1(m.rtt_p95_ms));
	json_object_object_add(o, "loss_pct", num1(m.loss_pct));
	json_object_object_add(o, "jitter_ms", num1(m.rtt_ms < 0 ? -1 : m.jitter_ms));
	json_object_object_add(o, "reason", json_object_new_string(u->health.reason));
	json_object_object_add(o, "since_ms", json_object_new_int64((int64_t)u->state_since_ms));
	json_object_object_add(o, "priority", json_object_new_int(u->cfg.priority));
	json_object_object_add(o, "weight", json_object_new_int(u->cfg.weight));
	json_object_object_add(o, "table", json_object_new_int64(u->table));
	json_object_object_add(o, "carrier", json_object_new_boolean(u->link.ifindex &&
								     u->link.carrier));
	json_object_object_add(o, "ifindex", json_object_new_int(u->link.ifindex));
	json_object_object_add(o, "address", u->link.has_addr4 ?
				       addr_json(AF_INET, &u->link.addr4) : NULL);
	json_object_object_add(o, "address6", u->link.has_addr6 ?
				       addr_json(AF_INET6, &u->link.addr6) : NULL);
	json_object_object_add(o, "gateway", uplink_gateway4(u, &gw4) ?
				       addr_json(AF_INET, &gw4) : NULL);
	json_object_object_add(o, "gateway6", uplink_gateway6(u, &gw6) ?
				       addr_json(AF_INET6, &gw6) : NULL);
	json_object_object_add(o, "speed_mbps", u->link.lq.known && u->link.lq.speed_mbps ?
				       json_object_new_int64(u->link.lq.speed_mbps) : NULL);
	json_object_object_add(o, "duplex", !u->link.lq.known || u->link.lq.duplex < 0 ? NULL :
				       json_object_new_string(u->link.lq.duplex ? "full" : "half"));
	json_object_object_add(o, "switches", json_object_new_int64((int64_t)u->switches));
	for (i = 0; i < u->health.ntargets; i++) {
		const struct health_target *t = &u->health.t[i];
		struct json_object *to = json_object_new_object();

		json_object_object_add(to, "name", json_object_new_string(t->name));
		json_object_object_add(to, "sent", json_object_new_int64((int64_t)t->sent));
		json_object_object_add(to, "answered", json_object_new_int64((int64_t)t->answered));
		json_object_array_add(targets, to);
	}
	json_object_object_add(o, "targets", targets);
	return o;
}

struct json_object *status_build(struct daemon *d)
{
	struct json_object *st = json_object_new_object(), *pol = json_object_new_object();
	struct json_object *ups = json_object_new_array(), *bgp = json_object_new_object();
	const char *prefer = d->policy ? policy_prefer_get(d) : NULL;
	char active[256] = "";
	struct uplink *u;

	list_for_each_entry(u, &d->uplinks, node) {
		json_object_array_add(ups, uplink_json(u));
		if (u->active && strlen(active) + strlen(u->cfg.name) + 2 < sizeof(active)) {
			if (*active)
				strcat(active, ",");
			strcat(active, u->cfg.name);
		}
	}
	json_object_object_add(st, "version", json_object_new_string(UPLINKD_VERSION));
	json_object_object_add(st, "uptime_s", json_object_new_int64(
		(int64_t)((loop_clock_realtime_ms() - d->started_ms) / 1000)));
	json_object_object_add(pol, "mode", json_object_new_string(
		mode_names[d->cfg->policy.mode == POLICY_BALANCE]));
	json_object_object_add(pol, "active", *active ? json_object_new_string(active) : NULL);
	json_object_object_add(pol, "prefer", prefer ? json_object_new_string(prefer) : NULL);
	if (d->policy) {
		json_object_object_add(pol, "reason", json_object_new_string(policy_reason(d)));
		json_object_object_add(pol, "since_ms",
				       json_object_new_int64((int64_t)policy_changed_ms(d)));
		json_object_object_add(pol, "switches",
				       json_object_new_int64((int64_t)policy_switches(d)));
		json_object_object_add(pol, "last_swap_us",
				       json_object_new_int64((int64_t)policy_last_swap_us(d)));
	}
	json_object_object_add(st, "policy", pol);
	json_object_object_add(st, "uplinks", ups);
	json_object_object_add(st, "tunnels", json_object_new_array());
	json_object_object_add(bgp, "alerts", json_object_new_array());
	json_object_object_add(st, "bgp", bgp);
	return st;
}
