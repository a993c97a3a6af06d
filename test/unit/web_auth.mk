unit-tests += web_auth
web_auth-src := plugins/web/auth.c plugins/web/web_sse.c daemon/log.c
