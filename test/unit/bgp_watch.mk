unit-tests += bgp_watch
bgp_watch-src := plugins/monitor-bgp/watch.c plugins/monitor-bgp/station.c \
	plugins/monitor-bgp/replay.c plugins/monitor-bgp/mrt.c plugins/monitor-bgp/bmp.c \
	plugins/monitor-bgp/bgp.c
