// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: policy_flow.c - balance mode and per-flow rules: decide, then reconcile
 *
 * Owns struct policy_flow (d->flow): the last plan (shares, each rule's
 * choice and reason, kept by rule name for hysteresis across reloads), the
 * table last installed (to write nothing when nothing changed), the last
 * error and a timer that re-runs the policy for SLA rules and after a refused
 * table. Connection counts come from ct.c, counted in the background and at
 * most FLOW_COUNT_MS old when asked again. policy_flow_run() is the flow half
 * of a policy run: balance.c chooses, expand() turns configured rules into
 * nft rules, nft.c applies.
 * Calls balance.c, nft.c, ct.c (counts), uplink.c/health.c (reads), the bus,
 * and the policy through the rerun callback it was given (no include: no
 * cycle). Called by policy.c (init, destroy, every run) and status.c.
 */
#include "policy_flow.h"
#include "balance.h"
#include "bus.h"
#include "ct.h"
#include "daemon.h"
#include "log.h"
#include "nft.h"
#include "uplink.h"

#include <errno.h>
#include <json-c/json.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define FLOW_REJUDGE_NS (2ULL * NSEC_PER_SEC) /* SLA rules follow the measurements */
#define FLOW_COUNT_MS 2000		       /* connection counts recounted after this */

struct flow_rule_state {
	char name[32];
	char uplink[32];	/* "" : none or spread */
	char action[16];
	char reason[224];
	unsigned share[BALANCE_MAX];
	bool spread;
};

struct policy_flow {
	struct daemon *d;
	void (*rerun)(struct daemon *d); /* policy.c's policy_schedule */
	struct loop_timer rejudge;
	bool installed;
	bool balancing;			/* default spread by shares */
	unsigned share[BALANCE_MAX];	/* by uplink position */
	char share_reason[224];
	struct flow_rule_state *rules;
	size_t nrules;
	/* the table as last applied, to skip identical batches */
	struct nft_map *maps;
	size_t nmaps;
	struct nft_rule *nrs;
	size_t nnrs;
	char ifnames[NFT_MAX_IFS][16];
	size_t nifs;
	char error[384];
	uint64_t applies;
	/* connection counts by uplink position */
	uint64_t counts[BALANCE_MAX];
	long counts_total; /* < 0: not counted yet */
};

/* ---- gathering ---- */

static size_t gather(struct daemon *d, struct uplink **ups, struct balance_cand *c)
{
	struct uplink *u;
	size_t n = 0;

	list_for_each_entry(u, &d->uplinks, node) {
		struct health_metrics m;

		if (n == BALANCE_MAX)
			break;
		health_metrics(&u->health, &m);
		ups[n] = u;
		c[n] = (struct balance_cand){
			.name = u->cfg.name,
			.state = u->health.state,
			.usable = (uplink_routable(u, AF_INET) || uplink_routable(u, AF_INET6)) &&
				  (u->health.settled || u->active),
			.weight = u->cfg.weight,
			.rtt_ms = m.rtt_ms,
			.jitter_ms = m.rtt_ms < 0 ? -1 : m.jitter_ms,
			.loss_pct = m.rtt_ms < 0 && m.loss_pct <= 0 ? -1 : m.loss_pct,
		};
		n++;
	}
	return n;
}

static const struct flow_rule_state *prev_state(const struct policy_flow *f, const char *name)
{
	size_t i;

	for (i = 0; i < f->nrules; i++)
		if (!strcmp(f->rules[i].name, name))
			return &f->rules[i];
	return NULL;
}

static int find_cand(const struct balance_cand *c, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(c[i].name, name))
			return (int)i;
	return -1;
}

/* ---- building the table ---- */

static unsigned gcd(unsigned a, unsigned b)
{
	while (b) {
		unsigned t = a % b;

		a = b;
		b = t;
	}
	return a;
}

/* Percent shares as slots of the random spread, reduced: 75/25 is 3 slots and 1. A
 * small map is a small batch (bench: 100 slots per map made a 100-rule table 46 ms). */
