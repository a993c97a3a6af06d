/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: hook.h - executable hooks run on every change
 *
 * Every executable in hooks_dir (sorted by name, owned by root, not group- or
 * world-writable) runs for each bus event with UPLINKD_EVENT, UPLINKD_OBJECT,
 * UPLINKD_UPLINK, UPLINKD_OLD_STATE, UPLINKD_NEW_STATE, UPLINKD_REASON,
 * UPLINKD_TIME in a clean environment, in its own process group, with a
 * timeout (hook_timeout_s) after which the group is killed. Hooks run one at a
 * time from a bounded queue; children are reaped through SIGCHLD (signalfd).
 */
#ifndef UPLINKD_HOOK_H
#define UPLINKD_HOOK_H

#include <stddef.h>

struct daemon;
struct bus_event;

int hooks_init(struct daemon *d);
void hooks_destroy(struct daemon *d);
/* main.c forwards SIGCHLD here. */
void hooks_sigchld(struct daemon *d);

/* Pure: the environment for ev, NULL-terminated, in buf; returns count or -ENOSPC. */
int hook_env_build(const struct bus_event *ev, char **envp, size_t max, char *buf,
		   size_t buflen);

#endif
