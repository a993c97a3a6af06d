// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The operator command table (command.c) and its dispatch (command_run.c): the table is
 * consistent, arguments from JSON (the socket) and from text (web forms) obey the same
 * rules, and every command reaches its owner with who asked. The owners are stubs
 * (test/unit/stubs/control_stubs.c); their real behaviour is tested in their rooms.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "command.h"
#include "stubs/control_stubs.h"
#include "daemon.h"

static void test_table(void **state)
{
	char names[256] = "";
	size_t i, off = 0;

	(void)state;
	for (i = 0; i < CMD_MAX; i++) {
		const struct command *c = &command_table[i];
		const struct command_arg *a, *b;

		assert_int_equal(c->id, i);
		assert_non_null(c->name);
		assert_non_null(c->help);
		assert_ptr_equal(command_find(c->name, strlen(c->name)), c);
		off += (size_t)snprintf(names + off, sizeof(names) - off, "%s%s", i ? ", " : "",
					c->name);
		/* a command that changes something answers with a message, not an object */
		if (c->mutates)
			assert_null(c->reply);
		for (a = c->args; a->key; a++) {
			assert_true(a - c->args < CMD_ARGS_MAX);
			assert_non_null(a->what);
			assert_ptr_equal(command_arg_find(c, a->key, false), a);
			assert_ptr_equal(command_arg_find(c, a->form_key ? a->form_key : a->key, true),
					 a);
			if (a->type == CMD_ARG_NAME)
				assert_true(a->off + a->size <= sizeof(struct command_req));
			else
				assert_true(a->min <= a->max);
			for (b = c->args; b < a; b++)
				assert_string_not_equal(a->key, b->key);
		}
	}
	/* the list the refusals print is the table's */
	assert_string_equal(command_names, names);
	/* the read-only ones need no login on the web; the rest do */
	assert_false(command_table[CMD_STATUS].mutates);
	assert_false(command_table[CMD_EVENTS].mutates);
	assert_true(command_table[CMD_RELOAD].mutates);
	assert_true(command_table[CMD_PREFER].mutates);
	assert_true(command_table[CMD_ACK].mutates);
	assert_true(command_table[CMD_DISABLE].mutates);
	assert_true(command_table[CMD_ENABLE].mutates);
	assert_null(command_find("stat", 4));
	assert_null(command_find("statusx", 7));
	assert_null(command_find("STATUS", 6));
	assert_null(command_find("status\0x", 8));
}

