plugin-$(CONFIG_MONITOR_BGP) += bgp
src-$(CONFIG_MONITOR_BGP) += $(wildcard plugins/monitor-bgp/*.c)
