fuzzers += icmp
icmp-fuzz-src := plugins/probe-icmp/icmp_wire.c
