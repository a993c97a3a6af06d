fuzzers += bmp
bmp-fuzz-src := plugins/monitor-bgp/bmp.c plugins/monitor-bgp/bgp.c
