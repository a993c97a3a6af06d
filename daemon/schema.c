// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: schema.c - parse, free, compare and copy structs described by key tables
 *
 * Owns the meaning of struct cfg_key. Called by config.c (parsing), uplinks.c
 * (diff and copy on reload) and plugins (their own key tables). Calls libconfig
 * for values and source lines, and plugin_find() for CFG_PLUGIN keys. Every
 * error says where (file:line), what (the dotted path) and what to do.
 */
#include "schema.h"
#include "plugin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(obj, off, type) ((type *)(void *)((char *)(obj) + (off)))
#define CFIELD(obj, off, type) ((const type *)(const void *)((const char *)(obj) + (off)))

/* ---- diagnostics ---- */

static void diag_vadd(struct cfg_diag *d, int line, bool warn, const char *fmt, va_list ap)
{
	char msg[512], *full, **v;
	int n, *l;
	size_t at;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line < 0)
		line = 0;
	if (line > 0)
		n = asprintf(&full, "%s:%d: %s%s", d->file ? d->file : "-", line,
			     warn ? "warning: " : "", msg);
	else
		n = asprintf(&full, "%s: %s%s", d->file ? d->file : "-", warn ? "warning: " : "",
			     msg);
	if (n < 0)
		return;
	v = realloc(d->msgs, (d->n + 1) * sizeof(*v));
	if (v)
		d->msgs = v;
	l = v ? realloc(d->lines, (d->n + 1) * sizeof(*l)) : NULL;
	if (!l) {
		free(full);
		return;
	}
	d->lines = l;
	/* after every message on this line or before it: a stable insertion */
	for (at = d->n; at > 0 && d->lines[at - 1] > line; at--)
		;
	memmove(d->msgs + at + 1, d->msgs + at, (d->n - at) * sizeof(*d->msgs));
	memmove(d->lines + at + 1, d->lines + at, (d->n - at) * sizeof(*d->lines));
	d->msgs[at] = full;
	d->lines[at] = line;
	d->n++;
	if (warn)
		d->nwarn++;
}

void cfg_diag_add(struct cfg_diag *d, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, line, false, fmt, ap);
	va_end(ap);
}

void cfg_diag_warn(struct cfg_diag *d, int line, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, line, true, fmt, ap);
	va_end(ap);
}

void cfg_diag_free(struct cfg_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->msgs[i]);
	free(d->msgs);
	free(d->lines);
	d->msgs = NULL;
	d->lines = NULL;
	d->n = 0;
	d->nwarn = 0;
}

int cfg_line(const config_setting_t *s)
{
	for (; s; s = config_setting_parent(s)) {
		unsigned int line = config_setting_source_line(s);

		if (line)
			return (int)line;
	}
	return 0;
}

bool cfg_strv_contains(const struct cfg_strv *v, const char *s)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		if (strcmp(v->v[i], s) == 0)
			return true;
	return false;
}

/* ---- helpers ---- */

static const char *type_name(int t)
{
	switch (t) {
	case CONFIG_TYPE_INT:
	case CONFIG_TYPE_INT64:
		return "an integer";
	case CONFIG_TYPE_FLOAT:
		return "a number with a fraction";
	case CONFIG_TYPE_STRING:
		return "a string";
	case CONFIG_TYPE_BOOL:
		return "true or false";
	case CONFIG_TYPE_ARRAY:
		return "an array [ ... ]";
	case CONFIG_TYPE_LIST:
		return "a list ( ... )";
	case CONFIG_TYPE_GROUP:
		return "a group { ... }";
	}
	return "nothing";
}

static const char *want_name(enum cfg_type t)
{
	switch (t) {
	case CFG_INT:
	case CFG_ENUM:
		return t == CFG_INT ? "an integer" : "a string";
	case CFG_BOOL:
		return "true or false";
	case CFG_STRING:
	case CFG_ADDR:
		return "a string";
	case CFG_STRINGS:
	case CFG_ADDRS:
		return "a list of strings [ \"...\", ... ]";
	case CFG_GROUP:
		return "a group { ... }";
	case CFG_LIST:
		return "a list of groups ( { ... }, ... )";
	case CFG_U32S:
		return "an array of integers [ 64500, ... ]";
	case CFG_PLUGIN:
		break;
	}
	return "a value";
}

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, (lb + 1) * sizeof(size_t));
	}
	return prev[lb];
}

