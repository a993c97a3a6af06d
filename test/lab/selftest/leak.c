// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: leak.so - a test hook that makes any process leak (for `make selftest`)
 *
 * Preloaded into the ASan build of uplinkd (LD_PRELOAD, with ASan's link-order check off),
 * its constructor allocates 4242 bytes and forgets them, so LeakSanitizer reports a leak when
 * the daemon exits. The harness must turn that into a failed scenario (issue 14).
 */
#include <stdlib.h>

static void *volatile kept;

__attribute__((constructor)) static void leak_at_start(void)
{
	kept = malloc(4242);
	kept = NULL;
}
