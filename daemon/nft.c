// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: nft.c - the `inet uplinkd` table: pure batch builder, all-or-nothing apply
 *
 * Owns struct nft (d->nft): one NETLINK_NETFILTER socket and what the last
 * apply cost. nft_batch_build() turns a struct nft_spec into one nfnetlink
 * batch with libnftnl (no socket; unit tests parse it back); nft_apply() sends
 * it in one sendmsg and drains the replies by sequence number as nftables'
 * mnl_batch_talk does: the kernel has processed the whole batch when sendmsg
 * returns, so every ACK or error is already queued. An error maps back to the
 * rule that caused it. Calls libnftnl and libmnl only; called by policy_flow.c
 * (apply/remove) and daemon.c (init/destroy). See nft.h for the chain.
 */
#include "nft.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"

/* glibc's before the kernel's: linux/netfilter.h pulls in linux/in.h otherwise */
#include <net/if.h>
#include <netinet/in.h>

#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define NFT_PRIO_MANGLE (-150)
/* nftables' datatype numbers, so `nft list` prints the map as integer : mark */
#define NFT_TYPE_INTEGER 4
#define NFT_TYPE_MARK 19
#define NFT_BYTEORDER_HOST 1 /* nftables' BYTEORDER_HOST_ENDIAN: how `nft list` shows keys */
/* libmnl writes a message before checking it fits: room for the largest (a full map) */
#define NFT_MSG_ROOM 16384

struct nft {
	struct daemon *d;
	struct mnl_socket *mnl;
	uint32_t portid;
	uint32_t seq;
	uint64_t applies;
	uint64_t last_apply_us;
	bool installed;
};

/* ---- expressions ---- */

static int add_expr(struct nftnl_rule *r, struct nftnl_expr *e)
{
	if (!e)
		return -ENOMEM;
	nftnl_rule_add_expr(r, e);
	return 0;
}

static int e_meta_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, NFT_REG_1);
	return add_expr(r, e);
}

static int e_meta_set(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, NFT_REG_1);
	return add_expr(r, e);
}

static int e_ct_load(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, NFT_REG_1);
	return add_expr(r, e);
}

static int e_ct_set(struct nftnl_rule *r, uint32_t key)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, NFT_REG_1);
	return add_expr(r, e);
}

static int e_cmp(struct nftnl_rule *r, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return add_expr(r, e);
}

static int e_bitwise(struct nftnl_rule *r, const void *mask, uint32_t len)
{
	static const uint8_t zero[16];
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, zero, len);
	return add_expr(r, e);
}

static int e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return add_expr(r, e);
}

static int e_imm_data(struct nftnl_rule *r, uint32_t v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, &v, sizeof(v));
	return add_expr(r, e);
}

static int e_verdict(struct nftnl_rule *r, int verdict)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	return add_expr(r, e);
}

static int e_fib_oifname(struct nftnl_rule *r)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_OIFNAME);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, NFTA_FIB_F_DADDR);
	return add_expr(r, e);
}

static int e_counter(struct nftnl_rule *r)
{
	return add_expr(r, nftnl_expr_alloc("counter"));
}

static int e_numgen(struct nftnl_rule *r, uint32_t mod)
{
	struct nftnl_expr *e = nftnl_expr_alloc("numgen");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, mod);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NG_OFFSET, 0);
	return add_expr(r, e);
}

static int e_lookup(struct nftnl_rule *r, const char *set, uint32_t set_id)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, set_id);
	return add_expr(r, e);
}

/* ---- matches ---- */

static int m_nfproto(struct nftnl_rule *r, uint8_t family)
{
	uint8_t p = family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	int err = e_meta_load(r, NFT_META_NFPROTO);

	return err ? err : e_cmp(r, NFT_CMP_EQ, &p, sizeof(p));
}

static int m_prefix(struct nftnl_rule *r, const struct nft_prefix *p, bool src)
{
	uint32_t alen = p->family == AF_INET6 ? 16 : 4;
	uint32_t off = p->family == AF_INET6 ? (src ? 8 : 24) : (src ? 12 : 16);
	uint8_t mask[16] = { 0 }, addr[16];
	uint32_t i;
	int err;

	if (p->len > alen * 8)
		return -EINVAL;
	for (i = 0; i < alen; i++) {
		unsigned int bits = p->len > i * 8 ? p->len - i * 8 : 0;

		mask[i] = bits >= 8 ? 0xff : (uint8_t)(0xff << (8 - bits));
		addr[i] = p->addr[i] & mask[i];
	}
	if ((err = e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, alen)))
		return err;
	if (p->len < alen * 8 && (err = e_bitwise(r, mask, alen)))
		return err;
	return e_cmp(r, NFT_CMP_EQ, addr, alen);
}

