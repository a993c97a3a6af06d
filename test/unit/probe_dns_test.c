// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The dns probe: names encoded, a query built and answered by hand, replies
 * matched back to (target, seq) through the ID window, the packets that must be
 * refused (truncated, garbled, wrong question, wrong ID, wrong source); the
 * plugin's keys; and, as root in a private network namespace, a real round trip
 * through the plugin to a hand-written responder on 127.0.0.1.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../../plugins/probe-dns/dns_wire.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "stubs/probe_plugin_stubs.h"

extern const struct plugin plugin_probe_dns;
const struct plugin *const plugins[] = { &plugin_probe_dns, NULL };

static int netns_err = -ENOSYS;

#define SALT 0x5a5a

struct wire {
	struct probe_env env;
	uint8_t q[DNS_NAME_MAX + 1];
	int ql;
	uint32_t next_seq[2];
	struct dns_match m;
	struct sockaddr_storage from;
	uint8_t pkt[512];
	size_t len;
	struct dns_hit hit;
	const char *why;
	uint32_t value;
};

static const char *const wire_targets[] = { "192.0.2.53", "2001:db8::53" };

static void from_set(struct sockaddr_storage *ss, const char *s, uint16_t port)
{
	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &((struct sockaddr_in *)ss)->sin_addr) == 1) {
		ss->ss_family = AF_INET;
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	} else if (inet_pton(AF_INET6, s, &((struct sockaddr_in6 *)ss)->sin6_addr) == 1) {
		ss->ss_family = AF_INET6;
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	} else {
		fail();
	}
}

/* The query for seq answered by hand: QR set, rcode, one NS record by pointer. */
static size_t answer(struct wire *w, uint32_t seq, int rcode)
{
	static const uint8_t rr[] = { 0xc0, 0x0c, 0, 2, 0, 1, 0, 0, 0x0e, 0x10, 0, 4,
				      1, 'a', 0xc0, 0x0c };
	int len = dns_query_build(w->pkt, sizeof(w->pkt), (uint16_t)seq ^ SALT, w->q,
				  (size_t)w->ql, 2);

	assert_true(len > 0);
	w->pkt[2] |= 0x80; /* QR */
	w->pkt[3] = (uint8_t)rcode;
	w->pkt[7] = 1; /* ANCOUNT */
	memcpy(w->pkt + len, rr, sizeof(rr));
	w->len = (size_t)len + sizeof(rr);
	return w->len;
}

static int wire_setup(void **state)
{
	struct wire *w = calloc(1, sizeof(*w));

	stub_env_init(&w->env, NULL, "wan1", wire_targets, 2);
	w->ql = dns_name_encode("Example.ORG", w->q, sizeof(w->q));
	assert_int_equal(w->ql, 13);
	w->next_seq[0] = 11; /* seqs 0..10 sent to target 0 */
	w->m = (struct dns_match){ .qname = w->q, .qlen = (size_t)w->ql, .qtype = 2, .port = 53,
				   .salt = SALT, .targets = w->env.targets, .ntargets = 2,
				   .next_seq = w->next_seq };
	from_set(&w->from, "192.0.2.53", 53);
	*state = w;
	return 0;
}

static int wire_teardown(void **state)
{
	free(*state);
	return 0;
}

static int match(struct wire *w, size_t len)
{
	w->why = NULL;
	return dns_reply_match(w->pkt, len, &w->from, &w->m, &w->hit, &w->why, &w->value);
}

static void assert_drop(struct wire *w, size_t len, const char *why)
{
	assert_int_equal(match(w, len), -EBADMSG);
	assert_non_null(w->why);
	if (why)
		assert_string_equal(w->why, why);
}

