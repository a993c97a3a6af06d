// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: probe.c - the probe scheduler between the loop, probe plugins and health
 *
 * Owns struct probe_run: one running probe block of an uplink (its plugin
 * instance, its parsed targets and one timer per target). Each target's timer
 * starts at its uplink's random phase (see probe_phase()) and advances
 * by due += interval (never now + interval, which drifts as in dpinger); a
 * timer that fell more than an interval behind skips ahead instead of firing a
 * burst. At each tick health numbers the probe, the plugin sends it; replies
 * come back through probe_reply(). The uplink's expiry timer is kept armed at
 * health's earliest timeout.
 *
 * Calls health.c, the plugin's probe hooks, loop.c and the uplink's
 * health_changed callback.
 * Called by uplinks.c (start/stop) and by probe plugins
 * (probe_reply).
 */
#include "probe.h"
#include "daemon.h"
#include "health.h"
#include "log.h"
#include "plugin.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROBE_NOTE_MAX 96

struct probe_tick {
	struct loop_timer timer;
	struct probe_run *run;
	size_t idx; /* in the block (env) */
};

struct probe_run {
	struct uplink *u;
	const struct plugin *plugin;
	void *inst;
	struct probe_env env;
	struct probe_target *targets;
	struct probe_tick *ticks;
	size_t first; /* health index of targets[0] */
	uint64_t interval_ns;
	/* own copies: a soft reload replaces u->cfg while the block keeps running */
	char *uplink_name;
	char *ifname;
	char **names;
	char (*notes)[PROBE_NOTE_MAX]; /* per target: why it last failed (probe_fail); "": - */
};

static void health_notify(struct uplink *u, enum health_state old)
{
	if (u->health_changed)
		u->health_changed(u, old);
}

static uint64_t probe_clock(struct uplink *u)
{
	struct loop *l = &u->d->loop;

	return l->clock ? l->clock() : loop_clock_monotonic();
}

void probe_expiry_cb(struct loop_timer *t)
{
	struct uplink *u = container_of(t, struct uplink, expiry);
	enum health_state old = u->health.state;

	if (health_expire(&u->health, probe_clock(u)))
		health_notify(u, old);
	probe_expiry_arm(u);
}

void probe_expiry_arm(struct uplink *u)
{
	struct loop *l = &u->d->loop;
	uint64_t at = health_next_expiry(&u->health);

	if (!u->expiry.cb)
		u->expiry.cb = probe_expiry_cb;
	if (!at) {
		loop_timer_cancel(l, &u->expiry);
		return;
	}
	if (!loop_timer_pending(&u->expiry) || u->expiry.due_ns != at)
		loop_timer_set(l, &u->expiry, at);
}

void probe_reply(struct probe_env *env, size_t idx, uint32_t seq, uint64_t rx_ns)
{
	struct probe_run *r = env->core;
	struct uplink *u = r->u;
	enum health_state old = u->health.state;

	if (idx >= env->ntargets)
		return;
	r->notes[idx][0] = '\0';
	if (health_answered(&u->health, r->first + idx, seq, rx_ns))
		health_notify(u, old);
	probe_expiry_arm(u);
}

void probe_fail(struct probe_env *env, size_t idx, uint32_t seq, const char *why)
{
	struct probe_run *r = env->core;
	struct uplink *u = r->u;
	enum health_state old = u->health.state;

	if (idx >= env->ntargets)
		return;
	snprintf(r->notes[idx], sizeof(r->notes[idx]), "%s", why ? why : "failed");
	if (health_send_failed(&u->health, r->first + idx, seq, probe_clock(u)))
		health_notify(u, old);
	probe_expiry_arm(u);
}

const char *probe_target_note(const struct uplink *u, size_t health_idx)
{
	size_t i;

	for (i = 0; i < u->nprobes; i++) {
		const struct probe_run *r = u->probes[i];

		if (r && health_idx >= r->first && health_idx < r->first + r->env.ntargets)
			return r->notes[health_idx - r->first][0] ?
				       r->notes[health_idx - r->first] : NULL;
	}
	return NULL;
}

/* A gateway target follows the uplink's gateway (configured or learned). */
static int target_resolve(struct probe_run *r, struct probe_target *t)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&t->addr;

	if (!t->gateway)
		return 0;
	if (!uplink_gateway4(r->u, &a4->sin_addr))
		return -EHOSTUNREACH; /* none known yet (DHCP) */
	a4->sin_family = AF_INET;
	return 0;
}

static void probe_tick_cb(struct loop_timer *t)
{
	struct probe_tick *k = container_of(t, struct probe_tick, timer);
	struct probe_run *r = k->run;
	struct uplink *u = r->u;
	struct loop *l = &u->d->loop;
	enum health_state old = u->health.state;
	uint64_t now = probe_clock(u), next = t->due_ns + r->interval_ns;
	size_t hidx = r->first + k->idx;
	bool changed = false;
	uint32_t seq;
	int err;

	if (next <= loop_now(l)) /* fell behind (a stopped VM, a long callback): skip ahead */
		next += ((loop_now(l) - next) / r->interval_ns + 1) * r->interval_ns;
	loop_timer_set(l, t, next);

	seq = health_sent(&u->health, hidx, now);
	err = target_resolve(r, &r->targets[k->idx]);
	if (!err)
		err = r->plugin->probe_send(r->inst, k->idx, seq);
	if (err < 0) {
		log_dbg(LOG_PROBE, "%s: %s probe %u to %s not sent: %s", r->uplink_name,
			r->plugin->name, seq, r->targets[k->idx].name, strerror(-err));
		changed = health_send_failed(&u->health, hidx, seq, now);
	}
	probe_expiry_arm(u);
	if (changed)
		health_notify(u, old);
}

