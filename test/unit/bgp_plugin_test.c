// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The bgp plugin's hooks on a real loop and bus, without sockets: the
 * configuration's errors with their lines (listen address, uplink names,
 * prefixes, AS lists), an MRT replay (replay_cli.c's reader) raising alerts
 * and a steer event on the bus, the status object's bgp.alerts[], ack, and
 * reconfigure (a changed watch re-judges; a new listen address recreates),
 * and the replay hook that uplinkd --replay dispatches to.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "daemon.h"
#include "plugin.h"

#include "bgp_lab_capture.h"
#include "../../plugins/monitor-bgp/replay_cli.h"

static const struct plugin fake_icmp = { .name = "icmp", .kind = PLUGIN_PROBE };

const struct plugin *const plugins[] = { &plugin_bgp, &fake_icmp, NULL };

#define UPLINKS                                                                         \
	"uplinks = (\n"                                                                 \
	"  { name = \"isp1\"; interface = \"wan1\";\n"                                  \
	"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); },\n"    \
	"  { name = \"isp2\"; interface = \"wan2\";\n"                                  \
	"    probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } ); }\n"     \
	");\n"

#define BGP(ORIGINS, LISTEN)                                                            \
	UPLINKS                                                                         \
	"bgp = {\n" LISTEN                                                              \
	"  peers = ( { address = \"100.64.1.1\"; uplink = \"isp1\"; },\n"              \
	"            { address = \"100.64.2.1\"; uplink = \"isp2\"; } );\n"            \
	"  watch = ( { prefix = \"203.0.113.0/24\"; origin_as = [ " ORIGINS " ];\n"    \
	"              upstream_as = [ 64510, 64511 ]; tunnel = \"hq\"; route = true; } );\n"        \
	"};\n"

struct fx {
	struct daemon d;
	struct bus_sub sub;
	char events[32][256];
	size_t nev;
	char mrt[64];
};

static void on_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct fx *f = container_of(s, struct fx, sub);

	if (f->nev < 32)
		snprintf(f->events[f->nev++], sizeof(f->events[0]), "%s %s %s %s",
			 bus_type_names[ev->type], ev->object, ev->old_state ? ev->old_state : "-",
			 ev->new_state);
}

static bool has_event(const struct fx *f, const char *s)
{
	size_t i;

	for (i = 0; i < f->nev; i++)
		if (strcmp(f->events[i], s) == 0)
			return true;
	return false;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	FILE *fp;
	int fd;

	if (!f || loop_init(&f->d.loop) < 0)
		return -1;
	bus_init(&f->d.bus);
	list_init(&f->d.uplinks);
	f->sub.cb = on_event;
	bus_subscribe(&f->d.bus, &f->sub);
	snprintf(f->mrt, sizeof(f->mrt), "/tmp/bgp_plugin_test.XXXXXX");
	fd = mkstemp(f->mrt);
	if (fd < 0 || !(fp = fdopen(fd, "w")))
		return -1;
	fwrite(lab_updates_mrt, 1, lab_updates_mrt_len, fp);
	fclose(fp);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	unlink(f->mrt);
	loop_destroy(&f->d.loop);
	free(f);
	return 0;
}

static bool diag_has(const struct cfg_diag *d, const char *s)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strstr(d->msgs[i], s))
			return true;
	return false;
}

