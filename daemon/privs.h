/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: privs.h - least privilege: the daemon's own user, two capabilities
 *
 * main() calls privs_prepare() and privs_drop() after the configuration is
 * loaded and before daemon_start(), and privs_bind_done() once everything
 * listens. Nothing else in uplinkd changes its identity or capabilities
 * (hook.c drops the rest in the hook's supervisor).
 */
#ifndef UPLINKD_PRIVS_H
#define UPLINKD_PRIVS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct config;

struct privs {
	const char *user; /* NULL: stay who we are (uid 0: keep uid 0, drop the rest) */
	uid_t uid;
	gid_t gid;
};

/* Look `user` up (NULL or "root": uid 0). 0, or -ENOENT with msg saying what to do. */
int privs_lookup(struct privs *p, const char *user, char *msg, size_t len);
/* As root: create state_dir (0700) and the control socket's directory (0750) and
 * give them to p's user. 0 or -errno with msg. */
int privs_prepare(const struct privs *p, const struct config *cfg, char *msg, size_t len);
/* Become p's user with only CAP_NET_ADMIN and CAP_NET_RAW (plus CAP_NET_BIND_SERVICE
 * until privs_bind_done()), an empty bounding set beyond those, and no_new_privs.
 * 0, or -errno with msg: the caller must not go on (never as full root). */
int privs_drop(const struct privs *p, char *msg, size_t len);
/* Give up CAP_NET_BIND_SERVICE: every listener is bound. */
void privs_bind_done(void);
/* The effective capabilities as a mask (bit n = capability n), read from /proc. */
int privs_cap_eff(unsigned long long *mask);

#endif
