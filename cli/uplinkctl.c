// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: uplinkctl.c - the operator's command line
 *
 *   uplinkctl [-s SOCKET] status [--json]
 *   uplinkctl [-s SOCKET] events [-n N] [--json]
 *   uplinkctl [-s SOCKET] reload
 *   uplinkctl [-s SOCKET] prefer UPLINK|auto
 *   uplinkctl [-s SOCKET] disable|enable UPLINK
 *   uplinkctl [-s SOCKET] ack ALERT-ID
 *   uplinkctl [-s SOCKET] watch
 *
 * Sends one JSON request line to the control socket and prints the reply: a
 * table for people, the object itself with --json. Exit 0 on success, 1 when
 * uplinkd refused, 2 when it could not be asked. States are coloured the same
 * everywhere (up green, degraded yellow, down red) when stdout is a terminal
 * and NO_COLOR is unset. `watch` redraws status, tunnels, alerts and the last
 * events every second until q or Ctrl-C (signalfd: no signal handler globals).
 */
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define JSON_OUT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define DEFAULT_SOCKET "/run/uplinkd/uplinkd.sock"
#define REPLY_MAX (16 * 1024 * 1024)
#define REPLY_TIMEOUT_MS 5000

static bool colour;

/* The colour of a state, the same for uplinks, tunnels, alerts and events. */
static const char *c_on(const char *state)
{
	if (!colour || !state)
		return "";
	if (!strcmp(state, "up") || !strcmp(state, "cleared") || !strcmp(state, "acked"))
		return "\033[32m";
	if (!strcmp(state, "degraded") || !strcmp(state, "connecting") ||
	    !strcmp(state, "avoid"))
		return "\033[33m";
	if (!strcmp(state, "down") || !strcmp(state, "raised") || !strcmp(state, "refused"))
		return "\033[31m";
	return "";
}

static const char *c_bold(void)
{
	return colour ? "\033[1m" : "";
}

static const char *c_off(void)
{
	return colour ? "\033[0m" : "";
}

static void usage(FILE *f)
{
	fprintf(f, "usage: uplinkctl [-s SOCKET] status [--json]\n"
		   "       uplinkctl [-s SOCKET] events [-n N] [--json]\n"
		   "       uplinkctl [-s SOCKET] reload\n"
		   "       uplinkctl [-s SOCKET] prefer UPLINK|auto\n"
		   "       uplinkctl [-s SOCKET] disable|enable UPLINK   (maintenance)\n"
		   "       uplinkctl [-s SOCKET] ack ALERT-ID\n"
		   "       uplinkctl [-s SOCKET] watch\n"
		   "default socket: " DEFAULT_SOCKET "\n");
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Send req, return the parsed reply or NULL (message printed). Everything,
 * connect included, is bounded by REPLY_TIMEOUT_MS. */
static struct json_object *ask(const char *path, struct json_object *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct timeval tv = { .tv_sec = REPLY_TIMEOUT_MS / 1000 };
	const char *txt = json_object_to_json_string_ext(req, JSON_OUT);
	int64_t deadline = mono_ms() + REPLY_TIMEOUT_MS;
	struct json_object *reply = NULL;
	size_t len = 0, cap = 0, off = 0, linelen;
	char *buf = NULL, *line;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "uplinkctl: socket path too long: %s\n", path);
		return NULL;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd >= 0) {
		/* a unix connect() waits on a full backlog for up to SO_SNDTIMEO */
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "uplinkctl: cannot connect to %s: %s (is uplinkd running?)\n",
			path, errno == EAGAIN ? "no answer within 5 s" : strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	linelen = strlen(txt) + 1;
	line = malloc(linelen);
	if (!line) {
		close(fd);
		return NULL;
	}
	memcpy(line, txt, linelen - 1);
	line[linelen - 1] = '\n';
	while (off < linelen) {
		ssize_t n = send(fd, line + off, linelen - off, MSG_NOSIGNAL);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			fprintf(stderr, "uplinkctl: cannot send to %s: %s\n", path,
				errno == EAGAIN ? "timed out" : strerror(errno));
			free(line);
			close(fd);
			return NULL;
		}
		off += (size_t)n;
	}
	free(line);
	for (;;) {
		int64_t left = deadline - mono_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;
		int r;

		if (left <= 0 || (r = poll(&p, 1, (int)left)) == 0) {
			fprintf(stderr, "uplinkctl: no reply from uplinkd within 5 s\n");
			break;
		}
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "uplinkctl: poll: %s\n", strerror(errno));
			break;
		}
		if (len + 4096 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = cap <= REPLY_MAX ? realloc(buf, cap) : NULL;
			if (!nb) {
				fprintf(stderr, "uplinkctl: reply too large\n");
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			fprintf(stderr, "uplinkctl: uplinkd closed the connection without a reply\n");
			break;
		}
		if (memchr(buf + len, '\n', (size_t)n)) {
			len += (size_t)n;
			buf[len] = '\0';
			reply = json_tokener_parse(buf);
			if (!reply || !json_object_is_type(reply, json_type_object)) {
				fprintf(stderr, "uplinkctl: unreadable reply from uplinkd\n");
				json_object_put(reply);
				reply = NULL;
			}
			break;
		}
		len += (size_t)n;
	}
	free(buf);
	close(fd);
	return reply;
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		return NULL;
	return json_object_get_string(v);
}

