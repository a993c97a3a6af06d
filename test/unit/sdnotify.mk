unit-tests += sdnotify
sdnotify-src := daemon/sdnotify.c daemon/loop.c daemon/log.c
