unit-tests += ipsec
ipsec-src := plugins/monitor-ipsec/vici.c plugins/monitor-ipsec/ipsec_sa.c \
	plugins/monitor-ipsec/ipsec_health.c plugins/monitor-ipsec/ipsec_conn.c \
	plugins/monitor-ipsec/ipsec_probe.c daemon/loop.c daemon/log.c
