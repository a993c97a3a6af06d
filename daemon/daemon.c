// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: daemon.c - bring-up, reload and tear-down of the whole daemon
 *
 * Owns the order in which modules start and stop, the monitor plugin
 * instances, and reload: the new file is validated completely first; only a
 * valid configuration is applied (uplinks diffed by name, monitors
 * reconfigured), otherwise the old one keeps running and the errors are logged
 * and published. Called by main.c and command_run.c (reload, monitor actions).
 */
#include "daemon.h"
#include "control.h"
#include "ct.h"
#include "hook.h"
#include "journal.h"
#include "link.h"
#include "log.h"
#include "nft.h"
#include "plugin.h"
#include "policy.h"
#include "route.h"
#include "sdnotify.h"
#include "route_prefix.h"
#include "rtnl.h"
#include "uplink.h"
#include "uplinks.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- monitor plugins (ipsec, bgp, web) ---- */

static struct monitor_inst *monitor_find(struct daemon *d, const struct plugin *p)
{
	size_t i;

	for (i = 0; i < d->nmonitors; i++)
		if (d->monitors[i].plugin == p)
			return &d->monitors[i];
	return NULL;
}

#define MONITOR_RETRY_NS (5 * NSEC_PER_SEC)

/* A monitor that could not start (a port in use, a socket missing) is tried
 * again every 5 s, like keepalived's checkers, instead of staying off until
 * the next reload. */
static void monitors_retry(struct loop_timer *t)
{
	struct daemon *d = container_of(t, struct daemon, monitor_retry);
	bool missing = false;
	size_t i;

	for (i = 0; i < d->nmonitors; i++) {
		struct monitor_inst *m = &d->monitors[i];
		const void *conf;

		if (m->inst)
			continue;
		conf = config_section(d->cfg, m->plugin->name);
		if (conf)
			m->inst = m->plugin->create(d, conf);
		if (m->inst)
			log_notice("%s: started on retry", m->plugin->name);
		else
			missing = true;
	}
	if (missing)
		loop_timer_set_in(&d->loop, &d->monitor_retry, MONITOR_RETRY_NS);
}

static void monitors_apply(struct daemon *d, const struct config *cfg)
{
	bool missing = false;

	struct monitor_inst *m;
	size_t i, j;

	/* stop monitors whose section is gone */
	for (i = 0; i < d->nmonitors;) {
		m = &d->monitors[i];
		if (config_section(cfg, m->plugin->name)) {
			i++;
			continue;
		}
		log_notice("%s: section removed; stopping", m->plugin->name);
		if (m->inst)
			m->plugin->destroy(m->inst);
		d->monitors[i] = d->monitors[--d->nmonitors];
	}
	for (j = 0; j < cfg->nsections; j++) {
		const struct cfg_section *s = &cfg->sections[j];

		m = monitor_find(d, s->plugin);
		if (m && m->inst && s->plugin->reconfigure &&
		    s->plugin->reconfigure(m->inst, s->conf) == 0)
			continue;
		if (m) {
			if (m->inst)
				m->plugin->destroy(m->inst);
			m->inst = s->plugin->create(d, s->conf);
		} else {
			struct monitor_inst *v = realloc(d->monitors,
							 (d->nmonitors + 1) * sizeof(*v));

			if (!v)
				continue;
			d->monitors = v;
			m = &d->monitors[d->nmonitors++];
			m->plugin = s->plugin;
			m->inst = s->plugin->create(d, s->conf);
		}
		if (!m->inst) {
			log_err("%s: could not start; see the messages above; retrying every 5 s",
				s->plugin->name);
			missing = true;
		}
	}
	if (missing)
		loop_timer_set_in(&d->loop, &d->monitor_retry, MONITOR_RETRY_NS);
	else
		loop_timer_cancel(&d->loop, &d->monitor_retry);
}

int daemon_monitor_action(struct daemon *d, const char *section, const char *verb,
			  const char *arg, const char *who, char *msg, size_t msglen)
{
	size_t i;

	for (i = 0; i < d->nmonitors; i++) {
		const struct plugin *p = d->monitors[i].plugin;

		if (strcmp(p->name, section) != 0)
			continue;
		if (!d->monitors[i].inst || !p->action) {
			snprintf(msg, msglen, "the %s monitor is not running or takes no actions",
				 section);
			return -ENOTSUP;
		}
		return p->action(d->monitors[i].inst, verb, arg, who, msg, msglen);
	}
	snprintf(msg, msglen, "no %s section in the configuration; nothing to %s", section, verb);
	return -ENOENT;
}

void daemon_monitors_status(struct daemon *d, struct json_object *st)
{
	size_t i;

	for (i = 0; i < d->nmonitors; i++)
		if (d->monitors[i].inst && d->monitors[i].plugin->status)
			d->monitors[i].plugin->status(d->monitors[i].inst, st);
}

static void monitors_destroy(struct daemon *d)
{
	size_t i;

	loop_timer_cancel(&d->loop, &d->monitor_retry);
	for (i = 0; i < d->nmonitors; i++)
		if (d->monitors[i].inst)
			d->monitors[i].plugin->destroy(d->monitors[i].inst);
	free(d->monitors);
	d->monitors = NULL;
	d->nmonitors = 0;
}

