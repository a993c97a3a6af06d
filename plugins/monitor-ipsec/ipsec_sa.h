/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: ipsec_sa.h - what one `list-sa` event says about a tunnel (pure)
 *
 * charon answers `list-sas` with one `list-sa` event per IKE_SA: a section
 * named after the connection holding the IKE_SA's fields and `child-sas`, whose
 * sections are named `<child>-<uniqueid>` with the CHILD_SA's state and
 * counters. ipsec_sa_parse() picks the IKE_SA of one connection and, inside it,
 * the newest INSTALLED CHILD_SA of one child config (an old one lingers as
 * REKEYED/DELETED for a while). No I/O; fuzzed by test/fuzz/ipsec_sa_fuzz.c.
 */
#ifndef UPLINKD_IPSEC_SA_H
#define UPLINKD_IPSEC_SA_H

#include <stdbool.h>
#include <stdint.h>

#include "vici.h"

#define IPSEC_ADDR_MAX 48

struct ipsec_sa {
	uint64_t ike_uid;
	char ike_state[16];		/* ESTABLISHED, CONNECTING, ... ("?" if absent) */
	char local[IPSEC_ADDR_MAX];	/* local-host */
	char remote[IPSEC_ADDR_MAX];	/* remote-host */
	bool child_installed;		/* an INSTALLED CHILD_SA of the child config */
	uint64_t child_uid;
	uint32_t spi_in;
	uint64_t bytes_in, bytes_out, packets_in, packets_out;
	int64_t use_in, use_out;	/* seconds since last packet; -1: never */
};

/*
 * m is a `list-sa` event (or an ike-updown/child-updown event: same layout).
 * Returns 0 and fills *sa if its IKE_SA belongs to connection `ike`; -ENOENT if
 * it is another connection's; -EBADMSG if it is malformed (no section, a
 * counter that is not a number). `child` names the child config.
 */
int ipsec_sa_parse(const struct vici_msg *m, const char *ike, const char *child,
		   struct ipsec_sa *sa);

/* Only the IKE_SA's connection name (the first section's name) or NULL. */
const char *ipsec_sa_conn_name(const struct vici_msg *m);

#endif
