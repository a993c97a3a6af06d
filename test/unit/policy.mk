unit-tests += policy
policy-src := daemon/policy.c daemon/policy_prefix.c daemon/policy_rank.c daemon/route_msg.c \
	daemon/health.c daemon/uplink.c daemon/bus.c daemon/loop.c daemon/log.c test/unit/stubs/policy_stubs.c \
	test/unit/stubs/policy_flow_stubs.c
