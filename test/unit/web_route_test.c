// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Web router: every route with GET and HEAD, the operator commands at /api/NAME (GET for
 * read-only ones, POST for the others), other methods (405), unknown paths (404),
 * /api/events count parsing (default, bounds, junk -> 400), path traversal and encoded
 * paths (400), control bytes, long targets (414); listen address parsing; the Host names
 * the page answers to (web.hosts and its defaults) against DNS rebinding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "../../plugins/web/web_route.h"

static int setup(void **state)
{
	*state = calloc(1, sizeof(struct web_route));
	return *state ? 0 : -1;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static void expect_route(struct web_route *r, const char *m, const char *t,
			 enum web_handler h, unsigned int status)
{
	enum web_handler got = web_route(m, t, r);

	if (got != h || r->status != status)
		fail_msg("%s %s: handler %d status %u, want %d %u", m, t, got, r->status, h,
			 status);
	if (h == WEB_ERROR)
		assert_non_null(r->error);
	else
		assert_null(r->error);
}

static void test_routes(void **state)
{
	struct web_route *r = *state;

	expect_route(r, "GET", "/", WEB_PAGE, 200);
	expect_route(r, "GET", "/api/status", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_STATUS);
	assert_false(web_route_mutates(r));
	expect_route(r, "GET", "/api/status?t=123", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_STATUS);
	expect_route(r, "GET", "/metrics", WEB_METRICS, 200);
	expect_route(r, "HEAD", "/metrics", WEB_METRICS, 200);
	expect_route(r, "GET", "/?x", WEB_PAGE, 200);
	expect_route(r, "GET", "/api/events", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_EVENTS);
	assert_int_equal(r->req.count, WEB_EVENTS_DEFAULT);
}

static void test_unknown(void **state)
{
	struct web_route *r = *state;

	expect_route(r, "GET", "/nope", WEB_ERROR, 404);
	expect_route(r, "GET", "/api/status/", WEB_ERROR, 404);
	expect_route(r, "GET", "/api", WEB_ERROR, 404);
	expect_route(r, "GET", "/metricsx", WEB_ERROR, 404);
	expect_route(r, "GET", "//", WEB_ERROR, 404);
	expect_route(r, "GET", "/index.html", WEB_ERROR, 404);
	expect_route(r, "POST", "/nope", WEB_ERROR, 404);
	assert_non_null(strstr(r->error, "/api/status"));
}

static void test_methods(void **state)
{
	static const char *const bad[] = { "POST", "PUT", "DELETE", "OPTIONS", "PATCH",
					   "get", "TRACE", "CONNECT", "GETX" };
	struct web_route *r = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_route(r, bad[i], "/api/status", WEB_ERROR, 405);
		expect_route(r, bad[i], "/", WEB_ERROR, 405);
		expect_route(r, bad[i], "/api/events?count=5", WEB_ERROR, 405);
	}
	assert_non_null(strstr(r->error, "GET"));
	expect_route(r, "", "/", WEB_ERROR, 400);
	expect_route(r, NULL, "/", WEB_ERROR, 400);
	expect_route(r, "GET", NULL, WEB_ERROR, 400);
}

static void test_count(void **state)
{
	static const char *const bad[] = {
		"/api/events?count=0", "/api/events?count=1001", "/api/events?count=-1",
		"/api/events?count=", "/api/events?count", "/api/events?count=abc",
		"/api/events?count=10x", "/api/events?count=+5", "/api/events?count=99999999999",
		"/api/events?count=%31", "/api/events?count=1.5", "/api/events?a=1&count=2000",
	};
	struct web_route *r = *state;
	size_t i;

	expect_route(r, "GET", "/api/events?count=1", WEB_COMMAND, 200);
	assert_int_equal(r->req.count, 1);
	expect_route(r, "GET", "/api/events?count=1000", WEB_COMMAND, 200);
	assert_int_equal(r->req.count, 1000);
	expect_route(r, "GET", "/api/events?count=0042", WEB_COMMAND, 200);
	assert_int_equal(r->req.count, 42);
	expect_route(r, "GET", "/api/events?x=1&count=7&y", WEB_COMMAND, 200);
	assert_int_equal(r->req.count, 7);
	expect_route(r, "GET", "/api/events?countx=7", WEB_COMMAND, 200);
	assert_int_equal(r->req.count, WEB_EVENTS_DEFAULT);
	expect_route(r, "GET", "/api/events?", WEB_COMMAND, 200);
	assert_int_equal(r->req.count, WEB_EVENTS_DEFAULT);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_route(r, "GET", bad[i], WEB_ERROR, 400);
		assert_non_null(strstr(r->error, "1 to 1000"));
	}
}

