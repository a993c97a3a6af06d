// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: config.c - the configuration file, read into a fresh struct config
 *
 * Owns the key tables of the core and the cross-reference checks. Pure: the
 * running daemon is never touched; every error found is collected (not just the
 * first) so `uplinkd -t` shows them all. Calls libconfig (syntax), schema.c
 * (types and ranges), config_syntax.c (what a syntax error is) and each
 * plugin's check(). Called by main.c (start, -t) and daemon.c (reload).
 */
#include "config.h"
#include "plugin.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- key tables ---- */

#define PROBE_INTERVAL_DEFAULT_MS 500
#define CONFIG_EXPLAIN_MAX (4u << 20) /* a syntax error in a bigger file gets libconfig's words */

static const struct cfg_key probe_keys[] = {
	{ "method", CFG_STRING, offsetof(struct cfg_probe, method), CFG_REQUIRED, .min = 1,
	  .hint = "e.g. method = \"icmp\";" },
	/* required unless the method probes the gateway by default (check_uplink) */
	{ "targets", CFG_ADDRS, offsetof(struct cfg_probe, targets), 0, .min = 1,
	  .max = 16, .hint = "e.g. targets = [ \"192.0.2.1\", \"192.0.2.2\" ];" },
	/* 0 (absent): the uplink's interval (resolve_interval) */
	{ "interval_ms", CFG_INT, offsetof(struct cfg_probe, interval_ms), 0, .min = 50,
	  .max = 60000, .def = 0 },
	{ "timeout_ms", CFG_INT, offsetof(struct cfg_probe, timeout_ms), 0, .min = 10,
	  .max = 60000, .def = 1000 },
	{ "method", CFG_PLUGIN, offsetof(struct cfg_probe, pconf), 0, .min = PLUGIN_PROBE,
	  .by = offsetof(struct cfg_probe, method), .aux = offsetof(struct cfg_probe, plugin) },
	CFG_END
};

static const struct cfg_key health_keys[] = {
	{ "down_after", CFG_INT, offsetof(struct cfg_health, down_after), 0, .min = 1, .max = 100,
	  .def = 3 },
	{ "up_after", CFG_INT, offsetof(struct cfg_health, up_after), 0, .min = 1, .max = 1000,
	  .def = 5 },
	{ "min_targets", CFG_INT, offsetof(struct cfg_health, min_targets), 0, .min = 1,
	  .max = 16, .def = 1 },
	{ "hold_down_s", CFG_INT, offsetof(struct cfg_health, hold_down_s), 0, .min = 0,
	  .max = 86400, .def = 10 },
	{ "window", CFG_INT, offsetof(struct cfg_health, window), 0, .min = 5, .max = 1000,
	  .def = 50 },
	{ "degraded_loss_pct", CFG_INT, offsetof(struct cfg_health, degraded_loss_pct), 0,
	  .min = 0, .max = 100, .def = 20 },
	{ "degraded_rtt_ms", CFG_INT, offsetof(struct cfg_health, degraded_rtt_ms), 0, .min = 0,
	  .max = 60000, .def = 500 },
	{ "degraded_jitter_ms", CFG_INT, offsetof(struct cfg_health, degraded_jitter_ms), 0,
	  .min = 0, .max = 60000, .def = 100 },
	{ "min_speed_mbps", CFG_INT, offsetof(struct cfg_health, min_speed_mbps), 0, .min = 0,
	  .max = 1000000, .def = 0 },
	{ "degraded_errors_per_min", CFG_INT,
	  offsetof(struct cfg_health, degraded_errors_per_min), 0, .min = 0, .max = 100000000,
	  .def = 60 },
	CFG_END
};

