// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * History rings: points land at their second, gaps read back as null, a minute's coarse
 * point is the mean of its seconds with the worst state, the rings wrap without growing,
 * the JSON has the stated shape, and the file image round-trips while every truncated,
 * flipped or foreign image is refused with a byte offset and leaves the history unchanged.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../plugins/web/history.h"

#define T0 1700000040ULL /* a minute boundary */

static int setup(void **state)
{
	struct web_history *h = calloc(1, sizeof(*h));

	if (!h)
		return -1;
	web_history_init(h);
	*state = h;
	return 0;
}

static int teardown(void **state)
{
	struct web_history *h = *state;

	web_history_free(h);
	free(h);
	return 0;
}

static struct web_hist_point pt(float rtt, float loss, uint8_t st)
{
	return (struct web_hist_point){ .rtt_ms = rtt, .loss_pct = loss, .jitter_ms = rtt / 10,
					.state = st };
}

static struct json_object *get(struct json_object *o, const char *a, const char *b)
{
	struct json_object *v = NULL;

	assert_true(json_object_object_get_ex(o, a, &v));
	if (b)
		assert_true(json_object_object_get_ex(v, b, &v));
	return v;
}

static void test_points_and_gaps(void **state)
{
	struct web_history *h = *state;
	struct web_hist_point p = pt(10, 0, 2);
	struct json_object *j, *rtt;
	size_t n;

	assert_int_equal(web_history_add(h, "isp1", T0, &p), 0);
	p = pt(20, 50, 1);
	assert_int_equal(web_history_add(h, "isp1", T0 + 2, &p), 0); /* T0+1 missing */
	j = web_history_json(web_history_get(h, "isp1", false), T0 + 3);
	rtt = get(j, "fine", "rtt_ms");
	n = json_object_array_length(rtt);
	assert_int_equal(n, WEB_HIST_FINE_N);
	assert_int_equal(json_object_get_int64(get(j, "fine", "start_s")), T0 + 3 - n + 1);
	assert_int_equal(json_object_get_int(get(j, "fine", "step_s")), 1);
	/* the last four: T0 = 10, T0+1 = null, T0+2 = 20, T0+3 (now, no sample) = null */
	assert_int_equal(json_object_get_double(json_object_array_get_idx(rtt, n - 4)), 10);
	assert_null(json_object_array_get_idx(rtt, n - 3));
	assert_int_equal(json_object_get_double(json_object_array_get_idx(rtt, n - 2)), 20);
	assert_null(json_object_array_get_idx(rtt, n - 1));
	assert_int_equal(json_object_get_int(json_object_array_get_idx(get(j, "fine", "state"),
								      n - 2)), 1);
	assert_string_equal(json_object_get_string(get(j, "uplink", NULL)), "isp1");
	json_object_put(j);
}

static void test_coarse_mean(void **state)
{
	struct web_history *h = *state;
	struct json_object *j, *rtt, *loss, *st;
	struct web_hist_point p;
	uint64_t t;
	size_t n;

	for (t = T0; t < T0 + 60; t++) {
		p = pt(t < T0 + 30 ? 10 : 30, t == T0 + 5 ? 100 : 0, t == T0 + 7 ? 0 : 2);
		web_history_add(h, "isp1", t, &p);
	}
	p = pt(5, 0, 2);
	web_history_add(h, "isp1", T0 + 60, &p); /* a new minute: the first one is done */
	j = web_history_json(web_history_get(h, "isp1", false), T0 + 61);
	rtt = get(j, "coarse", "rtt_ms");
	loss = get(j, "coarse", "loss_pct");
	st = get(j, "coarse", "state");
	n = json_object_array_length(rtt);
	assert_int_equal(n, WEB_HIST_COARSE_N);
	assert_int_equal(json_object_get_int(get(j, "coarse", "step_s")), 60);
	assert_int_equal(json_object_get_int64(get(j, "coarse", "start_s")) + (int64_t)(n - 1) * 60,
			 (int64_t)T0);
	assert_true(json_object_get_double(json_object_array_get_idx(rtt, n - 1)) == 20.0);
	assert_true(json_object_get_double(json_object_array_get_idx(loss, n - 1)) > 1.6 &&
		    json_object_get_double(json_object_array_get_idx(loss, n - 1)) < 1.75); /* 100/60 */
	assert_int_equal(json_object_get_int(json_object_array_get_idx(st, n - 1)), 0); /* worst */
	assert_null(json_object_array_get_idx(rtt, n - 2));
	json_object_put(j);
}

