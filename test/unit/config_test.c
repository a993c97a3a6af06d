// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration: the schema, every kind of error with its line, cross
 * references, and the diff/copy helpers reload relies on. The plugin list is
 * the test's own (two probe plugins with keys), not the build's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "plugin.h"

struct fake_icmp {
	int size;
};
static const struct cfg_key fake_icmp_keys[] = {
	{ "size", CFG_INT, offsetof(struct fake_icmp, size), 0, .min = 16, .max = 1400, .def = 56 },
	CFG_END
};
static const struct plugin fake_icmp = {
	.name = "icmp", .kind = PLUGIN_PROBE, .keys = fake_icmp_keys,
	.conf_size = sizeof(struct fake_icmp),
};

struct fake_tcp {
	int port;
};
static const struct cfg_key fake_tcp_keys[] = {
	{ "port", CFG_INT, offsetof(struct fake_tcp, port), 0, .min = 1, .max = 65535, .def = 443 },
	CFG_END
};
static const struct plugin fake_tcp = {
	.name = "tcp", .kind = PLUGIN_PROBE, .keys = fake_tcp_keys,
	.conf_size = sizeof(struct fake_tcp),
};

/* like arping: IPv4 targets only, the uplink's gateway without any */
static const struct cfg_key fake_arping_keys[] = { CFG_END };
static const struct plugin fake_arping = {
	.name = "arping", .kind = PLUGIN_PROBE, .keys = fake_arping_keys,
	.target_family = AF_INET, .target_gateway = true,
};

const struct plugin *const plugins[] = { &fake_icmp, &fake_tcp, &fake_arping, NULL };

#define GOOD                                                                            \
	"uplinks = (\n"                                                                 \
	"  { name = \"isp1\"; interface = \"wan1\"; gateway = \"100.64.1.1\";\n"        \
	"    gateway6 = \"2001:db8:1::1\"; priority = 10; weight = 1;\n"                \
	"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\", \"192.0.2.2\" ];\n" \
	"                 interval_ms = 500; timeout_ms = 1000; size = 100; } );\n"    \
	"    health = { down_after = 3; up_after = 5; min_targets = 1; hold_down_s = 10;\n" \
	"               degraded_loss_pct = 5; degraded_rtt_ms = 250; degraded_jitter_ms = 50; }; },\n" \
	"  { name = \"isp2\"; interface = \"wan2\"; gateway = \"100.64.2.1\"; priority = 20;\n" \
	"    probes = ( { method = \"tcp\"; targets = [ \"198.51.100.1\" ]; port = 80; } ); }\n" \
	");\n"                                                                          \
	"policy = { mode = \"failover\"; };\n"                                         \
	"control = { socket = \"/run/uplinkd/uplinkd.sock\"; };\n"

static struct config *load(const char *text, struct cfg_diag *d)
{
	memset(d, 0, sizeof(*d));
	return config_load_string(text, "t.conf", d);
}

/* true if some message equals want exactly */
static bool has_msg(const struct cfg_diag *d, const char *want)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->msgs[i], want) == 0)
			return true;
	for (i = 0; i < d->n; i++)
		print_message("  got: %s\n", d->msgs[i]);
	return false;
}

static void test_good(void **state)
{
	struct cfg_diag d;
	struct config *cfg = load(GOOD, &d);
	const struct cfg_uplink *u;
	const struct cfg_probe *p;

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg->uplinks.n, 2);
	u = config_uplink(cfg, 0);
	assert_string_equal(u->name, "isp1");
	assert_string_equal(u->gateway6, "2001:db8:1::1");
	assert_int_equal(u->priority, 10);
	assert_int_equal(u->health.degraded_rtt_ms, 250);
	assert_int_equal(u->health.window, 50); /* default */
	assert_true(u->flush_conntrack);
	p = u->probes.v;
	assert_ptr_equal(p->plugin, &fake_icmp);
	assert_int_equal(((struct fake_icmp *)p->pconf)->size, 100);
	assert_int_equal(p->targets.n, 2);
	assert_int_equal(p->line, 4);
	u = config_find_uplink(cfg, "isp2");
	assert_non_null(u);
	assert_null(u->gateway6);
	assert_int_equal(u->health.down_after, 3);
	p = u->probes.v;
	assert_int_equal(((struct fake_tcp *)p->pconf)->port, 80);
	assert_int_equal(p->interval_ms, 500);
	assert_string_equal(cfg->control_socket, "/run/uplinkd/uplinkd.sock");
	assert_string_equal(cfg->state_dir, "/var/lib/uplinkd");
	assert_int_equal(cfg->journal_max, 1000);
	assert_int_equal(cfg->policy.mode, POLICY_FAILOVER);
	assert_int_equal(cfg->policy.reassert_s, 30);
	config_free(cfg);
}

