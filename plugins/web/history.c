// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: history.c - per-uplink measurement history in bounded memory, and its file
 *
 * Owns the 1 s and 1 min rings of every uplink the web plugin samples, their
 * JSON form (GET /api/history) and the history file. Rings are indexed by
 * wall-clock time (slot = t % n), so a gap (daemon stopped, clock jump) reads
 * back as unknown points and a restart continues where the file left off.
 * File (little-endian): "UPLHIST\0", u32 version 1, u32 fine_n, u32 coarse_n,
 * u32 uplinks; per uplink u8 name length, the name, u64 fine head, u64 coarse
 * head, then fine_n and coarse_n points of 3 x f32 (rtt, loss, jitter) + u8
 * state; last a u32 FNV-1a of everything before it. The loader checks every
 * byte and names the offset of the first bad one. Called by web.c.
 */
#include "history.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define HIST_MAGIC "UPLHIST"	/* 8 bytes with its NUL */
#define HIST_VERSION 1
#define HIST_POINT_SIZE 13
#define HIST_FILE_MAX (64u << 20)

static void point_none(struct web_hist_point *p)
{
	p->rtt_ms = p->loss_pct = p->jitter_ms = -1;
	p->state = WEB_HIST_STATE_NONE;
}

static void ring_clear(struct web_hist_ring *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		point_none(&r->p[i]);
	r->head = 0;
}

static void ring_put(struct web_hist_ring *r, uint64_t t, const struct web_hist_point *pt)
{
	uint64_t i;

	if (!t)
		return;
	if (r->head && t <= r->head) {
		if (t + r->n > r->head)
			r->p[t % r->n] = *pt;
		return; /* older than the ring */
	}
	if (!r->head || t - r->head >= r->n) {
		ring_clear(r);
	} else {
		for (i = r->head + 1; i < t; i++)
			point_none(&r->p[i % r->n]);
	}
	r->p[t % r->n] = *pt;
	r->head = t;
}

static const struct web_hist_point *ring_get(const struct web_hist_ring *r, uint64_t t)
{
	if (!r->head || !t || t > r->head || t + r->n <= r->head)
		return NULL;
	return &r->p[t % r->n];
}

static struct web_hist_uplink *uplink_new(const char *name)
{
	struct web_hist_uplink *u = calloc(1, sizeof(*u));

	if (!u)
		return NULL;
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->fine.n = WEB_HIST_FINE_N;
	u->coarse.n = WEB_HIST_COARSE_N;
	u->fine.p = calloc(u->fine.n, sizeof(*u->fine.p));
	u->coarse.p = calloc(u->coarse.n, sizeof(*u->coarse.p));
	if (!u->fine.p || !u->coarse.p) {
		free(u->fine.p);
		free(u->coarse.p);
		free(u);
		return NULL;
	}
	ring_clear(&u->fine);
	ring_clear(&u->coarse);
	return u;
}

static void uplink_free(struct web_hist_uplink *u)
{
	if (!u)
		return;
	free(u->fine.p);
	free(u->coarse.p);
	free(u);
}

void web_history_init(struct web_history *h)
{
	memset(h, 0, sizeof(*h));
}

void web_history_free(struct web_history *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		uplink_free(h->u[i]);
	h->n = 0;
}

struct web_hist_uplink *web_history_get(struct web_history *h, const char *name, bool create)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		if (!strcmp(h->u[i]->name, name))
			return h->u[i];
	if (!create || h->n >= WEB_HIST_UPLINKS_MAX || !*name ||
	    strlen(name) > WEB_HIST_NAME_MAX)
		return NULL;
	h->u[h->n] = uplink_new(name);
	return h->u[h->n] ? h->u[h->n++] : NULL;
}

void web_history_retain(struct web_history *h, const char *const *names, size_t n)
{
	size_t i, j;

	for (i = 0; i < h->n;) {
		for (j = 0; j < n && strcmp(names[j], h->u[i]->name); j++)
			;
		if (j < n) {
			i++;
			continue;
		}
		uplink_free(h->u[i]);
		h->u[i] = h->u[--h->n];
	}
}

