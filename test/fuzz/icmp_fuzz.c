// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz icmp_reply_match() (and so icmp_reply_parse()). The first byte picks the
 * case: bit 0 the family (0: IPv4 with its IP header, 1: ICMPv6), bit 1 whether
 * the packet comes from the target's address. The rest is the packet, copied
 * into an exact-size buffer. The instance matches id 0x1234, magic 0xdeadbeef;
 * seeds in corpus/icmp/ are built for it.
 */
#include <arpa/inet.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../plugins/probe-icmp/icmp_wire.h"

static void target(struct probe_target *t, struct sockaddr_storage *ss, const char *s)
{
	memset(t, 0, sizeof(*t));
	memset(ss, 0, sizeof(*ss));
	t->name = s;
	if (inet_pton(AF_INET, s, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		t->addrlen = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		t->addrlen = sizeof(struct sockaddr_in6);
	} else {
		abort();
	}
	t->family = ss->ss_family;
	t->addr = *ss;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct probe_target t[3], scratch;
	struct sockaddr_storage a[3], other;
	struct icmp_match m = { .id = 0x1234, .magic = 0xdeadbeef, .targets = t, .ntargets = 3 };
	const struct sockaddr_storage *from;
	struct icmp_echo e;
	const char *why = NULL;
	uint32_t value = 0;
	uint8_t *buf;
	int family, rc;

	if (size < 1)
		return 0;
	target(&t[0], &a[0], "192.0.2.1");
	target(&t[1], &a[1], "2001:db8::1");
	target(&t[2], &a[2], "198.51.100.1");
	target(&scratch, &other, "203.0.113.9");
	family = data[0] & 1 ? AF_INET6 : AF_INET;
	from = data[0] & 2 ? &other : family == AF_INET6 ? &a[1] : &a[0];
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	rc = icmp_reply_match(buf, size - 1, family, from, &m, &e, &why, &value);
	if (rc < 0 && !why)
		abort(); /* every drop names its reason */
	if (rc == 0 && (e.id != m.id || e.magic != m.magic || e.idx >= m.ntargets))
		abort();
	rc = icmp_reply_parse(buf, size - 1, family, &e, &why);
	if (rc < 0 && !why)
		abort();
	free(buf);
	return 0;
}
