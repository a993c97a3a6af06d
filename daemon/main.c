// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: main.c - command line, signals, the one struct daemon
 *
 *   uplinkd [-f] [-c FILE] [-u USER] [-d MASK] [-v]
 *                                             run (in the foreground with -f)
 *   uplinkd -t [-c FILE]                      check FILE, print every error
 *   uplinkd --replay MRT [-c FILE]            run an MRT dump through the BGP
 *                                             monitor's detection, print alerts
 *                                             (the plugin's replay hook does it)
 *
 * Signals are blocked first thing and read through signalfd: SIGTERM/SIGINT
 * stop cleanly (leaving a working default route), SIGHUP reloads, SIGCHLD
 * reaps hooks, SIGUSR1 logs the status. Only main() exits.
 *
 * Started as root, it prepares its directories and becomes its user with only
 * CAP_NET_ADMIN and CAP_NET_RAW (privs.c) before anything else starts.
 */
#include "config.h"
#include "daemon.h"
#include "hook.h"
#include "log.h"
#include "plugin.h"
#include "privs.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef UPLINKD_VERSION
#define UPLINKD_VERSION "0.1"
#endif

static void usage(FILE *f)
{
	fprintf(f,
		"usage: uplinkd [-f] [-c FILE] [-u USER] [-d MASK] [-v]\n"
		"       uplinkd -t [-c FILE]\n"
		"       uplinkd --replay MRT-FILE [-c FILE]\n"
		"  -c FILE  configuration (default " CONFIG_DEFAULT_PATH ")\n"
		"  -t       check the configuration, print every error and warning as\n"
		"           FILE:LINE: message in line order; exit 1 on errors, 0 on warnings\n"
		"  -f       stay in the foreground and log to stderr (without -f: to syslog,\n"
		"           or to stderr when no syslog listens at " LOG_SYSLOG_PATH ")\n"
		"  -u USER  run as USER (overrides the configuration's user); root keeps\n"
		"           uid 0; either way only CAP_NET_ADMIN and CAP_NET_RAW remain\n"
		"  -d MASK  debug categories: 1 core, 2 netlink, 4 probes, 8 health, 16 policy,\n"
		"           32 control, 64 plugins (implies -v)\n"
		"  -v       verbose (debug level)\n"
		"  -V       print the version\n"
		"  --replay MRT-FILE  run an MRT dump (TABLE_DUMP, TABLE_DUMP_V2, BGP4MP)\n"
		"           through the bgp section's detection; print each alert and steering\n"
		"           event and the alerts still raised at the end as JSON lines, then\n"
		"           exit (130 or 143 when SIGINT or SIGTERM stops it)\n");
}

/* A SIGHUP storm (a script in a loop, a flapping config manager) must not keep the loop busy
 * reloading, which delays probe replies and so skews RTT and jitter: the soak saw an uplink
 * judged degraded during one. A SIGHUP reloads at once if the last SIGHUP reload is at least
 * a second old; otherwise one reload runs when the second is over, for all that came
 * meanwhile (the file is read then, so the last change is never lost). */
#define SIGHUP_GAP_NS NSEC_PER_SEC

static void sighup_reload(struct daemon *d)
{
	d->sighup_last_ns = loop_now(&d->loop);
	if (d->sighup_merged)
		log_notice("SIGHUP: reloading %s (%u more SIGHUPs within %d s merged into this)",
			   d->cfg_path, d->sighup_merged, (int)(SIGHUP_GAP_NS / NSEC_PER_SEC));
	else
		log_notice("SIGHUP: reloading %s", d->cfg_path);
	d->sighup_merged = 0;
	daemon_reload(d, NULL);
}

static void sighup_timer_cb(struct loop_timer *t)
{
	sighup_reload(container_of(t, struct daemon, sighup_timer));
}

static void on_sighup(struct daemon *d)
{
	uint64_t now = loop_now(&d->loop);

	if (loop_timer_pending(&d->sighup_timer)) {
		d->sighup_merged++;
		return;
	}
	if (d->sighup_last_ns && now - d->sighup_last_ns < SIGHUP_GAP_NS) {
		d->sighup_merged++;
		loop_timer_set(&d->loop, &d->sighup_timer, d->sighup_last_ns + SIGHUP_GAP_NS);
		return;
	}
	sighup_reload(d);
}

static void on_signal(struct loop *l, const struct signalfd_siginfo *si)
{
	struct daemon *d = container_of(l, struct daemon, loop);

	switch (si->ssi_signo) {
	case SIGTERM:
	case SIGINT:
		log_notice("signal %d: stopping", si->ssi_signo);
		loop_quit(l);
		break;
	case SIGHUP:
		on_sighup(d);
		break;
	case SIGCHLD:
		hooks_sigchld(d);
		break;
	case SIGUSR1: {
		struct json_object *st = status_build(d);

		log_notice("status: %s", json_object_to_json_string_ext(st, JSON_C_TO_STRING_PLAIN));
		json_object_put(st);
		break;
	}
	}
}

static void std_fds_open(void)
{
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		if (open("/dev/null", O_RDWR) != fd) /* the lowest free descriptor: fd */
			_exit(70);
	}
}

