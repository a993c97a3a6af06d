plugin-$(CONFIG_PLUGIN_PROBE_DNS) += probe_dns
src-$(CONFIG_PLUGIN_PROBE_DNS) += $(wildcard plugins/probe-dns/*.c)
