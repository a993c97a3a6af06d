/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * DOC: command.h - the operator's commands, one table for every front end
 *
 * status, events, reload, prefer, disable, enable and ack: each once, with its
 * arguments, whether it changes anything, and its handler. The control socket
 * (control.c, JSON lines) and the web API (plugins/web, HTTP forms and queries)
 * both parse into a struct command_req through this table and run it with
 * command_run(); neither names a verb itself. A front end decides only how a
 * caller proves who they are: the web asks for a login or a token before a
 * command whose `mutates` is set.
 *
 * Parsing (command.c) is pure and fuzzed through control_req.c; running
 * (command_run.c) calls the modules that own the state.
 */
#ifndef UPLINKD_COMMAND_H
#define UPLINKD_COMMAND_H

#include <stdbool.h>
#include <stddef.h>

struct daemon;
struct json_object;

enum command_id {
	CMD_STATUS,
	CMD_EVENTS,
	CMD_RELOAD,
	CMD_PREFER,
	CMD_ACK,
	CMD_DISABLE,
	CMD_ENABLE,
	CMD_MAX,
};

enum command_arg_type {
	CMD_ARG_NAME, /* a string of 1..size-1 bytes without NUL (an uplink, an alert id) */
	CMD_ARG_INT,  /* an integer in min..max */
};

#define CMD_ARGS_MAX 2

/* One argument: its key on the socket (JSON) and in web forms and queries. */
struct command_arg {
	const char *key;      /* "uplink" */
	const char *form_key; /* the name in a web form or query; NULL: key */
	enum command_arg_type type;
	size_t off;	      /* where in struct command_req it goes */
	size_t size;	      /* CMD_ARG_NAME: the buffer's size */
	long long min, max;   /* CMD_ARG_INT */
	bool required;
	const char *what;     /* what to send, for refusals: "a name or \"auto\"" */
};

struct command_req;

struct command {
	enum command_id id;
	const char *name;  /* as the operator types it */
	bool mutates;	   /* changes the daemon: the web asks who is asking */
	const char *reply; /* the socket's reply key for the result ("status"); NULL: the
			    * result's members go into the reply itself */
	const char *help;  /* one line for usage messages */
	struct command_arg args[CMD_ARGS_MAX + 1]; /* ends with key NULL */
};

/* A parsed request: which command, and every argument any command takes. */
struct command_req {
	const struct command *cmd;
	int count;	 /* events: how many (default 50, 1..1000) */
	char uplink[64]; /* prefer: a name or "auto"; disable, enable: a name */
	char alert[128]; /* ack: an id from bgp.alerts[] */
};

extern const struct command command_table[CMD_MAX];

/* "status, events, reload, prefer, ack, disable, enable": for refusals. */
extern const char command_names[];

/* The command called name[0..len), or NULL. */
const struct command *command_find(const char *name, size_t len);
/* The argument of cmd called key (form: its form key), or NULL. */
const struct command_arg *command_arg_find(const struct command *cmd, const char *key,
					   bool form);
/* Start a request for cmd: every argument at its default. */
void command_req_init(struct command_req *req, const struct command *cmd);
/* Set argument a from a JSON value. 0, or -EINVAL with a message in err. */
int command_req_set_json(struct command_req *req, const struct command_arg *a,
			 struct json_object *val, char *err, size_t errlen);
/* Set argument a from text (a web form or query value, already decoded). */
int command_req_set_text(struct command_req *req, const struct command_arg *a, const char *val,
			 char *err, size_t errlen);
/* Are the required arguments there? form: name them as a web form does. 0 or -EINVAL. */
int command_req_check(const struct command_req *req, bool form, char *err, size_t errlen);
/* The value of argument a in req, as text (for replies and the log). */
const char *command_req_text(const struct command_req *req, const struct command_arg *a,
			     char *buf, size_t len);

/*
 * Run req on d, on behalf of who ("web:admin", "root (uplinkctl, uid 0)"). Returns 0 with
 * *result set (a new reference; for status and events the object, for the others an
 * object that may hold "message"), or -errno with a message for the operator in err:
 * -ENOENT no such thing (an uplink, an alert, a monitor), -EINVAL refused (a
 * configuration with errors), -ENOTSUP not possible now, others internal.
 */
int command_run(struct daemon *d, const struct command_req *req, const char *who,
		struct json_object **result, char *err, size_t errlen);

#endif
