// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal keeps the last journal_max events (history before monitor
 * chatter), writes them in batches, compacts its file off the event path,
 * survives a restart and skips torn, foreign and overlong lines without losing
 * the next entry; it refuses a state directory others may write and never
 * follows a symbolic link.
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
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus.h"
#include "daemon.h"
#include "journal.h"

struct fixture {
	char dir[64];
	struct config cfg;
	struct daemon d;
};

static uint64_t fake_ns;

static uint64_t fake_clock(void)
{
	return fake_ns;
}

/* What the loop does after the callback that published, and a while later. */
static void settle(struct fixture *f)
{
	loop_update_time(&f->d.loop);
	loop_run_due(&f->d.loop);
	fake_ns += 2 * NSEC_PER_SEC;
	loop_update_time(&f->d.loop);
	loop_run_due(&f->d.loop);
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	strcpy(f->dir, "/tmp/uljournalXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	f->cfg.journal_max = 10;
	f->cfg.state_dir = f->dir;
	f->d.cfg = &f->cfg;
	assert_int_equal(loop_init(&f->d.loop), 0);
	fake_ns = NSEC_PER_SEC;
	f->d.loop.clock = fake_clock;
	bus_init(&f->d.bus);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];

	journal_destroy(&f->d);
	loop_destroy(&f->d.loop);
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
	for (i = 0; i < 25; i++) {
		publish(&f->d, i);
		settle(f);
	}
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

static void append_raw(const char *dir, const char *text)
{
	char path[128];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/journal.jsonl", dir);
	fp = fopen(path, "a");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static const char *entry_reason(struct json_object *a, size_t i)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(json_object_array_get_idx(a, i), "reason", &v));
	return json_object_get_string(v);
}

static void test_compaction(void **state)
{
	struct fixture *f = *state;
	int i;

	assert_int_equal(journal_init(&f->d), 0);
	for (i = 0; i < 19; i++)
		publish(&f->d, i);
	settle(f);
	assert_int_equal(file_lines(f->dir), 19);
	publish(&f->d, 19); /* the 20th line: rewritten to the last 10, a moment later */
	loop_run_due(&f->d.loop);
	assert_int_equal(file_lines(f->dir), 20);
	settle(f);
	assert_int_equal(file_lines(f->dir), 10);
	for (i = 20; i < 25; i++)
		publish(&f->d, i);
	settle(f);
	assert_int_equal(file_lines(f->dir), 15);

	/* a file already at 2 x max (journal_max lowered) is compacted at start */
	journal_destroy(&f->d);
	f->cfg.journal_max = 5;
	assert_int_equal(journal_init(&f->d), 0);
	assert_int_equal(file_lines(f->dir), 5);
}

/* A torn last line must not swallow the entry written after the restart. */
static void test_torn_then_append(void **state)
{
	struct fixture *f = *state;
	struct json_object *a, *v;
	int i;

	assert_int_equal(journal_init(&f->d), 0);
	for (i = 0; i < 3; i++)
		publish(&f->d, i);
	journal_destroy(&f->d);
	append_raw(f->dir, "not json at all\n[1,2]\n{\"ts_ms\":\"x\",\"type\":\"uplink\"}\n"
			   "{\"ts_ms\":5,\"type\":\"uplink\"} trailing\n\n");
	append_raw(f->dir, "{\"ts_ms\":12,\"type\":\"upl");

	assert_int_equal(journal_init(&f->d), 0);
	a = journal_last(&f->d, 100);
	assert_int_equal(json_object_array_length(a), 3);
	json_object_put(a);
	publish(&f->d, 3);
	journal_destroy(&f->d); /* writes what is pending */

	assert_int_equal(journal_init(&f->d), 0);
	a = journal_last(&f->d, 100);
	assert_int_equal(json_object_array_length(a), 4);
	assert_string_equal(entry_reason(a, 0), "event 0");
	assert_string_equal(entry_reason(a, 3), "event 3");
	v = json_object_array_get_idx(a, 3);
	assert_true(json_object_object_get_ex(v, "type", &v));
	assert_string_equal(json_object_get_string(v), "uplink");
	json_object_put(a);
}