static int m_dscp(struct nftnl_rule *r, uint8_t family, int dscp)
{
	int err;

	if (family == AF_INET) {
		uint8_t mask = 0xfc, v = (uint8_t)(dscp << 2);

		if ((err = e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 1, 1)) ||
		    (err = e_bitwise(r, &mask, 1)))
			return err;
		return e_cmp(r, NFT_CMP_EQ, &v, 1);
	}
	/* IPv6: traffic class straddles bytes 0 and 1 */
	uint8_t mask[2] = { 0x0f, 0xc0 }, v[2] = { (uint8_t)(dscp >> 2), (uint8_t)((dscp & 3) << 6) };

	if ((err = e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, 0, 2)) || (err = e_bitwise(r, mask, 2)))
		return err;
	return e_cmp(r, NFT_CMP_EQ, v, 2);
}

static int m_port(struct nftnl_rule *r, uint16_t port, bool src)
{
	uint16_t be = htons(port);
	int err = e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, src ? 0 : 2, 2);

	return err ? err : e_cmp(r, NFT_CMP_EQ, &be, sizeof(be));
}

static int rule_match(struct nftnl_rule *r, const struct nft_match *m)
{
	int err = 0;

	if (m->dscp > 63 || ((m->sport || m->dport) && m->l4proto != IPPROTO_TCP &&
			     m->l4proto != IPPROTO_UDP) ||
	    (m->dscp >= 0 && !m->family) ||
	    (m->has_src && m->src.family != m->family) ||
	    (m->has_dst && m->dst.family != m->family))
		return -EINVAL;
	if (m->family && (err = m_nfproto(r, m->family)))
		return err;
	if (m->has_src && (err = m_prefix(r, &m->src, true)))
		return err;
	if (m->has_dst && (err = m_prefix(r, &m->dst, false)))
		return err;
	if (m->dscp >= 0 && (err = m_dscp(r, m->family, m->dscp)))
		return err;
	if (m->l4proto) {
		if ((err = e_meta_load(r, NFT_META_L4PROTO)) ||
		    (err = e_cmp(r, NFT_CMP_EQ, &m->l4proto, 1)))
			return err;
	}
	if (m->sport && (err = m_port(r, m->sport, true)))
		return err;
	if (m->dport && (err = m_port(r, m->dport, false)))
		return err;
	return 0;
}

/* mark (and ct mark) from an immediate or a map; count; return */
static int rule_target(struct nftnl_rule *r, const struct nft_spec *s, const struct nft_target *t)
{
	int err;

	if (t->mark) {
		err = e_imm_data(r, t->mark);
	} else {
		if (t->map < 0 || (size_t)t->map >= s->nmaps || !s->maps[t->map].nslots)
			return -EINVAL;
		err = e_numgen(r, (uint32_t)s->maps[t->map].nslots);
		if (!err)
			err = e_lookup(r, s->maps[t->map].name, (uint32_t)t->map + 1);
	}
	/* ct mark set meta mark: one draw, and `nft list` reads it as such */
	if (err || (err = e_meta_set(r, NFT_META_MARK)) || (err = e_meta_load(r, NFT_META_MARK)) ||
	    (err = e_ct_set(r, NFT_CT_MARK)) ||
	    (err = e_counter(r)))
		return err;
	return e_verdict(r, NFT_RETURN);
}

/* ---- the batch ---- */

struct batch {
	struct mnl_nlmsg_batch *b;
	uint32_t seq;
	uint32_t n;
	int *origin;
	size_t norigin;
	int err;
};

static struct nlmsghdr *b_hdr(struct batch *b, uint16_t type, uint16_t flags, int origin)
{
	struct nlmsghdr *nlh;

	if (b->err)
		return NULL;
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->b), type, NFPROTO_INET,
				    flags | NLM_F_ACK, b->seq++);
	if (b->origin && b->n < b->norigin)
		b->origin[b->n] = origin;
	b->n++;
	return nlh;
}

