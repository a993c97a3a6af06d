/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UPLINKD_POLICY_STUBS_H
#define UPLINKD_POLICY_STUBS_H

#include <stddef.h>

struct uplink;

struct policy_stubs {
	int route_err;		/* returned by route_set_default(AF_INET) when set */
	int route_calls;
	struct uplink *route_ups[8];
	size_t route_n;
	struct uplink *current; /* route_current_default() */
	int clear6_calls;	/* route_clear_default(AF_INET6) */
	int route6_err;		/* returned by route_set_default(AF_INET6) when set */
	int route6_calls;	/* route_set_default(AF_INET6) */
	struct uplink *route6_ups[8];
	size_t route6_n;
	int ct_calls;
	const struct uplink *ct_last;
	int prefix_syncs;	/* route_prefix_sync() calls */
	size_t nprefix;		/* the last one's list */
	char prefix_name[4][64], prefix_via[4][32], prefix_reason[4][320];
};

extern struct policy_stubs stub;

#endif
