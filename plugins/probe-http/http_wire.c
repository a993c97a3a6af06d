// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: http_wire.c - the http probe's request and the status line of the answer (pure)
 *
 * See http_wire.h. A status line is "HTTP/1.x SP DIGIT DIGIT DIGIT [SP reason] CRLF"
 * (a bare LF is accepted too, RFC 9112 section 2.2); everything after it is
 * ignored. Every refusal leaves through one DROP(reason) exit. Called by http.c,
 * its unit test and the http fuzzer; calls only libc.
 */
#include "http_wire.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define DROP(reason)            \
	do {                    \
		*why = reason;   \
		return -EBADMSG; \
	} while (0)

static bool printable(char c)
{
	return (unsigned char)c > 0x20 && (unsigned char)c < 0x7f;
}

bool http_path_valid(const char *path)
{
	size_t i, n;

	if (!path || path[0] != '/')
		return false;
	n = strlen(path);
	if (n > HTTP_PATH_MAX)
		return false;
	for (i = 0; i < n; i++)
		if (!printable(path[i]))
			return false;
	return true;
}

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_';
}

bool http_host_valid(const char *host)
{
	const char *p, *port = NULL;
	size_t n;

	if (!host || !*host || strlen(host) > HTTP_HOST_MAX)
		return false;
	if (host[0] == '[') {
		p = strchr(host, ']');
		if (!p || p == host + 1)
			return false;
		for (const char *q = host + 1; q < p; q++)
			if (!((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f') ||
			      (*q >= 'A' && *q <= 'F') || *q == ':' || *q == '.'))
				return false;
		if (p[1] && p[1] != ':')
			return false;
		port = p[1] ? p + 2 : NULL;
	} else {
		n = strcspn(host, ":");
		if (!n)
			return false;
		for (size_t i = 0; i < n; i++)
			if (!name_char(host[i]))
				return false;
		port = host[n] ? host + n + 1 : NULL;
	}
	if (port) {
		size_t i, len = strlen(port);

		if (!len || len > 5)
			return false;
		for (i = 0; i < len; i++)
			if (port[i] < '0' || port[i] > '9')
				return false;
	}
	return true;
}

int http_request_build(char *buf, size_t len, const char *host, const char *path)
{
	int n;

	if (!http_path_valid(path) || !http_host_valid(host))
		return -EINVAL;
	n = snprintf(buf, len,
		     "GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: uplinkd-probe\r\n"
		     "Accept: */*\r\nConnection: close\r\n\r\n",
		     path, host);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

int http_status_parse(const char *buf, size_t len, int *status, char *reason,
		      size_t reasonlen, const char **why)
{
	static const char proto[] = "HTTP/1.";
	const char *nl, *p, *end;
	size_t i, k;

	*why = NULL;
	if (reasonlen)
		reason[0] = '\0';
	/* what has arrived so far must agree with "HTTP/1.x NNN" */
	for (i = 0; i < len && i < sizeof(proto) - 1; i++)
		if (buf[i] != proto[i])
			DROP("not an HTTP/1.x answer");
	nl = memchr(buf, '\n', len < HTTP_HEAD_MAX ? len : HTTP_HEAD_MAX);
	if (!nl) {
		if (len >= HTTP_HEAD_MAX)
			DROP("no status line in the first 1024 bytes");
		if (len > 7 && (buf[7] != '0' && buf[7] != '1'))
			DROP("not HTTP/1.0 or HTTP/1.1");
		return -EAGAIN;
	}
	end = nl;
	if (end > buf && end[-1] == '\r')
		end--;
	if ((size_t)(end - buf) < 12)
		DROP("a status line too short for HTTP/1.x NNN");
	if (buf[7] != '0' && buf[7] != '1')
		DROP("not HTTP/1.0 or HTTP/1.1");
	if (buf[8] != ' ')
		DROP("no space after the HTTP version");
	for (i = 9; i < 12; i++)
		if (buf[i] < '0' || buf[i] > '9')
			DROP("the status is not three digits");
	*status = (buf[9] - '0') * 100 + (buf[10] - '0') * 10 + (buf[11] - '0');
	if (*status < 100 || *status > 599)
		DROP("the status is not from 100 to 599");
	p = buf + 12;
	if (p < end && *p != ' ')
		DROP("no space after the status");
	if (p < end)
		p++;
	for (k = 0; p < end; p++) {
		if ((unsigned char)*p < 0x20 && *p != '\t')
			DROP("a control byte in the reason phrase");
		if (k + 1 < reasonlen)
			reason[k++] = (unsigned char)*p < 0x7f ? *p : '?';
	}
	if (reasonlen)
		reason[k] = '\0';
	return 0;
}
