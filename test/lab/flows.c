// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flows - many numbered flows, checked per flow at the far end (balance-mode lab tests).
 *
 *   flows serve  --port P --duration-ms D [--udp]
 *   flows client --host ADDR --port P --n N --duration-ms D [--interval-ms I] [--udp]
 *                
 *
 * The client opens N flows (TCP connections, or connected UDP sockets: N source ports) and
 * sends "ID SEQ\n" on every flow every I ms (default 200) for D ms; it prints JSON:
 * {"n", "connected", "errors", "sent"} (errors: flows that failed or were reset).
 * The server (one socket, IPv6 with IPv4 mapped) reads them for D ms and prints JSON:
 * {"ids", "rx", "by_src": {ADDR: ids first seen from ADDR}, "moved": ids seen from more
 *  than one source, "flows": [{"id", "src": [ADDR...], "rx", "lost", "first_src_rx"}]}
 * where lost counts missing sequence numbers (UDP) and first_src_rx the messages received
 * from the flow's first source. Behind the router's masquerade the source address tells
 * which carrier a flow used.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_FLOWS 20000
#define MAX_SRC 4

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void raise_nofile(void)
{
	struct rlimit r = { .rlim_cur = MAX_FLOWS + 64, .rlim_max = MAX_FLOWS + 64 };

	if (setrlimit(RLIMIT_NOFILE, &r) == 0 || getrlimit(RLIMIT_NOFILE, &r) < 0)
		return;
	r.rlim_cur = r.rlim_max; /* not allowed to raise the hard limit: take what there is */
	setrlimit(RLIMIT_NOFILE, &r);
}

static void usage(void)
{
	fprintf(stderr, "usage: flows serve --port P --duration-ms D [--udp]\n"
			"       flows client --host ADDR --port P --n N --duration-ms D "
			"[--interval-ms I] [--udp]\n");
	exit(2);
}

/* ---- server ---- */

struct flow_rec {
	bool seen;
	char src[MAX_SRC][INET6_ADDRSTRLEN];
	int nsrc;
	uint64_t rx, first_src_rx, lost;
	long last_seq;
};

static struct flow_rec *recs;
static unsigned max_id;

static void addr_text(const struct sockaddr_in6 *sa, char *buf, size_t len)
{
	if (IN6_IS_ADDR_V4MAPPED(&sa->sin6_addr))
		inet_ntop(AF_INET, &sa->sin6_addr.s6_addr[12], buf, len);
	else
		inet_ntop(AF_INET6, &sa->sin6_addr, buf, len);
}

static void record(const char *src, const char *line, bool udp)
{
	unsigned id;
	long seq;
	struct flow_rec *r;
	int i;

	if (sscanf(line, "%u %ld", &id, &seq) != 2 || id >= MAX_FLOWS)
		return;
	r = &recs[id];
	if (id + 1 > max_id)
		max_id = id + 1;
	if (!r->seen) {
		r->seen = true;
		r->last_seq = seq - 1;
		snprintf(r->src[0], sizeof(r->src[0]), "%s", src);
		r->nsrc = 1;
	}
	for (i = 0; i < r->nsrc && strcmp(r->src[i], src); i++)
		;
	if (i == r->nsrc && r->nsrc < MAX_SRC)
		snprintf(r->src[r->nsrc++], sizeof(r->src[0]), "%s", src);
	if (i == 0)
		r->first_src_rx++;
	r->rx++;
	if (udp && seq > r->last_seq + 1)
		r->lost += (uint64_t)(seq - r->last_seq - 1);
	if (seq > r->last_seq)
		r->last_seq = seq;
}

struct conn {
	int fd;
	char src[INET6_ADDRSTRLEN];
	char buf[256];
	size_t len;
};

static void conn_read(struct conn *c)
{
	ssize_t n = read(c->fd, c->buf + c->len, sizeof(c->buf) - 1 - c->len);
	char *nl, *p;

	if (n <= 0) {
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		close(c->fd);
		c->fd = -1;
		return;
	}
	c->len += (size_t)n;
	c->buf[c->len] = '\0';
	p = c->buf;
	while ((nl = strchr(p, '\n'))) {
		*nl = '\0';
		record(c->src, p, false);
		p = nl + 1;
	}
	c->len = strlen(p);
	memmove(c->buf, p, c->len + 1);
	if (c->len >= sizeof(c->buf) - 1)
		c->len = 0;
}

