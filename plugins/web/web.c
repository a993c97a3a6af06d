// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * DOC: web.c - the web plugin: status page and HTTP API on the daemon's loop
 *
 * Owns the `web { listen = "ADDR:PORT"; }` section and one libmicrohttpd
 * daemon started without threads (MHD_USE_EPOLL): MHD's epoll fd is a
 * loop_fd in d->loop and a loop_timer follows MHD_get_timeout(); both call
 * MHD_run(). Connections are capped in number, memory and idle time, so a
 * slow or oversized client costs a slot and never the loop. Routing is in
 * web_route.c, the Prometheus writer in metrics.c, the page in page.c; the
 * handlers read status_build(), journal_last(), the uplinks and the policy.
 * Created and destroyed by daemon.c (monitors_apply) as a MONITOR plugin.
 */
#include "daemon.h"
#include "health.h"
#include "journal.h"
#include "log.h"
#include "loop.h"
#include "plugin.h"
#include "policy.h"
#include "status.h"
#include "uplink.h"

#include "metrics.h"
#include "page.h"
#include "web_route.h"

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

struct web_conf {
	char *listen;
};

struct web {
	struct daemon *d;
	char *listen;
	struct MHD_Daemon *mhd;
	struct loop_fd fd;
	struct loop_timer timer;
	struct log_rl rl;
};

/* Per request: the raw target (with its query string) as the client sent it. */
struct web_req {
	char target[WEB_URI_MAX + 2];
};

static const struct cfg_key web_keys[] = {
	{ "listen", CFG_STRING, offsetof(struct web_conf, listen), CFG_REQUIRED, .min = 1,
	  .hint = "e.g. listen = \"127.0.0.1:8080\";" },
	CFG_END
};

static int web_check(const void *conf, const struct config *cfg, int line, struct cfg_diag *d)
{
	const struct web_conf *c = conf;
	struct sockaddr_storage sa;
	const char *why;
	socklen_t len;

	(void)cfg;
	if (!c->listen)
		return 0; /* the schema reported the missing key */
	if (web_listen_parse(c->listen, &sa, &len, &why) < 0)
		cfg_diag_add(d, line, "web.listen: \"%s\": %s", c->listen, why);
	return 0;
}

/* ---- the loop glue ---- */

static void web_run(struct web *w)
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

/* ---- responses ---- */

static enum MHD_Result reply(struct MHD_Connection *con, unsigned int status, const char *type,
			     void *body, size_t len, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, mode);
	if (!resp) {
		if (mode == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, WEB_ALLOW);
	if (status == MHD_HTTP_OK && strncmp(type, "text/html", 9) == 0)
		MHD_add_response_header(resp, "Content-Security-Policy",
					"default-src 'none'; script-src 'unsafe-inline'; "
					"style-src 'unsafe-inline'; connect-src 'self'");
	ret = MHD_queue_response(con, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_json(struct MHD_Connection *con, unsigned int status,
				  struct json_object *o)
{
	enum MHD_Result ret;
	const char *s;

	if (!o)
		return MHD_NO;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	ret = reply(con, status, "application/json", (void *)s, strlen(s),
		    MHD_RESPMEM_MUST_COPY);
	json_object_put(o);
	return ret;
}

static enum MHD_Result reply_error(struct MHD_Connection *con, unsigned int status,
				   const char *msg)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "error", json_object_new_string(msg));
	json_object_object_add(o, "status", json_object_new_int((int)status));
	return reply_json(con, status, o);
}

static long long rss_bytes(void)
{
	unsigned long long size, resident;
	long page = sysconf(_SC_PAGESIZE);
	FILE *f = fopen("/proc/self/statm", "re");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%llu %llu", &size, &resident);
	fclose(f);
	return n == 2 && page > 0 ? (long long)(resident * (unsigned long long)page) : -1;
}

static enum MHD_Result reply_metrics(struct web *w, struct MHD_Connection *con)
{
	struct daemon *d = w->d;
	struct web_metric_uplink *mu;
	struct web_metrics m = {
		.states = health_state_names,
		.nstates = HEALTH_STATE_MAX,
		.policy_switches = d->policy ? policy_switches(d) : 0,
		.rss_bytes = rss_bytes(),
	};
	uint64_t now = loop_clock_realtime_ms();
	struct uplink *u;
	size_t n = 0, len;
	char *body;

