/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: auth.h - who may act through the web plugin, and CSRF
 *
 * Reading is open; actions (POST /api/prefer, /api/ack) need a credential:
 * - a bearer token (Authorization: Bearer T) from web.tokens: for API clients;
 *   browsers never attach it on their own, so it is not exposed to CSRF;
 * - or a session from POST /api/login (a user of web.users with a crypt(3)
 *   password hash): an HttpOnly, SameSite=Strict cookie plus a CSRF token the
 *   page sends back in the X-CSRF-Token header; a request carrying an Origin
 *   (or Sec-Fetch-Site) of another site is refused as well.
 * Everything here but the password check and the random session ids is pure
 * string work on header and body bytes, unit tested and fuzzed.
 */
#ifndef UPLINKD_WEB_AUTH_H
#define UPLINKD_WEB_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_SESSION_COOKIE "uplinkd_session"
#define WEB_CSRF_HEADER "X-CSRF-Token"
#define WEB_SESSIONS_MAX 32
#define WEB_SESSION_TTL_MS (12ULL * 3600 * 1000)
#define WEB_TOKEN_LEN 43 /* 32 random bytes, base64url without padding */
#define WEB_NAME_MAX 64
#define WEB_BODY_MAX 4096

/*
 * Failed logins, limited per client address (an IPv4 address, or the /64 of an IPv6
 * one: one host usually owns a whole /64). An address that fails WEB_LOGIN_BURST times
 * within WEB_LOGIN_WINDOW_MS is refused for a lockout that starts at the window and
 * doubles each time it fails again after one (up to WEB_LOGIN_LOCK_MAX_MS); a success
 * or WEB_LOGIN_FORGET_MS without a failure forgets it. Across all addresses, once
 * WEB_LOGIN_CEILING failures fall in one window, every address with a failure in the
 * last WEB_LOGIN_FORGET_MS is refused until the window ends, while an address without
 * one (the admin elsewhere) may still try: an attacker cannot lock everybody out. The
 * table is bounded (WEB_LOGIN_ADDRS); when full, the address whose last failure is
 * oldest is forgotten.
 */
#define WEB_LOGIN_ADDRS 256
#define WEB_LOGIN_BURST 5
#define WEB_LOGIN_WINDOW_MS 10000ULL
#define WEB_LOGIN_LOCK_MAX_MS (15ULL * 60 * 1000)
#define WEB_LOGIN_FORGET_MS (15ULL * 60 * 1000)
#define WEB_LOGIN_CEILING 20

struct web_session {
	char id[WEB_TOKEN_LEN + 1];   /* "": free slot */
	char csrf[WEB_TOKEN_LEN + 1];
	char user[WEB_NAME_MAX];
	uint64_t expires_ms;
};

struct web_sessions {
	struct web_session s[WEB_SESSIONS_MAX];
};

/* Equal strings, in time that depends only on the lengths (not on where they differ). */
bool web_secret_eq(const char *a, const char *b);

/* The value of cookie `name` in a Cookie header into out; false if absent or too long. */
bool web_cookie_get(const char *header, const char *name, char *out, size_t outlen);
/* The token of "Bearer TOKEN" into out; false if not a bearer credential. */
bool web_bearer_get(const char *header, char *out, size_t outlen);

/*
 * CSRF for a cookie-authenticated request: the X-CSRF-Token header must equal the
 * session's token, an Origin header (if any) must be http(s)://HOST of the Host
 * header, and Sec-Fetch-Site (if any) must be same-origin or none. Returns NULL if
 * the request passes, else a static reason.
 */
const char *web_csrf_check(const char *session_csrf, const char *csrf_header,
			   const char *origin, const char *host, const char *fetch_site);
/* Origin check alone (login): NULL when acceptable, else a static reason. */
const char *web_origin_check(const char *origin, const char *host, const char *fetch_site);

/*
 * One parameter of a request body: a JSON object ({"uplink":"isp2"}) when the content
 * type is application/json, else application/x-www-form-urlencoded (uplink=isp2).
 * Returns 0 with the value (printable ASCII or UTF-8, no control bytes) in out,
 * -ENOENT when absent, -EINVAL with a static reason in *why.
 */
int web_body_param(const char *body, size_t len, const char *content_type, const char *key,
		   char *out, size_t outlen, const char **why);

/* Sessions: a new one for user (random id and CSRF token); NULL when it cannot. */
struct web_session *web_session_new(struct web_sessions *ss, const char *user, uint64_t now_ms);
/* The live session with this id, or NULL (expired ones are freed). */
struct web_session *web_session_find(struct web_sessions *ss, const char *id, uint64_t now_ms);
void web_session_end(struct web_session *s);
/* Forget sessions of users not in names (after a reload). */
void web_sessions_retain(struct web_sessions *ss, const char *const *names, size_t n);

struct sockaddr;

struct web_login_addr {
	uint8_t key[17];	/* [0]: 4 or 6, then the IPv4 address or the IPv6 /64 */
	uint64_t window_ms;	/* start of its current window */
	uint64_t last_ms;	/* its last failure; 0: a free slot */
	uint64_t locked_until_ms;
	uint64_t lock_ms;	/* the next lockout's length */
	unsigned int fails;	/* in its current window */
};

struct web_login_limit {
	struct web_login_addr a[WEB_LOGIN_ADDRS];
	uint64_t window_ms;	/* the global window */
	unsigned int fails;	/* failures of all addresses in it */
	uint64_t failed_total, refused_total;
};

/* May this client try a password now? 0: yes; else the seconds to wait (Retry-After). */
unsigned int web_login_check(struct web_login_limit *l, const struct sockaddr *sa,
			     uint64_t now_ms);
/* A wrong user or password from sa. */
void web_login_failed(struct web_login_limit *l, const struct sockaddr *sa, uint64_t now_ms);
/* A good one: forget sa's failures. */
void web_login_succeeded(struct web_login_limit *l, const struct sockaddr *sa);

/* Does password match a crypt(3) hash ($6$..., $y$..., $5$...)? */
bool web_password_ok(const char *password, const char *hash);
/* Is hash a crypt(3) hash this system can check? */
bool web_hash_valid(const char *hash);

#endif
