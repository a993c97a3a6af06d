fuzzers += mrt
mrt-fuzz-src := plugins/monitor-bgp/mrt.c plugins/monitor-bgp/bgp.c
