/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: daemon.h - the one context
 *
 * All mutable state hangs off struct daemon; there are no other globals.
 * Modules keep their private state behind the pointers below and are set up and
 * torn down by main.c in a fixed order.
 */
#ifndef UPLINKD_DAEMON_H
#define UPLINKD_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "bus.h"
#include "config.h"
#include "list.h"
#include "loop.h"

struct nl;
struct linkmon;
struct route_ctl;
struct route_prefix;
struct ct;
struct nft;
struct policy;
struct policy_flow;
struct policy_prefix;
struct control;
struct journal;
struct hooks;
struct sdnotify;
struct plugin;

struct monitor_inst {
	const struct plugin *plugin;
	void *inst;
};

struct daemon {
	struct loop loop;
	struct bus bus;
	struct config *cfg; /* the running configuration */
	const char *cfg_path;
	bool foreground;
	bool log_stderr; /* the log goes to stderr (-f, or no syslog): so does hooks' output */
	uint64_t started_ms; /* wall clock */

	struct list_head uplinks; /* struct uplink, config order */

	struct nl *nl;
	struct linkmon *link;
	struct route_ctl *route;
	struct route_prefix *route_prefix; /* bgp-steered prefix routes */
	struct ct *ct;
	struct nft *nft; /* the inet uplinkd table (balance mode) */
	struct policy *policy;
	struct policy_flow *flow; /* balance mode and per-flow rules */
	struct policy_prefix *pprefix; /* steered prefixes: the policy's part */
	struct control *control;
	struct journal *journal;
	struct hooks *hooks;
	struct sdnotify *sdnotify; /* systemd's Type=notify; NULL without $NOTIFY_SOCKET */

	struct monitor_inst *monitors; /* inst NULL: could not start, retried */
	size_t nmonitors;
	struct loop_timer monitor_retry;

	/* SIGHUP reloads at most once a second; those in between are merged (main.c) */
	struct loop_timer sighup_timer;
	uint64_t sighup_last_ns; /* when the last SIGHUP reload ran; 0: never */
	unsigned int sighup_merged;
};

/* Start every module with cfg (owned by d from now on); 0 or -errno. */
int daemon_start(struct daemon *d, struct config *cfg);
/* Stop them all; clean_exit leaves a working default route and removes the rest. */
void daemon_stop(struct daemon *d, bool clean_exit);

/* Validate cfg_path again and apply it, or keep running the old one.
 * Returns 0, or -EINVAL with the errors in *errs (caller frees). */
int daemon_reload(struct daemon *d, char **errs);

/* Hand an operator action to the running monitor owning section ("bgp", "ack",
 * ALERT-ID, who). 0, or -errno with a message for the operator in msg. */
int daemon_monitor_action(struct daemon *d, const char *section, const char *verb,
			  const char *arg, const char *who, char *msg, size_t msglen);
/* Let every running monitor add its part (tunnels[], bgp.alerts[]) to st. */
struct json_object;
void daemon_monitors_status(struct daemon *d, struct json_object *st);

#endif
