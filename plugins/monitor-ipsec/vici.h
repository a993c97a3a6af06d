/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: vici.h - strongSwan VICI wire codec: framing, builder, parser
 *
 * The protocol is described in strongSwan's src/libcharon/plugins/vici/README.md:
 * a stream of segments, each a 32-bit big-endian length and a packet; a packet
 * is a type byte, a name for the named types, and for some types a message made
 * of elements (sections, key/values, lists). Everything here is pure: no I/O, no
 * logging, no state outside the structs the caller passes. The builder writes
 * into a caller-owned buffer; the parser makes exactly one allocation per packet
 * (sized by a validating first pass), freed with vici_msg_free().
 */
#ifndef UPLINKD_VICI_H
#define UPLINKD_VICI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VICI_HDR_LEN 4			/* the big-endian length before each packet */
#define VICI_MSG_MAX (512 * 1024)	/* largest packet charon accepts or sends */
#define VICI_NAME_MAX 255		/* names carry an 8-bit length */
#define VICI_VALUE_MAX 65535		/* values carry a 16-bit length */
#define VICI_DEPTH_MAX 32		/* nested sections we accept (and build) */
#define VICI_NODES_MAX 100000		/* elements per packet: bounds parser memory */

enum vici_pkt_type {
	VICI_CMD_REQUEST = 0,		/* named, message */
	VICI_CMD_RESPONSE = 1,		/* message */
	VICI_CMD_UNKNOWN = 2,		/* nothing */
	VICI_EVENT_REGISTER = 3,	/* named */
	VICI_EVENT_UNREGISTER = 4,	/* named */
	VICI_EVENT_CONFIRM = 5,		/* nothing */
	VICI_EVENT_UNKNOWN = 6,		/* nothing */
	VICI_EVENT = 7,			/* named, message */
	VICI_PKT_TYPE_MAX,
};

enum vici_elem_type {
	VICI_SECTION_START = 1,
	VICI_SECTION_END = 2,
	VICI_KEY_VALUE = 3,
	VICI_LIST_START = 4,
	VICI_LIST_ITEM = 5,
	VICI_LIST_END = 6,
};

extern const char *const vici_pkt_type_names[VICI_PKT_TYPE_MAX];

/* Whether packets of this type carry a name / a message (false for unknown types). */
bool vici_pkt_named(unsigned int type);
bool vici_pkt_has_msg(unsigned int type);

/* ---- framing ---------------------------------------------------------------- */

/*
 * Look at the bytes received so far (buf starts at a segment boundary). Returns
 * 1 when a whole packet is there: it is buf[*pkt_off .. *pkt_off + *pkt_len) and
 * the caller then consumes *pkt_off + *pkt_len bytes; 0 when more bytes are
 * needed; -EBADMSG when the announced length is 0 or above VICI_MSG_MAX (the
 * caller closes the connection). The outputs are set only when 1 is returned.
 */
int vici_frame_next(const uint8_t *buf, size_t len, size_t *pkt_off, size_t *pkt_len);

/* ---- builder ---------------------------------------------------------------- */

/*
 * Writes whole segments (length prefix included) into data[0..cap). Several
 * packets may follow each other in one buffer: vici_msg_begin() appends.
 * Errors are sticky: after the first failure every call returns it without
 * writing, so a caller may chain calls and check vici_msg_finish() alone.
 *   -ENOSPC    the buffer is full
 *   -EMSGSIZE  the packet would exceed VICI_MSG_MAX
 *   -EINVAL    misuse: name > 255 or value > 65535 bytes, element in a packet
 *              type without a message, unbalanced or too deep sections, key or
 *              section inside a list, item outside a list, begin while a packet
 *              is open, finish with a section or list still open
 */
struct vici_buf {
	uint8_t *data;
	size_t cap;
	size_t len;			/* bytes written, all packets */
	size_t start;			/* offset of the open packet's length prefix */
	uint8_t type;			/* of the open packet */
	bool open;
	bool in_list;
	unsigned int depth;		/* open sections */
	int err;			/* first error, 0 if none */
};

