// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bmpgen - a synthetic BMP router for the BGP monitor's bench and lab.
 *
 *   bmpgen [-b SRC] ADDR PORT N [PEER]
 *
 * Connects to the station (from SRC if given), sends an Initiation and a full
 * table of N IPv4 /24 prefixes (1.0.0.0/24 upwards, about 1000 per UPDATE,
 * path "65001 64510 64500") from PEER (default 100.64.1.1, AS 65001) plus
 * 203.0.113.0/24 with the same path, prints "sent BYTES SECONDS", then reads
 * commands from stdin, one per line, until EOF, printing each line once sent:
 *   hijack   203.0.113.0/24 from origin AS64666
 *   restore  203.0.113.0/24 back on the legitimate path
 *   garbage  bytes that are not BMP (the station must close this session)
 *   flap N P N Peer Up and Peer Down messages, alternating, for peer P
 *   more N BASE LEN   N distinct more-specifics /LEN of BASE (from BASE upwards,
 *            about 800 per UPDATE) with the legitimate path, from PEER
 * and closes.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct buf {
	uint8_t *d;
	size_t n, cap;
};

static void put(struct buf *b, const void *p, size_t n)
{
	if (b->n + n > b->cap) {
		b->cap = (b->n + n) * 2;
		b->d = realloc(b->d, b->cap);
		if (!b->d) {
			perror("bmpgen: realloc");
			exit(1);
		}
	}
	memcpy(b->d + b->n, p, n);
	b->n += n;
}

static void p8(struct buf *b, unsigned int v)
{
	uint8_t x = (uint8_t)v;

	put(b, &x, 1);
}

static void p16(struct buf *b, unsigned int v)
{
	p8(b, v >> 8);
	p8(b, v & 0xff);
}

