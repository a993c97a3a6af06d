// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: control.c - the control socket
 *
 * Owns the unix stream socket at control.socket and its clients. A request is
 * one JSON object per line, parsed by control_req.c (pure, fuzzed); the reply is
 * one JSON object per line, "ok" first. Clients never block the loop:
 * - input is buffered up to CONTROL_LINE_MAX; a longer line is answered with an
 *   error and the client is closed once the answer is written;
 * - one reply at a time is queued and written on EPOLLOUT; while it is pending
 *   the client is not read, so a client that sends and never reads costs one
 *   reply of memory, not one per request;
 * - a client idle for 30 s (no byte read or written) is dropped;
 * - a client that half-closes after its request still gets the answer.
 * At start a socket file nobody answers on is stale and replaced; if something
 * answers (another uplinkd), start fails with a message. The socket path is
 * read once: a reload that changes control.socket takes effect at the next
 * restart (daemon_reload() says so in the log).
 * Every request runs through the command table (command.h), the same one the
 * web API uses. Set up and torn down by daemon.c (control_init/control_destroy).
 */
#include "command.h"
#include "control.h"
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <pwd.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define JSON_OUT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define CONTROL_IDLE_NS (30 * NSEC_PER_SEC)
#define CONTROL_CLIENTS_MAX 32
#define CONTROL_BACKLOG 16
#define CONTROL_IN_MIN 1024

struct control_client {
	struct list_head node;
	struct control *c;
	struct loop_fd fd;
	struct loop_timer idle;
	uint32_t mask;		/* epoll events registered */
	char *in;		/* unparsed input */
	size_t inlen, incap;
	char *out;		/* the pending reply */
	size_t outlen, outoff;
	bool eof;		/* the peer will send no more */
	bool closing;		/* close once out is written */
};

struct control {
	struct daemon *d;
	struct loop_fd listen;
	char *path;
	struct list_head clients;
	size_t nclients;
	struct log_rl rl;
};

/* ---- replies ---- */

static struct json_object *reply_new(bool ok)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(ok));
	return r;
}

