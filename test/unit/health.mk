unit-tests += health
health-src := daemon/health.c
