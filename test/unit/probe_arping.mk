unit-tests += probe_arping
probe_arping-src := plugins/probe-arping/arping.c plugins/probe-arping/arp_wire.c daemon/loop.c \
	daemon/log.c daemon/schema.c daemon/plugin.c daemon/probe_io.c test/unit/stubs/probe_plugin_stubs.c
