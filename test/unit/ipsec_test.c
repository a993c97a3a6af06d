// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ipsec monitor's pure parts: counters out of a real charon list-sa event,
 * ESP-stall detection and the tunnel state machine on a fake clock (rekeys,
 * counter resets, idle tunnels, a single unanswered packet), the requests
 * uplinkd sends parsed back, and the in-tunnel probe's wire format.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-ipsec/ipsec_conn.h"
#include "../../plugins/monitor-ipsec/ipsec_health.h"
#include "../../plugins/monitor-ipsec/ipsec_probe.h"
#include "../../plugins/monitor-ipsec/ipsec_sa.h"
#include "../../plugins/monitor-ipsec/vici.h"
#include "ipsec_seeds.h"

#define S(x) ((uint64_t)(x) * 1000000000ULL)

static struct vici_msg *parse_framed(const uint8_t *buf, size_t len)
{
	struct vici_msg *m = NULL;
	size_t off, plen;

	assert_int_equal(vici_frame_next(buf, len, &off, &plen), 1);
	assert_int_equal(vici_msg_parse(buf + off, plen, &m, NULL), 0);
	return m;
}

static void test_sa_real_list_sa(void **state)
{
	struct vici_msg *m = parse_framed(real_list_sa_rekeyed, sizeof(real_list_sa_rekeyed));
	struct ipsec_sa sa;

	(void)state;
	assert_string_equal(ipsec_sa_conn_name(m), "hq");
	assert_int_equal(ipsec_sa_parse(m, "other", "net", &sa), -ENOENT);
	assert_int_equal(ipsec_sa_parse(m, "hq", "net", &sa), 0);
	assert_int_equal(sa.ike_uid, 2);
	assert_string_equal(sa.ike_state, "ESTABLISHED");
	assert_string_equal(sa.local, "100.64.1.2");
	assert_string_equal(sa.remote, "203.0.113.10");
	/* the INSTALLED child, not the DELETED one left over from the rekey */
	assert_true(sa.child_installed);
	assert_int_equal(sa.child_uid, 2);
	assert_int_equal(sa.spi_in, 0x957bddf2);
	assert_int_equal(sa.packets_in, 3);
	assert_int_equal(sa.packets_out, 3);
	assert_int_equal(sa.bytes_in, 156);
	assert_int_equal(sa.use_in, 1);
	assert_int_equal(sa.use_out, 1);
	/* another child config of the same connection: IKE fields only */
	assert_int_equal(ipsec_sa_parse(m, "hq", "voice", &sa), 0);
	assert_false(sa.child_installed);
	vici_msg_free(m);
}

static struct vici_msg *build(void (*fill)(struct vici_buf *b))
{
	static uint8_t buf[4096];
	struct vici_buf b;

	vici_buf_init(&b, buf, sizeof(buf));
	vici_msg_begin(&b, VICI_EVENT, "list-sa");
	fill(&b);
	assert_int_equal(vici_msg_finish(&b), 0);
	return parse_framed(buf, b.len);
}

static void fill_bad_counter(struct vici_buf *b)
{
	vici_section_begin(b, "hq");
	vici_kv_str(b, "state", "ESTABLISHED");
	vici_section_begin(b, "child-sas");
	vici_section_begin(b, "net-1");
	vici_kv_str(b, "name", "net");
	vici_kv_str(b, "state", "INSTALLED");
	vici_kv_str(b, "packets-in", "12x");
	vici_section_end(b);
	vici_section_end(b);
	vici_section_end(b);
}

static void fill_no_section(struct vici_buf *b)
{
	vici_kv_str(b, "state", "ESTABLISHED");
}

static void fill_long_host(struct vici_buf *b)
{
	char host[300];

	memset(host, 'a', sizeof(host) - 1);
	host[sizeof(host) - 1] = '\0';
	vici_section_begin(b, "hq");
	vici_kv_str(b, "local-host", host);
	vici_section_end(b);
}

static void test_sa_malformed(void **state)
{
	struct vici_msg *m;
	struct ipsec_sa sa;

	(void)state;
	m = build(fill_bad_counter);
	assert_int_equal(ipsec_sa_parse(m, "hq", "net", &sa), -EBADMSG);
	vici_msg_free(m);
	m = build(fill_no_section);
	assert_null(ipsec_sa_conn_name(m));
	assert_int_equal(ipsec_sa_parse(m, "hq", "net", &sa), -EBADMSG);
	vici_msg_free(m);
	m = build(fill_long_host);
	assert_int_equal(ipsec_sa_parse(m, "hq", "net", &sa), 0);
	assert_int_equal(strlen(sa.local), IPSEC_ADDR_MAX - 1);
	assert_string_equal(sa.ike_state, "?");
	assert_false(sa.child_installed);
	vici_msg_free(m);
}

