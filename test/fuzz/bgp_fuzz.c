// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the BGP wire format: one input is read as an UPDATE under several
 * session caps (2/4-byte AS, ADD-PATH, guessing, eBGP), as an OPEN, as a bare
 * attribute block (UPDATE and MRT forms) and as a run of NLRI. Seeds are
 * UPDATEs and OPENs captured from gobgpd 3.10 over BMP.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bgp_check.h"

static const struct bgp_session_caps variants[] = {
	{ .as4 = true },
	{ .as4 = false },
	{ .as4 = true, .addpath_v4 = true, .addpath_v6 = true },
	{ .as4 = false, .addpath_v4 = true, .addpath_guess = true, .ebgp = true },
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	struct bgp_session_caps caps;
	struct bgp_open open;
	struct bgp_attrs a;
	struct bgp_prefix p;
	uint32_t id;
	size_t i, off;

	if (!buf)
		return 0;
	memcpy(buf, data, size);

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		check_update(buf, size, &variants[i]);

	if (!bgp_open_parse(buf, size, &open)) {
		bgp_session_caps_from_opens(&open, &open, &caps);
		check_update(buf, size, &caps);
	}

	if (!bgp_attrs_parse(buf, size, 0, 0, &variants[1], &a) && a.err.cls != BGP_ERR_NONE &&
	    a.err.offset >= size)
		abort();
	if (!bgp_attrs_parse(buf, size, 0, BGP_ATTRS_MRT, NULL, &a)) {
		struct check_ctx c = { 0 };

		check_path(&a.path, &c);
	}

	for (off = 0; off < size;)
		if (bgp_nlri_decode(buf, size, &off, size & 1 ? BGP_AFI_IPV6 : BGP_AFI_IPV4,
				    size & 2, &p, &id))
			break;
	free(buf);
	return 0;
}
