/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: probe.h - scheduling probes for probe plugins
 *
 * The core owns probe timing: one timer per target, started at a random phase
 * and advanced by `due += interval` (never now + interval). At each tick it asks
 * health for a seq, stamps the send time and calls the plugin's probe_send().
 * Plugins report replies with probe_reply(). Timeouts are judged by health via
 * a per-uplink expiry timer. Plugins never see health directly.
 */
#ifndef UPLINKD_PROBE_H
#define UPLINKD_PROBE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "loop.h"

struct log_rl;

struct uplink;
struct plugin;
struct cfg_probe;

struct probe_target {
	const char *name; /* as configured: "192.0.2.1", "2001:db8::1" */
	int family;	  /* AF_INET or AF_INET6 */
	struct sockaddr_storage addr;
	socklen_t addrlen;
	size_t health_idx; /* index in the uplink's health targets */
	bool gateway;	   /* the uplink's IPv4 gateway, looked up before every send */
};

/* What a probe plugin instance gets; it must not keep pointers past destroy(). */
struct probe_env {
	struct loop *loop;
	const char *uplink;  /* name, for messages */
	const char *ifname;  /* bind with SO_BINDTODEVICE */
	uint32_t mark;	     /* SO_MARK: the uplink's table via its fwmark rule */
	int timeout_ms;
	size_t ntargets;
	const struct probe_target *targets;
	void *core; /* probe.c's private pointer */
};

/* A non-blocking, close-on-exec socket that leaves through env's uplink: bound to
 * its interface and marked for its table. Returns the fd or -errno. (probe_io.c) */
int probe_socket(const struct probe_env *env, int family, int type, int protocol);
/* The next datagram on fd, its sender and receive time: its full length (larger
 * than len when it was cut), or -EAGAIN once the socket is drained (other errors
 * are logged through rl). (probe_io.c) */
ssize_t probe_recv(const struct probe_env *env, int fd, void *buf, size_t len,
		   struct sockaddr_storage *from, uint64_t *rx_ns, struct log_rl *rl);
/* A sender's address as text, for drop messages. */
const char *probe_addr_str(const struct sockaddr_storage *a, char *buf, size_t len);

/* Report a reply to (idx, seq) received at rx_ns (CLOCK_MONOTONIC, loop_clock_monotonic()). */
void probe_reply(struct probe_env *env, size_t idx, uint32_t seq, uint64_t rx_ns);
/* The probe (idx, seq) failed now, for a reason the plugin saw (an answer that is no
 * reply: "302 Found, expected 200"): lost at once, and `why` is shown with the target
 * (probe_target_note) until it answers again. */
void probe_fail(struct probe_env *env, size_t idx, uint32_t seq, const char *why);
/* Why u's target health_idx last failed, if a plugin said (probe_fail); NULL: it did not,
 * or the target has answered since. */
const char *probe_target_note(const struct uplink *u, size_t health_idx);

/* One probe block of an uplink, running. Owned by the uplink. */
struct probe_run;

/* Start cfg's probes for u; targets are numbered from first_target in u->health. */
struct probe_run *probe_run_start(struct uplink *u, const struct cfg_probe *cfg,
				  size_t first_target);
void probe_run_stop(struct probe_run *r);

/* Called by uplink.c; arms the health expiry timer to health_next_expiry(). */
void probe_expiry_arm(struct uplink *u);
/* The callback of u->expiry (set by probe_run_start/probe_expiry_arm when NULL). */
void probe_expiry_cb(struct loop_timer *t);

#endif
