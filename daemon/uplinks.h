/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: uplinks.h - the uplinks' lifecycle (daemon.c assembles it)
 *
 * Create, reconfigure or destroy uplinks so they match a configuration (diff
 * by name), and the notifications that make policy run again. Only daemon.c
 * includes this header; sensors reach it through callbacks.
 */
#ifndef UPLINKD_UPLINKS_H
#define UPLINKD_UPLINKS_H

#include "health.h"

struct config;
struct daemon;
struct uplink;

/* Create, reconfigure or destroy uplinks so they match cfg (by name). */
int uplinks_apply(struct daemon *d, const struct config *cfg);
void uplinks_destroy(struct daemon *d);

/* u's health may have changed (the default u->health_changed). */
void uplink_health_changed(struct uplink *u, enum health_state old);
/* link.c saw a change of u's interface (LINK_CHG_* bits): link_init's callback. */
void uplink_link_changed(struct uplink *u, unsigned int what);

#endif
