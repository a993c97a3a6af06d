// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the BMP station and its detection engine for time, not only for
 * crashes: the input is a small program that one allowed router plays as real
 * BMP bytes (Initiation first, then Peer Up/Down of listed, unlisted and
 * other-instance peers, UPDATEs announcing or withdrawing up to thousands of
 * more-specifics of watched prefixes at once, hijacks of the watched prefixes
 * themselves, ADD-PATH copies, time passing), fed to the station in 64 KiB
 * reads as bgpmon.c does. Many views, routes and alerts follow. The CPU time of
 * each input is measured against a budget linear in the work it asks for
 * (messages, prefixes, routes a Peer Down withdraws): an input that takes
 * longer aborts like a crash, so work that grows faster than the input (a scan
 * per route, steering per alert) is found and kept as a seed. Budget:
 * FLOOD_BUDGET_BASE_US + FLOOD_BUDGET_UNIT_US per unit, generous enough for
 * ASan, UBSan and coverage on a loaded machine.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../../plugins/monitor-bgp/station.h"
#include "../../plugins/monitor-bgp/watch.h"

#define FLOOD_MAX_PREFIXES 20000	/* per input */
#define FLOOD_BUDGET_BASE_US 20000
#define FLOOD_BUDGET_UNIT_US 40

struct out {
	uint8_t *d;
	size_t n, cap;
};

static void put(struct out *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		size_t cap = (b->n + n) * 2;
		uint8_t *d = realloc(b->d, cap);

		if (!d)
			abort();
		b->d = d;
		b->cap = cap;
	}
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void p8(struct out *b, unsigned int v)
{
	uint8_t x = (uint8_t)v;

	put(b, &x, 1);
}

static void p16(struct out *b, unsigned int v)
{
	p8(b, v >> 8);
	p8(b, v & 0xff);
}

