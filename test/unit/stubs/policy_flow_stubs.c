// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stubs for tests that link policy.c without the flow half (policy_flow.c, which
 * needs the nftables and conntrack actuators): no table, nothing to report.
 */
#include "daemon.h"
#include "policy_flow.h"

int policy_flow_init(struct daemon *d, void (*rerun)(struct daemon *d))
{
	(void)d;
	(void)rerun;
	return 0;
}

void policy_flow_destroy(struct daemon *d)
{
	(void)d;
}

void policy_flow_run(struct daemon *d)
{
	(void)d;
}

void policy_flow_status(struct daemon *d, struct json_object *st)
{
	(void)d;
	(void)st;
}

bool policy_flow_shares(const struct daemon *d, unsigned *share, size_t n)
{
	size_t i;

	(void)d;
	for (i = 0; i < n; i++)
		share[i] = 0;
	return false;
}
