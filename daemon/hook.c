// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: hook.c - run the operator's executables on every event, safely
 *
 * Owns the hooks (one per executable in hooks_dir, each with its own queue of
 * events) and the hook processes. Subscribes to the bus; for each event it
 * scans hooks_dir and opens every file it will run (O_PATH), checking the
 * opened file: a regular executable owned by root and not writable by group
 * or others. The file is later executed from that descriptor (fexecve), so
 * what runs is what was checked. A file that fails the checks is named once
 * (until it changes), not on every event. hooks_dir itself must be a
 * directory owned by root and closed to group and others; a missing or unset
 * hooks_dir means no hooks, quietly (uplinkd -t warns).
 *
 * Order and floods: each hook runs its events one at a time, in order;
 * different hooks run at the same time, HOOK_PARALLEL processes at most, the
 * oldest event first, so one slow hook delays only itself. uplink, active and
 * tunnel events are always queued; when HOOK_QUEUE_MAX other events wait for
 * one hook, a new one is merged into the last waiting one (the hook then sees
 * the newest, with UPLINKD_COALESCED counting the events merged into it).
 *
 * Each run is a supervisor process (a fork of uplinkd) that starts a new
 * session, becomes the subreaper of everything below it, drops every
 * capability (and the bounding set, with no_new_privs), and forks the hook
 * into a session of its own, with the clean environment of hook_env_build(),
 * stdin from /dev/null, stdout and stderr to uplinkd's stderr when the log goes
 * there (-f, or detached without syslog), else to /dev/null, and no other
 * inherited descriptor. The run is over when the hook
 * and everything it started have exited. At hook_timeout_s uplinkd sends the
 * supervisor SIGTERM: it kills the hook's group and then, again and again,
 * every process left below it (a hook that called setsid() or daemonized is
 * still its descendant), and exits; SIGKILL follows if it does not. When
 * uplinkd dies, even by SIGKILL, the supervisors get SIGTERM from the kernel
 * (PR_SET_PDEATHSIG) and do the same. uplinkd is a subreaper too, so anything
 * left by a supervisor that was itself killed comes back to it and is killed.
 * main.c forwards SIGCHLD to hooks_sigchld(). Nothing else in uplinkd forks.
 */
#include "hook.h"
#include "bus.h"
#include "daemon.h"
#include "log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define HOOK_ENV_MAX 16
#define HOOK_KILL_GRACE_NS (5 * NSEC_PER_SEC) /* SIGTERM to the supervisor, then SIGKILL */
#define SUP_KILLED 125			      /* the supervisor's exit after a sweep */

/* One event, shared by the hooks that run for it. */
struct hook_ev {
	unsigned int refs;
	uint64_t seq;
	bool critical; /* never merged away: uplink, active, tunnel */
	struct bus_event ev;
	char *object, *old_state, *new_state, *reason;
};

struct hook_item {
	struct list_head node;
	struct hook_ev *ev;
	unsigned int coalesced; /* events merged into this one */
};

struct hook_run;

/* One executable in hooks_dir. */
struct hook {
	struct list_head node; /* in hooks.list, by name */
	char *name, *path;
	int fd;		       /* O_PATH, checked at the last scan; -1 none */
	bool present;	       /* in the last scan, and safe */
	struct list_head queue; /* struct hook_item; the head runs when run is set */
	size_t nother;	       /* waiting items of other events (merge bound) */
	struct hook_run *run;
};

struct hook_run {
	struct hooks *h;
	pid_t pid; /* the supervisor; 0: slot free */
	struct hook *hook;
	struct loop_timer timeout;
	int stage; /* 0 running, 1 SIGTERM sent, 2 SIGKILL sent */
};

struct hooks {
	struct daemon *d;
	struct bus_sub sub;
	struct list_head list; /* struct hook */
	struct hook_run runs[HOOK_PARALLEL];
	size_t nrunning;
	uint64_t seq;
	char **warned; /* "why:name" of files named already */
	size_t nwarned;
	char *dir_warned; /* the last message about hooks_dir itself */
	pid_t self;
};

