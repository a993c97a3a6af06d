// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The control socket on a real event loop (control.c, loop.c, journal.c), with
 * status_build/daemon_reload/policy_prefer stubbed: replies in order for
 * pipelined requests, a reader slower than the replies, the 64 KiB line limit,
 * half-closed clients, idle clients (on a shifted clock), the stale-socket and
 * socket-in-use rules, and the socket's mode.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "bus.h"
#include "control.h"
#include "daemon.h"
#include "journal.h"
#include "stubs/control_stubs.h"


struct fixture {
	char dir[64];
	char sock[128];
	struct config cfg;
	struct daemon d;
	uint64_t shift_ns; /* added to the monotonic clock: idle tests jump ahead */

	/* the client side, read by pump() */
	int fd;
	char *rx;
	size_t rxlen, rxcap;
	size_t want_lines;
	bool rx_eof;
	struct loop_fd cfd;
};

static struct fixture *the_fixture;

static uint64_t shifted_clock(void)
{
	return loop_clock_monotonic() + the_fixture->shift_ns;
}

static size_t count_lines(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += s[i] == '\n';
	return c;
}

/* The client's end is a loop fd too: drain it, quit when enough lines or EOF. */
static void client_cb(struct loop_fd *lf, uint32_t events)
{
	struct fixture *f = container_of(lf, struct fixture, cfd);
	ssize_t n;

	(void)events;
	for (;;) {
		if (f->rxcap - f->rxlen < 4096) {
			f->rxcap = f->rxcap ? 2 * f->rxcap : 65536;
			f->rx = realloc(f->rx, f->rxcap);
			assert_non_null(f->rx);
		}
		n = recv(f->fd, f->rx + f->rxlen, f->rxcap - f->rxlen - 1, MSG_DONTWAIT);
		if (n <= 0) {
			f->rx_eof = n == 0;
			break;
		}
		f->rxlen += (size_t)n;
	}
	f->rx[f->rxlen] = '\0';
	if (f->rx_eof || count_lines(f->rx, f->rxlen) >= f->want_lines)
		loop_quit(&f->d.loop);
}

/* Run the loop until the client holds `lines` reply lines (or EOF). A hang is
 * ended by the alarm set in main(). */
static void pump(struct fixture *f, size_t lines)
{
	f->want_lines = lines;
	f->d.loop.quit = false;
	f->cfd.fd = f->fd;
	f->cfd.cb = client_cb;
	assert_int_equal(loop_fd_add(&f->d.loop, &f->cfd, EPOLLIN), 0);
	assert_int_equal(loop_run(&f->d.loop), 0);
	loop_fd_del(&f->d.loop, &f->cfd);
}

