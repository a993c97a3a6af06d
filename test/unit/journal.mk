unit-tests += journal
journal-src := daemon/journal.c daemon/bus.c daemon/loop.c daemon/log.c
