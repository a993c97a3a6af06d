// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: http.c - the http probe plugin (method = "http"): captive portals, proxies
 *
 * Each probe is one HTTP/1.1 GET of `path` from target:port over a new TCP
 * connection made by probe_socket() (non-blocking, close-on-exec, bound to the
 * uplink's interface and marked with its fwmark, so it leaves through the
 * uplink whatever the main table says). When the connect completes the request
 * is written (it fits the socket buffer: one write), then at most
 * HTTP_HEAD_MAX bytes are read until the status line is complete
 * (http_status_parse() in http_wire.c). The expected status (`expect_status`,
 * default 200) is the reply; any other status, a connection refused or reset,
 * or an answer that is not HTTP fails the probe at once with what was seen
 * ("302 Found, expected 204"), which the status shows with the target: a
 * captive portal's redirect or a transparent proxy's error page marks the
 * uplink down although TCP works. At most one connection per target is open: a
 * new probe closes the older one (probe.c times it out). Connections end with
 * an RST (SO_LINGER 0): no TIME_WAIT piles up on the router. No TLS: plain
 * HTTP is what portals intercept.
 *
 * Calls probe_socket()/probe_reply()/probe_fail() (probe.c), loop.c, http_wire.c.
 * Called by probe.c through plugin_probe_http.
 */
#include "http_wire.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "schema.h"
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct http_conf {
	int port;
	char *path;
	char *host;
	int expect_status;
};

static const struct cfg_key http_keys[] = {
	{ "port", CFG_INT, offsetof(struct http_conf, port), 0, .min = 1, .max = 65535,
	  .def = 80 },
	{ "path", CFG_STRING, offsetof(struct http_conf, path), 0, .min = 1,
	  .max = HTTP_PATH_MAX, .def_str = "/",
	  .hint = "e.g. path = \"/generate_204\";" },
	{ "host", CFG_STRING, offsetof(struct http_conf, host), 0, .min = 1,
	  .max = HTTP_HOST_MAX, .hint = "the Host header; default: the target address" },
	{ "expect_status", CFG_INT, offsetof(struct http_conf, expect_status), 0, .min = 100,
	  .max = 599, .def = 200, .hint = "the status a good answer has, e.g. 204" },
	CFG_END
};

enum conn_state {
	CONN_IDLE,
	CONN_CONNECTING, /* waiting for EPOLLOUT */
	CONN_READING,	 /* request written, reading the status line */
};

struct http_conn {
	struct loop_fd fd; /* fd -1: idle */
	struct http_inst *inst;
	size_t idx;
	uint32_t seq;
	enum conn_state state;
	size_t len;
	char buf[HTTP_HEAD_MAX];
};

struct http_inst {
	struct probe_env *env;
	uint16_t port;
	int expect;
	char *path;
	char *host; /* NULL: the target address */
	struct http_conn *conns; /* one per target */
	struct log_rl rl;
};

static int http_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct http_conf *c = conf;
	int errs = 0;

	(void)cfg;
	if (c->path && !http_path_valid(c->path)) {
		cfg_diag_add(d, line, "path: \"%s\": start it with / and use printable characters without spaces, e.g. \"/generate_204\"",
			     c->path);
		errs++;
	}
	if (c->host && !http_host_valid(c->host)) {
		cfg_diag_add(d, line, "host: \"%s\": a host name or address (IPv6 in brackets), with an optional :PORT",
			     c->host);
		errs++;
	}
	return errs;
}

