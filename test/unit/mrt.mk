unit-tests += mrt
mrt-src := plugins/monitor-bgp/mrt.c plugins/monitor-bgp/bgp.c
