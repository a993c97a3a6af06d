// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ipsec plugin's steering against a fake charon on a unix socket, on the
 * real loop and bus: the tunnel is loaded on the preferred uplink; a BUS_STEER
 * "avoid" for that uplink moves it make-before-break (load-conn with the other
 * uplink's address, initiate, terminate the old IKE_SA only once the new one
 * is up); "clear" brings it back; the status hook reports the path.
 * Two hand-made uplinks stand in for uplinks.c (uplink.c's helpers are real), and
 * the policy by its candidates and its listener: a policy run is a call of the
 * listener the plugin registered through view.c (tunnels follow the policy, after
 * its switch). view.c is real; what it reads of the status and journal is not.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../plugins/monitor-ipsec/ipsec_conf.h"
#include "../../plugins/monitor-ipsec/vici.h"
#include "daemon.h"
#include "plugin.h"
#include "journal.h"
#include "policy.h"
#include "status.h"
#include "uplink.h"
#include "view.h"

extern const struct plugin plugin_ipsec;
const struct plugin *const plugins[] = { &plugin_ipsec, NULL };

/* ---- policy.c stand-ins (automatic choice: no prefer, nothing disabled) ---- */

static struct policy_listener *listener;

void policy_cand_fill(const struct daemon *d, const struct uplink *u, int family,
		      struct policy_cand *c)
{
	(void)d;
	uplink_cand(u, family, NULL, false, c);
}

void policy_listen(struct daemon *d, struct policy_listener *l)
{
	(void)d;
	listener = l;
}

void policy_unlisten(struct policy_listener *l)
{
	if (listener == l)
		listener = NULL;
}

/* what view.c reads of the policy, the status and the journal: nothing here */
const char *policy_prefer_get(const struct daemon *d)
{
	(void)d;
	return NULL;
}

bool policy_disabled(const struct daemon *d, const char *name, const char **who,
		     uint64_t *since_ms)
{
	(void)d;
	(void)name;
	(void)who;
	(void)since_ms;
	return false;
}

const char *policy_reason(const struct daemon *d)
{
	(void)d;
	return "";
}

uint64_t policy_changed_ms(const struct daemon *d)
{
	(void)d;
	return 0;
}

uint64_t policy_switches(const struct daemon *d)
{
	(void)d;
	return 0;
}

struct json_object *status_build(struct daemon *d)
{
	(void)d;
	return NULL;
}

struct json_object *journal_last(struct daemon *d, size_t count)
{
	(void)d;
	(void)count;
	return NULL;
}

struct json_object *journal_event_json(const struct bus_event *ev)
{
	(void)ev;
	return NULL;
}

/* The policy ran (its switch already published). */
static void policy_ran(void)
{
	assert_non_null(listener);
	listener->ran(listener);
}

/* ---- the fake charon ---- */

struct sa {
	uint64_t uid;
	char local[48], remote[48];
	bool up;
};

struct fx {
	struct daemon d;
	struct uplink up[2];
	char dir[64], path[128];
	int srv, peer;
	void *inst;
	struct loop_timer stop;
	/* charon's view */
	char conn_local[48], conn_remote[48];
	struct sa sas[8];
	size_t nsas;
	uint64_t next_uid;
	int loads, initiates, terminates;
	uint64_t last_terminated;
	uint64_t load_ns[8];	/* CLOCK_MONOTONIC of each load-conn */
	char ops[512];		/* what charon was asked, in order: "load:ADDR init term:UID " */
	uint8_t rbuf[65536];
	size_t rlen;
};

/* append to the ordered record of what charon was asked */
__attribute__((format(printf, 2, 3))) static void op(struct fx *f, const char *fmt, ...)
{
	size_t n = strlen(f->ops);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->ops + n, sizeof(f->ops) - n, fmt, ap);
	va_end(ap);
}

static void stop_cb(struct loop_timer *t)
{
	loop_quit(&container_of(t, struct fx, stop)->d.loop);
}

