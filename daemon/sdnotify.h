/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: sdnotify.h - readiness and watchdog for systemd's Type=notify, by hand
 *
 * Speaks the sd_notify protocol (one datagram per state, "READY=1" and so on, to the
 * unix socket named by $NOTIFY_SOCKET; '@' starts an abstract name) without libsystemd.
 * Nothing happens when $NOTIFY_SOCKET is unset (not started by systemd).
 */
#ifndef UPLINKD_SDNOTIFY_H
#define UPLINKD_SDNOTIFY_H

#include <stddef.h>
#include <stdint.h>

struct daemon;

/* Start watching: READY=1 once every uplink has its first verdict (or after
 * SDNOTIFY_READY_MAX_S, saying which are missing); WATCHDOG=1 from the loop every
 * half $WATCHDOG_USEC. No-op without $NOTIFY_SOCKET. */
int sdnotify_init(struct daemon *d);
/* STOPPING=1, and forget the socket. */
void sdnotify_destroy(struct daemon *d);
/* "RELOADING=1" or "STATUS=..." and the like, one datagram; 0 or -errno. */
int sdnotify_send(struct daemon *d, const char *msg);

/* Pure, for tests: fill a sockaddr_un from $NOTIFY_SOCKET's value; its length or -EINVAL. */
struct sockaddr_un;
int sdnotify_addr(const char *path, struct sockaddr_un *sa);
/* Pure: the watchdog period from $WATCHDOG_USEC and $WATCHDOG_PID (0: none). */
uint64_t sdnotify_watchdog_usec(const char *usec, const char *pid, long self);

#endif