static void print_server(void)
{
	char srcs[16][INET6_ADDRSTRLEN];
	unsigned counts[16] = { 0 }, nsrcs = 0, ids = 0, moved = 0, i, k;
	uint64_t rx = 0;
	int j;

	for (i = 0; i < max_id; i++) {
		if (!recs[i].seen)
			continue;
		ids++;
		rx += recs[i].rx;
		moved += recs[i].nsrc > 1;
		for (k = 0; k < nsrcs && strcmp(srcs[k], recs[i].src[0]); k++)
			;
		if (k == nsrcs && nsrcs < 16)
			snprintf(srcs[nsrcs++], sizeof(srcs[0]), "%s", recs[i].src[0]);
		if (k < 16)
			counts[k]++;
	}
	printf("{\"ids\":%u,\"rx\":%llu,\"moved\":%u,\"by_src\":{", ids, (unsigned long long)rx,
	       moved);
	for (k = 0; k < nsrcs; k++)
		printf("%s\"%s\":%u", k ? "," : "", srcs[k], counts[k]);
	printf("},\"flows\":[");
	for (i = 0, k = 0; i < max_id; i++) {
		if (!recs[i].seen)
			continue;
		printf("%s{\"id\":%u,\"src\":[", k++ ? "," : "", i);
		for (j = 0; j < recs[i].nsrc; j++)
			printf("%s\"%s\"", j ? "," : "", recs[i].src[j]);
		printf("],\"rx\":%llu,\"lost\":%llu,\"first_src_rx\":%llu}",
		       (unsigned long long)recs[i].rx, (unsigned long long)recs[i].lost,
		       (unsigned long long)recs[i].first_src_rx);
	}
	printf("]}\n");
}

