// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rankings of a steered prefix's uplink and of a tunnel's paths, alone (only
 * policy_rank.c is linked): down or unroutable never, up before degraded, the
 * operator's prefer, then the default route's uplink, then priority, then order;
 * disabled uplinks never; avoided uplinks, held-down views and held-down paths skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "policy_rank.h"

static void cands(struct policy_cand *c)
{
	c[0] = (struct policy_cand){ .name = "isp1", .state = HEALTH_UP, .routable = true,
				     .priority = 10, .current = true };
	c[1] = (struct policy_cand){ .name = "isp2", .state = HEALTH_UP, .routable = true,
				     .priority = 20 };
	c[2] = (struct policy_cand){ .name = "lte", .state = HEALTH_UP, .routable = true,
				     .priority = 30 };
}

static int prefix(const struct policy_cand *c, const struct policy_prefix_view *v, char *why)
{
	return policy_rank_prefix(c, 3, v, why, 256);
}

static void test_prefix(void **state)
{
	struct policy_cand c[3];
	struct policy_prefix_view v[3] = { { .avoided = true }, { 0 }, { 0 } };
	struct policy_prefix_view clean[3] = { { 0 } };
	char why[256];

	(void)state;
	cands(c);
	/* no view avoided: no route of ours, the prefix follows the default route */
	assert_int_equal(prefix(c, clean, why), POLICY_PREFIX_FOLLOW);
	assert_string_equal(why, "no carrier's view is avoided any more; the default route applies");
	assert_int_equal(prefix(c, v, why), 1);			   /* isp1's view is bad */
	assert_string_equal(why, "routed through isp2 (up, priority 20), away from the anomalous "
			    "view of isp1");
	c[1].state = HEALTH_DEGRADED;
	assert_int_equal(prefix(c, v, why), 2);			   /* up beats degraded */
	c[2].routable = false;
	assert_int_equal(prefix(c, v, why), 1);			   /* degraded beats none */
	c[1].state = HEALTH_DOWN;
	assert_int_equal(prefix(c, v, why), POLICY_PREFIX_NONE);  /* nothing usable */
	assert_non_null(strstr(why, "no usable uplink is left outside the avoided views"));
	cands(c);
	c[2].preferred = true;					   /* prefer lte */
	assert_int_equal(prefix(c, v, why), 2);
	c[0].preferred = true;					   /* prefer never beats avoid */
	c[2].preferred = false;
	assert_int_equal(prefix(c, v, why), 1);
	c[0].preferred = false;
	c[1].priority = 40;
	assert_int_equal(prefix(c, v, why), 2);			   /* priority */
	cands(c);
	c[0].current = false;
	c[2].current = true;					   /* the default's uplink */
	assert_int_equal(prefix(c, v, why), 2);
	cands(c);
	c[1].disabled = true;					   /* out of service */
	assert_int_equal(prefix(c, v, why), 2);
	/* the anomaly ended lately: held down, skipped, and still a route of ours */
	cands(c);
	v[0].avoided = false;
	v[0].held_down = true;
	assert_int_equal(prefix(c, v, why), 1);
	assert_string_equal(why, "routed through isp2 (up, priority 20), away from isp1 held down "
			    "after its anomaly ended");
	v[1].avoided = true;
	assert_int_equal(prefix(c, v, why), 2);
	assert_string_equal(why, "routed through lte (up, priority 30), away from the anomalous "
			    "view of isp2; isp1 held down after its anomaly ended");
}

static void test_paths(void **state)
{
	struct policy_cand c[3];
	struct policy_path p[] = {
		{ .cand = 0, .remote = 0 }, { .cand = 0, .remote = 1 },
		{ .cand = 1, .remote = 0 }, { .cand = 1, .remote = 1 },
	};
	size_t order[4], k;

	(void)state;
	cands(c);
	/* the default route's uplink first, remotes in their order */
	k = policy_rank_paths(c, 3, p, 4, order);
	assert_int_equal(k, 4);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(order[2], 2);
	assert_int_equal(order[3], 3);
	/* isp1's first remote held down, isp2 carries the default route now */
	p[0].held_down = true;
	c[0].current = false;
	c[1].current = true;
	k = policy_rank_paths(c, 3, p, 4, order);
	assert_int_equal(k, 3);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 3);
	assert_int_equal(order[2], 1);
	/* isp2 degraded: isp1's remaining path first; isp2 avoided: gone */
	c[1].state = HEALTH_DEGRADED;
	k = policy_rank_paths(c, 3, p, 4, order);
	assert_int_equal(order[0], 1);
	p[2].avoided = p[3].avoided = true;
	k = policy_rank_paths(c, 3, p, 4, order);
	assert_int_equal(k, 1);
	assert_int_equal(order[0], 1);
	/* everything down or held: none */
	c[0].state = HEALTH_DOWN;
	assert_int_equal(policy_rank_paths(c, 3, p, 4, order), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prefix),
		cmocka_unit_test(test_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
