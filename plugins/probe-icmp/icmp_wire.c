// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: icmp_wire.c - build echo requests, parse echo replies (pure, fuzzed)
 *
 * Called by icmp.c, the unit test and the fuzzer. Bad packets leave through
 * one exit, DROP(reason).
 */
#include "icmp_wire.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#define ICMP_MAGIC_OFF 0
#define ICMP_SEQ_OFF 4
#define ICMP_IDX_OFF 8

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
	size_t i, total = 8 + size;

	if (size < ICMP_PAYLOAD_MIN || total > len)
		return -ENOSPC;
	memset(p, 0, total);
	p[0] = family == AF_INET6 ? 128 : 8; /* echo request */
	put16(p + 4, e->id);
	put16(p + 6, (uint16_t)e->seq);
	put32(p + 8 + ICMP_MAGIC_OFF, e->magic);
	put32(p + 8 + ICMP_SEQ_OFF, e->seq);
	put16(p + 8 + ICMP_IDX_OFF, e->idx);
	for (i = 8 + ICMP_IDX_OFF + 2; i < total; i++)
		p[i] = (uint8_t)i;
	if (family == AF_INET)
		put16(p + 2, csum(p, total));
	return (int)total;
}

#define DROP(reason)                    \
	do {                            \
		*why = (reason);        \
		return -EBADMSG;        \
	} while (0)

int icmp_reply_parse(const void *buf, size_t len, int family, struct icmp_echo *e,
		     const char **why)
{
	const uint8_t *p = buf;
	uint8_t want = family == AF_INET6 ? 129 : 0;

	if (family == AF_INET) {
		size_t ihl;

		if (len < 20)
			DROP("shorter than an IPv4 header");
		if (p[0] >> 4 != 4)
			DROP("not IPv4");
		ihl = (size_t)(p[0] & 0x0f) * 4;
		if (ihl < 20 || ihl > len)
			DROP("bad IPv4 header length");
		if (p[9] != IPPROTO_ICMP)
			DROP("not ICMP");
		p += ihl;
		len -= ihl;
	}
	if (len < 8 + ICMP_PAYLOAD_MIN)
		DROP("too short for our echo reply");
	if (p[0] != want || p[1] != 0)
		DROP("not an echo reply");
	if (family == AF_INET && csum(p, len) != 0)
		DROP("bad ICMP checksum");
	e->id = get16(p + 4);
	e->magic = get32(p + 8 + ICMP_MAGIC_OFF);
	e->seq = get32(p + 8 + ICMP_SEQ_OFF);
	e->idx = get16(p + 8 + ICMP_IDX_OFF);
	if ((uint16_t)e->seq != get16(p + 6))
		DROP("payload seq does not match the header");
	return 0;
}
