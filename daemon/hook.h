/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: hook.h - executable hooks run on every change
 *
 * Every executable in hooks_dir (sorted by name, owned by root, not group- or
 * world-writable) runs for each bus event with UPLINKD_EVENT, UPLINKD_OBJECT,
 * UPLINKD_UPLINK, UPLINKD_OLD_STATE, UPLINKD_NEW_STATE, UPLINKD_REASON,
 * UPLINKD_TIME, UPLINKD_COALESCED and UPLINKD_HOOK in a clean environment,
 * without capabilities, under a supervisor that kills everything the hook
 * started at hook_timeout_s or when uplinkd dies. Each hook sees its own
 * events in order; different hooks run at the same time (HOOK_PARALLEL at
 * most). uplink, active and tunnel events are never dropped; other events
 * beyond HOOK_QUEUE_MAX waiting for one hook are merged, with a count.
 * Children are reaped through SIGCHLD (signalfd).
 */
#ifndef UPLINKD_HOOK_H
#define UPLINKD_HOOK_H

#include <stddef.h>

#define HOOK_PARALLEL 4		/* hook processes at once */
#define HOOK_QUEUE_MAX 64	/* other events waiting per hook before they merge */

struct daemon;
struct bus_event;

int hooks_init(struct daemon *d);
void hooks_destroy(struct daemon *d);
/* main.c forwards SIGCHLD here. */
void hooks_sigchld(struct daemon *d);

/* Pure: the environment for ev (coalesced: events merged into it; hook: its path),
 * NULL-terminated, in buf; returns count or -ENOSPC. */
int hook_env_build(const struct bus_event *ev, unsigned int coalesced, const char *hook,
		   char **envp, size_t max, char *buf, size_t buflen);

/* Can hooks run from dir? 0; -ENOENT (missing) or -EPERM (not a root-owned directory
 * closed to group and others), with msg saying what to do. uplinkd -t warns with it. */
int hooks_dir_check(const char *dir, char *msg, size_t len);

#endif
