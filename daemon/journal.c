// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: journal.c - every event with its reason, kept across restarts
 *
 * Owns STATE_DIR (created 0700; refused when another user owns it or group or
 * others may write it), STATE_DIR/journal.jsonl and an in-memory ring of the
 * last journal_max entries (each kept as its JSON line). Subscribes to the
 * bus; each event becomes one line {"ts_ms","type","object","old","new",
 * "reason"} of at most JOURNAL_LINE_MAX bytes. Lines are batched: the events
 * of one loop callback leave with one write() from a deferred event (no fsync:
 * losing the last lines in a power cut is acceptable, a torn line is not
 * fatal). When the ring is full, the oldest entry of the lowest rank present
 * goes first: monitor chatter (signal, alert), then operator and other entries
 * (config, action, error), then the router's own history (uplink, active,
 * tunnel, steer). So neither a monitor flood nor a reload storm (every SIGHUP
 * is a config entry) can push the uplink and route history out. At start the file is read back (lines longer than
 * JOURNAL_LINE_MAX, torn or foreign ones skipped with a warning naming
 * FILE:LINE; a torn last line is ended so the next entry starts on a line of
 * its own). When the file holds twice journal_max lines, a timer a second
 * later (off the path of the event) writes the ring to a temporary file,
 * renames it over the journal and fsyncs the directory. Files are opened
 * relative to the checked directory and never through a symbolic link. A
 * write error is logged (rate-limited) and never stops the daemon: the ring
 * keeps working and the file is retried.
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
#define JOURNAL_TMP "journal.jsonl.tmp"
#define JOURNAL_WARN_LINES 5 /* bad lines named one by one at load; then a total */
#define JOURNAL_LINE_MAX (16 * 1024) /* longer lines are not written, and not read back */
#define JOURNAL_REASON_MAX 2048 /* a longer reason is cut to keep a line bounded */
#define JOURNAL_LOAD_MAX (64LL << 20) /* of a bigger file only the end is read */
#define JOURNAL_COMPACT_DELAY_NS (1 * NSEC_PER_SEC)

struct jentry {
	char *line; /* JSON without '\n' */
	int rank;   /* JRANK_*: the lowest goes first when the ring is full */
};

struct journal {
	struct daemon *d;
	struct bus_sub sub;
	char *dir;
	char *path;	     /* for messages */
	int dirfd;	     /* -1: no usable directory (memory only) */
	int fd;		     /* -1: the file is not open (memory only for now) */
	bool torn;	     /* the file may end inside a line: start with '\n' */
	size_t max;
	struct jentry *ring; /* oldest at head */
	size_t head, n;
	size_t file_lines;   /* lines in the file, good or bad */
	size_t compact_at;   /* compact when file_lines reaches this */
	char *out;	     /* lines waiting for the flush */
	size_t out_len, out_cap;
	struct loop_event flush_ev;
	struct loop_timer compact_timer;
	struct log_rl rl;
};

enum {
	JRANK_CHATTER,	/* signal, alert: a monitor flood */
	JRANK_OTHER,	/* config, action, error: a reload storm */
	JRANK_HISTORY,	/* uplink, active, tunnel, steer: what the router did */
};

static int type_rank(const char *type)
{
	static const char *const history[] = { "uplink", "active", "tunnel", "steer" };
	size_t i;

	if (!strcmp(type, "signal") || !strcmp(type, "alert"))
		return JRANK_CHATTER;
	for (i = 0; i < sizeof(history) / sizeof(history[0]); i++)
		if (!strcmp(type, history[i]))
			return JRANK_HISTORY;
	return JRANK_OTHER;
}

static struct jentry *ring_at(const struct journal *j, size_t i)
{
	return &j->ring[(j->head + i) % j->max];
}

static void ring_push(struct journal *j, char *line, int rank)
{
	size_t i, victim = 0;

	if (j->n == j->max) {
		/* the oldest entry of the lowest rank in the ring */
		for (i = 0; i < j->n; i++)
			if (ring_at(j, i)->rank < ring_at(j, victim)->rank) {
				victim = i;
				if (ring_at(j, i)->rank == JRANK_CHATTER)
					break;
			}
		free(ring_at(j, victim)->line);
		for (i = victim; i + 1 < j->n; i++)
			*ring_at(j, i) = *ring_at(j, i + 1);
		j->n--;
	}
	*ring_at(j, j->n) = (struct jentry){ .line = line, .rank = rank };
	j->n++;
}

