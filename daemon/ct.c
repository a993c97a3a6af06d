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
#include <fcntl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>

#define CT_MSG_SIZE 512
#define CT_RECV_PER_WAKE 1   /* dump: NL_BUF_SIZE reads per wake-up of the socket */
#define CT_DELETE_BATCH 16   /* deletes per sendmsg */
#define CT_STEP_NS (4 * NSEC_PER_MSEC) /* a step sends batches until it has taken this long */
#define CT_MAX_JOBS 8

struct ct_gather {
	int family;
	const void *addr;
	struct ct_tuple *v;
	size_t n, cap;
	int err;
};

struct ct_job {
	int family;
	union {
		struct in_addr a4;
		struct in6_addr a6;
	} addr;
	char name[64];
};

#define CT_COUNT_MAX 16

struct ct {
	struct daemon *d;
	struct nl_sock sk; /* non-blocking, in the loop */
	struct loop_timer step;
	struct ct_job jobs[CT_MAX_JOBS]; /* jobs[0] runs */
	size_t njobs;
	enum { CT_IDLE, CT_DUMP, CT_DELETE } phase;
	uint32_t dump_seq;
	struct ct_gather g;
	size_t next;	     /* the next tuple to delete */
	size_t sent;
	int failed, first_err;
	uint64_t started_ns;
	uint64_t flushed;    /* entries, since start */
	uint8_t rbuf[NL_BUF_SIZE];
	uint8_t wbuf[CT_DELETE_BATCH * CT_MSG_SIZE];
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

/* ---- flushing, a little per wake-up ---- */

/*
 * A flush is a job: dump the family's table (read CT_RECV_PER_WAKE buffers per
 * wake-up of the socket), keep the matching tuples, then delete them
 * CT_DELETE_BATCH to one sendmsg, for about CT_STEP_NS per run of a timer due
 * at once (deletes cost the kernel tens of microseconds each). Between two steps
 * the loop serves every other fd first (probe replies), so 100 000 entries never
 * hold it for more than a step. Deletes carry no NLM_F_ACK: only failures answer.
 */
static void job_next(struct ct *ct);

static void job_done(struct ct *ct, int err, const char *what)
{
	struct ct_job *j = &ct->jobs[0];
	char a[INET6_ADDRSTRLEN];
	uint64_t ms = (loop_clock_monotonic() - ct->started_ns) / NSEC_PER_MSEC;
	int deleted = (int)ct->sent - ct->failed;

	inet_ntop(j->family, &j->addr, a, sizeof(a));
	if (err < 0)
		log_err("%s: cannot flush the conntrack entries with reply destination %s: %s: %s",
			j->name, a, what, strerror(-err));
	else
		log_notice("%s: %d conntrack entr%s with reply destination %s flushed in %llu ms",
			   j->name, deleted, deleted == 1 ? "y" : "ies", a,
			   (unsigned long long)ms);
	ct->flushed += (uint64_t)(deleted > 0 ? deleted : 0);
	free(ct->g.v);
	memset(&ct->g, 0, sizeof(ct->g));
	ct->phase = CT_IDLE;
	loop_timer_cancel(&ct->d->loop, &ct->step);
	memmove(&ct->jobs[0], &ct->jobs[1], (ct->njobs - 1) * sizeof(ct->jobs[0]));
	ct->njobs--;
	job_next(ct);
}

/* Read what the socket holds (at most max buffers): dump replies or delete failures. */
static void sock_read(struct ct *ct, int max)
{
	struct mnl_socket *m = ct->sk.mnl;
	int i;

	for (i = 0; i < max && ct->phase != CT_IDLE; i++) {
		ssize_t n = mnl_socket_recvfrom(m, ct->rbuf, sizeof(ct->rbuf));
		const struct nlmsghdr *h;
		int len, rc;

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			job_done(ct, -errno, "reading the socket");
			return;
		}
		if (ct->phase == CT_DUMP) {
			rc = mnl_cb_run(ct->rbuf, (size_t)n, ct->dump_seq, ct->sk.portid,
					ct_gather_cb, &ct->g);
			if (rc < 0 || ct->g.err < 0) {
				job_done(ct, ct->g.err < 0 ? ct->g.err : -errno, "listing entries");
				return;
			}
			if (rc == MNL_CB_STOP) {
				ct->phase = CT_DELETE;
				ct->next = 0;
				loop_timer_set(&ct->d->loop, &ct->step, loop_now(&ct->d->loop));
				return;
			}
			continue;
		}
		/* deleting: each answer is a failure (gone meanwhile is fine) */
		len = (int)n;
		for (h = (const struct nlmsghdr *)ct->rbuf; mnl_nlmsg_ok(h, len);
		     h = mnl_nlmsg_next(h, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(h);

			if (h->nlmsg_type != NLMSG_ERROR || !e->error)
				continue;
			ct->failed++;
			if (e->error != -ENOENT && !ct->first_err) {
				ct->first_err = e->error;
				log_warn("%s: cannot delete a conntrack entry: %s", ct->jobs[0].name,
					 strerror(-e->error));
			}
		}
	}
}

static void sock_ready(struct loop_fd *f, uint32_t events)
{
	struct ct *ct = container_of(f, struct ct, sk.fd);

	(void)events;
	if (ct->phase == CT_IDLE) { /* nothing expected: drain */
		while (mnl_socket_recvfrom(ct->sk.mnl, ct->rbuf, sizeof(ct->rbuf)) > 0)
			;
		return;
	}
	sock_read(ct, CT_RECV_PER_WAKE);
}

static void step_cb(struct loop_timer *t)
{
	struct ct *ct = container_of(t, struct ct, step);
	size_t used, k;
	uint64_t t0;

	if (ct->phase != CT_DELETE)
		return;
	t0 = loop_clock_monotonic();
again:
	used = 0;
	k = 0;
	while (ct->next < ct->g.n && k < CT_DELETE_BATCH) {
		int n = ct_msg_build_delete(ct->wbuf + used, sizeof(ct->wbuf) - used,
					    &ct->g.v[ct->next], nl_sock_seq(&ct->sk));

		if (n == -ENOSPC && k)
			break; /* the buffer is full: the rest next time */
		ct->next++;
		if (n < 0)
			continue;
		((struct nlmsghdr *)(ct->wbuf + used))->nlmsg_pid = 0;
		used += MNL_ALIGN((size_t)n);
		k++;
	}
	if (k && mnl_socket_sendto(ct->sk.mnl, ct->wbuf, used) < 0) {
		job_done(ct, -errno, "sending deletes");
		return;
	}
	ct->sent += k;
	sock_read(ct, 64); /* the kernel has answered the failures by now */
	if (ct->phase != CT_DELETE)
		return;
	if (ct->next < ct->g.n && loop_clock_monotonic() - t0 < CT_STEP_NS)
		goto again;
	if (ct->next < ct->g.n)
		loop_timer_set(&ct->d->loop, &ct->step, loop_now(&ct->d->loop));
	else
		job_done(ct, 0, NULL);
}

static void job_next(struct ct *ct)
{
	struct ct_job *j = &ct->jobs[0];
	struct nlmsghdr *nlh = (struct nlmsghdr *)ct->wbuf;

	if (!ct->njobs || ct->phase != CT_IDLE)
		return;
	memset(&ct->g, 0, sizeof(ct->g));
	ct->g.family = j->family;
	ct->g.addr = &j->addr;
	ct->sent = 0;
	ct->failed = 0;
	ct->first_err = 0;
	ct->started_ns = loop_clock_monotonic();
	ct->dump_seq = nl_sock_seq(&ct->sk);
	ct_msg_build_dump(ct->wbuf, sizeof(ct->wbuf), j->family, ct->dump_seq);
	nlh->nlmsg_pid = 0;
	ct->phase = CT_DUMP;
	if (mnl_socket_sendto(ct->sk.mnl, nlh, nlh->nlmsg_len) < 0)
		job_done(ct, -errno, "asking for the table");
}

static int job_add(struct ct *ct, const struct uplink *u, int family, const void *addr)
{
	size_t i, alen = family == AF_INET6 ? 16 : 4;
	struct ct_job *j;

	for (i = ct->phase == CT_IDLE ? 0 : 1; i < ct->njobs; i++)
		if (ct->jobs[i].family == family && !memcmp(&ct->jobs[i].addr, addr, alen))
			return 0; /* queued already */
	if (ct->njobs == CT_MAX_JOBS) {
		log_warn("%s: %d conntrack flushes queued already; this one is skipped",
			 u->cfg.name, CT_MAX_JOBS);
		return -EBUSY;
	}
	j = &ct->jobs[ct->njobs++];
	memset(j, 0, sizeof(*j));
	j->family = family;
	memcpy(&j->addr, addr, alen);
	snprintf(j->name, sizeof(j->name), "%s", u->cfg.name);
	job_next(ct);
	return 0;
}

int ct_flush_uplink(struct daemon *d, const struct uplink *u)
{
	struct ct *ct = d->ct;
	int rc = 0;

	if (!ct)
		return -ENOTCONN;
	if (u->link.has_addr4)
		rc = job_add(ct, u, AF_INET, &u->link.addr4);
	if (u->link.has_addr6) {
		int r6 = job_add(ct, u, AF_INET6, &u->link.addr6);

		rc = rc < 0 ? rc : r6;
	}
	return rc;
}

bool ct_busy(const struct daemon *d)
{
	return d->ct && d->ct->njobs;
}

uint64_t ct_flushed(const struct daemon *d)
{
	return d->ct ? d->ct->flushed : 0;
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
	int err, flags;

	if (!ct)
		return -ENOMEM;
	ct->d = d;
	loop_timer_init(&ct->step, step_cb);
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
	flags = fcntl(ct->sk.fd.fd, F_GETFL);
	if (flags < 0 || fcntl(ct->sk.fd.fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		err = -errno;
		goto err_sock;
	}
	ct->sk.fd.cb = sock_ready;
	ct->sk.loop = &d->loop; /* nl_sock_close unregisters it */
	if ((err = loop_fd_add(&d->loop, &ct->sk.fd, EPOLLIN)) < 0)
		goto err_sock;
	d->ct = ct;
	return 0;

err_sock:
	ct->sk.loop = NULL;
	nl_sock_close(&ct->sk);
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
	loop_timer_cancel(&d->loop, &ct->step);
	nl_sock_close(&ct->sk);
	free(ct->g.v);
	free(ct);
	d->ct = NULL;
}
