// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Probe scheduling on a fake clock with a fake plugin: targets parsed into
 * sockaddrs, one timer per target kept in phase (due += interval, no drift),
 * skip-ahead instead of a burst after a stall, replies and send failures fed to
 * health, the expiry timer judging timeouts, and stop releasing everything; a
 * method that defaults to the gateway follows the uplink's gateway at each send
 * (and fails the send without one); a failure a plugin reports is lost at once and
 * noted with its target until the target answers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "plugin.h"
#include "probe.h"
#include "uplink.h"

#define MS 1000000ULL
#define SEC 1000000000ULL

extern int probe_stub_changes;
extern enum health_state probe_stub_old, probe_stub_new;
void probe_stub_health_changed(struct uplink *u, enum health_state old);

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

struct sent {
	size_t idx;
	uint32_t seq;
	uint64_t at;
};

struct fake_inst {
	struct probe_env *env;
	struct sent log[4096];
	size_t n, replied;
	int fail_idx; /* -1: none */
	bool *destroyed;
};

static struct fake_inst *last_inst;

static void *fake_create(struct probe_env *env, const void *conf)
{
	struct fake_inst *fi = calloc(1, sizeof(*fi));

	(void)conf;
	fi->env = env;
	fi->fail_idx = -1;
	last_inst = fi;
	return fi;
}

static int fake_send(void *inst, size_t idx, uint32_t seq)
{
	struct fake_inst *fi = inst;

	if ((int)idx == fi->fail_idx)
		return -ENETUNREACH;
	if (fi->n < 4096)
		fi->log[fi->n++] = (struct sent){ idx, seq, fake_now };
	return 0;
}

static bool destroyed;

static void fake_destroy(void *inst)
{
	destroyed = true;
	free(inst);
}

static const struct plugin fake = {
	.name = "fake", .kind = PLUGIN_PROBE, .probe_create = fake_create,
	.probe_send = fake_send, .destroy = fake_destroy,
};

struct fx {
	struct daemon d;
	struct uplink u;
	struct cfg_probe cfg;
	char *targets[2];
	struct probe_run *run;
};

static int setup(void **state)
{
	static const char *const names[] = { "192.0.2.1", "2001:db8::1" };
	struct health_params hp = { .interval_ms = 500, .timeout_ms = 1000, .down_after = 3,
				    .up_after = 5, .min_targets = 1, .hold_down_s = 10,
				    .window = 20 };
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	fake_now = 100 * SEC;
	assert_int_equal(loop_init(&f->d.loop), 0);
	f->d.loop.clock = fake_clock;
	loop_update_time(&f->d.loop);
	list_init(&f->d.uplinks);
	f->u.d = &f->d;
	f->u.cfg.name = "isp1";
	f->u.cfg.interface = "wan1";
	f->u.mark = 101;
	f->u.health_changed = probe_stub_health_changed;
	loop_timer_init(&f->u.expiry, NULL);
	assert_int_equal(health_init(&f->u.health, &hp, 2, names, fake_now), 0);
	f->targets[0] = "192.0.2.1";
	f->targets[1] = "2001:db8::1";
	f->cfg.method = "fake";
	f->cfg.targets.v = f->targets;
	f->cfg.targets.n = 2;
	f->cfg.interval_ms = 500;
	f->cfg.timeout_ms = 1000;
	f->cfg.plugin = &fake;
	probe_stub_changes = 0;
	destroyed = false;
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	probe_run_stop(f->run);
	loop_timer_cancel(&f->d.loop, &f->u.expiry);
	health_destroy(&f->u.health);
	loop_destroy(&f->d.loop);
	free(f);
	return 0;
}

/* Advance the fake clock in 10 ms steps; answer what was sent if `answer`. */
static void run_for(struct fx *f, uint64_t ns, bool answer)
{
	uint64_t end = fake_now + ns;

	while (fake_now < end) {
		fake_now += 10 * MS;
		loop_update_time(&f->d.loop);
		loop_run_due(&f->d.loop);
		while (answer && last_inst->replied < last_inst->n) {
			struct sent *s = &last_inst->log[last_inst->replied++];

			probe_reply(last_inst->env, s->idx, s->seq, fake_now);
		}
		if (!answer)
			last_inst->replied = last_inst->n;
	}
}

