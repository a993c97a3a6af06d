unit-tests += uplinks
uplinks-src := daemon/uplinks.c daemon/uplink.c daemon/health.c daemon/bus.c daemon/config.c \
	daemon/config_syntax.c daemon/schema.c daemon/plugin.c daemon/loop.c daemon/log.c
