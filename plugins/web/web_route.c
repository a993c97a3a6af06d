// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web_route.c - which handler answers a request, and the listen address
 *
 * Owns the URL space of the web plugin: GET/HEAD on /, /api/status,
 * /api/events?count=N, /api/history?uplink=NAME, /api/stream, /api/session and
 * /metrics; POST on /api/login, /api/logout, /api/prefer and /api/ack; every
 * other request gets an HTTP error
 * status and a one-line message. Pure string work: calls nothing but libc, is
 * called by web.c (and its unit test and fuzzer) with the raw request target
 * that libmicrohttpd's URI callback saw, before any percent-decoding.
 */
#include "web_route.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *path;
	enum web_handler handler;
	bool post;
} routes[] = {
	{ "/", WEB_PAGE, false },
	{ "/api/status", WEB_STATUS, false },
	{ "/api/events", WEB_EVENTS, false },
	{ "/metrics", WEB_METRICS, false },
	{ "/api/history", WEB_HISTORY, false },
	{ "/api/stream", WEB_STREAM, false },
	{ "/api/session", WEB_SESSION, false },
	{ "/api/login", WEB_LOGIN, true },
	{ "/api/logout", WEB_LOGOUT, true },
	{ "/api/prefer", WEB_PREFER, true },
	{ "/api/ack", WEB_ACK, true },
};

static enum web_handler route_error(struct web_route *r, unsigned int status, const char *msg)
{
	r->handler = WEB_ERROR;
	r->status = status;
	r->error = msg;
	return WEB_ERROR;
}

/* "1".."1000", plain digits only; 0 when invalid */
static size_t parse_count(const char *s, size_t len)
{
	size_t i, v = 0;

	if (!len || len > 4)
		return 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (size_t)(s[i] - '0');
	}
	return v <= WEB_EVENTS_MAX ? v : 0;
}

/* The query of /api/events: count=N, other parameters ignored. */
static enum web_handler route_events(const char *q, size_t qlen, struct web_route *r)
{
	const char *end = q + qlen;

	r->count = WEB_EVENTS_DEFAULT;
	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		size_t plen = amp ? (size_t)(amp - q) : (size_t)(end - q);

		if (plen >= 5 && memcmp(q, "count", 5) == 0 && (plen == 5 || q[5] == '=')) {
			r->count = plen > 6 ? parse_count(q + 6, plen - 6) : 0;
			if (!r->count)
				return route_error(r, 400, "count must be a whole number from 1 to 1000");
		}
		q += plen + (amp ? 1 : 0);
	}
	r->handler = WEB_EVENTS;
	r->status = 200;
	return WEB_EVENTS;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.';
}

/* The query of /api/history: uplink=NAME, exactly once; nothing else. */
static enum web_handler route_history(const char *q, size_t qlen, struct web_route *r)
{
	const char *end = q + qlen;
	bool seen = false;
	size_t i;

	while (q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		size_t plen = amp ? (size_t)(amp - q) : (size_t)(end - q);

		if (plen >= 7 && memcmp(q, "uplink=", 7) == 0) {
			if (seen)
				return route_error(r, 400, "give uplink=NAME once");
			if (plen == 7 || plen - 7 > WEB_UPLINK_NAME_MAX)
				return route_error(r, 400, "uplink=NAME: a name of 1 to 63 characters");
			for (i = 7; i < plen; i++)
				if (!name_char(q[i]))
					return route_error(r, 400, "uplink=NAME: letters, digits, '.', '_' and '-' only");
			memcpy(r->uplink, q + 7, plen - 7);
			r->uplink[plen - 7] = '\0';
			seen = true;
		} else if (plen) {
			return route_error(r, 400, "unknown parameter; /api/history takes uplink=NAME");
		}
		q += plen + (amp ? 1 : 0);
	}
	if (!seen)
		return route_error(r, 400, "which uplink? use /api/history?uplink=NAME");
	r->handler = WEB_HISTORY;
	r->status = 200;
	return WEB_HISTORY;
}

