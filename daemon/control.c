// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: control.c - the control socket
 *
 * Owns the unix socket at control.socket and its clients. A request is one JSON
 * object per line, parsed by control_req.c (pure, fuzzed). Clients are
 * non-blocking with bounded buffers: a line over 64 KiB is answered with an
 * error and the client closed; replies are queued and written on EPOLLOUT, so a
 * slow reader never blocks the loop; a client idle for 30 s is dropped.
 * Calls status.c, journal.c, policy.c and daemon_reload(). A changed socket
 * path takes effect at the next restart.
 */
#include "control.h"
#include "daemon.h"
#include "journal.h"
#include "log.h"
#include "policy.h"
#include "status.h"

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONTROL_LINE_MAX (64 * 1024)
#define CONTROL_IDLE_NS (30 * NSEC_PER_SEC)
#define CONTROL_CLIENTS_MAX 32

struct control_client {
	struct list_head node;
	struct control *c;
	struct loop_fd fd;
	struct loop_timer idle;
	char in[CONTROL_LINE_MAX];
	size_t inlen;
	char *out;
	size_t outlen, outoff;
	bool closing; /* close once out is written */
};

struct control {
	struct daemon *d;
	struct loop_fd listen;
	char *path;
	struct list_head clients;
	size_t nclients;
};

/* ---- clients ---- */

static void client_close(struct control_client *cl)
{
	struct control *c = cl->c;

	loop_fd_del(&c->d->loop, &cl->fd);
	loop_timer_cancel(&c->d->loop, &cl->idle);
	close(cl->fd.fd);
	list_del(&cl->node);
	c->nclients--;
	free(cl->out);
	free(cl);
}

static void client_flush(struct control_client *cl)
{
	while (cl->outoff < cl->outlen) {
		ssize_t n = write(cl->fd.fd, cl->out + cl->outoff, cl->outlen - cl->outoff);

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK) {
				loop_fd_mod(&cl->c->d->loop, &cl->fd, EPOLLIN | EPOLLOUT);
				return;
			}
			cl->closing = true;
			cl->outoff = cl->outlen;
			break;
		}
		cl->outoff += (size_t)n;
	}
	free(cl->out);
	cl->out = NULL;
	cl->outlen = cl->outoff = 0;
	if (cl->closing) {
		client_close(cl);
		return;
	}
	loop_fd_mod(&cl->c->d->loop, &cl->fd, EPOLLIN);
}

static void client_send(struct control_client *cl, struct json_object *reply)
{
	const char *s = json_object_to_json_string_ext(reply, JSON_C_TO_STRING_PLAIN);
	size_t len = strlen(s);
	char *out = realloc(cl->out, cl->outlen + len + 1);

	if (out) {
		memcpy(out + cl->outlen, s, len);
		out[cl->outlen + len] = '\n';
		cl->out = out;
		cl->outlen += len + 1;
	}
	json_object_put(reply);
}

static struct json_object *reply_error(const char *msg)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "ok", json_object_new_boolean(0));
	json_object_object_add(r, "error", json_object_new_string(msg));
	return r;
}

static struct json_object *control_handle(struct control *c, const char *line, size_t len)
{
	struct daemon *d = c->d;
	struct control_req req;
	struct json_object *r;
	char err[512];

	if (control_req_parse(line, len, &req, err, sizeof(err)) < 0) {
		log_dbg(LOG_CTL, "control: refused a request: %s", err);
		return reply_error(err);
	}
	r = json_object_new_object();
	switch (req.cmd) {
	case CONTROL_STATUS:
		json_object_object_add(r, "status", status_build(d));
		break;
	case CONTROL_EVENTS:
		json_object_object_add(r, "events", journal_last(d, (size_t)req.count));
		break;
	case CONTROL_RELOAD: {
		char *errs = NULL;

		if (daemon_reload(d, &errs) < 0) {
			json_object_put(r);
			r = reply_error(errs ? errs : "reload failed");
			free(errs);
			return r;
		}
		break;
	}
	case CONTROL_PREFER:
		if (policy_prefer(d, req.uplink, err, sizeof(err)) < 0) {
			json_object_put(r);
			return reply_error(err);
		}
		break;
	}
	json_object_object_add(r, "ok", json_object_new_boolean(1));
	return r;
}

