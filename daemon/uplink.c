// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: uplink.c - what every module may ask of an uplink
 *
 * Pure helpers on struct uplink: lookups by name and interface, the effective
 * next hops and routability. Calls nothing; the lifecycle (create, reload
 * diff, destroy, change notification) is uplinks.c.
 */
#include "uplink.h"
#include "daemon.h"
#include "policy_rank.h"

#include <arpa/inet.h>
#include <string.h>
#include <sys/socket.h>

struct uplink *uplink_find(struct daemon *d, const char *name)
{
	struct uplink *u;

	list_for_each_entry(u, &d->uplinks, node)
		if (strcmp(u->cfg.name, name) == 0)
			return u;
	return NULL;
}

struct uplink *uplink_find_ifname(struct daemon *d, const char *ifname)
{
	struct uplink *u;

	list_for_each_entry(u, &d->uplinks, node)
		if (strcmp(u->cfg.interface, ifname) == 0)
			return u;
	return NULL;
}

bool uplink_gateway4(const struct uplink *u, struct in_addr *gw)
{
	if (u->cfg.gateway)
		return inet_pton(AF_INET, u->cfg.gateway, gw) == 1;
	if (u->link.has_gw4) {
		*gw = u->link.gw4;
		return true;
	}
	return false;
}

bool uplink_gateway6(const struct uplink *u, struct in6_addr *gw)
{
	if (u->cfg.gateway6)
		return inet_pton(AF_INET6, u->cfg.gateway6, gw) == 1;
	if (u->link.has_gw6) {
		*gw = u->link.gw6;
		return true;
	}
	return false;
}

bool uplink_by_dev(const struct uplink *u, int family)
{
	if (family == AF_INET6)
		return (u->link.pointopoint && u->link.has_addr6) || u->link.dev6;
	return u->link.pointopoint || u->link.dev4;
}

bool uplink_routable(const struct uplink *u, int family)
{
	struct in_addr gw4;
	struct in6_addr gw6;

	if (!u->link.ifindex || !u->link.carrier)
		return false;
	if (family == AF_INET6)
		return uplink_gateway6(u, &gw6) || uplink_by_dev(u, family);
	return uplink_gateway4(u, &gw4) || uplink_by_dev(u, family);
}

void uplink_cand(const struct uplink *u, int family, const char *prefer, bool disabled,
		 struct policy_cand *c)
{
	*c = (struct policy_cand){
		.name = u->cfg.name,
		.state = u->health.state,
		.settled = u->health.settled,
		.routable = uplink_routable(u, family),
		.priority = u->cfg.priority,
		.current = u->active,
		.preferred = prefer && strcmp(prefer, u->cfg.name) == 0,
		.disabled = disabled,
	};
}