static void p32(struct out *b, uint32_t v)
{
	p16(b, v >> 16);
	p16(b, v & 0xffff);
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* peers 100.64.K.1: K 0, 1 carriers; 2 listed without uplink; 3.. not listed */
static uint32_t peer_ip(unsigned int k)
{
	return 0x64400001u | (k & 7) << 8;
}

static const char *uplink_of(void *ctx, const char *peer)
{
	(void)ctx;
	return strcmp(peer, "100.64.0.1") == 0 ? "isp1" :
	       strcmp(peer, "100.64.1.1") == 0 ? "isp2" :
	       strcmp(peer, "100.64.2.1") == 0 ? "" : NULL;
}

static size_t msg_start(struct out *b, unsigned int type, uint32_t ip, unsigned int ptype,
			unsigned int flags)
{
	size_t start = b->n, i;

	p8(b, 3);
	p32(b, 0);
	p8(b, type);
	p8(b, ptype);
	p8(b, flags);
	for (i = 0; i < 8; i++)
		p8(b, ptype ? 7 : 0); /* RD */
	for (i = 0; i < 12; i++)
		p8(b, 0);
	p32(b, ip);
	p32(b, 65001);
	p32(b, ip);
	p32(b, 0);
	p32(b, 0);
	return start;
}

static void msg_end(struct out *b, size_t start)
{
	set32(b->d + start + 1, (uint32_t)(b->n - start));
}

static void open_msg(struct out *b, uint32_t as, uint32_t id, bool addpath)
{
	size_t i;

	for (i = 0; i < 16; i++)
		p8(b, 0xff);
	p16(b, 19 + 10 + 8 + (addpath ? 8 : 0));
	p8(b, 1);
	p8(b, 4);
	p16(b, 23456);
	p16(b, 90);
	p32(b, id);
	p8(b, 8 + (addpath ? 8 : 0));
	p8(b, 2); p8(b, 6); p8(b, 65); p8(b, 4); p32(b, as);
	if (addpath) {
		p8(b, 2); p8(b, 6); p8(b, 69); p8(b, 4); p16(b, 1); p8(b, 1); p8(b, 3);
	}
}

/* Route Monitoring: n prefixes /len from first, step 2^(32-len), announced with an
 * AS path ending in origin (or withdrawn), path ids if addpath */
static void rm(struct out *b, uint32_t ip, uint32_t first, unsigned int len, size_t n,
	       uint32_t origin, bool withdraw, bool addpath, uint32_t path_id)
{
	size_t start = msg_start(b, 0, ip, 0, 0), i, k, bytes = (len + 7) / 8;
	size_t nlri = n * (1 + bytes + (addpath ? 4 : 0));
	size_t attr = withdraw ? 0 : 4 + 3 + 2 + 12 + 7;

	for (i = 0; i < 16; i++)
		p8(b, 0xff);
	p16(b, (unsigned int)(19 + 4 + attr + nlri));
	p8(b, 2);
	p16(b, withdraw ? (unsigned int)nlri : 0);
	if (withdraw)
		goto prefixes;
	p16(b, (unsigned int)attr);
	p8(b, 0x40); p8(b, 1); p8(b, 1); p8(b, 0);
	p8(b, 0x40); p8(b, 2); p8(b, 14); p8(b, 2); p8(b, 3);
	p32(b, 65001); p32(b, 64510); p32(b, origin);
	p8(b, 0x40); p8(b, 3); p8(b, 4); p32(b, ip);
prefixes:
	for (i = 0; i < n; i++) {
		uint32_t a = first + (uint32_t)(len == 32 ? i : i << (32 - len));

		if (addpath)
			p32(b, path_id + (uint32_t)i);
		p8(b, len);
		for (k = 0; k < bytes; k++)
			p8(b, (a >> (24 - 8 * k)) & 0xff);
	}
	if (withdraw)
		p16(b, 0);
	msg_end(b, start);
}

static uint64_t cpu_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct watch_params par = { .flap_max = 20, .flap_window_s = 60,
						 .nexthop_hold_s = 30, .max_routes = 50000,
						 .max_alerts = 5000 };
	static const uint32_t bases[3] = { 0xcb007100u /* 203.0.113.0/24 */,
					   0x64600000u /* 100.96.0.0/12 */,
					   0xc6336400u /* 198.51.100.0/24 */ };
	static const unsigned int blens[3] = { 24, 12, 24 };
	struct watch_rule rules[3];
	struct out b = { 0 };
	struct bmp_router r;
	struct watch w;
	uint64_t units = 0, prefixes = 0, t0, used, budget, now = 1000;
	size_t i = 0, off, sz, step;
	bool addpath[8] = { false };
	uint64_t cursor[3] = { 0 }, space, first;

	memset(rules, 0, sizeof(rules));
	bgp_prefix_parse("203.0.113.0/24", &rules[0].prefix);
	rules[0].origin_as[0] = 64500;
	rules[0].n_origin = 1;
	memcpy(rules[0].tunnel, "hq", 3);
	rules[0].route = true;
	bgp_prefix_parse("100.96.0.0/12", &rules[1].prefix);
	rules[1].origin_as[0] = 64500;
	rules[1].n_origin = 1;
	bgp_prefix_parse("198.51.100.0/24", &rules[2].prefix);
	rules[2].origin_as[0] = 64500;
	rules[2].n_origin = 1;
	rules[2].more_specifics = true;

	t0 = cpu_us();
	watch_init(&w, NULL, NULL);
	if (watch_set_rules(&w, rules, 3, &par, now) < 0)
		return 0;
	station_router_init(&r, &w, &(const struct station_ops){ .uplink_of = uplink_of }, NULL,
			    "router flood");
	/* Initiation */
	p8(&b, 3); p32(&b, 6 + 4 + 5); p8(&b, 4);
	p16(&b, 2); p16(&b, 5); put(&b, "flood", 5);
	units++;
	while (i + 3 <= size && prefixes < FLOOD_MAX_PREFIXES) {
		unsigned int op = data[i] & 7, k = data[i] >> 3 & 7, x = data[i + 1], y = data[i + 2];
		unsigned int rule = x % 3, len;
		size_t n, start;

		i += 3;
		units++;
		switch (op) {
		case 0: /* Peer Up, ADD-PATH if y is odd */
			start = msg_start(&b, 3, peer_ip(k), 0, 0);
			for (n = 0; n < 12; n++)
				p8(&b, 0);
			p32(&b, peer_ip(k) + 1);
			p16(&b, 179);
			p16(&b, 40000);
			open_msg(&b, 65000, peer_ip(k) + 1, y & 1);
			open_msg(&b, 65001, peer_ip(k), y & 1);
			msg_end(&b, start);
			addpath[k] = y & 1;
			break;
		case 1: /* Peer Down: all of that view's routes go */
			start = msg_start(&b, 2, peer_ip(k), 0, 0);
			p8(&b, 4);
			msg_end(&b, start);
			units += w.routes_kept;
			break;
		case 2: /* a flood of more-specifics, new ones each time */
		case 3: /* ... or the withdrawal of the latest ones */
			len = blens[rule] + 1 + y % (32 - blens[rule]);
			space = (uint64_t)1 << (len - blens[rule]);
			n = 1 + ((size_t)x << 4 | (y >> 4)) % 4000;
			if (n > space)
				n = space;
			if (op == 3)
				cursor[rule] -= n;
			first = cursor[rule] % space;
			if (first + n > space)
				first = space - n;
			if (op == 2)
				cursor[rule] += n;
			for (off = 0; off < n; off += 500)
				rm(&b, peer_ip(k), bases[rule] + (uint32_t)((first + off) << (32 - len)),
				   len, n - off < 500 ? n - off : 500, y & 8 ? 64666 : 64500, op == 3,
				   addpath[k], (uint32_t)off);
			prefixes += n;
			units += n;
			break;
		case 4: /* the watched prefix itself: clean, hijacked or withdrawn */
			rm(&b, peer_ip(k), bases[rule], blens[rule], 1, y % 3 ? 64500 : 64666,
			   y % 5 == 0, addpath[k], y);
			break;
		case 5: /* another instance (RD) of the same peer address */
			start = b.n;
			rm(&b, peer_ip(k), bases[rule], blens[rule], 1, 64666, false, false, 0);
			b.d[start + 6] = 1;
			break;
		case 6: /* time passes */
			now += (uint64_t)x * 1000;
			break;
		default: /* Termination-free noise: a statistics report */
			start = msg_start(&b, 1, peer_ip(k), 0, 0);
			p32(&b, 0);
			msg_end(&b, start);
			break;
		}
	}
	/* fed as the daemon reads: 64 KiB at a time */
	for (off = 0; off < b.n; off += sz) {
		uint8_t *chunk;

		sz = b.n - off < 65536 ? b.n - off : 65536;
		chunk = malloc(sz);
		if (!chunk)
			abort();
		memcpy(chunk, b.d + off, sz);
		if (station_input(&r, chunk, sz, now) < 0) {
			free(chunk);
			break;
		}
		free(chunk);
		watch_tick(&w, now);
	}
	step = w.routes_kept;
	station_router_free(&r, "fuzz", now);
	units += step;
	watch_destroy(&w);
	free(b.d);
	used = cpu_us() - t0;
	budget = FLOOD_BUDGET_BASE_US + units * FLOOD_BUDGET_UNIT_US;
	if (getenv("FLOOD_VERBOSE"))
		fprintf(stderr, "%llu us of CPU for %llu units (budget %llu us)\n",
			(unsigned long long)used, (unsigned long long)units,
			(unsigned long long)budget);
	if (used > budget) {
		fprintf(stderr, "slow input: %llu us of CPU for %llu units of work (budget %llu us)\n",
			(unsigned long long)used, (unsigned long long)units,
			(unsigned long long)budget);
		abort();
	}
	return 0;
}