/* mkdir -p: parents 0755, the state directory itself 0700. */
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
		if (mkdir(s, 0755) < 0 && errno != EEXIST) {
			err = -errno;
			break;
		}
		*p = '/';
	}
	if (!err && mkdir(s, 0700) < 0 && errno != EEXIST)
		err = -errno;
	free(s);
	return err;
}

int journal_state_dir_check(const struct stat *st, const char *dir, char *msg, size_t len)
{
	uid_t me = geteuid();

	if (!S_ISDIR(st->st_mode)) {
		snprintf(msg, len, "state_dir %s is not a directory; point state_dir at a directory of uplinkd's own",
			 dir);
		return -ENOTDIR;
	}
	if (st->st_uid != me && st->st_uid != 0) {
		snprintf(msg, len, "state_dir %s belongs to uid %u, not to uplinkd (uid %u) or root, so it could rewrite uplinkd's journal; chown %u %s, or point state_dir at a directory of uplinkd's own",
			 dir, (unsigned int)st->st_uid, (unsigned int)me, (unsigned int)me, dir);
		return -EPERM;
	}
	if (st->st_mode & (S_IWGRP | S_IWOTH)) {
		snprintf(msg, len, "state_dir %s may be written by %s (mode %04o); chmod 0700 %s (uplinkd creates it so)",
			 dir, st->st_mode & S_IWOTH ? "anyone" : "its group",
			 (unsigned int)(st->st_mode & 07777), dir);
		return -EPERM;
	}
	return 0;
}

/* The state directory, created if missing and checked: 0, -EPERM (refused: msg says
 * why and what to do), or another -errno (unusable: memory only). */
static int state_dir_open(struct journal *j, char *msg, size_t len)
{
	struct stat st;
	int err = mkdir_p(j->dir), fd;

	if (err < 0) {
		snprintf(msg, len, "cannot create %s: %s", j->dir, strerror(-err));
		return err;
	}
	fd = open(j->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		err = -errno;
		snprintf(msg, len, "cannot open %s: %s", j->dir, strerror(errno));
		if (fd >= 0)
			close(fd);
		return err;
	}
	err = journal_state_dir_check(&st, j->dir, msg, len);
	if (err < 0) {
		close(fd);
		return err == -ENOTDIR ? err : -EPERM;
	}
	j->dirfd = fd;
	return 0;
}

