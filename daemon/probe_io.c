// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: probe_io.c - the socket work every probe plugin shares
 *
 * Owns nothing: helpers that make a socket leave through an uplink (bound to
 * its interface, marked for its table), read datagrams until the socket is
 * drained, and print a peer address for drop messages. Called by the probe
 * plugins; depends on nothing but log.c and loop.c, so plugin tests link it.
 */
#include "log.h"
#include "loop.h"
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int probe_socket(const struct probe_env *env, int family, int type, int protocol)
{
	uint32_t mark = env->mark;
	int fd, err;

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
	return fd;
}

ssize_t probe_recv(const struct probe_env *env, int fd, void *buf, size_t len,
		   struct sockaddr_storage *from, uint64_t *rx_ns, struct log_rl *rl)
{
	for (;;) {
		socklen_t flen = sizeof(*from);
		ssize_t n;

		memset(from, 0, sizeof(*from));
		n = recvfrom(fd, buf, len, MSG_TRUNC, (struct sockaddr *)from, &flen);
		*rx_ns = loop_clock_monotonic();
		if (n >= 0)
			return n;
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
