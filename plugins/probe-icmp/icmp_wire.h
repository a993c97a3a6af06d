/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: icmp_wire.h - ICMP/ICMPv6 echo messages uplinkd sends and accepts
 *
 * Pure: build an echo request, parse what a raw socket delivers. Our payload
 * starts with a magic, the 32-bit probe seq and the target index, so stray
 * replies (other programs' pings, other uplinks' probes) are rejected.
 */
#ifndef UPLINKD_ICMP_WIRE_H
#define UPLINKD_ICMP_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define ICMP_PAYLOAD_MIN 16

struct icmp_echo {
	uint16_t id;
	uint32_t magic;
	uint32_t seq;
	uint16_t idx;
};

/* Echo request (v4: with checksum; v6: the kernel fills it) with `size` payload
 * bytes into buf; returns the length or -ENOSPC. */
int icmp_echo_build(void *buf, size_t len, int family, const struct icmp_echo *e, size_t size);

/* What a raw socket delivered: for AF_INET the IPv4 header comes first. Returns 0
 * with the echo reply's fields, or -EBADMSG with *why set (not an echo reply,
 * truncated, not ours). */
int icmp_reply_parse(const void *buf, size_t len, int family, struct icmp_echo *e,
		     const char **why);

#endif
