/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: journal.h - the bounded, persistent event journal
 *
 * Subscribes to the bus and appends every event (with its reason) as a JSON line
 * to STATE_DIR/journal.jsonl; keeps at most journal_max entries (the file is
 * compacted by atomic rename when it reaches twice that) and reloads them at
 * start, so `uplinkctl events` survives restarts.
 */
#ifndef UPLINKD_JOURNAL_H
#define UPLINKD_JOURNAL_H

#include <stddef.h>

struct daemon;
struct json_object;

int journal_init(struct daemon *d);
void journal_destroy(struct daemon *d);
/* The last `count` entries, oldest first, as a JSON array (new reference). */
struct json_object *journal_last(struct daemon *d, size_t count);
/* One event as the journal keeps it: {ts_ms, type, object, old, new, reason}
 * (the web stream and uplinkd --replay print the same shape). */
struct bus_event;
struct json_object *journal_event_json(const struct bus_event *ev);

#endif
