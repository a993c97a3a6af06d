/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: link_msg.h - link.c's netlink messages, built and parsed without a socket
 *
 * Requests: RTM_GETLINK (by name or index), the RTM_GETADDR and main-table
 * RTM_GETROUTE dumps of one interface, and ethtool's LINKMODES_GET. Replies:
 * RTM_NEWLINK/RTM_DELLINK, RTM_NEWADDR, and ethtool LINKMODES replies and
 * notifications. Pure: unit-tested on hand-built messages.
 */
#ifndef UPLINKD_LINK_MSG_H
#define UPLINKD_LINK_MSG_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;

/* What an RTM_NEWLINK/RTM_DELLINK message says about one interface. */
struct link_info {
	int ifindex;
	char name[16];		/* IFNAMSIZ */
	unsigned int flags;	/* IFF_* (IFF_UP, IFF_LOWER_UP, IFF_POINTOPOINT) */
	uint8_t operstate;	/* IF_OPER_*; IF_OPER_UNKNOWN when absent */
	bool has_stats;		/* IFLA_STATS64 was there */
	uint64_t errors;	/* rx_errors + tx_errors */
	uint64_t drops;		/* rx_dropped + tx_dropped */
};

/* One address of an RTM_NEWADDR message. */
struct link_addr {
	int family;		/* AF_INET or AF_INET6 */
	int ifindex;
	uint8_t scope;		/* RT_SCOPE_* */
	uint8_t plen;
	uint32_t flags;		/* IFA_F_* (IFA_FLAGS when present) */
	union {
		struct in_addr v4;
		struct in6_addr v6;
	} addr;			/* IFA_LOCAL, else IFA_ADDRESS */
};

/* 0, or -EINVAL for anything but a well-formed RTM_NEWLINK/RTM_DELLINK. */
int link_msg_parse(const void *nlmsg, size_t len, struct link_info *li);
/* The carrier rule: IFF_LOWER_UP and operstate neither down nor lower-layer-down. */
bool link_info_carrier(const struct link_info *li);
/* 0, or -EINVAL for anything but an RTM_NEWADDR of AF_INET/AF_INET6 with an address
 * of its family's size. */
int link_addr_parse(const void *nlmsg, size_t len, struct link_addr *a);
/* ETHTOOL_MSG_LINKMODES_GET_REPLY / _NTF -> ifindex, speed (0: unknown) and duplex
 * (1 full, 0 half, -1 unknown); 0 or -EINVAL. */
int link_ethtool_parse_linkmodes(const void *nlmsg, size_t len, int *ifindex,
				 uint32_t *speed_mbps, int *duplex);

/* Builders into buf (len bytes, 4-byte aligned); the message, or NULL when name
 * does not fit. ifindex 0 asks for name. */
struct nlmsghdr *link_msg_build_get(void *buf, size_t len, const char *name, int ifindex);
/* the addresses of family on ifindex (NLM_F_DUMP; ifindex filters under strict checking) */
struct nlmsghdr *link_msg_build_addr_dump(void *buf, size_t len, int family, int ifindex);
/* the main table's routes of family (NLM_F_DUMP, RTA_TABLE filters under strict checking) */
struct nlmsghdr *link_msg_build_main_dump(void *buf, size_t len, int family);
/* ETHTOOL_MSG_LINKMODES_GET for ifindex to the family id ethtool resolved to */
struct nlmsghdr *link_msg_build_ethtool_get(void *buf, size_t len, uint16_t family_id,
					    int ifindex);

#endif
