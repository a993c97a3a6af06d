/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: status.h - the status object
 *
 * The one object `uplinkctl status --json` prints and the web page serves at
 * GET /api/status: uplinks[] {name, state, active, rtt_ms, loss_pct,
 * jitter_ms, reason, ...}, tunnels[], bgp.alerts[], policy {...}.
 */
#ifndef UPLINKD_STATUS_H
#define UPLINKD_STATUS_H

struct daemon;
struct json_object;

struct json_object *status_build(struct daemon *d);

#endif
