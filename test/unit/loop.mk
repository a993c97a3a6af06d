unit-tests += loop
loop-src := daemon/loop.c daemon/log.c daemon/probe_io.c
