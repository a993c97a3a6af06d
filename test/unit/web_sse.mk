unit-tests += web_sse
web_sse-src := plugins/web/web_sse.c daemon/log.c
