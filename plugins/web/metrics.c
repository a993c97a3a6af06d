// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: metrics.c - Prometheus text format 0.0.4 writer
 *
 * Owns the metric names, HELP and TYPE lines and label escaping of GET
 * /metrics. Writes a struct web_metrics snapshot (filled by web.c) into a
 * memory stream; calls only libc. Values that were never measured are left
 * out rather than written as NaN. Tunnels and BGP alerts are read from the
 * status object generically (their monitors fill it), so a new numeric field
 * of a tunnel becomes a metric without a change here.
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
	fprintf(f, "\"} %.9g\n", v);
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
	head(f, "uplinkd_tunnel_state", "gauge", "1 for the tunnel's current state.");
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
	head(f, "uplinkd_tunnel_info", "gauge", "The uplink and remote a tunnel uses now.");
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
			    !strcmp(key, "state") || (!json_object_is_type(val, json_type_int) &&
						 !json_object_is_type(val, json_type_double)))
				continue;
			for (k = 0; k < nkeys && strcmp(keys[k], key); k++)
				;
			if (k == nkeys && nkeys < sizeof(keys) / sizeof(keys[0]))
				keys[nkeys++] = key;
		}
	}
	for (k = 0; k < nkeys; k++) {
		bool counter = counter_key(keys[k]);
		char name[128];
		size_t kl = strlen(keys[k]);

		snprintf(name, sizeof(name), "uplinkd_tunnel_%s%s", keys[k],
			 counter && (kl < 6 || strcmp(keys[k] + kl - 6, "_total")) ? "_total" : "");
		head(f, name, counter ? "counter" : "gauge", "A tunnel counter from its monitor.");
		for (i = 0; i < n; i++) {
			struct json_object *t = json_object_array_get_idx(ts, i), *v;
			double d;

			if (!jstr(t, "name") || !json_object_object_get_ex(t, keys[k], &v) ||
			    (!json_object_is_type(v, json_type_int) &&
			     !json_object_is_type(v, json_type_double)))
				continue;
			d = json_object_get_double(v);
			if (!isfinite(d))
				continue;
			tunnel_label(f, name, t);
			fprintf(f, "} %.17g\n", d);
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
	head(f, "uplinkd_bgp_alert", "gauge", "One sample per BGP alert; 1 while not acknowledged.");
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

	head(f, "uplinkd_uplink_up", "gauge", "1 if the uplink is usable (state up or degraded).");
	for (i = 0; i < m->n; i++)
		sample(f, "uplinkd_uplink_up", &m->u[i], m->u[i].up);

	head(f, "uplinkd_uplink_state", "gauge", "1 for the uplink's current health state.");
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

	gauge(f, m, "uplinkd_uplink_rtt_seconds", "Median probe round-trip time.",
	      offsetof(struct web_metric_uplink, rtt_ms), 1e-3);
	gauge(f, m, "uplinkd_uplink_loss_ratio", "Fraction of probes lost (0 to 1).",
	      offsetof(struct web_metric_uplink, loss_pct), 1e-2);
	gauge(f, m, "uplinkd_uplink_jitter_seconds", "Probe round-trip jitter (RFC 3550).",
	      offsetof(struct web_metric_uplink, jitter_ms), 1e-3);

	head(f, "uplinkd_uplink_switches_total", "counter",
	     "Times the uplink became active.");
	for (i = 0; i < m->n; i++)
		sample(f, "uplinkd_uplink_switches_total", &m->u[i], (double)m->u[i].switches);

	head(f, "uplinkd_policy_switches_total", "counter", "Changes of the active uplink(s).");
	fprintf(f, "uplinkd_policy_switches_total %llu\n",
		(unsigned long long)m->policy_switches);
	head(f, "uplinkd_uptime_seconds", "gauge", "Seconds since uplinkd started.");
	fprintf(f, "uplinkd_uptime_seconds %.3f\n", m->uptime_s);
	if (m->rss_bytes >= 0) {
		head(f, "uplinkd_resident_memory_bytes", "gauge", "Resident set size of uplinkd.");
		fprintf(f, "uplinkd_resident_memory_bytes %lld\n", m->rss_bytes);
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
