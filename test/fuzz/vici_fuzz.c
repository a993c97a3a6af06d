// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Fuzz the VICI codec as the monitor meets it: a byte stream from charon cut
 * into packets by vici_frame_next(), each parsed by vici_msg_parse(). Whatever
 * parses is walked, looked up, and re-encoded with the builder, which must give
 * back the identical bytes. Bytes the framer refuses are parsed as one raw
 * packet too, so the parser also sees unframed input.
 */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../plugins/monitor-ipsec/vici.h"

static const char *const paths[] = {
	"", "0", "0.child-sas.0.bytes-in", "wan.child-sas", "0.0.0.0", "success",
	"0.local_addrs.0", "a..b", ".", "99999999999",
};

static void check_tree(const struct vici_msg *m, const uint8_t *frame, size_t flen)
{
	size_t i, seen = 0;
	uint8_t *out;
	struct vici_buf b;
	uint64_t v;

	if (m->name[m->name_len] != '\0' || m->n_nodes > VICI_NODES_MAX)
		abort();
	for (i = 0; i < m->n_nodes; i++) {
		const struct vici_node *n = &m->nodes[i], *c;
		unsigned int kids = 0;

		if (n->name[n->name_len] != '\0' || !n->parent)
			abort();
		if ((n->type == VICI_NODE_KV || n->type == VICI_NODE_ITEM) !=
		    (n->value != NULL))
			abort();
		if (n->value && n->value[n->value_len] != '\0')
			abort();
		vici_node_for_each(c, n) {
			if (c->parent != n)
				abort();
			kids++;
		}
		if (kids != n->n_children)
			abort();
		if (n->type == VICI_NODE_KV)
			(void)vici_node_u64(n->parent, n->name, &v);
		(void)vici_node_yes(n, "");
	}
	{
		const struct vici_node *c;

		vici_node_for_each(c, &m->root)
			seen++;
		if (seen != m->root.n_children)
			abort();
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		(void)vici_node_str(&m->root, paths[i]);

	/* the encoder gives back the exact frame, and needs no more room */
	out = malloc(flen);
	if (!out)
		return;
	vici_buf_init(&b, out, flen);
	if (vici_msg_encode(m, &b) != 0 || b.len != flen || memcmp(out, frame, flen))
		abort();
	free(out);
}

static void parse_one(const uint8_t *p, size_t len, const uint8_t *frame, size_t flen)
{
	struct vici_err e = { NULL, 0 };
	struct vici_msg *m = NULL;
	uint8_t *copy = malloc(len ? len : 1);
	int ret;

	if (!copy)
		return;
	if (len)
		memcpy(copy, p, len);
	ret = vici_msg_parse(copy, len, &m, &e);
	if (ret == 0) {
		if (frame)
			check_tree(m, frame, flen);
	} else if (ret != -EBADMSG || !e.reason || e.offset > len || m) {
		abort();
	}
	vici_msg_free(m);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *buf = malloc(size ? size : 1);
	size_t pos = 0, off, len;
	int ret;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	while ((ret = vici_frame_next(buf + pos, size - pos, &off, &len)) == 1) {
		if (off != VICI_HDR_LEN || len == 0 || len > VICI_MSG_MAX ||
		    off + len > size - pos)
			abort();
		parse_one(buf + pos + off, len, buf + pos, off + len);
		pos += off + len;
	}
	if (ret != 0 && ret != -EBADMSG)
		abort();
	if (pos < size && size - pos <= VICI_MSG_MAX)
		parse_one(buf + pos, size - pos, NULL, 0);
	free(buf);
	return 0;
}
