// SPDX-License-Identifier: GPL-2.0-or-later
/* The control request grammar: every command, every refusal and its message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "command.h"
#include "control.h"

static int parse(const char *s, struct command_req *r, char *err)
{
	return control_req_parse(s, strlen(s), r, err, 256);
}

static void test_good(void **state)
{
	struct command_req r;
	char err[256];

	(void)state;
	assert_int_equal(parse("{\"cmd\":\"status\"}\n", &r, err), 0);
	assert_int_equal(r.cmd->id, CMD_STATUS);
	assert_int_equal(parse("{\"cmd\":\"events\"}", &r, err), 0);
	assert_int_equal(r.count, 50);
	assert_int_equal(parse(" {\"cmd\": \"events\", \"count\": 7}\r\n", &r, err), 0);
	assert_int_equal(r.cmd->id, CMD_EVENTS);
	assert_int_equal(r.count, 7);
	assert_int_equal(parse("{\"cmd\":\"reload\"}", &r, err), 0);
	assert_int_equal(r.cmd->id, CMD_RELOAD);
	assert_int_equal(parse("{\"uplink\":\"isp2\",\"cmd\":\"prefer\"}", &r, err), 0);
	assert_int_equal(r.cmd->id, CMD_PREFER);
	assert_string_equal(r.uplink, "isp2");
	assert_int_equal(parse("{\"cmd\":\"ack\",\"alert\":\"hijack-1\"}", &r, err), 0);
	assert_int_equal(r.cmd->id, CMD_ACK);
	assert_string_equal(r.alert, "hijack-1");
}

static void test_refused(void **state)
{
	static const struct {
		const char *in, *msg;
	} cases[] = {
		{ "", "empty request; send one JSON object, e.g. {\"cmd\":\"status\"}" },
		{ "{\"cmd\":\"stauts\"}", "unknown command \"stauts\"; try status, events, reload, prefer, ack, disable, enable" },
		{ "[1,2]", "a request is a JSON object, e.g. {\"cmd\":\"status\"}" },
		{ "{\"command\":\"status\"}", "missing \"cmd\" (a string: status, events, reload, prefer, ack, disable, enable)" },
		{ "{\"cmd\":3}", "missing \"cmd\" (a string: status, events, reload, prefer, ack, disable, enable)" },
		{ "{\"cmd\":\"status\"} x", "unexpected bytes after the JSON object at byte 17" },
		{ "{\"cmd\":\"events\",\"count\":0}", "\"count\" 0 is outside 1..1000" },
		{ "{\"cmd\":\"events\",\"count\":\"5\"}", "\"count\" must be an integer" },
		{ "{\"cmd\":\"status\",\"count\":5}", "\"count\" is not an argument of status" },
		{ "{\"cmd\":\"prefer\"}", "prefer needs \"uplink\": a name or \"auto\"" },
		{ "{\"cmd\":\"disable\"}", "disable needs \"uplink\": a name" },
		{ "{\"cmd\":\"enable\",\"alert\":\"x\"}", "\"alert\" is not an argument of enable" },
		{ "{\"cmd\":\"ack\"}", "ack needs \"alert\": an id from bgp.alerts[]" },
		{ "{\"cmd\":\"ack\",\"uplink\":\"isp1\"}", "\"uplink\" is not an argument of ack" },
		{ "{\"cmd\":\"prefer\",\"uplink\":\"\"}", "\"uplink\" must be 1 to 63 characters" },
		{ "{\"cmd\":\"prefer\",\"uplink\":7}", "\"uplink\" must be a string" },
		{ "{\"cmd\":\"prefer\",\"uplink\":\"isp1\\u0000x\"}",
		  "\"uplink\" must be 1 to 63 characters" },
		{ "{\"cmd\":\"prefer\",\"uplink\":"
		  "\"0123456789012345678901234567890123456789012345678901234567890123\"}",
		  "\"uplink\" must be 1 to 63 characters" },
		{ "{\"cmd\":\"prefer\",\"uplink\":\"isp1\",\"force\":true}",
		  "\"force\" is not an argument of prefer" },
		{ "{\"cmd\":\"events\",\"count\":1001}", "\"count\" 1001 is outside 1..1000" },
		{ "{\"cmd\":\"events\",\"count\":-3}", "\"count\" -3 is outside 1..1000" },
		{ "{\"cmd\":\"events\",\"count\":5.0}", "\"count\" must be an integer" },
		{ "{\"cmd\":\"events\",\"count\":99999999999999999999}",
		  "\"count\" 9223372036854775807 is outside 1..1000" },
		{ "{\"cmd\":\"reload\",\"uplink\":\"isp1\"}", "\"uplink\" is not an argument of reload" },
		{ "{\"cmd\":\"status\"}{\"cmd\":\"status\"}",
		  "unexpected bytes after the JSON object at byte 16" },
		{ "{\"cmd\":\"stat\\u0000us\"}",
		  "unknown command \"stat\"; try status, events, reload, prefer, ack, disable, enable" },
		{ "{\"cmd\":\"STATUS\"}", "unknown command \"STATUS\"; try status, events, reload, prefer, ack, disable, enable" },
		{ "\"status\"", "a request is a JSON object, e.g. {\"cmd\":\"status\"}" },
		{ "5", "a request is a JSON object, e.g. {\"cmd\":\"status\"}" },
		{ "null", "a request is a JSON object, e.g. {\"cmd\":\"status\"}" },
		{ " \r\n", "empty request; send one JSON object, e.g. {\"cmd\":\"status\"}" },
		{ "{\"cmd\":null}", "missing \"cmd\" (a string: status, events, reload, prefer, ack, disable, enable)" },
	};
	struct command_req r;
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		err[0] = '\0';
		assert_int_equal(parse(cases[i].in, &r, err), -EINVAL);
		if (strcmp(err, cases[i].msg))
			print_message("case %zu: got \"%s\"\n", i, err);
		assert_string_equal(err, cases[i].msg);
	}
	assert_int_equal(parse("{\"cmd\":\"sta", &r, err), -EINVAL);
	assert_string_equal(err, "not valid JSON at byte 11: unexpected end of data");
	assert_int_equal(parse("{cmd:status}", &r, err), -EINVAL);
	assert_non_null(strstr(err, "not valid JSON at byte 1"));
	/* deeper than the tokener allows */
	assert_int_equal(parse("{\"cmd\":\"status\",\"x\":[[[[[[[[[[1]]]]]]]]]]}", &r, err), -EINVAL);
	assert_non_null(strstr(err, "not valid JSON"));
}