const struct cfg_key config_uplink_keys[] = {
	{ "name", CFG_STRING, offsetof(struct cfg_uplink, name), CFG_REQUIRED, .min = 1,
	  .max = 31, .hint = "e.g. name = \"isp1\";" },
	{ "interface", CFG_STRING, offsetof(struct cfg_uplink, interface), CFG_REQUIRED, .min = 1,
	  .max = IFNAMSIZ - 1, .hint = "e.g. interface = \"wan1\";" },
	{ "gateway", CFG_ADDR, offsetof(struct cfg_uplink, gateway), 0 },
	{ "gateway6", CFG_ADDR, offsetof(struct cfg_uplink, gateway6), 0 },
	{ "priority", CFG_INT, offsetof(struct cfg_uplink, priority), 0, .min = 0, .max = 1000,
	  .def = 100 },
	{ "weight", CFG_INT, offsetof(struct cfg_uplink, weight), 0, .min = 1, .max = 256,
	  .def = 1 },
	{ "table", CFG_INT, offsetof(struct cfg_uplink, table), 0, .min = 0,
	  .max = 0x7fffffff, .def = 0 },
	{ "mark", CFG_INT, offsetof(struct cfg_uplink, mark), 0, .min = 0, .max = 0x7fffffff,
	  .def = 0 },
	{ "flush_conntrack", CFG_BOOL, offsetof(struct cfg_uplink, flush_conntrack), 0,
	  .def = 1 },
	{ "probes", CFG_LIST, offsetof(struct cfg_uplink, probes), CFG_REQUIRED, .min = 1,
	  .max = 8, .sub = probe_keys, .elem_size = sizeof(struct cfg_probe),
	  .hint = "e.g. probes = ( { method = \"icmp\"; targets = [ \"192.0.2.1\" ]; } );" },
	{ "health", CFG_GROUP, offsetof(struct cfg_uplink, health), 0, .sub = health_keys },
	CFG_END
};

static const char *const policy_mode_names[] = { "failover", "balance", NULL };

static const struct cfg_key policy_keys[] = {
	{ "mode", CFG_ENUM, offsetof(struct config, policy.mode), 0, .names = policy_mode_names,
	  .def = POLICY_FAILOVER },
	{ "metric", CFG_INT, offsetof(struct config, policy.metric), 0, .min = 0, .max = 65535,
	  .def = 0 },
	{ "reassert_s", CFG_INT, offsetof(struct config, policy.reassert_s), 0, .min = 1,
	  .max = 3600, .def = 30 },
	{ "rules", CFG_LIST, offsetof(struct config, policy.rules), 0, .max = 256,
	  .sub = config_rule_keys, .elem_size = sizeof(struct cfg_rule),
	  .hint = "e.g. rules = ( { name = \"voice\"; proto = \"udp\"; dport = [ 5060 ]; action = \"lowest_jitter\"; uplinks = [ \"isp1\", \"isp2\" ]; } );" },
	CFG_END
};

/* Groups of flat struct config fields: offset 0, sub-keys relative to struct config. */
static const struct cfg_key control_keys[] = {
	{ "socket", CFG_STRING, offsetof(struct config, control_socket), 0, .min = 1,
	  .max = 107, .def_str = "/run/uplinkd/uplinkd.sock" },
	CFG_END
};

static const struct cfg_key journal_keys[] = {
	{ "max_entries", CFG_INT, offsetof(struct config, journal_max), 0, .min = 10,
	  .max = 100000, .def = 1000 },
	CFG_END
};

static const struct cfg_key hooks_keys[] = {
	{ "dir", CFG_STRING, offsetof(struct config, hooks_dir), 0, .min = 1,
	  .def_str = "/etc/uplinkd/hooks.d" },
	{ "timeout_s", CFG_INT, offsetof(struct config, hook_timeout_s), 0, .min = 1, .max = 300,
	  .def = 10 },
	CFG_END
};

static const struct cfg_key top_keys[] = {
	{ "uplinks", CFG_LIST, offsetof(struct config, uplinks), CFG_REQUIRED, .min = 1,
	  .max = 16, .sub = config_uplink_keys, .elem_size = sizeof(struct cfg_uplink),
	  .hint = "see the configuration reference in README.md" },
	{ "policy", CFG_GROUP, 0, 0, .sub = policy_keys },
	{ "control", CFG_GROUP, 0, 0, .sub = control_keys },
	{ "state_dir", CFG_STRING, offsetof(struct config, state_dir), 0, .min = 1,
	  .def_str = "/var/lib/uplinkd" },
	{ "journal", CFG_GROUP, 0, 0, .sub = journal_keys },
	{ "user", CFG_STRING, offsetof(struct config, user), 0, .min = 1,
	  .hint = "the user uplinkd runs as after start-up, e.g. user = \"uplinkd\";" },
	{ "hooks", CFG_GROUP, 0, 0, .sub = hooks_keys },
	CFG_END
};

