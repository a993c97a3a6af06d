/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: nft.h - the `inet uplinkd` nftables table (the only code that changes it)
 *
 * uplinkd owns one table, `inet uplinkd`, and never touches another. Its one
 * chain hooks prerouting (priority mangle) and marks each new connection from
 * the LAN with the fwmark of the uplink it leaves by, in the connection's ct
 * mark too; later packets get the ct mark back, and route.c's fwmark rules send
 * them through that uplink's table (stickiness). Packets arriving on an uplink
 * interface are never marked. The order of the chain:
 *
 *   iifname "wanN" return                        (one per uplink)
 *   ct mark != 0 meta mark set ct mark return    (sticky)
 *   ct state != new return                       (flows from before uplinkd)
 *   fib daddr oifname != "wanN"... return        (routed elsewhere: another LAN)
 *   <match> meta mark set M ct mark set M return (per-flow rules, first match)
 *   meta mark set numgen random mod N map @shares ct mark set meta mark
 *
 * A description (struct nft_spec) is turned into one batch by the pure
 * nft_batch_build(): add table, delete table, then recreate everything, so the
 * kernel applies the whole table or nothing, and a leftover table from a crash
 * is replaced rather than duplicated. nft_apply() sends it and drains every
 * ACK by sequence number; on failure the previous table stays and the error
 * names the rule the kernel refused. Called by policy_flow.c (the desired
 * table) and daemon.c (init/destroy).
 */
#ifndef UPLINKD_NFT_H
#define UPLINKD_NFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct daemon;

#define NFT_TABLE "uplinkd"
#define NFT_CHAIN "prerouting"
#define NFT_SLOTS 100	     /* new connections are spread over up to 100 random slots */
#define NFT_MAX_IFS 16
#define NFT_MAX_MAPS 257     /* `shares` plus one per balance rule (policy.rules: 256) */
#define NFT_BATCH_MAX (1 << 20)

struct nft_prefix {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;
	uint8_t addr[16];
};

/* One nft rule's match (a configured rule expands to one per prefix/port pair). */
struct nft_match {
	uint8_t family;		   /* 0: both; AF_INET/AF_INET6 when a prefix is given */
	bool has_src, has_dst;
	struct nft_prefix src, dst;
	uint8_t l4proto;	   /* 0: any (IPPROTO_TCP, IPPROTO_UDP, ...) */
	uint16_t sport, dport;	   /* 0: any; needs l4proto TCP or UDP */
	int dscp;		   /* -1: any; 0..63 */
};

/* Where a matching new connection goes: one uplink's mark, or a share map. */
struct nft_target {
	uint32_t mark;	/* != 0: this mark */
	int map;	/* mark == 0: index into spec.maps; -1: no target (rule skipped) */
};

struct nft_map {
	char name[24];
	uint32_t slot[NFT_SLOTS]; /* mark for each random value; nslots used */
	size_t nslots;		  /* 0: the map is empty (nothing usable) */
};

struct nft_rule {
	struct nft_match m;
	struct nft_target t;
	int origin;	  /* configured rule index, for errors and counters */
	const char *what; /* names it in errors ("rule voice"); may be NULL */
};

struct nft_spec {
	const char *ifnames[NFT_MAX_IFS]; /* uplink interfaces: never marked */
	size_t nifs;
	struct nft_map *maps;		  /* maps[0] is `shares`, the default spread */
	size_t nmaps;
	struct nft_rule *rules;
	size_t nrules;
};

/*
 * Pure: the whole table as one batch into buf (BATCH_BEGIN ... BATCH_END), first
 * sequence number seq, every message but the batch markers asking for an ACK.
 * origin (may be NULL; NFT_BATCH_MAX / 16 entries) gets, per message after
 * BATCH_BEGIN, the nft_rule index it carries or -1. Returns the length, -ENOSPC
 * or -EINVAL (a match the table cannot express). *nmsgs: messages that ACK.
 */
int nft_batch_build(void *buf, size_t len, const struct nft_spec *s, uint32_t seq,
		    uint32_t *nmsgs, int *origin);
/* Pure: a batch that deletes our table if it is there (add, then delete). */
int nft_batch_build_delete(void *buf, size_t len, uint32_t seq, uint32_t *nmsgs);

int nft_init(struct daemon *d);
/* clean_exit or not, the table goes: without uplinkd, nothing keeps the marks right. */
void nft_destroy(struct daemon *d);
/* Apply s as the whole table. 0, or -errno with why in err (the old table stays). */
int nft_apply(struct daemon *d, const struct nft_spec *s, char *err, size_t errlen);
/* Remove the table (leaving balance mode). 0 or -errno. */
int nft_remove(struct daemon *d, char *err, size_t errlen);
/* Applied batches so far and the last one's duration, for status and bench. */
uint64_t nft_applies(const struct daemon *d);
uint64_t nft_last_apply_us(const struct daemon *d);

#endif
