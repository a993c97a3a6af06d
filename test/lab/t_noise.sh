#!/bin/bash
# Noise is not an outage: 3 % random loss in each direction and 30 ms of jitter on isp1
# for 40 s cause no failover and no flap.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 5
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
before=$(policy_field switches)
fault isp1 loss 3
fault isp1 delay 10 30
sleep 40
st=$(status_json)
diag "isp1 after 40 s of noise: $(echo "$st" | jq -c '.uplinks[0] | {state, loss_pct, rtt_ms, jitter_ms, reason}')"
check "isp1 saw the loss" eval '[ "$(echo "$st" | jq ".uplinks[0].loss_pct > 0")" = true ]'
check "isp1 is still up" eval '[ "$(echo "$st" | jq -r ".uplinks[0].state")" = up ]'
check "no switch happened" eval '[ "$(echo "$st" | jq ".policy.switches")" = "$before" ]'
check "isp1 still carries the default route" default_is wan1
