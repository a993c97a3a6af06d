/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: metrics.h - the Prometheus text exposition (0.0.4) of a metrics snapshot
 *
 * metrics_daemon.c fills the snapshot from the daemon; the writer (metrics.c) is
 * pure so it can be tested without one.
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
	bool disabled;	  /* taken out of service by the operator */
	double rtt_ms;	  /* < 0: unknown, no sample */
	double loss_pct;  /* < 0: unknown */
	double jitter_ms; /* < 0: unknown */
	uint64_t switches;
	uint64_t since_ms; /* wall clock of the last state change; 0: unknown */
	bool flows;	   /* the inet uplinkd table is in place: the two below are known */
	double share_ratio; /* of new connections it takes (0 to 1); < 0: not balancing */
	double connections; /* conntrack entries marked for it; < 0: unknown */
};

/* One probe target of an uplink. */
struct web_metric_target {
	const char *uplink, *method, *target;
	uint64_t sent, answered;
	double rtt_ms, loss_pct, jitter_ms; /* < 0: unknown */
};

struct json_object;

struct web_metrics {
	const struct web_metric_uplink *u;
	size_t n;
	const struct web_metric_target *t;
	size_t nt;
	const char *const *states; /* "down", "degraded", "up" */
	size_t nstates;
	uint64_t policy_switches;
	uint64_t policy_since_ms; /* wall clock of the last change of the active uplinks; 0: none */
	const char *version;	  /* NULL: unknown */
	const char *plugins;	  /* the compiled-in plugins, comma-separated */
	uint64_t start_ms;	  /* wall clock of the start */
	double cpu_s;		  /* user + system CPU time; < 0: unknown */
	long long rss_bytes;	  /* < 0: unknown */
	uint64_t login_failures, logins_refused, hosts_refused; /* the web plugin's own */
	/* from the status object (may be NULL): tunnels[] {name, state, uplink, and
	 * numeric counters}, bgp.alerts[] {id, prefix, type, peer, uplink, acked} */
	struct json_object *tunnels;
	struct json_object *alerts;
	struct json_object *rules; /* rules[] {name, action, uplink} (may be NULL) */
};

/* The exposition as a malloc'd string (*len bytes, NUL-terminated); NULL on ENOMEM. */
char *web_metrics_format(const struct web_metrics *m, size_t *len);

struct daemon;

/* The web plugin's counters, for web_metrics_daemon(). */
struct web_metrics_counters {
	uint64_t login_failures, logins_refused, hosts_refused;
};

/* The exposition of the running daemon (metrics_daemon.c); NULL on ENOMEM. */
char *web_metrics_daemon(struct daemon *d, const struct web_metrics_counters *c, size_t *len);

#endif
