// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The uplinks' reload diff (uplinks.c) without the rest of the daemon: the
 * configuration code and health are real, probes, routes, links and policy are
 * stubs that record what they are asked. A reload that reorders the uplinks,
 * inserts one in front or sets table/mark restarts the probes of every uplink
 * whose mark moved, on its new mark, and keeps its health; a priority change
 * restarts nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "daemon.h"
#include "plugin.h"
#include "probe.h"
#include "schema.h"
#include "uplink.h"
#include "uplinks.h"

/* ---- the plugin list: one probe method, no keys of its own ---- */

static const struct cfg_key fake_icmp_keys[] = { CFG_END };
static const struct plugin fake_icmp = {
	.name = "icmp", .kind = PLUGIN_PROBE, .keys = fake_icmp_keys,
};
const struct plugin *const plugins[] = { &fake_icmp, NULL };

/* ---- stubs: what uplinks.c asks of probes, routes, links and policy ---- */

#define MAXSTART 16
static struct { char name[16]; uint32_t mark; } started[MAXSTART];
static size_t nstarted, nstopped;

struct probe_run *probe_run_start(struct uplink *u, const struct cfg_probe *cfg, size_t first)
{
	(void)cfg;
	(void)first;
	if (nstarted < MAXSTART) {
		snprintf(started[nstarted].name, sizeof(started[0].name), "%s", u->cfg.name);
		started[nstarted].mark = u->mark;
	}
	nstarted++;
	return (struct probe_run *)u; /* never dereferenced by uplinks.c */
}

void probe_run_stop(struct probe_run *r)
{
	if (r)
		nstopped++;
}

int route_uplink_sync(struct daemon *d, struct uplink *u) { (void)d; (void)u; return 0; }
void route_uplink_remove(struct daemon *d, struct uplink *u) { (void)d; (void)u; }
void route_reassert_soon(struct daemon *d) { (void)d; }
void link_uplink_added(struct daemon *d, struct uplink *u) { (void)d; (void)u; }
void policy_schedule(struct daemon *d) { (void)d; }

/* ---- configurations ---- */

#define UPLINK(NAME, IF, PRIO, EXTRA)                                                     \
	"{ name = \"" NAME "\"; interface = \"" IF "\"; gateway = \"100.64.1.1\"; "       \
	"priority = " PRIO "; " EXTRA                                                       \
	"probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); }"

static struct config *conf(const char *uplinks)
{
	char text[2048];
	struct cfg_diag diag = { 0 };
	struct config *c;

	snprintf(text, sizeof(text), "uplinks = ( %s );\n", uplinks);
	c = config_load_string(text, "test.conf", &diag);
	if (!c) {
		size_t i;

		for (i = 0; i < diag.n; i++)
			print_error("%s\n", diag.msgs[i]);
	}
	cfg_diag_free(&diag);
	assert_non_null(c);
	return c;
}

struct fx {
	struct daemon d;
	struct config *cfg;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(loop_init(&f->d.loop), 0);
	list_init(&f->d.uplinks);
	bus_init(&f->d.bus);
	nstarted = nstopped = 0;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	uplinks_destroy(&f->d);
	config_free(f->cfg);
	loop_destroy(&f->d.loop);
	free(f);
	return 0;
}

static void apply(struct fx *f, const char *uplinks)
{
	struct config *c = conf(uplinks);

	nstarted = nstopped = 0;
	assert_int_equal(uplinks_apply(&f->d, c), 0);
	config_free(f->cfg); /* runtime objects keep copies */
	f->cfg = c;
}

static uint32_t started_mark(const char *name)
{
	size_t i;

	for (i = 0; i < nstarted && i < MAXSTART; i++)
		if (!strcmp(started[i].name, name))
			return started[i].mark;
	return 0;
}

#define ISP1 UPLINK("isp1", "wan1", "10", "")
#define ISP2 UPLINK("isp2", "wan2", "20", "")

static void test_reorder(void **state)
{
	struct fx *f = *state;
	struct uplink *u2;

	apply(f, ISP1 "," ISP2);
	u2 = uplink_find(&f->d, "isp2");
	assert_int_equal(u2->mark, 102);
	u2->health.settled = true; /* measured: a reload must keep that */
	apply(f, ISP2 "," ISP1);
	assert_ptr_equal(uplink_find(&f->d, "isp2"), u2);
	assert_int_equal(u2->mark, 101);
	assert_int_equal(nstarted, 2); /* both moved */
	assert_int_equal(started_mark("isp2"), 101);
	assert_int_equal(started_mark("isp1"), 102);
	assert_true(u2->health.settled);
}

static void test_insert_in_front(void **state)
{
	struct fx *f = *state;

	apply(f, ISP1 "," ISP2);
	apply(f, UPLINK("lte", "wwan0", "30", "") "," ISP1 "," ISP2);
	assert_int_equal(started_mark("isp1"), 102);
	assert_int_equal(started_mark("isp2"), 103);
	assert_int_equal(started_mark("lte"), 101);
}

static void test_table_mark(void **state)
{
	struct fx *f = *state;

	apply(f, ISP1 "," ISP2);
	apply(f, ISP1 "," UPLINK("isp2", "wan2", "20", "table = 150; mark = 250;"));
	assert_int_equal(nstarted, 1);
	assert_int_equal(started_mark("isp2"), 250);
	assert_int_equal(uplink_find(&f->d, "isp2")->table, 150);
}

static void test_soft_change(void **state)
{
	struct fx *f = *state;

	apply(f, ISP1 "," ISP2);
	apply(f, ISP1 "," UPLINK("isp2", "wan2", "5", ""));
	assert_int_equal(nstarted, 0);
	assert_int_equal(nstopped, 0);
	assert_int_equal(uplink_find(&f->d, "isp2")->cfg.priority, 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reorder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insert_in_front, setup, teardown),
		cmocka_unit_test_setup_teardown(test_table_mark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_soft_change, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
