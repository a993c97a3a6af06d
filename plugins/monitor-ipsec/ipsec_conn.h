/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: ipsec_conn.h - the VICI requests uplinkd sends (pure builders)
 *
 * Each writes one framed packet into b (vici.h); check the return value.
 */
#ifndef UPLINKD_IPSEC_CONN_H
#define UPLINKD_IPSEC_CONN_H

#include <stdint.h>

#include "ipsec_conf.h"
#include "vici.h"

/* load-conn for tunnel c with this path (local address, remote address). */
int ipsec_conn_build_load(struct vici_buf *b, const struct ipsec_tunnel_conf *c,
			  const char *local, const char *remote);
/* initiate child of ike, returning at once (timeout -1). */
int ipsec_conn_build_initiate(struct vici_buf *b, const char *ike, const char *child);
/* terminate IKE_SA ike_uid at once (force, timeout -1). */
int ipsec_conn_build_terminate(struct vici_buf *b, uint64_t ike_uid);
/* list-sas, not blocking on busy IKE_SAs. */
int ipsec_conn_build_list_sas(struct vici_buf *b);

#endif
