/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: icmp_wire.h - ICMP/ICMPv6 echo messages uplinkd sends and accepts
 *
 * Pure: build an echo request, parse what a raw socket delivers, and decide
 * whether a reply answers one of our probes. The echo id is a random 16-bit id
 * per plugin instance and the header's sequence field carries the low 16 bits
 * of the core's 32-bit seq. Our payload (ICMP_PAYLOAD_MIN bytes, then a fill
 * pattern) carries:
 *
 *   0  magic   32 bits, random per instance
 *   4  seq     the full 32-bit probe seq
 *   8  idx     16 bits, the target's index in the probe block
 *  10  id      16 bits, the instance's echo id again
 *  12  "UPLK"  so a stray packet that happens to match id and magic is rare
 *
 * so stray replies (other programs' pings, other uplinks' probes) are rejected.
 */
#ifndef UPLINKD_ICMP_WIRE_H
#define UPLINKD_ICMP_WIRE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "probe.h"

#define ICMP_PAYLOAD_MIN 16
#define ICMP_PAYLOAD_MAX 1400

struct icmp_echo {
	uint16_t id;
	uint32_t magic;
	uint32_t seq;
	uint16_t idx;
};

/* Who we are, to tell our replies from everyone else's. */
struct icmp_match {
	uint16_t id;
	uint32_t magic;
	const struct probe_target *targets;
	size_t ntargets;
};

/* Echo request (v4: with checksum; v6: the kernel fills it) with `size` payload
 * bytes into buf; returns the length or -ENOSPC (size out of range, buf short). */
int icmp_echo_build(void *buf, size_t len, int family, const struct icmp_echo *e, size_t size);

/* What a raw socket delivered: for AF_INET the IPv4 header comes first. Returns 0
 * with the echo reply's fields, or -EBADMSG with *why set (not an echo reply,
 * truncated, not in our format). Says nothing about whose reply it is. */
int icmp_reply_parse(const void *buf, size_t len, int family, struct icmp_echo *e,
		     const char **why);

/* icmp_reply_parse() plus: the id and magic are m's, e->idx names one of m's
 * targets and `from` is that target's address. Returns 0, or -EBADMSG with *why
 * and *value (the offending field) set. */
int icmp_reply_match(const void *buf, size_t len, int family,
		     const struct sockaddr_storage *from, const struct icmp_match *m,
		     struct icmp_echo *e, const char **why, uint32_t *value);

#endif
