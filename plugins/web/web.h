/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: web.h - the web plugin's own state, shared by its rooms
 *
 * web.c runs the server on the loop (libmicrohttpd, the 1 s tick, history and
 * the live stream); web_conf.c owns the `web { }` section (schema, checks, the
 * Host names); web_api.c answers requests (routing through web_route.c, the
 * operator commands of the core's table, history, metrics, the stream);
 * web_login.c owns who may act (login, sessions, bearer tokens, CSRF). Private
 * to plugins/web; the core never includes it.
 */
#ifndef UPLINKD_WEB_H
#define UPLINKD_WEB_H

#include <microhttpd.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "log.h"
#include "loop.h"
#include "schema.h"

#include "auth.h"
#include "history.h"
#include "web_route.h"
#include "web_sse.h"

#define JSON_OUT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

struct cfg_diag;
struct config;
struct daemon;
struct json_object;

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

#define WEB_USER(c, i) (&((struct web_user *)(c)->users.v)[i])
#define WEB_TOKEN(c, i) (&((struct web_token *)(c)->tokens.v)[i])

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

/* ---- web_conf.c ---- */
extern const struct cfg_key web_keys[];
int web_conf_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d);
/* w->hosts from web.hosts, or the defaults for the listen address and this host's name. */
void web_conf_hosts_set(struct web *w);

/* ---- web.c ---- */
/* Run libmicrohttpd now and re-arm its timer (after a response was queued elsewhere). */
void web_run(struct web *w);
/* The status object as text for the stream (caller frees); NULL: out of memory. */
char *web_status_text(struct web *w);

/* ---- web_api.c ---- */
/* libmicrohttpd's access handler: route, check, answer. */
enum MHD_Result web_request(void *cls, struct MHD_Connection *con, const char *url,
			    const char *method, const char *version, const char *upload_data,
			    size_t *upload_data_size, void **req_cls);
/* Responses, with the headers every answer carries. */
enum MHD_Result web_queue(struct MHD_Connection *con, unsigned int status,
			  struct MHD_Response *resp, const struct web_route *r);
enum MHD_Result web_reply_json_hdr(struct MHD_Connection *con, unsigned int status,
				   struct json_object *o, const char *cookie);
enum MHD_Result web_reply_error(struct MHD_Connection *con, unsigned int status,
				const char *msg);
const char *web_hdr(struct MHD_Connection *con, const char *name);
void web_peer_text(struct MHD_Connection *con, char *buf, size_t len);

/* ---- web_login.c ---- */
/* Who may act: 0 with req->who set ("web:USER"), or the HTTP status with *why. */
unsigned int web_authorize(struct web *w, struct MHD_Connection *con, struct web_req *req,
			   const char **why);
enum MHD_Result web_login(struct web *w, struct MHD_Connection *con, struct web_req *req);
enum MHD_Result web_logout(struct web *w, struct MHD_Connection *con);
/* GET /api/session: the user logged in on this connection, and its CSRF token. */
enum MHD_Result web_session(struct web *w, struct MHD_Connection *con);
/* A form or JSON body parameter of req; -ENOENT (why NULL) when absent. */
int web_param(struct MHD_Connection *con, struct web_req *req, const char *key, char *out,
	      size_t len, const char **why);

#endif