static const char *suggest(const char *name, const struct cfg_key *keys,
			   const struct cfg_key *extra)
{
	const struct cfg_key *tabs[2] = { keys, extra }, *k;
	const char *best = NULL;
	size_t bestd = 3, i;

	for (i = 0; i < 2; i++) {
		for (k = tabs[i]; k && k->name; k++) {
			size_t dd;

			if (k->type == CFG_PLUGIN)
				continue;
			dd = edit_distance(name, k->name);
			if (dd < bestd) {
				bestd = dd;
				best = k->name;
			}
		}
	}
	return best;
}

static bool table_has(const struct cfg_key *keys, const char *name)
{
	const struct cfg_key *k;

	for (k = keys; k && k->name; k++)
		if (k->type != CFG_PLUGIN && strcmp(k->name, name) == 0)
			return true;
	return false;
}

static void join_path(char *out, size_t len, const char *path, const char *name)
{
	int n;

	if (path && *path)
		n = snprintf(out, len, "%s.%s", path, name);
	else
		n = snprintf(out, len, "%s", name);
	if (n < 0 || (size_t)n >= len)
		out[len - 1] = '\0';
}

bool schema_addr_valid(const char *s, int *family)
{
	unsigned char buf[sizeof(struct in6_addr)];

	if (inet_pton(AF_INET, s, buf) == 1) {
		if (family)
			*family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		if (family)
			*family = AF_INET6;
		return true;
	}
	return false;
}

/* ---- defaults ---- */

void schema_defaults(const struct cfg_key *keys, void *obj)
{
	const struct cfg_key *k;

	for (k = keys; k->name; k++) {
		switch (k->type) {
		case CFG_INT:
		case CFG_ENUM:
			*FIELD(obj, k->offset, int) = (int)k->def;
			break;
		case CFG_BOOL:
			*FIELD(obj, k->offset, bool) = k->def != 0;
			break;
		case CFG_STRING:
		case CFG_ADDR: /* objects start zeroed, so a set pointer is ours */
			free(*FIELD(obj, k->offset, char *));
			*FIELD(obj, k->offset, char *) = k->def_str ? strdup(k->def_str) : NULL;
			break;
		case CFG_GROUP:
			schema_defaults(k->sub, FIELD(obj, k->offset, char));
			break;
		case CFG_STRINGS:
		case CFG_ADDRS:
		case CFG_LIST:
		case CFG_U32S:
		case CFG_PLUGIN:
			break;
		}
	}
}

/* ---- parsing ---- */

static int schema_parse_impl(const config_setting_t *group, const struct cfg_key *keys,
			     void *obj, const char *path, struct cfg_diag *d, bool closed);

static int parse_strings(const config_setting_t *s, const struct cfg_key *k, void *obj,
			 const char *kpath, struct cfg_diag *d)
{
	struct cfg_strv *v = FIELD(obj, k->offset, struct cfg_strv);
	int errs = 0, n, i;

	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		n = 1;
	} else if (config_setting_is_aggregate(s) &&
		   config_setting_type(s) != CONFIG_TYPE_GROUP) {
		n = config_setting_length(s);
	} else {
		cfg_diag_add(d, cfg_line(s), "%s: expected %s, got %s", kpath, want_name(k->type),
			     type_name(config_setting_type(s)));
		return 1;
	}
	if (k->min && n < k->min) {
		cfg_diag_add(d, cfg_line(s), "%s: %d entr%s, at least %lld needed%s%s", kpath, n,
			     n == 1 ? "y" : "ies", k->min, k->hint ? "; " : "",
			     k->hint ? k->hint : "");
		errs++;
	}
	if (k->max && n > k->max) {
		cfg_diag_add(d, cfg_line(s), "%s: %d entries, at most %lld allowed", kpath, n,
			     k->max);
		return errs + 1;
	}
	v->v = calloc((size_t)n + 1, sizeof(char *));
	if (!v->v)
		return errs + 1;
	for (i = 0; i < n; i++) {
		const config_setting_t *e =
			config_setting_type(s) == CONFIG_TYPE_STRING ? s : config_setting_get_elem(s, (unsigned)i);
		const char *str = e ? config_setting_get_string(e) : NULL;

		if (!str) {
			cfg_diag_add(d, cfg_line(e ? e : s), "%s.[%d]: expected a string, got %s",
				     kpath, i, type_name(e ? config_setting_type(e) : 0));
			errs++;
			continue;
		}
		if (k->type == CFG_ADDRS && !schema_addr_valid(str, NULL)) {
			cfg_diag_add(d, cfg_line(e), "%s.[%d]: \"%s\" is not an IPv4 or IPv6 address",
				     kpath, i, str);
			errs++;
			continue;
		}
		if (cfg_strv_contains(v, str)) {
			cfg_diag_add(d, cfg_line(e), "%s.[%d]: \"%s\" is listed twice; remove one",
				     kpath, i, str);
			errs++;
			continue;
		}
		v->v[v->n] = strdup(str);
		if (!v->v[v->n])
			return errs + 1;
		v->n++;
	}
	return errs;
}