int hook_env_build(const struct bus_event *ev, unsigned int coalesced, const char *hook,
		   char **envp, size_t max, char *buf, size_t buflen)
{
	const char *uplink = ev->type == BUS_UPLINK_STATE || ev->type == BUS_ACTIVE ?
				     ev->object : NULL;
	char nc[16], ts[32];
	const char *vals[][2] = {
		{ "PATH", "/usr/sbin:/usr/bin:/sbin:/bin" },
		{ "UPLINKD_EVENT", (unsigned int)ev->type < BUS_TYPE_MAX ?
					   bus_type_names[ev->type] : "unknown" },
		{ "UPLINKD_OBJECT", ev->object },
		{ "UPLINKD_UPLINK", uplink },
		{ "UPLINKD_OLD_STATE", ev->old_state },
		{ "UPLINKD_NEW_STATE", ev->new_state },
		{ "UPLINKD_REASON", ev->reason },
		{ "UPLINKD_TIME", ts },
		{ "UPLINKD_COALESCED", nc },
		{ "UPLINKD_HOOK", hook },
	};
	size_t i, n = 0, used = 0;
	int len;

	snprintf(ts, sizeof(ts), "%llu", (unsigned long long)ev->ts_ms);
	snprintf(nc, sizeof(nc), "%u", coalesced);
	for (i = 0; i < ARRAY_SIZE(vals); i++) {
		if (n + 1 >= max)
			return -ENOSPC;
		len = snprintf(buf + used, buflen - used, "%s=%s", vals[i][0],
			       vals[i][1] ? vals[i][1] : "");
		if (len < 0 || (size_t)len >= buflen - used)
			return -ENOSPC;
		envp[n++] = buf + used;
		used += (size_t)len + 1;
	}
	envp[n] = NULL;
	return (int)n;
}

static bool dir_stat_safe(const struct stat *st)
{
	return S_ISDIR(st->st_mode) && st->st_uid == 0 && !(st->st_mode & (S_IWGRP | S_IWOTH));
}

static void dir_unsafe_msg(const char *dir, char *msg, size_t len)
{
	snprintf(msg, len, "hooks.dir %s is not used: it must be a directory owned by root and not writable by group or others (chown root %s; chmod go-w %s)",
		 dir, dir, dir);
}

int hooks_dir_check(const char *dir, char *msg, size_t len)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		if (errno == ENOENT)
			snprintf(msg, len, "hooks.dir %s does not exist: no hooks will run; create it (owned by root, mode 0755) or set hooks.dir to where your hooks are",
				 dir);
		else
			snprintf(msg, len, "hooks.dir %s: %s: no hooks will run", dir,
				 strerror(errno));
		return -ENOENT;
	}
	if (!dir_stat_safe(&st)) {
		dir_unsafe_msg(dir, msg, len);
		return -EPERM;
	}
	return 0;
}

/* ---- events and queues ---- */