/* Abortive close: an RST instead of a FIN and no TIME_WAIT. */
static void fd_abort(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void conn_close(struct http_inst *in, struct http_conn *c)
{
	if (c->fd.fd < 0)
		return;
	loop_fd_del(in->env->loop, &c->fd);
	fd_abort(c->fd.fd);
	c->fd.fd = -1;
	c->state = CONN_IDLE;
	c->len = 0;
}

/* The probe failed for a reason seen on the wire: closed, reported, logged. */
static void conn_fail(struct http_inst *in, struct http_conn *c, const char *why)
{
	size_t idx = c->idx;
	uint32_t seq = c->seq;

	conn_close(in, c);
	log_rl_msg(&in->rl, LOG_INFO, "%s: http: %s port %u: %s", in->env->uplink,
		   in->env->targets[idx].name, in->port, why);
	probe_fail(in->env, idx, seq, why);
}

/* The Host header for target t: the configured one, else the address (and port). */
static void host_of(const struct http_inst *in, const struct probe_target *t, char *buf,
		    size_t len)
{
	char port[8] = "";

	if (in->host) {
		snprintf(buf, len, "%s", in->host);
		return;
	}
	if (in->port != 80)
		snprintf(port, sizeof(port), ":%u", in->port);
	snprintf(buf, len, t->family == AF_INET6 ? "[%s]%s" : "%s%s", t->name, port);
}

static void conn_write(struct http_inst *in, struct http_conn *c)
{
	char req[HTTP_REQ_MAX], host[HTTP_HOST_MAX + 16];
	socklen_t len = sizeof(int);
	int soerr = 0, n;
	ssize_t w;

	if (getsockopt(c->fd.fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	if (soerr) {
		char why[96];

		snprintf(why, sizeof(why), "connect: %s", strerror(soerr));
		conn_fail(in, c, why);
		return;
	}
	host_of(in, &in->env->targets[c->idx], host, sizeof(host));
	n = http_request_build(req, sizeof(req), host, in->path);
	if (n < 0) {
		conn_fail(in, c, "cannot build the request (host or path)");
		return;
	}
	w = send(c->fd.fd, req, (size_t)n, MSG_NOSIGNAL);
	if (w != n) {
		char why[96];

		snprintf(why, sizeof(why), "send: %s", w < 0 ? strerror(errno) : "short write");
		conn_fail(in, c, why);
		return;
	}
	c->state = CONN_READING;
	if (loop_fd_mod(in->env->loop, &c->fd, EPOLLIN) < 0)
		conn_fail(in, c, "epoll");
}

static void conn_read(struct http_inst *in, struct http_conn *c)
{
	uint64_t rx = loop_clock_monotonic();
	char reason[HTTP_REASON_MAX], why[160];
	const char *bad;
	int status, rc;
	ssize_t n;

	n = recv(c->fd.fd, c->buf + c->len, sizeof(c->buf) - c->len, 0);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return;
		snprintf(why, sizeof(why), "recv: %s", strerror(errno));
		conn_fail(in, c, why);
		return;
	}
	c->len += (size_t)n;
	rc = http_status_parse(c->buf, c->len, &status, reason, sizeof(reason), &bad);
	if (rc == -EAGAIN && n > 0)
		return; /* more to come (the buffer is not full: parse says so) */
	if (rc == -EAGAIN) {
		conn_fail(in, c, "the connection closed before a status line");
		return;
	}
	if (rc < 0) {
		snprintf(why, sizeof(why), "not an HTTP answer: %s", bad);
		conn_fail(in, c, why);
		return;
	}
	if (status != in->expect) {
		snprintf(why, sizeof(why), "%d%s%.40s, expected %d", status, reason[0] ? " " : "",
			 reason, in->expect);
		conn_fail(in, c, why);
		return;
	}
	conn_close(in, c);
	probe_reply(in->env, c->idx, c->seq, rx);
}

static void http_ready(struct loop_fd *f, uint32_t events)
{
	struct http_conn *c = container_of(f, struct http_conn, fd);

	(void)events;
	if (c->state == CONN_CONNECTING)
		conn_write(c->inst, c);
	else if (c->state == CONN_READING)
		conn_read(c->inst, c);
}

static int http_send(void *p, size_t idx, uint32_t seq)
{
	struct http_inst *in = p;
	const struct probe_target *t;
	struct sockaddr_storage to;
	struct http_conn *c;
	int fd, err;

	if (idx >= in->env->ntargets)
		return -EINVAL;
	t = &in->env->targets[idx];
	c = &in->conns[idx];
	conn_close(in, c); /* the older probe is the core's to time out */
	to = t->addr;
	if (to.ss_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = htons(in->port);
	else
		((struct sockaddr_in6 *)&to)->sin6_port = htons(in->port);
	fd = probe_socket(in->env, t->family, SOCK_STREAM, IPPROTO_TCP);
	if (fd < 0)
		return fd;
	c->idx = idx;
	c->seq = seq;
	c->len = 0;
	if (connect(fd, (struct sockaddr *)&to, t->addrlen) < 0 && errno != EINPROGRESS) {
		err = -errno;
		close(fd);
		return err;
	}
	c->fd.fd = fd;
	c->state = CONN_CONNECTING;
	err = loop_fd_add(in->env->loop, &c->fd, EPOLLOUT);
	if (err < 0) {
		c->fd.fd = -1;
		c->state = CONN_IDLE;
		close(fd);
		return err;
	}
	return 0;
}

static void http_destroy(void *p)
{
	struct http_inst *in = p;
	size_t i;

	if (!in)
		return;
	for (i = 0; in->conns && i < in->env->ntargets; i++)
		conn_close(in, &in->conns[i]);
	free(in->conns);
	free(in->path);
	free(in->host);
	free(in);
}

static void *http_create(struct probe_env *env, const void *conf)
{
	const struct http_conf *c = conf;
	struct http_inst *in = calloc(1, sizeof(*in));
	size_t i;

	if (!in)
		goto err;
	in->env = env;
	in->port = (uint16_t)c->port;
	in->expect = c->expect_status;
	in->path = strdup(c->path ? c->path : "/");
	in->host = c->host ? strdup(c->host) : NULL;
	in->conns = calloc(env->ntargets ? env->ntargets : 1, sizeof(*in->conns));
	if (!in->path || (c->host && !in->host) || !in->conns)
		goto err;
	for (i = 0; i < env->ntargets; i++) {
		in->conns[i].fd.fd = -1;
		in->conns[i].fd.cb = http_ready;
		in->conns[i].inst = in;
	}
	log_dbg(LOG_PROBE, "%s: http: GET %s from port %u expecting %d, on %s mark 0x%x",
		env->uplink, in->path, in->port, in->expect, env->ifname, env->mark);
	return in;
err:
	log_err("%s: http: out of memory", env->uplink);
	http_destroy(in);
	return NULL;
}

const struct plugin plugin_probe_http = {
	.name = "http",
	.kind = PLUGIN_PROBE,
	.keys = http_keys,
	.conf_size = sizeof(struct http_conf),
	.check = http_check,
	.probe_create = http_create,
	.probe_send = http_send,
	.destroy = http_destroy,
};
