unit-tests += vici
vici-src := plugins/monitor-ipsec/vici.c
