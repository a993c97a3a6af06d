// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: vici.c - strongSwan VICI wire codec: framing, builder, parser, encoder
 *
 * Owns no state: the builder writes into a struct vici_buf the caller owns, the
 * parser returns one malloc()ed struct vici_msg per packet. Calls only libc.
 * Called by the monitor-ipsec plugin's connection code (commands out, replies
 * and events in), by test/unit/vici_test.c and by test/fuzz/vici_fuzz.c.
 *
 * The parser walks a packet twice with the same function: the first walk
 * validates it and counts nodes and string bytes, the second fills a single
 * allocation of exactly that size. Every refusal leaves through one DROP().
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vici.h"

const char *const vici_pkt_type_names[VICI_PKT_TYPE_MAX] = {
	[VICI_CMD_REQUEST] = "cmd-request",
	[VICI_CMD_RESPONSE] = "cmd-response",
	[VICI_CMD_UNKNOWN] = "cmd-unknown",
	[VICI_EVENT_REGISTER] = "event-register",
	[VICI_EVENT_UNREGISTER] = "event-unregister",
	[VICI_EVENT_CONFIRM] = "event-confirm",
	[VICI_EVENT_UNKNOWN] = "event-unknown",
	[VICI_EVENT] = "event",
};

const char *const vici_node_type_names[VICI_NODE_TYPE_MAX] = {
	[VICI_NODE_SECTION] = "section",
	[VICI_NODE_KV] = "kv",
	[VICI_NODE_LIST] = "list",
	[VICI_NODE_ITEM] = "item",
};

bool vici_pkt_named(unsigned int type)
{
	return type == VICI_CMD_REQUEST || type == VICI_EVENT_REGISTER ||
	       type == VICI_EVENT_UNREGISTER || type == VICI_EVENT;
}

