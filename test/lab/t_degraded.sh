#!/bin/bash
# Degraded is a state, not just "down": a slow isp1 (RTT over degraded_rtt_ms) keeps
# answering, so it is degraded, not down; isp2 carries traffic while it is up; the
# operator can pin an uplink with `prefer` and release it with `prefer auto`.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 9
lab_up
start_lab_uplinkd 's/min_targets = 1;/min_targets = 1; degraded_rtt_ms = 60;/g'
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
fault isp1 delay 100 0
check "100 ms more RTT on isp1: degraded, not down" wait_for 30 uplink_is isp1 degraded
reason=$(uplink_field isp1 reason)
diag "isp1 reason: $reason"
check "the reason gives the RTT and the threshold" eval '[[ "$reason" == *RTT*60\ ms* ]]'
check "isp2 (up) carries traffic instead" wait_for 20 default_is wan2
check "prefer isp1 pins the degraded uplink" eval 'ctl prefer isp1 && wait_for 20 default_is wan1'
check "prefer of an unknown uplink is refused" eval '! ctl prefer isp9 2>/dev/null'
check "prefer auto releases it" eval 'ctl prefer auto && wait_for 20 default_is wan2'
fault isp1 delay 0 0
check "isp1 recovers after the hold-down" wait_for 40 uplink_is isp1 up
check "and carries traffic again" wait_for 20 default_is wan1
