// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: control_req.c - parse one control request line (pure, fuzzed)
 *
 * Owns the request grammar: one JSON object with "cmd" and that command's
 * arguments, nothing else (no unknown keys, no second value, no trailing bytes).
 * Every refusal says what was wrong and what to send instead. It reads only the
 * bytes it is given (json_tokener, never strlen on the input) and touches no
 * state. Called by control.c; the fuzzer and the unit test call it directly.
 */
#include "control.h"
#include "list.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define CONTROL_DEPTH_MAX 8

static const char *const cmd_names[] = {
	[CONTROL_STATUS] = "status", [CONTROL_EVENTS] = "events",
	[CONTROL_RELOAD] = "reload", [CONTROL_PREFER] = "prefer",
	[CONTROL_DISABLE] = "disable", [CONTROL_ENABLE] = "enable",
	[CONTROL_ACK] = "ack",
};

/* Parse buf[0..len) as exactly one JSON value; NULL with a message otherwise. */
static struct json_object *parse_json(const char *buf, size_t len, char *err, size_t errlen)
{
	struct json_tokener *tok = json_tokener_new_ex(CONTROL_DEPTH_MAX);
	struct json_object *o;
	enum json_tokener_error e;
	size_t end;

	if (!tok) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (!o && e == json_tokener_continue && end == len) {
		/* a bare number or literal ends only at the end of input: say so */
		o = json_tokener_parse_ex(tok, "", 1);
		e = json_tokener_get_error(tok);
		end = len;
	}
	if (e != json_tokener_success) {
		if (e == json_tokener_continue)
			e = json_tokener_error_parse_eof;
		snprintf(err, errlen, "not valid JSON at byte %zu: %s", end,
			 json_tokener_error_desc(e));
		json_object_put(o);
		o = NULL;
	} else if (end != len) {
		snprintf(err, errlen, "unexpected bytes after the JSON object at byte %zu", end);
		json_object_put(o);
		o = NULL;
	} else if (!json_object_is_type(o, json_type_object)) {
		snprintf(err, errlen, "a request is a JSON object, e.g. {\"cmd\":\"status\"}");
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* A JSON string without NUL bytes, 1..max-1 long: copied into out. */
static int get_name(struct json_object *v, const char *key, char *out, size_t max, char *err,
		    size_t errlen)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "\"%s\" must be a string", key);
		return -EINVAL;
	}
	s = json_object_get_string(v);
	n = (size_t)json_object_get_string_len(v);
	if (n == 0 || n >= max || strlen(s) != n) {
		snprintf(err, errlen, "\"%s\" must be 1 to %zu characters", key, max - 1);
		return -EINVAL;
	}
	memcpy(out, s, n + 1);
	return 0;
}

int control_req_parse(const char *buf, size_t len, struct control_req *req, char *err,
		      size_t errlen)
{
	struct json_object *o, *v;
	const char *cmd;
	size_t i;
	int ret = -EINVAL;

	memset(req, 0, sizeof(*req));
	req->count = 50;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' || buf[len - 1] == ' ' ||
		       buf[len - 1] == '\t'))
		len--;
	if (len == 0) {
		snprintf(err, errlen, "empty request; send one JSON object, e.g. {\"cmd\":\"status\"}");
		return -EINVAL;
	}
	if (len > CONTROL_LINE_MAX) {
		snprintf(err, errlen, "request longer than %d bytes", CONTROL_LINE_MAX);
		return -EINVAL;
	}
	o = parse_json(buf, len, err, errlen);
	if (!o)
		return -EINVAL;
	if (!json_object_object_get_ex(o, "cmd", &v) || !json_object_is_type(v, json_type_string)) {
		snprintf(err, errlen, "missing \"cmd\" (a string: status, events, reload, prefer, ack, disable, enable)");
		goto out;
	}
	cmd = json_object_get_string(v);
	for (i = 0; i < ARRAY_SIZE(cmd_names); i++)
		if ((size_t)json_object_get_string_len(v) == strlen(cmd_names[i]) &&
		    strcmp(cmd, cmd_names[i]) == 0)
			break;
	if (i == ARRAY_SIZE(cmd_names)) {
		snprintf(err, errlen, "unknown command \"%.40s\"; try status, events, reload, prefer, ack, disable, enable",
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
		} else if ((req->cmd == CONTROL_PREFER || req->cmd == CONTROL_DISABLE ||
			    req->cmd == CONTROL_ENABLE) && strcmp(key, "uplink") == 0) {
			if (get_name(val, "uplink", req->uplink, sizeof(req->uplink), err,
				     errlen) < 0)
				goto out;
		} else if (req->cmd == CONTROL_ACK && strcmp(key, "alert") == 0) {
			if (get_name(val, "alert", req->alert, sizeof(req->alert), err, errlen) < 0)
				goto out;
		} else {
			snprintf(err, errlen, "\"%.40s\" is not an argument of %s", key, cmd);
			goto out;
		}
	}
	if (req->cmd == CONTROL_PREFER && !req->uplink[0]) {
		snprintf(err, errlen, "prefer needs \"uplink\": a name or \"auto\"");
		goto out;
	}
	if ((req->cmd == CONTROL_DISABLE || req->cmd == CONTROL_ENABLE) && !req->uplink[0]) {
		snprintf(err, errlen, "%s needs \"uplink\": a name", cmd);
		goto out;
	}
	if (req->cmd == CONTROL_ACK && !req->alert[0]) {
		snprintf(err, errlen, "ack needs \"alert\": an id from bgp.alerts[]");
		goto out;
	}
	ret = 0;
out:
	json_object_put(o);
	return ret;
}