static void test_wrap_and_bounds(void **state)
{
	struct web_history *h = *state;
	struct web_hist_point p = pt(1, 0, 2);
	struct json_object *j, *rtt;
	char name[16];
	uint64_t t;
	size_t i, known = 0;

	for (t = T0; t < T0 + 3 * WEB_HIST_FINE_N; t++) {
		p.rtt_ms = (float)(t - T0);
		web_history_add(h, "isp1", t, &p);
	}
	j = web_history_json(web_history_get(h, "isp1", false), t - 1);
	rtt = get(j, "fine", "rtt_ms");
	for (i = 0; i < json_object_array_length(rtt); i++)
		known += json_object_array_get_idx(rtt, i) != NULL;
	assert_int_equal(known, WEB_HIST_FINE_N);
	assert_int_equal(json_object_get_double(json_object_array_get_idx(rtt, WEB_HIST_FINE_N - 1)),
			 3 * WEB_HIST_FINE_N - 1);
	json_object_put(j);
	/* a jump longer than the ring clears it; older than the ring is ignored */
	web_history_add(h, "isp1", t + 5000, &p);
	p.rtt_ms = 99;
	web_history_add(h, "isp1", T0, &p);
	j = web_history_json(web_history_get(h, "isp1", false), t + 5000);
	rtt = get(j, "fine", "rtt_ms");
	for (i = 0, known = 0; i < json_object_array_length(rtt); i++)
		known += json_object_array_get_idx(rtt, i) != NULL;
	assert_int_equal(known, 1);
	json_object_put(j);
	/* at most WEB_HIST_UPLINKS_MAX uplinks */
	for (i = 0; i < WEB_HIST_UPLINKS_MAX + 5; i++) {
		snprintf(name, sizeof(name), "u%zu", i);
		web_history_add(h, name, T0, &p);
	}
	assert_int_equal(h->n, WEB_HIST_UPLINKS_MAX);
	assert_int_equal(web_history_add(h, "one-too-many", T0, &p), -ENOMEM);
	/* retain drops the others */
	{
		const char *keep[] = { "isp1", "u3" };

		web_history_retain(h, keep, 2);
		assert_int_equal(h->n, 2);
		assert_non_null(web_history_get(h, "u3", false));
		assert_null(web_history_get(h, "u4", false));
	}
}

static void fill(struct web_history *h)
{
	struct web_hist_point p;
	uint64_t t;

	for (t = T0; t < T0 + 200; t++) {
		p = pt((float)(t % 17), (float)(t % 3), (uint8_t)(t % 3));
		web_history_add(h, "isp1", t, &p);
		p = pt(-1, 100, 0);
		web_history_add(h, "isp2", t, &p);
	}
}

static void test_roundtrip(void **state)
{
	struct web_history *h = *state, h2;
	struct json_object *a, *b;
	char err[200] = "";
	uint8_t *buf;
	size_t len;

	fill(h);
	assert_int_equal(web_history_save_buf(h, &buf, &len), 0);
	web_history_init(&h2);
	assert_int_equal(web_history_load_buf(&h2, buf, len, err, sizeof(err)), 0);
	assert_int_equal(h2.n, 2);
	a = web_history_json(web_history_get(h, "isp1", false), T0 + 200);
	b = web_history_json(web_history_get(&h2, "isp1", false), T0 + 200);
	assert_string_equal(json_object_to_json_string(a), json_object_to_json_string(b));
	json_object_put(a);
	json_object_put(b);
	/* loading over existing uplinks replaces them, keeps the count */
	assert_int_equal(web_history_load_buf(&h2, buf, len, err, sizeof(err)), 0);
	assert_int_equal(h2.n, 2);
	web_history_free(&h2);
	free(buf);
}

