#!/bin/bash
# selftest: the same leaking build, left running at the end: lab_exit stops it and must fail
# the scenario, though every check passed.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_uplinkd
need_cmd "$TOOLS/leak.so"
plan 1
lab_up
lab_conf "$RUN/uplinkd.conf"
LD_PRELOAD=$TOOLS/leak.so ASAN_OPTIONS=verify_asan_link_order=0 start_uplinkd "$RUN/uplinkd.conf"
check "the daemon answers" wait_for 20 eval 'ctl status --json >/dev/null'