/* Open name in the state directory, never through a symbolic link, a regular file only. */
static int file_open(struct journal *j, const char *name, int flags)
{
	struct stat st;
	int fd = openat(j->dirfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

static const char *open_error(int err)
{
	return err == -ELOOP ? "it is a symbolic link, which uplinkd does not follow; remove it (uplinkd writes the file itself)" :
	       err == -EINVAL ? "not a regular file; remove it (uplinkd writes the file itself)" :
	       strerror(-err);
}

static int journal_open(struct journal *j)
{
	int fd;

	if (j->dirfd < 0)
		return -ENOENT;
	fd = file_open(j, JOURNAL_FILE, O_WRONLY | O_APPEND | O_CREAT);
	if (fd < 0)
		return fd;
	j->fd = fd;
	return 0;
}

/* Write the ring to JOURNAL_TMP, rename it over the journal, sync the directory. */
static int journal_compact(struct journal *j)
{
	FILE *f = NULL;
	size_t i;
	int err, fd;

	unlinkat(j->dirfd, JOURNAL_TMP, 0); /* whatever a crash left there */
	fd = file_open(j, JOURNAL_TMP, O_WRONLY | O_CREAT | O_EXCL);
	if (fd < 0)
		return fd;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		goto err;
	}
	for (i = 0; i < j->n; i++)
		if (fputs(ring_at(j, i)->line, f) == EOF || fputc('\n', f) == EOF)
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
	if (renameat(j->dirfd, JOURNAL_TMP, j->dirfd, JOURNAL_FILE) < 0) {
		err = -errno;
		goto err;
	}
	if (fsync(j->dirfd) < 0) /* the rename itself must survive a power cut */
		log_rl_msg(&j->rl, LOG_WARNING, "journal: fsync %s: %s", j->dir, strerror(errno));
	if (j->fd >= 0)
		close(j->fd);
	j->fd = -1;
	j->file_lines = j->n;
	j->compact_at = 2 * j->max;
	j->torn = false;
	return journal_open(j);
err:
	if (f)
		fclose(f);
	unlinkat(j->dirfd, JOURNAL_TMP, 0);
	return err ? err : -EIO;
}

static void compact_cb(struct loop_timer *t)
{
	struct journal *j = container_of(t, struct journal, compact_timer);
	int err;

	if (j->file_lines < j->compact_at || j->dirfd < 0)
		return;
	err = journal_compact(j);
	if (err < 0) {
		log_rl_msg(&j->rl, LOG_ERR, "journal: cannot compact %s: %s; trying again after %zu more events",
			   j->path, open_error(err), j->max);
		j->compact_at = j->file_lines + j->max;
	}
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

/* One bounded line: a reason that would make it longer than JOURNAL_LINE_MAX is cut. */
static char *event_line(const struct bus_event *ev)
{
	struct bus_event e = *ev;
	char cut[JOURNAL_REASON_MAX + 4];
	struct json_object *o = journal_event_json(&e);
	char *line = NULL;

	if (strlen(json_object_to_json_string_ext(o, JSON_OUT)) > JOURNAL_LINE_MAX) {
		json_object_put(o);
		snprintf(cut, sizeof(cut), "%.*s...", JOURNAL_REASON_MAX, e.reason ? e.reason : "");
		e.reason = cut;
		if (e.object && strlen(e.object) > 256)
			e.object = "(name too long)";
		if (e.old_state && strlen(e.old_state) > 256)
			e.old_state = "(too long)";
		if (e.new_state && strlen(e.new_state) > 256)
			e.new_state = "(too long)";
		o = journal_event_json(&e);
	}
	if (strlen(json_object_to_json_string_ext(o, JSON_OUT)) <= JOURNAL_LINE_MAX)
		line = strdup(json_object_to_json_string_ext(o, JSON_OUT));
	json_object_put(o);
	return line;
}

static void journal_flush(struct journal *j)
{
	ssize_t n = -1;
	size_t len = j->out_len;
	char *p = j->out;
	int err;

	if (!len)
		return;
	j->out_len = 0;
	if (j->fd < 0 && (err = journal_open(j)) < 0) {
		log_rl_msg(&j->rl, LOG_ERR, "journal: cannot open %s: %s; the events are kept in memory",
			   j->path, open_error(err));
		return;
	}
	if (j->torn) {
		if (write(j->fd, "\n", 1) != 1)
			goto fail;
		j->torn = false;
	}
	n = write(j->fd, p, len);
	if (n != (ssize_t)len) {
		j->torn = n > 0;
		goto fail;
	}
	if (j->file_lines >= j->compact_at && !loop_timer_pending(&j->compact_timer))
		loop_timer_set_in(&j->d->loop, &j->compact_timer, JOURNAL_COMPACT_DELAY_NS);
	return;
fail:
	log_rl_msg(&j->rl, LOG_ERR, "journal: cannot write %s: %s; the events are kept in memory",
		   j->path, n < 0 ? strerror(errno) : "short write");
}

static void flush_cb(struct loop_event *e)
{
	journal_flush(container_of(e, struct journal, flush_ev));
}

static void journal_event(struct bus_sub *s, const struct bus_event *ev)
{
	struct journal *j = container_of(s, struct journal, sub);
	char *line = event_line(ev);
	size_t len;

	if (!line)
		return;
	ring_push(j, line, type_rank((unsigned int)ev->type < BUS_TYPE_MAX ?
				     bus_type_names[ev->type] : "unknown"));
	if (j->dirfd < 0)
		return;
	len = strlen(line);
	if (j->out_len + len + 1 > j->out_cap) {
		size_t cap = (j->out_len + len + 1) * 2;
		char *o = realloc(j->out, cap);

		if (!o)
			return;
		j->out = o;
		j->out_cap = cap;
	}
	memcpy(j->out + j->out_len, line, len);
	j->out[j->out_len + len] = '\n';
	j->out_len += len + 1;
	j->file_lines++;
	loop_event_schedule(&j->d->loop, &j->flush_ev);
}

/* Is line one journal entry: an object with an integer ts_ms and a string type? */
static bool entry_valid(const char *line, size_t len, int *rank)
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
	    json_object_object_get_ex(o, "type", &v) && json_object_is_type(v, json_type_string)) {
		ok = true;
		*rank = type_rank(json_object_get_string(v));
	}
	json_object_put(o);
	json_tokener_free(tok);
	return ok;
}

