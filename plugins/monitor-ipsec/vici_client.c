// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: vici_client.c - charon's VICI socket, non-blocking, with reconnect
 *
 * See vici_client.h. Uses vici.c for framing and parsing, loop.c for the fd and
 * timers; called by ipsec.c.
 */

#include "vici_client.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define RBUF_MIN 16384

static void client_close(struct vici_client *c, const char *why);

static void want_write(struct vici_client *c, bool on)
{
	if (c->connected)
		loop_fd_mod(c->loop, &c->fd, EPOLLIN | (on ? EPOLLOUT : 0));
}

static int flush(struct vici_client *c)
{
	struct vici_req *r;
	ssize_t n;

	if (!c->connected || list_empty(&c->queue) || c->head_sent)
		return 0;
	r = list_entry(c->queue.next, struct vici_req, node);
	while (r->sent < r->len) {
		n = send(c->fd.fd, r->pkt + r->sent, r->len - r->sent, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			want_write(c, true);
			return 0;
		}
		if (n <= 0)
			return -errno;
		r->sent += (size_t)n;
	}
	c->head_sent = true;
	want_write(c, false);
	loop_timer_set_in(c->loop, &c->deadline, VICI_REQ_TIMEOUT_MS * NSEC_PER_MSEC);
	return 0;
}

static void complete_head(struct vici_client *c, const struct vici_msg *m)
{
	struct vici_req *r;

	if (list_empty(&c->queue) || !c->head_sent) {
		log_warn("ipsec: vici %s: a reply nobody asked for (%s); ignored", c->path,
			 m ? vici_pkt_type_names[m->type] : "?");
		return;
	}
	r = list_entry(c->queue.next, struct vici_req, node);
	list_del(&r->node);
	c->nqueue--;
	c->head_sent = false;
	loop_timer_cancel(c->loop, &c->deadline);
	if (r->cb)
		r->cb(r->ctx, m);
	free(r);
	if (c->connected) {
		int err = flush(c);

		if (err < 0)
			client_close(c, strerror(-err));
	}
}

static void handle_packet(struct vici_client *c, const uint8_t *pkt, size_t len)
{
	struct vici_msg *m = NULL;
	struct vici_err e = { 0 };
	int err = vici_msg_parse(pkt, len, &m, &e);

	if (err < 0) {
		char why[128];

		snprintf(why, sizeof(why), "malformed packet (%s at byte %zu)",
			 e.reason ? e.reason : strerror(-err), e.offset);
		client_close(c, why);
		return;
	}
	if (m->type == VICI_EVENT) {
		if (c->ops->event)
			c->ops->event(c->ctx, m);
	} else if (m->type == VICI_CMD_RESPONSE || m->type == VICI_CMD_UNKNOWN ||
		   m->type == VICI_EVENT_CONFIRM || m->type == VICI_EVENT_UNKNOWN) {
		complete_head(c, m);
	} else {
		log_warn("ipsec: vici %s: unexpected %s packet; ignored", c->path,
			 vici_pkt_type_names[m->type]);
	}
	vici_msg_free(m);
}

static void on_readable(struct vici_client *c)
{
	size_t off, plen, used;
	ssize_t n;
	int r = 0;

	for (;;) {
		if (c->rlen == c->rcap) {
			size_t ncap = c->rcap * 2;
			uint8_t *nb;

			if (ncap > VICI_MSG_MAX + VICI_HDR_LEN)
				ncap = VICI_MSG_MAX + VICI_HDR_LEN;
			if (ncap <= c->rcap) {
				client_close(c, "receive buffer full");
				return;
			}
			nb = realloc(c->rbuf, ncap);
			if (!nb) {
				client_close(c, "out of memory");
				return;
			}
			c->rbuf = nb;
			c->rcap = ncap;
		}
		n = recv(c->fd.fd, c->rbuf + c->rlen, c->rcap - c->rlen, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(c, n == 0 ? "charon closed the connection" : strerror(errno));
			return;
		}
		c->rlen += (size_t)n;
		used = 0;
		while (c->connected &&
		       (r = vici_frame_next(c->rbuf + used, c->rlen - used, &off, &plen)) == 1) {
			handle_packet(c, c->rbuf + used + off, plen);
			used += off + plen;
		}
		if (!c->connected)
			return;
		if (r < 0) {
			client_close(c, "bad segment length");
			return;
		}
		if (used) {
			memmove(c->rbuf, c->rbuf + used, c->rlen - used);
			c->rlen -= used;
		}
	}
	if (c->connected && c->rcap > RBUF_MIN && c->rlen < RBUF_MIN) {
		uint8_t *nb = realloc(c->rbuf, RBUF_MIN);

		if (nb) {
			c->rbuf = nb;
			c->rcap = RBUF_MIN;
		}
	}
}

static void fd_cb(struct loop_fd *f, uint32_t ev)
{
	struct vici_client *c = container_of(f, struct vici_client, fd);
	int err;

	if (ev & EPOLLIN || ev & (EPOLLHUP | EPOLLERR))
		on_readable(c);
	if (!c->connected)
		return;
	if (ev & EPOLLOUT) {
		err = flush(c);
		if (err < 0)
			client_close(c, strerror(-err));
	}
}

