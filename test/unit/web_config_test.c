// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The web section through the real configuration loader and the compiled-in web
 * plugin: listen, history_file, users (crypt(3) hashes checked) and tokens; every error
 * names FILE:LINE and the key, and says what to do.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "plugin.h"

#define UPLINKS "uplinks = ( { name = \"isp1\"; interface = \"wan1\"; gateway = \"100.64.1.1\";\n" \
	"  probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); } );\n"
/* openssl passwd -6 -salt abcdefgh secret */
#define HASH "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG."

static bool has_msg(const struct cfg_diag *d, const char *a, const char *b)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strstr(d->msgs[i], a) && (!b || strstr(d->msgs[i], b)))
			return true;
	return false;
}

static void dump(const struct cfg_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		print_message("  %s\n", d->msgs[i]);
}

static void test_good(void **state)
{
	struct cfg_diag d = { 0 };
	struct config *cfg;

	(void)state;
	if (!plugin_find("web", PLUGIN_MONITOR))
		fail_msg("the web plugin is not compiled in: this test needs CONFIG_WEB=y");
	cfg = config_load_string(UPLINKS
				 "web = { listen = \"127.0.0.1:8080\"; history_file = \"/tmp/h.bin\";\n"
				 "  hosts = [ \"router.example\", \"[2001:db8::1]:8080\" ];\n"
				 "  users = ( { name = \"admin\"; password_hash = \"" HASH "\"; } );\n"
				 "  tokens = ( { name = \"ci\"; token = \"0123456789abcdef0123\"; } ); };\n",
				 "t.conf", &d);
	dump(&d);
	assert_non_null(cfg);
	assert_int_equal(d.n, 0);
	config_free(cfg);
	cfg_diag_free(&d);
}

static void test_schema_errors(void **state)
{
	struct cfg_diag d = { 0 };
	struct config *cfg;

	(void)state;
	if (!plugin_find("web", PLUGIN_MONITOR))
		fail_msg("the web plugin is not compiled in: this test needs CONFIG_WEB=y");
	cfg = config_load_string(UPLINKS
				 "web = { listen = \"127.0.0.1:8080\";\n"
				 "  users = ( { name = \"admin\"; } );\n"
				 "  tokens = ( { name = \"ci\"; token = \"\"; } );\n"
				 "  passwd = 1; };\n",
				 "t.conf", &d);
	dump(&d);
	assert_null(cfg);
	assert_true(has_msg(&d, "t.conf:6: web.passwd: unknown key", NULL));
	assert_true(has_msg(&d, "t.conf:5: web.tokens.[0].token", NULL));
	assert_true(has_msg(&d, "t.conf:4: web.users.[0]: missing required key \"password_hash\"", "mkpasswd"));
	cfg_diag_free(&d);
}

static void test_check_errors(void **state)
{
	struct cfg_diag d = { 0 };
	struct config *cfg;

	(void)state;
	if (!plugin_find("web", PLUGIN_MONITOR))
		fail_msg("the web plugin is not compiled in: this test needs CONFIG_WEB=y");
	cfg = config_load_string(UPLINKS
				 "web = { listen = \"localhost:8080\";\n"
				 "  users = ( { name = \"admin\"; password_hash = \"secret\"; },\n"
				 "            { name = \"admin\"; password_hash = \"" HASH "\"; },\n"
				 "            { name = \"bad name\"; password_hash = \"" HASH "\"; } );\n"
				 "  tokens = ( { name = \"ci\"; token = \"short\"; },\n"
				 "             { name = \"ci2\"; token = \"has a space in it, long\"; } );\n"
				 "  hosts = [ \"ok.example\", \"2001:db8::1\", \"rebind.example:0\" ]; };\n",
				 "t.conf", &d);
	dump(&d);
	assert_null(cfg);
	assert_true(has_msg(&d, "t.conf:3: web.listen: \"localhost:8080\"", "address literal"));
	assert_true(has_msg(&d, "web.users.[0].password_hash: not a crypt(3) hash", "mkpasswd"));
	assert_true(has_msg(&d, "web.users.[1].name: \"admin\" twice", NULL));
	assert_true(has_msg(&d, "web.users.[2].name: \"bad name\"", NULL));
	assert_true(has_msg(&d, "web.tokens.[0].token: 5 characters", "openssl rand"));
	assert_true(has_msg(&d, "web.tokens.[1].token", "printable"));
	assert_true(has_msg(&d, "t.conf:3: web.hosts.[1]: \"2001:db8::1\"", "brackets"));
	assert_true(has_msg(&d, "web.hosts.[2]: \"rebind.example:0\"", "port"));
	assert_false(has_msg(&d, "web.hosts.[0]", NULL));
	cfg_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_schema_errors),
		cmocka_unit_test(test_check_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