static void map_fill(struct nft_map *m, const char *name, const unsigned *share,
		     struct uplink *const *ups, size_t n)
{
	unsigned j, g = 0;
	size_t i, k = 0;

	snprintf(m->name, sizeof(m->name), "%s", name);
	for (i = 0; i < n; i++)
		g = gcd(share[i], g);
	for (i = 0; i < n && g; i++)
		for (j = 0; j < share[i] / g && k < NFT_SLOTS; j++)
			m->slot[k++] = ups[i]->mark;
	m->nslots = k;
}

static int proto_num(int proto)
{
	switch (proto) {
	case RULE_PROTO_TCP:
		return IPPROTO_TCP;
	case RULE_PROTO_UDP:
		return IPPROTO_UDP;
	case RULE_PROTO_ICMP:
		return IPPROTO_ICMP;
	case RULE_PROTO_ICMPV6:
		return IPPROTO_ICMPV6;
	}
	return 0;
}

static bool push_rule(struct nft_rule **v, size_t *n, size_t *cap, const struct nft_rule *r)
{
	if (*n == *cap) {
		size_t nc = *cap ? *cap * 2 : 16;
		struct nft_rule *nv = realloc(*v, nc * sizeof(*nv));

		if (!nv)
			return false;
		*v = nv;
		*cap = nc;
	}
	(*v)[(*n)++] = *r;
	return true;
}

/* One configured rule -> nft rules: src x dst x sport x dport (x family for DSCP). */
static bool expand(const struct cfg_rule *cr, int origin, const struct nft_target *t,
		   struct nft_rule **v, size_t *n, size_t *cap)
{
	size_t ns = cr->src.n ? cr->src.n : 1, nd = cr->dst.n ? cr->dst.n : 1;
	size_t nsp = cr->sport.n ? cr->sport.n : 1, ndp = cr->dport.n ? cr->dport.n : 1;
	size_t a, b, p, q;
	int fam;

	for (a = 0; a < ns; a++)
	for (b = 0; b < nd; b++)
	for (p = 0; p < nsp; p++)
	for (q = 0; q < ndp; q++) {
		struct nft_rule r = { .t = *t, .origin = origin, .what = cr->name };
		int f;

		r.m.dscp = cr->dscp;
		r.m.l4proto = (uint8_t)proto_num(cr->proto);
		if (cr->proto == RULE_PROTO_ICMP)
			r.m.family = AF_INET;
		if (cr->proto == RULE_PROTO_ICMPV6)
			r.m.family = AF_INET6;
		if (cr->src.n) {
			if (config_prefix_parse(cr->src.v[a], &f, r.m.src.addr, &r.m.src.len) < 0)
				continue;
			r.m.src.family = (uint8_t)f;
			r.m.has_src = true;
			if (r.m.family && r.m.family != f)
				continue;
			r.m.family = (uint8_t)f;
		}
		if (cr->dst.n) {
			if (config_prefix_parse(cr->dst.v[b], &f, r.m.dst.addr, &r.m.dst.len) < 0)
				continue;
			r.m.dst.family = (uint8_t)f;
			r.m.has_dst = true;
			if (r.m.family && r.m.family != f)
				continue;
			r.m.family = (uint8_t)f;
		}
		if (cr->sport.n)
			r.m.sport = (uint16_t)((uint32_t *)cr->sport.v)[p];
		if (cr->dport.n)
			r.m.dport = (uint16_t)((uint32_t *)cr->dport.v)[q];
		if (r.m.family || r.m.dscp < 0) {
			if (!push_rule(v, n, cap, &r))
				return false;
			continue;
		}
		for (fam = 0; fam < 2; fam++) { /* DSCP sits in different places in v4 and v6 */
			r.m.family = fam ? AF_INET6 : AF_INET;
			if (!push_rule(v, n, cap, &r))
				return false;
		}
	}
	return true;
}

