// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ct.c - conntrack flushes over ctnetlink
 *
 * Owns struct ct (d->ct): one NETLINK_NETFILTER socket. ct_flush_uplink()
 * dumps the conntrack table per family, gathers the entries whose reply
 * direction goes to the uplink's current address (flows masqueraded/SNATed to
 * it, and the router's own flows from it), then deletes each by its original
 * tuple and zone. Gathering first and deleting after keeps the dump consistent.
 * Nothing else is flushed (mwan3 flushes the whole table). Calls nl.c's
 * nl_sock helpers; called by policy.c when an uplink stops carrying traffic,
 * by policy_flow.c (connections per uplink mark, counted in the background,
 * one buffer per loop wake-up) and by daemon.c (init/destroy).
 */
#include "ct.h"
#include "daemon.h"
#include "log.h"
#include "nl.h"
#include "uplink.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define CT_MSG_SIZE 512

#define CT_COUNT_MAX 16

struct ct {
	struct daemon *d;
	struct nl_sock sk;
	/* counting connections by mark: non-blocking, driven by the loop */
	struct mnl_socket *cmnl;
	struct loop_fd cfd;
	bool counting;
	uint32_t count_seq, seq_hint;
	uint32_t marks[CT_COUNT_MAX];
	uint64_t tally[CT_COUNT_MAX], counts[CT_COUNT_MAX];
	size_t ncount, counted_n;
	uint64_t counted_ms;
};

/* ---- pure builders and parser ---- */

static struct nlmsghdr *ct_put_header(void *buf, uint16_t type, uint16_t flags, int family,
				      uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

int ct_msg_build_dump(void *buf, size_t len, int family, uint32_t seq)
{
	struct nlmsghdr *nlh;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg)))
		return -ENOSPC;
	nlh = ct_put_header(buf, IPCTNL_MSG_CT_GET, NLM_F_DUMP, family, seq);
	return (int)nlh->nlmsg_len;
}

int ct_msg_build_delete(void *buf, size_t len, const struct ct_tuple *t, uint32_t seq)
{
	struct nlmsghdr *nlh;

	if (t->len < sizeof(struct nlattr) || t->len > sizeof(t->orig) ||
	    len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct nfgenmsg)) + MNL_ALIGN(t->len))
		return -ENOSPC;
	nlh = ct_put_header(buf, IPCTNL_MSG_CT_DELETE, 0, t->family, seq);
	/* the original tuple goes back exactly as the kernel described it */
	memcpy(mnl_nlmsg_get_payload_tail(nlh), t->orig, t->len);
	memset((char *)mnl_nlmsg_get_payload_tail(nlh) + t->len, 0, MNL_ALIGN(t->len) - t->len);
	nlh->nlmsg_len += MNL_ALIGN(t->len);
	if (t->has_zone && !mnl_attr_put_check(nlh, len, CTA_ZONE, sizeof(t->zone_be), &t->zone_be))
		return -ENOSPC;
	return (int)nlh->nlmsg_len;
}

struct ct_parse {
	int family;
	const struct nlattr *orig, *reply, *zone;
	const struct nlattr *dst;
};

static int ct_top_cb(const struct nlattr *a, void *data)
{
	struct ct_parse *p = data;

	switch (mnl_attr_get_type(a)) {
	case CTA_TUPLE_ORIG:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		p->orig = a;
		break;
	case CTA_TUPLE_REPLY:
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
		p->reply = a;
		break;
	case CTA_ZONE:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		p->zone = a;
		break;
	}
	return MNL_CB_OK;
}

static int ct_ip_cb(const struct nlattr *a, void *data)
{
	struct ct_parse *p = data;
	int type = mnl_attr_get_type(a);

	if ((p->family == AF_INET && type == CTA_IP_V4_DST) ||
	    (p->family == AF_INET6 && type == CTA_IP_V6_DST))
		p->dst = a;
	return MNL_CB_OK;
}