/* ---- health ---- */

static struct ipsec_sa sa_up(uint64_t uid, uint64_t in, uint64_t out, int64_t use_in,
			     int64_t use_out)
{
	struct ipsec_sa sa;

	memset(&sa, 0, sizeof(sa));
	snprintf(sa.ike_state, sizeof(sa.ike_state), "ESTABLISHED");
	sa.child_installed = true;
	sa.child_uid = uid;
	sa.spi_in = (uint32_t)(0xc0000000u + uid);
	sa.packets_in = in;
	sa.packets_out = out;
	sa.use_in = use_in;
	sa.use_out = use_out;
	return sa;
}

static void test_health_comes_up(void **state)
{
	struct tunnel_health th;
	struct ipsec_sa sa = sa_up(1, 1, 1, 0, 0);

	(void)state;
	tunnel_health_init(&th, 3, 3, 2, false, S(0));
	assert_int_equal(th.state, VIEW_DOWN);
	assert_string_equal(th.reason, "starting");
	assert_false(tunnel_health_poll(&th, &sa, "isp1", S(1)));
	sa.packets_in = 2;
	sa.packets_out = 2;
	assert_true(tunnel_health_poll(&th, &sa, "isp1", S(2)));
	assert_int_equal(th.state, VIEW_UP);
	assert_int_equal(th.since_ns, S(2));
}

static void test_health_esp_stall(void **state)
{
	struct tunnel_health th;
	struct ipsec_sa sa;
	uint64_t t;

	(void)state;
	tunnel_health_init(&th, 3, 3, 1, false, S(0));
	sa = sa_up(1, 10, 10, 0, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(1));
	assert_int_equal(th.state, VIEW_UP);
	/* from t=2 nothing comes back; one packet out per second */
	for (t = 2; t <= 3; t++) {
		sa = sa_up(1, 10, 10 + t - 1, (int64_t)t - 1, 0);
		assert_false(tunnel_health_poll(&th, &sa, "isp1", S(t)));
		assert_false(th.stalled);
	}
	/* charon's use-in (2 s) is more exact than our polls (3 s): not yet */
	sa = sa_up(1, 10, 13, 2, 0);
	assert_false(tunnel_health_poll(&th, &sa, "isp1", S(4)));
	sa = sa_up(1, 10, 14, 3, 0);
	assert_true(tunnel_health_poll(&th, &sa, "isp1", S(5)));
	assert_true(th.stalled);
	assert_int_equal(th.state, VIEW_DOWN);
	assert_string_equal(th.reason, "ESP stalled on isp1: 4 packets out, 0 in for 3 s");
	/* inbound moves again: no longer stalled; up after up_after good polls */
	sa = sa_up(1, 11, 15, 0, 0);
	assert_true(tunnel_health_poll(&th, &sa, "isp1", S(6)));
	assert_false(th.stalled);
	assert_int_equal(th.state, VIEW_UP);
}

static void test_health_rekey_resets_baseline(void **state)
{
	struct tunnel_health th;
	struct ipsec_sa sa;

	(void)state;
	tunnel_health_init(&th, 3, 3, 1, false, S(0));
	sa = sa_up(1, 10, 10, 0, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(1));
	sa = sa_up(1, 10, 12, 3, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(2));
	/* rekey: a new child with counters from 0 and use-in absent */
	sa = sa_up(2, 0, 3, -1, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(5));
	assert_false(th.stalled);
	/* the new baseline needs its own esp_stall_s of silence */
	sa = sa_up(2, 0, 5, -1, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(7));
	assert_false(th.stalled);
	sa = sa_up(2, 0, 6, -1, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(8));
	assert_true(th.stalled);
	/* an explicit rebase (child-rekey event) forgets it */
	tunnel_health_rebase(&th);
	assert_false(th.stalled);
	/* counters going backwards on the same SA also restart the baseline */
	sa = sa_up(2, 0, 7, -1, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(9));
	sa = sa_up(2, 0, 1, -1, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(13));
	assert_false(th.stalled);
}

