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

#include "command.h"
#include "control.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct command_req req;
	char err[256];
	char *buf = malloc(size ? size : 1);

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	err[0] = '\0';
	if (control_req_parse(buf, size, &req, err, sizeof(err)) == 0) {
		const struct command_arg *a;
		bool named, alert;

		if (!req.cmd || req.cmd < command_table || req.cmd >= command_table + CMD_MAX ||
		    req.count < 1 || req.count > 1000)
			abort();
		named = command_arg_find(req.cmd, "uplink", false) != NULL;
		alert = command_arg_find(req.cmd, "alert", false) != NULL;
		if (memchr(req.uplink, '\0', sizeof(req.uplink)) == NULL ||
		    memchr(req.alert, '\0', sizeof(req.alert)) == NULL)
			abort();
		if (named != (req.uplink[0] != '\0'))
			abort(); /* an uplink exactly for the commands that name one */
		if (alert != (req.alert[0] != '\0'))
			abort();
		for (a = req.cmd->args; a->key; a++)
			if (a->required && command_req_check(&req, false, err, sizeof(err)) < 0)
				abort(); /* a success has every required argument */
	} else if (!err[0] || !memchr(err, '\0', sizeof(err)) || req.cmd) {
		abort(); /* every refusal says why, and leaves no command behind */
	}
	free(buf);
	return 0;
}
