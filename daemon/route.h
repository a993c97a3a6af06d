/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: route.h - routes and rules (the only code that changes them)
 *
 * Each uplink has its own table with its default route(s), and rules sending
 * its fwmark (probes) and its source addresses to that table. The main-table
 * default route is swapped make-before-break (NLM_F_CREATE|NLM_F_REPLACE, never
 * delete first) with protocol RTPROT_UPLINKD so a restart adopts it. route.c
 * remembers what it installed and re-asserts it after netlink events, resyncs
 * and periodically. Message builders and parsers are pure, in
 * route_msg.c, for unit tests and event handling.
 */
#ifndef UPLINKD_ROUTE_H
#define UPLINKD_ROUTE_H

#include <netinet/in.h>
#include <sys/socket.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RTPROT_UPLINKD 77 /* our rtm_protocol ("uplinkd" in /etc/iproute2/rt_protos.d) */
#define RULE_PRIO_MARK 1000 /* + uplink position: fwmark -> uplink table */
#define RULE_PRIO_SRC 1100  /* + uplink position: from its address -> uplink table */

struct daemon;
struct uplink;

/* The metric as the kernel reports it: an IPv6 route asked for with metric 0 is
 * stored with 1024 (IP6_RT_PRIO_USER). Installing and comparing with this value
 * keeps a route that is right from looking wrong. */
static inline uint32_t route_metric_kernel(int family, uint32_t metric)
{
	return family == AF_INET6 && metric == 0 ? 1024 : metric;
}

union inet_addr {
	struct in_addr v4;
	struct in6_addr v6;
};

struct route_nh {
	union inet_addr gw;
	bool has_gw;
	int ifindex;
	int weight; /* multipath: 1..256 */
};

struct route {
	int family;
	uint32_t table;
	uint8_t dst_len;
	union inet_addr dst;
	uint32_t metric;
	uint8_t protocol;
	uint8_t scope;
	size_t nnh; /* 1: plain; >1: RTA_MULTIPATH */
	struct route_nh nh[8];
};

struct rule {
	int family;
	uint32_t prio;
	uint32_t table;
	uint32_t fwmark, fwmask; /* 0: none */
	uint8_t src_len;
	union inet_addr src;
	uint8_t protocol;
};

/* Pure builders: return the message length, or -ENOSPC. */
int route_msg_build(void *buf, size_t len, const struct route *r, uint16_t type,
		    uint16_t flags, uint32_t seq);
int rule_msg_build(void *buf, size_t len, const struct rule *r, uint16_t type,
		   uint16_t flags, uint32_t seq);

/* Pure parsers (link.c, event handling, unit tests): RTM_NEWROUTE/DELROUTE and
 * RTM_NEWRULE/DELRULE messages. Return 0, -EINVAL (malformed) or -EOPNOTSUPP
 * (another family, or a route that is not unicast or is a cache clone). */
int route_msg_parse(const void *nlmsg, size_t len, struct route *r);
int rule_msg_parse(const void *nlmsg, size_t len, struct rule *r);

/* Pure: "ADDR/LEN" with no host bits set, LEN 1..32 or 1..128 (route_prefix.c,
 * unit tests). 0 or -EINVAL. */
int route_prefix_parse(const char *s, int *family, union inet_addr *dst, uint8_t *len);

int route_init(struct daemon *d);
/* clean_exit: remove our rules and uplink tables, keep the main default route. */
void route_destroy(struct daemon *d, bool clean_exit);

/* Install/refresh u's table route(s) and rules for its current link view. */
int route_uplink_sync(struct daemon *d, struct uplink *u);
/* u leaves the config: remove its table routes and rules. */
void route_uplink_remove(struct daemon *d, struct uplink *u);

/* Main-table default route for family via ups[0..n) (n > 1: multipath by
 * weight). Replace, never delete first. n == 0 leaves the kernel as it is.
 * Returns 0 or -errno with the kernel's extack text in err. */
int route_set_default(struct daemon *d, int family, struct uplink *const *ups, size_t n,
		      char *err, size_t errlen);
/* Remove the main default route of family that we own (installed or adopted), when
 * no uplink can carry that family; a route we do not own stays. 0 or -errno. */
int route_clear_default(struct daemon *d, int family, char *err, size_t errlen);
/* The uplink the kernel's main default route points at now (adopted at start). */
struct uplink *route_current_default(struct daemon *d, int family);
/* Re-send what we installed soon (deferred, debounced): link.c calls it when an
 * uplink's interface comes back up, because the kernel flushes IPv4 routes of a
 * device that goes down without telling anyone. */
void route_reassert_soon(struct daemon *d);

#endif