static int serve(int port, uint64_t duration, bool udp)
{
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				   .sin6_addr = IN6ADDR_ANY_INIT };
	static struct pollfd pfd[MAX_FLOWS + 1];
	static struct conn conns[MAX_FLOWS];
	int ls, one = 1, zero = 0;
	size_t nconn = 0, i;
	uint64_t end = now_ms() + duration;

	recs = calloc(MAX_FLOWS, sizeof(*recs));
	ls = socket(AF_INET6, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK, 0);
	if (!recs || ls < 0)
		return perror("flows: socket"), 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(ls, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero));
	if (udp) {
		int big = 8 << 20;

		setsockopt(ls, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big));
	}
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || (!udp && listen(ls, 4096) < 0))
		return perror("flows: bind/listen"), 1;
	while (now_ms() < end) {
		int n, left = (int)(end - now_ms());

		pfd[0] = (struct pollfd){ .fd = ls, .events = POLLIN };
		for (i = 0; i < nconn; i++)
			pfd[i + 1] = (struct pollfd){ .fd = conns[i].fd, .events = POLLIN };
		n = poll(pfd, nconn + 1, left > 100 ? 100 : left);
		if (n <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			for (;;) {
				struct sockaddr_in6 peer;
				socklen_t pl = sizeof(peer);
				char line[256], src[INET6_ADDRSTRLEN];

				if (udp) {
					ssize_t r = recvfrom(ls, line, sizeof(line) - 1, 0,
							     (struct sockaddr *)&peer, &pl);

					if (r < 0)
						break;
					line[r] = '\0';
					addr_text(&peer, src, sizeof(src));
					record(src, line, true);
					continue;
				}
				int fd = accept4(ls, (struct sockaddr *)&peer, &pl, SOCK_NONBLOCK);

				if (fd < 0)
					break;
				if (nconn == MAX_FLOWS) {
					close(fd);
					continue;
				}
				conns[nconn].fd = fd;
				conns[nconn].len = 0;
				addr_text(&peer, conns[nconn].src, sizeof(conns[nconn].src));
				nconn++;
			}
		}
		for (i = 0; i < nconn; i++)
			if (conns[i].fd >= 0 && (pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				conn_read(&conns[i]);
		for (i = 0; i < nconn;) { /* compact closed ones */
			if (conns[i].fd < 0)
				conns[i] = conns[--nconn];
			else
				i++;
		}
	}
	print_server();
	return 0;
}

/* ---- client ---- */

static int client(const char *host, int port, unsigned n, uint64_t duration, uint64_t interval,
		  bool udp)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int *fd = calloc(n, sizeof(int));
	bool *bad = calloc(n, sizeof(bool)), *up = calloc(n, sizeof(bool));
	struct pollfd *pfd = calloc(n, sizeof(*pfd));
	unsigned i, connected = 0, errors = 0;
	uint64_t sent = 0, seq = 0, t0, next;

	if (!fd || !bad || !up || !pfd)
		return 1;
	if (inet_pton(AF_INET, host, &((struct sockaddr_in *)&ss)->sin_addr) == 1) {
		((struct sockaddr_in *)&ss)->sin_family = AF_INET;
		((struct sockaddr_in *)&ss)->sin_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in);
	} else if (inet_pton(AF_INET6, host, &((struct sockaddr_in6 *)&ss)->sin6_addr) == 1) {
		((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
		((struct sockaddr_in6 *)&ss)->sin6_port = htons((uint16_t)port);
		sl = sizeof(struct sockaddr_in6);
	} else {
		fprintf(stderr, "flows: %s is not an address\n", host);
		return 2;
	}
	for (i = 0; i < n; i++) {
		fd[i] = socket(ss.ss_family, (udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_NONBLOCK, 0);
		if (fd[i] < 0 || (connect(fd[i], (struct sockaddr *)&ss, sl) < 0 &&
				  errno != EINPROGRESS)) {
			bad[i] = true;
			continue;
		}
		if (udp)
			up[i] = true;
		if (!udp && i % 100 == 99)
			usleep(20000); /* pace the SYNs a little */
	}
	t0 = now_ms();
	next = t0;
	while (now_ms() < t0 + duration) {
		int wait = (int)(next > now_ms() ? next - now_ms() : 0);

		for (i = 0; i < n; i++)
			pfd[i] = (struct pollfd){ .fd = bad[i] ? -1 : fd[i],
						  .events = up[i] ? POLLIN : POLLOUT };
		poll(pfd, n, wait);
		for (i = 0; i < n; i++) {
			if (bad[i] || !pfd[i].revents)
				continue;
			if (pfd[i].revents & (POLLERR | POLLHUP)) {
				bad[i] = true;
				continue;
			}
			if (!up[i] && (pfd[i].revents & POLLOUT)) {
				int e = 0;
				socklen_t el = sizeof(e);

				getsockopt(fd[i], SOL_SOCKET, SO_ERROR, &e, &el);
				if (e)
					bad[i] = true;
				else
					up[i] = true;
			}
			if (up[i] && (pfd[i].revents & POLLIN)) {
				char b[64];

				if (read(fd[i], b, sizeof(b)) <= 0 && errno != EAGAIN)
					bad[i] = true;
			}
		}
		if (now_ms() < next)
			continue;
		for (i = 0; i < n; i++) {
			char line[64];
			int len;

			if (bad[i] || !up[i])
				continue;
			len = snprintf(line, sizeof(line), "%u %llu\n", i, (unsigned long long)seq);
			if (send(fd[i], line, (size_t)len, MSG_NOSIGNAL) == len)
				sent++;
			else if (!udp && errno != EAGAIN)
				bad[i] = true;
		}
		seq++;
		next += interval;
	}
	for (i = 0; i < n; i++) {
		connected += up[i];
		errors += bad[i];
		if (fd[i] >= 0)
			close(fd[i]);
	}
	printf("{\"n\":%u,\"connected\":%u,\"errors\":%u,\"sent\":%llu}\n", n, connected, errors,
	       (unsigned long long)sent);
	free(fd);
	free(bad);
	free(up);
	free(pfd);
	return 0;
}

int main(int argc, char **argv)
{
	const char *host = NULL;
	int port = 0, i;
	unsigned n = 0;
	uint64_t duration = 0, interval = 200;
	bool udp = false;

	if (argc < 2)
		usage();
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--udp"))
			udp = true;
		else if (i + 1 >= argc)
			usage();
		else if (!strcmp(argv[i], "--host"))
			host = argv[++i];
		else if (!strcmp(argv[i], "--port"))
			port = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--n"))
			n = (unsigned)atoi(argv[++i]);
		else if (!strcmp(argv[i], "--duration-ms"))
			duration = strtoull(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--interval-ms"))
			interval = strtoull(argv[++i], NULL, 10);
		else
			usage();
	}
	if (!port || !duration || !interval)
		usage();
	raise_nofile();
	setvbuf(stdout, NULL, _IOFBF, 1 << 20);
	if (!strcmp(argv[1], "serve"))
		return serve(port, duration, udp);
	if (!strcmp(argv[1], "client") && host && n && n <= MAX_FLOWS)
		return client(host, port, n, duration, interval, udp);
	usage();
	return 2;
}
