// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: udpseq - measure an outage as a run of missing UDP sequence numbers
 *
 *   udpseq send --to ADDR:PORT|[ADDR6]:PORT [--interval-us 1000] [--count N] [--size BYTES]
 *               [--json]
 *   udpseq recv --port P [--bind ADDR] [--duration S] [--linger-ms 500] [--ready FILE] [--json]
 *
 * send: numbered datagrams on an absolute schedule (t0 + k * interval, clock_nanosleep
 * TIMER_ABSTIME on CLOCK_MONOTONIC), so a slow send never shifts the later ones; a send that
 * fails (no route during a failover) is counted and the schedule goes on.
 * recv: one socket for IPv4 and IPv6 (unless --bind); it latches on to the first run id it
 * sees, records which sequence numbers arrived, and ends after --duration seconds, on
 * SIGINT/SIGTERM, or --linger-ms after the last packet of the run arrived. It prints the
 * --ready FILE is created once the socket is bound, so a test starts the sender after the
 * receiver is ready instead of after a guessed sleep. It prints the
 * sent range, received, lost, duplicates, the number of gaps and the longest gap: packets,
 * milliseconds (packets x interval), first and last missing seq, and when it began (offset
 * from the first send, and Unix time).
 *
 * Wire format, big endian, 40 bytes then zero padding up to --size:
 *   u32 magic "USEQ", u32 run id, u64 seq, u64 count, u64 send time (CLOCK_REALTIME ns),
 *   u32 interval us, u32 reserved
 * Sender and receiver share the host clock in the lab, so one-way delay is reported too.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAGIC 0x55534551u	/* "USEQ" */
#define HDR_LEN 40
#define MAX_COUNT 100000000ull	/* 100 M packets: 800 MB of timestamps, a hard upper bound */

struct hdr {
	uint32_t run_id;
	uint64_t seq, count, sent_ns;
	uint32_t interval_us;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void put32(unsigned char *p, uint32_t v)
{
	v = htonl(v);
	memcpy(p, &v, 4);
}

static void put64(unsigned char *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint32_t get32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return ntohl(v);
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

static void hdr_put(unsigned char *p, const struct hdr *h)
{
	put32(p, MAGIC);
	put32(p + 4, h->run_id);
	put64(p + 8, h->seq);
	put64(p + 16, h->count);
	put64(p + 24, h->sent_ns);
	put32(p + 32, h->interval_us);
	put32(p + 36, 0);
}

static bool hdr_get(const unsigned char *p, size_t len, struct hdr *h)
{
	if (len < HDR_LEN || get32(p) != MAGIC)
		return false;
	h->run_id = get32(p + 4);
	h->seq = get64(p + 8);
	h->count = get64(p + 16);
	h->sent_ns = get64(p + 24);
	h->interval_us = get32(p + 32);
	return h->count > 0 && h->count <= MAX_COUNT && h->seq < h->count && h->interval_us > 0;
}

/* "1.2.3.4:5", "[2001:db8::1]:5" or "2001:db8::1" with a separate port */
static int parse_hostport(const char *s, struct sockaddr_storage *ss, socklen_t *sslen)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *ai;
	char host[INET6_ADDRSTRLEN + 2];
	const char *port;
	size_t hl;
	int rc;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');

		if (!end || end[1] != ':')
			return -EINVAL;
		hl = (size_t)(end - s - 1);
		s++;
		port = end + 2;
	} else {
		port = strrchr(s, ':');
		if (!port || strchr(s, ':') != port)
			return -EINVAL;
		hl = (size_t)(port - s);
		port++;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	rc = getaddrinfo(host, port, &hints, &ai);
	if (rc)
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	*sslen = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void usage(void)
{
	fprintf(stderr,
		"usage: udpseq send --to ADDR:PORT [--interval-us 1000] [--count N] [--size B] [--json]\n"
		"       udpseq recv --port P [--bind ADDR] [--duration S] [--linger-ms 500] [--ready FILE] [--json]\n");
	exit(2);
}

static unsigned long long num_arg(const char *s, unsigned long long min, unsigned long long max)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v < min || v > max) {
		fprintf(stderr, "udpseq: '%s' is not a number in [%llu, %llu]\n", s, min, max);
		exit(2);
	}
	return v;
}