static void test_config_errors(void **state)
{
	struct cfg_diag d = { 0 };
	struct config *c;

	(void)state;
	c = config_load_string(UPLINKS
		"bgp = { bmp_listen = \"127.0.0.1\";\n"
		"  peers = ( { address = \"100.64.1.1\"; uplink = \"isp9\"; },\n"
		"            { address = \"100.64.1.01\"; uplink = \"isp1\"; } );\n"
		"  watch = ( { prefix = \"203.0.113.1/24\"; origin_as = [ 64500 ]; },\n"
		"            { prefix = \"203.0.113.0/24\"; origin_as = [ 64500, 64500 ]; },\n"
		"            { prefix = \"203.0.113.0/33\"; origin_as = [ \"64500\" ]; },\n"
		"            { prefix = \"2001:db8::/32\"; origin_as = [ 4294967296 ]; } );\n"
		"};\n", "t.conf", &d);
	assert_null(c);
	assert_true(diag_has(&d, "t.conf:11: bgp.watch.[1].origin_as.[1]: 64500 is listed twice"));
	assert_true(diag_has(&d, "t.conf:12: bgp.watch.[2].origin_as.[0]: expected an integer"));
	cfg_diag_free(&d);
	/* libconfig reads 4294967296 without the L suffix as 0 */
	c = config_load_string(UPLINKS
		"bgp = { watch = ( { prefix = \"2001:db8::/32\"; origin_as = [ 4294967296 ]; },\n"
		"                  { prefix = \"2001:dba::/32\"; origin_as = [ 4200000000L ]; } ); };\n",
		"t.conf", &d);
	assert_null(c);
	assert_true(diag_has(&d, "t.conf:7: bgp.watch.[0].origin_as: AS 0 is not usable"));
	assert_int_equal(d.n, 1);
	cfg_diag_free(&d);
	c = config_load_string(UPLINKS
		"bgp = { watch = ( { prefix = \"2001:db9::/32\"; origin_as = [ 4294967296L ]; } ); };\n",
		"t.conf", &d);
	assert_null(c);
	assert_true(diag_has(&d, "t.conf:7: bgp.watch.[0].origin_as.[0]: 4294967296 is out of range"));
	cfg_diag_free(&d);

	c = config_load_string(UPLINKS
		"bgp = { bmp_listen = \"127.0.0.1\";\n"
		"  peers = ( { address = \"100.64.1.1\"; uplink = \"isp9\"; },\n"
		"            { address = \"100.64.1.1\"; uplink = \"isp1\"; } );\n"
		"  watch = ( { prefix = \"203.0.113.1/24\"; origin_as = [ 64500 ]; },\n"
		"            { prefix = \"203.0.113.0/24\"; upstream_as = [ 1 ]; },\n"
		"            { prefix = \"203.0.113.0/33\"; tunnel = \"a b\"; } );\n"
		"};\n", "t.conf", &d);
	assert_null(c);
	assert_true(diag_has(&d, "t.conf:7: bgp.bmp_listen: \"127.0.0.1\" is not ADDR:PORT"));
	assert_true(diag_has(&d, "bgp.peers.[0].uplink: \"isp9\" is not an uplink"));
	assert_true(diag_has(&d, "bgp.peers.[1].address: 100.64.1.1 is already bgp.peers.[0]"));
	assert_true(diag_has(&d, "bgp.watch.[0].prefix: \"203.0.113.1/24\" has bits set past its length; write \"203.0.113.0/24\""));
	assert_true(diag_has(&d, "bgp.watch.[1].prefix: 203.0.113.0/24 is already watched by bgp.watch.[0]"));
	assert_true(diag_has(&d, "bgp.watch.[1].upstream_as: set, but origin_as is empty"));
	assert_true(diag_has(&d, "bgp.watch.[2].prefix: \"203.0.113.0/33\" is not a prefix"));
	cfg_diag_free(&d);

	c = config_load_string(BGP("64500", "  bmp_listen = \"[::1]:11019\";\n"), "t.conf", &d);
	assert_null(c);
	assert_true(diag_has(&d, "t.conf:7: bgp.routers: required with bmp_listen: list the addresses your BMP speakers connect from"));
	cfg_diag_free(&d);
	c = config_load_string(BGP("64500", "  bmp_listen = \"[::1]:11019\"; routers = [ \"::1\" ];\n"),
			       "t.conf", &d);
	assert_non_null(c);
	config_free(c);
	cfg_diag_free(&d);
}

static struct json_object *alerts_of(const struct plugin *p, void *inst, struct json_object **st)
{
	struct json_object *bgp, *alerts = NULL;

	*st = json_object_new_object();
	p->status(inst, *st);
	if (json_object_object_get_ex(*st, "bgp", &bgp))
		json_object_object_get_ex(bgp, "alerts", &alerts);
	return alerts;
}

