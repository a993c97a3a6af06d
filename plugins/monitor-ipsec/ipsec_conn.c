// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec_conn.c - load-conn, initiate, terminate and list-sas requests
 *
 * Pure builders over vici.c, called by ipsec.c; test/unit/ipsec_conn_test.c
 * parses them back. The connection is swanctl.conf's layout (README of the
 * vici plugin): start_action = none so that a re-load never tears down the
 * SA that still carries traffic; uplinkd initiates and terminates itself.
 */
#include "ipsec_conn.h"

#include <string.h>

static const char *const auth_names[] = {
	[IPSEC_AUTH_PSK] = "psk",
	[IPSEC_AUTH_PUBKEY] = "pubkey",
};

static void list_one(struct vici_buf *b, const char *name, const char *v)
{
	vici_list_begin(b, name);
	vici_list_item_str(b, v);
	vici_list_end(b);
}

/* "a,b , c" -> list items */
static void list_csv(struct vici_buf *b, const char *name, const char *csv)
{
	const char *p = csv, *e;

	vici_list_begin(b, name);
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		e = p;
		while (*e && *e != ',' && *e != ' ')
			e++;
		if (e > p)
			vici_list_item(b, p, (size_t)(e - p));
		p = e;
	}
	vici_list_end(b);
}

static void list_strv(struct vici_buf *b, const char *name, const struct cfg_strv *v)
{
	size_t i;

	vici_list_begin(b, name);
	for (i = 0; i < v->n; i++)
		vici_list_item_str(b, v->v[i]);
	vici_list_end(b);
}

static void auth_section(struct vici_buf *b, const char *name, int auth, const char *id)
{
	vici_section_begin(b, name);
	vici_kv_str(b, "auth", auth_names[auth == IPSEC_AUTH_PUBKEY]);
	if (id)
		vici_kv_str(b, "id", id);
	vici_section_end(b);
}

int ipsec_conn_build_load(struct vici_buf *b, const struct ipsec_tunnel_conf *c,
			  const char *local, const char *remote)
{
	vici_msg_begin(b, VICI_CMD_REQUEST, "load-conn");
	vici_section_begin(b, c->ike);
	vici_kv_str(b, "version", "2");
	list_one(b, "local_addrs", local);
	list_one(b, "remote_addrs", remote);
	vici_kv_str(b, "mobike", c->mobike || c->steer == IPSEC_STEER_MOBIKE ? "yes" : "no");
	vici_kv_str(b, "encap", c->encap ? "yes" : "no");
	if (c->proposals)
		list_csv(b, "proposals", c->proposals);
	if (c->dpd_delay_s)
		vici_kv_printf(b, "dpd_delay", "%ds", c->dpd_delay_s);
	auth_section(b, "local", c->auth, c->local_id);
	auth_section(b, "remote", c->auth, c->remote_id);
	vici_section_begin(b, "children");
	vici_section_begin(b, c->child);
	list_strv(b, "local_ts", &c->local_ts);
	list_strv(b, "remote_ts", &c->remote_ts);
	if (c->esp_proposals)
		list_csv(b, "esp_proposals", c->esp_proposals);
	vici_kv_str(b, "mode", "tunnel");
	vici_kv_str(b, "start_action", "none");
	vici_kv_str(b, "close_action", "none");
	vici_section_end(b);
	vici_section_end(b);
	vici_section_end(b);
	return vici_msg_finish(b);
}

int ipsec_conn_build_initiate(struct vici_buf *b, const char *ike, const char *child)
{
	vici_msg_begin(b, VICI_CMD_REQUEST, "initiate");
	vici_kv_str(b, "child", child);
	vici_kv_str(b, "ike", ike);
	vici_kv_str(b, "timeout", "-1");
	vici_kv_str(b, "init-limits", "no");
	return vici_msg_finish(b);
}

int ipsec_conn_build_terminate(struct vici_buf *b, uint64_t ike_uid)
{
	vici_msg_begin(b, VICI_CMD_REQUEST, "terminate");
	vici_kv_printf(b, "ike-id", "%llu", (unsigned long long)ike_uid);
	vici_kv_str(b, "force", "yes");
	vici_kv_str(b, "timeout", "-1");
	return vici_msg_finish(b);
}

int ipsec_conn_build_list_sas(struct vici_buf *b)
{
	vici_msg_begin(b, VICI_CMD_REQUEST, "list-sas");
	vici_kv_str(b, "noblock", "yes");
	return vici_msg_finish(b);
}
