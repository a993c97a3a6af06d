// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web_api.c - the answers of the web plugin
 *
 * Every request passes here (libmicrohttpd's access handler): the Host is
 * checked (web_route.c's names, against DNS rebinding), the target routed,
 * a POST refused early when too large or not authorized (web_login.c), its
 * body collected up to WEB_BODY_MAX. The operator commands are the core's
 * table (command.h): /api/status and /api/events answer with the command's
 * object, /api/prefer, /api/ack, /api/disable, /api/enable and /api/reload run
 * it as "web:USER" and answer ok, the argument and who. The page, /metrics
 * (metrics_daemon.c), /api/history (history.c) and the live stream
 * (web_sse.c) are answered here too; every response carries the same safety
 * headers. Uplinks are read through view.h. Called by web.c (web_request is
 * its libmicrohttpd handler), web_login.c (responses) and web_conf.c.
 */
#include "command.h"
#include "log.h"
#include "loop.h"
#include "view.h"

#include "metrics.h"
#include "page.h"
#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- requests ---- */

const char *web_hdr(struct MHD_Connection *con, const char *name)
{
	return MHD_lookup_connection_value(con, MHD_HEADER_KIND, name);
}

void web_peer_text(struct MHD_Connection *con, char *buf, size_t len)
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

/* ---- responses ---- */

enum MHD_Result web_queue(struct MHD_Connection *con, unsigned int status,
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
	return web_queue(con, status, resp, r);
}

enum MHD_Result web_reply_json_hdr(struct MHD_Connection *con, unsigned int status,
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
	return web_queue(con, status, resp, NULL);
}

static enum MHD_Result reply_json(struct MHD_Connection *con, unsigned int status,
				  struct json_object *o)
{
	return web_reply_json_hdr(con, status, o, NULL);
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

enum MHD_Result web_reply_error(struct MHD_Connection *con, unsigned int status,
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
		return web_reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply(con, MHD_HTTP_OK, WEB_METRICS_CONTENT_TYPE, body, len,
		     MHD_RESPMEM_MUST_FREE, NULL);
}

static enum MHD_Result reply_history(struct web *w, struct MHD_Connection *con,
				     const struct web_route *r)
{
	struct web_hist_uplink *h;
	char msg[320], names[200];

	if (!view_uplink_find(w->d, r->uplink)) {
		view_uplink_names(w->d, names, sizeof(names));
		snprintf(msg, sizeof(msg), "no uplink \"%s\"; configured: %s", r->uplink, names);
		return web_reply_error(con, MHD_HTTP_NOT_FOUND, msg);
	}
	h = web_history_get(&w->hist, r->uplink, true);
	if (!h)
		return web_reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply_json(con, MHD_HTTP_OK, web_history_json(h, loop_clock_realtime_ms() / 1000));
}

static enum MHD_Result reply_stream(struct web *w, struct MHD_Connection *con)
{
	struct MHD_Response *resp;
	char *st = web_status_text(w), *first = NULL;
	size_t len = 0;

	if (st) {
		char *ev = web_sse_format("status", st, &len);

		if (ev && asprintf(&first, "retry: 2000\n\n%s", ev) < 0)
			first = NULL;
		free(ev);
	}
	free(st);
	if (!first)
		return web_reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	if (w->sse.n >= WEB_SSE_CLIENTS_MAX) {
		free(first);
		return web_reply_error(con, MHD_HTTP_SERVICE_UNAVAILABLE,
				   "too many live views open; close one or poll /api/status");
	}
	resp = web_sse_open(&w->sse, con, first, strlen(first));
	free(first);
	if (!resp)
		return web_reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/event-stream");
	return web_queue(con, MHD_HTTP_OK, resp, NULL);
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

/* An operator command of the core's table: read-only ones answer with their object,
 * the others (POST, authorized by post_start) with ok, their argument and who. */
static enum MHD_Result do_command(struct web *w, struct MHD_Connection *con, struct web_req *req)
{
	struct command_req *cr = &req->r.req;
	const struct command_arg *a;
	struct json_object *res = NULL, *o, *v;
	char msg[512], val[256], num[16];
	const char *why;
	int err;

	if (!cr->cmd->mutates) {
		if (command_run(w->d, cr, "web", &res, msg, sizeof(msg)) < 0)
			return web_reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, msg);
		return reply_json(con, MHD_HTTP_OK, res);
	}
	for (a = cr->cmd->args; a->key; a++) {
		const char *key = a->form_key ? a->form_key : a->key;

		err = web_param(con, req, key, val, sizeof(val), &why);
		if (err == -ENOENT)
			continue;
		if (err < 0)
			return web_reply_error(con, MHD_HTTP_BAD_REQUEST,
					       why ? why : "bad request body");
		if (command_req_set_text(cr, a, val, msg, sizeof(msg)) < 0)
			return web_reply_error(con, MHD_HTTP_BAD_REQUEST, msg);
	}
	if (command_req_check(cr, true, msg, sizeof(msg)) < 0)
		return web_reply_error(con, MHD_HTTP_BAD_REQUEST, msg);
	err = command_run(w->d, cr, req->who, &res, msg, sizeof(msg));
	if (err < 0)
		return web_reply_error(con, errno_status(err), msg[0] ? msg : strerror(-err));
	log_notice("web: %s by %s", cr->cmd->name, req->who);
	o = json_object_new_object();
	json_object_object_add(o, "ok", json_object_new_boolean(1));
	for (a = cr->cmd->args; a->key; a++) {
		const char *text = command_req_text(cr, a, num, sizeof(num));

		json_object_object_add(o, a->form_key ? a->form_key : a->key,
				       json_object_new_string(text));
	}
	json_object_object_add(o, "who", json_object_new_string(req->who));
	if (json_object_object_get_ex(res, "message", &v))
		json_object_object_add(o, "message", json_object_get(v));
	json_object_put(res);
	return reply_json(con, MHD_HTTP_OK, o);
}

/* A Host that is not one of ours: a page of another site behind a DNS rebinding? */
static enum MHD_Result reply_wrong_host(struct web *w, struct MHD_Connection *con)
{
	char msg[256], peer[INET6_ADDRSTRLEN];
	const char *host = web_hdr(con, MHD_HTTP_HEADER_HOST);

	w->hosts_refused++;
	web_peer_text(con, peer, sizeof(peer));
	log_rl_msg(&w->rl_host, LOG_NOTICE, "web: %s asked for Host \"%.64s\", not one of web.hosts; refused",
		   peer, host ? host : "");
	snprintf(msg, sizeof(msg), "Host \"%.64s\" is not a name of this page (DNS rebinding?); open it by its address or add the name to web.hosts",
		 host ? host : "");
	return web_reply_error(con, MHD_HTTP_MISDIRECTED_REQUEST, msg);
}

/* The first call for a POST: refuse early (size, credentials) before reading a body. */
static enum MHD_Result post_start(struct web *w, struct MHD_Connection *con,
				  struct web_req *req)
{
	const char *cl = web_hdr(con, MHD_HTTP_HEADER_CONTENT_LENGTH), *why;
	unsigned int status;

	if (cl && (strlen(cl) > 9 || strtoul(cl, NULL, 10) > WEB_BODY_MAX))
		return web_reply_error(con, MHD_HTTP_CONTENT_TOO_LARGE,
				   "the request body is too large (4 KB at most)");
	if (web_route_mutates(&req->r)) {
		status = web_authorize(w, con, req, &why);
		if (status) {
			char peer[INET6_ADDRSTRLEN];

			web_peer_text(con, peer, sizeof(peer));
			log_rl_msg(&w->rl, LOG_NOTICE, "web: %s refused (%u) for %s: %s",
				   req->target, status, peer, why);
			return web_reply_error(con, status, why);
		}
	}
	return MHD_YES;
}

enum MHD_Result web_request(void *cls, struct MHD_Connection *con, const char *url,
			    const char *method, const char *version, const char *upload_data,
			    size_t *upload_data_size, void **req_cls)
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
		if (!web_hosts_allow(&w->hosts, web_hdr(con, MHD_HTTP_HEADER_HOST)))
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
		return web_reply_error(con, MHD_HTTP_CONTENT_TOO_LARGE,
				   "the request body is too large (4 KB at most)");

	switch (r->handler) {
	case WEB_PAGE:
		return reply(con, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (void *)web_page_html, web_page_html_len, MHD_RESPMEM_PERSISTENT, r);
	case WEB_COMMAND:
		return do_command(w, con, req);
	case WEB_METRICS:
		return reply_metrics(w, con);
	case WEB_HISTORY:
		return reply_history(w, con, r);
	case WEB_STREAM:
		return reply_stream(w, con);
	case WEB_SESSION:
		return web_session(w, con);
	case WEB_LOGIN:
		return web_login(w, con, req);
	case WEB_LOGOUT:
		return web_logout(w, con);
	case WEB_ERROR:
		break;
	}
	return reply_error_r(con, r->status, r->error, r);
}
