#!/bin/bash
# A link that flaps (carrier down 1 s every 10 s) causes at most one switch per hold-down:
# it is not used again until it has been clean for the whole hold-down.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 4
lab_up
hold=10
start_lab_uplinkd "s/hold_down_s = 5;/hold_down_s = $hold;/g"
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
before=$(active_events | wc -l)
start=$(date +%s)
for _ in 1 2 3 4; do
	fault isp1 carrier-down
	sleep 1
	fault isp1 carrier-up
	sleep 9
done
dur=$(($(date +%s) - start))
n=$(($(active_events | wc -l) - before))
diag "$n switches in $dur s of flapping (hold-down $hold s)"
check "traffic left the flapping uplink" eval '[ $n -ge 1 ]'
check "at most one switch per hold-down ($n in $dur s)" eval '[ $n -le $((dur / hold + 1)) ]'
# from the journal's own timestamps: every switch back to isp1 comes at least a hold-down after
# isp1's last down before it (the rule, whatever the speed of this machine)
early=$(events_json | jq --argjson hold $((hold * 1000)) '
	[.[] | select((.type == "uplink" and .object == "isp1" and .new == "down") or
		      (.type == "active" and .new == "isp1"))] | sort_by(.ts_ms) |
	reduce .[] as $e ({down: null, early: 0};
		if $e.type == "uplink" then .down = $e.ts_ms
		elif .down != null and $e.ts_ms - .down < $hold then .early += 1
		else . end) | .early')
check "isp1 was never used again within a hold-down of going down (journal: $early early)" \
	eval '[ "$early" = 0 ]'