static void ev_put(struct hook_ev *e)
{
	if (!e || --e->refs)
		return;
	free(e->object);
	free(e->old_state);
	free(e->new_state);
	free(e->reason);
	free(e);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct hook_ev *ev_new(struct hooks *h, const struct bus_event *ev)
{
	struct hook_ev *e = calloc(1, sizeof(*e));

	if (!e)
		return NULL;
	e->seq = ++h->seq;
	e->critical = ev->type == BUS_UPLINK_STATE || ev->type == BUS_ACTIVE ||
		      ev->type == BUS_TUNNEL;
	e->ev = *ev;
	e->ev.object = e->object = dup_or_null(ev->object);
	e->ev.old_state = e->old_state = dup_or_null(ev->old_state);
	e->ev.new_state = e->new_state = dup_or_null(ev->new_state);
	e->ev.reason = e->reason = dup_or_null(ev->reason);
	return e;
}

static void item_free(struct hook *hk, struct hook_item *it)
{
	list_del(&it->node);
	ev_put(it->ev);
	free(it);
	(void)hk;
}

static void enqueue(struct hook *hk, struct hook_ev *e)
{
	struct hook_item *tail = list_empty(&hk->queue) ? NULL :
				 list_entry(hk->queue.prev, struct hook_item, node);
	struct hook_item *it;

	/* too many others waiting: the newest waiting one stands for this one too */
	if (!e->critical && hk->nother >= HOOK_QUEUE_MAX && tail && !tail->ev->critical &&
	    !(hk->run && hk->queue.next == &tail->node)) {
		ev_put(tail->ev);
		tail->ev = e;
		e->refs++;
		tail->coalesced++;
		return;
	}
	it = calloc(1, sizeof(*it));
	if (!it) {
		log_err("hook %s: out of memory; an event is not run", hk->path);
		return;
	}
	it->ev = e;
	e->refs++;
	list_add_tail(&it->node, &hk->queue);
	if (!e->critical)
		hk->nother++;
}

static void hook_free(struct hook *hk)
{
	while (!list_empty(&hk->queue))
		item_free(hk, list_entry(hk->queue.next, struct hook_item, node));
	list_del(&hk->node);
	if (hk->fd >= 0)
		close(hk->fd);
	free(hk->name);
	free(hk->path);
	free(hk);
}

/* A hook no longer in hooks_dir (or no longer safe): what waits is dropped. */
static void hook_retire(struct hook *hk)
{
	struct hook_item *it, *n;

	list_for_each_entry_safe(it, n, &hk->queue, node) {
		if (hk->run && hk->queue.next == &it->node)
			continue; /* running: it finishes */
		item_free(hk, it);
	}
	hk->nother = 0;
	if (!hk->run)
		hook_free(hk);
}

static struct hook *hook_get(struct hooks *h, const char *dir, const char *name)
{
	struct hook *hk, *at = NULL;

	list_for_each_entry(hk, &h->list, node) {
		int c = strcmp(hk->name, name);

		if (c == 0)
			return hk;
		if (c > 0 && !at)
			at = hk;
	}
	hk = calloc(1, sizeof(*hk));
	if (!hk)
		return NULL;
	hk->fd = -1;
	list_init(&hk->queue);
	if (!(hk->name = strdup(name)) || asprintf(&hk->path, "%s/%s", dir, name) < 0) {
		free(hk->name);
		free(hk);
		return NULL;
	}
	list_add_tail(&hk->node, at ? &at->node : &h->list); /* before `at`: sorted */
	return hk;
}

/* ---- scanning: what runs is what was checked ---- */

static bool warned_has(char **v, size_t n, const char *key)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i], key) == 0)
			return true;
	return false;
}

/* Name a bad file once: again only after it was fine or gone at some scan. */
static void bad_file(struct hooks *h, char ***v, size_t *n, const char *why, const char *path,
		     const char *name)
{
	char *key, **nv;

	if (asprintf(&key, "%s:%s", why, name) < 0)
		return;
	if (!warned_has(h->warned, h->nwarned, key))
		log_warn("hook %s: not run: %s", path, why);
	nv = realloc(*v, (*n + 1) * sizeof(*nv));
	if (!nv) {
		free(key);
		return;
	}
	*v = nv;
	nv[(*n)++] = key;
}

static void dir_problem(struct hooks *h, const char *msg)
{
	if (!h->dir_warned || strcmp(h->dir_warned, msg) != 0) {
		log_warn("hooks: %s", msg);
		free(h->dir_warned);
		h->dir_warned = strdup(msg);
	}
}

/* Which hooks exist now; false: none (no or unsafe hooks_dir). */
static bool hooks_scan(struct hooks *h)
{
	const char *dir = h->d->cfg->hooks_dir;
	struct hook *hk, *n;
	char **warned = NULL, msg[512];
	size_t nwarned = 0, i;
	struct dirent *de;
	struct stat st;
	int dfd, fd;
	DIR *dp;

	list_for_each_entry(hk, &h->list, node)
		hk->present = false;
	dfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (dfd < 0) {
		if (dir && errno != ENOENT) {
			snprintf(msg, sizeof(msg), "cannot read %s: %s", dir, strerror(errno));
			dir_problem(h, msg);
		}
		goto out;
	}
	if (fstat(dfd, &st) < 0 || !dir_stat_safe(&st)) {
		dir_unsafe_msg(dir, msg, sizeof(msg));
		dir_problem(h, msg);
		close(dfd);
		goto out;
	}
	free(h->dir_warned);
	h->dir_warned = NULL;
	fd = dup(dfd);
	dp = fd >= 0 ? fdopendir(fd) : NULL;
	if (!dp) {
		if (fd >= 0)
			close(fd);
		close(dfd);
		goto out;
	}
	while ((de = readdir(dp))) {
		char path[PATH_MAX];

		if (de->d_name[0] == '.')
			continue; /* ., .. and hidden files (editors' swap files) */
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		fd = openat(dfd, de->d_name, O_PATH | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) < 0) {
			if (fd >= 0)
				close(fd);
			continue; /* gone meanwhile */
		}
		if (!S_ISREG(st.st_mode) || !(st.st_mode & S_IXUSR)) {
			bad_file(h, &warned, &nwarned, "not an executable regular file", path,
				 de->d_name);
			close(fd);
			continue;
		}
		if (st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH))) {
			bad_file(h, &warned, &nwarned,
				 "it must be owned by root and not writable by group or others",
				 path, de->d_name);
			close(fd);
			continue;
		}
		hk = hook_get(h, dir, de->d_name);
		if (!hk) {
			close(fd);
			continue;
		}
		if (hk->fd >= 0)
			close(hk->fd);
		hk->fd = fd;
		hk->present = true;
	}
	closedir(dp);
	close(dfd);
	for (i = 0; i < h->nwarned; i++)
		free(h->warned[i]);
	free(h->warned);
	h->warned = warned;
	h->nwarned = nwarned;
