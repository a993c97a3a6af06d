fuzzers += web_history
web_history-fuzz-src := plugins/web/history.c
