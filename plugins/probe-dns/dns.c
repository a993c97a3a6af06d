// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: dns.c - the dns probe plugin (method = "dns")
 *
 * One UDP socket per address family, bound to the uplink's interface and
 * marked with its fwmark. Each probe is one query for `query`/`qtype`; its ID is
 * the probe seq's low 16 bits xor a per-instance salt. A response to our
 * question with our ID from the target's address and port is the reply, whatever
 * its RCODE. Everything else leaves through dns_wire.c's DROP exit.
 */
#include "dns_wire.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "probe.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

static const char *const qtype_names[] = { "A", "NS", "SOA", "AAAA", NULL };
static const uint16_t qtype_codes[] = { 1, 2, 6, 28 };

struct dns_conf {
	int port;
	char *query;
	int qtype;
};

static const struct cfg_key dns_keys[] = {
	{ "port", CFG_INT, offsetof(struct dns_conf, port), 0, .min = 1, .max = 65535, .def = 53 },
	{ "query", CFG_STRING, offsetof(struct dns_conf, query), 0, .min = 1, .max = 253,
	  .def_str = "." },
	{ "qtype", CFG_ENUM, offsetof(struct dns_conf, qtype), 0, .names = qtype_names, .def = 1 },
	CFG_END
};

struct dns_sock {
	struct loop_fd fd;
	struct dns_inst *inst;
};

struct dns_inst {
	struct probe_env *env;
	struct dns_sock s4, s6;
	uint16_t port, qtype, salt;
	uint8_t qname[DNS_NAME_MAX + 1];
	size_t qlen;
	uint32_t *last_seq; /* per target: the newest seq sent */
	struct log_rl rl;
};

static int dns_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct dns_conf *c = conf;
	uint8_t buf[DNS_NAME_MAX + 1];

	(void)cfg;
	if (c->query && dns_name_encode(c->query, buf, sizeof(buf)) < 0) {
		cfg_diag_add(d, line, "query: \"%s\" is not a DNS name (labels of 1 to 63 characters, 253 in all)",
			     c->query);
		return 1;
	}
	return 0;
}

static bool from_target(const struct sockaddr_storage *a, const struct probe_target *t,
			uint16_t port)
{
	if (a->ss_family != t->family)
		return false;
	if (a->ss_family == AF_INET) {
		const struct sockaddr_in *x = (const void *)a, *y = (const void *)&t->addr;

		return x->sin_addr.s_addr == y->sin_addr.s_addr && ntohs(x->sin_port) == port;
	}
	{
		const struct sockaddr_in6 *x = (const void *)a, *y = (const void *)&t->addr;

		return !memcmp(&x->sin6_addr, &y->sin6_addr, sizeof(x->sin6_addr)) &&
		       ntohs(x->sin6_port) == port;
	}
}

static void dns_read(struct loop_fd *f, uint32_t events)
{
	struct dns_sock *s = container_of(f, struct dns_sock, fd);
	struct dns_inst *in = s->inst;
	uint8_t buf[1500];

	(void)events;
	for (;;) {
		struct sockaddr_storage from;
		socklen_t flen = sizeof(from);
		ssize_t n = recvfrom(f->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen);
		uint64_t rx = loop_clock_monotonic();
		const char *why = NULL;
		uint16_t id, lo;
		int rcode;
		size_t i;

		if (n < 0)
			break;
		if (dns_reply_parse(buf, (size_t)n, in->qname, in->qlen, in->qtype, &id, &rcode,
				    &why) < 0) {
			log_rl_msg(&in->rl, LOG_DEBUG, "%s: dns: reply dropped: %s", in->env->uplink,
				   why);
			continue;
		}
		lo = id ^ in->salt;
		for (i = 0; i < in->env->ntargets; i++) {
			const struct probe_target *t = &in->env->targets[i];
			uint32_t last = in->last_seq[i];

			if (!from_target(&from, t, in->port))
				continue;
			/* the newest seq whose low 16 bits are lo */
			probe_reply(in->env, i, last - (uint16_t)((uint16_t)last - lo), rx);
			break;
		}
	}
}

