// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: dns.c - the dns probe plugin (method = "dns")
 *
 * Owns one UDP socket per address family used by the block's targets, made by
 * probe_socket() (non-blocking, close-on-exec, bound to the uplink's interface
 * and marked with its fwmark). Each probe is one query for `query`/`qtype` to
 * target:port; its ID is the probe seq's low 16 bits xor a per-instance random
 * salt. A response to our question, with the ID of one of the target's recent
 * queries, from the target's address and port is the reply, whatever its RCODE
 * (dns_reply_match() in dns_wire.c decides). Everything else leaves through one
 * DROP exit: counted, logged at debug level, rate-limited.
 *
 * Calls probe_socket()/probe_reply() (probe.c), loop.c, dns_wire.c.
 * Called by probe.c through plugin_probe_dns; config.c calls dns_check().
 */
#include "dns_wire.h"
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
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#define DNS_BUF 4096 /* a UDP reply without EDNS is at most 512 bytes; be lenient */

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
	struct dns_match match; /* question, port, salt, targets, next_seq */
	uint8_t qname[DNS_NAME_MAX + 1];
	uint32_t *next_seq; /* per target: last seq sent + 1 (0: none yet) */
	uint64_t dropped;
	struct log_rl rl;
};

static int dns_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct dns_conf *c = conf;
	uint8_t buf[DNS_NAME_MAX + 1];

	(void)cfg;
	if (c->query && dns_name_encode(c->query, buf, sizeof(buf)) < 0) {
		cfg_diag_add(d, line,
			     "query: \"%s\" is not a DNS name; use labels of 1 to 63 printable "
			     "characters, 253 in all, like \"example.org\" or \".\"",
			     c->query);
		return 1;
	}
	return 0;
}

static void dns_read(struct loop_fd *f, uint32_t events)
{
	struct dns_sock *s = container_of(f, struct dns_sock, fd);
	struct dns_inst *in = s->inst;
	uint8_t buf[DNS_BUF];

	(void)events;
	for (;;) {
		struct sockaddr_storage from;
		char a[INET6_ADDRSTRLEN];
		struct dns_hit hit;
		const char *why;
		uint32_t value;
		uint64_t rx;
		ssize_t n = probe_recv(in->env, f->fd, buf, sizeof(buf), &from, &rx, &in->rl);

		if (n < 0)
			break;
		if ((size_t)n > sizeof(buf)) {
			why = "larger than a reply to our query could be";
			value = (uint32_t)n;
			goto drop;
		}
		if (dns_reply_match(buf, (size_t)n, &from, &in->match, &hit, &why, &value) < 0)
			goto drop;
		probe_reply(in->env, hit.idx, hit.seq, rx);
		continue;
drop:
		in->dropped++;
		log_rl_msg(&in->rl, LOG_DEBUG, "%s: dns: packet from %s dropped: %s (%u); %llu so far",
			   in->env->uplink, probe_addr_str(&from, a, sizeof(a)), why, value,
			   (unsigned long long)in->dropped);
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
	free(in->next_seq);
	free(in);
}

static void *dns_create(struct probe_env *env, const void *conf)
{
	const struct dns_conf *c = conf;
	struct dns_inst *in = calloc(1, sizeof(*in));
	bool want4 = false, want6 = false;
	int len, err = -ENOMEM;
	size_t i;

	if (!in)
		return NULL;
	in->env = env;
	in->s4.fd.fd = in->s6.fd.fd = -1;
	if (getrandom(&in->match.salt, sizeof(in->match.salt), GRND_NONBLOCK) !=
	    sizeof(in->match.salt))
		in->match.salt = (uint16_t)(loop_clock_monotonic() ^ (uintptr_t)in);
	len = dns_name_encode(c->query ? c->query : ".", in->qname, sizeof(in->qname));
	if (len < 0) {
		err = len;
		goto err;
	}
	in->next_seq = calloc(env->ntargets ? env->ntargets : 1, sizeof(*in->next_seq));
	if (!in->next_seq)
		goto err;
	in->match.qname = in->qname;
	in->match.qlen = (size_t)len;
	in->match.qtype = qtype_codes[c->qtype];
	in->match.port = (uint16_t)c->port;
	in->match.targets = env->targets;
	in->match.ntargets = env->ntargets;
	in->match.next_seq = in->next_seq;
	for (i = 0; i < env->ntargets; i++) {
		want4 |= env->targets[i].family == AF_INET;
		want6 |= env->targets[i].family == AF_INET6;
	}
	if (want4 && (err = sock_open(in, &in->s4, AF_INET)) < 0)
		goto err;
	if (want6 && (err = sock_open(in, &in->s6, AF_INET6)) < 0)
		goto err;
	log_dbg(LOG_PROBE, "%s: dns: \"%s\" %s to port %u on %s mark 0x%x", env->uplink,
		c->query ? c->query : ".", qtype_names[c->qtype], in->match.port, env->ifname,
		env->mark);
	return in;
err:
	log_err("%s: dns: cannot open a UDP socket on %s: %s", env->uplink, env->ifname,
		strerror(-err));
	dns_destroy(in);
	return NULL;
}

static int dns_send(void *p, size_t idx, uint32_t seq)
{
	struct dns_inst *in = p;
	const struct probe_target *t;
	struct sockaddr_storage to;
	struct dns_sock *s;
	uint8_t buf[DNS_NAME_MAX + 32];
	int len;

	if (idx >= in->env->ntargets)
		return -EINVAL;
	t = &in->env->targets[idx];
	s = t->family == AF_INET6 ? &in->s6 : &in->s4;
	if (s->fd.fd < 0)
		return -EBADF;
	len = dns_query_build(buf, sizeof(buf), (uint16_t)seq ^ in->match.salt, in->match.qname,
			      in->match.qlen, in->match.qtype);
	if (len < 0)
		return len;
	to = t->addr;
	if (to.ss_family == AF_INET)
		((struct sockaddr_in *)&to)->sin_port = htons(in->match.port);
	else
		((struct sockaddr_in6 *)&to)->sin6_port = htons(in->match.port);
	in->next_seq[idx] = seq + 1;
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
