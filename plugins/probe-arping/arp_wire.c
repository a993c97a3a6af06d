// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: arp_wire.c - building ARP requests and judging ARP replies (pure)
 *
 * See arp_wire.h. Every refusal leaves through one DROP(reason) exit. Called
 * by arping.c, its unit test and the arp fuzzer; calls only libc.
 */
#include "arp_wire.h"

#include <errno.h>
#include <string.h>

#define ARP_HTYPE_ETHER 1
#define ARP_PTYPE_IPV4 0x0800

#define DROP(reason)          \
	do {                  \
		*why = reason; \
		return -EBADMSG; \
	} while (0)

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

int arp_request_build(void *buf, size_t len, const uint8_t sha[6], struct in_addr sip,
		      struct in_addr tip)
{
	uint8_t *p = buf;

	if (len < ARP_PKT_LEN)
		return -ENOSPC;
	put16(p, ARP_HTYPE_ETHER);
	put16(p + 2, ARP_PTYPE_IPV4);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, ARP_OP_REQUEST);
	memcpy(p + 8, sha, 6);
	memcpy(p + 14, &sip, 4);
	memset(p + 18, 0, 6); /* target hardware address: unknown */
	memcpy(p + 24, &tip, 4);
	return ARP_PKT_LEN;
}

int arp_parse(const void *buf, size_t len, struct arp_pkt *pkt, const char **why)
{
	const uint8_t *p = buf;

	if (len < ARP_PKT_LEN)
		DROP("shorter than an Ethernet/IPv4 ARP packet");
	if (get16(p) != ARP_HTYPE_ETHER || get16(p + 2) != ARP_PTYPE_IPV4 || p[4] != 6 ||
	    p[5] != 4)
		DROP("not Ethernet/IPv4 ARP");
	pkt->op = get16(p + 6);
	memcpy(pkt->sha, p + 8, 6);
	memcpy(&pkt->spa, p + 14, 4);
	memcpy(pkt->tha, p + 18, 6);
	memcpy(&pkt->tpa, p + 24, 4);
	*why = NULL;
	return 0;
}

int arp_reply_match(const void *buf, size_t len, const struct arp_match *m, size_t *idx,
		    const char **why)
{
	struct arp_pkt p;
	size_t i;

	if (arp_parse(buf, len, &p, why) < 0)
		return -EBADMSG;
	if (p.op != ARP_OP_REPLY)
		DROP("not an ARP reply");
	if (memcmp(p.tha, m->sha, 6))
		DROP("a reply to another host's hardware address");
	if (p.tpa.s_addr != m->sip.s_addr)
		DROP("a reply to another IPv4 address");
	if (p.spa.s_addr == 0 || p.spa.s_addr == m->sip.s_addr)
		DROP("a reply from no address, or from ours");
	for (i = 0; i < m->ntargets; i++) {
		if (m->tips[i].s_addr && m->tips[i].s_addr == p.spa.s_addr) {
			*idx = i;
			*why = NULL;
			return 0;
		}
	}
	DROP("a reply from an address we did not ask for");
}
