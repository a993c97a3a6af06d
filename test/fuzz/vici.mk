fuzzers += vici
vici-fuzz-src := plugins/monitor-ipsec/vici.c
