// SPDX-License-Identifier: GPL-2.0-or-later
/* Fuzz the DNS reply check against the default question (". NS") and one name. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/probe-dns/dns_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t root[DNS_NAME_MAX + 1], name[DNS_NAME_MAX + 1];
	int rl = dns_name_encode(".", root, sizeof(root));
	int nl = dns_name_encode("example.org", name, sizeof(name));
	const char *why = NULL;
	uint16_t id;
	int rcode;
	uint8_t *buf = malloc(size ? size : 1);

	if (!buf || rl < 0 || nl < 0)
		abort();
	memcpy(buf, data, size);
	dns_reply_parse(buf, size, root, (size_t)rl, 2, &id, &rcode, &why);
	dns_reply_parse(buf, size, name, (size_t)nl, 28, &id, &rcode, &why);
	free(buf);
	return 0;
}
