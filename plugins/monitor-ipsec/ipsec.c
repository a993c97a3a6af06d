// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec.c - the ipsec monitor plugin: tunnel health and charon's session
 *
 * Owns one VICI connection to charon (vici_client.c), the tunnels of the
 * `ipsec` section (schema and checks in ipsec_conf.c), their health
 * (ipsec_health.c) and in-tunnel probes (ipsec_probe.c). Which path each
 * tunnel uses, and moving it there, is ipsec_path.c's; this file sends the
 * requests it asks for (load-conn, initiate, terminate: ipsec_conn.c builds
 * them) and runs it after every list-sas round and every bus event that may
 * change a choice.
 *
 * charon restarting: the connection drops, uplinkd reconnects with backoff,
 * registers its events, waits for one full list-sas round and re-loads the
 * connection on the path it had; only a path that then fails to connect is
 * held down, so a restart is no failover.
 *
 * Publishes BUS_TUNNEL (state changes and moves, with reasons); obeys
 * BUS_STEER (BUS_STEER_TUNNEL, avoid|clear the uplink in old_state); follows
 * the policy (view_policy_listen: after each run, so a move is seen after the switch
 * that caused it), from a deferred loop event, never inside delivery. Fills
 * status "tunnels". Created by daemon.c.
 */
#include "daemon.h"
#include "ipsec_conf.h"
#include "ipsec_conn.h"
#include "ipsec_tunnel.h"
#include "log.h"
#include "plugin.h"
#include "view.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- run time ---- */

struct req_ctx {
	struct ipsec *ip;
	unsigned int tid;
	int kind;
};

enum { REQ_REGISTER, REQ_LOAD, REQ_INITIATE, REQ_TERMINATE, REQ_LIST };

static const char *const reg_events[] = {
	"list-sa", "ike-updown", "child-updown", "ike-rekey", "child-rekey",
};

uint64_t ipsec_now_ns(const struct ipsec *ip)
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

/* The uplink whose address is `local`, for reasons ("isp1"), else local itself. */
static void via_name(struct tunnel *t, const char *local, char *buf, size_t len)
{
	char a[IPSEC_ADDR_MAX];
	size_t i;

	for (i = 0; i < t->nupl; i++)
		if (ipsec_path_addr(t, (int)i, a, sizeof(a)) &&
		    strcmp(a, local) == 0) {
			snprintf(buf, len, "%s", t->unames[i]);
			return;
		}
	snprintf(buf, len, "%s", local);
}

void ipsec_tunnel_publish(struct tunnel *t, const char *old, const char *new, const char *reason)
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

