/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: replay.h - MRT dumps through the detection engine (uplinkd --replay)
 *
 * TABLE_DUMP and TABLE_DUMP_V2 RIB entries become announcements of the peer they name,
 * BGP4MP UPDATEs go through bgp_update_parse() as a live UPDATE would, and a
 * BGP4MP state change out of Established is a Peer Down. Time is the
 * records' own, so alerts carry the dump's timestamps.
 */
#ifndef UPLINKD_BGP_REPLAY_H
#define UPLINKD_BGP_REPLAY_H

#include <stddef.h>
#include <stdint.h>

#include "watch.h"

struct replay_stats {
	uint64_t records;
	uint64_t rib_entries;
	uint64_t updates;
	uint64_t prefixes;
	uint64_t malformed;		/* UPDATEs / RIB entries with treat-as-withdraw or worse */
	uint64_t skipped;		/* records of other types */
};

/* bgp.peers mapping for the dump's peers; may be NULL */
typedef const char *(*replay_uplink_fn)(void *ctx, const char *peer);

/*
 * Run every record of buf through w. 0, or -EBADMSG with "byte N: what" in
 * err (the records before it were used), or -EINTR when a SIGINT or SIGTERM is
 * pending (blocked by the caller; it stays pending). owner tags the views.
 */
int replay_mrt(struct watch *w, const void *owner, const uint8_t *buf, size_t len,
	       replay_uplink_fn uplink_of, void *ctx, struct replay_stats *st, char *err,
	       size_t errlen);

#endif
