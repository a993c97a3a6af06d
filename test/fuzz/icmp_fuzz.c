// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz the echo reply parser; the first byte picks the family (even: IPv4). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../../plugins/probe-icmp/icmp_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct icmp_echo e;
	const char *why = NULL;
	uint8_t *buf;

	if (size < 1)
		return 0;
	buf = malloc(size - 1 ? size - 1 : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, size - 1);
	if (icmp_reply_parse(buf, size - 1, data[0] & 1 ? AF_INET6 : AF_INET, &e, &why) < 0 && !why)
		abort();
	free(buf);
	return 0;
}
