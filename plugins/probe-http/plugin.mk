plugin-$(CONFIG_PLUGIN_PROBE_HTTP) += probe_http
src-$(CONFIG_PLUGIN_PROBE_HTTP) += $(wildcard plugins/probe-http/*.c)
