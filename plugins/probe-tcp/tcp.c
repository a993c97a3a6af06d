// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: tcp.c - the tcp probe plugin (method = "tcp")
 *
 * Each probe is a non-blocking connect() to target:port from a socket bound to
 * the uplink's interface and marked with its fwmark. A SYN-ACK (connected) or a
 * RST (ECONNREFUSED) both prove the path works and count as the reply; any other
 * outcome is left to probe.c's timeout. At most one connection per target is
 * open: a new probe closes the previous one.
 */
#include "list.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct tcp_conf {
	int port;
};

static const struct cfg_key tcp_keys[] = {
	{ "port", CFG_INT, offsetof(struct tcp_conf, port), 0, .min = 1, .max = 65535,
	  .def = 443 },
	CFG_END
};

struct tcp_conn {
	struct loop_fd fd;
	struct tcp_inst *inst;
	size_t idx;
	uint32_t seq;
};

struct tcp_inst {
	struct probe_env *env;
	uint16_t port;
	struct tcp_conn *conns; /* one per target */
};

static void conn_close(struct tcp_inst *in, struct tcp_conn *c)
{
	if (c->fd.fd < 0)
		return;
	loop_fd_del(in->env->loop, &c->fd);
	close(c->fd.fd);
	c->fd.fd = -1;
}

static void tcp_ready(struct loop_fd *f, uint32_t events)
{
	struct tcp_conn *c = container_of(f, struct tcp_conn, fd);
	struct tcp_inst *in = c->inst;
	uint64_t rx = loop_clock_monotonic();
	int soerr = 0;
	socklen_t len = sizeof(soerr);

	(void)events;
	if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	conn_close(in, c);
	if (soerr == 0 || soerr == ECONNREFUSED)
		probe_reply(in->env, c->idx, c->seq, rx);
}

static int tcp_send(void *p, size_t idx, uint32_t seq)
{
	struct tcp_inst *in = p;
	const struct probe_target *t = &in->env->targets[idx];
	struct tcp_conn *c = &in->conns[idx];
	struct sockaddr_storage to = t->addr;
	int fd, err;

	conn_close(in, c);
	if (to.ss_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = htons(in->port);
	else
		((struct sockaddr_in6 *)&to)->sin6_port = htons(in->port);
	fd = probe_socket(in->env, t->family, SOCK_STREAM, 0);
	if (fd < 0)
		return fd;
	c->idx = idx;
	c->seq = seq;
	if (connect(fd, (struct sockaddr *)&to, t->addrlen) == 0 || errno == ECONNREFUSED) {
		close(fd);
		probe_reply(in->env, idx, seq, loop_clock_monotonic());
		return 0;
	}
	if (errno != EINPROGRESS)
		goto err;
	c->fd.fd = fd;
	err = loop_fd_add(in->env->loop, &c->fd, EPOLLOUT);
	if (err < 0) {
		close(fd);
		c->fd.fd = -1;
		return err;
	}
	return 0;
err:
	err = -errno;
	close(fd);
	return err;
}

static void tcp_destroy(void *p)
{
	struct tcp_inst *in = p;
	size_t i;

	if (!in)
		return;
	for (i = 0; in->conns && i < in->env->ntargets; i++)
		conn_close(in, &in->conns[i]);
	free(in->conns);
	free(in);
}

static void *tcp_create(struct probe_env *env, const void *conf)
{
	const struct tcp_conf *c = conf;
	struct tcp_inst *in = calloc(1, sizeof(*in));
	size_t i;

	if (!in)
		return NULL;
	in->env = env;
	in->port = (uint16_t)c->port;
	in->conns = calloc(env->ntargets ? env->ntargets : 1, sizeof(*in->conns));
	if (!in->conns) {
		free(in);
		return NULL;
	}
	for (i = 0; i < env->ntargets; i++) {
		in->conns[i].fd.fd = -1;
		in->conns[i].fd.cb = tcp_ready;
		in->conns[i].inst = in;
	}
	return in;
}

const struct plugin plugin_probe_tcp = {
	.name = "tcp",
	.kind = PLUGIN_PROBE,
	.keys = tcp_keys,
	.conf_size = sizeof(struct tcp_conf),
	.probe_create = tcp_create,
	.probe_send = tcp_send,
	.destroy = tcp_destroy,
};
