// SPDX-License-Identifier: GPL-2.0-or-later
/* sdnotify.c: $NOTIFY_SOCKET addresses, $WATCHDOG_USEC, and one datagram end to end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon.h"
#include "sdnotify.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static void test_addr(void **state)
{
	struct sockaddr_un sa;

	(void)state;
	assert_int_equal(sdnotify_addr("/run/systemd/notify", &sa),
			 (int)(offsetof(struct sockaddr_un, sun_path) + strlen("/run/systemd/notify") + 1));
	assert_string_equal(sa.sun_path, "/run/systemd/notify");
	/* abstract: a leading NUL, the length without a terminator */
	assert_int_equal(sdnotify_addr("@sd/notify", &sa),
			 (int)(offsetof(struct sockaddr_un, sun_path) + 10));
	assert_int_equal(sa.sun_path[0], '\0');
	assert_memory_equal(sa.sun_path + 1, "sd/notify", 9);
	assert_int_equal(sdnotify_addr("relative", &sa), -EINVAL);
	assert_int_equal(sdnotify_addr("", &sa), -EINVAL);
	assert_int_equal(sdnotify_addr(NULL, &sa), -EINVAL);
}

static void test_watchdog(void **state)
{
	(void)state;
	assert_int_equal(sdnotify_watchdog_usec("30000000", NULL, 42), 30000000);
	assert_int_equal(sdnotify_watchdog_usec("30000000", "42", 42), 30000000);
	assert_int_equal(sdnotify_watchdog_usec("30000000", "41", 42), 0); /* another's */
	assert_int_equal(sdnotify_watchdog_usec("0", NULL, 42), 0);
	assert_int_equal(sdnotify_watchdog_usec("12x", NULL, 42), 0);
	assert_int_equal(sdnotify_watchdog_usec(NULL, NULL, 42), 0);
}

/* With no uplink to wait for, READY=1 (and a first WATCHDOG=1) arrive at once. */
static void test_ready(void **state)
{
	char dir[] = "/tmp/sdnotify_test.XXXXXX", path[64], buf[256];
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct daemon d;
	int fd;
	ssize_t n;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/notify", dir);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	memset(&d, 0, sizeof(d));
	list_init(&d.uplinks);
	assert_int_equal(loop_init(&d.loop), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	setenv("WATCHDOG_USEC", "2000000", 1);
	assert_int_equal(sdnotify_init(&d), 0);
	assert_null(getenv("NOTIFY_SOCKET")); /* not passed on to hooks */
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "WATCHDOG=1");
	loop_run_due(&d.loop);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "READY=1\nSTATUS=running; every uplink measured");
	sdnotify_destroy(&d);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	assert_true(n > 0);
	buf[n] = '\0';
	assert_string_equal(buf, "STOPPING=1");
	loop_destroy(&d.loop);
	close(fd);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_addr),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_ready),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