static void b_next(struct batch *b)
{
	if (!b->err && !mnl_nlmsg_batch_next(b->b))
		b->err = -ENOSPC;
}

static void b_table(struct batch *b, uint16_t type)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nlh = b_hdr(b, type, type == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0, -1);
	if (nlh) {
		nftnl_table_nlmsg_build_payload(nlh, t);
		b_next(b);
	}
	nftnl_table_free(t);
}

static void b_chain(struct batch *b)
{
	struct nftnl_chain *c = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!c) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, NFT_TABLE);
	nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, NFT_CHAIN);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, NF_INET_PRE_ROUTING);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, NFT_PRIO_MANGLE);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter");
	nlh = b_hdr(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, -1);
	if (nlh) {
		nftnl_chain_nlmsg_build_payload(nlh, c);
		b_next(b);
	}
	nftnl_chain_free(c);
}

static void b_map(struct batch *b, const struct nft_map *m, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nftnl_udata_buf *ud;
	struct nlmsghdr *nlh;
	uint32_t i;

	if (!s) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE);
	nftnl_set_set_str(s, NFTNL_SET_NAME, m->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, NFT_SET_MAP);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, NFT_TYPE_INTEGER);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, sizeof(uint32_t));
	nftnl_set_set_u32(s, NFTNL_SET_DATA_TYPE, NFT_TYPE_MARK);
	nftnl_set_set_u32(s, NFTNL_SET_DATA_LEN, sizeof(uint32_t));
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	ud = nftnl_udata_buf_alloc(64);
	if (!ud || !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_KEYBYTEORDER, NFT_BYTEORDER_HOST) ||
	    !nftnl_udata_put_u32(ud, NFTNL_UDATA_SET_DATABYTEORDER, NFT_BYTEORDER_HOST)) {
		b->err = -ENOMEM;
	} else {
		nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(ud),
				   nftnl_udata_buf_len(ud));
	}
	if (ud)
		nftnl_udata_buf_free(ud);
	nlh = b_hdr(b, NFT_MSG_NEWSET, NLM_F_CREATE, -1);
	if (nlh) {
		nftnl_set_nlmsg_build_payload(nlh, s);
		b_next(b);
	}
	if (m->nslots) {
		for (i = 0; i < m->nslots && !b->err; i++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();

			if (!e) {
				b->err = -ENOMEM;
				break;
			}
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, &i, sizeof(i));
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_DATA, &m->slot[i], sizeof(uint32_t));
			nftnl_set_elem_add(s, e);
		}
		nlh = b_hdr(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE, -1);
		if (nlh) {
			nftnl_set_elems_nlmsg_build_payload(nlh, s);
			b_next(b);
		}
	}
	nftnl_set_free(s);
}

static struct nftnl_rule *rule_new(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r)
		return NULL;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, NFT_CHAIN);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	return r;
}

static void b_rule(struct batch *b, struct nftnl_rule *r, int err, int origin)
{
	struct nlmsghdr *nlh;

	if (!r)
		err = -ENOMEM;
	if (err && !b->err)
		b->err = err;
	if (!b->err) {
		nlh = b_hdr(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND, origin);
		if (nlh) {
			nftnl_rule_nlmsg_build_payload(nlh, r);
			b_next(b);
		}
	}
	if (r)
		nftnl_rule_free(r);
}

