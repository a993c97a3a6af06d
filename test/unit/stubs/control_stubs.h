/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef UPLINKD_CONTROL_STUBS_H
#define UPLINKD_CONTROL_STUBS_H

struct control_stubs {
	int status_calls;
	const char *status_pad;	 /* added to the status object to make it big */
	int reload_calls;
	const char *reload_errs; /* NULL: reload succeeds */
	char prefer[64];	 /* the last name given to policy_prefer() */
	char prefer_err[128];	 /* the last error policy_prefer() gave back */
	char who[96];		 /* who the last mutating call named */
	char admin[64];		 /* the last name given to policy_admin() */
	int admin_disable;	 /* and whether it was to disable (1) or enable (0) */
	char ack[128];		 /* the last alert given to daemon_monitor_action() */
};

extern struct control_stubs ctl_stub;

#endif
