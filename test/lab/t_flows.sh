#!/bin/bash
# Flows NATed to the failed uplink are flushed, so a LAN flow that was running through isp1
# continues through isp2 instead of staying stuck on isp1's address.
set -eu
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 4
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
in_ns sink "$TOOLS/udpseq" recv --port 9000 --duration 12 --json >"$RUN/recv.json" &
recv=$!
sleep 0.3
in_ns lan "$TOOLS/udpseq" send --to 198.51.100.10:9000 --interval-us 1000 --count 10000 >/dev/null &
send=$!
sleep 3
fault isp1 blackhole
wait "$send" || true
wait "$recv" || true
diag "receiver: $(jq -c '{received, lost, max_gap}' "$RUN/recv.json")"
check "the flow failed over to isp2" default_is wan2
check "the flow kept running after the switch (packets after the gap)" \
	eval '[ "$(jq ".received > 5000" "$RUN/recv.json")" = true ]'
check "uplinkd flushed the flows NATed to isp1" grep -q "flush" "$UPLINKD_LOG"