static void reply(struct fx *f, enum vici_pkt_type type, const char *name, const char *success)
{
	uint8_t buf[256];
	struct vici_buf b;

	vici_buf_init(&b, buf, sizeof(buf));
	vici_msg_begin(&b, type, name);
	if (success)
		vici_kv_str(&b, "success", success);
	assert_int_equal(vici_msg_finish(&b), 0);
	assert_int_equal(send(f->peer, buf, b.len, 0), (ssize_t)b.len);
}

static void send_list(struct fx *f)
{
	uint8_t buf[8192];
	struct vici_buf b;
	size_t i;

	vici_buf_init(&b, buf, sizeof(buf));
	for (i = 0; i < f->nsas; i++) {
		struct sa *s = &f->sas[i];

		vici_msg_begin(&b, VICI_EVENT, "list-sa");
		vici_section_begin(&b, "hq");
		vici_kv_printf(&b, "uniqueid", "%llu", (unsigned long long)s->uid);
		vici_kv_str(&b, "state", s->up ? "ESTABLISHED" : "CONNECTING");
		vici_kv_str(&b, "local-host", s->local);
		vici_kv_str(&b, "remote-host", s->remote);
		if (s->up) {
			vici_section_begin(&b, "child-sas");
			vici_section_begin(&b, "net-1");
			vici_kv_str(&b, "name", "net");
			vici_kv_printf(&b, "uniqueid", "%llu", (unsigned long long)s->uid);
			vici_kv_str(&b, "state", "INSTALLED");
			vici_kv_str(&b, "packets-in", "5");
			vici_kv_str(&b, "packets-out", "5");
			vici_section_end(&b);
			vici_section_end(&b);
		}
		vici_section_end(&b);
		vici_msg_finish(&b);
	}
	vici_msg_begin(&b, VICI_CMD_RESPONSE, NULL);
	assert_int_equal(vici_msg_finish(&b), 0);
	assert_int_equal(send(f->peer, buf, b.len, 0), (ssize_t)b.len);
}

static void handle(struct fx *f, const uint8_t *pkt, size_t len)
{
	struct vici_msg *m = NULL;
	const char *v;
	uint64_t id;
	size_t i;

	assert_int_equal(vici_msg_parse(pkt, len, &m, NULL), 0);
	if (m->type == VICI_EVENT_REGISTER) {
		reply(f, VICI_EVENT_CONFIRM, NULL, NULL);
	} else if (strcmp(m->name, "list-sas") == 0) {
		send_list(f);
	} else if (strcmp(m->name, "load-conn") == 0) {
		if (f->loads < 8)
			f->load_ns[f->loads] = loop_clock_monotonic();
		f->loads++;
		snprintf(f->conn_local, sizeof(f->conn_local), "%s",
			 vici_node_str(&m->root, "hq.local_addrs.0"));
		op(f, "load:%s ", f->conn_local);
		snprintf(f->conn_remote, sizeof(f->conn_remote), "%s",
			 vici_node_str(&m->root, "hq.remote_addrs.0"));
		reply(f, VICI_CMD_RESPONSE, NULL, "yes");
	} else if (strcmp(m->name, "initiate") == 0) {
		struct sa *s = &f->sas[f->nsas++];

		f->initiates++;
		op(f, "init ");
		s->uid = ++f->next_uid;
		snprintf(s->local, sizeof(s->local), "%s", f->conn_local);
		snprintf(s->remote, sizeof(s->remote), "%s", f->conn_remote);
		s->up = true;
		reply(f, VICI_CMD_RESPONSE, NULL, "yes");
	} else if (strcmp(m->name, "terminate") == 0) {
		f->terminates++;
		v = vici_node_str(&m->root, "ike-id");
		id = v ? strtoull(v, NULL, 10) : 0;
		op(f, "term:%llu ", (unsigned long long)id);
		f->last_terminated = id;
		for (i = 0; i < f->nsas; i++)
			if (f->sas[i].uid == id) {
				f->sas[i] = f->sas[--f->nsas];
				break;
			}
		reply(f, VICI_CMD_RESPONSE, NULL, "yes");
	} else {
		reply(f, VICI_CMD_UNKNOWN, NULL, NULL);
	}
	vici_msg_free(m);
}