/* Only the given bytes are read: a NUL or a valid request beyond len changes nothing. */
static void test_length_bound(void **state)
{
	static const char two[] = "{\"cmd\":\"reload\"}{\"cmd\":\"status\"}";
	static const char nul[] = "{\"cmd\":\"status\"}\0garbage";
	struct command_req r;
	char err[64], *big;
	size_t n = CONTROL_LINE_MAX + 1;

	(void)state;
	assert_int_equal(control_req_parse(two, 16, &r, err, sizeof(err)), 0);
	assert_int_equal(r.cmd->id, CMD_RELOAD);
	assert_int_equal(control_req_parse(nul, sizeof(nul) - 1, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "unexpected bytes after the JSON object at byte 16");
	assert_int_equal(control_req_parse(two, 10, &r, err, sizeof(err)), -EINVAL);

	big = malloc(n);
	assert_non_null(big);
	memset(big, ' ', n);
	memcpy(big, "{\"cmd\":\"status\",\"a\":\"", 22);
	big[n - 2] = '"';
	big[n - 1] = '}';
	assert_int_equal(control_req_parse(big, n, &r, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "request longer than 65536 bytes");
	/* a tiny err buffer truncates the message, never overflows */
	assert_int_equal(control_req_parse("{\"cmd\":\"x\"}", 11, &r, err, 8), -EINVAL);
	assert_int_equal(strlen(err), 7);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_length_bound),
	};

	return cmocka_run_group_tests_name("control", tests, NULL, NULL);
}
