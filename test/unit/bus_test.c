// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bus delivers in one order to everyone: an event published while another is
 * being delivered waits until every subscriber has the first (a switch, then the
 * action it caused, then the tunnel move, for every subscriber including the last
 * one registered, such as the web stream), and a queued event is a copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "bus.h"
#include "list.h"

#define NSUB 3

struct rec {
	struct bus_sub sub;
	struct bus *bus;
	char seen[256];
	bool acts_on_active;	/* publishes "action" on BUS_ACTIVE */
	bool moves_on_action;	/* publishes a tunnel move on BUS_ACTION */
};

static void rec_cb(struct bus_sub *s, const struct bus_event *ev)
{
	struct rec *r = container_of(s, struct rec, sub);
	size_t n = strlen(r->seen);

	snprintf(r->seen + n, sizeof(r->seen) - n, "%s%s:%s", n ? " " : "",
		 bus_type_names[ev->type], ev->object ? ev->object : "-");
	if (ev->type == BUS_ACTIVE && r->acts_on_active) {
		char obj[32];

		/* a stack buffer, gone before the queued event is delivered */
		snprintf(obj, sizeof(obj), "203.0.113.0/24");
		bus_publish(r->bus, &(struct bus_event){ .type = BUS_ACTION, .object = obj,
							 .new_state = "isp2", .reason = "steered" });
		memset(obj, 'x', sizeof(obj) - 1);
	}
	if (ev->type == BUS_ACTION && r->moves_on_action)
		bus_publish(r->bus, &(struct bus_event){ .type = BUS_TUNNEL, .object = "hq",
							 .old_state = "up", .new_state = "up",
							 .reason = "moving" });
}

static void test_fifo_order(void **state)
{
	struct bus b;
	struct rec r[NSUB];
	size_t i;

	(void)state;
	bus_init(&b);
	memset(r, 0, sizeof(r));
	for (i = 0; i < NSUB; i++) {
		r[i].sub.cb = rec_cb;
		r[i].bus = &b;
		bus_subscribe(&b, &r[i].sub);
	}
	r[0].acts_on_active = true; /* the first subscriber acts (prefix routes) */
	r[1].moves_on_action = true; /* the second moves a tunnel */

	bus_publish(&b, &(struct bus_event){ .type = BUS_ACTIVE, .object = "isp2",
					     .old_state = "isp1", .new_state = "isp2" });
	for (i = 0; i < NSUB; i++)
		assert_string_equal(r[i].seen, "active:isp2 action:203.0.113.0/24 tunnel:hq");

	/* delivery is over: the next one goes out at once */
	bus_publish(&b, &(struct bus_event){ .type = BUS_CONFIG, .object = "f" });
	for (i = 0; i < NSUB; i++)
		assert_non_null(strstr(r[i].seen, "tunnel:hq config:f"));
	for (i = 0; i < NSUB; i++)
		bus_unsubscribe(&r[i].sub);
}

static struct bus_event last_steer;
static char last_target[64];

static void steer_cb(struct bus_sub *s, const struct bus_event *ev)
{
	(void)s;
	if (ev->type != BUS_STEER)
		return;
	last_steer = *ev;
	snprintf(last_target, sizeof(last_target), "%s", ev->target ? ev->target : "");
}

static void queue_steer_cb(struct bus_sub *s, const struct bus_event *ev)
{
	struct rec *r = container_of(s, struct rec, sub);

	if (ev->type == BUS_ACTIVE)
		bus_publish(r->bus, &(struct bus_event){ .type = BUS_STEER,
							 .steer = BUS_STEER_PREFIX,
							 .target = "198.51.100.0/24",
							 .object = "prefix 198.51.100.0/24",
							 .old_state = "isp1", .new_state = "avoid" });
}

/* A steer request says what it is about in its type, and survives the queue. */
static void test_typed_steer_queued(void **state)
{
	struct bus b;
	struct rec a = { .sub.cb = queue_steer_cb };
	struct bus_sub z = { .cb = steer_cb };

	(void)state;
	bus_init(&b);
	a.bus = &b;
	bus_subscribe(&b, &a.sub);
	bus_subscribe(&b, &z);
	bus_publish(&b, &(struct bus_event){ .type = BUS_ACTIVE, .object = "isp2" });
	assert_int_equal(last_steer.steer, BUS_STEER_PREFIX);
	assert_string_equal(last_target, "198.51.100.0/24");
	bus_unsubscribe(&a.sub);
	bus_unsubscribe(&z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fifo_order),
		cmocka_unit_test(test_typed_steer_queued),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