/* stdin and stdout to /dev/null; stderr too unless it is where the log goes */
static int detach(bool keep_stderr)
{
	pid_t pid = fork();
	int fd;

	if (pid < 0)
		return -errno;
	if (pid > 0)
		_exit(0);
	if (setsid() < 0)
		return -errno;
	fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fd >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (!keep_stderr)
			dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return chdir("/") < 0 ? -errno : 0;
}

/* --replay: the plugin that replays recordings does it all (plugins/monitor-bgp/replay_cli.c) */
static int replay(const char *path, struct config *cfg, const char *file)
{
	const struct plugin *p = plugin_find_replay();

	if (!p) {
		fprintf(stderr, "uplinkd: --replay needs the BGP monitor; rebuild with CONFIG_MONITOR_BGP (make menuconfig)\n");
		return 1;
	}
	return p->replay(path, config_section(cfg, p->name), file);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "replay", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	const char *replay_file = NULL, *user = NULL;
	struct privs privs;
	char pmsg[512];
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1 };
	const char *path = CONFIG_DEFAULT_PATH;
	bool foreground = false, test_only = false, to_stderr;
	int level = LOG_INFO, opt, err;
	uint32_t dbg = 0;
	struct cfg_diag diag = { 0 };
	struct config *cfg;
	struct daemon d;
	sigset_t set;
	size_t i;

	/* 0, 1 and 2 open (on /dev/null if they came closed), so no file or socket opened
	 * later becomes "stderr" and receives log lines or hooks' output */
	std_fds_open();
	/* signals first: nothing may arrive before signalfd reads them */
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	while ((opt = getopt_long(argc, argv, "c:d:ftu:vVh", longopts, NULL)) != -1) {
		switch (opt) {
		case 'R':
			replay_file = optarg;
			break;
		case 'c':
			path = optarg;
			break;
		case 'd':
			dbg = (uint32_t)strtoul(optarg, NULL, 0);
			level = LOG_DEBUG;
			break;
		case 'f':
			foreground = true;
			break;
		case 't':
			test_only = true;
			break;
		case 'u':
			user = optarg;
			break;
		case 'v':
			level = LOG_DEBUG;
			break;
		case 'V':
			printf("uplinkd %s\n", UPLINKD_VERSION);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "uplinkd: unexpected argument \"%s\"\n", argv[optind]);
		usage(stderr);
		return 2;
	}

	/* the daemon detaches into /: a relative -c would not be found on reload */
	if (path[0] != '/' && !test_only && !replay_file) {
		static char abs_path[PATH_MAX];
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)) ||
		    snprintf(abs_path, sizeof(abs_path), "%s/%s", cwd, path) >=
			    (int)sizeof(abs_path)) {
			fprintf(stderr, "uplinkd: %s: cannot make the path absolute: %s; "
				"give -c an absolute path\n", path, strerror(errno ? errno : ENAMETOOLONG));
			return 1;
		}
		path = abs_path;
	}
	cfg = config_load(path, &diag);
	if (cfg && !replay_file)
		config_check_interfaces(cfg, &diag);
	if (!cfg || test_only || replay_file) {
		for (i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msgs[i]);
	}
	if (!cfg) {
		cfg_diag_free(&diag);
		fprintf(stderr, "uplinkd: %s: configuration not valid; nothing was started\n", path);
		return 1;
	}
	if (replay_file) {
		cfg_diag_free(&diag);
		log_open("uplinkd", true, LOG_ERR, 0);
		err = replay(path, cfg, replay_file);
		log_close();
		config_free(cfg);
		return err;
	}
	if (test_only) {
		char msg[512];
		size_t nwarn = diag.nwarn;

		if (cfg->hooks_dir && hooks_dir_check(cfg->hooks_dir, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "%s: warning: %s\n", path, msg);
			nwarn++;
		}
		if (privs_lookup(&privs, user ? user : cfg->user, msg, sizeof(msg)) < 0) {
			fprintf(stderr, "%s: warning: %s\n", path, msg);
			nwarn++;
		}
		printf("%s: configuration OK (%zu uplink%s", path, cfg->uplinks.n,
		       cfg->uplinks.n == 1 ? "" : "s");
		if (nwarn)
			printf(", %zu warning%s", nwarn, nwarn == 1 ? "" : "s");
		printf(")\n");
		cfg_diag_free(&diag);
		config_free(cfg);
		return 0;
	}

	/* where the log goes, decided once: stderr in the foreground or without syslog */
	to_stderr = foreground || !log_syslog_reachable();
	if (!foreground && (err = detach(to_stderr)) < 0) {
		fprintf(stderr, "uplinkd: cannot detach: %s\n", strerror(-err));
		cfg_diag_free(&diag);
		config_free(cfg);
		return 1;
	}
	log_open("uplinkd", to_stderr, level, dbg);
	if (!foreground && to_stderr)
		log_notice("no syslog socket at %s; logging to stderr", LOG_SYSLOG_PATH);
	for (i = 0; i < diag.n; i++)
		log_warn("%s", diag.msgs[i]);
	cfg_diag_free(&diag);

	memset(&d, 0, sizeof(d));
	d.cfg_path = path;
	d.foreground = foreground;
	d.log_stderr = to_stderr;
	if ((err = loop_init(&d.loop)) < 0 ||
	    (err = loop_signals(&d.loop, sigs, ARRAY_SIZE(sigs), on_signal)) < 0) {
		log_err("cannot set up the event loop: %s", strerror(-err));
		config_free(cfg);
		return 1;
	}
	loop_timer_init(&d.sighup_timer, sighup_timer_cb);
	log_notice("uplinkd %s starting with %s (pid %d)", UPLINKD_VERSION, path, (int)getpid());
	/* never on as full root: its user (or uid 0) with two capabilities, or not at all */
	if (!user)
		user = cfg->user;
	if (privs_lookup(&privs, user, pmsg, sizeof(pmsg)) < 0 ||
	    privs_prepare(&privs, cfg, pmsg, sizeof(pmsg)) < 0 ||
	    privs_drop(&privs, pmsg, sizeof(pmsg)) < 0) {
		log_err("%s; nothing was started", pmsg);
		config_free(cfg);
		loop_destroy(&d.loop);
		log_close();
		return 1;
	}
	if (privs.user)
		log_notice("running as %s (uid %u) with CAP_NET_ADMIN and CAP_NET_RAW", privs.user,
			   (unsigned int)privs.uid);
	else if (geteuid() == 0)
		log_notice("running as root with CAP_NET_ADMIN and CAP_NET_RAW only; set user = \"uplinkd\"; (or -u) to run as a user of its own");
	err = daemon_start(&d, cfg);
	privs_bind_done(); /* every listener is bound */
	if (err == 0)
		err = loop_run(&d.loop);
	loop_timer_cancel(&d.loop, &d.sighup_timer);
	daemon_stop(&d, err == 0);
	loop_destroy(&d.loop);
	log_notice("uplinkd stopped%s", err ? " after an error" : "");
	log_close();
	return err ? 1 : 0;
}
