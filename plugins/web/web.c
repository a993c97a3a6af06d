// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web.c - the web plugin: status page, HTTP API and actions on the daemon's loop
 *
 * Owns the `web { listen; history_file; users; tokens; }` section and one
 * libmicrohttpd daemon started without threads (MHD_USE_EPOLL): MHD's epoll fd
 * is a loop_fd in d->loop and a loop_timer follows MHD_get_timeout(); both call
 * MHD_run(). Connections are capped in number, memory and idle time, request
 * bodies at WEB_BODY_MAX, so a slow or oversized client costs a slot and never
 * the loop. A 1 s timer samples every uplink into the history (history.c),
 * writes it to the history file every 5 minutes and on stop, and feeds the SSE
 * stream (web_sse.c); a bus subscription pushes every event and a fresh status
 * to the stream. Routing and the Host names are in web_route.c, credentials,
 * CSRF and login limits in auth.c, the Prometheus snapshot and writer in
 * metrics_daemon.c and metrics.c, the page in page.html (built into page.c).
 * Actions call policy_prefer() and daemon_monitor_action() with who =
 * "web:USER". Created and destroyed by daemon.c (monitors_apply).
 */
#include "daemon.h"
#include "health.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "policy.h"
#include "status.h"
#include "uplink.h"

#include "auth.h"
#include "history.h"
#include "metrics.h"
#include "page.h"
#include "web_route.h"
#include "web_sse.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define WEB_CONN_LIMIT 64
#define WEB_CONN_PER_IP 16
#define WEB_CONN_TIMEOUT_S 10
#define WEB_CONN_MEMORY (64 * 1024)
#define WEB_HIST_SAVE_S 300	 /* write the history file this often (flash wear) */
#define WEB_STATUS_PUSH_S 2	 /* a fresh status to the stream at least this often */
#define WEB_HEARTBEAT_S 15
#define JSON_OUT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct web_user {
	char *name;
	char *password_hash;
};

struct web_token {
	char *name;
	char *token;
};

struct web_conf {
	char *listen;
	char *history_file;
	struct cfg_strv hosts; /* the names the page answers to; none: defaults */
	struct cfg_vec users;  /* struct web_user */
	struct cfg_vec tokens; /* struct web_token */
};

struct web {
	struct daemon *d;
	struct web_conf conf; /* own copy */
	char *history_path;
	struct MHD_Daemon *mhd;
	struct loop_fd fd;
	struct loop_timer timer;
	struct log_rl rl;

	struct web_history hist;
	struct loop_timer tick; /* 1 s: history, stream */
	uint64_t ticks;
	bool hist_dirty;
	bool hist_bad;		/* the file did not load: replace it, even with nothing */

	struct web_sessions sessions;
	struct web_login_limit logins;
	struct web_hosts hosts;
	uint64_t hosts_refused;
	struct log_rl rl_fail, rl_locked, rl_host; /* apart: one flood hides not the other */

	struct web_sse sse;
	struct bus_sub sub;
	struct loop_event push; /* status to the stream after the current callback */
};

/* Per request: the raw target, the route, the body so far. */
struct web_req {
	char target[WEB_URI_MAX + 2];
	bool routed;
	bool too_big;
	struct web_route r;
	char who[WEB_NAME_MAX + 8];
	size_t len;
	char body[WEB_BODY_MAX + 1];
};

static const struct cfg_key web_user_keys[] = {
	{ "name", CFG_STRING, offsetof(struct web_user, name), CFG_REQUIRED, .min = 1 },
	{ "password_hash", CFG_STRING, offsetof(struct web_user, password_hash), CFG_REQUIRED,
	  .min = 1, .hint = "make one with `mkpasswd -m sha-512` or `openssl passwd -6`" },
	CFG_END
};

static const struct cfg_key web_token_keys[] = {
	{ "name", CFG_STRING, offsetof(struct web_token, name), CFG_REQUIRED, .min = 1 },
	{ "token", CFG_STRING, offsetof(struct web_token, token), CFG_REQUIRED, .min = 1,
	  .hint = "use 16 or more random characters, e.g. `openssl rand -hex 24`" },
	CFG_END
};