static void b_rules(struct batch *b, const struct nft_spec *s)
{
	static const uint32_t zero;
	struct nftnl_rule *r;
	uint32_t newbit = NF_CT_STATE_BIT(IP_CT_NEW);
	size_t i;
	int err;

	for (i = 0; i < s->nifs; i++) {
		char name[IFNAMSIZ] = { 0 };

		snprintf(name, sizeof(name), "%s", s->ifnames[i]);
		r = rule_new();
		err = r ? e_meta_load(r, NFT_META_IIFNAME) : -ENOMEM;
		if (!err)
			err = e_cmp(r, NFT_CMP_EQ, name, sizeof(name));
		if (!err)
			err = e_verdict(r, NFT_RETURN);
		b_rule(b, r, err, -1);
	}
	/* sticky: a marked connection keeps its uplink */
	r = rule_new();
	err = r ? e_ct_load(r, NFT_CT_MARK) : -ENOMEM;
	if (!err)
		err = e_cmp(r, NFT_CMP_NEQ, &zero, sizeof(zero));
	if (!err)
		err = e_meta_set(r, NFT_META_MARK);
	if (!err)
		err = e_verdict(r, NFT_RETURN);
	b_rule(b, r, err, -1);
	/* a connection from before uplinkd (or from the router) is left alone */
	r = rule_new();
	err = r ? e_ct_load(r, NFT_CT_STATE) : -ENOMEM;
	if (!err)
		err = e_bitwise(r, &newbit, sizeof(newbit));
	if (!err)
		err = e_cmp(r, NFT_CMP_EQ, &zero, sizeof(zero));
	if (!err)
		err = e_verdict(r, NFT_RETURN);
	b_rule(b, r, err, -1);

	/* a destination the main table sends elsewhere than an uplink (another LAN, a DMZ) is
	 * not the uplinks' business: fib daddr oifname != "wan1" ... != "wanN" return */
	if (s->nifs) {
		r = rule_new();
		err = r ? 0 : -ENOMEM;
		for (i = 0; i < s->nifs && !err; i++) {
			char name[IFNAMSIZ] = { 0 };

			snprintf(name, sizeof(name), "%s", s->ifnames[i]);
			err = e_fib_oifname(r);
			if (!err)
				err = e_cmp(r, NFT_CMP_NEQ, name, sizeof(name));
		}
		if (!err)
			err = e_verdict(r, NFT_RETURN);
		b_rule(b, r, err, -1);
	}

	for (i = 0; i < s->nrules && !b->err; i++) {
		const struct nft_rule *nr = &s->rules[i];

		if (!nr->t.mark && nr->t.map < 0)
			continue; /* nothing usable: the rule falls through to the shares */
		r = rule_new();
		err = r ? rule_match(r, &nr->m) : -ENOMEM;
		if (!err)
			err = rule_target(r, s, &nr->t);
		b_rule(b, r, err, (int)i);
	}
	if (s->nmaps && s->maps[0].nslots && !b->err) {
		r = rule_new();
		err = r ? rule_target(r, s, &(struct nft_target){ .map = 0 }) : -ENOMEM;
		b_rule(b, r, err, -1);
	}
}

static int batch_finish(struct batch *b, uint32_t *nmsgs)
{
	if (!b->err) {
		nftnl_batch_end(mnl_nlmsg_batch_current(b->b), b->seq++);
		b_next(b);
	}
	if (b->err)
		return b->err;
	*nmsgs = b->n;
	return (int)mnl_nlmsg_batch_size(b->b);
}

int nft_batch_build(void *buf, size_t len, const struct nft_spec *s, uint32_t seq,
		    uint32_t *nmsgs, int *origin)
{
	struct batch b = { .seq = seq, .origin = origin, .norigin = NFT_BATCH_MAX / 16 };
	size_t i;
	int rc;

	if (len < 2 * NFT_MSG_ROOM)
		return -ENOSPC;
	if (s->nifs > NFT_MAX_IFS || s->nmaps > NFT_MAX_MAPS)
		return -EINVAL;
	b.b = mnl_nlmsg_batch_start(buf, len - NFT_MSG_ROOM);
	if (!b.b)
		return -ENOMEM;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b.b), b.seq++);
	b_next(&b);
	b_table(&b, NFT_MSG_NEWTABLE);
	b_table(&b, NFT_MSG_DELTABLE);
	b_table(&b, NFT_MSG_NEWTABLE);
	b_chain(&b);
	for (i = 0; i < s->nmaps; i++)
		b_map(&b, &s->maps[i], (uint32_t)i + 1);
	b_rules(&b, s);
	rc = batch_finish(&b, nmsgs);
	mnl_nlmsg_batch_stop(b.b);
	return rc;
}

int nft_batch_build_delete(void *buf, size_t len, uint32_t seq, uint32_t *nmsgs)
{
	struct batch b = { .seq = seq };
	int rc;

	if (len < 2 * NFT_MSG_ROOM)
		return -ENOSPC;
	b.b = mnl_nlmsg_batch_start(buf, len - NFT_MSG_ROOM);
	if (!b.b)
		return -ENOMEM;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b.b), b.seq++);
	b_next(&b);
	b_table(&b, NFT_MSG_NEWTABLE);
	b_table(&b, NFT_MSG_DELTABLE);
	rc = batch_finish(&b, nmsgs);
	mnl_nlmsg_batch_stop(b.b);
	return rc;
}