/* An array (or a single integer) of 0..4294967295, each listed once. */
static int parse_u32s(const config_setting_t *s, const struct cfg_key *k, void *obj,
		      const char *kpath, struct cfg_diag *d)
{
	struct cfg_vec *v = FIELD(obj, k->offset, struct cfg_vec);
	int errs = 0, n, i, t = config_setting_type(s);
	uint32_t *a;

	if (t == CONFIG_TYPE_INT || t == CONFIG_TYPE_INT64) {
		n = 1;
	} else if (t == CONFIG_TYPE_ARRAY || t == CONFIG_TYPE_LIST) {
		n = config_setting_length(s);
	} else {
		cfg_diag_add(d, cfg_line(s), "%s: expected %s, got %s", kpath, want_name(k->type),
			     type_name(t));
		return 1;
	}
	if (k->min && n < k->min) {
		cfg_diag_add(d, cfg_line(s), "%s: %d entr%s, at least %lld needed%s%s", kpath, n,
			     n == 1 ? "y" : "ies", k->min, k->hint ? "; " : "",
			     k->hint ? k->hint : "");
		errs++;
	}
	if (k->max && n > k->max) {
		cfg_diag_add(d, cfg_line(s), "%s: %d entries, at most %lld allowed", kpath, n,
			     k->max);
		return errs + 1;
	}
	a = calloc((size_t)n + 1, sizeof(*a));
	if (!a)
		return errs + 1;
	v->v = a;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = n == 1 && (t == CONFIG_TYPE_INT ||
						       t == CONFIG_TYPE_INT64) ?
			s : config_setting_get_elem(s, (unsigned)i);
		int et = e ? config_setting_type(e) : 0;
		long long x;
		size_t j;

		if (et != CONFIG_TYPE_INT && et != CONFIG_TYPE_INT64) {
			cfg_diag_add(d, cfg_line(e ? e : s), "%s.[%d]: expected an integer, got %s",
				     kpath, i, type_name(et));
			errs++;
			continue;
		}
		x = config_setting_get_int64(e);
		if (x < 0 || x > 4294967295LL) {
			cfg_diag_add(d, cfg_line(e), "%s.[%d]: %lld is out of range 0..4294967295%s%s",
				     kpath, i, x, k->hint ? "; " : "", k->hint ? k->hint : "");
			errs++;
			continue;
		}
		for (j = 0; j < v->n && a[j] != (uint32_t)x; j++)
			;
		if (j < v->n) {
			cfg_diag_add(d, cfg_line(e), "%s.[%d]: %lld is listed twice; remove one",
				     kpath, i, x);
			errs++;
			continue;
		}
		a[v->n++] = (uint32_t)x;
	}
	return errs;
}

