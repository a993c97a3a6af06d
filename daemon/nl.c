// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: nl.c - the netlink socket library
 *
 * Owns nothing of the daemon: struct nl_sock helpers for a synchronous
 * command socket (numbered requests, NETLINK_EXT_ACK, -errno plus the
 * kernel's extack text), a non-blocking event socket in the loop (overrun
 * reported to its owner) and generic netlink family resolution. rtnl.c
 * (the daemon's rtnetlink sockets), link.c (ethtool) and ct.c (ctnetlink)
 * open their sockets with it.
 */
#include "nl.h"
#include "list.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define NL_CMD_TIMEOUT_S 5 /* the kernel answers at once; this only guards a bug */
#define NL_EVENT_BURST 64  /* datagrams read per wake-up before yielding to the loop */

/* ---- one socket ---- */

static void nl_set_err(char *err, size_t errlen, const char *text, int e)
{
	if (!err || !errlen)
		return;
	if (text && *text)
		snprintf(err, errlen, "%s (%s)", text, strerror(e));
	else
		snprintf(err, errlen, "%s", strerror(e));
}

int nl_sock_open(struct nl_sock *s, int bus)
{
	struct timeval tv = { .tv_sec = NL_CMD_TIMEOUT_S };
	int one = 1, err;

	memset(s, 0, sizeof(*s));
	s->fd.fd = -1;
	s->mnl = mnl_socket_open2(bus, SOCK_CLOEXEC);
	if (!s->mnl)
		return -errno;
	if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0)
		goto err;
	s->portid = mnl_socket_get_portid(s->mnl);
	s->fd.fd = mnl_socket_get_fd(s->mnl);
	/* best effort: older kernels lack them and we still work */
	mnl_socket_setsockopt(s->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(s->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
	if (bus == NETLINK_ROUTE)
		mnl_socket_setsockopt(s->mnl, NETLINK_GET_STRICT_CHK, &one, sizeof(one));
	if (setsockopt(s->fd.fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) < 0)
		goto err;
	s->seq = (uint32_t)loop_random(1u << 30);
	return 0;

err:
	err = -errno;
	mnl_socket_close(s->mnl);
	s->mnl = NULL;
	s->fd.fd = -1;
	return err;
}

void nl_sock_close(struct nl_sock *s)
{
	if (!s || !s->mnl)
		return;
	if (s->loop)
		loop_fd_del(s->loop, &s->fd);
	mnl_socket_close(s->mnl);
	s->mnl = NULL;
	s->fd.fd = -1;
	s->loop = NULL;
}

uint32_t nl_sock_seq(struct nl_sock *s)
{
	if (++s->seq == 0)
		s->seq = 1;
	return s->seq;
}

/* Extended ACK attributes start at off within the message's payload. */
static void nl_extack(const struct nlmsghdr *nlh, size_t off, char *text, size_t len)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) || off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(text, len, "%s", mnl_attr_get_str(a));
			return;
		}
	}
}

/* NLMSG_ERROR or NLMSG_DONE for our request: the final status. */
static int nl_status(const struct nlmsghdr *nlh, char *text, size_t len)
{
	size_t plen = mnl_nlmsg_get_payload_len(nlh);
	const struct nlmsgerr *e;
	int status;

	if (nlh->nlmsg_type == NLMSG_DONE) {
		if (plen < sizeof(int))
			return 0;
		memcpy(&status, mnl_nlmsg_get_payload(nlh), sizeof(status));
		nl_extack(nlh, sizeof(int), text, len);
		return status > 0 ? -status : status;
	}
	if (plen < sizeof(*e))
		return -EBADMSG;
	e = mnl_nlmsg_get_payload(nlh);
	if (nlh->nlmsg_flags & NLM_F_CAPPED)
		nl_extack(nlh, sizeof(*e), text, len);
	else if (e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		nl_extack(nlh, sizeof(*e) - sizeof(e->msg) + MNL_ALIGN(e->msg.nlmsg_len),
			  text, len);
	return e->error > 0 ? -e->error : e->error;
}

int nl_sock_talk(struct nl_sock *s, struct nlmsghdr *nlh, mnl_cb_t cb, void *data,
		 char *err, size_t errlen)
{
	uint32_t buf[NL_BUF_SIZE / sizeof(uint32_t)];
	char text[NL_ERRLEN] = "";
	int rc = 0, status;
	bool cb_live = cb != NULL;
	uint32_t seq;
	ssize_t n;

	if (err && errlen)
		*err = '\0';
	if (!s || !s->mnl) {
		nl_set_err(err, errlen, "netlink socket not open", ENOTCONN);
		return -ENOTCONN;
	}
	seq = nl_sock_seq(s);
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = 0;
	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	if (mnl_socket_sendto(s->mnl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		nl_set_err(err, errlen, "sendto", -rc);
		return rc;
	}
	for (;;) {
		const struct nlmsghdr *m;
		int left;

		n = mnl_socket_recvfrom(s->mnl, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			status = errno == EAGAIN ? ETIMEDOUT : errno;
			nl_set_err(err, errlen, "no answer from the kernel", status);
			return -status;
		}
		left = (int)n;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left);
		     m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_seq != seq || (m->nlmsg_pid && m->nlmsg_pid != s->portid))
				continue; /* a late answer to an earlier request */
			if (m->nlmsg_flags & NLM_F_DUMP_INTR)
				log_dbg(LOG_NL, "netlink: dump %u interrupted by a change", seq);
			if (m->nlmsg_type == NLMSG_ERROR || m->nlmsg_type == NLMSG_DONE) {
				status = nl_status(m, text, sizeof(text));
				if (status < 0) {
					nl_set_err(err, errlen, text, -status);
					return status;
				}
				if (rc < 0)
					nl_set_err(err, errlen, "malformed reply", -rc);
				return rc;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE || !cb_live)
				continue;
			status = cb(m, data);
			if (status == MNL_CB_ERROR) {
				rc = errno > 0 ? -errno : -EBADMSG;
				cb_live = false; /* keep reading up to the end */
			} else if (status == MNL_CB_STOP) {
				cb_live = false;
			}
		}
	}
}

