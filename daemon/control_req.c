// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: control_req.c - parse one control request line (pure, fuzzed)
 *
 * Owns the request grammar: one JSON object with "cmd" and that command's
 * arguments, nothing else. Every refusal says what was wrong and what to send.
 * Called by control.c; the fuzzer and the unit test call it directly.
 */
#include "control.h"
#include "list.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define CONTROL_LINE_MAX (64 * 1024)

static const char *const cmd_names[] = {
	[CONTROL_STATUS] = "status", [CONTROL_EVENTS] = "events",
	[CONTROL_RELOAD] = "reload", [CONTROL_PREFER] = "prefer",
};

int control_req_parse(const char *buf, size_t len, struct control_req *req, char *err,
		      size_t errlen)
{
	struct json_tokener *tok;
	struct json_object *o = NULL, *v;
	const char *cmd;
	size_t i;
	int ret = -EINVAL;

	memset(req, 0, sizeof(*req));
	req->count = 50;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' '))
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty request; send one JSON object, e.g. {\"cmd\":\"status\"}");
		return -EINVAL;
	}
	if (len > CONTROL_LINE_MAX) {
		snprintf(err, errlen, "request longer than %d bytes", CONTROL_LINE_MAX);
		return -EINVAL;
	}
	tok = json_tokener_new_ex(8);
	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success) {
		snprintf(err, errlen, "not valid JSON at byte %zu: %s", json_tokener_get_parse_end(tok),
			 json_tokener_error_desc(json_tokener_get_error(tok) ==
							 json_tokener_continue ?
							 json_tokener_error_parse_eof :
							 json_tokener_get_error(tok)));
		goto out;
	}
	if ((size_t)json_tokener_get_parse_end(tok) != len) {
		snprintf(err, errlen, "unexpected bytes after the JSON object at byte %zu",
			 json_tokener_get_parse_end(tok));
		goto out;
	}
	if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "a request is a JSON object, e.g. {\"cmd\":\"status\"}");
		goto out;
	}
	if (!json_object_object_get_ex(o, "cmd", &v) || !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "missing \"cmd\" (a string: status, events, reload, prefer)");
		goto out;
	}
	cmd = json_object_get_string(v);
	for (i = 0; i < ARRAY_SIZE(cmd_names); i++)
		if (strcmp(cmd, cmd_names[i]) == 0)
			break;
	if (i == ARRAY_SIZE(cmd_names)) {
		snprintf(err, errlen, "unknown command \"%.40s\"; try status, events, reload, prefer",
			 cmd);
		goto out;
	}
	req->cmd = (enum control_cmd)i;
	json_object_object_foreach(o, key, val) {
		if (strcmp(key, "cmd") == 0)
			continue;
		if (req->cmd == CONTROL_EVENTS && strcmp(key, "count") == 0) {
			int64_t n;

			if (!json_object_is_type(val, json_type_int)) {
				snprintf(err, errlen, "\"count\" must be an integer");
				goto out;
			}
			n = json_object_get_int64(val);
			if (n < 1 || n > 1000) {
				snprintf(err, errlen, "\"count\" %lld is outside 1..1000", (long long)n);
				goto out;
			}
			req->count = (int)n;
		} else if (req->cmd == CONTROL_PREFER && strcmp(key, "uplink") == 0) {
			const char *s;

			if (!json_object_is_type(val, json_type_string)) {
				snprintf(err, errlen, "\"uplink\" must be a string");
				goto out;
			}
			s = json_object_get_string(val);
			if (!*s || strlen(s) >= sizeof(req->uplink)) {
				snprintf(err, errlen, "\"uplink\" must be 1 to %zu characters",
					 sizeof(req->uplink) - 1);
				goto out;
			}
			strcpy(req->uplink, s);
		} else {
			snprintf(err, errlen, "\"%.40s\" is not an argument of %s", key, cmd);
			goto out;
		}
	}
	if (req->cmd == CONTROL_PREFER && !req->uplink[0]) {
		snprintf(err, errlen, "prefer needs \"uplink\": a name or \"auto\"");
		goto out;
	}
	ret = 0;
out:
	json_object_put(o);
	json_tokener_free(tok);
	return ret;
}
