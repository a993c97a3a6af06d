fuzzers += web_route
web_route-fuzz-src := plugins/web/web_route.c plugins/web/auth.c daemon/command.c
