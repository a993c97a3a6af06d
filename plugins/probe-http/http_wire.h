/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: http_wire.h - the HTTP request the http probe sends and the status line it reads
 *
 * Pure. The request is one GET with Host, User-Agent and Connection: close; of
 * the answer only the status line matters ("HTTP/1.1 204 No Content"), read
 * from at most HTTP_HEAD_MAX bytes.
 */
#ifndef UPLINKD_HTTP_WIRE_H
#define UPLINKD_HTTP_WIRE_H

#include <stdbool.h>
#include <stddef.h>

#define HTTP_HEAD_MAX 1024 /* the status line must end within this many bytes */
#define HTTP_PATH_MAX 255
#define HTTP_HOST_MAX 253
#define HTTP_REQ_MAX 640   /* > the request with the longest path and host */
#define HTTP_REASON_MAX 64

/* A path: "/" then printable ASCII without spaces, at most HTTP_PATH_MAX bytes. */
bool http_path_valid(const char *path);
/* A Host value: a name or an address (IPv6 in brackets), with an optional ":PORT". */
bool http_host_valid(const char *host);
/* GET path with host; its length, or -ENOSPC / -EINVAL (a bad path or host). */
int http_request_build(char *buf, size_t len, const char *host, const char *path);

/*
 * The status line at the start of buf[0..len): 0 with *status (100-599) and the reason
 * phrase (printable, cut to reasonlen - 1) in reason; -EAGAIN while the line is not
 * complete and could still be; -EBADMSG with *why when it is not an HTTP status line.
 */
int http_status_parse(const char *buf, size_t len, int *status, char *reason,
		      size_t reasonlen, const char **why);

#endif