out:
	list_for_each_entry_safe(hk, n, &h->list, node)
		if (!hk->present)
			hook_retire(hk);
	return !list_empty(&h->list);
}

/* ---- the supervisor (a child of uplinkd) ---- */

/* Every capability gone, for good: effective, permitted, inheritable, ambient and, with
 * CAP_SETPCAP, the bounding set (so that a root uid gets none back at execve). */
static void caps_drop(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2];
	int cap;

	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	for (cap = 0; cap < 64; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno == EINVAL)
			break;
	memset(data, 0, sizeof(data));
	syscall(SYS_capset, &hdr, data);
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

/* SIGKILL to every child of `parent` (found in /proc) but `spare` (n of them). */
static void children_kill(pid_t parent, const pid_t *spare, size_t n)
{
	DIR *dp = opendir("/proc");
	struct dirent *de;

	if (!dp)
		return;
	while ((de = readdir(dp))) {
		char path[300], buf[512], *p;
		ssize_t len;
		long ppid;
		pid_t pid;
		size_t i;
		int fd;

		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		len = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (len <= 0)
			continue;
		buf[len] = '\0';
		p = strrchr(buf, ')'); /* "pid (comm) state ppid ..." */
		if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1 || ppid != parent)
			continue;
		pid = (pid_t)strtol(de->d_name, NULL, 10);
		for (i = 0; i < n && spare[i] != pid; i++)
			;
		if (i == n)
			kill(pid, SIGKILL);
	}
	closedir(dp);
}

/* Kill the hook's group, then every process left below us, until none is. */
static void sweep(pid_t hook)
{
	pid_t self = getpid();
	int i;

	kill(-hook, SIGKILL);
	for (i = 0; i < 1000; i++) {
		children_kill(self, NULL, 0);
		while (waitpid(-1, NULL, WNOHANG) > 0)
			;
		if (waitpid(-1, NULL, WNOHANG) < 0 && errno == ECHILD)
			return;
		usleep(10000);
	}
}

__attribute__((noreturn)) static void supervise(int hookfd, char **argv, char **envp,
						 pid_t parent, bool to_log)
{
	struct rlimit no_core = { 0, 0 };
	bool hook_done = false;
	pid_t self, hook;
	int status = 0, fd, hfd;
	sigset_t set;

	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent)
		_exit(SUP_KILLED); /* uplinkd died before we could notice */
	setsid();
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_SETMASK, &set, NULL);
	/* descriptors: /dev/null in, out and err (or uplinkd's stderr), the hook as fd 3 */
	hfd = fcntl(hookfd, F_DUPFD_CLOEXEC, 64);
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (hfd < 0 || fd < 0)
		_exit(126);
	dup2(fd, 0);
	if (to_log && fcntl(2, F_GETFD) >= 0) {
		dup2(2, 1); /* where the log goes: the operator sees what hooks say */
	} else {
		dup2(fd, 1);
		dup2(fd, 2);
	}
	if (dup2(hfd, 3) < 0)
		_exit(126);
	close_range(4, ~0U, 0);
	caps_drop();
	self = getpid();
	hook = fork();
	if (hook < 0)
		_exit(126);
	if (hook == 0) {
		sigset_t none;

		setsid();
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != self)
			_exit(126);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		fexecve(3, argv, envp);
		_exit(127);
	}
	setrlimit(RLIMIT_CORE, &no_core);
	for (;;) {
		int sig = sigwaitinfo(&set, NULL);
		pid_t p;
		int st;

		if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
			/* the timeout, or uplinkd is gone */
			sweep(hook);
			_exit(SUP_KILLED);
		}
		while ((p = waitpid(-1, &st, WNOHANG)) > 0)
			if (p == hook) {
				status = st;
				hook_done = true;
			}
		if (p < 0 && errno == ECHILD && hook_done)
			break; /* the hook and all it started are gone */
	}
	if (WIFSIGNALED(status)) {
		signal(WTERMSIG(status), SIG_DFL);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(WTERMSIG(status));
	}
	_exit(WIFEXITED(status) ? WEXITSTATUS(status) : 126);
}