static const struct cfg_key web_keys[] = {
	{ "listen", CFG_STRING, offsetof(struct web_conf, listen), CFG_REQUIRED, .min = 1,
	  .hint = "e.g. listen = \"127.0.0.1:8080\";" },
	{ "history_file", CFG_STRING, offsetof(struct web_conf, history_file), 0, .min = 1,
	  .hint = "default: STATE_DIR/history.bin" },
	{ "hosts", CFG_STRINGS, offsetof(struct web_conf, hosts), 0, .min = 1,
	  .max = WEB_HOSTS_MAX, .hint = "e.g. hosts = [ \"router.example\", \"192.0.2.1:8080\" ];" },
	{ "users", CFG_LIST, offsetof(struct web_conf, users), 0, .max = 64,
	  .sub = web_user_keys, .elem_size = sizeof(struct web_user) },
	{ "tokens", CFG_LIST, offsetof(struct web_conf, tokens), 0, .max = 64,
	  .sub = web_token_keys, .elem_size = sizeof(struct web_token) },
	CFG_END
};

#define USER(c, i) (&((struct web_user *)(c)->users.v)[i])
#define TOKEN(c, i) (&((struct web_token *)(c)->tokens.v)[i])

static bool name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= WEB_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == ':')
			return false;
	return true;
}

static void hosts_check(const struct web_conf *c, int line, struct cfg_diag *d)
{
	char name[WEB_HOST_MAX + 1];
	unsigned int port;
	const char *why;
	size_t i;

	for (i = 0; i < c->hosts.n; i++)
		if (web_host_parse(c->hosts.v[i], name, sizeof(name), &port, &why) < 0)
			cfg_diag_add(d, line, "web.hosts.[%zu]: \"%s\": %s", i, c->hosts.v[i], why);
}

/* web.hosts, or the defaults for the listen address and this host's name. */
static void hosts_set(struct web *w)
{
	struct sockaddr_storage sa;
	char hostname[256] = "";
	const char *why;
	socklen_t len;

	if (web_listen_parse(w->conf.listen, &sa, &len, &why) < 0)
		memset(&sa, 0, sizeof(sa));
	if (gethostname(hostname, sizeof(hostname) - 1) < 0)
		hostname[0] = '\0';
	if (web_hosts_set(&w->hosts, (const char *const *)w->conf.hosts.v, w->conf.hosts.n, &sa,
			  hostname, NULL, &why) < 0)
		log_err("web: hosts: %s", why); /* web_check() refused this already */
}

static int web_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct web_conf *c = conf;
	struct sockaddr_storage sa;
	const char *why;
	socklen_t len;
	size_t i, j;

	(void)cfg;
	if (c->listen && web_listen_parse(c->listen, &sa, &len, &why) < 0)
		cfg_diag_add(d, line, "web.listen: \"%s\": %s", c->listen, why);
	hosts_check(c, line, d);
	for (i = 0; i < c->users.n; i++) {
		const struct web_user *u = USER(c, i);

		if (!u->name || !u->password_hash)
			continue;
		if (!name_ok(u->name))
			cfg_diag_add(d, line, "web.users.[%zu].name: \"%s\": use 1 to 63 printable characters without spaces or ':'",
				     i, u->name);
		if (!web_hash_valid(u->password_hash))
			cfg_diag_add(d, line, "web.users.[%zu].password_hash: not a crypt(3) hash this system can check; make one with `mkpasswd -m sha-512` or `openssl passwd -6`",
				     i);
		for (j = 0; j < i; j++)
			if (USER(c, j)->name && !strcmp(USER(c, j)->name, u->name))
				cfg_diag_add(d, line, "web.users.[%zu].name: \"%s\" twice; names must be unique",
					     i, u->name);
	}
	for (i = 0; i < c->tokens.n; i++) {
		const struct web_token *t = TOKEN(c, i);

		if (!t->name || !t->token)
			continue;
		if (!name_ok(t->name))
			cfg_diag_add(d, line, "web.tokens.[%zu].name: \"%s\": use 1 to 63 printable characters without spaces or ':'",
				     i, t->name);
		for (j = 0; t->token[j]; j++)
			if ((unsigned char)t->token[j] <= 0x20 || (unsigned char)t->token[j] >= 0x7f)
				break;
		if (t->token[j])
			cfg_diag_add(d, line, "web.tokens.[%zu].token: printable ASCII without spaces only", i);
		else if (j < 16)
			cfg_diag_add(d, line, "web.tokens.[%zu].token: %zu characters are guessable; use 16 or more random ones, e.g. `openssl rand -hex 24`",
				     i, j);
	}
	return 0;
}