static int ct_tuple_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) != CTA_TUPLE_IP)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(a, ct_ip_cb, data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

int ct_msg_match(const void *nlmsg, size_t len, int family, const void *addr,
		 struct ct_tuple *t)
{
	const struct nlmsghdr *nlh = nlmsg;
	const struct nfgenmsg *nfg;
	struct ct_parse p = { .family = family };
	size_t alen = family == AF_INET6 ? 16 : 4;

	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*nfg)) ||
	    (nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK ||
	    ((nlh->nlmsg_type & 0xff) != IPCTNL_MSG_CT_NEW &&
	     (nlh->nlmsg_type & 0xff) != IPCTNL_MSG_CT_DELETE))
		return -EINVAL;
	nfg = mnl_nlmsg_get_payload(nlh);
	if (nfg->nfgen_family != family)
		return 0;
	if (mnl_attr_parse(nlh, sizeof(*nfg), ct_top_cb, &p) < 0 || !p.orig || !p.reply)
		return -EINVAL;
	if (mnl_attr_parse_nested(p.reply, ct_tuple_cb, &p) < 0)
		return -EINVAL;
	if (!p.dst || mnl_attr_get_payload_len(p.dst) != alen ||
	    memcmp(mnl_attr_get_payload(p.dst), addr, alen))
		return 0;
	if (p.orig->nla_len > sizeof(t->orig))
		return -EINVAL;
	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)family;
	t->len = p.orig->nla_len;
	memcpy(t->orig, p.orig, t->len);
	if (p.zone) {
		t->has_zone = true;
		memcpy(&t->zone_be, mnl_attr_get_payload(p.zone), sizeof(t->zone_be));
	}
	return 1;
}

/* ---- flushing ---- */

struct ct_gather {
	int family;
	const void *addr;
	struct ct_tuple *v;
	size_t n, cap;
	int err;
};

static int ct_gather_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ct_gather *g = data;
	struct ct_tuple t;

	if (ct_msg_match(nlh, nlh->nlmsg_len, g->family, g->addr, &t) != 1)
		return MNL_CB_OK;
	if (g->n == g->cap) {
		size_t cap = g->cap ? g->cap * 2 : 64;
		struct ct_tuple *v = realloc(g->v, cap * sizeof(*v));

		if (!v) {
			g->err = -ENOMEM;
			return MNL_CB_STOP;
		}
		g->v = v;
		g->cap = cap;
	}
	g->v[g->n++] = t;
	return MNL_CB_OK;
}

static int ct_flush_addr(struct ct *ct, const struct uplink *u, int family, const void *addr)
{
	uint32_t buf[CT_MSG_SIZE / sizeof(uint32_t)];
	struct ct_gather g = { .family = family, .addr = addr };
	char err[NL_ERRLEN], a[INET6_ADDRSTRLEN];
	int rc, deleted = 0, first_err = 0;
	size_t i;

	inet_ntop(family, addr, a, sizeof(a));
	ct_msg_build_dump(buf, sizeof(buf), family, 0);
	rc = nl_sock_talk(&ct->sk, (struct nlmsghdr *)buf, ct_gather_cb, &g, err, sizeof(err));
	if (rc < 0 || g.err < 0) {
		if (rc >= 0)
			snprintf(err, sizeof(err), "%s", strerror(-g.err));
		log_err("%s: cannot list conntrack entries to flush for %s: %s", u->cfg.name, a,
			err);
		free(g.v);
		return rc < 0 ? rc : g.err;
	}
	for (i = 0; i < g.n; i++) {
		if (ct_msg_build_delete(buf, sizeof(buf), &g.v[i], 0) < 0)
			continue;
		rc = nl_sock_talk(&ct->sk, (struct nlmsghdr *)buf, NULL, NULL, err, sizeof(err));
		if (rc == 0) {
			deleted++;
		} else if (rc != -ENOENT && !first_err) {
			first_err = rc; /* gone meanwhile is fine; anything else is reported once */
			log_warn("%s: cannot delete a conntrack entry for %s: %s", u->cfg.name, a,
				 err);
		}
	}
	free(g.v);
	log_info("%s: %d conntrack entr%s with reply destination %s flushed", u->cfg.name,
		 deleted, deleted == 1 ? "y" : "ies", a);
	return deleted ? deleted : first_err;
}

int ct_flush_uplink(struct daemon *d, const struct uplink *u)
{
	struct ct *ct = d->ct;
	int rc, total = 0, first_err = 0;

	if (!ct)
		return -ENOTCONN;
	if (u->link.has_addr4) {
		rc = ct_flush_addr(ct, u, AF_INET, &u->link.addr4);
		if (rc < 0)
			first_err = rc;
		else
			total += rc;
	}
	if (u->link.has_addr6) {
		rc = ct_flush_addr(ct, u, AF_INET6, &u->link.addr6);
		if (rc < 0 && !first_err)
			first_err = rc;
		else if (rc > 0)
			total += rc;
	}
	return total ? total : first_err;
}

/* ---- counting by mark (balance mode) ---- */

static int ct_mark_cb(const struct nlattr *a, void *data)
{
	if (mnl_attr_get_type(a) != CTA_MARK)
		return MNL_CB_OK;
	if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	*(uint32_t *)data = ntohl(mnl_attr_get_u32(a));
	return MNL_CB_OK;
}

