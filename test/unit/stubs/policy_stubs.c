// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stubs for policy_test: the actuators (route, ct), so policy_run() can be
 * driven without a kernel. The uplink helpers are the real ones (uplink.c). The test reads and sets the
 * stub_* variables.
 */
#include "policy_stubs.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ct.h"
#include "daemon.h"
#include "route.h"
#include "route_prefix.h"
#include "uplink.h"

struct policy_stubs stub;

int route_set_default(struct daemon *d, int family, struct uplink *const *ups, size_t n,
		      char *err, size_t errlen)
{
	size_t i;

	(void)d;
	if (family == AF_INET6) {
		stub.route6_calls++;
		if (stub.route6_err) {
			snprintf(err, errlen, "No route to host");
			return stub.route6_err;
		}
		stub.route6_n = n;
		for (i = 0; i < n && i < 8; i++)
			stub.route6_ups[i] = ups[i];
		return 0;
	}
	stub.route_calls++;
	if (stub.route_err) {
		snprintf(err, errlen, "Nexthop has invalid gateway");
		return stub.route_err;
	}
	stub.route_n = n;
	for (i = 0; i < n && i < 8; i++)
		stub.route_ups[i] = ups[i];
	return 0;
}

int route_clear_default(struct daemon *d, int family, char *err, size_t errlen)
{
	(void)d;
	(void)err;
	(void)errlen;
	if (family == AF_INET6)
		stub.clear6_calls++;
	return 0;
}

struct uplink *route_current_default(struct daemon *d, int family)
{
	(void)d;
	(void)family;
	return stub.current;
}

int ct_flush_uplink(struct daemon *d, const struct uplink *u)
{
	(void)d;
	stub.ct_calls++;
	stub.ct_last = u;
	return 3;
}

/* The prefix actuator: what the policy wants, as it was handed over. */
int route_prefix_sync(struct daemon *d, const struct route_prefix_want *w, size_t n)
{
	size_t i;

	(void)d;
	stub.prefix_syncs++;
	stub.nprefix = n;
	for (i = 0; i < n && i < 4; i++) {
		snprintf(stub.prefix_name[i], sizeof(stub.prefix_name[i]), "%s", w[i].name);
		snprintf(stub.prefix_via[i], sizeof(stub.prefix_via[i]), "%s", w[i].via);
		snprintf(stub.prefix_reason[i], sizeof(stub.prefix_reason[i]), "%s", w[i].reason);
	}
	return 0;
}