static void nl_sock_ready(struct loop_fd *f, uint32_t events)
{
	struct nl_sock *s = container_of(f, struct nl_sock, fd);
	uint32_t buf[NL_BUF_SIZE / sizeof(uint32_t)];
	int i;

	(void)events;
	for (i = 0; i < NL_EVENT_BURST && s->mnl; i++) {
		const struct nlmsghdr *m;
		ssize_t n = recv(f->fd, buf, sizeof(buf), MSG_DONTWAIT);
		int left;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ENOBUFS) {
				if (s->on_overrun)
					s->on_overrun(s);
				continue;
			}
			if (errno != EAGAIN)
				log_warn("netlink: event socket: recv: %s", strerror(errno));
			return;
		}
		left = (int)n;
		for (m = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(m, left);
		     m = mnl_nlmsg_next(m, &left)) {
			if (m->nlmsg_type == NLMSG_OVERRUN) {
				if (s->on_overrun)
					s->on_overrun(s);
				continue;
			}
			if (m->nlmsg_type < NLMSG_MIN_TYPE)
				continue;
			s->on_msg(m, s->data);
			if (!s->mnl)
				return; /* closed by the handler */
		}
	}
}

int nl_sock_watch(struct nl_sock *s, struct loop *l, const unsigned int *groups, size_t ngroups,
		  mnl_cb_t on_msg, void (*on_overrun)(struct nl_sock *s), void *data)
{
	int size = NL_RCVBUF_EVENTS, flags;
	size_t i;

	if (!s->mnl)
		return -ENOTCONN;
	for (i = 0; i < ngroups; i++) {
		int g = (int)groups[i];

		if (mnl_socket_setsockopt(s->mnl, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0)
			return -errno;
	}
	if (setsockopt(s->fd.fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0 &&
	    setsockopt(s->fd.fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)) < 0)
		log_warn("netlink: cannot enlarge the event socket buffer: %s", strerror(errno));
	flags = fcntl(s->fd.fd, F_GETFL);
	if (flags < 0 || fcntl(s->fd.fd, F_SETFL, flags | O_NONBLOCK) < 0)
		return -errno;
	s->on_msg = on_msg;
	s->on_overrun = on_overrun;
	s->data = data;
	s->fd.cb = nl_sock_ready;
	s->loop = l;
	return loop_fd_add(l, &s->fd, EPOLLIN);
}

/* ---- generic netlink ---- */

struct genl_family_req {
	const char *group;
	uint16_t id;
	uint32_t group_id;
	bool have_id, have_group;
};

static int genl_group_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (type == CTRL_ATTR_MCAST_GRP_NAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = a;
	else if (type == CTRL_ATTR_MCAST_GRP_ID && mnl_attr_validate(a, MNL_TYPE_U32) == 0)
		tb[type] = a;
	return MNL_CB_OK;
}

static int genl_family_attr(const struct nlattr *a, void *data)
{
	struct genl_family_req *r = data;
	const struct nlattr *g;

	switch (mnl_attr_get_type(a)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(a, MNL_TYPE_U16) < 0)
			return MNL_CB_ERROR;
		r->id = mnl_attr_get_u16(a);
		r->have_id = true;
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (!r->group || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			break;
		mnl_attr_for_each_nested(g, a) {
			const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { NULL };

			if (mnl_attr_validate(g, MNL_TYPE_NESTED) < 0 ||
			    mnl_attr_parse_nested(g, genl_group_cb, tb) < 0)
				continue;
			if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
			    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]), r->group)) {
				r->group_id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
				r->have_group = true;
			}
		}
		break;
	}
	return MNL_CB_OK;
}

int nl_genl_parse_family(const struct nlmsghdr *nlh, const char *group, uint16_t *id,
			 uint32_t *group_id)
{
	struct genl_family_req r = { .group = group };

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)) ||
	    nlh->nlmsg_type != GENL_ID_CTRL)
		return -EINVAL;
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), genl_family_attr, &r) < 0)
		return -EINVAL;
	if (!r.have_id || (group && !r.have_group))
		return -ENOENT;
	*id = r.id;
	if (group_id)
		*group_id = r.group_id;
	return 0;
}

struct genl_resolve {
	const char *group;
	uint16_t *id;
	uint32_t *group_id;
	int rc;
};

static int genl_resolve_cb(const struct nlmsghdr *nlh, void *data)
{
	struct genl_resolve *r = data;

	r->rc = nl_genl_parse_family(nlh, r->group, r->id, r->group_id);
	return MNL_CB_OK;
}

int nl_genl_resolve(struct nl_sock *s, const char *family, const char *group, uint16_t *id,
		    uint32_t *group_id)
{
	uint32_t buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct genl_resolve r = { group, id, group_id, -ENOENT };
	int err;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	if (!mnl_attr_put_strz_check(nlh, sizeof(buf), CTRL_ATTR_FAMILY_NAME, family))
		return -ENAMETOOLONG;
	err = nl_sock_talk(s, nlh, genl_resolve_cb, &r, NULL, 0);
	return err < 0 ? err : r.rc;
}
