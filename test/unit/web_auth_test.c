// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Web credentials and CSRF: constant-time comparison, Cookie and Authorization header
 * parsing, the CSRF/Origin rule (auth.h), action bodies as JSON or forms, the session
 * table (expiry, a full table, reload), crypt(3) hashes, the failed-login limits per
 * client address with their global ceiling, and the SSE event text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/web/auth.h"
#include "../../plugins/web/web_sse.h"

/* openssl passwd -6 -salt abcdefgh secret */
#define HASH "$6$abcdefgh$ltjgWl6579NluT/Vi1nwEvcil.G5Nbc4NiXZaNGStk8PSwGfQv72N2CKPPrVACtLtip/cZ/1GM/O6IND4WQhG."

static void test_secret_eq(void **state)
{
	(void)state;
	assert_true(web_secret_eq("abc", "abc"));
	assert_true(web_secret_eq("", ""));
	assert_false(web_secret_eq("abc", "abd"));
	assert_false(web_secret_eq("abc", "abcd"));
	assert_false(web_secret_eq("abcd", "abc"));
	assert_false(web_secret_eq("", "a"));
}

static void test_cookie(void **state)
{
	char v[64];

	(void)state;
	assert_true(web_cookie_get("a=1; uplinkd_session=XYZ; b=2", "uplinkd_session", v, sizeof(v)));
	assert_string_equal(v, "XYZ");
	assert_true(web_cookie_get("uplinkd_session=\"Q\"", "uplinkd_session", v, sizeof(v)));
	assert_string_equal(v, "Q");
	assert_true(web_cookie_get("x=1;uplinkd_session=last  ", "uplinkd_session", v, sizeof(v)));
	assert_string_equal(v, "last");
	assert_false(web_cookie_get("xuplinkd_session=1; uplinkd_sessionx=2", "uplinkd_session", v,
				    sizeof(v)));
	assert_false(web_cookie_get("", "uplinkd_session", v, sizeof(v)));
	assert_false(web_cookie_get(NULL, "uplinkd_session", v, sizeof(v)));
	assert_false(web_cookie_get("uplinkd_session=0123456789", "uplinkd_session", v, 5));
}

static void test_bearer(void **state)
{
	char v[32];

	(void)state;
	assert_true(web_bearer_get("Bearer abc123", v, sizeof(v)));
	assert_string_equal(v, "abc123");
	assert_true(web_bearer_get("bearer   tok  ", v, sizeof(v)));
	assert_string_equal(v, "tok");
	assert_false(web_bearer_get("Basic YWRtaW46eA==", v, sizeof(v)));
	assert_false(web_bearer_get("Bearer ", v, sizeof(v)));
	assert_false(web_bearer_get("Bearer", v, sizeof(v)));
	assert_false(web_bearer_get(NULL, v, sizeof(v)));
	assert_false(web_bearer_get("Bearer 0123456789012345678901234567890123456789", v, sizeof(v)));
}

static void test_csrf(void **state)
{
	const char *host = "100.80.0.1:8080";

	(void)state;
	assert_null(web_csrf_check("T", "T", NULL, host, NULL));
	assert_null(web_csrf_check("T", "T", "http://100.80.0.1:8080", host, "same-origin"));
	assert_null(web_csrf_check("T", "T", "https://100.80.0.1:8080", host, NULL));
	assert_non_null(strstr(web_csrf_check("T", NULL, NULL, host, NULL), "missing"));
	assert_non_null(web_csrf_check("T", "", NULL, host, NULL));
	assert_non_null(strstr(web_csrf_check("T", "U", NULL, host, NULL), "does not match"));
	assert_non_null(web_csrf_check(NULL, "T", NULL, host, NULL));
	assert_non_null(strstr(web_csrf_check("T", "T", "http://evil.example", host, NULL), "Origin"));
	assert_non_null(web_csrf_check("T", "T", "null", host, NULL));
	assert_non_null(web_csrf_check("T", "T", "http://100.80.0.1:8080", NULL, NULL));
	assert_non_null(web_csrf_check("T", "T", "http://100.80.0.1:80801", host, NULL));
	assert_non_null(strstr(web_csrf_check("T", "T", NULL, host, "cross-site"), "another site"));
	assert_non_null(web_csrf_check("T", "T", NULL, host, "same-site"));
	assert_null(web_origin_check(NULL, NULL, "none"));
	assert_non_null(web_origin_check("http://a", "b", NULL));
}

