// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Configuration: the schema, every kind of error with its line, cross
 * references, and the diff/copy helpers reload relies on. The plugin list is
 * the test's own (two probe plugins with keys), not the build's. Syntax errors
 * as libconfig 1.5 (Debian 12) refuses them, explained; messages in line
 * order; one probe interval per uplink; missing interfaces as warnings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libconfig.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

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
	assert_true(has_msg(&d, "t.conf:4: uplinks.[0].probes.[1].interval_ms: 500, but probes.[0] (line 3) sets 200; an uplink's probes run in the same rounds: set one value, in one block or in all"));
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

/* exactly one message, and it is want */
static void assert_only_msg(const char *text, const char *want)
{
	struct cfg_diag d;

	assert_null(load(text, &d));
	if (d.n != 1 || strcmp(d.msgs[0], want)) {
		size_t i;

		print_message("for:\n%s\nwant: %s\n", text, want);
		for (i = 0; i < d.n; i++)
			print_message("  got: %s\n", d.msgs[i]);
		fail();
	}
	cfg_diag_free(&d);
}

static bool loads(const char *text)
{
	struct cfg_diag d;
	struct config *cfg = load(text, &d);
	size_t i;

	for (i = 0; i < d.n; i++)
		print_message("  got: %s\n", d.msgs[i]);
	config_free(cfg);
	cfg_diag_free(&d);
	return cfg != NULL;
}

static bool libconfig_takes_trailing_commas(void)
{
	config_t lc;
	bool ok;

	config_init(&lc);
	ok = config_read_string(&lc, "a = ( 1, );") == CONFIG_TRUE;
	config_destroy(&lc);
	return ok;
}

#define UPLINK_OPEN "uplinks = (\n  { name = \"isp1\"; interface = \"wan1\";\n"
#define PROBES "    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); }\n"

