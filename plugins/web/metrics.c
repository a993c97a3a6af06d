// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: metrics.c - Prometheus text format 0.0.4 writer
 *
 * Owns the metric names, HELP and TYPE lines and label escaping of GET
 * /metrics, named as Prometheus users expect: counters typed counter and
 * ending in _total, base units (seconds, ratios, bytes), timestamps in
 * seconds since the epoch, one HELP text per family saying what it is, the
 * standard process_* families and uplinkd_build_info. Writes a struct
 * web_metrics snapshot (filled by metrics_daemon.c) into a memory stream;
 * calls only libc and json-c. Values that were never measured are left out
 * rather than written as NaN. Tunnels and BGP alerts are read from the status
 * object (their monitors fill it): the fields of the IPsec monitor by a table,
 * and a numeric field it does not know yet still becomes a metric (its name
 * and HELP taken from the field).
 */
#include "metrics.h"

#include <json-c/json.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A label value: backslash, double quote and newline escaped. */
static void put_label(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void sample(FILE *f, const char *name, const struct web_metric_uplink *u, double v)
{
	fprintf(f, "%s{uplink=\"", name);
	put_label(f, u->name);
	fprintf(f, "\"} %.15g\n", v);
}

/* One gauge per uplink, scaled; unknown (negative) values are skipped. */
static void gauge(FILE *f, const struct web_metrics *m, const char *name, const char *help,
		  size_t off, double scale)
{
	size_t i;

	head(f, name, "gauge", help);
	for (i = 0; i < m->n; i++) {
		double v = *(const double *)((const char *)&m->u[i] + off);

		if (v >= 0 && isfinite(v))
			sample(f, name, &m->u[i], v * scale);
	}
}

/* Balance mode and per-flow rules: only while the inet uplinkd table is in place. */
static void flows(FILE *f, const struct web_metrics *m)
{
	struct json_object *r, *v;
	size_t i, n;
	bool any = false;

	for (i = 0; i < m->n; i++)
		any |= m->u[i].flows;
	if (any) {
		gauge(f, m, "uplinkd_uplink_new_connection_share_ratio",
		      "Share of new connections balance mode gives the uplink (0 to 1).",
		      offsetof(struct web_metric_uplink, share_ratio), 1);
		gauge(f, m, "uplinkd_uplink_connections",
		      "Connections (conntrack entries) marked for the uplink now.",
		      offsetof(struct web_metric_uplink, connections), 1);
	}
	n = m->rules && json_object_is_type(m->rules, json_type_array) ?
		    json_object_array_length(m->rules) : 0;
	if (!n)
		return;
	head(f, "uplinkd_rule_info", "gauge",
	     "1 for each per-flow rule, labelled with its action and the uplink it uses now "
	     "(\"\" when spread or none is usable).");
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(m->rules, i);
		fputs("uplinkd_rule_info{rule=\"", f);
		put_label(f, json_object_object_get_ex(r, "name", &v) ? json_object_get_string(v) : "");
		fputs("\",action=\"", f);
		put_label(f, json_object_object_get_ex(r, "action", &v) ? json_object_get_string(v) : "");
		fputs("\",uplink=\"", f);
		put_label(f, json_object_object_get_ex(r, "uplink", &v) && v ?
				     json_object_get_string(v) : "");
		fputs("\"} 1\n", f);
	}
}

static void target_sample(FILE *f, const char *name, const struct web_metric_target *t, double v)
{
	fprintf(f, "%s{uplink=\"", name);
	put_label(f, t->uplink);
	fputs("\",method=\"", f);
	put_label(f, t->method);
	fputs("\",target=\"", f);
	put_label(f, t->target);
	fprintf(f, "\"} %.15g\n", v);
}

