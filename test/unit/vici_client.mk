unit-tests += vici_client
vici_client-src := plugins/monitor-ipsec/vici_client.c plugins/monitor-ipsec/vici.c \
	daemon/loop.c daemon/log.c
