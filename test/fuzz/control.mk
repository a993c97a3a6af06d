fuzzers += control
control-fuzz-src := daemon/control_req.c daemon/command.c
# the daemon accepts request lines up to CONTROL_LINE_MAX (64 KiB) plus the newline; libFuzzer's
# default (4 KiB) would never try the long ones
control-fuzz-flags := -max_len=65600
