// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the control request parser (control_req.c) with exact-size copies of the
 * input, so ASan sees any read past `len`; check what a success promises.
 */
#include <stdbool.h>
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
	err[0] = '\0';
	if (control_req_parse(buf, size, &req, err, sizeof(err)) == 0) {
		bool named = req.cmd == CONTROL_PREFER || req.cmd == CONTROL_DISABLE ||
			     req.cmd == CONTROL_ENABLE;

		if (req.cmd > CONTROL_ENABLE || req.count < 1 || req.count > 1000)
			abort();
		if (memchr(req.uplink, '\0', sizeof(req.uplink)) == NULL ||
		    memchr(req.alert, '\0', sizeof(req.alert)) == NULL)
			abort();
		if (named != (req.uplink[0] != '\0'))
			abort(); /* an uplink exactly for the commands that name one */
		if ((req.cmd == CONTROL_ACK) != (req.alert[0] != '\0'))
			abort();
	} else if (!err[0] || !memchr(err, '\0', sizeof(err))) {
		abort(); /* every refusal says why */
	}
	free(buf);
	return 0;
}