/* ---- runs ---- */

static void hooks_next(struct hooks *h);

/* Every child of uplinkd that is not a supervisor: what a killed supervisor left. */
static void strays_kill(struct hooks *h)
{
	pid_t sup[HOOK_PARALLEL];
	size_t i;

	for (i = 0; i < HOOK_PARALLEL; i++)
		sup[i] = h->runs[i].pid;
	children_kill(h->self, sup, HOOK_PARALLEL);
}

static void timeout_cb(struct loop_timer *t)
{
	struct hook_run *run = container_of(t, struct hook_run, timeout);
	struct hooks *h = run->h;

	if (!run->pid)
		return;
	if (run->stage == 0) {
		log_warn("hook %s: still running after %d s; killed with everything it started",
			 run->hook->path, h->d->cfg->hook_timeout_s);
		kill(run->pid, SIGTERM);
		run->stage = 1;
		loop_timer_set_in(&h->d->loop, &run->timeout, HOOK_KILL_GRACE_NS);
	} else {
		kill(run->pid, SIGKILL);
		run->stage = 2;
	}
}

static int hook_spawn(struct hooks *h, struct hook_run *run, struct hook *hk)
{
	struct hook_item *it = list_entry(hk->queue.next, struct hook_item, node);
	char *envp[HOOK_ENV_MAX], buf[4096];
	char *argv[] = { hk->path, NULL };
	pid_t pid;

	if (hk->fd < 0)
		return -ENOENT;
	if (hook_env_build(&it->ev->ev, it->coalesced, hk->path, envp, HOOK_ENV_MAX, buf,
			   sizeof(buf)) < 0)
		return -E2BIG;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0)
		supervise(hk->fd, argv, envp, h->self, h->d->log_stderr);
	run->pid = pid;
	run->hook = hk;
	run->stage = 0;
	hk->run = run;
	h->nrunning++;
	if (!it->ev->critical && hk->nother)
		hk->nother--;
	log_dbg(LOG_CORE, "hook %s: started (pid %d) for %s %s", hk->path, (int)pid,
		bus_type_names[it->ev->ev.type], it->ev->ev.object ? it->ev->ev.object : "-");
	loop_timer_set_in(&h->d->loop, &run->timeout,
			  (uint64_t)(h->d->cfg->hook_timeout_s > 0 ? h->d->cfg->hook_timeout_s : 1) *
				  NSEC_PER_SEC);
	return 0;
}

/* Start hooks while there is room: the one whose next event is the oldest first. */
static void hooks_next(struct hooks *h)
{
	while (h->nrunning < HOOK_PARALLEL) {
		struct hook *hk, *best = NULL;
		uint64_t seq = 0;
		size_t i;
		int err;

		list_for_each_entry(hk, &h->list, node) {
			struct hook_item *it;

			if (hk->run || list_empty(&hk->queue))
				continue;
			it = list_entry(hk->queue.next, struct hook_item, node);
			if (!best || it->ev->seq < seq) {
				best = hk;
				seq = it->ev->seq;
			}
		}
		if (!best)
			return;
		for (i = 0; h->runs[i].pid; i++)
			;
		err = hook_spawn(h, &h->runs[i], best);
		if (err < 0) {
			struct hook_item *it = list_entry(best->queue.next, struct hook_item, node);

			log_err("hook %s: cannot start: %s", best->path, strerror(-err));
			if (!it->ev->critical && best->nother)
				best->nother--;
			item_free(best, it);
		}
	}
}

