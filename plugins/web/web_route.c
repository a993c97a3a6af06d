// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web_route.c - which handler answers a request, and the listen address
 *
 * Owns the URL space of the web plugin and the names it answers to (Host,
 * web.hosts): GET/HEAD on /, /api/history?uplink=NAME, /api/stream,
 * /api/session and /metrics; POST on /api/login and /api/logout; and
 * /api/NAME for every operator command of the core's table (command.h): GET
 * for the read-only ones (/api/status, /api/events?count=N), POST for those
 * that change something (/api/prefer, /api/ack, /api/reload, ...). Every other
 * request gets an HTTP error status and a one-line message. Pure string work:
 * calls libc and the pure half of the command table (command.c), is called by
 * web_api.c (and its unit test and fuzzer) with the raw request target that
 * libmicrohttpd's URI callback saw, before any percent-decoding.
 */
#include "command.h"

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
	{ "/metrics", WEB_METRICS, false },
	{ "/api/history", WEB_HISTORY, false },
	{ "/api/stream", WEB_STREAM, false },
	{ "/api/session", WEB_SESSION, false },
	{ "/api/login", WEB_LOGIN, true },
	{ "/api/logout", WEB_LOGOUT, true },
};

static enum web_handler route_error(struct web_route *r, unsigned int status, const char *msg)
{
	r->handler = WEB_ERROR;
	r->status = status;
	r->error = msg;
	return WEB_ERROR;
}

/* The query of a read-only command: NAME=VALUE for its arguments (by form key), other
 * parameters ignored; values are taken as sent (no percent-decoding). */
static enum web_handler route_command(const struct command *cmd, const char *q, size_t qlen,
				      struct web_route *r)
{
	const char *end = q + qlen;
	char key[32], val[160];

	command_req_init(&r->req, cmd);
	if (cmd->id == CMD_EVENTS)
		r->req.count = WEB_EVENTS_DEFAULT;
	while (!cmd->mutates && q < end) {
		const char *amp = memchr(q, '&', (size_t)(end - q));
		size_t plen = amp ? (size_t)(amp - q) : (size_t)(end - q);
		const char *eq = memchr(q, '=', plen);
		size_t klen = eq ? (size_t)(eq - q) : plen;
		const struct command_arg *a = NULL;

		if (klen < sizeof(key)) {
			memcpy(key, q, klen);
			key[klen] = '\0';
			a = command_arg_find(cmd, key, true);
		}
		if (a) {
			size_t vlen = eq ? plen - klen - 1 : 0;

			if (vlen >= sizeof(val))
				vlen = sizeof(val) - 1; /* cut: still refused, never taken */
			memcpy(val, eq ? eq + 1 : q, vlen);
			val[vlen] = '\0';
			/* no NUL in val: the target's bytes are printable (checked above) */
			if (command_req_set_text(&r->req, a, val, r->errbuf, sizeof(r->errbuf)) < 0) {
				r->req.cmd = NULL;
				return route_error(r, 400, r->errbuf);
			}
		}
		q += plen + (amp ? 1 : 0);
	}
	r->handler = WEB_COMMAND;
	r->status = 200;
	return WEB_COMMAND;
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
		if (routes[i].handler == WEB_HISTORY)
			return route_history(q ? q + 1 : target + tlen,
					     q ? tlen - plen - 1 : 0, r);
		r->handler = routes[i].handler;
		r->status = 200;
		return r->handler;
	}
	if (plen > 5 && !memcmp(target, "/api/", 5)) {
		const struct command *cmd = command_find(target + 5, plen - 5);

		if (cmd) {
			r->allow = cmd->mutates ? WEB_ALLOW_POST : WEB_ALLOW;
			if (cmd->mutates && strcmp(method, "POST"))
				return route_error(r, 405, "method not allowed; use POST");
			if (!cmd->mutates && strcmp(method, "GET") && strcmp(method, "HEAD"))
				return route_error(r, 405, "method not allowed; use GET");
			return route_command(cmd, q ? q + 1 : target + tlen,
					     q ? tlen - plen - 1 : 0, r);
		}
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

/* ---- Host ---- */

static bool host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

static int port_parse(const char *p, unsigned int *port, const char **why)
{
	unsigned long v = 0;
	size_t i;

	*port = 0;
	if (!*p)
		return 0; /* "host:" is "host" (RFC 3986: an empty port) */
	for (i = 0; p[i]; i++) {
		if (p[i] < '0' || p[i] > '9' || i >= 5) {
			*why = "the port must be a number from 1 to 65535";
			return -EINVAL;
		}
		v = v * 10 + (unsigned long)(p[i] - '0');
	}
	if (v < 1 || v > 65535) {
		*why = "the port must be a number from 1 to 65535";
		return -EINVAL;
	}
	*port = (unsigned int)v;
	return 0;
}

int web_host_parse(const char *s, char *name, size_t namelen, unsigned int *port,
		   const char **why)
{
	char buf[WEB_HOST_MAX + 2];
	const char *end, *p;
	size_t len, i;

	*port = 0;
	if (namelen)
		name[0] = '\0';
	*why = "expected NAME, NAME:PORT, ADDRESS:PORT or [IPV6]:PORT";
	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '[') {
		struct in6_addr a6;

		end = strchr(s, ']');
		if (!end || (end[1] && end[1] != ':'))
			return -EINVAL;
		len = (size_t)(end - s - 1);
		if (!len || len >= sizeof(buf)) {
			*why = "not an IPv6 address in brackets";
			return -EINVAL;
		}
		memcpy(buf, s + 1, len);
		buf[len] = '\0';
		if (inet_pton(AF_INET6, buf, &a6) != 1) {
			*why = "not an IPv6 address in brackets";
			return -EINVAL;
		}
		if (end[1] && port_parse(end + 2, port, why) < 0)
			return -EINVAL;
		if (!inet_ntop(AF_INET6, &a6, buf, sizeof(buf)) || strlen(buf) >= namelen)
			return -EINVAL;
		memcpy(name, buf, strlen(buf) + 1);
		return 0;
	}
	p = strchr(s, ':');
	if (p && strchr(p + 1, ':')) {
		*why = "an IPv6 address must be in brackets: [2001:db8::1]:8080";
		return -EINVAL;
	}
	len = p ? (size_t)(p - s) : strlen(s);
	if (len && s[len - 1] == '.')
		len--; /* "router.example." is "router.example" */
	if (!len || len > WEB_HOST_MAX || len >= namelen) {
		*why = "a host name of 1 to 253 characters";
		return -EINVAL;
	}
	for (i = 0; i < len; i++) {
		if (!host_char(s[i]) || (s[i] == '.' && (i == 0 || s[i - 1] == '.'))) {
			*why = "a host name has letters, digits, '-', '_' and dots between labels";
			return -EINVAL;
		}
		name[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] - 'A' + 'a' : s[i]);
	}
	name[len] = '\0';
	if (p && port_parse(p + 1, port, why) < 0) {
		name[0] = '\0';
		return -EINVAL;
	}
	return 0;
}

