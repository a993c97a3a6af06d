#!/bin/bash
# Flows NATed to the failed uplink are flushed, so a LAN flow that was running through isp1
# continues through isp2 instead of staying stuck on isp1's address. Behaviour only: how
# much of the flow survives, and how fast, is measured by make bench.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd conntrack
plan 5
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
in_ns sink "$TOOLS/udpseq" recv --port 9000 --duration 120 --linger-ms 2000 \
	--ready "$RUN/recv.ready" --json >"$RUN/recv.json" &
recv=$!
wait_for 20 test -e "$RUN/recv.ready" || diag "the receiver did not bind within 20 s"
in_ns lan "$TOOLS/udpseq" send --to 198.51.100.10:9000 --interval-us 1000 --count 20000 >/dev/null &
send=$!
# the flow runs through isp1 (its conntrack entry is NATed to isp1's address) before the fault
check "the flow runs through isp1 (conntrack entry NATed to 100.64.1.2)" wait_for 20 eval \
	'in_rtr conntrack -L -p udp --dport 9000 2>/dev/null | grepq "dst=100.64.1.2"'
fault isp1 blackhole
check "the default route moves to isp2" wait_for 30 default_is wan2
rc_send=0
wait "$send" || rc_send=$?
wait "$recv" || true
diag "receiver: $(jq -c '{received, lost, last_seq, max_gap}' "$RUN/recv.json"); sender exit $rc_send"
check "the flow kept running after the switch (packets arrived after its longest gap)" \
	eval '[ "$rc_send" -eq 0 ] && json_true ".received > 0 and .max_gap.packets > 0 and
		.max_gap.last_seq < .last_seq" <"$RUN/recv.json"'
check "uplinkd flushed the flows NATed to isp1 (a count above zero)" \
	grep -qE "isp1: [1-9][0-9]* conntrack entr(y|ies) with reply destination [^ ]+ flushed" "$UPLINKD_LOG"
