/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: replay_cli.h - the seam between the BGP monitor and its offline driver
 *
 * replay_cli.c runs the monitor alone over an MRT dump (uplinkd --replay); it
 * reaches the monitor only through the plugin's hooks and bgpmon_replay().
 */
#ifndef UPLINKD_BGP_REPLAY_CLI_H
#define UPLINKD_BGP_REPLAY_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "replay.h"

extern const struct plugin plugin_bgp;

/* bgpmon.c: run an MRT dump held in buf through the monitor inst. Every event
 * is published (no rate limits) with the dump's own time. As replay_mrt(). */
int bgpmon_replay(void *inst, const uint8_t *buf, size_t len, struct replay_stats *st,
		  char *err, size_t errlen);

/* replay_cli.c: read the MRT file at path and replay it into inst. 0 with a
 * summary in msg ("N records, ..."), or -errno with where and why in msg
 * (-EINTR: a SIGINT or SIGTERM is pending and stopped it). */
int bgp_replay_file(void *inst, const char *path, char *msg, size_t msglen);

/* replay_cli.c: the plugin's replay hook (see plugin.h) */
int bgp_replay_main(const char *cfg_path, const void *conf, const char *file);

#endif
