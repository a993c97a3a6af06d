// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hooks: the environment hook_env_build() gives them, and real runs from a
 * temporary hooks_dir: sorted, one at a time, clean environment, no leaked fds,
 * unsafe files skipped, the process group killed at the timeout, the queue
 * bounded at 64 events, and nothing at all without a hooks_dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "daemon.h"
#include "hook.h"

struct fixture {
	char dir[64];
	char hooks[96];
	struct config cfg;
	struct daemon d;
};

static void test_env(void **state)
{
	struct bus_event ev = { .type = BUS_ACTIVE, .ts_ms = 42, .object = "isp2",
				.old_state = "isp1", .new_state = "isp2",
				.reason = "isp1 down: 0/2 targets answered" };
	char *envp[16], buf[1024];

	(void)state;
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[0], "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(envp[1], "UPLINKD_EVENT=active");
	assert_string_equal(envp[2], "UPLINKD_OBJECT=isp2");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=isp2");
	assert_string_equal(envp[4], "UPLINKD_OLD_STATE=isp1");
	assert_string_equal(envp[5], "UPLINKD_NEW_STATE=isp2");
	assert_string_equal(envp[6], "UPLINKD_REASON=isp1 down: 0/2 targets answered");
	assert_string_equal(envp[7], "UPLINKD_TIME=42");
	assert_null(envp[8]);

	ev.type = BUS_UPLINK_STATE;
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[1], "UPLINKD_EVENT=uplink");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=isp2");

	/* only uplink and active events name an uplink; absent values are empty */
	ev = (struct bus_event){ .type = BUS_CONFIG, .ts_ms = 1700000000123ULL,
				 .object = "/etc/uplinkd/uplinkd.conf", .new_state = "loaded" };
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[1], "UPLINKD_EVENT=config");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=");
	assert_string_equal(envp[4], "UPLINKD_OLD_STATE=");
	assert_string_equal(envp[6], "UPLINKD_REASON=");
	assert_string_equal(envp[7], "UPLINKD_TIME=1700000000123");
	ev.type = BUS_ACTION;
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[1], "UPLINKD_EVENT=action");
	ev.type = BUS_ERROR;
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[1], "UPLINKD_EVENT=error");
	ev.type = BUS_SIGNAL;
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[1], "UPLINKD_EVENT=signal");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=");

	/* too small: -ENOSPC, never an overflow */
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, 40), -ENOSPC);
	assert_int_equal(hook_env_build(&ev, envp, 8, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(hook_env_build(&ev, envp, 9, buf, sizeof(buf)), 8);
	assert_int_equal(hook_env_build(&ev, envp, 0, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, 0), -ENOSPC);
}

/* ---- real runs ---- */

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	assert_int_equal(chmod(path, mode), 0);
}

static void hook(struct fixture *f, const char *name, const char *body, mode_t mode)
{
	char path[160], text[1024];

	snprintf(path, sizeof(path), "%s/%s", f->hooks, name);
	snprintf(text, sizeof(text), "#!/bin/sh\nOUT=%s\n%s\n", f->dir, body);
	write_file(path, text, mode);
}

static char *slurp(struct fixture *f, const char *name)
{
	char path[160], *buf = calloc(1, 65536);
	FILE *fp;

	assert_non_null(buf);
	snprintf(path, sizeof(path), "%s/%s", f->dir, name);
	fp = fopen(path, "r");
	if (fp) {
		size_t n = fread(buf, 1, 65535, fp);

		buf[n] = '\0';
		fclose(fp);
	}
	return buf;
}

static size_t lines_of(struct fixture *f, const char *name)
{
	char *s = slurp(f, name), *p;
	size_t n = 0;

	for (p = s; *p; p++)
		n += *p == '\n';
	free(s);
	return n;
}

/* Drive SIGCHLD and timers as main.c and the loop would, until `lines` lines are
 * in the file `name` and no hook runs any more; false after 20 s. */
static bool settle(struct fixture *f, const char *name, size_t lines)
{
	uint64_t end = loop_clock_monotonic() + 20 * NSEC_PER_SEC;

	while (loop_clock_monotonic() < end) {
		hooks_sigchld(&f->d);
		loop_update_time(&f->d.loop);
		loop_run_due(&f->d.loop);
		if (lines_of(f, name) >= lines && f->d.loop.nheap == 0) /* no timeout armed */
			return true;
		usleep(2000);
	}
	return false;
}