static void journal_load(struct journal *j)
{
	size_t lineno = 0, bad = 0, len;
	char *line = malloc(JOURNAL_LINE_MAX + 2), *copy;
	struct stat st;
	bool skipping = false;
	int rank;
	FILE *f;
	int fd;

	if (!line)
		return;
	fd = file_open(j, JOURNAL_FILE, O_RDONLY);
	if (fd < 0) {
		if (fd != -ENOENT)
			log_warn("journal: cannot read %s: %s; starting empty", j->path,
				 open_error(fd));
		free(line);
		return;
	}
	if (fstat(fd, &st) == 0 && st.st_size > JOURNAL_LOAD_MAX) {
		log_warn("journal: %s is %lld bytes; reading its last %lld only", j->path,
			 (long long)st.st_size, JOURNAL_LOAD_MAX);
		lseek(fd, st.st_size - JOURNAL_LOAD_MAX, SEEK_SET);
		skipping = true; /* the rest of a line cut in the middle */
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		free(line);
		return;
	}
	while (fgets(line, JOURNAL_LINE_MAX + 2, f)) {
		len = strlen(line);
		if (skipping) {
			skipping = !len || line[len - 1] != '\n';
			continue;
		}
		lineno++;
		j->file_lines++;
		if (len && line[len - 1] == '\n') {
			line[--len] = '\0';
		} else if (len > JOURNAL_LINE_MAX) {
			/* too long to be ours: skip to its end without keeping it */
			skipping = true;
		} else {
			j->torn = true; /* the last line has no end */
		}
		if (skipping || len > JOURNAL_LINE_MAX || !entry_valid(line, len, &rank)) {
			if (++bad <= JOURNAL_WARN_LINES)
				log_warn("%s:%zu: not a journal entry (torn write, or longer than %d bytes); skipped",
					 j->path, lineno, JOURNAL_LINE_MAX);
			continue;
		}
		copy = strdup(line);
		if (copy)
			ring_push(j, copy, rank);
	}
	if (bad > JOURNAL_WARN_LINES)
		log_warn("%s: %zu lines skipped in all", j->path, bad);
	free(line);
	fclose(f);
}

int journal_init(struct daemon *d)
{
	struct journal *j = calloc(1, sizeof(*j));
	char msg[512];
	int err;

	if (!j)
		return -ENOMEM;
	j->d = d;
	j->fd = -1;
	j->dirfd = -1;
	j->max = d->cfg->journal_max > 0 ? (size_t)d->cfg->journal_max : 1;
	j->compact_at = 2 * j->max;
	loop_event_init(&j->flush_ev, flush_cb);
	loop_timer_init(&j->compact_timer, compact_cb);
	j->ring = calloc(j->max, sizeof(*j->ring));
	j->dir = strdup(d->cfg->state_dir);
	if (!j->ring || !j->dir || asprintf(&j->path, "%s/" JOURNAL_FILE, j->dir) < 0) {
		free(j->ring);
		free(j->dir);
		free(j);
		return -ENOMEM;
	}
	err = state_dir_open(j, msg, sizeof(msg));
	if (err == -EPERM) {
		log_err("%s", msg);
		free(j->ring);
		free(j->dir);
		free(j->path);
		free(j);
		return err;
	}
	d->journal = j;
	j->sub.cb = journal_event;
	bus_subscribe(&d->bus, &j->sub);

	/* From here on nothing is fatal: without the file the ring still works. */
	if (err < 0) {
		log_err("journal: %s; events are kept in memory only", msg);
		return 0;
	}
	journal_load(j);
	err = journal_open(j);
	if (err < 0) {
		log_err("journal: cannot open %s: %s; events are kept in memory only", j->path,
			open_error(err));
		return 0;
	}
	if (j->file_lines >= j->compact_at && (err = journal_compact(j)) < 0) {
		log_warn("journal: cannot compact %s: %s", j->path, open_error(err));
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
	loop_event_cancel(&d->loop, &j->flush_ev);
	loop_timer_cancel(&d->loop, &j->compact_timer);
	if (j->dirfd >= 0)
		journal_flush(j);
	for (i = 0; i < j->n; i++)
		free(ring_at(j, i)->line);
	free(j->ring);
	free(j->out);
	if (j->fd >= 0)
		close(j->fd);
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->dir);
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
		struct json_object *o = json_tokener_parse(ring_at(j, i)->line);

		if (o)
			json_object_array_add(arr, o);
	}
	return arr;
}
