unit-tests += probe_dns
probe_dns-src := plugins/probe-dns/dns.c plugins/probe-dns/dns_wire.c daemon/loop.c \
	daemon/log.c daemon/schema.c daemon/plugin.c daemon/probe_io.c test/unit/stubs/probe_plugin_stubs.c
