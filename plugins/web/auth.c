// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: auth.c - credentials, sessions and the CSRF check of the web plugin
 *
 * Owns the parsing of the Cookie and Authorization headers and of action
 * bodies (JSON or form), the session table (bounded; random ids and CSRF
 * tokens from getrandom), the CSRF/Origin rule described in auth.h, the
 * failed-login limits per client address (a bounded table, auth.h) and the
 * crypt(3) password check (libcrypt). Called by web.c, its unit test and the
 * web_route fuzzer; calls only libc, libcrypt and json-c.
 */
#include "auth.h"

#include <crypt.h>
#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

bool web_secret_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, n = la > lb ? la : lb;
	unsigned char diff = la != lb;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)((i < la ? a[i] : 0) ^ (i < lb ? b[i] : 0));
	return diff == 0;
}

bool web_cookie_get(const char *h, const char *name, char *out, size_t outlen)
{
	size_t nl = strlen(name);

	if (!h || !outlen)
		return false;
	while (*h) {
		const char *v, *end;

		while (*h == ' ' || *h == '\t' || *h == ';')
			h++;
		end = strchr(h, ';');
		if (!end)
			end = h + strlen(h);
		if ((size_t)(end - h) > nl && !strncmp(h, name, nl) && h[nl] == '=') {
			size_t len;

			v = h + nl + 1;
			len = (size_t)(end - v);
			while (len && (v[len - 1] == ' ' || v[len - 1] == '\t'))
				len--;
			if (len >= 2 && v[0] == '"' && v[len - 1] == '"') {
				v++;
				len -= 2;
			}
			if (len >= outlen)
				return false;
			memcpy(out, v, len);
			out[len] = '\0';
			return true;
		}
		h = end;
	}
	return false;
}

bool web_bearer_get(const char *h, char *out, size_t outlen)
{
	size_t len;

	if (!h || strncasecmp(h, "Bearer ", 7))
		return false;
	h += 7;
	while (*h == ' ')
		h++;
	len = strlen(h);
	while (len && h[len - 1] == ' ')
		len--;
	if (!len || len >= outlen)
		return false;
	memcpy(out, h, len);
	out[len] = '\0';
	return true;
}

const char *web_origin_check(const char *origin, const char *host, const char *fetch_site)
{
	if (fetch_site && strcmp(fetch_site, "same-origin") && strcmp(fetch_site, "none"))
		return "the request came from another site (Sec-Fetch-Site)";
	if (origin) {
		const char *rest;

		if (!host || !*host)
			return "an Origin header needs a Host header to compare with";
		if (!strncmp(origin, "http://", 7))
			rest = origin + 7;
		else if (!strncmp(origin, "https://", 8))
			rest = origin + 8;
		else
			return "the request came from another site (Origin)";
		if (strcasecmp(rest, host))
			return "the request came from another site (Origin does not match Host)";
	}
	return NULL;
}

const char *web_csrf_check(const char *session_csrf, const char *csrf_header,
			   const char *origin, const char *host, const char *fetch_site)
{
	if (!csrf_header || !*csrf_header)
		return "missing the " WEB_CSRF_HEADER " header; send the csrf value from POST /api/login or GET /api/session";
	if (!session_csrf || !web_secret_eq(session_csrf, csrf_header))
		return "the " WEB_CSRF_HEADER " header does not match this session; reload the page";
	return web_origin_check(origin, host, fetch_site);
}

/* ---- bodies ---- */

static int value_ok(const char *v, size_t len, const char **why)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f) {
			*why = "a value has control characters";
			return -EINVAL;
		}
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode src[0..len) into out; -EINVAL on a bad escape or overflow. */
static int form_decode(const char *s, size_t len, char *out, size_t outlen, const char **why)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '+') {
			c = ' ';
		} else if (c == '%') {
			int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
			int lo = i + 2 < len ? hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0) {
				*why = "a bad %-escape in the form body";
				return -EINVAL;
			}
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (o + 1 >= outlen) {
			*why = "a value is too long";
			return -EINVAL;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return value_ok(out, o, why);
}

