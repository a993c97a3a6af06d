// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the HTTP request handling uplinkd writes itself, from exact-size copies:
 * - the listen parser with the whole input;
 * - the router with the first line ("METHOD TARGET [VERSION]");
 * - further lines, if any, as request headers and body: Cookie, Authorization,
 *   Content-Type, Origin, Host, X-CSRF-Token, Sec-Fetch-Site, then the body (the rest),
 *   through the cookie, bearer, CSRF/Origin and body-parameter parsers of auth.c;
 * - the Host line through the Host parser and the web.hosts match (defaults and the
 *   whole input as a web.hosts entry).
 * Aborts on a broken invariant.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/web/auth.h"
#include "../../plugins/web/web_route.h"

#define SESSION_CSRF "session-csrf-token"

static void check_route(char *line)
{
	struct web_route r;
	char *target, *sp;

	target = strchr(line, ' ');
	if (target) {
		*target++ = '\0';
		sp = strchr(target, ' ');
		if (sp)
			*sp = '\0';
	}
	web_route(line, target, &r);
	if (r.handler == WEB_ERROR) {
		if (!r.error || (r.status != 400 && r.status != 404 && r.status != 405 &&
				 r.status != 414))
			abort();
		if (r.status == 405 && !r.allow)
			abort();
	} else {
		size_t plen;

		if (r.status != 200 || r.error || !target || target[0] != '/')
			abort();
		/* a routed path is one of ours: no encoding, no dot segments */
		plen = strcspn(target, "?");
		if (memchr(target, '%', plen) || memchr(target, '.', plen))
			abort();
		if (web_route_mutates(&r) && strcmp(line, "POST"))
			abort();
		if (r.handler == WEB_COMMAND &&
		    (!r.req.cmd || strncmp(target, "/api/", 5) ||
		     strlen(r.req.cmd->name) != plen - 5 || memcmp(r.req.cmd->name, target + 5, plen - 5)))
			abort(); /* the command the path names */
	}
	if (r.handler == WEB_COMMAND && (r.req.count < 1 || r.req.count > WEB_EVENTS_MAX))
		abort();
	if (r.handler == WEB_HISTORY) {
		size_t i, n = strlen(r.uplink);

		if (!n || n > WEB_UPLINK_NAME_MAX)
			abort();
		for (i = 0; i < n; i++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-",
				    r.uplink[i]))
				abort();
	}
}

static void check_value(const char *v, size_t outlen)
{
	size_t i, n = strlen(v);

	if (n >= outlen)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)v[i] < 0x20 || v[i] == 0x7f)
			abort();
}

/* A Host header value: parsed canonically, allowed only when one of ours. */
static void check_host(const char *host)
{
	static struct web_hosts hosts;
	static int ready;
	char name[WEB_HOST_MAX + 1];
	struct sockaddr_storage sa;
	unsigned int port;
	const char *why;
	socklen_t len;
	size_t i;

	if (!ready) {
		if (web_listen_parse("100.80.0.1:8080", &sa, &len, &why) < 0 ||
		    web_hosts_set(&hosts, NULL, 0, &sa, "gw1.example", NULL, &why) < 0)
			abort();
		ready = 1;
	}
	if (web_host_parse(host, name, sizeof(name), &port, &why) == 0) {
		if (!name[0] || strlen(name) > WEB_HOST_MAX || port > 65535 || strchr(name, '['))
			abort();
		for (i = 0; name[i]; i++)
			if (name[i] >= 'A' && name[i] <= 'Z')
				abort();
	} else if (!why) {
		abort();
	} else if (host && web_hosts_allow(&hosts, host)) {
		abort(); /* allowed what does not parse */
	}
	if (host && web_hosts_allow(&hosts, host)) {
		static const char *const ours[] = { "100.80.0.1", "gw1.example", "gw1",
						    "localhost", "127.0.0.1", "::1" };

		for (i = 0; i < sizeof(ours) / sizeof(ours[0]) && strcmp(ours[i], name); i++)
			;
		if (i == sizeof(ours) / sizeof(ours[0]))
			abort(); /* a foreign name passed */
	}
}

/* The input as one web.hosts entry: accepted entries match themselves. */
static void check_hosts_entry(const char *entry)
{
	static struct web_hosts h;
	const char *why;
	size_t bad = 0;

	if (web_hosts_set(&h, &entry, 1, NULL, NULL, &bad, &why) == 0) {
		if (h.n != 1 || !web_hosts_allow(&h, entry))
			abort();
	} else if (!why || bad != 0) {
		abort();
	}
}

/* Lines 2.. as headers, the rest as the body. */
static void check_request(char *rest, size_t restlen)
{
	const char *h[7] = { 0 };
	char out[WEB_TOKEN_LEN + 2], val[64];
	const char *why, *body;
	size_t i, blen;
	char *p = rest;
	int err;

	for (i = 0; i < 7 && p; i++) {
		char *nl = strchr(p, '\n');

		h[i] = p;
		if (nl)
			*nl = '\0';
		p = nl ? nl + 1 : NULL;
	}
	body = p ? p : "";
	blen = p ? restlen - (size_t)(p - rest) : 0;

	if (web_cookie_get(h[0], WEB_SESSION_COOKIE, out, sizeof(out))) {
		if (strlen(out) >= sizeof(out) || strchr(out, ';'))
			abort();
	}
	if (web_bearer_get(h[1], out, sizeof(out))) {
		if (!out[0] || out[0] == ' ' || strlen(out) >= sizeof(out))
			abort();
	}
	check_host(h[4]);
	why = web_csrf_check(SESSION_CSRF, h[5], h[3], h[4], h[6]);
	if (!why && (!h[5] || strcmp(h[5], SESSION_CSRF)))
		abort(); /* passed without the session's token */
	if (!why && h[3]) {
		const char *o = strncmp(h[3], "https://", 8) ? h[3] + 7 : h[3] + 8;

		if (!h[4] || strcasecmp(o, h[4]))
			abort(); /* passed with a foreign Origin */
	}
	why = NULL;
	err = web_body_param(body, blen, h[2], "uplink", val, sizeof(val), &why);
	if (err == 0)
		check_value(val, sizeof(val));
	else if (err == -EINVAL && !why)
		abort();
	else if (err != -EINVAL && err != -ENOENT && err != 0)
		abort();
	err = web_body_param(body, blen, h[2], "id", val, 5, &why);
	if (err == 0)
		check_value(val, 5);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage sa;
	char *buf = malloc(size + 1), *nl;
	const char *why;
	socklen_t len;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	if (web_listen_parse(buf, &sa, &len, &why) == 0) {
		if (why || (sa.ss_family != AF_INET && sa.ss_family != AF_INET6))
			abort();
	} else if (!why) {
		abort();
	}

	check_hosts_entry(buf);
	nl = memchr(buf, '\n', size);
	if (nl)
		*nl = '\0';
	check_route(buf);
	if (nl)
		check_request(nl + 1, size - (size_t)(nl + 1 - buf));
	free(buf);
	return 0;
}
