// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prometheus writer: every family has HELP and TYPE before its samples, one
 * uplinkd_uplink_state sample per state with 1 on the current one, unit scaling
 * (ms -> s, % -> ratio), timestamps in seconds, per-target series, build info and the
 * process_* families, unknown measurements left out, label values escaped, and every
 * line well formed. Tunnels and BGP alerts come from a status object as their monitors
 * fill it (known fields by name, new ones still sensibly named); the whole output also
 * passes test/web/promcheck.py, a parser of the text exposition format that also checks
 * the naming rules (promtool is not packaged in Debian 12).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <unistd.h>

#include "../../plugins/web/metrics.h"

static const char *const states[] = { "down", "degraded", "up" };

struct fixture {
	struct web_metric_uplink u[2];
	struct web_metric_target t[3];
	struct web_metrics m;
	char *out;
	size_t len;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->u[0] = (struct web_metric_uplink){ .name = "isp1", .state = 2, .up = true,
					      .active = true, .rtt_ms = 12.5, .loss_pct = 2.0,
					      .jitter_ms = 0.5, .switches = 3,
					      .since_ms = 1700000000500ULL };
	f->u[1] = (struct web_metric_uplink){ .name = "we\"ird\\na\nme", .state = 0,
					      .rtt_ms = -1, .loss_pct = 100, .jitter_ms = -1 };
	f->t[0] = (struct web_metric_target){ .uplink = "isp1", .method = "icmp",
					      .target = "192.0.2.1", .sent = 10, .answered = 9,
					      .rtt_ms = 12.5, .loss_pct = 10, .jitter_ms = 0.25 };
	f->t[1] = (struct web_metric_target){ .uplink = "isp1", .method = "arping",
					      .target = "gateway", .sent = 10, .answered = 10,
					      .rtt_ms = 0.5, .loss_pct = 0, .jitter_ms = 0 };
	f->t[2] = (struct web_metric_target){ .uplink = "we\"ird\\na\nme", .method = "http",
					      .target = "2001:db8::1", .sent = 0, .answered = 0,
					      .rtt_ms = -1, .loss_pct = -1, .jitter_ms = -1 };
	f->m = (struct web_metrics){ .u = f->u, .n = 2, .t = f->t, .nt = 3, .states = states,
				     .nstates = 3, .policy_switches = 4,
				     .policy_since_ms = 1700000001000ULL, .version = "0.1",
				     .plugins = "icmp,web", .start_ms = 1700000000000ULL,
				     .cpu_s = 1.25, .rss_bytes = 4096, .login_failures = 7,
				     .logins_refused = 45, .hosts_refused = 2 };
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	free(f->out);
	free(f);
	return 0;
}

static bool has_line(const char *out, const char *line)
{
	size_t n = strlen(line);
	const char *p = out;

	while ((p = strstr(p, line))) {
		if ((p == out || p[-1] == '\n') && p[n] == '\n')
			return true;
		p++;
	}
	return false;
}

/* name{labels} value | name value | # HELP name text | # TYPE name type; HELP+TYPE first */
static void check_wellformed(const char *out)
{
	char typed[128][64];
	size_t ntyped = 0, i;
	const char *p = out;

	while (*p) {
		const char *nl = strchr(p, '\n');
		char name[64];
		size_t n = 0;

		assert_non_null(nl);
		if (strncmp(p, "# HELP ", 7) == 0) {
			p = nl + 1;
			continue;
		}
		if (strncmp(p, "# TYPE ", 7) == 0) {
			assert_true(sscanf(p + 7, "%63s", typed[ntyped]) == 1);
			assert_true(++ntyped < 128);
			p = nl + 1;
			continue;
		}
		while (isalnum((unsigned char)p[n]) || p[n] == '_')
			n++;
		assert_true(n > 0 && n < sizeof(name));
		memcpy(name, p, n);
		name[n] = '\0';
		for (i = 0; i < ntyped && strcmp(typed[i], name); i++)
			;
		if (i == ntyped)
			fail_msg("sample of %s before its TYPE", name);
		if (p[n] == '{') {
			const char *q = p + n + 1;

			while (*q != '}') {
				assert_true(q < nl);
				if (*q == '\\')
					q++;
				q++;
			}
			n = (size_t)(q - p) + 1;
		}
		assert_int_equal(p[n], ' ');
		assert_true(strtod(p + n + 1, NULL) >= 0 || p[n + 1] == '-');
		p = nl + 1;
	}
}