static void test_names(void **state)
{
	uint8_t b[DNS_NAME_MAX + 1];
	char longname[300];

	(void)state;
	assert_int_equal(dns_name_encode(".", b, sizeof(b)), 1);
	assert_int_equal(b[0], 0);
	assert_int_equal(dns_name_encode("example.org", b, sizeof(b)), 13);
	assert_memory_equal(b, "\7example\3org", 13);
	assert_int_equal(dns_name_encode("example.org.", b, sizeof(b)), 13);
	assert_int_equal(dns_name_encode("", b, sizeof(b)), -EINVAL);
	assert_int_equal(dns_name_encode("a..b", b, sizeof(b)), -EINVAL);
	assert_int_equal(dns_name_encode("a..", b, sizeof(b)), -EINVAL);
	assert_int_equal(dns_name_encode("..", b, sizeof(b)), -EINVAL);
	assert_int_equal(dns_name_encode(".a", b, sizeof(b)), -EINVAL);
	assert_int_equal(dns_name_encode("a b", b, sizeof(b)), -EINVAL);
	assert_int_equal(dns_name_encode("example.org", b, 12), -EINVAL);
	memset(longname, 'a', 64);
	longname[64] = '\0';
	assert_int_equal(dns_name_encode(longname, b, sizeof(b)), -EINVAL);
	longname[63] = '\0';
	assert_int_equal(dns_name_encode(longname, b, sizeof(b)), 65);
	/* 4 labels of 63: 257 bytes on the wire with the root, two too many */
	for (int i = 0; i < 4; i++) {
		memset(longname + i * 64, 'a', 63);
		longname[i * 64 + 63] = '.';
	}
	longname[4 * 64 - 1] = '\0';
	assert_int_equal(dns_name_encode(longname, b, sizeof(b)), -EINVAL);
	longname[3 * 64 + 61] = '\0'; /* last label 61: 255 bytes with the root */
	assert_int_equal(dns_name_encode(longname, b, sizeof(b)), 255);
}

static void test_query(void **state)
{
	struct wire *w = *state;
	int len = dns_query_build(w->pkt, sizeof(w->pkt), 0xbeef, w->q, (size_t)w->ql, 28);

	assert_int_equal(len, 12 + 13 + 4);
	assert_memory_equal(w->pkt, "\xbe\xef\0\0\0\1\0\0\0\0\0\0", 12); /* RD clear */
	assert_memory_equal(w->pkt + 12 + 13, "\0\x1c\0\1", 4);
	assert_int_equal(dns_query_build(w->pkt, 28, 1, w->q, (size_t)w->ql, 2), -ENOSPC);
	/* our own query, looped back, is not a reply */
	assert_drop(w, (size_t)len, "a query, not a response");
}

static void test_roundtrip(void **state)
{
	struct wire *w = *state;
	uint16_t id;
	int rcode;

	answer(w, 10, 0);
	assert_int_equal(match(w, w->len), 0);
	assert_int_equal(w->hit.idx, 0);
	assert_int_equal(w->hit.seq, 10);
	assert_int_equal(w->hit.rcode, 0);
	/* an older query still in the window, and an error rcode: the path works */
	answer(w, 4, 5 /* REFUSED */);
	w->pkt[12 + 1] = 'e'; /* the name's case may differ (0x20 mixing) */
	assert_int_equal(match(w, w->len), 0);
	assert_int_equal(w->hit.seq, 4);
	assert_int_equal(w->hit.rcode, 5);
	assert_int_equal(dns_reply_parse(w->pkt, w->len, w->q, (size_t)w->ql, 2, &id, &rcode,
					 &w->why), 0);
	assert_int_equal(id, 4 ^ SALT);
	assert_int_equal(rcode, 5);
	/* the IPv6 target */
	w->next_seq[1] = 1;
	answer(w, 0, 3 /* NXDOMAIN */);
	from_set(&w->from, "2001:db8::53", 53);
	assert_int_equal(match(w, w->len), 0);
	assert_int_equal(w->hit.idx, 1);
	assert_int_equal(w->hit.seq, 0);
}

static void test_truncated(void **state)
{
	struct wire *w = *state;
	size_t i, len = answer(w, 10, 0);

	for (i = 0; i < len; i++)
		assert_drop(w, i, NULL);
	assert_drop(w, 11, "shorter than a DNS header");
	assert_drop(w, 12 + 13 + 3, "truncated question");
	assert_drop(w, len - 1, "record data runs past the end");
	/* TC set: the records are cut, yet the query went both ways */
	w->pkt[2] |= 0x02;
	assert_int_equal(match(w, 12 + 13 + 4), 0);
}