static int parse_list(const config_setting_t *s, const struct cfg_key *k, void *obj,
		      const char *kpath, struct cfg_diag *d)
{
	struct cfg_vec *v = FIELD(obj, k->offset, struct cfg_vec);
	int errs = 0, n, i;

	if (config_setting_type(s) != CONFIG_TYPE_LIST) {
		/* a single group is accepted as a one-element list */
		if (config_setting_type(s) != CONFIG_TYPE_GROUP) {
			cfg_diag_add(d, cfg_line(s), "%s: expected %s, got %s", kpath,
				     want_name(k->type), type_name(config_setting_type(s)));
			return 1;
		}
		n = 1;
	} else {
		n = config_setting_length(s);
	}
	if (k->min && n < k->min) {
		cfg_diag_add(d, cfg_line(s), "%s: %d entr%s, at least %lld needed%s%s", kpath, n,
			     n == 1 ? "y" : "ies", k->min, k->hint ? "; " : "",
			     k->hint ? k->hint : "");
		errs++;
	}
	if (k->max && n > k->max) {
		cfg_diag_add(d, cfg_line(s), "%s: %d entries, at most %lld allowed", kpath, n,
			     k->max);
		return errs + 1;
	}
	v->v = calloc((size_t)n ? (size_t)n : 1, k->elem_size);
	if (!v->v)
		return errs + 1;
	for (i = 0; i < n; i++) {
		const config_setting_t *e = config_setting_type(s) == CONFIG_TYPE_GROUP ?
						    s : config_setting_get_elem(s, (unsigned)i);
		void *eo = (char *)v->v + (size_t)i * k->elem_size;
		char epath[256];

		if (snprintf(epath, sizeof(epath), "%s.[%d]", kpath, i) >= (int)sizeof(epath))
			epath[sizeof(epath) - 1] = '\0';
		v->n++;
		if (!e || config_setting_type(e) != CONFIG_TYPE_GROUP) {
			cfg_diag_add(d, cfg_line(e ? e : s), "%s: expected a group { ... }, got %s",
				     epath, type_name(e ? config_setting_type(e) : 0));
			schema_defaults(k->sub, eo);
			errs++;
			continue;
		}
		errs += schema_parse(e, k->sub, eo, epath, d);
	}
	return errs;
}

static int parse_plugin(const config_setting_t *group, const struct cfg_key *k, void *obj,
			const char *path, struct cfg_diag *d)
{
	const char *name = *FIELD(obj, k->by, char *);
	const struct plugin *p, *const *pp;
	void **conf = FIELD(obj, k->offset, void *);
	char avail[256] = "";

	*FIELD(obj, k->aux, const struct plugin *) = NULL;
	*conf = NULL;
	if (!name)
		return 0; /* the missing key has been reported */
	p = plugin_find(name, (enum plugin_kind)k->min);
	if (!p) {
		for (pp = plugins; *pp; pp++) {
			if ((*pp)->kind != (enum plugin_kind)k->min)
				continue;
			if (*avail)
				strncat(avail, ", ", sizeof(avail) - strlen(avail) - 1);
			strncat(avail, (*pp)->name, sizeof(avail) - strlen(avail) - 1);
		}
		cfg_diag_add(d, cfg_line(group), "%s%s%s: \"%s\" is not in this build; %s%s",
			     path, *path ? "." : "", k->name, name,
			     *avail ? "available: " : "this build has none (see make menuconfig)",
			     avail);
		return 1;
	}
	*FIELD(obj, k->aux, const struct plugin *) = p;
	*conf = calloc(1, p->conf_size ? p->conf_size : 1);
	if (!*conf)
		return 1;
	if (!p->keys)
		return 0;
	return schema_parse_impl(group, p->keys, *conf, path, d, false) ? 1 : 0;
}