static int form_param(const char *body, size_t len, const char *key, char *out, size_t outlen,
		      const char **why)
{
	const char *p = body, *end = body + len;
	size_t kl = strlen(key);

	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		size_t plen = amp ? (size_t)(amp - p) : (size_t)(end - p);
		const char *eq = memchr(p, '=', plen);

		if (eq && (size_t)(eq - p) == kl && !memcmp(p, key, kl))
			return form_decode(eq + 1, plen - kl - 1, out, outlen, why);
		p += plen + 1;
	}
	return -ENOENT;
}

static int json_param(const char *body, size_t len, const char *key, char *out, size_t outlen,
		      const char **why)
{
	struct json_tokener *tok = json_tokener_new_ex(4);
	struct json_object *o, *v;
	const char *s;
	int ret;

	if (!tok) {
		*why = "out of memory";
		return -EINVAL;
	}
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    tok->char_offset != (int)len) {
		/* trailing whitespace is fine */
		size_t i = o ? (size_t)tok->char_offset : 0;

		while (o && i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' ||
					body[i] == '\t'))
			i++;
		if (!o || i != len) {
			json_object_put(o);
			json_tokener_free(tok);
			*why = "the body is not one JSON object";
			return -EINVAL;
		}
	}
	json_tokener_free(tok);
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		*why = "the body is not one JSON object";
		return -EINVAL;
	}
	if (!json_object_object_get_ex(o, key, &v)) {
		json_object_put(o);
		return -ENOENT;
	}
	if (!json_object_is_type(v, json_type_string)) {
		json_object_put(o);
		*why = "a parameter is not a string";
		return -EINVAL;
	}
	s = json_object_get_string(v);
	if ((size_t)json_object_get_string_len(v) >= outlen ||
	    strlen(s) != (size_t)json_object_get_string_len(v)) {
		json_object_put(o);
		*why = "a value is too long or has NUL bytes";
		return -EINVAL;
	}
	memcpy(out, s, strlen(s) + 1);
	json_object_put(o);
	ret = value_ok(out, strlen(out), why);
	return ret;
}

int web_body_param(const char *body, size_t len, const char *content_type, const char *key,
		   char *out, size_t outlen, const char **why)
{
	*why = NULL;
	if (!outlen)
		return -EINVAL;
	out[0] = '\0';
	if (len > WEB_BODY_MAX) {
		*why = "the body is too large";
		return -EINVAL;
	}
	if (content_type && !strncasecmp(content_type, "application/json", 16))
		return json_param(body ? body : "", len, key, out, outlen, why);
	if (!content_type || !strncasecmp(content_type, "application/x-www-form-urlencoded", 33))
		return form_param(body ? body : "", len, key, out, outlen, why);
	*why = "send application/json or application/x-www-form-urlencoded";
	return -EINVAL;
}

/* ---- sessions ---- */

static int random_token(char *out)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char r[33];
	size_t i, o = 0;

	if (getrandom(r, 32, 0) != 32)
		return -EIO;
	r[32] = 0;
	for (i = 0; i < 33 && o < WEB_TOKEN_LEN; i += 3) {
		uint32_t v = (uint32_t)r[i] << 16 | (uint32_t)(i + 1 < 33 ? r[i + 1] : 0) << 8 |
			     (i + 2 < 33 ? r[i + 2] : 0);
		int k;

		for (k = 3; k >= 0 && o < WEB_TOKEN_LEN; k--)
			out[o++] = b64[(v >> (6 * k)) & 63];
	}
	out[WEB_TOKEN_LEN] = '\0';
	return 0;
}

struct web_session *web_session_new(struct web_sessions *ss, const char *user, uint64_t now_ms)
{
	struct web_session *s = NULL;
	size_t i;

