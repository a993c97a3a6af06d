#!/bin/bash
# selftest: a build that leaks at exit (the test hook leak.so, preloaded) must fail the
# scenario at its stop.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_uplinkd
need_cmd "$TOOLS/leak.so"
plan 2
lab_up
lab_conf "$RUN/uplinkd.conf"
LD_PRELOAD=$TOOLS/leak.so ASAN_OPTIONS=verify_asan_link_order=0 start_uplinkd "$RUN/uplinkd.conf"
check "the daemon answers" wait_for 20 eval 'ctl status --json >/dev/null'
check_stop