static void run_done(struct hooks *h, struct hook_run *run, int status)
{
	struct hook *hk = run->hook;

	if (run->stage == 0) {
		if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
			log_warn("hook %s: could not be executed (exit 127)", hk->path);
		else if (WIFEXITED(status) && WEXITSTATUS(status))
			log_warn("hook %s: exited with status %d", hk->path, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			log_warn("hook %s: killed by signal %d", hk->path, WTERMSIG(status));
	}
	loop_timer_cancel(&h->d->loop, &run->timeout);
	run->pid = 0;
	run->hook = NULL;
	h->nrunning--;
	hk->run = NULL;
	if (!list_empty(&hk->queue))
		item_free(hk, list_entry(hk->queue.next, struct hook_item, node));
	if (!hk->present)
		hook_retire(hk);
	/* a supervisor that did not exit by itself may have left processes to us */
	if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
		strays_kill(h);
}

void hooks_sigchld(struct daemon *d)
{
	struct hooks *h = d->hooks;
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		size_t i;

		for (i = 0; h && i < HOOK_PARALLEL; i++)
			if (h->runs[i].pid == pid) {
				run_done(h, &h->runs[i], status);
				break;
			}
	}
	if (h)
		hooks_next(h);
}

static void hooks_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct hooks *h = container_of(s, struct hooks, sub);
	struct hook_ev *e;
	struct hook *hk;

	if (!h->d->cfg->hooks_dir || !hooks_scan(h))
		return;
	e = ev_new(h, ev);
	if (!e) {
		log_err("hooks: out of memory; an event is not run");
		return;
	}
	e->refs++; /* ours, while queueing */
	list_for_each_entry(hk, &h->list, node)
		if (hk->present)
			enqueue(hk, e);
	ev_put(e);
	hooks_next(h);
}

int hooks_init(struct daemon *d)
{
	struct hooks *h = calloc(1, sizeof(*h));
	size_t i;

	if (!h)
		return -ENOMEM;
	h->d = d;
	h->self = getpid();
	list_init(&h->list);
	for (i = 0; i < HOOK_PARALLEL; i++) {
		h->runs[i].h = h;
		loop_timer_init(&h->runs[i].timeout, timeout_cb);
	}
	/* whatever a hook leaves behind comes back to us, not to init */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
		log_warn("hooks: PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	h->sub.cb = hooks_event;
	bus_subscribe(&d->bus, &h->sub);
	d->hooks = h;
	return 0;
}

void hooks_destroy(struct daemon *d)
{
	struct hooks *h = d->hooks;
	struct hook *hk, *n;
	size_t i;
	int tries;

	if (!h)
		return;
	bus_unsubscribe(&h->sub);
	for (i = 0; i < HOOK_PARALLEL; i++) {
		loop_timer_cancel(&d->loop, &h->runs[i].timeout);
		if (h->runs[i].pid > 0)
			kill(h->runs[i].pid, SIGTERM); /* the supervisor sweeps its tree */
	}
	for (tries = 0; tries < 300 && h->nrunning; tries++) {
		for (i = 0; i < HOOK_PARALLEL; i++) {
			int status;

			if (h->runs[i].pid > 0 &&
			    waitpid(h->runs[i].pid, &status, WNOHANG) == h->runs[i].pid) {
				h->runs[i].stage = 1;
				run_done(h, &h->runs[i], status);
			}
		}
		if (h->nrunning)
			usleep(10000);
	}
	for (i = 0; i < HOOK_PARALLEL; i++)
		if (h->runs[i].pid > 0) {
			kill(h->runs[i].pid, SIGKILL);
			waitpid(h->runs[i].pid, NULL, 0);
			h->runs[i].stage = 2;
			run_done(h, &h->runs[i], 0);
		}
	strays_kill(h);
	list_for_each_entry_safe(hk, n, &h->list, node)
		hook_free(hk);
	for (i = 0; i < h->nwarned; i++)
		free(h->warned[i]);
	free(h->warned);
	free(h->dir_warned);
	free(h);
	d->hooks = NULL;
}
