// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: hook.c - run the operator's executables on every event, safely
 *
 * Owns the hook queue and the one running hook. Subscribes to the bus; for each
 * event it snapshots the executables in hooks_dir (sorted by name) and queues a
 * copy of the event (64 at most; more are dropped with a warning). Hooks run
 * one at a time, as keepalived runs notify scripts: fork() + execve() with the
 * clean environment of hook_env_build() (PATH and UPLINKD_*), stdin from
 * /dev/null, stdout and stderr to /dev/null (to the daemon's stderr with -f),
 * no inherited fds, signals unblocked, in its own process group, which is
 * killed with SIGKILL after hook_timeout_s. hooks_dir must be a directory owned
 * by root and not writable by group or others; files that are not executable
 * regular files, not owned by root, or group/world writable are skipped with a
 * (rate-limited) warning. A missing or unset hooks_dir means no hooks.
 * main.c forwards SIGCHLD to hooks_sigchld(), which reaps the child and starts
 * the next hook. Nothing else in uplinkd forks.
 */
#include "hook.h"
#include "bus.h"
#include "daemon.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOOK_QUEUE_MAX 64
#define HOOK_ENV_MAX 16

struct hook_job {
	struct bus_event ev; /* strings below are owned copies */
	char *object, *old_state, *new_state, *reason;
	char **files; /* executables still to run for this event */
	size_t nfiles, next;
};

struct hooks {
	struct daemon *d;
	struct bus_sub sub;
	struct hook_job *queue[HOOK_QUEUE_MAX];
	size_t qhead, qn;
	pid_t child;
	char *child_file;
	struct loop_timer timeout;
	unsigned int dropped;
	struct log_rl rl;
};

int hook_env_build(const struct bus_event *ev, char **envp, size_t max, char *buf, size_t buflen)
{
	const char *uplink = ev->type == BUS_UPLINK_STATE || ev->type == BUS_ACTIVE ?
				     ev->object : NULL;
	const char *vals[][2] = {
		{ "PATH", "/usr/sbin:/usr/bin:/sbin:/bin" },
		{ "UPLINKD_EVENT", (unsigned int)ev->type < BUS_TYPE_MAX ?
					   bus_type_names[ev->type] : "unknown" },
		{ "UPLINKD_OBJECT", ev->object },
		{ "UPLINKD_UPLINK", uplink },
		{ "UPLINKD_OLD_STATE", ev->old_state },
		{ "UPLINKD_NEW_STATE", ev->new_state },
		{ "UPLINKD_REASON", ev->reason },
	};
	size_t i, n = 0, used = 0;
	int len;

	for (i = 0; i < ARRAY_SIZE(vals) + 1; i++) {
		char num[32];
		const char *k, *v;

		if (i < ARRAY_SIZE(vals)) {
			k = vals[i][0];
			v = vals[i][1] ? vals[i][1] : "";
		} else {
			snprintf(num, sizeof(num), "%llu", (unsigned long long)ev->ts_ms);
			k = "UPLINKD_TIME";
			v = num;
		}
		if (n + 1 >= max)
			return -ENOSPC;
		len = snprintf(buf + used, buflen - used, "%s=%s", k, v);
		if (len < 0 || (size_t)len >= buflen - used)
			return -ENOSPC;
		envp[n++] = buf + used;
		used += (size_t)len + 1;
	}
	envp[n] = NULL;
	return (int)n;
}

static void job_free(struct hook_job *j)
{
	size_t i;

	if (!j)
		return;
	for (i = 0; i < j->nfiles; i++)
		free(j->files[i]);
	free(j->files);
	free(j->object);
	free(j->old_state);
	free(j->new_state);
	free(j->reason);
	free(j);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Is dir safe to run from: a directory owned by root, not writable by group or others? */
static bool dir_safe(struct hooks *h, const char *dir)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		if (errno != ENOENT)
			log_rl_msg(&h->rl, LOG_WARNING, "hooks: cannot read %s: %s", dir,
				   strerror(errno));
		return false; /* a missing hooks_dir means no hooks */
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
		log_rl_msg(&h->rl, LOG_WARNING, "hooks: %s not used: it must be a directory owned "
			   "by root and not writable by group or others", dir);
		return false;
	}
	return true;
}

/* The executables to run, sorted by name; unsafe files are skipped with a warning. */
static void job_scan(struct hooks *h, struct hook_job *j)
{
	const char *dir = h->d->cfg->hooks_dir;
	struct dirent *de;
	DIR *dp;

	if (!dir || !dir_safe(h, dir) || !(dp = opendir(dir)))
		return;
	while ((de = readdir(dp))) {
		struct stat st;
		char *path, **v;

		if (de->d_name[0] == '.')
			continue; /* ., .. and hidden files (editors' swap files) */
		if (asprintf(&path, "%s/%s", dir, de->d_name) < 0)
			break;
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) {
			log_rl_msg(&h->rl, LOG_WARNING, "hook %s: not run: not an executable "
				   "regular file", path);
			free(path);
			continue;
		}
		if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
			log_rl_msg(&h->rl, LOG_WARNING, "hook %s: not run: it must be owned by root "
				   "and not writable by group or others", path);
			free(path);
			continue;
		}
		v = realloc(j->files, (j->nfiles + 1) * sizeof(*v));
		if (!v) {
			free(path);
			break;
		}
		j->files = v;
		j->files[j->nfiles++] = path;
	}
	closedir(dp);
	if (j->nfiles)
		qsort(j->files, j->nfiles, sizeof(*j->files), cmp_str);
}

