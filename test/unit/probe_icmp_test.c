// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The icmp probe: echo requests built, turned into replies by hand and matched
 * back (IPv4 with its IP header, options and checksum; IPv6), the packets that
 * must be refused and why; the plugin's keys; and, as root in a private network
 * namespace, real round trips to 127.0.0.1 and ::1 through the plugin.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../plugins/probe-icmp/icmp_wire.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "stubs/probe_plugin_stubs.h"

extern const struct plugin plugin_probe_icmp;
const struct plugin *const plugins[] = { &plugin_probe_icmp, NULL };

static int netns_err = -ENOSYS; /* 0: the process has its own namespace */

/* ---- helpers ---- */

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;

	for (; len > 1; p += 2, len -= 2)
		s += (uint32_t)(p[0] << 8 | p[1]);
	if (len)
		s += (uint32_t)(p[0] << 8);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

static void fix_csum4(uint8_t *icmp, size_t len)
{
	uint16_t c;

	icmp[2] = icmp[3] = 0;
	c = csum(icmp, len);
	icmp[2] = (uint8_t)(c >> 8);
	icmp[3] = (uint8_t)c;
}

/* The request as the kernel would answer it: type 0, checksum redone. */
static void to_reply4(uint8_t *icmp, size_t len)
{
	icmp[0] = 0;
	fix_csum4(icmp, len);
}

/* IPv4 header (ihl words, ihl >= 5) + echo reply for e; returns the length. */
static size_t reply4(uint8_t *pkt, size_t cap, unsigned int ihl, const struct icmp_echo *e,
		     size_t size)
{
	size_t h = ihl * 4;
	int len;

	memset(pkt, 0, h);
	len = icmp_echo_build(pkt + h, cap - h, AF_INET, e, size);
	assert_true(len > 0);
	to_reply4(pkt + h, (size_t)len);
	pkt[0] = (uint8_t)(0x40 | ihl);
	pkt[2] = (uint8_t)((h + (size_t)len) >> 8);
	pkt[3] = (uint8_t)(h + (size_t)len);
	pkt[8] = 64;
	pkt[9] = IPPROTO_ICMP;
	return h + (size_t)len;
}

static void addr_set(struct sockaddr_storage *ss, const char *s)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &((struct sockaddr_in *)ss)->sin_addr) == 1)
		ss->ss_family = AF_INET;
	else if (inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1)
		ss->ss_family = AF_INET6;
	else
		fail();
}

struct wire {
	struct probe_env env;
	struct icmp_match m;
	struct sockaddr_storage from;
	struct icmp_echo e, r;
	uint8_t pkt[2048];
	const char *why;
	uint32_t value;
};

static const char *const wire_targets[] = { "198.51.100.7", "192.0.2.1", "2001:db8::1" };

static int wire_setup(void **state)
{
	struct wire *w = calloc(1, sizeof(*w));

	stub_env_init(&w->env, NULL, "wan1", wire_targets, 3);
	w->m = (struct icmp_match){ .id = 0x1234, .magic = 0xdeadbeef,
				    .targets = w->env.targets, .ntargets = 3 };
	w->e = (struct icmp_echo){ .id = 0x1234, .magic = 0xdeadbeef, .seq = 0x00010005,
				   .idx = 1 };
	addr_set(&w->from, "192.0.2.1");
	*state = w;
	return 0;
}

static int wire_teardown(void **state)
{
	free(*state);
	return 0;
}

static int match4(struct wire *w, size_t len)
{
	w->why = NULL;
	return icmp_reply_match(w->pkt, len, AF_INET, &w->from, &w->m, &w->r, &w->why,
				&w->value);
}

static void assert_drop4(struct wire *w, size_t len, const char *why)
{
	assert_int_equal(match4(w, len), -EBADMSG);
	assert_non_null(w->why);
	if (why)
		assert_string_equal(w->why, why);
}

/* ---- wire format ---- */

