// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The loop reads before it expires: a reply waiting in a socket, or one that arrived
 * while a long callback ran, is served before a timer that fell due meanwhile; and
 * probe_recv() gives the kernel's receive time, not the time the loop got round to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "list.h"
#include "log.h"
#include "loop.h"
#include "probe.h"

struct fx {
	struct loop l;
	int a[2], b[2];
	struct loop_fd fa, fb;
	struct loop_timer t;
	char order[8];
	size_t n;
	bool stall; /* fa's callback: write b, then take 30 ms */
};

static struct fx *fx_of_fd(struct loop_fd *f, int which)
{
	return which ? container_of(f, struct fx, fb) : container_of(f, struct fx, fa);
}

static void sleep_ms(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void fa_cb(struct loop_fd *f, uint32_t ev)
{
	struct fx *x = fx_of_fd(f, 0);
	char c;

	(void)ev;
	if (read(f->fd, &c, 1) != 1)
		return;
	x->order[x->n++] = 'A';
	if (x->stall) {
		assert_int_equal(write(x->b[1], "b", 1), 1);
		sleep_ms(30);
	}
}

static void fb_cb(struct loop_fd *f, uint32_t ev)
{
	struct fx *x = fx_of_fd(f, 1);
	char c;

	(void)ev;
	if (read(f->fd, &c, 1) == 1)
		x->order[x->n++] = 'B';
}

static void t_cb(struct loop_timer *t)
{
	struct fx *x = container_of(t, struct fx, t);

	x->order[x->n++] = 'T';
	loop_quit(&x->l);
}

static int setup(void **state)
{
	static struct fx x;

	memset(&x, 0, sizeof(x));
	assert_int_equal(loop_init(&x.l), 0);
	assert_int_equal(pipe(x.a), 0);
	assert_int_equal(pipe(x.b), 0);
	x.fa.fd = x.a[0];
	x.fa.cb = fa_cb;
	x.fb.fd = x.b[0];
	x.fb.cb = fb_cb;
	assert_int_equal(loop_fd_add(&x.l, &x.fa, EPOLLIN), 0);
	assert_int_equal(loop_fd_add(&x.l, &x.fb, EPOLLIN), 0);
	loop_timer_init(&x.t, t_cb);
	*state = &x;
	return 0;
}

static int teardown(void **state)
{
	struct fx *x = *state;

	loop_fd_del(&x->l, &x->fa);
	loop_fd_del(&x->l, &x->fb);
	close(x->a[0]);
	close(x->a[1]);
	close(x->b[0]);
	close(x->b[1]);
	loop_destroy(&x->l);
	return 0;
}

/* A reply already waiting and a timer already due: the reply first. */
static void test_read_before_expire(void **state)
{
	struct fx *x = *state;

	assert_int_equal(write(x->a[1], "a", 1), 1);
	loop_timer_set(&x->l, &x->t, loop_clock_monotonic() - NSEC_PER_MSEC);
	assert_int_equal(loop_run(&x->l), 0);
	x->order[x->n] = '\0';
	assert_string_equal(x->order, "AT");
}

/* A reply that arrives while a callback takes 30 ms, a timer due 10 ms into it. */
static void test_read_after_stall(void **state)
{
	struct fx *x = *state;

	x->stall = true;
	assert_int_equal(write(x->a[1], "a", 1), 1);
	loop_timer_set(&x->l, &x->t, loop_clock_monotonic() + 10 * NSEC_PER_MSEC);
	assert_int_equal(loop_run(&x->l), 0);
	x->order[x->n] = '\0';
	assert_string_equal(x->order, "ABT");
}

/* The receive time is when the datagram arrived, even if it is read 50 ms later. */
static void test_kernel_rx_time(void **state)
{
	struct probe_env env = { .uplink = "test", .ifname = "lo" };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct sockaddr_storage from;
	struct log_rl rl = { 0 };
	socklen_t tlen = sizeof(to);
	uint64_t sent, rx = 0;
	char buf[16];
	int fd, tx;

	(void)state;
	fd = probe_socket(&env, AF_INET, SOCK_DGRAM, 0);
	if (fd < 0) /* make check runs as root: SO_BINDTODEVICE and SO_MARK need NET_RAW/NET_ADMIN */
		fail_msg("probe_socket: %s (run the unit tests as root, as make check does)", strerror(errno));
	assert_int_equal(bind(fd, (struct sockaddr *)&to, sizeof(to)), 0);
	/* the kernel turns receive timestamps on from a work item: give it a moment, as
	 * the daemon's sockets have long before their first reply */
	sleep_ms(20);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&to, &tlen), 0);
	tx = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(tx >= 0);
	sent = loop_clock_monotonic();
	assert_int_equal(sendto(tx, "x", 1, 0, (struct sockaddr *)&to, sizeof(to)), 1);
	sleep_ms(50);
	assert_int_equal(probe_recv(&env, fd, buf, sizeof(buf), &from, &rx, &rl), 1);
	assert_true(rx >= sent - NSEC_PER_MSEC); /* the realtime->monotonic step may round */
	assert_true(rx < sent + 20 * NSEC_PER_MSEC);
	close(tx);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_read_before_expire, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_after_stall, setup, teardown),
		cmocka_unit_test(test_kernel_rx_time),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
