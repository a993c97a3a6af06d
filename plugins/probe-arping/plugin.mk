plugin-$(CONFIG_PLUGIN_PROBE_ARPING) += probe_arping
src-$(CONFIG_PLUGIN_PROBE_ARPING) += $(wildcard plugins/probe-arping/*.c)
