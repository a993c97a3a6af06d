// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec_path.c - which path each tunnel uses, and moving it there
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
 * The ranking is the core's, not this file's: choose() hands every path to
 * view_rank_paths() (view.h; the core's policy_rank.c), which ranks eligible paths (uplink
 * present with an IPv4 address, not down, not avoided by a BUS_STEER, not
 * held down) up before degraded, the operator's prefer, then the uplink
 * carrying the default route (tunnels follow the policy's choice), then priority, then
 * the order of the tunnel's uplinks and remotes. What stays here is the
 * tunnel's own memory: which paths are held down (hold_down_s after a failure
 * -- ESP stall: every path of that uplink; connect timeout: that pair --
 * doubling for repeated failures up to 8x; when it ends, the tunnel returns to
 * the preferred path) and which uplinks a BUS_STEER avoids.
 *
 * Reads uplinks through view.h only. Called by ipsec.c; calls view.c (the
 * ranking, uplink snapshots) and ipsec.c's requests.
 */
#include "ipsec_tunnel.h"
#include "log.h"
#include "view.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

bool ipsec_path_view(struct tunnel *t, int u, struct view_uplink *v)
{
	const struct uplink *up;

	if (u < 0 || (size_t)u >= t->nupl || !(up = view_uplink_find(t->ip->d, t->unames[u])))
		return false;
	view_uplink_get(up, v);
	return true;
}

const char *ipsec_path_uname(const struct tunnel *t, int u)
{
	return u >= 0 && (size_t)u < t->nupl ? t->unames[u] : "none";
}

const char *ipsec_path_remote(const struct tunnel *t, int r)
{
	return r >= 0 && (size_t)r < t->c.remotes.n ? t->c.remotes.v[r] : "none";
}

bool ipsec_path_addr(struct tunnel *t, int u, char *buf, size_t len)
{
	struct view_uplink v;

	if (!ipsec_path_view(t, u, &v) || !v.has_addr4)
		return false;
	return inet_ntop(AF_INET, &v.addr4, buf, (socklen_t)len) != NULL;
}


bool ipsec_path_sa_ok(const struct ipsec_sa *sa)
{
	return strcmp(sa->ike_state, "ESTABLISHED") == 0 && sa->child_installed;
}

static bool sa_on(const struct ipsec_sa *sa, const char *local, const char *remote)
{
	return strcmp(sa->local, local) == 0 && strcmp(sa->remote, remote) == 0;
}

/* The newest SA on the current path (established ones first), or NULL. */
const struct ipsec_sa *ipsec_path_cur_sa(struct tunnel *t)
{
	const struct ipsec_sa *best = NULL;
	const char *remote = ipsec_path_remote(t, t->cur_r);
	size_t i;

	if (t->cur_u < 0)
		return NULL;
	for (i = 0; i < t->nlast; i++) {
		const struct ipsec_sa *s = &t->last[i];

		if (!sa_on(s, t->cur_local, remote))
			continue;
		if (!best || (ipsec_path_sa_ok(s) && !ipsec_path_sa_ok(best)) ||
		    (ipsec_path_sa_ok(s) == ipsec_path_sa_ok(best) && s->ike_uid > best->ike_uid))
			best = s;
	}
	return best;
}

void ipsec_path_hold(struct tunnel *t, int u, int r, const char *why)
{
	uint64_t now = ipsec_now_ns(t->ip), hold;
	int r0 = r < 0 ? 0 : r, r1 = r < 0 ? (int)t->c.remotes.n : r + 1, i;
	unsigned int f;

	for (i = r0; i < r1; i++) {
		f = ++t->fails[u][i];
		hold = (uint64_t)t->c.hold_down_s * NSEC_PER_SEC << (f > 4 ? 3 : f - 1);
		t->bad_until[u][i] = now + hold;
		snprintf(t->bad_why[u][i], sizeof(t->bad_why[u][i]), "%s", why);
	}
	log_notice("ipsec: %s: holding %s%s%s down for %llu s: %s", t->c.name, ipsec_path_uname(t, u),
		   r < 0 ? "" : "/", r < 0 ? "" : ipsec_path_remote(t, r),
		   (unsigned long long)((uint64_t)t->c.hold_down_s << (t->fails[u][r0] > 4 ? 3 : t->fails[u][r0] - 1)),
		   why);
}

/* The best eligible path, as the core ranks a tunnel's paths (policy_rank_paths:
 * state, prefer, the default route's uplink, priority, then the configured
 * order); held-down and avoided paths are not eligible. False if none. */