/* Sections other plugins own, named so a build without them explains itself. */
static const struct {
	const char *section, *symbol, *what;
} known_sections[] = {
	{ "ipsec", "CONFIG_MONITOR_IPSEC", "IPsec monitor" },
	{ "bgp", "CONFIG_MONITOR_BGP", "BGP monitor" },
	{ "web", "CONFIG_WEB", "web status page" },
};

/* ---- helpers ---- */

const struct cfg_uplink *config_uplink(const struct config *cfg, size_t i)
{
	return i < cfg->uplinks.n ? (const struct cfg_uplink *)cfg->uplinks.v + i : NULL;
}

const struct cfg_uplink *config_find_uplink(const struct config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->uplinks.n; i++) {
		const struct cfg_uplink *u = config_uplink(cfg, i);

		if (u->name && strcmp(u->name, name) == 0)
			return u;
	}
	return NULL;
}

const void *config_section(const struct config *cfg, const char *plugin_name)
{
	size_t i;

	for (i = 0; i < cfg->nsections; i++)
		if (strcmp(cfg->sections[i].plugin->name, plugin_name) == 0)
			return cfg->sections[i].conf;
	return NULL;
}

static int addr_family(const char *s)
{
	int fam = 0;

	return s && schema_addr_valid(s, &fam) ? fam : 0;
}

