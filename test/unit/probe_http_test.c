// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The http probe: its keys and their check; the request it builds and the status
 * lines it accepts (http_wire.c); and, as root in a private network namespace, real
 * requests through the plugin to a small server in a child process: the expected
 * status is the reply, another status (a captive portal's 302) fails the probe at
 * once saying what came, as does an answer that is not HTTP, a closed connection
 * and a refused one; a server that never answers gets neither (the core times it
 * out); the request carries the path and Host; destroy leaves no descriptor open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "stubs/probe_plugin_stubs.h"
#include "../../plugins/probe-http/http_wire.h"

extern const struct plugin plugin_probe_http;
const struct plugin *const plugins[] = { &plugin_probe_http, NULL };

static int netns_err = -ENOSYS;

/* ---- wire ---- */

static void test_status_parse(void **state)
{
	static const char *const bad[] = {
		"HTTP/2 200 OK\r\n", "HTTP/1.2 200 OK\r\n", "http/1.1 200 OK\r\n",
		"HTTP/1.1 20 OK\r\n", "HTTP/1.1 2000 OK\r\n", "HTTP/1.1 099 Low\r\n",
		"HTTP/1.1 600 High\r\n", "HTTP/1.1  200 OK\r\n", "HTTP/1.1 200OK\r\n",
		"HTTP/1.1 200 O\001K\r\n", "SSH-2.0-OpenSSH\r\n", "HTTP/1.1\r\n", "<html>",
		"HTTP/1.1 2x0 OK\r\n",
	};
	char reason[HTTP_REASON_MAX], big[HTTP_HEAD_MAX + 8];
	const char *why;
	int status = 0;
	size_t i;

	(void)state;
	assert_int_equal(http_status_parse("HTTP/1.1 204 No Content\r\nServer: x\r\n", 37, &status,
					   reason, sizeof(reason), &why), 0);
	assert_int_equal(status, 204);
	assert_string_equal(reason, "No Content");
	assert_int_equal(http_status_parse("HTTP/1.0 302 Found\n", 19, &status, reason,
					   sizeof(reason), &why), 0);
	assert_int_equal(status, 302);
	assert_string_equal(reason, "Found");
	assert_int_equal(http_status_parse("HTTP/1.1 200\r\n", 14, &status, reason, sizeof(reason),
					   &why), 0);
	assert_int_equal(status, 200);
	assert_string_equal(reason, "");
	/* a reason is cut to fit, never overflows */
	assert_int_equal(http_status_parse("HTTP/1.1 200 A very long reason\r\n", 33, &status,
					   reason, 5, &why), 0);
	assert_string_equal(reason, "A ve");
	/* incomplete: more may come */
	assert_int_equal(http_status_parse("", 0, &status, reason, sizeof(reason), &why), -EAGAIN);
	assert_int_equal(http_status_parse("HTT", 3, &status, reason, sizeof(reason), &why),
			 -EAGAIN);
	assert_int_equal(http_status_parse("HTTP/1.1 200 OK\r", 16, &status, reason,
					   sizeof(reason), &why), -EAGAIN);
	/* not HTTP as soon as that is clear */
	assert_int_equal(http_status_parse("SSH", 3, &status, reason, sizeof(reason), &why),
			 -EBADMSG);
	assert_non_null(why);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (http_status_parse(bad[i], strlen(bad[i]), &status, reason, sizeof(reason),
				      &why) != -EBADMSG || !why)
			fail_msg("\"%s\" accepted", bad[i]);
	}
	/* no end of line within the limit */
	memcpy(big, "HTTP/1.1 200 ", 13);
	memset(big + 13, 'x', sizeof(big) - 13);
	assert_int_equal(http_status_parse(big, HTTP_HEAD_MAX - 1, &status, reason,
					   sizeof(reason), &why), -EAGAIN);
	assert_int_equal(http_status_parse(big, HTTP_HEAD_MAX, &status, reason, sizeof(reason),
					   &why), -EBADMSG);
	assert_int_equal(http_status_parse(big, sizeof(big), &status, reason, sizeof(reason),
					   &why), -EBADMSG);
}

