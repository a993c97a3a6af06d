// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: dns_wire.c - build the query, check replies (pure, fuzzed)
 *
 * Called by dns.c, the unit test and the fuzzer. Bad packets leave through one
 * exit, DROP(reason).
 */
#include "dns_wire.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define DNS_HDR 12

int dns_name_encode(const char *name, uint8_t *out, size_t len)
{
	size_t o = 0;
	const char *p = name;

	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);

		if (l == 0) {
			if (dot && dot[1] == '\0' && p == name)
				break; /* "." alone: the root */
			if (!dot || dot[1] != '\0')
				return -EINVAL; /* empty label */
			break;
		}
		if (l > 63 || o + 1 + l + 1 > len || o + 1 + l + 1 > DNS_NAME_MAX)
			return -EINVAL;
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		if (!dot)
			break;
		p = dot + 1;
	}
	if (o + 1 > len)
		return -EINVAL;
	out[o++] = 0;
	return (int)o;
}

int dns_query_build(void *buf, size_t len, uint16_t id, const uint8_t *qname, size_t qlen,
		    uint16_t qtype)
{
	uint8_t *p = buf;

	if (len < DNS_HDR + qlen + 4)
		return -ENOSPC;
	memset(p, 0, DNS_HDR);
	p[0] = (uint8_t)(id >> 8);
	p[1] = (uint8_t)id;
	p[5] = 1; /* QDCOUNT */
	memcpy(p + DNS_HDR, qname, qlen);
	p[DNS_HDR + qlen] = (uint8_t)(qtype >> 8);
	p[DNS_HDR + qlen + 1] = (uint8_t)qtype;
	p[DNS_HDR + qlen + 2] = 0;
	p[DNS_HDR + qlen + 3] = 1; /* class IN */
	return (int)(DNS_HDR + qlen + 4);
}

#define DROP(reason)                    \
	do {                            \
		*why = (reason);        \
		return -EBADMSG;        \
	} while (0)

int dns_reply_parse(const void *buf, size_t len, const uint8_t *qname, size_t qlen,
		    uint16_t qtype, uint16_t *id, int *rcode, const char **why)
{
	const uint8_t *p = buf;
	size_t i;

	if (len < DNS_HDR)
		DROP("shorter than a DNS header");
	if (!(p[2] & 0x80))
		DROP("a query, not a response");
	if (p[4] != 0 || p[5] != 1)
		DROP("not exactly one question");
	if (len < DNS_HDR + qlen + 4)
		DROP("truncated question");
	for (i = 0; i < qlen; i++) {
		uint8_t a = p[DNS_HDR + i], b = qname[i];

		if (a != b && tolower(a) != tolower(b))
			DROP("a different question");
	}
	if (p[DNS_HDR + qlen] != (uint8_t)(qtype >> 8) || p[DNS_HDR + qlen + 1] != (uint8_t)qtype ||
	    p[DNS_HDR + qlen + 2] != 0 || p[DNS_HDR + qlen + 3] != 1)
		DROP("a different question type or class");
	*id = (uint16_t)(p[0] << 8 | p[1]);
	*rcode = p[3] & 0x0f;
	return 0;
}
