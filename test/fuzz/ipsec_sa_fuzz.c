// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz what the ipsec monitor takes out of charon's events: a byte stream cut
 * into packets (vici_frame_next), each parsed (vici_msg_parse) and handed to
 * ipsec_sa_parse() for the connection it names and for fixed names, and every
 * extracted SA fed to the tunnel health state machine on a clock that moves
 * with the input, so counters that jump, wrap or go backwards are exercised.
 * Seeds: real list-sa / updown / rekey events from charon 5.9.8 with
 * kernel-libipsec (test/lab/site.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-ipsec/ipsec_health.h"
#include "../../plugins/monitor-ipsec/ipsec_sa.h"
#include "../../plugins/monitor-ipsec/vici.h"

static void check_sa(const struct ipsec_sa *sa)
{
	if (memchr(sa->ike_state, '\0', sizeof(sa->ike_state)) == NULL ||
	    memchr(sa->local, '\0', sizeof(sa->local)) == NULL ||
	    memchr(sa->remote, '\0', sizeof(sa->remote)) == NULL)
		abort();
	if (sa->use_in < -1 || sa->use_out < -1)
		abort();
}

static void one(const uint8_t *pkt, size_t len, struct tunnel_health *th, uint64_t *now)
{
	static const char *const conns[] = { "hq", "wan", "" };
	struct vici_msg *m = NULL;
	struct ipsec_sa sa;
	const char *name;
	size_t i;

	if (vici_msg_parse(pkt, len, &m, NULL) < 0)
		return;
	name = ipsec_sa_conn_name(m);
	if (name && ipsec_sa_parse(m, name, "net", &sa) == 0) {
		check_sa(&sa);
		*now += 1000000000ULL * (1 + (sa.packets_out & 3));
		tunnel_health_poll(th, &sa, "isp1", *now);
		if (th->state >= VIEW_STATE_MAX || !memchr(th->reason, '\0', sizeof(th->reason)))
			abort();
		tunnel_health_probe(th, sa.packets_in & 1, "probe", *now);
	}
	for (i = 0; i < sizeof(conns) / sizeof(conns[0]); i++)
		if (ipsec_sa_parse(m, conns[i], "net", &sa) == 0)
			check_sa(&sa);
	tunnel_health_poll(th, NULL, "isp1", *now);
	vici_msg_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tunnel_health th;
	uint64_t now = 1;
	size_t off, plen;
	uint8_t *copy;

	tunnel_health_init(&th, 3, 3, 2, true, now);
	while (size) {
		int r = vici_frame_next(data, size, &off, &plen);

		if (r != 1) {
			/* unframed bytes: one raw packet, copied to an exact-size buffer */
			copy = malloc(size);
			if (!copy)
				return 0;
			memcpy(copy, data, size);
			one(copy, size, &th, &now);
			free(copy);
			break;
		}
		copy = malloc(plen ? plen : 1);
		if (!copy)
			return 0;
		memcpy(copy, data + off, plen);
		one(copy, plen, &th, &now);
		free(copy);
		data += off + plen;
		size -= off + plen;
	}
	return 0;
}