static bool same_table(const struct policy_flow *f, const struct nft_spec *s)
{
	size_t i;

	if (!f->installed || s->nmaps != f->nmaps || s->nrules != f->nnrs || s->nifs != f->nifs)
		return false;
	for (i = 0; i < s->nifs; i++)
		if (strcmp(s->ifnames[i], f->ifnames[i]))
			return false;
	for (i = 0; i < s->nmaps; i++)
		if (strcmp(s->maps[i].name, f->maps[i].name) ||
		    s->maps[i].nslots != f->maps[i].nslots ||
		    memcmp(s->maps[i].slot, f->maps[i].slot, s->maps[i].nslots * sizeof(uint32_t)))
			return false;
	for (i = 0; i < s->nrules; i++)
		if (memcmp(&s->rules[i].m, &f->nrs[i].m, sizeof(s->rules[i].m)) ||
		    memcmp(&s->rules[i].t, &f->nrs[i].t, sizeof(s->rules[i].t)))
			return false;
	return true;
}

/* Keep what was applied (maps and rules move in; names are copied). */
static void remember(struct policy_flow *f, struct nft_spec *s)
{
	size_t i;

	free(f->maps);
	free(f->nrs);
	f->maps = s->maps;
	f->nmaps = s->nmaps;
	f->nrs = s->rules;
	f->nnrs = s->nrules;
	for (i = 0; i < f->nnrs; i++)
		f->nrs[i].what = NULL; /* points into the config, which reload frees */
	for (i = 0; i < s->nifs; i++)
		snprintf(f->ifnames[i], sizeof(f->ifnames[i]), "%s", s->ifnames[i]);
	f->nifs = s->nifs;
	s->maps = NULL;
	s->rules = NULL;
	f->installed = true;
}

static void report(struct daemon *d, int type, const char *reason)
{
	bus_publish(&d->bus, &(struct bus_event){ .type = type, .object = "nft " NFT_TABLE,
						  .new_state = type == BUS_ERROR ? NULL : "applied",
						  .reason = reason });
}

/* ---- the run ---- */

static void flow_remove(struct daemon *d, struct policy_flow *f)
{
	char err[320];

	f->balancing = false;
	memset(f->share, 0, sizeof(f->share));
	if (!f->installed)
		return;
	if (nft_remove(d, err, sizeof(err)) < 0) {
		log_err("policy: %s", err);
		return;
	}
	f->installed = false;
	log_notice("policy: table inet %s removed (failover mode, no rules)", NFT_TABLE);
}