static void test_request(void **state)
{
	char buf[HTTP_REQ_MAX], path[HTTP_PATH_MAX + 2];

	(void)state;
	assert_true(http_request_build(buf, sizeof(buf), "198.51.100.10", "/generate_204") > 0);
	assert_string_equal(buf, "GET /generate_204 HTTP/1.1\r\nHost: 198.51.100.10\r\n"
				 "User-Agent: uplinkd-probe\r\nAccept: */*\r\nConnection: close\r\n\r\n");
	assert_true(http_request_build(buf, sizeof(buf), "[2001:db8::1]:8080", "/") > 0);
	assert_non_null(strstr(buf, "\r\nHost: [2001:db8::1]:8080\r\n"));
	assert_int_equal(http_request_build(buf, sizeof(buf), "a b", "/"), -EINVAL);
	assert_int_equal(http_request_build(buf, sizeof(buf), "ok", "no-slash"), -EINVAL);
	assert_int_equal(http_request_build(buf, sizeof(buf), "ok", "/a b"), -EINVAL);
	assert_int_equal(http_request_build(buf, sizeof(buf), "ok", "/\r\nX: y"), -EINVAL);
	assert_int_equal(http_request_build(buf, 20, "ok", "/"), -ENOSPC);
	/* the longest path and host fit */
	memset(path, 'p', sizeof(path));
	path[0] = '/';
	path[HTTP_PATH_MAX] = '\0';
	{
		char host[HTTP_HOST_MAX + 1];

		memset(host, 'h', HTTP_HOST_MAX);
		host[HTTP_HOST_MAX] = '\0';
		assert_true(http_request_build(buf, sizeof(buf), host, path) > 0);
	}
	assert_true(http_host_valid("captive.example:8080"));
	assert_true(http_host_valid("[::1]"));
	assert_false(http_host_valid("[::1"));
	assert_false(http_host_valid("[]"));
	assert_false(http_host_valid("h:"));
	assert_false(http_host_valid("h:123456"));
	assert_false(http_host_valid(":80"));
	assert_false(http_host_valid(""));
}

static void test_keys(void **state)
{
	const struct plugin *p = &plugin_probe_http;
	size_t nerr;
	void *c;

	(void)state;
	assert_string_equal(p->name, "http");
	assert_int_equal(p->kind, PLUGIN_PROBE);
	assert_false(p->target_gateway);
	c = stub_conf_parse(p, "", &nerr);
	assert_int_equal(nerr, 0);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "port = 8080; path = \"/generate_204\"; host = \"portal.example\";"
			       " expect_status = 204;", &nerr);
	assert_int_equal(nerr, 0);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "expect_status = 99;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "path = \"generate_204\";", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "host = \"a b\";", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "status = 200;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	p->destroy(NULL);
}

/* ---- live, in a private network namespace ---- */

struct live {
	struct loop loop;
	struct probe_env env;
	void *conf;
	void *inst;
	pid_t server;	/* the child answering */
	int req_pipe;	/* what the server read, from the child */
	uint16_t port;
	int nfd_before;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int listener(uint16_t *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, 16), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

/*
 * A child that answers every connection with `answer` after reading the request (NULL:
 * reads and never answers), and sends what it read up a pipe.
 */
static void serve(struct live *l, const char *answer)
{
	int lsn = listener(&l->port), p[2];

	assert_int_equal(pipe(p), 0);
	l->server = fork();
	assert_true(l->server >= 0);
	if (!l->server) {
		close(p[0]);
		for (;;) {
			char req[2048];
			size_t n = 0;
			int c = accept(lsn, NULL, NULL);

			if (c < 0)
				_exit(1);
			while (n < sizeof(req) - 1) {
				ssize_t r = read(c, req + n, sizeof(req) - 1 - n);

				if (r <= 0)
					break;
				n += (size_t)r;
				req[n] = '\0';
				if (strstr(req, "\r\n\r\n"))
					break;
			}
			if (write(p[1], req, n) < 0)
				_exit(1);
			if (!answer) {
				sleep(30);
				_exit(0);
			}
			if (write(c, answer, strlen(answer)) < 0)
				_exit(1);
			close(c);
		}
	}
	close(p[1]);
	close(lsn);
	l->req_pipe = p[0];
}

static void live_conf(struct live *l, const char *extra)
{
	char text[256];
	size_t nerr;

	snprintf(text, sizeof(text), "port = %u; %s", l->port, extra ? extra : "");
	l->conf = stub_conf_parse(&plugin_probe_http, text, &nerr);
	assert_int_equal(nerr, 0);
}

static void live_start(struct live *l, const char *const *t, size_t n)
{
	stub_env_init(&l->env, &l->loop, "lo", t, n);
	l->nfd_before = count_fds();
	l->inst = plugin_probe_http.probe_create(&l->env, l->conf);
	assert_non_null(l->inst);
}

static int live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	l->req_pipe = -1;
	assert_int_equal(loop_init(&l->loop), 0);
	*state = l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	if (l->inst) {
		plugin_probe_http.destroy(l->inst);
		assert_int_equal(count_fds(), l->nfd_before); /* nothing left open */
	}
	stub_conf_free(&plugin_probe_http, l->conf);
	if (l->server > 0) {
		kill(l->server, SIGKILL);
		waitpid(l->server, NULL, 0);
	}
	if (l->req_pipe >= 0)
		close(l->req_pipe);
	loop_destroy(&l->loop);
	free(l);
	return 0;
}