	list_for_each_entry(u, &d->uplinks, node)
		n++;
	mu = calloc(n ? n : 1, sizeof(*mu));
	if (!mu)
		return reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	list_for_each_entry(u, &d->uplinks, node) {
		struct web_metric_uplink *x = &mu[m.n++];
		struct health_metrics hm;

		health_metrics(&u->health, &hm);
		x->name = u->cfg.name;
		x->state = (size_t)u->health.state;
		x->up = u->health.state != HEALTH_DOWN;
		x->active = u->active;
		x->rtt_ms = hm.rtt_ms;
		x->loss_pct = hm.loss_pct;
		x->jitter_ms = hm.rtt_ms < 0 ? -1 : hm.jitter_ms;
		x->switches = u->switches;
	}
	m.u = mu;
	m.uptime_s = now > d->started_ms ? (double)(now - d->started_ms) / 1000.0 : 0;
	body = web_metrics_format(&m, &len);
	free(mu);
	if (!body)
		return reply_error(con, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory");
	return reply(con, MHD_HTTP_OK, WEB_METRICS_CONTENT_TYPE, body, len,
		     MHD_RESPMEM_MUST_FREE);
}

static enum MHD_Result web_request(void *cls, struct MHD_Connection *con, const char *url,
				   const char *method, const char *version,
				   const char *upload_data, size_t *upload_data_size,
				   void **req_cls)
{
	struct web *w = cls;
	struct web_req *req = *req_cls;
	struct web_route r;

	(void)url;
	(void)version;
	(void)upload_data;
	(void)upload_data_size;
	if (!req)
		return MHD_NO; /* out of memory in web_uri_cb: drop the connection */

	/* answered on the first call: a request body is never read */
	web_route(method, req->target, &r);
	switch (r.handler) {
	case WEB_PAGE:
		return reply(con, MHD_HTTP_OK, "text/html; charset=utf-8",
			     (void *)web_page_html, web_page_html_len, MHD_RESPMEM_PERSISTENT);
	case WEB_STATUS:
		return reply_json(con, MHD_HTTP_OK, status_build(w->d));
	case WEB_EVENTS: {
		struct json_object *ev = w->d->journal ? journal_last(w->d, r.count) : NULL;

		return reply_json(con, MHD_HTTP_OK, ev ? ev : json_object_new_array());
	}
	case WEB_METRICS:
		return reply_metrics(w, con);
	case WEB_ERROR:
		break;
	}
	return reply_error(con, r.status, r.error);
}

/* ---- the plugin ---- */

static void web_destroy(void *inst)
{
	struct web *w = inst;

	if (!w)
		return;
	if (w->fd.registered)
		loop_fd_del(&w->d->loop, &w->fd);
	loop_timer_cancel(&w->d->loop, &w->timer);
	if (w->mhd)
		MHD_stop_daemon(w->mhd);
	free(w->listen);
	free(w);
}

static void *web_create(struct daemon *d, const void *conf)
{
	const struct web_conf *c = conf;
	const union MHD_DaemonInfo *info;
	struct sockaddr_storage sa;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
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
	w->fd.fd = -1;
	w->fd.cb = web_fd_cb;
	w->listen = strdup(c->listen);
	if (!w->listen)
		goto err;
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, web_request, w,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
				  MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned int)1,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)WEB_CONN_LIMIT,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned int)WEB_CONN_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)WEB_CONN_TIMEOUT_S,
				  MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONN_MEMORY,
				  MHD_OPTION_URI_LOG_CALLBACK, web_uri_cb, w,
				  MHD_OPTION_NOTIFY_COMPLETED, web_done_cb, w,
				  MHD_OPTION_EXTERNAL_LOGGER, web_mhd_log, w,
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
	web_run(w);
	log_notice("web: serving http://%s/", c->listen);
	return w;
err:
	web_destroy(w);
	return NULL;
}

static int web_reconfigure(void *inst, const void *conf)
{
	const struct web *w = inst;
	const struct web_conf *c = conf;

	if (!w || !c->listen || strcmp(w->listen, c->listen))
		return -EAGAIN;
	return 0;
}

const struct plugin plugin_web = {
	.name = "web",
	.kind = PLUGIN_MONITOR,
	.keys = web_keys,
	.conf_size = sizeof(struct web_conf),
	.check = web_check,
	.create = web_create,
	.reconfigure = web_reconfigure,
	.destroy = web_destroy,
};