static void fail_all(struct vici_client *c)
{
	struct vici_req *r;

	while (!list_empty(&c->queue)) {
		r = list_entry(c->queue.next, struct vici_req, node);
		list_del(&r->node);
		c->nqueue--;
		if (r->cb)
			r->cb(r->ctx, NULL);
		free(r);
	}
	c->head_sent = false;
}

static void client_close(struct vici_client *c, const char *why)
{
	bool was = c->connected;
	/* never connected yet: say it once per distinct reason (charon missing, then
	 * refusing), so the tunnels show it instead of "starting" forever */
	bool first = !was && !c->connects && strcmp(why, c->last_err) != 0;

	if (c->fd.registered)
		loop_fd_del(c->loop, &c->fd);
	if (c->fd.fd >= 0)
		close(c->fd.fd);
	c->fd.fd = -1;
	c->connected = false;
	c->rlen = 0;
	loop_timer_cancel(c->loop, &c->deadline);
	snprintf(c->last_err, sizeof(c->last_err), "%s", why);
	fail_all(c);
	if (was)
		log_warn("ipsec: vici %s: %s; reconnecting", c->path, why);
	if ((was || first) && c->ops->down)
		c->ops->down(c->ctx, why);
	loop_timer_set_in(c->loop, &c->retry, c->backoff_ms * NSEC_PER_MSEC);
	c->backoff_ms = c->backoff_ms * 2 > VICI_BACKOFF_MAX_MS ? VICI_BACKOFF_MAX_MS
								  : c->backoff_ms * 2;
}

static void try_connect(struct vici_client *c)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	memcpy(sa.sun_path, c->path, strlen(c->path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		client_close(c, strerror(errno));
		return;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		char why[160];

		snprintf(why, sizeof(why), "connect: %s", strerror(errno));
		close(fd);
		if (strcmp(why, c->last_err) != 0 && c->connects == 0)
			log_warn("ipsec: vici %s: %s; retrying", c->path, why);
		client_close(c, why);
		return;
	}
	c->fd.fd = fd;
	err = loop_fd_add(c->loop, &c->fd, EPOLLIN);
	if (err < 0) {
		close(fd);
		c->fd.fd = -1;
		client_close(c, strerror(-err));
		return;
	}
	c->connected = true;
	c->connects++;
	c->backoff_ms = VICI_BACKOFF_MIN_MS;
	c->last_err[0] = '\0';
	log_notice("ipsec: vici %s: connected", c->path);
	if (c->ops->up)
		c->ops->up(c->ctx);
}

static void retry_cb(struct loop_timer *t)
{
	try_connect(container_of(t, struct vici_client, retry));
}

static void deadline_cb(struct loop_timer *t)
{
	struct vici_client *c = container_of(t, struct vici_client, deadline);

	client_close(c, "request unanswered for 10 s");
}

int vici_client_init(struct vici_client *c, struct loop *l, const char *path,
		     const struct vici_client_ops *ops, void *ctx)
{
	memset(c, 0, sizeof(*c));
	if (strlen(path) >= sizeof(c->path))
		return -ENAMETOOLONG;
	snprintf(c->path, sizeof(c->path), "%s", path);
	c->loop = l;
	c->ops = ops;
	c->ctx = ctx;
	c->fd.fd = -1;
	c->fd.cb = fd_cb;
	list_init(&c->queue);
	loop_timer_init(&c->retry, retry_cb);
	loop_timer_init(&c->deadline, deadline_cb);
	c->backoff_ms = VICI_BACKOFF_MIN_MS;
	c->rbuf = malloc(RBUF_MIN);
	if (!c->rbuf)
		return -ENOMEM;
	c->rcap = RBUF_MIN;
	loop_timer_set_in(l, &c->retry, 0);
	return 0;
}

void vici_client_destroy(struct vici_client *c)
{
	if (!c->loop)
		return;
	if (c->fd.registered)
		loop_fd_del(c->loop, &c->fd);
	if (c->fd.fd >= 0)
		close(c->fd.fd);
	c->fd.fd = -1;
	c->connected = false;
	loop_timer_cancel(c->loop, &c->retry);
	loop_timer_cancel(c->loop, &c->deadline);
	fail_all(c);
	free(c->rbuf);
	c->rbuf = NULL;
	c->loop = NULL;
}

int vici_client_request(struct vici_client *c, const uint8_t *pkt, size_t len, vici_reply_cb cb,
			void *ctx)
{
	struct vici_req *r;
	int err;

	if (!c->connected)
		return -ENOTCONN;
	if (c->nqueue >= VICI_REQ_MAX)
		return -ENOBUFS;
	r = malloc(sizeof(*r) + len);
	if (!r)
		return -ENOMEM;
	memcpy(r->pkt, pkt, len);
	r->len = len;
	r->sent = 0;
	r->cb = cb;
	r->ctx = ctx;
	list_add_tail(&r->node, &c->queue);
	c->nqueue++;
	err = flush(c);
	if (err < 0) {
		/* the request stays queued; closing fails it through its callback */
		client_close(c, strerror(-err));
	}
	return 0;
}

int vici_client_simple(struct vici_client *c, enum vici_pkt_type type, const char *name,
		       vici_reply_cb cb, void *ctx)
{
	uint8_t buf[300];
	struct vici_buf b;

	vici_buf_init(&b, buf, sizeof(buf));
	vici_msg_begin(&b, type, name);
	if (vici_msg_finish(&b) < 0)
		return -EINVAL;
	return vici_client_request(c, buf, b.len, cb, ctx);
}
