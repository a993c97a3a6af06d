// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: dns_wire.c - build the query, check and match replies (pure, fuzzed)
 *
 * Owns the DNS wire format of the dns probe: one question, no EDNS, RD clear.
 * Touches no socket and no state. Called by dns.c, test/unit/probe_dns_test.c
 * and test/fuzz/dns_fuzz.c. Every bad packet leaves through one exit,
 * DROP(reason, value), with the offending value for the caller's log.
 */
#include "dns_wire.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#define DNS_HDR 12
#define DNS_RR_FIXED 10 /* type, class, ttl, rdlength */

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

int dns_name_encode(const char *name, uint8_t *out, size_t len)
{
	const char *p = name;
	size_t o = 0, l, i;

	if (!strcmp(name, "."))
		p = ""; /* the root */
	else if (!*name)
		return -EINVAL;
	while (*p) {
		const char *dot = strchr(p, '.');

		l = dot ? (size_t)(dot - p) : strlen(p);
		if (l == 0 || l > 63 || o + 1 + l + 1 > DNS_NAME_MAX || o + 1 + l + 1 > len)
			return -EINVAL;
		for (i = 0; i < l; i++)
			if ((uint8_t)p[i] <= ' ' || (uint8_t)p[i] >= 0x7f)
				return -EINVAL;
		out[o++] = (uint8_t)l;
		memcpy(out + o, p, l);
		o += l;
		p += l + (dot ? 1 : 0);
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

	if (qlen < 1 || qlen > DNS_NAME_MAX || len < DNS_HDR + qlen + 4)
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

/* BIRD's idiom: the one way out for a packet we do not take. */
#define DROP(reason, val)                 \
	do {                              \
		*why = (reason);          \
		*value = (uint32_t)(val); \
		return -EBADMSG;          \
	} while (0)

static bool same_char(uint8_t a, uint8_t b)
{
	if (a == b)
		return true;
	if ((a | 0x20) != (b | 0x20))
		return false;
	a |= 0x20;
	return a >= 'a' && a <= 'z'; /* names compare ASCII letters without case */
}

/* Skip a name at *off (labels, ending in a root label or a pointer). */
static int skip_name(const uint8_t *p, size_t len, size_t *off, const char **why,
		     uint32_t *value)
{
	size_t o = *off, wire = 0;

	for (;;) {
		uint8_t b;

		if (o >= len)
			DROP("record name runs past the end", o);
		b = p[o];
		if ((b & 0xc0) == 0xc0) {
			if (o + 2 > len)
				DROP("compression pointer runs past the end", o);
			o += 2;
			break;
		}
		if (b & 0xc0)
			DROP("unknown label type", b);
		wire += 1u + b;
		if (wire > DNS_NAME_MAX)
			DROP("record name longer than 255 bytes", o);
		o += 1u + b;
		if (!b)
			break;
	}
	*off = o;
	return 0;
}

static int parse(const uint8_t *p, size_t len, const uint8_t *qname, size_t qlen,
		 uint16_t qtype, struct dns_hit *hit, const char **why, uint32_t *value)
{
	size_t i, off, nrr;

	if (len < DNS_HDR)
		DROP("shorter than a DNS header", len);
	if (!(p[2] & 0x80))
		DROP("a query, not a response", p[2]);
	if ((p[2] >> 3 & 0x0f) != 0)
		DROP("not a response to a standard query (opcode)", p[2] >> 3 & 0x0f);
	if (get16(p + 4) != 1)
		DROP("not exactly one question", get16(p + 4));
	if (len < DNS_HDR + qlen + 4)
		DROP("truncated question", len);
	for (i = 0; i < qlen; i++)
		if (!same_char(p[DNS_HDR + i], qname[i]))
			DROP("a different question", DNS_HDR + i);
	off = DNS_HDR + qlen;
	if (get16(p + off) != qtype)
		DROP("a different question type", get16(p + off));
	if (get16(p + off + 2) != 1)
		DROP("a different question class", get16(p + off + 2));
	off += 4;
	hit->id = get16(p);
	hit->rcode = p[3] & 0x0f;
	if (p[2] & 0x02)
		return 0; /* TC: the records are cut, but the path carried our query both ways */
	nrr = (size_t)get16(p + 6) + get16(p + 8) + get16(p + 10);
	for (i = 0; i < nrr; i++) {
		size_t rdlen;

		if (skip_name(p, len, &off, why, value) < 0)
			return -EBADMSG;
		if (len - off < DNS_RR_FIXED)
			DROP("record header runs past the end", off);
		rdlen = get16(p + off + 8);
		off += DNS_RR_FIXED;
		if (len - off < rdlen)
			DROP("record data runs past the end", off);
		off += rdlen;
	}
	return 0;
}

int dns_reply_parse(const void *buf, size_t len, const uint8_t *qname, size_t qlen,
		    uint16_t qtype, uint16_t *id, int *rcode, const char **why)
{
	struct dns_hit hit;
	uint32_t value;

	if (parse(buf, len, qname, qlen, qtype, &hit, why, &value) < 0)
		return -EBADMSG;
	*id = hit.id;
	*rcode = hit.rcode;
	return 0;
}

int dns_id_to_seq(uint16_t id, uint16_t salt, uint32_t next_seq, uint32_t *seq)
{
	uint32_t last, back;

	if (!next_seq)
		return -ENOENT;
	last = next_seq - 1;
	back = (uint16_t)((uint16_t)last - (uint16_t)(id ^ salt));
	if (back >= DNS_ID_WINDOW || back > last)
		return -ENOENT;
	*seq = last - back;
	return 0;
}

static bool from_target(const struct sockaddr_storage *a, const struct probe_target *t,
			uint16_t port)
{
	if (a->ss_family != t->family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)&t->addr;

		return x->sin_addr.s_addr == y->sin_addr.s_addr && ntohs(x->sin_port) == port;
	}
	if (a->ss_family == AF_INET6) {
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)&t->addr;

		return !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) &&
		       ntohs(x->sin6_port) == port;
	}
	return false;
}

int dns_reply_match(const void *buf, size_t len, const struct sockaddr_storage *from,
		    const struct dns_match *m, struct dns_hit *hit, const char **why,
		    uint32_t *value)
{
	size_t i;

	if (parse(buf, len, m->qname, m->qlen, m->qtype, hit, why, value) < 0)
		return -EBADMSG;
	for (i = 0; i < m->ntargets; i++)
		if (from_target(from, &m->targets[i], m->port))
			break;
	if (i == m->ntargets)
		DROP("not from a target's address and port", from->ss_family);
	hit->idx = i;
	if (dns_id_to_seq(hit->id, m->salt, m->next_seq[i], &hit->seq) < 0)
		DROP("ID of no recent query", hit->id);
	return 0;
}
