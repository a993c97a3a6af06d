// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: command.c - the table of operator commands and their arguments (pure)
 *
 * Owns the one list of operator verbs (command_table) and the rules of their
 * arguments: type, range, required, the name a web form uses. Setting an
 * argument from JSON or from text checks it and says what was wrong and what
 * to send instead. Touches no state and reads only what it is given. Called
 * by control_req.c (the socket's grammar), control.c, command_run.c and the web
 * plugin's web_route.c (/api/NAME and its query) and web_api.c (a POST's
 * body). The unit test and, through control_req.c and web_route.c, the
 * fuzzers call it directly.
 */
#include "command.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REQ(field) offsetof(struct command_req, field), sizeof(((struct command_req *)0)->field)

#define ARG_UPLINK(w)                                                                        \
	{ .key = "uplink", .type = CMD_ARG_NAME, REQ(uplink), .required = true, .what = (w) }

const struct command command_table[CMD_MAX] = {
	[CMD_STATUS] = { CMD_STATUS, "status", false, "status",
			 "the status object: uplinks, tunnels, BGP alerts, policy" },
	[CMD_EVENTS] = { CMD_EVENTS, "events", false, "events",
			 "the last events of the journal, oldest first",
			 { { .key = "count", .type = CMD_ARG_INT,
			     .off = offsetof(struct command_req, count), .min = 1, .max = 1000,
			     .what = "how many, 1 to 1000" } } },
	[CMD_RELOAD] = { CMD_RELOAD, "reload", true, NULL,
			 "read the configuration again and apply it, or keep the old one" },
	[CMD_PREFER] = { CMD_PREFER, "prefer", true, NULL,
			 "pin an uplink while it is not down, or \"auto\"",
			 { ARG_UPLINK("a name or \"auto\"") } },
	[CMD_ACK] = { CMD_ACK, "ack", true, NULL, "acknowledge a BGP alert",
		      { { .key = "alert", .form_key = "id", .type = CMD_ARG_NAME, REQ(alert),
			  .required = true, .what = "an id from bgp.alerts[]" } } },
	[CMD_DISABLE] = { CMD_DISABLE, "disable", true, NULL,
			  "take an uplink out of service (maintenance)",
			  { ARG_UPLINK("a name") } },
	[CMD_ENABLE] = { CMD_ENABLE, "enable", true, NULL, "put a disabled uplink back",
			 { ARG_UPLINK("a name") } },
};

/* Checked against the table by the unit test. */
const char command_names[] = "status, events, reload, prefer, ack, disable, enable";

const struct command *command_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < CMD_MAX; i++) {
		const char *n = command_table[i].name;

		if (strlen(n) == len && !memcmp(n, name, len))
			return &command_table[i];
	}
	return NULL;
}

static const char *arg_key(const struct command_arg *a, bool form)
{
	return form && a->form_key ? a->form_key : a->key;
}

const struct command_arg *command_arg_find(const struct command *cmd, const char *key,
					   bool form)
{
	const struct command_arg *a;

	for (a = cmd->args; a->key; a++)
		if (!strcmp(arg_key(a, form), key))
			return a;
	return NULL;
}

void command_req_init(struct command_req *req, const struct command *cmd)
{
	memset(req, 0, sizeof(*req));
	req->cmd = cmd;
	req->count = 50;
}

static int set_name(struct command_req *req, const struct command_arg *a, const char *key,
		    const char *s, size_t n, char *err, size_t errlen)
{
	if (n == 0 || n >= a->size || strlen(s) != n) {
		snprintf(err, errlen, "\"%s\" must be 1 to %zu characters", key, a->size - 1);
		return -EINVAL;
	}
	memcpy((char *)req + a->off, s, n + 1);
	return 0;
}

static int set_int(struct command_req *req, const struct command_arg *a, const char *key,
		   long long v, char *err, size_t errlen)
{
	if (v < a->min || v > a->max) {
		snprintf(err, errlen, "\"%s\" %lld is outside %lld..%lld", key, v, a->min, a->max);
		return -EINVAL;
	}
	*(int *)(void *)((char *)req + a->off) = (int)v;
	return 0;
}

int command_req_set_json(struct command_req *req, const struct command_arg *a,
			 struct json_object *val, char *err, size_t errlen)
{
	switch (a->type) {
	case CMD_ARG_NAME:
		if (!json_object_is_type(val, json_type_string)) {
			snprintf(err, errlen, "\"%s\" must be a string", a->key);
			return -EINVAL;
		}
		return set_name(req, a, a->key, json_object_get_string(val),
				(size_t)json_object_get_string_len(val), err, errlen);
	case CMD_ARG_INT:
		if (!json_object_is_type(val, json_type_int)) {
			snprintf(err, errlen, "\"%s\" must be an integer", a->key);
			return -EINVAL;
		}
		return set_int(req, a, a->key, (long long)json_object_get_int64(val), err, errlen);
	}
	snprintf(err, errlen, "internal error: argument type");
	return -EINVAL;
}

int command_req_set_text(struct command_req *req, const struct command_arg *a, const char *val,
			 char *err, size_t errlen)
{
	const char *key = arg_key(a, true);
	long long v = 0;
	size_t i;

	switch (a->type) {
	case CMD_ARG_NAME:
		return set_name(req, a, key, val, strlen(val), err, errlen);
	case CMD_ARG_INT:
		/* plain digits, as a form or a query sends them; one message for every refusal */
		for (i = 0; val[i] >= '0' && val[i] <= '9' && i < 18; i++)
			v = v * 10 + (val[i] - '0');
		if (!i || val[i] || v < a->min || v > a->max) {
			snprintf(err, errlen, "\"%s\" must be a whole number from %lld to %lld",
				 key, a->min, a->max);
			return -EINVAL;
		}
		return set_int(req, a, key, v, err, errlen);
	}
	snprintf(err, errlen, "internal error: argument type");
	return -EINVAL;
}

int command_req_check(const struct command_req *req, bool form, char *err, size_t errlen)
{
	const struct command_arg *a;

	for (a = req->cmd->args; a->key; a++) {
		if (!a->required || a->type != CMD_ARG_NAME || ((const char *)req + a->off)[0])
			continue;
		if (form)
			snprintf(err, errlen, "%s needs %s=...: %s", req->cmd->name,
				 arg_key(a, true), a->what);
		else
			snprintf(err, errlen, "%s needs \"%s\": %s", req->cmd->name, a->key,
				 a->what);
		return -EINVAL;
	}
	return 0;
}

const char *command_req_text(const struct command_req *req, const struct command_arg *a,
			     char *buf, size_t len)
{
	if (a->type == CMD_ARG_NAME)
		return (const char *)req + a->off;
	snprintf(buf, len, "%d", *(const int *)(const void *)((const char *)req + a->off));
	return buf;
}