static void test_body(void **state)
{
	const char *why;
	char v[16];

	(void)state;
	assert_int_equal(web_body_param("{\"uplink\":\"isp2\"}", 17, "application/json", "uplink",
					v, sizeof(v), &why), 0);
	assert_string_equal(v, "isp2");
	assert_int_equal(web_body_param("{\"uplink\":\"isp2\"} \n", 19, "application/json; charset=utf-8",
					"uplink", v, sizeof(v), &why), 0);
	assert_int_equal(web_body_param("{\"x\":1}", 7, "application/json", "uplink", v, sizeof(v),
					&why), -ENOENT);
	assert_int_equal(web_body_param("{\"uplink\":1}", 12, "application/json", "uplink", v,
					sizeof(v), &why), -EINVAL);
	assert_non_null(strstr(why, "string"));
	assert_int_equal(web_body_param("{\"uplink\":", 10, "application/json", "uplink", v,
					sizeof(v), &why), -EINVAL);
	assert_non_null(strstr(why, "JSON"));
	assert_int_equal(web_body_param("{} {}", 5, "application/json", "uplink", v, sizeof(v),
					&why), -EINVAL);
	assert_int_equal(web_body_param("[\"uplink\"]", 10, "application/json", "uplink", v,
					sizeof(v), &why), -EINVAL);
	assert_int_equal(web_body_param("{\"uplink\":\"a\\u0000b\"}", 21, "application/json",
					"uplink", v, sizeof(v), &why), -EINVAL);
	assert_int_equal(web_body_param("{\"uplink\":\"a\\nb\"}", 17, "application/json",
					"uplink", v, sizeof(v), &why), -EINVAL);
	assert_int_equal(web_body_param("{\"uplink\":\"0123456789abcdefXYZ\"}", 32,
					"application/json", "uplink", v, sizeof(v), &why), -EINVAL);
	assert_int_equal(web_body_param("{\"a\":{\"b\":{\"c\":{\"d\":{\"e\":1}}}}}", 31,
					"application/json", "uplink", v, sizeof(v), &why), -EINVAL);
	/* forms */
	assert_int_equal(web_body_param("x=1&uplink=is%70+2", 18, NULL, "uplink", v, sizeof(v),
					&why), 0);
	assert_string_equal(v, "isp 2");
	assert_int_equal(web_body_param("uplink=auto", 11, "application/x-www-form-urlencoded",
					"uplink", v, sizeof(v), &why), 0);
	assert_string_equal(v, "auto");
	assert_int_equal(web_body_param("uplink=", 7, NULL, "uplink", v, sizeof(v), &why), 0);
	assert_string_equal(v, "");
	assert_int_equal(web_body_param("uplinkx=1", 9, NULL, "uplink", v, sizeof(v), &why),
			 -ENOENT);
	assert_int_equal(web_body_param("uplink=%4", 9, NULL, "uplink", v, sizeof(v), &why),
			 -EINVAL);
	assert_int_equal(web_body_param("uplink=%zz", 10, NULL, "uplink", v, sizeof(v), &why),
			 -EINVAL);
	assert_int_equal(web_body_param("uplink=%0a", 10, NULL, "uplink", v, sizeof(v), &why),
			 -EINVAL);
	assert_non_null(strstr(why, "control"));
	assert_int_equal(web_body_param("uplink=0123456789abcdefXYZ", 26, NULL, "uplink", v,
					sizeof(v), &why), -EINVAL);
	assert_int_equal(web_body_param("a", 1, "text/plain", "uplink", v, sizeof(v), &why),
			 -EINVAL);
	assert_non_null(strstr(why, "application/json"));
	assert_int_equal(web_body_param("", 0, NULL, "uplink", v, sizeof(v), &why), -ENOENT);
}

