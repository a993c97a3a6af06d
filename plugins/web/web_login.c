// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web_login.c - who may act through the web API
 *
 * Owns the login and the session of the page (POST /api/login and
 * /api/logout, GET /api/session) and the check before every command that
 * changes something: a bearer token from web.tokens, or a session cookie with
 * its CSRF token and a same-origin request. Failed logins are limited per
 * address (429 with Retry-After) and logged rate-limited; passwords are
 * checked with crypt(3) and wiped after use. The pure parts (cookies, tokens,
 * CSRF, limits, sessions) are auth.c's. Called by web_api.c.
 */
#include "log.h"
#include "loop.h"

#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

static struct web_session *session_of(struct web *w, struct MHD_Connection *con)
{
	char id[WEB_TOKEN_LEN + 2];

	if (!web_cookie_get(web_hdr(con, MHD_HTTP_HEADER_COOKIE), WEB_SESSION_COOKIE, id,
			    sizeof(id)))
		return NULL;
	return web_session_find(&w->sessions, id, loop_clock_realtime_ms());
}

unsigned int web_authorize(struct web *w, struct MHD_Connection *con, struct web_req *req,
			   const char **why)
{
	const char *authz = web_hdr(con, MHD_HTTP_HEADER_AUTHORIZATION);
	struct web_session *s;
	char tok[256];
	size_t i;

	if (authz) {
		const struct web_token *found = NULL;

		if (!web_bearer_get(authz, tok, sizeof(tok))) {
			*why = "Authorization: only \"Bearer TOKEN\" is understood (a token from web.tokens)";
			return MHD_HTTP_UNAUTHORIZED;
		}
		for (i = 0; i < w->conf.tokens.n; i++) /* every one: no early exit */
			if (web_secret_eq(WEB_TOKEN(&w->conf, i)->token, tok))
				found = WEB_TOKEN(&w->conf, i);
		explicit_bzero(tok, sizeof(tok));
		if (!found) {
			*why = "unknown bearer token";
			return MHD_HTTP_UNAUTHORIZED;
		}
		snprintf(req->who, sizeof(req->who), "web:%s", found->name);
		return 0;
	}
	s = session_of(w, con);
	if (!s) {
		*why = "log in first (POST /api/login) or send Authorization: Bearer TOKEN";
		return MHD_HTTP_UNAUTHORIZED;
	}
	*why = web_csrf_check(s->csrf, web_hdr(con, WEB_CSRF_HEADER), web_hdr(con, "Origin"),
			      web_hdr(con, MHD_HTTP_HEADER_HOST), web_hdr(con, "Sec-Fetch-Site"));
	if (*why)
		return MHD_HTTP_FORBIDDEN;
	snprintf(req->who, sizeof(req->who), "web:%s", s->user);
	return 0;
}

static struct json_object *session_json(const struct web *w, const struct web_session *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "user", s ? json_object_new_string(s->user) : NULL);
	json_object_object_add(o, "csrf", s ? json_object_new_string(s->csrf) : NULL);
	json_object_object_add(o, "login", json_object_new_boolean(w->conf.users.n > 0));
	return o;
}

int web_param(struct MHD_Connection *con, struct web_req *req, const char *key, char *out,
	      size_t len, const char **why)
{
	int err = web_body_param(req->body, req->len,
				 web_hdr(con, MHD_HTTP_HEADER_CONTENT_TYPE), key, out, len, why);

	if (err == -ENOENT)
		*why = NULL;
	return err;
}

static const struct sockaddr *client_addr(struct MHD_Connection *con)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	return ci ? ci->client_addr : NULL;
}

/* 429 with Retry-After. */
static enum MHD_Result reply_login_limited(struct MHD_Connection *con, unsigned int wait_s)
{
	struct json_object *o = json_object_new_object();
	struct MHD_Response *resp;
	char msg[160], secs[16];
	const char *s;

