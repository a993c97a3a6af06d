plugin-$(CONFIG_MONITOR_IPSEC) += ipsec
src-$(CONFIG_MONITOR_IPSEC) += $(wildcard plugins/monitor-ipsec/*.c)
