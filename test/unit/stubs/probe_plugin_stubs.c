// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Stubs for the probe plugins' unit tests (see probe_plugin_stubs.h). Test
 * state may be global here: this is test code, not the daemon.
 */
#include "probe_plugin_stubs.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libconfig.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct stub_replies stub_replies;
struct stub_fails stub_fails;

static struct loop *stub_loop;
static size_t stub_want;
static bool stub_with_fails; /* stub_run_until_events: failures count too */

static size_t stub_count(void)
{
	return stub_replies.n + (stub_with_fails ? stub_fails.n : 0);
}

void probe_reply(struct probe_env *env, size_t idx, uint32_t seq, uint64_t rx_ns)
{
	(void)env;
	if (stub_replies.n < STUB_REPLIES_MAX)
		stub_replies.v[stub_replies.n] = (struct stub_reply){ idx, seq, rx_ns };
	stub_replies.n++;
	if (stub_loop && stub_count() >= stub_want)
		loop_quit(stub_loop);
}

void probe_fail(struct probe_env *env, size_t idx, uint32_t seq, const char *why)
{
	(void)env;
	if (stub_fails.n < STUB_REPLIES_MAX) {
		stub_fails.v[stub_fails.n] = (struct stub_reply){ idx, seq, loop_clock_monotonic() };
		snprintf(stub_fails.why[stub_fails.n], sizeof(stub_fails.why[0]), "%s",
			 why ? why : "");
	}
	stub_fails.n++;
	if (stub_loop && stub_count() >= stub_want)
		loop_quit(stub_loop);
}

static void stub_deadline(struct loop_timer *t)
{
	(void)t;
	loop_quit(stub_loop);
}

static size_t run_until(struct loop *l, size_t n, int ms)
{
	struct loop_timer deadline;

	if (stub_count() >= n)
		return stub_count();
	stub_loop = l;
	stub_want = n;
	l->quit = false;
	loop_timer_init(&deadline, stub_deadline);
	loop_update_time(l);
	loop_timer_set_in(l, &deadline, (uint64_t)ms * NSEC_PER_MSEC);
	loop_run(l);
	loop_timer_cancel(l, &deadline);
	stub_loop = NULL;
	return stub_count();
}

size_t stub_run_until(struct loop *l, size_t n, int ms)
{
	stub_with_fails = false;
	return run_until(l, n, ms);
}

size_t stub_run_until_events(struct loop *l, size_t n, int ms)
{
	size_t got;

	stub_with_fails = true;
	got = run_until(l, n, ms);
	stub_with_fails = false;
	return got;
}

int stub_netns_private(void)
{
	struct ifreq ifr;
	int fd, err = 0;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		err = -errno;
	ifr.ifr_flags |= IFF_UP;
	if (!err && ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		err = -errno;
	close(fd);
	return err;
}

void *stub_conf_parse(const struct plugin *p, const char *text, size_t *nerr)
{
	struct cfg_diag d = { .file = "test" };
	void *conf = calloc(1, p->conf_size ? p->conf_size : 1);
	config_t cfg;

	*nerr = 0;
	if (!conf)
		return NULL;
	config_init(&cfg);
	if (config_read_string(&cfg, text) != CONFIG_TRUE) {
		config_destroy(&cfg);
		free(conf);
		return NULL;
	}
	*nerr = (size_t)schema_parse(config_root_setting(&cfg), p->keys, conf, "probe", &d);
	if (p->check && !*nerr)
		*nerr = (size_t)p->check(conf, NULL, 1, &d);
	cfg_diag_free(&d);
	config_destroy(&cfg);
	return conf;
}

void stub_conf_free(const struct plugin *p, void *conf)
{
	if (!conf)
		return;
	schema_free(p->keys, conf);
	free(conf);
}

static struct probe_target stub_targets[8];

void stub_env_init(struct probe_env *env, struct loop *l, const char *ifname,
		   const char *const *targets, size_t n)
{
	size_t i;

	memset(env, 0, sizeof(*env));
	memset(stub_targets, 0, sizeof(stub_targets));
	for (i = 0; i < n && i < 8; i++) {
		struct probe_target *t = &stub_targets[i];
		struct sockaddr_in *a4 = (struct sockaddr_in *)&t->addr;
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&t->addr;

		t->name = targets[i];
		t->health_idx = i;
		if (inet_pton(AF_INET, targets[i], &a4->sin_addr) == 1) {
			a4->sin_family = AF_INET;
			t->family = AF_INET;
			t->addrlen = sizeof(*a4);
		} else if (inet_pton(AF_INET6, targets[i], &a6->sin6_addr) == 1) {
			a6->sin6_family = AF_INET6;
			t->family = AF_INET6;
			t->addrlen = sizeof(*a6);
		}
	}
	env->loop = l;
	env->uplink = "test";
	env->ifname = ifname;
	env->mark = 0x100;
	env->timeout_ms = 1000;
	env->ntargets = n < 8 ? n : 8;
	env->targets = stub_targets;
	stub_replies.n = 0;
	stub_fails.n = 0;
}
