// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: command_run.c - run an operator command on the daemon
 *
 * The handlers of the command table (command.c): status builds the status
 * object (status.c), events reads the journal, reload calls daemon_reload(),
 * prefer, disable and enable go to the policy (policy_prefer, policy_admin),
 * ack to the monitor that raised the alert (daemon_monitor_action). Each
 * returns a JSON result or -errno with a message for the operator; the front
 * end wraps it. Called by control.c and by the web plugin's web_api.c.
 */
#include "command.h"
#include "daemon.h"
#include "journal.h"
#include "policy.h"
#include "status.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef int (*command_fn)(struct daemon *d, const struct command_req *req, const char *who,
			  struct json_object **result, char *err, size_t errlen);

static int run_status(struct daemon *d, const struct command_req *req, const char *who,
		      struct json_object **result, char *err, size_t errlen)
{
	(void)req, (void)who, (void)err, (void)errlen;
	*result = status_build(d);
	return 0;
}

static int run_events(struct daemon *d, const struct command_req *req, const char *who,
		      struct json_object **result, char *err, size_t errlen)
{
	(void)who, (void)err, (void)errlen;
	*result = journal_last(d, (size_t)req->count);
	return 0;
}

static int run_reload(struct daemon *d, const struct command_req *req, const char *who,
		      struct json_object **result, char *err, size_t errlen)
{
	char *errs = NULL;
	int ret;

	(void)req, (void)who;
	ret = daemon_reload(d, &errs);
	if (ret < 0)
		snprintf(err, errlen, "%s", errs ? errs : "reload failed; see the daemon's log");
	else
		*result = json_object_new_object();
	free(errs);
	return ret < 0 ? ret : 0;
}

static int run_prefer(struct daemon *d, const struct command_req *req, const char *who,
		      struct json_object **result, char *err, size_t errlen)
{
	int ret = policy_prefer(d, req->uplink, who, err, errlen);

	(void)result;
	if (ret < 0 && !err[0])
		snprintf(err, errlen, "prefer refused");
	return ret;
}

static int run_admin(struct daemon *d, const struct command_req *req, const char *who,
		     struct json_object **result, char *err, size_t errlen)
{
	int ret = policy_admin(d, req->uplink, req->cmd->id == CMD_DISABLE, who, err, errlen);

	(void)result;
	if (ret < 0 && !err[0])
		snprintf(err, errlen, "refused");
	return ret;
}

static int run_ack(struct daemon *d, const struct command_req *req, const char *who,
		   struct json_object **result, char *err, size_t errlen)
{
	int ret = daemon_monitor_action(d, "bgp", "ack", req->alert, who, err, errlen);

	(void)result;
	if (ret < 0 && !err[0])
		snprintf(err, errlen, "ack refused");
	return ret;
}

static const command_fn handlers[CMD_MAX] = {
	[CMD_STATUS] = run_status,   [CMD_EVENTS] = run_events, [CMD_RELOAD] = run_reload,
	[CMD_PREFER] = run_prefer,   [CMD_ACK] = run_ack,	[CMD_DISABLE] = run_admin,
	[CMD_ENABLE] = run_admin,
};

int command_run(struct daemon *d, const struct command_req *req, const char *who,
		struct json_object **result, char *err, size_t errlen)
{
	int ret;

	*result = NULL;
	err[0] = '\0';
	if (!req->cmd || req->cmd->id >= CMD_MAX || !handlers[req->cmd->id]) {
		snprintf(err, errlen, "internal error: unhandled command");
		return -EINVAL;
	}
	ret = handlers[req->cmd->id](d, req, who, result, err, errlen);
	if (ret < 0) {
		json_object_put(*result);
		*result = NULL;
		return ret;
	}
	/* the mutating handlers may leave a note for the operator in err */
	if (!*result)
		*result = json_object_new_object();
	if (err[0] && json_object_is_type(*result, json_type_object) && req->cmd->mutates)
		json_object_object_add(*result, "message", json_object_new_string(err));
	err[0] = '\0';
	return *result ? 0 : -ENOMEM;
}
