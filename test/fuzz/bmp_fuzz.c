// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the BMP station's parsing path on a byte stream: framing, every
 * message type, the Peer Up caps carried over to later Route Monitoring
 * messages of the same input, and the UPDATEs inside (also those in Route
 * Mirroring). Each framed message is copied to an exact-size buffer. Seeds
 * are a whole gobgpd 3.10 BMP session and its messages one by one.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-bgp/bmp.h"
#include "bgp_check.h"

static void one(const uint8_t *msg, size_t len, struct bmp_peer_up *up, bool *have_up)
{
	struct bgp_session_caps caps;
	struct bmp_stat st;
	struct bmp_msg m;
	size_t off = 0;

	if (bmp_parse(msg, len, &m)) {
		if (!m.drop_reason || m.drop_offset > len)
			abort();
		return;
	}
	if (m.len != len)
		abort();
	switch (m.type) {
	case BMP_ROUTE_MONITORING:
		bmp_route_caps(&m.peer, *have_up ? up : NULL, &caps);
		check_update(m.rm.pdu, m.rm.len, &caps);
		break;
	case BMP_PEER_UP:
		*up = m.up;
		/* the station keeps the caps, not pointers into the message */
		up->sent_open = up->rcvd_open = NULL;
		up->info.s = NULL;
		*have_up = true;
		break;
	case BMP_STATISTICS:
		while (bmp_stats_next(&m.stats, &off, &st))
			if (off > m.stats.len)
				abort();
		break;
	case BMP_ROUTE_MIRRORING:
		if (m.mirror.pdu) {
			bmp_route_caps(&m.peer, *have_up ? up : NULL, &caps);
			check_update(m.mirror.pdu, m.mirror.pdu_len, &caps);
		}
		break;
	case BMP_INITIATION:
	case BMP_TERMINATION:
		if (m.info.sys_name.s && m.info.sys_name.s + m.info.sys_name.len > msg + len)
			abort();
		break;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bmp_peer_up up;
	bool have_up = false;
	size_t off = 0, len;

	while (off < size) {
		uint8_t *msg;
		int r = bmp_frame_next(data + off, size - off, &len, NULL);

		if (r < 0 || r == 0) {
			/* what is left, as one message */
			msg = malloc(size - off);
			if (!msg)
				return 0;
			memcpy(msg, data + off, size - off);
			one(msg, size - off, &up, &have_up);
			free(msg);
			break;
		}
		if (len < BMP_HDR_LEN || len > size - off)
			abort();
		msg = malloc(len);
		if (!msg)
			return 0;
		memcpy(msg, data + off, len);
		one(msg, len, &up, &have_up);
		free(msg);
		off += len;
	}
	return 0;
}