static void test_env(void **state)
{
	struct fx *f = *state;
	const struct probe_env *env;
	const struct sockaddr_in *a4;
	const struct sockaddr_in6 *a6;
	char buf[64];

	f->run = probe_run_start(&f->u, &f->cfg, 0);
	assert_non_null(f->run);
	env = last_inst->env;
	assert_string_equal(env->uplink, "isp1");
	assert_string_equal(env->ifname, "wan1");
	assert_int_equal(env->mark, 101);
	assert_int_equal(env->timeout_ms, 1000);
	assert_int_equal(env->ntargets, 2);
	assert_int_equal(env->targets[0].family, AF_INET);
	a4 = (const struct sockaddr_in *)&env->targets[0].addr;
	assert_int_equal(env->targets[0].addrlen, sizeof(*a4));
	assert_string_equal(inet_ntop(AF_INET, &a4->sin_addr, buf, sizeof(buf)), "192.0.2.1");
	assert_int_equal(a4->sin_port, 0);
	assert_int_equal(env->targets[1].family, AF_INET6);
	a6 = (const struct sockaddr_in6 *)&env->targets[1].addr;
	assert_string_equal(inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof(buf)),
			    "2001:db8::1");
	assert_int_equal(env->targets[1].health_idx, 1);
	assert_ptr_equal(f->u.expiry.cb, probe_expiry_cb);
	probe_run_stop(f->run);
	f->run = NULL;
	assert_true(destroyed);
	assert_int_equal(f->d.loop.nheap, 0);
}

static void test_bad_target(void **state)
{
	struct fx *f = *state;

	f->targets[1] = "wan.example";
	assert_null(probe_run_start(&f->u, &f->cfg, 0));
	f->targets[1] = "2001:db8::1";
	assert_null(probe_run_start(&f->u, &f->cfg, 1)); /* targets 1..3 of 2 */
}

static void test_schedule_in_phase(void **state)
{
	struct fx *f = *state;
	uint64_t first[2] = { 0, 0 }, start = fake_now;
	size_t i, count[2] = { 0, 0 };

	f->run = probe_run_start(&f->u, &f->cfg, 0);
	run_for(f, 20 * SEC, true);
	for (i = 0; i < last_inst->n; i++) {
		struct sent *s = &last_inst->log[i];

		if (!count[s->idx])
			first[s->idx] = s->at;
		assert_int_equal(s->seq, count[s->idx]);
		/* every send within one 10 ms step of its slot: no drift */
		assert_true((s->at - first[s->idx]) % (500 * MS) < 10 * MS ||
			    (s->at - first[s->idx]) % (500 * MS) == 0);
		count[s->idx]++;
	}
	assert_true(first[0] - start <= 510 * MS && first[1] - start <= 510 * MS);
	assert_true(count[0] >= 39 && count[0] <= 41);
	assert_true(count[1] >= 39 && count[1] <= 41);
	assert_int_equal(f->u.health.state, HEALTH_UP);
	assert_true(f->u.health.settled);
	assert_int_equal(probe_stub_changes, 1); /* settled */

	/* a stall of 5 s: one probe per target, then back in phase, no burst */
	{
		size_t before = last_inst->n;
		struct sent *s;

		fake_now += 5 * SEC;
		loop_update_time(&f->d.loop);
		loop_run_due(&f->d.loop);
		assert_int_equal(last_inst->n - before, 2);
		for (i = 0; i < 2; i++)
			assert_true(last_inst->log[before + i].at == fake_now);
		run_for(f, 500 * MS, true);
		assert_int_equal(last_inst->n - before, 4);
		s = &last_inst->log[before + 2];
		assert_true((s->at - first[s->idx]) % (500 * MS) < 10 * MS);
	}
}

