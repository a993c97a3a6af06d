#!/bin/bash
# selftest: a healthy scenario with the real daemon: it must pass (the harness is not just
# failing everything).
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_uplinkd
plan 2
lab_up
start_lab_uplinkd
check "the daemon answers" wait_for 20 eval 'ctl status --json >/dev/null'
check_stop