static bool name_valid(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

static uint32_t uplink_table(const struct cfg_uplink *u, size_t pos)
{
	return u->table ? (uint32_t)u->table : 100 + (uint32_t)pos + 1;
}

/* ---- cross references ---- */

static void check_targets(const struct cfg_probe *p, size_t i, size_t j, struct cfg_diag *d)
{
	size_t k;

	if (!p->targets.n && !(p->plugin && p->plugin->target_gateway))
		cfg_diag_add(d, p->line, "uplinks.[%zu].probes.[%zu]: missing required key \"targets\"; e.g. targets = [ \"192.0.2.1\", \"192.0.2.2\" ];",
			     i, j);
	for (k = 0; p->plugin && p->plugin->target_family == AF_INET && k < p->targets.n; k++)
		if (addr_family(p->targets.v[k]) != AF_INET)
			cfg_diag_add(d, p->line, "uplinks.[%zu].probes.[%zu].targets.[%zu]: \"%s\": method \"%s\" takes IPv4 addresses only",
				     i, j, k, p->targets.v[k], p->method);
}

static void check_uplink(const struct config *cfg, size_t i, struct cfg_diag *d)
{
	const struct cfg_uplink *u = config_uplink(cfg, i);
	size_t j, ntargets = 0;
	uint32_t table = uplink_table(u, i);

	if (u->name && !name_valid(u->name))
		cfg_diag_add(d, u->line, "uplinks.[%zu].name: \"%s\" may only use letters, digits, '-', '_' and '.'",
			     i, u->name);
	for (j = 0; j < i; j++) {
		const struct cfg_uplink *o = config_uplink(cfg, j);

		if (u->name && o->name && strcmp(u->name, o->name) == 0)
			cfg_diag_add(d, u->line, "uplinks.[%zu].name: \"%s\" is already used by uplinks.[%zu]; names must be unique",
				     i, u->name, j);
		if (u->interface && o->interface && strcmp(u->interface, o->interface) == 0)
			cfg_diag_add(d, u->line, "uplinks.[%zu].interface: \"%s\" is already used by uplinks.[%zu] (%s)",
				     i, u->interface, j, o->name ? o->name : "?");
		if (uplink_table(o, j) == table)
			cfg_diag_add(d, u->line, "uplinks.[%zu].table: %u is already used by uplinks.[%zu] (%s); give each uplink its own table",
				     i, table, j, o->name ? o->name : "?");
	}
	if (table == 253 || table == 254 || table == 255 || table == 220)
		cfg_diag_add(d, u->line, "uplinks.[%zu].table: %u is reserved (%s); pick another",
			     i, table, table == 220 ? "strongSwan's table" : "default/main/local");
	if (u->gateway && addr_family(u->gateway) != AF_INET)
		cfg_diag_add(d, u->line, "uplinks.[%zu].gateway: \"%s\" is not an IPv4 address; put IPv6 next hops in gateway6",
			     i, u->gateway);
	if (u->gateway6 && addr_family(u->gateway6) != AF_INET6)
		cfg_diag_add(d, u->line, "uplinks.[%zu].gateway6: \"%s\" is not an IPv6 address",
			     i, u->gateway6);
	for (j = 0; j < u->probes.n; j++) {
		const struct cfg_probe *p = (const struct cfg_probe *)u->probes.v + j;

		check_targets(p, i, j, d);
		ntargets += cfg_probe_ntargets(p);
		if (p->plugin && p->plugin->check)
			p->plugin->check(p->pconf, cfg, p->line, d);
	}
	if (ntargets && (size_t)u->health.min_targets > ntargets) /* 0: said per block */
		cfg_diag_add(d, u->line, "uplinks.[%zu].health.min_targets: %d, but the uplink has only %zu target%s; lower it or add targets",
			     i, u->health.min_targets, ntargets, ntargets == 1 ? "" : "s");
	if (u->health.down_after > u->health.window)
		cfg_diag_add(d, u->line, "uplinks.[%zu].health.window: %d is smaller than down_after (%d); raise it",
			     i, u->health.window, u->health.down_after);
}

/*
 * An uplink's probe blocks run in the same rounds, so they share one interval: a block
 * without interval_ms takes the one another block sets (or the default); only two blocks
 * setting different values is an error.
 */
static void resolve_interval(struct config *cfg, size_t i, struct cfg_diag *d)
{
	struct cfg_uplink *u = (struct cfg_uplink *)cfg->uplinks.v + i;
	const struct cfg_probe *set = NULL;
	size_t j, jset = 0;

	for (j = 0; j < u->probes.n; j++) {
		const struct cfg_probe *p = (const struct cfg_probe *)u->probes.v + j;

		if (!p->interval_ms)
			continue;
		if (!set) {
			set = p;
			jset = j;
		} else if (p->interval_ms != set->interval_ms) {
			cfg_diag_add(d, p->line, "uplinks.[%zu].probes.[%zu].interval_ms: %d, but probes.[%zu] (line %d) sets %d; an uplink's probes run in the same rounds: set one value, in one block or in all",
				     i, j, p->interval_ms, jset, set->line, set->interval_ms);
		}
	}
	for (j = 0; j < u->probes.n; j++) {
		struct cfg_probe *p = (struct cfg_probe *)u->probes.v + j;

		if (!p->interval_ms)
			p->interval_ms = set ? set->interval_ms : PROBE_INTERVAL_DEFAULT_MS;
	}
}

static void record_lines(const config_setting_t *root, struct config *cfg)
{
	const config_setting_t *ups = config_setting_get_member(root, "uplinks");
	size_t i, j;

	for (i = 0; ups && i < cfg->uplinks.n; i++) {
		struct cfg_uplink *u = (struct cfg_uplink *)cfg->uplinks.v + i;
		const config_setting_t *us = config_setting_type(ups) == CONFIG_TYPE_LIST ?
						     config_setting_get_elem(ups, (unsigned)i) : ups;
		const config_setting_t *ps = us ? config_setting_get_member(us, "probes") : NULL;

		u->line = cfg_line(us ? us : ups);
		u->interface_line = us ? cfg_line(config_setting_get_member(us, "interface")) : 0;
		if (!u->interface_line)
			u->interface_line = u->line;
		for (j = 0; j < u->probes.n; j++) {
			struct cfg_probe *p = (struct cfg_probe *)u->probes.v + j;
			const config_setting_t *e = NULL;

			if (ps)
				e = config_setting_type(ps) == CONFIG_TYPE_LIST ?
					    config_setting_get_elem(ps, (unsigned)j) : ps;
			p->line = cfg_line(e ? e : us);
		}
	}
}

static void parse_sections(const config_setting_t *root, struct config *cfg, struct cfg_diag *d)
{
	const struct plugin *const *pp;
	size_t n = 0;

	for (pp = plugins; *pp; pp++)
		if ((*pp)->kind == PLUGIN_MONITOR)
			n++;
	cfg->sections = calloc(n ? n : 1, sizeof(*cfg->sections));
	if (!cfg->sections)
		return;
	for (pp = plugins; *pp; pp++) {
		const config_setting_t *s;
		struct cfg_section *sec;

		if ((*pp)->kind != PLUGIN_MONITOR)
			continue;
		s = config_setting_get_member(root, (*pp)->name);
		if (!s)
			continue;
		sec = &cfg->sections[cfg->nsections++];
		sec->plugin = *pp;
		sec->line = cfg_line(s);
		sec->conf = calloc(1, (*pp)->conf_size ? (*pp)->conf_size : 1);
		if (!sec->conf)
			continue;
		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			cfg_diag_add(d, sec->line, "%s: expected a group { ... }", (*pp)->name);
			continue;
		}
		if ((*pp)->keys)
			schema_parse(s, (*pp)->keys, sec->conf, (*pp)->name, d);
	}
}

