/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Shared by the BMP, BGP and MRT fuzzers: a prefix callback that reads every
 * byte a route view points at (so ASan sees any bad pointer) and aborts when
 * an invariant of bgp.h is broken.
 */
#ifndef UPLINKD_FUZZ_BGP_CHECK_H
#define UPLINKD_FUZZ_BGP_CHECK_H

#include <stdlib.h>

#include "../../plugins/monitor-bgp/bgp.h"

struct check_ctx {
	unsigned int n;
	uint32_t sum;
};

static inline void check_path(const struct bgp_path *p, struct check_ctx *c)
{
	uint16_t i;

	if (p->as_path_n > BGP_PATH_MAX)
		abort();
	if (p->as_path_truncated && p->as_path_n != BGP_PATH_MAX)
		abort();
	if (p->origin > BGP_ORIGIN_INCOMPLETE && p->origin != BGP_ORIGIN_NONE)
		abort();
	for (i = 0; i < p->as_path_n; i++)
		c->sum += p->as_path[i];
	for (i = 0; i < p->n_communities; i++)
		c->sum += bgp_get32(p->communities + 4 * i);
	for (i = 0; i < p->n_large; i++)
		c->sum += bgp_get32(p->large + 12 * i + 8);
	c->sum += bgp_path_has_community(p, BGP_COMMUNITY_NO_EXPORT);
}

static inline void check_route(const struct bgp_route *r, void *ctx)
{
	struct check_ctx *c = ctx;
	struct bgp_prefix any = { .afi = r->prefix.afi };
	char s[64];

	c->n++;
	if (r->prefix.len > (r->prefix.afi == BGP_AFI_IPV6 ? 128 : 32))
		abort();
	if (bgp_prefix_format(&r->prefix, s, sizeof(s)) || !bgp_prefix_contains(&any, &r->prefix))
		abort();
	if (r->action == BGP_ANNOUNCE && (!r->path || r->treat_as_withdraw))
		abort();
	if (r->action == BGP_WITHDRAW && r->path)
		abort();
	if (r->path)
		check_path(r->path, c);
}

/* bgp_update_parse() with the invariants on its result */
static inline void check_update(const uint8_t *pdu, size_t len,
				const struct bgp_session_caps *caps)
{
	struct check_ctx c = { 0 };
	struct bgp_update_result res;
	int r = bgp_update_parse(pdu, len, caps, check_route, &c, &res);

	if (r == -EBADMSG && (c.n || res.err.cls < BGP_ERR_AFI_DISABLE || !res.err.reason))
		abort();
	if (r == 0 && (res.err.cls > BGP_ERR_TREAT_AS_WITHDRAW ||
		       c.n != res.n_announced + res.n_withdrawn))
		abort();
	if (r == 0 && res.err.cls != BGP_ERR_NONE && res.err.offset >= len)
		abort();
	if (r != 0 && r != -EBADMSG && r != -ENOMSG)
		abort();
}

#endif
