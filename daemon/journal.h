/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: journal.h - the bounded, persistent event journal
 *
 * Subscribes to the bus and appends every event (with its reason) as a JSON line
 * to STATE_DIR/journal.jsonl, batched per loop callback; keeps at most
 * journal_max entries, monitor signals and alerts leaving first (the file is
 * compacted by atomic rename when it reaches twice that) and reloads them at
 * start, so `uplinkctl events` survives restarts. Creates STATE_DIR 0700 and
 * refuses one that another user owns or that group or others may write.
 */
#ifndef UPLINKD_JOURNAL_H
#define UPLINKD_JOURNAL_H

#include <stddef.h>

struct daemon;
struct json_object;

/* 0, or -EPERM: state_dir refused (logged with what to do; uplinkd must not
 * start); an unusable state_dir otherwise leaves the journal in memory. */
int journal_init(struct daemon *d);
void journal_destroy(struct daemon *d);
/* The last `count` entries, oldest first, as a JSON array (new reference). */
struct json_object *journal_last(struct daemon *d, size_t count);
/* One event as the journal keeps it: {ts_ms, type, object, old, new, reason}
 * (the web stream and uplinkd --replay print the same shape). */
struct bus_event;
struct json_object *journal_event_json(const struct bus_event *ev);

/* May uplinkd keep its state in a directory with this stat? 0, or -ENOTDIR / -EPERM
 * with msg saying why and what to do. Owner: root or uplinkd's effective uid;
 * not writable by group or others. */
struct stat;
int journal_state_dir_check(const struct stat *st, const char *dir, char *msg, size_t len);

#endif