/* The mistakes libconfig calls "syntax error", each said with what and where. */
static void test_syntax_explained(void **state)
{
	const char *trailing =
		UPLINK_OPEN
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\",\n"
		"                                              \"192.0.2.2\", ]; } ); },\n"
		");\n";
	const char *trailing_list = UPLINK_OPEN PROBES ",\n);\n";

	(void)state;
	if (libconfig_takes_trailing_commas()) { /* libconfig >= 1.7 */
		assert_true(loads(trailing));
	} else {
		/* the comma's line, not the line of ']' or ')' where libconfig stopped */
		assert_only_msg(trailing, "t.conf:4: syntax error: unexpected ',' before ']'; remove the trailing comma");
		assert_only_msg(trailing_list, "t.conf:4: syntax error: unexpected ',' before ')'; remove the trailing comma");
	}
	/* unquoted strings and addresses */
	assert_only_msg("uplinks = (\n  { name = \"isp1\"; interface = wan1;\n" PROBES ");\n",
			"t.conf:2: syntax error: wan1 is neither a number nor quoted text; write numbers plain (500) and put text and addresses in double quotes: \"wan1\"");
	assert_only_msg(UPLINK_OPEN "    gateway = 100.64.1.1;\n" PROBES ");\n",
			"t.conf:3: syntax error: 100.64.1.1 is neither a number nor quoted text; write numbers plain (500) and put text and addresses in double quotes: \"100.64.1.1\"");
	assert_only_msg(UPLINK_OPEN "    gateway6 = 2001:db8::1;\n" PROBES ");\n",
			"t.conf:3: syntax error: 2001:db8::1 is neither a number nor quoted text; write numbers plain (500) and put text and addresses in double quotes: \"2001:db8::1\"");
	assert_only_msg(UPLINK_OPEN "    flush_conntrack = yes;\n" PROBES ");\n",
			"t.conf:3: syntax error: yes is neither a number nor quoted text (a switch is true or false); write numbers plain (500) and put text and addresses in double quotes: \"yes\"");
	/* a missing ';' is no mistake in libconfig; a missing ',' between groups is */
	assert_true(loads("uplinks = (\n  { name = \"isp1\" interface = \"wan1\"\n" PROBES ");\n"));
	assert_only_msg(UPLINK_OPEN PROBES "  { name = \"isp2\"; interface = \"wan2\";\n" PROBES ");\n",
			"t.conf:4: syntax error: ',' missing before '{'; separate the elements of a list or array with commas");
	/* unbalanced brackets */
	assert_only_msg(UPLINK_OPEN PROBES ");\npolicy = { mode = \"failover\";\n\n",
			"t.conf:5: syntax error: the '{' on this line is never closed; add its '}'");
	assert_only_msg(UPLINK_OPEN PROBES "};\n",
			"t.conf:4: syntax error: '}' here, but the '(' opened at line 1 is still open; close it with ')' first");
	assert_only_msg(UPLINK_OPEN
			"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } );\n"
			"  { name = \"isp2\"; interface = \"wan2\";\n" PROBES ");\n",
			"t.conf:4: syntax error: '{' without a name inside the '{' opened at line 2; close that group with '}' first, or write name = { ... }");
	assert_only_msg(UPLINK_OPEN PROBES ");\n};\n",
			"t.conf:5: syntax error: '}' closes nothing (no bracket is open here); remove it, or add the opening one it belongs to");
	/* '=' and ':' are the same to libconfig; a quoted name or '==' is not */
	assert_true(loads("uplinks : (\n  { name : \"isp1\"; interface : \"wan1\";\n" PROBES ");\n"));
	assert_only_msg(UPLINK_OPEN PROBES ");\n\"policy\": { mode = \"balance\"; };\n",
			"t.conf:5: syntax error: a setting name is not quoted: write name = value, not \"name\" = value");
	assert_only_msg(UPLINK_OPEN PROBES ");\npolicy = { mode == \"balance\"; };\n",
			"t.conf:5: syntax error: a second '=' after mode; write mode = value");
	/* strings, comments, numbers, names */
	assert_only_msg("uplinks = (\n  { name = \"isp1; interface = \"wan1\";\n" PROBES ");\n",
			"t.conf:2: syntax error: the string that starts on this line runs to line 3; is its closing \" missing?");
	assert_only_msg(UPLINK_OPEN PROBES ");\n# the end",
			"t.conf:5: syntax error: libconfig needs a line break after a comment on the last line; end the file with a newline");
	assert_only_msg(UPLINK_OPEN "    probes = ( { method = \"icmp\"; interval_ms = 500ms;\n"
			"                 targets = [ \"192.0.2.1\" ]; } ); }\n);\n",
			"t.conf:3: syntax error: 500ms is neither a number nor quoted text; write numbers plain (500) and put text and addresses in double quotes: \"500ms\"");
	assert_only_msg(UPLINK_OPEN PROBES ");\npolicy.mode = \"balance\";\n",
			"t.conf:5: syntax error: policy.mode is not a valid name: names use letters, digits, '-', '_' and '*' (a dotted path is written as nested groups: a = { b = ...; })");
	assert_only_msg(UPLINK_OPEN PROBES ");\npolicy = { mode = \"balance\";\n  mode = \"failover\"; };\n",
			"t.conf:6: syntax error: mode is set twice in the same group (first at line 5); keep one");
	assert_only_msg(UPLINK_OPEN PROBES ");\npolicy = { metric = ; };\n",
			"t.conf:5: syntax error: metric = has no value before ';'; write metric = value;");
	assert_only_msg(UPLINK_OPEN "    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\", 5 ]; } ); }\n);\n",
			"t.conf:3: syntax error: an array [ ... ] holds values of one type; quote every element (text, addresses) or none (numbers), or use a list ( ... )");
	/* libconfig's parser stack ends below 5000 levels */
	{
		char *deep = malloc(2 * 6000 + 16);

		assert_non_null(deep);
		strcpy(deep, "a = ");
		memset(deep + 4, '(', 6000);
		memset(deep + 6004, ')', 6000);
		strcpy(deep + 12004, ";\n");
		assert_only_msg(deep, "t.conf:1: syntax error: brackets nested too deep for libconfig; flatten the file");
		free(deep);
	}
}

