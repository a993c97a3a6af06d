// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: arping.c - the arping probe plugin (method = "arping"): the first hop
 *
 * Owns one AF_PACKET SOCK_DGRAM socket for ETH_P_ARP, bound to the uplink's
 * interface (by index; probe.c restarts the block when the interface comes
 * back with a new one). Each probe is an ARP request, broadcast, for the
 * target: by default the uplink's gateway (configured or learned; probe.c
 * looks it up before every send), as arping(8) and mwan3's arping track do.
 * The request carries the interface's hardware address and its current IPv4
 * address (0.0.0.0 without one: an RFC 5227 probe, which Linux and most
 * routers answer as well). A reply from the target to us answers the target's
 * latest request (ARP has no sequence number; one request per target is in
 * flight, a new one replaces the older, which probe.c then times out).
 * Everything else leaves through one DROP exit: counted, logged at debug
 * level, rate-limited. Only Ethernet-like interfaces (ARPHRD_ETHER) have ARP:
 * on PPP or a tunnel every send fails with a warning to use icmp instead.
 * Needs CAP_NET_RAW. SO_MARK and routing do not apply: ARP never leaves the link.
 *
 * Calls probe_reply() (probe.c), loop.c, arp_wire.c.
 * Called by probe.c through plugin_probe_arping.
 */
#include "arp_wire.h"
#include "list.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "schema.h"
#include "probe.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netpacket/packet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define ARP_BUF 256

struct arping_conf {
	int unused; /* no keys of its own yet */
};

static const struct cfg_key arping_keys[] = {
	CFG_END
};

struct arping_inst {
	struct probe_env *env;
	struct loop_fd fd; /* -1: not open (no interface, or not Ethernet) */
	int ifindex;
	unsigned short hwtype;
	struct arp_match match;	 /* our addresses; tips: the address of each target's request */
	struct in_addr *tips;
	uint32_t *seq;		 /* per target: the seq of its request in flight */
	bool *pending;
	uint64_t dropped;
	struct log_rl rl, rl_warn;
};

static void arping_read(struct loop_fd *f, uint32_t events)
{
	struct arping_inst *in = container_of(f, struct arping_inst, fd);
	uint8_t buf[ARP_BUF];

	(void)events;
	for (;;) {
		struct sockaddr_ll from;
		socklen_t flen = sizeof(from);
		const char *why;
		uint64_t rx;
		size_t idx;
		ssize_t n;

		n = recvfrom(f->fd, buf, sizeof(buf), MSG_TRUNC, (struct sockaddr *)&from, &flen);
		rx = loop_clock_monotonic();
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_rl_msg(&in->rl_warn, LOG_WARNING, "%s: arping: recvfrom on %s: %s",
					   in->env->uplink, in->env->ifname, strerror(errno));
			break;
		}
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue; /* our own requests (and the kernel's), seen on the way out */
		if ((size_t)n > sizeof(buf)) {
			why = "larger than any ARP packet";
			goto drop;
		}
		if (arp_reply_match(buf, (size_t)n, &in->match, &idx, &why) < 0)
			goto drop;
		if (!in->pending[idx])
			continue; /* a second reply, or one to the kernel's own request */
		in->pending[idx] = false;
		probe_reply(in->env, idx, in->seq[idx], rx);
		continue;
drop:
		in->dropped++;
		log_rl_msg(&in->rl, LOG_DEBUG, "%s: arping: packet on %s dropped: %s; %llu so far",
			   in->env->uplink, in->env->ifname, why, (unsigned long long)in->dropped);
	}
}

static void sock_close(struct arping_inst *in)
{
	if (in->fd.fd < 0)
		return;
	loop_fd_del(in->env->loop, &in->fd);
	close(in->fd.fd);
	in->fd.fd = -1;
}

/* The interface's hardware address and type: 0 or -errno. */
static int hw_addr(int fd, const char *ifname, uint8_t mac[6], unsigned short *type)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
		return -errno;
	*type = ifr.ifr_hwaddr.sa_family;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

/* The interface's (primary) IPv4 address now; 0.0.0.0 without one. */
static struct in_addr if_addr4(int fd, const char *ifname)
{
	struct in_addr a = { 0 };
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_addr.sa_family = AF_INET;
	if (ioctl(fd, SIOCGIFADDR, &ifr) == 0)
		a = ((struct sockaddr_in *)&ifr.ifr_addr)->sin_addr;
	return a;
}

