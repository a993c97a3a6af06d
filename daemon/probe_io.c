// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: probe_io.c - the socket work every probe plugin shares
 *
 * Owns nothing: helpers that make a socket leave through an uplink (bound to
 * its interface, marked for its table), read datagrams until the socket is
 * drained with the kernel's receive time (SO_TIMESTAMPNS), and print a peer
 * address for drop messages. Called by the probe
 * plugins; depends on nothing but log.c and loop.c, so plugin tests link it.
 */
#include "log.h"
#include "loop.h"
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

int probe_socket(const struct probe_env *env, int family, int type, int protocol)
{
	uint32_t mark = env->mark;
	int fd, err, one = 1;

	fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, env->ifname,
		       (socklen_t)strlen(env->ifname) + 1) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	/* receive times from the kernel (probe_recv); without them, the time of reading */
	setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one));
	return fd;
}

/* The kernel's receive time (CLOCK_REALTIME) moved onto CLOCK_MONOTONIC: now minus
 * how long ago it arrived. A stamp from the future (clock stepped) counts as now. */
static uint64_t rx_time(struct msghdr *mh, uint64_t mono_now)
{
	struct cmsghdr *c;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		struct timespec ts, now;
		int64_t ago;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
		    c->cmsg_len < CMSG_LEN(sizeof(ts)))
			continue;
		memcpy(&ts, CMSG_DATA(c), sizeof(ts));
		clock_gettime(CLOCK_REALTIME, &now);
		ago = (int64_t)(now.tv_sec - ts.tv_sec) * (int64_t)NSEC_PER_SEC +
		      (now.tv_nsec - ts.tv_nsec);
		if (ago <= 0 || (uint64_t)ago > mono_now)
			return mono_now;
		return mono_now - (uint64_t)ago;
	}
	return mono_now;
}

ssize_t probe_recv(const struct probe_env *env, int fd, void *buf, size_t len,
		   struct sockaddr_storage *from, uint64_t *rx_ns, struct log_rl *rl)
{
	for (;;) {
		union {
			struct cmsghdr align;
			char b[CMSG_SPACE(sizeof(struct timespec)) * 2];
		} ctl;
		struct iovec iov = { .iov_base = buf, .iov_len = len };
		struct msghdr mh = { .msg_name = from, .msg_namelen = sizeof(*from),
				     .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
		ssize_t n;

		memset(from, 0, sizeof(*from));
		n = recvmsg(fd, &mh, MSG_TRUNC);
		if (n >= 0) {
			*rx_ns = rx_time(&mh, loop_clock_monotonic());
			return n;
		}
		*rx_ns = loop_clock_monotonic();
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			log_rl_msg(rl, LOG_WARNING, "%s: recvfrom on %s: %s", env->uplink,
				   env->ifname, strerror(errno));
		return -EAGAIN;
	}
}

const char *probe_addr_str(const struct sockaddr_storage *a, char *buf, size_t len)
{
	const void *p = a->ss_family == AF_INET6 ?
				(const void *)&((const struct sockaddr_in6 *)a)->sin6_addr :
				(const void *)&((const struct sockaddr_in *)a)->sin_addr;

	if (!inet_ntop(a->ss_family, p, buf, (socklen_t)len))
		snprintf(buf, len, "?");
	return buf;
}
