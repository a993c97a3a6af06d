unit-tests += probe_tcp
probe_tcp-src := plugins/probe-tcp/tcp.c daemon/loop.c daemon/log.c daemon/schema.c \
	daemon/plugin.c daemon/probe_io.c test/unit/stubs/probe_plugin_stubs.c