static void test_build(void **state)
{
	struct wire *w = *state;
	int len, i;

	len = icmp_echo_build(w->pkt, sizeof(w->pkt), AF_INET, &w->e, 56);
	assert_int_equal(len, 64);
	assert_int_equal(w->pkt[0], 8);
	assert_int_equal(w->pkt[1], 0);
	assert_int_equal(csum(w->pkt, 64), 0); /* the checksum verifies */
	assert_int_equal(w->pkt[4] << 8 | w->pkt[5], 0x1234);
	assert_int_equal(w->pkt[6] << 8 | w->pkt[7], 0x0005); /* low 16 bits of seq */
	assert_memory_equal(w->pkt + 8 + 12, "UPLK", 4);
	for (i = 8 + ICMP_PAYLOAD_MIN; i < 64; i++)
		assert_int_equal(w->pkt[i], (uint8_t)(i - 8));

	len = icmp_echo_build(w->pkt, sizeof(w->pkt), AF_INET6, &w->e, ICMP_PAYLOAD_MIN);
	assert_int_equal(len, 8 + ICMP_PAYLOAD_MIN);
	assert_int_equal(w->pkt[0], 128);
	assert_int_equal(w->pkt[2] | w->pkt[3], 0); /* the kernel computes ICMPv6's */

	assert_int_equal(icmp_echo_build(w->pkt, sizeof(w->pkt), AF_INET, &w->e, 15), -ENOSPC);
	assert_int_equal(icmp_echo_build(w->pkt, sizeof(w->pkt), AF_INET, &w->e, 1401), -ENOSPC);
	assert_int_equal(icmp_echo_build(w->pkt, 63, AF_INET, &w->e, 56), -ENOSPC);
	assert_int_equal(icmp_echo_build(w->pkt, sizeof(w->pkt), AF_INET, &w->e, 1400), 1408);
}

static void test_v4_roundtrip(void **state)
{
	struct wire *w = *state;
	size_t len = reply4(w->pkt, sizeof(w->pkt), 5, &w->e, 56);

	assert_int_equal(match4(w, len), 0);
	assert_int_equal(w->r.id, 0x1234);
	assert_int_equal(w->r.magic, 0xdeadbeef);
	assert_int_equal(w->r.seq, 0x00010005);
	assert_int_equal(w->r.idx, 1);
	/* the plain parser agrees */
	assert_int_equal(icmp_reply_parse(w->pkt, len, AF_INET, &w->r, &w->why), 0);
	assert_int_equal(w->r.seq, 0x00010005);

	/* IP options: skipped by IHL */
	len = reply4(w->pkt, sizeof(w->pkt), 15, &w->e, 16);
	assert_int_equal(match4(w, len), 0);
	assert_int_equal(w->r.idx, 1);
}

static void test_v4_truncated(void **state)
{
	struct wire *w = *state;
	size_t len = reply4(w->pkt, sizeof(w->pkt), 6, &w->e, 56), i;

	for (i = 0; i < len; i++)
		assert_drop4(w, i, NULL);
	/* a total length shorter than the header */
	w->pkt[2] = 0;
	w->pkt[3] = 20;
	assert_drop4(w, len, "IPv4 total length disagrees with what arrived");
	/* trailing bytes past the total length (link padding) are ignored */
	len = reply4(w->pkt, sizeof(w->pkt), 5, &w->e, 56);
	assert_int_equal(match4(w, len + 6), 0);
}

static void test_v4_malformed(void **state)
{
	struct wire *w = *state;
	size_t len = reply4(w->pkt, sizeof(w->pkt), 5, &w->e, 56);

	w->pkt[0] = 0x44; /* IHL 4 */
	assert_drop4(w, len, "bad IPv4 header length");
	w->pkt[0] = 0x65;
	assert_drop4(w, len, "not IPv4");
	w->pkt[0] = 0x45;
	w->pkt[6] = 0x20; /* more fragments */
	assert_drop4(w, len, "an IPv4 fragment");
	w->pkt[6] = 0x40; /* DF is fine */
	assert_int_equal(match4(w, len), 0);
	w->pkt[9] = IPPROTO_UDP;
	assert_drop4(w, len, "not ICMP");
	w->pkt[9] = IPPROTO_ICMP;

	w->pkt[20 + 30] ^= 1; /* corrupt the payload */
	assert_drop4(w, len, "bad ICMP checksum");
	w->pkt[20 + 30] ^= 1;

	len = reply4(w->pkt, sizeof(w->pkt), 5, &w->e, 56);
	w->pkt[20] = 8; /* our own request, looped back */
	fix_csum4(w->pkt + 20, len - 20);
	assert_drop4(w, len, "not an echo reply");
	assert_int_equal(w->value, 8);

	len = reply4(w->pkt, sizeof(w->pkt), 5, &w->e, 56);
	w->pkt[21] = 1;
	assert_drop4(w, len, "echo reply with a nonzero code");
}