void vici_buf_init(struct vici_buf *b, void *data, size_t cap);
/* name: the command or event name for named types, NULL otherwise. */
int vici_msg_begin(struct vici_buf *b, enum vici_pkt_type type, const char *name);
int vici_section_begin(struct vici_buf *b, const char *name);
int vici_section_end(struct vici_buf *b);
int vici_kv(struct vici_buf *b, const char *name, const void *value, size_t len);
int vici_kv_str(struct vici_buf *b, const char *name, const char *value);
/* vsnprintf() needs one spare byte after the value for its NUL. */
int vici_kv_printf(struct vici_buf *b, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vici_list_begin(struct vici_buf *b, const char *name);
int vici_list_item(struct vici_buf *b, const void *value, size_t len);
int vici_list_item_str(struct vici_buf *b, const char *value);
int vici_list_end(struct vici_buf *b);
/* Checks balance and writes the length prefix; b->len then counts it too. */
int vici_msg_finish(struct vici_buf *b);

/* ---- parser ------------------------------------------------------------------ */

enum vici_node_type {
	VICI_NODE_SECTION,		/* children: sections, key/values, lists */
	VICI_NODE_KV,			/* value */
	VICI_NODE_LIST,			/* children: items */
	VICI_NODE_ITEM,			/* value, empty name */
	VICI_NODE_TYPE_MAX,
};

extern const char *const vici_node_type_names[VICI_NODE_TYPE_MAX];

/*
 * Names and values are copies, NUL-terminated, but may contain NUL bytes
 * themselves (the lengths are authoritative; charon never sends them).
 */
struct vici_node {
	enum vici_node_type type;
	uint8_t name_len;
	uint16_t value_len;
	unsigned int n_children;
	const char *name;		/* "" for items and the root */
	const char *value;		/* KV and ITEM; NULL otherwise */
	const struct vici_node *parent;	/* NULL for the root */
	const struct vici_node *first;	/* first child, in wire order */
	const struct vici_node *next;	/* next sibling */
};

#define vici_node_for_each(c, n) for ((c) = (n)->first; (c); (c) = (c)->next)

struct vici_msg {
	enum vici_pkt_type type;
	uint8_t name_len;
	const char *name;		/* "" for unnamed types */
	struct vici_node root;		/* the message: an unnamed section */
	size_t n_nodes;			/* besides the root */
	struct vici_node nodes[];	/* in wire order; strings follow */
};

/* Where and why a packet was refused; offset counts from the type byte. */
struct vici_err {
	const char *reason;		/* static string */
	size_t offset;
};

/*
 * Parse one packet (without its length prefix, as vici_frame_next() delimits
 * it). Returns 0 and *out, -ENOMEM, or -EBADMSG with *err (may be NULL) set
 * for: an empty or oversized packet, an unknown packet or element type,
 * truncation, unbalanced or misplaced ends, sections inside lists, lists inside
 * lists, nesting deeper than VICI_DEPTH_MAX, more than VICI_NODES_MAX
 * elements, and trailing bytes after a packet type that carries no message.
 */
int vici_msg_parse(const uint8_t *pkt, size_t len, struct vici_msg **out, struct vici_err *err);
void vici_msg_free(struct vici_msg *m);

/* Append m as one framed packet: re-encoding a parsed packet gives its bytes back. */
int vici_msg_encode(const struct vici_msg *m, struct vici_buf *b);

/*
 * Lookups. A path is dot-separated; each component names a child exactly, or,
 * if no child has that name and it is all digits, picks the child at that
 * index (0-based, wire order): "child-sas.0.bytes-in", "local_addrs.1". An
 * empty path is the node itself. Names containing dots need vici_node_child().
 */
const struct vici_node *vici_node_child(const struct vici_node *n, const char *name);
const struct vici_node *vici_node_child_at(const struct vici_node *n, unsigned int idx);
const struct vici_node *vici_node_find(const struct vici_node *n, const char *path);
const struct vici_node *vici_find(const struct vici_msg *m, const char *path);
/* The value of a KV or ITEM at path, or NULL. */
const char *vici_node_str(const struct vici_node *n, const char *path);
/* A decimal value: 0, -ENOENT (absent or not a value) or -EINVAL (not a u64). */
int vici_node_u64(const struct vici_node *n, const char *path, uint64_t *out);
/* true if the value at path is "yes". */
bool vici_node_yes(const struct vici_node *n, const char *path);

#endif