static void hooks_next(struct hooks *h);

static void hook_timeout_cb(struct loop_timer *t)
{
	struct hooks *h = container_of(t, struct hooks, timeout);

	if (h->child > 0) {
		log_warn("hook %s: still running after %d s; killed", h->child_file,
			 h->d->cfg->hook_timeout_s);
		kill(-h->child, SIGKILL);
	}
}

static int hook_spawn(struct hooks *h, struct hook_job *j, const char *file)
{
	char *envp[HOOK_ENV_MAX], buf[4096];
	char *argv[] = { (char *)file, NULL };
	pid_t pid;

	if (hook_env_build(&j->ev, envp, HOOK_ENV_MAX, buf, sizeof(buf)) < 0)
		return -E2BIG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		/* the child: only async-signal-safe calls until execve */
		sigset_t none;
		int fd = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		if (fd < 0)
			_exit(126);
		dup2(fd, 0);
		if (h->d->foreground) {
			dup2(2, 1); /* the daemon's stderr: the operator sees what hooks say */
		} else {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		close_range(3, ~0U, 0);
		execve(file, argv, envp);
		_exit(127);
	}
	setpgid(pid, pid); /* also here: no window in which a kill(-pid) misses */
	h->child = pid;
	free(h->child_file);
	h->child_file = strdup(file);
	log_dbg(LOG_CORE, "hook %s: started (pid %d) for %s %s", file, (int)pid,
		bus_type_names[j->ev.type], j->ev.object ? j->ev.object : "-");
	loop_timer_set_in(&h->d->loop, &h->timeout,
			  (uint64_t)(h->d->cfg->hook_timeout_s > 0 ? h->d->cfg->hook_timeout_s : 1) *
				  NSEC_PER_SEC);
	return 0;
}

static void hooks_next(struct hooks *h)
{
	while (h->child <= 0 && h->qn) {
		struct hook_job *j = h->queue[h->qhead];

		if (j->next < j->nfiles) {
			const char *file = j->files[j->next++];
			int err = hook_spawn(h, j, file);

			if (err < 0)
				log_err("hook %s: cannot start: %s", file, strerror(-err));
			continue;
		}
		job_free(j);
		h->queue[h->qhead] = NULL;
		h->qhead = (h->qhead + 1) % HOOK_QUEUE_MAX;
		h->qn--;
	}
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static void hooks_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct hooks *h = container_of(s, struct hooks, sub);
	struct hook_job *j;

	if (!h->d->cfg->hooks_dir)
		return;
	if (h->qn == HOOK_QUEUE_MAX) {
		if (!h->dropped++)
			log_warn("hooks: %d events queued; dropping the newest until they catch up",
				 HOOK_QUEUE_MAX);
		return;
	}
	j = calloc(1, sizeof(*j));
	if (!j)
		return;
	job_scan(h, j);
	if (!j->nfiles) {
		job_free(j);
		return;
	}
	j->ev = *ev;
	j->ev.object = j->object = dup_or_null(ev->object);
	j->ev.old_state = j->old_state = dup_or_null(ev->old_state);
	j->ev.new_state = j->new_state = dup_or_null(ev->new_state);
	j->ev.reason = j->reason = dup_or_null(ev->reason);
	h->queue[(h->qhead + h->qn) % HOOK_QUEUE_MAX] = j;
	h->qn++;
	if (h->dropped)
		log_warn("hooks: %u events were dropped; hooks run again", h->dropped);
	h->dropped = 0;
	hooks_next(h);
}

void hooks_sigchld(struct daemon *d)
{
	struct hooks *h = d->hooks;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (!h || pid != h->child)
			continue;
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			log_warn("hook %s: could not be executed (exit 127)", h->child_file);
		else if (WIFEXITED(status) && WEXITSTATUS(status))
			log_warn("hook %s: exited with status %d", h->child_file, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_warn("hook %s: killed by signal %d", h->child_file, WTERMSIG(status));
		h->child = 0;
		loop_timer_cancel(&d->loop, &h->timeout);
	}
	if (h)
		hooks_next(h);
}

int hooks_init(struct daemon *d)
{
	struct hooks *h = calloc(1, sizeof(*h));

	if (!h)
		return -ENOMEM;
	h->d = d;
	loop_timer_init(&h->timeout, hook_timeout_cb);
	h->sub.cb = hooks_event;
	bus_subscribe(&d->bus, &h->sub);
	d->hooks = h;
	return 0;
}

void hooks_destroy(struct daemon *d)
{
	struct hooks *h = d->hooks;

	if (!h)
		return;
	bus_unsubscribe(&h->sub);
	loop_timer_cancel(&d->loop, &h->timeout);
	if (h->child > 0) {
		kill(-h->child, SIGKILL);
		waitpid(h->child, NULL, 0);
	}
	while (h->qn) {
		job_free(h->queue[h->qhead]);
		h->qhead = (h->qhead + 1) % HOOK_QUEUE_MAX;
		h->qn--;
	}
	free(h->child_file);
	free(h);
	d->hooks = NULL;
}