static void test_last(void **state)
{
	struct fixture *f = *state;
	struct json_object *a, *e, *v;

	assert_int_equal(journal_init(&f->d), 0);
	a = journal_last(&f->d, 5);
	assert_int_equal(json_object_array_length(a), 0);
	json_object_put(a);
	publish(&f->d, 1);
	bus_publish(&f->d.bus, &(struct bus_event){ .type = BUS_CONFIG, .ts_ms = 7,
						    .object = "/etc/uplinkd/uplinkd.conf",
						    .new_state = "loaded" });
	a = journal_last(&f->d, 0);
	assert_int_equal(json_object_array_length(a), 0);
	json_object_put(a);
	a = journal_last(&f->d, 1);
	assert_int_equal(json_object_array_length(a), 1);
	e = json_object_array_get_idx(a, 0);
	assert_string_equal(json_object_to_json_string_ext(e, JSON_C_TO_STRING_PLAIN |
							       JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"ts_ms\":7,\"type\":\"config\",\"object\":\"/etc/uplinkd/uplinkd.conf\","
			    "\"old\":null,\"new\":\"loaded\",\"reason\":null}");
	assert_true(json_object_object_get_ex(e, "old", &v));
	assert_null(v);
	json_object_put(a);
}

/* No usable state_dir: the journal still answers from memory; the daemon goes on. */
static void test_memory_only(void **state)
{
	struct fixture *f = *state;
	struct json_object *a;
	char dir[128];
	int i;

	snprintf(dir, sizeof(dir), "%s/file", f->dir);
	append_raw(f->dir, ""); /* creates journal.jsonl, used below as a "directory" */
	snprintf(dir, sizeof(dir), "%s/journal.jsonl/sub", f->dir);
	f->cfg.state_dir = dir;
	assert_int_equal(journal_init(&f->d), 0);
	for (i = 0; i < 12; i++)
		publish(&f->d, i);
	a = journal_last(&f->d, 50);
	assert_int_equal(json_object_array_length(a), 10);
	assert_string_equal(entry_reason(a, 9), "event 11");
	json_object_put(a);
	f->cfg.state_dir = f->dir;
}

/* state_dir is created with its parents, itself 0700. */
static void test_mkdir(void **state)
{
	struct fixture *f = *state;
	char dir[128];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/var/lib/uplinkd", f->dir);
	f->cfg.state_dir = dir;
	assert_int_equal(journal_init(&f->d), 0);
	publish(&f->d, 1);
	settle(f);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(file_lines(dir), 1);
	{
		char file[160];

		snprintf(file, sizeof(file), "%s/journal.jsonl", dir);
		assert_int_equal(stat(file, &st), 0);
		assert_int_equal(st.st_mode & 07777, 0600);
	}
	f->cfg.state_dir = f->dir;
}

/* Events of one callback leave with one write, after the callback. */
static void test_batched(void **state)
{
	struct fixture *f = *state;
	int i;

	assert_int_equal(journal_init(&f->d), 0);
	publish(&f->d, 0);
	settle(f);
	assert_int_equal(file_lines(f->dir), 1);
	for (i = 1; i <= 5; i++)
		publish(&f->d, i);
	assert_int_equal(file_lines(f->dir), 1); /* not yet: still in the callback */
	loop_run_due(&f->d.loop);
	assert_int_equal(file_lines(f->dir), 6);
}

static void alert_event(struct daemon *d, int i)
{
	char id[48];

	snprintf(id, sizeof(id), "subprefix:100.96.%d.0/28:isp1", i);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_ALERT, .ts_ms = 5000 + i,
						  .object = id, .new_state = "raised",
						  .reason = "flood" });
}

/* A flood of monitor events does not push the uplink history out, in memory or
 * after a restart; history is still bounded (the oldest of it goes when it alone fills
 * the ring). */
