#!/bin/bash
# Recovery waits for the hold-down: after the blackhole ends, isp1 gets the default route
# back only once it has been clean for hold_down_s (and up_after good rounds).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 6
lab_up
hold=8
start_lab_uplinkd "s/hold_down_s = 5;/hold_down_s = $hold;/g"
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
fault isp1 blackhole
check "blackhole: traffic moves to isp2" wait_for 20 default_is wan2
sleep 2
fault isp1 blackhole-off
cleared=$(date +%s%3N)
check "isp1 comes back" wait_for $((hold + 20)) default_is wan1
back=$(date +%s%3N)
diag "isp1 back $((back - cleared)) ms after the blackhole ended (hold-down $hold s)"
check "not before the hold-down" eval '[ $((back - cleared)) -ge $((hold * 1000 - 500)) ]'
ev=$(events_json | jq -c '[.[] | select(.type == "uplink" and .object == "isp1")] | .[-1]')
diag "last isp1 event: $ev"
check "the reason says why it is back" eval '[[ "$(echo "$ev" | jq -r .new)" == up && "$(echo "$ev" | jq -r .reason)" == recovered:*"since last failure"* ]]'
check "the LAN reaches the sink through isp1 again" ping_ok lan 198.51.100.10