/* ---- talking to the kernel ---- */

static void extack_text(const struct nlmsghdr *nlh, char *text, size_t len)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t off;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = nlh->nlmsg_flags & NLM_F_CAPPED ? sizeof(*e)
					      : sizeof(*e) - sizeof(e->msg) + MNL_ALIGN(e->msg.nlmsg_len);
	if (off > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0) {
			snprintf(text, len, "%s", mnl_attr_get_str(a));
			return;
		}
	}
}

struct drain {
	uint32_t seq0, n;     /* messages seq0+1 .. seq0+n expect an answer */
	uint32_t acked;
	int err;	      /* first error (lowest sequence) */
	uint32_t err_seq;
	char text[256];
};

static void drain_msg(struct drain *dr, const struct nlmsghdr *m, uint32_t portid)
{
	const struct nlmsgerr *e;
	int code;

	if (m->nlmsg_type != NLMSG_ERROR || (m->nlmsg_pid && m->nlmsg_pid != portid) ||
	    m->nlmsg_seq <= dr->seq0 || m->nlmsg_seq > dr->seq0 + dr->n ||
	    mnl_nlmsg_get_payload_len(m) < sizeof(*e))
		return;
	e = mnl_nlmsg_get_payload(m);
	dr->acked++;
	code = e->error > 0 ? -e->error : e->error;
	if (code < 0 && (!dr->err || m->nlmsg_seq < dr->err_seq)) {
		dr->err = code;
		dr->err_seq = m->nlmsg_seq;
		dr->text[0] = '\0';
		extack_text(m, dr->text, sizeof(dr->text));
	}
}

static int nft_talk(struct nft *nft, const void *buf, size_t len, uint32_t seq0, uint32_t n,
		    struct drain *dr)
{
	uint32_t rx[NFT_MSG_ROOM / sizeof(uint32_t)];

	memset(dr, 0, sizeof(*dr));
	dr->seq0 = seq0;
	dr->n = n;
	if (mnl_socket_sendto(nft->mnl, buf, len) < 0)
		return -errno;
	/* nfnetlink handles the whole batch inside sendmsg: every answer is queued now */
	for (;;) {
		ssize_t r = recv(mnl_socket_get_fd(nft->mnl), rx, sizeof(rx), MSG_DONTWAIT);
		const struct nlmsghdr *m;
		int left;

		if (r < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			return -errno; /* ENOBUFS: answers lost; the outcome is unknown */
		}
		left = (int)r;
		for (m = (const struct nlmsghdr *)rx; mnl_nlmsg_ok(m, left); m = mnl_nlmsg_next(m, &left))
			drain_msg(dr, m, nft->portid);
	}
	if (dr->err)
		return dr->err;
	return dr->acked == n ? 0 : -EPROTO;
}

static uint32_t nft_seq(struct nft *nft, uint32_t n)
{
	uint32_t s = nft->seq;

	nft->seq += n;
	if (nft->seq < s) /* wrapped: start again low, never 0 */
		s = nft->seq = 1;
	return s;
}

int nft_apply(struct daemon *d, const struct nft_spec *s, char *err, size_t errlen)
{
	struct nft *nft = d->nft;
	size_t norigin = NFT_BATCH_MAX / 16;
	int *origin = NULL, rc, len;
	void *buf = NULL;
	struct drain dr;
	uint32_t n = 0, seq;
	uint64_t t0;

	if (!nft) {
		snprintf(err, errlen, "the nftables actuator is not running");
		return -ENOTCONN;
	}
	buf = malloc(NFT_BATCH_MAX);
	origin = malloc(norigin * sizeof(*origin));
	if (!buf || !origin) {
		snprintf(err, errlen, "out of memory building the batch");
		rc = -ENOMEM;
		goto out;
	}
	seq = nft_seq(nft, 0);
	len = nft_batch_build(buf, NFT_BATCH_MAX, s, seq, &n, origin);
	if (len < 0) {
		rc = len;
		if (rc == -ENOSPC)
			snprintf(err, errlen, "table %s does not fit in one %d KiB batch (%zu nft "
				 "rules); use fewer prefixes or ports per rule", NFT_TABLE,
				 NFT_BATCH_MAX >> 10, s->nrules);
		else
			snprintf(err, errlen, "cannot build table %s: %s", NFT_TABLE,
				 strerror(-rc));
		goto out;
	}
	nft_seq(nft, n + 2);
	t0 = loop_clock_monotonic();
	rc = nft_talk(nft, buf, (size_t)len, seq, n, &dr);
	nft->last_apply_us = (loop_clock_monotonic() - t0) / 1000;
	if (rc < 0) {
		uint32_t idx = dr.err_seq > seq ? dr.err_seq - seq - 1 : 0;
		int o = dr.err && idx < norigin && idx < n ? origin[idx] : -1;
		const char *what = o >= 0 && (size_t)o < s->nrules ? s->rules[o].what : NULL;

		if (dr.err)
			snprintf(err, errlen, "the kernel refused table %s at %s: %s%s%s; the "
				 "previous table stays", NFT_TABLE, what ? what : "its skeleton",
				 strerror(-rc), dr.text[0] ? ": " : "", dr.text);
		else
			snprintf(err, errlen, "table %s: %s (%u of %u answers); the previous table "
				 "stays", NFT_TABLE, strerror(-rc), dr.acked, n);
		goto out;
	}
	nft->applies++;
	nft->installed = true;
	rc = 0;
out:
	free(buf);
	free(origin);
	return rc;
}

