/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: schema.h - table-driven configuration schema
 *
 * A key table (odhcpd's blobmsg_policy) says, for each key of a group, its type,
 * range and where the parsed value goes (offsetof into a C struct). The same
 * table frees the struct and compares two of them, so reload can diff objects
 * without hand-written comparisons. Unknown keys are errors: libconfig accepts
 * typos silently.
 */
#ifndef UPLINKD_SCHEMA_H
#define UPLINKD_SCHEMA_H

#include <libconfig.h>
#include <stdbool.h>
#include <stddef.h>

/*
 * Every error found, each as "FILE:LINE: path: message; what to do", and every
 * warning as "FILE:LINE: warning: ...". msgs[] stays in line order (a stable
 * sort: messages about the whole file first, then by line, equal lines in the
 * order they were found), so the operator reads them top to bottom.
 */
struct cfg_diag {
	const char *file;
	char **msgs;
	int *lines;	/* of msgs[i] (0: the whole file) */
	size_t n;
	size_t nwarn;	/* how many of msgs are warnings */
};

void cfg_diag_add(struct cfg_diag *d, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A warning: does not make the configuration invalid (uplinkd -t still exits 0). */
void cfg_diag_warn(struct cfg_diag *d, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static inline size_t cfg_diag_errors(const struct cfg_diag *d)
{
	return d->n - d->nwarn;
}
void cfg_diag_free(struct cfg_diag *d);
/* Line of a setting, or of its nearest parent that has one. */
int cfg_line(const config_setting_t *s);

struct cfg_strv {
	char **v;
	size_t n;
};

struct cfg_vec {
	void *v; /* n elements of the key's elem_size */
	size_t n;
};

enum cfg_type {
	CFG_INT,     /* int */
	CFG_BOOL,    /* bool */
	CFG_STRING,  /* char * (strdup'd) */
	CFG_ENUM,    /* int: index into names[] given as a string */
	CFG_ADDR,    /* char *: an IPv4 or IPv6 address literal */
	CFG_STRINGS, /* struct cfg_strv from an array or list of strings */
	CFG_ADDRS,   /* struct cfg_strv of address literals */
	CFG_GROUP,   /* nested struct at offset, keys in sub */
	CFG_LIST,    /* struct cfg_vec of elem_size structs, keys in sub */
	CFG_U32S,    /* struct cfg_vec of uint32_t from an array of integers (AS numbers) */
	CFG_PLUGIN,  /* void * conf of the plugin named by another key (see by/aux) */
};

#define CFG_REQUIRED 0x1

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t offset;
	unsigned int flags;
	long long min, max;       /* CFG_INT range; CFG_STRINGS/ADDRS/LIST/U32S count (max 0: none) */
	long long def;            /* default for INT/BOOL/ENUM */
	const char *def_str;      /* default for STRING/ADDR (strdup'd) */
	const char *const *names; /* CFG_ENUM: NULL-terminated */
	const struct cfg_key *sub;  /* CFG_GROUP/CFG_LIST */
	size_t elem_size;           /* CFG_LIST */
	/* CFG_PLUGIN: the string at `by` names a plugin of kind `min`; its keys are
	 * parsed from the same group into a conf struct stored at `offset`, and the
	 * plugin pointer is stored at `aux`. */
	size_t by, aux;
	const char *hint; /* what to do, appended to range errors */
};

#define CFG_END { .name = NULL }

/*
 * Parse the keys of `group` into obj. `path` names the group in messages
 * ("uplinks.[0]"); top level is "". Keys not in the table (nor in a
 * CFG_PLUGIN's plugin table) are reported. Returns the number of errors added.
 */
int schema_parse(const config_setting_t *group, const struct cfg_key *keys, void *obj,
		 const char *path, struct cfg_diag *d);
/* Same, but keys not in the table are left to the caller (top level). */
int schema_parse_open(const config_setting_t *group, const struct cfg_key *keys, void *obj,
		      const char *path, struct cfg_diag *d);
/* An IPv4 or IPv6 literal? family (may be NULL) gets AF_INET or AF_INET6. */
bool schema_addr_valid(const char *s, int *family);
/* Fill defaults only (for an absent group). */
void schema_defaults(const struct cfg_key *keys, void *obj);
void schema_free(const struct cfg_key *keys, void *obj);
bool schema_equal(const struct cfg_key *keys, const void *a, const void *b);
/* Deep copy (runtime objects keep copies of the values they use). */
int schema_copy(const struct cfg_key *keys, void *dst, const void *src);

bool cfg_strv_contains(const struct cfg_strv *v, const char *s);

#endif
