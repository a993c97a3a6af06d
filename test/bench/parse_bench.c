// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: parse_bench - in-process throughput of the parsers of outside bytes
 *
 *   parse_bench CONFIG_FILE
 *
 * Prints one JSON object: configuration loads per second (libconfig + schema +
 * cross references, from memory), control requests parsed per second, ICMP echo
 * replies and DNS replies checked per second. Linked with the real parser
 * sources by the Makefile (build/tools/parse_bench); the plugin list is its own.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "config.h"
#include "command.h"
#include "control.h"
#include "plugin.h"
#include "../../plugins/probe-dns/dns_wire.h"
#include "../../plugins/probe-icmp/icmp_wire.h"

static const struct plugin bench_icmp = { .name = "icmp", .kind = PLUGIN_PROBE };
const struct plugin *const plugins[] = { &bench_icmp, NULL };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Run fn until at least 0.5 s passed; returns calls per second. */
#define RATE(expr)                                                      \
	({                                                              \
		double t0 = now_s(), t;                                 \
		unsigned long n = 0;                                    \
		do {                                                    \
			for (int i_ = 0; i_ < 64; i_++, n++)            \
				expr;                                   \
			t = now_s() - t0;                               \
		} while (t < 0.5);                                      \
		(double)n / t;                                          \
	})

int main(int argc, char **argv)
{
	static const char req[] = "{\"cmd\":\"events\",\"count\":20}";
	struct icmp_echo e = { .id = 1, .magic = 2, .seq = 3, .idx = 0 }, r;
	uint8_t pkt[20 + 128], q[DNS_NAME_MAX + 1], dq[512];
	struct command_req creq;
	char err[256], *text;
	const char *why;
	double cfg_rate, ctl_rate, icmp_rate, dns_rate;
	uint16_t id;
	int len, ql, dl, rcode;
	long size;
	FILE *f;

	if (argc != 2 || !(f = fopen(argv[1], "r"))) {
		fprintf(stderr, "usage: parse_bench CONFIG_FILE\n");
		return 2;
	}
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	text = calloc(1, (size_t)size + 1);
	if (!text || fread(text, 1, (size_t)size, f) != (size_t)size)
		return 1;
	fclose(f);

	cfg_rate = RATE({
		struct cfg_diag d = { 0 };

		config_free(config_load_string(text, "bench.conf", &d));
		cfg_diag_free(&d);
	});
	ctl_rate = RATE(control_req_parse(req, sizeof(req) - 1, &creq, err, sizeof(err)));

	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[9] = 1;
	len = icmp_echo_build(pkt + 20, sizeof(pkt) - 20, AF_INET, &e, 56);
	pkt[20] = 0; /* as a reply; the checksum is wrong, so the full path runs */
	icmp_rate = RATE(icmp_reply_parse(pkt, 20 + (size_t)len, AF_INET, &r, &why));

	ql = dns_name_encode("example.org", q, sizeof(q));
	dl = dns_query_build(dq, sizeof(dq), 7, q, (size_t)ql, 1);
	dq[2] |= 0x80;
	dns_rate = RATE(dns_reply_parse(dq, (size_t)dl, q, (size_t)ql, 1, &id, &rcode, &why));

	printf("{\"config_loads_per_s\":%.0f,\"config_bytes\":%ld,\"control_requests_per_s\":%.0f,"
	       "\"icmp_replies_per_s\":%.0f,\"dns_replies_per_s\":%.0f}\n",
	       cfg_rate, size, ctl_rate, icmp_rate, dns_rate);
	free(text);
	return 0;
}