static int sock_open(struct dns_inst *in, struct dns_sock *s, int family)
{
	int fd = probe_socket(in->env, family, SOCK_DGRAM, 0), err;

	if (fd < 0)
		return fd;
	s->inst = in;
	s->fd.fd = fd;
	s->fd.cb = dns_read;
	err = loop_fd_add(in->env->loop, &s->fd, EPOLLIN);
	if (err < 0) {
		close(fd);
		s->fd.fd = -1;
	}
	return err;
}

static void sock_close(struct dns_inst *in, struct dns_sock *s)
{
	if (s->fd.fd < 0)
		return;
	loop_fd_del(in->env->loop, &s->fd);
	close(s->fd.fd);
	s->fd.fd = -1;
}

static void dns_destroy(void *p)
{
	struct dns_inst *in = p;

	if (!in)
		return;
	sock_close(in, &in->s4);
	sock_close(in, &in->s6);
	free(in->last_seq);
	free(in);
}

static void *dns_create(struct probe_env *env, const void *conf)
{
	const struct dns_conf *c = conf;
	struct dns_inst *in = calloc(1, sizeof(*in));
	bool want4 = false, want6 = false;
	int len, err = 0;
	size_t i;

	if (!in)
		return NULL;
	in->env = env;
	in->s4.fd.fd = in->s6.fd.fd = -1;
	in->port = (uint16_t)c->port;
	in->qtype = qtype_codes[c->qtype];
	if (getrandom(&in->salt, sizeof(in->salt), GRND_NONBLOCK) != sizeof(in->salt))
		in->salt = (uint16_t)loop_clock_monotonic();
	len = dns_name_encode(c->query, in->qname, sizeof(in->qname));
	in->last_seq = calloc(env->ntargets ? env->ntargets : 1, sizeof(*in->last_seq));
	if (len < 0 || !in->last_seq) {
		dns_destroy(in);
		return NULL;
	}
	in->qlen = (size_t)len;
	for (i = 0; i < env->ntargets; i++) {
		want4 |= env->targets[i].family == AF_INET;
		want6 |= env->targets[i].family == AF_INET6;
	}
	if ((want4 && (err = sock_open(in, &in->s4, AF_INET)) < 0) ||
	    (want6 && (err = sock_open(in, &in->s6, AF_INET6)) < 0)) {
		log_err("%s: dns: cannot open a UDP socket on %s: %s", env->uplink, env->ifname,
			strerror(-err));
		dns_destroy(in);
		return NULL;
	}
	return in;
}

static int dns_send(void *p, size_t idx, uint32_t seq)
{
	struct dns_inst *in = p;
	const struct probe_target *t = &in->env->targets[idx];
	struct sockaddr_storage to = t->addr;
	struct dns_sock *s = t->family == AF_INET6 ? &in->s6 : &in->s4;
	uint8_t buf[DNS_NAME_MAX + 32];
	int len = dns_query_build(buf, sizeof(buf), (uint16_t)seq ^ in->salt, in->qname, in->qlen,
				  in->qtype);

	if (len < 0)
		return len;
	if (to.ss_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = htons(in->port);
	else
		((struct sockaddr_in6 *)&to)->sin6_port = htons(in->port);
	in->last_seq[idx] = seq;
	if (sendto(s->fd.fd, buf, (size_t)len, 0, (struct sockaddr *)&to, t->addrlen) < 0)
		return -errno;
	return 0;
}

const struct plugin plugin_probe_dns = {
	.name = "dns",
	.kind = PLUGIN_PROBE,
	.keys = dns_keys,
	.conf_size = sizeof(struct dns_conf),
	.check = dns_check,
	.probe_create = dns_create,
	.probe_send = dns_send,
	.destroy = dns_destroy,
};
