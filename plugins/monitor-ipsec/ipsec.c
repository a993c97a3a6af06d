// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec.c - the ipsec monitor plugin: tunnel health and endpoint steering
 *
 * Owns one VICI connection to charon (vici_client.c), the tunnels of the
 * `ipsec` section, their health (ipsec_health.c), in-tunnel probes
 * (ipsec_probe.c) and the choice of path for each tunnel.
 *
 * A path is (uplink, remote): the local address is the uplink's IPv4 address,
 * the remote one of `remotes`. uplinkd owns the connection: it loads it with
 * load-conn (ipsec_conn.c) carrying exactly that path in local_addrs /
 * remote_addrs, because charon as initiator only uses the first entry.
 * Steering is make-before-break: load the connection with the new path,
 * initiate (a new IKE_SA, as the peer config changed), and only when that
 * IKE_SA is ESTABLISHED with its CHILD_SA INSTALLED terminate the IKE_SAs on
 * other paths. If the new path does not come up within connect_timeout_s it
 * is held down and the next path is tried; the old SA is left alone meanwhile.
 *
 * Path preference is the core's (policy_rank_paths): eligible paths (uplink
 * present with an IPv4 address, not down, not avoided by a BUS_STEER, not
 * held down) are ranked up before degraded, the operator's prefer, then the
 * uplink carrying the default route (tunnels follow BUS_ACTIVE), then
 * priority, then the order of the tunnel's uplinks and remotes. A path is held down for
 * hold_down_s after it failed (ESP stall: every path of that uplink; connect
 * timeout: that pair), doubling for repeated failures up to 8x; when it ends,
 * the tunnel returns to the preferred path.
 *
 * charon restarting: the connection drops, uplinkd reconnects with backoff,
 * registers its events, waits for one full list-sas round and re-loads the
 * connection on the path it had; only a path that then fails to connect is
 * held down, so a restart is no failover.
 *
 * Publishes BUS_TUNNEL (state changes and moves, with reasons); obeys
 * BUS_STEER (BUS_STEER_TUNNEL, avoid|clear the uplink in old_state); follows
 * the policy (policy_listen: after each run, so a move is seen after the switch
 * that caused it). Fills status "tunnels".
 */
#include "daemon.h"
#include "ipsec_conf.h"
#include "ipsec_conn.h"
#include "ipsec_health.h"
#include "ipsec_probe.h"
#include "ipsec_sa.h"
#include "log.h"
#include "plugin.h"
#include "policy.h"
#include "policy_rank.h"
#include "uplink.h"
#include "vici_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_UPL 16
#define MAX_REM 8
#define SEEN_MAX 8
#define TERM_MEMO 8

/* ---- configuration ---- */

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
	{ "remotes", CFG_ADDRS, TK(remotes), CFG_REQUIRED, .min = 1, .max = MAX_REM,
	  .hint = "the far end's addresses, preferred first" },
	{ "uplinks", CFG_STRINGS, TK(uplinks), 0, .min = 0, .max = MAX_UPL },
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

static const struct cfg_key ipsec_keys[] = {
	{ "vici", CFG_STRING, offsetof(struct ipsec_conf, vici), 0, .min = 1, .max = 107,
	  .def_str = "/var/run/charon.vici" },
	{ "poll_ms", CFG_INT, offsetof(struct ipsec_conf, poll_ms), 0, .min = 100,
	  .max = 60000, .def = 1000 },
	{ "tunnels", CFG_LIST, offsetof(struct ipsec_conf, tunnels), 0, .min = 0, .max = 1024,
	  .sub = ipsec_tunnel_keys, .elem_size = sizeof(struct ipsec_tunnel_conf) },
	CFG_END
};

static const struct ipsec_tunnel_conf *tconf(const struct ipsec_conf *c, size_t i)
{
	return (const struct ipsec_tunnel_conf *)c->tunnels.v + i;
}

