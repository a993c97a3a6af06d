unit-tests += bgp
bgp-src := plugins/monitor-bgp/bgp.c
