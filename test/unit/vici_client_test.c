// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The VICI client on the real loop against a fake charon (a unix socket in a
 * temporary directory): requests queue one at a time, an event arriving
 * between a request and its response goes to the event callback, replies
 * split across reads are reassembled, a closed connection fails the queued
 * requests and is re-established after the backoff, and an oversized segment
 * closes the connection.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../plugins/monitor-ipsec/vici_client.h"
#include "loop.h"

struct fx {
	struct loop loop;
	struct vici_client c;
	char dir[64], path[128];
	int srv, peer;
	int ups, downs, events, replies, failed;
	char last_event[64];
	char last_reply_key[64];
	struct loop_timer stop;
};

static void fx_stop_cb(struct loop_timer *t)
{
	loop_quit(&container_of(t, struct fx, stop)->loop);
}

static void run_ms(struct fx *f, unsigned int ms)
{
	f->loop.quit = false;
	loop_timer_set_in(&f->loop, &f->stop, (uint64_t)ms * NSEC_PER_MSEC);
	loop_run(&f->loop);
}

static void on_reply(void *ctx, const struct vici_msg *m)
{
	struct fx *f = ctx;
	const char *v;

	if (!m) {
		f->failed++;
		return;
	}
	f->replies++;
	v = vici_node_str(&m->root, "success");
	snprintf(f->last_reply_key, sizeof(f->last_reply_key), "%s", v ? v : "");
}

static void on_up(void *ctx)
{
	((struct fx *)ctx)->ups++;
}

static void on_down(void *ctx, const char *why)
{
	(void)why;
	((struct fx *)ctx)->downs++;
}

static void on_event(void *ctx, const struct vici_msg *m)
{
	struct fx *f = ctx;

	f->events++;
	snprintf(f->last_event, sizeof(f->last_event), "%s", m->name);
}

static const struct vici_client_ops ops = { on_up, on_down, on_event };

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ulviciXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/charon.vici", f->dir);
	f->srv = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(strlen(f->path) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	assert_int_equal(bind(f->srv, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->srv, 4), 0);
	f->peer = -1;
	assert_int_equal(loop_init(&f->loop), 0);
	loop_timer_init(&f->stop, fx_stop_cb);
	assert_int_equal(vici_client_init(&f->c, &f->loop, f->path, &ops, f), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	vici_client_destroy(&f->c);
	loop_timer_cancel(&f->loop, &f->stop);
	loop_destroy(&f->loop);
	if (f->peer >= 0)
		close(f->peer);
	close(f->srv);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

/* read one framed packet the client sent; returns its type and copies its name */
static int srv_read(struct fx *f, char *name, size_t cap)
{
	uint8_t hdr[4], pkt[1024];
	uint32_t len;

	assert_int_equal(recv(f->peer, hdr, 4, MSG_WAITALL), 4);
	len = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
	assert_true(len > 0 && len <= sizeof(pkt));
	assert_int_equal(recv(f->peer, pkt, len, MSG_WAITALL), (ssize_t)len);
	name[0] = '\0';
	if (pkt[0] == VICI_CMD_REQUEST || pkt[0] == VICI_EVENT_REGISTER)
		snprintf(name, cap, "%.*s", pkt[1], (const char *)pkt + 2);
	return pkt[0];
}

static size_t build_reply(uint8_t *buf, size_t cap, enum vici_pkt_type type, const char *name,
			  const char *success)
{
	struct vici_buf b;

	vici_buf_init(&b, buf, cap);
	vici_msg_begin(&b, type, name);
	if (success)
		vici_kv_str(&b, "success", success);
	assert_int_equal(vici_msg_finish(&b), 0);
	return b.len;
}

static void test_request_event_reply(void **state)
{
	struct fx *f = *state;
	uint8_t out[512];
	char name[64];
	size_t n1, n2;

	run_ms(f, 50);
	assert_int_equal(f->ups, 1);
	f->peer = accept(f->srv, NULL, NULL);
	assert_true(f->peer >= 0);
	assert_int_equal(vici_client_simple(&f->c, VICI_EVENT_REGISTER, "list-sa", on_reply, f), 0);
	assert_int_equal(vici_client_simple(&f->c, VICI_CMD_REQUEST, "list-sas", on_reply, f), 0);
	run_ms(f, 20);
	/* one outstanding at a time: only the registration went out */
	assert_int_equal(srv_read(f, name, sizeof(name)), VICI_EVENT_REGISTER);
	assert_string_equal(name, "list-sa");
	n1 = build_reply(out, sizeof(out), VICI_EVENT_CONFIRM, NULL, NULL);
	assert_int_equal(send(f->peer, out, n1, 0), (ssize_t)n1);
	run_ms(f, 20);
	assert_int_equal(f->replies, 1);
	assert_int_equal(srv_read(f, name, sizeof(name)), VICI_CMD_REQUEST);
	assert_string_equal(name, "list-sas");
	/* an event, then the response, delivered in three pieces */
	n1 = build_reply(out, sizeof(out), VICI_EVENT, "list-sa", "x");
	n2 = build_reply(out + n1, sizeof(out) - n1, VICI_CMD_RESPONSE, NULL, "yes");
	assert_int_equal(send(f->peer, out, 3, 0), 3);
	run_ms(f, 10);
	assert_int_equal(send(f->peer, out + 3, n1, 0), (ssize_t)n1);
	run_ms(f, 10);
	assert_int_equal(f->events, 1);
	assert_string_equal(f->last_event, "list-sa");
	assert_int_equal(f->replies, 1);
	assert_int_equal(send(f->peer, out + 3 + n1, n2 - 3, 0), (ssize_t)(n2 - 3));
	run_ms(f, 10);
	assert_int_equal(f->replies, 2);
	assert_string_equal(f->last_reply_key, "yes");
}

static void test_close_fails_and_reconnects(void **state)
{
	struct fx *f = *state;
	char name[64];

	run_ms(f, 50);
	f->peer = accept(f->srv, NULL, NULL);
	assert_int_equal(vici_client_simple(&f->c, VICI_CMD_REQUEST, "version", on_reply, f), 0);
	assert_int_equal(vici_client_simple(&f->c, VICI_CMD_REQUEST, "stats", on_reply, f), 0);
	run_ms(f, 20);
	assert_int_equal(srv_read(f, name, sizeof(name)), VICI_CMD_REQUEST);
	close(f->peer);	/* charon restarts */
	f->peer = -1;
	run_ms(f, 20);
	assert_int_equal(f->downs, 1);
	assert_int_equal(f->failed, 2);
	assert_int_equal(vici_client_simple(&f->c, VICI_CMD_REQUEST, "version", on_reply, f),
			 -ENOTCONN);
	run_ms(f, 200);	/* backoff 100 ms */
	assert_int_equal(f->ups, 2);
	f->peer = accept(f->srv, NULL, NULL);
	assert_true(f->peer >= 0);
}

static void test_oversized_segment_closes(void **state)
{
	struct fx *f = *state;
	static const uint8_t huge[4] = { 0x00, 0x08, 0x00, 0x01 }; /* 512 KiB + 1 */

	run_ms(f, 50);
	f->peer = accept(f->srv, NULL, NULL);
	assert_int_equal(vici_client_simple(&f->c, VICI_CMD_REQUEST, "version", on_reply, f), 0);
	run_ms(f, 10);
	assert_int_equal(send(f->peer, huge, sizeof(huge), 0), 4);
	run_ms(f, 20);
	assert_int_equal(f->downs, 1);
	assert_int_equal(f->failed, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_request_event_reply, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_fails_and_reconnects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversized_segment_closes, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
