unit-tests += ipsec_steer
ipsec_steer-src := $(wildcard plugins/monitor-ipsec/*.c) daemon/loop.c daemon/log.c \
	daemon/bus.c daemon/health.c daemon/uplink.c daemon/view.c daemon/policy_rank.c daemon/schema.c daemon/config.c daemon/config_rules.c daemon/config_syntax.c daemon/plugin.c
