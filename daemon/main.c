// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: main.c - command line, signals, the one struct daemon
 *
 *   uplinkd [-f] [-c FILE] [-d MASK] [-v]     run (in the foreground with -f)
 *   uplinkd -t [-c FILE]                      check FILE, print every error
 *
 * Signals are blocked first thing and read through signalfd: SIGTERM/SIGINT
 * stop cleanly (leaving a working default route), SIGHUP reloads, SIGCHLD
 * reaps hooks, SIGUSR1 logs the status. Only main() exits.
 */
#include "config.h"
#include "daemon.h"
#include "hook.h"
#include "log.h"
#include "status.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
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
		"usage: uplinkd [-f] [-c FILE] [-d MASK] [-v]\n"
		"       uplinkd -t [-c FILE]\n"
		"  -c FILE  configuration (default " CONFIG_DEFAULT_PATH ")\n"
		"  -t       check the configuration, print every error as FILE:LINE: message\n"
		"  -f       stay in the foreground and log to stderr\n"
		"  -d MASK  debug categories: 1 core, 2 netlink, 4 probes, 8 health, 16 policy,\n"
		"           32 control, 64 plugins (implies -v)\n"
		"  -v       verbose (debug level)\n"
		"  -V       print the version\n");
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
		log_notice("SIGHUP: reloading %s", d->cfg_path);
		daemon_reload(d, NULL);
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

static int detach(void)
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
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	return chdir("/") < 0 ? -errno : 0;
}

int main(int argc, char **argv)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD, SIGUSR1 };
	const char *path = CONFIG_DEFAULT_PATH;
	bool foreground = false, test_only = false;
	int level = LOG_INFO, opt, err;
	uint32_t dbg = 0;
	struct cfg_diag diag = { 0 };
	struct config *cfg;
	struct daemon d;
	sigset_t set;
	size_t i;

	/* signals first: nothing may arrive before signalfd reads them */
	sigemptyset(&set);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	while ((opt = getopt(argc, argv, "c:d:ftvVh")) != -1) {
		switch (opt) {
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

	cfg = config_load(path, &diag);
	for (i = 0; i < diag.n; i++)
		fprintf(stderr, "%s\n", diag.msgs[i]);
	cfg_diag_free(&diag);
	if (!cfg) {
		fprintf(stderr, "uplinkd: %s: configuration not valid; nothing was started\n", path);
		return 1;
	}
	if (test_only) {
		printf("%s: configuration OK (%zu uplink%s)\n", path, cfg->uplinks.n,
		       cfg->uplinks.n == 1 ? "" : "s");
		config_free(cfg);
		return 0;
	}

	if (!foreground && (err = detach()) < 0) {
		fprintf(stderr, "uplinkd: cannot detach: %s\n", strerror(-err));
		config_free(cfg);
		return 1;
	}
	log_open("uplinkd", foreground, level, dbg);

	memset(&d, 0, sizeof(d));
	d.cfg_path = path;
	d.foreground = foreground;
	if ((err = loop_init(&d.loop)) < 0 ||
	    (err = loop_signals(&d.loop, sigs, ARRAY_SIZE(sigs), on_signal)) < 0) {
		log_err("cannot set up the event loop: %s", strerror(-err));
		config_free(cfg);
		return 1;
	}
	log_notice("uplinkd %s starting with %s", UPLINKD_VERSION, path);
	err = daemon_start(&d, cfg);
	if (err == 0)
		err = loop_run(&d.loop);
	daemon_stop(&d, err == 0);
	loop_destroy(&d.loop);
	log_notice("uplinkd stopped%s", err ? " after an error" : "");
	log_close();
	return err ? 1 : 0;
}
