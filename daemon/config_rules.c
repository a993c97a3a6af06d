// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: config_rules.c - policy.rules: per-flow rules, parsed and checked
 *
 * Owns the key table of one rule and its cross-reference pass: names unique and
 * plain, uplinks named in the config, prefixes valid with
 * no host bits, ports only with tcp/udp, icmp only with IPv4 prefixes (icmpv6
 * with IPv6), one family between src and dst, and a bounded expansion into
 * nft rules (src x dst x sport x dport); schema.c already refuses a name listed
 * twice. Pure: no running state. Called by
 * config.c (config_from); config_prefix_parse() also by policy_flow.c.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULE_MAX_EXPANSION 64 /* nft rules one configured rule may become */

const char *const rule_action_names[] = { "failover", "balance", "lowest_rtt", "lowest_jitter",
					  "lowest_loss", NULL };
static const char *const rule_proto_names[] = { "any", "tcp", "udp", "icmp", "icmpv6", NULL };

const struct cfg_key config_rule_keys[] = {
	{ "name", CFG_STRING, offsetof(struct cfg_rule, name), CFG_REQUIRED, .min = 1, .max = 31,
	  .hint = "e.g. name = \"voice\";" },
	{ "src", CFG_STRINGS, offsetof(struct cfg_rule, src), 0, .max = 16 },
	{ "dst", CFG_STRINGS, offsetof(struct cfg_rule, dst), 0, .max = 16 },
	{ "proto", CFG_ENUM, offsetof(struct cfg_rule, proto), 0, .names = rule_proto_names,
	  .def = RULE_PROTO_ANY },
	{ "sport", CFG_U32S, offsetof(struct cfg_rule, sport), 0, .max = 16 },
	{ "dport", CFG_U32S, offsetof(struct cfg_rule, dport), 0, .max = 16 },
	{ "dscp", CFG_INT, offsetof(struct cfg_rule, dscp), 0, .min = -1, .max = 63, .def = -1,
	  .hint = "a DSCP code point 0..63, e.g. 46 for EF (voice)" },
	{ "action", CFG_ENUM, offsetof(struct cfg_rule, action), CFG_REQUIRED,
	  .names = rule_action_names,
	  .hint = "failover, balance, lowest_rtt, lowest_jitter or lowest_loss" },
	{ "uplinks", CFG_STRINGS, offsetof(struct cfg_rule, uplinks), CFG_REQUIRED, .min = 1,
	  .max = 16, .hint = "e.g. uplinks = [ \"isp2\", \"isp1\" ];" },
	CFG_END
};

int config_prefix_parse(const char *s, int *family, unsigned char addr[16], unsigned char *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	int fam, max;
	long l;
	int i;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	memset(addr, 0, 16);
	if (inet_pton(AF_INET, buf, addr) == 1)
		fam = AF_INET;
	else if (inet_pton(AF_INET6, buf, addr) == 1)
		fam = AF_INET6;
	else
		return -EINVAL;
	max = fam == AF_INET ? 32 : 128;
	l = max;
	if (slash) {
		if (!slash[1] || slash[1] == '-' || slash[1] == '+' || slash[1] == ' ')
			return -EINVAL;
		errno = 0;
		l = strtol(slash + 1, &end, 10);
		if (errno || *end || l < 0 || l > max)
			return -EINVAL;
	}
	for (i = 0; i < max / 8; i++) { /* no host bits */
		int bits = (int)l - i * 8;
		unsigned char mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (unsigned char)(0xff << (8 - bits));

		if (addr[i] & ~mask)
			return -EINVAL;
	}
	*family = fam;
	*len = (unsigned char)l;
	return 0;
}

static const struct cfg_rule *rule_at(const struct config *cfg, size_t i)
{
	return (const struct cfg_rule *)cfg->policy.rules.v + i;
}