static void test_v4_not_ours(void **state)
{
	struct wire *w = *state;
	struct icmp_echo e = w->e;
	size_t len;

	e.id = 0x4321; /* another program's ping */
	len = reply4(w->pkt, sizeof(w->pkt), 5, &e, 56);
	assert_drop4(w, len, "another program's echo id");
	assert_int_equal(w->value, 0x4321);

	e = w->e;
	e.magic = 0xfeedface; /* another uplink's instance, same id by chance */
	len = reply4(w->pkt, sizeof(w->pkt), 5, &e, 56);
	assert_drop4(w, len, "another uplinkd instance's magic");

	e = w->e;
	e.idx = 3;
	len = reply4(w->pkt, sizeof(w->pkt), 5, &e, 56);
	assert_drop4(w, len, "target index out of range");

	e = w->e;
	e.idx = 2; /* the IPv6 target, in an IPv4 packet */
	len = reply4(w->pkt, sizeof(w->pkt), 5, &e, 56);
	assert_drop4(w, len, "target of another address family");

	/* from another address than target 1 (192.0.2.1) */
	len = reply4(w->pkt, sizeof(w->pkt), 5, &w->e, 56);
	addr_set(&w->from, "198.51.100.7");
	assert_drop4(w, len, "not from the target's address");
	assert_int_equal(w->value, 1);
	addr_set(&w->from, "192.0.2.1");
	assert_int_equal(match4(w, len), 0);

	/* someone else's echo that lacks our tag */
	memcpy(w->pkt + 20 + 8 + 12, "PING", 4);
	fix_csum4(w->pkt + 20, len - 20);
	assert_drop4(w, len, "not an uplinkd echo");
}

static void test_v6(void **state)
{
	struct wire *w = *state;
	struct icmp_echo e = w->e;
	int len;

	e.idx = 2;
	e.seq = 70000;
	addr_set(&w->from, "2001:db8::1");
	len = icmp_echo_build(w->pkt, sizeof(w->pkt), AF_INET6, &e, 16);
	assert_int_equal(len, 24);
	assert_int_equal(icmp_reply_match(w->pkt, (size_t)len, AF_INET6, &w->from, &w->m, &w->r,
					  &w->why, &w->value), -EBADMSG);
	assert_string_equal(w->why, "not an echo reply");
	w->pkt[0] = 129;
	assert_int_equal(icmp_reply_match(w->pkt, (size_t)len, AF_INET6, &w->from, &w->m, &w->r,
					  &w->why, &w->value), 0);
	assert_int_equal(w->r.seq, 70000);
	assert_int_equal(w->r.idx, 2);
	for (int i = 0; i < len; i++)
		assert_int_equal(icmp_reply_match(w->pkt, (size_t)i, AF_INET6, &w->from, &w->m,
						  &w->r, &w->why, &w->value), -EBADMSG);

	addr_set(&w->from, "2001:db8::2");
	assert_int_equal(icmp_reply_match(w->pkt, (size_t)len, AF_INET6, &w->from, &w->m, &w->r,
					  &w->why, &w->value), -EBADMSG);
	assert_string_equal(w->why, "not from the target's address");
	addr_set(&w->from, "2001:db8::1");

	w->pkt[7] ^= 1; /* header seq disagrees with the payload's */
	assert_int_equal(icmp_reply_match(w->pkt, (size_t)len, AF_INET6, &w->from, &w->m, &w->r,
					  &w->why, &w->value), -EBADMSG);
	assert_string_equal(w->why, "echo seq differs from the one in the payload");
	w->pkt[7] ^= 1;
	w->pkt[8 + 11] ^= 1; /* payload id disagrees with the header's */
	assert_int_equal(icmp_reply_match(w->pkt, (size_t)len, AF_INET6, &w->from, &w->m, &w->r,
					  &w->why, &w->value), -EBADMSG);
	assert_string_equal(w->why, "echo id differs from the one in the payload");
}

/* ---- the plugin's keys ---- */

