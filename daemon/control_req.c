// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: control_req.c - parse one control request line (pure, fuzzed)
 *
 * Owns the socket's framing: one JSON object with "cmd" and that command's
 * arguments, nothing else (no unknown keys, no second value, no trailing bytes).
 * The commands and their arguments are the table's (command.c), shared with
 * the web API. Every refusal says what was wrong and what to send instead. It
 * reads only the bytes it is given (json_tokener, never strlen on the input)
 * and touches no state. Called by control.c; the fuzzer and the unit test call
 * it directly.
 */
#include "command.h"
#include "control.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#define CONTROL_DEPTH_MAX 8

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

int control_req_parse(const char *buf, size_t len, struct command_req *req, char *err,
		      size_t errlen)
{
	const struct command *cmd;
	struct json_object *o, *v;
	int ret = -EINVAL;

	command_req_init(req, NULL);
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
		snprintf(err, errlen, "missing \"cmd\" (a string: %s)", command_names);
		goto out;
	}
	cmd = command_find(json_object_get_string(v), (size_t)json_object_get_string_len(v));
	if (!cmd) {
		snprintf(err, errlen, "unknown command \"%.40s\"; try %s", json_object_get_string(v),
			 command_names);
		goto out;
	}
	command_req_init(req, cmd);
	json_object_object_foreach(o, key, val) {
		const struct command_arg *a;

		if (strcmp(key, "cmd") == 0)
			continue;
		a = command_arg_find(cmd, key, false);
		if (!a) {
			snprintf(err, errlen, "\"%.40s\" is not an argument of %s", key, cmd->name);
			goto out;
		}
		if (command_req_set_json(req, a, val, err, errlen) < 0)
			goto out;
	}
	ret = command_req_check(req, false, err, errlen);
out:
	if (ret < 0)
		req->cmd = NULL;
	json_object_put(o);
	return ret;
}
