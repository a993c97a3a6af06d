// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: icmp_wire.c - build echo requests, parse and match echo replies (pure, fuzzed)
 *
 * Owns the echo payload format described in icmp_wire.h. Touches no socket and
 * no state. Called by icmp.c, test/unit/probe_icmp_test.c and
 * test/fuzz/icmp_fuzz.c. Every bad packet leaves through one exit,
 * DROP(reason, value), with the offending value for the caller's log.
 */
#include "icmp_wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define ICMP_HDR 8
#define OFF_MAGIC 0
#define OFF_SEQ 4
#define OFF_IDX 8
#define OFF_ID 10
#define OFF_TAG 12
#define ICMP_TAG "UPLK"

#define ICMP4_ECHO_REPLY 0
#define ICMP4_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST_T 128
#define ICMP6_ECHO_REPLY_T 129

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;

	for (; len > 1; p += 2, len -= 2)
		sum += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

int icmp_echo_build(void *buf, size_t len, int family, const struct icmp_echo *e, size_t size)
{
	uint8_t *p = buf;
	size_t i, total = ICMP_HDR + size;

	if (size < ICMP_PAYLOAD_MIN || size > ICMP_PAYLOAD_MAX || total > len)
		return -ENOSPC;
	memset(p, 0, ICMP_HDR);
	p[0] = family == AF_INET6 ? ICMP6_ECHO_REQUEST_T : ICMP4_ECHO_REQUEST;
	put16(p + 4, e->id);
	put16(p + 6, (uint16_t)e->seq);
	p += ICMP_HDR;
	put32(p + OFF_MAGIC, e->magic);
	put32(p + OFF_SEQ, e->seq);
	put16(p + OFF_IDX, e->idx);
	put16(p + OFF_ID, e->id);
	memcpy(p + OFF_TAG, ICMP_TAG, 4);
	for (i = ICMP_PAYLOAD_MIN; i < size; i++)
		p[i] = (uint8_t)i;
	p -= ICMP_HDR;
	if (family == AF_INET)
		put16(p + 2, csum(p, total));
	return (int)total;
}

/* BIRD's idiom: the one way out for a packet we do not take. */
#define DROP(reason, val)                 \
	do {                              \
		*why = (reason);          \
		*value = (uint32_t)(val); \
		return -EBADMSG;          \
	} while (0)

static int parse(const uint8_t *p, size_t len, int family, struct icmp_echo *e,
		 const char **why, uint32_t *value)
{
	uint8_t want = family == AF_INET6 ? ICMP6_ECHO_REPLY_T : ICMP4_ECHO_REPLY;

	if (family != AF_INET && family != AF_INET6)
		DROP("unknown address family", family);
	if (family == AF_INET) {
		size_t ihl, tot;

		if (len < 20)
			DROP("shorter than an IPv4 header", len);
		if (p[0] >> 4 != 4)
			DROP("not IPv4", p[0] >> 4);
		ihl = (size_t)(p[0] & 0x0f) * 4;
		if (ihl < 20 || ihl > len)
			DROP("bad IPv4 header length", ihl);
		tot = get16(p + 2);
		if (tot < ihl || tot > len)
			DROP("IPv4 total length disagrees with what arrived", tot);
		if (get16(p + 6) & 0x3fff)
			DROP("an IPv4 fragment", get16(p + 6));
		if (p[9] != IPPROTO_ICMP)
			DROP("not ICMP", p[9]);
		p += ihl;
		len = tot - ihl;
	}
	if (len < ICMP_HDR + ICMP_PAYLOAD_MIN)
		DROP("too short for our echo reply", len);
	if (p[0] != want)
		DROP("not an echo reply", p[0]);
	if (p[1] != 0)
		DROP("echo reply with a nonzero code", p[1]);
	/* the kernel checks ICMPv6 checksums; IPv4 raw sockets see them unchecked */
	if (family == AF_INET && csum(p, len) != 0)
		DROP("bad ICMP checksum", get16(p + 2));
	if (memcmp(p + ICMP_HDR + OFF_TAG, ICMP_TAG, 4))
		DROP("not an uplinkd echo", get32(p + ICMP_HDR + OFF_TAG));
	e->id = get16(p + 4);
	e->magic = get32(p + ICMP_HDR + OFF_MAGIC);
	e->seq = get32(p + ICMP_HDR + OFF_SEQ);
	e->idx = get16(p + ICMP_HDR + OFF_IDX);
	if (get16(p + ICMP_HDR + OFF_ID) != e->id)
		DROP("echo id differs from the one in the payload", e->id);
	if ((uint16_t)e->seq != get16(p + 6))
		DROP("echo seq differs from the one in the payload", get16(p + 6));
	return 0;
}

int icmp_reply_parse(const void *buf, size_t len, int family, struct icmp_echo *e,
		     const char **why)
{
	uint32_t value;

	return parse(buf, len, family, e, why, &value);
}

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			       &((const struct sockaddr_in6 *)b)->sin6_addr,
			       sizeof(struct in6_addr));
	return false;
}

int icmp_reply_match(const void *buf, size_t len, int family,
		     const struct sockaddr_storage *from, const struct icmp_match *m,
		     struct icmp_echo *e, const char **why, uint32_t *value)
{
	if (parse(buf, len, family, e, why, value) < 0)
		return -EBADMSG;
	if (e->id != m->id)
		DROP("another program's echo id", e->id);
	if (e->magic != m->magic)
		DROP("another uplinkd instance's magic", e->magic);
	if (e->idx >= m->ntargets)
		DROP("target index out of range", e->idx);
	if (m->targets[e->idx].family != family)
		DROP("target of another address family", e->idx);
	if (!same_addr(from, &m->targets[e->idx].addr))
		DROP("not from the target's address", e->idx);
	return 0;
}