int ct_msg_mark(const void *nlmsg, size_t len, uint32_t *mark)
{
	const struct nlmsghdr *nlh = nlmsg;

	*mark = 0;
	if (len < sizeof(*nlh) || nlh->nlmsg_len > len ||
	    nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct nfgenmsg)) ||
	    (nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct nfgenmsg), ct_mark_cb, mark) < 0)
		return -EINVAL;
	return 0;
}

/*
 * Counting runs on its own non-blocking socket, one receive per loop wake-up: the kernel
 * walks the conntrack hash (every namespace's, on a shared host) as each buffer is read,
 * which took 150 ms for 1 000 entries in the lab when done in one go.
 */
static void ct_count_finish(struct ct *ct, bool ok)
{
	if (ok) {
		memcpy(ct->counts, ct->tally, sizeof(ct->counts));
		ct->counted_n = ct->ncount;
		ct->counted_ms = loop_clock_realtime_ms();
	}
	ct->counting = false;
	loop_fd_del(&ct->d->loop, &ct->cfd);
}

static void ct_count_ready(struct loop_fd *f, uint32_t events)
{
	struct ct *ct = container_of(f, struct ct, cfd);
	uint32_t buf[NL_BUF_SIZE / sizeof(uint32_t)];
	const struct nlmsghdr *m;
	ssize_t n;
	int left;
	size_t i;

	(void)events;
	n = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_warn("conntrack: counting connections: recv: %s", strerror(errno));
		ct_count_finish(ct, false);
		return;
	}
	left = (int)n;
	for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left)) {
		uint32_t mark;

		if (m->nlmsg_seq != ct->count_seq)
			continue;
		if (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR) {
			ct_count_finish(ct, m->nlmsg_type == NLMSG_DONE);
			return;
		}
		if (ct_msg_mark(m, m->nlmsg_len, &mark) < 0 || !mark)
			continue;
		for (i = 0; i < ct->ncount; i++)
			if (ct->marks[i] == mark)
				ct->tally[i]++;
	}
}

int ct_count_marks_start(struct daemon *d, const uint32_t *marks, size_t n)
{
	struct ct *ct = d->ct;
	uint32_t buf[CT_MSG_SIZE / sizeof(uint32_t)];
	int len, err;

	if (!ct || !ct->cmnl)
		return -ENOTCONN;
	if (ct->counting)
		return -EALREADY;
	if (n > CT_COUNT_MAX)
		n = CT_COUNT_MAX;
	memcpy(ct->marks, marks, n * sizeof(*marks));
	memset(ct->tally, 0, sizeof(ct->tally));
	ct->ncount = n;
	ct->count_seq = ++ct->seq_hint ? ct->seq_hint : ++ct->seq_hint;
	len = ct_msg_build_dump(buf, sizeof(buf), AF_UNSPEC, ct->count_seq);
	if (len < 0)
		return len;
	if (mnl_socket_sendto(ct->cmnl, buf, (size_t)len) < 0)
		return -errno;
	ct->cfd.fd = mnl_socket_get_fd(ct->cmnl);
	ct->cfd.cb = ct_count_ready;
	if ((err = loop_fd_add(&d->loop, &ct->cfd, EPOLLIN)) < 0)
		return err;
	ct->counting = true;
	return 0;
}

int ct_mark_counts(const struct daemon *d, uint64_t *counts, size_t n, uint64_t *when_ms)
{
	const struct ct *ct = d->ct;

	if (!ct || !ct->counted_ms)
		return -ENODATA;
	memset(counts, 0, n * sizeof(*counts));
	memcpy(counts, ct->counts, (n < ct->counted_n ? n : ct->counted_n) * sizeof(*counts));
	*when_ms = ct->counted_ms;
	return 0;
}

int ct_init(struct daemon *d)
{
	struct ct *ct = calloc(1, sizeof(*ct));
	int err;

	if (!ct)
		return -ENOMEM;
	ct->d = d;
	if ((err = nl_sock_open(&ct->sk, NETLINK_NETFILTER)) < 0)
		goto err;
	ct->cmnl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (ct->cmnl && mnl_socket_bind(ct->cmnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(ct->cmnl);
		ct->cmnl = NULL;
	}
	if (!ct->cmnl)
		log_warn("conntrack: cannot open a socket to count connections: %s",
			 strerror(errno));
	ct->cfd.fd = -1;
	d->ct = ct;
	return 0;

err:
	free(ct);
	return err;
}

void ct_destroy(struct daemon *d)
{
	struct ct *ct = d->ct;

	if (!ct)
		return;
	if (ct->counting)
		loop_fd_del(&d->loop, &ct->cfd);
	if (ct->cmnl)
		mnl_socket_close(ct->cmnl);
	nl_sock_close(&ct->sk);
	free(ct);
	d->ct = NULL;
}