/* ---- the loop glue ---- */

static void web_run(struct web *w)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(w->mhd);
	if (MHD_get_timeout(w->mhd, &ms) == MHD_YES)
		loop_timer_set_in(&w->d->loop, &w->timer,
				  (uint64_t)(ms > 60000 ? 60000 : ms) * NSEC_PER_MSEC);
	else
		loop_timer_cancel(&w->d->loop, &w->timer);
}

static void web_fd_cb(struct loop_fd *f, uint32_t events)
{
	(void)events;
	web_run(container_of(f, struct web, fd));
}

static void web_timer_cb(struct loop_timer *t)
{
	web_run(container_of(t, struct web, timer));
}

static void web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct web *w = cls;
	char buf[256];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_rl_msg(&w->rl, LOG_WARNING, "web: %s", buf);
}

static void *web_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct web_req *req = calloc(1, sizeof(*req));

	(void)cls;
	(void)con;
	/* a target longer than WEB_URI_MAX is cut one byte past it: web_route() says 414 */
	if (req && uri)
		snprintf(req->target, sizeof(req->target), "%s", uri);
	return req;
}

static void web_done_cb(void *cls, struct MHD_Connection *con, void **req_cls,
			enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)con;
	(void)toe;
	free(*req_cls);
	*req_cls = NULL;
}

/* ---- the stream and the history ---- */

static char *status_text(struct web *w)
{
	struct json_object *st = status_build(w->d);
	char *s = strdup(json_object_to_json_string_ext(st, JSON_OUT));

	json_object_put(st);
	return s;
}

static void push_status(struct web *w)
{
	char *s;

	if (!w->sse.n)
		return;
	s = status_text(w);
	if (s)
		web_sse_send(&w->sse, "status", s);
	free(s);
	web_sse_wake(&w->sse);
	web_run(w);
}

static void web_push_cb(struct loop_event *e)
{
	push_status(container_of(e, struct web, push));
}

static void web_bus_cb(struct bus_sub *sub, const struct bus_event *ev)
{
	struct web *w = container_of(sub, struct web, sub);
	struct json_object *o;

	if (!w->sse.n)
		return;
	o = journal_event_json(ev);
	web_sse_send(&w->sse, "event", json_object_to_json_string_ext(o, JSON_OUT));
	json_object_put(o);
	/* the status once, after the decision that published this is complete */
	loop_event_schedule(&w->d->loop, &w->push);
}

static void history_save(struct web *w)
{
	const char *names[WEB_HIST_UPLINKS_MAX];
	struct uplink *u;
	size_t n = 0;
	int err;

	list_for_each_entry(u, &w->d->uplinks, node)
		if (n < WEB_HIST_UPLINKS_MAX)
			names[n++] = u->cfg.name;
	web_history_retain(&w->hist, names, n);
	err = web_history_save(&w->hist, w->history_path);
	if (err < 0)
		log_rl_msg(&w->rl, LOG_WARNING, "web: history: cannot write %s: %s; keeping it in memory",
			   w->history_path, strerror(-err));
	else
		w->hist_dirty = w->hist_bad = false;
}

static void history_sample(struct web *w, uint64_t now_s)
{
	struct uplink *u;

	list_for_each_entry(u, &w->d->uplinks, node) {
		struct health_metrics m;
		struct web_hist_point p;

		health_metrics(&u->health, &m);
		p.rtt_ms = (float)m.rtt_ms;
		p.loss_pct = m.rtt_ms < 0 && m.loss_pct <= 0 ? -1 : (float)m.loss_pct;
		p.jitter_ms = m.rtt_ms < 0 ? -1 : (float)m.jitter_ms;
		p.state = (uint8_t)u->health.state;
		web_history_add(&w->hist, u->cfg.name, now_s, &p);
	}
	w->hist_dirty = true;
}

static void web_tick_cb(struct loop_timer *t)
{
	struct web *w = container_of(t, struct web, tick);

	loop_timer_set(&w->d->loop, &w->tick, w->tick.due_ns + NSEC_PER_SEC);
	w->ticks++;
	history_sample(w, loop_clock_realtime_ms() / 1000);
	if (w->ticks % WEB_HIST_SAVE_S == 0)
		history_save(w);
	if (w->ticks % WEB_HEARTBEAT_S == 0)
		web_sse_send(&w->sse, NULL, NULL);
	if (w->ticks % WEB_STATUS_PUSH_S == 0)
		push_status(w);
}

