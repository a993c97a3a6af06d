// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: impair - a delay, jitter and loss emulator on a TUN device (the lab kernel has no netem)
 *
 * fault.sh runs it inside an ISP namespace and steers the packets arriving on `cust` and `up`
 * into the TUN with `ip rule` (after the local table, so traffic to the ISP router itself is
 * untouched). impair reads each packet, drops it with probability --loss (its own seeded
 * PRNG), or holds it for --delay plus a uniform random [0, --jitter) ms and writes it back into
 * the TUN; the kernel then routes it on through the main table, since rules only match `cust`
 * and `up`.
 *
 * One epoll loop: the TUN fd, one timerfd (absolute CLOCK_MONOTONIC, armed for the earliest
 * release) and a signalfd (SIGTERM/SIGINT end it, SIGUSR1 prints counters). Held packets sit
 * in a min-heap ordered by (release time, arrival number), so equal release times keep their
 * order. The queue is bounded by --queue packets; a full queue drops and counts.
 *
 * Usage: impair --dev NAME [--delay MS] [--jitter MS] [--loss PCT] [--seed N]
 *               [--queue PKTS] [--pidfile FILE]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define PKT_MAX 65536
#define READ_BURST 64	/* packets read per wakeup, so the timer is not starved */

struct pkt {
	uint64_t due_ns;
	uint64_t nr;	/* arrival number: FIFO among equal due times */
	size_t len;
	unsigned char data[];
};

struct impair {
	int tun_fd, timer_fd, sig_fd, ep_fd;
	char dev[IFNAMSIZ];
	uint64_t delay_ns, jitter_ns;
	double loss;	/* probability 0..1 */
	uint64_t rng;
	const char *pidfile;
	struct pkt **heap;
	size_t n, cap;
	uint64_t next_nr;
	uint64_t armed_ns;	/* 0: timer disarmed */
	/* counters */
	uint64_t rx, tx, drop_loss, drop_full, write_err;
};

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* splitmix64: small, seedable, good enough for loss and jitter */
static uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static double rng_unit(uint64_t *s)	/* [0, 1) */
{
	return (double)(rng_next(s) >> 11) * 0x1.0p-53;
}

static bool pkt_before(const struct pkt *a, const struct pkt *b)
{
	return a->due_ns < b->due_ns || (a->due_ns == b->due_ns && a->nr < b->nr);
}

static void heap_push(struct impair *im, struct pkt *p)
{
	size_t i = im->n++;

	while (i > 0) {
		size_t up = (i - 1) / 2;

		if (!pkt_before(p, im->heap[up]))
			break;
		im->heap[i] = im->heap[up];
		i = up;
	}
	im->heap[i] = p;
}

static struct pkt *heap_pop(struct impair *im)
{
	struct pkt *top = im->heap[0], *last = im->heap[--im->n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= im->n)
			break;
		if (c + 1 < im->n && pkt_before(im->heap[c + 1], im->heap[c]))
			c++;
		if (!pkt_before(im->heap[c], last))
			break;
		im->heap[i] = im->heap[c];
		i = c;
	}
	if (im->n)
		im->heap[i] = last;
	return top;
}

static int timer_arm(struct impair *im)
{
	struct itimerspec its = { 0 };
	uint64_t due = im->n ? im->heap[0]->due_ns : 0;

	if (due == im->armed_ns)
		return 0;
	its.it_value.tv_sec = (time_t)(due / 1000000000u);
	its.it_value.tv_nsec = (long)(due % 1000000000u);
	if (timerfd_settime(im->timer_fd, TFD_TIMER_ABSTIME, &its, NULL) < 0) {
		fprintf(stderr, "impair: timerfd_settime: %s\n", strerror(errno));
		return -errno;
	}
	im->armed_ns = due;
	return 0;
}

static void on_tun(struct impair *im)
{
	static unsigned char buf[PKT_MAX];
	int i;

	for (i = 0; i < READ_BURST; i++) {
		ssize_t len = read(im->tun_fd, buf, sizeof(buf));
		struct pkt *p;
		uint64_t hold;

		if (len < 0) {
			if (errno != EAGAIN && errno != EINTR)
				fprintf(stderr, "impair: read %s: %s\n", im->dev, strerror(errno));
			return;
		}
		if (len == 0)
			return;
		im->rx++;
		if (im->loss > 0 && rng_unit(&im->rng) < im->loss) {
			im->drop_loss++;
			continue;
		}
		if (im->n == im->cap) {
			im->drop_full++;
			continue;
		}
		p = malloc(sizeof(*p) + (size_t)len);
		if (!p) {
			im->drop_full++;
			continue;
		}
		hold = im->delay_ns;
		if (im->jitter_ns)
			hold += (uint64_t)(rng_unit(&im->rng) * (double)im->jitter_ns);
		p->due_ns = now_ns() + hold;
		p->nr = im->next_nr++;
		p->len = (size_t)len;
		memcpy(p->data, buf, (size_t)len);
		heap_push(im, p);
	}
}

static void on_timer(struct impair *im)
{
	uint64_t expirations, now = now_ns();

	if (read(im->timer_fd, &expirations, sizeof(expirations)) < 0 && errno != EAGAIN)
		fprintf(stderr, "impair: read timerfd: %s\n", strerror(errno));
	im->armed_ns = 0;
	while (im->n && im->heap[0]->due_ns <= now) {
		struct pkt *p = heap_pop(im);

		if (write(im->tun_fd, p->data, p->len) == (ssize_t)p->len)
			im->tx++;
		else
			im->write_err++;
		free(p);
	}
}

