unit-tests += probe_icmp
probe_icmp-src := plugins/probe-icmp/icmp.c plugins/probe-icmp/icmp_wire.c daemon/loop.c \
	daemon/log.c daemon/schema.c daemon/plugin.c daemon/probe_io.c test/unit/stubs/probe_plugin_stubs.c
