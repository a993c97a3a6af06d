// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The probes' wire formats: an echo request turned into a reply by hand and
 * parsed back (v4 with its IP header and checksum, v6), a DNS query answered by
 * hand, and the packets that must be refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "../../plugins/probe-dns/dns_wire.h"
#include "../../plugins/probe-icmp/icmp_wire.h"

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void test_icmp4_roundtrip(void **state)
{
	struct icmp_echo e = { .id = 0x1234, .magic = 0xdeadbeef, .seq = 0x00010005, .idx = 3 }, r;
	uint8_t pkt[20 + 200];
	const char *why = NULL;
	uint32_t sum = 0;
	int len, i;

	(void)state;
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	pkt[9] = IPPROTO_ICMP;
	len = icmp_echo_build(pkt + 20, 200, AF_INET, &e, 56);
	assert_int_equal(len, 64);
	/* the request's checksum verifies */
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(pkt[20 + i] << 8 | pkt[20 + i + 1]);
	assert_int_equal(fold(sum), 0);
	/* the peer's reply: type 0, checksum adjusted by the type change */
	pkt[20] = 0;
	pkt[22] = 0;
	pkt[23] = 0;
	sum = 0;
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(pkt[20 + i] << 8 | pkt[20 + i + 1]);
	pkt[22] = (uint8_t)(fold(sum) >> 8);
	pkt[23] = (uint8_t)fold(sum);
	assert_int_equal(icmp_reply_parse(pkt, 20 + (size_t)len, AF_INET, &r, &why), 0);
	assert_int_equal(r.id, 0x1234);
	assert_int_equal(r.magic, 0xdeadbeef);
	assert_int_equal(r.seq, 0x00010005);
	assert_int_equal(r.idx, 3);

	pkt[30] ^= 1; /* corrupt the payload */
	assert_int_equal(icmp_reply_parse(pkt, 20 + (size_t)len, AF_INET, &r, &why), -EBADMSG);
	assert_string_equal(why, "bad ICMP checksum");
	/* truncated at every length */
	for (i = 0; i < 20 + 24; i++)
		assert_int_equal(icmp_reply_parse(pkt, (size_t)i, AF_INET, &r, &why), -EBADMSG);
}

static void test_icmp6(void **state)
{
	struct icmp_echo e = { .id = 7, .magic = 1, .seq = 70000, .idx = 0 }, r;
	uint8_t pkt[128];
	const char *why;
	int len;

	(void)state;
	len = icmp_echo_build(pkt, sizeof(pkt), AF_INET6, &e, 16);
	assert_int_equal(len, 24);
	assert_int_equal(pkt[0], 128);
	assert_int_equal(icmp_reply_parse(pkt, (size_t)len, AF_INET6, &r, &why), -EBADMSG);
	assert_string_equal(why, "not an echo reply");
	pkt[0] = 129;
	assert_int_equal(icmp_reply_parse(pkt, (size_t)len, AF_INET6, &r, &why), 0);
	assert_int_equal(r.seq, 70000);
	pkt[7] ^= 1; /* header seq disagrees with ours */
	assert_int_equal(icmp_reply_parse(pkt, (size_t)len, AF_INET6, &r, &why), -EBADMSG);
	assert_string_equal(why, "payload seq does not match the header");
	assert_int_equal(icmp_echo_build(pkt, sizeof(pkt), AF_INET6, &e, 8), -ENOSPC);
}

static void test_dns(void **state)
{
	uint8_t q[DNS_NAME_MAX + 1], pkt[512];
	const char *why;
	uint16_t id;
	int ql, len, rcode;

	(void)state;
	assert_int_equal(dns_name_encode(".", q, sizeof(q)), 1);
	ql = dns_name_encode("Example.ORG.", q, sizeof(q));
	assert_int_equal(ql, 13);
	assert_int_equal(dns_name_encode("a..b", q + 100, 100), -EINVAL);
	len = dns_query_build(pkt, sizeof(pkt), 0xbeef, q, (size_t)ql, 2);
	assert_int_equal(len, 12 + 13 + 4);
	assert_int_equal(dns_reply_parse(pkt, (size_t)len, q, (size_t)ql, 2, &id, &rcode, &why),
			 -EBADMSG);
	assert_string_equal(why, "a query, not a response");
	pkt[2] |= 0x80;
	pkt[3] = 3; /* NXDOMAIN still proves the path */
	pkt[12 + 1] = 'e'; /* case differs */
	assert_int_equal(dns_reply_parse(pkt, (size_t)len, q, (size_t)ql, 2, &id, &rcode, &why), 0);
	assert_int_equal(id, 0xbeef);
	assert_int_equal(rcode, 3);
	assert_int_equal(dns_reply_parse(pkt, (size_t)len, q, (size_t)ql, 1, &id, &rcode, &why),
			 -EBADMSG);
	assert_string_equal(why, "a different question type or class");
	for (int i = 0; i < len; i++)
		assert_int_equal(dns_reply_parse(pkt, (size_t)i, q, (size_t)ql, 2, &id, &rcode,
						 &why), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_icmp4_roundtrip),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_dns),
	};

	return cmocka_run_group_tests_name("probe_wire", tests, NULL, NULL);
}
