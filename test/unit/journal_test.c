// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The journal keeps the last journal_max events, compacts its file, survives a
 * restart and skips torn and foreign lines without losing the next entry.
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
	assert_int_equal(file_lines(f->dir), 19);
	publish(&f->d, 19); /* the 20th line: rewritten to the last 10 */
	assert_int_equal(file_lines(f->dir), 10);
	for (i = 20; i < 25; i++)
		publish(&f->d, i);
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
	journal_destroy(&f->d);

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

/* state_dir is created with its parents, 0750. */
static void test_mkdir(void **state)
{
	struct fixture *f = *state;
	char dir[128];
	struct stat st;

	snprintf(dir, sizeof(dir), "%s/var/lib/uplinkd", f->dir);
	f->cfg.state_dir = dir;
	assert_int_equal(journal_init(&f->d), 0);
	publish(&f->d, 1);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(file_lines(dir), 1);
	f->cfg.state_dir = f->dir;
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
	};

	return cmocka_run_group_tests_name("journal", tests, NULL, NULL);
}
