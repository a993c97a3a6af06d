#!/bin/bash
# Balance mode, isp1 fails: only the flows marked for isp1 move (they continue through isp2),
# the isp2 flows keep flowing without a single lost packet, new connections all go to isp2,
# and after isp1's hold-down new connections are spread over both again. Checked per flow at
# the far end.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/balance.sh"
need_uplinkd
plan 11
lab_up
balance_conf
check "isp1 and isp2 come up, shares 75/25" \
	wait_for 20 eval 'settled isp1 && settled isp2 && share_is isp1 75'

# 200 UDP flows (200 source ports), a numbered datagram every 50 ms each, for 16 s
flows_serve udp 7100 18000 --udp
in_ns lan "$TOOLS/flows" client --udp --host "$SINK_V4" --port 7100 --n 200 --duration-ms 16000 \
	--interval-ms 50 >"$RUN/udp-cli.json" &
cli=$!
sleep 4
fault isp1 blackhole
check "isp1 goes down" wait_for 10 uplink_is isp1 down
check "status: isp2 takes every new connection" wait_for 5 eval 'share_is isp2 100 && share_is isp1 0'

flows_serve new 7101 4500
flows_client new-cli "$SINK_V4" 7101 100 3000 --interval-ms 500
flows_wait new
diag "new connections during the failure: $(jq -c '{ids, by_src}' "$RUN/new.json")"
check "new connections during the failure all leave by isp2" \
	jfile "$RUN/new.json" --arg s "$ISP2_V4" '.ids == 100 and .by_src[$s] == 100'

wait "$cli"
flows_wait udp
jq -c '{ids, rx, moved, by_src}' "$RUN/udp.json" | sed 's/^/# far end: /'
on1=$(jq --arg s "$ISP1_V4" '[.flows[] | select(.src[0] == $s)] | length' "$RUN/udp.json")
on2=$(jq --arg s "$ISP2_V4" '[.flows[] | select(.src[0] == $s)] | length' "$RUN/udp.json")
diag "flows on isp1 before the failure: $on1, on isp2: $on2"
check "both carriers had flows before the failure" eval '[ "$on1" -gt 100 ] && [ "$on2" -gt 10 ]'
check "the isp2 flows never changed carrier" \
	jfile "$RUN/udp.json" --arg s "$ISP2_V4" '[.flows[] | select(.src[0] == $s) | .src | length] | max == 1'
check "the isp2 flows lost not a single packet" \
	jfile "$RUN/udp.json" --arg s "$ISP2_V4" '[.flows[] | select(.src[0] == $s) | .lost] | add == 0'
check "every isp1 flow moved to isp2 and kept going" \
	jfile "$RUN/udp.json" --arg a "$ISP1_V4" --arg b "$ISP2_V4" \
	'[.flows[] | select(.src[0] == $a) | (.src == [$a, $b] and .rx > .first_src_rx)] | all'

fault isp1 blackhole-off
check "after its hold-down isp1 is up and takes 75 % again" \
	wait_for 30 eval 'uplink_is isp1 up && share_is isp1 75'
flows_serve back 7102 4500
flows_client back-cli "$SINK_V4" 7102 200 3000 --interval-ms 500
flows_wait back
b1=$(share_of "$RUN/back.json" "$ISP1_V4")
diag "new connections after the recovery: $(jq -c '{ids, by_src}' "$RUN/back.json")"
check "isp1 takes new connections again ($b1 of 200)" between "$b1" 110 190
if stop_uplinkd; then ok "uplinkd stops cleanly"; else not_ok "uplinkd stops cleanly"; fi
