/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: history.h - per-uplink RTT, loss and jitter at fixed resolution
 *
 * Two rings per uplink, indexed by wall-clock time: 1 s x 15 min and 1 min x 24 h.
 * Memory is fixed per uplink (WEB_HIST_FINE_N + WEB_HIST_COARSE_N points) and the
 * number of uplinks is capped. A minute's coarse point is the mean of its known
 * one-second points (the worst state). Pure: no clock reads; the caller passes the
 * time. The file format is written and read from memory buffers, so the loader
 * (a parser of outside bytes) is unit tested and fuzzed without files.
 */
#ifndef UPLINKD_WEB_HISTORY_H
#define UPLINKD_WEB_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WEB_HIST_FINE_N 900	 /* 1 s for 15 min */
#define WEB_HIST_COARSE_N 1440	 /* 1 min for 24 h */
#define WEB_HIST_UPLINKS_MAX 32
#define WEB_HIST_NAME_MAX 63
#define WEB_HIST_STATE_NONE 0xff /* no sample for this slot */

struct json_object;

/* One sample; a value < 0 means "not measured". state: enum health_state or NONE. */
struct web_hist_point {
	float rtt_ms, loss_pct, jitter_ms;
	uint8_t state;
};

struct web_hist_ring {
	uint64_t head;	/* time (in the ring's unit) of the newest slot; 0: empty */
	size_t n;	/* slots */
	struct web_hist_point *p;
};

struct web_hist_uplink {
	char name[WEB_HIST_NAME_MAX + 1];
	struct web_hist_ring fine;   /* unit: seconds */
	struct web_hist_ring coarse; /* unit: minutes */
};

struct web_history {
	struct web_hist_uplink *u[WEB_HIST_UPLINKS_MAX];
	size_t n;
};

void web_history_init(struct web_history *h);
void web_history_free(struct web_history *h);

/* The uplink's rings; created when create is set (NULL: no memory or full). */
struct web_hist_uplink *web_history_get(struct web_history *h, const char *name, bool create);
/* Forget every uplink not named in names[0..n). */
void web_history_retain(struct web_history *h, const char *const *names, size_t n);

/* Record pt for second now_s (wall clock); fills the coarse point of each finished minute. */
int web_history_add(struct web_history *h, const char *name, uint64_t now_s,
		    const struct web_hist_point *pt);

/* {"uplink","now_s","fine":{"step_s":1,"start_s",rtt_ms[],loss_pct[],jitter_ms[],state[]},
 *  "coarse":{"step_s":60,...}} up to now_s; unknown values are null. */
struct json_object *web_history_json(const struct web_hist_uplink *u, uint64_t now_s);

/* The file image of h (malloc'd). 0 or -ENOMEM. */
int web_history_save_buf(const struct web_history *h, uint8_t **buf, size_t *len);
/* Load a file image into h (replacing uplinks of the same name). 0, or -EINVAL with a
 * message naming the byte offset and what is wrong in err; h is unchanged then. */
int web_history_load_buf(struct web_history *h, const uint8_t *buf, size_t len, char *err,
			 size_t errlen);

/* File I/O: atomic write (PATH.tmp, fsync, rename); load (a missing file is 0 and empty). */
int web_history_save(const struct web_history *h, const char *path);
int web_history_load(struct web_history *h, const char *path, char *err, size_t errlen);

#endif