int nft_remove(struct daemon *d, char *err, size_t errlen)
{
	struct nft *nft = d->nft;
	uint32_t buf[(2 * NFT_MSG_ROOM) / sizeof(uint32_t)], n = 0, seq;
	struct drain dr;
	int len, rc;

	if (!nft)
		return 0;
	seq = nft_seq(nft, 0);
	len = nft_batch_build_delete(buf, sizeof(buf), seq, &n);
	if (len < 0)
		return len;
	nft_seq(nft, n + 2);
	rc = nft_talk(nft, buf, (size_t)len, seq, n, &dr);
	if (rc < 0)
		snprintf(err, errlen, "cannot remove table %s: %s%s%s", NFT_TABLE, strerror(-rc),
			 dr.text[0] ? ": " : "", dr.text);
	else
		nft->installed = false;
	return rc;
}

int nft_init(struct daemon *d)
{
	struct nft *nft = calloc(1, sizeof(*nft));
	int one = 1, big = 4 << 20, rc;
	char err[320];

	if (!nft)
		return -ENOMEM;
	nft->d = d;
	nft->mnl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);
	if (!nft->mnl || mnl_socket_bind(nft->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rc = -errno;
		log_err("nft: cannot open a netfilter netlink socket: %s", strerror(-rc));
		goto err;
	}
	nft->portid = mnl_socket_get_portid(nft->mnl);
	mnl_socket_setsockopt(nft->mnl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nft->mnl, NETLINK_CAP_ACK, &one, sizeof(one));
	/* a whole batch goes out in one sendmsg and every message is answered */
	if (setsockopt(mnl_socket_get_fd(nft->mnl), SOL_SOCKET, SO_SNDBUFFORCE, &big,
		       sizeof(big)) < 0)
		setsockopt(mnl_socket_get_fd(nft->mnl), SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	if (setsockopt(mnl_socket_get_fd(nft->mnl), SOL_SOCKET, SO_RCVBUFFORCE, &big,
		       sizeof(big)) < 0)
		setsockopt(mnl_socket_get_fd(nft->mnl), SOL_SOCKET, SO_RCVBUF, &big, sizeof(big));
	nft->seq = (uint32_t)loop_random(1u << 30) + 1;
	d->nft = nft;
	/* a table left by a crashed run would keep marking with stale shares */
	if (nft_remove(d, err, sizeof(err)) < 0)
		log_warn("nft: %s", err);
	return 0;

err:
	if (nft->mnl)
		mnl_socket_close(nft->mnl);
	free(nft);
	return rc;
}

void nft_destroy(struct daemon *d)
{
	struct nft *nft = d ? d->nft : NULL;
	char err[320];

	if (!nft)
		return;
	if (nft->installed && nft_remove(d, err, sizeof(err)) < 0)
		log_warn("nft: %s", err);
	mnl_socket_close(nft->mnl);
	free(nft);
	d->nft = NULL;
}

uint64_t nft_applies(const struct daemon *d)
{
	return d->nft ? d->nft->applies : 0;
}

uint64_t nft_last_apply_us(const struct daemon *d)
{
	return d->nft ? d->nft->last_apply_us : 0;
}
