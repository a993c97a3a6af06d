// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * policy.rules: a good rule set parses into struct cfg_rule; every mistake a user can make
 * is an error with its line, what is wrong and what to do; config_prefix_parse().
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "plugin.h"

static const struct cfg_key fake_icmp_keys[] = { CFG_END };
static const struct plugin fake_icmp = { .name = "icmp", .kind = PLUGIN_PROBE,
					 .keys = fake_icmp_keys };
const struct plugin *const plugins[] = { &fake_icmp, NULL };

#define UPLINKS                                                                          \
	"uplinks = (\n"                                                                  \
	"  { name = \"isp1\"; interface = \"wan1\"; gateway = \"100.64.1.1\"; weight = 3;\n" \
	"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); },\n"    \
	"  { name = \"isp2\"; interface = \"wan2\"; gateway = \"100.64.2.1\";\n"          \
	"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); }\n"     \
	");\n"

static struct config *load(const char *rules, struct cfg_diag *d)
{
	char text[4096];

	snprintf(text, sizeof(text), UPLINKS "policy = { mode = \"balance\";\n  rules = (\n%s\n  ); };\n",
		 rules);
	memset(d, 0, sizeof(*d));
	return config_load_string(text, "t.conf", d);
}

static void expect_error(const char *rules, const char *want)
{
	struct cfg_diag d;
	struct config *cfg = load(rules, &d);
	size_t i;
	bool found = false;

	for (i = 0; i < d.n; i++)
		found |= strcmp(d.msgs[i], want) == 0;
	if (!found) {
		for (i = 0; i < d.n; i++)
			fprintf(stderr, "got: %s\n", d.msgs[i]);
		fail_msg("missing: %s", want);
	}
	assert_null(cfg);
	cfg_diag_free(&d);
}

static void test_good_rules(void **state)
{
	struct cfg_diag d;
	struct config *cfg;
	const struct cfg_rule *r;

	(void)state;
	cfg = load("    { name = \"voice\"; proto = \"udp\"; dport = [ 5060, 5061 ]; dscp = 46;\n"
		   "      action = \"lowest_jitter\"; uplinks = [ \"isp1\", \"isp2\" ]; },\n"
		   "    { name = \"hq\"; dst = [ \"203.0.113.0/24\", \"2001:db8:20::/48\" ];\n"
		   "      action = \"failover\"; uplinks = [ \"isp2\", \"isp1\" ]; }", &d);
	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	assert_int_equal(cfg->policy.rules.n, 2);
	r = cfg->policy.rules.v;
	assert_string_equal(r[0].name, "voice");
	assert_int_equal(r[0].proto, RULE_PROTO_UDP);
	assert_int_equal(r[0].dport.n, 2);
	assert_int_equal(((uint32_t *)r[0].dport.v)[1], 5061);
	assert_int_equal(r[0].dscp, 46);
	assert_int_equal(r[0].action, RULE_LOWEST_JITTER);
	assert_int_equal(r[0].line, 9);
	assert_int_equal(r[1].dscp, -1);
	assert_int_equal(r[1].action, RULE_FAILOVER);
	assert_string_equal(r[1].uplinks.v[0], "isp2");
	assert_int_equal(r[1].line, 11);
	config_free(cfg);
	cfg_diag_free(&d);
}

