unit-tests += config
config-src := daemon/config.c daemon/config_rules.c daemon/config_syntax.c daemon/schema.c daemon/plugin.c daemon/log.c
