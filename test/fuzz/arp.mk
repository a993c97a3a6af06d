fuzzers += arp
arp-fuzz-src := plugins/probe-arping/arp_wire.c