static bool plain_name(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* Which families a prefix list allows: bit 0 IPv4, bit 1 IPv6; 3 when empty. */
static int prefixes_check(const struct cfg_rule *r, const struct cfg_strv *v, const char *key,
			  size_t i, struct cfg_diag *d)
{
	unsigned char a[16], len;
	int fams = 0, fam;
	size_t k;

	if (!v->n)
		return 3;
	for (k = 0; k < v->n; k++) {
		if (config_prefix_parse(v->v[k], &fam, a, &len) < 0) {
			cfg_diag_add(d, r->line, "policy.rules.[%zu].%s.[%zu]: \"%s\" is not a prefix; write ADDRESS/LENGTH with no host bits set, e.g. \"203.0.113.0/24\" or \"2001:db8::/32\"",
				     i, key, k, v->v[k]);
			continue;
		}
		fams |= fam == AF_INET ? 1 : 2;
	}
	return fams ? fams : 3;
}

static void check_rule(const struct config *cfg, size_t i, struct cfg_diag *d)
{
	const struct cfg_rule *r = rule_at(cfg, i);
	size_t j, expand;
	int fs, fd, fams;

	if (r->name && !plain_name(r->name))
		cfg_diag_add(d, r->line, "policy.rules.[%zu].name: \"%s\" may only use letters, digits, '-', '_' and '.'",
			     i, r->name);
	for (j = 0; j < i; j++)
		if (r->name && rule_at(cfg, j)->name && !strcmp(r->name, rule_at(cfg, j)->name))
			cfg_diag_add(d, r->line, "policy.rules.[%zu].name: \"%s\" is already used by policy.rules.[%zu]; names must be unique",
				     i, r->name, j);
	for (j = 0; j < r->uplinks.n; j++) {
		if (!config_find_uplink(cfg, r->uplinks.v[j]))
			cfg_diag_add(d, r->line, "policy.rules.[%zu].uplinks.[%zu]: no uplink named \"%s\"; use one of the names in uplinks",
				     i, j, r->uplinks.v[j]);
	}
	fs = prefixes_check(r, &r->src, "src", i, d);
	fd = prefixes_check(r, &r->dst, "dst", i, d);
	fams = fs & fd;
	if (!fams)
		cfg_diag_add(d, r->line, "policy.rules.[%zu]: src and dst have no address family in common (IPv4 with IPv6), so the rule matches nothing; split it in two",
			     i);
	if (r->proto == RULE_PROTO_ICMP && !(fams & 1))
		cfg_diag_add(d, r->line, "policy.rules.[%zu].proto: \"icmp\" is IPv4; with IPv6 prefixes use \"icmpv6\"",
			     i);
	if (r->proto == RULE_PROTO_ICMPV6 && !(fams & 2))
		cfg_diag_add(d, r->line, "policy.rules.[%zu].proto: \"icmpv6\" is IPv6; with IPv4 prefixes use \"icmp\"",
			     i);
	if ((r->sport.n || r->dport.n) && r->proto != RULE_PROTO_TCP && r->proto != RULE_PROTO_UDP)
		cfg_diag_add(d, r->line, "policy.rules.[%zu]: ports need proto = \"tcp\" or \"udp\"",
			     i);
	for (j = 0; j < r->sport.n + r->dport.n; j++) {
		uint32_t p = j < r->sport.n ? ((uint32_t *)r->sport.v)[j]
					    : ((uint32_t *)r->dport.v)[j - r->sport.n];

		if (p < 1 || p > 65535)
			cfg_diag_add(d, r->line, "policy.rules.[%zu].%s.[%zu]: %u is not a port; use 1..65535",
				     i, j < r->sport.n ? "sport" : "dport",
				     j < r->sport.n ? j : j - r->sport.n, p);
	}
	expand = (r->src.n ? r->src.n : 1) * (r->dst.n ? r->dst.n : 1) *
		 (r->sport.n ? r->sport.n : 1) * (r->dport.n ? r->dport.n : 1);
	if (expand > RULE_MAX_EXPANSION)
		cfg_diag_add(d, r->line, "policy.rules.[%zu]: src x dst x sport x dport is %zu combinations, at most %d; split the rule or use fewer prefixes or ports",
			     i, expand, RULE_MAX_EXPANSION);
}

void config_check_rules(const config_setting_t *root, struct config *cfg, struct cfg_diag *d)
{
	const config_setting_t *pol = config_setting_get_member(root, "policy");
	const config_setting_t *rs = pol ? config_setting_get_member(pol, "rules") : NULL;
	size_t i;

	for (i = 0; i < cfg->policy.rules.n; i++) {
		struct cfg_rule *r = (struct cfg_rule *)cfg->policy.rules.v + i;
		const config_setting_t *e = NULL;

		if (rs)
			e = config_setting_type(rs) == CONFIG_TYPE_LIST ?
				    config_setting_get_elem(rs, (unsigned)i) : rs;
		r->line = cfg_line(e ? e : rs ? rs : pol);
	}
	for (i = 0; i < cfg->policy.rules.n; i++)
		check_rule(cfg, i, d);
}
