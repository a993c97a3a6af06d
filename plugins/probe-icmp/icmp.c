// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: icmp.c - the icmp probe plugin (method = "icmp")
 *
 * Owns one raw socket per address family used by the block's targets, bound to
 * the uplink's interface and marked with its fwmark, so probes leave through
 * the uplink whatever the main table says. Sends when probe.c asks; a reply is
 * matched on echo id, our payload magic, the target index and the source
 * address, then reported with probe_reply(). Everything else is dropped
 * (counted, logged at debug level, rate-limited). Needs CAP_NET_RAW.
 */
#include "icmp_wire.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "probe.h"

#include <errno.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define ICMP_BUF 2048

struct icmp_conf {
	int size;
	int ttl;
};

static const struct cfg_key icmp_keys[] = {
	{ "size", CFG_INT, offsetof(struct icmp_conf, size), 0, .min = ICMP_PAYLOAD_MIN,
	  .max = 1400, .def = 56 },
	{ "ttl", CFG_INT, offsetof(struct icmp_conf, ttl), 0, .min = 1, .max = 255, .def = 64 },
	CFG_END
};

struct icmp_sock {
	struct loop_fd fd;
	struct icmp_inst *inst;
	int family;
};

struct icmp_inst {
	struct probe_env *env;
	struct icmp_sock s4, s6;
	uint16_t id;
	uint32_t magic;
	int size;
	uint64_t dropped;
	struct log_rl rl;
};

static bool same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	return !memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
		       &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr));
}

static void icmp_read(struct loop_fd *f, uint32_t events)
{
	struct icmp_sock *s = container_of(f, struct icmp_sock, fd);
	struct icmp_inst *in = s->inst;
	uint8_t buf[ICMP_BUF];

	(void)events;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		struct icmp_echo e;
		const char *why = NULL;
		ssize_t n = recvfrom(f->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		uint64_t rx = loop_clock_monotonic();

		if (n < 0)
			break;
		if (icmp_reply_parse(buf, (size_t)n, s->family, &e, &why) < 0)
			continue; /* other ICMP traffic on a raw socket is normal */
		if (e.id != in->id || e.magic != in->magic)
			continue; /* another program's or another uplink's echo */
		if (e.idx >= in->env->ntargets || !same_addr(&from, &in->env->targets[e.idx].addr)) {
			in->dropped++;
			log_rl_msg(&in->rl, LOG_DEBUG, "%s: icmp: reply for target %u from another address; dropped",
				   in->env->uplink, e.idx);
			continue;
		}
		probe_reply(in->env, e.idx, e.seq, rx);
	}
}

static int sock_open(struct icmp_inst *in, struct icmp_sock *s, int family, int ttl)
{
	int proto = family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP, err;
	int fd = probe_socket(in->env, family, SOCK_RAW, proto);

	if (fd < 0)
		return fd;
	if (family == AF_INET) {
		struct icmp_filter flt = { .data = ~(1U << ICMP_ECHOREPLY) };

		if (setsockopt(fd, SOL_RAW, ICMP_FILTER, &flt, sizeof(flt)) < 0 ||
		    setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) < 0)
			goto err;
	} else {
		struct icmp6_filter flt;

		ICMP6_FILTER_SETBLOCKALL(&flt);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &flt);
		if (setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof(flt)) < 0 ||
		    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) < 0)
			goto err;
	}
	s->inst = in;
	s->family = family;
	s->fd.fd = fd;
	s->fd.cb = icmp_read;
	err = loop_fd_add(in->env->loop, &s->fd, EPOLLIN);
	if (err < 0) {
		close(fd);
		s->fd.fd = -1;
		return err;
	}
	return 0;
err:
	err = -errno;
	close(fd);
	return err;
}

static void sock_close(struct icmp_inst *in, struct icmp_sock *s)
{
	if (s->fd.fd < 0)
		return;
	loop_fd_del(in->env->loop, &s->fd);
	close(s->fd.fd);
	s->fd.fd = -1;
}

static void icmp_destroy(void *p)
{
	struct icmp_inst *in = p;

	if (!in)
		return;
	sock_close(in, &in->s4);
	sock_close(in, &in->s6);
	free(in);
}

static void *icmp_create(struct probe_env *env, const void *conf)
{
	const struct icmp_conf *c = conf;
	struct icmp_inst *in = calloc(1, sizeof(*in));
	bool want4 = false, want6 = false;
	size_t i;
	int err;

	if (!in)
		return NULL;
	in->env = env;
	in->size = c->size;
	in->s4.fd.fd = in->s6.fd.fd = -1;
	if (getrandom(&in->magic, sizeof(in->magic), GRND_NONBLOCK) != sizeof(in->magic))
		in->magic = (uint32_t)loop_clock_monotonic();
	in->id = (uint16_t)(in->magic >> 16 ^ in->magic);
	for (i = 0; i < env->ntargets; i++) {
		want4 |= env->targets[i].family == AF_INET;
		want6 |= env->targets[i].family == AF_INET6;
	}
	if (want4 && (err = sock_open(in, &in->s4, AF_INET, c->ttl)) < 0)
		goto err;
	if (want6 && (err = sock_open(in, &in->s6, AF_INET6, c->ttl)) < 0)
		goto err;
	return in;
err:
	log_err("%s: icmp: cannot open a raw socket on %s: %s (uplinkd needs CAP_NET_RAW)",
		env->uplink, env->ifname, strerror(-err));
	icmp_destroy(in);
	return NULL;
}

static int icmp_send(void *p, size_t idx, uint32_t seq)
{
	struct icmp_inst *in = p;
	const struct probe_target *t = &in->env->targets[idx];
	struct icmp_echo e = { .id = in->id, .magic = in->magic, .seq = seq, .idx = (uint16_t)idx };
	struct icmp_sock *s = t->family == AF_INET6 ? &in->s6 : &in->s4;
	uint8_t buf[ICMP_BUF];
	int len = icmp_echo_build(buf, sizeof(buf), t->family, &e, (size_t)in->size);

	if (len < 0)
		return len;
	if (sendto(s->fd.fd, buf, (size_t)len, 0, (const struct sockaddr *)&t->addr, t->addrlen) < 0)
		return -errno;
	return 0;
}

const struct plugin plugin_probe_icmp = {
	.name = "icmp",
	.kind = PLUGIN_PROBE,
	.keys = icmp_keys,
	.conf_size = sizeof(struct icmp_conf),
	.probe_create = icmp_create,
	.probe_send = icmp_send,
	.destroy = icmp_destroy,
};