static int target_parse(struct probe_target *t, const char *name)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&t->addr;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&t->addr;

	memset(&t->addr, 0, sizeof(t->addr));
	t->name = name;
	if (inet_pton(AF_INET, name, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		t->family = AF_INET;
		t->addrlen = sizeof(*a4);
		return 0;
	}
	if (inet_pton(AF_INET6, name, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		t->family = AF_INET6;
		t->addrlen = sizeof(*a6);
		return 0;
	}
	return -EINVAL;
}

static void probe_run_free(struct probe_run *r)
{
	size_t i;

	if (r->names)
		for (i = 0; i < r->env.ntargets; i++)
			free(r->names[i]);
	free(r->names);
	free(r->notes);
	free(r->targets);
	free(r->ticks);
	free(r->uplink_name);
	free(r->ifname);
	free(r);
}

/*
 * One random phase per uplink (BIRD's randomize: uplinks and daemons do not
 * synchronise), its targets 1 ms apart within it: round n is sent as one burst
 * and can be judged one timeout later, rather than one timeout after the
 * latest of n randomly spread probes.
 */
static uint64_t probe_phase(struct uplink *u, size_t target, uint64_t interval_ns)
{
	uint64_t step = NSEC_PER_MSEC;

	if (!u->probe_phase_ns)
		u->probe_phase_ns = 1 + loop_random(interval_ns);
	if (step * (target + 1) > interval_ns / 4)
		step = interval_ns / 4 / (target + 1);
	return (u->probe_phase_ns + step * target) % interval_ns;
}

struct probe_run *probe_run_start(struct uplink *u, const struct cfg_probe *cfg,
				  size_t first_target)
{
	struct loop *l = &u->d->loop;
	size_t i, n = cfg_probe_ntargets(cfg);
	struct probe_run *r;

	if (!cfg->plugin || cfg->plugin->kind != PLUGIN_PROBE || !cfg->plugin->probe_create ||
	    !cfg->plugin->probe_send) {
		log_err("%s: probe method \"%s\" is not compiled in", u->cfg.name, cfg->method);
		return NULL;
	}
	if (first_target + n > u->health.ntargets) {
		log_err("%s: %s probes: targets %zu..%zu outside the uplink's %zu", u->cfg.name,
			cfg->method, first_target, first_target + n, u->health.ntargets);
		return NULL;
	}
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	r->u = u;
	r->plugin = cfg->plugin;
	r->first = first_target;
	r->interval_ns = (uint64_t)(cfg->interval_ms > 0 ? cfg->interval_ms : 1000) * NSEC_PER_MSEC;
	r->uplink_name = strdup(u->cfg.name);
	r->ifname = strdup(u->cfg.interface);
	r->names = calloc(n ? n : 1, sizeof(*r->names));
	r->targets = calloc(n ? n : 1, sizeof(*r->targets));
	r->ticks = calloc(n ? n : 1, sizeof(*r->ticks));
	r->notes = calloc(n ? n : 1, sizeof(*r->notes));
	r->env.ntargets = n;
	if (!r->uplink_name || !r->ifname || !r->names || !r->targets || !r->ticks || !r->notes)
		goto err;
	for (i = 0; i < n; i++) {
		r->names[i] = strdup(cfg_probe_target(cfg, i));
		if (!r->names[i])
			goto err;
		if (!cfg->targets.n) { /* the method's default: the gateway, at each send */
			r->targets[i].name = r->names[i];
			r->targets[i].family = AF_INET;
			r->targets[i].addrlen = sizeof(struct sockaddr_in);
			r->targets[i].addr.ss_family = AF_INET;
			r->targets[i].gateway = true;
		} else if (target_parse(&r->targets[i], r->names[i]) < 0) {
			log_err("%s: %s probe target \"%s\" is not an IPv4 or IPv6 address",
				u->cfg.name, cfg->method, r->names[i]);
			goto err;
		}
		r->targets[i].health_idx = first_target + i;
	}

	r->env.loop = l;
	r->env.uplink = r->uplink_name;
	r->env.ifname = r->ifname;
	r->env.mark = u->mark;
	r->env.timeout_ms = cfg->timeout_ms;
	r->env.targets = r->targets;
	r->env.core = r;
	r->inst = r->plugin->probe_create(&r->env, cfg->pconf);
	if (!r->inst) {
		if (u->probes_ifindex) /* else the interface is gone: uplink.c says so */
			log_err("%s: cannot start %s probes on %s", u->cfg.name, cfg->method,
				r->ifname);
		goto err;
	}

	if (!u->expiry.cb)
		u->expiry.cb = probe_expiry_cb;
	for (i = 0; i < n; i++) {
		r->ticks[i].run = r;
		r->ticks[i].idx = i;
		loop_timer_init(&r->ticks[i].timer, probe_tick_cb);
		loop_timer_set(l, &r->ticks[i].timer, loop_now(l) + probe_phase(u, first_target + i,
									     r->interval_ns));
	}
	log_dbg(LOG_PROBE, "%s: %s probes to %zu target%s every %llu ms", u->cfg.name,
		cfg->method, n, n == 1 ? "" : "s",
		(unsigned long long)(r->interval_ns / NSEC_PER_MSEC));
	return r;

err:
	probe_run_free(r);
	return NULL;
}

void probe_run_stop(struct probe_run *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->env.ntargets; i++)
		loop_timer_cancel(&r->u->d->loop, &r->ticks[i].timer);
	if (r->inst && r->plugin->destroy)
		r->plugin->destroy(r->inst);
	probe_run_free(r);
}
