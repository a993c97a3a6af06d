// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: loop.c - epoll, timer heap, signalfd and deferred events
 *
 * Owns the epoll fd, the timerfd, the signalfd and the timer heap. Every module
 * registers its fds and timers here; nobody else sleeps or blocks.
 */
#include "loop.h"
#include "list.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_EVENTS 32

uint64_t loop_clock_monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

uint64_t loop_clock_realtime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000ULL + (uint64_t)ts.tv_nsec / 1000000ULL;
}

uint64_t loop_random(uint64_t range)
{
	uint64_t r;

	if (range == 0)
		return 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = loop_clock_monotonic() * 6364136223846793005ULL;
	return r % range;
}

/* ---- timer heap ---- */

static bool heap_less(const struct loop *l, size_t a, size_t b)
{
	return l->heap[a]->due_ns < l->heap[b]->due_ns;
}

static void heap_swap(struct loop *l, size_t a, size_t b)
{
	struct loop_timer *t = l->heap[a];

	l->heap[a] = l->heap[b];
	l->heap[b] = t;
	l->heap[a]->heap_idx = a;
	l->heap[b]->heap_idx = b;
}

static void heap_up(struct loop *l, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (!heap_less(l, i, p))
			break;
		heap_swap(l, i, p);
		i = p;
	}
}

static void heap_down(struct loop *l, size_t i)
{
	for (;;) {
		size_t c = 2 * i + 1, m = i;

		if (c < l->nheap && heap_less(l, c, m))
			m = c;
		if (c + 1 < l->nheap && heap_less(l, c + 1, m))
			m = c + 1;
		if (m == i)
			break;
		heap_swap(l, i, m);
		i = m;
	}
}

static void timerfd_rearm(struct loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t due;

	if (l->tfd < 0)
		return;
	due = l->nheap ? l->heap[0]->due_ns : 0;
	if (due == l->armed_ns)
		return;
	l->armed_ns = due;
	if (due) {
		if (l->clock != loop_clock_monotonic)
			return; /* fake clock: tests drive timers with loop_run_due() */
		its.it_value.tv_sec = (time_t)(due / NSEC_PER_SEC);
		its.it_value.tv_nsec = (long)(due % NSEC_PER_SEC);
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_err("loop: timerfd_settime: %s", strerror(errno));
}

void loop_timer_init(struct loop_timer *t, void (*cb)(struct loop_timer *t))
{
	t->due_ns = 0;
	t->heap_idx = LOOP_TIMER_IDLE;
	t->cb = cb;
}

void loop_timer_cancel(struct loop *l, struct loop_timer *t)
{
	size_t i = t->heap_idx;

	if (i == LOOP_TIMER_IDLE)
		return;
	l->nheap--;
	if (i != l->nheap) {
		l->heap[i] = l->heap[l->nheap];
		l->heap[i]->heap_idx = i;
		heap_down(l, i);
		heap_up(l, i);
	}
	t->heap_idx = LOOP_TIMER_IDLE;
	timerfd_rearm(l);
}

void loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t due_ns)
{
	if (t->heap_idx != LOOP_TIMER_IDLE) {
		uint64_t old = t->due_ns;

		t->due_ns = due_ns;
		if (due_ns < old)
			heap_up(l, t->heap_idx);
		else
			heap_down(l, t->heap_idx);
		timerfd_rearm(l);
		return;
	}
	if (l->nheap == l->heap_cap) {
		size_t cap = l->heap_cap ? l->heap_cap * 2 : 64;
		struct loop_timer **h = realloc(l->heap, cap * sizeof(*h));

		if (!h) {
			/* Out of memory for the heap: a bug-level condition on a router. */
			log_err("loop: cannot grow timer heap to %zu", cap);
			abort();
		}
		l->heap = h;
		l->heap_cap = cap;
	}
	t->due_ns = due_ns;
	t->heap_idx = l->nheap;
	l->heap[l->nheap++] = t;
	heap_up(l, t->heap_idx);
	timerfd_rearm(l);
}

