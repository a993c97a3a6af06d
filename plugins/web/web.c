// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web.c - the web plugin: its server on the daemon's loop, history and stream
 *
 * Runs one libmicrohttpd daemon started without threads (MHD_USE_EPOLL):
 * MHD's epoll fd is a loop_fd in d->loop and a loop_timer follows
 * MHD_get_timeout(); both call MHD_run(). Connections are capped in number,
 * memory and idle time, request bodies at WEB_BODY_MAX, so a slow or oversized
 * client costs a slot and never the loop. A 1 s timer samples every uplink
 * (through view.h) into the history (history.c), writes it to the history file
 * every 5 minutes and on stop, and feeds the SSE stream (web_sse.c); a bus
 * subscription pushes every event and a fresh status to the stream. Requests
 * are answered by web_api.c (the core's operator commands, history, metrics,
 * the page), logins by web_login.c, the section's keys and checks are
 * web_conf.c's. Created and destroyed by daemon.c (monitors_apply).
 */
#include "bus.h"
#include "daemon.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "schema.h"
#include "view.h"

#include "web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <json-c/json.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#define WEB_CONN_LIMIT 64
#define WEB_CONN_PER_IP 16
#define WEB_CONN_TIMEOUT_S 10
#define WEB_CONN_MEMORY (64 * 1024)
#define WEB_HIST_SAVE_S 300	 /* write the history file this often (flash wear) */
#define WEB_STATUS_PUSH_S 2	 /* a fresh status to the stream at least this often */
#define WEB_HEARTBEAT_S 15

/* ---- the loop glue ---- */

void web_run(struct web *w)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(w->mhd);
	if (MHD_get_timeout(w->mhd, &ms) == MHD_YES)
		loop_timer_set_in(&w->d->loop, &w->timer,
				  (uint64_t)(ms > 60000 ? 60000 : ms) * NSEC_PER_MSEC);
	else
		loop_timer_cancel(&w->d->loop, &w->timer);
}

static void web_fd_cb(struct loop_fd *f, uint32_t events)
{
	(void)events;
	web_run(container_of(f, struct web, fd));
}

static void web_timer_cb(struct loop_timer *t)
{
	web_run(container_of(t, struct web, timer));
}

static void web_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct web *w = cls;
	char buf[256];
	size_t n;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_rl_msg(&w->rl, LOG_WARNING, "web: %s", buf);
}

static void *web_uri_cb(void *cls, const char *uri, struct MHD_Connection *con)
{
	struct web_req *req = calloc(1, sizeof(*req));

	(void)cls;
	(void)con;
	/* a target longer than WEB_URI_MAX is cut one byte past it: web_route() says 414 */
	if (req && uri)
		snprintf(req->target, sizeof(req->target), "%s", uri);
	return req;
}

static void web_done_cb(void *cls, struct MHD_Connection *con, void **req_cls,
			enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)con;
	(void)toe;
	free(*req_cls);
	*req_cls = NULL;
}

/* ---- the stream and the history ---- */

char *web_status_text(struct web *w)
{
	struct json_object *st = view_status(w->d);
	char *s = strdup(json_object_to_json_string_ext(st, JSON_OUT));

	json_object_put(st);
	return s;
}

static void push_status(struct web *w)
{
	char *s;

	if (!w->sse.n)
		return;
	s = web_status_text(w);
	if (s)
		web_sse_send(&w->sse, "status", s);
	free(s);
	web_sse_wake(&w->sse);
	web_run(w);
}

static void web_push_cb(struct loop_event *e)
{
	push_status(container_of(e, struct web, push));
}

static void web_bus_cb(struct bus_sub *sub, const struct bus_event *ev)
{
	struct web *w = container_of(sub, struct web, sub);
	struct json_object *o;

	if (!w->sse.n)
		return;
	o = view_event_json(ev);
	web_sse_send(&w->sse, "event", json_object_to_json_string_ext(o, JSON_OUT));
	json_object_put(o);
	/* the status once, after the decision that published this is complete */
	loop_event_schedule(&w->d->loop, &w->push);
}