static int sock_open(struct arping_inst *in)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP) };
	int fd, err;

	in->ifindex = (int)if_nametoindex(in->env->ifname);
	if (!in->ifindex)
		return -ENODEV;
	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ARP));
	if (fd < 0)
		return -errno;
	err = hw_addr(fd, in->env->ifname, in->match.sha, &in->hwtype);
	if (err < 0)
		goto err;
	if (in->hwtype != ARPHRD_ETHER) {
		err = -EPFNOSUPPORT;
		goto err;
	}
	sll.sll_ifindex = in->ifindex;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		err = -errno;
		goto err;
	}
	in->fd.fd = fd;
	in->fd.cb = arping_read;
	err = loop_fd_add(in->env->loop, &in->fd, EPOLLIN);
	if (err < 0) {
		in->fd.fd = -1;
		goto err;
	}
	return 0;
err:
	close(fd);
	return err;
}

static int arping_send(void *p, size_t idx, uint32_t seq)
{
	struct arping_inst *in = p;
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ARP),
				  .sll_halen = 6,
				  .sll_addr = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff } };
	const struct probe_target *t;
	uint8_t buf[ARP_PKT_LEN];
	int len, err;

	if (idx >= in->env->ntargets)
		return -EINVAL;
	t = &in->env->targets[idx];
	if (t->family != AF_INET)
		return -EAFNOSUPPORT;
	if (in->fd.fd < 0 && (err = sock_open(in)) < 0) {
		if (err == -EPFNOSUPPORT)
			log_rl_msg(&in->rl_warn, LOG_WARNING,
				   "%s: arping: %s is not an Ethernet interface (type %u) and has no ARP; probe it with icmp instead",
				   in->env->uplink, in->env->ifname, in->hwtype);
		else if (err != -ENODEV)
			log_rl_msg(&in->rl_warn, LOG_WARNING,
				   "%s: arping: cannot open a packet socket on %s: %s (uplinkd needs CAP_NET_RAW)",
				   in->env->uplink, in->env->ifname, strerror(-err));
		return err;
	}
	in->match.sip = if_addr4(in->fd.fd, in->env->ifname);
	in->tips[idx] = ((const struct sockaddr_in *)&t->addr)->sin_addr;
	len = arp_request_build(buf, sizeof(buf), in->match.sha, in->match.sip, in->tips[idx]);
	if (len < 0)
		return len;
	to.sll_ifindex = in->ifindex;
	in->seq[idx] = seq;
	in->pending[idx] = true;
	if (sendto(in->fd.fd, buf, (size_t)len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		err = -errno;
		in->pending[idx] = false;
		if (err == -ENXIO || err == -ENODEV || err == -ENETDOWN)
			sock_close(in); /* the interface went away: open again next time */
		return err;
	}
	return 0;
}

static void arping_destroy(void *p)
{
	struct arping_inst *in = p;

	if (!in)
		return;
	sock_close(in);
	free(in->tips);
	free(in->seq);
	free(in->pending);
	free(in);
}

static void *arping_create(struct probe_env *env, const void *conf)
{
	struct arping_inst *in = calloc(1, sizeof(*in));
	size_t n = env->ntargets ? env->ntargets : 1;
	int err;

	(void)conf;
	if (!in)
		goto nomem;
	in->env = env;
	in->fd.fd = -1;
	in->tips = calloc(n, sizeof(*in->tips));
	in->seq = calloc(n, sizeof(*in->seq));
	in->pending = calloc(n, sizeof(*in->pending));
	if (!in->tips || !in->seq || !in->pending)
		goto nomem;
	in->match.tips = in->tips;
	in->match.ntargets = env->ntargets;
	/* the interface may not exist yet (PPPoE, LTE): then the first send opens it */
	err = sock_open(in);
	if (err == -EPFNOSUPPORT)
		log_warn("%s: arping: %s is not an Ethernet interface (type %u) and has no ARP; probe it with icmp instead",
			 env->uplink, env->ifname, in->hwtype);
	else if (err < 0 && err != -ENODEV)
		log_err("%s: arping: cannot open a packet socket on %s: %s (uplinkd needs CAP_NET_RAW)",
			env->uplink, env->ifname, strerror(-err));
	log_dbg(LOG_PROBE, "%s: arping: ARP requests on %s (ifindex %d)", env->uplink,
		env->ifname, in->ifindex);
	return in;
nomem:
	log_err("%s: arping: out of memory", env->uplink);
	arping_destroy(in);
	return NULL;
}

const struct plugin plugin_probe_arping = {
	.name = "arping",
	.kind = PLUGIN_PROBE,
	.keys = arping_keys,
	.conf_size = sizeof(struct arping_conf),
	.target_family = AF_INET,
	.target_gateway = true,
	.probe_create = arping_create,
	.probe_send = arping_send,
	.destroy = arping_destroy,
};
