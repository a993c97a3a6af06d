unit-tests += hook
hook-src := daemon/hook.c daemon/bus.c daemon/loop.c daemon/log.c