static void test_health_idle_is_not_stalled(void **state)
{
	struct tunnel_health th;
	struct ipsec_sa sa;

	(void)state;
	tunnel_health_init(&th, 3, 3, 1, false, S(0));
	sa = sa_up(1, 5, 5, 100, 100);
	tunnel_health_poll(&th, &sa, "isp1", S(1));
	/* idle for minutes, then a single packet out, not answered yet */
	sa = sa_up(1, 5, 6, 200, 0);
	tunnel_health_poll(&th, &sa, "isp1", S(200));
	assert_false(th.stalled);
	/* packets out long ago only (use-out old): not stalled either */
	sa = sa_up(1, 5, 9, 300, 50);
	tunnel_health_poll(&th, &sa, "isp1", S(300));
	assert_false(th.stalled);
	assert_int_equal(th.state, VIEW_UP);
}

static void test_health_sa_missing(void **state)
{
	struct tunnel_health th;
	struct ipsec_sa sa = sa_up(1, 1, 1, 0, 0);

	(void)state;
	tunnel_health_init(&th, 3, 2, 1, false, S(0));
	tunnel_health_poll(&th, &sa, "isp1", S(1));
	assert_int_equal(th.state, VIEW_UP);
	/* one poll without the SA is noise; down_after (2) is a verdict */
	assert_false(tunnel_health_poll(&th, NULL, "isp1", S(2)));
	assert_true(tunnel_health_poll(&th, NULL, "isp1", S(3)));
	assert_int_equal(th.state, VIEW_DOWN);
	assert_string_equal(th.reason, "no IKE_SA via isp1");
	snprintf(sa.ike_state, sizeof(sa.ike_state), "CONNECTING");
	tunnel_health_poll(&th, &sa, "isp2", S(4));
	assert_string_equal(th.reason, "IKE_SA CONNECTING via isp2");
	sa = sa_up(3, 0, 0, -1, -1);
	sa.child_installed = false;
	tunnel_health_poll(&th, &sa, "isp2", S(5));
	assert_string_equal(th.reason, "CHILD_SA not installed via isp2");
}

static void test_health_probes(void **state)
{
	struct tunnel_health th;
	struct ipsec_sa sa = sa_up(1, 1, 1, 0, 0);

	(void)state;
	tunnel_health_init(&th, 3, 3, 1, true, S(0));
	/* probing: no "up" before a probe was answered */
	tunnel_health_poll(&th, &sa, "isp1", S(1));
	assert_int_equal(th.state, VIEW_DOWN);
	tunnel_health_probe(&th, true, "t", S(1));
	sa.packets_in = sa.packets_out = 2;
	assert_true(tunnel_health_poll(&th, &sa, "isp1", S(2)));
	assert_int_equal(th.state, VIEW_UP);
	assert_false(tunnel_health_probe(&th, false, "t", S(3)));
	assert_false(tunnel_health_probe(&th, false, "t", S(4)));
	assert_true(tunnel_health_probe(&th, false, "t", S(5)));
	assert_int_equal(th.state, VIEW_DEGRADED);
	assert_string_equal(th.reason, "3 in-tunnel probes lost in a row");
	tunnel_health_probe(&th, true, "t", S(6));
	sa.packets_in = sa.packets_out = 3;
	assert_true(tunnel_health_poll(&th, &sa, "isp1", S(6)));
	assert_int_equal(th.state, VIEW_UP);
}

/* ---- requests ---- */

