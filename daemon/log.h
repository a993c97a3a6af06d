/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: log.h - logging to stderr (foreground) or syslog
 *
 * The destination is chosen once in main(). Messages start with the object
 * they are about ("isp1: ..."). log_rl() rate-limits messages caused by peers.
 * Debug categories are a bit mask set with -d (like netifd's D()).
 */
#ifndef UPLINKD_LOG_H
#define UPLINKD_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

enum log_cat {
	LOG_CORE = 1 << 0,
	LOG_NL = 1 << 1,
	LOG_PROBE = 1 << 2,
	LOG_HEALTH = 1 << 3,
	LOG_POLICY = 1 << 4,
	LOG_CTL = 1 << 5,
	LOG_PLUGIN = 1 << 6,
};

#define LOG_SYSLOG_PATH "/dev/log" /* glibc's _PATH_LOG */

void log_open(const char *ident, bool to_stderr, int max_level, uint32_t dbg_mask);
/* Does a syslog daemon listen at LOG_SYSLOG_PATH now? */
bool log_syslog_reachable(void);
void log_close(void);
bool log_enabled(int level);
void log_msg(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void log_dbg_msg(uint32_t cat, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rate limited: at most `burst` messages per `key` every 10 s; the rest are counted. */
struct log_rl {
	uint64_t window_start_ns;
	unsigned int count;
	unsigned int suppressed;
};
void log_rl_msg(struct log_rl *rl, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_err(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARNING, __VA_ARGS__)
#define log_notice(...) log_msg(LOG_NOTICE, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)
#define log_dbg(cat, ...) log_dbg_msg(cat, __VA_ARGS__)

#endif
