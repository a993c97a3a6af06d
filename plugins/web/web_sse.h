/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: web_sse.h - Server-Sent Events clients of GET /api/stream
 *
 * A bounded set of clients, each with a bounded queue. Sending appends the
 * event to every queue; a client whose queue would overflow (it does not read)
 * is closed, so a slow client never holds memory or the loop. An idle client's
 * connection is suspended in libmicrohttpd and resumed by web_sse_wake().
 */
#ifndef UPLINKD_WEB_SSE_H
#define UPLINKD_WEB_SSE_H

#include <stddef.h>

#include "list.h"

#define WEB_SSE_CLIENTS_MAX 16
#define WEB_SSE_QUEUE_MAX (128 * 1024)

struct MHD_Connection;
struct MHD_Response;

struct web_sse {
	struct list_head clients;
	size_t n;
	unsigned long dropped; /* clients closed for not reading */
};

void web_sse_init(struct web_sse *s);
/* A response streaming to con, starting with first (copied); NULL if full or no memory. */
struct MHD_Response *web_sse_open(struct web_sse *s, struct MHD_Connection *con,
				  const char *first, size_t len);
/* Queue "event: EVENT\ndata: DATA\n\n" (event NULL: a comment line, the heartbeat). */
void web_sse_send(struct web_sse *s, const char *event, const char *data);
/* Resume the clients that have something to send (or are to be closed). */
void web_sse_wake(struct web_sse *s);
/* Mark every client closed and wake them (before MHD_stop_daemon). */
void web_sse_close_all(struct web_sse *s);

/* The text of one event, as queued (malloc'd; for tests). */
char *web_sse_format(const char *event, const char *data, size_t *len);

#endif