static void test_conn_load(void **state)
{
	char *lts[] = { "100.80.0.0/24" }, *rts[] = { "100.81.0.0/24", "100.82.0.0/24" };
	struct ipsec_tunnel_conf c = {
		.name = "hq", .ike = "hq", .child = "net", .auth = IPSEC_AUTH_PUBKEY,
		.local_id = "rtr.lab", .remote_id = "site.lab",
		.proposals = "aes128-sha256-modp2048, aes256-sha384-modp3072",
		.local_ts = { lts, 1 }, .remote_ts = { rts, 2 }, .encap = true,
		.dpd_delay_s = 10,
	};
	uint8_t buf[4096];
	struct vici_buf b;
	struct vici_msg *m;

	(void)state;
	vici_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ipsec_conn_build_load(&b, &c, "100.64.2.2", "203.0.113.20"), 0);
	m = parse_framed(buf, b.len);
	assert_int_equal(m->type, VICI_CMD_REQUEST);
	assert_string_equal(m->name, "load-conn");
	assert_string_equal(vici_node_str(&m->root, "hq.local_addrs.0"), "100.64.2.2");
	assert_null(vici_find(m, "hq.local_addrs.1"));
	assert_string_equal(vici_node_str(&m->root, "hq.remote_addrs.0"), "203.0.113.20");
	assert_string_equal(vici_node_str(&m->root, "hq.encap"), "yes");
	assert_string_equal(vici_node_str(&m->root, "hq.mobike"), "no");
	assert_string_equal(vici_node_str(&m->root, "hq.dpd_delay"), "10s");
	assert_string_equal(vici_node_str(&m->root, "hq.proposals.1"), "aes256-sha384-modp3072");
	assert_string_equal(vici_node_str(&m->root, "hq.local.auth"), "pubkey");
	assert_string_equal(vici_node_str(&m->root, "hq.remote.id"), "site.lab");
	assert_string_equal(vici_node_str(&m->root, "hq.children.net.remote_ts.1"),
			    "100.82.0.0/24");
	assert_string_equal(vici_node_str(&m->root, "hq.children.net.start_action"), "none");
	assert_null(vici_find(m, "hq.children.net.esp_proposals"));
	vici_msg_free(m);

	vici_buf_init(&b, buf, sizeof(buf));
	assert_int_equal(ipsec_conn_build_initiate(&b, "hq", "net"), 0);
	assert_int_equal(ipsec_conn_build_terminate(&b, 42), 0);
	assert_int_equal(ipsec_conn_build_list_sas(&b), 0);
	m = parse_framed(buf, b.len);
	assert_string_equal(vici_node_str(&m->root, "timeout"), "-1");
	assert_string_equal(vici_node_str(&m->root, "child"), "net");
	vici_msg_free(m);
	/* too small a buffer is an error, never a partial packet */
	vici_buf_init(&b, buf, 40);
	assert_int_equal(ipsec_conn_build_load(&b, &c, "100.64.2.2", "203.0.113.20"), -ENOSPC);
}

/* ---- probe wire ---- */

static void test_probe_wire(void **state)
{
	uint8_t req[64], pkt[128];
	struct in_addr from;
	size_t len;
	uint32_t sum = 0;
	size_t i;

	(void)state;
	len = ipsec_probe_build(req, sizeof(req), 0x1234, 7);
	assert_int_equal(len, 32);
	assert_int_equal(req[0], 8);
	for (i = 0; i < len; i += 2)
		sum += (uint32_t)(req[i] << 8 | req[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
	assert_int_equal(ipsec_probe_build(req, 10, 1, 1), 0);

	/* an echo reply: IPv4 header from 100.81.0.1, then the echo turned around */
	memset(pkt, 0, sizeof(pkt));
	pkt[0] = 0x45;
	pkt[9] = IPPROTO_ICMP;
	inet_pton(AF_INET, "100.81.0.1", pkt + 12);
	memcpy(pkt + 20, req, len);
	pkt[20] = 0;
	inet_pton(AF_INET, "100.81.0.1", &from);
	assert_true(ipsec_probe_match(pkt, 20 + len, from, 0x1234, 7));
	assert_false(ipsec_probe_match(pkt, 20 + len, from, 0x1234, 8));
	assert_false(ipsec_probe_match(pkt, 20 + len, from, 0x1235, 7));
	assert_false(ipsec_probe_match(pkt, 27, from, 0x1234, 7));
	inet_pton(AF_INET, "100.81.0.2", &from);
	assert_false(ipsec_probe_match(pkt, 20 + len, from, 0x1234, 7));
	pkt[0] = 0x4f; /* header longer than the packet */
	assert_false(ipsec_probe_match(pkt, 40, from, 0x1234, 7));
}

/* Each echo is a conntrack flow of its own: a NAT binding made for an echo that
 * left before the CHILD_SA existed must not capture the next ones (kernel ESP). */
static void test_probe_id_per_echo(void **state)
{
	uint16_t seq;

	(void)state;
	for (seq = 1; seq < 100; seq++)
		assert_int_not_equal(ipsec_probe_id(0x1234, seq), ipsec_probe_id(0x1234, seq + 1));
	assert_int_equal(ipsec_probe_id(0xffff, 1), 0);	/* wraps, never fails */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sa_real_list_sa),
		cmocka_unit_test(test_sa_malformed),
		cmocka_unit_test(test_health_comes_up),
		cmocka_unit_test(test_health_esp_stall),
		cmocka_unit_test(test_health_rekey_resets_baseline),
		cmocka_unit_test(test_health_idle_is_not_stalled),
		cmocka_unit_test(test_health_sa_missing),
		cmocka_unit_test(test_health_probes),
		cmocka_unit_test(test_conn_load),
		cmocka_unit_test(test_probe_wire),
		cmocka_unit_test(test_probe_id_per_echo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
