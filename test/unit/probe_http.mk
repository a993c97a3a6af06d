unit-tests += probe_http
probe_http-src := plugins/probe-http/http.c plugins/probe-http/http_wire.c daemon/loop.c \
	daemon/log.c daemon/schema.c daemon/plugin.c daemon/probe_io.c test/unit/stubs/probe_plugin_stubs.c
