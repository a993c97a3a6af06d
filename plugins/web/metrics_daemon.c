// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: metrics_daemon.c - the metrics snapshot of the running daemon
 *
 * Fills a struct web_metrics from the core's read-only view (view.h: uplinks,
 * per-target numbers, the policy, the status object (version, tunnels, BGP alerts), the plugin
 * list and the process (start time, CPU time, resident memory), and hands it
 * to the pure writer in metrics.c. Called by web.c for GET /metrics; reads
 * only, changes nothing.
 */
#include "daemon.h"
#include "plugin.h"
#include "view.h"

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
	const struct uplink *u;
	struct view_uplink v;
	size_t n = 0;

	view_for_each_uplink(d, u) {
		view_uplink_get(u, &v);
		n += v.ntargets;
	}
	return n;
}

/* The ntargets targets of u from index *k on. */
static void fill_targets(const struct uplink *u, size_t ntargets, struct web_metric_target *t,
			 size_t *k)
{
	size_t idx;

	for (idx = 0; idx < ntargets; idx++) {
		struct web_metric_target *x = &t[(*k)++];
		struct view_target vt;

		view_target_get(u, idx, &vt);
		x->uplink = vt.uplink;
		x->method = vt.method;
		x->target = vt.target;
		x->sent = vt.sent;
		x->answered = vt.answered;
		x->rtt_ms = vt.rtt_ms;
		x->loss_pct = vt.loss_pct;
		x->jitter_ms = vt.jitter_ms;
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
	struct view_policy pol;
	struct web_metrics m = {
		.states = view_state_names,
		.nstates = VIEW_STATE_MAX,
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
	const struct uplink *u;
	size_t n = view_uplink_count(d), nt = count_targets(d), k = 0;
	char *body;

	view_policy_get(d, &pol);
	m.policy_switches = pol.switches;
	m.policy_since_ms = pol.changed_ms;
	mu = calloc(n ? n : 1, sizeof(*mu));
	mt = calloc(nt ? nt : 1, sizeof(*mt));
	if (!mu || !mt) {
		free(mu);
		free(mt);
		return NULL;
	}
	view_for_each_uplink(d, u) {
		struct web_metric_uplink *x;
		struct view_uplink v;

		view_uplink_get(u, &v);
		if (m.n == n || k + v.ntargets > nt)
			break; /* counted above; the list cannot change in between */
		x = &mu[m.n++];
		x->name = v.name;
		x->state = (size_t)v.state;
		x->up = v.state != VIEW_DOWN;
		x->active = v.active;
		x->disabled = v.disabled;
		x->rtt_ms = v.rtt_ms;
		x->loss_pct = v.loss_pct;
		x->jitter_ms = v.jitter_ms;
		x->switches = v.switches;
		x->since_ms = v.state_since_ms;
		fill_targets(u, v.ntargets, mt, &k);
	}
	m.u = mu;
	m.t = mt;
	m.nt = k;
	plugin_list(plugin_names, sizeof(plugin_names));
	m.plugins = plugin_names;
	st = view_status(d);
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
