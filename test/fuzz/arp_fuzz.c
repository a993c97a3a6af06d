// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz arp_reply_match() (and so arp_parse()) as the arping probe runs it: our
 * hardware address 02:00:00:00:00:01 and 100.64.1.2 (then 0.0.0.0, an RFC 5227
 * probe), targets 100.64.1.1 and 100.64.1.9. The input, copied into an exact-size
 * buffer, is what an AF_PACKET SOCK_DGRAM socket reads; seeds in corpus/arp/.
 * Aborts on a broken invariant: a match is a reply, from the target it names, to us.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/probe-arping/arp_wire.h"

static void check(const uint8_t *buf, size_t size, const struct arp_match *m)
{
	struct arp_pkt p;
	const char *why = NULL;
	size_t idx = 99;
	int rc;

	rc = arp_reply_match(buf, size, m, &idx, &why);
	if (rc < 0) {
		if (!why)
			abort(); /* every drop names its reason */
		return;
	}
	if (idx >= m->ntargets || arp_parse(buf, size, &p, &why) < 0)
		abort();
	if (p.op != ARP_OP_REPLY || memcmp(p.tha, m->sha, 6) || p.tpa.s_addr != m->sip.s_addr ||
	    p.spa.s_addr != m->tips[idx].s_addr || !p.spa.s_addr)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in_addr tips[2];
	struct arp_match m = { .sha = { 2, 0, 0, 0, 0, 1 }, .tips = tips, .ntargets = 2 };
	uint8_t *buf = malloc(size ? size : 1), req[ARP_PKT_LEN];
	struct arp_pkt p;
	const char *why;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	inet_pton(AF_INET, "100.64.1.1", &tips[0]);
	inet_pton(AF_INET, "100.64.1.9", &tips[1]);
	inet_pton(AF_INET, "100.64.1.2", &m.sip);
	check(buf, size, &m);
	m.sip.s_addr = 0;
	check(buf, size, &m);
	/* our own request parses back to what was built */
	if (size >= 4) {
		struct in_addr tip;

		memcpy(&tip, buf, 4);
		if (arp_request_build(req, sizeof(req), m.sha, m.sip, tip) != ARP_PKT_LEN ||
		    arp_parse(req, sizeof(req), &p, &why) < 0 || p.op != ARP_OP_REQUEST ||
		    p.tpa.s_addr != tip.s_addr)
			abort();
	}
	free(buf);
	return 0;
}
