#!/bin/bash
# demo.sh - `make demo`: uplinkd in the simulated two-ISP network, with a story:
#   1. both carriers up, isp1 (priority 10) carries the office
#   2. isp1 is blackholed (its line stays up, nothing crosses it) -> failover to isp2
#   3. isp1 comes back -> it gets the traffic again only after the hold-down
# A LAN host pings the "internet" sink throughout. Afterwards the lab keeps running until
# Ctrl-C, so you can play with it (commands are printed).
set -eu
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)
export UPLINKD=${UPLINKD:-$ROOT/build/uplinkd} UPLINKCTL=${UPLINKCTL:-$ROOT/build/uplinkctl}
export TOOLS=${TOOLS:-$ROOT/build/tools}
P=${P:-uldemo}
# shellcheck source=lib.sh
. "$LAB_DIR/lib.sh"

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (network namespaces)" >&2; exit 1; }
bold=$(tput bold 2>/dev/null || true)
norm=$(tput sgr0 2>/dev/null || true)
say() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$norm"; }
show() {
	ctl status || true
	printf 'router default route: %s\n' "$(in_rtr ip -4 route show default | head -1)"
}
ping_pid=
fwd_pid=
cleanup() {
	trap - EXIT INT TERM
	[ -z "$ping_pid" ] || kill "$ping_pid" 2>/dev/null || true
	[ -z "$fwd_pid" ] || kill "$fwd_pid" 2>/dev/null || true
	stop_uplinkd >/dev/null 2>&1 || true
	topo_down "$P" >/dev/null 2>&1 || true
	echo "demo: lab $P removed"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

say "building the lab $P: lan - router(wan1, wan2) - isp1/isp2 - core - sink"
topo_up "$P" >/dev/null
lab_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" "s/hold_down_s = 5;/hold_down_s = 10;/g" \
	"\$a web = { listen = \"127.0.0.1:8080\"; };"
start_uplinkd "$RUN/uplinkd.conf"
echo "uplinkd runs in $P-rtr with $RUN/uplinkd.conf; its log: $UPLINKD_LOG"
# the status page listens on the router's loopback; forward the host's loopback to it
port=${DEMO_PORT:-8080}
socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork \
	EXEC:"ip netns exec $P-rtr socat STDIO TCP\:127.0.0.1\:8080" 2>/dev/null &
fwd_pid=$!
echo "status page: http://127.0.0.1:$port/  (open it now and watch the story)"
in_ns lan ping -n -i 0.2 198.51.100.10 >"$RUN/ping.log" 2>&1 &
ping_pid=$!

say "1. both carriers up; isp1 (priority 10) carries the office"
wait_for 20 eval 'settled isp1 && settled isp2' || true
show

say "2. isp1 blackholed: its link stays up, nothing crosses it"
fault isp1 blackhole
t0=$(date +%s%3N)
wait_for 20 default_is wan2 || true
echo "default route moved to wan2 $(($(date +%s%3N) - t0)) ms after the fault"
show

say "3. isp1 repaired: it must stay clean for the 10 s hold-down before it is used again"
fault isp1 blackhole-off
t0=$(date +%s%3N)
for _ in $(seq 15); do
	sleep 1
	printf '  +%2d s: isp1 %-8s default via %s\n' $((($(date +%s%3N) - t0) / 1000)) \
		"$(uplink_field isp1 state)" "$(default_dev)"
	default_is wan1 && break
done
show

say "what happened, from the journal"
ctl events -n 20 || true
sent=$(grep -c "icmp_seq" "$RUN/ping.log" || true)
echo "LAN host pings to the sink: $sent answered during the story (one every 200 ms)"

say "the lab keeps running; press Ctrl-C to stop and remove it"
cat <<EOF
  status page:   http://127.0.0.1:$port/
  status:        ip netns exec $P-rtr $UPLINKCTL -s $SOCK status
  events:        ip netns exec $P-rtr $UPLINKCTL -s $SOCK events
  faults:        $LAB_DIR/fault.sh $P isp1 blackhole|loss 20|delay 100 30|carrier-down|clear
  daemon log:    tail -f $UPLINKD_LOG
EOF
while uplinkd_alive; do sleep 1; done
echo "demo: uplinkd exited; see $UPLINKD_LOG"
