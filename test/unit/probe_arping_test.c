// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The arping probe: the ARP request it builds and the replies it accepts (arp_wire.c:
 * only a reply, from a target, to our hardware and IPv4 address), its plugin flags
 * (IPv4 targets, the gateway by default); and, as root in a private network namespace
 * with a veth pair, real requests through the plugin: the neighbour's kernel answers,
 * and does not once ARP is off on its side; an interface without ARP (lo) or without
 * existence fails every send; destroy leaves no descriptor open.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "stubs/probe_plugin_stubs.h"
#include "../../plugins/probe-arping/arp_wire.h"

extern const struct plugin plugin_probe_arping;
const struct plugin *const plugins[] = { &plugin_probe_arping, NULL };

static int netns_err = -ENOSYS;
static bool have_veth;

static const uint8_t our_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t gw_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static struct in_addr ip4(const char *s)
{
	struct in_addr a;

	assert_int_equal(inet_pton(AF_INET, s, &a), 1);
	return a;
}

/* An ARP packet as a gateway would send it. */
static void pkt(uint8_t *b, uint16_t op, const uint8_t *sha, const char *spa, const uint8_t *tha,
		const char *tpa)
{
	struct in_addr s = ip4(spa), t = ip4(tpa);

	memcpy(b, "\x00\x01\x08\x00\x06\x04", 6);
	b[6] = (uint8_t)(op >> 8);
	b[7] = (uint8_t)op;
	memcpy(b + 8, sha, 6);
	memcpy(b + 14, &s, 4);
	memcpy(b + 18, tha, 6);
	memcpy(b + 24, &t, 4);
}

static void test_wire(void **state)
{
	struct in_addr tips[2] = { ip4("100.64.1.1"), ip4("100.64.1.9") };
	struct arp_match m = { .sip = ip4("100.64.1.2"), .tips = tips, .ntargets = 2 };
	uint8_t b[64], req[ARP_PKT_LEN];
	struct arp_pkt p;
	const char *why;
	size_t idx = 99;

	(void)state;
	memcpy(m.sha, our_mac, 6);
	/* the request, and parsed back */
	assert_int_equal(arp_request_build(req, sizeof(req), our_mac, m.sip, tips[0]),
			 ARP_PKT_LEN);
	assert_int_equal(arp_request_build(req, ARP_PKT_LEN - 1, our_mac, m.sip, tips[0]),
			 -ENOSPC);
	assert_int_equal(arp_parse(req, sizeof(req), &p, &why), 0);
	assert_int_equal(p.op, ARP_OP_REQUEST);
	assert_memory_equal(p.sha, our_mac, 6);
	assert_int_equal(p.spa.s_addr, m.sip.s_addr);
	assert_int_equal(p.tpa.s_addr, tips[0].s_addr);
	assert_memory_equal(p.tha, "\0\0\0\0\0\0", 6);
	/* a reply from the second target to us, with Ethernet padding */
	memset(b, 0, sizeof(b));
	pkt(b, ARP_OP_REPLY, gw_mac, "100.64.1.9", our_mac, "100.64.1.2");
	assert_int_equal(arp_reply_match(b, 46, &m, &idx, &why), 0);
	assert_int_equal(idx, 1);
	/* refused: too short, not Ethernet/IPv4, a request, not to us, not a target */
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN - 1, &m, &idx, &why), -EBADMSG);
	assert_non_null(why);
	b[1] = 6; /* IEEE 802 */
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), -EBADMSG);
	pkt(b, ARP_OP_REQUEST, gw_mac, "100.64.1.1", our_mac, "100.64.1.2");
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), -EBADMSG);
	assert_non_null(strstr(why, "not an ARP reply"));
	pkt(b, ARP_OP_REPLY, gw_mac, "100.64.1.1", gw_mac, "100.64.1.2");
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), -EBADMSG);
	pkt(b, ARP_OP_REPLY, gw_mac, "100.64.1.1", our_mac, "100.64.1.3");
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), -EBADMSG);
	pkt(b, ARP_OP_REPLY, gw_mac, "100.64.1.7", our_mac, "100.64.1.2");
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), -EBADMSG);
	assert_non_null(strstr(why, "did not ask"));
	/* a gratuitous ARP of the gateway (to itself) is no answer */
	pkt(b, ARP_OP_REPLY, gw_mac, "100.64.1.1", (const uint8_t *)"\xff\xff\xff\xff\xff\xff",
	    "100.64.1.1");
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), -EBADMSG);
	/* without an address of our own (an RFC 5227 probe) the reply goes to 0.0.0.0 */
	m.sip.s_addr = 0;
	pkt(b, ARP_OP_REPLY, gw_mac, "100.64.1.1", our_mac, "0.0.0.0");
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), 0);
	assert_int_equal(idx, 0);
	/* a target not asked for yet (0.0.0.0) matches nothing */
	tips[0].s_addr = 0;
	assert_int_equal(arp_reply_match(b, ARP_PKT_LEN, &m, &idx, &why), -EBADMSG);
}

