// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz `uplinkd --replay`'s path: MRT records (TABLE_DUMP_V2 peer tables and
 * RIB entries, BGP4MP messages and state changes) through replay.c into the
 * detection engine, with watches on the seeds' prefixes. The input is copied
 * to an exact-size buffer; afterwards the engine's state must be consistent.
 * Seeds: gobgpd 3.10 dumps (table and updates) from loopback and the lab.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-bgp/replay.h"

static const char *uplink_of(void *ctx, const char *peer)
{
	(void)ctx;
	return peer[0] == '1' ? "isp1" : NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct watch_params par = { .flap_max = 2, .flap_window_s = 1,
						 .nexthop_hold_s = 1, .max_routes = 32 };
	struct watch_rule rules[3];
	struct replay_stats st;
	struct watch_view *v, *n;
	struct watch w;
	uint8_t *buf;
	char err[128];
	int owner;

	memset(rules, 0, sizeof(rules));
	bgp_prefix_parse("203.0.113.0/24", &rules[0].prefix);
	rules[0].origin_as[0] = 64500;
	rules[0].n_origin = 1;
	rules[0].upstream_as[0] = 64510;
	rules[0].n_upstream = 1;
	memcpy(rules[0].tunnel, "hq", 3);
	bgp_prefix_parse("0.0.0.0/1", &rules[1].prefix);
	rules[1].more_specifics = true;
	bgp_prefix_parse("2001:db8::/32", &rules[2].prefix);
	rules[2].origin_as[0] = 64500;
	rules[2].n_origin = 1;
	rules[2].more_specifics = true;
	watch_init(&w, NULL, NULL);
	if (watch_set_rules(&w, rules, 3, &par, 0) < 0)
		return 0;
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (replay_mrt(&w, &owner, buf, size, uplink_of, NULL, &st, err, sizeof(err)) < 0 &&
	    !err[0])
		abort();
	free(buf);
	list_for_each_entry_safe(v, n, &w.views, node)
		watch_view_remove(v, "fuzz", 0);
	if (w.routes_kept != 0 || !list_empty(&w.alerts) || !list_empty(&w.steers))
		abort();
	watch_destroy(&w);
	return 0;
}
