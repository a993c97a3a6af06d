#!/bin/bash
# t_topo.sh - the lab itself, without the daemon: routing, NAT, BCP38, every fault of
# fault.sh, impair's delay, udpseq's outage measurement, and a clean teardown. Behaviour, not
# speed: a delay shows as replies no sooner than it, its removal as replies sooner than it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_cmd conntrack socat jq "$TOOLS/udpseq"
plan 30
lab_up

# rtt_in ROLE ADDR MIN MAX: 20 pings, every reply's RTT within [MIN, MAX) ms
rtt_in() {
	local out
	out=$(in_ns "$1" ping -n -q -c 20 -i 0.05 -W 2 "$2") || true
	echo "$out" | tail -2
	echo "$out" | awk -v lo="$3" -v hi="$4" -F'[/ ]+' '
		/ received/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "received,") n = $i }
		/^rtt/ { min = $7; max = $9 }
		END { exit !(n > 0 && min != "" && min >= lo && max < hi) }'
}

# rtt_min ROLE ADDR: the smallest RTT of 20 pings in whole ms (fails without a reply)
rtt_min() {
	local out
	out=$(in_ns "$1" ping -n -q -c 20 -i 0.05 -W 2 "$2" 2>&1) || true
	awk -F'[/ ]+' '/^rtt/ { printf "%d\n", $7; found = 1 } END { exit !found }' <<<"$out"
}

# loss_pct ROLE ADDR: packet loss of 200 fast pings, in percent
loss_pct() {
	in_ns "$1" ping -n -q -c 200 -i 0.005 -W 1 "$2" 2>/dev/null |
		sed -n 's/.* \([0-9.]*\)% packet loss.*/\1/p' | cut -d. -f1
}