	for (i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct web_session *c = &ss->s[i];

		if (c->id[0] && c->expires_ms <= now_ms)
			web_session_end(c);
		if (!c->id[0] && !s)
			s = c;
	}
	if (!s) { /* full: replace the one that expires first */
		s = &ss->s[0];
		for (i = 1; i < WEB_SESSIONS_MAX; i++)
			if (ss->s[i].expires_ms < s->expires_ms)
				s = &ss->s[i];
	}
	if (strlen(user) >= sizeof(s->user) || random_token(s->id) < 0 ||
	    random_token(s->csrf) < 0) {
		web_session_end(s);
		return NULL;
	}
	memcpy(s->user, user, strlen(user) + 1);
	s->expires_ms = now_ms + WEB_SESSION_TTL_MS;
	return s;
}

struct web_session *web_session_find(struct web_sessions *ss, const char *id, uint64_t now_ms)
{
	struct web_session *found = NULL;
	size_t i;

	if (!id || strlen(id) != WEB_TOKEN_LEN)
		return NULL;
	for (i = 0; i < WEB_SESSIONS_MAX; i++) {
		struct web_session *s = &ss->s[i];

		if (!s->id[0])
			continue;
		if (s->expires_ms <= now_ms) {
			web_session_end(s);
			continue;
		}
		if (web_secret_eq(s->id, id))
			found = s;
	}
	return found;
}

void web_session_end(struct web_session *s)
{
	if (s)
		explicit_bzero(s, sizeof(*s));
}

void web_sessions_retain(struct web_sessions *ss, const char *const *names, size_t n)
{
	size_t i, j;

	for (i = 0; i < WEB_SESSIONS_MAX; i++) {
		if (!ss->s[i].id[0])
			continue;
		for (j = 0; j < n && strcmp(names[j], ss->s[i].user); j++)
			;
		if (j == n)
			web_session_end(&ss->s[i]);
	}
}

/* ---- failed logins ---- */

/* The bucket of a client: its IPv4 address (also when IPv4-mapped), or its IPv6 /64. */
static void login_key(const struct sockaddr *sa, uint8_t key[17])
{
	memset(key, 0, 17);
	key[0] = 1; /* unknown family: one shared bucket */
	if (sa && sa->sa_family == AF_INET) {
		key[0] = 4;
		memcpy(key + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
	} else if (sa && sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a)) {
			key[0] = 4;
			memcpy(key + 1, a->s6_addr + 12, 4);
		} else {
			key[0] = 6;
			memcpy(key + 1, a->s6_addr, 8);
		}
	}
}

static struct web_login_addr *login_find(struct web_login_limit *l, const uint8_t key[17],
					 uint64_t now)
{
	size_t i;

	for (i = 0; i < WEB_LOGIN_ADDRS; i++) {
		struct web_login_addr *e = &l->a[i];

		if (!e->key[0] || memcmp(e->key, key, 17))
			continue;
		if (now - e->last_ms > WEB_LOGIN_FORGET_MS && e->locked_until_ms <= now) {
			memset(e, 0, sizeof(*e)); /* quiet long enough: forgotten */
			return NULL;
		}
		return e;
	}
	return NULL;
}

static void login_window(struct web_login_limit *l, uint64_t now)
{
	if (now - l->window_ms >= WEB_LOGIN_WINDOW_MS) { /* also when the clock went back */
		l->window_ms = now;
		l->fails = 0;
	}
}

static unsigned int secs_until(uint64_t now, uint64_t until)
{
	return (unsigned int)((until - now + 999) / 1000);
}