static const char *const lo4[] = { "127.0.0.1" };

static void test_live_expected(void **state)
{
	struct live *l = *state;
	char req[2048] = "";
	ssize_t n;

	STUB_NEED_NETNS(netns_err);
	serve(l, "HTTP/1.1 204 No Content\r\nContent-Length: 0\r\n\r\n");
	live_conf(l, "path = \"/generate_204\"; expect_status = 204;");
	live_start(l, lo4, 1);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 7), 0);
	assert_int_equal(stub_run_until_events(&l->loop, 1, 3000), 1);
	assert_int_equal(stub_replies.n, 1);
	assert_int_equal(stub_replies.v[0].seq, 7);
	n = read(l->req_pipe, req, sizeof(req) - 1);
	assert_true(n > 0);
	assert_non_null(strstr(req, "GET /generate_204 HTTP/1.1\r\n"));
	{
		char host[64];

		snprintf(host, sizeof(host), "\r\nHost: 127.0.0.1:%u\r\n", l->port);
		assert_non_null(strstr(req, host));
	}
	/* again: a new connection each time */
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 8), 0);
	assert_int_equal(stub_run_until_events(&l->loop, 2, 3000), 2);
	assert_int_equal(stub_replies.v[1].seq, 8);
	assert_int_equal(stub_fails.n, 0);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 1, 1), -EINVAL);
}

/* A captive portal: TCP works, the answer is a redirect. */
static void test_live_portal(void **state)
{
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	serve(l, "HTTP/1.1 302 Found\r\nLocation: http://portal.example/login\r\n\r\n");
	live_conf(l, "host = \"connectivity.example\"; expect_status = 204;");
	live_start(l, lo4, 1);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 3), 0);
	assert_int_equal(stub_run_until_events(&l->loop, 1, 3000), 1);
	assert_int_equal(stub_replies.n, 0);
	assert_int_equal(stub_fails.n, 1);
	assert_int_equal(stub_fails.v[0].seq, 3);
	assert_string_equal(stub_fails.why[0], "302 Found, expected 204");
}

static void test_live_not_http(void **state)
{
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	serve(l, "SSH-2.0-OpenSSH_9.2\r\n");
	live_conf(l, NULL);
	live_start(l, lo4, 1);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 1), 0);
	assert_int_equal(stub_run_until_events(&l->loop, 1, 3000), 1);
	assert_int_equal(stub_fails.n, 1);
	assert_non_null(strstr(stub_fails.why[0], "not an HTTP answer"));
}

static void test_live_closed(void **state)
{
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	serve(l, ""); /* reads the request, closes without a word */
	live_conf(l, NULL);
	live_start(l, lo4, 1);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 1), 0);
	assert_int_equal(stub_run_until_events(&l->loop, 1, 3000), 1);
	assert_int_equal(stub_fails.n, 1);
	assert_non_null(strstr(stub_fails.why[0], "closed before a status line"));
}

static void test_live_refused(void **state)
{
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	close(listener(&l->port)); /* nobody listens there */
	live_conf(l, NULL);
	live_start(l, lo4, 1);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 1), 0);
	assert_int_equal(stub_run_until_events(&l->loop, 1, 3000), 1);
	assert_int_equal(stub_fails.n, 1);
	assert_non_null(strstr(stub_fails.why[0], "refused"));
}

/* A server that reads and never answers: neither reply nor failure; a new probe
 * replaces the connection (at most one per target). */
static void test_live_silent(void **state)
{
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	serve(l, NULL);
	live_conf(l, NULL);
	live_start(l, lo4, 1);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 1), 0);
	assert_int_equal(stub_run_until_events(&l->loop, 1, 300), 0);
	assert_int_equal(plugin_probe_http.probe_send(l->inst, 0, 2), 0);
	assert_true(count_fds() <= l->nfd_before + 1);
	assert_int_equal(stub_run_until_events(&l->loop, 1, 300), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_parse),
		cmocka_unit_test(test_request),
		cmocka_unit_test(test_keys),
		cmocka_unit_test_setup_teardown(test_live_expected, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_portal, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_not_http, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_closed, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_refused, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_silent, live_setup, live_teardown),
	};

	log_open("probe_http_test", true, LOG_WARNING, 0);
	netns_err = stub_netns_private();
	return cmocka_run_group_tests_name("probe_http", tests, NULL, NULL);
}
