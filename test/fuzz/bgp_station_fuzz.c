// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the BMP station end to end without a socket: stream reassembly in the
 * bounded buffer (the input cut into chunks whose sizes come from its last byte:
 * the first is the BMP version, nearly always 3, which fixed the chunking),
 * framing, Peer Up caps, UPDATEs, and the detection engine behind them with
 * watches on the prefixes the seeds carry (alerts, steering, ADD-PATH holds,
 * peer down, session removal). Seeds: whole gobgpd 3.10 BMP sessions recorded
 * in the lab (hijack, sub-prefix, withdrawal, ExaBGP's malformed attribute), the
 * same without its Initiation (the session must end), and with peers that are
 * not listed (uplink_of() NULL) and a second (RD) instance of a listed one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-bgp/station.h"
#include "../../plugins/monitor-bgp/watch.h"

static const char *uplink_of(void *ctx, const char *peer)
{
	(void)ctx;
	return peer[0] == '1' && peer[1] == '0' ? "isp1" : peer[0] == '1' ? "isp2" : NULL;
}

static const struct station_ops sops = { .uplink_of = uplink_of };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct watch_params par = { .flap_max = 3, .flap_window_s = 1,
						 .nexthop_hold_s = 1, .max_routes = 64 };
	struct watch_rule rules[3];
	struct bmp_router r;
	struct watch w;
	size_t off = 0, step;
	uint64_t now = 1000;

	memset(rules, 0, sizeof(rules));
	bgp_prefix_parse("203.0.113.0/24", &rules[0].prefix);
	rules[0].origin_as[0] = 64500;
	rules[0].n_origin = 1;
	rules[0].upstream_as[0] = 64510;
	rules[0].n_upstream = 1;
	memcpy(rules[0].tunnel, "hq", 3);
	bgp_prefix_parse("0.0.0.0/0", &rules[1].prefix);
	rules[1].more_specifics = true;
	bgp_prefix_parse("2001:db8::/32", &rules[2].prefix);
	rules[2].origin_as[0] = 64500;
	rules[2].n_origin = 1;
	watch_init(&w, NULL, NULL);
	if (watch_set_rules(&w, rules, 3, &par, now) < 0)
		return 0;
	station_router_init(&r, &w, &sops, NULL, "router fuzz");
	step = size ? (size_t)data[size - 1] * 7 + 1 : 1;
	while (off < size) {
		size_t n = size - off < step ? size - off : step;
		uint8_t *chunk = malloc(n);

		if (!chunk)
			break;
		memcpy(chunk, data + off, n);
		if (station_input(&r, chunk, n, now) < 0) {
			free(chunk);
			if (!r.error[0])
				abort();
			break;
		}
		free(chunk);
		off += n;
		now += 700;
		watch_tick(&w, now);
		step = step * 3 % 4093 + 1;
	}
	if (r.len >= (r.cap ? r.cap : 1) && r.len)
		abort();
	station_router_free(&r, "fuzz", now);
	if (w.routes_kept != 0 || !list_empty(&w.alerts) || !list_empty(&w.steers))
		abort();
	watch_destroy(&w);
	return 0;
}