static void test_keys(void **state)
{
	const struct plugin *p = &plugin_probe_arping;
	size_t nerr;
	void *c;

	(void)state;
	assert_string_equal(p->name, "arping");
	assert_int_equal(p->kind, PLUGIN_PROBE);
	assert_true(p->target_gateway);
	assert_int_equal(p->target_family, AF_INET);
	c = stub_conf_parse(p, "", &nerr);
	assert_int_equal(nerr, 0);
	stub_conf_free(p, c);
	c = stub_conf_parse(p, "port = 1;", &nerr);
	assert_int_equal(nerr, 1);
	stub_conf_free(p, c);
	p->destroy(NULL);
}

/* ---- live ---- */

struct live {
	struct loop loop;
	struct probe_env env;
	void *inst;
	int nfd_before;
};

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int live_setup(void **state)
{
	struct live *l = calloc(1, sizeof(*l));

	assert_non_null(l);
	assert_int_equal(loop_init(&l->loop), 0);
	*state = l;
	return 0;
}

static int live_teardown(void **state)
{
	struct live *l = *state;

	if (l->inst) {
		plugin_probe_arping.destroy(l->inst);
		assert_int_equal(count_fds(), l->nfd_before);
	}
	loop_destroy(&l->loop);
	free(l);
	return 0;
}

static void live_start(struct live *l, const char *ifname, const char *const *t, size_t n)
{
	stub_env_init(&l->env, &l->loop, ifname, t, n);
	l->nfd_before = count_fds();
	l->inst = plugin_probe_arping.probe_create(&l->env, NULL);
	assert_non_null(l->inst);
}

/* up0 (ours, 192.0.2.2) -- gw0 (the gateway, 192.0.2.1), in this test's namespace */
static void test_live_gateway(void **state)
{
	static const char *const t[] = { "192.0.2.1", "192.0.2.77" };
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	if (!have_veth)
		fail_msg("no veth pair up0/gw0 (needs the ip command and the veth driver)");
	assert_int_equal(system("ip link set gw0 arp on"), 0);
	live_start(l, "up0", t, 2);
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 0, 11), 0);
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 1, 11), 0); /* nobody */
	assert_int_equal(stub_run_until(&l->loop, 1, 2000), 1);
	assert_int_equal(stub_replies.v[0].idx, 0);
	assert_int_equal(stub_replies.v[0].seq, 11);
	assert_int_equal(stub_run_until(&l->loop, 2, 300), 1); /* 192.0.2.77 stays silent */
	/* the next request is answered as well */
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 0, 12), 0);
	assert_int_equal(stub_run_until(&l->loop, 2, 2000), 2);
	assert_int_equal(stub_replies.v[1].seq, 12);
	/* the gateway stops answering ARP: no reply */
	assert_int_equal(system("ip link set gw0 arp off"), 0);
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 0, 13), 0);
	assert_int_equal(stub_run_until(&l->loop, 3, 500), 2);
	assert_int_equal(system("ip link set gw0 arp on"), 0);
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 0, 14), 0);
	assert_int_equal(stub_run_until(&l->loop, 3, 2000), 3);
	assert_int_equal(stub_replies.v[2].seq, 14);
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 2, 1), -EINVAL);
}

/* lo has no ARP; a missing interface has nothing at all: every send fails at once. */
static void test_live_no_arp(void **state)
{
	static const char *const t[] = { "127.0.0.2" };
	struct live *l = *state;

	STUB_NEED_NETNS(netns_err);
	live_start(l, "lo", t, 1);
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 0, 1), -EPFNOSUPPORT);
	plugin_probe_arping.destroy(l->inst);
	l->inst = NULL;
	live_start(l, "nosuch0", t, 1);
	assert_int_equal(plugin_probe_arping.probe_send(l->inst, 0, 1), -ENODEV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wire),
		cmocka_unit_test(test_keys),
		cmocka_unit_test_setup_teardown(test_live_gateway, live_setup, live_teardown),
		cmocka_unit_test_setup_teardown(test_live_no_arp, live_setup, live_teardown),
	};

	log_open("probe_arping_test", true, LOG_ERR, 0);
	netns_err = stub_netns_private();
	/* a veth pair needs the ip command and the veth driver */
	have_veth = !netns_err &&
		    system("ip link add up0 type veth peer name gw0 2>/dev/null && "
			   "ip addr add 192.0.2.2/24 dev up0 && ip addr add 192.0.2.1/24 dev gw0 && "
			   "ip link set up0 up && ip link set gw0 up && "
			   /* both ends live here: gw0 must accept requests from a local source */
			   "sysctl -qw net.ipv4.conf.all.accept_local=1 net.ipv4.conf.gw0.accept_local=1 "
			   "net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.gw0.rp_filter=0") == 0;
	return cmocka_run_group_tests_name("probe_arping", tests, NULL, NULL);
}
