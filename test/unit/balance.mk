unit-tests += balance
balance-src := daemon/balance.c daemon/health.c daemon/loop.c daemon/log.c
