// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the web router with request lines ("METHOD TARGET [VERSION]") and the listen
 * parser with the whole input, from exact-size copies; abort on a broken invariant.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/web/web_route.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_storage sa;
	struct web_route r;
	char *buf = malloc(size + 1), *target, *sp;
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

	target = strchr(buf, ' ');
	if (target) {
		*target++ = '\0';
		sp = strchr(target, ' ');
		if (sp)
			*sp = '\0';
	}
	web_route(buf, target, &r);
	if (r.handler == WEB_ERROR) {
		if (!r.error || (r.status != 400 && r.status != 404 && r.status != 405 &&
				 r.status != 414))
			abort();
	} else {
		size_t plen;

		if (r.status != 200 || r.error || !target || target[0] != '/')
			abort();
		/* a routed path is one of ours: no encoding, no dot segments */
		plen = strcspn(target, "?");
		if (memchr(target, '%', plen) || memchr(target, '.', plen))
			abort();
	}
	if (r.handler == WEB_EVENTS && (r.count < 1 || r.count > WEB_EVENTS_MAX))
		abort();
	free(buf);
	return 0;
}