static void test_keys(void **state)
{
	const struct plugin *p = &plugin_probe_icmp;
	size_t nerr;
	int *c;

	(void)state;
	assert_string_equal(p->name, "icmp");
	assert_int_equal(p->kind, PLUGIN_PROBE);
	c = stub_conf_parse(p, "", &nerr);
	assert_non_null(c);
	assert_int_equal(nerr, 0);
	assert_int_equal(c[0], 56); /* size */
	assert_int_equal(c[1], 64); /* ttl */
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "size = 1400; ttl = 1;", &nerr);
	assert_int_equal(nerr, 0);
	assert_int_equal(c[0], 1400);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "size = 15;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "size = 1401; ttl = 256;", &nerr);
	assert_int_equal(nerr, 2);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "sise = 100;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	p->destroy(NULL); /* a no-op */
}

/* ---- the plugin against the kernel (root, private namespace) ---- */

struct live {
	struct loop loop;
	struct probe_env env;
	void *conf;
	void *inst;
};

static int live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));
	size_t nerr;

	assert_non_null(l);
	assert_int_equal(loop_init(&l->loop), 0);
	l->conf = stub_conf_parse(&plugin_probe_icmp, "size = 100; ttl = 2;", &nerr);
	assert_int_equal(nerr, 0);
	*state = l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	plugin_probe_icmp.destroy(l->inst);
	stub_conf_free(&plugin_probe_icmp, l->conf);
	loop_destroy(&l->loop);
	free(l);
	return 0;
}

static bool has_ipv6_lo(void)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof(a)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

static void test_live_roundtrip(void **state)
{
	static const char *const t[] = { "127.0.0.1", "::1", "127.0.0.2" };
	struct live *l = *state;
	size_t n = has_ipv6_lo() ? 3 : 1, i, got;

	STUB_NEED_NETNS(netns_err);
	stub_env_init(&l->env, &l->loop, "lo", t, n);
	l->inst = plugin_probe_icmp.probe_create(&l->env, l->conf);
	assert_non_null(l->inst);
	assert_int_equal(plugin_probe_icmp.probe_send(l->inst, 0, 0x00020003), 0);
	if (n > 1) {
		assert_int_equal(plugin_probe_icmp.probe_send(l->inst, 1, 7), 0);
		assert_int_equal(plugin_probe_icmp.probe_send(l->inst, 2, 0xffffffff), 0);
	}
	got = stub_run_until(&l->loop, n, 2000);
	assert_int_equal(got, n);
	for (i = 0; i < n; i++) {
		const struct stub_reply *r = &stub_replies.v[i];

		assert_true(r->rx_ns > 0);
		if (r->idx == 0)
			assert_int_equal(r->seq, 0x00020003);
		else if (r->idx == 1)
			assert_int_equal(r->seq, 7);
		else
			assert_int_equal(r->seq, 0xffffffff);
	}
	assert_int_equal(plugin_probe_icmp.probe_send(l->inst, 9, 1), -EINVAL);
}

/* Another program's ping on the same interface is not a reply of ours. */
static void test_live_foreign_ping(void **state)
{
	static const char *const t[] = { "127.0.0.1" };
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	struct icmp_echo e = { .id = 1, .magic = 2, .seq = 3, .idx = 0 };
	struct live *l = *state;
	uint8_t pkt[64];
	int fd, len;

	STUB_NEED_NETNS(netns_err);
	stub_env_init(&l->env, &l->loop, "lo", t, 1);
	l->inst = plugin_probe_icmp.probe_create(&l->env, l->conf);
	assert_non_null(l->inst);
	fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
	assert_true(fd >= 0);
	len = icmp_echo_build(pkt, sizeof(pkt), AF_INET, &e, 16);
	assert_true(sendto(fd, pkt, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)) == len);
	close(fd);
	assert_int_equal(stub_run_until(&l->loop, 1, 300), 0);
	/* ours still get through after it */
	assert_int_equal(plugin_probe_icmp.probe_send(l->inst, 0, 42), 0);
	assert_int_equal(stub_run_until(&l->loop, 1, 2000), 1);
	assert_int_equal(stub_replies.v[0].seq, 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_build, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_v4_roundtrip, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_v4_truncated, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_v4_malformed, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_v4_not_ours, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_v6, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_keys, NULL, NULL),
		cmocka_unit_test_setup_teardown(test_live_roundtrip, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_foreign_ping, live_setup, live_teardown),
	};

	log_open("probe_icmp_test", true, LOG_WARNING, 0);
	netns_err = stub_netns_private();
	return cmocka_run_group_tests_name("probe_icmp", tests, NULL, NULL);
}