static void test_history_kept(void **state)
{
	struct fixture *f = *state;
	struct json_object *a;
	int i, k;

	for (k = 0; k < 2; k++) {
		struct json_object *e, *v;
		size_t n, uplinks = 0;

		if (k == 0) {
			assert_int_equal(journal_init(&f->d), 0);
			publish(&f->d, 1);
			publish(&f->d, 2);
			for (i = 0; i < 50; i++) {
				alert_event(&f->d, i);
				settle(f);
			}
			publish(&f->d, 3);
			settle(f);
		} else {
			journal_destroy(&f->d);
			assert_int_equal(journal_init(&f->d), 0);
		}
		a = journal_last(&f->d, 100);
		n = json_object_array_length(a);
		assert_int_equal(n, 10);
		for (i = 0; i < (int)n; i++) {
			e = json_object_array_get_idx(a, (size_t)i);
			assert_true(json_object_object_get_ex(e, "type", &v));
			uplinks += strcmp(json_object_get_string(v), "uplink") == 0;
		}
		assert_int_equal(uplinks, 3);
		assert_string_equal(entry_reason(a, 0), "event 1");
		assert_string_equal(entry_reason(a, 1), "event 2");
		assert_string_equal(entry_reason(a, 9), "event 3");
		json_object_put(a);
	}
	for (i = 10; i < 30; i++)
		publish(&f->d, i);
	a = journal_last(&f->d, 100);
	assert_int_equal(json_object_array_length(a), 10);
	assert_string_equal(entry_reason(a, 0), "event 20");
	json_object_put(a);
}

/* A reload storm (every SIGHUP is a config entry) does not push the uplink history out
 * either: config entries go before uplink, active, tunnel and steer entries, and after the
 * monitor chatter. The soak found it: SIGHUP storms emptied the ring of uplink events. */
static void test_reload_storm(void **state)
{
	struct fixture *f = *state;
	struct json_object *a, *e, *v;
	size_t n, i, uplinks, configs, alerts;
	int k;

	for (k = 0; k < 2; k++) {
		if (k == 0) {
			assert_int_equal(journal_init(&f->d), 0);
			publish(&f->d, 1);
			publish(&f->d, 2);
			alert_event(&f->d, 1);
			for (i = 0; i < 50; i++) {
				bus_publish(&f->d.bus, &(struct bus_event){
					.type = BUS_CONFIG, .ts_ms = 3000 + i, .object = "uplinkd.conf",
					.new_state = "loaded", .reason = "configuration reloaded" });
				settle(f);
			}
			publish(&f->d, 3);
			alert_event(&f->d, 2);	/* the newest chatter goes before any config entry */
			settle(f);
		} else {	/* and the same after a restart reads the file back */
			journal_destroy(&f->d);
			assert_int_equal(journal_init(&f->d), 0);
		}
		a = journal_last(&f->d, 100);
		n = json_object_array_length(a);
		assert_int_equal(n, 10);
		uplinks = configs = alerts = 0;
		for (i = 0; i < n; i++) {
			e = json_object_array_get_idx(a, i);
			assert_true(json_object_object_get_ex(e, "type", &v));
			uplinks += strcmp(json_object_get_string(v), "uplink") == 0;
			configs += strcmp(json_object_get_string(v), "config") == 0;
			alerts += strcmp(json_object_get_string(v), "alert") == 0;
		}
		assert_int_equal(uplinks, 3);
		assert_int_equal(alerts, 1);
		assert_int_equal(configs, 6);
		assert_string_equal(entry_reason(a, 0), "event 1");
		assert_string_equal(entry_reason(a, 1), "event 2");
		assert_string_equal(entry_reason(a, 8), "event 3");
		json_object_put(a);
	}
}

/* A symbolic link where the journal should be is neither followed nor written through. */
static void test_symlink_refused(void **state)
{
	struct fixture *f = *state;
	char target[128], link[128], path[160];
	struct json_object *a;
	struct stat st;

	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	{
		int fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, "{\"ts_ms\":1,\"type\":\"uplink\"}\n", 29), 29);
		close(fd);
	}
	snprintf(link, sizeof(link), "%s/state", f->dir);
	assert_int_equal(mkdir(link, 0700), 0);
	f->cfg.state_dir = link;
	snprintf(path, sizeof(path), "%s/state/journal.jsonl", f->dir);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(journal_init(&f->d), 0); /* memory only: the daemon goes on */
	publish(&f->d, 1);
	settle(f);
	a = journal_last(&f->d, 10);
	assert_int_equal(json_object_array_length(a), 1); /* not read through the link */
	json_object_put(a);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_size, 29); /* not written through it */
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	f->cfg.state_dir = f->dir;
}