static void ts_add_ns(struct timespec *ts, uint64_t ns)
{
	ns += (uint64_t)ts->tv_nsec;
	ts->tv_sec += (time_t)(ns / 1000000000u);
	ts->tv_nsec = (long)(ns % 1000000000u);
}

static int cmd_send(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },
		{ "interval-us", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'c' },
		{ "size", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_storage to;
	socklen_t tolen = 0;
	struct hdr h = { .count = 1000, .interval_us = 1000 };
	uint64_t sent = 0, errors = 0, late = 0, k;
	unsigned char buf[65507] = { 0 };
	size_t size = HDR_LEN;
	bool json = false;
	struct timespec next;
	int c, fd, last_err = 0;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_hostport(optarg, &to, &tolen) < 0) {
				fprintf(stderr, "udpseq: --to %s: expected ADDR:PORT or [ADDR6]:PORT\n",
					optarg);
				return 2;
			}
			break;
		case 'i':
			h.interval_us = (uint32_t)num_arg(optarg, 1, 60000000);
			break;
		case 'c':
			h.count = num_arg(optarg, 1, MAX_COUNT);
			break;
		case 's':
			size = (size_t)num_arg(optarg, HDR_LEN, sizeof(buf));
			break;
		case 'j':
			json = true;
			break;
		default:
			usage();
		}
	}
	if (!tolen || optind != argc)
		usage();
	fd = socket(to.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("udpseq: socket");
		return 1;
	}
	h.run_id = (uint32_t)(clock_ns(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 16));
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (k = 0; k < h.count && !stop; k++) {
		int rc;

		if (k) {
			ts_add_ns(&next, (uint64_t)h.interval_us * 1000u);
			do
				rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next, NULL);
			while (rc == EINTR && !stop);
			if (stop)
				break;
			if (clock_ns(CLOCK_MONOTONIC) >
			    (uint64_t)next.tv_sec * 1000000000u + (uint64_t)next.tv_nsec +
			    (uint64_t)h.interval_us * 1000u)
				late++;
		}
		h.seq = k;
		h.sent_ns = clock_ns(CLOCK_REALTIME);
		hdr_put(buf, &h);
		/* not connected: an ICMP error for one packet must not fail the next send */
		if (sendto(fd, buf, size, 0, (struct sockaddr *)&to, tolen) == (ssize_t)size) {
			sent++;
		} else {
			errors++;
			last_err = errno;
		}
	}
	close(fd);
	if (json)
		printf("{\"run_id\":%" PRIu32 ",\"count\":%" PRIu64 ",\"sent\":%" PRIu64
		       ",\"errors\":%" PRIu64 ",\"late\":%" PRIu64 ",\"last_error\":\"%s\"}\n",
		       h.run_id, h.count, sent, errors, late, last_err ? strerror(last_err) : "");
	else
		fprintf(stderr, "udpseq send: %" PRIu64 " sent, %" PRIu64 " errors%s%s, %" PRIu64
			" late\n", sent, errors, last_err ? " last: " : "",
			last_err ? strerror(last_err) : "", late);
	return 0;
}

struct rx {
	struct hdr run;		/* the run latched on to (run_id, count, interval_us) */
	bool latched;
	uint64_t *sent;		/* [seq]: send time, 0 = not received */
	uint64_t received, dups, reordered, stray, max_seq;
	uint64_t t0_ns;		/* estimated CLOCK_REALTIME of seq 0's scheduled send */
	double owd_min, owd_max, owd_sum;
	char from[INET6_ADDRSTRLEN];
	uint64_t last_at;	/* monotonic ns the final seq arrived; 0: not yet */
};

