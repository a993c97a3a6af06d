// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: log.c - the one place output is formatted
 *
 * Owns the log destination (stderr or syslog) and the level. Everyone calls it;
 * it calls nothing of ours. The state below is write-once configuration set by
 * main() before the loop starts, not mutable daemon state. main() asks
 * log_syslog_reachable() once: without a syslog socket, messages go to stderr
 * rather than nowhere (a rootfs without syslogd, a container).
 */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static struct {
	bool to_stderr;
	int max_level;
	uint32_t dbg_mask;
	bool opened;
} log_cfg = { .to_stderr = true, .max_level = LOG_INFO };

static const char *const level_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit",
	[LOG_ERR] = "error",   [LOG_WARNING] = "warning", [LOG_NOTICE] = "notice",
	[LOG_INFO] = "info",   [LOG_DEBUG] = "debug",
};

void log_open(const char *ident, bool to_stderr, int max_level, uint32_t dbg_mask)
{
	log_cfg.to_stderr = to_stderr;
	log_cfg.max_level = max_level;
	log_cfg.dbg_mask = dbg_mask;
	if (!to_stderr) {
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
		log_cfg.opened = true;
	}
}

bool log_syslog_reachable(void)
{
	static const int types[] = { SOCK_DGRAM, SOCK_STREAM }; /* as glibc's openlog() tries */
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	size_t i;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", LOG_SYSLOG_PATH);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0), r;

		if (fd < 0)
			continue;
		r = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
		close(fd);
		if (r == 0)
			return true;
	}
	return false;
}

void log_close(void)
{
	if (log_cfg.opened)
		closelog();
	log_cfg.opened = false;
}

bool log_enabled(int level)
{
	return level <= log_cfg.max_level;
}

static void log_vmsg(int level, const char *fmt, va_list ap)
{
	if (log_cfg.to_stderr) {
		struct timespec ts;
		struct tm tm;
		char buf[1024];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		vsnprintf(buf, sizeof(buf), fmt, ap);
		fprintf(stderr, "%02d:%02d:%02d.%03ld %s: %s\n", tm.tm_hour, tm.tm_min,
			tm.tm_sec, ts.tv_nsec / 1000000, level_names[level & 7], buf);
	} else {
		vsyslog(level, fmt, ap);
	}
}

void log_msg(int level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vmsg(level, fmt, ap);
	va_end(ap);
}

void log_dbg_msg(uint32_t cat, const char *fmt, ...)
{
	va_list ap;

	if (!(log_cfg.dbg_mask & cat))
		return;
	va_start(ap, fmt);
	log_vmsg(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

#define LOG_RL_WINDOW_NS (10ULL * 1000000000ULL)
#define LOG_RL_BURST 5

void log_rl_msg(struct log_rl *rl, int level, const char *fmt, ...)
{
	struct timespec ts;
	uint64_t now;
	va_list ap;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	if (now - rl->window_start_ns > LOG_RL_WINDOW_NS) {
		if (rl->suppressed)
			log_msg(level, "(%u similar messages suppressed)", rl->suppressed);
		rl->window_start_ns = now;
		rl->count = 0;
		rl->suppressed = 0;
	}
	if (rl->count >= LOG_RL_BURST) {
		rl->suppressed++;
		return;
	}
	rl->count++;
	va_start(ap, fmt);
	if (log_enabled(level))
		log_vmsg(level, fmt, ap);
	va_end(ap);
}
