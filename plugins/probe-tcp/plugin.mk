plugin-$(CONFIG_PLUGIN_PROBE_TCP) += probe_tcp
src-$(CONFIG_PLUGIN_PROBE_TCP) += $(wildcard plugins/probe-tcp/*.c)
