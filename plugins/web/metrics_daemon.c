// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: metrics_daemon.c - the metrics snapshot of the running daemon
 *
 * Fills a struct web_metrics from the uplinks (health, per-target numbers),
 * the policy, the status object (version, tunnels, BGP alerts), the plugin
 * list and the process (start time, CPU time, resident memory), and hands it
 * to the pure writer in metrics.c. Called by web.c for GET /metrics; reads
 * only, changes nothing.
 */
#include "daemon.h"
#include "health.h"
#include "loop.h"
#include "plugin.h"
#include "policy.h"
#include "status.h"
#include "uplink.h"

#include "metrics.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

static long long rss_bytes(void)
{
	unsigned long long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	return n == 2 && page > 0 ? (long long)(resident * (unsigned long long)page) : -1;
}

static double cpu_seconds(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) < 0)
		return -1;
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* "icmp,tcp,web,...": the plugins compiled in. */
static void plugin_list(char *buf, size_t len)
{
	const struct plugin *const *p;
	size_t off = 0;

	buf[0] = '\0';
	for (p = plugins; *p && off < len; p++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", off ? "," : "", (*p)->name);
}

static size_t count_targets(struct daemon *d)
{
	struct uplink *u;
	size_t n = 0;

	list_for_each_entry(u, &d->uplinks, node)
		n += u->health.ntargets;
	return n;
}

/* The targets of u from index *k on; their method from the probe blocks. */
static void fill_targets(const struct uplink *u, struct web_metric_target *t, size_t *k)
{
	size_t b, i, idx = 0;

	for (b = 0; b < u->cfg.probes.n; b++) {
		const struct cfg_probe *p = (const struct cfg_probe *)u->cfg.probes.v + b;

		for (i = 0; i < cfg_probe_ntargets(p) && idx < u->health.ntargets; i++, idx++) {
			struct web_metric_target *x = &t[(*k)++];
			struct health_target_metrics tm;

			health_target_metrics(&u->health, idx, &tm);
			x->uplink = u->cfg.name;
			x->method = p->method;
			x->target = u->health.t[idx].name;
			x->sent = tm.sent;
			x->answered = tm.answered;
			x->rtt_ms = tm.rtt_ms;
			x->loss_pct = tm.loss_pct;
			x->jitter_ms = tm.jitter_ms;
		}
	}
}

/* share_pct and connections of the status object's uplinks[] (policy_flow.c adds them). */
static void flows_fill(struct json_object *st, struct web_metric_uplink *mu, size_t n)
{
	struct json_object *ups, *u, *v;
	size_t i;

	if (!json_object_object_get_ex(st, "uplinks", &ups))
		return;
	for (i = 0; i < n && i < json_object_array_length(ups); i++) {
		u = json_object_array_get_idx(ups, i);
		mu[i].share_ratio = json_object_object_get_ex(u, "share_pct", &v) && v ?
					    json_object_get_int(v) / 100.0 : -1;
		mu[i].connections = json_object_object_get_ex(u, "connections", &v) && v ?
					    (double)json_object_get_int64(v) : -1;
		mu[i].flows = mu[i].share_ratio >= 0 || mu[i].connections >= 0;
	}
}

char *web_metrics_daemon(struct daemon *d, const struct web_metrics_counters *c, size_t *len)
{
	struct web_metrics m = {
		.states = health_state_names,
		.nstates = HEALTH_STATE_MAX,
		.policy_switches = d->policy ? policy_switches(d) : 0,
		.policy_since_ms = d->policy ? policy_changed_ms(d) : 0,
		.start_ms = d->started_ms,
		.cpu_s = cpu_seconds(),
		.rss_bytes = rss_bytes(),
		.login_failures = c->login_failures,
		.logins_refused = c->logins_refused,
		.hosts_refused = c->hosts_refused,
	};
	struct web_metric_uplink *mu;
	struct web_metric_target *mt;
	struct json_object *st, *bgp, *ver;
	char plugin_names[512];
	struct uplink *u;
	size_t n = 0, nt = count_targets(d), k = 0;
	char *body;

	list_for_each_entry(u, &d->uplinks, node)
		n++;
	mu = calloc(n ? n : 1, sizeof(*mu));
	mt = calloc(nt ? nt : 1, sizeof(*mt));
	if (!mu || !mt) {
		free(mu);
		free(mt);
		return NULL;
	}
	list_for_each_entry(u, &d->uplinks, node) {
		struct web_metric_uplink *x = &mu[m.n++];
		struct health_metrics hm;

		health_metrics(&u->health, &hm);
		x->name = u->cfg.name;
		x->state = (size_t)u->health.state;
		x->up = u->health.state != HEALTH_DOWN;
		x->active = u->active;
		x->disabled = policy_disabled(d, u->cfg.name, NULL, NULL);
		x->rtt_ms = hm.rtt_ms;
		x->loss_pct = hm.loss_pct;
		x->jitter_ms = hm.rtt_ms < 0 ? -1 : hm.jitter_ms;
		x->switches = u->switches;
		x->since_ms = u->state_since_ms;
		fill_targets(u, mt, &k);
	}
	m.u = mu;
	m.t = mt;
	m.nt = k;
	plugin_list(plugin_names, sizeof(plugin_names));
	m.plugins = plugin_names;
	st = status_build(d);
	if (json_object_object_get_ex(st, "version", &ver))
		m.version = json_object_get_string(ver);
	json_object_object_get_ex(st, "tunnels", &m.tunnels);
	json_object_object_get_ex(st, "rules", &m.rules);
	flows_fill(st, mu, m.n);
	if (json_object_object_get_ex(st, "bgp", &bgp))
		json_object_object_get_ex(bgp, "alerts", &m.alerts);
	body = web_metrics_format(&m, len);
	json_object_put(st);
	free(mu);
	free(mt);
	return body;
}
