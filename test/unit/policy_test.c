// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Policy: the pure choice. State rank, then priority, then order; the current
 * uplink is kept on a tie and when everything is down; unsettled uplinks are
 * neither switched to nor away from unless the current one is unusable; the
 * operator's prefer wins while the preferred uplink is usable.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "bus.h"
#include "daemon.h"
#include "policy.h"
#include "stubs/policy_stubs.h"
#include "uplink.h"

#define UP HEALTH_UP
#define DEG HEALTH_DEGRADED
#define DOWN HEALTH_DOWN

struct fx {
	struct policy_cand c[4];
	char reason[256];
};

static int setup(void **state)
{
	static struct fx f;
	static const char *const names[] = { "isp1", "isp2", "lte", "isp4" };
	size_t i;

	memset(&f, 0, sizeof(f));
	for (i = 0; i < 4; i++) {
		f.c[i].name = names[i];
		f.c[i].state = UP;
		f.c[i].settled = true;
		f.c[i].routable = true;
		f.c[i].priority = 10 * (int)(i + 1);
	}
	*state = &f;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	return 0;
}

static int choose(struct fx *f, size_t n)
{
	return policy_choose(f->c, n, f->reason, sizeof(f->reason));
}

static void test_priority(void **state)
{
	struct fx *f = *state;

	assert_int_equal(choose(f, 3), 0);
	f->c[0].priority = 30;
	assert_int_equal(choose(f, 3), 1);
	/* equal priority: config order */
	f->c[2].priority = 20;
	assert_int_equal(choose(f, 3), 1);
	assert_string_equal(f->reason,
			    "no uplink carries the default route; isp2 up (priority 20)");
}

static void test_switch_back_to_better(void **state)
{
	struct fx *f = *state;

	f->c[1].current = true;
	assert_int_equal(choose(f, 2), 0);
	assert_string_equal(f->reason,
			    "isp1 up (priority 10) is better than isp2 up (priority 20)");
}

static void test_degraded_vs_up(void **state)
{
	struct fx *f = *state;

	f->c[0].state = DEG;
	f->c[0].current = true;
	assert_int_equal(choose(f, 2), 1);
	assert_string_equal(f->reason,
			    "isp2 up (priority 20) is better than isp1 degraded (priority 10)");
	/* a degraded uplink is used when nothing better is up */
	f->c[1].state = DOWN;
	assert_int_equal(choose(f, 2), 0);
	f->c[0].current = false;
	f->c[1].current = true;
	assert_int_equal(choose(f, 2), 0);
	assert_string_equal(f->reason, "isp2 down; isp1 degraded (priority 10)");
	/* both degraded: priority decides */
	f->c[1].state = DEG;
	f->c[1].current = false;
	assert_int_equal(choose(f, 2), 0);
}

static void test_all_down_keeps_current(void **state)
{
	struct fx *f = *state;

	f->c[0].state = DOWN;
	f->c[1].state = DOWN;
	f->c[1].current = true;
	assert_int_equal(choose(f, 2), -1);
	assert_string_equal(f->reason, "all uplinks down; keeping the current default route");
	/* up but not routable (no carrier / next hop) counts as unusable */
	f->c[0].state = UP;
	f->c[0].routable = false;
	assert_int_equal(choose(f, 2), -1);
	f->c[0].routable = true;
	assert_int_equal(choose(f, 2), 0);
	/* the current one up but not routable: switch */
	f->c[0].state = DOWN;
	f->c[1].state = UP;
	f->c[1].routable = false;
	f->c[2].state = DEG;
	assert_int_equal(choose(f, 3), 2);
	assert_non_null(strstr(f->reason, "isp2 not routable"));
}

static void test_tie_keeps_current(void **state)
{
	struct fx *f = *state;

	f->c[0].priority = 20;
	f->c[1].current = true;
	assert_int_equal(choose(f, 2), 1);
	assert_string_equal(f->reason, "keeping isp2 (up, priority 20)");
	f->c[0].priority = 19;
	assert_int_equal(choose(f, 2), 0);
}

