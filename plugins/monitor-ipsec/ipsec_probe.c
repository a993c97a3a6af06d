// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: ipsec_probe.c - in-tunnel ICMP echo (see ipsec_probe.h)
 *
 * Called by ipsec.c on its poll timer; uses loop.c for the socket.
 */
#include "ipsec_probe.h"
#include "list.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define ECHO_REQUEST 8
#define ECHO_REPLY 0
#define PAYLOAD 24

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t s = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		s += (uint32_t)p[len - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

uint16_t ipsec_probe_id(uint16_t base, uint16_t seq)
{
	return (uint16_t)(base + seq);
}

size_t ipsec_probe_build(uint8_t *buf, size_t cap, uint16_t id, uint16_t seq)
{
	uint16_t c;
	size_t i;

	if (cap < 8 + PAYLOAD)
		return 0;
	buf[0] = ECHO_REQUEST;
	buf[1] = 0;
	buf[2] = buf[3] = 0;
	buf[4] = (uint8_t)(id >> 8);
	buf[5] = (uint8_t)id;
	buf[6] = (uint8_t)(seq >> 8);
	buf[7] = (uint8_t)seq;
	for (i = 0; i < PAYLOAD; i++)
		buf[8 + i] = (uint8_t)("uplinkd-ipsec-probe....."[i]);
	c = csum(buf, 8 + PAYLOAD);
	buf[2] = (uint8_t)(c >> 8);
	buf[3] = (uint8_t)c;
	return 8 + PAYLOAD;
}

bool ipsec_probe_match(const uint8_t *pkt, size_t len, struct in_addr from, uint16_t id,
		       uint16_t seq)
{
	size_t ihl;
	struct in_addr src;

	if (len < 20 || (pkt[0] >> 4) != 4)
		return false;
	ihl = (size_t)(pkt[0] & 0xf) * 4;
	if (ihl < 20 || len < ihl + 8 || pkt[9] != IPPROTO_ICMP)
		return false;
	memcpy(&src, pkt + 12, 4);
	if (src.s_addr != from.s_addr)
		return false;
	pkt += ihl;
	return pkt[0] == ECHO_REPLY && pkt[1] == 0 && (uint16_t)(pkt[4] << 8 | pkt[5]) == id &&
	       (uint16_t)(pkt[6] << 8 | pkt[7]) == seq;
}

static void probe_fd_cb(struct loop_fd *f, uint32_t ev)
{
	struct ipsec_probe *p = container_of(f, struct ipsec_probe, fd);
	uint8_t buf[512];
	ssize_t n;

	(void)ev;
	for (;;) {
		n = recv(f->fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		if (p->outstanding && ipsec_probe_match(buf, (size_t)n, p->dst,
							 ipsec_probe_id(p->id, p->seq), p->seq)) {
			p->outstanding = false;
			p->answered++;
			p->result(p, true);
		}
	}
}

int ipsec_probe_open(struct ipsec_probe *p, struct loop *l, const char *source,
		     const char *target, uint16_t id,
		     void (*result)(struct ipsec_probe *p, bool answered))
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int fd, one = 1, err;

	memset(p, 0, sizeof(*p));
	p->fd.fd = -1;
	p->fd.cb = probe_fd_cb;
	p->loop = l;
	p->id = id;
	p->result = result;
	if (inet_pton(AF_INET, source, &p->src) != 1 || inet_pton(AF_INET, target, &p->dst) != 1)
		return -EAFNOSUPPORT;
	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMP);
	if (fd < 0)
		return -errno;
	/* the source may be on an interface that is not up yet */
	setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
	sa.sin_addr = p->src;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	p->fd.fd = fd;
	err = loop_fd_add(l, &p->fd, EPOLLIN);
	if (err < 0) {
		close(fd);
		p->fd.fd = -1;
		return err;
	}
	return 0;
}

void ipsec_probe_close(struct ipsec_probe *p)
{
	if (p->fd.registered)
		loop_fd_del(p->loop, &p->fd);
	if (p->fd.fd >= 0)
		close(p->fd.fd);
	p->fd.fd = -1;
}

void ipsec_probe_send(struct ipsec_probe *p)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr = p->dst };
	uint8_t buf[64];
	size_t len;

	if (p->fd.fd < 0)
		return;
	if (p->outstanding) {
		p->outstanding = false;
		p->result(p, false);
	}
	p->seq++;
	len = ipsec_probe_build(buf, sizeof(buf), ipsec_probe_id(p->id, p->seq), p->seq);
	if (sendto(p->fd.fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
	    errno != EAGAIN)
		log_debug("ipsec: probe to %s: %s", inet_ntoa(p->dst), strerror(errno));
	p->sent++;
	p->outstanding = true;
}
