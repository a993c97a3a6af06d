// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz the control request parser with exact-size copies of the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct control_req req;
	char err[256];
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	if (control_req_parse(buf, size, &req, err, sizeof(err)) == 0 &&
	    req.cmd == CONTROL_PREFER && !req.uplink[0])
		abort();
	free(buf);
	return 0;
}