static int hosts_add(struct web_hosts *h, const char *entry, const char **why)
{
	size_t i;

	if (h->n >= WEB_HOSTS_MAX) {
		*why = "too many names (32 at most)";
		return -EINVAL;
	}
	if (web_host_parse(entry, h->name[h->n], sizeof(h->name[h->n]), &h->port[h->n], why) < 0)
		return -EINVAL;
	for (i = 0; i < h->n; i++)
		if (!strcmp(h->name[i], h->name[h->n]) && h->port[i] == h->port[h->n])
			return 0; /* twice: once is enough */
	h->n++;
	return 0;
}

int web_hosts_set(struct web_hosts *h, const char *const *entries, size_t n,
		  const struct sockaddr_storage *listen, const char *hostname, size_t *bad,
		  const char **why)
{
	static const char *const loopback[] = { "localhost", "127.0.0.1", "[::1]" };
	char addr[INET6_ADDRSTRLEN + 2];
	size_t i;

	memset(h, 0, sizeof(*h));
	*why = NULL;
	for (i = 0; i < n; i++) {
		if (hosts_add(h, entries[i], why) < 0) {
			if (bad)
				*bad = i;
			return -EINVAL;
		}
	}
	if (n)
		return 0;
	/* the defaults; what does not parse (an odd host name) is left out */
	if (listen && listen->ss_family == AF_INET) {
		const struct sockaddr_in *a4 = (const struct sockaddr_in *)listen;

		if (a4->sin_addr.s_addr == htonl(INADDR_ANY))
			h->any_addr = true;
		else if (inet_ntop(AF_INET, &a4->sin_addr, addr, sizeof(addr)))
			hosts_add(h, addr, why);
	} else if (listen && listen->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a6 = (const struct sockaddr_in6 *)listen;

		addr[0] = '[';
		if (IN6_IS_ADDR_UNSPECIFIED(&a6->sin6_addr)) {
			h->any_addr = true;
		} else if (inet_ntop(AF_INET6, &a6->sin6_addr, addr + 1, sizeof(addr) - 2)) {
			strcat(addr, "]");
			hosts_add(h, addr, why);
		}
	}
	if (hostname && *hostname) {
		char first[WEB_HOST_MAX + 1];
		size_t len = strcspn(hostname, ".");

		hosts_add(h, hostname, why);
		if (hostname[len] && len < sizeof(first)) {
			memcpy(first, hostname, len);
			first[len] = '\0';
			hosts_add(h, first, why);
		}
	}
	for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++)
		hosts_add(h, loopback[i], why);
	*why = NULL;
	return 0;
}

static bool addr_literal(const char *name)
{
	struct in6_addr a;

	return inet_pton(AF_INET, name, &a) == 1 || inet_pton(AF_INET6, name, &a) == 1;
}

bool web_hosts_allow(const struct web_hosts *h, const char *host)
{
	char name[WEB_HOST_MAX + 1];
	unsigned int port;
	const char *why;
	size_t i;

	if (!host)
		return true;
	if (web_host_parse(host, name, sizeof(name), &port, &why) < 0)
		return false;
	if (h->any_addr && addr_literal(name))
		return true;
	for (i = 0; i < h->n; i++)
		if (!strcmp(h->name[i], name) && (!h->port[i] || h->port[i] == port))
			return true;
	return false;
}
