// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The status object's shape (DESIGN.md's stable interface: `status --json` and
 * GET /api/status serve it), built by status.c alone: health.c and the uplink
 * helpers are real, policy, conntrack, probes and the monitors answer from
 * stubs below. Keys and types, not values, are what is checked.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ct.h"
#include "daemon.h"
#include "policy.h"
#include "probe.h"
#include "status.h"
#include "uplink.h"

/* ---- stubs: what status.c asks of the rest of the daemon ---- */

const char *policy_prefer_get(const struct daemon *d) { (void)d; return NULL; }
bool policy_disabled(const struct daemon *d, const char *name, const char **who,
		     uint64_t *since_ms)
{
	(void)d; (void)name; (void)who; (void)since_ms;
	return false;
}
const char *policy_reason(const struct daemon *d) { (void)d; return "isp1 up (priority 10)"; }
uint64_t policy_changed_ms(const struct daemon *d) { (void)d; return 1; }
uint64_t policy_switches(const struct daemon *d) { (void)d; return 2; }
uint64_t policy_last_swap_us(const struct daemon *d) { (void)d; return 3; }
bool ct_busy(const struct daemon *d) { (void)d; return false; }
uint64_t ct_flushed(const struct daemon *d) { (void)d; return 0; }
const char *probe_target_note(const struct uplink *u, size_t i) { (void)u; (void)i; return NULL; }
void daemon_monitors_status(struct daemon *d, struct json_object *st) { (void)d; (void)st; }

static json_object *key(json_object *o, const char *k, json_type t)
{
	json_object *v = NULL;

	if (!json_object_object_get_ex(o, k, &v))
		fail_msg("status: no key \"%s\"", k);
	if (t != json_type_null && !json_object_is_type(v, t))
		fail_msg("status: \"%s\" is a %s, not a %s", k,
			 json_type_to_name(json_object_get_type(v)), json_type_to_name(t));
	return v;
}

static void test_shape(void **state)
{
	static const char *const names[] = { "192.0.2.1" };
	struct health_params hp = { .interval_ms = 500, .timeout_ms = 1000, .down_after = 3,
				    .up_after = 5, .min_targets = 1, .hold_down_s = 10,
				    .window = 20 };
	struct config cfg = { .policy = { .mode = POLICY_FAILOVER } };
	struct daemon d;
	struct uplink u;
	json_object *st, *ups, *u0, *pol, *bgp, *lp;

	(void)state;
	memset(&d, 0, sizeof(d));
	memset(&u, 0, sizeof(u));
	assert_int_equal(loop_init(&d.loop), 0);
	list_init(&d.uplinks);
	d.cfg = &cfg;
	d.policy = (struct policy *)&d; /* running (the getters above answer) */
	u.d = &d;
	u.cfg.name = "isp1";
	u.cfg.interface = "wan1";
	u.cfg.gateway = "100.64.1.1";
	u.active = true;
	u.link.ifindex = 3;
	u.link.carrier = true;
	assert_int_equal(health_init(&u.health, &hp, 1, names, loop_now(&d.loop)), 0);
	list_add_tail(&u.node, &d.uplinks);

	st = status_build(&d);
	assert_non_null(st);
	key(st, "version", json_type_string);
	key(st, "uptime_s", json_type_int);
	pol = key(st, "policy", json_type_object);
	key(pol, "mode", json_type_string);
	assert_string_equal(json_object_get_string(key(pol, "active", json_type_string)), "isp1");
	key(pol, "prefer", json_type_null);
	key(pol, "reason", json_type_string);
	key(pol, "switches", json_type_int);
	key(pol, "last_swap_us", json_type_int);
	ups = key(st, "uplinks", json_type_array);
	assert_int_equal(json_object_array_length(ups), 1);
	u0 = json_object_array_get_idx(ups, 0);
	assert_string_equal(json_object_get_string(key(u0, "name", json_type_string)), "isp1");
	assert_string_equal(json_object_get_string(key(u0, "state", json_type_string)), "up");
	assert_true(json_object_get_boolean(key(u0, "active", json_type_boolean)));
	key(u0, "rtt_ms", json_type_null);
	key(u0, "loss_pct", json_type_null);
	key(u0, "jitter_ms", json_type_null);
	key(u0, "reason", json_type_string);
	key(u0, "targets", json_type_array);
	key(st, "tunnels", json_type_array);
	bgp = key(st, "bgp", json_type_object);
	key(bgp, "alerts", json_type_array);
	lp = key(st, "loop", json_type_object);
	key(lp, "longest_callback_us", json_type_int);
	key(lp, "longest_callback_cpu_us", json_type_int);
	json_object_put(st);
	health_destroy(&u.health);
	loop_destroy(&d.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
