// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The rankings of a steered prefix's uplink and of a tunnel's paths, alone (only
 * policy_rank.c is linked): down or unroutable never, up before degraded, the
 * operator's prefer, then the default route's uplink, then priority, then order;
 * avoided uplinks and held-down paths skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

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

static void test_prefix(void **state)
{
	struct policy_cand c[3];
	bool avoided[3] = { true, false, false };

	(void)state;
	cands(c);
	assert_int_equal(policy_rank_prefix(c, 3, NULL), 0);
	assert_int_equal(policy_rank_prefix(c, 3, avoided), 1);	   /* isp1's view is bad */
	c[1].state = HEALTH_DEGRADED;
	assert_int_equal(policy_rank_prefix(c, 3, avoided), 2);	   /* up beats degraded */
	c[2].routable = false;
	assert_int_equal(policy_rank_prefix(c, 3, avoided), 1);	   /* degraded beats none */
	c[1].state = HEALTH_DOWN;
	assert_int_equal(policy_rank_prefix(c, 3, avoided), -1);  /* nothing usable */
	cands(c);
	c[2].preferred = true;					   /* prefer lte */
	assert_int_equal(policy_rank_prefix(c, 3, avoided), 2);
	c[1].priority = 40;
	c[2].preferred = false;
	assert_int_equal(policy_rank_prefix(c, 3, avoided), 2);	   /* priority */
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