/* ---- responses ---- */

static enum MHD_Result queue(struct MHD_Connection *con, unsigned int status,
			     struct MHD_Response *resp, const struct web_route *r)
{
	enum MHD_Result ret;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW,
					r && r->allow ? r->allow : WEB_ALLOW);
	if (status == MHD_HTTP_UNAUTHORIZED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_WWW_AUTHENTICATE,
					"Bearer realm=\"uplinkd\"");
	ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply(struct MHD_Connection *con, unsigned int status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode,
			     const struct web_route *r)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(len, body, mode);
	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (status == MHD_HTTP_OK && strncmp(type, "text/html", 9) == 0)
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; script-src 'unsafe-inline'; "
					"style-src 'unsafe-inline'; img-src data:; "
					"connect-src 'self'; frame-ancestors 'none'");
	return queue(con, status, resp, r);
}

static enum MHD_Result reply_json_hdr(struct MHD_Connection *con, unsigned int status,
				      struct json_object *o, const char *cookie)
{
	struct MHD_Response *resp;
	const char *s;

	if (!o)
		return MHD_NO;
	s = json_object_to_json_string_ext(o, JSON_OUT);
	resp = MHD_create_response_from_buffer(strlen(s), (void *)s, MHD_RESPMEM_MUST_COPY);
	json_object_put(o);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
	if (cookie)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, cookie);
	return queue(con, status, resp, NULL);
}

static enum MHD_Result reply_json(struct MHD_Connection *con, unsigned int status,
				  struct json_object *o)
{
	return reply_json_hdr(con, status, o, NULL);
}

static enum MHD_Result reply_error_r(struct MHD_Connection *con, unsigned int status,
				     const char *msg, const struct web_route *r)
{
	struct json_object *o = json_object_new_object();
	const char *s;

	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "status", json_object_new_int((int)status));
	s = json_object_to_json_string_ext(o, JSON_OUT);
	{
		enum MHD_Result ret = reply(con, status, "application/json", (void *)s, strlen(s),
					    MHD_RESPMEM_MUST_COPY, r);

		json_object_put(o);
		return ret;
	}
}

static enum MHD_Result reply_error(struct MHD_Connection *con, unsigned int status,
				   const char *msg)
{
	return reply_error_r(con, status, msg, NULL);
}

static enum MHD_Result reply_metrics(struct web *w, struct MHD_Connection *con)
{
	struct web_metrics_counters c = {
		.login_failures = w->logins.failed_total,
		.logins_refused = w->logins.refused_total,
		.hosts_refused = w->hosts_refused,
	};
	size_t len = 0;
	char *body = web_metrics_daemon(w->d, &c, &len);

	if (!body)
		return reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply(con, MHD_HTTP_OK, WEB_METRICS_CONTENT_TYPE, body, len,
		     MHD_RESPMEM_MUST_FREE, NULL);
}

static enum MHD_Result reply_history(struct web *w, struct MHD_Connection *con,
				     const struct web_route *r)
{
	struct web_hist_uplink *h;
	char msg[256];

	if (!uplink_find(w->d, r->uplink)) {
		struct uplink *u;
		size_t off;

		off = (size_t)snprintf(msg, sizeof(msg), "no uplink \"%s\"; configured:", r->uplink);
		list_for_each_entry(u, &w->d->uplinks, node)
			if (off < sizeof(msg))
				off += (size_t)snprintf(msg + off, sizeof(msg) - off, " %s",
							u->cfg.name);
		return reply_error(con, MHD_HTTP_NOT_FOUND, msg);
	}
	h = web_history_get(&w->hist, r->uplink, true);
	if (!h)
		return reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply_json(con, MHD_HTTP_OK,
			  web_history_json(h, loop_clock_realtime_ms() / 1000));
}

static enum MHD_Result reply_stream(struct web *w, struct MHD_Connection *con)
{
	struct MHD_Response *resp;
	char *st = status_text(w), *first = NULL;
	size_t len = 0;