static void check_top_level(const config_setting_t *root, struct cfg_diag *d)
{
	int i, n = config_setting_length(root);

	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(root, (unsigned)i);
		const char *name = config_setting_name(s);
		const struct cfg_key *k;
		size_t j;
		bool known = false;

		for (k = top_keys; k->name && !known; k++)
			known = strcmp(k->name, name) == 0;
		if (known || plugin_find(name, PLUGIN_MONITOR))
			continue;
		for (j = 0; j < sizeof(known_sections) / sizeof(known_sections[0]); j++) {
			if (strcmp(known_sections[j].section, name) == 0) {
				cfg_diag_add(d, cfg_line(s), "%s: this build has no %s (%s is off); remove the section or rebuild with it (make menuconfig)",
					     name, known_sections[j].what, known_sections[j].symbol);
				known = true;
			}
		}
		if (!known)
			cfg_diag_add(d, cfg_line(s), "%s: unknown key; the top level takes uplinks, policy, control, state_dir, journal, user, hooks and plugin sections",
				     name);
	}
}

static struct config *config_from(config_t *lc, const char *name, struct cfg_diag *d)
{
	const config_setting_t *root = config_root_setting(lc);
	struct config *cfg;
	size_t before = cfg_diag_errors(d), i;

	cfg = calloc(1, sizeof(*cfg));
	if (!cfg) {
		cfg_diag_add(d, 0, "out of memory");
		return NULL;
	}
	cfg->path = strdup(name);
	schema_parse_open(root, top_keys, cfg, "", d);
	check_top_level(root, d);
	parse_sections(root, cfg, d);
	record_lines(root, cfg);
	if (cfg_diag_errors(d) == before) {
		for (i = 0; i < cfg->uplinks.n; i++) {
			resolve_interval(cfg, i, d);
			check_uplink(cfg, i, d);
		}
		config_check_rules(root, cfg, d);
		for (i = 0; i < cfg->nsections; i++)
			if (cfg->sections[i].plugin->check)
				cfg->sections[i].plugin->check(cfg->sections[i].conf, cfg,
							       cfg->sections[i].line, d);
	}
	if (cfg_diag_errors(d) != before) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

/* A file's text, for explaining a syntax error (NULL if unreadable or huge). */
static char *read_text(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t n = 0;

	if (!f)
		return NULL;
	buf = malloc(CONFIG_EXPLAIN_MAX + 1);
	if (buf) {
		n = fread(buf, 1, CONFIG_EXPLAIN_MAX + 1, f);
		if (n > CONFIG_EXPLAIN_MAX || ferror(f)) {
			free(buf);
			buf = NULL;
		} else {
			buf[n] = '\0';
		}
	}
	fclose(f);
	return buf;
}

/* libconfig's error, in words the operator can act on (text: the file's, or NULL). */
static void syntax_error(config_t *lc, const char *name, const char *text, struct cfg_diag *d)
{
	const char *f = config_error_file(lc), *what = config_error_text(lc);
	char msg[400], *owned = NULL;
	int line = 0, at = 0;

	if (!what)
		what = "syntax error";
	if (f && strcmp(f, name)) { /* in an @include'd file */
		cfg_diag_add(d, config_error_line(lc), "%s in %s", what, f);
		return;
	}
	if (!strcmp(what, "memory exhausted")) { /* bison's stack: brackets nested too deep */
		cfg_diag_add(d, config_error_line(lc), "syntax error: brackets nested too deep for libconfig; flatten the file");
		return;
	}
	if (!strcmp(what, "mismatched element type in array")) {
		cfg_diag_add(d, config_error_line(lc), "syntax error: an array [ ... ] holds values of one type; quote every element (text, addresses) or none (numbers), or use a list ( ... )");
		return;
	}
	if (!text)
		text = owned = read_text(name);
	if (text && config_syntax_explain(text, &line, &at, msg, sizeof(msg)) > 0)
		cfg_diag_add(d, line, "syntax error: %s", msg);
	else
		cfg_diag_add(d, config_error_line(lc), "syntax error: libconfig says \"%s\" here; check the quotes, brackets and separators on this line and the one before",
			     what);
	free(owned);
}

static struct config *config_finish(config_t *lc, int ok, const char *name, const char *text,
				    struct cfg_diag *d)
{
	struct config *cfg = NULL;