static void test_replay_status_ack_reconfigure(void **state)
{
	struct fx *f = *state;
	struct cfg_diag d = { 0 };
	struct config *c = config_load_string(BGP("64500", ""), "t.conf", &d);
	struct config *c2, *c3;
	struct json_object *st, *alerts, *a, *v;
	char msg[256];
	void *inst;
	size_t i;
	bool found = false;

	assert_non_null(c);
	inst = plugin_bgp.create(&f->d, config_section(c, "bgp"));
	assert_non_null(inst);
	assert_int_equal(bgp_replay_file(inst, "/nonexistent", msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "/nonexistent: cannot open"));
	assert_int_equal(bgp_replay_file(inst, f->mrt, msg, sizeof(msg)), 0);
	assert_true(has_event(f, "alert hijack:203.0.113.0/24:isp1 - raised"));
	assert_true(has_event(f, "steer tunnel hq isp1 avoid"));
	assert_true(has_event(f, "steer prefix 203.0.113.0/24 isp1 avoid"));
	alerts = alerts_of(&plugin_bgp, inst, &st);
	assert_non_null(alerts);
	for (i = 0; i < json_object_array_length(alerts); i++) {
		a = json_object_array_get_idx(alerts, i);
		json_object_object_get_ex(a, "id", &v);
		if (strcmp(json_object_get_string(v), "hijack:203.0.113.0/24:isp1") != 0)
			continue;
		found = true;
		json_object_object_get_ex(a, "type", &v);
		assert_string_equal(json_object_get_string(v), "hijack");
		json_object_object_get_ex(a, "uplink", &v);
		assert_string_equal(json_object_get_string(v), "isp1");
		json_object_object_get_ex(a, "origin_as", &v);
		assert_int_equal(json_object_get_int64(v), 64666);
		json_object_object_get_ex(a, "since", &v);
		assert_true(json_object_get_int64(v) > 0);
	}
	assert_true(found);
	json_object_put(st);

	assert_int_equal(plugin_bgp.action(inst, "ack", "hijack:203.0.113.0/24:isp1", "web:admin",
					   msg, sizeof(msg)), 0);
	assert_true(has_event(f, "alert hijack:203.0.113.0/24:isp1 - acked"));
	assert_int_equal(plugin_bgp.action(inst, "ack", "nope", "t", msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, "no alert \"nope\""));
	assert_int_equal(plugin_bgp.action(inst, "frobnicate", "x", "t", msg, sizeof(msg)),
			 -ENOTSUP);
	/* a dump is replayed only from the command line (the replay hook), never as an
	 * operator action through the control socket or the web API */
	assert_int_equal(plugin_bgp.action(inst, "replay", f->mrt, "t", msg, sizeof(msg)),
			 -ENOTSUP);

	/* the watch now allows 64666: re-judged, the hijack clears */
	c2 = config_load_string(BGP("64500, 64666", ""), "t.conf", &d);
	assert_non_null(c2);
	assert_int_equal(plugin_bgp.reconfigure(inst, config_section(c2, "bgp")), 0);
	assert_true(has_event(f, "alert hijack:203.0.113.0/24:isp1 - cleared"));
	/* a listen address: recreate */
	c3 = config_load_string(BGP("64500", "  bmp_listen = \"127.0.0.1:11019\";\n"
				    "  routers = [ \"127.0.0.1\" ];\n"), "t.conf", &d);
	assert_non_null(c3);
	assert_int_equal(plugin_bgp.reconfigure(inst, config_section(c3, "bgp")), -EAGAIN);
	/* isp1 clean now, isp2 withdrawn: avoid isp2, until the monitor goes away */
	assert_true(has_event(f, "steer tunnel hq isp2 avoid"));
	assert_false(has_event(f, "steer tunnel hq isp2 clear"));
	plugin_bgp.destroy(inst);
	assert_true(has_event(f, "steer tunnel hq isp2 clear"));
	config_free(c);
	config_free(c2);
	config_free(c3);
	cfg_diag_free(&d);
}

/* uplinkd --replay: main() only finds the plugin with a replay hook and calls it */
static void test_replay_hook(void **state)
{
	struct fx *f = *state;
	struct cfg_diag d = { 0 };
	struct config *c = config_load_string(BGP("64500", ""), "t.conf", &d);
	char line[1024];
	bool hijack = false;
	int saved, rc;
	FILE *out;

	assert_non_null(c);
	assert_ptr_equal(plugin_find_replay(), &plugin_bgp);
	assert_int_equal(plugin_bgp.replay("t.conf", NULL, f->mrt), 1);	/* no bgp section */
	assert_int_equal(plugin_bgp.replay("t.conf", config_section(c, "bgp"), "/nonexistent"), 1);
	/* its JSON lines (stdout, caught in a file here) name the hijack */
	fflush(stdout);
	out = tmpfile();
	assert_non_null(out);
	saved = dup(1);
	assert_true(saved >= 0 && dup2(fileno(out), 1) == 1);
	rc = plugin_bgp.replay("t.conf", config_section(c, "bgp"), f->mrt);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	assert_int_equal(rc, 0);
	rewind(out);
	while (fgets(line, sizeof(line), out))
		hijack |= strstr(line, "\"object\":\"hijack:203.0.113.0/24:isp1\"") &&
			  strstr(line, "\"new\":\"raised\"");
	fclose(out);
	assert_true(hijack);
	config_free(c);
	cfg_diag_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test_setup_teardown(test_replay_status_ack_reconfigure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_hook, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