static int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	assert_true(strlen(path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void client_send(struct fixture *f, const char *s, size_t len)
{
	size_t off = 0;

	while (off < len) {
		ssize_t n = send(f->fd, s + off, len - off, MSG_NOSIGNAL);

		assert_true(n > 0);
		off += (size_t)n;
	}
}

static void client_reset(struct fixture *f)
{
	f->rxlen = 0;
	f->rx_eof = false;
}

/* The i-th reply line as JSON. */
static struct json_object *reply(struct fixture *f, size_t i)
{
	char *p = f->rx, *nl;

	while (i--) {
		nl = strchr(p, '\n');
		assert_non_null(nl);
		p = nl + 1;
	}
	nl = strchr(p, '\n');
	assert_non_null(nl);
	*nl = '\0';
	{
		struct json_object *o = json_tokener_parse(p);

		*nl = '\n';
		assert_non_null(o);
		return o;
	}
}

static bool reply_ok(struct json_object *r)
{
	struct json_object *v;

	return json_object_object_get_ex(r, "ok", &v) && json_object_get_boolean(v);
}

static const char *reply_str(struct json_object *r, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(r, key, &v) ? json_object_get_string(v) : NULL;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	the_fixture = f;
	strcpy(f->dir, "/tmp/ulctlXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->sock, sizeof(f->sock), "%s/run/uplinkd/uplinkd.sock", f->dir);
	f->cfg.control_socket = f->sock;
	f->cfg.state_dir = f->dir;
	f->cfg.journal_max = 10;
	f->d.cfg = &f->cfg;
	f->fd = -1;
	memset(&ctl_stub, 0, sizeof(ctl_stub));
	assert_int_equal(loop_init(&f->d.loop), 0);
	f->d.loop.clock = shifted_clock;
	bus_init(&f->d.bus);
	list_init(&f->d.uplinks);
	assert_int_equal(journal_init(&f->d), 0);
	assert_int_equal(control_init(&f->d), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	if (f->fd >= 0)
		close(f->fd);
	control_destroy(&f->d);
	control_destroy(&f->d); /* a no-op the second time */
	journal_destroy(&f->d);
	loop_destroy(&f->d.loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f->rx);
	free(f);
	return 0;
}

static void test_commands(void **state)
{
	static const char reqs[] = "{\"cmd\":\"status\"}\n"
				   "{\"cmd\":\"events\",\"count\":5}\n"
				   "{\"cmd\":\"reload\"}\n"
				   "{\"cmd\":\"prefer\",\"uplink\":\"isp9\"}\n"
				   "{\"cmd\":\"prefer\",\"uplink\":\"isp2\"}\n"
				   "{\"cmd\":\"stauts\"}\n"
				   "{\"cmd\":\"reload\"}\r\n";
	struct fixture *f = *state;
	struct json_object *r, *v;
	struct stat st;

	assert_int_equal(stat(f->sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);

	bus_publish(&f->d.bus, &(struct bus_event){ .type = BUS_UPLINK_STATE, .object = "isp1",
						    .old_state = "up", .new_state = "down",
						    .reason = "0/2 targets answered" });
	f->fd = client_connect(f->sock);
	/* all at once: the answers come back in order, one line each */
	client_send(f, reqs, strlen(reqs));
	ctl_stub.reload_errs = NULL;
	pump(f, 7);
	assert_int_equal(count_lines(f->rx, f->rxlen), 7);

	r = reply(f, 0);
	assert_true(reply_ok(r));
	assert_true(json_object_object_get_ex(r, "status", &v));
	assert_true(json_object_object_get_ex(v, "uplinks", NULL));
	assert_int_equal(strncmp(f->rx, "{\"ok\":true,", 11), 0); /* "ok" comes first */
	json_object_put(r);

	r = reply(f, 1);
	assert_true(reply_ok(r));
	assert_true(json_object_object_get_ex(r, "events", &v));
	assert_int_equal(json_object_array_length(v), 1);
	assert_string_equal(reply_str(json_object_array_get_idx(v, 0), "reason"),
			    "0/2 targets answered");
	json_object_put(r);

	r = reply(f, 2);
	assert_true(reply_ok(r));
	json_object_put(r);

	r = reply(f, 3);
	assert_false(reply_ok(r));
	/* control passes policy's refusal on as it was given (its text is policy's business) */
	assert_string_equal(ctl_stub.prefer_err, "stub refuses isp9");
	assert_string_equal(reply_str(r, "error"), ctl_stub.prefer_err);
	json_object_put(r);

	r = reply(f, 4);
	assert_true(reply_ok(r));
	assert_string_equal(ctl_stub.prefer, "isp2");
	json_object_put(r);

	r = reply(f, 5);
	assert_false(reply_ok(r));
	assert_string_equal(reply_str(r, "error"),
			    "unknown command \"stauts\"; try status, events, reload, prefer, ack, disable, enable");
	json_object_put(r);
	assert_int_equal(ctl_stub.reload_calls, 2);

	/* a refused reload carries every error line */
	client_reset(f);
	ctl_stub.reload_errs = "a.conf:3: x: unknown key\na.conf:9: y: 5 is below 10";
	client_send(f, "{\"cmd\":\"reload\"}\n", 17);
	pump(f, 1);
	r = reply(f, 0);
	assert_false(reply_ok(r));
	assert_string_equal(reply_str(r, "error"), ctl_stub.reload_errs);
	json_object_put(r);
}

/* The commands that change something go through the table with the peer as who; an
 * owner's note on success (ack) reaches the client as "message". */
static void test_mutating(void **state)
{
	static const char reqs[] = "{\"cmd\":\"ack\",\"alert\":\"hijack-1\"}\n"
				   "{\"cmd\":\"disable\",\"uplink\":\"isp1\"}\n";
	struct fixture *f = *state;
	struct json_object *r;
	char uid[32];

	f->fd = client_connect(f->sock);
	client_send(f, reqs, strlen(reqs));
	pump(f, 2);
	assert_int_equal(count_lines(f->rx, f->rxlen), 2);
	r = reply(f, 0);
	assert_true(reply_ok(r));
	assert_string_equal(reply_str(r, "message"), "alert hijack-1 acknowledged");
	assert_string_equal(ctl_stub.ack, "hijack-1");
	json_object_put(r);
	r = reply(f, 1);
	assert_true(reply_ok(r));
	assert_null(reply_str(r, "message"));
	assert_string_equal(ctl_stub.admin, "isp1");
	assert_int_equal(ctl_stub.admin_disable, 1);
	json_object_put(r);
	client_reset(f);
	client_send(f, "{\"cmd\":\"enable\",\"uplink\":\"isp7\"}\n", 33);
	pump(f, 1);
	assert_int_equal(ctl_stub.admin_disable, 0);
	r = reply(f, 0);
	assert_false(reply_ok(r));
	assert_string_equal(reply_str(r, "error"), "no uplink named \"isp7\"; use one of: isp1 isp2");
	json_object_put(r);
	/* who: the peer's uid, as the journal shows it */
	snprintf(uid, sizeof(uid), "uid %u", (unsigned int)getuid());
	assert_non_null(strstr(ctl_stub.who, uid));
}

/* A client that writes many requests and reads late gets every reply, in order. */
static void test_slow_reader(void **state)
{
	enum { N = 300 };
	struct fixture *f = *state;
	char *pad = malloc(32768), *reqs;
	size_t i, len = strlen("{\"cmd\":\"status\"}\n");

	assert_non_null(pad);
	memset(pad, 'x', 32767);
	pad[32767] = '\0';
	ctl_stub.status_pad = pad; /* 300 x 32 KiB: far more than the socket buffers */
	reqs = malloc(N * len);
	assert_non_null(reqs);
	for (i = 0; i < N; i++)
		memcpy(reqs + i * len, "{\"cmd\":\"status\"}\n", len);
	f->fd = client_connect(f->sock);
	client_send(f, reqs, N * len);
	pump(f, N);
	assert_false(f->rx_eof);
	assert_int_equal(count_lines(f->rx, f->rxlen), N);
	assert_int_equal(ctl_stub.status_calls, N);
	for (i = 0; i < N; i += 37) {
		struct json_object *r = reply(f, i), *v;

		assert_true(reply_ok(r));
		assert_true(json_object_object_get_ex(r, "status", &v));
		json_object_put(r);
	}
	free(reqs);
	free(pad);
}

static void test_long_line(void **state)
{
	struct fixture *f = *state;
	size_t n = CONTROL_LINE_MAX + 100;
	struct json_object *r;
	char *big = malloc(n);

	assert_non_null(big);
	memset(big, ' ', n);
	f->fd = client_connect(f->sock);
	client_send(f, big, n);
	pump(f, 1000);
	assert_true(f->rx_eof); /* answered, then closed */
	assert_int_equal(count_lines(f->rx, f->rxlen), 1);
	r = reply(f, 0);
	assert_false(reply_ok(r));
	assert_string_equal(reply_str(r, "error"),
			    "request line longer than 64 KiB; closing the connection");
	json_object_put(r);
	assert_int_equal(ctl_stub.status_calls, 0);

	/* exactly 64 KiB plus its newline is still a request */
	close(f->fd);
	client_reset(f);
	f->fd = client_connect(f->sock);
	memcpy(big, "{\"cmd\":\"status\"}", 16);
	big[CONTROL_LINE_MAX] = '\n';
	client_send(f, big, CONTROL_LINE_MAX + 1);
	pump(f, 1);
	r = reply(f, 0);
	assert_true(reply_ok(r));
	json_object_put(r);
	free(big);
}

/* `printf '{"cmd":"status"}' | nc -N -U sock`: no newline, then half-close. */
static void test_half_close(void **state)
{
	struct fixture *f = *state;
	struct json_object *r;

	f->fd = client_connect(f->sock);
	client_send(f, "{\"cmd\":\"status\"}", 16);
	assert_int_equal(shutdown(f->fd, SHUT_WR), 0);
	pump(f, 1000);
	assert_true(f->rx_eof);
	assert_int_equal(count_lines(f->rx, f->rxlen), 1);
	r = reply(f, 0);
	assert_true(reply_ok(r));
	json_object_put(r);
}

static void test_idle(void **state)
{
	struct fixture *f = *state;
	struct json_object *r;

	f->fd = client_connect(f->sock);
	client_send(f, "{\"cmd\":\"status\"}\n", 17);
	pump(f, 1);
	r = reply(f, 0);
	assert_true(reply_ok(r));
	json_object_put(r);

	f->shift_ns += 29 * NSEC_PER_SEC;
	loop_update_time(&f->d.loop);
	loop_run_due(&f->d.loop);
	client_reset(f);
	client_send(f, "{\"cmd\":\"status\"}\n", 17);
	pump(f, 1); /* still served at 29 s, which restarts the 30 s */
	assert_false(f->rx_eof);

	f->shift_ns += 31 * NSEC_PER_SEC;
	loop_update_time(&f->d.loop);
	loop_run_due(&f->d.loop);
	client_reset(f);
	pump(f, 1000);
	assert_true(f->rx_eof);
	assert_int_equal(f->rxlen, 0);
}

static void test_socket_rules(void **state)
{
	struct fixture *f = *state;
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct daemon d2;
	struct config cfg2;
	char path[160];
	int fd;

	/* another uplinkd answers on the path: refuse, and leave its socket alone */
	memset(&d2, 0, sizeof(d2));
	cfg2 = f->cfg;
	d2.cfg = &cfg2;
	assert_int_equal(loop_init(&d2.loop), 0);
	assert_int_equal(control_init(&d2), -EADDRINUSE);
	assert_null(d2.control);
	assert_int_equal(access(f->sock, F_OK), 0);
	f->fd = client_connect(f->sock);

	/* a stale socket (nothing listens) is replaced */
	snprintf(path, sizeof(path), "%s/stale.sock", f->dir);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	memcpy(sa.sun_path, path, strlen(path) + 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	cfg2.control_socket = path;
	assert_int_equal(control_init(&d2), 0);
	close(client_connect(path));
	control_destroy(&d2);
	assert_int_equal(access(path, F_OK), -1); /* removed at exit */

	/* a file that is not a socket is never removed */
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(control_init(&d2), -EEXIST);
	assert_int_equal(access(path, F_OK), 0);

	/* longer than sun_path */
	memset(path, 'a', sizeof(path) - 1);
	path[0] = '/';
	path[sizeof(path) - 1] = '\0';
	assert_int_equal(control_init(&d2), -ENAMETOOLONG);
	loop_destroy(&d2.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mutating, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_half_close, setup, teardown),
		cmocka_unit_test_setup_teardown(test_idle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_rules, setup, teardown),
	};

	alarm(60); /* a hung loop fails the run instead of blocking it */
	return cmocka_run_group_tests_name("control_sock", tests, NULL, NULL);
}
