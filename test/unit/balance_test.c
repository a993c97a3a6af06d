// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * balance.c's pure choices: shares of new connections by weight and state, and each rule
 * action (failover, balance, lowest_rtt/jitter/loss with hysteresis), with their reasons.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "balance.h"

struct fix {
	struct balance_cand c[3];
	char *names[3];
	struct cfg_rule r;
};

static int setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	static const char *const n[] = { "isp1", "isp2", "lte" };
	int i;

	if (!f)
		return -1;
	for (i = 0; i < 3; i++)
		f->c[i] = (struct balance_cand){ .name = n[i], .state = HEALTH_UP, .usable = true,
						 .weight = 1, .rtt_ms = 10, .jitter_ms = 1,
						 .loss_pct = 0 };
	f->c[0].weight = 3;
	f->names[0] = "isp2";
	f->names[1] = "isp1";
	f->r.name = "r";
	f->r.uplinks.v = f->names;
	f->r.uplinks.n = 2;
	f->r.dscp = -1;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void test_shares_by_weight(void **state)
{
	struct fix *f = *state;
	unsigned s[3];
	char why[224];

	assert_int_equal(balance_shares(f->c, 2, NULL, s, why, sizeof(why)), 2);
	assert_int_equal(s[0], 75);
	assert_int_equal(s[1], 25);
	assert_string_equal(why, "isp1 75%, isp2 25% by weight");
}

static void test_shares_sum_to_100(void **state)
{
	struct fix *f = *state;
	unsigned s[3];
	char why[224];

	f->c[0].weight = 1;
	assert_int_equal(balance_shares(f->c, 3, NULL, s, why, sizeof(why)), 3);
	assert_int_equal(s[0] + s[1] + s[2], 100);
	assert_in_range(s[0], 33, 34);
}

static void test_shares_degraded_halved_down_zero(void **state)
{
	struct fix *f = *state;
	unsigned s[3];
	char why[224];

	f->c[0].state = HEALTH_DEGRADED; /* 3 counts as 1.5 against isp2's 1 */
	balance_shares(f->c, 2, NULL, s, why, sizeof(why));
	assert_int_equal(s[0], 60);
	assert_int_equal(s[1], 40);
	assert_non_null(strstr(why, "degraded uplinks count half"));
	f->c[0].state = HEALTH_DOWN;
	balance_shares(f->c, 2, NULL, s, why, sizeof(why));
	assert_int_equal(s[0], 0);
	assert_int_equal(s[1], 100);
	f->c[1].usable = false; /* no carrier or next hop */
	assert_int_equal(balance_shares(f->c, 2, NULL, s, why, sizeof(why)), 0);
	assert_int_equal(s[1], 0);
	assert_non_null(strstr(why, "no usable uplink"));
}

static void test_failover_rule_holds_and_falls_back(void **state)
{
	struct fix *f = *state;
	struct balance_choice ch;

	f->r.action = RULE_FAILOVER;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, -1, &ch), 1);
	assert_string_equal(ch.reason, "isp2 first in the list, up");
	f->c[1].state = HEALTH_DOWN;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 1, &ch), 0);
	assert_string_equal(ch.reason, "isp2 down; falling back to isp1 (up)");
	f->c[1].state = HEALTH_DEGRADED; /* an up member goes before a degraded one */
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 0);
	f->c[0].state = HEALTH_DOWN; /* ... but a degraded one before none */
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 1);
	f->c[1].state = HEALTH_DOWN;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 1, &ch), -1);
	assert_false(ch.spread);
	assert_string_equal(ch.reason,
			    "none of isp2, isp1 is usable; its connections are spread like the rest");
}

static void test_lowest_jitter_with_hysteresis(void **state)
{
	struct fix *f = *state;
	struct balance_choice ch;

	f->r.action = RULE_LOWEST_JITTER;
	f->c[0].jitter_ms = 10;
	f->c[1].jitter_ms = 9;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, -1, &ch), 1); /* no history */
	/* isp1 in use: 9 ms is not better than 10 ms by max(2 ms, 25 %) */
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 0);
	assert_non_null(strstr(ch.reason, "keeping isp1"));
	f->c[1].jitter_ms = 7;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 1);
	assert_string_equal(ch.reason, "isp2 has the lowest jitter (7.0 ms)");
	/* a previous choice that went down is not kept */
	f->c[1].jitter_ms = 9;
	f->c[0].state = HEALTH_DOWN;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 1);
	/* lte is not a member: never chosen even with the best jitter */
	f->c[2].jitter_ms = 0.1;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 1, &ch), 1);
}

static void test_lowest_rtt_and_loss(void **state)
{
	struct fix *f = *state;
	struct balance_choice ch;

	f->r.action = RULE_LOWEST_RTT;
	f->c[0].rtt_ms = 30;
	f->c[1].rtt_ms = 26; /* within 5 ms */
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 0);
	f->c[1].rtt_ms = 20;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 1);
	f->c[1].rtt_ms = -1; /* not measured counts as worst */
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, -1, &ch), 0);
	f->r.action = RULE_LOWEST_LOSS;
	f->c[0].loss_pct = 3;
	f->c[1].loss_pct = 2;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 0);
	f->c[1].loss_pct = 0;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, 0, &ch), 1);
	/* only degraded members: the best degraded one, said so */
	f->c[0].state = f->c[1].state = HEALTH_DEGRADED;
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, -1, &ch), 1);
	assert_non_null(strstr(ch.reason, "among degraded uplinks"));
}

static void test_balance_rule_over_its_list(void **state)
{
	struct fix *f = *state;
	struct balance_choice ch;

	f->r.action = RULE_BALANCE;
	f->c[2].weight = 100; /* not a member */
	assert_int_equal(balance_rule_choose(&f->r, f->c, 3, -1, &ch), -1);
	assert_true(ch.spread);
	assert_int_equal(ch.share[0], 75);
	assert_int_equal(ch.share[1], 25);
	assert_int_equal(ch.share[2], 0);
	f->c[0].state = f->c[1].state = HEALTH_DOWN;
	balance_rule_choose(&f->r, f->c, 3, -1, &ch);
	assert_false(ch.spread);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_shares_by_weight, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shares_sum_to_100, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shares_degraded_halved_down_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failover_rule_holds_and_falls_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lowest_jitter_with_hysteresis, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lowest_rtt_and_loss, setup, teardown),
		cmocka_unit_test_setup_teardown(test_balance_rule_over_its_list, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
