// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: journal.c - every event with its reason, kept across restarts
 *
 * Owns STATE_DIR/journal.jsonl and an in-memory ring of the last journal_max
 * entries (each kept as its JSON line). Subscribes to the bus; each event is
 * appended as one line {"ts_ms","type","object","old","new","reason"} with one
 * write() (no fsync: losing the last lines in a power cut is acceptable, a torn
 * line is not fatal). At start the file is read back into the ring; torn or
 * foreign lines are skipped with a warning naming FILE:LINE, and a torn last
 * line is ended so the next entry starts on a line of its own. When the file
 * holds twice journal_max lines, the ring is written to a temporary file that
 * is renamed over it. A write error is logged (rate-limited) and never stops
 * the daemon: the ring keeps working and the file is retried.
 * Set up by daemon.c before the other modules; read by control.c (events).
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

#define JSON_OUT (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
#define JOURNAL_FILE "journal.jsonl"
#define JOURNAL_WARN_LINES 5 /* bad lines named one by one at load; then a total */
#define JOURNAL_LINE_MAX (256 * 1024) /* longer lines are not ours */

struct journal {
	struct daemon *d;
	struct bus_sub sub;
	char *path;
	int fd;		     /* -1: the file is not open (memory only for now) */
	bool torn;	     /* the file may end inside a line: start with '\n' */
	size_t max;
	char **ring;	     /* JSON lines without '\n', oldest at head */
	size_t head, n;
	size_t file_lines;   /* lines in the file, good or bad */
	size_t compact_at;   /* compact when file_lines reaches this */
	struct log_rl rl;
};

static void ring_push(struct journal *j, char *line)
{
	if (j->n == j->max) {
		free(j->ring[j->head]);
		j->ring[j->head] = line;
		j->head = (j->head + 1) % j->max;
	} else {
		j->ring[(j->head + j->n) % j->max] = line;
		j->n++;
	}
}

static const char *ring_at(const struct journal *j, size_t i)
{
	return j->ring[(j->head + i) % j->max];
}

/* mkdir -p with 0750 for the directories it creates. */
static int mkdir_p(const char *dir)
{
	char *p, *s = strdup(dir);
	int err = 0;

	if (!s)
		return -ENOMEM;
	for (p = s + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(s, 0750) < 0 && errno != EEXIST) {
			err = -errno;
			break;
		}
		*p = '/';
	}
	if (!err && mkdir(s, 0750) < 0 && errno != EEXIST)
		err = -errno;
	free(s);
	return err;
}

static int journal_open(struct journal *j)
{
	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return j->fd < 0 ? -errno : 0;
}

/* Write the ring to PATH.tmp and rename it over PATH. */
static int journal_compact(struct journal *j)
{
	char *tmp = NULL;
	FILE *f = NULL;
	size_t i;
	int err;

	if (asprintf(&tmp, "%s.tmp", j->path) < 0)
		return -ENOMEM;
	f = fopen(tmp, "we");
	if (!f) {
		err = -errno;
		goto err;
	}
	for (i = 0; i < j->n; i++)
		if (fputs(ring_at(j, i), f) == EOF || fputc('\n', f) == EOF)
			break;
	if (i < j->n || fflush(f) == EOF || fsync(fileno(f)) < 0) {
		err = -errno;
		goto err;
	}
	if (fclose(f) == EOF) {
		f = NULL;
		err = -errno;
		goto err;
	}
	f = NULL;
	if (rename(tmp, j->path) < 0) {
		err = -errno;
		goto err;
	}
	free(tmp);
	if (j->fd >= 0)
		close(j->fd);
	j->file_lines = j->n;
	j->compact_at = 2 * j->max;
	j->torn = false;
	return journal_open(j);
err:
	if (f)
		fclose(f);
	unlink(tmp);
	free(tmp);
	return err ? err : -EIO;
}

struct json_object *journal_event_json(const struct bus_event *ev)
{
	struct json_object *o = json_object_new_object();

#define STR_OR_NULL(s) ((s) ? json_object_new_string(s) : NULL)
	json_object_object_add(o, "ts_ms", json_object_new_int64((int64_t)(
		ev->ts_ms ? ev->ts_ms : loop_clock_realtime_ms())));
	json_object_object_add(o, "type", json_object_new_string(
		(unsigned int)ev->type < BUS_TYPE_MAX ? bus_type_names[ev->type] : "unknown"));
	json_object_object_add(o, "object", STR_OR_NULL(ev->object));
	json_object_object_add(o, "old", STR_OR_NULL(ev->old_state));
	json_object_object_add(o, "new", STR_OR_NULL(ev->new_state));
	json_object_object_add(o, "reason", STR_OR_NULL(ev->reason));
#undef STR_OR_NULL
	return o;
}

