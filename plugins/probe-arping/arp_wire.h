/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: arp_wire.h - the ARP request uplinkd sends and the replies it accepts
 *
 * Pure. Ethernet/IPv4 ARP (RFC 826) as an AF_PACKET SOCK_DGRAM socket sees it:
 * the 28-byte ARP packet, without the Ethernet header. A reply counts when it
 * is an ARP reply (op 2) for Ethernet and IPv4, from one of the targets (its
 * sender protocol address), addressed to us: our hardware address as target
 * hardware address and our IPv4 address (0.0.0.0 when the interface has none:
 * an RFC 5227 probe) as target protocol address. ARP carries no sequence
 * number, so the reply answers the target's latest request.
 */
#ifndef UPLINKD_ARP_WIRE_H
#define UPLINKD_ARP_WIRE_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define ARP_PKT_LEN 28
#define ARP_OP_REQUEST 1
#define ARP_OP_REPLY 2

struct arp_pkt {
	uint16_t op;
	uint8_t sha[6];
	struct in_addr spa;
	uint8_t tha[6];
	struct in_addr tpa;
};

/* "Who has tip? Tell sip (sha)": ARP_PKT_LEN bytes into buf, or -ENOSPC. */
int arp_request_build(void *buf, size_t len, const uint8_t sha[6], struct in_addr sip,
		      struct in_addr tip);
/* An Ethernet/IPv4 ARP packet (trailing padding allowed): 0 with *p, or -EBADMSG with *why. */
int arp_parse(const void *buf, size_t len, struct arp_pkt *p, const char **why);

/* What one plugin instance expects. */
struct arp_match {
	uint8_t sha[6];		    /* our hardware address */
	struct in_addr sip;	    /* our address in the requests */
	const struct in_addr *tips; /* per target: the address asked for; 0.0.0.0: none now */
	size_t ntargets;
};

/* arp_parse() plus: a reply from a target, to us. 0 with the target in *idx, or -EBADMSG
 * with *why. */
int arp_reply_match(const void *buf, size_t len, const struct arp_match *m, size_t *idx,
		    const char **why);

#endif