static void serve(struct fx *f)
{
	size_t off, plen, used = 0;
	ssize_t n;

	if (f->peer < 0) {
		f->peer = accept(f->srv, NULL, NULL);
		if (f->peer < 0)
			return;
	}
	while ((n = recv(f->peer, f->rbuf + f->rlen, sizeof(f->rbuf) - f->rlen, MSG_DONTWAIT)) > 0)
		f->rlen += (size_t)n;
	while (vici_frame_next(f->rbuf + used, f->rlen - used, &off, &plen) == 1) {
		handle(f, f->rbuf + used + off, plen);
		used += off + plen;
	}
	memmove(f->rbuf, f->rbuf + used, f->rlen - used);
	f->rlen -= used;
}

/* one turn of the loop and the fake charon (about 10 ms) */
static void turn(struct fx *f)
{
	f->d.loop.quit = false;
	loop_timer_set_in(&f->d.loop, &f->stop, 10 * NSEC_PER_MSEC);
	loop_run(&f->d.loop);
	serve(f);
}

/* Turn until cond holds, for at most 20 s: the test waits for what happens, in order, and
 * never asserts that something happened within a wall-clock window (a slow machine must
 * pass); a deadline it reaches fails the test. Timing rules (the hold-down) are asserted as
 * lower bounds on recorded timestamps. */