in_range() { [ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }	# VALUE LO HI

# counter NS TABLE CHAIN COMMENT: packets counted by the rule with that comment
counter() {
	ip netns exec "$1" nft -j list chain inet "$2" "$3" |
		jq -r --arg c "$4" '.nftables[].rule? // empty | select(.comment == $c) |
				     .expr[] | .counter? // empty | .packets'
}

targets_v4() { ping_ok rtr 192.0.2.1 "$@" && ping_ok rtr 192.0.2.2 "$@"; }
targets_v6() { ping_ok rtr 2001:db8:ff::1 "$@" && ping_ok rtr 2001:db8:ff::2 "$@"; }

# ---- plain routing ---------------------------------------------------------------------------
check "lan reaches sink through the router (IPv4)" ping_ok lan 198.51.100.10
check "lan reaches sink through the router (IPv6)" ping_ok lan 2001:db8:ff:10::10
check "router default route is wan1 (v4 and v6)" \
	test "$(default_dev 4)/$(default_dev 6)" = "wan1/wan1"
check "router reaches the targets via wan1 (IPv4)" targets_v4
check "router reaches the targets via wan1 (IPv6)" targets_v6

# a temporary source rule, so traffic from wan2's address leaves through wan2
in_rtr ip rule add pref 1000 from 100.64.2.2 lookup 202
in_rtr ip route add default via 100.64.2.1 dev wan2 table 202
in_rtr ip -6 rule add pref 1000 from 2001:db8:2::2 lookup 202
in_rtr ip -6 route add default via 2001:db8:2::1 dev wan2 table 202
check "router reaches the targets via wan2 (IPv4, source rule)" targets_v4 -I 100.64.2.2
check "router reaches the targets via wan2 (IPv6, source rule)" targets_v6 -I 2001:db8:2::2

# masquerade, and udpseq on a clean path: the sink sees the lan as wan1's address
udpseq=$TOOLS/udpseq
# recv_ready PORT OUT [ARGS]: a receiver in the sink that says when it is bound
recv_ready() {
	local port=$1 out=$2
	shift 2
	rm -f "$RUN/recv.ready"
	in_ns sink "$udpseq" recv --port "$port" --ready "$RUN/recv.ready" --json "$@" >"$out" &
	recv_pid=$!
	wait_for 20 test -e "$RUN/recv.ready" || diag "receiver on port $port not ready in 20 s"
}
recv_ready 5001 "$RUN/clean.json" --duration 60
in_ns lan "$udpseq" send --to 198.51.100.10:5001 --count 300 --interval-us 1000 >/dev/null 2>&1
wait $recv_pid || true
check "udpseq lan->sink: 300 received, none lost, masqueraded as 100.64.1.2" \
	eval 'json_true ".received == 300 and .lost == 0 and .gaps == 0 and .from == \"100.64.1.2\"" \
	<"$RUN/clean.json"'

# BCP38: a packet leaving wan1 with the lan's address (untracked, so not masqueraded)
in_rtr nft -f - <<-EOF
table inet lab_spoof {
	chain out { type filter hook output priority raw; ip daddr 192.0.2.2 notrack; ip6 daddr 2001:db8:ff::2 notrack; }
}
EOF
in_rtr ping -n -q -c 2 -i 0.2 -W 1 -I 100.80.0.1 192.0.2.2 >/dev/null 2>&1 || true
in_rtr ping -n -q -c 2 -i 0.2 -W 1 -I 2001:db8:80::1 2001:db8:ff::2 >/dev/null 2>&1 || true
in_rtr nft delete table inet lab_spoof
# every counter of the BCP38 chain counted drops; fails when nft fails or there is no counter
bcp38_drops() {
	local js
	js=$(ip netns exec "$P-isp1" nft -j list chain inet lab_bcp38 forward) || return 1
	json_true '[.nftables[].rule? // empty | .expr[] | .counter? // empty | .packets] |
		   length >= 2 and all(. > 0)' <<<"$js"
}
check "isp1 drops spoofed sources from cust (BCP38, v4 and v6)" bcp38_drops

# ---- faults ----------------------------------------------------------------------------------
fault isp1 blackhole
check_not "blackhole: targets unreachable via isp1" targets_v4
check "blackhole: the isp1 router itself still answers" ping_ok rtr 100.64.1.1
check "blackhole: targets still reachable via isp2" targets_v4 -I 100.64.2.2
fault isp1 blackhole-off
check "blackhole-off: targets reachable via isp1 again" targets_v4

fault isp1 loss 30
pct=$(loss_pct rtr 192.0.2.1)
check "loss 30: ping shows loss (${pct:-?} %; ~51 % for two crossings)" in_range "$pct" 10 90

fault isp1 delay 50 20
check "loss + delay: loss stays (${pct:-?} %)" in_range "$(loss_pct rtr 192.0.2.1)" 10 95
fault isp1 loss 0
check "delay 50 jitter 20: no reply sooner than 50 ms (IPv4)" rtt_in rtr 192.0.2.1 50 5000
check "delay 50 jitter 20: no reply sooner than 50 ms (IPv6)" rtt_in rtr 2001:db8:ff::2 50 5000
r_router=$(rtt_min rtr 100.64.1.1) || r_router=
r_target=$(rtt_min rtr 192.0.2.1) || r_target=
check "delay: the isp1 router itself is not delayed (min RTT ${r_router:-?} ms vs ${r_target:-?} ms behind it)" \
	eval '[ -n "$r_router" ] && [ -n "$r_target" ] && [ $((r_router + 25)) -lt "$r_target" ]'
fault isp1 delay 0 0
r_target=$(rtt_min rtr 192.0.2.1) || r_target=
check "delay 0 0: replies come sooner than the 50 ms delay again (min ${r_target:-?} ms)" \
	eval '[ -n "$r_target" ] && [ "$r_target" -lt 50 ]'

# rate: 1000 B every ms (8 Mbit/s) into 800 kbit/s
fault isp1 rate 800
recv_ready 5002 "$RUN/rate.json" --duration 60
in_ns lan "$udpseq" send --to 198.51.100.10:5002 --count 500 --size 1000 >/dev/null 2>&1
wait $recv_pid || true
check "rate 800: tbf on cust and up, an 8 Mbit/s stream loses most packets" \
	eval 'tc -n "$P-isp1" qdisc show dev cust | grepq "tbf.*rate 800Kbit" &&
	      tc -n "$P-isp1" qdisc show dev up | grepq "tbf.*rate 800Kbit" &&
	      json_true ".lost > 250" <"$RUN/rate.json"'
fault isp1 rate 0

# esp-drop: count what reaches the sink by kind
in_ns sink nft -f - <<-EOF
table inet lab_seen {
	chain in {
		type filter hook input priority 0;
		meta l4proto esp counter comment "esp"
		udp dport 4500 udp length 9 counter comment "keepalive"
		udp dport 4500 udp length > 11 @th,64,32 == 0 counter comment "ike"
		udp dport 4500 udp length > 11 @th,64,32 != 0 counter comment "esp-in-udp"
	}
}
EOF
send_kinds() {
	in_ns lan sh -c "printf 'ESP!payload' | socat -u STDIN IP4-SENDTO:198.51.100.10:50
		printf '\\377' | socat -u STDIN UDP4-SENDTO:198.51.100.10:4500
		printf '\\0\\0\\0\\0ike-msg' | socat -u STDIN UDP4-SENDTO:198.51.100.10:4500
		printf 'SPI!esp-in-udp' | socat -u STDIN UDP4-SENDTO:198.51.100.10:4500
		printf '\\377' | socat -u STDIN UDP4-SENDTO:198.51.100.10:4500"
}
# the keepalive sent last marks the end of a batch: once the sink has counted it, the batch is in
seen() {
	echo "$(counter "$P-sink" lab_seen in esp) $(counter "$P-sink" lab_seen in keepalive)" \
	     "$(counter "$P-sink" lab_seen in ike) $(counter "$P-sink" lab_seen in esp-in-udp)"
}
send_kinds
wait_for 20 eval '[ "$(counter "$P-sink" lab_seen in keepalive)" = 2 ]' || diag "first batch incomplete"
before=$(seen)
fault isp1 esp-drop
send_kinds
wait_for 20 eval '[ "$(counter "$P-sink" lab_seen in keepalive)" = 4 ]' || diag "second batch incomplete"
after=$(seen)
check "esp-drop: ESP and ESP-in-UDP dropped; IKE and keepalives pass ($before -> $after)" \
	test "$before/$after" = "1 2 1 1/1 4 2 1"
check "esp-drop: ping still works" targets_v4
fault isp1 esp-drop-off

fault isp1 carrier-down
check "carrier-down: wan1 is NO-CARRIER" \
	wait_for 20 eval 'ip -n "$P-rtr" link show dev wan1 | grepq NO-CARRIER'
fault isp1 carrier-up
check "carrier-up: wan1 has carrier, IPv4 passes again" \
	wait_for 20 eval 'ip -n "$P-rtr" link show dev wan1 | grepq LOWER_UP &&
			 ip netns exec "$P-rtr" ping -n -q -c1 -W1 192.0.2.1'
check "carrier-up: IPv6 via wan1 passes again (ISP kept its address)" \
	wait_for 10 ip netns exec "$P-rtr" ping -n -q -c1 -W1 2001:db8:ff::1

# everything at once, then clear
fault isp1 blackhole
fault isp1 loss 20
fault isp1 delay 30 10
fault isp1 rate 2000
fault isp1 esp-drop
fault isp1 carrier-down
fault isp1 clear
clean() {
	! ip netns exec "$P-isp1" nft list table inet lab_fault >/dev/null 2>&1 &&
	! tc -n "$P-isp1" qdisc show dev cust | grepq tbf &&
	! ip -n "$P-isp1" rule show | grepq 4242 &&
	! ip -n "$P-isp1" -6 rule show | grepq 4242 &&
	[ ! -e "$RUN/impair-isp1.pid" ] &&
	undelayed 192.0.2.1 && undelayed 2001:db8:ff::1
}
undelayed() { local m; m=$(rtt_min rtr "$1") && [ "$m" -lt 30 ]; }	# ADDR: sooner than delay 30
check "clear: no nft, tc, rule or impair left; v4 and v6 undelayed again" wait_for 20 clean

# udpseq measures an outage: blackhole isp1 for a moment inside a 20 s stream (the outage's
# size and time are measured by make bench; here: one gap, all of the loss, packets after it)
recv_ready 5003 "$RUN/gap.json" --duration 120 --linger-ms 2000
in_ns lan "$udpseq" send --to 198.51.100.10:5003 --count 20000 --interval-us 1000 >/dev/null 2>&1 &
send_pid=$!
check "the stream runs through isp1 (conntrack entry)" wait_for 20 eval \
	'in_rtr conntrack -L -p udp --dport 5003 2>/dev/null | grepq "dst=100.64.1.2"'
fault isp1 blackhole
sleep 0.5	# the length of the outage, not a wait for something to happen
fault isp1 blackhole-off
wait $send_pid || true
wait $recv_pid || true
diag "$(jq -c '{received, lost, gaps, max_gap}' "$RUN/gap.json")"
check "udpseq: one gap, all of the loss, with packets after it" \
	eval 'json_true ".gaps == 1 and .lost == .max_gap.packets and .lost > 0 and
	       .max_gap.last_seq < .last_seq" <"$RUN/gap.json"'

# ---- teardown --------------------------------------------------------------------------------
fault isp1 delay 10 0
impair_pid=$(cat "$RUN/impair-isp1.pid")
topo_down "$P"
leftover() { ip netns list | awk '{print $1}' | grep "^$P-" || true; }
check "down: no namespace $P-* left" test -z "$(leftover)"
check "down: impair stopped, run dir removed" \
	sh -c "! kill -0 $impair_pid 2>/dev/null && [ ! -e $RUN ]"