static void state_changed(struct tunnel *t, enum view_state old)
{
	t->since_ms = loop_clock_realtime_ms();
	if (t->h.state == VIEW_UP)
		t->stall_streak = 0; /* traffic flows again */
	log_notice("ipsec: %s: %s -> %s: %s", t->c.name, view_state_names[old],
		   view_state_names[t->h.state], t->h.reason);
	ipsec_tunnel_publish(t, view_state_names[old], view_state_names[t->h.state], t->h.reason);
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

void ipsec_tunnel_load(struct tunnel *t, const char *local, const char *remote)
{
	uint8_t buf[8192];
	struct vici_buf b;

	vici_buf_init(&b, buf, sizeof(buf));
	ipsec_conn_build_load(&b, &t->c, local, remote);
	if (send_req(t->ip, t, REQ_LOAD, &b) == 0)
		t->loaded = true;
}

void ipsec_tunnel_initiate(struct tunnel *t)
{
	uint8_t buf[512];
	struct vici_buf b;

	vici_buf_init(&b, buf, sizeof(buf));
	ipsec_conn_build_initiate(&b, t->c.ike, t->c.child);
	send_req(t->ip, t, REQ_INITIATE, &b);
}

void ipsec_tunnel_terminate(struct tunnel *t, uint64_t uid, const char *why)
{
	uint64_t now = ipsec_now_ns(t->ip);
	uint8_t buf[256];
	struct vici_buf b;
	unsigned int i;

	for (i = 0; i < IPSEC_TERM_MEMO; i++)
		if (t->term_uid[i] == uid && now - t->term_ns[i] < 3 * NSEC_PER_SEC)
			return;
	t->term_uid[t->term_next] = uid;
	t->term_ns[t->term_next] = now;
	t->term_next = (t->term_next + 1) % IPSEC_TERM_MEMO;
	log_info("ipsec: %s: terminating IKE_SA #%llu: %s", t->c.name, (unsigned long long)uid,
		 why);
	vici_buf_init(&b, buf, sizeof(buf));
	ipsec_conn_build_terminate(&b, uid);
	send_req(t->ip, t, REQ_TERMINATE, &b);
}

/* ---- polling ---- */

static void steer_all(struct ipsec *ip)
{
	size_t i;

	for (i = 0; i < ip->nt; i++)
		ipsec_path_steer(ip->t[i]);
}

static void judge(struct tunnel *t)
{
	const struct ipsec_sa *sa = ipsec_path_cur_sa(t), *s = NULL;
	enum view_state old = t->h.state;
	size_t i;

	if (sa && ipsec_path_sa_ok(sa))
		s = sa;
	for (i = 0; !s && i < t->nlast; i++)
		if (ipsec_path_sa_ok(&t->last[i]))
			s = &t->last[i];
	if (!s)
		s = sa;
	t->has_serving = s != NULL;
	if (s) {
		t->serving = *s;
		via_name(t, s->local, t->serving_via, sizeof(t->serving_via));
	} else {
		snprintf(t->serving_via, sizeof(t->serving_via), "%s", ipsec_path_uname(t, t->cur_u));
	}
	/*
	 * Make-before-break: while a new path connects away from one that still
	 * worked (until its deadline, when tunnel_steer gives up on it), a poll
	 * without a working SA is the hand-over (the far end's unique=replace drops
	 * the old IKE_SA as the new one authenticates; list-sas skips the new one
	 * while it is busy), not an outage. A move away from a failed path, or a
	 * tunnel that was not up, stays judged.
	 */
	if (t->connecting && t->handover && !(s && ipsec_path_sa_ok(s)) && t->h.state != VIEW_DOWN)
		return;
	if (tunnel_health_poll(&t->h, s, t->serving_via, ipsec_now_ns(t->ip)))
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
	enum view_state old = t->h.state;

	if (tunnel_health_probe(&t->h, answered, t->c.probe.target, ipsec_now_ns(t->ip)))
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
			if (err == 0 && t->nseen < IPSEC_SEEN_MAX)
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
	ip->up_ns = ipsec_now_ns(ip);
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
		enum view_state old = t->h.state;
		char r[400];

		t->synced = false;
		t->loaded = false;
		t->connecting = false;
		t->nlast = 0;
		t->has_serving = false;
		if (t->cur_u >= 0)
			snprintf(r, sizeof(r), "charon not reachable at %s (%s): retrying; keeping %s/%s",
				 ip->conf.vici, why, ipsec_path_uname(t, t->cur_u),
				 ipsec_path_remote(t, t->cur_r));
		else
			snprintf(r, sizeof(r), "charon not reachable at %s (%s): retrying",
				 ip->conf.vici, why);
		tunnel_health_restart(&t->h, r, ipsec_now_ns(ip));
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
static void policy_ran(struct view_policy_listener *l)
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
						ipsec_path_hold(t, (int)u, -1,
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
		for (i = 0; i < c->uplinks.n && i < IPSEC_MAX_UPLINKS; i++)
			if (!(t->unames[t->nupl++] = strdup(c->uplinks.v[i])))
				goto err;
	} else {
		for (i = 0; cfg && i < cfg->uplinks.n && i < IPSEC_MAX_UPLINKS; i++)
			if (!(t->unames[t->nupl++] = strdup(config_uplink(cfg, i)->name)))
				goto err;
	}
	tunnel_health_init(&t->h, c->esp_stall_s, c->down_after, c->up_after,
			   c->probe.target != NULL, ipsec_now_ns(ip));
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
	view_policy_unlisten(&ip->pl);
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
		ip->t[i] = tunnel_new(ip, ipsec_conf_tunnel(c, i));
		if (!ip->t[i])
			goto err;
		ip->nt++;
	}
	ip->sub.cb = bus_cb;
	bus_subscribe(&d->bus, &ip->sub);
	ip->pl.ran = policy_ran;
	if (view_policy_listen(d, &ip->pl) < 0)
		goto err;
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
		view_policy_unlisten(&ip->pl);
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
		const struct ipsec_tunnel_conf *tc = ipsec_conf_tunnel(c, i);

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
				       json_object_new_string(view_state_names[t->h.state]));
		json_object_object_add(o, "uplink", json_object_new_string(
					      s ? t->serving_via : ipsec_path_uname(t, t->cur_u)));
		json_object_object_add(o, "local", json_object_new_string(
					      s ? s->local : t->cur_local));
		json_object_object_add(o, "remote", json_object_new_string(
					      s ? s->remote : ipsec_path_remote(t, t->cur_r)));
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