static void test_format(void **state)
{
	struct fixture *f = *state;

	f->out = web_metrics_format(&f->m, &f->len);
	assert_non_null(f->out);
	assert_int_equal(strlen(f->out), f->len);
	check_wellformed(f->out);
	assert_true(has_line(f->out, "# TYPE uplinkd_uplink_up gauge"));
	assert_true(has_line(f->out, "# TYPE uplinkd_uplink_switches_total counter"));
	assert_true(has_line(f->out, "# TYPE uplinkd_policy_switches_total counter"));
	assert_true(has_line(f->out, "uplinkd_uplink_up{uplink=\"isp1\"} 1"));
	assert_true(has_line(f->out, "uplinkd_uplink_active{uplink=\"isp1\"} 1"));
	assert_true(has_line(f->out, "uplinkd_uplink_state{uplink=\"isp1\",state=\"up\"} 1"));
	assert_true(has_line(f->out, "uplinkd_uplink_state{uplink=\"isp1\",state=\"down\"} 0"));
	assert_true(has_line(f->out, "uplinkd_uplink_rtt_seconds{uplink=\"isp1\"} 0.0125"));
	assert_true(has_line(f->out, "uplinkd_uplink_loss_ratio{uplink=\"isp1\"} 0.02"));
	assert_true(has_line(f->out, "uplinkd_uplink_jitter_seconds{uplink=\"isp1\"} 0.0005"));
	assert_true(has_line(f->out, "uplinkd_uplink_switches_total{uplink=\"isp1\"} 3"));
	assert_true(has_line(f->out, "uplinkd_policy_switches_total 4"));
	assert_true(has_line(f->out, "# TYPE uplinkd_build_info gauge"));
	assert_true(has_line(f->out, "uplinkd_build_info{version=\"0.1\",plugins=\"icmp,web\"} 1"));
	assert_true(has_line(f->out, "process_start_time_seconds 1700000000.000"));
	assert_true(has_line(f->out, "# TYPE process_cpu_seconds_total counter"));
	assert_true(has_line(f->out, "process_cpu_seconds_total 1.250"));
	assert_true(has_line(f->out, "process_resident_memory_bytes 4096"));
	assert_true(has_line(f->out,
			     "uplinkd_uplink_last_change_timestamp_seconds{uplink=\"isp1\"} 1700000000.5"));
	assert_true(has_line(f->out, "uplinkd_policy_last_change_timestamp_seconds 1700000001.000"));
	assert_true(has_line(f->out, "uplinkd_web_login_failures_total 7"));
	assert_true(has_line(f->out, "uplinkd_web_logins_refused_total 45"));
	assert_true(has_line(f->out, "uplinkd_web_hosts_refused_total 2"));
	/* per target */
	assert_true(has_line(f->out, "# TYPE uplinkd_target_probes_sent_total counter"));
	assert_true(has_line(f->out, "uplinkd_target_probes_sent_total{uplink=\"isp1\","
			     "method=\"icmp\",target=\"192.0.2.1\"} 10"));
	assert_true(has_line(f->out, "uplinkd_target_probes_answered_total{uplink=\"isp1\","
			     "method=\"arping\",target=\"gateway\"} 10"));
	assert_true(has_line(f->out, "uplinkd_target_rtt_seconds{uplink=\"isp1\","
			     "method=\"icmp\",target=\"192.0.2.1\"} 0.0125"));
	assert_true(has_line(f->out, "uplinkd_target_loss_ratio{uplink=\"isp1\","
			     "method=\"icmp\",target=\"192.0.2.1\"} 0.1"));
	assert_true(has_line(f->out, "uplinkd_target_jitter_seconds{uplink=\"isp1\","
			     "method=\"icmp\",target=\"192.0.2.1\"} 0.00025"));
	assert_true(has_line(f->out, "uplinkd_target_probes_sent_total{uplink=\"we\\\"ird\\\\na\\nme\","
			     "method=\"http\",target=\"2001:db8::1\"} 0"));
	/* a target never answered has no RTT, loss or jitter sample */
	assert_null(strstr(f->out, "uplinkd_target_rtt_seconds{uplink=\"we"));
	assert_null(strstr(f->out, "uplinkd_target_loss_ratio{uplink=\"we"));
	/* the old names are gone */
	assert_null(strstr(f->out, "uplinkd_uptime_seconds"));
	assert_null(strstr(f->out, "uplinkd_resident_memory_bytes"));
}