static void test_syntax_error_line(void **state)
{
	struct cfg_diag d;

	(void)state;
	assert_null(load("uplinks = (\n  { name = \"isp1\"; interface = wan1; }\n);\n", &d));
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.msgs[0], "t.conf:2: syntax error"));
	cfg_diag_free(&d);
}

static void test_range_and_type_errors(void **state)
{
	struct cfg_diag d;
	const char *text =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ];\n"
		"                 interval_ms = 20; } );\n"
		"    health = { down_after = \"3\"; }; }\n"
		");\n"
		"policy = { mode = \"failovr\"; };\n";

	(void)state;
	assert_null(load(text, &d));
	assert_true(has_msg(&d, "t.conf:4: uplinks.[0].probes.[0].interval_ms: 20 is below 50; raise it"));
	assert_true(has_msg(&d, "t.conf:5: uplinks.[0].health.down_after: expected an integer, got a string"));
	assert_true(has_msg(&d, "t.conf:7: policy.mode: \"failovr\" is not one of failover, balance"));
	assert_int_equal(d.n, 3);
	cfg_diag_free(&d);
}

static void test_unknown_keys(void **state)
{
	struct cfg_diag d;
	const char *text =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\"; gatway = \"100.64.1.1\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; port = 80; } ); }\n"
		");\n"
		"ipsec = { vici = \"/var/run/charon.vici\"; };\n"
		"colour = \"blue\";\n";

	(void)state;
	assert_null(load(text, &d));
	assert_true(has_msg(&d, "t.conf:2: uplinks.[0].gatway: unknown key; did you mean \"gateway\"?"));
	/* port belongs to tcp, not icmp */
	assert_true(has_msg(&d, "t.conf:3: uplinks.[0].probes.[0].port: unknown key; remove it (see the configuration reference in README.md)"));
	assert_true(has_msg(&d, "t.conf:5: ipsec: this build has no IPsec monitor (CONFIG_MONITOR_IPSEC is off); remove the section or rebuild with it (make menuconfig)"));
	assert_non_null(strstr(d.msgs[d.n - 1], "t.conf:6: colour: unknown key"));
	cfg_diag_free(&d);
}

static void test_missing_and_bad_values(void **state)
{
	struct cfg_diag d;
	const char *text =
		"uplinks = (\n"
		"  { name = \"isp1\"; gateway = \"2001:db8::1\";\n"
		"    probes = ( { method = \"smoke\"; targets = [ \"192.0.2.300\" ]; } ); }\n"
		");\n";

	(void)state;
	assert_null(load(text, &d));
	assert_true(has_msg(&d, "t.conf:2: uplinks.[0]: missing required key \"interface\"; e.g. interface = \"wan1\";"));
	assert_true(has_msg(&d, "t.conf:3: uplinks.[0].probes.[0].targets.[0]: \"192.0.2.300\" is not an IPv4 or IPv6 address"));
	assert_true(has_msg(&d, "t.conf:3: uplinks.[0].probes.[0].method: \"smoke\" is not in this build; available: icmp, tcp, arping"));
	cfg_diag_free(&d);
}

static void test_cross_references(void **state)
{
	struct cfg_diag d;
	const char *text =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\"; gateway = \"2001:db8::1\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; interval_ms = 200; },\n"
		"               { method = \"tcp\"; targets = [ \"192.0.2.2\" ]; interval_ms = 500; } );\n"
		"    health = { min_targets = 3; }; },\n"
		"  { name = \"isp1\"; interface = \"wan1\"; table = 254;\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); }\n"
		");\n";

	(void)state;
	assert_null(load(text, &d));
	assert_true(has_msg(&d, "t.conf:2: uplinks.[0].gateway: \"2001:db8::1\" is not an IPv4 address; put IPv6 next hops in gateway6"));
	assert_true(has_msg(&d, "t.conf:4: uplinks.[0].probes.[1].interval_ms: 500 differs from probes.[0] (200); an uplink's probes run in the same rounds, so use one interval"));
	assert_true(has_msg(&d, "t.conf:2: uplinks.[0].health.min_targets: 3, but the uplink has only 2 targets; lower it or add targets"));
	assert_true(has_msg(&d, "t.conf:6: uplinks.[1].name: \"isp1\" is already used by uplinks.[0]; names must be unique"));
	assert_true(has_msg(&d, "t.conf:6: uplinks.[1].interface: \"wan1\" is already used by uplinks.[0] (isp1)"));
	assert_true(has_msg(&d, "t.conf:6: uplinks.[1].table: 254 is reserved (default/main/local); pick another"));
	cfg_diag_free(&d);
}

