fuzzers += bgp_station
bgp_station-fuzz-src := plugins/monitor-bgp/station.c plugins/monitor-bgp/watch.c \
	plugins/monitor-bgp/bmp.c plugins/monitor-bgp/bgp.c
