unit-tests += bus
bus-src := daemon/bus.c daemon/loop.c daemon/log.c
