/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: dns_wire.h - the one DNS query uplinkd sends and the replies it accepts
 *
 * Pure. A reply counts when it is a response (QR) to our question (same name,
 * type and class) with our ID, whatever its RCODE: NXDOMAIN or REFUSED still
 * prove the path carries packets both ways.
 */
#ifndef UPLINKD_DNS_WIRE_H
#define UPLINKD_DNS_WIRE_H

#include <stddef.h>
#include <stdint.h>

#define DNS_NAME_MAX 255

/* "example.org" / "example.org." / "." -> wire labels; returns length or -EINVAL. */
int dns_name_encode(const char *name, uint8_t *out, size_t len);
/* The query (RD clear); returns its length or -ENOSPC. */
int dns_query_build(void *buf, size_t len, uint16_t id, const uint8_t *qname, size_t qlen,
		    uint16_t qtype);
/* 0 with *id and *rcode, or -EBADMSG with *why. */
int dns_reply_parse(const void *buf, size_t len, const uint8_t *qname, size_t qlen,
		    uint16_t qtype, uint16_t *id, int *rcode, const char **why);

#endif
