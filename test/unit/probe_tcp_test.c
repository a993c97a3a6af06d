// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The tcp probe: its keys, and, as root in a private network namespace, real
 * connects through the plugin: a listener answers (SYN-ACK), a closed port
 * answers (RST), an unreachable target does not; a new probe closes the older
 * connection; a connect that needed a retransmitted SYN is not a reply; destroy
 * leaves no descriptor behind. The tcp probe reads no peer bytes, so it has no
 * parser to test.
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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "stubs/probe_plugin_stubs.h"

extern const struct plugin plugin_probe_tcp;
const struct plugin *const plugins[] = { &plugin_probe_tcp, NULL };

static int netns_err = -ENOSYS;

static void test_keys(void **state)
{
	const struct plugin *p = &plugin_probe_tcp;
	size_t nerr;
	int *c;

	(void)state;
	assert_string_equal(p->name, "tcp");
	assert_int_equal(p->kind, PLUGIN_PROBE);
	c = stub_conf_parse(p, "", &nerr);
	assert_int_equal(nerr, 0);
	assert_int_equal(*c, 443);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "port = 65536;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "prot = 22;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	p->destroy(NULL);
}

struct live {
	struct loop loop;
	struct probe_env env;
	void *conf;
	void *inst;
	int lsn;	 /* listener on 127.0.0.1:port */
	uint16_t port;
	int nfd_before; /* open descriptors before the instance */
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

static int listener(uint16_t *port, int backlog)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

	assert_true(fd >= 0);
	a.sin_port = htons(*port);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(fd, backlog), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static void live_conf(struct live *l, uint16_t port)
{
	char text[32];
	size_t nerr;

	snprintf(text, sizeof(text), "port = %u;", port);
	l->conf = stub_conf_parse(&plugin_probe_tcp, text, &nerr);
	assert_int_equal(nerr, 0);
}

static int live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	l->lsn = -1;
	assert_int_equal(loop_init(&l->loop), 0);
	*state = l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	plugin_probe_tcp.destroy(l->inst);
	if (l->nfd_before)
		assert_int_equal(count_fds(), l->nfd_before); /* nothing left open */
	stub_conf_free(&plugin_probe_tcp, l->conf);
	if (l->lsn >= 0)
		close(l->lsn);
	loop_destroy(&l->loop);
	free(l);
	return 0;
}

static void live_start(struct live *l, const char *const *t, size_t n)
{
	stub_env_init(&l->env, &l->loop, "lo", t, n);
	l->nfd_before = count_fds();
	l->inst = plugin_probe_tcp.probe_create(&l->env, l->conf);
	assert_non_null(l->inst);
}

static void test_live_open(void **state)
{
	static const char *const t[] = { "127.0.0.1", "127.0.0.1" };
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	l->lsn = listener(&l->port, 16);
	live_conf(l, l->port);
	live_start(l, t, 2);
	assert_int_equal(plugin_probe_tcp.probe_send(l->inst, 0, 5), 0);
	assert_int_equal(plugin_probe_tcp.probe_send(l->inst, 1, 0x10000), 0);
	assert_int_equal(stub_run_until(&l->loop, 2, 2000), 2);
	assert_int_equal(stub_replies.v[0].seq + stub_replies.v[1].seq, 5 + 0x10000);
	assert_int_equal(stub_replies.v[0].idx + stub_replies.v[1].idx, 1);
	assert_int_equal(plugin_probe_tcp.probe_send(l->inst, 2, 1), -EINVAL);
}

static void test_live_refused(void **state)
{
	static const char *const t[] = { "127.0.0.1" };
	struct live *l = *state;
	uint16_t port = 0;

	STUB_NEED_NETNS(netns_err);
	close(listener(&port, 1)); /* a port nobody listens on */
	live_conf(l, port);
	live_start(l, t, 1);
	assert_int_equal(plugin_probe_tcp.probe_send(l->inst, 0, 9), 0);
	assert_int_equal(stub_run_until(&l->loop, 1, 2000), 1);
	assert_int_equal(stub_replies.v[0].seq, 9);
}

/* No route in the namespace: no reply, and a new probe replaces the old one. */
static void test_live_unreachable(void **state)
{
	static const char *const t[] = { "192.0.2.1" };
	struct live *l = *state;
	int err;

	STUB_NEED_NETNS(netns_err);
	live_conf(l, 443);
	live_start(l, t, 1);
	err = plugin_probe_tcp.probe_send(l->inst, 0, 1);
	assert_true(err == 0 || err == -ENETUNREACH || err == -EHOSTUNREACH);
	err = plugin_probe_tcp.probe_send(l->inst, 0, 2);
	assert_true(err == 0 || err == -ENETUNREACH || err == -EHOSTUNREACH);
	assert_true(count_fds() <= l->nfd_before + 1); /* at most one per target */
	assert_int_equal(stub_run_until(&l->loop, 1, 300), 0);
}

/*
 * A listener with a full accept queue drops SYNs: the second probe's first SYN
 * is lost, its retransmission (about 1 s later) connects. That is the kernel's
 * timer, not the path's round trip: no reply.
 */
static void test_live_syn_resent(void **state)
{
	static const char *const t[] = { "127.0.0.1" };
	struct live *l = *state;
	struct pollfd pfd;
	int fd;

	STUB_NEED_NETNS(netns_err);
	l->lsn = listener(&l->port, 0); /* room for one */
	live_conf(l, l->port);
	live_start(l, t, 1);
	assert_int_equal(plugin_probe_tcp.probe_send(l->inst, 0, 1), 0);
	assert_int_equal(stub_run_until(&l->loop, 1, 2000), 1);
	/* the queue is full now: this SYN is dropped */
	assert_int_equal(plugin_probe_tcp.probe_send(l->inst, 0, 2), 0);
	assert_int_equal(stub_run_until(&l->loop, 2, 300), 1);
	fd = accept(l->lsn, NULL, NULL); /* make room for the retransmission */
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stub_run_until(&l->loop, 2, 2500), 1);
	/* and it did connect */
	pfd = (struct pollfd){ .fd = l->lsn, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 1);
	fd = accept(l->lsn, NULL, NULL);
	assert_true(fd >= 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_keys, NULL, NULL),
		cmocka_unit_test_setup_teardown(test_live_open, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_refused, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_unreachable, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_syn_resent, live_setup, live_teardown),
	};

	log_open("probe_tcp_test", true, LOG_WARNING, 0);
	netns_err = stub_netns_private();
	return cmocka_run_group_tests_name("probe_tcp", tests, NULL, NULL);
}