bool vici_pkt_has_msg(unsigned int type)
{
	return type == VICI_CMD_REQUEST || type == VICI_CMD_RESPONSE || type == VICI_EVENT;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* ---- framing ---------------------------------------------------------------- */

int vici_frame_next(const uint8_t *buf, size_t len, size_t *pkt_off, size_t *pkt_len)
{
	uint32_t n;

	if (len < VICI_HDR_LEN)
		return 0;
	n = get_be32(buf);
	if (n == 0 || n > VICI_MSG_MAX)
		return -EBADMSG;
	if (len - VICI_HDR_LEN < n)
		return 0;
	*pkt_off = VICI_HDR_LEN;
	*pkt_len = n;
	return 1;
}

/* ---- builder ---------------------------------------------------------------- */

void vici_buf_init(struct vici_buf *b, void *data, size_t cap)
{
	memset(b, 0, sizeof(*b));
	b->data = data;
	b->cap = cap;
}

static int fail(struct vici_buf *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

/* Room for n more bytes in the open packet? */
static int room(struct vici_buf *b, size_t n)
{
	if (b->len - b->start - VICI_HDR_LEN + n > VICI_MSG_MAX)
		return fail(b, -EMSGSIZE);
	if (n > b->cap - b->len)
		return fail(b, -ENOSPC);
	return 0;
}

static void put(struct vici_buf *b, const void *p, size_t n)
{
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

static void put_u8(struct vici_buf *b, uint8_t v)
{
	b->data[b->len++] = v;
}

static void put_be16(struct vici_buf *b, uint16_t v)
{
	b->data[b->len++] = (uint8_t)(v >> 8);
	b->data[b->len++] = (uint8_t)v;
}

/* Common entry of the element writers: sticky error, an open message packet. */
static int elem_ok(struct vici_buf *b)
{
	if (b->err)
		return b->err;
	if (!b->open || !vici_pkt_has_msg(b->type))
		return fail(b, -EINVAL);
	return 0;
}

static int begin_n(struct vici_buf *b, unsigned int type, const char *name, size_t nlen)
{
	int err;

	if (b->err)
		return b->err;
	if (b->open || type >= VICI_PKT_TYPE_MAX || vici_pkt_named(type) != !!name ||
	    nlen > VICI_NAME_MAX)
		return fail(b, -EINVAL);
	if (b->cap - b->len < VICI_HDR_LEN)
		return fail(b, -ENOSPC);
	b->start = b->len;
	b->len += VICI_HDR_LEN;
	err = room(b, 1 + (name ? 1 + nlen : 0));
	if (err) {
		b->len = b->start;
		return err;
	}
	put_u8(b, (uint8_t)type);
	if (name) {
		put_u8(b, (uint8_t)nlen);
		put(b, name, nlen);
	}
	b->type = (uint8_t)type;
	b->open = true;
	b->in_list = false;
	b->depth = 0;
	return 0;
}

int vici_msg_begin(struct vici_buf *b, enum vici_pkt_type type, const char *name)
{
	return begin_n(b, type, name, name ? strlen(name) : 0);
}

/* An element with a name: SECTION_START, KEY_VALUE (header only), LIST_START. */
static int named_elem(struct vici_buf *b, uint8_t t, const char *name, size_t nlen, size_t extra)
{
	int err = elem_ok(b);

	if (err)
		return err;
	if (b->in_list || nlen > VICI_NAME_MAX)
		return fail(b, -EINVAL);
	if (t == VICI_SECTION_START && b->depth >= VICI_DEPTH_MAX)
		return fail(b, -EINVAL);
	err = room(b, 2 + nlen + extra);
	if (err)
		return err;
	put_u8(b, t);
	put_u8(b, (uint8_t)nlen);
	put(b, name, nlen);
	return 0;
}

static int section_begin_n(struct vici_buf *b, const char *name, size_t nlen)
{
	int err = named_elem(b, VICI_SECTION_START, name, nlen, 0);

	if (!err)
		b->depth++;
	return err;
}

int vici_section_begin(struct vici_buf *b, const char *name)
{
	if (!name)
		return fail(b, -EINVAL);
	return section_begin_n(b, name, strlen(name));
}

int vici_section_end(struct vici_buf *b)
{
	int err = elem_ok(b);

	if (err)
		return err;
	if (b->in_list || !b->depth)
		return fail(b, -EINVAL);
	err = room(b, 1);
	if (err)
		return err;
	put_u8(b, VICI_SECTION_END);
	b->depth--;
	return 0;
}

static int kv_n(struct vici_buf *b, const char *name, size_t nlen, const void *v, size_t vlen)
{
	int err;

	if (vlen > VICI_VALUE_MAX)
		return fail(b, -EINVAL);
	err = named_elem(b, VICI_KEY_VALUE, name, nlen, 2 + vlen);
	if (err)
		return err;
	put_be16(b, (uint16_t)vlen);
	put(b, v, vlen);
	return 0;
}

int vici_kv(struct vici_buf *b, const char *name, const void *value, size_t len)
{
	if (!name || (!value && len))
		return fail(b, -EINVAL);
	return kv_n(b, name, strlen(name), value, len);
}

int vici_kv_str(struct vici_buf *b, const char *name, const char *value)
{
	if (!value)
		return fail(b, -EINVAL);
	return vici_kv(b, name, value, strlen(value));
}

int vici_kv_printf(struct vici_buf *b, const char *name, const char *fmt, ...)
{
	size_t nlen, mark, avail;
	va_list ap;
	int err, n;

	if (!name || !fmt)
		return fail(b, -EINVAL);
	nlen = strlen(name);
	/* type and name first, so the value can be formatted in place behind them */
	err = named_elem(b, VICI_KEY_VALUE, name, nlen, 2);
	if (err)
		return err;
	mark = b->len;
	avail = b->cap - mark - 2;
	va_start(ap, fmt);
	n = vsnprintf((char *)b->data + mark + 2, avail, fmt, ap);
	va_end(ap);
	if (n < 0 || n > VICI_VALUE_MAX) {
		err = -EINVAL;
		goto err;
	}
	if ((size_t)n >= avail) {
		err = -ENOSPC;
		goto err;
	}
	b->len = mark + 2;
	err = room(b, (size_t)n);
	if (err)
		goto err;
	b->len = mark;
	put_be16(b, (uint16_t)n);
	b->len += (size_t)n;
	return 0;
err:
	b->len = mark - 2 - nlen;
	return fail(b, err);
}

static int list_begin_n(struct vici_buf *b, const char *name, size_t nlen)
{
	int err = named_elem(b, VICI_LIST_START, name, nlen, 0);

	if (!err)
		b->in_list = true;
	return err;
}

int vici_list_begin(struct vici_buf *b, const char *name)
{
	if (!name)
		return fail(b, -EINVAL);
	return list_begin_n(b, name, strlen(name));
}

int vici_list_item(struct vici_buf *b, const void *value, size_t len)
{
	int err = elem_ok(b);

	if (err)
		return err;
	if (!b->in_list || len > VICI_VALUE_MAX || (!value && len))
		return fail(b, -EINVAL);
	err = room(b, 3 + len);
	if (err)
		return err;
	put_u8(b, VICI_LIST_ITEM);
	put_be16(b, (uint16_t)len);
	put(b, value, len);
	return 0;
}

int vici_list_item_str(struct vici_buf *b, const char *value)
{
	if (!value)
		return fail(b, -EINVAL);
	return vici_list_item(b, value, strlen(value));
}

int vici_list_end(struct vici_buf *b)
{
	int err = elem_ok(b);

	if (err)
		return err;
	if (!b->in_list)
		return fail(b, -EINVAL);
	err = room(b, 1);
	if (err)
		return err;
	put_u8(b, VICI_LIST_END);
	b->in_list = false;
	return 0;
}

int vici_msg_finish(struct vici_buf *b)
{
	size_t n;

	if (b->err)
		return b->err;
	if (!b->open || b->depth || b->in_list)
		return fail(b, -EINVAL);
	n = b->len - b->start - VICI_HDR_LEN;
	b->data[b->start] = (uint8_t)(n >> 24);
	b->data[b->start + 1] = (uint8_t)(n >> 16);
	b->data[b->start + 2] = (uint8_t)(n >> 8);
	b->data[b->start + 3] = (uint8_t)n;
	b->open = false;
	return 0;
}

/* ---- parser ------------------------------------------------------------------ */

/*
 * One walk over a packet. Counting (m == NULL): validate, count nodes and the
 * string bytes they need. Filling (m != NULL): the packet is known to be valid
 * and m has room for exactly what the counting walk found.
 */
struct walk {
	struct vici_msg *m;
	char *str;			/* next free string byte (filling) */
	size_t n_nodes;
	size_t str_bytes;
};

static const char *copy_str(struct walk *w, const uint8_t *p, size_t n)
{
	char *s;

	w->str_bytes += n + 1;
	if (!w->m)
		return NULL;
	s = w->str;
	if (n)
		memcpy(s, p, n);
	s[n] = '\0';
	w->str += n + 1;
	return s;
}

#define DROP(why, at)                                                                  \
	do {                                                                           \
		reason = (why);                                                        \
		offset = (at);                                                         \
		goto drop;                                                             \
	} while (0)

static int walk(struct walk *w, const uint8_t *p, size_t len, struct vici_err *err)
{
	/* open containers (root, sections, a list) and their last child */
	struct vici_node *stack[VICI_DEPTH_MAX + 2], *tail[VICI_DEPTH_MAX + 2];
	unsigned int level = 0, depth = 0;
	bool in_list = false;
	const char *reason;
	size_t off = 0, offset, at;
	unsigned int nlen = 0, vlen;
	const uint8_t *name = NULL, *val;
	uint8_t type;

	w->n_nodes = 0;
	w->str_bytes = 0;
	if (!len)
		DROP("empty packet", 0);
	if (len > VICI_MSG_MAX)
		DROP("packet larger than 512 KiB", 0);
	type = p[off++];
	if (type >= VICI_PKT_TYPE_MAX)
		DROP("unknown packet type", 0);
	if (vici_pkt_named(type)) {
		if (off >= len)
			DROP("truncated packet name length", off);
		nlen = p[off++];
		if (len - off < nlen)
			DROP("truncated packet name", off);
		name = p + off;
		off += nlen;
	}
	if (w->m) {
		w->m->type = type;
		w->m->name_len = (uint8_t)nlen;
		w->m->name = name ? copy_str(w, name, nlen) : "";
		memset(&w->m->root, 0, sizeof(w->m->root));
		w->m->root.type = VICI_NODE_SECTION;
		w->m->root.name = "";
		stack[0] = &w->m->root;
		tail[0] = NULL;
	} else if (name) {
		copy_str(w, name, nlen);
	}
	if (!vici_pkt_has_msg(type) && off < len)
		DROP("trailing bytes after a packet without message", off);

	while (off < len) {
		enum vici_node_type nt;
		struct vici_node *n;

		at = off;
		type = p[off++];
		name = NULL;
		nlen = 0;
		val = NULL;
		vlen = 0;
		switch (type) {
		case VICI_SECTION_START:
		case VICI_KEY_VALUE:
		case VICI_LIST_START:
			if (in_list)
				DROP("section, key or list inside a list", at);
			if (type == VICI_SECTION_START && depth == VICI_DEPTH_MAX)
				DROP("sections nested deeper than 32", at);
			if (off >= len)
				DROP("truncated name length", off);
			nlen = p[off++];
			if (len - off < nlen)
				DROP("truncated name", off);
			name = p + off;
			off += nlen;
			break;
		case VICI_LIST_ITEM:
			if (!in_list)
				DROP("list item outside a list", at);
			break;
		case VICI_SECTION_END:
			if (in_list)
				DROP("section end inside a list", at);
			if (!depth)
				DROP("section end without a section", at);
			depth--;
			level--;
			continue;
		case VICI_LIST_END:
			if (!in_list)
				DROP("list end without a list", at);
			in_list = false;
			level--;
			continue;
		default:
			DROP("unknown element type", at);
		}
		if (type == VICI_KEY_VALUE || type == VICI_LIST_ITEM) {
			if (len - off < 2)
				DROP("truncated value length", off);
			vlen = get_be16(p + off);
			off += 2;
			if (len - off < vlen)
				DROP("truncated value", off);
			val = p + off;
			off += vlen;
		}

		if (w->n_nodes == VICI_NODES_MAX)
			DROP("more than 100000 elements", at);
		n = w->m ? &w->m->nodes[w->n_nodes] : NULL;
		w->n_nodes++;
		nt = type == VICI_SECTION_START ? VICI_NODE_SECTION :
		     type == VICI_KEY_VALUE ? VICI_NODE_KV :
		     type == VICI_LIST_START ? VICI_NODE_LIST : VICI_NODE_ITEM;
		if (n) {
			memset(n, 0, sizeof(*n));
			n->type = nt;
			n->name_len = (uint8_t)nlen;
			n->name = name ? copy_str(w, name, nlen) : "";
			n->value_len = (uint16_t)vlen;
			n->value = val ? copy_str(w, val, vlen) : NULL;
			n->parent = stack[level];
			if (tail[level])
				tail[level]->next = n;
			else
				stack[level]->first = n;
			tail[level] = n;
			stack[level]->n_children++;
		} else {
			if (name)
				copy_str(w, name, nlen);
			if (val)
				copy_str(w, val, vlen);
		}
		if (nt == VICI_NODE_SECTION || nt == VICI_NODE_LIST) {
			level++;
			if (nt == VICI_NODE_SECTION)
				depth++;
			else
				in_list = true;
			if (n) {
				stack[level] = n;
				tail[level] = NULL;
			}
		}
	}
	if (in_list)
		DROP("unterminated list", len);
	if (depth)
		DROP("unterminated section", len);
	return 0;

drop:
	if (err) {
		err->reason = reason;
		err->offset = offset;
	}
	return -EBADMSG;
}

#undef DROP

int vici_msg_parse(const uint8_t *pkt, size_t len, struct vici_msg **out, struct vici_err *err)
{
	struct walk w = { 0 };
	struct vici_msg *m;
	size_t nodes, size;
	int ret;

	*out = NULL;
	ret = walk(&w, pkt, len, err);
	if (ret)
		return ret;
	nodes = w.n_nodes;
	size = sizeof(*m) + nodes * sizeof(m->nodes[0]) + w.str_bytes;
	m = malloc(size);
	if (!m)
		return -ENOMEM;
	m->n_nodes = nodes;
	w.m = m;
	w.str = (char *)&m->nodes[nodes];
	ret = walk(&w, pkt, len, err);
	if (ret)
		goto err;
	*out = m;
	return 0;
err:
	free(m);
	return ret;
}

void vici_msg_free(struct vici_msg *m)
{
	free(m);
}

/* ---- encoder ----------------------------------------------------------------- */

static int encode_children(struct vici_buf *b, const struct vici_node *parent)
{
	const struct vici_node *c;
	int err = 0;

	vici_node_for_each(c, parent) {
		switch (c->type) {
		case VICI_NODE_SECTION:
			err = section_begin_n(b, c->name, c->name_len);
			if (!err)
				err = encode_children(b, c);
			if (!err)
				err = vici_section_end(b);
			break;
		case VICI_NODE_KV:
			err = kv_n(b, c->name, c->name_len, c->value, c->value_len);
			break;
		case VICI_NODE_LIST:
			err = list_begin_n(b, c->name, c->name_len);
			if (!err)
				err = encode_children(b, c);
			if (!err)
				err = vici_list_end(b);
			break;
		case VICI_NODE_ITEM:
			err = vici_list_item(b, c->value, c->value_len);
			break;
		default:
			err = fail(b, -EINVAL);
		}
		if (err)
			return err;
	}
	return 0;
}

int vici_msg_encode(const struct vici_msg *m, struct vici_buf *b)
{
	int err;

	err = begin_n(b, m->type, vici_pkt_named(m->type) ? m->name : NULL, m->name_len);
	if (!err)
		err = encode_children(b, &m->root);
	if (!err)
		err = vici_msg_finish(b);
	return err;
}

/* ---- lookups ------------------------------------------------------------------ */

static const struct vici_node *child_n(const struct vici_node *n, const char *name, size_t len)
{
	const struct vici_node *c;

	vici_node_for_each(c, n)
		if (c->name_len == len && !memcmp(c->name, name, len))
			return c;
	return NULL;
}

const struct vici_node *vici_node_child(const struct vici_node *n, const char *name)
{
	if (!n || !name)
		return NULL;
	return child_n(n, name, strlen(name));
}

const struct vici_node *vici_node_child_at(const struct vici_node *n, unsigned int idx)
{
	const struct vici_node *c;

	if (!n)
		return NULL;
	vici_node_for_each(c, n)
		if (!idx--)
			return c;
	return NULL;
}

/* A path component that is all digits (and not absurdly long) as an index. */
static bool comp_index(const char *s, size_t len, unsigned int *idx)
{
	unsigned long v = 0;
	size_t i;

	if (!len || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*idx = (unsigned int)v;
	return true;
}

const struct vici_node *vici_node_find(const struct vici_node *n, const char *path)
{
	const char *dot;
	size_t len;

	if (!n || !path)
		return NULL;
	while (*path && n) {
		const struct vici_node *c;
		unsigned int idx;

		dot = strchr(path, '.');
		len = dot ? (size_t)(dot - path) : strlen(path);
		c = child_n(n, path, len);
		if (!c && comp_index(path, len, &idx))
			c = vici_node_child_at(n, idx);
		n = c;
		if (!dot)
			break;
		path = dot + 1;
	}
	return n;
}

const struct vici_node *vici_find(const struct vici_msg *m, const char *path)
{
	return m ? vici_node_find(&m->root, path) : NULL;
}

const char *vici_node_str(const struct vici_node *n, const char *path)
{
	n = vici_node_find(n, path);
	return n ? n->value : NULL;
}

int vici_node_u64(const struct vici_node *n, const char *path, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	n = vici_node_find(n, path);
	if (!n || !n->value)
		return -ENOENT;
	if (!n->value_len)
		return -EINVAL;
	for (i = 0; i < n->value_len; i++) {
		unsigned int d = (unsigned char)n->value[i] - (unsigned int)'0';

		if (d > 9 || v > (UINT64_MAX - d) / 10)
			return -EINVAL;
		v = v * 10 + d;
	}
	*out = v;
	return 0;
}

bool vici_node_yes(const struct vici_node *n, const char *path)
{
	n = vici_node_find(n, path);
	return n && n->value && n->value_len == 3 && !memcmp(n->value, "yes", 3);
}