static void test_timeouts_and_send_failures(void **state)
{
	struct fx *f = *state;

	f->run = probe_run_start(&f->u, &f->cfg, 0);
	run_for(f, 5 * SEC, true);
	assert_int_equal(f->u.health.state, HEALTH_UP);
	/* no more replies: the expiry timer judges the rounds */
	run_for(f, 1000 * MS, false);
	assert_true(loop_timer_pending(&f->u.expiry));
	run_for(f, 2500 * MS, false);
	assert_int_equal(f->u.health.state, HEALTH_DOWN);
	assert_int_equal(probe_stub_old, HEALTH_UP);
	assert_int_equal(probe_stub_new, HEALTH_DOWN);

	/* target 0 answers, target 1 cannot even send: min_targets 1 keeps rounds passing */
	{
		uint64_t sent = f->u.health.t[1].sent, answered = f->u.health.t[1].answered;

		last_inst->fail_idx = 1;
		run_for(f, 20 * SEC, true);
		assert_int_equal(f->u.health.state, HEALTH_UP);
		assert_true(f->u.health.t[1].sent >= sent + 39);
		assert_int_equal(f->u.health.t[1].answered, answered);
		assert_int_equal(f->u.health.t[1].ring[(f->u.health.t[1].next_seq - 1) % 20].result,
				 PROBE_LOST); /* lost at once, not after the timeout */
	}
}

static const struct plugin fake_gw = {
	.name = "fake", .kind = PLUGIN_PROBE, .target_gateway = true, .target_family = AF_INET,
	.probe_create = fake_create, .probe_send = fake_send, .destroy = fake_destroy,
};

static const char *addr_of(const struct probe_target *t, char *buf, size_t len)
{
	return inet_ntop(AF_INET, &((const struct sockaddr_in *)&t->addr)->sin_addr, buf,
			 (socklen_t)len);
}

static void test_gateway_target(void **state)
{
	struct fx *f = *state;
	const struct probe_env *env;
	char buf[64];
	size_t sent;

	f->cfg.plugin = &fake_gw;
	f->cfg.targets.n = 0;
	f->u.cfg.gateway = "100.64.1.1";
	f->run = probe_run_start(&f->u, &f->cfg, 0);
	assert_non_null(f->run);
	env = last_inst->env;
	assert_int_equal(env->ntargets, 1);
	assert_string_equal(env->targets[0].name, "gateway");
	assert_true(env->targets[0].gateway);
	assert_int_equal(env->targets[0].family, AF_INET);
	run_for(f, 600 * MS, true);
	assert_true(last_inst->n >= 1);
	assert_string_equal(addr_of(&env->targets[0], buf, sizeof(buf)), "100.64.1.1");
	/* a new gateway (DHCP renewal) is used from the next send on */
	f->u.cfg.gateway = "100.64.1.9";
	run_for(f, 600 * MS, true);
	assert_string_equal(addr_of(&env->targets[0], buf, sizeof(buf)), "100.64.1.9");
	assert_true(f->u.health.t[0].answered >= 2);
	/* none known: the send fails (lost at once), the plugin is not asked */
	f->u.cfg.gateway = NULL;
	sent = last_inst->n;
	run_for(f, 2 * SEC, false);
	assert_int_equal(last_inst->n, sent);
	assert_true(f->u.health.t[0].sent > f->u.health.t[0].answered);
	assert_int_equal(health_next_expiry(&f->u.health), 0); /* nothing left pending */
}

static void test_fail_note(void **state)
{
	struct fx *f = *state;
	struct sent s;

	f->run = probe_run_start(&f->u, &f->cfg, 0);
	assert_non_null(f->run);
	f->u.probes = &f->run;
	f->u.nprobes = 1;
	run_for(f, 600 * MS, false);
	assert_true(last_inst->n >= 2);
	assert_null(probe_target_note(&f->u, 0));
	/* the newest probe to target 0 fails now, with what the plugin saw */
	s = last_inst->log[last_inst->n - 2].idx == 0 ? last_inst->log[last_inst->n - 2] :
							 last_inst->log[last_inst->n - 1];
	assert_int_equal(s.idx, 0);
	probe_fail(last_inst->env, 0, s.seq, "302 Found, expected 204");
	assert_int_equal(f->u.health.t[0].ring[s.seq % 20].result, PROBE_LOST);
	assert_string_equal(probe_target_note(&f->u, 0), "302 Found, expected 204");
	assert_null(probe_target_note(&f->u, 1));
	assert_null(probe_target_note(&f->u, 2));
	/* an answer clears it */
	run_for(f, 600 * MS, true);
	assert_null(probe_target_note(&f->u, 0));
	f->u.probes = NULL;
	f->u.nprobes = 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_gateway_target),
		T(test_fail_note),
		T(test_env),
		T(test_bad_target),
		T(test_schedule_in_phase),
		T(test_timeouts_and_send_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
