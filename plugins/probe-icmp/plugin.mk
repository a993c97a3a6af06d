plugin-$(CONFIG_PLUGIN_PROBE_ICMP) += probe_icmp
src-$(CONFIG_PLUGIN_PROBE_ICMP) += $(wildcard plugins/probe-icmp/*.c)
