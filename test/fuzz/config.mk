fuzzers += config
config-fuzz-src := daemon/config.c daemon/schema.c daemon/plugin.c daemon/log.c
