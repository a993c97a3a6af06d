// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec_conf.c - the ipsec section: its schema and cross-checks
 *
 * The keys of `ipsec { vici; poll_ms; tunnels = ( ... ); }` (schema.c fills
 * struct ipsec_conf from them) and ipsec_check(), which the plugin's `check`
 * hook runs after parsing: unique tunnel names and connections, tunnel uplinks
 * that exist, IPv4-only probes and remotes (tunnels are steered over the
 * uplinks' IPv4 addresses). Pure: it touches no running state. Called by
 * ipsec.c (the plugin's keys and check hooks) and the tests.
 */
#include "daemon.h"
#include "ipsec_conf.h"
#include "schema.h"

#include <stddef.h>
#include <string.h>
#include <sys/socket.h>

static const char *const auth_names[] = { "psk", "pubkey", NULL };
static const char *const steer_names[] = { "reinitiate", "mobike", NULL };

#define TK(f) offsetof(struct ipsec_tunnel_conf, f)

static const struct cfg_key probe_keys[] = {
	{ "target", CFG_ADDR, offsetof(struct ipsec_probe_conf, target), 0 },
	{ "source", CFG_ADDR, offsetof(struct ipsec_probe_conf, source), 0 },
	CFG_END
};

const struct cfg_key ipsec_tunnel_keys[] = {
	{ "name", CFG_STRING, TK(name), CFG_REQUIRED, .min = 1, .max = 63 },
	{ "ike", CFG_STRING, TK(ike), CFG_REQUIRED, .min = 1, .max = 63,
	  .hint = "the connection name uplinkd loads into charon" },
	{ "child", CFG_STRING, TK(child), CFG_REQUIRED, .min = 1, .max = 63 },
	{ "probe", CFG_GROUP, TK(probe), 0, .sub = probe_keys },
	{ "remotes", CFG_ADDRS, TK(remotes), CFG_REQUIRED, .min = 1, .max = IPSEC_MAX_REMOTES,
	  .hint = "the far end's addresses, preferred first" },
	{ "uplinks", CFG_STRINGS, TK(uplinks), 0, .min = 0, .max = IPSEC_MAX_UPLINKS },
	{ "auth", CFG_ENUM, TK(auth), 0, .names = auth_names, .def = IPSEC_AUTH_PSK },
	{ "local_id", CFG_STRING, TK(local_id), 0, .min = 1, .max = 255 },
	{ "remote_id", CFG_STRING, TK(remote_id), 0, .min = 1, .max = 255 },
	{ "proposals", CFG_STRING, TK(proposals), 0, .min = 1, .max = 1024 },
	{ "esp_proposals", CFG_STRING, TK(esp_proposals), 0, .min = 1, .max = 1024 },
	{ "local_ts", CFG_STRINGS, TK(local_ts), CFG_REQUIRED, .min = 1, .max = 16 },
	{ "remote_ts", CFG_STRINGS, TK(remote_ts), CFG_REQUIRED, .min = 1, .max = 16 },
	{ "mobike", CFG_BOOL, TK(mobike), 0, .def = 0 },
	{ "steer", CFG_ENUM, TK(steer), 0, .names = steer_names, .def = IPSEC_STEER_REINITIATE,
	  .hint = "reinitiate (default, measured faster) or mobike" },
	{ "force_udp_encap", CFG_BOOL, TK(encap), 0, .def = 0 },
	{ "dpd_delay_s", CFG_INT, TK(dpd_delay_s), 0, .min = 0, .max = 3600, .def = 0 },
	{ "esp_stall_s", CFG_INT, TK(esp_stall_s), 0, .min = 1, .max = 300, .def = 3 },
	{ "down_after", CFG_INT, TK(down_after), 0, .min = 1, .max = 100, .def = 3 },
	{ "up_after", CFG_INT, TK(up_after), 0, .min = 1, .max = 100, .def = 2 },
	{ "hold_down_s", CFG_INT, TK(hold_down_s), 0, .min = 0, .max = 86400, .def = 30 },
	{ "connect_timeout_s", CFG_INT, TK(connect_timeout_s), 0, .min = 1, .max = 300,
	  .def = 5 },
	CFG_END
};

const struct cfg_key ipsec_keys[] = {
	{ "vici", CFG_STRING, offsetof(struct ipsec_conf, vici), 0, .min = 1, .max = 107,
	  .def_str = "/var/run/charon.vici" },
	{ "poll_ms", CFG_INT, offsetof(struct ipsec_conf, poll_ms), 0, .min = 100,
	  .max = 60000, .def = 1000 },
	{ "tunnels", CFG_LIST, offsetof(struct ipsec_conf, tunnels), 0, .min = 0, .max = 1024,
	  .sub = ipsec_tunnel_keys, .elem_size = sizeof(struct ipsec_tunnel_conf) },
	CFG_END
};

int ipsec_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct ipsec_conf *c = conf;
	size_t i, j;
	int fam;

	for (i = 0; i < c->tunnels.n; i++) {
		const struct ipsec_tunnel_conf *t = ipsec_conf_tunnel(c, i);

		for (j = 0; j < i; j++) {
			const struct ipsec_tunnel_conf *o = ipsec_conf_tunnel(c, j);

			if (t->name && o->name && strcmp(t->name, o->name) == 0)
				cfg_diag_add(d, line, "ipsec.tunnels.[%zu].name: \"%s\" is already used by ipsec.tunnels.[%zu]; names must be unique",
					     i, t->name, j);
			if (t->ike && o->ike && strcmp(t->ike, o->ike) == 0)
				cfg_diag_add(d, line, "ipsec.tunnels.[%zu].ike: connection \"%s\" is already steered by ipsec.tunnels.[%zu]; give each tunnel its own connection",
					     i, t->ike, j);
		}
		for (j = 0; j < t->uplinks.n; j++)
			if (!config_find_uplink(cfg, t->uplinks.v[j]))
				cfg_diag_add(d, line, "ipsec.tunnels.[%zu].uplinks: no uplink named \"%s\"; use one of the names in uplinks",
					     i, t->uplinks.v[j]);
		if (!!t->probe.target != !!t->probe.source)
			cfg_diag_add(d, line, "ipsec.tunnels.[%zu].probe: give both target and source (an address inside remote_ts and one of this router's inside local_ts)",
				     i);
		if (t->probe.target && schema_addr_valid(t->probe.target, &fam) && fam != AF_INET)
			cfg_diag_add(d, line, "ipsec.tunnels.[%zu].probe.target: only IPv4 probes are supported; use an IPv4 address",
				     i);
		if (t->probe.source && schema_addr_valid(t->probe.source, &fam) && fam != AF_INET)
			cfg_diag_add(d, line, "ipsec.tunnels.[%zu].probe.source: only IPv4 probes are supported; use an IPv4 address",
				     i);
		for (j = 0; j < t->remotes.n; j++)
			if (schema_addr_valid(t->remotes.v[j], &fam) && fam != AF_INET)
				cfg_diag_add(d, line, "ipsec.tunnels.[%zu].remotes: \"%s\": tunnels are steered over the uplinks' IPv4 addresses; use IPv4 remotes",
					     i, t->remotes.v[j]);
		if (t->name && (strchr(t->name, ' ') || strchr(t->name, '"')))
			cfg_diag_add(d, line, "ipsec.tunnels.[%zu].name: \"%s\" may not contain spaces or quotes",
				     i, t->name);
	}
	if (cfg->uplinks.n > IPSEC_MAX_UPLINKS)
		cfg_diag_add(d, line, "ipsec: at most %d uplinks can carry tunnels", IPSEC_MAX_UPLINKS);
	return 0;
}
