/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: web_route.h - pure request routing and listen-address parsing for the web plugin
 *
 * No libmicrohttpd here, so the router can be unit tested and fuzzed on its own.
 */
#ifndef UPLINKD_WEB_ROUTE_H
#define UPLINKD_WEB_ROUTE_H

#include <stddef.h>
#include <sys/socket.h>

#define WEB_URI_MAX 1024	  /* longer request targets: 414 */
#define WEB_EVENTS_DEFAULT 100
#define WEB_EVENTS_MAX 1000
#define WEB_ALLOW "GET, HEAD"
#define WEB_ALLOW_POST "POST"
#define WEB_UPLINK_NAME_MAX 63

enum web_handler {
	WEB_ERROR,   /* status and error say what to answer */
	WEB_PAGE,    /* GET / */
	WEB_STATUS,  /* GET /api/status */
	WEB_EVENTS,  /* GET /api/events?count=N */
	WEB_METRICS, /* GET /metrics */
	WEB_HISTORY, /* GET /api/history?uplink=NAME */
	WEB_STREAM,  /* GET /api/stream: Server-Sent Events */
	WEB_SESSION, /* GET /api/session: who is logged in, the CSRF token */
	WEB_LOGIN,   /* POST /api/login */
	WEB_LOGOUT,  /* POST /api/logout */
	WEB_PREFER,  /* POST /api/prefer: uplink=NAME|auto */
	WEB_ACK,     /* POST /api/ack: id=ALERT-ID */
};

struct web_route {
	enum web_handler handler;
	unsigned int status; /* 200, or the HTTP error status */
	const char *error;   /* static message when handler == WEB_ERROR */
	size_t count;	     /* WEB_EVENTS */
	const char *allow;   /* the methods of the path (405: the Allow header) */
	char uplink[WEB_UPLINK_NAME_MAX + 1]; /* WEB_HISTORY */
};

/* Does this handler change something (POST, credentials needed)? */
static inline int web_route_is_action(enum web_handler h)
{
	return h == WEB_PREFER || h == WEB_ACK;
}

/*
 * Route one request: method ("GET"), the raw request target as sent ("/api/events?count=5",
 * query string included, not percent-decoded). Fills *r and returns r->handler.
 */
enum web_handler web_route(const char *method, const char *target, struct web_route *r);

/*
 * Parse "ADDR:PORT" or "[V6ADDR]:PORT" (a port of 1..65535, an address literal) into *sa.
 * Returns 0, or -EINVAL with a static explanation in *why.
 */
int web_listen_parse(const char *s, struct sockaddr_storage *sa, socklen_t *len,
		     const char **why);

#endif
