fuzzers += control
control-fuzz-src := daemon/control_req.c
