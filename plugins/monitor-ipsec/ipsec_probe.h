/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: ipsec_probe.h - the in-tunnel ICMP probe of one tunnel
 *
 * An ICMP echo from probe.source (an address inside the local traffic
 * selector) to probe.target (inside the remote one), so that the kernel routes
 * it into the tunnel and both directions carry ESP. A raw IPv4 socket bound to
 * the source; replies matched by source address, identifier and sequence. Each
 * probe is judged when the next one is sent (interval = timeout) or when the
 * reply arrives; the result goes to the owner's callback.
 *
 * Every echo carries a new ICMP identifier (ipsec_probe_id()), so each one is
 * a conntrack flow of its own. With one identifier, the echoes sent while the
 * CHILD_SA did not exist yet (or was being replaced) leave in the clear out of
 * a WAN, get masqueraded there, and that NAT binding, refreshed by every later
 * echo, keeps rewriting the source to the WAN's address after the SA is up:
 * the XFRM policy (100.80.0.0/24 -> remote) no longer matches, the echo leaves
 * unencrypted and the tunnel looks down although LAN traffic crosses it (kernel
 * ESP, charon kernel-netlink).
 */
#ifndef UPLINKD_IPSEC_PROBE_H
#define UPLINKD_IPSEC_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "loop.h"

struct ipsec_probe {
	struct loop *loop;
	struct loop_fd fd;
	struct in_addr src, dst;
	uint16_t id, seq;		/* id: the base; the echo in flight uses ipsec_probe_id(id, seq) */
	bool outstanding;		/* the last echo is not judged yet */
	uint64_t sent, answered;
	void (*result)(struct ipsec_probe *p, bool answered);
};

/* Pure: the ICMP identifier of echo number seq (a new one for each echo). */
uint16_t ipsec_probe_id(uint16_t base, uint16_t seq);
/* Pure: write an echo request (8-byte header + payload) with its checksum. */
size_t ipsec_probe_build(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq);
/* Pure: is pkt (IPv4 header + ICMP) an echo reply from `from` for (id, seq)? */
bool ipsec_probe_match(const uint8_t *pkt, size_t len, struct in_addr from, uint16_t id,
		       uint16_t seq);

int ipsec_probe_open(struct ipsec_probe *p, struct loop *l, const char *source,
		     const char *target, uint16_t id,
		     void (*result)(struct ipsec_probe *p, bool answered));
void ipsec_probe_close(struct ipsec_probe *p);
/* Judge the previous echo (lost if unanswered), send the next. */
void ipsec_probe_send(struct ipsec_probe *p);

#endif
