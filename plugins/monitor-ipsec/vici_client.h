/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: vici_client.h - a non-blocking VICI connection on the daemon's loop
 *
 * One unix stream socket to charon. Requests (framed packets built with
 * vici.h) wait in a bounded FIFO; one is outstanding at a time because VICI has
 * no sequence numbers. Events are demultiplexed by packet type and handed to
 * ops->event, also while a request is outstanding (list-sas streams list-sa
 * events before its response). On any error - charon restarting, a malformed
 * packet, a request unanswered for VICI_REQ_TIMEOUT_MS - the connection is
 * closed, every queued request fails (callback with NULL), ops->down is told
 * and a reconnect is tried after a backoff of 100 ms doubling up to 5 s.
 * ops->up runs after each successful connect: register events and resync there.
 */
#ifndef UPLINKD_VICI_CLIENT_H
#define UPLINKD_VICI_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "list.h"
#include "loop.h"
#include "vici.h"

#define VICI_REQ_MAX 512		/* queued requests */
#define VICI_REQ_TIMEOUT_MS 10000
#define VICI_BACKOFF_MIN_MS 100
#define VICI_BACKOFF_MAX_MS 5000

/* m: the reply (CMD_RESPONSE, CMD_UNKNOWN, EVENT_CONFIRM, EVENT_UNKNOWN), or
 * NULL when the request failed (connection lost, queue destroyed). */
typedef void (*vici_reply_cb)(void *ctx, const struct vici_msg *m);

struct vici_client_ops {
	void (*up)(void *ctx);
	void (*down)(void *ctx, const char *why);
	void (*event)(void *ctx, const struct vici_msg *m);
};

struct vici_req {
	struct list_head node;
	vici_reply_cb cb;
	void *ctx;
	size_t len, sent;
	uint8_t pkt[];
};

struct vici_client {
	struct loop *loop;
	char path[108];
	const struct vici_client_ops *ops;
	void *ctx;

	struct loop_fd fd;
	bool connected;
	struct loop_timer retry;	/* reconnect */
	struct loop_timer deadline;	/* outstanding request */
	unsigned int backoff_ms;
	char last_err[128];
	uint64_t connects;		/* successful connects */

	struct list_head queue;		/* struct vici_req; head is outstanding */
	size_t nqueue;
	bool head_sent;			/* head written completely, awaiting reply */

	uint8_t *rbuf;
	size_t rlen, rcap;
};

int vici_client_init(struct vici_client *c, struct loop *l, const char *path,
		     const struct vici_client_ops *ops, void *ctx);
void vici_client_destroy(struct vici_client *c);
/* Queue a framed packet (copied). 0, -ENOTCONN, -ENOBUFS or -ENOMEM; the
 * callback runs only if 0 is returned. */
int vici_client_request(struct vici_client *c, const uint8_t *pkt, size_t len, vici_reply_cb cb,
			void *ctx);
/* Build and queue a command with no arguments, or an event registration. */
int vici_client_simple(struct vici_client *c, enum vici_pkt_type type, const char *name,
		       vici_reply_cb cb, void *ctx);

#endif
