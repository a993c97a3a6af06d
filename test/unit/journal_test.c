// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal keeps the last journal_max events, compacts its file, survives a
 * restart and skips a torn line; hook_env_build gives hooks their environment.
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

#include "bus.h"
#include "daemon.h"
#include "hook.h"
#include "journal.h"

struct fixture {
	char dir[64];
	struct config cfg;
	struct daemon d;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/uljournalXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cfg.journal_max = 10;
	f->cfg.state_dir = f->dir;
	f->d.cfg = &f->cfg;
	bus_init(&f->d.bus);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	journal_destroy(&f->d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void publish(struct daemon *d, int i)
{
	char reason[32];

	snprintf(reason, sizeof(reason), "event %d", i);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_UPLINK_STATE, .ts_ms = 1000 + i,
						  .object = "isp1", .old_state = "up",
						  .new_state = "down", .reason = reason });
}

static size_t file_lines(const char *dir)
{
	char path[128], line[1024];
	size_t n = 0;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp))
		n++;
	fclose(fp);
	return n;
}

static void test_bounded_and_persistent(void **state)
{
	struct fixture *f = *state;
	struct json_object *a, *e, *v;
	char path[128];
	FILE *fp;
	int i;

	assert_int_equal(journal_init(&f->d), 0);
	for (i = 0; i < 25; i++)
		publish(&f->d, i);
	a = journal_last(&f->d, 100);
	assert_int_equal(json_object_array_length(a), 10);
	e = json_object_array_get_idx(a, 0);
	assert_true(json_object_object_get_ex(e, "reason", &v));
	assert_string_equal(json_object_get_string(v), "event 15");
	json_object_put(a);
	assert_true(file_lines(f->dir) < 20); /* compacted at 2 x max */

	/* a torn last line, as after a power cut */
	snprintf(path, sizeof(path), "%s/journal.jsonl", f->dir);
	fp = fopen(path, "a");
	fputs("{\"ts_ms\":12,\"type\":\"upl", fp);
	fclose(fp);
	journal_destroy(&f->d);
	assert_int_equal(journal_init(&f->d), 0);
	a = journal_last(&f->d, 3);
	assert_int_equal(json_object_array_length(a), 3);
	e = json_object_array_get_idx(a, 2);
	assert_true(json_object_object_get_ex(e, "reason", &v));
	assert_string_equal(json_object_get_string(v), "event 24");
	assert_true(json_object_object_get_ex(e, "new", &v));
	assert_string_equal(json_object_get_string(v), "down");
	json_object_put(a);
}

static void test_hook_env(void **state)
{
	struct bus_event ev = { .type = BUS_ACTIVE, .ts_ms = 42, .object = "isp2",
				.old_state = "isp1", .new_state = "isp2",
				.reason = "isp1 down: 0/2 targets answered" };
	char *envp[16], buf[1024];

	(void)state;
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[0], "PATH=/usr/sbin:/usr/bin:/sbin:/bin");
	assert_string_equal(envp[1], "UPLINKD_EVENT=active");
	assert_string_equal(envp[3], "UPLINKD_UPLINK=isp2");
	assert_string_equal(envp[6], "UPLINKD_REASON=isp1 down: 0/2 targets answered");
	assert_string_equal(envp[7], "UPLINKD_TIME=42");
	assert_null(envp[8]);
	ev.type = BUS_CONFIG;
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, sizeof(buf)), 8);
	assert_string_equal(envp[3], "UPLINKD_UPLINK=");
	assert_int_equal(hook_env_build(&ev, envp, 16, buf, 40), -ENOSPC);
	assert_int_equal(hook_env_build(&ev, envp, 4, buf, sizeof(buf)), -ENOSPC);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bounded_and_persistent, setup, teardown),
		cmocka_unit_test(test_hook_env),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