static void test_traversal(void **state)
{
	static const char *const bad[] = {
		"/../etc/passwd", "/..", "/.", "/api/../api/status", "/api/./status",
		"/%2e%2e/etc/passwd", "/api%2fstatus", "/metrics/..", "/./",
		"/api/status/..?x=1",
	};
	struct web_route *r = *state;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		expect_route(r, "GET", bad[i], WEB_ERROR, 400);
	/* dots that are not whole segments are just unknown names */
	expect_route(r, "GET", "/...", WEB_ERROR, 404);
	expect_route(r, "GET", "/.hidden", WEB_ERROR, 404);
	/* a dot segment in the query is not a path */
	expect_route(r, "GET", "/api/status?p=/../x", WEB_COMMAND, 200);
	expect_route(r, "GET", "etc/passwd", WEB_ERROR, 400);
	expect_route(r, "GET", "http://x/api/status", WEB_ERROR, 400);
	expect_route(r, "GET", "*", WEB_ERROR, 400);
	expect_route(r, "GET", "", WEB_ERROR, 400);
	expect_route(r, "GET", "/api/status\x01", WEB_ERROR, 400);
	expect_route(r, "GET", "/api/st atus", WEB_ERROR, 400);
	expect_route(r, "GET", "/\xc3\xa9", WEB_ERROR, 400);
}

static void test_long(void **state)
{
	struct web_route *r = *state;
	char *t = malloc(WEB_URI_MAX * 4);

	assert_non_null(t);
	memset(t, 'a', WEB_URI_MAX * 4 - 1);
	t[WEB_URI_MAX * 4 - 1] = '\0';
	t[0] = '/';
	expect_route(r, "GET", t, WEB_ERROR, 414);
	t[WEB_URI_MAX + 1] = '\0';
	expect_route(r, "GET", t, WEB_ERROR, 414);
	t[WEB_URI_MAX] = '\0'; /* exactly the limit: routed (unknown) */
	expect_route(r, "GET", t, WEB_ERROR, 404);
	memcpy(t, "/api/status?", 12);
	expect_route(r, "GET", t, WEB_COMMAND, 200);
	free(t);
}