/* targets: required unless the method probes the gateway by default; IPv4-only methods */
static void test_probe_targets(void **state)
{
	struct cfg_diag d;
	const struct cfg_uplink *u;
	const struct cfg_probe *p;
	struct config *cfg;
	const char *bad =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\";\n"
		"    probes = ( { method = \"icmp\"; } ); },\n"
		"  { name = \"isp2\"; interface = \"wan2\";\n"
		"    probes = ( { method = \"arping\"; targets = [ \"100.64.2.1\", \"2001:db8::1\" ]; } ); }\n"
		");\n";
	const char *good =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\";\n"
		"    probes = ( { method = \"arping\"; },\n"
		"               { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } );\n"
		"    health = { min_targets = 2; }; }\n"
		");\n";

	(void)state;
	assert_null(load(bad, &d));
	assert_true(has_msg(&d, "t.conf:3: uplinks.[0].probes.[0]: missing required key \"targets\"; e.g. targets = [ \"192.0.2.1\", \"192.0.2.2\" ];"));
	assert_true(has_msg(&d, "t.conf:5: uplinks.[1].probes.[0].targets.[1]: \"2001:db8::1\": method \"arping\" takes IPv4 addresses only"));
	assert_int_equal(d.n, 2);
	cfg_diag_free(&d);

	cfg = load(good, &d);
	assert_non_null(cfg);
	u = config_uplink(cfg, 0);
	p = (const struct cfg_probe *)u->probes.v;
	assert_int_equal(p[0].targets.n, 0);
	assert_int_equal(cfg_probe_ntargets(&p[0]), 1);
	assert_string_equal(cfg_probe_target(&p[0], 0), "gateway");
	assert_null(cfg_probe_target(&p[0], 1));
	assert_int_equal(cfg_probe_ntargets(&p[1]), 1);
	assert_string_equal(cfg_probe_target(&p[1], 0), "192.0.2.1");
	config_free(cfg);
	cfg_diag_free(&d);
}

static void test_no_uplinks(void **state)
{
	struct cfg_diag d;

	(void)state;
	assert_null(load("policy = { mode = \"balance\"; };\n", &d));
	assert_true(has_msg(&d, "t.conf: top level: missing required key \"uplinks\"; see the configuration reference in README.md"));
	cfg_diag_free(&d);
	assert_null(load("uplinks = ();\n", &d));
	assert_true(has_msg(&d, "t.conf:1: uplinks: 0 entries, at least 1 needed; see the configuration reference in README.md"));
	cfg_diag_free(&d);
}

static void test_missing_file(void **state)
{
	struct cfg_diag d = { 0 };

	(void)state;
	assert_null(config_load("/nonexistent/uplinkd.conf", &d));
	assert_true(has_msg(&d, "/nonexistent/uplinkd.conf: cannot open: No such file or directory"));
	cfg_diag_free(&d);
}

static void test_copy_equal_free(void **state)
{
	struct cfg_diag d;
	struct config *a = load(GOOD, &d), *b;
	struct cfg_uplink copy;

	(void)state;
	assert_non_null(a);
	memset(&copy, 0, sizeof(copy));
	assert_int_equal(schema_copy(config_uplink_keys, &copy, config_uplink(a, 0)), 0);
	assert_true(schema_equal(config_uplink_keys, &copy, config_uplink(a, 0)));
	assert_false(schema_equal(config_uplink_keys, &copy, config_uplink(a, 1)));
	schema_free(config_uplink_keys, &copy);

	/* a changed plugin key makes the uplink differ */
	{
		char *text = strdup(GOOD);
		char *p = strstr(text, "size = 100");

		memcpy(p, "size = 101", 10);
		b = load(text, &d);
		free(text);
	}
	assert_non_null(b);
	assert_false(schema_equal(config_uplink_keys, config_uplink(a, 0), config_uplink(b, 0)));
	assert_true(schema_equal(config_uplink_keys, config_uplink(a, 1), config_uplink(b, 1)));
	config_free(a);
	config_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_syntax_error_line),
		cmocka_unit_test(test_range_and_type_errors),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_missing_and_bad_values),
		cmocka_unit_test(test_cross_references),
		cmocka_unit_test(test_probe_targets),
		cmocka_unit_test(test_no_uplinks),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_copy_equal_free),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
