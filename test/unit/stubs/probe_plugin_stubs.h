/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Stubs for the probe plugins' unit tests: probe_reply() records what a plugin
 * reports, so a plugin runs without the core (the real probe_io.c makes its
 * sockets).
 */
#ifndef UPLINKD_PROBE_PLUGIN_STUBS_H
#define UPLINKD_PROBE_PLUGIN_STUBS_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"
#include "schema.h"
#include "probe.h"

#define STUB_REPLIES_MAX 64

struct stub_reply {
	size_t idx;
	uint32_t seq;
	uint64_t rx_ns;
};

struct stub_replies {
	struct stub_reply v[STUB_REPLIES_MAX];
	size_t n;
};

extern struct stub_replies stub_replies;

/* What plugins reported with probe_fail(). */
struct stub_fails {
	struct stub_reply v[STUB_REPLIES_MAX];
	char why[STUB_REPLIES_MAX][96];
	size_t n;
};

extern struct stub_fails stub_fails;

/* Run l until `n` replies were recorded or `ms` milliseconds passed; returns the count. */
size_t stub_run_until(struct loop *l, size_t n, int ms);
/* The same, counting probe_fail() reports as well: replies + failures. */
size_t stub_run_until_events(struct loop *l, size_t n, int ms);

/* Move this test process into a network namespace of its own with lo up, so
 * kernel round trips stay inside it: 0, or -errno. A test that needs it fails
 * without it (STUB_NEED_NETNS): a skipped test is not a pass (issue 14). */
int stub_netns_private(void);
#define STUB_NEED_NETNS(err)                                                                \
	do {                                                                                \
		if (err)                                                                    \
			fail_msg("no private network namespace (%s): run the unit tests "   \
				 "as root, as make check does", strerror(-(err)));          \
	} while (0)

/* Parse `text` (libconfig, e.g. "size = 100;") with p's keys into a fresh conf of
 * p->conf_size (defaults for absent keys). Returns the conf (free with
 * stub_conf_free) or NULL; the number of errors goes to *nerr. */
void *stub_conf_parse(const struct plugin *p, const char *text, size_t *nerr);
void stub_conf_free(const struct plugin *p, void *conf);

/* An env on `ifname` with targets parsed from literals (kept in stub storage). */
void stub_env_init(struct probe_env *env, struct loop *l, const char *ifname,
		   const char *const *targets, size_t n);

#endif