void policy_flow_run(struct daemon *d)
{
	struct policy_flow *f = d->flow;
	const struct config *cfg = d->cfg;
	struct uplink *ups[BALANCE_MAX];
	struct balance_cand c[BALANCE_MAX];
	struct flow_rule_state *st = NULL;
	struct nft_spec s = { 0 };
	size_t n, i, cap = 0, nr;
	bool balance, sla = false;
	char err[384];

	if (!f || !cfg)
		return;
	balance = cfg->policy.mode == POLICY_BALANCE;
	nr = cfg->policy.rules.n;
	if (!balance && !nr) {
		flow_remove(d, f);
		return;
	}
	n = gather(d, ups, c);
	s.maps = calloc(1 + nr, sizeof(*s.maps));
	st = calloc(nr ? nr : 1, sizeof(*st));
	if (!s.maps || !st)
		goto oom;
	for (i = 0; i < n && s.nifs < NFT_MAX_IFS; i++)
		s.ifnames[s.nifs++] = ups[i]->cfg.interface;

	/* the default spread */
	if (balance) {
		balance_shares(c, n, NULL, f->share, f->share_reason, sizeof(f->share_reason));
	} else {
		memset(f->share, 0, sizeof(f->share));
		snprintf(f->share_reason, sizeof(f->share_reason),
			 "failover mode: connections no rule matches follow the default route");
	}
	f->balancing = balance;
	map_fill(&s.maps[0], "shares", f->share, ups, n);
	s.nmaps = 1;

	/* the rules, first match wins */
	for (i = 0; i < nr; i++) {
		const struct cfg_rule *cr = (const struct cfg_rule *)cfg->policy.rules.v + i;
		const struct flow_rule_state *ps = prev_state(f, cr->name);
		struct balance_choice ch;
		struct nft_target t = { .map = -1 };
		int prev = ps && ps->uplink[0] ? find_cand(c, n, ps->uplink) : -1;

		balance_rule_choose(cr, c, n, prev, &ch);
		snprintf(st[i].name, sizeof(st[i].name), "%s", cr->name);
		snprintf(st[i].action, sizeof(st[i].action), "%s", rule_action_names[cr->action]);
		snprintf(st[i].reason, sizeof(st[i].reason), "%s", ch.reason);
		sla |= cr->action >= RULE_LOWEST_RTT;
		if (ch.uplink >= 0) {
			snprintf(st[i].uplink, sizeof(st[i].uplink), "%s", c[ch.uplink].name);
			t.mark = ups[ch.uplink]->mark;
		} else if (ch.spread) {
			st[i].spread = true;
			memcpy(st[i].share, ch.share, sizeof(st[i].share));
			t.map = (int)s.nmaps;
			map_fill(&s.maps[s.nmaps], "", ch.share, ups, n);
			snprintf(s.maps[s.nmaps].name, sizeof(s.maps[0].name), "rule_%u", (unsigned)(i % 1000));
			s.nmaps++;
		}
		if (ps && strcmp(ps->uplink, st[i].uplink))
			log_notice("policy: rule %s: %s -> %s: %s", cr->name,
				   ps->uplink[0] ? ps->uplink : "none",
				   st[i].uplink[0] ? st[i].uplink : st[i].spread ? "spread" : "none",
				   st[i].reason);
		if (!expand(cr, (int)i, &t, &s.rules, &s.nrules, &cap))
			goto oom;
	}
	free(f->rules);
	f->rules = st;
	f->nrules = nr;
	st = NULL;
	if (sla)
		loop_timer_set_in(&d->loop, &f->rejudge, FLOW_REJUDGE_NS);
	else
		loop_timer_cancel(&d->loop, &f->rejudge);

	if (same_table(f, &s))
		goto out;
	if (nft_apply(d, &s, err, sizeof(err)) < 0) {
		/* the kernel may accept it later (a table someone else owns goes away) */
		loop_timer_set_in(&d->loop, &f->rejudge, FLOW_REJUDGE_NS);
		if (strcmp(err, f->error)) {
			snprintf(f->error, sizeof(f->error), "%s", err);
			log_err("policy: %s", err);
			report(d, BUS_ERROR, err);
		}
		goto out;
	}
	f->error[0] = '\0';
	f->applies++;
	log_notice("policy: table inet %s applied in %llu us: new connections %s; %zu nft rule%s",
		   NFT_TABLE, (unsigned long long)nft_last_apply_us(d), f->share_reason, s.nrules,
		   s.nrules == 1 ? "" : "s");
	snprintf(err, sizeof(err), "new connections: %s", f->share_reason);
	report(d, BUS_ACTION, err);
	remember(f, &s);
out:
	free(s.maps);
	free(s.rules);
	free(st);
	return;
oom:
	log_err("policy: out of memory building table inet %s; the old one stays", NFT_TABLE);
	goto out;
}

bool policy_flow_shares(const struct daemon *d, unsigned *share, size_t n)
{
	const struct policy_flow *f = d->flow;
	size_t i;

	for (i = 0; i < n; i++)
		share[i] = f && i < BALANCE_MAX ? f->share[i] : 0;
	return f && f->balancing;
}

/* ---- status ---- */

