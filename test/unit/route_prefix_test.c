// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * route_prefix.c, the actuator of the steered prefixes, alone: only it, the
 * message code, the uplink helpers and the bus are linked; nl_talk is a fake
 * kernel that keeps the main table's prefix routes and counts writes. What the
 * policy wants is written once (a run where nothing changed writes nothing); a
 * new uplink is a replace, never a delete first; a prefix no longer wanted is
 * removed; a route someone deleted is put back after the event; every change is
 * one BUS_ACTION, and a run that changes nothing publishes nothing.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bus.h"
#include "daemon.h"
#include "route.h"
#include "route_prefix.h"
#include "rtnl.h"
#include "uplink.h"

/* ---- the fake kernel ---- */

#define KMAX 8
static struct route kroutes[KMAX];
static size_t nk;
static int writes, deletes; /* RTM_NEWROUTE / RTM_DELROUTE */
static struct rtnl_listener *listener;
static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static int kfind(const struct route *r)
{
	size_t i;

	for (i = 0; i < nk; i++)
		if (kroutes[i].family == r->family && kroutes[i].dst_len == r->dst_len &&
		    !memcmp(&kroutes[i].dst, &r->dst, sizeof(r->dst)) &&
		    kroutes[i].metric == r->metric)
			return (int)i;
	return -1;
}

int nl_talk(struct daemon *d, struct nlmsghdr *nlh, mnl_cb_t cb, void *data, char *err,
	    size_t errlen)
{
	struct route r;
	uint32_t buf[256];
	size_t i;
	int k;

	(void)d;
	if (err && errlen)
		*err = '\0';
	switch (nlh->nlmsg_type) {
	case RTM_GETROUTE:
		for (i = 0; i < nk; i++) {
			assert_true(route_msg_build(buf, sizeof(buf), &kroutes[i], RTM_NEWROUTE, 0,
						    0) > 0);
			cb((struct nlmsghdr *)buf, data);
		}
		return 0;
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		memcpy(buf, nlh, nlh->nlmsg_len < sizeof(buf) ? nlh->nlmsg_len : sizeof(buf));
		((struct rtmsg *)mnl_nlmsg_get_payload((struct nlmsghdr *)buf))->rtm_type =
			RTN_UNICAST;
		assert_int_equal(route_msg_parse(buf, nlh->nlmsg_len, &r), 0);
		assert_int_equal(r.table, RT_TABLE_MAIN);
		assert_int_equal(r.protocol, RTPROT_UPLINKD);
		k = kfind(&r);
		if (nlh->nlmsg_type == RTM_DELROUTE) {
			deletes++;
			if (k < 0)
				return -ESRCH;
			kroutes[k] = kroutes[--nk];
			return 0;
		}
		writes++;
		assert_true(nlh->nlmsg_flags & NLM_F_REPLACE); /* make-before-break */
		if (k >= 0)
			kroutes[k] = r;
		else
			kroutes[nk++] = r;
		return 0;
	default:
		return 0;
	}
}

void rtnl_listen(struct daemon *d, struct rtnl_listener *l)
{
	(void)d;
	listener = l;
	list_init(&l->node);
}

void rtnl_unlisten(struct rtnl_listener *l)
{
	(void)l;
	listener = NULL;
}

/* someone runs `ip route del` on kroutes[k]; the kernel says so */
static void kernel_deletes(int k)
{
	uint32_t buf[256];
	struct route r = kroutes[k];

	kroutes[k] = kroutes[--nk];
	assert_true(route_msg_build(buf, sizeof(buf), &r, RTM_NEWROUTE, 0, 0) > 0);
	((struct nlmsghdr *)buf)->nlmsg_type = RTM_DELROUTE;
	assert_non_null(listener);
	listener->event(listener, (struct nlmsghdr *)buf);
}

/* ---- the daemon around route_prefix.c ---- */

struct fx {
	struct daemon d;
	struct config cfg;
	struct uplink u[2];
	struct bus_sub sub;
	int actions, errors;
	char last_new[32], last_reason[512];
};

static void rx(struct bus_sub *s, const struct bus_event *ev)
{
	struct fx *f = container_of(s, struct fx, sub);

	if (ev->type == BUS_ERROR)
		f->errors++;
	if (ev->type != BUS_ACTION)
		return;
	f->actions++;
	snprintf(f->last_new, sizeof(f->last_new), "%s", ev->new_state ? ev->new_state : "");
	snprintf(f->last_reason, sizeof(f->last_reason), "%s", ev->reason ? ev->reason : "");
}

static int setup(void **state)
{
	static const char *const names[] = { "isp1", "isp2" };
	static const char *const ifs[] = { "wan1", "wan2" };
	static const char *const gws[] = { "100.64.1.1", "100.64.2.1" };
	struct fx *f = calloc(1, sizeof(*f));
	int i;

	assert_non_null(f);
	memset(kroutes, 0, sizeof(kroutes));
	nk = 0;
	writes = deletes = 0;
	listener = NULL;
	fake_now = 1000 * NSEC_PER_SEC;
	f->d.loop.clock = fake_clock;
	assert_int_equal(loop_init(&f->d.loop), 0);
	f->d.loop.clock = fake_clock;
	loop_update_time(&f->d.loop);
	bus_init(&f->d.bus);
	list_init(&f->d.uplinks);
	f->d.cfg = &f->cfg;
	for (i = 0; i < 2; i++) {
		struct uplink *u = &f->u[i];

		u->d = &f->d;
		u->cfg.name = (char *)names[i];
		u->cfg.interface = (char *)ifs[i];
		u->cfg.gateway = (char *)gws[i];
		u->link.ifindex = 11 + i;
		u->link.carrier = true;
		list_add_tail(&u->node, &f->d.uplinks);
	}
	f->sub.cb = rx;
	bus_subscribe(&f->d.bus, &f->sub);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	route_prefix_destroy(&f->d);
	assert_int_equal(nk, 0); /* a stop removes every route of ours */
	bus_unsubscribe(&f->sub);
	loop_destroy(&f->d.loop);
	free(f);
	return 0;
}

