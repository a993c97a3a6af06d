unit-tests += web_route
web_route-src := plugins/web/web_route.c daemon/command.c
