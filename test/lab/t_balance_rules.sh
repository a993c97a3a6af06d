#!/bin/bash
# Per-flow rules in balance mode: "prefer isp2, fall back to isp1" for one destination port
# holds (IPv4 and IPv6) and falls back when isp2 fails; a lowest_jitter rule follows jitter
# injected on isp1 by the lab's delay emulator; reloading the rules while a 1 kHz generator
# runs loses no packet, and a reload with a bad rule is refused with the old table working.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/balance.sh"
need_uplinkd
plan 21

RULES='rules = (
    { name = "hq"; proto = "tcp"; dport = [ 7201 ];
      dst = [ "198.51.100.10/32", "2001:db8:ff:10::10/128" ];
      action = "failover"; uplinks = [ "isp2", "isp1" ]; },
    { name = "voice"; proto = "udp"; dport = [ 7202 ];
      action = "lowest_jitter"; uplinks = [ "isp1", "isp2" ]; } ); };'
lab_up
lab_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" 's/policy = { mode = "failover"; };/policy = { mode = "balance"; @RULES@/' \
	's/priority = 10;/priority = 10; weight = 3;/'
# the rules span lines: substitute them with awk, not sed
awk -v r="$RULES" '{ sub(/@RULES@/, r); print }' "$RUN/uplinkd.conf" >"$RUN/u.tmp"
mv "$RUN/u.tmp" "$RUN/uplinkd.conf"
echo 'web = { listen = "100.80.0.1:8080"; };' >>"$RUN/uplinkd.conf"
start_uplinkd "$RUN/uplinkd.conf"
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "status: rule hq uses isp2, first in its list" wait_for 5 rule_uplink_is hq isp2
diag "rules: $(ctl status --json | jq -c '[.rules[] | {name, uplink, reason}]')"
ctl status >"$RUN/status.txt"
check "uplinkctl status shows the shares and each rule's uplink and reason" \
	eval 'grep -E "^  isp1 +75 %" "$RUN/status.txt" && grep -E "^  hq +failover +isp2 +isp2 first in the list" "$RUN/status.txt"'
web() { in_ns lan curl -sS --max-time 5 "$@"; }
check "the web API shows the rules and shares" \
	eval 'web http://100.80.0.1:8080/api/status | jtrue ".rules[0].uplink == \"isp2\" and .uplinks[0].share_pct == 75"'
web http://100.80.0.1:8080/metrics >"$RUN/metrics.txt"
check "/metrics has each uplink's share and connections and each rule's uplink" \
	eval 'grep -Fx "uplinkd_uplink_new_connection_share_ratio{uplink=\"isp1\"} 0.75" "$RUN/metrics.txt" &&
	      grep -E "^uplinkd_uplink_connections\{uplink=\"isp2\"\} [0-9]+$" "$RUN/metrics.txt" &&
	      grep -Fx "uplinkd_rule_info{rule=\"hq\",action=\"failover\",uplink=\"isp2\"} 1" "$RUN/metrics.txt"'
check "/metrics stays valid Prometheus text (test/web/promcheck.py)" \
	python3 "$LAB_ROOT/test/web/promcheck.py" "$RUN/metrics.txt"

flows_serve hq4 7201 4500
flows_client hq4-cli "$SINK_V4" 7201 100 3000 --interval-ms 500
flows_wait hq4
check "IPv4: all 100 connections to port 7201 leave by isp2" \
	jfile "$RUN/hq4.json" --arg s "$ISP2_V4" '.ids == 100 and .by_src[$s] == 100'
flows_serve hq6 7201 4500
flows_client hq6-cli "$SINK_V6" 7201 60 3000 --interval-ms 500
flows_wait hq6
check "IPv6: all 60 connections to port 7201 leave by isp2" \
	jfile "$RUN/hq6.json" --arg s "$ISP2_V6" '.ids == 60 and .by_src[$s] == 60'
flows_serve other 7203 4500
flows_client other-cli "$SINK_V4" 7203 200 3000 --interval-ms 500
flows_wait other
o1=$(share_of "$RUN/other.json" "$ISP1_V4")
check "connections no rule matches are still spread 3:1 ($o1 of 200 on isp1)" between "$o1" 120 180

fault isp2 blackhole
check "isp2 fails: rule hq falls back to isp1" wait_for 15 rule_uplink_is hq isp1
diag "rules: $(ctl status --json | jq -c '[.rules[] | {name, uplink, reason}]')"
flows_serve hq4b 7201 4500
flows_client hq4b-cli "$SINK_V4" 7201 50 3000 --interval-ms 500
flows_wait hq4b
check "new connections to port 7201 leave by isp1 meanwhile" \
	jfile "$RUN/hq4b.json" --arg s "$ISP1_V4" '.ids == 50 and .by_src[$s] == 50'
fault isp2 blackhole-off
check "isp2 back after its hold-down: rule hq returns to isp2" wait_for 30 rule_uplink_is hq isp2

# lowest_jitter: both carriers are quiet, then isp1 gets 20 ms +- 20 ms of delay
check "rule voice uses isp1 while the jitter is alike" rule_uplink_is voice isp1
fault isp1 delay 20 20
check "jitter on isp1: rule voice moves to isp2" wait_for 20 rule_uplink_is voice isp2
diag "voice: $(ctl status --json | jq -c '.rules[] | select(.name == "voice") | .reason')"
flows_serve voice 7202 3500 --udp
flows_client voice-cli "$SINK_V4" 7202 40 2000 --udp --interval-ms 100
flows_wait voice
check "new voice flows leave by isp2" \
	jfile "$RUN/voice.json" --arg s "$ISP2_V4" '.ids == 40 and .by_src[$s] == 40'
fault isp1 delay 0 0

# reloads under a 1 kHz generator (flows no rule matches, sticky by ct mark)
in_ns sink "$TOOLS/udpseq" recv --port 9000 --duration 12 --json >"$RUN/gen.json" &
gen_recv=$!
echo "$gen_recv" >"$RUN/gen-recv.pid"
port_bound sink 9000
in_ns lan "$TOOLS/udpseq" send --to "$SINK_V4:9000" --interval-us 1000 --count 8000 \
	>/dev/null &
gen_send=$!
echo "$gen_send" >"$RUN/gen-send.pid"
sleep 1
nft_table | sed 's/counter packets [0-9]* bytes [0-9]*//' >"$RUN/before.txt"
cp "$RUN/uplinkd.conf" "$RUN/good.conf"
conf_sub "$RUN/uplinkd.conf" 's/uplinks = \[ "isp1", "isp2" \]; } ); };/uplinks = [ "isp1", "isp3" ]; } ); };/'
check_not "a reload with a rule naming no uplink is refused" ctl reload
nft_table | sed 's/counter packets [0-9]* bytes [0-9]*//' >"$RUN/after-bad.txt"
check "the old table stays as it was" diff "$RUN/before.txt" "$RUN/after-bad.txt"
sed 's/dport = \[ 7202 \];/dport = [ 7202, 7204 ];/' "$RUN/good.conf" >"$RUN/uplinkd.conf"
check "a reload with a changed rule is applied" ctl reload
check "the table now has the new rule" wait_for 5 eval 'nft_table | grep -F "udp dport 7204"'
wait "$gen_send"
wait "$gen_recv"
diag "generator: $(jq -c '{received, lost, max_gap}' "$RUN/gen.json")"
check "the 1 kHz generator lost no packet across both reloads" jfile "$RUN/gen.json" '.lost == 0 and .received == 8000'
if stop_uplinkd; then ok "uplinkd stops cleanly"; else not_ok "uplinkd stops cleanly"; fi
