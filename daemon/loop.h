/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: loop.h - the one event loop
 *
 * One epoll_wait; one timerfd armed (TFD_TIMER_ABSTIME, CLOCK_MONOTONIC) for the
 * earliest timer in a binary heap; one signalfd; deferred events that run after
 * the current callback. Handles are embedded in their owners and recovered with
 * container_of(). loop_now() is read once per iteration and can be replaced by a
 * fake clock in tests (loop.clock).
 */
#ifndef UPLINKD_LOOP_H
#define UPLINKD_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/signalfd.h>

#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL
#define NSEC_PER_USEC 1000ULL

struct loop;

struct loop_fd {
	int fd;
	void (*cb)(struct loop_fd *f, uint32_t events);
	bool registered;
};

#define LOOP_TIMER_IDLE ((size_t)-1)

struct loop_timer {
	uint64_t due_ns;
	size_t heap_idx; /* LOOP_TIMER_IDLE when not pending; set by loop_timer_init */
	void (*cb)(struct loop_timer *t);
};

struct loop_event {
	struct loop_event *next;
	bool pending;
	void (*cb)(struct loop_event *e);
};

struct loop {
	int epfd;
	int tfd;
	int sfd;
	struct loop_fd timer_fd;
	struct loop_fd signal_fd;
	void (*on_signal)(struct loop *l, const struct signalfd_siginfo *si);

	struct loop_timer **heap;
	size_t nheap, heap_cap;
	uint64_t armed_ns;

	struct loop_event *ev_head, **ev_tail;

	/* the epoll batch being dispatched, so loop_fd_del() can cancel its entries */
	void *batch;
	int batch_n;

	uint64_t now_ns;
	uint64_t (*clock)(void); /* CLOCK_MONOTONIC by default; tests inject a fake */
	bool quit;

	/* how long single callbacks held the loop: status, bench */
	uint64_t cb_max_ns;	/* wall clock */
	uint64_t cb_max_cpu_ns;	/* CPU time of the thread, user and kernel */
	uint64_t cb_slow;	/* callbacks that took over LOOP_SLOW_NS of CPU */
	uint64_t cb_t0, cb_cpu0;
};

#define LOOP_SLOW_NS (20 * NSEC_PER_MSEC) /* the goal: no callback holds the loop longer */

uint64_t loop_clock_monotonic(void);
uint64_t loop_clock_realtime_ms(void);

int loop_init(struct loop *l);
void loop_destroy(struct loop *l);

/* Block and route these signals through signalfd to l->on_signal. */
int loop_signals(struct loop *l, const int *sigs, size_t n,
		 void (*cb)(struct loop *l, const struct signalfd_siginfo *si));

int loop_fd_add(struct loop *l, struct loop_fd *f, uint32_t events);
int loop_fd_mod(struct loop *l, struct loop_fd *f, uint32_t events);
void loop_fd_del(struct loop *l, struct loop_fd *f);

void loop_timer_init(struct loop_timer *t, void (*cb)(struct loop_timer *t));
void loop_timer_set(struct loop *l, struct loop_timer *t, uint64_t due_ns);
void loop_timer_set_in(struct loop *l, struct loop_timer *t, uint64_t delay_ns);
void loop_timer_cancel(struct loop *l, struct loop_timer *t);
static inline bool loop_timer_pending(const struct loop_timer *t)
{
	return t->heap_idx != LOOP_TIMER_IDLE;
}

void loop_event_init(struct loop_event *e, void (*cb)(struct loop_event *e));
void loop_event_schedule(struct loop *l, struct loop_event *e);
void loop_event_cancel(struct loop *l, struct loop_event *e);

static inline uint64_t loop_now(const struct loop *l)
{
	return l->now_ns;
}

/* Refresh now_ns from l->clock (done once per iteration by loop_run). */
void loop_update_time(struct loop *l);
/* Run every timer due at loop_now() and then the deferred events (tests use this). */
void loop_run_due(struct loop *l);

int loop_run(struct loop *l);
void loop_quit(struct loop *l);

/* A random offset in [0, range) for timer phases (BIRD's randomize). */
uint64_t loop_random(uint64_t range);

#endif