static void event(struct fixture *f, const char *reason)
{
	bus_publish(&f->d.bus, &(struct bus_event){ .type = BUS_UPLINK_STATE, .ts_ms = 1234,
						    .object = "isp1", .old_state = "up",
						    .new_state = "down", .reason = reason });
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	strcpy(f->dir, "/tmp/ulhookXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->hooks, sizeof(f->hooks), "%s/hooks.d", f->dir);
	assert_int_equal(mkdir(f->hooks, 0755), 0);
	assert_int_equal(chmod(f->hooks, 0755), 0);
	f->cfg.hooks_dir = f->hooks;
	f->cfg.hook_timeout_s = 1;
	f->d.cfg = &f->cfg;
	assert_int_equal(loop_init(&f->d.loop), 0);
	bus_init(&f->d.bus);
	assert_int_equal(hooks_init(&f->d), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	hooks_destroy(&f->d);
	hooks_destroy(&f->d); /* a no-op the second time */
	loop_destroy(&f->d.loop);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_run(void **state)
{
	struct fixture *f = *state;
	char *env, *order;
	int leak;

	setenv("UPLINKD_TEST_LEAK", "from the daemon's environment", 1);
	leak = dup2(2, 42); /* an fd without O_CLOEXEC must not reach the hook */
	assert_int_equal(leak, 42);
	hook(f, "20-second", "echo \"20 $UPLINKD_REASON\" >> $OUT/order", 0755);
	hook(f, "10-first",
	     "env > $OUT/env\n"
	     "[ -e /proc/$$/fd/42 ] && echo leaked-fd >> $OUT/order\n"
	     "read x && echo stdin-not-null >> $OUT/order\n"
	     "[ \"$(ps -o pgid= -p $$ | tr -d ' ')\" = \"$$\" ] || echo same-pgrp >> $OUT/order\n"
	     "echo \"10 $UPLINKD_REASON\" >> $OUT/order",
	     0700);
	hook(f, "15-group-writable", "echo unsafe >> $OUT/order", 0775);
	hook(f, "16-world-writable", "echo unsafe >> $OUT/order", 0757);
	hook(f, "17-not-executable", "echo not-exec >> $OUT/order", 0644);
	hook(f, ".hidden", "echo hidden >> $OUT/order", 0755);
	hook(f, "18-not-root", "echo not-root >> $OUT/order", 0755);
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/18-not-root", f->hooks);
		assert_int_equal(chown(path, 65534, 65534), 0);
		snprintf(path, sizeof(path), "%s/19-dir", f->hooks);
		assert_int_equal(mkdir(path, 0755), 0);
	}

	event(f, "first");
	event(f, "second");
	assert_true(settle(f, "order", 4));
	close(42);
	unsetenv("UPLINKD_TEST_LEAK");

	order = slurp(f, "order");
	assert_string_equal(order, "10 first\n20 first\n10 second\n20 second\n");
	free(order);
	env = slurp(f, "env");
	assert_non_null(strstr(env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
	assert_non_null(strstr(env, "UPLINKD_EVENT=uplink\n"));
	assert_non_null(strstr(env, "UPLINKD_OBJECT=isp1\n"));
	assert_non_null(strstr(env, "UPLINKD_UPLINK=isp1\n"));
	assert_non_null(strstr(env, "UPLINKD_OLD_STATE=up\n"));
	assert_non_null(strstr(env, "UPLINKD_NEW_STATE=down\n"));
	assert_non_null(strstr(env, "UPLINKD_TIME=1234\n"));
	assert_null(strstr(env, "UPLINKD_TEST_LEAK"));
	assert_null(strstr(env, "HOME="));
	free(env);
}

static bool gone_or_zombie(pid_t pid)
{
	char path[64], buf[256], *p;
	FILE *fp;
	size_t n;

	if (kill(pid, 0) < 0)
		return true;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fp = fopen(path, "r");
	if (!fp)
		return true;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'Z';
}

/* A hook that hangs is killed with its whole process group; the next one runs. */
static void test_timeout(void **state)
{
	struct fixture *f = *state;
	uint64_t end;
	char *s;
	long bg;

	hook(f, "10-hang", "sleep 60 &\necho $! > $OUT/bg\nsleep 60\necho not-killed >> $OUT/order",
	     0755);
	hook(f, "20-after", "echo after >> $OUT/order", 0755);
	event(f, "hang");
	assert_true(settle(f, "order", 1));
	s = slurp(f, "order");
	assert_string_equal(s, "after\n");
	free(s);
	s = slurp(f, "bg");
	bg = strtol(s, NULL, 10);
	free(s);
	assert_true(bg > 1);
	end = loop_clock_monotonic() + 10 * NSEC_PER_SEC;
	while (!gone_or_zombie((pid_t)bg) && loop_clock_monotonic() < end)
		usleep(10000);
	assert_true(gone_or_zombie((pid_t)bg)); /* the group went with it */
}

static void test_queue_bounded(void **state)
{
	struct fixture *f = *state;
	int i;

	hook(f, "10-count", "echo $UPLINKD_REASON >> $OUT/order", 0755);
	for (i = 0; i < 100; i++)
		event(f, "x");
	assert_true(settle(f, "order", 64));
	usleep(50000);
	hooks_sigchld(&f->d);
	assert_int_equal(lines_of(f, "order"), 64);
}

static void test_no_dir(void **state)
{
	struct fixture *f = *state;
	char missing[128];

	hook(f, "10-any", "echo ran >> $OUT/order", 0755);
	/* hooks_dir group-writable: nothing in it runs */
	assert_int_equal(chmod(f->hooks, 0775), 0);
	event(f, "x");
	assert_int_equal(chmod(f->hooks, 0755), 0);
	/* missing or unset: nothing, quietly */
	snprintf(missing, sizeof(missing), "%s/none", f->dir);
	f->cfg.hooks_dir = missing;
	event(f, "x");
	f->cfg.hooks_dir = NULL;
	event(f, "x");
	usleep(100000);
	hooks_sigchld(&f->d);
	assert_int_equal(lines_of(f, "order"), 0);
	assert_int_equal(f->d.loop.nheap, 0); /* no timeout armed: nothing started */
	f->cfg.hooks_dir = f->hooks;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),
		cmocka_unit_test_setup_teardown(test_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_dir, setup, teardown),
	};

	alarm(120); /* a hung hook fails the run instead of blocking it */
	return cmocka_run_group_tests_name("hook", tests, NULL, NULL);
}
