// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: uplinkctl.c - the operator's command line
 *
 *   uplinkctl [-s SOCKET] status [--json]
 *   uplinkctl [-s SOCKET] events [-n N] [--json]
 *   uplinkctl [-s SOCKET] reload
 *   uplinkctl [-s SOCKET] prefer UPLINK|auto
 *
 * Sends one JSON request line to the control socket and prints the reply: a
 * table for people, the object itself with --json. Exit 0 on success, 1 when
 * uplinkd refused, 2 when it could not be asked.
 */
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/uplinkd/uplinkd.sock"
#define REPLY_MAX (16 * 1024 * 1024)

static bool colour;

static const char *c_on(const char *state)
{
	if (!colour || !state)
		return "";
	if (!strcmp(state, "up"))
		return "\033[32m";
	if (!strcmp(state, "degraded"))
		return "\033[33m";
	return "\033[31m";
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
		   "default socket: " DEFAULT_SOCKET "\n");
}

/* Send req, return the parsed reply or NULL (message printed). */
static struct json_object *ask(const char *path, struct json_object *req)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *line = json_object_to_json_string_ext(req, JSON_C_TO_STRING_PLAIN);
	struct json_object *reply = NULL;
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "uplinkctl: socket path too long: %s\n", path);
		return NULL;
	}
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "uplinkctl: cannot connect to %s: %s (is uplinkd running?)\n", path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (write(fd, line, strlen(line)) < 0 || write(fd, "\n", 1) < 0) {
		fprintf(stderr, "uplinkctl: %s: %s\n", path, strerror(errno));
		close(fd);
		return NULL;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 5000) <= 0) {
			fprintf(stderr, "uplinkctl: no reply from uplinkd within 5 s\n");
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
		if (n <= 0) {
			fprintf(stderr, "uplinkctl: uplinkd closed the connection\n");
			break;
		}
		len += (size_t)n;
		if (memchr(buf, '\n', len)) {
			buf[len] = '\0';
			reply = json_tokener_parse(buf);
			if (!reply)
				fprintf(stderr, "uplinkctl: unreadable reply\n");
			break;
		}
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

static void fmt_since(char *buf, size_t len, int64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(buf, len, "-");
		return;
	}
	localtime_r(&t, &tm);
	strftime(buf, len, "%H:%M:%S", &tm);
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
	if (!json_object_object_get_ex(st, "uplinks", &ups))
		return;
	for (i = 0; i < json_object_array_length(ups); i++) {
		struct json_object *u = json_object_array_get_idx(ups, i);
		char rtt[32], loss[32], jit[32], since[32];
		const char *state = str(u, "state");
		bool active = json_object_object_get_ex(u, "active", &v) && json_object_get_boolean(v);

		fmt_num(rtt, sizeof(rtt), u, "rtt_ms", " ms");
		fmt_num(loss, sizeof(loss), u, "loss_pct", " %");
		fmt_num(jit, sizeof(jit), u, "jitter_ms", " ms");
		fmt_since(since, sizeof(since), json_object_object_get_ex(u, "since_ms", &v) ?
							json_object_get_int64(v) : 0);
		printf("%s %-10s %s%-9s%s %-6s %9s %7s %9s %-9s %s\n", active ? "*" : " ",
		       str(u, "name"), c_on(state), state ? state : "?", c_off(),
		       active ? "yes" : "no", rtt, loss, jit, since,
		       str(u, "reason") ? str(u, "reason") : "");
	}
}

static void print_events(struct json_object *evs)
{
	size_t i;

	for (i = 0; i < json_object_array_length(evs); i++) {
		struct json_object *e = json_object_array_get_idx(evs, i), *v;
		char when[64];
		time_t t;
		struct tm tm;

		t = json_object_object_get_ex(e, "ts_ms", &v) ?
			    (time_t)(json_object_get_int64(v) / 1000) : 0;
		localtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
		printf("%s %-7s %-10s %s%s%s%s%s\n", when, str(e, "type") ? str(e, "type") : "?",
		       str(e, "object") ? str(e, "object") : "-",
		       str(e, "old") ? str(e, "old") : "", str(e, "old") ? "→" : "",
		       str(e, "new") ? str(e, "new") : "", str(e, "reason") ? ": " : "",
		       str(e, "reason") ? str(e, "reason") : "");
	}
}

int main(int argc, char **argv)
{
	const char *sock = DEFAULT_SOCKET, *cmd;
	struct json_object *req, *reply, *v;
	bool json = false;
	int count = 50, i, rc = 0;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-s") && i + 1 < argc) {
			sock = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	cmd = argv[i++];
	req = json_object_new_object();
	json_object_object_add(req, "cmd", json_object_new_string(cmd));
	for (; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc && !strcmp(cmd, "events")) {
			count = atoi(argv[++i]);
			json_object_object_add(req, "count", json_object_new_int(count));
		} else if (!strcmp(cmd, "prefer") && argv[i][0] != '-') {
			json_object_object_add(req, "uplink", json_object_new_string(argv[i]));
		} else {
			fprintf(stderr, "uplinkctl: unexpected argument \"%s\"\n", argv[i]);
			usage(stderr);
			json_object_put(req);
			return 2;
		}
	}
	colour = isatty(1) && !getenv("NO_COLOR");
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
	if (!strcmp(cmd, "status") && json_object_object_get_ex(reply, "status", &v)) {
		if (json)
			printf("%s\n", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		else
			print_status(v);
	} else if (!strcmp(cmd, "events") && json_object_object_get_ex(reply, "events", &v)) {
		if (json)
			printf("%s\n", json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		else
			print_events(v);
	} else if (!strcmp(cmd, "reload")) {
		printf("configuration reloaded\n");
	} else if (!strcmp(cmd, "prefer")) {
		printf("ok\n");
	}
	json_object_put(reply);
	return rc;
}