/* A state directory another user owns, or that group or others may write, is refused. */
static void test_state_dir_refused(void **state)
{
	struct fixture *f = *state;
	struct stat st = { .st_mode = S_IFDIR | 0700, .st_uid = geteuid() };
	char msg[512];

	assert_int_equal(journal_state_dir_check(&st, "/x", msg, sizeof(msg)), 0);
	st.st_uid = 0;
	assert_int_equal(journal_state_dir_check(&st, "/x", msg, sizeof(msg)), 0);
	st.st_uid = 4242;
	if (geteuid() != 4242) {
		assert_int_equal(journal_state_dir_check(&st, "/x", msg, sizeof(msg)), -EPERM);
		assert_non_null(strstr(msg, "state_dir /x belongs to uid 4242, not to uplinkd"));
		assert_non_null(strstr(msg, "chown "));
	}
	st.st_uid = geteuid();
	st.st_mode = S_IFDIR | 0770;
	assert_int_equal(journal_state_dir_check(&st, "/x", msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "may be written by its group (mode 0770); chmod 0700 /x"));
	st.st_mode = S_IFDIR | 01777;
	assert_int_equal(journal_state_dir_check(&st, "/x", msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "may be written by anyone"));

	/* for real: world-writable, then (as root) owned by nobody */
	assert_int_equal(chmod(f->dir, 0777), 0);
	assert_int_equal(journal_init(&f->d), -EPERM);
	assert_null(f->d.journal);
	assert_int_equal(chmod(f->dir, 0700), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(f->dir, 65534, 65534), 0);
		assert_int_equal(journal_init(&f->d), -EPERM);
		assert_int_equal(chown(f->dir, 0, 0), 0);
	}
	assert_int_equal(journal_init(&f->d), 0);
}

/* Lines are bounded: an overlong one in the file is skipped (the next one kept), an
 * event with an overlong reason is written cut. */
static void test_long_lines(void **state)
{
	struct fixture *f = *state;
	size_t big = 100 * 1024, i = 0;
	char *s = malloc(big + 1);
	struct json_object *a;
	char path[128], line[32 * 1024];
	FILE *fp;

	assert_non_null(s);
	memset(s, 'x', big);
	s[big] = '\0';
	append_raw(f->dir, "{\"ts_ms\":1,\"type\":\"uplink\",\"reason\":\"");
	append_raw(f->dir, s);
	append_raw(f->dir, "\"}\n{\"ts_ms\":2,\"type\":\"uplink\",\"reason\":\"after\"}\n");
	assert_int_equal(journal_init(&f->d), 0);
	a = journal_last(&f->d, 10);
	assert_int_equal(json_object_array_length(a), 1);
	assert_string_equal(entry_reason(a, 0), "after");
	json_object_put(a);
	bus_publish(&f->d.bus, &(struct bus_event){ .type = BUS_SIGNAL, .ts_ms = 3,
						    .object = "x", .reason = s });
	settle(f);
	a = journal_last(&f->d, 1);
	assert_int_equal(json_object_array_length(a), 1);
	assert_true(strlen(entry_reason(a, 0)) < 4096);
	json_object_put(a);
	snprintf(path, sizeof(path), "%s/journal.jsonl", f->dir);
	fp = fopen(path, "r");
	assert_non_null(fp);
	line[0] = '\0';
	while (fgets(line, sizeof(line), fp)) /* the last line is ours */
		i = strlen(line);
	fclose(fp);
	assert_true(i > 2048 && i < 16 * 1024 + 2);
	assert_non_null(strstr(line, "xxx...\""));
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bounded_and_persistent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_compaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_torn_then_append, setup, teardown),
		cmocka_unit_test_setup_teardown(test_last, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batched, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_kept, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload_storm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_dir_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_lines, setup, teardown),
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