static void test_escape_and_unknown(void **state)
{
	struct fixture *f = *state;

	f->out = web_metrics_format(&f->m, &f->len);
	assert_non_null(f->out);
	assert_true(has_line(f->out, "uplinkd_uplink_up{uplink=\"we\\\"ird\\\\na\\nme\"} 0"));
	assert_true(has_line(f->out,
			     "uplinkd_uplink_state{uplink=\"we\\\"ird\\\\na\\nme\",state=\"down\"} 1"));
	assert_true(has_line(f->out, "uplinkd_uplink_loss_ratio{uplink=\"we\\\"ird\\\\na\\nme\"} 1"));
	/* never measured: no sample at all */
	assert_null(strstr(f->out, "uplinkd_uplink_rtt_seconds{uplink=\"we"));
	assert_null(strstr(f->out, "uplinkd_uplink_jitter_seconds{uplink=\"we"));
	assert_null(strstr(f->out, "nan"));
}

static void promcheck(const char *out);

static void test_empty(void **state)
{
	struct fixture *f = *state;

	f->m.n = 0;
	f->m.nt = 0;
	f->m.rss_bytes = -1;
	f->m.cpu_s = -1;
	f->m.policy_since_ms = 0;
	f->m.version = NULL;
	f->out = web_metrics_format(&f->m, &f->len);
	assert_non_null(f->out);
	check_wellformed(f->out);
	assert_true(has_line(f->out, "# TYPE uplinkd_uplink_up gauge"));
	assert_null(strstr(f->out, "{uplink="));
	assert_null(strstr(f->out, "resident"));
	assert_null(strstr(f->out, "process_cpu"));
	assert_null(strstr(f->out, "uplinkd_policy_last_change"));
	assert_true(has_line(f->out, "uplinkd_build_info{version=\"unknown\",plugins=\"icmp,web\"} 1"));
	promcheck(f->out);
}

/* Run test/web/promcheck.py on out (from the top of the tree, as make unit runs). */
static void promcheck(const char *out)
{
	char path[] = "/tmp/web_metrics_test.XXXXXX", cmd[256];
	int fd, rc;

	if (access("test/web/promcheck.py", R_OK) || access("/usr/bin/python3", X_OK)) {
		print_message("promcheck.py or python3 not found; parser check skipped\n");
		return;
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, out, strlen(out)), (ssize_t)strlen(out));
	close(fd);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 test/web/promcheck.py %s", path);
	rc = system(cmd);
	unlink(path);
	assert_int_equal(rc, 0);
}

static const char status_json[] =
	"{\"tunnels\":[{\"name\":\"hq\",\"state\":\"up\",\"uplink\":\"isp1\","
	"\"remote\":\"203.0.113.10\",\"reason\":\"ESP answers\",\"bytes_in\":1234,"
	"\"bytes_out\":99,\"moves\":2,\"since_ms\":1700000000250,\"child_installed\":true,"
	"\"charon\":false,\"packets_out_total\":7,\"rtt_ms\":4.5,\"rekeys\":3},"
	"{\"name\":\"br\\\"anch\",\"state\":\"rekeying\",\"uplink\":null,\"bytes_in\":1},"
	"{\"state\":\"up\"}],"
	"\"bgp\":{\"alerts\":[{\"id\":\"hijack 203.0.113.0/24 isp1\",\"prefix\":\"203.0.113.0/24\","
	"\"type\":\"hijack\",\"peer\":\"100.64.1.1\",\"uplink\":\"isp1\",\"origin_as\":64666,"
	"\"since\":1700000000000,\"acked\":false},"
	"{\"id\":\"more-specific 203.0.113.128/25 isp2\",\"prefix\":\"203.0.113.128/25\","
	"\"type\":\"more-specific\",\"peer\":\"100.64.2.1\",\"uplink\":\"isp2\",\"acked\":true}]}}";

