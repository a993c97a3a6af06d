unit-tests += control_sock
control_sock-src := daemon/control.c daemon/control_req.c daemon/command.c daemon/command_run.c daemon/journal.c daemon/bus.c daemon/loop.c daemon/log.c test/unit/stubs/control_stubs.c