static void fmt_num(char *buf, size_t len, struct json_object *o, const char *key,
		    const char *unit)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || json_object_is_type(v, json_type_null))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%s", json_object_get_double(v), unit);
}

/* Time of day within the last 24 hours, else the date. */
static void fmt_since(char *buf, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000), now = time(NULL);
	struct tm tm;

	if (ms <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, now - t < 86400 ? "%H:%M:%S" : "%Y-%m-%d", &tm);
}

/* Balance mode and per-flow rules: each uplink's share of new connections and the
 * connections it carries, then each rule's uplink and why. Nothing when not in use. */
static void print_flows(struct json_object *st, struct json_object *ups)
{
	struct json_object *rules, *v;
	size_t i;
	bool any = false;

	for (i = 0; i < json_object_array_length(ups); i++) {
		struct json_object *u = json_object_array_get_idx(ups, i);

		any |= json_object_object_get_ex(u, "connections", &v) && v;
	}
	if (any) {
		printf("\n  %-10s %9s %11s\n", "UPLINK", "NEW CONNS", "CONNECTIONS");
		for (i = 0; i < json_object_array_length(ups); i++) {
			struct json_object *u = json_object_array_get_idx(ups, i), *c = NULL;
			char share[16] = "-", conns[24] = "?";

			if (json_object_object_get_ex(u, "share_pct", &v) && v)
				snprintf(share, sizeof(share), "%d %%", json_object_get_int(v));
			if (json_object_object_get_ex(u, "connections", &c) && c)
				snprintf(conns, sizeof(conns), "%lld",
					 (long long)json_object_get_int64(c));
			printf("  %-10s %9s %11s\n", str(u, "name") ? str(u, "name") : "?", share,
			       conns);
		}
	}
	if (!json_object_object_get_ex(st, "rules", &rules) ||
	    !json_object_is_type(rules, json_type_array) || !json_object_array_length(rules))
		return;
	printf("\n  %-12s %-14s %-10s %s\n", "RULE", "ACTION", "UPLINK", "REASON");
	for (i = 0; i < json_object_array_length(rules); i++) {
		struct json_object *r = json_object_array_get_idx(rules, i);

		printf("  %-12s %-14s %-10s %s\n", str(r, "name") ? str(r, "name") : "?",
		       str(r, "action") ? str(r, "action") : "?",
		       str(r, "uplink") ? str(r, "uplink") : "-",
		       str(r, "reason") ? str(r, "reason") : "");
	}
}

