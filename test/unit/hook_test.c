// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Hooks: the environment hook_env_build() gives them, and real runs from a
 * temporary hooks_dir: each hook's events in order, different hooks at the
 * same time (HOOK_PARALLEL at most), clean environment, no capabilities, no
 * leaked fds, unsafe files skipped and named once, the file that runs is the
 * one checked, everything a hook started killed at the timeout (setsid and
 * daemonized children too) and when uplinkd is killed with SIGKILL, uplink
 * events never dropped while other ones merge past 64, and nothing at all
 * without a hooks_dir.
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
#include <sys/wait.h>
#include <unistd.h>

#include "bus.h"
#include "daemon.h"
#include "hook.h"

/* How long a wait may last before it counts as a hang. Only a guard, never a measure:
 * 200 hook runs, one after another, under ASan on a loaded 2-core machine take well over
 * 20 s, and that is not a failure of the queue. */
#define HANG_GUARD_S 240

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
	assert_int_equal(hook_env_build(&ev, 0, "/etc/uplinkd/hooks.d/10-x", envp, 16, buf,
					sizeof(buf)), 10);
	assert_string_equal(envp[0], "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(envp[1], "UPLINKD_EVENT=active");
	assert_string_equal(envp[2], "UPLINKD_OBJECT=isp2");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=isp2");
	assert_string_equal(envp[4], "UPLINKD_OLD_STATE=isp1");
	assert_string_equal(envp[5], "UPLINKD_NEW_STATE=isp2");
	assert_string_equal(envp[6], "UPLINKD_REASON=isp1 down: 0/2 targets answered");
	assert_string_equal(envp[7], "UPLINKD_TIME=42");
	assert_string_equal(envp[8], "UPLINKD_COALESCED=0");
	assert_string_equal(envp[9], "UPLINKD_HOOK=/etc/uplinkd/hooks.d/10-x");
	assert_null(envp[10]);

	ev.type = BUS_UPLINK_STATE;
	assert_int_equal(hook_env_build(&ev, 7, NULL, envp, 16, buf, sizeof(buf)), 10);
	assert_string_equal(envp[1], "UPLINKD_EVENT=uplink");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=isp2");
	assert_string_equal(envp[8], "UPLINKD_COALESCED=7");

	/* only uplink and active events name an uplink; absent values are empty */
	ev = (struct bus_event){ .type = BUS_CONFIG, .ts_ms = 1700000000123ULL,
				 .object = "/etc/uplinkd/uplinkd.conf", .new_state = "loaded" };
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 16, buf, sizeof(buf)), 10);
	assert_string_equal(envp[1], "UPLINKD_EVENT=config");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=");
	assert_string_equal(envp[4], "UPLINKD_OLD_STATE=");
	assert_string_equal(envp[6], "UPLINKD_REASON=");
	assert_string_equal(envp[7], "UPLINKD_TIME=1700000000123");
	ev.type = BUS_ACTION;
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 16, buf, sizeof(buf)), 10);
	assert_string_equal(envp[1], "UPLINKD_EVENT=action");
	ev.type = BUS_ERROR;
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 16, buf, sizeof(buf)), 10);
	assert_string_equal(envp[1], "UPLINKD_EVENT=error");
	ev.type = BUS_SIGNAL;
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 16, buf, sizeof(buf)), 10);
	assert_string_equal(envp[1], "UPLINKD_EVENT=signal");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=");

	/* too small: -ENOSPC, never an overflow */
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 16, buf, 40), -ENOSPC);
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 10, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 11, buf, sizeof(buf)), 10);
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 0, buf, sizeof(buf)), -ENOSPC);
	assert_int_equal(hook_env_build(&ev, 0, "h", envp, 16, buf, 0), -ENOSPC);
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
	uint64_t end = loop_clock_monotonic() + HANG_GUARD_S * NSEC_PER_SEC;

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