/* The explainer and libconfig agree on where a file goes wrong (the fuzzer checks more). */
static void test_syntax_explainer_agrees(void **state)
{
	static const char *const bad[] = {
		"a = ( 1 2 );", "a = [ [ 1 ] ];", "a = 1;;", "a = (", "a = \"x", "a = -;",
		"a = { b = 1; ) ;", "1 = 2;", "a = 0x;", "a.b = 1;", "a = 1 : 2;", "a = ( , );",
	};
	static const char *const good[] = {
		"a = 1 b = 2", "a = 1, b = 2;", "a : \"x\" \"y\";", "a = ();", "a = [];", "a = {};",
		"a = ( [ 1 ], ( 2 ), { b = 1; }, \"x\" );", "a = TRUE; b = FaLsE;", "a=1b=2;",
		"a = .5; b = 5.; c = 1e3; d = 0x1fL; e = 12LL; f = -3;", "/* x */ a = 1; // y\n",
		"a = 1; /* unclosed", "a = \"x\" \"unclosed",
	};
	char msg[400];
	size_t i;
	int line, at;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		config_t lc;

		config_init(&lc);
		assert_int_equal(config_read_string(&lc, bad[i]), CONFIG_FALSE);
		line = at = 0;
		assert_int_equal(config_syntax_explain(bad[i], &line, &at, msg, sizeof(msg)), 1);
		assert_int_equal(at, config_error_line(&lc));
		assert_true(line >= 1 && msg[0]);
		config_destroy(&lc);
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]) + 1; i++) {
		char *deep = NULL;
		const char *text = i < sizeof(good) / sizeof(good[0]) ? good[i] : NULL;
		config_t lc;

		if (!text) { /* as deep as libconfig goes */
			deep = calloc(1, 2 * 4000 + 16);
			assert_non_null(deep);
			strcpy(deep, "a = ");
			memset(deep + 4, '(', 4000);
			memset(deep + 4004, ')', 4000);
			text = deep;
		}
		config_init(&lc);
		assert_int_equal(config_read_string(&lc, text), CONFIG_TRUE);
		assert_int_equal(config_syntax_explain(text, &line, &at, msg, sizeof(msg)), 0);
		config_destroy(&lc);
		free(deep);
	}
}

/* From a file too: the text is read again to explain the error. */
static void test_syntax_from_file(void **state)
{
	char path[] = "/tmp/uplinkd-config-test-XXXXXX";
	struct cfg_diag d = { 0 };
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs(UPLINK_OPEN "    gateway = 100.64.1.1;\n" PROBES ");\n", f);
	fclose(f);
	assert_null(config_load(path, &d));
	assert_int_equal(d.n, 1);
	assert_non_null(strstr(d.msgs[0], ":3: syntax error: 100.64.1.1 is neither a number nor quoted text"));
	assert_int_equal(strncmp(d.msgs[0], path, strlen(path)), 0);
	cfg_diag_free(&d);
	unlink(path);
}

/* Every message in line order, whatever pass found it. */
static void test_errors_in_line_order(void **state)
{
	struct cfg_diag d;
	const char *text =
		"colour = \"blue\";\n"
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; interval_ms = 20; } ); }\n"
		");\n"
		"policy = { mode = \"failovr\"; };\n"
		"journal = { max_entries = 1; };\n";
	size_t i;

	(void)state;
	assert_null(load(text, &d));
	assert_int_equal(d.n, 4);
	/* the unknown top-level key is found last (after the schema pass) but comes first */
	assert_non_null(strstr(d.msgs[0], "t.conf:1: colour: unknown key"));
	assert_non_null(strstr(d.msgs[1], "t.conf:4: uplinks.[0].probes.[0].interval_ms: 20 is below 50"));
	assert_non_null(strstr(d.msgs[2], "t.conf:6: policy.mode:"));
	assert_non_null(strstr(d.msgs[3], "t.conf:7: journal.max_entries:"));
	for (i = 1; i < d.n; i++)
		assert_true(d.lines[i - 1] <= d.lines[i]);
	cfg_diag_free(&d);
}

