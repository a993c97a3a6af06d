// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bmpgen - a synthetic BMP router for the BGP monitor's bench and lab.
 *
 *   bmpgen ADDR PORT N [PEER]
 *
 * Connects to the station, sends an Initiation and a full table of N IPv4
 * /24 prefixes (1.0.0.0/24 upwards, about 1000 per UPDATE, path
 * "65001 64510 64500") from PEER (default 100.64.1.1, AS 65001) plus
 * 203.0.113.0/24 with the same path, prints "sent BYTES SECONDS", then reads
 * commands from stdin, one per line, until EOF:
 *   hijack   203.0.113.0/24 from origin AS64666 (prints "hijack" once sent)
 *   restore  203.0.113.0/24 back on the legitimate path
 *   garbage  bytes that are not BMP (the station must close this session)
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

/* BMP header + per-peer header of a Route Monitoring message; length patched later */
static size_t rm_start(struct buf *b)
{
	size_t start = b->n, i;

	p8(b, 3);
	p32(b, 0);
	p8(b, 0);
	p8(b, 0);	/* global peer */
	p8(b, 0);	/* pre-policy, 4-byte AS_PATH */
	for (i = 0; i < 8 + 12; i++)
		p8(b, 0);
	p32(b, peer_ip);
	p32(b, 65001);
	p32(b, peer_ip);
	p32(b, (uint32_t)time(NULL));
	p32(b, 0);
	return start;
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
	char line[64];
	int fd, one = 1;

	if (argc < 4) {
		fprintf(stderr, "usage: bmpgen ADDR PORT N [PEER]\n");
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
		b.n = 0;
		if (strncmp(line, "hijack", 6) == 0)
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
