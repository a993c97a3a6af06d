fuzzers += bgp_flood
bgp_flood-fuzz-src := plugins/monitor-bgp/station.c plugins/monitor-bgp/watch.c \
	plugins/monitor-bgp/bmp.c plugins/monitor-bgp/bgp.c