/* The coarse point of minute m: the mean of its known seconds, the worst state. */
static void coarse_fill(struct web_hist_uplink *u, uint64_t m)
{
	double sum[3] = { 0 }, cnt[3] = { 0 };
	struct web_hist_point agg;
	uint64_t t;
	int k;

	point_none(&agg);
	for (t = m * 60; t < m * 60 + 60; t++) {
		const struct web_hist_point *p = ring_get(&u->fine, t);
		const float v[3] = { p ? p->rtt_ms : -1, p ? p->loss_pct : -1,
				     p ? p->jitter_ms : -1 };

		if (!p)
			continue;
		for (k = 0; k < 3; k++)
			if (v[k] >= 0) {
				sum[k] += v[k];
				cnt[k]++;
			}
		if (p->state != WEB_HIST_STATE_NONE &&
		    (agg.state == WEB_HIST_STATE_NONE || p->state < agg.state))
			agg.state = p->state;
	}
	if (cnt[0])
		agg.rtt_ms = (float)(sum[0] / cnt[0]);
	if (cnt[1])
		agg.loss_pct = (float)(sum[1] / cnt[1]);
	if (cnt[2])
		agg.jitter_ms = (float)(sum[2] / cnt[2]);
	if (agg.state != WEB_HIST_STATE_NONE || cnt[0] || cnt[1])
		ring_put(&u->coarse, m, &agg);
}

int web_history_add(struct web_history *h, const char *name, uint64_t now_s,
		    const struct web_hist_point *pt)
{
	struct web_hist_uplink *u = web_history_get(h, name, true);
	uint64_t last;

	if (!u)
		return -ENOMEM;
	if (!now_s)
		return -EINVAL;
	last = u->fine.head;
	if (last && now_s / 60 > last / 60)
		coarse_fill(u, last / 60); /* the minute of the newest point is finished */
	ring_put(&u->fine, now_s, pt);
	return 0;
}

/* ---- JSON ---- */

static struct json_object *num1(float v)
{
	char buf[32];
	double d = v;

	if (d < 0 || !isfinite(d))
		return NULL;
	d = round(d * 10.0) / 10.0;
	snprintf(buf, sizeof(buf), "%.1f", d);
	return json_object_new_double_s(d, buf);
}

static struct json_object *series(const struct web_hist_ring *r, uint64_t last, uint64_t step)
{
	struct json_object *o = json_object_new_object();
	struct json_object *a[4];
	static const char *const keys[4] = { "rtt_ms", "loss_pct", "jitter_ms", "state" };
	uint64_t first = last >= r->n ? last - r->n + 1 : 1, t;
	int k;

	for (k = 0; k < 4; k++)
		a[k] = json_object_new_array_ext((int)r->n);
	for (t = first; t <= last; t++) {
		const struct web_hist_point *p = ring_get(r, t);

		json_object_array_add(a[0], p ? num1(p->rtt_ms) : NULL);
		json_object_array_add(a[1], p ? num1(p->loss_pct) : NULL);
		json_object_array_add(a[2], p ? num1(p->jitter_ms) : NULL);
		json_object_array_add(a[3], p && p->state != WEB_HIST_STATE_NONE ?
					    json_object_new_int(p->state) : NULL);
	}
	json_object_object_add(o, "step_s", json_object_new_int64((int64_t)step));
	json_object_object_add(o, "start_s", json_object_new_int64((int64_t)(first * step)));
	for (k = 0; k < 4; k++)
		json_object_object_add(o, keys[k], a[k]);
	return o;
}

struct json_object *web_history_json(const struct web_hist_uplink *u, uint64_t now_s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "uplink", json_object_new_string(u->name));
	json_object_object_add(o, "now_s", json_object_new_int64((int64_t)now_s));
	json_object_object_add(o, "fine", series(&u->fine, now_s, 1));
	/* the coarse series ends with the last finished minute */
	json_object_object_add(o, "coarse", series(&u->coarse, now_s / 60 ? now_s / 60 - 1 : 0,
						   60));
	return o;
}

/* ---- the file image ---- */

static uint32_t fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

struct wbuf {
	uint8_t *p;
	size_t len;
};

static void put(struct wbuf *w, const void *v, size_t n)
{
	memcpy(w->p + w->len, v, n);
	w->len += n;
}

static void put32(struct wbuf *w, uint32_t v)
{
	v = htole32(v);
	put(w, &v, 4);
}

static void put64(struct wbuf *w, uint64_t v)
{
	v = htole64(v);
	put(w, &v, 8);
}

static void put_points(struct wbuf *w, const struct web_hist_ring *r)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const float f[3] = { r->p[i].rtt_ms, r->p[i].loss_pct, r->p[i].jitter_ms };
		int k;

		for (k = 0; k < 3; k++) {
			uint32_t bits;

			memcpy(&bits, &f[k], 4);
			put32(w, bits);
		}
		put(w, &r->p[i].state, 1);
	}
}

