// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctfill - create COUNT UDP conntrack entries NATed to ADDR (their reply direction
 * goes to ADDR), as a busy office would leave on an uplink, for the conntrack-flush
 * scenario and bench. Runs in the router namespace: `ctfill 100.64.1.2 100000`.
 * Entry i: 10.0.0.0+1+i:40000 -> 198.51.100.(10 + i/50000):9999, reply to
 * ADDR:(10000 + i%50000). Messages go in batches of 256 per sendmsg, errors are read
 * back; prints how many were created.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BATCH 256
#define MSG_MAX 256

struct buf {
	char *p;
	size_t len;
};

static struct nlattr *attr_put(struct buf *b, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)(b->p + b->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (data)
		memcpy((char *)a + NLA_HDRLEN, data, len);
	b->len += NLA_ALIGN(a->nla_len);
	return a;
}

static void nest_end(struct buf *b, struct nlattr *a)
{
	a->nla_len = (uint16_t)(b->p + b->len - (char *)a);
}

static void tuple(struct buf *b, uint16_t type, uint32_t src, uint32_t dst, uint16_t sport,
		  uint16_t dport)
{
	struct nlattr *t = attr_put(b, NLA_F_NESTED | type, NULL, 0), *n;
	uint8_t proto = IPPROTO_UDP;

	n = attr_put(b, NLA_F_NESTED | CTA_TUPLE_IP, NULL, 0);
	attr_put(b, CTA_IP_V4_SRC, &src, 4);
	attr_put(b, CTA_IP_V4_DST, &dst, 4);
	nest_end(b, n);
	n = attr_put(b, NLA_F_NESTED | CTA_TUPLE_PROTO, NULL, 0);
	attr_put(b, CTA_PROTO_NUM, &proto, 1);
	attr_put(b, CTA_PROTO_SRC_PORT, &sport, 2);
	attr_put(b, CTA_PROTO_DST_PORT, &dport, 2);
	nest_end(b, n);
	nest_end(b, t);
}

int main(int argc, char **argv)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	static char out[BATCH * MSG_MAX], in[65536];
	struct in_addr nat;
	long count, i, created = 0, failed = 0;
	int fd, first_err = 0, one = 1;

	if (argc != 3 || inet_pton(AF_INET, argv[1], &nat) != 1 || (count = atol(argv[2])) <= 0 ||
	    count > 100000) {
		fprintf(stderr, "usage: ctfill NAT-ADDRESS COUNT (1..100000)\n");
		return 2;
	}
	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("ctfill: netlink socket");
		return 1;
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	for (i = 0; i < count;) {
		struct buf b = { out, 0 };
		long n0 = i, sent;
		ssize_t r;

		for (; i < count && i - n0 < BATCH; i++) {
			struct nlmsghdr *h = (struct nlmsghdr *)(b.p + b.len);
			struct nfgenmsg *g;
			uint32_t src = htonl(0x0a000001u + (uint32_t)i);
			uint32_t dst = htonl(0xc6336400u + 10 + (uint32_t)(i / 50000));
			uint32_t timeout = htonl(600);
			size_t start = b.len;

			b.len += NLMSG_HDRLEN;
			g = (struct nfgenmsg *)(b.p + start + NLMSG_HDRLEN);
			g->nfgen_family = AF_INET;
			g->version = NFNETLINK_V0;
			g->res_id = 0;
			b.len += NLMSG_ALIGN(sizeof(*g));
			tuple(&b, CTA_TUPLE_ORIG, src, dst, htons(40000), htons(9999));
			tuple(&b, CTA_TUPLE_REPLY, dst, nat.s_addr, htons(9999),
			      htons((uint16_t)(10000 + i % 50000)));
			attr_put(&b, CTA_TIMEOUT, &timeout, 4);
			h->nlmsg_len = (uint32_t)(b.len - start);
			h->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
			h->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL | NLM_F_ACK;
			h->nlmsg_seq = (uint32_t)i + 1;
			h->nlmsg_pid = 0;
		}
		if (send(fd, out, b.len, 0) < 0) {
			perror("ctfill: send");
			return 1;
		}
		/* one ACK or error per message */
		for (sent = i - n0; sent > 0;) {
			struct nlmsghdr *h;
			int len;

			r = recv(fd, in, sizeof(in), 0);
			if (r < 0) {
				perror("ctfill: recv");
				return 1;
			}
			len = (int)r;
			for (h = (struct nlmsghdr *)in; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				if (h->nlmsg_type != NLMSG_ERROR)
					continue;
				sent--;
				if (e->error == 0) {
					created++;
				} else {
					failed++;
					if (!first_err)
						first_err = -e->error;
				}
			}
		}
	}
	close(fd);
	printf("%ld created", created);
	if (failed)
		printf(", %ld failed (first: %s)", failed, strerror(first_err));
	printf("\n");
	return failed ? 1 : 0;
}
