/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: bus.h - the event bus
 *
 * Every decision is published here with its reason; the journal, hooks, the
 * control socket and the web page subscribe. Delivery is synchronous, in
 * subscription order; subscribers must not block and must copy what they keep.
 * An event published while another is being delivered is queued (copied) and
 * delivered after it, so every subscriber sees every event in the same order.
 * A subscriber that acts on an event (routes, tunnels) schedules a deferred loop
 * event instead of acting inside delivery.
 */
#ifndef UPLINKD_BUS_H
#define UPLINKD_BUS_H

#include <stdbool.h>
#include <stdint.h>

#include "list.h"

enum bus_type {
	BUS_UPLINK_STATE, /* object: uplink; old/new: up|degraded|down */
	BUS_ACTIVE,	  /* object: uplink now carrying the default route ("none");
			     old: the previous one */
	BUS_CONFIG,	  /* config loaded / reload refused; new: "loaded"|"refused" */
	BUS_ACTION,	  /* operator action; object: what; new: the action */
	BUS_ERROR,	  /* an actuator failed; object: what; reason: why */
	BUS_SIGNAL,	  /* a monitor's signal; object: its subject */
	BUS_TUNNEL,	  /* object: tunnel; old/new: up|degraded|down; reason */
	BUS_ALERT,	  /* object: alert id ("hijack 203.0.113.0/24 isp1");
			     new: raised|cleared|acked; reason */
	BUS_STEER,	  /* steer: what is steered, target: its name; object:
			     "tunnel NAME" or "prefix P" (for people); old: the uplink
			     to avoid; new: avoid|clear; reason. Published by the BGP
			     monitor, obeyed by whoever owns the target. */
	BUS_TYPE_MAX,
};

extern const char *const bus_type_names[BUS_TYPE_MAX];

/* What a BUS_STEER request is about. */
enum bus_steer {
	BUS_STEER_NONE,
	BUS_STEER_TUNNEL, /* target: a tunnel's name (the IPsec monitor) */
	BUS_STEER_PREFIX, /* target: a prefix "P/LEN" (policy_prefix.c) */
};

struct bus_event {
	enum bus_type type;
	uint64_t ts_ms; /* wall clock, ms since the epoch; 0: filled by bus_publish */
	const char *object;
	const char *old_state;
	const char *new_state;
	const char *reason;
	enum bus_steer steer; /* BUS_STEER only */
	const char *target;   /* BUS_STEER only */
};

struct bus_sub {
	struct list_head node;
	void (*cb)(struct bus_sub *s, const struct bus_event *ev);
};

struct bus_queued;

struct bus {
	struct list_head subs;
	bool delivering;
	struct bus_queued *head, **tail; /* published during delivery, FIFO */
};

void bus_init(struct bus *b);
void bus_subscribe(struct bus *b, struct bus_sub *s);
void bus_unsubscribe(struct bus_sub *s);
/* Deliver ev to every subscriber now, or after the event being delivered. */
void bus_publish(struct bus *b, const struct bus_event *ev);

#endif
