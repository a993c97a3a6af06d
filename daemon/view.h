/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: view.h - what a plugin may read of the core, read-only
 *
 * Plugins see uplinks through this header, never through uplink.h, health.h,
 * policy.h or status.h (test/rules.sh enforces it). Each call copies a
 * snapshot into a caller's struct: nothing here hands out a pointer a plugin
 * could write through, and nothing here changes state. To act, a plugin
 * publishes on the bus or dispatches an operator command (command.h).
 *
 * An uplink is named by an opaque handle (struct uplink, never dereferenced
 * outside the core), valid until the current loop callback returns: a reload
 * may destroy it. Keep names, not handles, across callbacks.
 *
 *	const struct uplink *u;
 *	struct view_uplink v;
 *
 *	view_for_each_uplink(d, u) {
 *		view_uplink_get(u, &v);
 *		printf("%s %s\n", v.name, view_state_name(v.state));
 *	}
 *
 * This interface is stable: extend the structs at their end, keep what is
 * there. Strings in a snapshot point into the core and live as long as the
 * handle.
 */
#ifndef UPLINKD_VIEW_H
#define UPLINKD_VIEW_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct bus_event;
struct daemon;
struct json_object;
struct uplink; /* opaque to plugins */

/* An uplink's (or a tunnel's) health, worst first; the numbers match the core's. */
enum view_state {
	VIEW_DOWN,
	VIEW_DEGRADED,
	VIEW_UP,
	VIEW_STATE_MAX,
};

/* "down", "degraded", "up"; "?" for a value out of range. */
const char *view_state_name(enum view_state s);
/* All of them, indexed by enum view_state (VIEW_STATE_MAX entries). */
extern const char *const view_state_names[VIEW_STATE_MAX];

struct view_uplink {
	const char *name;      /* uplinks.[].name */
	const char *interface; /* uplinks.[].interface */
	size_t pos;	       /* position in the configuration, 0 first */
	int priority;	       /* lower wins */
	int weight;	       /* balance mode */

	enum view_state state;
	bool settled;	    /* measured long enough for policy to act on it */
	const char *reason; /* why it is in its state, e.g. "0/2 targets answered ..." */
	uint64_t state_since_ms; /* wall clock of the last state change */

	bool active;	    /* carries the main default route now (policy's choice) */
	uint64_t active_since_ms;
	uint64_t switches;  /* times it became active */
	bool preferred;	    /* the operator's `prefer` names it */
	bool disabled;	    /* taken out of service by the operator */
	const char *disabled_by; /* who, when disabled; else NULL */
	uint64_t disabled_since_ms;

	/* the kernel's view of its interface */
	bool present;	    /* the interface exists */
	bool carrier;
	bool routable4, routable6; /* usable for routing now, per family */
	bool has_addr4, has_addr6;
	struct in_addr addr4;	   /* first global address, when has_addr4 */
	struct in6_addr addr6;

	/* measurements over the window; -1 when nothing was measured */
	double rtt_ms, rtt_p95_ms, loss_pct, jitter_ms;
	size_t ntargets;    /* probe targets, numbered across its probe blocks */
};

struct view_target {
	const char *uplink; /* the uplink's name */
	const char *method; /* its probe block's method ("icmp", ...) */
	const char *target; /* the target as configured */
	uint64_t sent, answered; /* lifetime counters */
	double rtt_ms, loss_pct, jitter_ms; /* -1: not measured */
};

struct view_policy {
	const char *mode;    /* "failover" or "balance" */
	const char *reason;  /* the last decision's reason */
	const char *prefer;  /* the operator's preferred uplink; NULL: auto */
	uint64_t changed_ms; /* wall clock of the last switch; 0: none */
	uint64_t switches;   /* switches since start */
};

/* ---- uplinks ---- */

/* Iterate the uplinks in configuration order: the first with prev NULL, NULL after the last. */
const struct uplink *view_uplink_next(const struct daemon *d, const struct uplink *prev);
#define view_for_each_uplink(d, u) \
	for ((u) = view_uplink_next((d), NULL); (u); (u) = view_uplink_next((d), (u)))
size_t view_uplink_count(const struct daemon *d);
/* The uplink named name, or NULL. */
const struct uplink *view_uplink_find(const struct daemon *d, const char *name);
/* A snapshot of u. */
void view_uplink_get(const struct uplink *u, struct view_uplink *out);
/* Target idx (< view_uplink.ntargets) of u. */
void view_target_get(const struct uplink *u, size_t idx, struct view_target *out);
/* "isp1 isp2": the names in configuration order, for "no uplink X; configured: ..."
 * messages. Always NUL-terminated; cut short when buf is. */
void view_uplink_names(const struct daemon *d, char *buf, size_t len);

/* ---- policy and the whole picture ---- */

void view_policy_get(const struct daemon *d, struct view_policy *out);
/* The status object of GET /api/status and `uplinkctl status --json` (new reference). */
struct json_object *view_status(struct daemon *d);
/* One bus event as the journal keeps and the stream shows it (new reference). */
struct json_object *view_event_json(const struct bus_event *ev);
/* The last count journal entries, oldest first, as a JSON array (new reference; empty
 * when the journal is not running). */
struct json_object *view_events(struct daemon *d, size_t count);

/* ---- following the policy (a monitor that steers, such as the IPsec plugin) ---- */

/* Told after every policy run, once its switch and the actuators' actions are on
 * the bus. Act from a deferred loop event, as after any news. */
struct view_policy_listener {
	void (*ran)(struct view_policy_listener *l);
	void *core; /* the core's side; set by view_policy_listen */
};
/* l->ran set: 0, or -ENOMEM. view_policy_unlisten() on a listener that is not
 * listening is a no-op. */
int view_policy_listen(struct daemon *d, struct view_policy_listener *l);
void view_policy_unlisten(struct view_policy_listener *l);

/* One way a tunnel can go: through uplink names[uplink] to its remote number `remote`. */
struct view_path {
	size_t uplink;	/* index into the names given to view_rank_paths */
	int remote;
	bool held_down;	/* failed lately: not used until its hold-down ends */
	bool avoided;	/* its uplink is steered away from (a BGP anomaly) */
};
/* The core's ranking of a tunnel's paths (policy_rank.c, the one ranking): the
 * usable paths best first, their indexes written into order (room for np); returns
 * how many (0: none usable, or no memory). An uplink carries a tunnel only when it
 * exists, is routable for IPv4 and has an IPv4 address; then state, the operator's
 * prefer, the uplink with the default route, priority and the order of names and
 * paths decide. */
size_t view_rank_paths(const struct daemon *d, const char *const *names, size_t n,
		       const struct view_path *p, size_t np, size_t *order);

#endif