unsigned int web_login_check(struct web_login_limit *l, const struct sockaddr *sa,
			     uint64_t now_ms)
{
	struct web_login_addr *e;
	uint8_t key[17];

	login_key(sa, key);
	e = login_find(l, key, now_ms);
	login_window(l, now_ms);
	if (e && e->locked_until_ms > now_ms) {
		l->refused_total++;
		return secs_until(now_ms, e->locked_until_ms);
	}
	/* the ceiling stops addresses that failed recently, never one that did not */
	if (e && l->fails >= WEB_LOGIN_CEILING) {
		l->refused_total++;
		return secs_until(now_ms, l->window_ms + WEB_LOGIN_WINDOW_MS);
	}
	return 0;
}

/* Forget a before b? Addresses not locked out go first, then the older last failure. */
static bool slot_before(const struct web_login_addr *a, const struct web_login_addr *b,
			uint64_t now)
{
	bool la = a->locked_until_ms > now, lb = b->locked_until_ms > now;

	if (la != lb)
		return lb;
	return a->last_ms < b->last_ms;
}

/* A free slot, else the one to forget. */
static struct web_login_addr *login_slot(struct web_login_limit *l, uint64_t now)
{
	struct web_login_addr *best = NULL;
	size_t i;

	for (i = 0; i < WEB_LOGIN_ADDRS; i++) {
		if (!l->a[i].key[0])
			return &l->a[i];
		if (!best || slot_before(&l->a[i], best, now))
			best = &l->a[i];
	}
	return best;
}

void web_login_failed(struct web_login_limit *l, const struct sockaddr *sa, uint64_t now_ms)
{
	struct web_login_addr *e;
	uint8_t key[17];

	login_key(sa, key);
	login_window(l, now_ms);
	l->fails++;
	l->failed_total++;
	e = login_find(l, key, now_ms);
	if (!e) {
		e = login_slot(l, now_ms);
		memset(e, 0, sizeof(*e));
		memcpy(e->key, key, sizeof(e->key));
		e->window_ms = now_ms;
	}
	if (now_ms - e->window_ms >= WEB_LOGIN_WINDOW_MS) {
		e->window_ms = now_ms;
		e->fails = 0;
	}
	e->fails++;
	e->last_ms = now_ms;
	/* a burst locks it out; after a lockout, one more failure does */
	if (e->fails >= WEB_LOGIN_BURST || e->lock_ms) {
		e->lock_ms = !e->lock_ms ? WEB_LOGIN_WINDOW_MS :
			     e->lock_ms * 2 > WEB_LOGIN_LOCK_MAX_MS ? WEB_LOGIN_LOCK_MAX_MS :
								     e->lock_ms * 2;
		e->locked_until_ms = now_ms + e->lock_ms;
		e->fails = 0;
		e->window_ms = now_ms;
	}
}

void web_login_succeeded(struct web_login_limit *l, const struct sockaddr *sa)
{
	struct web_login_addr *e;
	uint8_t key[17];
	size_t i;

	login_key(sa, key);
	for (i = 0; i < WEB_LOGIN_ADDRS; i++) {
		e = &l->a[i];
		if (e->key[0] && !memcmp(e->key, key, 17))
			memset(e, 0, sizeof(*e));
	}
}

/* ---- passwords ---- */

static char *crypt_hash(const char *password, const char *hash, struct crypt_data *cd)
{
	char *r = crypt_rn(password, hash, cd, sizeof(*cd));

	return r && r[0] != '*' ? r : NULL;
}

bool web_password_ok(const char *password, const char *hash)
{
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	bool ok;
	char *r;

	if (!cd || !password || !hash)
		return free(cd), false;
	r = crypt_hash(password, hash, cd);
	ok = r && web_secret_eq(r, hash);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ok;
}

bool web_hash_valid(const char *hash)
{
	struct crypt_data *cd;
	bool ok;
	char *r;

	if (!hash || hash[0] != '$')
		return false; /* no DES or other legacy formats */
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return false;
	r = crypt_hash("uplinkd-check", hash, cd);
	ok = r && strlen(r) == strlen(hash);
	free(cd);
	return ok;
}
