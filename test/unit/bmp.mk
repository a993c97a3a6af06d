unit-tests += bmp
bmp-src := plugins/monitor-bgp/bmp.c plugins/monitor-bgp/bgp.c