static void test_sessions(void **state)
{
	struct web_sessions *ss = calloc(1, sizeof(*ss));
	struct web_session *a, *b;
	const char *keep[] = { "bob" };
	char id[WEB_TOKEN_LEN + 1];
	size_t i;

	(void)state;
	assert_non_null(ss);
	a = web_session_new(ss, "admin", 1000);
	assert_non_null(a);
	assert_int_equal(strlen(a->id), WEB_TOKEN_LEN);
	assert_int_equal(strlen(a->csrf), WEB_TOKEN_LEN);
	assert_string_not_equal(a->id, a->csrf);
	for (i = 0; i < WEB_TOKEN_LEN; i++)
		assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
				       a->id[i]));
	memcpy(id, a->id, sizeof(id));
	assert_ptr_equal(web_session_find(ss, id, 2000), a);
	assert_null(web_session_find(ss, "short", 2000));
	id[3] ^= 1;
	assert_null(web_session_find(ss, id, 2000));
	id[3] ^= 1;
	assert_null(web_session_find(ss, id, 1000 + WEB_SESSION_TTL_MS)); /* expired */
	assert_int_equal(a->id[0], 0);
	/* a full table replaces the session that expires first */
	for (i = 0; i < WEB_SESSIONS_MAX; i++)
		assert_non_null(web_session_new(ss, i ? "bob" : "first", 5000 + i));
	b = web_session_new(ss, "late", 9000);
	assert_non_null(b);
	assert_string_equal(b->user, "late");
	for (i = 0; i < WEB_SESSIONS_MAX; i++)
		assert_string_not_equal(ss->s[i].user, "first");
	/* a reload that removes users ends their sessions */
	web_sessions_retain(ss, keep, 1);
	for (i = 0; i < WEB_SESSIONS_MAX; i++)
		assert_true(!ss->s[i].id[0] || !strcmp(ss->s[i].user, "bob"));
	assert_null(web_session_new(ss, "a-user-name-that-is-much-too-long-for-the-session-table-xxxxxxxxx", 1));
	free(ss);
}

static void test_passwords(void **state)
{
	(void)state;
	assert_true(web_hash_valid(HASH));
	assert_true(web_password_ok("secret", HASH));
	assert_false(web_password_ok("Secret", HASH));
	assert_false(web_password_ok("", HASH));
	assert_false(web_hash_valid("secret"));
	assert_false(web_hash_valid("$6$"));
	assert_false(web_hash_valid(""));
	assert_false(web_hash_valid("abQ9KY.KfrYrc")); /* DES: refused */
	assert_false(web_password_ok("secret", "*"));
}

/* A client address as a struct sockaddr (IPv4 or IPv6 literal). */
static const struct sockaddr *sa_of(const char *addr, struct sockaddr_storage *ss)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
	} else {
		assert_int_equal(inet_pton(AF_INET6, addr, &a6->sin6_addr), 1);
		a6->sin6_family = AF_INET6;
	}
	return (const struct sockaddr *)ss;
}

static unsigned int check_at(struct web_login_limit *l, const char *addr, uint64_t now)
{
	struct sockaddr_storage ss;

	return web_login_check(l, sa_of(addr, &ss), now);
}

static void fail_at(struct web_login_limit *l, const char *addr, uint64_t now)
{
	struct sockaddr_storage ss;

	web_login_failed(l, sa_of(addr, &ss), now);
}

/* 50 wrong passwords from one address lock that address out, not the admin elsewhere. */
static void test_login_per_address(void **state)
{
	struct web_login_limit *l = calloc(1, sizeof(*l));
	struct sockaddr_storage ss;
	uint64_t t = 1000000;
	int i, refused = 0;

	(void)state;
	assert_non_null(l);
	for (i = 0; i < 50; i++, t += 20) {
		if (check_at(l, "100.80.0.2", t)) {
			refused++;
			continue;
		}
		fail_at(l, "100.80.0.2", t);
	}
	assert_int_equal(refused, 50 - WEB_LOGIN_BURST);
	assert_int_equal(check_at(l, "100.80.0.3", t), 0);
	assert_int_equal(check_at(l, "2001:db8:80::3", t), 0);
	/* the lockout is a window long, Retry-After says how long is left */
	assert_true(check_at(l, "100.80.0.2", t) >= 9 && check_at(l, "100.80.0.2", t) <= 10);
	/* after it, one more failure locks it out again, twice as long */
	t += WEB_LOGIN_WINDOW_MS;
	assert_int_equal(check_at(l, "100.80.0.2", t), 0);
	fail_at(l, "100.80.0.2", t);
	assert_int_equal(check_at(l, "100.80.0.2", t), 2 * WEB_LOGIN_WINDOW_MS / 1000);
	/* ... up to the maximum */
	for (i = 0; i < 20; i++) {
		t += WEB_LOGIN_LOCK_MAX_MS;
		fail_at(l, "100.80.0.2", t);
	}
	assert_int_equal(check_at(l, "100.80.0.2", t), WEB_LOGIN_LOCK_MAX_MS / 1000);
	/* a good password from it forgets everything */
	t += WEB_LOGIN_LOCK_MAX_MS;
	web_login_succeeded(l, sa_of("100.80.0.2", &ss));
	fail_at(l, "100.80.0.2", t);
	assert_int_equal(check_at(l, "100.80.0.2", t), 0);
	/* and quiet for long enough forgets too */
	for (i = 0; i < WEB_LOGIN_BURST; i++)
		fail_at(l, "100.80.0.5", t);
	assert_true(check_at(l, "100.80.0.5", t) > 0);
	t += WEB_LOGIN_FORGET_MS + 1;
	assert_int_equal(check_at(l, "100.80.0.5", t), 0);
	fail_at(l, "100.80.0.5", t);
	assert_int_equal(check_at(l, "100.80.0.5", t), 0); /* one failure: no lockout */
	assert_int_equal(l->failed_total, WEB_LOGIN_BURST + 1 + 20 + 1 + WEB_LOGIN_BURST + 1);
	free(l);
}