	if (!ok) {
		if (config_error_type(lc) == CONFIG_ERR_FILE_IO)
			cfg_diag_add(d, 0, "cannot read the file: %s", strerror(errno));
		else
			syntax_error(lc, name, text, d);
	} else {
		cfg = config_from(lc, name, d);
	}
	config_destroy(lc);
	return cfg;
}

/* DIR/REL for a relative *p; DIR is the configuration file's directory. */
static int path_under(char **p, const char *file)
{
	const char *slash = strrchr(file, '/');
	char *abs;

	if (!*p || (*p)[0] == '/' || !slash)
		return 0;
	if (asprintf(&abs, "%.*s/%s", (int)(slash - file), file, *p) < 0)
		return -ENOMEM;
	free(*p);
	*p = abs;
	return 0;
}

/*
 * The daemon changes to / when it detaches: a relative path in the file means the
 * same place on every reload only when it is relative to the file itself.
 */
static struct config *config_resolve_paths(struct config *cfg, const char *path,
					   struct cfg_diag *d)
{
	if (!cfg)
		return NULL;
	if (path_under(&cfg->state_dir, path) < 0 || path_under(&cfg->control_socket, path) < 0 ||
	    path_under(&cfg->hooks_dir, path) < 0) {
		cfg_diag_add(d, 0, "out of memory");
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load(const char *path, struct cfg_diag *d)
{
	config_t lc;
	FILE *f;
	int ok;

	d->file = path;
	f = fopen(path, "r");
	if (!f) {
		cfg_diag_add(d, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	config_init(&lc);
	config_set_options(&lc, 0);
	ok = config_read(&lc, f) == CONFIG_TRUE;
	fclose(f);
	return config_resolve_paths(config_finish(&lc, ok, path, NULL, d), path, d);
}

struct config *config_load_string(const char *text, const char *name, struct cfg_diag *d)
{
	config_t lc;
	int ok;

	d->file = name;
	config_init(&lc);
	config_set_options(&lc, 0);
	ok = config_read_string(&lc, text) == CONFIG_TRUE;
	return config_finish(&lc, ok, name, text, d);
}

/* Up to 8 interface names that exist now, for the operator to compare a typo with. */
static void list_interfaces(char *buf, size_t len)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	size_t o = 0, n = 0;

	buf[0] = '\0';
	for (i = ifs; i && i->if_index && o < len; i++, n++) {
		int w = snprintf(buf + o, len - o, "%s%s", n ? ", " : "", n < 8 ? i->if_name : "...");

		if (w < 0 || (size_t)w >= len - o || n == 8)
			break;
		o += (size_t)w;
	}
	if (ifs)
		if_freenameindex(ifs);
}

int config_check_interfaces(const struct config *cfg, struct cfg_diag *d)
{
	char names[160] = "";
	size_t i;
	int n = 0;

	for (i = 0; i < cfg->uplinks.n; i++) {
		const struct cfg_uplink *u = config_uplink(cfg, i);

		if (!u->interface || if_nametoindex(u->interface))
			continue;
		if (!n++)
			list_interfaces(names, sizeof(names));
		cfg_diag_warn(d, u->interface_line, "uplinks.[%zu].interface: \"%s\" does not exist now (there are: %s); fine if it comes later (PPPoE, LTE), otherwise fix the name",
			      i, u->interface, names[0] ? names : "none");
	}
	return n;
}

void config_free(struct config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	for (i = 0; i < cfg->nsections; i++) {
		const struct plugin *p = cfg->sections[i].plugin;

		if (p->keys && cfg->sections[i].conf)
			schema_free(p->keys, cfg->sections[i].conf);
		free(cfg->sections[i].conf);
	}
	free(cfg->sections);
	schema_free(top_keys, cfg);
	free(cfg->path);
	free(cfg);
}
