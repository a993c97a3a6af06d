// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web_sse.c - the Server-Sent Events stream
 *
 * Owns the SSE clients: each is a libmicrohttpd callback response reading from
 * the client's queue. An empty queue suspends the connection (no busy
 * polling); web_sse_wake() resumes it once there is data. A queue that would
 * pass WEB_SSE_QUEUE_MAX closes that client (the browser's EventSource
 * reconnects and gets a fresh status). Called by web.c, which owns the timers
 * and the bus subscription that feed it.
 */
#include "web_sse.h"
#include "log.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sse_client {
	struct list_head node;
	struct web_sse *s;
	struct MHD_Connection *con;
	char *buf;
	size_t len, off, cap;
	bool suspended, dead;
};

void web_sse_init(struct web_sse *s)
{
	memset(s, 0, sizeof(*s));
	list_init(&s->clients);
}

char *web_sse_format(const char *event, const char *data, size_t *len)
{
	char *out = NULL;
	size_t sz = 0;
	FILE *f = open_memstream(&out, &sz);
	const char *p;

	if (!f)
		return NULL;
	if (!event) {
		fputs(": keepalive\n\n", f);
	} else {
		fprintf(f, "event: %s\n", event);
		/* one data: line per line of data (JSON from json-c has none) */
		for (p = data; ; ) {
			const char *nl = strchr(p, '\n');
			size_t n = nl ? (size_t)(nl - p) : strlen(p);

			fputs("data: ", f);
			fwrite(p, 1, n, f);
			fputc('\n', f);
			if (!nl)
				break;
			p = nl + 1;
		}
		fputc('\n', f);
	}
	if (fclose(f)) {
		free(out);
		return NULL;
	}
	*len = sz;
	return out;
}

static bool client_push(struct sse_client *c, const char *txt, size_t len)
{
	if (c->dead)
		return false;
	if (c->off && c->off == c->len)
		c->off = c->len = 0;
	if (c->len - c->off + len > WEB_SSE_QUEUE_MAX) {
		c->dead = true; /* it does not read: close it, never buffer without bound */
		c->s->dropped++;
		return false;
	}
	if (c->len + len > c->cap) {
		size_t cap = c->len - c->off + len;
		char *nb;

		cap = cap < 4096 ? 4096 : cap * 2;
		if (cap > 2 * WEB_SSE_QUEUE_MAX)
			cap = 2 * WEB_SSE_QUEUE_MAX;
		nb = malloc(cap);
		if (!nb) {
			c->dead = true;
			return false;
		}
		if (c->buf)
			memcpy(nb, c->buf + c->off, c->len - c->off);
		free(c->buf);
		c->buf = nb;
		c->len -= c->off;
		c->off = 0;
		c->cap = cap;
	}
	memcpy(c->buf + c->len, txt, len);
	c->len += len;
	return true;
}

static ssize_t sse_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct sse_client *c = cls;
	size_t n;

	(void)pos;
	if (c->dead)
		return MHD_CONTENT_READER_END_WITH_ERROR;
	if (c->off == c->len) {
		c->off = c->len = 0;
		c->suspended = true;
		MHD_suspend_connection(c->con);
		return 0;
	}
	n = c->len - c->off < max ? c->len - c->off : max;
	memcpy(buf, c->buf + c->off, n);
	c->off += n;
	return (ssize_t)n;
}

static void sse_free(void *cls)
{
	struct sse_client *c = cls;

	list_del(&c->node);
	c->s->n--;
	free(c->buf);
	free(c);
}

struct MHD_Response *web_sse_open(struct web_sse *s, struct MHD_Connection *con,
				  const char *first, size_t len)
{
	struct MHD_Response *resp;
	struct sse_client *c;

	if (s->n >= WEB_SSE_CLIENTS_MAX)
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->s = s;
	c->con = con;
	list_init(&c->node);
	if (len && !client_push(c, first, len)) {
		free(c->buf);
		free(c);
		return NULL;
	}
	resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, sse_read, c, sse_free);
	if (!resp) {
		free(c->buf);
		free(c);
		return NULL;
	}
	list_add_tail(&c->node, &s->clients);
	s->n++;
	return resp;
}

void web_sse_send(struct web_sse *s, const char *event, const char *data)
{
	struct sse_client *c;
	size_t len;
	char *txt;

	if (!s->n)
		return;
	txt = web_sse_format(event, data ? data : "", &len);
	if (!txt)
		return;
	list_for_each_entry(c, &s->clients, node)
		client_push(c, txt, len);
	free(txt);
}

void web_sse_wake(struct web_sse *s)
{
	struct sse_client *c;

	list_for_each_entry(c, &s->clients, node) {
		if (c->suspended && (c->dead || c->off < c->len)) {
			c->suspended = false;
			MHD_resume_connection(c->con);
		}
	}
}

void web_sse_close_all(struct web_sse *s)
{
	struct sse_client *c;

	list_for_each_entry(c, &s->clients, node)
		c->dead = true;
	web_sse_wake(s);
}
