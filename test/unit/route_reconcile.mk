unit-tests += route_reconcile
route_reconcile-src := daemon/route.c daemon/route_msg.c daemon/uplink.c daemon/loop.c daemon/log.c
