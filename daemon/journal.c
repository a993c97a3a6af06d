// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: journal.c - every event with its reason, kept across restarts
 *
 * Owns STATE_DIR/journal.jsonl and an in-memory ring of the last journal_max
 * entries. Subscribes to the bus; each event is appended as one JSON line. The
 * file is compacted (last journal_max lines, written to a temporary file and
 * renamed over it) when it holds twice that, and read back at start, skipping
 * torn or foreign lines with a warning. A write error is logged, rate-limited,
 * and never stops the daemon. Read by control.c (`uplinkctl events`).
 */
#include "journal.h"
#include "bus.h"
#include "daemon.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct journal {
	struct daemon *d;
	struct bus_sub sub;
	char *path;
	int fd;
	size_t max;
	char **ring; /* JSON lines, oldest at head */
	size_t head, n;
	size_t file_lines;
	struct log_rl rl;
};

static void ring_push(struct journal *j, char *line)
{
	size_t slot = (j->head + j->n) % j->max;

	if (j->n == j->max) {
		free(j->ring[j->head]);
		j->ring[j->head] = line;
		j->head = (j->head + 1) % j->max;
	} else {
		j->ring[slot] = line;
		j->n++;
	}
}

static int journal_compact(struct journal *j)
{
	char tmp[4096];
	size_t i;
	int fd;

	snprintf(tmp, sizeof(tmp), "%s.tmp", j->path);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return -errno;
	for (i = 0; i < j->n; i++) {
		const char *l = j->ring[(j->head + i) % j->max];

		if (write(fd, l, strlen(l)) < 0 || write(fd, "\n", 1) < 0) {
			int err = -errno;

			close(fd);
			unlink(tmp);
			return err;
		}
	}
	if (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, j->path) < 0) {
		int err = -errno;

		unlink(tmp);
		return err;
	}
	if (j->fd >= 0)
		close(j->fd);
	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	j->file_lines = j->n;
	return j->fd < 0 ? -errno : 0;
}

static void journal_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct journal *j = container_of(s, struct journal, sub);
	struct json_object *o = json_object_new_object();
	const char *txt;
	char *line;

	json_object_object_add(o, "ts_ms", json_object_new_int64((int64_t)ev->ts_ms));
	json_object_object_add(o, "type", json_object_new_string(bus_type_names[ev->type]));
	json_object_object_add(o, "object", ev->object ? json_object_new_string(ev->object) : NULL);
	json_object_object_add(o, "old", ev->old_state ? json_object_new_string(ev->old_state) : NULL);
	json_object_object_add(o, "new", ev->new_state ? json_object_new_string(ev->new_state) : NULL);
	json_object_object_add(o, "reason", ev->reason ? json_object_new_string(ev->reason) : NULL);
	txt = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	line = strdup(txt);
	json_object_put(o);
	if (!line)
		return;
	ring_push(j, line);
	if (j->fd < 0)
		return;
	if (write(j->fd, line, strlen(line)) < 0 || write(j->fd, "\n", 1) < 0) {
		log_rl_msg(&j->rl, LOG_ERR, "journal: cannot write %s: %s", j->path, strerror(errno));
		return;
	}
	if (++j->file_lines >= 2 * j->max) {
		int err = journal_compact(j);

		if (err < 0)
			log_rl_msg(&j->rl, LOG_ERR, "journal: cannot compact %s: %s", j->path,
				   strerror(-err));
	}
}

static void journal_load(struct journal *j)
{
	FILE *f = fopen(j->path, "r");
	char *line = NULL;
	size_t cap = 0, lineno = 0, bad = 0;
	ssize_t len;

	if (!f)
		return;
	while ((len = getline(&line, &cap, f)) > 0) {
		struct json_object *o;

		lineno++;
		j->file_lines++;
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		o = json_tokener_parse(line);
		if (!o || !json_object_is_type(o, json_type_object) ||
		    !json_object_object_get_ex(o, "ts_ms", NULL)) {
			if (!bad++)
				log_warn("%s:%zu: not a journal entry (torn write?); skipped", j->path,
					 lineno);
			json_object_put(o);
			continue;
		}
		json_object_put(o);
		ring_push(j, strdup(line));
	}
	if (bad > 1)
		log_warn("%s: %zu lines skipped in all", j->path, bad);
	free(line);
	fclose(f);
}

int journal_init(struct daemon *d)
{
	struct journal *j = calloc(1, sizeof(*j));
	int err;

	if (!j)
		return -ENOMEM;
	j->d = d;
	j->fd = -1;
	j->max = (size_t)d->cfg->journal_max;
	j->ring = calloc(j->max, sizeof(*j->ring));
	if (!j->ring || asprintf(&j->path, "%s/journal.jsonl", d->cfg->state_dir) < 0) {
		free(j->ring);
		free(j);
		return -ENOMEM;
	}
	d->journal = j;
	j->sub.cb = journal_event;
	bus_subscribe(&d->bus, &j->sub);
	if (mkdir(d->cfg->state_dir, 0750) < 0 && errno != EEXIST) {
		err = -errno;
		log_err("journal: cannot create %s: %s; events are kept in memory only",
			d->cfg->state_dir, strerror(errno));
		return err;
	}
	journal_load(j);
	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	if (j->fd < 0) {
		err = -errno;
		log_err("journal: cannot open %s: %s; events are kept in memory only", j->path,
			strerror(errno));
		return err;
	}
	return 0;
}

void journal_destroy(struct daemon *d)
{
	struct journal *j = d->journal;
	size_t i;

	if (!j)
		return;
	bus_unsubscribe(&j->sub);
	for (i = 0; i < j->n; i++)
		free(j->ring[(j->head + i) % j->max]);
	free(j->ring);
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j);
	d->journal = NULL;
}

struct json_object *journal_last(struct daemon *d, size_t count)
{
	struct json_object *arr = json_object_new_array();
	struct journal *j = d->journal;
	size_t i, from;

	if (!j)
		return arr;
	from = count < j->n ? j->n - count : 0;
	for (i = from; i < j->n; i++) {
		struct json_object *o = json_tokener_parse(j->ring[(j->head + i) % j->max]);

		if (o)
			json_object_array_add(arr, o);
	}
	return arr;
}