static int parse_value(const config_setting_t *s, const struct cfg_key *k, void *obj,
		       const char *kpath, struct cfg_diag *d)
{
	int t = config_setting_type(s), line = cfg_line(s);

	switch (k->type) {
	case CFG_INT: {
		long long v;

		if (t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
			cfg_diag_add(d, line, "%s: expected an integer, got %s", kpath, type_name(t));
			return 1;
		}
		v = config_setting_get_int64(s);
		if (v < k->min) {
			cfg_diag_add(d, line, "%s: %lld is below %lld; raise it%s%s%s", kpath, v,
				     k->min, k->hint ? " (" : "", k->hint ? k->hint : "",
				     k->hint ? ")" : "");
			return 1;
		}
		if (v > k->max) {
			cfg_diag_add(d, line, "%s: %lld is above %lld; lower it", kpath, v, k->max);
			return 1;
		}
		*FIELD(obj, k->offset, int) = (int)v;
		return 0;
	}
	case CFG_BOOL:
		if (t != CONFIG_TYPE_BOOL) {
			cfg_diag_add(d, line, "%s: expected true or false, got %s", kpath,
				     type_name(t));
			return 1;
		}
		*FIELD(obj, k->offset, bool) = config_setting_get_bool(s) != 0;
		return 0;
	case CFG_STRING:
	case CFG_ADDR: {
		const char *str = config_setting_get_string(s);
		char **dst = FIELD(obj, k->offset, char *);

		if (t != CONFIG_TYPE_STRING || !str) {
			cfg_diag_add(d, line, "%s: expected a string, got %s", kpath, type_name(t));
			return 1;
		}
		if (k->type == CFG_STRING && k->min && strlen(str) < (size_t)k->min) {
			cfg_diag_add(d, line, "%s: must not be empty", kpath);
			return 1;
		}
		if (k->type == CFG_STRING && k->max && strlen(str) > (size_t)k->max) {
			cfg_diag_add(d, line, "%s: \"%s\" is longer than %lld characters; shorten it",
				     kpath, str, k->max);
			return 1;
		}
		if (k->type == CFG_ADDR && !schema_addr_valid(str, NULL)) {
			cfg_diag_add(d, line, "%s: \"%s\" is not an IPv4 or IPv6 address", kpath, str);
			return 1;
		}
		free(*dst);
		*dst = strdup(str);
		return *dst ? 0 : 1;
	}
	case CFG_ENUM: {
		const char *str = config_setting_get_string(s);
		char all[256] = "";
		int i;

		for (i = 0; str && k->names[i]; i++) {
			if (strcmp(str, k->names[i]) == 0) {
				*FIELD(obj, k->offset, int) = i;
				return 0;
			}
		}
		for (i = 0; k->names[i]; i++) {
			if (i)
				strncat(all, ", ", sizeof(all) - strlen(all) - 1);
			strncat(all, k->names[i], sizeof(all) - strlen(all) - 1);
		}
		if (!str)
			cfg_diag_add(d, line, "%s: expected one of %s, got %s", kpath, all,
				     type_name(t));
		else
			cfg_diag_add(d, line, "%s: \"%s\" is not one of %s", kpath, str, all);
		return 1;
	}
	case CFG_STRINGS:
	case CFG_ADDRS:
		return parse_strings(s, k, obj, kpath, d);
	case CFG_GROUP:
		if (t != CONFIG_TYPE_GROUP) {
			cfg_diag_add(d, line, "%s: expected a group { ... }, got %s", kpath,
				     type_name(t));
			return 1;
		}
		return schema_parse(s, k->sub, FIELD(obj, k->offset, char), kpath, d);
	case CFG_LIST:
		return parse_list(s, k, obj, kpath, d);
	case CFG_U32S:
		return parse_u32s(s, k, obj, kpath, d);
	case CFG_PLUGIN:
		break;
	}
	return 0;
}

static int schema_parse_impl(const config_setting_t *group, const struct cfg_key *keys,
			     void *obj, const char *path, struct cfg_diag *d, bool closed)
{
	const struct cfg_key *k, *plugin_key = NULL;
	const struct plugin *p;
	int errs = 0, i, n;
	char kpath[256];

	schema_defaults(keys, obj);
	for (k = keys; k->name; k++) {
		const config_setting_t *s;

		if (k->type == CFG_PLUGIN) {
			plugin_key = k;
			continue;
		}
		join_path(kpath, sizeof(kpath), path, k->name);
		s = group ? config_setting_get_member(group, k->name) : NULL;
		if (!s) {
			if (k->flags & CFG_REQUIRED) {
				cfg_diag_add(d, cfg_line(group), "%s: missing required key \"%s\"%s%s",
					     *path ? path : "top level", k->name,
					     k->hint ? "; " : "", k->hint ? k->hint : "");
				errs++;
			}
			continue;
		}
		errs += parse_value(s, k, obj, kpath, d);
	}
	if (plugin_key)
		errs += parse_plugin(group, plugin_key, obj, path, d);
	if (!closed || !group)
		return errs;

	p = plugin_key ? *FIELD(obj, plugin_key->aux, const struct plugin *) : NULL;
	n = config_setting_length(group);
	for (i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s), *sug;

		if (!name || table_has(keys, name) || (p && table_has(p->keys, name)))
			continue;
		if (plugin_key && !p)
			continue; /* unknown plugin: its keys cannot be judged */
		join_path(kpath, sizeof(kpath), path, name);
		sug = suggest(name, keys, p ? p->keys : NULL);
		if (sug)
			cfg_diag_add(d, cfg_line(s), "%s: unknown key; did you mean \"%s\"?", kpath, sug);
		else
			cfg_diag_add(d, cfg_line(s), "%s: unknown key; remove it (see the configuration reference in README.md)",
				     kpath);
		errs++;
	}
	return errs;
}

