unit-tests += bgp_plugin
bgp_plugin-src := daemon/config.c daemon/config_rules.c daemon/config_syntax.c daemon/schema.c daemon/plugin.c daemon/log.c daemon/loop.c \
	daemon/bus.c daemon/journal.c $(wildcard plugins/monitor-bgp/*.c)
