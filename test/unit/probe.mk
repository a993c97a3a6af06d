unit-tests += probe
probe-src := daemon/probe.c daemon/health.c daemon/uplink.c daemon/loop.c daemon/log.c test/unit/stubs/probe_stubs.c
