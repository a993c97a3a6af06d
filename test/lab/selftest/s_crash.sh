#!/bin/bash
# selftest: the daemon dies of a signal (exit status 134) before the scenario stops it.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_uplinkd
plan 2
lab_up
start_lab_uplinkd
check "the daemon answers" wait_for 20 eval 'ctl status --json >/dev/null'
kill -ABRT "$UPLINKD_PID"
wait_for 20 eval '! uplinkd_alive' || diag "still alive after SIGABRT"
check_stop