static struct json_object *reply_error(const char *msg)
{
	struct json_object *r = reply_new(false);

	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

/* Who sent a request, for the journal: the peer's uid. */
static void peer_who(int fd, char *who, size_t len)
{
	struct ucred cr;
	socklen_t sl = sizeof(cr);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &sl) == 0) {
		struct passwd pw, *res = NULL;
		char buf[512];

		/* the name as the journal's reader knows it; files only in practice (nss) */
		if (getpwuid_r(cr.uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			snprintf(who, len, "%.32s (uplinkctl, uid %u)", pw.pw_name,
				 (unsigned int)cr.uid);
		else
			snprintf(who, len, "uplinkctl uid %u", (unsigned int)cr.uid);
	} else
		snprintf(who, len, "uplinkctl");
}

static struct json_object *control_handle(struct control *c, int fd, const char *line,
					  size_t len)
{
	struct json_object *r, *res = NULL;
	struct command_req req;
	char err[512], who[64];

	if (control_req_parse(line, len, &req, err, sizeof(err)) < 0) {
		log_dbg(LOG_CTL, "control: refused a request: %s", err);
		return reply_error(err);
	}
	log_dbg(LOG_CTL, "control: %.*s", (int)(len < 200 ? len : 200), line);
	if (req.cmd->mutates)
		peer_who(fd, who, sizeof(who));
	else
		snprintf(who, sizeof(who), "uplinkctl");
	if (command_run(c->d, &req, who, &res, err, sizeof(err)) < 0)
		return reply_error(err);
	r = reply_new(true);
	if (req.cmd->reply) {
		json_object_object_add(r, req.cmd->reply, res);
	} else {
		json_object_object_foreach(res, key, val)
			json_object_object_add(r, key, json_object_get(val));
		json_object_put(res);
	}
	return r;
}

/* ---- clients ---- */

static void client_close(struct control_client *cl)
{
	struct control *c = cl->c;

	loop_fd_del(&c->d->loop, &cl->fd);
	loop_timer_cancel(&c->d->loop, &cl->idle);
	close(cl->fd.fd);
	list_del(&cl->node);
	c->nclients--;
	free(cl->in);
	free(cl->out);
	free(cl);
}

static void client_touch(struct control_client *cl)
{
	loop_timer_set_in(&cl->c->d->loop, &cl->idle, CONTROL_IDLE_NS);
}

/* Queue reply (consumed) as the pending output. */
static void client_queue(struct control_client *cl, struct json_object *reply)
{
	const char *s = json_object_to_json_string_ext(reply, JSON_OUT);
	size_t len = strlen(s);

	free(cl->out);
	cl->out = malloc(len + 1);
	cl->outoff = 0;
	if (!cl->out) {
		cl->outlen = 0;
		cl->closing = true;
	} else {
		memcpy(cl->out, s, len);
		cl->out[len] = '\n';
		cl->outlen = len + 1;
	}
	json_object_put(reply);
}

/* Write what the socket takes. 0: done or EAGAIN; -errno: the client is gone. */
static int client_flush(struct control_client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t n = send(cl->fd.fd, cl->out + cl->outoff, cl->outlen - cl->outoff,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		cl->outoff += (size_t)n;
		client_touch(cl);
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	return 0;
}

/* Answer buffered lines while nothing is pending. */
static void client_work(struct control_client *cl)
{
	while (!cl->outlen && !cl->closing) {
		char *nl = memchr(cl->in, '\n', cl->inlen);
		size_t len;

		if (!nl) {
			if (cl->inlen > CONTROL_LINE_MAX) {
				client_queue(cl, reply_error("request line longer than 64 KiB; "
							     "closing the connection"));
				cl->closing = true;
			} else if (cl->eof) {
				/* a last request without its newline still counts */
				if (cl->inlen)
					client_queue(cl, control_handle(cl->c, cl->fd.fd, cl->in, cl->inlen));
				cl->inlen = 0;
				cl->closing = true;
			}
			break;
		}
		len = (size_t)(nl - cl->in);
		client_queue(cl, control_handle(cl->c, cl->fd.fd, cl->in, len));
		memmove(cl->in, nl + 1, cl->inlen - len - 1);
		cl->inlen -= len + 1;
		if (client_flush(cl) < 0)
			cl->closing = true;
	}
}

/* Read once. 0, or -errno when the client must go. */
static int client_read(struct control_client *cl)
{
	ssize_t n;

	if (cl->inlen == cl->incap) {
		size_t cap = cl->incap ? 2 * cl->incap : CONTROL_IN_MIN;
		char *in;

		if (cap > CONTROL_LINE_MAX + 1)
			cap = CONTROL_LINE_MAX + 1;
		in = realloc(cl->in, cap);
		if (!in)
			return -ENOMEM;
		cl->in = in;
		cl->incap = cap;
	}
	n = recv(cl->fd.fd, cl->in + cl->inlen, cl->incap - cl->inlen, MSG_DONTWAIT);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -errno;
	if (n == 0)
		cl->eof = true;
	cl->inlen += (size_t)n;
	client_touch(cl);
	return 0;
}

/* Register for what the client waits on next, or close it. */
static void client_rearm(struct control_client *cl)
{
	uint32_t mask = cl->outlen ? EPOLLOUT : EPOLLIN;

	if (!cl->outlen && (cl->closing || cl->eof)) {
		client_close(cl);
		return;
	}
	if (mask != cl->mask && loop_fd_mod(&cl->c->d->loop, &cl->fd, mask) < 0) {
		client_close(cl);
		return;
	}
	cl->mask = mask;
}

static void client_cb(struct loop_fd *f, uint32_t events)
{
	struct control_client *cl = container_of(f, struct control_client, fd);

	if (cl->outlen && client_flush(cl) < 0) {
		client_close(cl);
		return;
	}
	if (!cl->outlen && !cl->closing && !cl->eof &&
	    (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) && client_read(cl) < 0) {
		client_close(cl);
		return;
	}
	client_work(cl);
	client_rearm(cl);
}

static void client_idle_cb(struct loop_timer *t)
{
	struct control_client *cl = container_of(t, struct control_client, idle);

	log_dbg(LOG_CTL, "control: client idle for 30 s; closed");
	client_close(cl);
}

static void listen_cb(struct loop_fd *f, uint32_t events)
{
	struct control *c = container_of(f, struct control, listen);
	struct control_client *cl;
	int fd;

	(void)events;
	for (;;) {
		fd = accept4(f->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_rl_msg(&c->rl, LOG_ERR, "control: accept on %s: %s", c->path,
					   strerror(errno));
			return;
		}
		if (c->nclients >= CONTROL_CLIENTS_MAX) {
			log_rl_msg(&c->rl, LOG_WARNING,
				   "control: %zu clients connected; refusing another", c->nclients);
			close(fd);
			continue;
		}
		cl = calloc(1, sizeof(*cl));
		if (!cl) {
			close(fd);
			continue;
		}
		cl->c = c;
		cl->fd.fd = fd;
		cl->fd.cb = client_cb;
		cl->mask = EPOLLIN;
		loop_timer_init(&cl->idle, client_idle_cb);
		if (loop_fd_add(&c->d->loop, &cl->fd, EPOLLIN) < 0) {
			close(fd);
			free(cl);
			continue;
		}
		list_add_tail(&cl->node, &c->clients);
		c->nclients++;
		client_touch(cl);
	}
}

/* ---- the listening socket ---- */

/* Does anything answer on sa? A full backlog (EAGAIN) answers too. */
static bool socket_answers(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0 || errno == EAGAIN ||
	       errno == EINPROGRESS;
	close(fd);
	return used;
}

/* mkdir -p of path's parent directory, new ones 0750. */
static int mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *p;

	snprintf(dir, sizeof(dir), "%s", path);
	p = strrchr(dir, '/');
	if (!p || p == dir)
		return 0;
	*p = '\0';
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

static int control_listen(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("control: socket path %s is longer than %zu bytes; shorten control.socket",
			path, sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	err = mkdir_parent(path);
	if (err < 0) {
		log_err("control: cannot create the directory of %s: %s", path, strerror(-err));
		return err;
	}
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_err("control: %s exists and is not a socket; remove it or set "
				"control.socket", path);
			return -EEXIST;
		}
		if (socket_answers(&sa)) {
			log_err("control: %s: another uplinkd (or something else) answers there; "
				"stop it or set control.socket", path);
			return -EADDRINUSE;
		}
		log_info("control: %s: removing a stale socket", path);
		if (unlink(path) < 0 && errno != ENOENT) {
			err = -errno;
			log_err("control: cannot remove the stale socket %s: %s", path,
				strerror(errno));
			return err;
		}
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		err = -errno;
		log_err("control: socket: %s", strerror(errno));
		return err;
	}
	old = umask(0117); /* no window in which the socket is more open than 0660 */
	err = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (err < 0 || listen(fd, CONTROL_BACKLOG) < 0) {
		err = -errno;
		log_err("control: cannot listen on %s: %s", path, strerror(errno));
		goto err;
	}
	if (chmod(path, 0660) < 0) {
		err = -errno;
		log_err("control: chmod 0660 %s: %s", path, strerror(errno));
		unlink(path);
		goto err;
	}
	return fd;
err:
	close(fd);
	return err;
}

int control_init(struct daemon *d)
{
	struct control *c;
	int fd, err;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->d = d;
	c->listen.fd = -1;
	list_init(&c->clients);
	c->path = strdup(d->cfg->control_socket);
	if (!c->path) {
		err = -ENOMEM;
		goto err;
	}
	fd = control_listen(c->path);
	if (fd < 0) {
		err = fd;
		goto err;
	}
	c->listen.fd = fd;
	c->listen.cb = listen_cb;
	err = loop_fd_add(&d->loop, &c->listen, EPOLLIN);
	if (err < 0) {
		log_err("control: epoll: %s", strerror(-err));
		unlink(c->path);
		goto err;
	}
	d->control = c;
	log_dbg(LOG_CTL, "control: listening on %s", c->path);
	return 0;
err:
	if (c->listen.fd >= 0)
		close(c->listen.fd);
	free(c->path);
	free(c);
	return err;
}

void control_destroy(struct daemon *d)
{
	struct control *c = d->control;
	struct control_client *cl, *n;

	if (!c)
		return;
	list_for_each_entry_safe(cl, n, &c->clients, node)
		client_close(cl);
	loop_fd_del(&d->loop, &c->listen);
	close(c->listen.fd);
	unlink(c->path);
	free(c->path);
	free(c);
	d->control = NULL;
}
