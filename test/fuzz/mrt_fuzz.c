// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz MRT replay: record framing over a buffer, then each record (copied to
 * an exact-size buffer) through the PEER_INDEX_TABLE, RIB, TABLE_DUMP (v1) and
 * BGP4MP parsers and the UPDATE parser behind them. Seeds are gobgpd 3.10
 * updates and table dumps, whole and record by record, and hand-built records.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-bgp/mrt.h"
#include "bgp_check.h"

static void on_peer(uint16_t index, const struct mrt_peer *p, void *ctx)
{
	struct check_ctx *c = ctx;

	c->sum += index + p->as + p->addr[15];
}

static void on_entry(const struct mrt_rib *rib, const struct mrt_rib_entry *e, void *ctx)
{
	struct bgp_route r = { .prefix = rib->prefix, .path = e->path,
			       .action = e->path ? BGP_ANNOUNCE : BGP_WITHDRAW };

	if (!e->path && e->err.cls == BGP_ERR_NONE)
		abort();
	check_route(&r, ctx);
}

static void one(const uint8_t *rec_buf, size_t len)
{
	struct check_ctx c = { 0 };
	struct mrt_peer_index pi;
	struct mrt_error err;
	struct mrt_bgp4mp m;
	struct mrt_rib rib;
	struct mrt_rec rec;
	size_t off = 0;

	if (mrt_next(rec_buf, len, &off, &rec, &err) != 1 || off != len)
		abort();
	if (rec.type == MRT_TABLE_DUMP) {
		struct mrt_table_dump td;

		if (!mrt_table_dump_parse(&rec, &td, &err)) {
			struct bgp_route r = { .prefix = td.prefix, .path = td.path,
					       .action = td.path ? BGP_ANNOUNCE : BGP_WITHDRAW };

			if (!td.path && td.err.cls == BGP_ERR_NONE)
				abort();
			check_route(&r, &c);
		}
	} else if (rec.type == MRT_TABLE_DUMP_V2) {
		if (rec.subtype == MRT_PEER_INDEX_TABLE)
			mrt_peer_index_parse(&rec, &pi, on_peer, &c, &err);
		else if (mrt_rib_parse(&rec, &rib, on_entry, &c, &err) && c.n)
			abort();
	} else if (!mrt_bgp4mp_parse(&rec, &m, &err) && m.pdu) {
		check_update(m.pdu, m.pdu_len, &m.caps);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mrt_error err;
	struct mrt_rec rec;
	size_t off = 0, start;
	uint8_t *copy;
	int r;

	for (;;) {
		start = off;
		r = mrt_next(data, size, &off, &rec, &err);
		if (r <= 0) {
			if (r < 0 && (!err.reason || err.offset > size))
				abort();
			break;
		}
		if (off <= start || off > size)
			abort();
		copy = malloc(off - start);
		if (!copy)
			return 0;
		memcpy(copy, data + start, off - start);
		one(copy, off - start);
		free(copy);
	}
	return 0;
}
