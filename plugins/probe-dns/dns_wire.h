/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: dns_wire.h - the one DNS query uplinkd sends and the replies it accepts
 *
 * Pure. A reply counts when it is a response (QR) to our question (same name,
 * type and class) with the ID of a recent query of ours, from the target's
 * address and port, whatever its RCODE: NXDOMAIN or REFUSED still prove the
 * path carries packets both ways. The ID of probe `seq` is its low 16 bits xor
 * a per-instance salt.
 */
#ifndef UPLINKD_DNS_WIRE_H
#define UPLINKD_DNS_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "probe.h"

#define DNS_NAME_MAX 255
/* A reply may answer one of the last DNS_ID_WINDOW queries sent to its target. */
#define DNS_ID_WINDOW 64

/* "example.org" / "example.org." / "." -> wire labels; returns length or -EINVAL. */
int dns_name_encode(const char *name, uint8_t *out, size_t len);
/* The query (RD clear, no EDNS); returns its length or -ENOSPC. */
int dns_query_build(void *buf, size_t len, uint16_t id, const uint8_t *qname, size_t qlen,
		    uint16_t qtype);
/* A well-formed response to our question: 0 with *id and *rcode, or -EBADMSG with
 * *why. Records after the question are walked for bounds unless TC is set. */
int dns_reply_parse(const void *buf, size_t len, const uint8_t *qname, size_t qlen,
		    uint16_t qtype, uint16_t *id, int *rcode, const char **why);

/* What one plugin instance expects. */
struct dns_match {
	const uint8_t *qname;
	size_t qlen;
	uint16_t qtype;
	uint16_t port; /* the targets' port */
	uint16_t salt;
	const struct probe_target *targets;
	size_t ntargets;
	const uint32_t *next_seq; /* per target: last seq sent + 1; 0: none sent yet */
};

/* The probe a reply answers. */
struct dns_hit {
	size_t idx;
	uint32_t seq;
	uint16_t id;
	int rcode;
};

/* The seq whose ID is `id` among the last DNS_ID_WINDOW sent before next_seq:
 * 0, or -ENOENT. */
int dns_id_to_seq(uint16_t id, uint16_t salt, uint32_t next_seq, uint32_t *seq);

/* dns_reply_parse() plus: `from` is a target's address and port and the ID that
 * of a recent query to it. 0 with *hit, or -EBADMSG with *why and *value. */
int dns_reply_match(const void *buf, size_t len, const struct sockaddr_storage *from,
		    const struct dns_match *m, struct dns_hit *hit, const char **why,
		    uint32_t *value);

#endif