void loop_timer_set_in(struct loop *l, struct loop_timer *t, uint64_t delay_ns)
{
	loop_timer_set(l, t, loop_now(l) + delay_ns);
}

/* ---- deferred events ---- */

void loop_event_init(struct loop_event *e, void (*cb)(struct loop_event *e))
{
	e->next = NULL;
	e->pending = false;
	e->cb = cb;
}

void loop_event_schedule(struct loop *l, struct loop_event *e)
{
	if (e->pending)
		return;
	e->pending = true;
	e->next = NULL;
	*l->ev_tail = e;
	l->ev_tail = &e->next;
}

void loop_event_cancel(struct loop *l, struct loop_event *e)
{
	struct loop_event **pp;

	if (!e->pending)
		return;
	for (pp = &l->ev_head; *pp; pp = &(*pp)->next) {
		if (*pp == e) {
			*pp = e->next;
			if (l->ev_tail == &e->next)
				l->ev_tail = pp;
			break;
		}
	}
	e->pending = false;
	e->next = NULL;
}

static uint64_t cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

/* Callback bookkeeping: wall time (includes being preempted on a busy machine) and
 * CPU time (user and kernel: what the callback itself cost). */
static void cb_start(struct loop *l)
{
	l->cb_t0 = loop_clock_monotonic();
	l->cb_cpu0 = cpu_now();
}

static void cb_time(struct loop *l)
{
	uint64_t dt = loop_clock_monotonic() - l->cb_t0, dc = cpu_now() - l->cb_cpu0;

	if (dt > l->cb_max_ns)
		l->cb_max_ns = dt;
	if (dc > l->cb_max_cpu_ns)
		l->cb_max_cpu_ns = dc;
	if (dc > LOOP_SLOW_NS)
		l->cb_slow++;
}

static void run_events(struct loop *l)
{
	while (l->ev_head) {
		struct loop_event *e = l->ev_head;

		l->ev_head = e->next;
		if (!l->ev_head)
			l->ev_tail = &l->ev_head;
		e->next = NULL;
		e->pending = false;
		cb_start(l);
		e->cb(e);
		cb_time(l);
	}
}

static void run_timers(struct loop *l)
{
	while (l->nheap && l->heap[0]->due_ns <= l->now_ns) {
		struct loop_timer *t = l->heap[0];

		loop_timer_cancel(l, t);
		cb_start(l);
		t->cb(t);
		cb_time(l);
		run_events(l);
	}
}

void loop_update_time(struct loop *l)
{
	l->now_ns = l->clock();
}

void loop_run_due(struct loop *l)
{
	run_events(l);
	run_timers(l);
	run_events(l);
}

/* ---- fds ---- */

int loop_fd_add(struct loop *l, struct loop_fd *f, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = f };

	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, f->fd, &ev) < 0)
		return -errno;
	f->registered = true;
	return 0;
}

int loop_fd_mod(struct loop *l, struct loop_fd *f, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = f };

	if (epoll_ctl(l->epfd, EPOLL_CTL_MOD, f->fd, &ev) < 0)
		return -errno;
	return 0;
}

void loop_fd_del(struct loop *l, struct loop_fd *f)
{
	struct epoll_event *batch = l->batch;
	int i;

	if (!f->registered)
		return;
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, f->fd, NULL);
	f->registered = false;
	/* cancel what the current batch still holds for this handle (uloop) */
	for (i = 0; batch && i < l->batch_n; i++)
		if (batch[i].data.ptr == f)
			batch[i].data.ptr = NULL;
}