/* Per probe target: counters, and RTT, loss and jitter over its window when measured. */
static void targets(FILE *f, const struct web_metrics *m)
{
	static const struct {
		const char *name, *type, *help;
		size_t off;
		double scale;
		bool count;
	} fams[] = {
		{ "uplinkd_target_probes_sent_total", "counter",
		  "Probes sent to the target through its uplink.",
		  offsetof(struct web_metric_target, sent), 1, true },
		{ "uplinkd_target_probes_answered_total", "counter",
		  "Probes to the target that were answered (late answers included).",
		  offsetof(struct web_metric_target, answered), 1, true },
		{ "uplinkd_target_rtt_seconds", "gauge",
		  "Median round-trip time of the target's answered probes in the window.",
		  offsetof(struct web_metric_target, rtt_ms), 1e-3, false },
		{ "uplinkd_target_loss_ratio", "gauge",
		  "Fraction of the target's probes in the window that were lost (0 to 1).",
		  offsetof(struct web_metric_target, loss_pct), 1e-2, false },
		{ "uplinkd_target_jitter_seconds", "gauge",
		  "RFC 3550 jitter of the target's round-trip times.",
		  offsetof(struct web_metric_target, jitter_ms), 1e-3, false },
	};
	size_t i, k;

	for (k = 0; k < sizeof(fams) / sizeof(fams[0]); k++) {
		head(f, fams[k].name, fams[k].type, fams[k].help);
		for (i = 0; i < m->nt; i++) {
			const char *p = (const char *)&m->t[i] + fams[k].off;
			double v = fams[k].count ? (double)*(const uint64_t *)p : *(const double *)p;

			if (v >= 0 && isfinite(v))
				target_sample(f, fams[k].name, &m->t[i], v * fams[k].scale);
		}
	}
}

