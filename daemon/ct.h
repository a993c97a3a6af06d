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

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;
struct uplink;

/* One entry to delete: its original tuple, kept as the kernel sent it. */
struct ct_tuple {
	uint8_t family;
	bool has_zone;
	uint16_t zone_be;	/* CTA_ZONE, network byte order */
	uint16_t len;		/* bytes of orig: the whole CTA_TUPLE_ORIG attribute */
	uint8_t orig[192];
};

/* Pure builders and parser (unit tests, fuzzing). Builders return the message
 * length or -ENOSPC. ct_msg_match() returns 1 and fills *t when the entry's
 * reply-direction destination is addr (4 or 16 bytes by family), 0 when it is
 * not, -EINVAL when the message is malformed. */
int ct_msg_build_dump(void *buf, size_t len, int family, uint32_t seq);
int ct_msg_match(const void *nlmsg, size_t len, int family, const void *addr,
		 struct ct_tuple *t);
int ct_msg_build_delete(void *buf, size_t len, const struct ct_tuple *t, uint32_t seq);

/* Pure: the ct mark of a conntrack message (0 when it has none). 0 or -EINVAL. */
int ct_msg_mark(const void *nlmsg, size_t len, uint32_t *mark);

int ct_init(struct daemon *d);
/* Start counting the entries (both families) whose ct mark is marks[i] (balance mode:
 * the connections each uplink carries, at most 16 marks). The dump is read one buffer
 * per loop wake-up; ct_mark_counts() then has the result. 0, -EALREADY or -errno. */
int ct_count_marks_start(struct daemon *d, const uint32_t *marks, size_t n);
/* The last finished count, by mark index, and when it finished. 0 or -ENODATA. */
int ct_mark_counts(const struct daemon *d, uint64_t *counts, size_t n, uint64_t *when_ms);
void ct_destroy(struct daemon *d);
/* Queue a flush of u's entries (each of its current addresses); it runs in bounded
 * steps from the loop and logs what it deleted. 0, or -errno when not queued. */
int ct_flush_uplink(struct daemon *d, const struct uplink *u);
/* A flush is queued or running (tests, bench). */
bool ct_busy(const struct daemon *d);
/* Entries flushed since start. */
uint64_t ct_flushed(const struct daemon *d);

#endif
