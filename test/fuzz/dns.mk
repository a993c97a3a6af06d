fuzzers += dns
dns-fuzz-src := plugins/probe-dns/dns_wire.c
