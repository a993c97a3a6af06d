// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Prometheus writer: every family has HELP and TYPE before its samples, one
 * uplinkd_uplink_state sample per state with 1 on the current one, unit scaling
 * (ms -> s, % -> ratio), unknown measurements left out, label values escaped, and
 * every line well formed.
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

#include "../../plugins/web/metrics.h"

static const char *const states[] = { "down", "degraded", "up" };

struct fixture {
	struct web_metric_uplink u[2];
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
					      .jitter_ms = 0.5, .switches = 3 };
	f->u[1] = (struct web_metric_uplink){ .name = "we\"ird\\na\nme", .state = 0,
					      .rtt_ms = -1, .loss_pct = 100, .jitter_ms = -1 };
	f->m = (struct web_metrics){ .u = f->u, .n = 2, .states = states, .nstates = 3,
				     .policy_switches = 4, .uptime_s = 61.5,
				     .rss_bytes = 4096 };
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
	char typed[32][64];
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
			assert_true(++ntyped < 32);
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
	assert_true(has_line(f->out, "uplinkd_uptime_seconds 61.500"));
	assert_true(has_line(f->out, "uplinkd_resident_memory_bytes 4096"));
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

static void test_empty(void **state)
{
	struct fixture *f = *state;

	f->m.n = 0;
	f->m.rss_bytes = -1;
	f->out = web_metrics_format(&f->m, &f->len);
	assert_non_null(f->out);
	check_wellformed(f->out);
	assert_true(has_line(f->out, "# TYPE uplinkd_uplink_up gauge"));
	assert_null(strstr(f->out, "{uplink="));
	assert_null(strstr(f->out, "resident"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_format, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escape_and_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