static void expect_refused(const uint8_t *buf, size_t len, const char *what)
{
	struct web_history h;
	char err[200] = "";

	web_history_init(&h);
	web_history_add(&h, "keep", T0, &(struct web_hist_point){ 1, 0, 0, 2 });
	assert_int_equal(web_history_load_buf(&h, buf, len, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "byte "));
	if (what && !strstr(err, what))
		fail_msg("\"%s\" does not say \"%s\"", err, what);
	assert_int_equal(h.n, 1); /* unchanged */
	web_history_free(&h);
}

static void test_refused(void **state)
{
	struct web_history *h = *state;
	uint8_t *buf, *copy;
	size_t len, i;

	fill(h);
	assert_int_equal(web_history_save_buf(h, &buf, &len), 0);
	copy = malloc(len);
	assert_non_null(copy);
	expect_refused((const uint8_t *)"{\"journal\": 1}\n", 15, "magic");
	expect_refused(buf, 7, "magic");
	expect_refused(buf, 20, "truncated");
	for (i = 9; i < len; i += len / 37) { /* every truncation is refused */
		memcpy(copy, buf, i);
		expect_refused(copy, i, NULL);
	}
	memcpy(copy, buf, len);
	copy[len / 2] ^= 0x40; /* a flipped bit: checksum */
	expect_refused(copy, len, "checksum");
	memcpy(copy, buf, len);
	copy[8] = 9; /* another version */
	expect_refused(copy, len, "version 9");
	memcpy(copy, buf, len);
	copy[12] = 0x10; /* another resolution */
	expect_refused(copy, len, "points per ring");
	free(copy);
	free(buf);
}

static void test_file(void **state)
{
	struct web_history *h = *state, h2;
	char dir[] = "/tmp/web_history_test.XXXXXX", path[128], err[200] = "", cmd[160];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/sub/dir/history.bin", dir); /* created */
	fill(h);
	assert_int_equal(web_history_save(h, path), 0);
	web_history_init(&h2);
	assert_int_equal(web_history_load(&h2, path, err, sizeof(err)), 0);
	assert_int_equal(h2.n, 2);
	web_history_free(&h2);
	/* a missing file is an empty history, not an error */
	snprintf(path, sizeof(path), "%s/none", dir);
	assert_int_equal(web_history_load(&h2, path, err, sizeof(err)), 0);
	assert_int_equal(h2.n, 0);
	/* symbolic links are neither read nor written through */
	{
		char target[128], link[160];
		struct stat st;

		snprintf(target, sizeof(target), "%s/target", dir);
		assert_int_equal(close(open(target, O_WRONLY | O_CREAT, 0600)), 0);
		snprintf(link, sizeof(link), "%s/link.bin", dir);
		assert_int_equal(symlink(target, link), 0);
		assert_int_equal(web_history_load(&h2, link, err, sizeof(err)), -ELOOP);
		assert_non_null(strstr(err, "symbolic link"));
		snprintf(link, sizeof(link), "%s/sub/dir/history.bin.tmp", dir);
		assert_int_equal(symlink(target, link), 0);
		snprintf(path, sizeof(path), "%s/sub/dir/history.bin", dir);
		assert_int_equal(web_history_save(h, path), 0);
		assert_int_equal(stat(target, &st), 0);
		assert_int_equal(st.st_size, 0);
		assert_int_equal(lstat(path, &st), 0);
		assert_true(S_ISREG(st.st_mode));
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Stopped before any sample: the file written then must load (it was left corrupt). */
static void test_file_no_samples(void **state)
{
	struct web_history *h = *state, h2;
	char dir[] = "/tmp/web_history_test.XXXXXX", path[128], err[200] = "", cmd[160];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/history.bin", dir);
	/* no uplink at all */
	assert_int_equal(web_history_save(h, path), 0);
	web_history_init(&h2);
	assert_int_equal(web_history_load(&h2, path, err, sizeof(err)), 0);
	assert_int_equal(h2.n, 0);
	web_history_free(&h2);
	/* uplinks known, not one sample */
	assert_non_null(web_history_get(h, "isp1", true));
	assert_non_null(web_history_get(h, "isp2", true));
	assert_int_equal(web_history_save(h, path), 0);
	web_history_init(&h2);
	err[0] = '\0';
	assert_int_equal(web_history_load(&h2, path, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(h2.n, 2);
	web_history_free(&h2);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_points_and_gaps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_coarse_mean, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrap_and_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file_no_samples, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_file, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