static void test_listen(void **state)
{
	static const char *const bad[] = {
		"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:80x",
		":8080", "localhost:8080", "::1:8080", "[::1]8080", "[::1]:", "[127.0.0.1]:80",
		"[::1:80", "1.2.3.4:-1", "1.2.3.4: 80", "[]:80", "300.1.1.1:80",
	};
	struct sockaddr_storage sa;
	const char *why;
	socklen_t len;
	size_t i;

	(void)state;
	assert_int_equal(web_listen_parse("127.0.0.1:8080", &sa, &len, &why), 0);
	assert_int_equal(sa.ss_family, AF_INET);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&sa)->sin_port), 8080);
	assert_null(why);
	assert_int_equal(web_listen_parse("[2001:db8::1]:443", &sa, &len, &why), 0);
	assert_int_equal(sa.ss_family, AF_INET6);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	assert_int_equal(ntohs(((struct sockaddr_in6 *)&sa)->sin6_port), 443);
	assert_int_equal(web_listen_parse("0.0.0.0:65535", &sa, &len, &why), 0);
	assert_int_equal(web_listen_parse("[::]:1", &sa, &len, &why), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (web_listen_parse(bad[i], &sa, &len, &why) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(web_listen_parse(NULL, &sa, &len, &why), -EINVAL);
	web_listen_parse("127.0.0.1:99999", &sa, &len, &why);
	assert_non_null(strstr(why, "port"));
}

static void test_history_and_actions(void **state)
{
	struct web_route *r = *state;
	char t[128];

	expect_route(r, "GET", "/api/history?uplink=isp1", WEB_HISTORY, 200);
	assert_string_equal(r->uplink, "isp1");
	expect_route(r, "GET", "/api/history?uplink=a.b_c-9", WEB_HISTORY, 200);
	assert_string_equal(r->uplink, "a.b_c-9");
	expect_route(r, "GET", "/api/history?&uplink=x&", WEB_HISTORY, 200);
	expect_route(r, "GET", "/api/history", WEB_ERROR, 400);
	assert_non_null(strstr(r->error, "uplink=NAME"));
	expect_route(r, "GET", "/api/history?uplink=", WEB_ERROR, 400);
	expect_route(r, "GET", "/api/history?uplink=a&uplink=b", WEB_ERROR, 400);
	expect_route(r, "GET", "/api/history?uplink=is%70", WEB_ERROR, 400);
	expect_route(r, "GET", "/api/history?uplink=a/b", WEB_ERROR, 400);
	expect_route(r, "GET", "/api/history?uplink=isp1&span=1", WEB_ERROR, 400);
	assert_non_null(strstr(r->error, "unknown parameter"));
	snprintf(t, sizeof(t), "/api/history?uplink=%064d", 0);
	expect_route(r, "GET", t, WEB_ERROR, 400);
	snprintf(t, sizeof(t), "/api/history?uplink=%063d", 0);
	expect_route(r, "GET", t, WEB_HISTORY, 200);
	expect_route(r, "GET", "/api/stream", WEB_STREAM, 200);
	expect_route(r, "GET", "/api/session", WEB_SESSION, 200);

	/* every command that changes something is a POST at /api/NAME, from the one table */
	expect_route(r, "POST", "/api/prefer", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_PREFER);
	assert_true(web_route_mutates(r));
	expect_route(r, "POST", "/api/ack", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_ACK);
	assert_true(web_route_mutates(r));
	expect_route(r, "POST", "/api/disable", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_DISABLE);
	assert_true(web_route_mutates(r));
	expect_route(r, "POST", "/api/enable", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_ENABLE);
	assert_true(web_route_mutates(r));
	expect_route(r, "POST", "/api/reload", WEB_COMMAND, 200);
	assert_int_equal(r->req.cmd->id, CMD_RELOAD);
	assert_true(web_route_mutates(r));
	expect_route(r, "GET", "/api/reload", WEB_ERROR, 405);
	assert_string_equal(r->allow, "POST");
	/* a POST's query sets nothing: its arguments come from the body */
	expect_route(r, "POST", "/api/prefer?uplink=isp1", WEB_COMMAND, 200);
	assert_string_equal(r->req.uplink, "");
	expect_route(r, "POST", "/api/login", WEB_LOGIN, 200);
	assert_false(web_route_mutates(r));
	expect_route(r, "POST", "/api/logout", WEB_LOGOUT, 200);
	expect_route(r, "GET", "/api/prefer", WEB_ERROR, 405);
	assert_string_equal(r->allow, "POST");
	assert_non_null(strstr(r->error, "POST"));
	expect_route(r, "PUT", "/api/ack", WEB_ERROR, 405);
	expect_route(r, "POST", "/api/history?uplink=isp1", WEB_ERROR, 405);
	assert_string_equal(r->allow, WEB_ALLOW);
	expect_route(r, "POST", "/api/stream", WEB_ERROR, 405);
}

static void test_host_parse(void **state)
{
	static const char *const bad[] = {
		"", "::1", "[::1", "[::1]x", "[::1]:0", "[::1]:99999", "[nope]:80", "a b",
		"a..b", ".a", "a:b", "a:1:2", "host:80x", "h\xc3\xa9", "a/b", "a@b", "[]",
	};
	char name[WEB_HOST_MAX + 1], big[300];
	unsigned int port;
	const char *why;
	size_t i;

	(void)state;
	assert_int_equal(web_host_parse("Router.Example.", name, sizeof(name), &port, &why), 0);
	assert_string_equal(name, "router.example");
	assert_int_equal(port, 0);
	assert_int_equal(web_host_parse("100.80.0.1:8080", name, sizeof(name), &port, &why), 0);
	assert_string_equal(name, "100.80.0.1");
	assert_int_equal(port, 8080);
	assert_int_equal(web_host_parse("[2001:DB8:0::1]:443", name, sizeof(name), &port, &why), 0);
	assert_string_equal(name, "2001:db8::1");
	assert_int_equal(port, 443);
	assert_int_equal(web_host_parse("[::1]", name, sizeof(name), &port, &why), 0);
	assert_string_equal(name, "::1");
	assert_int_equal(port, 0);
	assert_int_equal(web_host_parse("localhost:", name, sizeof(name), &port, &why), 0);
	assert_int_equal(port, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (web_host_parse(bad[i], name, sizeof(name), &port, &why) != -EINVAL)
			fail_msg("\"%s\" accepted", bad[i]);
		assert_non_null(why);
	}
	assert_int_equal(web_host_parse(NULL, name, sizeof(name), &port, &why), -EINVAL);
	memset(big, 'a', sizeof(big));
	big[254] = '\0';
	assert_int_equal(web_host_parse(big, name, sizeof(name), &port, &why), -EINVAL);
	big[253] = '\0';
	assert_int_equal(web_host_parse(big, name, sizeof(name), &port, &why), 0);
	assert_int_equal(web_host_parse("example", name, 4, &port, &why), -EINVAL);
	web_host_parse("[::1]:70000", name, sizeof(name), &port, &why);
	assert_non_null(strstr(why, "port"));
	web_host_parse("2001:db8::1", name, sizeof(name), &port, &why);
	assert_non_null(strstr(why, "brackets"));
}

static void test_hosts(void **state)
{
	struct web_hosts *h = calloc(1, sizeof(*h));
	const char *const mine[] = { "router.example", "192.0.2.1:8080", "[2001:db8::1]",
				     "ROUTER.example" };
	const char *const wrong[] = { "ok.example", "bad host" };
	struct sockaddr_storage sa;
	const char *why;
	socklen_t len;
	size_t bad = 99;

	(void)state;
	assert_non_null(h);
	/* defaults: the listen address, the host name and its first label, loopback */
	assert_int_equal(web_listen_parse("100.80.0.1:8080", &sa, &len, &why), 0);
	assert_int_equal(web_hosts_set(h, NULL, 0, &sa, "gw1.office.example", &bad, &why), 0);
	assert_true(web_hosts_allow(h, "100.80.0.1:8080"));
	assert_true(web_hosts_allow(h, "100.80.0.1")); /* any port: a forward may change it */
	assert_true(web_hosts_allow(h, "gw1.office.example:8080"));
	assert_true(web_hosts_allow(h, "GW1"));
	assert_true(web_hosts_allow(h, "127.0.0.1:9090"));	/* socat or ssh -L */
	assert_true(web_hosts_allow(h, "localhost:8080"));
	assert_true(web_hosts_allow(h, "[::1]:8080"));
	assert_true(web_hosts_allow(h, NULL));			/* no Host: no browser */
	assert_false(web_hosts_allow(h, "rebind.example"));
	assert_false(web_hosts_allow(h, "rebind.example:8080"));
	assert_false(web_hosts_allow(h, "100.80.0.2:8080"));
	assert_false(web_hosts_allow(h, "gw1.office.example.evil:8080"));
	assert_false(web_hosts_allow(h, ""));
	assert_false(web_hosts_allow(h, "100.80.0.1:8080, rebind.example"));
	/* IPv6 listen address: in brackets, canonical */
	assert_int_equal(web_listen_parse("[2001:db8:80::1]:8081", &sa, &len, &why), 0);
	assert_int_equal(web_hosts_set(h, NULL, 0, &sa, "", &bad, &why), 0);
	assert_true(web_hosts_allow(h, "[2001:db8:80:0::1]:8081"));
	assert_false(web_hosts_allow(h, "[2001:db8:80::2]:8081"));
	assert_false(web_hosts_allow(h, "2001:db8:80::1"));
	/* a wildcard listen address: every address literal, still no foreign name */
	assert_int_equal(web_listen_parse("0.0.0.0:8080", &sa, &len, &why), 0);
	assert_int_equal(web_hosts_set(h, NULL, 0, &sa, NULL, &bad, &why), 0);
	assert_true(web_hosts_allow(h, "192.0.2.77:8080"));
	assert_true(web_hosts_allow(h, "[2001:db8::77]"));
	assert_false(web_hosts_allow(h, "rebind.example:8080"));
	/* web.hosts replaces the defaults; a port given must match */
	assert_int_equal(web_hosts_set(h, mine, 4, &sa, "gw1", &bad, &why), 0);
	assert_int_equal(h->n, 3);
	assert_true(web_hosts_allow(h, "router.example"));
	assert_true(web_hosts_allow(h, "Router.Example.:443"));
	assert_true(web_hosts_allow(h, "192.0.2.1:8080"));
	assert_false(web_hosts_allow(h, "192.0.2.1"));
	assert_false(web_hosts_allow(h, "192.0.2.1:8081"));
	assert_true(web_hosts_allow(h, "[2001:db8:0::1]:8080"));
	assert_false(web_hosts_allow(h, "gw1"));
	assert_false(web_hosts_allow(h, "127.0.0.1:8080"));
	assert_false(web_hosts_allow(h, "192.0.2.77:8080"));
	/* a bad entry is named */
	assert_int_equal(web_hosts_set(h, wrong, 2, &sa, "gw1", &bad, &why), -EINVAL);
	assert_int_equal(bad, 1);
	assert_non_null(why);
	free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_routes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_methods, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count, setup, teardown),
		cmocka_unit_test_setup_teardown(test_traversal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_and_actions, setup, teardown),
		cmocka_unit_test(test_host_parse),
		cmocka_unit_test(test_hosts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