static bool choose(struct tunnel *t, int *bu, int *br)
{
	struct view_path p[IPSEC_MAX_UPLINKS * IPSEC_MAX_REMOTES];
	size_t order[IPSEC_MAX_UPLINKS * IPSEC_MAX_REMOTES], u, r, np = 0;
	uint64_t now = ipsec_now_ns(t->ip);

	for (u = 0; u < t->nupl; u++)
		for (r = 0; r < t->c.remotes.n && np < ARRAY_SIZE(p); r++)
			p[np++] = (struct view_path){ .uplink = u, .remote = (int)r,
						      .held_down = t->bad_until[u][r] > now,
						      .avoided = t->avoid[u] };
	if (!view_rank_paths(t->ip->d, (const char *const *)t->unames, t->nupl, p, np, order))
		return false;
	*bu = (int)p[order[0]].uplink;
	*br = p[order[0]].remote;
	return true;
}

static void switch_to(struct tunnel *t, int u, int r, const char *why)
{
	char local[IPSEC_ADDR_MAX];
	int old_u = t->cur_u, old_r = t->cur_r;
	struct view_uplink ov;
	size_t i;

	if (!ipsec_path_addr(t, u, local, sizeof(local)))
		return;
	/* make-before-break: the old path still works (its uplink up, not held down
	 * or avoided, the tunnel up), so the hand-over is no outage */
	t->handover = old_u >= 0 && t->h.state == VIEW_UP && ipsec_path_view(t, old_u, &ov) &&
		      ov.state == VIEW_UP && !t->avoid[old_u] &&
		      (old_r < 0 || t->bad_until[old_u][old_r] <= ipsec_now_ns(t->ip));
	if (old_u >= 0 && (old_u != u || old_r != r)) {
		snprintf(t->move_why, sizeof(t->move_why), "%s/%s -> %s/%s: %s",
			 ipsec_path_uname(t, old_u), ipsec_path_remote(t, old_r), ipsec_path_uname(t, u),
			 ipsec_path_remote(t, r), why);
		t->moves++;
		log_notice("ipsec: %s: moving %s", t->c.name, t->move_why);
		ipsec_tunnel_publish(t, view_state_names[t->h.state], view_state_names[t->h.state],
			t->move_why);
	} else {
		log_info("ipsec: %s: bringing the tunnel up on %s/%s: %s", t->c.name,
			 ipsec_path_uname(t, u), ipsec_path_remote(t, r), why);
	}
	t->cur_u = u;
	t->cur_r = r;
	snprintf(t->cur_local, sizeof(t->cur_local), "%s", local);
	ipsec_tunnel_load(t, local, ipsec_path_remote(t, r));
	/* an SA already up on that path (uplinkd restarted, reload, VICI reconnect):
	 * adopt it; initiating again would only add a duplicate CHILD_SA */
	for (i = 0; i < t->nlast; i++)
		if (ipsec_path_sa_ok(&t->last[i]) && sa_on(&t->last[i], local, ipsec_path_remote(t, r))) {
			log_info("ipsec: %s: adopting IKE_SA #%llu on %s/%s", t->c.name,
				 (unsigned long long)t->last[i].ike_uid, ipsec_path_uname(t, u),
				 ipsec_path_remote(t, r));
			t->connecting = false;
			if (!t->up_since_ns)
				t->up_since_ns = ipsec_now_ns(t->ip);
			return;
		}
	t->connecting = true;
	t->deadline_ns = ipsec_now_ns(t->ip) + (uint64_t)t->c.connect_timeout_s * NSEC_PER_SEC;
	t->mobike_wait = false;
	/* MOBIKE: the established IKE_SA follows the kernel's route to the peer
	 * (charon.prefer_best_path = yes); wait for it before re-initiating */
	if (t->c.steer == IPSEC_STEER_MOBIKE && old_u >= 0 && old_r == r) {
		char old_local[IPSEC_ADDR_MAX];

		if (ipsec_path_addr(t, old_u, old_local, sizeof(old_local)))
			for (i = 0; i < t->nlast; i++)
				if (ipsec_path_sa_ok(&t->last[i]) &&
				    sa_on(&t->last[i], old_local, ipsec_path_remote(t, r))) {
					t->mobike_wait = true;
					return;
				}
	}
	ipsec_tunnel_initiate(t);
}

static void terminate_others(struct tunnel *t, const struct ipsec_sa *keep)
{
	size_t i;

	for (i = 0; i < t->nlast; i++) {
		const struct ipsec_sa *s = &t->last[i];

		if (s->ike_uid == keep->ike_uid || sa_on(s, keep->local, keep->remote))
			continue;
		ipsec_tunnel_terminate(t, s->ike_uid, "the tunnel moved to another path");
	}
}

