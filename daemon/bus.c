// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: bus.c - synchronous publish/subscribe of decisions
 *
 * Owns nothing but the subscriber list. Called by health, policy, config
 * reload and actuators; calls journal, hooks, control, web.
 */
#include "bus.h"
#include "loop.h"

const char *const bus_type_names[BUS_TYPE_MAX] = {
	[BUS_UPLINK_STATE] = "uplink", [BUS_ACTIVE] = "active", [BUS_CONFIG] = "config",
	[BUS_ACTION] = "action",       [BUS_ERROR] = "error",   [BUS_SIGNAL] = "signal",
	[BUS_TUNNEL] = "tunnel",       [BUS_ALERT] = "alert",   [BUS_STEER] = "steer",
};

void bus_init(struct bus *b)
{
	list_init(&b->subs);
}

void bus_subscribe(struct bus *b, struct bus_sub *s)
{
	list_add_tail(&s->node, &b->subs);
}

void bus_unsubscribe(struct bus_sub *s)
{
	list_del(&s->node);
}

void bus_publish(struct bus *b, const struct bus_event *ev)
{
	struct bus_event e = *ev;
	struct bus_sub *s, *n;

	if (!e.ts_ms)
		e.ts_ms = loop_clock_realtime_ms();
	list_for_each_entry_safe(s, n, &b->subs, node)
		s->cb(s, &e);
}