	snprintf(msg, sizeof(msg), "too many failed logins from this address; try again in %u s",
		 wait_s);
	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "status", json_object_new_int(MHD_HTTP_TOO_MANY_REQUESTS));
	s = json_object_to_json_string_ext(o, JSON_OUT);
	resp = MHD_create_response_from_buffer(strlen(s), (void *)s, MHD_RESPMEM_MUST_COPY);
	json_object_put(o);
	if (!resp)
		return MHD_NO;
	snprintf(secs, sizeof(secs), "%u", wait_s);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, secs);
	return web_queue(con, MHD_HTTP_TOO_MANY_REQUESTS, resp, NULL);
}

enum MHD_Result web_login(struct web *w, struct MHD_Connection *con, struct web_req *req)
{
	char user[WEB_NAME_MAX], pass[256], peer[INET6_ADDRSTRLEN], cookie[160];
	uint64_t now = loop_clock_realtime_ms(), mono_ms = loop_clock_monotonic() / NSEC_PER_MSEC;
	const struct sockaddr *client = client_addr(con);
	const struct web_user *found = NULL;
	struct web_session *s;
	unsigned int wait_s;
	const char *why;
	size_t i;

	why = web_origin_check(web_hdr(con, "Origin"), web_hdr(con, MHD_HTTP_HEADER_HOST),
			       web_hdr(con, "Sec-Fetch-Site"));
	if (why)
		return web_reply_error(con, MHD_HTTP_FORBIDDEN, why);
	if (web_param(con, req, "user", user, sizeof(user), &why) < 0 ||
	    web_param(con, req, "password", pass, sizeof(pass), &why) < 0)
		return web_reply_error(con, MHD_HTTP_BAD_REQUEST,
				   why ? why : "send user and password");
	if (!w->conf.users.n)
		return web_reply_error(con, MHD_HTTP_FORBIDDEN,
				   "no web.users configured; the page is read-only");
	web_peer_text(con, peer, sizeof(peer));
	wait_s = web_login_check(&w->logins, client, mono_ms);
	if (wait_s) {
		explicit_bzero(pass, sizeof(pass));
		log_rl_msg(&w->rl_locked, LOG_WARNING, "web: login from %s refused: too many failed logins",
			   peer);
		return reply_login_limited(con, wait_s);
	}
	for (i = 0; i < w->conf.users.n; i++)
		if (!strcmp(WEB_USER(&w->conf, i)->name, user))
			found = WEB_USER(&w->conf, i);
	if (!found || !web_password_ok(pass, found->password_hash)) {
		explicit_bzero(pass, sizeof(pass));
		web_login_failed(&w->logins, client, mono_ms);
		log_rl_msg(&w->rl_fail, LOG_WARNING, "web: failed login for \"%s\" from %s", user, peer);
		return web_reply_error(con, MHD_HTTP_UNAUTHORIZED, "wrong user name or password");
	}
	explicit_bzero(pass, sizeof(pass));
	web_login_succeeded(&w->logins, client);
	s = web_session_new(&w->sessions, found->name, now);
	if (!s)
		return web_reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "no session (random source?)");
	log_notice("web: %s logged in from %s", found->name, peer);
	snprintf(cookie, sizeof(cookie), WEB_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%llu",
		 s->id, (unsigned long long)(WEB_SESSION_TTL_MS / 1000));
	return web_reply_json_hdr(con, MHD_HTTP_OK, session_json(w, s), cookie);
}

enum MHD_Result web_logout(struct web *w, struct MHD_Connection *con)
{
	struct web_session *s = session_of(w, con);

	if (s && !web_csrf_check(s->csrf, web_hdr(con, WEB_CSRF_HEADER), web_hdr(con, "Origin"),
				 web_hdr(con, MHD_HTTP_HEADER_HOST), web_hdr(con, "Sec-Fetch-Site")))
		web_session_end(s);
	return web_reply_json_hdr(con, MHD_HTTP_OK, session_json(w, NULL),
			      WEB_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

enum MHD_Result web_session(struct web *w, struct MHD_Connection *con)
{
	return web_reply_json_hdr(con, MHD_HTTP_OK, session_json(w, session_of(w, con)), NULL);
}