static void test_garbled(void **state)
{
	struct wire *w = *state;
	size_t len = answer(w, 10, 0);

	w->pkt[7] = 2; /* claims two answers */
	assert_drop(w, len, "record name runs past the end");
	w->pkt[7] = 1;
	w->pkt[12 + 17] = 0x80; /* record name: reserved label type */
	assert_drop(w, len, "unknown label type");
	answer(w, 10, 0);
	w->pkt[12 + 17 + 11] = 200; /* rdlength past the end */
	assert_drop(w, len, "record data runs past the end");
	answer(w, 10, 0);
	w->pkt[5] = 2;
	assert_drop(w, len, "not exactly one question");
	w->pkt[5] = 1;
	w->pkt[2] |= 0x28; /* opcode 5 */
	assert_drop(w, len, "not a response to a standard query (opcode)");
	answer(w, 10, 0);
	w->pkt[12 + 3] = 'z';
	assert_drop(w, len, "a different question");
	answer(w, 10, 0);
	w->pkt[12 + 1] = 0xc5; /* not a letter: no case folding ('E' | 0x80) */
	assert_drop(w, len, "a different question");
	answer(w, 10, 0);
	w->pkt[12 + 13 + 1] = 1;
	assert_drop(w, len, "a different question type");
	answer(w, 10, 0);
	w->pkt[12 + 13 + 3] = 3;
	assert_drop(w, len, "a different question class");
}

static void test_not_ours(void **state)
{
	struct wire *w = *state;
	size_t len = answer(w, 10, 0);

	from_set(&w->from, "192.0.2.54", 53);
	assert_drop(w, len, "not from a target's address and port");
	from_set(&w->from, "192.0.2.53", 5353);
	assert_drop(w, len, "not from a target's address and port");
	from_set(&w->from, "2001:db8::53", 53); /* target 1 sent nothing yet */
	assert_drop(w, len, "ID of no recent query");
	from_set(&w->from, "192.0.2.53", 53);
	answer(w, 11, 0); /* not sent yet */
	assert_drop(w, len, "ID of no recent query");
	assert_int_equal(w->value, 11 ^ SALT);
	w->pkt[0] ^= 0x80; /* a random ID */
	assert_drop(w, len, "ID of no recent query");
}

static void test_id_window(void **state)
{
	uint32_t seq;

	(void)state;
	assert_int_equal(dns_id_to_seq(0 ^ SALT, SALT, 0, &seq), -ENOENT);
	assert_int_equal(dns_id_to_seq(0 ^ SALT, SALT, 1, &seq), 0);
	assert_int_equal(seq, 0);
	/* across the 16-bit wrap */
	assert_int_equal(dns_id_to_seq(0xfffe ^ SALT, SALT, 0x10005, &seq), 0);
	assert_int_equal(seq, 0xfffe);
	assert_int_equal(dns_id_to_seq(0x0004 ^ SALT, SALT, 0x10005, &seq), 0);
	assert_int_equal(seq, 0x10004);
	/* the window's edges */
	assert_int_equal(dns_id_to_seq((uint16_t)(1000 - DNS_ID_WINDOW) ^ SALT, SALT, 1000, &seq),
			 0);
	assert_int_equal(seq, 1000 - DNS_ID_WINDOW);
	assert_int_equal(dns_id_to_seq((uint16_t)(999 - DNS_ID_WINDOW) ^ SALT, SALT, 1000, &seq),
			 -ENOENT);
	/* seq 0xffffffff then the wrap of the 32-bit counter itself */
	assert_int_equal(dns_id_to_seq(0xffff ^ SALT, SALT, 0, &seq), -ENOENT);
	assert_int_equal(dns_id_to_seq(0xffff ^ SALT, SALT, 0xffffffff, &seq), -ENOENT);
	assert_int_equal(dns_id_to_seq(0xfffe ^ SALT, SALT, 0xffffffff, &seq), 0);
	assert_int_equal(seq, 0xfffffffe);
}

/* ---- the plugin's keys ---- */

static void test_keys(void **state)
{
	const struct plugin *p = &plugin_probe_dns;
	size_t nerr;
	void *c;

	(void)state;
	assert_string_equal(p->name, "dns");
	c = stub_conf_parse(p, "", &nerr);
	assert_non_null(c);
	assert_int_equal(nerr, 0);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "port = 5353; query = \"example.org\"; qtype = \"AAAA\";", &nerr);
	assert_int_equal(nerr, 0);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "qtype = \"MX\";", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "query = \"a..b\";", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "port = 0;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	p->destroy(NULL);
}