static void test_unsettled(void **state)
{
	struct fx *f = *state;

	/* restart: isp2 carries the route (adopted); isp1 is better but unsettled */
	f->c[0].settled = false;
	f->c[1].settled = false;
	f->c[1].current = true;
	assert_int_equal(choose(f, 2), 1);
	assert_string_equal(f->reason, "keeping isp2: up since start, health not settled yet");
	/* isp2 settles first: isp1 is still not switched to */
	f->c[1].settled = true;
	assert_int_equal(choose(f, 2), 1);
	/* once isp1 settles it wins */
	f->c[0].settled = true;
	assert_int_equal(choose(f, 2), 0);
	/* the current one unsettled and degraded: not switched away from either */
	f->c[0].settled = false;
	f->c[1].settled = false;
	f->c[1].state = DEG;
	assert_int_equal(choose(f, 2), 1);
	/* down: an unsettled uplink is still not moved to before its first verdict
	 * (issue 13: the backup was down a second later) */
	f->c[1].state = DOWN;
	assert_int_equal(choose(f, 2), POLICY_WAIT);
	assert_string_equal(f->reason, "waiting for the first verdicts on isp1; "
			    "keeping the current default route");
	f->c[0].settled = true;
	assert_int_equal(choose(f, 2), 0);
	f->c[0].settled = false;
	/* nothing current at all (no default route at start): wait for a verdict too */
	f->c[1].current = false;
	f->c[1].state = UP;
	assert_int_equal(choose(f, 2), POLICY_WAIT);
	f->c[1].settled = true;
	assert_int_equal(choose(f, 2), 1);
	f->c[1].settled = false;
	/* settled current, better candidate unsettled: keep current */
	f->c[1].current = true;
	f->c[1].settled = true;
	assert_int_equal(choose(f, 2), 1);
	/* a settled better one still wins over an unsettled one */
	f->c[2].priority = 5;
	assert_int_equal(choose(f, 3), 2);
}

static void test_prefer(void **state)
{
	struct fx *f = *state;

	f->c[0].current = true;
	f->c[1].preferred = true;
	assert_int_equal(choose(f, 2), 1);
	assert_string_equal(f->reason, "isp2 preferred by the operator (up, priority 20)");
	/* preferred wins while not down, even degraded or unsettled */
	f->c[1].state = DEG;
	f->c[1].settled = false;
	assert_int_equal(choose(f, 2), 1);
	/* down: normal rules */
	f->c[1].state = DOWN;
	assert_int_equal(choose(f, 2), 0);
	/* not routable: normal rules */
	f->c[1].state = UP;
	f->c[1].routable = false;
	assert_int_equal(choose(f, 2), 0);
}

static void test_empty(void **state)
{
	struct fx *f = *state;

	assert_int_equal(choose(f, 0), -1);
}

/* ---- policy_run() against stubbed actuators ---- */

struct rx {
	struct daemon d;
	struct config cfg;
	struct uplink u[2];
	struct bus_sub sub;
	struct bus_event last[BUS_TYPE_MAX];
	char reason[BUS_TYPE_MAX][512], obj[BUS_TYPE_MAX][64], old[BUS_TYPE_MAX][64];
	int count[BUS_TYPE_MAX];
};

static void rx_cb(struct bus_sub *s, const struct bus_event *ev)
{
	struct rx *x = container_of(s, struct rx, sub);

	x->count[ev->type]++;
	snprintf(x->reason[ev->type], sizeof(x->reason[0]), "%s", ev->reason ? ev->reason : "");
	snprintf(x->obj[ev->type], sizeof(x->obj[0]), "%s", ev->object ? ev->object : "");
	snprintf(x->old[ev->type], sizeof(x->old[0]), "%s", ev->old_state ? ev->old_state : "");
}

static int run_setup(void **state)
{
	static const char *const names[] = { "isp1", "isp2" };
	struct rx *x = calloc(1, sizeof(*x));
	int i;

	assert_non_null(x);
	memset(&stub, 0, sizeof(stub));
	assert_int_equal(loop_init(&x->d.loop), 0);
	bus_init(&x->d.bus);
	list_init(&x->d.uplinks);
	x->cfg.policy.mode = POLICY_FAILOVER;
	x->d.cfg = &x->cfg;
	x->d.route = (struct route_ctl *)x; /* only tested for non-NULL */
	x->d.ct = (struct ct *)x;
	for (i = 0; i < 2; i++) {
		struct uplink *u = &x->u[i];

		u->d = &x->d;
		u->cfg.name = (char *)names[i];
		u->cfg.interface = (char *)(i ? "wan2" : "wan1");
		u->cfg.priority = 10 * (i + 1);
		u->health.state = HEALTH_UP;
		u->health.settled = false;
		snprintf(u->health.reason, sizeof(u->health.reason), "starting");
		/* routable for IPv4 as uplink.c judges it: an interface with carrier and a
		 * learned gateway; no IPv6 next hop unless a test gives one */
		u->link.ifindex = i + 1;
		u->link.carrier = true;
		u->link.has_gw4 = true;
		u->link.gw4.s_addr = htonl(0x64400101 + 0x100 * (uint32_t)i); /* 100.64.1.1, .2.1 */
		list_add_tail(&u->node, &x->d.uplinks);
	}
	x->sub.cb = rx_cb;
	bus_subscribe(&x->d.bus, &x->sub);
	assert_int_equal(policy_init(&x->d), 0);
	*state = x;
	return 0;
}