static void print_counters(const struct impair *im)
{
	fprintf(stderr, "impair %s: rx %" PRIu64 " tx %" PRIu64 " drop_loss %" PRIu64
		" drop_full %" PRIu64 " write_err %" PRIu64 " queued %zu\n", im->dev, im->rx,
		im->tx, im->drop_loss, im->drop_full, im->write_err, im->n);
}

/* returns true when the loop should end */
static bool on_signal(struct impair *im)
{
	struct signalfd_siginfo si;
	bool stop = false;

	while (read(im->sig_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGUSR1)
			print_counters(im);
		else
			stop = true;
	}
	return stop;
}

static int tun_open(struct impair *im)
{
	struct ifreq ifr = { 0 };
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		fprintf(stderr, "impair: open /dev/net/tun: %s\n", strerror(errno));
		return -errno;
	}
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", im->dev);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int err = -errno;

		fprintf(stderr, "impair: TUNSETIFF %s: %s\n", im->dev, strerror(errno));
		close(fd);
		return err;
	}
	snprintf(im->dev, sizeof(im->dev), "%s", ifr.ifr_name);
	im->tun_fd = fd;
	return 0;
}

static int epoll_watch(int ep, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static int impair_setup(struct impair *im)
{
	sigset_t mask;
	FILE *f;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0)
		goto err;
	im->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	im->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	im->ep_fd = epoll_create1(EPOLL_CLOEXEC);
	if (im->sig_fd < 0 || im->timer_fd < 0 || im->ep_fd < 0)
		goto err;
	im->heap = calloc(im->cap, sizeof(*im->heap));
	if (!im->heap)
		goto err;
	if (tun_open(im) < 0)
		return -1;
	if (epoll_watch(im->ep_fd, im->tun_fd) < 0 || epoll_watch(im->ep_fd, im->timer_fd) < 0 ||
	    epoll_watch(im->ep_fd, im->sig_fd) < 0)
		goto err;
	if (im->pidfile) {
		/* written last: its existence tells fault.sh the TUN is ready */
		f = fopen(im->pidfile, "w");
		if (!f || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0) {
			fprintf(stderr, "impair: write %s: %s\n", im->pidfile, strerror(errno));
			return -1;
		}
	}
	return 0;
err:
	fprintf(stderr, "impair: setup: %s\n", strerror(errno));
	return -1;
}

static void impair_run(struct impair *im)
{
	for (;;) {
		struct epoll_event evs[4];
		int i, n = epoll_wait(im->ep_fd, evs, 4, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "impair: epoll_wait: %s\n", strerror(errno));
			return;
		}
		for (i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == im->sig_fd && on_signal(im))
				return;
			if (fd == im->tun_fd)
				on_tun(im);
			if (fd == im->timer_fd)
				on_timer(im);
		}
		if (timer_arm(im) < 0)
			return;
	}
}

static void impair_destroy(struct impair *im)
{
	while (im->n)
		free(heap_pop(im));
	free(im->heap);
	if (im->tun_fd >= 0)
		close(im->tun_fd);
	if (im->timer_fd >= 0)
		close(im->timer_fd);
	if (im->sig_fd >= 0)
		close(im->sig_fd);
	if (im->ep_fd >= 0)
		close(im->ep_fd);
	if (im->pidfile)
		unlink(im->pidfile);
}

static int parse_ms(const char *s, uint64_t *ns)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 3600000)
		return -1;
	*ns = (uint64_t)(v * 1e6 + 0.5);
	return 0;
}

static void usage(void)
{
	fprintf(stderr, "usage: impair --dev NAME [--delay MS] [--jitter MS] [--loss PCT] "
		"[--seed N] [--queue PKTS] [--pidfile FILE]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "dev", required_argument, NULL, 'd' },
		{ "delay", required_argument, NULL, 'D' },
		{ "jitter", required_argument, NULL, 'j' },
		{ "loss", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' },
		{ "queue", required_argument, NULL, 'q' },
		{ "pidfile", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct impair im = { .tun_fd = -1, .timer_fd = -1, .sig_fd = -1, .ep_fd = -1,
			     .cap = 10000 };
	bool seeded = false;
	char *end;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			if (strlen(optarg) >= sizeof(im.dev))
				usage();
			snprintf(im.dev, sizeof(im.dev), "%s", optarg);
			break;
		case 'D':
			if (parse_ms(optarg, &im.delay_ns) < 0)
				usage();
			break;
		case 'j':
			if (parse_ms(optarg, &im.jitter_ns) < 0)
				usage();
			break;
		case 'l':
			im.loss = strtod(optarg, &end) / 100.0;
			if (*end || end == optarg || im.loss < 0 || im.loss > 1)
				usage();
			break;
		case 's':
			im.rng = strtoull(optarg, &end, 0);
			if (*end || end == optarg)
				usage();
			seeded = true;
			break;
		case 'q':
			im.cap = strtoul(optarg, &end, 0);
			if (*end || end == optarg || im.cap < 1 || im.cap > 1000000)
				usage();
			break;
		case 'p':
			im.pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !im.dev[0])
		usage();
	if (!seeded)
		im.rng = now_ns() ^ ((uint64_t)getpid() << 32);

	if (impair_setup(&im) == 0) {
		fprintf(stderr, "impair %s: delay %.3f ms jitter %.3f ms loss %.2f%% queue %zu\n",
			im.dev, (double)im.delay_ns / 1e6, (double)im.jitter_ns / 1e6,
			im.loss * 100, im.cap);
		impair_run(&im);
		print_counters(&im);
		rc = 0;
	}
	impair_destroy(&im);
	return rc;
}