int web_history_save_buf(const struct web_history *h, uint8_t **buf, size_t *len)
{
	size_t i, cap = 8 + 16 + 4;
	struct wbuf w = { 0 };

	for (i = 0; i < h->n; i++)
		cap += 1 + strlen(h->u[i]->name) + 16 +
		       (WEB_HIST_FINE_N + WEB_HIST_COARSE_N) * HIST_POINT_SIZE;
	w.p = malloc(cap);
	if (!w.p)
		return -ENOMEM;
	put(&w, HIST_MAGIC, 8);
	put32(&w, HIST_VERSION);
	put32(&w, WEB_HIST_FINE_N);
	put32(&w, WEB_HIST_COARSE_N);
	put32(&w, (uint32_t)h->n);
	for (i = 0; i < h->n; i++) {
		const struct web_hist_uplink *u = h->u[i];
		uint8_t nl = (uint8_t)strlen(u->name);

		put(&w, &nl, 1);
		put(&w, u->name, nl);
		put64(&w, u->fine.head);
		put64(&w, u->coarse.head);
		put_points(&w, &u->fine);
		put_points(&w, &u->coarse);
	}
	put32(&w, fnv1a(w.p, w.len));
	*buf = w.p;
	*len = w.len;
	return 0;
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
	char *err;
	size_t errlen;
};

static __attribute__((format(printf, 2, 3))) int bad(struct rbuf *r, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(r->err, r->errlen, "byte %zu: %s", r->off, what);
	return -EINVAL;
}

static bool get(struct rbuf *r, void *v, size_t n)
{
	if (r->len - r->off < n)
		return false;
	memcpy(v, r->p + r->off, n);
	r->off += n;
	return true;
}

static bool get32(struct rbuf *r, uint32_t *v)
{
	if (!get(r, v, 4))
		return false;
	*v = le32toh(*v);
	return true;
}

static bool get64(struct rbuf *r, uint64_t *v)
{
	if (!get(r, v, 8))
		return false;
	*v = le64toh(*v);
	return true;
}

static int get_points(struct rbuf *r, struct web_hist_ring *ring)
{
	size_t i;

	if (r->len - r->off < ring->n * HIST_POINT_SIZE)
		return bad(r, "the file ends inside the points (truncated)");
	for (i = 0; i < ring->n; i++) {
		struct web_hist_point *p = &ring->p[i];
		float f[3];
		int k;

		for (k = 0; k < 3; k++) {
			uint32_t bits = 0;

			get32(r, &bits);
			memcpy(&f[k], &bits, 4);
			if (!isfinite(f[k]) || f[k] > 1e7f)
				return bad(r, "a value that is not a measurement");
			if (f[k] < 0)
				f[k] = -1;
		}
		p->rtt_ms = f[0];
		p->loss_pct = f[1];
		p->jitter_ms = f[2];
		get(r, &p->state, 1);
		if (p->state > 2 && p->state != WEB_HIST_STATE_NONE)
			return bad(r, "state %u is not down, degraded or up", p->state);
	}
	return 0;
}

