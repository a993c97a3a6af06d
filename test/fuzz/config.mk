fuzzers += config
# the real plugin list of the build (web, bgp, ipsec, probes): their schemas and check()s
config-fuzz-src := $(CORE_SRC)
config-fuzz-plugins := y