static void print_status(struct json_object *st)
{
	struct json_object *ups, *pol, *v;
	size_t i;

	if (json_object_object_get_ex(st, "policy", &pol)) {
		printf("policy %s, active %s%s%s: %s\n", str(pol, "mode") ? str(pol, "mode") : "?",
		       str(pol, "active") ? str(pol, "active") : "none",
		       str(pol, "prefer") ? ", preferred " : "",
		       str(pol, "prefer") ? str(pol, "prefer") : "",
		       str(pol, "reason") ? str(pol, "reason") : "");
	}
	printf("  %-10s %-9s %-6s %9s %7s %9s %-9s %s\n", "NAME", "STATE", "ACTIVE", "RTT", "LOSS",
	       "JITTER", "SINCE", "REASON");
	if (!json_object_object_get_ex(st, "uplinks", &ups) ||
	    !json_object_is_type(ups, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(ups); i++) {
		struct json_object *u = json_object_array_get_idx(ups, i);
		char rtt[32], loss[32], jit[32], since[32];
		const char *state = str(u, "state"), *reason = str(u, "reason");
		bool active = json_object_object_get_ex(u, "active", &v) && json_object_get_boolean(v);
		char off[160];

		if (json_object_object_get_ex(u, "disabled", &v) && json_object_get_boolean(v)) {
			snprintf(off, sizeof(off), "disabled by %s (measured %s)",
				 str(u, "disabled_by") ? str(u, "disabled_by") : "?",
				 state ? state : "?");
			state = "disabled";
			reason = off;
		}

		fmt_num(rtt, sizeof(rtt), u, "rtt_ms", " ms");
		fmt_num(loss, sizeof(loss), u, "loss_pct", " %");
		fmt_num(jit, sizeof(jit), u, "jitter_ms", " ms");
		fmt_since(since, sizeof(since), json_object_object_get_ex(u, "since_ms", &v) ?
							json_object_get_int64(v) : 0);
		printf("%s%s %-10s%s %s%-9s%s %-6s %9s %7s %9s %-9s %s\n", active ? c_bold() : "",
		       active ? "*" : " ", str(u, "name") ? str(u, "name") : "?",
		       active ? c_off() : "", c_on(state), state ? state : "?", c_off(),
		       active ? "yes" : "no", rtt, loss, jit, since, reason ? reason : "");
	}
	print_flows(st, ups);
}

/* Every uplink's probe targets: sent, answered, RTT and loss over the window, and why
 * the last probe failed when the probe said (a captive portal's 302). */
static void print_targets(struct json_object *st)
{
	struct json_object *ups, *ts, *v;
	size_t i, j;
	bool head = false;

	if (!json_object_object_get_ex(st, "uplinks", &ups) ||
	    !json_object_is_type(ups, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(ups); i++) {
		struct json_object *u = json_object_array_get_idx(ups, i);

		if (!json_object_object_get_ex(u, "targets", &ts) ||
		    !json_object_is_type(ts, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(ts); j++) {
			struct json_object *t = json_object_array_get_idx(ts, j);
			char rtt[32], loss[32];
			int64_t sent = json_object_object_get_ex(t, "sent", &v) ?
					       json_object_get_int64(v) : 0;
			int64_t ans = json_object_object_get_ex(t, "answered", &v) ?
					      json_object_get_int64(v) : 0;

			if (!head) {
				printf("\n  %-10s %-7s %-24s %9s %9s %9s %7s  %s\n", "UPLINK",
				       "METHOD", "TARGET", "SENT", "ANSWERED", "RTT", "LOSS", "ERROR");
				head = true;
			}
			fmt_num(rtt, sizeof(rtt), t, "rtt_ms", " ms");
			fmt_num(loss, sizeof(loss), t, "loss_pct", " %");
			printf("  %-10s %-7s %-24s %9lld %9lld %9s %7s  %s%s%s\n",
			       str(u, "name") ? str(u, "name") : "?",
			       str(t, "method") ? str(t, "method") : "-",
			       str(t, "name") ? str(t, "name") : "?", (long long)sent, (long long)ans,
			       rtt, loss, str(t, "error") ? c_on("down") : "",
			       str(t, "error") ? str(t, "error") : "", str(t, "error") ? c_off() : "");
		}
	}
}

/* tunnels[] and bgp.alerts[], when there are any */
static void print_monitors(struct json_object *st)
{
	struct json_object *ts, *bgp, *as, *v;
	size_t i;

	if (json_object_object_get_ex(st, "tunnels", &ts) &&
	    json_object_is_type(ts, json_type_array) && json_object_array_length(ts)) {
		printf("\n  %-10s %-9s %-8s %-16s %s\n", "TUNNEL", "STATE", "UPLINK", "REMOTE",
		       "REASON");
		for (i = 0; i < json_object_array_length(ts); i++) {
			struct json_object *t = json_object_array_get_idx(ts, i);
			const char *state = str(t, "state");

			printf("  %-10s %s%-9s%s %-8s %-16s %s\n", str(t, "name") ? str(t, "name") : "?",
			       c_on(state), state ? state : "?", c_off(),
			       str(t, "uplink") ? str(t, "uplink") : "-",
			       str(t, "remote") ? str(t, "remote") : "-",
			       str(t, "reason") ? str(t, "reason") : "");
		}
	}
	if (json_object_object_get_ex(st, "bgp", &bgp) &&
	    json_object_object_get_ex(bgp, "alerts", &as) &&
	    json_object_is_type(as, json_type_array) && json_object_array_length(as)) {
		printf("\n  %-14s %-20s %-16s %-8s %s\n", "ALERT", "PREFIX", "PEER", "UPLINK", "ID");
		for (i = 0; i < json_object_array_length(as); i++) {
			struct json_object *a = json_object_array_get_idx(as, i);
			bool acked = json_object_object_get_ex(a, "acked", &v) &&
				     json_object_get_boolean(v);

			printf("  %s%-14s%s %-20s %-16s %-8s %s%s\n", c_on(acked ? "acked" : "raised"),
			       str(a, "type") ? str(a, "type") : "?", c_off(),
			       str(a, "prefix") ? str(a, "prefix") : "-",
			       str(a, "peer") ? str(a, "peer") : "-",
			       str(a, "uplink") ? str(a, "uplink") : "-",
			       str(a, "id") ? str(a, "id") : "", acked ? " (acknowledged)" : "");
		}
	}
}

static void print_events(struct json_object *evs)
{
	size_t i;

	if (!json_object_is_type(evs, json_type_array))
		return;
	for (i = 0; i < json_object_array_length(evs); i++) {
		struct json_object *e = json_object_array_get_idx(evs, i), *v;
		char when[64];
		time_t t;
		struct tm tm;

		t = json_object_object_get_ex(e, "ts_ms", &v) ?
			    (time_t)(json_object_get_int64(v) / 1000) : 0;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%s %-7s %-10s %s%s%s%s%s%s%s%s%s\n", when,
		       str(e, "type") ? str(e, "type") : "?",
		       str(e, "object") ? str(e, "object") : "-",
		       c_on(str(e, "old")), str(e, "old") ? str(e, "old") : "", c_off(),
		       str(e, "old") ? "→" : "",
		       c_on(str(e, "new")), str(e, "new") ? str(e, "new") : "", c_off(),
		       str(e, "reason") ? ": " : "", str(e, "reason") ? str(e, "reason") : "");
	}
}

/* Ask for cmd ("status", "events") and return the member of the same name (or NULL). */
static struct json_object *fetch(const char *sock, const char *cmd, int count,
				 struct json_object **reply)
{
	struct json_object *req = json_object_new_object(), *v;

	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (count)
		json_object_object_add(req, "count", json_object_new_int(count));
	*reply = ask(sock, req);
	json_object_put(req);
	if (*reply && json_object_object_get_ex(*reply, cmd, &v))
		return v;
	return NULL;
}

/* One frame of `watch`: clear and home on a terminal, a separator otherwise. */
static void watch_frame(const char *sock, bool tty)
{
	struct json_object *r1 = NULL, *r2 = NULL, *st, *ev;
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(now, sizeof(now), "%H:%M:%S", &tm);
	st = fetch(sock, "status", 0, &r1);
	ev = st ? fetch(sock, "events", 8, &r2) : NULL;
	if (tty)
		fputs("\033[H\033[2J", stdout);
	else
		puts("----");
	printf("%suplinkd%s %s  (%s; q or Ctrl-C quits)\n\n", c_bold(), c_off(), now, sock);
	if (!st) {
		printf("%suplinkd does not answer on %s; retrying every second%s\n",
		       c_on("down"), sock, c_off());
	} else {
		print_status(st);
		print_targets(st);
		print_monitors(st);
		if (ev) {
			printf("\n");
			print_events(ev);
		}
	}
	fflush(stdout);
	json_object_put(r1);
	json_object_put(r2);
}

/* Redraw every second until q, Ctrl-C (SIGINT), SIGTERM or SIGHUP. */
static int watch(const char *sock)
{
	bool tty_out = isatty(1), tty_in = isatty(0), stdin_open = true;
	struct termios old, raw;
	sigset_t ss;
	int sfd;

	sigemptyset(&ss);
	sigaddset(&ss, SIGINT);
	sigaddset(&ss, SIGTERM);
	sigaddset(&ss, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &ss, NULL) < 0 ||
	    (sfd = signalfd(-1, &ss, SFD_CLOEXEC)) < 0) {
		fprintf(stderr, "uplinkctl: signalfd: %s\n", strerror(errno));
		return 2;
	}
	if (tty_in && tcgetattr(0, &old) == 0) {
		raw = old;
		raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		tcsetattr(0, TCSANOW, &raw);
	} else {
		tty_in = false;
	}
	if (tty_out)
		fputs("\033[?25l", stdout); /* hide the cursor while redrawing */
	for (;;) {
		struct pollfd p[2] = { { .fd = sfd, .events = POLLIN },
				       { .fd = 0, .events = POLLIN } };
		int64_t due = mono_ms() + 1000, left;
		bool quit = false;

		watch_frame(sock, tty_out);
		while (!quit && (left = due - mono_ms()) > 0) {
			int n = poll(p, stdin_open ? 2 : 1, (int)left);

			if (n < 0 && errno != EINTR)
				quit = true;
			if (n <= 0)
				continue;
			if (p[0].revents)
				quit = true;
			if (stdin_open && p[1].revents) {
				char c;
				ssize_t r = read(0, &c, 1);

				if (r <= 0)
					stdin_open = false; /* not a terminal, at its end: run on */
				else if (c == 'q' || c == 'Q' || c == 3 || c == 4)
					quit = true;
			}
		}
		if (quit)
			break;
	}
	if (tty_in)
		tcsetattr(0, TCSANOW, &old);
	if (tty_out)
		fputs("\033[?25h\n", stdout);
	fflush(stdout);
	close(sfd);
	return 0;
}

static int usage_err(const char *fmt, const char *arg)
{
	fprintf(stderr, "uplinkctl: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	return 2;
}

int main(int argc, char **argv)
{
	static const char *const cmds[] = { "status", "events", "reload", "prefer", "ack",
					    "watch", "disable", "enable" };
	const char *sock = DEFAULT_SOCKET, *cmd, *uplink = NULL;
	struct json_object *req, *reply, *v;
	bool json = false, known = false;
	long count = 0;
	size_t k;
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			return usage_err("unknown option \"%s\"", argv[i]);
		}
	}
	if (i >= argc)
		return usage_err("%s", "which command?");
	cmd = argv[i++];
	for (k = 0; k < sizeof(cmds) / sizeof(cmds[0]); k++)
		known = known || !strcmp(cmd, cmds[k]);
	if (!known)
		return usage_err("unknown command \"%s\"", cmd);
	for (; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "--json") && (!strcmp(cmd, "status") || !strcmp(cmd, "events"))) {
			json = true;
		} else if (!strcmp(argv[i], "-n") && !strcmp(cmd, "events")) {
			if (i + 1 >= argc)
				return usage_err("%s", "-n needs a number (1..1000)");
			errno = 0;
			count = strtol(argv[++i], &end, 10);
			if (errno || *end || end == argv[i] || count < 1 || count > 1000)
				return usage_err("-n %s: give a number from 1 to 1000", argv[i]);
		} else if ((!strcmp(cmd, "prefer") || !strcmp(cmd, "ack") ||
			    !strcmp(cmd, "disable") || !strcmp(cmd, "enable")) && !uplink &&
			   argv[i][0] != '-') {
			uplink = argv[i]; /* the uplink; ack: the alert id */
		} else {
			return usage_err("unexpected argument \"%s\"", argv[i]);
		}
	}
	if (!strcmp(cmd, "prefer") && !uplink)
		return usage_err("%s", "prefer needs an uplink name or \"auto\"");
	if ((!strcmp(cmd, "disable") || !strcmp(cmd, "enable")) && !uplink)
		return usage_err("%s needs an uplink name", cmd);
	if (!strcmp(cmd, "ack") && !uplink)
		return usage_err("%s", "ack needs an alert id (see bgp.alerts[] in status --json)");

	colour = isatty(1) && !getenv("NO_COLOR");
	if (!strcmp(cmd, "watch"))
		return watch(sock);
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	if (count)
		json_object_object_add(req, "count", json_object_new_int((int)count));
	if (uplink)
		json_object_object_add(req, strcmp(cmd, "ack") ? "uplink" : "alert",
				       json_object_new_string(uplink));
	reply = ask(sock, req);
	json_object_put(req);
	if (!reply)
		return 2;
	if (!json_object_object_get_ex(reply, "ok", &v) || !json_object_get_boolean(v)) {
		const char *err = str(reply, "error");

		fprintf(stderr, "uplinkctl: %s\n", err ? err : "uplinkd refused the request");
		json_object_put(reply);
		return 1;
	}
	if (!strcmp(cmd, "status") || !strcmp(cmd, "events")) {
		if (!json_object_object_get_ex(reply, cmd, &v)) {
			fprintf(stderr, "uplinkctl: the reply has no \"%s\"\n", cmd);
			json_object_put(reply);
			return 1;
		}
		if (json)
			printf("%s\n", json_object_to_json_string_ext(v, JSON_OUT));
		else if (!strcmp(cmd, "status")) {
			print_status(v);
			print_targets(v);
			print_monitors(v);
		}
		else
			print_events(v);
	} else if (!strcmp(cmd, "reload")) {
		printf("configuration reloaded\n");
	} else if (!strcmp(cmd, "ack")) {
		printf("ack: alert %s acknowledged\n", uplink);
	} else if (!strcmp(cmd, "disable")) {
		printf("disable: %s is out of service until `uplinkctl enable %s`\n", uplink, uplink);
	} else if (!strcmp(cmd, "enable")) {
		printf("enable: %s is back in service\n", uplink);
	} else if (!strcmp(uplink, "auto")) {
		printf("prefer: cleared; the policy chooses again\n");
	} else {
		printf("prefer: %s pinned while it is not down\n", uplink);
	}
	json_object_put(reply);
	return 0;
}