void ipsec_path_steer(struct tunnel *t)
{
	struct ipsec *ip = t->ip;
	uint64_t now = ipsec_now_ns(ip);
	const struct ipsec_sa *sa;
	char local[IPSEC_ADDR_MAX];
	int u, r;

	if (!ip->vici_up || !t->synced)
		return;
	sa = ipsec_path_cur_sa(t);
	if (t->connecting) {
		if (sa && ipsec_path_sa_ok(sa)) {
			t->connecting = false;
			t->up_since_ns = now;
			terminate_others(t, sa);
		} else if (now >= t->deadline_ns && t->mobike_wait) {
			log_info("ipsec: %s: charon did not move the IKE_SA with MOBIKE within %d s; re-initiating",
				 t->c.name, t->c.connect_timeout_s);
			t->mobike_wait = false;
			ipsec_tunnel_initiate(t);
			t->deadline_ns = now + (uint64_t)t->c.connect_timeout_s * NSEC_PER_SEC;
			return;
		} else if (now >= t->deadline_ns &&
			   now - ip->up_ns < 3ULL * t->c.connect_timeout_s * NSEC_PER_SEC) {
			/* charon just (re)started: its credentials may still be on their way
			 * (swanctl --load-creds); a failure now says nothing about the path */
			log_info("ipsec: %s: no IKE_SA yet on %s/%s, but charon only just came up; trying the same path again",
				 t->c.name, ipsec_path_uname(t, t->cur_u), ipsec_path_remote(t, t->cur_r));
			if (sa)
				ipsec_tunnel_terminate(t, sa->ike_uid, "charon just came up; retrying");
			ipsec_tunnel_initiate(t);
			t->deadline_ns = now + (uint64_t)t->c.connect_timeout_s * NSEC_PER_SEC;
			return;
		} else if (now >= t->deadline_ns) {
			char why[160];

			snprintf(why, sizeof(why), "no IKE_SA with %s via %s after %d s",
				 ipsec_path_remote(t, t->cur_r), ipsec_path_uname(t, t->cur_u),
				 t->c.connect_timeout_s);
			ipsec_path_hold(t, t->cur_u, t->cur_r, why);
			if (sa)
				ipsec_tunnel_terminate(t, sa->ike_uid, why);
			t->connecting = false;
			if (choose(t, &u, &r))
				switch_to(t, u, r, why);
			return;
		} else {
			return;
		}
	}
	if (sa && ipsec_path_sa_ok(sa)) {
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
			ipsec_path_hold(t, t->cur_u, -1, t->h.stall_reason);
		} else if (t->stall_streak == t->nupl) {
			/* it stalled on every uplink: the far end or the probe target is the
			 * problem, not a carrier; moving again would only flap */
			t->stall_streak++;
			log_warn("ipsec: %s: ESP stalls on every uplink; staying on %s (check the far end and probe.target %s)",
				 t->c.name, ipsec_path_uname(t, t->cur_u),
				 t->c.probe.target ? t->c.probe.target : "-");
			ipsec_tunnel_publish(t, view_state_names[t->h.state], view_state_names[t->h.state],
				"ESP stalls on every uplink: the far end or the probe target is the problem, not a carrier; not moving");
		}
	}
	if (!choose(t, &u, &r)) {
		if (t->cur_u < 0 || !t->loaded) {
			/* nothing eligible: use the first configured path that has an address */
			for (u = 0; (size_t)u < t->nupl; u++)
				if (ipsec_path_addr(t, u, local, sizeof(local)))
					break;
			if ((size_t)u < t->nupl && !(sa && ipsec_path_sa_ok(sa)))
				switch_to(t, u, 0, "no path is eligible; trying the first one");
		}
		return;
	}
	if (u != t->cur_u || r != t->cur_r) {
		struct view_uplink cv;
		bool have_cur = ipsec_path_view(t, t->cur_u, &cv);
		char why[200];

		if (t->cur_u >= 0 && t->bad_until[t->cur_u][t->cur_r] > now)
			snprintf(why, sizeof(why), "%s", t->bad_why[t->cur_u][t->cur_r]);
		else if (t->cur_u >= 0 && t->avoid[t->cur_u])
			snprintf(why, sizeof(why), "steered away from %s: %s",
				 ipsec_path_uname(t, t->cur_u), t->avoid_why);
		else if (t->cur_u < 0)
			snprintf(why, sizeof(why), "starting");
		else if (have_cur && cv.state != VIEW_UP)
			snprintf(why, sizeof(why), "%s %s: %.120s", ipsec_path_uname(t, t->cur_u),
				 view_state_name(cv.state), cv.reason ? cv.reason : "");
		else if (!have_cur || !cv.has_addr4)
			snprintf(why, sizeof(why), "%s has no IPv4 address", ipsec_path_uname(t, t->cur_u));
		else
			snprintf(why, sizeof(why), "%s/%s is preferred (default route, order, hold-down over)",
				 ipsec_path_uname(t, u), ipsec_path_remote(t, r));
		switch_to(t, u, r, why);
		return;
	}
	if (!ipsec_path_addr(t, u, local, sizeof(local)))
		return;
	if (strcmp(local, t->cur_local) != 0) {
		switch_to(t, u, r, "the uplink's address changed");
		return;
	}
	if (!t->loaded || !sa || (!ipsec_path_sa_ok(sa) && strcmp(sa->ike_state, "CONNECTING") != 0))
		switch_to(t, u, r, t->loaded ? "no IKE_SA on this path" : "(re)loading the connection");
}
