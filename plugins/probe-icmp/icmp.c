// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: icmp.c - the icmp probe plugin (method = "icmp")
 *
 * Owns one raw socket per address family used by the block's targets, made by
 * probe_socket() (non-blocking, close-on-exec, bound to the uplink's interface
 * and marked with its fwmark, so probes leave through the uplink whatever the
 * main table says). The kernel filters for us: ICMP_FILTER / ICMP6_FILTER pass
 * only echo replies and a small classic BPF program only our echo id, so other
 * programs' pings rarely wake us. Sends when probe.c asks; every reply goes
 * through icmp_reply_match() (icmp_wire.c) and is reported with probe_reply().
 * Everything else leaves through one DROP exit: counted, logged at debug
 * level, rate-limited. Needs CAP_NET_RAW.
 *
 * Calls probe_socket()/probe_reply() (probe.c), loop.c, icmp_wire.c.
 * Called by probe.c through plugin_probe_icmp.
 */
#include "icmp_wire.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "schema.h"
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/icmp.h>
#include <netinet/icmp6.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define ICMP_BUF 2048 /* > 60 bytes of IPv4 header + 8 + ICMP_PAYLOAD_MAX */

struct icmp_conf {
	int size;
	int ttl;
};

static const struct cfg_key icmp_keys[] = {
	{ "size", CFG_INT, offsetof(struct icmp_conf, size), 0, .min = ICMP_PAYLOAD_MIN,
	  .max = ICMP_PAYLOAD_MAX, .def = 56, .hint = "payload bytes after the ICMP header" },
	{ "ttl", CFG_INT, offsetof(struct icmp_conf, ttl), 0, .min = 1, .max = 255, .def = 64,
	  .hint = "IPv4 TTL / IPv6 hop limit of the echo requests" },
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
	struct icmp_match match; /* our id, magic and targets */
	size_t size;
	uint64_t dropped;
	struct log_rl rl;
};

static void icmp_read(struct loop_fd *f, uint32_t events)
{
	struct icmp_sock *s = container_of(f, struct icmp_sock, fd);
	struct icmp_inst *in = s->inst;
	uint8_t buf[ICMP_BUF];

	(void)events;
	for (;;) {
		struct sockaddr_storage from;
		char a[INET6_ADDRSTRLEN];
		struct icmp_echo e;
		const char *why;
		uint32_t value;
		uint64_t rx;
		ssize_t n = probe_recv(in->env, f->fd, buf, sizeof(buf), &from, &rx, &in->rl);

		if (n < 0)
			break;
		if ((size_t)n > sizeof(buf)) {
			why = "larger than any echo of ours";
			value = (uint32_t)n;
			goto drop;
		}
		if (icmp_reply_match(buf, (size_t)n, s->family, &from, &in->match, &e, &why,
				     &value) < 0)
			goto drop;
		probe_reply(in->env, e.idx, e.seq, rx);
		continue;
drop:
		in->dropped++;
		log_rl_msg(&in->rl, LOG_DEBUG, "%s: icmp: packet from %s dropped: %s (%u); %llu so far",
			   in->env->uplink, probe_addr_str(&from, a, sizeof(a)), why, value,
			   (unsigned long long)in->dropped);
	}
}

/*
 * Only our echo id, checked in the kernel: an IPv4 raw socket's filter sees the
 * IP header first, an ICMPv6 one the ICMPv6 header. The ICMP filters already
 * pass nothing but echo replies. Optional: without it icmp_read() sorts.
 */
static void attach_id_filter(struct icmp_inst *in, int fd, int family)
{
	struct sock_filter v4[] = {
		BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),     /* x = IPv4 header length */
		BPF_STMT(BPF_LD | BPF_H | BPF_IND, 4),      /* a = echo id */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, in->match.id, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_filter v6[] = {
		BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 4),      /* a = echo id */
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, in->match.id, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog prog = {
		.len = family == AF_INET ? sizeof(v4) / sizeof(v4[0]) : sizeof(v6) / sizeof(v6[0]),
		.filter = family == AF_INET ? v4 : v6,
	};

	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		log_dbg(LOG_PROBE, "%s: icmp: no socket filter (%s); filtering in user space",
			in->env->uplink, strerror(errno));
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
	attach_id_filter(in, fd, family);
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
	uint8_t rnd[6];
	size_t i;
	int err;

	if (!in)
		return NULL;
	in->env = env;
	in->size = (size_t)c->size;
	in->s4.fd.fd = in->s6.fd.fd = -1;
	if (getrandom(rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd)) {
		uint64_t t = loop_clock_monotonic() ^ (uint64_t)(uintptr_t)in;

		memcpy(rnd, &t, sizeof(rnd));
	}
	in->match.id = (uint16_t)(rnd[0] << 8 | rnd[1]);
	in->match.magic = (uint32_t)rnd[2] << 24 | (uint32_t)rnd[3] << 16 |
			  (uint32_t)rnd[4] << 8 | rnd[5];
	in->match.targets = env->targets;
	in->match.ntargets = env->ntargets;
	for (i = 0; i < env->ntargets; i++) {
		want4 |= env->targets[i].family == AF_INET;
		want6 |= env->targets[i].family == AF_INET6;
	}
	if (want4 && (err = sock_open(in, &in->s4, AF_INET, c->ttl)) < 0)
		goto err;
	if (want6 && (err = sock_open(in, &in->s6, AF_INET6, c->ttl)) < 0)
		goto err;
	log_dbg(LOG_PROBE, "%s: icmp: echo id %u, %zu payload bytes, on %s mark 0x%x",
		env->uplink, in->match.id, in->size, env->ifname, env->mark);
	return in;
err:
	if (err == -ENODEV) /* a PPP or LTE interface gone: restarted when it is back */
		log_info("%s: icmp: %s does not exist now; probing resumes when it appears",
			 env->uplink, env->ifname);
	else if (err == -EPERM || err == -EACCES)
		log_err("%s: icmp: cannot open a raw socket on %s: %s (uplinkd needs CAP_NET_RAW)",
			env->uplink, env->ifname, strerror(-err));
	else
		log_err("%s: icmp: cannot open a raw socket on %s: %s", env->uplink,
			env->ifname, strerror(-err));
	icmp_destroy(in);
	return NULL;
}

static int icmp_send(void *p, size_t idx, uint32_t seq)
{
	struct icmp_inst *in = p;
	const struct probe_target *t;
	struct icmp_sock *s;
	struct icmp_echo e;
	uint8_t buf[ICMP_BUF];
	int len;

	if (idx >= in->env->ntargets)
		return -EINVAL;
	t = &in->env->targets[idx];
	s = t->family == AF_INET6 ? &in->s6 : &in->s4;
	if (s->fd.fd < 0)
		return -EBADF;
	e = (struct icmp_echo){ .id = in->match.id, .magic = in->match.magic, .seq = seq,
				.idx = (uint16_t)idx };
	len = icmp_echo_build(buf, sizeof(buf), t->family, &e, in->size);
	if (len < 0)
		return len;
	if (sendto(s->fd.fd, buf, (size_t)len, 0, (const struct sockaddr *)&t->addr,
		   t->addrlen) < 0)
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