static void test_rule_errors(void **state)
{
	(void)state;
	expect_error("    { name = \"a\"; action = \"balance\"; uplinks = [ \"isp3\" ]; }",
		     "t.conf:9: policy.rules.[0].uplinks.[0]: no uplink named \"isp3\"; use one of the names in uplinks");
	expect_error("    { name = \"a\"; action = \"balance\"; uplinks = [ \"isp1\", \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0].uplinks.[1]: \"isp1\" is listed twice; remove one");
	expect_error("    { name = \"a\"; dst = [ \"203.0.113.1/24\" ]; action = \"balance\"; uplinks = [ \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0].dst.[0]: \"203.0.113.1/24\" is not a prefix; write ADDRESS/LENGTH with no host bits set, e.g. \"203.0.113.0/24\" or \"2001:db8::/32\"");
	expect_error("    { name = \"a\"; dport = [ 80 ]; action = \"balance\"; uplinks = [ \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0]: ports need proto = \"tcp\" or \"udp\"");
	expect_error("    { name = \"a\"; proto = \"tcp\"; dport = [ 70000 ]; action = \"balance\"; uplinks = [ \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0].dport.[0]: 70000 is not a port; use 1..65535");
	expect_error("    { name = \"a\"; src = [ \"10.0.0.0/8\" ]; dst = [ \"2001:db8::/32\" ]; action = \"balance\"; uplinks = [ \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0]: src and dst have no address family in common (IPv4 with IPv6), so the rule matches nothing; split it in two");
	expect_error("    { name = \"a\"; proto = \"icmp\"; dst = [ \"2001:db8::/32\" ]; action = \"balance\"; uplinks = [ \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0].proto: \"icmp\" is IPv4; with IPv6 prefixes use \"icmpv6\"");
	expect_error("    { name = \"a\"; action = \"balance\"; uplinks = [ \"isp1\" ]; },\n"
		     "    { name = \"a\"; action = \"balance\"; uplinks = [ \"isp2\" ]; }",
		     "t.conf:10: policy.rules.[1].name: \"a\" is already used by policy.rules.[0]; names must be unique");
	expect_error("    { name = \"a b\"; action = \"balance\"; uplinks = [ \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0].name: \"a b\" may only use letters, digits, '-', '_' and '.'");
	expect_error("    { name = \"a\"; proto = \"tcp\"; src = [ \"10.0.0.0/8\", \"10.1.0.0/16\", \"10.2.0.0/16\", \"10.3.0.0/16\" ];\n"
		     "      dst = [ \"192.0.2.0/24\", \"198.51.100.0/24\", \"203.0.113.0/24\", \"100.64.0.0/10\" ];\n"
		     "      dport = [ 1, 2, 3, 4, 5 ]; action = \"balance\"; uplinks = [ \"isp1\" ]; }",
		     "t.conf:9: policy.rules.[0]: src x dst x sport x dport is 80 combinations, at most 64; split the rule or use fewer prefixes or ports");
}

static void test_prefix_parse(void **state)
{
	unsigned char a[16], len;
	int fam;

	(void)state;
	assert_int_equal(config_prefix_parse("192.0.2.0/24", &fam, a, &len), 0);
	assert_int_equal(fam, AF_INET);
	assert_int_equal(len, 24);
	assert_int_equal(config_prefix_parse("192.0.2.7", &fam, a, &len), 0);
	assert_int_equal(len, 32);
	assert_int_equal(config_prefix_parse("2001:db8::/32", &fam, a, &len), 0);
	assert_int_equal(fam, AF_INET6);
	assert_int_equal(config_prefix_parse("0.0.0.0/0", &fam, a, &len), 0);
	assert_int_equal(config_prefix_parse("192.0.2.1/24", &fam, a, &len), -EINVAL);
	assert_int_equal(config_prefix_parse("192.0.2.0/33", &fam, a, &len), -EINVAL);
	assert_int_equal(config_prefix_parse("192.0.2.0/", &fam, a, &len), -EINVAL);
	assert_int_equal(config_prefix_parse("192.0.2.0/-1", &fam, a, &len), -EINVAL);
	assert_int_equal(config_prefix_parse("192.0.2.0/+8", &fam, a, &len), -EINVAL);
	assert_int_equal(config_prefix_parse("example.com/8", &fam, a, &len), -EINVAL);
	assert_int_equal(config_prefix_parse("", &fam, a, &len), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_rules),
		cmocka_unit_test(test_rule_errors),
		cmocka_unit_test(test_prefix_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
