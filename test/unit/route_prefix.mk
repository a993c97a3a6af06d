unit-tests += route_prefix
route_prefix-src := daemon/route_prefix.c daemon/route_msg.c daemon/uplink.c daemon/bus.c \
	daemon/loop.c daemon/log.c