static struct route_prefix_want want(const char *name, const char *via)
{
	struct route_prefix_want w = { 0 };

	snprintf(w.name, sizeof(w.name), "%s", name);
	snprintf(w.via, sizeof(w.via), "%s", via);
	snprintf(w.reason, sizeof(w.reason), "%s%s", via[0] ? "routed through " : "none: ", via);
	return w;
}

static void test_idempotent(void **state)
{
	struct fx *f = *state;
	struct route_prefix_want w[2] = { want("203.0.113.0/24", "isp2"),
					   want("198.51.100.0/24", "") };
	int i;

	assert_int_equal(route_prefix_init(&f->d), 0);
	assert_int_equal(route_prefix_sync(&f->d, w, 2), 0);
	assert_int_equal(writes, 1);
	assert_int_equal(nk, 1);
	assert_int_equal(kroutes[0].nh[0].ifindex, 12);
	assert_int_equal(kroutes[0].dst_len, 24);
	assert_int_equal(f->actions, 1);
	assert_string_equal(f->last_new, "isp2");
	assert_string_equal(f->last_reason, "203.0.113.0/24 routed through isp2");
	/* every policy run hands the whole list again: nothing changed, nothing written */
	for (i = 0; i < 5; i++)
		assert_int_equal(route_prefix_sync(&f->d, w, 2), 0);
	assert_int_equal(writes, 1);
	assert_int_equal(deletes, 0);
	assert_int_equal(route_prefix_writes(&f->d), 1);
	assert_int_equal(f->actions, 1);
}

static void test_move_and_remove(void **state)
{
	struct fx *f = *state;
	struct route_prefix_want w = want("203.0.113.0/24", "isp2");

	assert_int_equal(route_prefix_init(&f->d), 0);
	assert_int_equal(route_prefix_sync(&f->d, &w, 1), 0);
	/* another uplink: replaced in place, no delete first */
	w = want("203.0.113.0/24", "isp1");
	assert_int_equal(route_prefix_sync(&f->d, &w, 1), 0);
	assert_int_equal(writes, 2);
	assert_int_equal(deletes, 0);
	assert_int_equal(nk, 1);
	assert_int_equal(kroutes[0].nh[0].ifindex, 11);
	assert_string_equal(f->last_new, "isp1");
	/* the same uplink's gateway changed: followed */
	f->u[0].cfg.gateway = "100.64.1.254";
	assert_int_equal(route_prefix_sync(&f->d, &w, 1), 0);
	assert_int_equal(writes, 3);
	/* no route of ours wanted any more: removed, said on the bus */
	w = want("203.0.113.0/24", "");
	assert_int_equal(route_prefix_sync(&f->d, &w, 1), 0);
	assert_int_equal(deletes, 1);
	assert_int_equal(nk, 0);
	assert_int_equal(f->actions, 4);
	assert_string_equal(f->last_new, "none");
	assert_non_null(strstr(f->last_reason, "route through isp1 removed"));
	/* and a list without it writes nothing */
	assert_int_equal(route_prefix_sync(&f->d, NULL, 0), 0);
	assert_int_equal(deletes, 1);
	assert_int_equal(f->actions, 4);
	/* a prefix that leaves the list while routed is removed too */
	w = want("203.0.113.0/24", "isp2");
	assert_int_equal(route_prefix_sync(&f->d, &w, 1), 0);
	assert_int_equal(nk, 1);
	assert_int_equal(route_prefix_sync(&f->d, NULL, 0), 0);
	assert_int_equal(nk, 0);
	assert_int_equal(f->errors, 0);
}

static void test_deleted_route_back(void **state)
{
	struct fx *f = *state;
	struct route_prefix_want w = want("203.0.113.0/24", "isp2");

	assert_int_equal(route_prefix_init(&f->d), 0);
	assert_int_equal(route_prefix_sync(&f->d, &w, 1), 0);
	assert_int_equal(writes, 1);
	kernel_deletes(0);
	assert_int_equal(nk, 0);
	fake_now += 300 * NSEC_PER_MSEC; /* the debounced check */
	loop_update_time(&f->d.loop);
	loop_run_due(&f->d.loop);
	assert_int_equal(nk, 1);
	assert_int_equal(writes, 2);
	assert_int_equal(kroutes[0].nh[0].ifindex, 12);
	assert_non_null(strstr(f->last_reason, "put back"));
	/* the next policy run finds it as wanted: nothing more */
	assert_int_equal(route_prefix_sync(&f->d, &w, 1), 0);
	assert_int_equal(writes, 2);
}

static void test_stale_at_start(void **state)
{
	struct fx *f = *state;
	struct route r = { .family = AF_INET, .table = RT_TABLE_MAIN, .dst_len = 24,
			   .protocol = RTPROT_UPLINKD, .scope = RT_SCOPE_UNIVERSE, .nnh = 1 };

	/* left by a run that was killed */
	inet_pton(AF_INET, "203.0.113.0", &r.dst.v4);
	r.nh[0].ifindex = 11;
	r.nh[0].has_gw = true;
	inet_pton(AF_INET, "100.64.1.1", &r.nh[0].gw.v4);
	kroutes[nk++] = r;
	assert_int_equal(route_prefix_init(&f->d), 0);
	assert_int_equal(nk, 0);
	assert_int_equal(f->actions, 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_idempotent), T(test_move_and_remove), T(test_deleted_route_back),
		T(test_stale_at_start),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
