#!/bin/bash
# A right route is left alone: after a switch, the IPv6 default route uplinkd installed
# (metric 0, which the kernel stores as 1024) is not reported missing and not rewritten by the
# periodic check, nor are the uplink tables' routes. The check runs every second here
# (policy.reassert_s = 1), so a 20 s window holds as many checks as ten minutes at the default
# 30 s. Then a real deletion is repaired, which shows the check was running.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 6
lab_up
start_lab_uplinkd 's/policy = { mode = "failover"; };/policy = { mode = "failover"; reassert_s = 1; };/'
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
fault isp1 blackhole
check "blackhole: the IPv6 default route moves to wan2" wait_for 20 default_is wan2 6

in_rtr ip monitor route >"$RUN/monitor.log" 2>&1 &
mon=$!
mark=$(wc -l <"$UPLINKD_LOG")
sleep 20
kill "$mon"
wait "$mon" 2>/dev/null || [ $? -eq 143 ]
quiet_log() { ! tail -n +"$((mark + 1))" "$UPLINKD_LOG" | grep -E "missing or was replaced"; }
no_rewrite() { ! grep -E "^(Deleted )?default" "$RUN/monitor.log"; }
check "20 periodic checks: no \"missing or was replaced\" in the log" quiet_log
check "and no default route (main or uplink tables) written or deleted" no_rewrite
in_rtr ip -6 route del default proto 77
check "a deleted route is put back" wait_for 5 default_is wan2 6
check "and that one is logged" eval 'tail -n +"$((mark + 1))" "$UPLINKD_LOG" | grep -E "IPv6 default route in table main was deleted|missing or was replaced"'
