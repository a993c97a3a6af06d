/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: ipsec_tunnel.h - the ipsec plugin's run-time state, shared by its two halves
 *
 * ipsec.c runs the plugin (VICI session, polling, health, bus, reload,
 * status) and sends charon its requests; ipsec_path.c chooses each tunnel's
 * path (uplink, remote) from the core's ranking and steers it there. Private
 * to plugins/monitor-ipsec.
 */
#ifndef UPLINKD_IPSEC_TUNNEL_H
#define UPLINKD_IPSEC_TUNNEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bus.h"
#include "ipsec_conf.h"
#include "ipsec_health.h"
#include "ipsec_probe.h"
#include "ipsec_sa.h"
#include "loop.h"
#include "vici_client.h"
#include "view.h"

#define IPSEC_SEEN_MAX 8	/* SAs of one tunnel per list-sas round */
#define IPSEC_TERM_MEMO 8	/* recent terminate requests, not repeated within 3 s */

struct daemon;

/* one tunnel of the section: its health, its paths' hold-downs and the path in use */
struct tunnel {
	struct ipsec *ip;
	unsigned int tid;		/* for request callbacks */
	struct ipsec_tunnel_conf c;
	struct tunnel_health h;
	struct ipsec_probe probe;
	bool probing;

	char *unames[IPSEC_MAX_UPLINKS];	/* the uplinks it may use, in order */
	size_t nupl;
	uint64_t bad_until[IPSEC_MAX_UPLINKS][IPSEC_MAX_REMOTES];
	unsigned int fails[IPSEC_MAX_UPLINKS][IPSEC_MAX_REMOTES];
	char bad_why[IPSEC_MAX_UPLINKS][IPSEC_MAX_REMOTES][160];
	bool avoid[IPSEC_MAX_UPLINKS];
	char avoid_why[160];

	int cur_u, cur_r;		/* path in use or being brought up; -1: none */
	char cur_local[IPSEC_ADDR_MAX];
	bool connecting;
	bool handover;	/* connecting moves away from a path that still works (a move back) */
	bool mobike_wait;		/* waiting for charon to move the IKE_SA itself */
	uint64_t deadline_ns;
	uint64_t up_since_ns;		/* on the current path */
	bool loaded;			/* connection loaded on this VICI session */
	char move_why[240];
	uint64_t moves;
	unsigned int stall_streak;	/* paths left for a stall since traffic last flowed */

	struct ipsec_sa seen[IPSEC_SEEN_MAX];	/* this list-sas round */
	size_t nseen;
	struct ipsec_sa last[IPSEC_SEEN_MAX];	/* the last complete round */
	size_t nlast;
	bool synced;			/* a round completed on this VICI session */
	struct ipsec_sa serving;
	bool has_serving;
	char serving_via[64];

	uint64_t term_uid[IPSEC_TERM_MEMO];
	uint64_t term_ns[IPSEC_TERM_MEMO];
	unsigned int term_next;

	uint64_t since_ms;		/* wall clock of the last state change */
};

/* the plugin instance: one VICI session to charon for all tunnels */
struct ipsec {
	struct daemon *d;
	struct ipsec_conf conf;
	struct vici_client vc;
	struct loop_timer poll;
	struct loop_event steer_ev;
	struct bus_sub sub;
	struct view_policy_listener pl;	/* after each policy run: re-steer */
	struct tunnel **t;
	size_t nt;
	unsigned int next_tid;
	bool listing;
	bool vici_up;
	uint64_t up_ns;			/* when the VICI session began */
	char vici_why[128];
};

/* ipsec.c: the clock, events and charon requests that path choice uses */
uint64_t ipsec_now_ns(const struct ipsec *ip);
void ipsec_tunnel_publish(struct tunnel *t, const char *old, const char *new, const char *reason);
void ipsec_tunnel_load(struct tunnel *t, const char *local, const char *remote);
void ipsec_tunnel_initiate(struct tunnel *t);
void ipsec_tunnel_terminate(struct tunnel *t, uint64_t uid, const char *why);

/* ipsec_path.c: a tunnel's paths. u indexes t->unames, r the remotes; -1 or out
 * of range: none ("none" for the names, false for the uplink). */
/* a snapshot of uplink u (view.h); false when u is none or no such uplink exists */
bool ipsec_path_view(struct tunnel *t, int u, struct view_uplink *v);
const char *ipsec_path_uname(const struct tunnel *t, int u);
const char *ipsec_path_remote(const struct tunnel *t, int r);
/* uplink u's IPv4 address as text; false if it has none (or there is no such uplink) */
bool ipsec_path_addr(struct tunnel *t, int u, char *buf, size_t len);
/* an IKE_SA that is ESTABLISHED with its CHILD_SA INSTALLED */
bool ipsec_path_sa_ok(const struct ipsec_sa *sa);
/* the newest SA of the last list-sas round on the current path (working ones first) */
const struct ipsec_sa *ipsec_path_cur_sa(struct tunnel *t);
/* hold path (u, r) down after a failure (r < 0: every remote of uplink u),
 * hold_down_s doubling per repeated failure up to 8x */
void ipsec_path_hold(struct tunnel *t, int u, int r, const char *why);
/* after a list-sas round or a bus event: finish, give up on or start a move */
void ipsec_path_steer(struct tunnel *t);

#endif