/* The last finished count; a new one starts in the background when it is old. */
static void counts_refresh(struct daemon *d, struct policy_flow *f)
{
	uint32_t marks[BALANCE_MAX];
	uint64_t now = loop_clock_realtime_ms(), when = 0;
	struct uplink *u;
	size_t n = 0;

	f->counts_total = ct_mark_counts(d, f->counts, BALANCE_MAX, &when) < 0 ? -1 : 0;
	if (when && now - when < FLOW_COUNT_MS)
		return;
	list_for_each_entry(u, &d->uplinks, node) {
		if (n == BALANCE_MAX)
			break;
		marks[n++] = u->mark;
	}
	ct_count_marks_start(d, marks, n); /* -EALREADY: one is under way */
}

void policy_flow_status(struct daemon *d, struct json_object *st)
{
	struct policy_flow *f = d->flow;
	struct json_object *ups, *rules, *pol;
	size_t i, k;

	if (!f || !json_object_object_get_ex(st, "uplinks", &ups))
		return;
	if (f->installed)
		counts_refresh(d, f);
	for (i = 0; i < json_object_array_length(ups) && i < BALANCE_MAX; i++) {
		struct json_object *o = json_object_array_get_idx(ups, i);

		json_object_object_add(o, "share_pct", f->balancing ?
				       json_object_new_int((int)f->share[i]) : NULL);
		json_object_object_add(o, "connections", f->installed && f->counts_total >= 0 ?
				       json_object_new_int64((int64_t)f->counts[i]) : NULL);
	}
	rules = json_object_new_array();
	for (i = 0; i < f->nrules; i++) {
		struct json_object *r = json_object_new_object(), *sh;

		json_object_object_add(r, "name", json_object_new_string(f->rules[i].name));
		json_object_object_add(r, "action", json_object_new_string(f->rules[i].action));
		json_object_object_add(r, "uplink", f->rules[i].uplink[0] ?
				       json_object_new_string(f->rules[i].uplink) : NULL);
		if (f->rules[i].spread) {
			sh = json_object_new_object();
			for (k = 0; k < json_object_array_length(ups) && k < BALANCE_MAX; k++) {
				struct json_object *name;

				if (f->rules[i].share[k] &&
				    json_object_object_get_ex(json_object_array_get_idx(ups, k),
							      "name", &name))
					json_object_object_add(sh, json_object_get_string(name),
							       json_object_new_int((int)f->rules[i].share[k]));
			}
			json_object_object_add(r, "shares", sh);
		}
		json_object_object_add(r, "reason", json_object_new_string(f->rules[i].reason));
		json_object_array_add(rules, r);
	}
	json_object_object_add(st, "rules", rules);
	if (json_object_object_get_ex(st, "policy", &pol)) {
		json_object_object_add(pol, "balance", f->balancing ?
				       json_object_new_string(f->share_reason) : NULL);
		json_object_object_add(pol, "nft_error", f->error[0] ?
				       json_object_new_string(f->error) : NULL);
		json_object_object_add(pol, "nft_applies", json_object_new_int64((int64_t)f->applies));
		json_object_object_add(pol, "nft_apply_us",
				       json_object_new_int64((int64_t)nft_last_apply_us(d)));
	}
}

/* ---- life ---- */

static void rejudge_cb(struct loop_timer *t)
{
	struct policy_flow *f = container_of(t, struct policy_flow, rejudge);

	f->rerun(f->d);
}

int policy_flow_init(struct daemon *d, void (*rerun)(struct daemon *d))
{
	struct policy_flow *f = calloc(1, sizeof(*f));

	if (!f)
		return -ENOMEM;
	f->d = d;
	f->rerun = rerun;
	loop_timer_init(&f->rejudge, rejudge_cb);
	d->flow = f;
	return 0;
}

void policy_flow_destroy(struct daemon *d)
{
	struct policy_flow *f = d ? d->flow : NULL;

	if (!f)
		return;
	loop_timer_cancel(&d->loop, &f->rejudge);
	free(f->rules);
	free(f->maps);
	free(f->nrs);
	free(f);
	d->flow = NULL;
}
