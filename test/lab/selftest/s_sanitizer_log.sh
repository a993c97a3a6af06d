#!/bin/bash
# selftest: the daemon exits 0 but its log has a sanitizer report (as with halt_on_error=0 or
# a report from a child): the stop must fail.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
need_uplinkd
plan 2
lab_up
start_lab_uplinkd
check "the daemon answers" wait_for 20 eval 'ctl status --json >/dev/null'
echo "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 (selftest)" \
	>>"$UPLINKD_LOG"
check_stop