	if (st) {
		char *ev = web_sse_format("status", st, &len);

		if (ev && asprintf(&first, "retry: 2000\n\n%s", ev) < 0)
			first = NULL;
		free(ev);
	}
	free(st);
	if (!first)
		return reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	if (w->sse.n >= WEB_SSE_CLIENTS_MAX) {
		free(first);
		return reply_error(con, MHD_HTTP_SERVICE_UNAVAILABLE,
				   "too many live views open; close one or poll /api/status");
	}
	resp = web_sse_open(&w->sse, con, first, strlen(first));
	free(first);
	if (!resp)
		return reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	return queue(con, MHD_HTTP_OK, resp, NULL);
}

/* ---- credentials ---- */

static const char *hdr(struct MHD_Connection *con, const char *name)
{
	return MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
}

static void peer_text(struct MHD_Connection *con, char *buf, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(con, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	const struct sockaddr *sa = ci ? ci->client_addr : NULL;

	snprintf(buf, len, "?");
	if (sa && sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)len);
	else if (sa && sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf,
			  (socklen_t)len);
}

static struct web_session *session_of(struct web *w, struct MHD_Connection *con)
{
	char id[WEB_TOKEN_LEN + 2];

	if (!web_cookie_get(hdr(con, MHD_HTTP_HEADER_COOKIE), WEB_SESSION_COOKIE, id, sizeof(id)))
		return NULL;
	return web_session_find(&w->sessions, id, loop_clock_realtime_ms());
}

/* Who may act: 0 with req->who set, or the HTTP status with *why. */
static unsigned int authorize(struct web *w, struct MHD_Connection *con, struct web_req *req,
			      const char **why)
{
	const char *authz = hdr(con, MHD_HTTP_HEADER_AUTHORIZATION);
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
			if (web_secret_eq(TOKEN(&w->conf, i)->token, tok))
				found = TOKEN(&w->conf, i);
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
	*why = web_csrf_check(s->csrf, hdr(con, WEB_CSRF_HEADER), hdr(con, "Origin"),
			      hdr(con, MHD_HTTP_HEADER_HOST), hdr(con, "Sec-Fetch-Site"));
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

static int param(struct MHD_Connection *con, struct web_req *req, const char *key, char *out,
		 size_t len, const char **why)
{
	int err = web_body_param(req->body, req->len,
				 hdr(con, MHD_HTTP_HEADER_CONTENT_TYPE), key, out, len, why);

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
	return queue(con, MHD_HTTP_TOO_MANY_REQUESTS, resp, NULL);
}

static enum MHD_Result do_login(struct web *w, struct MHD_Connection *con, struct web_req *req)
{
	char user[WEB_NAME_MAX], pass[256], peer[INET6_ADDRSTRLEN], cookie[160];
	uint64_t now = loop_clock_realtime_ms(), mono_ms = loop_clock_monotonic() / NSEC_PER_MSEC;
	const struct sockaddr *client = client_addr(con);
	const struct web_user *found = NULL;
	struct web_session *s;
	unsigned int wait_s;
	const char *why;
	size_t i;

	why = web_origin_check(hdr(con, "Origin"), hdr(con, MHD_HTTP_HEADER_HOST),
			       hdr(con, "Sec-Fetch-Site"));
	if (why)
		return reply_error(con, MHD_HTTP_FORBIDDEN, why);
	if (param(con, req, "user", user, sizeof(user), &why) < 0 ||
	    param(con, req, "password", pass, sizeof(pass), &why) < 0)
		return reply_error(con, MHD_HTTP_BAD_REQUEST,
				   why ? why : "send user and password");
	if (!w->conf.users.n)
		return reply_error(con, MHD_HTTP_FORBIDDEN,
				   "no web.users configured; the page is read-only");
	peer_text(con, peer, sizeof(peer));
	wait_s = web_login_check(&w->logins, client, mono_ms);
	if (wait_s) {
		explicit_bzero(pass, sizeof(pass));
		log_rl_msg(&w->rl_locked, LOG_WARNING, "web: login from %s refused: too many failed logins",
			   peer);
		return reply_login_limited(con, wait_s);
	}
	for (i = 0; i < w->conf.users.n; i++)
		if (!strcmp(USER(&w->conf, i)->name, user))
			found = USER(&w->conf, i);
	if (!found || !web_password_ok(pass, found->password_hash)) {
		explicit_bzero(pass, sizeof(pass));
		web_login_failed(&w->logins, client, mono_ms);
		log_rl_msg(&w->rl_fail, LOG_WARNING, "web: failed login for \"%s\" from %s", user, peer);
		return reply_error(con, MHD_HTTP_UNAUTHORIZED, "wrong user name or password");
	}
	explicit_bzero(pass, sizeof(pass));
	web_login_succeeded(&w->logins, client);
	s = web_session_new(&w->sessions, found->name, now);
	if (!s)
		return reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "no session (random source?)");
	log_notice("web: %s logged in from %s", found->name, peer);
	snprintf(cookie, sizeof(cookie), WEB_SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%llu",
		 s->id, (unsigned long long)(WEB_SESSION_TTL_MS / 1000));
	return reply_json_hdr(con, MHD_HTTP_OK, session_json(w, s), cookie);
}