/* Web forms: the same rules as JSON, named as the form names them. */
static void test_text(void **state)
{
	const struct command *ack = &command_table[CMD_ACK], *ev = &command_table[CMD_EVENTS];
	const struct command *prefer = &command_table[CMD_PREFER];
	struct command_req r;
	char err[256], buf[16];
	char long_name[80];

	(void)state;
	command_req_init(&r, prefer);
	assert_int_equal(command_req_check(&r, true, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "prefer needs uplink=...: a name or \"auto\"");
	assert_int_equal(command_req_check(&r, false, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "prefer needs \"uplink\": a name or \"auto\"");
	assert_int_equal(command_req_set_text(&r, command_arg_find(prefer, "uplink", true), "isp2",
					      err, sizeof(err)), 0);
	assert_string_equal(r.uplink, "isp2");
	assert_int_equal(command_req_check(&r, true, err, sizeof(err)), 0);
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_int_equal(command_req_set_text(&r, command_arg_find(prefer, "uplink", true),
					      long_name, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"uplink\" must be 1 to 63 characters");
	assert_string_equal(r.uplink, "isp2"); /* a refused value changes nothing */

	/* ack's alert is "id" in a form, "alert" on the socket */
	command_req_init(&r, ack);
	assert_null(command_arg_find(ack, "alert", true));
	assert_null(command_arg_find(ack, "id", false));
	assert_int_equal(command_req_check(&r, true, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "ack needs id=...: an id from bgp.alerts[]");
	assert_int_equal(command_req_set_text(&r, command_arg_find(ack, "id", true), "", err,
					      sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"id\" must be 1 to 127 characters");

	command_req_init(&r, ev);
	assert_int_equal(r.count, 50);
	assert_int_equal(command_req_set_text(&r, ev->args, "0042", err, sizeof(err)), 0);
	assert_int_equal(r.count, 42);
	assert_string_equal(command_req_text(&r, ev->args, buf, sizeof(buf)), "42");
	assert_int_equal(command_req_set_text(&r, ev->args, "1001", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"count\" must be a whole number from 1 to 1000");
	assert_int_equal(command_req_set_text(&r, ev->args, "-3", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"count\" must be a whole number from 1 to 1000");
	assert_int_equal(command_req_set_text(&r, ev->args, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(command_req_set_text(&r, ev->args, "99999999999999999999", err,
					      sizeof(err)), -EINVAL);
	assert_string_equal(err, "\"count\" must be a whole number from 1 to 1000");
	assert_int_equal(r.count, 42);
}

struct fixture {
	struct daemon d;
	struct config cfg;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->d.cfg = &f->cfg;
	list_init(&f->d.uplinks);
	memset(&ctl_stub, 0, sizeof(ctl_stub));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static int run(struct fixture *f, enum command_id id, const char *arg, const char *who,
	       struct json_object **res, char *err)
{
	struct command_req r;

	command_req_init(&r, &command_table[id]);
	if (arg)
		assert_int_equal(command_req_set_text(&r, command_table[id].args, arg, err, 256), 0);
	return command_run(&f->d, &r, who, res, err, 256);
}

static const char *str(struct json_object *o, const char *key)
{
	struct json_object *v;

	return json_object_object_get_ex(o, key, &v) ? json_object_get_string(v) : NULL;
}

static void test_run(void **state)
{
	struct fixture *f = *state;
	struct json_object *res;
	char err[256];

	/* read-only: the object itself */
	assert_int_equal(run(f, CMD_STATUS, NULL, "web", &res, err), 0);
	assert_true(json_object_object_get_ex(res, "uplinks", NULL));
	assert_int_equal(ctl_stub.status_calls, 1);
	json_object_put(res);
	assert_int_equal(run(f, CMD_EVENTS, "5", "web", &res, err), 0);
	assert_true(json_object_is_type(res, json_type_array)); /* no journal: empty */
	json_object_put(res);

	/* prefer, disable, enable reach policy with who asked */
	assert_int_equal(run(f, CMD_PREFER, "isp2", "web:admin", &res, err), 0);
	assert_string_equal(ctl_stub.prefer, "isp2");
	assert_string_equal(ctl_stub.who, "web:admin");
	assert_null(str(res, "message"));
	json_object_put(res);
	assert_int_equal(run(f, CMD_PREFER, "isp9", "web:admin", &res, err), -ENOENT);
	assert_null(res);
	assert_string_equal(err, "stub refuses isp9");
	assert_int_equal(run(f, CMD_DISABLE, "isp1", "root (uplinkctl, uid 0)", &res, err), 0);
	assert_string_equal(ctl_stub.admin, "isp1");
	assert_int_equal(ctl_stub.admin_disable, 1);
	assert_string_equal(ctl_stub.who, "root (uplinkctl, uid 0)");
	json_object_put(res);
	assert_int_equal(run(f, CMD_ENABLE, "isp1", "web:x", &res, err), 0);
	assert_int_equal(ctl_stub.admin_disable, 0);
	json_object_put(res);
	assert_int_equal(run(f, CMD_ENABLE, "isp7", "web:x", &res, err), -ENOENT);
	assert_string_equal(err, "no uplink named \"isp7\"; use one of: isp1 isp2");

	/* ack goes to the bgp monitor; its note on success comes back as "message" */
	assert_int_equal(run(f, CMD_ACK, "hijack-1", "web:admin", &res, err), 0);
	assert_string_equal(ctl_stub.ack, "hijack-1");
	assert_string_equal(str(res, "message"), "alert hijack-1 acknowledged");
	assert_string_equal(err, "");
	json_object_put(res);
	assert_int_equal(run(f, CMD_ACK, "nope", "web:admin", &res, err), -ENOENT);
	assert_string_equal(err, "no bgp section; cannot ack nope");

	/* reload: the configuration's errors are the message */
	assert_int_equal(run(f, CMD_RELOAD, NULL, "web:admin", &res, err), 0);
	assert_int_equal(json_object_object_length(res), 0);
	json_object_put(res);
	ctl_stub.reload_errs = "uplinkd.conf:3: uplinks: expected a list";
	assert_int_equal(run(f, CMD_RELOAD, NULL, "web:admin", &res, err), -EINVAL);
	assert_null(res);
	assert_string_equal(err, "uplinkd.conf:3: uplinks: expected a list");
	assert_int_equal(ctl_stub.reload_calls, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_text),
		cmocka_unit_test_setup_teardown(test_run, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