static void history_save(struct web *w)
{
	const char *names[WEB_HIST_UPLINKS_MAX];
	const struct uplink *u;
	struct view_uplink v;
	size_t n = 0;
	int err;

	view_for_each_uplink(w->d, u) {
		if (n < WEB_HIST_UPLINKS_MAX) {
			view_uplink_get(u, &v);
			names[n++] = v.name;
		}
	}
	web_history_retain(&w->hist, names, n);
	err = web_history_save(&w->hist, w->history_path);
	if (err < 0)
		log_rl_msg(&w->rl, LOG_WARNING, "web: history: cannot write %s: %s; keeping it in memory",
			   w->history_path, strerror(-err));
	else
		w->hist_dirty = w->hist_bad = false;
}

static void history_sample(struct web *w, uint64_t now_s)
{
	const struct uplink *u;

	view_for_each_uplink(w->d, u) {
		struct view_uplink v;
		struct web_hist_point p;

		view_uplink_get(u, &v);
		p.rtt_ms = (float)v.rtt_ms;
		p.loss_pct = v.rtt_ms < 0 && v.loss_pct <= 0 ? -1 : (float)v.loss_pct;
		p.jitter_ms = v.rtt_ms < 0 ? -1 : (float)v.jitter_ms;
		p.state = (uint8_t)v.state;
		web_history_add(&w->hist, v.name, now_s, &p);
	}
	w->hist_dirty = true;
}

static void web_tick_cb(struct loop_timer *t)
{
	struct web *w = container_of(t, struct web, tick);

	loop_timer_set(&w->d->loop, &w->tick, w->tick.due_ns + NSEC_PER_SEC);
	w->ticks++;
	history_sample(w, loop_clock_realtime_ms() / 1000);
	if (w->ticks % WEB_HIST_SAVE_S == 0)
		history_save(w);
	if (w->ticks % WEB_HEARTBEAT_S == 0)
		web_sse_send(&w->sse, NULL, NULL);
	if (w->ticks % WEB_STATUS_PUSH_S == 0)
		push_status(w);
}

/* ---- the plugin ---- */

static void web_destroy(void *inst)
{
	struct web *w = inst;

	if (!w)
		return;
	if (w->sub.cb)
		bus_unsubscribe(&w->sub);
	loop_event_cancel(&w->d->loop, &w->push);
	loop_timer_cancel(&w->d->loop, &w->tick);
	if (w->mhd && w->sse.n) {
		web_sse_close_all(&w->sse);
		MHD_run(w->mhd);
	}
	if (w->fd.registered)
		loop_fd_del(&w->d->loop, &w->fd);
	loop_timer_cancel(&w->d->loop, &w->timer);
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	if (w->history_path && (w->hist.n || w->hist_bad))
		history_save(w); /* a torn file is never left behind, samples or not */
	web_history_free(&w->hist);
	explicit_bzero(&w->sessions, sizeof(w->sessions));
	schema_free(web_keys, &w->conf);
	free(w->history_path);
	free(w);
}

static void history_open(struct web *w)
{
	char err[256] = "";
	int ret;

	ret = web_history_load(&w->hist, w->history_path, err, sizeof(err));
	w->hist_bad = ret < 0;
	if (ret < 0)
		log_warn("web: history file %s: %s; starting with an empty history (the file is replaced at the next save or at the stop)",
			 w->history_path, err[0] ? err : strerror(-ret));
	else if (w->hist.n)
		log_info("web: history of %zu uplink%s loaded from %s", w->hist.n,
			 w->hist.n == 1 ? "" : "s", w->history_path);
}