static enum MHD_Result do_logout(struct web *w, struct MHD_Connection *con)
{
	struct web_session *s = session_of(w, con);

	if (s && !web_csrf_check(s->csrf, hdr(con, WEB_CSRF_HEADER), hdr(con, "Origin"),
				 hdr(con, MHD_HTTP_HEADER_HOST), hdr(con, "Sec-Fetch-Site")))
		web_session_end(s);
	return reply_json_hdr(con, MHD_HTTP_OK, session_json(w, NULL),
			      WEB_SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
}

static unsigned int errno_status(int err)
{
	switch (err) {
	case -ENOENT:
		return MHD_HTTP_NOT_FOUND;
	case -ENOTSUP:
		return MHD_HTTP_CONFLICT;
	case -EINVAL:
		return MHD_HTTP_BAD_REQUEST;
	default:
		return MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
}

static enum MHD_Result do_action(struct web *w, struct MHD_Connection *con,
				 struct web_req *req)
{
	enum web_handler h = req->r.handler;
	const char *key = h == WEB_ACK ? "id" : "uplink";
	const char *what = h == WEB_PREFER ? "prefer" : h == WEB_DISABLE ? "disable" :
			   h == WEB_ENABLE ? "enable" : "ack";
	char arg[256], msg[256] = "";
	struct json_object *o;
	const char *why;
	int err;

	err = param(con, req, key, arg, sizeof(arg), &why);
	if (err < 0 || !arg[0]) {
		snprintf(msg, sizeof(msg), "%s%s", why ? why : "", why ? "" :
			 h == WEB_PREFER ? "send uplink=NAME or uplink=auto" :
			 h == WEB_ACK ? "send id=ALERT-ID (see bgp.alerts[] in /api/status)" :
					"send uplink=NAME");
		return reply_error(con, MHD_HTTP_BAD_REQUEST, msg);
	}
	if (h == WEB_PREFER)
		err = policy_prefer(w->d, arg, req->who, msg, sizeof(msg));
	else if (h == WEB_DISABLE || h == WEB_ENABLE)
		err = policy_admin(w->d, arg, h == WEB_DISABLE, req->who, msg, sizeof(msg));
	else
		err = daemon_monitor_action(w->d, "bgp", "ack", arg, req->who, msg, sizeof(msg));
	if (err < 0)
		return reply_error(con, errno_status(err), msg[0] ? msg : strerror(-err));
	log_notice("web: %s by %s", what, req->who);
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	json_object_object_add(o, key, json_object_new_string(arg));
	json_object_object_add(o, "who", json_object_new_string(req->who));
	if (msg[0])
		json_object_object_add(o, "message", json_object_new_string(msg));
	return reply_json(con, MHD_HTTP_OK, o);
}

/* A Host that is not one of ours: a page of another site behind a DNS rebinding? */
static enum MHD_Result reply_wrong_host(struct web *w, struct MHD_Connection *con)
{
	char msg[256], peer[INET6_ADDRSTRLEN];
	const char *host = hdr(con, MHD_HTTP_HEADER_HOST);

	w->hosts_refused++;
	peer_text(con, peer, sizeof(peer));
	log_rl_msg(&w->rl_host, LOG_NOTICE, "web: %s asked for Host \"%.64s\", not one of web.hosts; refused",
		   peer, host ? host : "");
	snprintf(msg, sizeof(msg), "Host \"%.64s\" is not a name of this page (DNS rebinding?); open it by its address or add the name to web.hosts",
		 host ? host : "");
	return reply_error(con, MHD_HTTP_MISDIRECTED_REQUEST, msg);
}

/* The first call for a POST: refuse early (size, credentials) before reading a body. */
static enum MHD_Result post_start(struct web *w, struct MHD_Connection *con,
				  struct web_req *req)
{
	const char *cl = hdr(con, MHD_HTTP_HEADER_CONTENT_LENGTH), *why;
	unsigned int status;

	if (cl && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > WEB_BODY_MAX))
		return reply_error(con, MHD_HTTP_CONTENT_TOO_LARGE,
				   "the request body is too large (4 KB at most)");
	if (web_route_is_action(req->r.handler)) {
		status = authorize(w, con, req, &why);
		if (status) {
			char peer[INET6_ADDRSTRLEN];

			peer_text(con, peer, sizeof(peer));
			log_rl_msg(&w->rl, LOG_NOTICE, "web: %s refused (%u) for %s: %s",
				   req->target, status, peer, why);
			return reply_error(con, status, why);
		}
	}
	return MHD_YES;
}

static enum MHD_Result web_request(void *cls, struct MHD_Connection *con, const char *url,
				   const char *method, const char *version,
				   const char *upload_data, size_t *upload_data_size,
				   void **req_cls)
{
	struct web *w = cls;
	struct web_req *req = *req_cls;
	struct web_route *r;

	(void)url;
	(void)version;
	if (!req)
		return MHD_NO; /* out of memory in web_uri_cb: drop the connection */
	r = &req->r;
	if (!req->routed) {
		req->routed = true;
		if (!web_hosts_allow(&w->hosts, hdr(con, MHD_HTTP_HEADER_HOST)))
			return reply_wrong_host(w, con);
		web_route(method, req->target, r);
		if (r->handler != WEB_ERROR && !strcmp(method, "POST"))
			return post_start(w, con, req);
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;

		if (req->too_big || req->len + n > WEB_BODY_MAX) {
			req->too_big = true;
		} else {
			memcpy(req->body + req->len, upload_data, n);
			req->len += n;
			req->body[req->len] = '\0';
		}
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (req->too_big)
		return reply_error(con, MHD_HTTP_CONTENT_TOO_LARGE,
				   "the request body is too large (4 KB at most)");

	switch (r->handler) {
	case WEB_PAGE:
		return reply(con, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (void *)web_page_html, web_page_html_len, MHD_RESPMEM_PERSISTENT, r);
	case WEB_STATUS:
		return reply_json(con, MHD_HTTP_OK, status_build(w->d));
	case WEB_EVENTS: {
		struct json_object *ev = w->d->journal ? journal_last(w->d, r->count) : NULL;

		return reply_json(con, MHD_HTTP_OK, ev ? ev : json_object_new_array());
	}
	case WEB_METRICS:
		return reply_metrics(w, con);
	case WEB_HISTORY:
		return reply_history(w, con, r);
	case WEB_STREAM:
		return reply_stream(w, con);
	case WEB_SESSION:
		return reply_json(con, MHD_HTTP_OK, session_json(w, session_of(w, con)));
	case WEB_LOGIN:
		return do_login(w, con, req);
	case WEB_LOGOUT:
		return do_logout(w, con);
	case WEB_PREFER:
	case WEB_ACK:
	case WEB_DISABLE:
	case WEB_ENABLE:
		return do_action(w, con, req);
	case WEB_ERROR:
		break;
	}
	return reply_error_r(con, r->status, r->error, r);
}

/* ---- the plugin ---- */

static void web_destroy(void *inst)
{
	struct web *w = inst;

	if (!w)
		return;
	if (w->sub.cb)
		bus_unsubscribe(&w->sub);
	loop_event_cancel(&w->d->loop, &w->push);
	loop_timer_cancel(&w->d->loop, &w->tick);
	if (w->mhd && w->sse.n) {
		web_sse_close_all(&w->sse);
		MHD_run(w->mhd);
	}
	if (w->fd.registered)
		loop_fd_del(&w->d->loop, &w->fd);
	loop_timer_cancel(&w->d->loop, &w->timer);
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	if (w->history_path && (w->hist.n || w->hist_bad))
		history_save(w); /* a torn file is never left behind, samples or not */
	web_history_free(&w->hist);
	explicit_bzero(&w->sessions, sizeof(w->sessions));
	schema_free(web_keys, &w->conf);
	free(w->history_path);
	free(w);
}

static void history_open(struct web *w)
{
	char err[256] = "";
	int ret;

	ret = web_history_load(&w->hist, w->history_path, err, sizeof(err));
	w->hist_bad = ret < 0;
	if (ret < 0)
		log_warn("web: history file %s: %s; starting with an empty history (the file is replaced at the next save or at the stop)",
			 w->history_path, err[0] ? err : strerror(-ret));
	else if (w->hist.n)
		log_info("web: history of %zu uplink%s loaded from %s", w->hist.n,
			 w->hist.n == 1 ? "" : "s", w->history_path);
}

static void *web_create(struct daemon *d, const void *conf)
{
	const struct web_conf *c = conf;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage sa;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	const char *why;
	struct web *w;
	socklen_t len;
	int err;

	if (web_listen_parse(c->listen, &sa, &len, &why) < 0) {
		log_err("web: listen \"%s\": %s", c->listen ? c->listen : "", why);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->d = d;
	loop_timer_init(&w->timer, web_timer_cb);
	loop_timer_init(&w->tick, web_tick_cb);
	loop_event_init(&w->push, web_push_cb);
	web_history_init(&w->hist);
	web_sse_init(&w->sse);
	w->fd.fd = -1;
	w->fd.cb = web_fd_cb;
	if (schema_copy(web_keys, &w->conf, c) < 0)
		goto err;
	if (c->history_file)
		w->history_path = strdup(c->history_file);
	else if (asprintf(&w->history_path, "%s/history.bin", d->cfg->state_dir) < 0)
		w->history_path = NULL;
	if (!w->history_path)
		goto err;
	history_open(w);
	hosts_set(w);
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the port only names the listener in libmicrohttpd's messages ("port 0" otherwise) */
	w->mhd = MHD_start_daemon(flags, ntohs(sa.ss_family == AF_INET6 ?
					       ((struct sockaddr_in6 *)&sa)->sin6_port :
					       ((struct sockaddr_in *)&sa)->sin_port),
				  NULL, NULL, web_request, w,
				  MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, w,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONN_LIMIT,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)WEB_CONN_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_CONN_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
				  MHD_OPTION_URI_LOG_CALLBACK, web_uri_cb, w,
				  MHD_OPTION_NOTIFY_COMPLETED, web_done_cb, w,
				  MHD_OPTION_END);
	if (!w->mhd) {
		log_err("web: cannot serve on %s (address in use or not on this host?)",
			c->listen);
		goto err;
	}
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0) {
		log_err("web: libmicrohttpd gave no epoll fd");
		goto err;
	}
	w->fd.fd = info->epoll_fd;
	err = loop_fd_add(&d->loop, &w->fd, EPOLLIN);
	if (err < 0) {
		log_err("web: loop: %s", strerror(-err));
		goto err;
	}
	w->sub.cb = web_bus_cb;
	bus_subscribe(&d->bus, &w->sub);
	loop_timer_set_in(&d->loop, &w->tick, NSEC_PER_SEC);
	web_run(w);
	log_notice("web: serving http://%s/ (%s)", c->listen,
		   c->users.n || c->tokens.n ? "actions need a login or token" : "read-only");
	return w;
err:
	web_destroy(w);
	return NULL;
}

static int web_reconfigure(void *inst, const void *conf)
{
	struct web *w = inst;
	const struct web_conf *c = conf;
	const char *names[64];
	struct web_conf copy;
	size_t i;

	if (!w || !c->listen || strcmp(w->conf.listen, c->listen) ||
	    (c->history_file == NULL) != (w->conf.history_file == NULL) ||
	    (c->history_file && strcmp(c->history_file, w->conf.history_file)))
		return -EAGAIN;
	/* the same address: keep connections, streams and history; swap credentials */
	memset(&copy, 0, sizeof(copy));
	if (schema_copy(web_keys, &copy, c) < 0)
		return -EAGAIN;
	schema_free(web_keys, &w->conf);
	w->conf = copy;
	hosts_set(w);
	for (i = 0; i < w->conf.users.n && i < 64; i++)
		names[i] = USER(&w->conf, i)->name;
	web_sessions_retain(&w->sessions, names, i);
	return 0;
}

const struct plugin plugin_web = {
	.name = "web",
	.kind = PLUGIN_MONITOR,
	.keys = web_keys,
	.conf_size = sizeof(struct web_conf),
	.check = web_check,
	.create = web_create,
	.reconfigure = web_reconfigure,
	.destroy = web_destroy,
};
