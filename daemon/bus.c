// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: bus.c - publish/subscribe of decisions, in one order for everyone
 *
 * Owns the subscriber list and the FIFO of events published during a
 * delivery (copied, delivered after the current one: BIRD's event list). A
 * publisher never sees its event delivered to later subscribers before an
 * earlier event reached them all.
 */
#include "bus.h"
#include "log.h"
#include "loop.h"

#include <stdlib.h>
#include <string.h>

const char *const bus_type_names[BUS_TYPE_MAX] = {
	[BUS_UPLINK_STATE] = "uplink", [BUS_ACTIVE] = "active", [BUS_CONFIG] = "config",
	[BUS_ACTION] = "action",       [BUS_ERROR] = "error",   [BUS_SIGNAL] = "signal",
	[BUS_TUNNEL] = "tunnel",       [BUS_ALERT] = "alert",   [BUS_STEER] = "steer",
};

struct bus_queued {
	struct bus_queued *next;
	struct bus_event ev; /* its strings point into text */
	char text[];
};

void bus_init(struct bus *b)
{
	list_init(&b->subs);
	b->delivering = false;
	b->head = NULL;
	b->tail = &b->head;
}

void bus_subscribe(struct bus *b, struct bus_sub *s)
{
	list_add_tail(&s->node, &b->subs);
}

void bus_unsubscribe(struct bus_sub *s)
{
	list_del(&s->node);
}

static size_t slen(const char *s)
{
	return s ? strlen(s) + 1 : 0;
}

static const char *scopy(char **at, const char *s)
{
	char *d = *at;

	if (!s)
		return NULL;
	memcpy(d, s, strlen(s) + 1);
	*at += strlen(s) + 1;
	return d;
}

/* A copy of ev in one allocation, or NULL. */
static struct bus_queued *queued_new(const struct bus_event *ev)
{
	size_t n = slen(ev->object) + slen(ev->old_state) + slen(ev->new_state) +
		   slen(ev->reason) + slen(ev->target);
	struct bus_queued *q = malloc(sizeof(*q) + n);
	char *at;

	if (!q)
		return NULL;
	at = q->text;
	q->next = NULL;
	q->ev = *ev;
	q->ev.object = scopy(&at, ev->object);
	q->ev.old_state = scopy(&at, ev->old_state);
	q->ev.new_state = scopy(&at, ev->new_state);
	q->ev.reason = scopy(&at, ev->reason);
	q->ev.target = scopy(&at, ev->target);
	return q;
}

static void deliver(struct bus *b, const struct bus_event *ev)
{
	struct bus_sub *s, *n;

	list_for_each_entry_safe(s, n, &b->subs, node)
		s->cb(s, ev);
}

void bus_publish(struct bus *b, const struct bus_event *ev)
{
	struct bus_event e = *ev;
	struct bus_queued *q;

	if (!e.ts_ms)
		e.ts_ms = loop_clock_realtime_ms();
	if (b->delivering) {
		q = queued_new(&e);
		if (!q) {
			log_err("bus: out of memory; the %s event of %s is lost",
				e.type < BUS_TYPE_MAX ? bus_type_names[e.type] : "?",
				e.object ? e.object : "-");
			return;
		}
		*b->tail = q;
		b->tail = &q->next;
		return;
	}
	b->delivering = true;
	deliver(b, &e);
	while ((q = b->head)) {
		b->head = q->next;
		if (!b->head)
			b->tail = &b->head;
		deliver(b, &q->ev);
		free(q);
	}
	b->delivering = false;
}