/* ---- the plugin against the kernel (root, private namespace) ---- */

struct live {
	struct loop loop;
	struct probe_env env;
	void *conf;
	void *inst;
	int srv;
	uint16_t port;
};

static int live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	socklen_t alen = sizeof(a);
	char text[64];
	size_t nerr;

	assert_non_null(l);
	assert_int_equal(loop_init(&l->loop), 0);
	l->srv = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(l->srv >= 0);
	assert_int_equal(bind(l->srv, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(l->srv, (struct sockaddr *)&a, &alen), 0);
	l->port = ntohs(a.sin_port);
	snprintf(text, sizeof(text), "port = %u; query = \"example.org\";", l->port);
	l->conf = stub_conf_parse(&plugin_probe_dns, text, &nerr);
	assert_int_equal(nerr, 0);
	*state = l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	plugin_probe_dns.destroy(l->inst);
	stub_conf_free(&plugin_probe_dns, l->conf);
	close(l->srv);
	loop_destroy(&l->loop);
	free(l);
	return 0;
}

/* The responder: take one query, answer it REFUSED (still a reply). */
static ssize_t serve_one(struct live *l, uint8_t *buf, size_t cap,
			 struct sockaddr_storage *peer, socklen_t *plen)
{
	struct pollfd pfd = { .fd = l->srv, .events = POLLIN };
	ssize_t n;

	assert_int_equal(poll(&pfd, 1, 2000), 1);
	*plen = sizeof(*peer);
	n = recvfrom(l->srv, buf, cap, 0, (struct sockaddr *)peer, plen);
	assert_true(n > 12);
	buf[2] |= 0x80;
	buf[3] = 5;
	return n;
}

static void test_live_roundtrip(void **state)
{
	static const char *const t[] = { "127.0.0.1" };
	struct live *l = *state;
	struct sockaddr_storage peer;
	socklen_t plen;
	uint8_t buf[512];
	ssize_t n;
	int other;

	STUB_NEED_NETNS(netns_err);
	stub_env_init(&l->env, &l->loop, "lo", t, 1);
	l->inst = plugin_probe_dns.probe_create(&l->env, l->conf);
	assert_non_null(l->inst);
	assert_int_equal(plugin_probe_dns.probe_send(l->inst, 0, 0x30007), 0);
	n = serve_one(l, buf, sizeof(buf), &peer, &plen);

	/* first the garbage: wrong ID, then the right answer from another port */
	buf[1] ^= 0x55;
	assert_true(sendto(l->srv, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen) == n);
	buf[1] ^= 0x55;
	other = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(sendto(other, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen) == n);
	close(other);
	assert_int_equal(stub_run_until(&l->loop, 1, 300), 0);

	/* then the real one */
	assert_true(sendto(l->srv, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen) == n);
	assert_int_equal(stub_run_until(&l->loop, 1, 2000), 1);
	assert_int_equal(stub_replies.v[0].idx, 0);
	assert_int_equal(stub_replies.v[0].seq, 0x30007);

	/* a late reply to an older query still names its own seq */
	assert_int_equal(plugin_probe_dns.probe_send(l->inst, 0, 0x30008), 0);
	serve_one(l, buf + 256, 256, &peer, &plen); /* the newer query, unanswered */
	assert_true(sendto(l->srv, buf, (size_t)n, 0, (struct sockaddr *)&peer, plen) == n);
	assert_int_equal(stub_run_until(&l->loop, 2, 2000), 2);
	assert_int_equal(stub_replies.v[1].seq, 0x30007);
	assert_int_equal(plugin_probe_dns.probe_send(l->inst, 1, 1), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_names, NULL, NULL),
		cmocka_unit_test_setup_teardown(test_query, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_roundtrip, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_truncated, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_garbled, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_not_ours, wire_setup, wire_teardown),
		cmocka_unit_test_setup_teardown(test_id_window, NULL, NULL),
		cmocka_unit_test_setup_teardown(test_keys, NULL, NULL),
		cmocka_unit_test_setup_teardown(test_live_roundtrip, live_setup, live_teardown),
	};

	log_open("probe_dns_test", true, LOG_WARNING, 0);
	netns_err = stub_netns_private();
	return cmocka_run_group_tests_name("probe_dns", tests, NULL, NULL);
}
