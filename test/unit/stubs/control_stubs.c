// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stubs for control_sock_test: what control.c calls in other rooms
 * and command_test: what control.c and command_run.c call in other rooms
 * (status_build, daemon_reload, policy_prefer, policy_admin,
 * daemon_monitor_action). The test sets and reads ctl_stub.
 */
#include "control_stubs.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "policy.h"
#include "status.h"

struct control_stubs ctl_stub;

struct json_object *status_build(struct daemon *d)
{
	struct json_object *o = json_object_new_object();

	(void)d;
	ctl_stub.status_calls++;
	json_object_object_add(o, "uplinks", json_object_new_array());
	if (ctl_stub.status_pad)
		json_object_object_add(o, "pad", json_object_new_string(ctl_stub.status_pad));
	return o;
}

int daemon_reload(struct daemon *d, char **errs)
{
	(void)d;
	ctl_stub.reload_calls++;
	*errs = NULL;
	if (!ctl_stub.reload_errs)
		return 0;
	*errs = strdup(ctl_stub.reload_errs);
	return -EINVAL;
}

int policy_prefer(struct daemon *d, const char *name, const char *who, char *err,
		  size_t errlen)
{
	(void)d;
	snprintf(ctl_stub.who, sizeof(ctl_stub.who), "%s", who);
	snprintf(ctl_stub.prefer, sizeof(ctl_stub.prefer), "%s", name);
	if (strcmp(name, "auto") && strcmp(name, "isp1") && strcmp(name, "isp2")) {
		/* what the caller must pass on; the real text is policy's (policy_test, lab) */
		snprintf(ctl_stub.prefer_err, sizeof(ctl_stub.prefer_err), "stub refuses %s", name);
		snprintf(err, errlen, "%s", ctl_stub.prefer_err);
		return -ENOENT;
	}
	return 0;
}

int policy_admin(struct daemon *d, const char *name, bool disable, const char *who, char *err,
		 size_t errlen)
{
	(void)d;
	snprintf(ctl_stub.who, sizeof(ctl_stub.who), "%s", who);
	snprintf(ctl_stub.admin, sizeof(ctl_stub.admin), "%s", name);
	ctl_stub.admin_disable = disable;
	if (strcmp(name, "isp1") && strcmp(name, "isp2")) {
		snprintf(err, errlen, "no uplink named \"%s\"; use one of: isp1 isp2", name);
		return -ENOENT;
	}
	return 0;
}

int daemon_monitor_action(struct daemon *d, const char *section, const char *verb,
			  const char *arg, const char *who, char *msg, size_t msglen)
{
	(void)d;
	(void)verb;
	snprintf(ctl_stub.who, sizeof(ctl_stub.who), "%s", who);
	snprintf(ctl_stub.ack, sizeof(ctl_stub.ack), "%s", arg);
	if (!strcmp(arg, "hijack-1")) {
		snprintf(msg, msglen, "alert %s acknowledged", arg);
		return 0;
	}
	snprintf(msg, msglen, "no %s section; cannot ack %s", section, arg);
	return -ENOENT;
}
