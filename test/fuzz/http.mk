fuzzers += http
http-fuzz-src := plugins/probe-http/http_wire.c