static void client_idle_cb(struct loop_timer *t)
{
	client_close(container_of(t, struct control_client, idle));
}

static void client_cb(struct loop_fd *f, uint32_t events)
{
	struct control_client *cl = container_of(f, struct control_client, fd);
	char *nl;
	ssize_t n;

	if (events & EPOLLOUT) {
		client_flush(cl);
		return; /* may have closed the client */
	}
	if (cl->closing)
		return;
	n = read(f->fd, cl->in + cl->inlen, sizeof(cl->in) - cl->inlen);
	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		client_close(cl);
		return;
	}
	cl->inlen += (size_t)n;
	loop_timer_set_in(&cl->c->d->loop, &cl->idle, CONTROL_IDLE_NS);
	while ((nl = memchr(cl->in, '\n', cl->inlen))) {
		size_t len = (size_t)(nl - cl->in);

		client_send(cl, control_handle(cl->c, cl->in, len));
		memmove(cl->in, nl + 1, cl->inlen - len - 1);
		cl->inlen -= len + 1;
	}
	if (cl->inlen == sizeof(cl->in)) {
		client_send(cl, reply_error("request line longer than 64 KiB; closing"));
		cl->closing = true;
	}
	client_flush(cl);
}

static void listen_cb(struct loop_fd *f, uint32_t events)
{
	struct control *c = container_of(f, struct control, listen);
	struct control_client *cl;
	int fd;

	(void)events;
	while ((fd = accept4(f->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		if (c->nclients >= CONTROL_CLIENTS_MAX || !(cl = calloc(1, sizeof(*cl)))) {
			log_warn("control: %zu clients connected; refusing another", c->nclients);
			close(fd);
			continue;
		}
		cl->c = c;
		cl->fd.fd = fd;
		cl->fd.cb = client_cb;
		loop_timer_init(&cl->idle, client_idle_cb);
		if (loop_fd_add(&c->d->loop, &cl->fd, EPOLLIN) < 0) {
			close(fd);
			free(cl);
			continue;
		}
		list_add_tail(&cl->node, &c->clients);
		c->nclients++;
		loop_timer_set_in(&c->d->loop, &cl->idle, CONTROL_IDLE_NS);
	}
}

/* Is another daemon answering on path? */
static bool socket_in_use(const struct sockaddr_un *sa)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return false;
	used = connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) == 0;
	close(fd);
	return used;
}

static void mkdir_parent(const char *path)
{
	char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];
	char *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = '\0';
	if (mkdir(dir, 0750) < 0 && errno == ENOENT) {
		mkdir_parent(dir);
		mkdir(dir, 0750);
	}
}

int control_init(struct daemon *d)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct control *c;
	const char *path = d->cfg->control_socket;
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		log_err("control: socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sa.sun_path, path);
	if (socket_in_use(&sa)) {
		log_err("control: %s: another uplinkd answers there; stop it or set control.socket",
			path);
		return -EADDRINUSE;
	}
	unlink(path);
	mkdir_parent(path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 16) < 0) {
		err = -errno;
		log_err("control: cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return err;
	}
	chmod(path, 0660);
	c = calloc(1, sizeof(*c));
	if (!c) {
		close(fd);
		return -ENOMEM;
	}
	c->d = d;
	c->path = strdup(path);
	list_init(&c->clients);
	c->listen.fd = fd;
	c->listen.cb = listen_cb;
	err = loop_fd_add(&d->loop, &c->listen, EPOLLIN);
	if (err < 0) {
		close(fd);
		free(c->path);
		free(c);
		return err;
	}
	d->control = c;
	return 0;
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
	if (c->path)
		unlink(c->path);
	free(c->path);
	free(c);
	d->control = NULL;
}
