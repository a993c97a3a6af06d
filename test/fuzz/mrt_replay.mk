fuzzers += mrt_replay
mrt_replay-fuzz-src := plugins/monitor-bgp/replay.c plugins/monitor-bgp/watch.c \
	plugins/monitor-bgp/mrt.c plugins/monitor-bgp/bgp.c
