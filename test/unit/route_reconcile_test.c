// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * route.c's reconciliation of the main default route, alone: only route.c, its
 * message code and the uplink helpers are linked; nl_talk is a fake kernel that
 * keeps the main table's default routes and counts writes. What policy asks for
 * is written once (a run where nothing changed writes nothing); a route someone
 * deleted is put back after the event; a route of ours found at start (a restart)
 * is owned like one installed by this run; IPv6 is taken away on request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon.h"
#include "route.h"
#include "rtnl.h"
#include "uplink.h"

/* ---- the fake kernel ---- */

#define KMAX 8
static struct route kroutes[KMAX];
static size_t nk;
static int main_writes; /* RTM_NEWROUTE/DELROUTE for table main */
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
		if (kroutes[i].family == r->family && kroutes[i].table == r->table &&
		    kroutes[i].dst_len == r->dst_len && kroutes[i].metric == r->metric)
			return (int)i;
	return -1;
}

static void kdel(int i)
{
	kroutes[i] = kroutes[--nk];
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
		/* a delete request leaves the type unspecified; parse it as the route */
		memcpy(buf, nlh, nlh->nlmsg_len < sizeof(buf) ? nlh->nlmsg_len : sizeof(buf));
		((struct rtmsg *)mnl_nlmsg_get_payload((struct nlmsghdr *)buf))->rtm_type =
			RTN_UNICAST;
		assert_int_equal(route_msg_parse(buf, nlh->nlmsg_len, &r), 0);
		if (r.table != RT_TABLE_MAIN || r.dst_len)
			return 0; /* the uplinks' own tables: not what this test is about */
		main_writes++;
		k = kfind(&r);
		if (nlh->nlmsg_type == RTM_DELROUTE) {
			if (k < 0)
				return -ESRCH;
			kdel(k);
			return 0;
		}
		if (k >= 0)
			kroutes[k] = r;
		else
			kroutes[nk++] = r;
		return 0;
	default: /* rules */
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

/* the kernel deletes r (someone ran `ip route del`) and says so */
static void kernel_deletes(const struct route *r)
{
	uint32_t buf[256];
	int k = kfind(r);

	assert_true(k >= 0);
	kdel(k);
	/* the kernel's notification describes the unicast route that went */
	assert_true(route_msg_build(buf, sizeof(buf), r, RTM_NEWROUTE, 0, 0) > 0);
	((struct nlmsghdr *)buf)->nlmsg_type = RTM_DELROUTE;
	assert_non_null(listener);
	listener->event(listener, (struct nlmsghdr *)buf);
}

/* ---- the daemon around route.c ---- */

struct fx {
	struct daemon d;
	struct config cfg;
	struct uplink u[2];
};

static struct route ours(int family, int ifindex, const char *gw)
{
	struct route r = { .family = family, .table = RT_TABLE_MAIN, .metric = 0,
			   .protocol = RTPROT_UPLINKD, .scope = RT_SCOPE_UNIVERSE, .nnh = 1 };

	r.nh[0].ifindex = ifindex;
	r.nh[0].has_gw = true;
	r.nh[0].weight = 1;
	inet_pton(family, gw, &r.nh[0].gw);
	return r;
}

static int setup(void **state)
{
	static const char *const names[] = { "isp1", "isp2" };
	static const char *const ifs[] = { "wan1", "wan2" };
	static const char *const gws[] = { "100.64.1.1", "100.64.2.1" };
	static const char *const gw6s[] = { "2001:db8:1::1", "2001:db8:2::1" };
	struct fx *f = calloc(1, sizeof(*f));
	int i;

	assert_non_null(f);
	memset(kroutes, 0, sizeof(kroutes));
	nk = 0;
	main_writes = 0;
	listener = NULL;
	fake_now = 1000 * NSEC_PER_SEC;
	f->d.loop.clock = fake_clock;
	assert_int_equal(loop_init(&f->d.loop), 0);
	f->d.loop.clock = fake_clock;
	loop_update_time(&f->d.loop);
	list_init(&f->d.uplinks);
	f->cfg.policy.metric = 0;
	f->cfg.policy.reassert_s = 0;
	f->d.cfg = &f->cfg;
	f->d.nl = (struct nl *)f; /* route_init only checks that netlink is up */
	for (i = 0; i < 2; i++) {
		struct uplink *u = &f->u[i];

		u->d = &f->d;
		u->cfg.name = (char *)names[i];
		u->cfg.interface = (char *)ifs[i];
		u->cfg.gateway = (char *)gws[i];
		u->cfg.gateway6 = (char *)gw6s[i];
		u->cfg.weight = 1;
		u->table = 101 + (uint32_t)i;
		u->mark = u->table;
		u->link.ifindex = 11 + i;
		u->link.carrier = true;
		list_add_tail(&u->node, &f->d.uplinks);
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	route_destroy(&f->d, false);
	loop_destroy(&f->d.loop);
	free(f);
	return 0;
}

static void run_for(struct fx *f, uint64_t ns)
{
	fake_now += ns;
	loop_update_time(&f->d.loop);
	loop_run_due(&f->d.loop);
}

static void test_desired_vs_installed(void **state)
{
	struct fx *f = *state;
	struct uplink *u1 = &f->u[0], *u2 = &f->u[1];

	assert_int_equal(route_init(&f->d), 0);
	assert_int_equal(main_writes, 0);
	assert_int_equal(route_set_default(&f->d, AF_INET, &u1, 1, NULL, 0), 0);
	assert_int_equal(main_writes, 1);
	/* policy asks again (every run): nothing to write */
	assert_int_equal(route_set_default(&f->d, AF_INET, &u1, 1, NULL, 0), 0);
	assert_int_equal(route_set_default(&f->d, AF_INET, &u1, 1, NULL, 0), 0);
	assert_int_equal(main_writes, 1);
	/* a switch: one replace, never a delete first */
	assert_int_equal(route_set_default(&f->d, AF_INET, &u2, 1, NULL, 0), 0);
	assert_int_equal(main_writes, 2);
	assert_int_equal(nk, 1);
	assert_int_equal(kroutes[0].nh[0].ifindex, 12);
	/* the same uplink's gateway changed (DHCP): followed */
	u2->cfg.gateway = "100.64.2.254";
	assert_int_equal(route_set_default(&f->d, AF_INET, &u2, 1, NULL, 0), 0);
	assert_int_equal(main_writes, 3);
	assert_ptr_equal(route_current_default(&f->d, AF_INET), u2);
}

static void test_deleted_route_back(void **state)
{
	struct fx *f = *state;
	struct uplink *u1 = &f->u[0];
	struct route r = ours(AF_INET, 11, "100.64.1.1");

	assert_int_equal(route_init(&f->d), 0);
	assert_int_equal(route_set_default(&f->d, AF_INET, &u1, 1, NULL, 0), 0);
	kernel_deletes(&r);
	assert_int_equal(nk, 0);
	run_for(f, 300 * NSEC_PER_MSEC); /* the debounced check */
	assert_int_equal(nk, 1);
	assert_int_equal(kroutes[0].nh[0].ifindex, 11);
	assert_int_equal(kroutes[0].protocol, RTPROT_UPLINKD);
}

static void test_adopted_route_owned(void **state)
{
	struct fx *f = *state;
	struct uplink *u1 = &f->u[0];
	struct route r = ours(AF_INET, 11, "100.64.1.1");

	/* left by the run before a kill -9 */
	kroutes[nk++] = r;
	assert_int_equal(route_init(&f->d), 0);
	assert_ptr_equal(route_current_default(&f->d, AF_INET), u1);
	/* policy states what it adopted: nothing to write */
	assert_int_equal(route_set_default(&f->d, AF_INET, &u1, 1, NULL, 0), 0);
	assert_int_equal(main_writes, 0);
	/* deleted after the restart: back, as an installed one would be */
	kernel_deletes(&r);
	run_for(f, 300 * NSEC_PER_MSEC);
	assert_int_equal(nk, 1);
	assert_int_equal(main_writes, 1);
}

static void test_foreign_route_not_owned(void **state)
{
	struct fx *f = *state;
	struct route r = ours(AF_INET, 11, "100.64.1.1");

	r.protocol = RTPROT_BOOT; /* someone else's */
	kroutes[nk++] = r;
	assert_int_equal(route_init(&f->d), 0);
	assert_int_equal(route_clear_default(&f->d, AF_INET, NULL, 0), 0);
	assert_int_equal(nk, 1); /* not ours to remove */
	assert_int_equal(main_writes, 0);
}

static void test_ipv6_cleared(void **state)
{
	struct fx *f = *state;
	struct uplink *u1 = &f->u[0];

	assert_int_equal(route_init(&f->d), 0);
	assert_int_equal(route_set_default(&f->d, AF_INET6, &u1, 1, NULL, 0), 0);
	assert_int_equal(nk, 1);
	assert_int_equal(route_clear_default(&f->d, AF_INET6, NULL, 0), 0);
	assert_int_equal(nk, 0);
	/* cleared is cleared: asking again writes nothing, the event is not re-asserted */
	assert_int_equal(route_clear_default(&f->d, AF_INET6, NULL, 0), 0);
	assert_int_equal(main_writes, 2);
	run_for(f, 300 * NSEC_PER_MSEC);
	assert_int_equal(nk, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_desired_vs_installed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deleted_route_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_adopted_route_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_foreign_route_not_owned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6_cleared, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
