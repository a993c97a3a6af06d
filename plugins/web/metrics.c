// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: metrics.c - Prometheus text format 0.0.4 writer
 *
 * Owns the metric names, HELP and TYPE lines and label escaping of GET
 * /metrics. Writes a struct web_metrics snapshot (filled by web.c) into a
 * memory stream; calls only libc. Values that were never measured are left
 * out rather than written as NaN.
 */
#include "metrics.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

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
