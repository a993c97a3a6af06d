// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: tcp.c - the tcp probe plugin (method = "tcp")
 *
 * Each probe is a non-blocking connect() to target:port from a new socket made
 * by probe_socket() (close-on-exec, bound to the uplink's interface and marked
 * with its fwmark). When it becomes writable, SO_ERROR says how it went: 0
 * (SYN-ACK) or ECONNREFUSED (RST) both prove the path works and count as the
 * reply; anything else is left to probe.c's timeout. A connect whose SYN had to
 * be retransmitted is not a reply either: its first SYN or the answer to it was
 * lost, and its round-trip time would be the kernel's retransmission timer. At
 * most one connection per target is open: a new probe closes the older one.
 * Connections are closed with an RST (SO_LINGER 0) so no TIME_WAIT piles up on
 * the router or the target. No peer bytes are read.
 *
 * Calls probe_socket()/probe_reply() (probe.c), loop.c.
 * Called by probe.c through plugin_probe_tcp.
 */
#include "list.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "schema.h"
#include "probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
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
	struct loop_fd fd; /* fd -1: idle */
	struct tcp_inst *inst;
	size_t idx;
	uint32_t seq;
};

struct tcp_inst {
	struct probe_env *env;
	uint16_t port;
	struct tcp_conn *conns; /* one per target */
};

/* Abortive close: an RST instead of a FIN and no TIME_WAIT. */
static void fd_abort(int fd)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };

	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
}

static void conn_close(struct tcp_inst *in, struct tcp_conn *c)
{
	if (c->fd.fd < 0)
		return;
	loop_fd_del(in->env->loop, &c->fd);
	fd_abort(c->fd.fd);
	c->fd.fd = -1;
}

/* Did the kernel have to resend the SYN? (Then the RTT is its timer's, not the path's.) */
static bool syn_resent(int fd)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	memset(&ti, 0, sizeof(ti));
	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return false;
	return ti.tcpi_total_retrans > 0;
}

static void tcp_ready(struct loop_fd *f, uint32_t events)
{
	struct tcp_conn *c = container_of(f, struct tcp_conn, fd);
	struct tcp_inst *in = c->inst;
	uint64_t rx = loop_clock_monotonic();
	socklen_t len = sizeof(int);
	int soerr = 0;
	bool resent;

	(void)events;
	if (getsockopt(f->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		soerr = errno;
	resent = syn_resent(f->fd);
	conn_close(in, c);
	if ((soerr == 0 || soerr == ECONNREFUSED) && !resent) {
		probe_reply(in->env, c->idx, c->seq, rx);
		return;
	}
	log_dbg(LOG_PROBE, "%s: tcp: probe %u to %s port %u: %s", in->env->uplink, c->seq,
		in->env->targets[c->idx].name, in->port,
		resent ? "SYN resent, not counted" : strerror(soerr));
}

static int tcp_send(void *p, size_t idx, uint32_t seq)
{
	struct tcp_inst *in = p;
	const struct probe_target *t;
	struct sockaddr_storage to;
	struct tcp_conn *c;
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
	if (connect(fd, (struct sockaddr *)&to, t->addrlen) == 0 || errno == ECONNREFUSED) {
		uint64_t rx = loop_clock_monotonic();

		fd_abort(fd);
		probe_reply(in->env, idx, seq, rx);
		return 0;
	}
	if (errno != EINPROGRESS)
		goto err;
	c->fd.fd = fd;
	err = loop_fd_add(in->env->loop, &c->fd, EPOLLOUT);
	if (err < 0) {
		c->fd.fd = -1;
		close(fd);
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
		goto err;
	in->env = env;
	in->port = (uint16_t)c->port;
	in->conns = calloc(env->ntargets ? env->ntargets : 1, sizeof(*in->conns));
	if (!in->conns)
		goto err;
	for (i = 0; i < env->ntargets; i++) {
		in->conns[i].fd.fd = -1;
		in->conns[i].fd.cb = tcp_ready;
		in->conns[i].inst = in;
	}
	log_dbg(LOG_PROBE, "%s: tcp: connect to port %u on %s mark 0x%x", env->uplink, in->port,
		env->ifname, env->mark);
	return in;
err:
	log_err("%s: tcp: out of memory", env->uplink);
	tcp_destroy(in);
	return NULL;
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