static void test_tunnels_alerts(void **state)
{
	struct fixture *f = *state;
	struct json_object *st = json_tokener_parse(status_json), *bgp;

	assert_non_null(st);
	assert_true(json_object_object_get_ex(st, "tunnels", &f->m.tunnels));
	assert_true(json_object_object_get_ex(st, "bgp", &bgp));
	assert_true(json_object_object_get_ex(bgp, "alerts", &f->m.alerts));
	f->out = web_metrics_format(&f->m, &f->len);
	json_object_put(st);
	assert_non_null(f->out);
	check_wellformed(f->out);
	assert_true(has_line(f->out, "uplinkd_tunnel_up{tunnel=\"hq\"} 1"));
	assert_true(has_line(f->out, "uplinkd_tunnel_state{tunnel=\"hq\",state=\"up\"} 1"));
	assert_true(has_line(f->out, "uplinkd_tunnel_state{tunnel=\"hq\",state=\"down\"} 0"));
	assert_true(has_line(f->out, "uplinkd_tunnel_up{tunnel=\"br\\\"anch\"} 0"));
	/* a state the page does not know is still shown */
	assert_true(has_line(f->out,
			     "uplinkd_tunnel_state{tunnel=\"br\\\"anch\",state=\"rekeying\"} 1"));
	assert_true(has_line(f->out,
			     "uplinkd_tunnel_info{tunnel=\"hq\",uplink=\"isp1\",remote=\"203.0.113.10\"} 1"));
	assert_true(has_line(f->out, "# TYPE uplinkd_tunnel_bytes_in_total counter"));
	assert_true(has_line(f->out, "uplinkd_tunnel_bytes_in_total{tunnel=\"hq\"} 1234"));
	assert_true(has_line(f->out, "uplinkd_tunnel_bytes_in_total{tunnel=\"br\\\"anch\"} 1"));
	assert_true(has_line(f->out, "# TYPE uplinkd_tunnel_packets_out_total counter"));
	assert_true(has_line(f->out, "uplinkd_tunnel_bytes_out_total{tunnel=\"hq\"} 99"));
	assert_true(has_line(f->out, "# TYPE uplinkd_tunnel_moves_total counter"));
	assert_true(has_line(f->out, "uplinkd_tunnel_moves_total{tunnel=\"hq\"} 2"));
	assert_true(has_line(f->out, "# TYPE uplinkd_tunnel_last_change_timestamp_seconds gauge"));
	assert_true(has_line(f->out,
			     "uplinkd_tunnel_last_change_timestamp_seconds{tunnel=\"hq\"} 1700000000.25"));
	assert_true(has_line(f->out, "uplinkd_tunnel_child_installed{tunnel=\"hq\"} 1"));
	assert_true(has_line(f->out, "uplinkd_tunnel_charon_up{tunnel=\"hq\"} 0"));
	/* fields the table does not know: milliseconds in seconds, counters with _total */
	assert_true(has_line(f->out, "# TYPE uplinkd_tunnel_rtt_seconds gauge"));
	assert_true(has_line(f->out, "uplinkd_tunnel_rtt_seconds{tunnel=\"hq\"} 0.0045"));
	assert_true(has_line(f->out, "# TYPE uplinkd_tunnel_rekeys_total counter"));
	assert_true(has_line(f->out, "# HELP uplinkd_tunnel_rekeys_total The tunnels[].rekeys field of the status object."));
	assert_true(has_line(f->out, "uplinkd_bgp_alerts 1"));
	assert_true(has_line(f->out, "uplinkd_bgp_alert{id=\"hijack 203.0.113.0/24 isp1\","
			     "prefix=\"203.0.113.0/24\",type=\"hijack\",peer=\"100.64.1.1\","
			     "uplink=\"isp1\"} 1"));
	assert_non_null(strstr(f->out, "type=\"more-specific\",peer=\"100.64.2.1\",uplink=\"isp2\"} 0"));
	/* a tunnel without a name is not a series */
	assert_null(strstr(f->out, "tunnel=\"\""));
	promcheck(f->out);
}

static void test_promcheck(void **state)
{
	struct fixture *f = *state;

	f->out = web_metrics_format(&f->m, &f->len);
	assert_non_null(f->out);
	promcheck(f->out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escape_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tunnels_alerts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_promcheck, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