static void timer_fd_cb(struct loop_fd *f, uint32_t events)
{
	struct loop *l = container_of(f, struct loop, timer_fd);
	uint64_t n;

	(void)events;
	if (read(f->fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_err("loop: timerfd read: %s", strerror(errno));
	l->armed_ns = 0;
	timerfd_rearm(l);
}

static void signal_fd_cb(struct loop_fd *f, uint32_t events)
{
	struct loop *l = container_of(f, struct loop, signal_fd);
	struct signalfd_siginfo si;

	(void)events;
	while (read(f->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
		if (l->on_signal)
			l->on_signal(l, &si);
}

int loop_signals(struct loop *l, const int *sigs, size_t n,
		 void (*cb)(struct loop *l, const struct signalfd_siginfo *si))
{
	sigset_t set;
	size_t i;
	int err;

	sigemptyset(&set);
	for (i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	l->sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (l->sfd < 0)
		return -errno;
	l->on_signal = cb;
	l->signal_fd.fd = l->sfd;
	l->signal_fd.cb = signal_fd_cb;
	err = loop_fd_add(l, &l->signal_fd, EPOLLIN);
	return err;
}

int loop_init(struct loop *l)
{
	memset(l, 0, sizeof(*l));
	l->sfd = -1;
	l->ev_tail = &l->ev_head;
	if (!l->clock)
		l->clock = loop_clock_monotonic;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0)
		return -errno;
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->tfd < 0) {
		int err = -errno;

		close(l->epfd);
		return err;
	}
	l->timer_fd.fd = l->tfd;
	l->timer_fd.cb = timer_fd_cb;
	loop_update_time(l);
	return loop_fd_add(l, &l->timer_fd, EPOLLIN);
}

void loop_destroy(struct loop *l)
{
	if (l->sfd >= 0)
		close(l->sfd);
	if (l->tfd >= 0)
		close(l->tfd);
	if (l->epfd >= 0)
		close(l->epfd);
	free(l->heap);
	l->heap = NULL;
	l->nheap = l->heap_cap = 0;
	l->sfd = l->tfd = l->epfd = -1;
}

void loop_quit(struct loop *l)
{
	l->quit = true;
}

static bool timer_due(const struct loop *l)
{
	return l->nheap && l->heap[0]->due_ns <= l->now_ns;
}

/* One epoll_wait and the callbacks of what it returned; deferred events after each. */
static int dispatch(struct loop *l, int timeout_ms)
{
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int n, i;

	n = epoll_wait(l->epfd, evs, LOOP_MAX_EVENTS, timeout_ms);
	if (n < 0) {
		if (errno == EINTR)
			return 0;
		log_err("loop: epoll_wait: %s", strerror(errno));
		return -errno;
	}
	loop_update_time(l);
	l->batch = evs;
	l->batch_n = n;
	for (i = 0; i < n && !l->quit; i++) {
		struct loop_fd *f = evs[i].data.ptr;

		if (!f)
			continue;
		cb_start(l);
		f->cb(f, evs[i].events);
		cb_time(l);
		run_events(l);
	}
	l->batch = NULL;
	l->batch_n = 0;
	return n;
}

/*
 * Read before expiring: timers run only after every fd that was readable when they
 * fell due has been served, so a probe reply that arrived during a stall (a long
 * callback, a stopped VM) is counted before its timeout is judged. Its receive time
 * comes from the kernel (probe_recv), not from when it was read.
 */
int loop_run(struct loop *l)
{
	int rc;

	while (!l->quit) {
		loop_update_time(l);
		run_events(l);
		if (l->quit)
			break;
		rc = dispatch(l, l->ev_head || timer_due(l) ? 0 : -1);
		if (rc < 0)
			return rc;
		loop_update_time(l);
		if (l->quit)
			break;
		if (timer_due(l)) {
			uint64_t now = l->now_ns;

			/* what arrived while the last callbacks ran, before any timer */
			if ((rc = dispatch(l, 0)) < 0)
				return rc;
			l->now_ns = now; /* only timers due before that read run now */
		}
		run_timers(l);
		run_events(l);
	}
	return 0;
}
