// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: privs.c - least privilege, with libcap-ng
 *
 * Owns uplinkd's identity after start-up. uplinkd starts as root (init, systemd),
 * creates the two directories it writes (state_dir 0700, the control socket's
 * directory 0750 with its group, so that group's members may use uplinkctl), and
 * then becomes `user` (configuration key, or -u) with only:
 *   CAP_NET_ADMIN  routes, rules, nftables, conntrack, SO_MARK
 *   CAP_NET_RAW    ICMP and ARP probes, SO_BINDTODEVICE
 *   CAP_NET_BIND_SERVICE while the listeners bind (a status page on port 80),
 *                  dropped by privs_bind_done() right after start-up
 * The bounding set keeps NET_ADMIN and NET_RAW only and no_new_privs is set, so
 * nothing uplinkd or a hook executes gets more back. With no user (or "root")
 * uplinkd keeps uid 0 but the same two capabilities, and says so. If any step
 * fails uplinkd stops: it never goes on as full root.
 *
 * Called by main.c only; calls libcap-ng, getpwnam and chown.
 */
#include "privs.h"
#include "config.h"

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

int privs_lookup(struct privs *p, const char *user, char *msg, size_t len)
{
	struct passwd *pw;

	memset(p, 0, sizeof(*p));
	if (!user || !strcmp(user, "root"))
		return 0;
	errno = 0;
	pw = getpwnam(user);
	if (!pw) {
		snprintf(msg, len, "user \"%s\" does not exist; create it (useradd --system --no-create-home uplinkd) or name another with -u or with user = \"...\" in the configuration",
			 user);
		return -ENOENT;
	}
	if (pw->pw_uid == 0) {
		snprintf(msg, len, "user \"%s\" has uid 0; give uplinkd a user of its own", user);
		return -EPERM;
	}
	p->user = user;
	p->uid = pw->pw_uid;
	p->gid = pw->pw_gid;
	return 0;
}

/* mkdir -p DIR: parents 0755 (root's), DIR itself with `mode`, then DIR to uid:gid */
static int mkdir_own(const char *dir, mode_t mode, uid_t uid, gid_t gid, char *msg, size_t len)
{
	char s[PATH_MAX];
	struct stat st;
	char *c;

	if (snprintf(s, sizeof(s), "%s", dir) >= (int)sizeof(s)) {
		snprintf(msg, len, "%s: path too long", dir);
		return -ENAMETOOLONG;
	}
	for (c = s + 1; *c; c++) {
		if (*c != '/')
			continue;
		*c = '\0';
		if (mkdir(s, 0755) < 0 && errno != EEXIST)
			goto err;
		*c = '/';
	}
	if (mkdir(s, mode) < 0 && errno != EEXIST)
		goto err;
	if (lstat(s, &st) < 0)
		goto err;
	if (!S_ISDIR(st.st_mode)) {
		snprintf(msg, len, "%s is not a directory; point the setting at a directory", s);
		return -ENOTDIR;
	}
	/* only a directory uplinkd may take: root's or already its user's */
	if (st.st_uid != 0 && st.st_uid != uid) {
		snprintf(msg, len, "%s belongs to uid %u, not to root or uplinkd's user (uid %u); chown %u %s",
			 s, (unsigned int)st.st_uid, (unsigned int)uid, (unsigned int)uid, s);
		return -EPERM;
	}
	if (chown(s, uid, gid) < 0 || chmod(s, mode) < 0)
		goto err;
	return 0;
err:
	snprintf(msg, len, "%s: %s", s, strerror(errno));
	return -errno;
}

int privs_prepare(const struct privs *p, const struct config *cfg, char *msg, size_t len)
{
	char dir[PATH_MAX];
	char *slash;
	int err;

	if (!p->user || geteuid() != 0)
		return 0;
	if ((err = mkdir_own(cfg->state_dir, 0700, p->uid, p->gid, msg, len)) < 0)
		return err;
	snprintf(dir, sizeof(dir), "%s", cfg->control_socket);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0; /* a socket in / or the current directory: nothing of ours to prepare */
	*slash = '\0';
	return mkdir_own(dir, 0750, p->uid, p->gid, msg, len);
}

int privs_drop(const struct privs *p, char *msg, size_t len)
{
	bool root = geteuid() == 0, have_bind, have_admin, have_raw;

	capng_get_caps_process();
	if (!root && capng_have_capabilities(CAPNG_SELECT_CAPS) == CAPNG_NONE) {
		snprintf(msg, len, "started as uid %u without capabilities; start uplinkd as root (it drops to its user itself) or give it CAP_NET_ADMIN and CAP_NET_RAW (AmbientCapabilities=)",
			 (unsigned int)geteuid());
		return -EPERM;
	}
	/* started unprivileged (ambient capabilities): keep what of the three it has */
	have_bind = root || capng_have_capability(CAPNG_PERMITTED, CAP_NET_BIND_SERVICE);
	have_admin = root || capng_have_capability(CAPNG_PERMITTED, CAP_NET_ADMIN);
	have_raw = root || capng_have_capability(CAPNG_PERMITTED, CAP_NET_RAW);
	capng_clear(CAPNG_SELECT_BOTH);
	capng_updatev(CAPNG_ADD, CAPNG_BOUNDING_SET, CAP_NET_ADMIN, CAP_NET_RAW, -1);
	if (have_admin)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_ADMIN);
	if (have_raw)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_RAW);
	if (have_bind)
		capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_BIND_SERVICE);
	/* the bounding set first, while CAP_SETPCAP is still ours */
	if (root && capng_apply(CAPNG_SELECT_BOUNDS) < 0) {
		snprintf(msg, len, "cannot narrow the capability bounding set: %s", strerror(errno));
		return -EPERM;
	}
	if (p->user && root) {
		/* keep the permitted set across the uid change; the user's own groups */
		if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || initgroups(p->user, p->gid) < 0 ||
		    setresgid(p->gid, p->gid, p->gid) < 0 || setresuid(p->uid, p->uid, p->uid) < 0) {
			snprintf(msg, len, "cannot become user %s (uid %u): %s", p->user,
				 (unsigned int)p->uid, strerror(errno));
			return -EPERM;
		}
		prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
	}
	if (capng_apply(CAPNG_SELECT_CAPS) < 0) {
		snprintf(msg, len, "cannot set the capabilities: %s", strerror(errno));
		return -EPERM;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		snprintf(msg, len, "prctl(PR_SET_NO_NEW_PRIVS): %s", strerror(errno));
		return -EPERM;
	}
	/* check, do not trust: nothing of root's left but uid 0 when asked for */
	capng_get_caps_process();
	if (capng_have_capability(CAPNG_PERMITTED, CAP_SYS_ADMIN) ||
	    capng_have_capability(CAPNG_PERMITTED, CAP_SETUID) ||
	    capng_have_capability(CAPNG_PERMITTED, CAP_DAC_OVERRIDE) ||
	    (p->user && (getuid() == 0 || geteuid() == 0))) {
		snprintf(msg, len, "capabilities or uid still those of root after the drop; refusing to run so");
		return -EPERM;
	}
	return 0;
}

void privs_bind_done(void)
{
	capng_get_caps_process();
	if (!capng_have_capability(CAPNG_PERMITTED, CAP_NET_BIND_SERVICE))
		return;
	capng_update(CAPNG_DROP, CAPNG_EFFECTIVE | CAPNG_PERMITTED, CAP_NET_BIND_SERVICE);
	capng_apply(CAPNG_SELECT_CAPS);
}

int privs_cap_eff(unsigned long long *mask)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	int err = -ENOENT;

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", mask) == 1) {
			err = 0;
			break;
		}
	fclose(f);
	return err;
}
