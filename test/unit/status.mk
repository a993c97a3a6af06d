unit-tests += status
status-src := daemon/status.c daemon/health.c daemon/uplink.c daemon/loop.c daemon/log.c
