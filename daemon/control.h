/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: control.h - the control socket
 *
 * A unix stream socket (control.socket). Requests and replies are one JSON
 * object per line: {"cmd":"status"} {"cmd":"events","count":50}
 * {"cmd":"reload"} {"cmd":"prefer","uplink":"isp1"|"auto"}. Replies:
 * {"ok":true,...} or {"ok":false,"error":"..."}. Non-blocking, bounded buffers,
 * idle clients are dropped; the request parser is pure and fuzzed.
 */
#ifndef UPLINKD_CONTROL_H
#define UPLINKD_CONTROL_H

#include <stddef.h>

struct daemon;

/* Longest request line accepted, without its newline (added by control.c's room). */
#define CONTROL_LINE_MAX (64 * 1024)

enum control_cmd {
	CONTROL_STATUS,
	CONTROL_EVENTS,
	CONTROL_RELOAD,
	CONTROL_PREFER,
	CONTROL_ACK,
	CONTROL_DISABLE,
	CONTROL_ENABLE,
};

struct control_req {
	enum control_cmd cmd;
	int count;	  /* events: how many (default 50, 1..1000) */
	char uplink[64];  /* prefer: name or "auto"; disable, enable: name */
	char alert[128];  /* ack: the alert id from bgp.alerts[] */
};

/* Pure: parse one request line. Returns 0 or -EINVAL with a message in err. */
int control_req_parse(const char *buf, size_t len, struct control_req *req, char *err,
		      size_t errlen);

int control_init(struct daemon *d);
void control_destroy(struct daemon *d);

#endif
