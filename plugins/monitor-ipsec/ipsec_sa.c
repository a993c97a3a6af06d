// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec_sa.c - tunnel counters out of charon's list-sa events (pure)
 *
 * See ipsec_sa.h. Called by ipsec.c for every list-sa event; never trusts the
 * peer: every value is length-checked and numbers are parsed strictly.
 */
#include "ipsec_sa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void copy_str(char *dst, size_t cap, const char *src)
{
	size_t n = src ? strlen(src) : 0;

	if (!src) {
		snprintf(dst, cap, "?");
		return;
	}
	if (n >= cap)
		n = cap - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

const char *ipsec_sa_conn_name(const struct vici_msg *m)
{
	const struct vici_node *c;

	vici_node_for_each(c, &m->root)
		if (c->type == VICI_NODE_SECTION)
			return c->name;
	return NULL;
}

/* 0 or -ENOENT leave *out; -EINVAL is malformed. */
static int opt_u64(const struct vici_node *n, const char *key, uint64_t *out)
{
	int err = vici_node_u64(n, key, out);

	return err == -ENOENT ? 0 : err;
}

static int parse_child(const struct vici_node *c, struct ipsec_sa *sa)
{
	const char *spi = vici_node_str(c, "spi-in");
	uint64_t use;
	int err = 0;

	sa->bytes_in = sa->bytes_out = sa->packets_in = sa->packets_out = 0;
	sa->use_in = sa->use_out = -1;
	sa->spi_in = 0;
	err |= opt_u64(c, "uniqueid", &sa->child_uid);
	err |= opt_u64(c, "bytes-in", &sa->bytes_in);
	err |= opt_u64(c, "bytes-out", &sa->bytes_out);
	err |= opt_u64(c, "packets-in", &sa->packets_in);
	err |= opt_u64(c, "packets-out", &sa->packets_out);
	if (vici_node_u64(c, "use-in", &use) == 0 && use < INT64_MAX)
		sa->use_in = (int64_t)use;
	if (vici_node_u64(c, "use-out", &use) == 0 && use < INT64_MAX)
		sa->use_out = (int64_t)use;
	if (spi && strlen(spi) <= 8) {
		char *end;
		unsigned long v = strtoul(spi, &end, 16);

		if (*spi && !*end)
			sa->spi_in = (uint32_t)v;
	}
	return err ? -EBADMSG : 0;
}

int ipsec_sa_parse(const struct vici_msg *m, const char *ike, const char *child,
		   struct ipsec_sa *sa)
{
	const struct vici_node *s = NULL, *kids, *c, *best = NULL;
	uint64_t uid, best_uid = 0;
	const char *name;

	vici_node_for_each(c, &m->root)
		if (c->type == VICI_NODE_SECTION) {
			s = c;
			break;
		}
	if (!s)
		return -EBADMSG;
	if (strcmp(s->name, ike) != 0)
		return -ENOENT;
	memset(sa, 0, sizeof(*sa));
	sa->use_in = sa->use_out = -1;
	if (opt_u64(s, "uniqueid", &sa->ike_uid) < 0)
		return -EBADMSG;
	copy_str(sa->ike_state, sizeof(sa->ike_state), vici_node_str(s, "state"));
	copy_str(sa->local, sizeof(sa->local), vici_node_str(s, "local-host"));
	copy_str(sa->remote, sizeof(sa->remote), vici_node_str(s, "remote-host"));
	kids = vici_node_child(s, "child-sas");
	if (!kids || kids->type != VICI_NODE_SECTION)
		return 0;
	vici_node_for_each(c, kids) {
		if (c->type != VICI_NODE_SECTION)
			continue;
		name = vici_node_str(c, "name");
		if (!name || strcmp(name, child) != 0)
			continue;
		name = vici_node_str(c, "state");
		if (!name || strcmp(name, "INSTALLED") != 0)
			continue;
		uid = 0;
		if (opt_u64(c, "uniqueid", &uid) < 0)
			return -EBADMSG;
		if (!best || uid > best_uid) {
			best = c;
			best_uid = uid;
		}
	}
	if (!best)
		return 0;
	sa->child_installed = true;
	return parse_child(best, sa);
}