/* IPv6 clients are counted per /64; an IPv4-mapped address is its IPv4 address. */
static void test_login_buckets(void **state)
{
	struct web_login_limit *l = calloc(1, sizeof(*l));
	uint64_t t = 5000;
	int i;

	(void)state;
	assert_non_null(l);
	for (i = 0; i < WEB_LOGIN_BURST; i++) {
		char a[64];

		snprintf(a, sizeof(a), "2001:db8:80::%x", i + 1);
		fail_at(l, a, t);
	}
	assert_true(check_at(l, "2001:db8:80::ffff", t) > 0);
	assert_int_equal(check_at(l, "2001:db8:81::1", t), 0);
	for (i = 0; i < WEB_LOGIN_BURST; i++)
		fail_at(l, "::ffff:192.0.2.7", t);
	assert_true(check_at(l, "192.0.2.7", t) > 0);
	assert_int_equal(check_at(l, "192.0.2.8", t), 0);
	free(l);
}

/* Many addresses: the ceiling stops those that failed, never a fresh one; the table stays
 * bounded and keeps the addresses locked out over the others. */
static void test_login_ceiling(void **state)
{
	struct web_login_limit *l = calloc(1, sizeof(*l));
	uint64_t t = 777000;
	char a[32];
	int i;

	(void)state;
	assert_non_null(l);
	for (i = 0; i < WEB_LOGIN_BURST; i++)
		fail_at(l, "203.0.113.99", t);
	for (i = 0; i < WEB_LOGIN_CEILING; i++) {
		snprintf(a, sizeof(a), "198.51.100.%d", i + 1);
		assert_int_equal(check_at(l, a, t), 0);
		fail_at(l, a, t);
	}
	/* each failed once (no lockout of its own), yet the ceiling holds them now */
	assert_true(check_at(l, "198.51.100.1", t) > 0);
	assert_true(check_at(l, "198.51.100.1", t) <= WEB_LOGIN_WINDOW_MS / 1000);
	/* an address without a recent failure still passes: the admin elsewhere */
	assert_int_equal(check_at(l, "100.80.0.3", t), 0);
	/* the next window lifts it */
	assert_int_equal(check_at(l, "198.51.100.1", t + WEB_LOGIN_WINDOW_MS), 0);
	/* a flood of addresses (more than the table holds) evicts the unlocked ones first */
	for (i = 0; i < 3 * WEB_LOGIN_ADDRS; i++) {
		snprintf(a, sizeof(a), "10.%d.%d.1", i / 250, i % 250);
		fail_at(l, a, t + 1);
	}
	assert_true(check_at(l, "203.0.113.99", t + 2) > 0);
	free(l);
}

static void test_sse_format(void **state)
{
	size_t len;
	char *s;

	(void)state;
	s = web_sse_format("status", "{\"a\":1}", &len);
	assert_string_equal(s, "event: status\ndata: {\"a\":1}\n\n");
	assert_int_equal(len, strlen(s));
	free(s);
	s = web_sse_format("event", "two\nlines", &len);
	assert_string_equal(s, "event: event\ndata: two\ndata: lines\n\n");
	free(s);
	s = web_sse_format(NULL, NULL, &len);
	assert_string_equal(s, ": keepalive\n\n");
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_secret_eq),
		cmocka_unit_test(test_cookie),
		cmocka_unit_test(test_bearer),
		cmocka_unit_test(test_csrf),
		cmocka_unit_test(test_body),
		cmocka_unit_test(test_sessions),
		cmocka_unit_test(test_passwords),
		cmocka_unit_test(test_login_per_address),
		cmocka_unit_test(test_login_buckets),
		cmocka_unit_test(test_login_ceiling),
		cmocka_unit_test(test_sse_format),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
