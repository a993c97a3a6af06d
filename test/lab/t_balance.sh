#!/bin/bash
# Balance mode: 1 000 TCP connections from the LAN host with weights 3:1 split 75/25 within
# +-10 %, counted per connection at the far end by the source address the masquerade gave it;
# every connection keeps its carrier for its whole life (not one message of any connection is
# lost or arrives from another source). The same over IPv6. A weight change moves no existing
# connection. The table goes with the daemon.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/balance.sh"
need_uplinkd
plan 17
lab_up
balance_conf
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "status: isp1 takes 75 % of new connections, isp2 25 %" \
	wait_for 10 eval 'share_is isp1 75 && share_is isp2 25'
nft_table >"$RUN/table.txt"
check "uplinkd owns table inet uplinkd with the prerouting chain" \
	grep -F "hook prerouting priority mangle" "$RUN/table.txt"

# IPv4: 1 000 connections, a message every 500 ms each for 10 s
flows_serve tcp4 7000 12500
flows_client cli4 "$SINK_V4" 7000 1000 10000 --interval-ms 500
flows_wait tcp4
diag "client: $(cat "$RUN/cli4.json")"
diag "far end: $(jq -c '{ids, rx, moved, by_src}' "$RUN/tcp4.json")"
check "all 1000 connections were established and none failed" \
	jfile "$RUN/cli4.json" '.connected == 1000 and .errors == 0'
check "the far end saw 1000 connections" jfile "$RUN/tcp4.json" '.ids == 1000'
n1=$(share_of "$RUN/tcp4.json" "$ISP1_V4")
n2=$(share_of "$RUN/tcp4.json" "$ISP2_V4")
check "isp1 carried 75 % +-10 % of them ($n1)" between "$n1" 675 825
check "isp2 carried 25 % +-10 % of them ($n2)" between "$n2" 175 325
check "every connection kept one carrier: none seen from two sources" \
	jfile "$RUN/tcp4.json" '.moved == 0 and ([.flows[] | .src | length] | max) == 1'
sent=$(jq .sent "$RUN/cli4.json")
check "every message of every connection arrived ($sent sent)" \
	jfile "$RUN/tcp4.json" --argjson s "$sent" '.rx == $s and ([.flows[] | .rx] | min) == ([.flows[] | .rx] | max)'
# counted in the background: the first status asks, a later one has the numbers
conns_counted() {
	local a b
	a=$(uplink_field isp1 connections) && b=$(uplink_field isp2 connections) || return 1
	[ "$a" != null ] && [ "$b" != null ] && [ "$a" -gt 0 ] && [ "$b" -gt 0 ]
}
check "status: connections per uplink are counted" wait_for 10 conns_counted

# IPv6: the same table marks IPv6 connections
flows_serve tcp6 7006 8500
flows_client cli6 "$SINK_V6" 7006 400 6000 --interval-ms 500
flows_wait tcp6
diag "far end (IPv6): $(jq -c '{ids, moved, by_src}' "$RUN/tcp6.json")"
m1=$(share_of "$RUN/tcp6.json" "$ISP1_V6")
m2=$(share_of "$RUN/tcp6.json" "$ISP2_V6")
check "IPv6: all 400 connections lived and none changed carrier" \
	eval 'jfile "$RUN/cli6.json" ".connected == 400 and .errors == 0" && jfile "$RUN/tcp6.json" ".ids == 400 and .moved == 0"'
check "IPv6: split 3:1 ($m1 / $m2)" eval 'between "$m1" 260 340 && [ $((m1 + m2)) -eq 400 ]'

# in this shell, not check's $(...): the daemon is this shell's child
# a network the router reaches directly, not through an uplink (a DMZ): never marked
ip netns add "$P-dmz"
ip -n "$P-dmz" link set lo up
veth "$P-rtr" dmz0 "$P-dmz" eth0
ip -n "$P-rtr" addr add 100.81.0.1/24 dev dmz0
ip -n "$P-dmz" addr add 100.81.0.2/24 dev eth0
ip -n "$P-dmz" route add default via 100.81.0.1
ip netns exec "$P-dmz" "$TOOLS/flows" serve --port 7008 --duration-ms 4500 >"$RUN/dmz.json" &
dmz=$!
echo "$dmz" >"$RUN/flows-dmz.pid"
port_bound dmz 7008
flows_client dmz-cli 100.81.0.2 7008 100 3000 --interval-ms 500
wait "$dmz"
rm -f "$RUN/flows-dmz.pid"
check "connections to a directly attached network (a DMZ) are not sent to an uplink" \
	eval 'jfile "$RUN/dmz-cli.json" ".connected == 100 and .errors == 0" && jfile "$RUN/dmz.json" ".ids == 100"'

# a weight change affects new connections only: 300 connections run across a reload to 1:3
flows_serve wchg 7007 9500
in_ns lan "$TOOLS/flows" client --host "$SINK_V4" --port 7007 --n 300 --duration-ms 8000 \
	--interval-ms 200 >"$RUN/wchg-cli.json" &
wcli=$!
sleep 3
conf_sub "$RUN/uplinkd.conf" 's/weight = 3;//' 's/priority = 20;/priority = 20; weight = 3;/'
check "a reload turns the weights to 1:3" eval 'ctl reload && wait_for 5 eval "share_is isp1 25 && share_is isp2 75"'
wait "$wcli"
flows_wait wchg
diag "across the weight change: $(jq -c '{ids, moved, by_src}' "$RUN/wchg.json")"
w1=$(share_of "$RUN/wchg.json" "$ISP1_V4")
check "the connections opened before it stayed where they were, every message arriving, 3:1 ($w1 of 300 on isp1)" \
	eval 'jfile "$RUN/wchg-cli.json" ".connected == 300 and .errors == 0" &&
	      jfile "$RUN/wchg.json" ".ids == 300 and .moved == 0 and ([.flows[].rx] | min) == ([.flows[].rx] | max)" && between "$w1" 195 255'

if stop_uplinkd; then ok "uplinkd stops cleanly"; else not_ok "uplinkd stops cleanly"; fi
check "the table left with the daemon" eval '! in_rtr nft list table inet uplinkd'