static const char *jstr(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* A JSON key usable in a metric name: [a-z0-9_], starting with a letter. */
static bool metric_key(const char *k)
{
	if (!(*k >= 'a' && *k <= 'z'))
		return false;
	for (; *k; k++)
		if (!((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
			return false;
	return true;
}

/* The tunnel fields the IPsec monitor fills, each with what it is. */
struct tunnel_key {
	const char *key, *name, *type, *help;
	double scale;
};

static const struct tunnel_key tunnel_keys[] = {
	{ "bytes_in", "uplinkd_tunnel_bytes_in_total", "counter",
	  "Bytes received through the tunnel's CHILD_SA (charon's count; restarts at a rekey).", 1 },
	{ "bytes_out", "uplinkd_tunnel_bytes_out_total", "counter",
	  "Bytes sent through the tunnel's CHILD_SA (charon's count; restarts at a rekey).", 1 },
	{ "packets_in", "uplinkd_tunnel_packets_in_total", "counter",
	  "Packets received through the tunnel's CHILD_SA (restarts at a rekey).", 1 },
	{ "packets_out", "uplinkd_tunnel_packets_out_total", "counter",
	  "Packets sent through the tunnel's CHILD_SA (restarts at a rekey).", 1 },
	{ "moves", "uplinkd_tunnel_moves_total", "counter",
	  "Times uplinkd moved the tunnel to another uplink or remote.", 1 },
	{ "probes_sent", "uplinkd_tunnel_probes_sent_total", "counter",
	  "In-tunnel probes sent to the far end's probe target.", 1 },
	{ "probes_answered", "uplinkd_tunnel_probes_answered_total", "counter",
	  "In-tunnel probes that were answered.", 1 },
	{ "since_ms", "uplinkd_tunnel_last_change_timestamp_seconds", "gauge",
	  "When the tunnel last changed state, in seconds since the epoch.", 1e-3 },
	{ "child_installed", "uplinkd_tunnel_child_installed", "gauge",
	  "1 while the tunnel's CHILD_SA is installed.", 1 },
	{ "connecting", "uplinkd_tunnel_connecting", "gauge",
	  "1 while uplinkd brings the tunnel up on a new path.", 1 },
	{ "charon", "uplinkd_tunnel_charon_up", "gauge",
	  "1 while charon answers on its VICI socket.", 1 },
};

static const struct tunnel_key *tunnel_key_find(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(tunnel_keys) / sizeof(tunnel_keys[0]); i++)
		if (!strcmp(tunnel_keys[i].key, key))
			return &tunnel_keys[i];
	return NULL;
}

static bool json_number(struct json_object *v)
{
	return json_object_is_type(v, json_type_int) || json_object_is_type(v, json_type_double) ||
	       json_object_is_type(v, json_type_boolean);
}

/* Counters (monotonic) by name; every other number is a gauge. */
static bool counter_key(const char *k)
{
	static const char *const words[] = { "bytes", "packets", "switches", "rekeys",
					     "errors", "drops", "sent", "received", "total" };
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strstr(k, words[i]))
			return true;
	return false;
}

/* A field the table does not know yet: milliseconds become seconds, counters get _total. */
static void tunnel_key_generic(const char *key, char *name, size_t len, const char **type,
			       double *scale)
{
	size_t kl = strlen(key);
	bool counter = counter_key(key);

	*type = counter ? "counter" : "gauge";
	*scale = 1;
	if (kl > 3 && !strcmp(key + kl - 3, "_ms")) {
		snprintf(name, len, "uplinkd_tunnel_%.*s_seconds", (int)(kl - 3), key);
		*scale = 1e-3;
		*type = "gauge";
		return;
	}
	snprintf(name, len, "uplinkd_tunnel_%s%s", key,
		 counter && (kl < 6 || strcmp(key + kl - 6, "_total")) ? "_total" : "");
}

static void tunnel_label(FILE *f, const char *name, struct json_object *t)
{
	fprintf(f, "%s{tunnel=\"", name);
	put_label(f, jstr(t, "name"));
	fputs("\"", f);
}

static void tunnels(FILE *f, struct json_object *ts, const char *const *states, size_t nstates)
{
	size_t n = ts && json_object_is_type(ts, json_type_array) ?
			   json_object_array_length(ts) : 0;
	size_t i, j, k;
	/* the numeric keys, in first-seen order, each written as one family */
	const char *keys[32];
	size_t nkeys = 0;

	head(f, "uplinkd_tunnel_up", "gauge", "1 if the tunnel carries traffic (up or degraded).");
	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(ts, i);
		const char *st = jstr(t, "state");

		if (!jstr(t, "name"))
			continue;
		tunnel_label(f, "uplinkd_tunnel_up", t);
		fprintf(f, "} %d\n", st && (!strcmp(st, "up") || !strcmp(st, "degraded")));
	}
	head(f, "uplinkd_tunnel_state", "gauge",
	     "One series per tunnel state: 1 for the tunnel's current one, else 0.");
	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(ts, i);
		const char *st = jstr(t, "state");
		bool known = false;

		if (!jstr(t, "name"))
			continue;
		for (j = 0; j < nstates; j++) {
			tunnel_label(f, "uplinkd_tunnel_state", t);
			fputs(",state=\"", f);
			put_label(f, states[j]);
			fprintf(f, "\"} %d\n", st && !strcmp(st, states[j]));
			known = known || (st && !strcmp(st, states[j]));
		}
		if (st && !known) {
			tunnel_label(f, "uplinkd_tunnel_state", t);
			fputs(",state=\"", f);
			put_label(f, st);
			fputs("\"} 1\n", f);
		}
	}
	head(f, "uplinkd_tunnel_info", "gauge",
	     "Always 1; its labels name the uplink and remote the tunnel uses now.");
	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(ts, i);

		if (!jstr(t, "name"))
			continue;
		tunnel_label(f, "uplinkd_tunnel_info", t);
		fputs(",uplink=\"", f);
		put_label(f, jstr(t, "uplink"));
		fputs("\",remote=\"", f);
		put_label(f, jstr(t, "remote"));
		fputs("\"} 1\n", f);
	}
	for (i = 0; i < n; i++) {
		struct json_object *t = json_object_array_get_idx(ts, i);

		if (!json_object_is_type(t, json_type_object))
			continue;
		json_object_object_foreach(t, key, val) {
			if (!metric_key(key) || !strcmp(key, "up") || !strcmp(key, "info") ||
			    !strcmp(key, "state") || !json_number(val))
				continue;
			for (k = 0; k < nkeys && strcmp(keys[k], key); k++)
				;
			if (k == nkeys && nkeys < sizeof(keys) / sizeof(keys[0]))
				keys[nkeys++] = key;
		}
	}
	for (k = 0; k < nkeys; k++) {
		const struct tunnel_key *tk = tunnel_key_find(keys[k]);
		char name[128], help[160];
		const char *type;
		double scale = 1;

		if (tk) {
			snprintf(name, sizeof(name), "%s", tk->name);
			snprintf(help, sizeof(help), "%s", tk->help);
			type = tk->type;
			scale = tk->scale;
		} else {
			tunnel_key_generic(keys[k], name, sizeof(name), &type, &scale);
			snprintf(help, sizeof(help), "The tunnels[].%s field of the status object.",
				 keys[k]);
		}
		head(f, name, type, help);
		for (i = 0; i < n; i++) {
			struct json_object *t = json_object_array_get_idx(ts, i), *v;
			double d;

			if (!jstr(t, "name") || !json_object_object_get_ex(t, keys[k], &v) ||
			    !json_number(v))
				continue;
			d = json_object_is_type(v, json_type_boolean) ? json_object_get_boolean(v) :
									json_object_get_double(v);
			if (!isfinite(d) || (tk && tk->scale < 1 && d <= 0))
				continue; /* a timestamp of 0: never */
			tunnel_label(f, name, t);
			if (json_object_is_type(v, json_type_int) && scale == 1)
				fprintf(f, "} %lld\n", (long long)json_object_get_int64(v));
			else
				fprintf(f, "} %.15g\n", d * scale);
		}
	}
}