static char *event_line(const struct bus_event *ev)
{
	struct json_object *o = journal_event_json(ev);
	char *line = strdup(json_object_to_json_string_ext(o, JSON_OUT));

	json_object_put(o);
	return line;
}

/* Append line and '\n' with one write(); a short write leaves a torn line. */
static void journal_append(struct journal *j, const char *line)
{
	size_t len = strlen(line);
	char *buf = malloc(len + 2), *p;
	ssize_t n;
	int err;

	if (!buf)
		return;
	p = buf;
	if (j->torn)
		*p++ = '\n';
	memcpy(p, line, len);
	p[len] = '\n';
	len += (size_t)(p - buf) + 1;
	n = write(j->fd, buf, len);
	free(buf);
	if (n != (ssize_t)len) {
		log_rl_msg(&j->rl, LOG_ERR, "journal: cannot write %s: %s; the event is kept in "
			   "memory", j->path, n < 0 ? strerror(errno) : "short write");
		j->torn = j->torn || n > 0;
		return;
	}
	j->torn = false;
	if (++j->file_lines < j->compact_at)
		return;
	err = journal_compact(j);
	if (err < 0) {
		log_rl_msg(&j->rl, LOG_ERR, "journal: cannot compact %s: %s; trying again after "
			   "%zu more events", j->path, strerror(-err), j->max);
		j->compact_at = j->file_lines + j->max;
	}
}

static void journal_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct journal *j = container_of(s, struct journal, sub);
	char *line = event_line(ev);
	int err;

	if (!line)
		return;
	ring_push(j, line);
	if (j->fd < 0 && (err = journal_open(j)) < 0) {
		log_rl_msg(&j->rl, LOG_ERR, "journal: cannot open %s: %s; the event is kept in "
			   "memory", j->path, strerror(-err));
		return;
	}
	journal_append(j, line);
}

/* Is line one journal entry: an object with an integer ts_ms and a string type? */
static bool entry_valid(const char *line, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(4);
	struct json_object *o, *v;
	bool ok = false;

	if (!tok)
		return false;
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (o && json_tokener_get_error(tok) == json_tokener_success &&
	    json_tokener_get_parse_end(tok) == len && json_object_is_type(o, json_type_object) &&
	    json_object_object_get_ex(o, "ts_ms", &v) && json_object_is_type(v, json_type_int) &&
	    json_object_object_get_ex(o, "type", &v) && json_object_is_type(v, json_type_string))
		ok = true;
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

static void journal_load(struct journal *j)
{
	FILE *f = fopen(j->path, "re");
	size_t cap = 0, lineno = 0, bad = 0;
	char *line = NULL, *copy;
	ssize_t len;

	if (!f) {
		if (errno != ENOENT)
			log_warn("journal: cannot read %s: %s; starting empty", j->path,
				 strerror(errno));
		return;
	}
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		j->file_lines++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		else
			j->torn = true; /* the last line has no end */
		if ((size_t)len > JOURNAL_LINE_MAX || !entry_valid(line, (size_t)len)) {
			if (++bad <= JOURNAL_WARN_LINES)
				log_warn("%s:%zu: not a journal entry (torn write?); skipped",
					 j->path, lineno);
			continue;
		}
		copy = strdup(line);
		if (copy)
			ring_push(j, copy);
	}
	if (bad > JOURNAL_WARN_LINES)
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
	j->max = d->cfg->journal_max > 0 ? (size_t)d->cfg->journal_max : 1;
	j->compact_at = 2 * j->max;
	j->ring = calloc(j->max, sizeof(*j->ring));
	if (!j->ring || asprintf(&j->path, "%s/" JOURNAL_FILE, d->cfg->state_dir) < 0) {
		free(j->ring);
		free(j);
		return -ENOMEM;
	}
	d->journal = j;
	j->sub.cb = journal_event;
	bus_subscribe(&d->bus, &j->sub);

	/* From here on nothing is fatal: without the file the ring still works. */
	err = mkdir_p(d->cfg->state_dir);
	if (err < 0) {
		log_err("journal: cannot create %s: %s; events are kept in memory only",
			d->cfg->state_dir, strerror(-err));
		return 0;
	}
	journal_load(j);
	err = journal_open(j);
	if (err < 0) {
		log_err("journal: cannot open %s: %s; events are kept in memory only", j->path,
			strerror(-err));
		return 0;
	}
	if (j->file_lines >= j->compact_at && (err = journal_compact(j)) < 0) {
		log_warn("journal: cannot compact %s: %s", j->path, strerror(-err));
		j->compact_at = j->file_lines + j->max;
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
	size_t i;

	if (!j)
		return arr;
	for (i = count < j->n ? j->n - count : 0; i < j->n; i++) {
		struct json_object *o = json_tokener_parse(ring_at(j, i));

		if (o)
			json_object_array_add(arr, o);
	}
	return arr;
}
