#!/bin/bash
# fault.sh - break one ISP of the lab (topo.sh) on the path between `cust` and `up`.
#
#   fault.sh PREFIX isp1|isp2 FAULT [ARGS]
#
#   blackhole          drop every forwarded packet (ping to the ISP router itself still works)
#   blackhole-off
#   loss PCT           drop PCT % of forwarded packets, both directions (nft numgen); 0: off
#   delay MS JITTER    add MS + uniform [0, JITTER) ms of round-trip time (impair on a TUN;
#                      each direction gets half); `delay 0 0`: off
#   rate KBIT          token bucket (tc tbf) on cust and up; 0: off
#   carrier-down       `cust` down in the ISP: the router's wanN loses carrier
#   carrier-up
#   esp-drop           drop ESP (IP proto 50) and ESP-in-UDP/4500 (non-zero SPI); IKE and
#                      NAT-T keepalives pass -- the "line looks up, VPN is dead" carrier
#   esp-drop-off
#   esp50-drop         drop IP protocol 50 only: plain ESP dies, ESP-in-UDP (UDP encapsulation),
#                      IKE and ping pass (the image lab, where both ends use kernel ESP)
#   esp50-drop-off
#   clear              undo all of the above
#   status             show what is applied
#
# Faults combine (loss + delay + rate ...); setting one again replaces its previous value.
# nft rules live in table `inet lab_fault`, one chain per fault. impair runs inside the ISP
# namespace with its PID in the lab's run dir, so `fault.sh clear` and `topo.sh down` stop it.
# Env: TOOLS (directory holding impair; default build/tools of this checkout).

# shellcheck source=topo.sh
. "$(dirname "${BASH_SOURCE[0]}")/topo.sh"

FAULT_TUN=imp0
FAULT_TABLE=4242	# routing table whose default route is the TUN
FAULT_PREF=500		# after the local table (pref 0): traffic to the ISP itself is untouched

fault_nft_chain() {	# NS CHAIN PRIO RULE...: (re)create one base chain holding RULE
	local ns=$1 chain=$2 prio=$3
	shift 3
	ip netns exec "$ns" nft -f - <<-EOF
	add table inet lab_fault
	add chain inet lab_fault $chain { type filter hook forward priority $prio; policy accept; }
	flush chain inet lab_fault $chain
	$(for r in "$@"; do echo "add rule inet lab_fault $chain $r"; done)
	EOF
}

fault_nft_off() {	# NS CHAIN
	ip netns exec "$1" nft delete chain inet lab_fault "$2" 2>/dev/null || true
}

fault_impair_stop() {	# PREFIX ISP
	local p=$1 isp=$2 ns=$1-$2 pidf a
	pidf=$(topo_run_dir "$p")/impair-$isp.pid
	for a in -4 -6; do
		while ip -n "$ns" $a rule del pref $FAULT_PREF 2>/dev/null; do :; done
		ip -n "$ns" $a route flush table $FAULT_TABLE 2>/dev/null || true
	done
	if [ -f "$pidf" ]; then
		topo_kill_pid "$p" "$(cat "$pidf")"
		rm -f "$pidf"
	fi
}

fault_impair_start() {	# PREFIX ISP DELAY_MS JITTER_MS (round trip; half each way)
	local p=$1 isp=$2 ns=$1-$2 run pidf impair a d j
	run=$(topo_run_dir "$p")
	pidf=$run/impair-$isp.pid
	impair=${TOOLS:-$(dirname "${BASH_SOURCE[0]}")/../../build/tools}/impair
	[ -x "$impair" ] || { echo "fault: $impair missing; run make build/tools/impair" >&2; return 1; }
	d=$(($3 / 2)).$(($3 % 2 * 5))
	j=$(($4 / 2)).$(($4 % 2 * 5))
	fault_impair_stop "$p" "$isp"
	mkdir -p "$run"
	ip netns exec "$ns" "$impair" --dev $FAULT_TUN --delay "$d" --jitter "$j" \
		--pidfile "$pidf" </dev/null >>"$run/impair-$isp.log" 2>&1 &
	for _ in $(seq 50); do
		[ -s "$pidf" ] && break
		sleep 0.1
	done
	[ -s "$pidf" ] || { echo "fault: impair did not start; see $run/impair-$isp.log" >&2; return 1; }
	ip -n "$ns" link set dev $FAULT_TUN up
	for a in -4 -6; do
		ip -n "$ns" $a route replace default dev $FAULT_TUN table $FAULT_TABLE
		ip -n "$ns" $a rule add pref $FAULT_PREF iif cust lookup $FAULT_TABLE
		ip -n "$ns" $a rule add pref $FAULT_PREF iif up lookup $FAULT_TABLE
	done
}