/* One interval per uplink: set in one block, it serves the blocks that do not set it. */
static void test_interval_one_per_uplink(void **state)
{
	struct cfg_diag d;
	struct config *cfg;
	const struct cfg_probe *p;
	const char *one =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; },\n"
		"               { method = \"tcp\"; targets = [ \"192.0.2.2\" ]; interval_ms = 200; },\n"
		"               { method = \"icmp\"; targets = [ \"192.0.2.3\" ]; } ); },\n"
		"  { name = \"isp2\"; interface = \"wan2\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; },\n"
		"               { method = \"tcp\"; targets = [ \"192.0.2.2\" ]; } ); }\n"
		");\n";
	const char *two =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"wan1\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; interval_ms = 300; },\n"
		"               { method = \"tcp\"; targets = [ \"192.0.2.2\" ]; },\n"
		"               { method = \"icmp\"; targets = [ \"192.0.2.3\" ]; interval_ms = 200; } ); }\n"
		");\n";

	(void)state;
	cfg = load(one, &d);
	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	p = config_uplink(cfg, 0)->probes.v;
	assert_int_equal(p[0].interval_ms, 200);
	assert_int_equal(p[1].interval_ms, 200);
	assert_int_equal(p[2].interval_ms, 200);
	p = config_uplink(cfg, 1)->probes.v;
	assert_int_equal(p[0].interval_ms, 500); /* the default, when no block sets one */
	assert_int_equal(p[1].interval_ms, 500);
	config_free(cfg);

	assert_only_msg(two, "t.conf:5: uplinks.[0].probes.[2].interval_ms: 200, but probes.[0] (line 3) sets 300; an uplink's probes run in the same rounds: set one value, in one block or in all");
}

/* An interface that does not exist now is a warning (PPPoE and LTE come later), in line order. */
static void test_interface_warning(void **state)
{
	struct cfg_diag d;
	struct config *cfg;
	const char *text =
		"uplinks = (\n"
		"  { name = \"isp1\"; interface = \"lo\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); },\n"
		"  { name = \"isp2\";\n"
		"    interface = \"uplinkd-nx0\";\n"
		"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.2\" ]; } ); }\n"
		");\n"
		"journal = { max_entries = 100; };\n";

	(void)state;
	cfg = load(text, &d);
	assert_non_null(cfg);
	assert_int_equal(config_check_interfaces(cfg, &d), 1);
	assert_int_equal(d.n, 1);
	assert_int_equal(d.nwarn, 1);
	assert_int_equal(cfg_diag_errors(&d), 0);
	assert_non_null(strstr(d.msgs[0], "t.conf:5: warning: uplinks.[1].interface: \"uplinkd-nx0\" does not exist now (there are: "));
	assert_non_null(strstr(d.msgs[0], "lo"));
	assert_non_null(strstr(d.msgs[0], "); fine if it comes later (PPPoE, LTE), otherwise fix the name"));
	/* a warning sorts among errors by its line */
	cfg_diag_add(&d, 8, "an error");
	cfg_diag_add(&d, 2, "another");
	assert_string_equal(d.msgs[0], "t.conf:2: another");
	assert_non_null(strstr(d.msgs[1], "t.conf:5: warning:"));
	assert_string_equal(d.msgs[2], "t.conf:8: an error");
	assert_int_equal(cfg_diag_errors(&d), 2);
	config_free(cfg);
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
		cmocka_unit_test(test_syntax_explained),
		cmocka_unit_test(test_syntax_explainer_agrees),
		cmocka_unit_test(test_syntax_from_file),
		cmocka_unit_test(test_errors_in_line_order),
		cmocka_unit_test(test_interval_one_per_uplink),
		cmocka_unit_test(test_interface_warning),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