static int ipsec_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct ipsec_conf *c = conf;
	size_t i, j;
	int fam;

	for (i = 0; i < c->tunnels.n; i++) {
		const struct ipsec_tunnel_conf *t = tconf(c, i);

		for (j = 0; j < i; j++) {
			const struct ipsec_tunnel_conf *o = tconf(c, j);

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
	if (cfg->uplinks.n > MAX_UPL)
		cfg_diag_add(d, line, "ipsec: at most %d uplinks can carry tunnels", MAX_UPL);
	return 0;
}

/* ---- run time ---- */

struct ipsec;

struct tunnel {
	struct ipsec *ip;
	unsigned int tid;		/* for request callbacks */
	struct ipsec_tunnel_conf c;
	struct tunnel_health h;
	struct ipsec_probe probe;
	bool probing;

	char *unames[MAX_UPL];		/* the uplinks it may use, in order */
	size_t nupl;
	uint64_t bad_until[MAX_UPL][MAX_REM];
	unsigned int fails[MAX_UPL][MAX_REM];
	char bad_why[MAX_UPL][MAX_REM][160];
	bool avoid[MAX_UPL];
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

	struct ipsec_sa seen[SEEN_MAX];	/* this list-sas round */
	size_t nseen;
	struct ipsec_sa last[SEEN_MAX];	/* the last complete round */
	size_t nlast;
	bool synced;			/* a round completed on this VICI session */
	struct ipsec_sa serving;
	bool has_serving;
	char serving_via[64];

	uint64_t term_uid[TERM_MEMO];
	uint64_t term_ns[TERM_MEMO];
	unsigned int term_next;

	uint64_t since_ms;		/* wall clock of the last state change */
};

struct ipsec {
	struct daemon *d;
	struct ipsec_conf conf;
	struct vici_client vc;
	struct loop_timer poll;
	struct loop_event steer_ev;
	struct bus_sub sub;
	struct policy_listener pl; /* after each policy run: re-steer */
	struct tunnel **t;
	size_t nt;
	unsigned int next_tid;
	bool listing;
	bool vici_up;
	uint64_t up_ns;			/* when the VICI session began */
	char vici_why[128];
};

struct req_ctx {
	struct ipsec *ip;
	unsigned int tid;
	int kind;
};

enum { REQ_REGISTER, REQ_LOAD, REQ_INITIATE, REQ_TERMINATE, REQ_LIST };

static const char *const reg_events[] = {
	"list-sa", "ike-updown", "child-updown", "ike-rekey", "child-rekey",
};

static uint64_t now_ns(struct ipsec *ip)
{
	return loop_now(&ip->d->loop);
}

static struct tunnel *tunnel_by_tid(struct ipsec *ip, unsigned int tid)
{
	size_t i;

	for (i = 0; i < ip->nt; i++)
		if (ip->t[i]->tid == tid)
			return ip->t[i];
	return NULL;
}

static struct uplink *path_uplink(struct tunnel *t, int u)
{
	return u >= 0 && (size_t)u < t->nupl ? uplink_find(t->ip->d, t->unames[u]) : NULL;
}

static const char *path_uname(const struct tunnel *t, int u)
{
	return u >= 0 && (size_t)u < t->nupl ? t->unames[u] : "none";
}

static const char *path_remote(const struct tunnel *t, int r)
{
	return r >= 0 && (size_t)r < t->c.remotes.n ? t->c.remotes.v[r] : "none";
}

static bool uplink_addr(const struct uplink *u, char *buf, size_t len)
{
	if (!u || !u->link.has_addr4)
		return false;
	return inet_ntop(AF_INET, &u->link.addr4, buf, (socklen_t)len) != NULL;
}

/* The uplink whose address is `local`, for reasons ("isp1"), else local itself. */
static void via_name(struct tunnel *t, const char *local, char *buf, size_t len)
{
	char a[IPSEC_ADDR_MAX];
	size_t i;

	for (i = 0; i < t->nupl; i++)
		if (uplink_addr(uplink_find(t->ip->d, t->unames[i]), a, sizeof(a)) &&
		    strcmp(a, local) == 0) {
			snprintf(buf, len, "%s", t->unames[i]);
			return;
		}
	snprintf(buf, len, "%s", local);
}

static void publish(struct tunnel *t, const char *old, const char *new, const char *reason)
{
	struct bus_event ev = {
		.type = BUS_TUNNEL,
		.object = t->c.name,
		.old_state = old,
		.new_state = new,
		.reason = reason,
	};

	bus_publish(&t->ip->d->bus, &ev);
}

static void state_changed(struct tunnel *t, enum health_state old)
{
	t->since_ms = loop_clock_realtime_ms();
	if (t->h.state == HEALTH_UP)
		t->stall_streak = 0; /* traffic flows again */
	log_notice("ipsec: %s: %s -> %s: %s", t->c.name, health_state_names[old],
		   health_state_names[t->h.state], t->h.reason);
	publish(t, health_state_names[old], health_state_names[t->h.state], t->h.reason);
}

/* ---- requests ---- */

static void reply_cb(void *ctx, const struct vici_msg *m);

static int send_req(struct ipsec *ip, struct tunnel *t, int kind, struct vici_buf *b)
{
	struct req_ctx *rc;
	int err;

	if (b->err < 0) {
		log_err("ipsec: %s: request does not fit (%s)", t ? t->c.name : "vici",
			strerror(-b->err));
		return b->err;
	}
	rc = calloc(1, sizeof(*rc));
	if (!rc)
		return -ENOMEM;
	rc->ip = ip;
	rc->tid = t ? t->tid : 0;
	rc->kind = kind;
	err = vici_client_request(&ip->vc, b->data, b->len, reply_cb, rc);
	if (err < 0) {
		free(rc);
		log_warn("ipsec: %s: cannot queue a request: %s", t ? t->c.name : "vici",
			 strerror(-err));
	}
	return err;
}

static void list_done(struct ipsec *ip, bool ok);

static void reply_cb(void *ctx, const struct vici_msg *m)
{
	struct req_ctx *rc = ctx;
	struct ipsec *ip = rc->ip;
	struct tunnel *t = tunnel_by_tid(ip, rc->tid);
	const char *err;

	switch (rc->kind) {
	case REQ_LIST:
		list_done(ip, m && m->type == VICI_CMD_RESPONSE);
		break;
	case REQ_REGISTER:
		if (m && m->type != VICI_EVENT_CONFIRM)
			log_warn("ipsec: vici: charon refused an event registration (%s); is this charon too old?",
				 vici_pkt_type_names[m->type]);
		break;
	case REQ_LOAD:
	case REQ_INITIATE:
	case REQ_TERMINATE:
		if (!m || !t)
			break;
		if (m->type == VICI_CMD_UNKNOWN) {
			log_err("ipsec: %s: charon does not know this command", t->c.name);
			break;
		}
		if (vici_node_yes(&m->root, "success"))
			break;
		err = vici_node_str(&m->root, "errmsg");
		if (rc->kind == REQ_LOAD) {
			log_err("ipsec: %s: load-conn refused: %s; check the tunnel's connection keys",
				t->c.name, err ? err : "no reason given");
			t->loaded = false;
		} else if (rc->kind == REQ_INITIATE) {
			/* with timeout -1 this is rare; the connect deadline handles it */
			log_info("ipsec: %s: initiate: %s", t->c.name, err ? err : "failed");
		}
		break;
	}
	free(rc);
}

static void tunnel_load(struct tunnel *t, const char *local, const char *remote)
{
	uint8_t buf[8192];
	struct vici_buf b;

	vici_buf_init(&b, buf, sizeof(buf));
	ipsec_conn_build_load(&b, &t->c, local, remote);
	if (send_req(t->ip, t, REQ_LOAD, &b) == 0)
		t->loaded = true;
}

static void tunnel_initiate(struct tunnel *t)
{
	uint8_t buf[512];
	struct vici_buf b;

	vici_buf_init(&b, buf, sizeof(buf));
	ipsec_conn_build_initiate(&b, t->c.ike, t->c.child);
	send_req(t->ip, t, REQ_INITIATE, &b);
}

static void tunnel_terminate(struct tunnel *t, uint64_t uid, const char *why)
{
	uint64_t now = now_ns(t->ip);
	uint8_t buf[256];
	struct vici_buf b;
	unsigned int i;

	for (i = 0; i < TERM_MEMO; i++)
		if (t->term_uid[i] == uid && now - t->term_ns[i] < 3 * NSEC_PER_SEC)
			return;
	t->term_uid[t->term_next] = uid;
	t->term_ns[t->term_next] = now;
	t->term_next = (t->term_next + 1) % TERM_MEMO;
	log_info("ipsec: %s: terminating IKE_SA #%llu: %s", t->c.name, (unsigned long long)uid,
		 why);
	vici_buf_init(&b, buf, sizeof(buf));
	ipsec_conn_build_terminate(&b, uid);
	send_req(t->ip, t, REQ_TERMINATE, &b);
}

/* ---- paths ---- */

static bool sa_ok(const struct ipsec_sa *sa)
{
	return strcmp(sa->ike_state, "ESTABLISHED") == 0 && sa->child_installed;
}

static bool sa_on(const struct ipsec_sa *sa, const char *local, const char *remote)
{
	return strcmp(sa->local, local) == 0 && strcmp(sa->remote, remote) == 0;
}

/* The newest SA on the current path (established ones first), or NULL. */
static const struct ipsec_sa *cur_sa(struct tunnel *t)
{
	const struct ipsec_sa *best = NULL;
	const char *remote = path_remote(t, t->cur_r);
	size_t i;

	if (t->cur_u < 0)
		return NULL;
	for (i = 0; i < t->nlast; i++) {
		const struct ipsec_sa *s = &t->last[i];

		if (!sa_on(s, t->cur_local, remote))
			continue;
		if (!best || (sa_ok(s) && !sa_ok(best)) ||
		    (sa_ok(s) == sa_ok(best) && s->ike_uid > best->ike_uid))
			best = s;
	}
	return best;
}

static void mark_bad(struct tunnel *t, int u, int r, const char *why)
{
	uint64_t now = now_ns(t->ip), hold;
	int r0 = r < 0 ? 0 : r, r1 = r < 0 ? (int)t->c.remotes.n : r + 1, i;
	unsigned int f;

	for (i = r0; i < r1; i++) {
		f = ++t->fails[u][i];
		hold = (uint64_t)t->c.hold_down_s * NSEC_PER_SEC << (f > 4 ? 3 : f - 1);
		t->bad_until[u][i] = now + hold;
		snprintf(t->bad_why[u][i], sizeof(t->bad_why[u][i]), "%s", why);
	}
	log_notice("ipsec: %s: holding %s%s%s down for %llu s: %s", t->c.name, path_uname(t, u),
		   r < 0 ? "" : "/", r < 0 ? "" : path_remote(t, r),
		   (unsigned long long)((uint64_t)t->c.hold_down_s << (t->fails[u][r0] > 4 ? 3 : t->fails[u][r0] - 1)),
		   why);
}

/* The best eligible path, as the core ranks a tunnel's paths (policy_rank_paths:
 * state, prefer, the default route's uplink, priority, then the configured
 * order); held-down and avoided paths are not eligible. False if none. */
static bool choose(struct tunnel *t, int *bu, int *br)
{
	struct policy_cand c[MAX_UPL];
	struct policy_path p[MAX_UPL * MAX_REM];
	size_t order[MAX_UPL * MAX_REM], u, r, np = 0;
	uint64_t now = now_ns(t->ip);

	for (u = 0; u < t->nupl; u++) {
		struct uplink *up = path_uplink(t, (int)u);

		c[u] = (struct policy_cand){ .name = t->unames[u], .state = HEALTH_DOWN };
		if (up) {
			policy_cand_fill(t->ip->d, up, AF_INET, &c[u]);
			c[u].routable &= up->link.has_addr4;
		}
		for (r = 0; r < t->c.remotes.n && np < ARRAY_SIZE(p); r++)
			p[np++] = (struct policy_path){ .cand = u, .remote = (int)r,
							.held_down = t->bad_until[u][r] > now,
							.avoided = t->avoid[u] };
	}
	if (!policy_rank_paths(c, t->nupl, p, np, order))
		return false;
	*bu = (int)p[order[0]].cand;
	*br = p[order[0]].remote;
	return true;
}

static void switch_to(struct tunnel *t, int u, int r, const char *why)
{
	char local[IPSEC_ADDR_MAX];
	int old_u = t->cur_u, old_r = t->cur_r;
	size_t i;

	if (!uplink_addr(path_uplink(t, u), local, sizeof(local)))
		return;
	/* make-before-break: the old path still works (its uplink up, not held down
	 * or avoided, the tunnel up), so the hand-over is no outage */
	t->handover = old_u >= 0 && t->h.state == HEALTH_UP && path_uplink(t, old_u) &&
		      path_uplink(t, old_u)->health.state == HEALTH_UP && !t->avoid[old_u] &&
		      (old_r < 0 || t->bad_until[old_u][old_r] <= now_ns(t->ip));
	if (old_u >= 0 && (old_u != u || old_r != r)) {
		snprintf(t->move_why, sizeof(t->move_why), "%s/%s -> %s/%s: %s",
			 path_uname(t, old_u), path_remote(t, old_r), path_uname(t, u),
			 path_remote(t, r), why);
		t->moves++;
		log_notice("ipsec: %s: moving %s", t->c.name, t->move_why);
		publish(t, health_state_names[t->h.state], health_state_names[t->h.state],
			t->move_why);
	} else {
		log_info("ipsec: %s: bringing the tunnel up on %s/%s: %s", t->c.name,
			 path_uname(t, u), path_remote(t, r), why);
	}
	t->cur_u = u;
	t->cur_r = r;
	snprintf(t->cur_local, sizeof(t->cur_local), "%s", local);
	tunnel_load(t, local, path_remote(t, r));
	/* an SA already up on that path (uplinkd restarted, reload, VICI reconnect):
	 * adopt it; initiating again would only add a duplicate CHILD_SA */
	for (i = 0; i < t->nlast; i++)
		if (sa_ok(&t->last[i]) && sa_on(&t->last[i], local, path_remote(t, r))) {
			log_info("ipsec: %s: adopting IKE_SA #%llu on %s/%s", t->c.name,
				 (unsigned long long)t->last[i].ike_uid, path_uname(t, u),
				 path_remote(t, r));
			t->connecting = false;
			if (!t->up_since_ns)
				t->up_since_ns = now_ns(t->ip);
			return;
		}
	t->connecting = true;
	t->deadline_ns = now_ns(t->ip) + (uint64_t)t->c.connect_timeout_s * NSEC_PER_SEC;
	t->mobike_wait = false;
	/* MOBIKE: the established IKE_SA follows the kernel's route to the peer
	 * (charon.prefer_best_path = yes); wait for it before re-initiating */
	if (t->c.steer == IPSEC_STEER_MOBIKE && old_u >= 0 && old_r == r) {
		char old_local[IPSEC_ADDR_MAX];

		if (uplink_addr(path_uplink(t, old_u), old_local, sizeof(old_local)))
			for (i = 0; i < t->nlast; i++)
				if (sa_ok(&t->last[i]) &&
				    sa_on(&t->last[i], old_local, path_remote(t, r))) {
					t->mobike_wait = true;
					return;
				}
	}
	tunnel_initiate(t);
}

static void terminate_others(struct tunnel *t, const struct ipsec_sa *keep)
{
	size_t i;

	for (i = 0; i < t->nlast; i++) {
		const struct ipsec_sa *s = &t->last[i];

		if (s->ike_uid == keep->ike_uid || sa_on(s, keep->local, keep->remote))
			continue;
		tunnel_terminate(t, s->ike_uid, "the tunnel moved to another path");
	}
}

static void tunnel_steer(struct tunnel *t)
{
	struct ipsec *ip = t->ip;
	uint64_t now = now_ns(ip);
	const struct ipsec_sa *sa;
	char local[IPSEC_ADDR_MAX];
	int u, r;

	if (!ip->vici_up || !t->synced)
		return;
	sa = cur_sa(t);
	if (t->connecting) {
		if (sa && sa_ok(sa)) {
			t->connecting = false;
			t->up_since_ns = now;
			terminate_others(t, sa);
		} else if (now >= t->deadline_ns && t->mobike_wait) {
			log_info("ipsec: %s: charon did not move the IKE_SA with MOBIKE within %d s; re-initiating",
				 t->c.name, t->c.connect_timeout_s);
			t->mobike_wait = false;
			tunnel_initiate(t);
			t->deadline_ns = now + (uint64_t)t->c.connect_timeout_s * NSEC_PER_SEC;
			return;
		} else if (now >= t->deadline_ns &&
			   now - ip->up_ns < 3ULL * t->c.connect_timeout_s * NSEC_PER_SEC) {
			/* charon just (re)started: its credentials may still be on their way
			 * (swanctl --load-creds); a failure now says nothing about the path */
			log_info("ipsec: %s: no IKE_SA yet on %s/%s, but charon only just came up; trying the same path again",
				 t->c.name, path_uname(t, t->cur_u), path_remote(t, t->cur_r));
			if (sa)
				tunnel_terminate(t, sa->ike_uid, "charon just came up; retrying");
			tunnel_initiate(t);
			t->deadline_ns = now + (uint64_t)t->c.connect_timeout_s * NSEC_PER_SEC;
			return;
		} else if (now >= t->deadline_ns) {
			char why[160];

			snprintf(why, sizeof(why), "no IKE_SA with %s via %s after %d s",
				 path_remote(t, t->cur_r), path_uname(t, t->cur_u),
				 t->c.connect_timeout_s);
			mark_bad(t, t->cur_u, t->cur_r, why);
			if (sa)
				tunnel_terminate(t, sa->ike_uid, why);
			t->connecting = false;
			if (choose(t, &u, &r))
				switch_to(t, u, r, why);
			return;
		} else {
			return;
		}
	}
	if (sa && sa_ok(sa)) {
		/* clean up leftovers (a move whose old SA lingered, an adopted SA) */
		terminate_others(t, sa);
		if (t->up_since_ns && now - t->up_since_ns >
		    (uint64_t)t->c.hold_down_s * 2 * NSEC_PER_SEC + NSEC_PER_SEC)
			memset(t->fails[t->cur_u], 0, sizeof(t->fails[t->cur_u]));
	}
	if (t->cur_u >= 0 && t->h.stalled && t->has_serving && sa &&
	    t->serving.ike_uid == sa->ike_uid && t->bad_until[t->cur_u][t->cur_r] <= now) {
		if (t->stall_streak < t->nupl) {
			t->stall_streak++;
			mark_bad(t, t->cur_u, -1, t->h.stall_reason);
		} else if (t->stall_streak == t->nupl) {
			/* it stalled on every uplink: the far end or the probe target is the
			 * problem, not a carrier; moving again would only flap */
			t->stall_streak++;
			log_warn("ipsec: %s: ESP stalls on every uplink; staying on %s (check the far end and probe.target %s)",
				 t->c.name, path_uname(t, t->cur_u),
				 t->c.probe.target ? t->c.probe.target : "-");
			publish(t, health_state_names[t->h.state], health_state_names[t->h.state],
				"ESP stalls on every uplink: the far end or the probe target is the problem, not a carrier; not moving");
		}
	}
	if (!choose(t, &u, &r)) {
		if (t->cur_u < 0 || !t->loaded) {
			/* nothing eligible: use the first configured path that has an address */
			for (u = 0; (size_t)u < t->nupl; u++)
				if (uplink_addr(path_uplink(t, u), local, sizeof(local)))
					break;
			if ((size_t)u < t->nupl && !(sa && sa_ok(sa)))
				switch_to(t, u, 0, "no path is eligible; trying the first one");
		}
		return;
	}
	if (u != t->cur_u || r != t->cur_r) {
		char why[200];

		if (t->cur_u >= 0 && t->bad_until[t->cur_u][t->cur_r] > now)
			snprintf(why, sizeof(why), "%s", t->bad_why[t->cur_u][t->cur_r]);
		else if (t->cur_u >= 0 && t->avoid[t->cur_u])
			snprintf(why, sizeof(why), "steered away from %s: %s",
				 path_uname(t, t->cur_u), t->avoid_why);
		else if (t->cur_u < 0)
			snprintf(why, sizeof(why), "starting");
		else if (path_uplink(t, t->cur_u) &&
			 path_uplink(t, t->cur_u)->health.state != HEALTH_UP)
			snprintf(why, sizeof(why), "%s %s: %.120s", path_uname(t, t->cur_u),
				 health_state_names[path_uplink(t, t->cur_u)->health.state],
				 path_uplink(t, t->cur_u)->health.reason);
		else if (!path_uplink(t, t->cur_u) || !path_uplink(t, t->cur_u)->link.has_addr4)
			snprintf(why, sizeof(why), "%s has no IPv4 address", path_uname(t, t->cur_u));
		else
			snprintf(why, sizeof(why), "%s/%s is preferred (default route, order, hold-down over)",
				 path_uname(t, u), path_remote(t, r));
		switch_to(t, u, r, why);
		return;
	}
	if (!uplink_addr(path_uplink(t, u), local, sizeof(local)))
		return;
	if (strcmp(local, t->cur_local) != 0) {
		switch_to(t, u, r, "the uplink's address changed");
		return;
	}
	if (!t->loaded || !sa || (!sa_ok(sa) && strcmp(sa->ike_state, "CONNECTING") != 0))
		switch_to(t, u, r, t->loaded ? "no IKE_SA on this path" : "(re)loading the connection");
}

/* ---- polling ---- */

static void steer_all(struct ipsec *ip)
{
	size_t i;

	for (i = 0; i < ip->nt; i++)
		tunnel_steer(ip->t[i]);
}

static void judge(struct tunnel *t)
{
	const struct ipsec_sa *sa = cur_sa(t), *s = NULL;
	enum health_state old = t->h.state;
	size_t i;

	if (sa && sa_ok(sa))
		s = sa;
	for (i = 0; !s && i < t->nlast; i++)
		if (sa_ok(&t->last[i]))
			s = &t->last[i];
	if (!s)
		s = sa;
	t->has_serving = s != NULL;
	if (s) {
		t->serving = *s;
		via_name(t, s->local, t->serving_via, sizeof(t->serving_via));
	} else {
		snprintf(t->serving_via, sizeof(t->serving_via), "%s", path_uname(t, t->cur_u));
	}
	/*
	 * Make-before-break: while a new path connects away from one that still
	 * worked (until its deadline, when tunnel_steer gives up on it), a poll
	 * without a working SA is the hand-over (the far end's unique=replace drops
	 * the old IKE_SA as the new one authenticates; list-sas skips the new one
	 * while it is busy), not an outage. A move away from a failed path, or a
	 * tunnel that was not up, stays judged.
	 */
	if (t->connecting && t->handover && !(s && sa_ok(s)) && t->h.state != HEALTH_DOWN)
		return;
	if (tunnel_health_poll(&t->h, s, t->serving_via, now_ns(t->ip)))
		state_changed(t, old);
}

static void list_done(struct ipsec *ip, bool ok)
{
	size_t i;

	ip->listing = false;
	if (!ok)
		return;
	for (i = 0; i < ip->nt; i++) {
		struct tunnel *t = ip->t[i];

		memcpy(t->last, t->seen, sizeof(t->seen));
		t->nlast = t->nseen;
		t->nseen = 0;
		t->synced = true;
		judge(t);
	}
	steer_all(ip);
}

static void poll_cb(struct loop_timer *tm)
{
	struct ipsec *ip = container_of(tm, struct ipsec, poll);
	uint8_t buf[128];
	struct vici_buf b;
	size_t i;

	loop_timer_set_in(&ip->d->loop, &ip->poll, (uint64_t)ip->conf.poll_ms * NSEC_PER_MSEC);
	for (i = 0; i < ip->nt; i++)
		if (ip->t[i]->probing && ip->vici_up)
			ipsec_probe_send(&ip->t[i]->probe);
	if (!ip->vici_up || ip->listing)
		return;
	for (i = 0; i < ip->nt; i++)
		ip->t[i]->nseen = 0;
	vici_buf_init(&b, buf, sizeof(buf));
	ipsec_conn_build_list_sas(&b);
	if (send_req(ip, NULL, REQ_LIST, &b) == 0)
		ip->listing = true;
}

static void probe_result(struct ipsec_probe *p, bool answered)
{
	struct tunnel *t = container_of(p, struct tunnel, probe);
	enum health_state old = t->h.state;

	if (tunnel_health_probe(&t->h, answered, t->c.probe.target, now_ns(t->ip)))
		state_changed(t, old);
}

/* ---- VICI session ---- */

static void vici_event(void *ctx, const struct vici_msg *m)
{
	struct ipsec *ip = ctx;
	const char *conn = ipsec_sa_conn_name(m);
	struct ipsec_sa sa;
	size_t i;

	if (!conn)
		return;
	for (i = 0; i < ip->nt; i++) {
		struct tunnel *t = ip->t[i];

		if (strcmp(t->c.ike, conn) != 0)
			continue;
		if (strcmp(m->name, "list-sa") == 0) {
			int err = ipsec_sa_parse(m, t->c.ike, t->c.child, &sa);

			if (err == -EBADMSG)
				log_warn("ipsec: %s: list-sa event with malformed counters; ignored",
					 t->c.name);
			if (err == 0 && t->nseen < SEEN_MAX)
				t->seen[t->nseen++] = sa;
		} else if (strstr(m->name, "rekey")) {
			tunnel_health_rebase(&t->h);
		} else {
			/* an up/down event: look again now rather than at the next poll */
			loop_timer_set_in(&ip->d->loop, &ip->poll, 0);
		}
	}
}

static void vici_up(void *ctx)
{
	struct ipsec *ip = ctx;
	size_t i;

	ip->vici_up = true;
	ip->up_ns = now_ns(ip);
	ip->listing = false;
	ip->vici_why[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(reg_events); i++) {
		uint8_t buf[300];
		struct vici_buf b;

		vici_buf_init(&b, buf, sizeof(buf));
		vici_msg_begin(&b, VICI_EVENT_REGISTER, reg_events[i]);
		vici_msg_finish(&b);
		send_req(ip, NULL, REQ_REGISTER, &b);
	}
	for (i = 0; i < ip->nt; i++) {
		ip->t[i]->loaded = false;
		ip->t[i]->synced = false;
		ip->t[i]->connecting = false;
		ip->t[i]->nseen = 0;
	}
	loop_timer_set_in(&ip->d->loop, &ip->poll, 0);
}

static void vici_down(void *ctx, const char *why)
{
	struct ipsec *ip = ctx;
	size_t i;

	ip->vici_up = false;
	ip->listing = false;
	snprintf(ip->vici_why, sizeof(ip->vici_why), "%s", why);
	for (i = 0; i < ip->nt; i++) {
		struct tunnel *t = ip->t[i];
		enum health_state old = t->h.state;
		char r[400];

		t->synced = false;
		t->loaded = false;
		t->connecting = false;
		t->nlast = 0;
		t->has_serving = false;
		if (t->cur_u >= 0)
			snprintf(r, sizeof(r), "charon not reachable at %s (%s): retrying; keeping %s/%s",
				 ip->conf.vici, why, path_uname(t, t->cur_u),
				 path_remote(t, t->cur_r));
		else
			snprintf(r, sizeof(r), "charon not reachable at %s (%s): retrying",
				 ip->conf.vici, why);
		tunnel_health_restart(&t->h, r, now_ns(ip));
		/* down -> down at start: still an event, for the journal, hooks and alerts */
		state_changed(t, old);
	}
}

static const struct vici_client_ops vici_ops = {
	.up = vici_up,
	.down = vici_down,
	.event = vici_event,
};

/* ---- bus ---- */

static void steer_ev_cb(struct loop_event *e)
{
	steer_all(container_of(e, struct ipsec, steer_ev));
}

/* The policy ran (a switch is on the bus already): follow it from a deferred event. */
static void policy_ran(struct policy_listener *l)
{
	struct ipsec *ip = container_of(l, struct ipsec, pl);

	loop_event_schedule(&ip->d->loop, &ip->steer_ev);
}

static void bus_cb(struct bus_sub *s, const struct bus_event *ev)
{
	struct ipsec *ip = container_of(s, struct ipsec, sub);
	size_t i, u;

	switch (ev->type) {
	case BUS_STEER:
		if (ev->steer != BUS_STEER_TUNNEL || !ev->target || !ev->old_state ||
		    !ev->new_state)
			break;
		for (i = 0; i < ip->nt; i++) {
			struct tunnel *t = ip->t[i];

			if (strcmp(t->c.name, ev->target) != 0)
				continue;
			for (u = 0; u < t->nupl; u++)
				if (strcmp(t->unames[u], ev->old_state) == 0) {
					bool avoid = strcmp(ev->new_state, "avoid") == 0;

					/* like a failure: the path stays unused for the
					 * hold-down after the anomaly ends (never flap
					 * with a flapping announcement) */
					if (t->avoid[u] && !avoid)
						mark_bad(t, (int)u, -1,
							 "its BGP view was anomalous until now");
					t->avoid[u] = avoid;
					snprintf(t->avoid_why, sizeof(t->avoid_why), "%s",
						 ev->reason ? ev->reason : "BUS_STEER");
				}
		}
		loop_event_schedule(&ip->d->loop, &ip->steer_ev);
		break;
	default:
		break;
	}
}

/* ---- tunnels ---- */

static void tunnel_free(struct tunnel *t)
{
	size_t i;

	if (!t)
		return;
	if (t->probing)
		ipsec_probe_close(&t->probe);
	for (i = 0; i < t->nupl; i++)
		free(t->unames[i]);
	schema_free(ipsec_tunnel_keys, &t->c);
	free(t);
}

static struct tunnel *tunnel_new(struct ipsec *ip, const struct ipsec_tunnel_conf *c)
{
	struct tunnel *t = calloc(1, sizeof(*t));
	const struct config *cfg = ip->d->cfg;
	size_t i;
	int err;

	if (!t)
		return NULL;
	t->ip = ip;
	t->tid = ++ip->next_tid;
	t->cur_u = t->cur_r = -1;
	if (schema_copy(ipsec_tunnel_keys, &t->c, c) < 0)
		goto err;
	if (c->uplinks.n) {
		for (i = 0; i < c->uplinks.n && i < MAX_UPL; i++)
			if (!(t->unames[t->nupl++] = strdup(c->uplinks.v[i])))
				goto err;
	} else {
		for (i = 0; cfg && i < cfg->uplinks.n && i < MAX_UPL; i++)
			if (!(t->unames[t->nupl++] = strdup(config_uplink(cfg, i)->name)))
				goto err;
	}
	tunnel_health_init(&t->h, c->esp_stall_s, c->down_after, c->up_after,
			   c->probe.target != NULL, now_ns(ip));
	if (c->probe.target) {
		err = ipsec_probe_open(&t->probe, &ip->d->loop, c->probe.source, c->probe.target,
				       (uint16_t)(getpid() ^ (t->tid * 7919u)), probe_result);
		if (err < 0)
			log_err("ipsec: %s: in-tunnel probe from %s: %s; judging by counters only",
				c->name, c->probe.source, strerror(-err));
		else
			t->probing = true;
	}
	t->since_ms = loop_clock_realtime_ms();
	return t;
err:
	tunnel_free(t);
	return NULL;
}

/* ---- the plugin ---- */

static void ipsec_destroy(void *inst)
{
	struct ipsec *ip = inst;
	size_t i;

	if (!ip)
		return;
	bus_unsubscribe(&ip->sub);
	policy_unlisten(&ip->pl);
	vici_client_destroy(&ip->vc); /* fails queued requests while tunnels still exist */
	loop_timer_cancel(&ip->d->loop, &ip->poll);
	loop_event_cancel(&ip->d->loop, &ip->steer_ev);
	for (i = 0; i < ip->nt; i++)
		tunnel_free(ip->t[i]);
	free(ip->t);
	schema_free(ipsec_keys, &ip->conf);
	free(ip);
}

static void *ipsec_create(struct daemon *d, const void *conf)
{
	const struct ipsec_conf *c = conf;
	struct ipsec *ip = calloc(1, sizeof(*ip));
	size_t i;

	if (!ip)
		return NULL;
	ip->d = d;
	loop_timer_init(&ip->poll, poll_cb);
	loop_event_init(&ip->steer_ev, steer_ev_cb);
	if (schema_copy(ipsec_keys, &ip->conf, c) < 0)
		goto err;
	ip->t = calloc(c->tunnels.n ? c->tunnels.n : 1, sizeof(*ip->t));
	if (!ip->t)
		goto err;
	for (i = 0; i < c->tunnels.n; i++) {
		ip->t[i] = tunnel_new(ip, tconf(c, i));
		if (!ip->t[i])
			goto err;
		ip->nt++;
	}
	ip->sub.cb = bus_cb;
	bus_subscribe(&d->bus, &ip->sub);
	ip->pl.ran = policy_ran;
	policy_listen(d, &ip->pl);
	if (vici_client_init(&ip->vc, &d->loop, c->vici, &vici_ops, ip) < 0) {
		log_err("ipsec: vici socket path \"%s\" is too long", c->vici);
		goto err;
	}
	loop_timer_set_in(&d->loop, &ip->poll, (uint64_t)c->poll_ms * NSEC_PER_MSEC);
	log_notice("ipsec: %zu tunnel(s); charon at %s", ip->nt, c->vici);
	return ip;
err:
	if (ip->sub.cb)
		bus_unsubscribe(&ip->sub);
	if (ip->pl.ran)
		policy_unlisten(&ip->pl);
	ip->sub.cb = NULL;
	for (i = 0; i < ip->nt; i++)
		tunnel_free(ip->t[i]);
	ip->nt = 0;
	free(ip->t);
	ip->t = NULL;
	schema_free(ipsec_keys, &ip->conf);
	free(ip);
	return NULL;
}

/* Reload: same socket and poll interval keep the VICI session; tunnels are
 * diffed by name (unchanged ones keep their health and path). */
static int ipsec_reconfigure(void *inst, const void *conf)
{
	struct ipsec *ip = inst;
	const struct ipsec_conf *c = conf;
	struct tunnel **nt;
	size_t i, j;
	char *vici;
	int poll_ms;

	if (!ip || strcmp(ip->conf.vici, c->vici) != 0 || ip->conf.poll_ms != c->poll_ms)
		return -EAGAIN;
	nt = calloc(c->tunnels.n ? c->tunnels.n : 1, sizeof(*nt));
	if (!nt)
		return -EAGAIN;
	for (i = 0; i < c->tunnels.n; i++) {
		const struct ipsec_tunnel_conf *tc = tconf(c, i);

		for (j = 0; j < ip->nt; j++)
			if (ip->t[j] && strcmp(ip->t[j]->c.name, tc->name) == 0 &&
			    schema_equal(ipsec_tunnel_keys, &ip->t[j]->c, tc)) {
				nt[i] = ip->t[j];
				ip->t[j] = NULL;
				break;
			}
		if (!nt[i]) {
			nt[i] = tunnel_new(ip, tc);
			if (!nt[i]) {
				for (j = 0; j < i; j++)
					tunnel_free(nt[j]);
				free(nt);
				return -EAGAIN; /* recreating from scratch is still correct */
			}
			log_notice("ipsec: %s: new or changed tunnel", tc->name);
		}
	}
	for (j = 0; j < ip->nt; j++)
		if (ip->t[j]) {
			log_notice("ipsec: %s: tunnel removed from the configuration; its SAs stay until charon drops them",
				   ip->t[j]->c.name);
			tunnel_free(ip->t[j]);
		}
	free(ip->t);
	ip->t = nt;
	ip->nt = c->tunnels.n;
	vici = ip->conf.vici;
	poll_ms = ip->conf.poll_ms;
	ip->conf.vici = NULL;
	schema_free(ipsec_keys, &ip->conf);
	if (schema_copy(ipsec_keys, &ip->conf, c) < 0) {
		ip->conf.vici = vici;
		ip->conf.poll_ms = poll_ms;
		return 0;
	}
	free(vici);
	/* a new tunnel needs a list-sas round before it may steer */
	for (i = 0; i < ip->nt; i++)
		if (ip->vici_up && !ip->t[i]->synced)
			loop_timer_set_in(&ip->d->loop, &ip->poll, 0);
	return 0;
}

static void ipsec_status(void *inst, struct json_object *st)
{
	struct ipsec *ip = inst;
	struct json_object *arr, *o;
	char reason[600];
	size_t i;

	if (!json_object_object_get_ex(st, "tunnels", &arr) ||
	    !json_object_is_type(arr, json_type_array)) {
		arr = json_object_new_array();
		json_object_object_add(st, "tunnels", arr);
	}
	for (i = 0; i < ip->nt; i++) {
		struct tunnel *t = ip->t[i];
		const struct ipsec_sa *s = t->has_serving ? &t->serving : NULL;

		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(t->c.name));
		json_object_object_add(o, "state",
				       json_object_new_string(health_state_names[t->h.state]));
		json_object_object_add(o, "uplink", json_object_new_string(
					      s ? t->serving_via : path_uname(t, t->cur_u)));
		json_object_object_add(o, "local", json_object_new_string(
					      s ? s->local : t->cur_local));
		json_object_object_add(o, "remote", json_object_new_string(
					      s ? s->remote : path_remote(t, t->cur_r)));
		if (t->connecting)
			snprintf(reason, sizeof(reason), "%s; moving: %s", t->h.reason,
				 t->move_why);
		else if (t->moves && t->move_why[0])
			snprintf(reason, sizeof(reason), "%s; last move %s", t->h.reason,
				 t->move_why);
		else
			snprintf(reason, sizeof(reason), "%s", t->h.reason);
		json_object_object_add(o, "reason", json_object_new_string(reason));
		json_object_object_add(o, "ike_state",
				       json_object_new_string(s ? s->ike_state : "none"));
		json_object_object_add(o, "child_installed",
				       json_object_new_boolean(s && s->child_installed));
		json_object_object_add(o, "bytes_in", json_object_new_int64(s ? (int64_t)s->bytes_in : 0));
		json_object_object_add(o, "bytes_out", json_object_new_int64(s ? (int64_t)s->bytes_out : 0));
		json_object_object_add(o, "packets_in", json_object_new_int64(s ? (int64_t)s->packets_in : 0));
		json_object_object_add(o, "packets_out", json_object_new_int64(s ? (int64_t)s->packets_out : 0));
		json_object_object_add(o, "since_ms", json_object_new_int64((int64_t)t->since_ms));
		json_object_object_add(o, "moves", json_object_new_int64((int64_t)t->moves));
		json_object_object_add(o, "connecting", json_object_new_boolean(t->connecting));
		json_object_object_add(o, "charon", json_object_new_boolean(ip->vici_up));
		if (t->probing) {
			json_object_object_add(o, "probes_sent", json_object_new_int64((int64_t)t->probe.sent));
			json_object_object_add(o, "probes_answered", json_object_new_int64((int64_t)t->probe.answered));
		}
		json_object_array_add(arr, o);
	}
}

const struct plugin plugin_ipsec = {
	.name = "ipsec",
	.kind = PLUGIN_MONITOR,
	.keys = ipsec_keys,
	.conf_size = sizeof(struct ipsec_conf),
	.check = ipsec_check,
	.create = ipsec_create,
	.reconfigure = ipsec_reconfigure,
	.status = ipsec_status,
	.destroy = ipsec_destroy,
};
