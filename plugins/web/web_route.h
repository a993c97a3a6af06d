/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: web_route.h - pure request routing and listen-address parsing for the web plugin
 *
 * No libmicrohttpd here, so the router can be unit tested and fuzzed on its own.
 */
#ifndef UPLINKD_WEB_ROUTE_H
#define UPLINKD_WEB_ROUTE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#include "command.h"

#define WEB_URI_MAX 1024	  /* longer request targets: 414 */
#define WEB_EVENTS_DEFAULT 100
#define WEB_EVENTS_MAX 1000
#define WEB_ALLOW "GET, HEAD"
#define WEB_ALLOW_POST "POST"
#define WEB_UPLINK_NAME_MAX 63

enum web_handler {
	WEB_ERROR,   /* status and error say what to answer */
	WEB_PAGE,    /* GET / */
	WEB_COMMAND, /* /api/NAME for every operator command (command.h): GET for the
		      * read-only ones (/api/status, /api/events?count=N), POST for the
		      * ones that change something (/api/prefer, /api/reload, ...) */
	WEB_METRICS, /* GET /metrics */
	WEB_HISTORY, /* GET /api/history?uplink=NAME */
	WEB_STREAM,  /* GET /api/stream: Server-Sent Events */
	WEB_SESSION, /* GET /api/session: who is logged in, the CSRF token */
	WEB_LOGIN,   /* POST /api/login */
	WEB_LOGOUT,  /* POST /api/logout */
};

struct web_route {
	enum web_handler handler;
	unsigned int status; /* 200, or the HTTP error status */
	const char *error;   /* the message when handler == WEB_ERROR */
	const char *allow;   /* the methods of the path (405: the Allow header) */
	char uplink[WEB_UPLINK_NAME_MAX + 1]; /* WEB_HISTORY */
	/* WEB_COMMAND: the command, with the arguments of a GET's query (a POST's come
	 * from its body, web_api.c); events: count defaults to WEB_EVENTS_DEFAULT */
	struct command_req req;
	char errbuf[192];    /* error points here when the message is not static */
};

/* Does this request change something (POST, credentials needed)? */
static inline bool web_route_mutates(const struct web_route *r)
{
	return r->handler == WEB_COMMAND && r->req.cmd && r->req.cmd->mutates;
}

/*
 * Route one request: method ("GET"), the raw request target as sent ("/api/events?count=5",
 * query string included, not percent-decoded). Fills *r and returns r->handler. The query
 * of a read-only command sets its arguments by their form keys (command.h); other
 * parameters are ignored.
 */
enum web_handler web_route(const char *method, const char *target, struct web_route *r);

/*
 * Parse "ADDR:PORT" or "[V6ADDR]:PORT" (a port of 1..65535, an address literal) into *sa.
 * Returns 0, or -EINVAL with a static explanation in *why.
 */
int web_listen_parse(const char *s, struct sockaddr_storage *sa, socklen_t *len,
		     const char **why);

/*
 * The names the page answers to (web.hosts), against DNS rebinding: a page of another
 * site whose name was made to resolve to this router sends that name in Host, and is
 * refused. An entry is "NAME", "NAME:PORT", "ADDR[:PORT]" or "[V6ADDR][:PORT]"; without
 * a port it matches any port. Names compare case-insensitively without a trailing dot,
 * addresses in canonical form.
 */
#define WEB_HOST_MAX 253
#define WEB_HOSTS_MAX 32

struct web_hosts {
	size_t n;
	bool any_addr; /* a wildcard listen address: every address literal is ours */
	char name[WEB_HOSTS_MAX][WEB_HOST_MAX + 1];
	unsigned int port[WEB_HOSTS_MAX]; /* 0: any */
};

/*
 * A Host header value or a web.hosts entry into its canonical host (lower case, no
 * trailing dot, an IPv6 literal without brackets as inet_ntop writes it) and port (0:
 * none). Returns 0, or -EINVAL with a static explanation in *why.
 */
int web_host_parse(const char *s, char *name, size_t namelen, unsigned int *port,
		   const char **why);
/*
 * Fill h from the web.hosts entries, or, with none, the defaults: the listen address
 * (any address literal when it is a wildcard), the host name (and its first label),
 * "localhost", 127.0.0.1 and ::1 (names a DNS rebinding cannot use, reached through a
 * local forward such as ssh -L). Returns 0, or -EINVAL with *why for entries[*bad].
 */
int web_hosts_set(struct web_hosts *h, const char *const *entries, size_t n,
		  const struct sockaddr_storage *listen, const char *hostname, size_t *bad,
		  const char **why);
/* Does a request with this Host header value reach us by one of h's names? A request
 * without Host passes (browsers always send one; HTTP/1.0 tools may not). */
bool web_hosts_allow(const struct web_hosts *h, const char *host);

#endif
