/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: uplink.h - one carrier uplink at run time
 *
 * The runtime uplink object: its config copy, link view (filled by link.c),
 * health (health.c, fed by probe.c) and probe runs, and the pure helpers
 * every module may use (uplink.c). Its lifecycle is uplinks.h: created,
 * changed and destroyed by diffing configs by name; changes are published on
 * the bus and trigger a policy run (policy.c), which alone decides what is
 * active.
 */
#ifndef UPLINKD_UPLINK_H
#define UPLINKD_UPLINK_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "health.h"
#include "list.h"
#include "loop.h"

struct daemon;
struct probe_run;

/* The kernel's view of the uplink's interface, kept by link.c. */
struct uplink_link {
	int ifindex; /* 0: the interface does not exist (PPPoE/LTE gone) */
	bool admin_up;
	bool carrier; /* IFF_LOWER_UP && operstate up/unknown */
	bool pointopoint;
	bool has_addr4, has_addr6;
	struct in_addr addr4;	/* first global IPv4 address */
	struct in6_addr addr6;	/* first global IPv6 address */
	uint8_t plen4, plen6;
	bool has_gw4, has_gw6;	/* learned from the kernel (DHCP/RA/PPP) */
	bool dev4, dev6;	/* learned: a default route through it without a gateway
				 * (pppd's defaultroute, LTE modems): route by device */
	struct in_addr gw4;
	struct in6_addr gw6;
	struct link_quality lq;
};

/* What changed of an uplink's interface (link.c reports, uplinks.c acts). */
enum {
	LINK_CHG_CARRIER = 1 << 0,
	LINK_CHG_IFINDEX = 1 << 1, /* appeared, disappeared or re-created */
	LINK_CHG_ADDR = 1 << 2,
	LINK_CHG_GW = 1 << 3,
	LINK_CHG_QUALITY = 1 << 4,
	LINK_CHG_UP = 1 << 5, /* came (back) up: the kernel dropped its IPv4 routes */
};

struct uplink {
	struct list_head node; /* in daemon.uplinks, config order */
	struct daemon *d;
	struct cfg_uplink cfg; /* own copy (schema_copy of config_uplink_keys) */
	size_t pos;	       /* position in the config */
	uint32_t table;	       /* resolved: cfg.table or 100 + pos + 1 */
	uint32_t mark;	       /* resolved: cfg.mark or table */

	struct uplink_link link;

	struct health health;
	struct probe_run **probes;
	size_t nprobes;
	int probes_ifindex;	  /* the interface the probe sockets were bound to (0: none) */
	struct loop_timer expiry; /* health timeouts; armed by probe_expiry_arm() */
	uint64_t probe_phase_ns;  /* the uplink's random probe phase (probe.c); 0: pick one */

	/* health may have changed (old: the state before); set by uplinks.c, called
	 * by probe.c after every sample that changed something */
	void (*health_changed)(struct uplink *u, enum health_state old);

	bool active;		 /* carries the main default route (policy.c) */
	uint64_t state_since_ms; /* wall clock of the last state change */
	uint64_t active_since_ms;
	uint64_t switches;	 /* times it became active */
};

/* Effective next hop: the configured gateway, else the learned one. */
/* Routed by device alone (no next hop address): point-to-point or a learned device route. */
bool uplink_by_dev(const struct uplink *u, int family);
bool uplink_gateway4(const struct uplink *u, struct in_addr *gw);
bool uplink_gateway6(const struct uplink *u, struct in6_addr *gw);
/* Usable for routing now: interface present with carrier and a next hop (or p-t-p, or a
 * kernel default route through it without a gateway). */
bool uplink_routable(const struct uplink *u, int family);
/* u as a ranking candidate for family, given the operator's prefer (NULL: none) and
 * whether u is disabled: the one field mapping policy_cand_fill and the tests share. */
struct policy_cand;
void uplink_cand(const struct uplink *u, int family, const char *prefer, bool disabled,
		 struct policy_cand *c);

struct uplink *uplink_find(struct daemon *d, const char *name);
struct uplink *uplink_find_ifname(struct daemon *d, const char *ifname);

#endif
