/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: ipsec_conf.h - the ipsec section's configuration (schema in ipsec_conf.c)
 *
 * uplinkd owns the connection of each tunnel: it loads it into charon with
 * load-conn (ipsec_conn.c) from these keys, with local_addrs/remote_addrs set
 * to the path it chose, and re-loads it to steer. Credentials stay charon's:
 * PSKs and certificates/keys are loaded with `swanctl --load-creds`.
 */
#ifndef UPLINKD_IPSEC_CONF_H
#define UPLINKD_IPSEC_CONF_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

struct cfg_diag;
struct config;

#define IPSEC_MAX_UPLINKS 16	/* uplinks a tunnel may use */
#define IPSEC_MAX_REMOTES 8	/* remotes of a tunnel */

enum ipsec_auth {
	IPSEC_AUTH_PSK,
	IPSEC_AUTH_PUBKEY,
};

enum ipsec_steer {
	IPSEC_STEER_REINITIATE,	/* load-conn with the new path, initiate, terminate the old */
	IPSEC_STEER_MOBIKE,	/* let charon move the IKE_SA (MOBIKE), re-initiate if not */
};

struct ipsec_probe_conf {
	char *target;
	char *source;
	int interval_ms;
	int timeout_ms;
};

struct ipsec_tunnel_conf {
	char *name;
	char *ike;
	char *child;
	struct ipsec_probe_conf probe;
	struct cfg_strv remotes;
	struct cfg_strv uplinks;	/* the uplinks it may use, in order; empty: all */
	/* the connection uplinkd loads */
	int auth;			/* enum ipsec_auth */
	char *local_id, *remote_id;
	char *proposals, *esp_proposals; /* NULL: charon's defaults */
	struct cfg_strv local_ts, remote_ts;
	bool mobike;
	int steer;			/* enum ipsec_steer */
	bool encap;			/* force UDP encapsulation */
	int dpd_delay_s;
	/* health and steering */
	int esp_stall_s;
	int down_after, up_after;
	int hold_down_s;
	int connect_timeout_s;
};

struct ipsec_conf {
	char *vici;
	int poll_ms;
	struct cfg_vec tunnels;		/* struct ipsec_tunnel_conf */
};

extern const struct cfg_key ipsec_keys[];		/* struct ipsec_conf */
extern const struct cfg_key ipsec_tunnel_keys[];	/* struct ipsec_tunnel_conf */

/* The plugin's check hook: cross-checks of a parsed section against cfg. */
int ipsec_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d);

static inline const struct ipsec_tunnel_conf *ipsec_conf_tunnel(const struct ipsec_conf *c,
								 size_t i)
{
	return (const struct ipsec_tunnel_conf *)c->tunnels.v + i;
}

#endif