static void *web_create(struct daemon *d, const void *conf)
{
	const struct web_conf *c = conf;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage sa;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME;
	const char *why;
	struct web *w;
	socklen_t len;
	int err;

	if (web_listen_parse(c->listen, &sa, &len, &why) < 0) {
		log_err("web: listen \"%s\": %s", c->listen ? c->listen : "", why);
		return NULL;
	}
	w = calloc(1, sizeof(*w));
	if (!w)
		return NULL;
	w->d = d;
	loop_timer_init(&w->timer, web_timer_cb);
	loop_timer_init(&w->tick, web_tick_cb);
	loop_event_init(&w->push, web_push_cb);
	web_history_init(&w->hist);
	web_sse_init(&w->sse);
	w->fd.fd = -1;
	w->fd.cb = web_fd_cb;
	if (schema_copy(web_keys, &w->conf, c) < 0)
		goto err;
	if (c->history_file)
		w->history_path = strdup(c->history_file);
	else if (asprintf(&w->history_path, "%s/history.bin", d->cfg->state_dir) < 0)
		w->history_path = NULL;
	if (!w->history_path)
		goto err;
	history_open(w);
	web_conf_hosts_set(w);
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	/* the port only names the listener in libmicrohttpd's messages ("port 0" otherwise) */
	w->mhd = MHD_start_daemon(flags, ntohs(sa.ss_family == AF_INET6 ?
					       ((struct sockaddr_in6 *)&sa)->sin6_port :
					       ((struct sockaddr_in *)&sa)->sin_port),
				  NULL, NULL, web_request, w,
				  MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, w,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONN_LIMIT,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)WEB_CONN_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_CONN_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
				  MHD_OPTION_URI_LOG_CALLBACK, web_uri_cb, w,
				  MHD_OPTION_NOTIFY_COMPLETED, web_done_cb, w,
				  MHD_OPTION_END);
	if (!w->mhd) {
		log_err("web: cannot serve on %s (address in use or not on this host?)",
			c->listen);
		goto err;
	}
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0) {
		log_err("web: libmicrohttpd gave no epoll fd");
		goto err;
	}
	w->fd.fd = info->epoll_fd;
	err = loop_fd_add(&d->loop, &w->fd, EPOLLIN);
	if (err < 0) {
		log_err("web: loop: %s", strerror(-err));
		goto err;
	}
	w->sub.cb = web_bus_cb;
	bus_subscribe(&d->bus, &w->sub);
	loop_timer_set_in(&d->loop, &w->tick, NSEC_PER_SEC);
	web_run(w);
	log_notice("web: serving http://%s/ (%s)", c->listen,
		   c->users.n || c->tokens.n ? "actions need a login or token" : "read-only");
	return w;
err:
	web_destroy(w);
	return NULL;
}

static int web_reconfigure(void *inst, const void *conf)
{
	struct web *w = inst;
	const struct web_conf *c = conf;
	const char *names[64];
	struct web_conf copy;
	size_t i;

	if (!w || !c->listen || strcmp(w->conf.listen, c->listen) ||
	    (c->history_file == NULL) != (w->conf.history_file == NULL) ||
	    (c->history_file && strcmp(c->history_file, w->conf.history_file)))
		return -EAGAIN;
	/* the same address: keep connections, streams and history; swap credentials */
	memset(&copy, 0, sizeof(copy));
	if (schema_copy(web_keys, &copy, c) < 0)
		return -EAGAIN;
	schema_free(web_keys, &w->conf);
	w->conf = copy;
	web_conf_hosts_set(w);
	for (i = 0; i < w->conf.users.n && i < 64; i++)
		names[i] = WEB_USER(&w->conf, i)->name;
	web_sessions_retain(&w->sessions, names, i);
	return 0;
}

const struct plugin plugin_web = {
	.name = "web",
	.kind = PLUGIN_MONITOR,
	.keys = web_keys,
	.conf_size = sizeof(struct web_conf),
	.check = web_conf_check,
	.create = web_create,
	.reconfigure = web_reconfigure,
	.destroy = web_destroy,
};
