// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz http_status_parse() as the http probe runs it: on the whole input and on
 * every prefix an answer can arrive in (the probe parses after each read), plus the
 * request builder with the input's first line as path and Host. The input is copied
 * into exact-size buffers; seeds in corpus/http/. Aborts on a broken invariant: a
 * status from 100 to 599 and a printable reason that fits; -EAGAIN only while no line
 * end came within HTTP_HEAD_MAX bytes; a prefix never disagrees with the whole (once
 * complete, the same status; once refused, refused); every refusal says why; a
 * request never carries a control byte from its path or host.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/probe-http/http_wire.h"

static int parse(const uint8_t *data, size_t len, int *status)
{
	char *buf = malloc(len ? len : 1), reason[HTTP_REASON_MAX];
	const char *why = NULL;
	size_t i;
	int rc;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, data, len);
	*status = 0;
	rc = http_status_parse(buf, len, status, reason, sizeof(reason), &why);
	if (rc == 0) {
		if (*status < 100 || *status > 599 || strlen(reason) >= sizeof(reason))
			abort();
		for (i = 0; reason[i]; i++)
			if ((unsigned char)reason[i] < 0x20 && reason[i] != '\t')
				abort();
	} else if (rc == -EAGAIN) {
		if (len >= HTTP_HEAD_MAX || memchr(buf, '\n', len))
			abort();
	} else if (rc != -EBADMSG || !why) {
		abort();
	}
	free(buf);
	return rc;
}

static void check_request(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size, i;
	char path[HTTP_PATH_MAX + 2], req[HTTP_REQ_MAX];
	int n;

	if (plen >= sizeof(path))
		return;
	memcpy(path, data, plen);
	path[plen] = '\0';
	n = http_request_build(req, sizeof(req), path + (plen ? 1 : 0), path);
	if (n < 0)
		return;
	for (i = 0; i + 4 < (size_t)n; i++)
		if ((unsigned char)req[i] < 0x20 && !(req[i] == '\r' && req[i + 1] == '\n') &&
		    !(req[i] == '\n' && i && req[i - 1] == '\r'))
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int whole_status, status, whole, rc;
	size_t k, step = size / 16 + 1;

	whole = parse(data, size, &whole_status);
	for (k = 0; k < size; k += step) {
		rc = parse(data, k, &status);
		if (rc == 0 && (whole != 0 || status != whole_status))
			abort();
		if (rc == -EBADMSG && whole != -EBADMSG)
			abort();
	}
	check_request(data, size);
	return 0;
}