/* ---- reload ---- */

static char *diag_join(const struct cfg_diag *diag)
{
	size_t i, len = 1;
	char *s, *p;

	for (i = 0; i < diag->n; i++)
		len += strlen(diag->msgs[i]) + 1;
	s = malloc(len);
	if (!s)
		return NULL;
	p = s;
	for (i = 0; i < diag->n; i++)
		p += sprintf(p, "%s%s", diag->msgs[i], i + 1 < diag->n ? "\n" : "");
	*p = '\0';
	return s;
}

int daemon_reload(struct daemon *d, char **errs)
{
	struct cfg_diag diag = { 0 };
	struct config *cfg, *old;
	char reason[256];
	size_t i;

	if (errs)
		*errs = NULL;
	cfg = config_load(d->cfg_path, &diag);
	if (!cfg) {
		for (i = 0; i < diag.n; i++)
			log_err("%s", diag.msgs[i]);
		snprintf(reason, sizeof(reason), "%zu error%s; still running the previous configuration; first: %s",
			 diag.n, diag.n == 1 ? "" : "s", diag.n ? diag.msgs[0] : "?");
		bus_publish(&d->bus, &(struct bus_event){ .type = BUS_CONFIG, .object = d->cfg_path,
							  .new_state = "refused", .reason = reason });
		if (errs)
			*errs = diag_join(&diag);
		cfg_diag_free(&diag);
		return -EINVAL;
	}
	if (strcmp(cfg->control_socket, d->cfg->control_socket) ||
	    strcmp(cfg->state_dir, d->cfg->state_dir))
		log_warn("%s: control.socket and state_dir take effect at the next restart",
			 d->cfg_path);
	old = d->cfg;
	d->cfg = cfg;
	uplinks_apply(d, cfg);
	monitors_apply(d, cfg);
	config_free(old);
	log_notice("%s: configuration reloaded", d->cfg_path);
	/* warnings (an interface missing now) do not refuse it, but are said */
	config_check_interfaces(cfg, &diag);
	for (i = 0; i < diag.n; i++)
		log_warn("%s", diag.msgs[i]);
	snprintf(reason, sizeof(reason), "configuration reloaded%s%s", diag.n ? "; warning: " : "",
		 diag.n ? diag.msgs[0] : "");
	cfg_diag_free(&diag);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_CONFIG, .object = d->cfg_path,
						  .new_state = "loaded", .reason = reason });
	return 0;
}

/* ---- bring-up and tear-down ---- */

int daemon_start(struct daemon *d, struct config *cfg)
{
	int err;

	d->cfg = cfg;
	d->started_ms = loop_clock_realtime_ms();
	list_init(&d->uplinks);
	bus_init(&d->bus);
	loop_timer_init(&d->monitor_retry, monitors_retry);

	/* the control socket before anything else: a second uplinkd on this router stops
	 * here ("another uplinkd answers there"), before it touches the journal, the hooks,
	 * the rules or the tables of the first; requests wait until the loop runs */
	if ((err = control_init(d)) < 0)
		return err;
	/* then the journal, so that every later event is kept */
	if ((err = journal_init(d)) == -EPERM)
		return err; /* a state_dir others may write: said why and what to do */
	if (err < 0)
		log_warn("journal: not kept (%s); events still go to the log", strerror(-err));
	if ((err = hooks_init(d)) < 0)
		log_warn("hooks: disabled (%s)", strerror(-err));
	if ((err = nl_init(d)) < 0) {
		log_err("netlink: cannot open rtnetlink sockets: %s", strerror(-err));
		return err;
	}
	if ((err = uplinks_apply(d, cfg)) < 0)
		return err;
	if ((err = link_init(d, uplink_link_changed)) < 0) {
		log_err("link: cannot read the interfaces: %s", strerror(-err));
		return err;
	}
	if ((err = route_init(d)) < 0) {
		log_err("route: cannot read the routing tables: %s", strerror(-err));
		return err;
	}
	if ((err = route_prefix_init(d)) < 0)
		return err;
	if ((err = ct_init(d)) < 0)
		log_warn("conntrack: flushing disabled (%s)", strerror(-err));
	if ((err = nft_init(d)) < 0)
		log_warn("nft: balance mode cannot mark connections (%s)", strerror(-err));
	if ((err = policy_init(d)) < 0)
		return err;
	monitors_apply(d, cfg);
	policy_run(d);
	bus_publish(&d->bus, &(struct bus_event){ .type = BUS_CONFIG, .object = d->cfg_path,
						  .new_state = "loaded", .reason = "uplinkd started" });
	sdnotify_init(d); /* READY=1 once the first verdicts are in */
	return 0;
}

void daemon_stop(struct daemon *d, bool clean_exit)
{
	sdnotify_destroy(d);
	monitors_destroy(d);
	control_destroy(d);
	policy_destroy(d);
	ct_destroy(d);
	nft_destroy(d);
	route_prefix_destroy(d);
	if (d->route)
		route_destroy(d, clean_exit);
	link_destroy(d);
	uplinks_destroy(d);
	nl_destroy(d);
	hooks_destroy(d);
	journal_destroy(d);
	config_free(d->cfg);
	d->cfg = NULL;
}
