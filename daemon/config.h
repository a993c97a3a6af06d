/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: config.h - the parsed configuration
 *
 * config_load() is pure: it reads a file into a fresh struct config, or returns
 * NULL with every error found in the diag, and never touches running state.
 * Three passes: syntax (libconfig; config_syntax.c says what a syntax error is),
 * schema (types, ranges; schema.c), cross references (names unique, min_targets
 * <= targets, one probe interval per uplink, ...). Reload diffs the new config
 * against the running one by uplink name (uplink.c). What depends on the system
 * (an interface that does not exist yet) is a warning, from
 * config_check_interfaces(), not part of the pure load.
 */
#ifndef UPLINKD_CONFIG_H
#define UPLINKD_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "plugin.h"
#include "schema.h"

#define CONFIG_DEFAULT_PATH "/etc/uplinkd/uplinkd.conf"

struct cfg_probe {
	char *method;
	struct cfg_strv targets;
	int interval_ms;
	int timeout_ms;
	/* resolved by the parser */
	const struct plugin *plugin;
	void *pconf; /* plugin->conf_size bytes filled by plugin->keys */
	int line;
};

struct cfg_health {
	int down_after;
	int up_after;
	int min_targets;
	int hold_down_s;
	int window;		/* probes per target kept for loss/RTT/jitter */
	int degraded_loss_pct;	/* 0: off */
	int degraded_rtt_ms;	/* 0: off */
	int degraded_jitter_ms; /* 0: off */
	int min_speed_mbps;	/* 0: off */
	int degraded_errors_per_min; /* 0: off */
};

struct cfg_uplink {
	char *name;
	char *interface;
	char *gateway;	/* IPv4 next hop; NULL: learn it from the kernel */
	char *gateway6; /* IPv6 next hop; NULL: learn it (RA/DHCPv6) */
	int priority;	/* lower is preferred (like a metric or a pfSense tier) */
	int weight;
	int table;	/* routing table of this uplink; 0: auto (100 + position) */
	int mark;	/* fwmark for its probes; 0: auto (= table) */
	bool flush_conntrack;
	struct cfg_vec probes; /* struct cfg_probe */
	struct cfg_health health;
	int line;
	int interface_line;
};

enum policy_mode {
	POLICY_FAILOVER,
	POLICY_BALANCE,
};

/* A per-flow rule (policy.rules, config_rules.c): first match wins. */
enum rule_action {
	RULE_FAILOVER,	    /* the first usable of uplinks, in order */
	RULE_BALANCE,	    /* spread over uplinks by weight */
	RULE_LOWEST_RTT,    /* SLA choices among the healthy ones, with hysteresis */
	RULE_LOWEST_JITTER,
	RULE_LOWEST_LOSS,
};

enum rule_proto {
	RULE_PROTO_ANY,
	RULE_PROTO_TCP,
	RULE_PROTO_UDP,
	RULE_PROTO_ICMP,
	RULE_PROTO_ICMPV6,
};

struct cfg_rule {
	char *name;
	struct cfg_strv src, dst; /* "ADDR/LEN" prefixes; empty: any */
	int proto;		  /* enum rule_proto */
	struct cfg_vec sport, dport; /* uint32_t ports; empty: any */
	int dscp;		  /* -1: any */
	int action;		  /* enum rule_action */
	struct cfg_strv uplinks;  /* names, in order */
	int line;
};

extern const struct cfg_key config_rule_keys[];
extern const char *const rule_action_names[];

/* Pure: "ADDR/LEN" or a bare address (a host); no host bits set. 0 or -EINVAL. */
int config_prefix_parse(const char *s, int *family, unsigned char addr[16], unsigned char *len);

struct cfg_policy {
	int mode;	  /* enum policy_mode */
	int metric;	  /* metric of the main-table default route uplinkd owns */
	int reassert_s;	  /* re-assert owned routes this often */
	struct cfg_vec rules; /* struct cfg_rule, in order (config_rules.c) */
};

struct cfg_section {
	const struct plugin *plugin;
	void *conf;
	int line;
};

struct config {
	char *path;
	struct cfg_vec uplinks; /* struct cfg_uplink */
	struct cfg_policy policy;
	char *control_socket;
	char *state_dir;
	int journal_max;
	char *hooks_dir;
	int hook_timeout_s;
	char *user; /* NULL: keep uid 0 (with two capabilities only) */
	struct cfg_section *sections; /* MONITOR plugins' top-level sections */
	size_t nsections;
};

/* The targets a probe block runs: its `targets`, or, for a method that defaults to the
 * uplink's gateway (plugin->target_gateway), that one. */
static inline size_t cfg_probe_ntargets(const struct cfg_probe *p)
{
	if (!p->targets.n && p->plugin && p->plugin->target_gateway)
		return 1;
	return p->targets.n;
}

/* The name of its target i (as configured; "gateway" for the default one). */
static inline const char *cfg_probe_target(const struct cfg_probe *p, size_t i)
{
	if (!p->targets.n && p->plugin && p->plugin->target_gateway)
		return i == 0 ? "gateway" : NULL;
	return i < p->targets.n ? p->targets.v[i] : NULL;
}

/* Keys of one uplink: uplink.c diffs and copies uplinks with these. */
extern const struct cfg_key config_uplink_keys[];

struct config *config_load(const char *path, struct cfg_diag *d);
/* Same, from memory (fuzzing, tests); `name` is used in messages. */
struct config *config_load_string(const char *text, const char *name, struct cfg_diag *d);
void config_free(struct config *cfg);
/*
 * Why libconfig refused `text` (config_syntax.c): 1 with *line and msg ("what; what to
 * do"), 0 if the text parses after all, -1 out of memory. *at_line (may be NULL) gets the
 * line libconfig itself reports for the same mistake.
 */
int config_syntax_explain(const char *text, int *line, int *at_line, char *msg, size_t len);
/*
 * Warnings about this system, not errors (it changes): each uplink interface that does not
 * exist now, as a typo would not (PPPoE and LTE interfaces appear later). Reads the
 * interface list, nothing else; called at start, for -t and on reload. Returns the count.
 */
int config_check_interfaces(const struct config *cfg, struct cfg_diag *d);

/* Lines and cross references of policy.rules (config_rules.c); adds errors to d. */
void config_check_rules(const config_setting_t *root, struct config *cfg, struct cfg_diag *d);

const struct cfg_uplink *config_uplink(const struct config *cfg, size_t i);
const struct cfg_uplink *config_find_uplink(const struct config *cfg, const char *name);
const void *config_section(const struct config *cfg, const char *plugin_name);

#endif
