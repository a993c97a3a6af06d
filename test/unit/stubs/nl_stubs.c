// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stubs for the netlink rooms' unit tests (route, link, ct): the uplink.c
 * helpers route.c and link.c call. The builders and parsers under test never
 * reach them; they only have to link.
 */
#include <arpa/inet.h>
#include <string.h>

#include "daemon.h"
#include "uplink.h"

bool uplink_gateway4(const struct uplink *u, struct in_addr *gw)
{
	if (u->cfg.gateway)
		return inet_pton(AF_INET, u->cfg.gateway, gw) == 1;
	if (u->link.has_gw4)
		*gw = u->link.gw4;
	return u->link.has_gw4;
}

bool uplink_gateway6(const struct uplink *u, struct in6_addr *gw)
{
	if (u->cfg.gateway6)
		return inet_pton(AF_INET6, u->cfg.gateway6, gw) == 1;
	if (u->link.has_gw6)
		*gw = u->link.gw6;
	return u->link.has_gw6;
}

bool uplink_by_dev(const struct uplink *u, int family)
{
	if (family == AF_INET6)
		return (u->link.pointopoint && u->link.has_addr6) || u->link.dev6;
	return u->link.pointopoint || u->link.dev4;
}

bool uplink_routable(const struct uplink *u, int family)
{
	(void)family;
	return u->link.ifindex && u->link.carrier;
}

struct uplink *uplink_find(struct daemon *d, const char *name)
{
	struct uplink *u;

	list_for_each_entry(u, &d->uplinks, node)
		if (!strcmp(u->cfg.name, name))
			return u;
	return NULL;
}
