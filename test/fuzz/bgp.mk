fuzzers += bgp
bgp-fuzz-src := plugins/monitor-bgp/bgp.c