/* A "." or ".." segment anywhere in the path. */
static bool has_dot_segment(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t s = ++i; /* after the '/' */

		while (i < len && p[i] != '/')
			i++;
		if ((i - s == 1 && p[s] == '.') || (i - s == 2 && p[s] == '.' && p[s + 1] == '.'))
			return true;
	}
	return false;
}

enum web_handler web_route(const char *method, const char *target, struct web_route *r)
{
	const char *q;
	size_t plen, tlen, i;

	memset(r, 0, sizeof(*r));
	if (!method || !*method || !target)
		return route_error(r, 400, "malformed request");
	tlen = strnlen(target, WEB_URI_MAX + 1);
	if (tlen > WEB_URI_MAX)
		return route_error(r, 414, "request target too long");
	if (target[0] != '/')
		return route_error(r, 400, "request target must be a path starting with /");
	for (i = 0; i < tlen; i++)
		if ((unsigned char)target[i] <= 0x20 || (unsigned char)target[i] >= 0x7f)
			return route_error(r, 400, "request target has control or non-ASCII bytes");
	q = memchr(target, '?', tlen);
	plen = q ? (size_t)(q - target) : tlen;
	if (memchr(target, '%', plen) || has_dot_segment(target, plen))
		return route_error(r, 400, "encoded characters and dot segments are not allowed in paths");

	for (i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strlen(routes[i].path) != plen || memcmp(routes[i].path, target, plen))
			continue;
		r->allow = routes[i].post ? WEB_ALLOW_POST : WEB_ALLOW;
		if (routes[i].post && strcmp(method, "POST"))
			return route_error(r, 405, "method not allowed; use POST");
		if (!routes[i].post && strcmp(method, "GET") && strcmp(method, "HEAD"))
			return route_error(r, 405, "method not allowed; use GET");
		if (routes[i].handler == WEB_EVENTS)
			return route_events(q ? q + 1 : target + tlen,
					    q ? tlen - plen - 1 : 0, r);
		if (routes[i].handler == WEB_HISTORY)
			return route_history(q ? q + 1 : target + tlen,
					     q ? tlen - plen - 1 : 0, r);
		r->handler = routes[i].handler;
		r->status = 200;
		return r->handler;
	}
	return route_error(r, 404, "no such page; try /, /api/status, /api/events, /api/history?uplink=NAME or /metrics");
}

int web_listen_parse(const char *s, struct sockaddr_storage *sa, socklen_t *len,
		     const char **why)
{
	char addr[INET6_ADDRSTRLEN];
	const char *colon, *port;
	bool v6 = false;
	size_t alen;
	char *end;
	long p;

	memset(sa, 0, sizeof(*sa));
	*why = "expected \"ADDR:PORT\" or \"[IPV6]:PORT\", e.g. \"127.0.0.1:8080\"";
	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '[') {
		colon = strchr(s, ']');
		if (!colon || colon[1] != ':')
			return -EINVAL;
		alen = (size_t)(colon - s - 1);
		s++;
		v6 = true;
		port = colon + 2;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -EINVAL; /* none, or an IPv6 address without brackets */
		alen = (size_t)(colon - s);
		port = colon + 1;
	}
	if (!alen || alen >= sizeof(addr))
		return -EINVAL;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (*port < '0' || *port > '9') {
		*why = "the port must be a number from 1 to 65535";
		return -EINVAL;
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || *end || p < 1 || p > 65535) {
		*why = "the port must be a number from 1 to 65535";
		return -EINVAL;
	}
	if (v6 || strchr(addr, ':')) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)sa;

		if (inet_pton(AF_INET6, addr, &a6->sin6_addr) != 1) {
			*why = "not an IPv6 address literal (names are not resolved)";
			return -EINVAL;
		}
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)p);
		*len = sizeof(*a6);
	} else {
		struct sockaddr_in *a4 = (struct sockaddr_in *)sa;

		if (inet_pton(AF_INET, addr, &a4->sin_addr) != 1) {
			*why = "not an IPv4 address literal (names are not resolved)";
			return -EINVAL;
		}
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)p);
		*len = sizeof(*a4);
	}
	*why = NULL;
	return 0;
}