int schema_parse(const config_setting_t *group, const struct cfg_key *keys, void *obj,
		 const char *path, struct cfg_diag *d)
{
	return schema_parse_impl(group, keys, obj, path, d, true);
}

int schema_parse_open(const config_setting_t *group, const struct cfg_key *keys, void *obj,
		      const char *path, struct cfg_diag *d)
{
	return schema_parse_impl(group, keys, obj, path, d, false);
}

/* ---- free, equal, copy ---- */

static void strv_free(struct cfg_strv *v)
{
	size_t i;

	for (i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	v->v = NULL;
	v->n = 0;
}

void schema_free(const struct cfg_key *keys, void *obj)
{
	const struct cfg_key *k;

	if (!obj)
		return;
	for (k = keys; k->name; k++) {
		switch (k->type) {
		case CFG_STRING:
		case CFG_ADDR: {
			char **s = FIELD(obj, k->offset, char *);

			free(*s);
			*s = NULL;
			break;
		}
		case CFG_STRINGS:
		case CFG_ADDRS:
			strv_free(FIELD(obj, k->offset, struct cfg_strv));
			break;
		case CFG_U32S: {
			struct cfg_vec *v = FIELD(obj, k->offset, struct cfg_vec);

			free(v->v);
			v->v = NULL;
			v->n = 0;
			break;
		}
		case CFG_GROUP:
			schema_free(k->sub, FIELD(obj, k->offset, char));
			break;
		case CFG_LIST: {
			struct cfg_vec *v = FIELD(obj, k->offset, struct cfg_vec);
			size_t i;

			for (i = 0; i < v->n; i++)
				schema_free(k->sub, (char *)v->v + i * k->elem_size);
			free(v->v);
			v->v = NULL;
			v->n = 0;
			break;
		}
		case CFG_PLUGIN: {
			const struct plugin *p = *FIELD(obj, k->aux, const struct plugin *);
			void **conf = FIELD(obj, k->offset, void *);

			if (p && *conf && p->keys)
				schema_free(p->keys, *conf);
			free(*conf);
			*conf = NULL;
			break;
		}
		case CFG_INT:
		case CFG_BOOL:
		case CFG_ENUM:
			break;
		}
	}
}

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

bool schema_equal(const struct cfg_key *keys, const void *a, const void *b)
{
	const struct cfg_key *k;

	for (k = keys; k->name; k++) {
		switch (k->type) {
		case CFG_INT:
		case CFG_ENUM:
			if (*CFIELD(a, k->offset, int) != *CFIELD(b, k->offset, int))
				return false;
			break;
		case CFG_BOOL:
			if (*CFIELD(a, k->offset, bool) != *CFIELD(b, k->offset, bool))
				return false;
			break;
		case CFG_STRING:
		case CFG_ADDR:
			if (!str_eq(*CFIELD(a, k->offset, char *), *CFIELD(b, k->offset, char *)))
				return false;
			break;
		case CFG_STRINGS:
		case CFG_ADDRS: {
			const struct cfg_strv *va = CFIELD(a, k->offset, struct cfg_strv);
			const struct cfg_strv *vb = CFIELD(b, k->offset, struct cfg_strv);
			size_t i;

			if (va->n != vb->n)
				return false;
			for (i = 0; i < va->n; i++)
				if (strcmp(va->v[i], vb->v[i]) != 0)
					return false;
			break;
		}
		case CFG_U32S: {
			const struct cfg_vec *va = CFIELD(a, k->offset, struct cfg_vec);
			const struct cfg_vec *vb = CFIELD(b, k->offset, struct cfg_vec);

			if (va->n != vb->n ||
			    (va->n && memcmp(va->v, vb->v, va->n * sizeof(uint32_t)) != 0))
				return false;
			break;
		}
		case CFG_GROUP:
			if (!schema_equal(k->sub, CFIELD(a, k->offset, char), CFIELD(b, k->offset, char)))
				return false;
			break;
		case CFG_LIST: {
			const struct cfg_vec *va = CFIELD(a, k->offset, struct cfg_vec);
			const struct cfg_vec *vb = CFIELD(b, k->offset, struct cfg_vec);
			size_t i;

			if (va->n != vb->n)
				return false;
			for (i = 0; i < va->n; i++)
				if (!schema_equal(k->sub, (const char *)va->v + i * k->elem_size,
						  (const char *)vb->v + i * k->elem_size))
					return false;
			break;
		}
		case CFG_PLUGIN: {
			const struct plugin *pa = *CFIELD(a, k->aux, struct plugin *);
			const struct plugin *pb = *CFIELD(b, k->aux, struct plugin *);

			if (pa != pb)
				return false;
			if (pa && pa->keys &&
			    !schema_equal(pa->keys, *CFIELD(a, k->offset, void *),
					  *CFIELD(b, k->offset, void *)))
				return false;
			break;
		}
		}
	}
	return true;
}

static int strv_copy(struct cfg_strv *dst, const struct cfg_strv *src)
{
	size_t i;

	dst->n = 0;
	dst->v = calloc(src->n + 1, sizeof(char *));
	if (!dst->v)
		return -ENOMEM;
	for (i = 0; i < src->n; i++) {
		dst->v[i] = strdup(src->v[i]);
		if (!dst->v[i])
			return -ENOMEM;
		dst->n++;
	}
	return 0;
}

/* dst must be zeroed or freshly freed; on error dst holds a partial copy that
 * schema_free() releases. */
int schema_copy(const struct cfg_key *keys, void *dst, const void *src)
{
	const struct cfg_key *k;
	int err;

	for (k = keys; k->name; k++) {
		switch (k->type) {
		case CFG_INT:
		case CFG_ENUM:
			*FIELD(dst, k->offset, int) = *CFIELD(src, k->offset, int);
			break;
		case CFG_BOOL:
			*FIELD(dst, k->offset, bool) = *CFIELD(src, k->offset, bool);
			break;
		case CFG_STRING:
		case CFG_ADDR: {
			const char *s = *CFIELD(src, k->offset, char *);

			*FIELD(dst, k->offset, char *) = s ? strdup(s) : NULL;
			if (s && !*FIELD(dst, k->offset, char *))
				return -ENOMEM;
			break;
		}
		case CFG_STRINGS:
		case CFG_ADDRS:
			err = strv_copy(FIELD(dst, k->offset, struct cfg_strv),
					CFIELD(src, k->offset, struct cfg_strv));
			if (err)
				return err;
			break;
		case CFG_U32S: {
			const struct cfg_vec *vs = CFIELD(src, k->offset, struct cfg_vec);
			struct cfg_vec *vd = FIELD(dst, k->offset, struct cfg_vec);

			vd->n = 0;
			vd->v = calloc(vs->n + 1, sizeof(uint32_t));
			if (!vd->v)
				return -ENOMEM;
			if (vs->n)
				memcpy(vd->v, vs->v, vs->n * sizeof(uint32_t));
			vd->n = vs->n;
			break;
		}
		case CFG_GROUP:
			err = schema_copy(k->sub, FIELD(dst, k->offset, char),
					  CFIELD(src, k->offset, char));
			if (err)
				return err;
			break;
		case CFG_LIST: {
			const struct cfg_vec *vs = CFIELD(src, k->offset, struct cfg_vec);
			struct cfg_vec *vd = FIELD(dst, k->offset, struct cfg_vec);
			size_t i;

			vd->n = 0;
			vd->v = calloc(vs->n ? vs->n : 1, k->elem_size);
			if (!vd->v)
				return -ENOMEM;
			for (i = 0; i < vs->n; i++) {
				vd->n++;
				err = schema_copy(k->sub, (char *)vd->v + i * k->elem_size,
						  (const char *)vs->v + i * k->elem_size);
				if (err)
					return err;
			}
			break;
		}
		case CFG_PLUGIN: {
			const struct plugin *p = *CFIELD(src, k->aux, struct plugin *);
			const void *sc = *CFIELD(src, k->offset, void *);
			void **dc = FIELD(dst, k->offset, void *);

			*FIELD(dst, k->aux, const struct plugin *) = p;
			*dc = NULL;
			if (!p || !sc)
				break;
			*dc = calloc(1, p->conf_size ? p->conf_size : 1);
			if (!*dc)
				return -ENOMEM;
			if (p->keys) {
				err = schema_copy(p->keys, *dc, sc);
				if (err)
					return err;
			}
			break;
		}
		}
	}
	return 0;
}
