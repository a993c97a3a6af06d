// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz dns_reply_match() (and so dns_reply_parse()) against two instances: the
 * default question (". NS") and "example.org AAAA", both with salt 0x5a5a and
 * seqs 0..99 sent to 192.0.2.53:53, from which the packet comes. The input,
 * copied into an exact-size buffer, is the packet; seeds in corpus/dns/.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../plugins/probe-dns/dns_wire.h"

static void check(const uint8_t *buf, size_t size, const struct dns_match *m,
		  const struct sockaddr_storage *from)
{
	struct dns_hit hit;
	const char *why = NULL;
	uint32_t value = 0;
	uint16_t id;
	int rcode, rc;

	rc = dns_reply_match(buf, size, from, m, &hit, &why, &value);
	if (rc < 0 && !why)
		abort(); /* every drop names its reason */
	if (rc == 0 && (hit.idx >= m->ntargets || hit.seq >= m->next_seq[hit.idx] ||
			hit.seq + DNS_ID_WINDOW < m->next_seq[hit.idx]))
		abort();
	rc = dns_reply_parse(buf, size, m->qname, m->qlen, m->qtype, &id, &rcode, &why);
	if (rc == 0 && (rcode < 0 || rcode > 15))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t root[DNS_NAME_MAX + 1], name[DNS_NAME_MAX + 1];
	int rl = dns_name_encode(".", root, sizeof(root));
	int nl = dns_name_encode("example.org", name, sizeof(name));
	struct probe_target t = { .name = "192.0.2.53", .family = AF_INET,
				  .addrlen = sizeof(struct sockaddr_in) };
	struct sockaddr_in *a = (struct sockaddr_in *)&t.addr;
	uint32_t next_seq[1] = { 100 };
	struct dns_match m = { .port = 53, .salt = 0x5a5a, .targets = &t, .ntargets = 1,
			       .next_seq = next_seq };
	uint8_t *buf;

	if (rl < 0 || nl < 0)
		abort();
	a->sin_family = AF_INET;
	a->sin_port = htons(53);
	inet_pton(AF_INET, "192.0.2.53", &a->sin_addr);
	buf = malloc(size ? size : 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	m.qname = root;
	m.qlen = (size_t)rl;
	m.qtype = 2;
	check(buf, size, &m, &t.addr);
	m.qname = name;
	m.qlen = (size_t)nl;
	m.qtype = 28;
	check(buf, size, &m, &t.addr);
	free(buf);
	return 0;
}
