unit-tests += web_history
web_history-src := plugins/web/history.c