static void rx_packet(struct rx *rx, const unsigned char *buf, size_t len,
		      const struct sockaddr_storage *ss)
{
	struct hdr h;
	uint64_t now = clock_ns(CLOCK_REALTIME), t0;
	double owd;

	if (!hdr_get(buf, len, &h)) {
		rx->stray++;
		return;
	}
	if (!rx->latched) {
		rx->sent = calloc(h.count, sizeof(*rx->sent));
		if (!rx->sent) {
			perror("udpseq: calloc");
			exit(1);
		}
		rx->run = h;
		rx->latched = true;
		rx->t0_ns = UINT64_MAX;
		rx->owd_min = INFINITY;
		if (ss->ss_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)ss;

			if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
				inet_ntop(AF_INET, &s6->sin6_addr.s6_addr[12], rx->from,
					  sizeof(rx->from));
			else
				inet_ntop(AF_INET6, &s6->sin6_addr, rx->from, sizeof(rx->from));
		} else {
			inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, rx->from,
				  sizeof(rx->from));
		}
	}
	if (h.run_id != rx->run.run_id || h.count != rx->run.count) {
		rx->stray++;
		return;
	}
	if (rx->sent[h.seq]) {
		rx->dups++;
		return;
	}
	rx->sent[h.seq] = h.sent_ns ? h.sent_ns : 1;
	if (rx->received && h.seq < rx->max_seq)
		rx->reordered++;
	if (h.seq > rx->max_seq || !rx->received)
		rx->max_seq = h.seq;
	rx->received++;
	t0 = h.sent_ns - h.seq * (uint64_t)h.interval_us * 1000u;
	if (t0 < rx->t0_ns)
		rx->t0_ns = t0;
	owd = ((double)now - (double)h.sent_ns) / 1e6;
	rx->owd_sum += owd;
	if (owd < rx->owd_min)
		rx->owd_min = owd;
	if (owd > rx->owd_max)
		rx->owd_max = owd;
	if (h.seq == h.count - 1)
		rx->last_at = clock_ns(CLOCK_MONOTONIC);
}

static void rx_report(const struct rx *rx, bool json, uint64_t linger_ns)
{
	uint64_t iv_ns = (uint64_t)rx->run.interval_us * 1000u, now = clock_ns(CLOCK_REALTIME);
	uint64_t last, k, lost = 0, gaps = 0, run = 0, best = 0, best_first = 0;
	double gap_ms, start_ms, start_unix;

	if (!rx->latched) {
		if (json)
			printf("{\"received\":0,\"lost\":null,\"first_seq\":null,\"last_seq\":null,"
			       "\"stray\":%" PRIu64 "}\n", rx->stray);
		else
			fprintf(stderr, "udpseq recv: nothing received\n");
		return;
	}
	/*
	 * The sent range: all of it once the final packet had time to arrive; otherwise up
	 * to the last packet that, by the sender's schedule, should have arrived by now (so an
	 * outage that lasts until the end still counts).
	 */
	last = rx->run.count - 1;
	if (now < rx->t0_ns + last * iv_ns + linger_ns) {
		uint64_t due = now > rx->t0_ns + linger_ns ? (now - rx->t0_ns - linger_ns) / iv_ns : 0;

		last = due > rx->max_seq ? due : rx->max_seq;
		if (last > rx->run.count - 1)
			last = rx->run.count - 1;
	}
	for (k = 0; k <= last; k++) {
		if (!rx->sent[k]) {
			lost++;
			if (run++ == 0)
				gaps++;
			if (run > best) {
				best = run;
				best_first = k + 1 - run;
			}
		} else {
			run = 0;
		}
	}
	gap_ms = (double)best * (double)iv_ns / 1e6;
	start_ms = (double)best_first * (double)iv_ns / 1e6;
	start_unix = ((double)rx->t0_ns + (double)best_first * (double)iv_ns) / 1e9;
	if (json) {
		printf("{\"from\":\"%s\",\"run_id\":%" PRIu32 ",\"interval_us\":%" PRIu32
		       ",\"count\":%" PRIu64 ",\"first_seq\":0,\"last_seq\":%" PRIu64
		       ",\"received\":%" PRIu64 ",\"lost\":%" PRIu64 ",\"duplicates\":%" PRIu64
		       ",\"reordered\":%" PRIu64 ",\"stray\":%" PRIu64 ",\"gaps\":%" PRIu64,
		       rx->from, rx->run.run_id, rx->run.interval_us, rx->run.count, last,
		       rx->received, lost, rx->dups, rx->reordered, rx->stray, gaps);
		if (best)
			printf(",\"max_gap\":{\"packets\":%" PRIu64 ",\"ms\":%.3f,\"first_seq\":%"
			       PRIu64 ",\"last_seq\":%" PRIu64 ",\"start_ms\":%.3f,"
			       "\"start_unix\":%.3f}", best, gap_ms, best_first,
			       best_first + best - 1, start_ms, start_unix);
		else
			printf(",\"max_gap\":{\"packets\":0,\"ms\":0}");
		printf(",\"owd_ms\":{\"min\":%.3f,\"avg\":%.3f,\"max\":%.3f}}\n", rx->owd_min,
		       rx->owd_sum / (double)rx->received, rx->owd_max);
	} else {
		fprintf(stderr, "udpseq recv from %s: seq 0..%" PRIu64 ": %" PRIu64 " received, %"
			PRIu64 " lost in %" PRIu64 " gaps; longest %" PRIu64 " packets = %.1f ms "
			"from %.1f ms; %" PRIu64 " dups, %" PRIu64 " reordered\n", rx->from, last,
			rx->received, lost, gaps, best, gap_ms, start_ms, rx->dups, rx->reordered);
	}
}

