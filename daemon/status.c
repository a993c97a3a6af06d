// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: status.c - the status object of `uplinkctl status --json` and GET /api/status
 *
 * Owns the shape of the stable status object (DESIGN.md): uplinks[] with name,
 * state, active, rtt_ms, loss_pct, jitter_ms, reason; tunnels[]; bgp.alerts[];
 * plus policy and per-uplink details. Reads uplinks, health and policy; called
 * by command_run.c (the status command of the socket and the web API), main.c
 * (SIGUSR1) and view.c (for plugins).
 */
#include "status.h"
#include "ct.h"
#include "daemon.h"
#include "health.h"
#include "policy.h"
#include "policy_flow.h"
#include "probe.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#ifndef UPLINKD_VERSION
#define UPLINKD_VERSION "0.1"
#endif

static const char *const mode_names[] = {
	[POLICY_FAILOVER] = "failover",
	[POLICY_BALANCE] = "balance",
};

/* A measurement rounded to 0.1, serialized as written ("12.3", not 12.300000000000001);
 * NULL (JSON null) when nothing was measured. */
static struct json_object *num1(double v)
{
	char buf[32];

	if (v < 0 || !isfinite(v))
		return NULL;
	v = round(v * 10.0) / 10.0;
	snprintf(buf, sizeof(buf), "%.1f", v);
	return json_object_new_double_s(v, buf);
}

static struct json_object *addr_json(int family, const void *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (!inet_ntop(family, a, buf, sizeof(buf)))
		return NULL;
	return json_object_new_string(buf);
}

/* The probe method of the uplink's target idx (targets are numbered across its blocks). */
static const char *target_method(const struct uplink *u, size_t idx)
{
	size_t i, first = 0;

	for (i = 0; i < u->cfg.probes.n; i++) {
		const struct cfg_probe *p = (const struct cfg_probe *)u->cfg.probes.v + i;

		first += cfg_probe_ntargets(p);
		if (idx < first)
			return p->method;
	}
	return NULL;
}

static struct json_object *target_json(const struct uplink *u, size_t idx)
{
	struct json_object *to = json_object_new_object();
	const char *method = target_method(u, idx);
	struct health_target_metrics m;

	health_target_metrics(&u->health, idx, &m);
	json_object_object_add(to, "name", json_object_new_string(u->health.t[idx].name));
	json_object_object_add(to, "method", method ? json_object_new_string(method) : NULL);
	json_object_object_add(to, "sent", json_object_new_int64((int64_t)m.sent));
	json_object_object_add(to, "answered", json_object_new_int64((int64_t)m.answered));
	json_object_object_add(to, "rtt_ms", num1(m.rtt_ms));
	json_object_object_add(to, "loss_pct", num1(m.loss_pct));
	json_object_object_add(to, "jitter_ms", num1(m.jitter_ms));
	json_object_object_add(to, "error", probe_target_note(u, idx) ?
				       json_object_new_string(probe_target_note(u, idx)) : NULL);
	return to;
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
	{
		const char *who = NULL;
		uint64_t since = 0;
		bool off = policy_disabled(u->d, u->cfg.name, &who, &since);

		json_object_object_add(o, "disabled", json_object_new_boolean(off));
		json_object_object_add(o, "disabled_by", off ? json_object_new_string(who) : NULL);
		json_object_object_add(o, "disabled_since_ms",
				       off ? json_object_new_int64((int64_t)since) : NULL);
	}
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
	for (i = 0; i < u->health.ntargets; i++)
		json_object_array_add(targets, target_json(u, i));
	json_object_object_add(o, "targets", targets);
	return o;
}

static struct json_object *policy_json(struct daemon *d, const char *active)
{
	struct json_object *pol = json_object_new_object();
	const char *prefer = d->policy ? policy_prefer_get(d) : NULL;
	int mode = d->cfg->policy.mode;

	json_object_object_add(pol, "mode", json_object_new_string(
		mode >= 0 && (size_t)mode < ARRAY_SIZE(mode_names) && mode_names[mode] ?
			mode_names[mode] : "unknown"));
	json_object_object_add(pol, "active", *active ? json_object_new_string(active) : NULL);
	json_object_object_add(pol, "prefer", prefer ? json_object_new_string(prefer) : NULL);
	json_object_object_add(pol, "reason", d->policy && policy_reason(d) ?
				       json_object_new_string(policy_reason(d)) : NULL);
	json_object_object_add(pol, "since_ms", json_object_new_int64(
		d->policy ? (int64_t)policy_changed_ms(d) : 0));
	json_object_object_add(pol, "switches", json_object_new_int64(
		d->policy ? (int64_t)policy_switches(d) : 0));
	json_object_object_add(pol, "last_swap_us", json_object_new_int64(
		d->policy ? (int64_t)policy_last_swap_us(d) : 0));
	return pol;
}

/* How long single callbacks held the loop (wall clock and CPU), and the flushes. */
static struct json_object *loop_json(struct daemon *d)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "longest_callback_us",
			       json_object_new_int64((int64_t)(d->loop.cb_max_ns / NSEC_PER_USEC)));
	json_object_object_add(o, "longest_callback_cpu_us",
			       json_object_new_int64((int64_t)(d->loop.cb_max_cpu_ns / NSEC_PER_USEC)));
	json_object_object_add(o, "slow_callbacks", json_object_new_int64((int64_t)d->loop.cb_slow));
	json_object_object_add(o, "conntrack_flushing", json_object_new_boolean(ct_busy(d)));
	json_object_object_add(o, "conntrack_flushed", json_object_new_int64((int64_t)ct_flushed(d)));
	return o;
}

struct json_object *status_build(struct daemon *d)
{
	struct json_object *st = json_object_new_object(), *ups = json_object_new_array();
	struct json_object *bgp = json_object_new_object();
	uint64_t now = loop_clock_realtime_ms();
	char active[256] = "";
	size_t alen = 0;
	struct uplink *u;

	list_for_each_entry(u, &d->uplinks, node) {
		json_object_array_add(ups, uplink_json(u));
		if (u->active) {
			/* balance mode: every active uplink, comma-separated */
			int n = snprintf(active + alen, sizeof(active) - alen, "%s%s",
					 alen ? "," : "", u->cfg.name);

			if (n > 0 && (size_t)n < sizeof(active) - alen)
				alen += (size_t)n;
			else
				active[alen] = '\0';
		}
	}
	json_object_object_add(st, "version", json_object_new_string(UPLINKD_VERSION));
	json_object_object_add(st, "uptime_s", json_object_new_int64(
		now > d->started_ms ? (int64_t)((now - d->started_ms) / 1000) : 0));
	json_object_object_add(st, "policy", policy_json(d, active));
	json_object_object_add(st, "loop", loop_json(d));
	json_object_object_add(st, "uplinks", ups);
	json_object_object_add(st, "tunnels", json_object_new_array());
	json_object_object_add(bgp, "alerts", json_object_new_array());
	json_object_object_add(st, "bgp", bgp);
	policy_flow_status(d, st); /* share_pct, connections, rules[] */
	daemon_monitors_status(d, st);
	return st;
}
