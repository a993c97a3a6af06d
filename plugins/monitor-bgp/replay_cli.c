// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: replay_cli.c - uplinkd --replay: the BGP monitor alone over an MRT dump
 *
 * The plugin's `replay` hook, which main.c dispatches to. It assembles the
 * least of a daemon the monitor needs (a bus and a loop that never runs, so the
 * BMP listener never opens), creates the monitor from the bgp section, reads
 * the whole dump (at most 1 GiB) and hands it to bgpmon_replay(). Each alert
 * and steering event goes to stdout as a JSON line in the journal's format,
 * then the alerts still raised; the summary or the error goes to stderr.
 * SIGINT and SIGTERM stay blocked as main() left them; replay.c looks for
 * them between records, and the exit status is then 128 + the signal.
 * Calls bgpmon.c through the plugin's hooks and bgpmon_replay(); called by
 * main.c (through plugin.h) and the tests.
 */
#include "bus.h"
#include "daemon.h"
#include "loop.h"
#include "view.h"

#include "replay_cli.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REPLAY_FILE_MAX (1ULL << 30)
#define JSON_OUT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

int bgp_replay_file(void *inst, const char *path, char *msg, size_t msglen)
{
	struct replay_stats st;
	struct stat sb;
	char err[256];
	uint8_t *buf;
	size_t off = 0;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(msg, msglen, "%s: cannot open: %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    (unsigned long long)sb.st_size > REPLAY_FILE_MAX) {
		snprintf(msg, msglen, "%s: not a regular file of at most 1 GiB", path);
		close(fd);
		return -EINVAL;
	}
	buf = malloc(sb.st_size ? (size_t)sb.st_size : 1);
	if (!buf) {
		close(fd);
		snprintf(msg, msglen, "%s: out of memory", path);
		return -ENOMEM;
	}
	while (off < (size_t)sb.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)sb.st_size - off);

		if (n <= 0) {
			snprintf(msg, msglen, "%s: read: %s", path, n < 0 ? strerror(errno) :
				 "file shrank");
			free(buf);
			close(fd);
			return -EIO;
		}
		off += (size_t)n;
	}
	close(fd);
	if (off == 0) {
		free(buf);
		snprintf(msg, msglen, "%s: empty file; expected MRT records (RFC 6396)", path);
		return -EINVAL;
	}
	r = bgpmon_replay(inst, buf, off, &st, err, sizeof(err));
	free(buf);
	if (r == -EINTR) {
		snprintf(msg, msglen, "%s: %s", path, err);
		return r;
	}
	if (r < 0) {
		snprintf(msg, msglen, "%s: not a usable MRT file: %s (after %llu records)", path,
			 err, (unsigned long long)st.records);
		return r;
	}
	snprintf(msg, msglen, "%s: %llu records, %llu RIB entries, %llu UPDATEs, %llu prefixes, %llu malformed, %llu skipped",
		 path, (unsigned long long)st.records, (unsigned long long)st.rib_entries,
		 (unsigned long long)st.updates, (unsigned long long)st.prefixes,
		 (unsigned long long)st.malformed, (unsigned long long)st.skipped);
	return 0;
}

/* events as JSON lines on stdout, as the journal would keep them */
struct replay_out {
	struct bus_sub sub;
	unsigned long n;
};

static void replay_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct replay_out *o = container_of(s, struct replay_out, sub);
	struct json_object *j;

	if (ev->type != BUS_ALERT && ev->type != BUS_STEER)
		return;
	j = view_event_json(ev);
	printf("%s\n", json_object_to_json_string_ext(j, JSON_OUT));
	json_object_put(j);
	o->n++;
}

/* the alerts still raised at the end, one JSON line each */
static void print_alerts(void *inst)
{
	struct json_object *st = json_object_new_object(), *bgp, *alerts;
	size_t i;

	plugin_bgp.status(inst, st);
	if (json_object_object_get_ex(st, "bgp", &bgp) &&
	    json_object_object_get_ex(bgp, "alerts", &alerts))
		for (i = 0; i < json_object_array_length(alerts); i++)
			printf("%s\n", json_object_to_json_string_ext(
				json_object_array_get_idx(alerts, i), JSON_OUT));
	json_object_put(st);
}

int bgp_replay_main(const char *cfg_path, const void *conf, const char *file)
{
	struct replay_out out = { .sub.cb = replay_event };
	struct daemon d;
	char msg[512] = "";
	void *inst;
	int err;

	if (!conf) {
		fprintf(stderr, "uplinkd: %s: no bgp section; add bgp = { watch = ( { prefix = \"...\"; origin_as = [ ... ]; } ); } to replay against it\n",
			cfg_path);
		return 1;
	}
	memset(&d, 0, sizeof(d));
	d.cfg_path = cfg_path;
	list_init(&d.uplinks);
	bus_init(&d.bus);
	if ((err = loop_init(&d.loop)) < 0) {
		fprintf(stderr, "uplinkd: cannot set up the event loop: %s\n", strerror(-err));
		return 1;
	}
	bus_subscribe(&d.bus, &out.sub);
	inst = plugin_bgp.create(&d, conf);
	if (!inst) {
		fprintf(stderr, "uplinkd: the BGP monitor could not start\n");
		bus_unsubscribe(&out.sub);
		loop_destroy(&d.loop);
		return 1;
	}
	err = bgp_replay_file(inst, file, msg, sizeof(msg));
	if (err == -EINTR) { /* SIGINT or SIGTERM (pending) stopped it: 128 + its number */
		sigset_t pend;

		fprintf(stderr, "uplinkd: %s; stopped\n", msg);
		sigpending(&pend);
		err = 128 + (sigismember(&pend, SIGINT) ? SIGINT : SIGTERM);
	} else if (err < 0) {
		fprintf(stderr, "uplinkd: %s\n", msg);
	} else {
		print_alerts(inst);
		fprintf(stderr, "uplinkd: %s; %lu event%s\n", msg, out.n, out.n == 1 ? "" : "s");
	}
	bus_unsubscribe(&out.sub);
	plugin_bgp.destroy(inst);
	loop_destroy(&d.loop);
	return err < 0 ? 1 : err;
}
