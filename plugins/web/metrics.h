/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: metrics.h - the Prometheus text exposition (0.0.4) of a metrics snapshot
 *
 * web.c fills the snapshot from the daemon; the writer is pure so it can be
 * tested without one.
 */
#ifndef UPLINKD_WEB_METRICS_H
#define UPLINKD_WEB_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct web_metric_uplink {
	const char *name;
	size_t state;	  /* index into web_metrics.states */
	bool up;	  /* usable: not down */
	bool active;
	double rtt_ms;	  /* < 0: unknown, no sample */
	double loss_pct;  /* < 0: unknown */
	double jitter_ms; /* < 0: unknown */
	uint64_t switches;
};

struct json_object;

struct web_metrics {
	const struct web_metric_uplink *u;
	size_t n;
	const char *const *states; /* "down", "degraded", "up" */
	size_t nstates;
	uint64_t policy_switches;
	double uptime_s;
	long long rss_bytes; /* < 0: unknown */
	/* from the status object (may be NULL): tunnels[] {name, state, uplink, and
	 * numeric counters}, bgp.alerts[] {id, prefix, type, peer, uplink, acked} */
	struct json_object *tunnels;
	struct json_object *alerts;
};

/* The exposition as a malloc'd string (*len bytes, NUL-terminated); NULL on ENOMEM. */
char *web_metrics_format(const struct web_metrics *m, size_t *len);

#endif