fault_rate() {	# NS KBIT
	local ns=$1 kbit=$2 burst dev
	burst=$((kbit * 1000 / 8 / 100))	# 10 ms worth, at least one full frame
	[ $burst -ge 1600 ] || burst=1600
	for dev in cust up; do
		if [ "$kbit" -eq 0 ]; then
			tc -n "$ns" qdisc del dev $dev root 2>/dev/null || true
		else
			tc -n "$ns" qdisc replace dev $dev root tbf rate "${kbit}kbit" \
				burst "$burst" latency 200ms
		fi
	done
}

fault_status() {	# PREFIX ISP
	local p=$1 ns=$1-$2 pidf
	pidf=$(topo_run_dir "$p")/impair-$2.pid
	echo "== $ns"
	ip -n "$ns" -br link show dev cust
	ip netns exec "$ns" nft list table inet lab_fault 2>/dev/null || echo "no nft faults"
	tc -n "$ns" qdisc show dev cust | grep tbf || echo "no rate limit"
	if [ -s "$pidf" ] && kill -0 "$(cat "$pidf")" 2>/dev/null; then
		echo "impair PID $(cat "$pidf"): $(tail -1 "$(topo_run_dir "$p")/impair-$2.log")"
	else
		echo "no delay"
	fi
}

fault_num() {	# WHAT VALUE: is VALUE a non-negative integer?
	[[ "$2" =~ ^[0-9]+$ ]] && return 0
	echo "fault: $1: '$2' is not a number" >&2
	return 1
}

fault_main() {
	local p=$1 isp=$2 what=$3 ns
	shift 3
	ns=$p-$isp
	case "$isp" in
	isp1|isp2) ;;
	*) echo "fault: ISP must be isp1 or isp2, not '$isp'" >&2; return 2 ;;
	esac
	[ -e "/run/netns/$ns" ] || { echo "fault: no namespace $ns" >&2; return 1; }

	case "$what" in
	blackhole)
		fault_nft_chain "$ns" blackhole 0 "counter drop" ;;
	blackhole-off)
		fault_nft_off "$ns" blackhole ;;
	loss)
		fault_num "$what" "${1:-}" || return 2
		[ "$1" -le 100 ] || { echo "fault: loss: PCT must be 0..100" >&2; return 2; }
		if [ "$1" -eq 0 ]; then
			fault_nft_off "$ns" loss
		else
			# only as packets enter from the wires: a packet looping through impair's
			# TUN crosses the forward hook twice and must be judged once
			fault_nft_chain "$ns" loss 1 \
				"iifname { \"cust\", \"up\" } numgen random mod 100 < $1 counter drop"
		fi ;;
	delay)
		fault_num "$what" "${1:-}" && fault_num "$what" "${2:-}" || return 2
		if [ "$1" -eq 0 ] && [ "$2" -eq 0 ]; then
			fault_impair_stop "$p" "$isp"
		else
			fault_impair_start "$p" "$isp" "$1" "$2"
		fi ;;
	rate)
		fault_num "$what" "${1:-}" || return 2
		fault_rate "$ns" "$1" ;;
	carrier-down)
		ip -n "$ns" link set dev cust down ;;
	carrier-up)
		ip -n "$ns" link set dev cust up ;;
	esp-drop)
		fault_nft_chain "$ns" espdrop 2 \
			"meta l4proto esp counter drop" \
			"udp dport 4500 @th,64,32 != 0 counter drop" \
			"udp sport 4500 @th,64,32 != 0 counter drop" ;;
	esp-drop-off)
		fault_nft_off "$ns" espdrop ;;
	esp50-drop)
		fault_nft_chain "$ns" esp50drop 2 "meta l4proto esp counter drop" ;;
	esp50-drop-off)
		fault_nft_off "$ns" esp50drop ;;
	clear)
		ip netns exec "$ns" nft delete table inet lab_fault 2>/dev/null || true
		fault_impair_stop "$p" "$isp"
		fault_rate "$ns" 0
		ip -n "$ns" link set dev cust up ;;
	status)
		fault_status "$p" "$isp" ;;
	*)
		echo "fault: unknown fault '$what'" >&2
		return 2 ;;
	esac
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -eu
	if [ $# -lt 3 ]; then
		sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
		exit 2
	fi
	fault_main "$@"
fi
