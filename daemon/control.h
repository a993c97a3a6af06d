/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: control.h - the control socket
 *
 * A unix stream socket (control.socket). Requests and replies are one JSON
 * object per line: {"cmd":"status"} {"cmd":"events","count":50}
 * {"cmd":"reload"} {"cmd":"prefer","uplink":"isp1"|"auto"}, every command of
 * the table in command.h with its arguments as keys. Replies:
 * {"ok":true,...} or {"ok":false,"error":"..."}. Non-blocking, bounded buffers,
 * idle clients are dropped; the request parser is pure and fuzzed.
 */
#ifndef UPLINKD_CONTROL_H
#define UPLINKD_CONTROL_H

#include <stddef.h>

struct daemon;

/* Longest request line accepted, without its newline (added by control.c's room). */
#define CONTROL_LINE_MAX (64 * 1024)

struct command_req;

/* Pure: parse one request line into a command of the table (command.h). Returns 0, or
 * -EINVAL with a message in err (and req->cmd NULL). */
int control_req_parse(const char *buf, size_t len, struct command_req *req, char *err,
		      size_t errlen);

int control_init(struct daemon *d);
void control_destroy(struct daemon *d);

#endif