static int run_teardown(void **state)
{
	struct rx *x = *state;

	policy_destroy(&x->d);
	policy_destroy(&x->d); /* twice: a no-op */
	loop_destroy(&x->d.loop);
	free(x);
	return 0;
}

static void test_run_adopt_switch_fail(void **state)
{
	struct rx *x = *state;
	char err[128];

	/* restart: the kernel's default goes via isp2; adopt it and state it as desired
	 * (route.c owns the adopted route and writes nothing when it is unchanged) */
	stub.current = &x->u[1];
	policy_run(&x->d);
	assert_true(x->u[1].active);
	assert_false(x->u[0].active);
	assert_int_equal(stub.route_calls, 1);
	assert_ptr_equal(stub.route_ups[0], &x->u[1]);
	assert_int_equal(stub.clear6_calls, 1); /* no IPv6 next hop: none of ours stays */
	assert_string_equal(x->reason[BUS_ACTIVE], "adopted the existing default route via isp2");
	assert_string_equal(x->old[BUS_ACTIVE], "none");
	assert_string_equal(policy_reason(&x->d), "adopted the existing default route via isp2");

	/* both settle: isp1 (priority 10) takes over; isp2 flushes its conntrack */
	x->u[0].health.settled = x->u[1].health.settled = true;
	x->u[1].cfg.flush_conntrack = true;
	policy_schedule(&x->d);
	policy_schedule(&x->d); /* one run for many requests */
	loop_run_due(&x->d.loop);
	assert_int_equal(stub.route_calls, 2);
	assert_ptr_equal(stub.route_ups[0], &x->u[0]);
	assert_true(x->u[0].active);
	assert_false(x->u[1].active);
	assert_int_equal(x->u[0].switches, 1);
	assert_int_equal(policy_switches(&x->d), 1);
	assert_string_equal(x->obj[BUS_ACTIVE], "isp1");
	assert_string_equal(x->old[BUS_ACTIVE], "isp2");
	assert_int_equal(stub.ct_calls, 1);
	assert_ptr_equal(stub.ct_last, &x->u[1]);

	/* isp1 goes down: isp2 with the reason of both */
	x->u[0].health.state = HEALTH_DOWN;
	snprintf(x->u[0].health.reason, sizeof(x->u[0].health.reason),
		 "0/2 targets answered for 3 rounds; last RTT 4.1 ms");
	policy_run(&x->d);
	assert_true(x->u[1].active);
	assert_string_equal(x->reason[BUS_ACTIVE], "isp1 down: 0/2 targets answered for 3 rounds; "
			    "last RTT 4.1 ms; isp2 up (priority 20)");
	assert_int_equal(stub.ct_calls, 1); /* isp1 does not flush */

	/* isp1 is back but the kernel refuses: isp2 stays active, BUS_ERROR says why */
	x->u[0].health.state = HEALTH_UP;
	stub.route_err = -EINVAL;
	policy_run(&x->d);
	assert_true(x->u[1].active);
	assert_false(x->u[0].active);
	assert_int_equal(x->count[BUS_ERROR], 1);
	assert_non_null(strstr(x->reason[BUS_ERROR], "Nexthop has invalid gateway"));
	stub.route_err = 0;

	/* all down: keep what is there, say so once */
	x->u[0].health.state = x->u[1].health.state = HEALTH_DOWN;
	stub.route_calls = 0;
	policy_run(&x->d);
	policy_run(&x->d);
	assert_int_equal(stub.route_calls, 0);
	assert_true(x->u[1].active);
	assert_string_equal(policy_reason(&x->d),
			    "all uplinks down; keeping the current default route");

	/* prefer */
	x->u[0].health.state = x->u[1].health.state = HEALTH_UP;
	policy_run(&x->d);
	assert_true(x->u[0].active);
	assert_int_equal(policy_prefer(&x->d, "isp9", "test", err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "no uplink named \"isp9\"; use one of: isp1 isp2 or auto");
	assert_int_equal(policy_prefer(&x->d, "isp2", "test", err, sizeof(err)), 0);
	assert_string_equal(policy_prefer_get(&x->d), "isp2");
	assert_int_equal(x->count[BUS_ACTION], 1);
	loop_run_due(&x->d.loop);
	assert_true(x->u[1].active);
	assert_int_equal(policy_prefer(&x->d, "auto", "test", err, sizeof(err)), 0);
	assert_null(policy_prefer_get(&x->d));
	loop_run_due(&x->d.loop);
	assert_true(x->u[0].active);

	/* the reason follows the pin even when the route does not move (issue 13) */
	assert_int_equal(policy_prefer(&x->d, "isp1", "test", err, sizeof(err)), 0);
	loop_run_due(&x->d.loop);
	assert_string_equal(policy_reason(&x->d), "isp1 preferred by the operator (up, priority 10)");
	x->u[0].health.state = HEALTH_DEGRADED; /* pinned at 35 % loss: not "up" */
	policy_run(&x->d);
	assert_true(x->u[0].active);
	assert_string_equal(policy_reason(&x->d),
			    "isp1 preferred by the operator (degraded, priority 10)");
	x->u[1].health.state = HEALTH_DOWN;
	assert_int_equal(policy_prefer(&x->d, "auto", "test", err, sizeof(err)), 0);
	loop_run_due(&x->d.loop);
	assert_true(x->u[0].active);
	assert_string_equal(policy_reason(&x->d), "keeping isp1 (degraded, priority 10)");

	/* maintenance: a disabled uplink is left, and the reason says who */
	x->u[0].health.state = x->u[1].health.state = HEALTH_UP;
	assert_int_equal(policy_admin(&x->d, "isp1", true, "test", err, sizeof(err)), 0);
	assert_true(policy_disabled(&x->d, "isp1", NULL, NULL));
	loop_run_due(&x->d.loop);
	assert_true(x->u[1].active);
	assert_string_equal(policy_reason(&x->d),
			    "isp1 disabled by test; isp2 up (priority 20)");
	assert_int_equal(policy_admin(&x->d, "isp9", true, "test", err, sizeof(err)), -ENOENT);
	assert_int_equal(policy_admin(&x->d, "isp1", false, "test", err, sizeof(err)), 0);
	loop_run_due(&x->d.loop);
	assert_true(x->u[0].active);
}

static void test_run_balance(void **state)
{
	struct rx *x = *state;

	x->cfg.policy.mode = POLICY_BALANCE;
	x->u[0].health.settled = x->u[1].health.settled = true;
	policy_run(&x->d);
	assert_int_equal(stub.route_n, 2);
	assert_true(x->u[0].active && x->u[1].active);
	assert_string_equal(x->obj[BUS_ACTIVE], "isp1,isp2");
	x->u[1].health.state = HEALTH_DEGRADED;
	policy_run(&x->d);
	assert_int_equal(stub.route_n, 1);
	assert_true(x->u[0].active);
	assert_false(x->u[1].active);
	x->u[0].health.state = HEALTH_DOWN;
	policy_run(&x->d);
	assert_int_equal(stub.route_n, 1);
	assert_ptr_equal(stub.route_ups[0], &x->u[1]);
}

/*
 * IPv6 follows the IPv4 choice (uplink.c's real uplink_routable decides which
 * uplink has an IPv6 next hop; a stub that called every uplink IPv4-only hid
 * all of this): the IPv6 default goes with the active uplink when it has an
 * IPv6 gateway, is taken away when the uplink it fails over to has none, comes
 * back by device on a point-to-point link with a global IPv6 address, and a
 * refused IPv6 route is an error of its own that leaves IPv4 switched.
 */
static void test_run_ipv6_follows(void **state)
{
	struct rx *x = *state;

	x->u[0].health.settled = x->u[1].health.settled = true;
	x->u[0].link.has_gw6 = true;
	inet_pton(AF_INET6, "fe80::1", &x->u[0].link.gw6);
	policy_run(&x->d);
	assert_true(x->u[0].active);
	assert_int_equal(stub.route6_calls, 1);
	assert_int_equal(stub.route6_n, 1);
	assert_ptr_equal(stub.route6_ups[0], &x->u[0]);
	assert_int_equal(stub.clear6_calls, 0);

	/* isp1 down: IPv4 moves to isp2, which has no IPv6 next hop, so ours goes */
	x->u[0].health.state = HEALTH_DOWN;
	policy_run(&x->d);
	assert_true(x->u[1].active);
	assert_ptr_equal(stub.route_ups[0], &x->u[1]);
	assert_int_equal(stub.route6_calls, 1);
	assert_int_equal(stub.clear6_calls, 1);

	/* isp2 is PPP and gets a global IPv6 address: routed by device, no gateway */
	x->u[1].link.pointopoint = true;
	x->u[1].link.has_addr6 = true;
	inet_pton(AF_INET6, "2001:db8:2::2", &x->u[1].link.addr6);
	policy_run(&x->d);
	assert_int_equal(stub.route6_calls, 2);
	assert_ptr_equal(stub.route6_ups[0], &x->u[1]);
	assert_int_equal(stub.clear6_calls, 1);

	/* the kernel refuses the IPv6 route: an error naming IPv6; IPv4 is switched */
	x->u[0].health.state = HEALTH_UP;
	x->u[1].health.state = HEALTH_DOWN;
	stub.route6_err = -EHOSTUNREACH;
	policy_run(&x->d);
	assert_true(x->u[0].active);
	assert_ptr_equal(stub.route_ups[0], &x->u[0]);
	assert_int_equal(x->count[BUS_ERROR], 1);
	assert_non_null(strstr(x->reason[BUS_ERROR], "cannot point the IPv6 default route at isp1"));
	assert_non_null(strstr(x->reason[BUS_ERROR], "No route to host"));
	stub.route6_err = 0;

	/* without carrier isp1 is routable for neither family, even with its gateways */
	x->u[0].link.carrier = false;
	x->u[1].health.state = HEALTH_UP;
	policy_run(&x->d);
	assert_true(x->u[1].active);
	assert_ptr_equal(stub.route6_ups[0], &x->u[1]);
}

/* balance: the IPv6 default spreads over the members that have an IPv6 next hop */
static void test_run_balance_ipv6(void **state)
{
	struct rx *x = *state;

	x->cfg.policy.mode = POLICY_BALANCE;
	x->u[0].health.settled = x->u[1].health.settled = true;
	x->u[1].cfg.gateway6 = (char *)"2001:db8:2::1";	/* configured, not learned */
	policy_run(&x->d);
	assert_int_equal(stub.route_n, 2);
	assert_int_equal(stub.route6_calls, 1);
	assert_int_equal(stub.route6_n, 1);
	assert_ptr_equal(stub.route6_ups[0], &x->u[1]);
}

/* ---- steered prefixes: part of each run's desired state ---- */

static uint64_t fake_ns = 1000 * NSEC_PER_SEC;

static uint64_t fake_clock(void)
{
	return fake_ns;
}

static void steer(struct rx *x, const char *uplink, const char *what)
{
	bus_publish(&x->d.bus, &(struct bus_event){ .type = BUS_STEER, .steer = BUS_STEER_PREFIX,
						    .target = "203.0.113.0/24",
						    .object = "prefix 203.0.113.0/24",
						    .old_state = uplink, .new_state = what,
						    .reason = "test" });
}

static void test_run_prefix(void **state)
{
	struct rx *x = *state;
	const struct policy_desired *w;
	char err[128];
	int syncs;

	x->d.loop.clock = fake_clock;
	loop_update_time(&x->d.loop);
	x->d.route_prefix = (struct route_prefix *)x; /* the actuator: stubbed */
	x->u[0].health.settled = x->u[1].health.settled = true;
	x->u[0].cfg.health.hold_down_s = x->u[1].cfg.health.hold_down_s = 5;
	policy_run(&x->d);
	assert_true(x->u[0].active);
	assert_int_equal(stub.nprefix, 0);
	w = policy_desired_get(&x->d);
	assert_non_null(w);
	assert_int_equal(w->ndef[0], 1);
	assert_string_equal(w->def[0][0], "isp1");
	assert_int_equal(w->ndef[1], 0); /* no IPv6 next hop: none of ours */
	assert_false(w->keep[0] || w->keep[1]);

	/* a steer is noted during delivery and decided by the next run, never inside it */
	syncs = stub.prefix_syncs;
	steer(x, "isp1", "avoid");
	assert_int_equal(stub.prefix_syncs, syncs);
	loop_run_due(&x->d.loop);
	assert_int_equal(stub.prefix_syncs, syncs + 1);
	assert_int_equal(stub.nprefix, 1);
	assert_string_equal(stub.prefix_name[0], "203.0.113.0/24");
	assert_string_equal(stub.prefix_via[0], "isp2");
	assert_non_null(strstr(stub.prefix_reason[0], "away from the anomalous view of isp1"));
	assert_int_equal(policy_desired_get(&x->d)->nprefix, 1);

	/* the operator's prefer does not override an avoided view */
	assert_int_equal(policy_prefer(&x->d, "isp1", "test", err, sizeof(err)), 0);
	loop_run_due(&x->d.loop);
	assert_string_equal(stub.prefix_via[0], "isp2");
	assert_int_equal(policy_prefer(&x->d, "auto", "test", err, sizeof(err)), 0);
	loop_run_due(&x->d.loop);

	/* the clean uplink down, or disabled: nothing usable, no route of ours */
	x->u[1].health.state = HEALTH_DOWN;
	policy_run(&x->d);
	assert_string_equal(stub.prefix_via[0], "");
	assert_non_null(strstr(stub.prefix_reason[0], "no usable uplink"));
	x->u[1].health.state = HEALTH_UP;
	policy_run(&x->d);
	assert_string_equal(stub.prefix_via[0], "isp2");
	assert_int_equal(policy_admin(&x->d, "isp2", true, "test", err, sizeof(err)), 0);
	loop_run_due(&x->d.loop);
	assert_string_equal(stub.prefix_via[0], "");
	assert_int_equal(policy_admin(&x->d, "isp2", false, "test", err, sizeof(err)), 0);
	loop_run_due(&x->d.loop);
	assert_string_equal(stub.prefix_via[0], "isp2");

	/* the anomaly ends: isp1 stays avoided for its hold-down, then P follows the
	 * default route (the last run hands the actuator an entry without a route) */
	steer(x, "isp1", "clear");
	loop_run_due(&x->d.loop);
	assert_string_equal(stub.prefix_via[0], "isp2");
	assert_non_null(strstr(stub.prefix_reason[0], "isp1 held down"));
	fake_ns += 4 * NSEC_PER_SEC;
	loop_update_time(&x->d.loop);
	loop_run_due(&x->d.loop);
	policy_run(&x->d);
	assert_string_equal(stub.prefix_via[0], "isp2");
	fake_ns += 2 * NSEC_PER_SEC;
	loop_update_time(&x->d.loop);
	syncs = stub.prefix_syncs;
	loop_run_due(&x->d.loop); /* the hold-down's timer asks for a run */
	assert_int_equal(stub.prefix_syncs, syncs + 1);
	assert_int_equal(stub.nprefix, 1);
	assert_string_equal(stub.prefix_via[0], "");
	assert_non_null(strstr(stub.prefix_reason[0], "the default route applies"));
	policy_run(&x->d);
	assert_int_equal(stub.nprefix, 0); /* forgotten */
}

/* Listeners (tunnel steering) are told after the run, once its switch is on the bus. */
struct lx {
	struct policy_listener l;
	struct rx *x;
	int ran;
	int actives_then;
};

static void lx_ran(struct policy_listener *l)
{
	struct lx *o = container_of(l, struct lx, l);

	o->ran++;
	o->actives_then = o->x->count[BUS_ACTIVE];
}

static void test_run_listener(void **state)
{
	struct rx *x = *state;
	struct lx o = { .l.ran = lx_ran, .x = x };

	policy_listen(&x->d, &o.l);
	x->u[0].health.settled = x->u[1].health.settled = true;
	x->u[0].health.state = HEALTH_DOWN;
	policy_run(&x->d);
	assert_true(x->u[1].active);
	assert_int_equal(o.ran, 1);
	assert_int_equal(o.actives_then, x->count[BUS_ACTIVE]); /* the switch came first */
	assert_true(x->count[BUS_ACTIVE] > 0);
	policy_unlisten(&o.l);
	policy_run(&x->d);
	assert_int_equal(o.ran, 1);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
#define R(fn) cmocka_unit_test_setup_teardown(fn, run_setup, run_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_priority),	   T(test_switch_back_to_better), T(test_degraded_vs_up),
		T(test_all_down_keeps_current), T(test_tie_keeps_current), T(test_unsettled),
		T(test_prefer),		   T(test_empty),
		R(test_run_adopt_switch_fail), R(test_run_balance), R(test_run_prefix),
		R(test_run_listener),	   R(test_run_ipv6_follows), R(test_run_balance_ipv6),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
