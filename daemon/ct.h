/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: ct.h - conntrack flushes (ctnetlink)
 *
 * When an uplink stops carrying traffic, flows NATed to its address are stuck
 * on it (their replies go to that address). Flush exactly those: conntrack
 * entries whose reply-direction destination is one of the uplink's addresses,
 * nothing else (mwan3 flushes the whole table).
 */
#ifndef UPLINKD_CT_H
#define UPLINKD_CT_H

#include <stddef.h>
#include <stdint.h>

struct daemon;
struct uplink;

int ct_init(struct daemon *d);
void ct_destroy(struct daemon *d);
/* Returns the number of entries deleted, or -errno. */
int ct_flush_uplink(struct daemon *d, const struct uplink *u);

#endif