#define RUN_UNTIL(f, cond)                                                                   \
	do {                                                                                 \
		uint64_t until_ = loop_clock_monotonic() + 20 * NSEC_PER_SEC;               \
		while (!(cond)) {                                                            \
			if (loop_clock_monotonic() > until_)                                 \
				fail_msg("not within 20 s: %s (charon saw: %s)", #cond, f->ops); \
			turn(f);                                                             \
		}                                                                            \
	} while (0)


static void uplink_init(struct daemon *d, struct uplink *u, const char *name, const char *addr,
			bool active)
{
	u->d = d;
	u->cfg.name = (char *)name;
	u->link.ifindex = 1;
	u->link.carrier = true;
	u->link.has_gw4 = true; /* a learned gateway: routable as uplink.c judges it */
	inet_pton(AF_INET, "100.64.0.1", &u->link.gw4);
	u->link.has_addr4 = true;
	inet_pton(AF_INET, addr, &u->link.addr4);
	u->health.state = HEALTH_UP;
	u->active = active;
}

static int setup(void **state)
{
	static char *unames[] = { "isp1", "isp2" }, *remotes[] = { "203.0.113.10" },
		    *lts[] = { "100.80.0.0/24" }, *rts[] = { "100.81.0.0/24" };
	struct ipsec_tunnel_conf tc = {
		.name = "hq", .ike = "hq", .child = "net",
		.remotes = { remotes, 1 }, .uplinks = { unames, 2 },
		.local_ts = { lts, 1 }, .remote_ts = { rts, 1 },
		.esp_stall_s = 3, .down_after = 3, .up_after = 1, .hold_down_s = 1,
		.connect_timeout_s = 5,
	};
	struct ipsec_conf c = { .poll_ms = 100, .tunnels = { &tc, 1 } };
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/ulsteerXXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->path, sizeof(f->path), "%s/charon.vici", f->dir);
	f->srv = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
	memcpy(sa.sun_path, f->path, strlen(f->path) + 1);
	assert_int_equal(bind(f->srv, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(f->srv, 4), 0);
	f->peer = -1;
	assert_int_equal(loop_init(&f->d.loop), 0);
	bus_init(&f->d.bus);
	list_init(&f->d.uplinks);
	uplink_init(&f->d, &f->up[0], "isp1", "100.64.1.2", true);
	uplink_init(&f->d, &f->up[1], "isp2", "100.64.2.2", false);
	list_add_tail(&f->up[0].node, &f->d.uplinks);
	list_add_tail(&f->up[1].node, &f->d.uplinks);
	loop_timer_init(&f->stop, stop_cb);
	c.vici = f->path;
	f->inst = plugin_ipsec.create(&f->d, &c);
	assert_non_null(f->inst);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	plugin_ipsec.destroy(f->inst);
	loop_timer_cancel(&f->d.loop, &f->stop);
	loop_destroy(&f->d.loop);
	if (f->peer >= 0)
		close(f->peer);
	close(f->srv);
	unlink(f->path);
	rmdir(f->dir);
	free(f);
	return 0;
}

static const char *status_uplink(struct fx *f, char *buf, size_t len)
{
	struct json_object *st = json_object_new_object(), *arr, *t, *v;

	plugin_ipsec.status(f->inst, st);
	assert_true(json_object_object_get_ex(st, "tunnels", &arr));
	assert_int_equal(json_object_array_length(arr), 1);
	t = json_object_array_get_idx(arr, 0);
	assert_true(json_object_object_get_ex(t, "uplink", &v));
	snprintf(buf, len, "%s", json_object_get_string(v));
	json_object_put(st);
	return buf;
}

static void steer(struct fx *f, const char *what)
{
	struct bus_event ev = {
		.type = BUS_STEER, .steer = BUS_STEER_TUNNEL, .target = "hq",
		.object = "tunnel hq", .old_state = "isp1", .new_state = what,
		.reason = "hijack of 203.0.113.0/24 seen on isp1",
	};

	bus_publish(&f->d.bus, &ev);
}

static bool tunnel_on(struct fx *f, const char *uplink)
{
	char u[32];

	return strcmp(status_uplink(f, u, sizeof(u)), uplink) == 0;
}

static void test_bus_steer_moves_make_before_break(void **state)
{
	struct fx *f = *state;
	uint64_t t_clear;

	RUN_UNTIL(f, f->nsas == 1 && tunnel_on(f, "isp1"));
	assert_int_equal(f->loads, 1);
	assert_int_equal(f->initiates, 1);
	assert_string_equal(f->conn_local, "100.64.1.2");
	assert_string_equal(f->conn_remote, "203.0.113.10");

	steer(f, "avoid");
	/* once the new IKE_SA is up, the old one (uid 1) goes */
	RUN_UNTIL(f, f->terminates == 1 && tunnel_on(f, "isp2"));
	assert_int_equal(f->last_terminated, 1);
	assert_int_equal(f->nsas, 1);
	assert_string_equal(f->sas[0].local, "100.64.2.2");
	/* the new path was loaded and initiated before anything was torn down */
	assert_string_equal(f->ops, "load:100.64.1.2 init load:100.64.2.2 init term:1 ");

	/* the steer is lifted: the tunnel stays for the hold-down (1 s here), like after
	 * any failure, then goes back to the preferred uplink, again make-before-break */
	steer(f, "clear");
	t_clear = loop_clock_monotonic();
	RUN_UNTIL(f, f->terminates == 2 && tunnel_on(f, "isp1"));
	assert_int_equal(f->loads, 3);
	assert_true(f->load_ns[2] - t_clear >= 1 * NSEC_PER_SEC);	/* not before the hold-down */
	assert_string_equal(f->conn_local, "100.64.1.2");
	assert_int_equal(f->last_terminated, 2);
	assert_int_equal(f->nsas, 1);
	assert_string_equal(f->ops, "load:100.64.1.2 init load:100.64.2.2 init term:1 "
				    "load:100.64.1.2 init term:2 ");
}

static void test_uplink_down_and_default_route_move(void **state)
{
	struct fx *f = *state;

	RUN_UNTIL(f, f->nsas == 1 && tunnel_on(f, "isp1"));
	assert_string_equal(f->conn_local, "100.64.1.2");
	/* policy moved the default route to isp2 (isp1 down) */
	f->up[0].health.state = HEALTH_DOWN;
	snprintf(f->up[0].health.reason, sizeof(f->up[0].health.reason), "0/4 targets answered");
	f->up[0].active = false;
	f->up[1].active = true;
	policy_ran();
	RUN_UNTIL(f, tunnel_on(f, "isp2") && f->nsas == 1);
	assert_string_equal(f->conn_local, "100.64.2.2");
	/* isp1 comes back and takes the default route again: the tunnel follows */
	f->up[0].health.state = HEALTH_UP;
	f->up[0].active = true;
	f->up[1].active = false;
	policy_ran();
	RUN_UNTIL(f, tunnel_on(f, "isp1") && f->nsas == 1);
	assert_string_equal(f->conn_local, "100.64.1.2");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bus_steer_moves_make_before_break, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_uplink_down_and_default_route_move, setup,
						teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
