fuzzers += ipsec_sa
ipsec_sa-fuzz-src := plugins/monitor-ipsec/vici.c plugins/monitor-ipsec/ipsec_sa.c \
	plugins/monitor-ipsec/ipsec_health.c
