// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: sdnotify.c - Type=notify readiness and the watchdog, without libsystemd
 *
 * Owns struct sdnotify (d->sdnotify): the $NOTIFY_SOCKET address, a poll timer that
 * waits for the first verdicts, and the watchdog timer. READY=1 is sent once every
 * uplink's health has settled (its first verdict: up after up_after rounds, down after
 * down_after), so `systemctl start` returns when uplinkd knows where traffic should go,
 * or after SDNOTIFY_READY_MAX_S with the uplinks still unmeasured named in STATUS=.
 * WATCHDOG=1 goes out from the event loop every half $WATCHDOG_USEC: a stuck loop
 * stops the pings and systemd restarts the daemon. Reads uplinks; called by daemon.c.
 */
#include "sdnotify.h"
#include "daemon.h"
#include "log.h"
#include "uplink.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define SDNOTIFY_POLL_NS (100 * NSEC_PER_MSEC)
#define SDNOTIFY_READY_MAX_S 60 /* below systemd's default TimeoutStartSec (90 s) */

struct sdnotify {
	struct daemon *d;
	int fd;
	struct sockaddr_un sa;
	socklen_t salen;
	bool ready;
	uint64_t start_ns;
	uint64_t wd_ns; /* watchdog ping period; 0: none */
	struct loop_timer poll;
	struct loop_timer wd;
};

int sdnotify_addr(const char *path, struct sockaddr_un *sa)
{
	size_t n = path ? strlen(path) : 0;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (n < 2 || n >= sizeof(sa->sun_path) || (path[0] != '/' && path[0] != '@'))
		return -EINVAL;
	memcpy(sa->sun_path, path, n);
	if (path[0] == '@')
		sa->sun_path[0] = '\0'; /* abstract: the length counts, no terminator */
	return (int)(offsetof(struct sockaddr_un, sun_path) + n + (path[0] == '/'));
}

uint64_t sdnotify_watchdog_usec(const char *usec, const char *pid, long self)
{
	unsigned long long v;
	char *end;

	if (!usec || !*usec)
		return 0;
	if (pid && *pid) {
		long p = strtol(pid, &end, 10);

		if (*end || p != self)
			return 0; /* meant for another process */
	}
	errno = 0;
	v = strtoull(usec, &end, 10);
	if (errno || *end || !v)
		return 0;
	return v;
}

int sdnotify_send(struct daemon *d, const char *msg)
{
	struct sdnotify *s = d->sdnotify;

	if (!s)
		return 0;
	if (sendto(s->fd, msg, strlen(msg), MSG_NOSIGNAL, (struct sockaddr *)&s->sa,
		   s->salen) < 0) {
		int err = -errno;

		log_warn("sdnotify: cannot send \"%s\" to $NOTIFY_SOCKET: %s", msg,
			 strerror(errno));
		return err;
	}
	return 0;
}

/* Uplinks without their first verdict, named into buf; how many. */
static int unmeasured(struct daemon *d, char *buf, size_t len)
{
	struct uplink *u;
	int n = 0;

	buf[0] = '\0';
	list_for_each_entry(u, &d->uplinks, node) {
		size_t used = strlen(buf);

		if (u->health.settled)
			continue;
		snprintf(buf + used, len - used, "%s%s", n ? " " : "", u->cfg.name);
		n++;
	}
	return n;
}

static void poll_cb(struct loop_timer *t)
{
	struct sdnotify *s = container_of(t, struct sdnotify, poll);
	struct daemon *d = s->d;
	char names[256], msg[384];
	uint64_t now = loop_now(&d->loop);
	int n = unmeasured(d, names, sizeof(names));

	if (n && now - s->start_ns < (uint64_t)SDNOTIFY_READY_MAX_S * NSEC_PER_SEC) {
		loop_timer_set_in(&d->loop, &s->poll, SDNOTIFY_POLL_NS);
		return;
	}
	if (n)
		snprintf(msg, sizeof(msg), "READY=1\nSTATUS=running; not measured after %d s: %s",
			 SDNOTIFY_READY_MAX_S, names);
	else
		snprintf(msg, sizeof(msg), "READY=1\nSTATUS=running; every uplink measured");
	if (sdnotify_send(d, msg) == 0)
		log_info("sdnotify: ready (%s)", n ? "some uplinks not measured yet" :
			 "every uplink measured");
	s->ready = true;
}

static void wd_cb(struct loop_timer *t)
{
	struct sdnotify *s = container_of(t, struct sdnotify, wd);

	loop_timer_set(&s->d->loop, &s->wd, s->wd.due_ns + s->wd_ns);
	sdnotify_send(s->d, "WATCHDOG=1");
}

int sdnotify_init(struct daemon *d)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sdnotify *s;
	uint64_t usec;
	int len;

	if (!path)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	len = sdnotify_addr(path, &s->sa);
	if (len < 0) {
		log_warn("sdnotify: $NOTIFY_SOCKET \"%s\" is not a socket path; systemd will not "
			 "hear that uplinkd is ready", path);
		free(s);
		return len;
	}
	s->salen = (socklen_t)len;
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0) {
		len = -errno;
		log_warn("sdnotify: socket: %s", strerror(errno));
		free(s);
		return len;
	}
	s->d = d;
	s->start_ns = loop_now(&d->loop);
	loop_timer_init(&s->poll, poll_cb);
	loop_timer_init(&s->wd, wd_cb);
	d->sdnotify = s;
	loop_timer_set_in(&d->loop, &s->poll, 0);
	usec = sdnotify_watchdog_usec(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"),
				      (long)getpid());
	if (usec) {
		s->wd_ns = usec * 1000 / 2;
		log_info("sdnotify: watchdog ping every %llu ms",
			 (unsigned long long)(s->wd_ns / NSEC_PER_MSEC));
		sdnotify_send(d, "WATCHDOG=1");
		loop_timer_set_in(&d->loop, &s->wd, s->wd_ns);
	}
	/* children (hooks) must not talk to systemd in our name */
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	return 0;
}

void sdnotify_destroy(struct daemon *d)
{
	struct sdnotify *s = d ? d->sdnotify : NULL;

	if (!s)
		return;
	sdnotify_send(d, "STOPPING=1");
	loop_timer_cancel(&d->loop, &s->poll);
	loop_timer_cancel(&d->loop, &s->wd);
	close(s->fd);
	free(s);
	d->sdnotify = NULL;
}