int web_history_load_buf(struct web_history *h, const uint8_t *buf, size_t len, char *err,
			 size_t errlen)
{
	struct rbuf r = { .p = buf, .len = len, .err = err, .errlen = errlen };
	struct web_hist_uplink *got[WEB_HIST_UPLINKS_MAX] = { 0 };
	uint32_t version, fine_n, coarse_n, n, sum;
	char magic[8];
	size_t i, j;
	int ret = -EINVAL;

	if (!get(&r, magic, 8) || memcmp(magic, HIST_MAGIC, 8))
		return bad(&r, "not an uplinkd history file (no \"UPLHIST\" magic)");
	if (len < 8 + 16 + 4)
		return bad(&r, "the file ends inside its header (truncated)");
	get32(&r, &version);
	get32(&r, &fine_n);
	get32(&r, &coarse_n);
	get32(&r, &n);
	if (version != HIST_VERSION)
		return bad(&r, "version %u; this uplinkd reads version %d", version, HIST_VERSION);
	if (fine_n != WEB_HIST_FINE_N || coarse_n != WEB_HIST_COARSE_N)
		return bad(&r, "written with %u/%u points per ring, this uplinkd keeps %d/%d",
			   fine_n, coarse_n, WEB_HIST_FINE_N, WEB_HIST_COARSE_N);
	if (n > WEB_HIST_UPLINKS_MAX)
		return bad(&r, "%u uplinks; at most %d", n, WEB_HIST_UPLINKS_MAX);
	memcpy(&sum, buf + len - 4, 4);
	if (fnv1a(buf, len - 4) != le32toh(sum)) {
		r.off = len - 4;
		return bad(&r, "checksum mismatch (torn or edited file)");
	}
	r.len = len - 4;
	for (i = 0; i < n; i++) {
		char name[WEB_HIST_NAME_MAX + 1];
		uint8_t nl;

		if (!get(&r, &nl, 1) || !nl || nl > WEB_HIST_NAME_MAX || r.len - r.off < nl) {
			bad(&r, "uplink %zu: bad name length", i);
			goto out;
		}
		get(&r, name, nl);
		name[nl] = '\0';
		for (j = 0; j < nl; j++)
			if ((unsigned char)name[j] <= 0x20 || (unsigned char)name[j] >= 0x7f) {
				bad(&r, "uplink %zu: the name has control or non-ASCII bytes", i);
				goto out;
			}
		for (j = 0; j < i; j++)
			if (!strcmp(got[j]->name, name)) {
				bad(&r, "uplink \"%s\" appears twice", name);
				goto out;
			}
		got[i] = uplink_new(name);
		if (!got[i]) {
			snprintf(err, errlen, "out of memory");
			ret = -ENOMEM;
			goto out;
		}
		if (!get64(&r, &got[i]->fine.head) || !get64(&r, &got[i]->coarse.head)) {
			bad(&r, "the file ends inside uplink \"%s\" (truncated)", name);
			goto out;
		}
		if (get_points(&r, &got[i]->fine) < 0 || get_points(&r, &got[i]->coarse) < 0)
			goto out;
	}
	if (r.off != r.len) {
		bad(&r, "%zu bytes after the last uplink", r.len - r.off);
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct web_hist_uplink *old = web_history_get(h, got[i]->name, false);

		if (old) {
			for (j = 0; h->u[j] != old; j++)
				;
			uplink_free(old);
			h->u[j] = got[i];
		} else if (h->n < WEB_HIST_UPLINKS_MAX) {
			h->u[h->n++] = got[i];
		} else {
			uplink_free(got[i]);
		}
		got[i] = NULL;
	}
	ret = 0;
out:
	for (i = 0; i < n && i < WEB_HIST_UPLINKS_MAX; i++)
		uplink_free(got[i]);
	return ret;
}

/* ---- the file ---- */

static int mkdir_parent(const char *path)
{
	char *s = strdup(path), *p;
	int err = 0;

	if (!s)
		return -ENOMEM;
	for (p = s + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(s, 0750) < 0 && errno != EEXIST)
			err = -errno;
		*p = '/';
	}
	free(s);
	return err;
}

/* The rename itself must survive a power cut: sync the directory that holds path. */
static void dir_sync(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) :
			    strdup(".");
	int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(dir);
}

int web_history_save(const struct web_history *h, const char *path)
{
	uint8_t *buf;
	size_t len, off = 0;
	char *tmp = NULL;
	int fd = -1, err;

	err = web_history_save_buf(h, &buf, &len);
	if (err < 0)
		return err;
	mkdir_parent(path);
	if (asprintf(&tmp, "%s.tmp", path) < 0) {
		free(buf);
		return -ENOMEM;
	}
	unlink(tmp); /* never write through whatever is there (a link) */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (fd < 0) {
		err = -errno;
		goto out;
	}
	while (off < len) {
		ssize_t w = write(fd, buf + off, len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			err = w < 0 ? -errno : -EIO;
			goto out;
		}
		off += (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		err = -errno;
		fd = -1;
		goto out;
	}
	fd = -1;
	if (rename(tmp, path) < 0)
		err = -errno;
	else
		dir_sync(path);
out:
	if (fd >= 0)
		close(fd);
	if (err < 0)
		unlink(tmp);
	free(tmp);
	free(buf);
	return err;
}

int web_history_load(struct web_history *h, const char *path, char *err, size_t errlen)
{
	uint8_t *buf = NULL;
	struct stat st;
	size_t off = 0;
	int fd, ret;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "cannot open: %s", errno == ELOOP ?
			 "a symbolic link, which uplinkd does not follow; remove it" : strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > HIST_FILE_MAX) {
		snprintf(err, errlen, "not a regular file of at most %u MB", HIST_FILE_MAX >> 20);
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (off < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + off, (size_t)st.st_size - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	close(fd);
	ret = web_history_load_buf(h, buf, off, err, errlen);
	free(buf);
	return ret;
}
