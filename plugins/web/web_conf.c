// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web_conf.c - the `web { }` section: schema, checks, the Host names
 *
 * Owns the keys of the web section (listen, history_file, hosts, users,
 * tokens) and the cross-checks `uplinkd -t` reports with their line: a listen
 * address literal with a port, Host names that parse, unique user names,
 * password hashes this system's crypt(3) can check, tokens long enough not to
 * be guessed. Sets the names the page answers to (web_route.c's Host rules).
 * Called by web.c (the plugin's hook table, create and reconfigure).
 */
#include "log.h"
#include "schema.h"

#include "web.h"

#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static const struct cfg_key web_user_keys[] = {
	{ "name", CFG_STRING, offsetof(struct web_user, name), CFG_REQUIRED, .min = 1 },
	{ "password_hash", CFG_STRING, offsetof(struct web_user, password_hash), CFG_REQUIRED,
	  .min = 1, .hint = "make one with `mkpasswd -m sha-512` or `openssl passwd -6`" },
	CFG_END
};

static const struct cfg_key web_token_keys[] = {
	{ "name", CFG_STRING, offsetof(struct web_token, name), CFG_REQUIRED, .min = 1 },
	{ "token", CFG_STRING, offsetof(struct web_token, token), CFG_REQUIRED, .min = 1,
	  .hint = "use 16 or more random characters, e.g. `openssl rand -hex 24`" },
	CFG_END
};

const struct cfg_key web_keys[] = {
	{ "listen", CFG_STRING, offsetof(struct web_conf, listen), CFG_REQUIRED, .min = 1,
	  .hint = "e.g. listen = \"127.0.0.1:8080\";" },
	{ "history_file", CFG_STRING, offsetof(struct web_conf, history_file), 0, .min = 1,
	  .hint = "default: STATE_DIR/history.bin" },
	{ "hosts", CFG_STRINGS, offsetof(struct web_conf, hosts), 0, .min = 1,
	  .max = WEB_HOSTS_MAX, .hint = "e.g. hosts = [ \"router.example\", \"192.0.2.1:8080\" ];" },
	{ "users", CFG_LIST, offsetof(struct web_conf, users), 0, .max = 64,
	  .sub = web_user_keys, .elem_size = sizeof(struct web_user) },
	{ "tokens", CFG_LIST, offsetof(struct web_conf, tokens), 0, .max = 64,
	  .sub = web_token_keys, .elem_size = sizeof(struct web_token) },
	CFG_END
};

static bool name_ok(const char *s)
{
	size_t i, n = strlen(s);

	if (!n || n >= WEB_NAME_MAX)
		return false;
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f || s[i] == ':')
			return false;
	return true;
}

static void hosts_check(const struct web_conf *c, int line, struct cfg_diag *d)
{
	char name[WEB_HOST_MAX + 1];
	unsigned int port;
	const char *why;
	size_t i;

	for (i = 0; i < c->hosts.n; i++)
		if (web_host_parse(c->hosts.v[i], name, sizeof(name), &port, &why) < 0)
			cfg_diag_add(d, line, "web.hosts.[%zu]: \"%s\": %s", i, c->hosts.v[i], why);
}

/* web.hosts, or the defaults for the listen address and this host's name. */
void web_conf_hosts_set(struct web *w)
{
	struct sockaddr_storage sa;
	char hostname[256] = "";
	const char *why;
	socklen_t len;

	if (web_listen_parse(w->conf.listen, &sa, &len, &why) < 0)
		memset(&sa, 0, sizeof(sa));
	if (gethostname(hostname, sizeof(hostname) - 1) < 0)
		hostname[0] = '\0';
	if (web_hosts_set(&w->hosts, (const char *const *)w->conf.hosts.v, w->conf.hosts.n, &sa,
			  hostname, NULL, &why) < 0)
		log_err("web: hosts: %s", why); /* web_check() refused this already */
}

int web_conf_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct web_conf *c = conf;
	struct sockaddr_storage sa;
	const char *why;
	socklen_t len;
	size_t i, j;

	(void)cfg;
	if (c->listen && web_listen_parse(c->listen, &sa, &len, &why) < 0)
		cfg_diag_add(d, line, "web.listen: \"%s\": %s", c->listen, why);
	hosts_check(c, line, d);
	for (i = 0; i < c->users.n; i++) {
		const struct web_user *u = WEB_USER(c, i);

		if (!u->name || !u->password_hash)
			continue;
		if (!name_ok(u->name))
			cfg_diag_add(d, line, "web.users.[%zu].name: \"%s\": use 1 to 63 printable characters without spaces or ':'",
				     i, u->name);
		if (!web_hash_valid(u->password_hash))
			cfg_diag_add(d, line, "web.users.[%zu].password_hash: not a crypt(3) hash this system can check; make one with `mkpasswd -m sha-512` or `openssl passwd -6`",
				     i);
		for (j = 0; j < i; j++)
			if (WEB_USER(c, j)->name && !strcmp(WEB_USER(c, j)->name, u->name))
				cfg_diag_add(d, line, "web.users.[%zu].name: \"%s\" twice; names must be unique",
					     i, u->name);
	}
	for (i = 0; i < c->tokens.n; i++) {
		const struct web_token *t = WEB_TOKEN(c, i);

		if (!t->name || !t->token)
			continue;
		if (!name_ok(t->name))
			cfg_diag_add(d, line, "web.tokens.[%zu].name: \"%s\": use 1 to 63 printable characters without spaces or ':'",
				     i, t->name);
		for (j = 0; t->token[j]; j++)
			if ((unsigned char)t->token[j] <= 0x20 || (unsigned char)t->token[j] >= 0x7f)
				break;
		if (t->token[j])
			cfg_diag_add(d, line, "web.tokens.[%zu].token: printable ASCII without spaces only", i);
		else if (j < 16)
			cfg_diag_add(d, line, "web.tokens.[%zu].token: %zu characters are guessable; use 16 or more random ones, e.g. `openssl rand -hex 24`",
				     i, j);
	}
	return 0;
}
