unit-tests += command
command-src := daemon/command.c daemon/command_run.c daemon/journal.c daemon/bus.c daemon/loop.c \
	daemon/log.c test/unit/stubs/control_stubs.c