/* Like settle(), but back as soon as the lines are there, hooks still running or not. */
static bool wait_lines(struct fixture *f, const char *name, size_t lines)
{
	uint64_t end = loop_clock_monotonic() + HANG_GUARD_S * NSEC_PER_SEC;

	while (loop_clock_monotonic() < end) {
		hooks_sigchld(&f->d);
		loop_update_time(&f->d.loop);
		loop_run_due(&f->d.loop);
		if (lines_of(f, name) >= lines)
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

static void alert(struct fixture *f, const char *reason)
{
	bus_publish(&f->d.bus, &(struct bus_event){ .type = BUS_ALERT, .ts_ms = 1234,
						    .object = "subprefix:x:isp1",
						    .new_state = "raised", .reason = reason });
}

/* The lines of `name` that start with `prefix`, concatenated. */
static char *lines_with(struct fixture *f, const char *name, const char *prefix)
{
	char *all = slurp(f, name), *out = calloc(1, 65536), *line, *save = NULL;

	assert_non_null(out);
	for (line = strtok_r(all, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, prefix, strlen(prefix)) == 0) {
			strcat(out, line);
			strcat(out, "\n");
		}
	free(all);
	return out;
}

static bool gone_or_zombie(pid_t pid);

static long pid_in(struct fixture *f, const char *name)
{
	char *s = slurp(f, name);
	long pid = strtol(s, NULL, 10);

	free(s);
	return pid;
}

/* Wait until the file holds a pid and return it (0 after 10 s). */
static long wait_pid(struct fixture *f, const char *name)
{
	uint64_t end = loop_clock_monotonic() + 10 * NSEC_PER_SEC;
	long pid;

	while (!(pid = pid_in(f, name)) && loop_clock_monotonic() < end)
		usleep(10000);
	return pid;
}

static bool wait_gone(long pid)
{
	uint64_t end = loop_clock_monotonic() + 10 * NSEC_PER_SEC;

	while (!gone_or_zombie((pid_t)pid) && loop_clock_monotonic() < end)
		usleep(10000);
	return gone_or_zombie((pid_t)pid);
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
	     "grep -E '^(Cap|NoNewPrivs)' /proc/self/status > $OUT/caps\n"
	     "[ -e /proc/$$/fd/42 ] && echo leaked-fd >> $OUT/order\n"
	     "read x && echo stdin-not-null >> $OUT/order\n"
	     "[ \"$(ps -o pgid= -p $$ | tr -d ' ')\" = \"$$\" ] || echo same-pgrp >> $OUT/order\n"
	     "[ \"$(ps -o sid= -p $$ | tr -d ' ')\" = \"$$\" ] || echo same-session >> $OUT/order\n"
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

	/* each hook's own events in order; the two hooks ran side by side */
	order = slurp(f, "order");
	assert_null(strstr(order, "leaked-fd"));
	assert_null(strstr(order, "stdin-not-null"));
	assert_null(strstr(order, "same-"));
	assert_null(strstr(order, "unsafe"));
	assert_null(strstr(order, "not-"));
	assert_null(strstr(order, "hidden"));
	free(order);
	order = lines_with(f, "order", "10 ");
	assert_string_equal(order, "10 first\n10 second\n");
	free(order);
	order = lines_with(f, "order", "20 ");
	assert_string_equal(order, "20 first\n20 second\n");
	free(order);
	/* without capabilities, and unable to gain any */
	env = slurp(f, "caps");
	assert_non_null(strstr(env, "CapInh:\t0000000000000000\n"));
	assert_non_null(strstr(env, "CapPrm:\t0000000000000000\n"));
	assert_non_null(strstr(env, "CapEff:\t0000000000000000\n"));
	assert_non_null(strstr(env, "CapAmb:\t0000000000000000\n"));
	assert_non_null(strstr(env, "NoNewPrivs:\t1\n"));
	if (geteuid() == 0) /* CAP_SETPCAP: the bounding set goes too */
		assert_non_null(strstr(env, "CapBnd:\t0000000000000000\n"));
	free(env);
	env = slurp(f, "env");
	assert_non_null(strstr(env, "PATH=/usr/sbin:/usr/bin:/sbin:/bin\n"));
	assert_non_null(strstr(env, "UPLINKD_EVENT=uplink\n"));
	assert_non_null(strstr(env, "UPLINKD_OBJECT=isp1\n"));
	assert_non_null(strstr(env, "UPLINKD_UPLINK=isp1\n"));
	assert_non_null(strstr(env, "UPLINKD_OLD_STATE=up\n"));
	assert_non_null(strstr(env, "UPLINKD_NEW_STATE=down\n"));
	assert_non_null(strstr(env, "UPLINKD_TIME=1234\n"));
	assert_non_null(strstr(env, "UPLINKD_COALESCED=0\n"));
	assert_non_null(strstr(env, "/hooks.d/10-first\n")); /* UPLINKD_HOOK */
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

/* Other events merge past HOOK_QUEUE_MAX waiting, counted; uplink events are all run. */
static void test_queue_bounded(void **state)
{
	struct fixture *f = *state;
	char reason[16], *last;
	int i;

	hook(f, "10-count", "echo \"$UPLINKD_EVENT $UPLINKD_REASON $UPLINKD_COALESCED\" >> $OUT/order",
	     0755);
	for (i = 0; i < 100; i++) {
		snprintf(reason, sizeof(reason), "a%d", i);
		alert(f, reason);
	}
	assert_true(settle(f, "order", 65));
	usleep(50000);
	hooks_sigchld(&f->d);
	assert_int_equal(lines_of(f, "order"), 1 + 64); /* one ran at once, 64 waited */
	last = lines_with(f, "order", "alert a99 ");
	assert_string_equal(last, "alert a99 35\n"); /* the newest, standing for 35 more */
	free(last);
	last = lines_with(f, "order", "alert a63 ");
	assert_string_equal(last, "alert a63 0\n");
	free(last);

	/* uplink events: never merged, never dropped, even among a flood of others */
	{
		char path[160];

		snprintf(path, sizeof(path), "%s/order", f->dir);
		unlink(path);
	}
	for (i = 0; i < 100; i++) {
		snprintf(reason, sizeof(reason), "u%d", i);
		event(f, reason);
		alert(f, "x");
	}
	assert_true(settle(f, "order", 100));
	last = lines_with(f, "order", "uplink ");
	for (i = 0; i < 100; i++) {
		char want[32];

		snprintf(want, sizeof(want), "uplink u%d 0\n", i);
		assert_non_null(strstr(last, want));
	}
	free(last);
}

/* One slow hook delays only itself; at most HOOK_PARALLEL hooks run at once. */
static void test_parallel(void **state)
{
	struct fixture *f = *state;
	char name[32], *s;
	int i, max = 0;

	f->cfg.hook_timeout_s = 30;
	hook(f, "10-slow", "sleep 2; echo \"slow $UPLINKD_REASON\" >> $OUT/order", 0755);
	hook(f, "20-fast", "echo \"fast $UPLINKD_REASON\" >> $OUT/order", 0755);
	event(f, "e1");
	event(f, "e2");
	assert_true(wait_lines(f, "order", 2)); /* both fast ones while slow still sleeps */
	s = slurp(f, "order");
	assert_string_equal(s, "fast e1\nfast e2\n");
	free(s);
	assert_true(settle(f, "order", 4));
	s = lines_with(f, "order", "slow ");
	assert_string_equal(s, "slow e1\nslow e2\n");
	free(s);

	/* the bound: six hooks that each count who runs beside them */
	for (i = 0; i < 6; i++) {
		snprintf(name, sizeof(name), "3%d-count", i);
		hook(f, name, "mkdir $OUT/run.$$\nls -d $OUT/run.* | wc -l >> $OUT/conc\n"
			      "sleep 0.5\nrmdir $OUT/run.$$\necho done >> $OUT/order", 0755);
	}
	event(f, "e3");
	assert_true(settle(f, "order", 4 + 2 + 6));
	s = slurp(f, "conc");
	for (char *p = s; *p;) {
		int n = (int)strtol(p, &p, 10);

		if (n > max)
			max = n;
		while (*p == '\n' || *p == ' ')
			p++;
	}
	free(s);
	assert_true(max >= 2);
	assert_true(max <= HOOK_PARALLEL);
}

/* A hook that leaves its session (setsid) or daemonizes is still killed at its timeout. */
static void test_setsid_killed(void **state)
{
	struct fixture *f = *state;
	long a, b;

	hook(f, "10-escape",
	     "setsid sh -c 'echo $$ > '$OUT'/a; exec sleep 60' &\n"
	     "(setsid sh -c 'echo $$ > '$OUT'/b; exec sleep 60' &)\n"
	     "sleep 60", 0755);
	hook(f, "20-after", "echo after >> $OUT/order", 0755);
	event(f, "x");
	a = wait_pid(f, "a");
	b = wait_pid(f, "b");
	assert_true(a > 1 && b > 1);
	assert_true(settle(f, "order", 1));
	assert_true(wait_gone(a));
	assert_true(wait_gone(b));
}

/* The file that runs is the one that was checked, even if the name is swapped later. */
static void test_checked_fd(void **state)
{
	struct fixture *f = *state;
	char path[160], tmp[160], *s;

	f->cfg.hook_timeout_s = 30;
	hook(f, "10-x", "echo \"checked $UPLINKD_REASON\" >> $OUT/order; sleep 1", 0755);
	event(f, "e1");
	event(f, "e2"); /* checked now, waits behind e1 */
	/* then the name points at a file nobody would have accepted */
	snprintf(path, sizeof(path), "%s/10-x", f->hooks);
	snprintf(tmp, sizeof(tmp), "%s/new", f->dir);
	write_file(tmp, "#!/bin/sh\necho swapped >> $(dirname $0)/order\n", 0777);
	assert_int_equal(rename(tmp, path), 0);
	assert_true(settle(f, "order", 2));
	s = slurp(f, "order");
	assert_string_equal(s, "checked e1\nchecked e2\n");
	free(s);
}

/* A file that cannot run is named once, not on every event. */
static void test_warn_once(void **state)
{
	struct fixture *f = *state;
	char log[160], *s, *p;
	int saved = dup(2), fd, n = 0;

	snprintf(log, sizeof(log), "%s/log", f->dir);
	fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(fd >= 0 && saved >= 0);
	hook(f, "10-ok", "echo ran >> $OUT/order", 0755);
	hook(f, "20-not-executable", "echo x", 0644);
	dup2(fd, 2);
	event(f, "1");
	event(f, "2");
	event(f, "3");
	dup2(saved, 2);
	close(saved);
	close(fd);
	assert_true(settle(f, "order", 3));
	s = slurp(f, "log");
	for (p = s; (p = strstr(p, "20-not-executable: not run")); p++)
		n++;
	free(s);
	assert_int_equal(n, 1);
}

/* uplinkd killed with SIGKILL: its hooks, and what they started, die with it. */
static void test_daemon_killed(void **state)
{
	struct fixture *f = *state;
	long a, b, sh;
	pid_t daemon;
	int status;

	f->cfg.hook_timeout_s = 300;
	hook(f, "10-long",
	     "echo $$ > $OUT/sh\n"
	     "setsid sh -c 'echo $$ > '$OUT'/a; exec sleep 120' &\n"
	     "(setsid sh -c 'echo $$ > '$OUT'/b; exec sleep 120' &)\n"
	     "sleep 120", 0755);
	daemon = fork();
	assert_true(daemon >= 0);
	if (daemon == 0) {
		/* a stand-in for uplinkd: its own hooks, running until killed */
		struct daemon d;

		memset(&d, 0, sizeof(d));
		d.cfg = &f->cfg;
		bus_init(&d.bus);
		if (loop_init(&d.loop) < 0 || hooks_init(&d) < 0)
			_exit(1);
		bus_publish(&d.bus, &(struct bus_event){ .type = BUS_ACTIVE, .object = "isp2" });
		for (;;)
			pause();
	}
	sh = wait_pid(f, "sh");
	a = wait_pid(f, "a");
	b = wait_pid(f, "b");
	assert_true(sh > 1 && a > 1 && b > 1);
	assert_int_equal(kill(daemon, SIGKILL), 0);
	assert_int_equal(waitpid(daemon, &status, 0), daemon);
	assert_true(wait_gone(sh));
	assert_true(wait_gone(a));
	assert_true(wait_gone(b));
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

	/* what uplinkd -t says about them */
	{
		char msg[512];

		assert_int_equal(hooks_dir_check(f->hooks, msg, sizeof(msg)), 0);
		assert_int_equal(hooks_dir_check(missing, msg, sizeof(msg)), -ENOENT);
		assert_non_null(strstr(msg, "does not exist: no hooks will run; create it"));
		assert_int_equal(chmod(f->hooks, 0777), 0);
		assert_int_equal(hooks_dir_check(f->hooks, msg, sizeof(msg)), -EPERM);
		assert_non_null(strstr(msg, "not writable by group or others (chown root"));
		assert_int_equal(chmod(f->hooks, 0755), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_env),
		cmocka_unit_test_setup_teardown(test_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_bounded, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parallel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_setsid_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checked_fd, setup, teardown),
		cmocka_unit_test_setup_teardown(test_warn_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_killed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_dir, setup, teardown),
	};

	alarm(900); /* a hung hook fails the run instead of blocking it */
	return cmocka_run_group_tests_name("hook", tests, NULL, NULL);
}
