unit-tests += probe_wire
probe_wire-src := plugins/probe-icmp/icmp_wire.c plugins/probe-dns/dns_wire.c