static void p32(struct buf *b, uint32_t v)
{
	p16(b, v >> 16);
	p16(b, v & 0xffff);
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t peer_ip;

/* BMP header + per-peer header (peer `ip`) of a message of `type`; length patched later */
static size_t msg_start(struct buf *b, unsigned int type, uint32_t ip)
{
	size_t start = b->n, i;

	p8(b, 3);
	p32(b, 0);
	p8(b, type);
	p8(b, 0);	/* global peer */
	p8(b, 0);	/* pre-policy, 4-byte AS_PATH */
	for (i = 0; i < 8 + 12; i++)
		p8(b, 0);
	p32(b, ip);
	p32(b, 65001);
	p32(b, ip);
	p32(b, (uint32_t)time(NULL));
	p32(b, 0);
	return start;
}

static size_t rm_start(struct buf *b)
{
	return msg_start(b, 0, peer_ip);
}

static void msg_end(struct buf *b, size_t start)
{
	set32(b->d + start + 1, (uint32_t)(b->n - start));
}

/* an OPEN with the 4-byte AS capability */
static void open_msg(struct buf *b, uint32_t as, uint32_t id)
{
	size_t i;

	for (i = 0; i < 16; i++)
		p8(b, 0xff);
	p16(b, 19 + 10 + 8);
	p8(b, 1);
	p8(b, 4);
	p16(b, as > 65535 ? 23456 : as);
	p16(b, 90);
	p32(b, id);
	p8(b, 8);
	p8(b, 2); p8(b, 6); p8(b, 65); p8(b, 4); p32(b, as);
}

static void peer_up(struct buf *b, uint32_t ip)
{
	size_t start = msg_start(b, 3, ip), i;

	for (i = 0; i < 12; i++)
		p8(b, 0);
	p32(b, ip + 1);		/* local address */
	p16(b, 179);
	p16(b, 40000);
	open_msg(b, 65000, ip + 1);
	open_msg(b, 65001, ip);
	msg_end(b, start);
}

static void peer_down(struct buf *b, uint32_t ip)
{
	size_t start = msg_start(b, 2, ip);

	p8(b, 4);		/* remote close, no notification */
	msg_end(b, start);
}

/* one UPDATE announcing `n` /len prefixes from `first` (host order), step 2^(32-len) */
static void update_len(struct buf *b, uint32_t first, size_t n, unsigned int len,
		       const uint32_t *path, size_t np)
{
	size_t start = rm_start(b), i;
	size_t attr_len = 4 + 3 + 2 + 4 * np + 7, bytes = (len + 7) / 8;

	for (i = 0; i < 16; i++)
		p8(b, 0xff);
	p16(b, (unsigned int)(19 + 4 + attr_len + (1 + bytes) * n));
	p8(b, 2);
	p16(b, 0);
	p16(b, (unsigned int)attr_len);
	p8(b, 0x40); p8(b, 1); p8(b, 1); p8(b, 0);
	p8(b, 0x40); p8(b, 2); p8(b, (unsigned int)(2 + 4 * np)); p8(b, 2); p8(b, (unsigned int)np);
	for (i = 0; i < np; i++)
		p32(b, path[i]);
	p8(b, 0x40); p8(b, 3); p8(b, 4); p32(b, peer_ip);
	for (i = 0; i < n; i++) {
		uint32_t a = first + (uint32_t)(i << (32 - len));
		size_t k;

		p8(b, len);
		for (k = 0; k < bytes; k++)
			p8(b, (a >> (24 - 8 * k)) & 0xff);
	}
	msg_end(b, start);
}

/* one UPDATE announcing `n` /24s from `first` (host order) with path path[0..np) */
static void update(struct buf *b, uint32_t first, size_t n, const uint32_t *path, size_t np)
{
	size_t start = rm_start(b), ustart = b->n, i;
	size_t attr_len = 4 + 3 + 2 + 4 * np + 7;

	for (i = 0; i < 16; i++)
		p8(b, 0xff);
	p16(b, (unsigned int)(19 + 4 + attr_len + 4 * n));
	p8(b, 2);
	p16(b, 0);
	p16(b, (unsigned int)attr_len);
	p8(b, 0x40); p8(b, 1); p8(b, 1); p8(b, 0);
	p8(b, 0x40); p8(b, 2); p8(b, (unsigned int)(2 + 4 * np)); p8(b, 2); p8(b, (unsigned int)np);
	for (i = 0; i < np; i++)
		p32(b, path[i]);
	p8(b, 0x40); p8(b, 3); p8(b, 4); p32(b, peer_ip);
	for (i = 0; i < n; i++) {
		uint32_t a = first + (uint32_t)(i << 8);

		p8(b, 24);
		p8(b, a >> 24);
		p8(b, (a >> 16) & 0xff);
		p8(b, (a >> 8) & 0xff);
	}
	(void)ustart;
	set32(b->d + start + 1, (uint32_t)(b->n - start));
}

static void send_all(int fd, const struct buf *b)
{
	size_t off = 0;

	while (off < b->n) {
		ssize_t n = send(fd, b->d + off, b->n - off, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("bmpgen: send");
			exit(1);
		}
		off += (size_t)n;
	}
}

int main(int argc, char **argv)
{
	static const uint32_t legit[] = { 65001, 64510, 64500 }, bad[] = { 65001, 64666 };
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct buf b = { 0 };
	struct timespec t0, t1;
	uint32_t vpn;
	unsigned long n, i;
	const char *src = NULL;
	char line[128];
	int fd, one = 1;

	if (argc > 2 && strcmp(argv[1], "-b") == 0) {
		src = argv[2];
		argv += 2;
		argc -= 2;
	}
	if (argc < 4) {
		fprintf(stderr, "usage: bmpgen [-b SRC] ADDR PORT N [PEER]\n");
		return 2;
	}
	n = strtoul(argv[3], NULL, 10);
	if (inet_pton(AF_INET, argv[1], &sa.sin_addr) != 1 ||
	    inet_pton(AF_INET, argc > 4 ? argv[4] : "100.64.1.1", &peer_ip) != 1) {
		fprintf(stderr, "bmpgen: bad address\n");
		return 2;
	}
	peer_ip = ntohl(peer_ip);
	inet_pton(AF_INET, "203.0.113.0", &vpn);
	vpn = ntohl(vpn);
	sa.sin_port = htons((uint16_t)atoi(argv[2]));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd >= 0 && src) {
		struct sockaddr_in la = { .sin_family = AF_INET };

		if (inet_pton(AF_INET, src, &la.sin_addr) != 1 ||
		    bind(fd, (struct sockaddr *)&la, sizeof(la)) < 0) {
			perror("bmpgen: bind");
			return 1;
		}
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("bmpgen: connect");
		return 1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));

	/* Initiation: sysDescr, sysName */
	p8(&b, 3); p32(&b, 6 + 4 + 6 + 4 + 6); p8(&b, 4);
	p16(&b, 1); p16(&b, 6); put(&b, "bmpgen", 6);
	p16(&b, 2); p16(&b, 6); put(&b, "bmpgen", 6);
	for (i = 0; i < n; i += 1000)
		update(&b, 0x01000000u + (uint32_t)(i << 8), n - i < 1000 ? n - i : 1000, legit, 3);
	update(&b, vpn, 1, legit, 3);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	send_all(fd, &b);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("sent %zu %.3f\n", b.n, (double)(t1.tv_sec - t0.tv_sec) +
	       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	fflush(stdout);
	while (fgets(line, sizeof(line), stdin)) {
		char a1[64], a2[64];
		unsigned long cnt;
		unsigned int len;
		uint32_t ip;

		b.n = 0;
		if (sscanf(line, "flap %lu %63s", &cnt, a1) == 2 && inet_pton(AF_INET, a1, &ip) == 1) {
			ip = ntohl(ip);
			for (i = 0; i < cnt; i++) {
				if (i % 2)
					peer_down(&b, ip);
				else
					peer_up(&b, ip);
				if (b.n > (1u << 20)) {
					send_all(fd, &b);
					b.n = 0;
				}
			}
		} else if (sscanf(line, "more %lu %63s %u", &cnt, a2, &len) == 3 &&
			   inet_pton(AF_INET, a2, &ip) == 1 && len >= 8 && len <= 32) {
			ip = ntohl(ip);
			for (i = 0; i < cnt; i += 800) {
				update_len(&b, ip + (uint32_t)(len == 32 ? i : i << (32 - len)),
					   cnt - i < 800 ? cnt - i : 800, len, legit, 3);
				if (b.n > (1u << 20)) {
					send_all(fd, &b);
					b.n = 0;
				}
			}
		} else if (strncmp(line, "hijack", 6) == 0)
			update(&b, vpn, 1, bad, 2);
		else if (strncmp(line, "restore", 7) == 0)
			update(&b, vpn, 1, legit, 3);
		else if (strncmp(line, "garbage", 7) == 0)
			put(&b, "\x09garbage-garbage-garbage", 24);
		else
			continue;
		send_all(fd, &b);
		printf("%s", line);
		fflush(stdout);
	}
	close(fd);
	free(b.d);
	return 0;
}
