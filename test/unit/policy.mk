unit-tests += policy
policy-src := daemon/policy.c daemon/health.c daemon/uplink.c daemon/bus.c daemon/loop.c daemon/log.c test/unit/stubs/policy_stubs.c test/unit/stubs/policy_flow_stubs.c
