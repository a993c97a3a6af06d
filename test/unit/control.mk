unit-tests += control
control-src := daemon/control_req.c daemon/command.c