static int cmd_recv(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "port", required_argument, NULL, 'p' },
		{ "bind", required_argument, NULL, 'b' },
		{ "duration", required_argument, NULL, 'd' },
		{ "linger-ms", required_argument, NULL, 'l' },
		{ "ready", required_argument, NULL, 'r' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen;
	const char *bind_addr = NULL, *ready = NULL;
	unsigned long port = 0;
	double duration = 10;
	uint64_t linger_ns = 500000000u, end;
	bool json = false;
	struct rx rx = { 0 };
	unsigned char buf[65536];
	char *e;
	int c, fd, off = 0, rcvbuf = 4 << 20;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			port = (unsigned long)num_arg(optarg, 1, 65535);
			break;
		case 'b':
			bind_addr = optarg;
			break;
		case 'd':
			duration = strtod(optarg, &e);
			if (*e || e == optarg || !(duration > 0 && duration < 1e6))
				usage();
			break;
		case 'l':
			linger_ns = num_arg(optarg, 0, 600000) * 1000000u;
			break;
		case 'r':
			ready = optarg;
			break;
		case 'j':
			json = true;
			break;
		default:
			usage();
		}
	}
	if (!port || optind != argc)
		usage();
	if (bind_addr) {
		char hp[INET6_ADDRSTRLEN + 10];

		snprintf(hp, sizeof(hp), strchr(bind_addr, ':') ? "[%s]:%lu" : "%s:%lu", bind_addr,
			 port);
		if (parse_hostport(hp, &ss, &sslen) < 0) {
			fprintf(stderr, "udpseq: --bind %s: not an address\n", bind_addr);
			return 2;
		}
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_addr = in6addr_any;
		s6->sin6_port = htons((uint16_t)port);
		sslen = sizeof(*s6);
	}
	fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("udpseq: socket");
		return 1;
	}
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off));
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (bind(fd, (struct sockaddr *)&ss, sslen) < 0) {
		perror("udpseq: bind");
		close(fd);
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (ready) {
		FILE *rf = fopen(ready, "w");

		if (!rf || fclose(rf) != 0) {
			fprintf(stderr, "udpseq: --ready %s: %s\n", ready, strerror(errno));
			close(fd);
			return 1;
		}
	}

	end = clock_ns(CLOCK_MONOTONIC) + (uint64_t)(duration * 1e9);
	while (!stop) {
		uint64_t now = clock_ns(CLOCK_MONOTONIC), until = end;
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n;

		if (rx.last_at && rx.last_at + linger_ns < until)
			until = rx.last_at + linger_ns;
		if (now >= until)
			break;
		if (poll(&pfd, 1, (int)((until - now) / 1000000u) + 1) <= 0)
			continue;
		while ((n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &fl)) >= 0) {
			rx_packet(&rx, buf, (size_t)n, &from);
			fl = sizeof(from);
		}
	}
	close(fd);
	rx_report(&rx, json, linger_ns);
	free(rx.sent);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		usage();
	if (!strcmp(argv[1], "send"))
		return cmd_send(argc - 1, argv + 1);
	if (!strcmp(argv[1], "recv"))
		return cmd_recv(argc - 1, argv + 1);
	usage();
	return 2;
}