static void alerts(FILE *f, struct json_object *as)
{
	size_t n = as && json_object_is_type(as, json_type_array) ?
			   json_object_array_length(as) : 0;
	static const char *const labels[] = { "id", "prefix", "type", "peer", "uplink" };
	size_t i, j, open = 0;

	head(f, "uplinkd_bgp_alerts", "gauge", "BGP alerts raised and not acknowledged.");
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(as, i), *v;

		if (!(json_object_object_get_ex(a, "acked", &v) && json_object_get_boolean(v)))
			open++;
	}
	fprintf(f, "uplinkd_bgp_alerts %zu\n", open);
	head(f, "uplinkd_bgp_alert", "gauge",
	     "One series per raised BGP alert: 1 until it is acknowledged, then 0.");
	for (i = 0; i < n; i++) {
		struct json_object *a = json_object_array_get_idx(as, i), *v;
		bool acked = json_object_object_get_ex(a, "acked", &v) && json_object_get_boolean(v);

		fputs("uplinkd_bgp_alert{", f);
		for (j = 0; j < sizeof(labels) / sizeof(labels[0]); j++) {
			fprintf(f, "%s%s=\"", j ? "," : "", labels[j]);
			put_label(f, jstr(a, labels[j]));
			fputc('"', f);
		}
		fprintf(f, "} %d\n", !acked);
	}
}

