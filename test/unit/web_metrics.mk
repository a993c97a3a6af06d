unit-tests += web_metrics
web_metrics-src := plugins/web/metrics.c