char *web_metrics_format(const struct web_metrics *m, size_t *len)
{
	char *buf = NULL;
	size_t i, j, sz = 0;
	FILE *f;

	f = open_memstream(&buf, &sz);
	if (!f)
		return NULL;

	head(f, "uplinkd_build_info", "gauge",
	     "Always 1; its labels name the uplinkd version and the plugins compiled in.");
	fputs("uplinkd_build_info{version=\"", f);
	put_label(f, m->version ? m->version : "unknown");
	fputs("\",plugins=\"", f);
	put_label(f, m->plugins ? m->plugins : "");
	fputs("\"} 1\n", f);

	head(f, "uplinkd_uplink_up", "gauge", "1 if the uplink is usable (state up or degraded).");
	for (i = 0; i < m->n; i++)
		sample(f, "uplinkd_uplink_up", &m->u[i], m->u[i].up);

	head(f, "uplinkd_uplink_state", "gauge",
	     "One series per health state: 1 for the uplink's current one, else 0.");
	for (i = 0; i < m->n; i++) {
		for (j = 0; j < m->nstates; j++) {
			fputs("uplinkd_uplink_state{uplink=\"", f);
			put_label(f, m->u[i].name);
			fputs("\",state=\"", f);
			put_label(f, m->states[j]);
			fprintf(f, "\"} %d\n", m->u[i].state == j);
		}
	}

	head(f, "uplinkd_uplink_active", "gauge", "1 if the uplink carries the default route.");
	for (i = 0; i < m->n; i++)
		sample(f, "uplinkd_uplink_active", &m->u[i], m->u[i].active);

	head(f, "uplinkd_uplink_disabled", "gauge",
	     "1 if the operator took the uplink out of service (uplinkctl disable).");
	for (i = 0; i < m->n; i++)
		sample(f, "uplinkd_uplink_disabled", &m->u[i], m->u[i].disabled);

	gauge(f, m, "uplinkd_uplink_rtt_seconds",
	      "Median round-trip time of the uplink's answered probes in the window.",
	      offsetof(struct web_metric_uplink, rtt_ms), 1e-3);
	gauge(f, m, "uplinkd_uplink_loss_ratio",
	      "Fraction of the uplink's probes in the window that were lost (0 to 1).",
	      offsetof(struct web_metric_uplink, loss_pct), 1e-2);
	gauge(f, m, "uplinkd_uplink_jitter_seconds",
	      "Mean RFC 3550 jitter of the round-trip times of the uplink's targets.",
	      offsetof(struct web_metric_uplink, jitter_ms), 1e-3);

	head(f, "uplinkd_uplink_last_change_timestamp_seconds", "gauge",
	     "When the uplink's health state last changed, in seconds since the epoch.");
	for (i = 0; i < m->n; i++)
		if (m->u[i].since_ms)
			sample(f, "uplinkd_uplink_last_change_timestamp_seconds", &m->u[i],
			       (double)m->u[i].since_ms / 1000.0);

	head(f, "uplinkd_uplink_switches_total", "counter",
	     "Times the uplink became active (took the default route).");
	for (i = 0; i < m->n; i++)
		sample(f, "uplinkd_uplink_switches_total", &m->u[i], (double)m->u[i].switches);

	flows(f, m);
	targets(f, m);

	head(f, "uplinkd_policy_switches_total", "counter",
	     "Times the policy changed the active uplink(s).");
	fprintf(f, "uplinkd_policy_switches_total %llu\n",
		(unsigned long long)m->policy_switches);
	if (m->policy_since_ms) {
		head(f, "uplinkd_policy_last_change_timestamp_seconds", "gauge",
		     "When the policy last changed the active uplink(s), in seconds since the epoch.");
		fprintf(f, "uplinkd_policy_last_change_timestamp_seconds %.3f\n",
			(double)m->policy_since_ms / 1000.0);
	}

	head(f, "uplinkd_web_login_failures_total", "counter",
	     "Logins on the web page with a wrong user name or password.");
	fprintf(f, "uplinkd_web_login_failures_total %llu\n",
		(unsigned long long)m->login_failures);
	head(f, "uplinkd_web_logins_refused_total", "counter",
	     "Logins refused unchecked because their address failed too often.");
	fprintf(f, "uplinkd_web_logins_refused_total %llu\n",
		(unsigned long long)m->logins_refused);
	head(f, "uplinkd_web_hosts_refused_total", "counter",
	     "Web requests refused because their Host is not one of web.hosts.");
	fprintf(f, "uplinkd_web_hosts_refused_total %llu\n",
		(unsigned long long)m->hosts_refused);

	head(f, "process_start_time_seconds", "gauge",
	     "When uplinkd started, in seconds since the epoch.");
	fprintf(f, "process_start_time_seconds %.3f\n", (double)m->start_ms / 1000.0);
	if (m->cpu_s >= 0) {
		head(f, "process_cpu_seconds_total", "counter",
		     "CPU time uplinkd used, user and system, in seconds.");
		fprintf(f, "process_cpu_seconds_total %.3f\n", m->cpu_s);
	}
	if (m->rss_bytes >= 0) {
		head(f, "process_resident_memory_bytes", "gauge",
		     "Resident memory of uplinkd, in bytes.");
		fprintf(f, "process_resident_memory_bytes %lld\n", m->rss_bytes);
	}

	tunnels(f, m->tunnels, m->states, m->nstates);
	alerts(f, m->alerts);

	if (ferror(f)) {
		fclose(f);
		free(buf);
		return NULL;
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	*len = sz;
	return buf;
}
