#!/bin/bash
# demo.sh - `make demo`: uplinkd in the simulated two-ISP network with a VPN to a remote site and
# a BGP view of the site's prefix, playing the failures it is built for:
#   1. both carriers up; isp1 (priority 10) carries the office; tunnel "hq" runs over isp1
#   2. isp1 stops carrying ESP (ping and IKE still pass) -> only the tunnel moves to isp2
#   3. ESP repaired -> the tunnel returns after the hold-down
#   4. a BGP origin hijack of the site's prefix in isp1's view -> alert; the tunnel avoids isp1
#   5. the hijack ends -> alert cleared; the tunnel returns after the hold-down
#   6. isp1 blackholed (its line stays up, nothing crosses it) -> the default route fails over
#   7. isp1 repaired -> traffic returns only after the hold-down
# The LAN host pings the "internet" sink and the remote site's LAN throughout. Afterwards the lab
# keeps running until Ctrl-C, so you can play with it (commands are printed). DEMO_QUICK=1 plays
# only the story and exits (used by the lab to check the demo): 0 only when every step
# happened and uplinkd stopped cleanly; each step it missed is printed as "(not within ...)".
set -euo pipefail
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)
export UPLINKD=${UPLINKD:-$ROOT/build/uplinkd} UPLINKCTL=${UPLINKCTL:-$ROOT/build/uplinkctl}
export TOOLS=${TOOLS:-$ROOT/build/tools}
P=${P:-uldemo}
# shellcheck source=lib.sh
. "$LAB_DIR/lib.sh"
# shellcheck source=site.sh
. "$LAB_DIR/site.sh"

[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (network namespaces)" >&2; exit 1; }
bold=$(tput bold 2>/dev/null || true)
norm=$(tput sgr0 2>/dev/null || true)
say() { printf '\n%s== %s ==%s\n' "$bold" "$*" "$norm"; }
show() {
	ctl status || true
	printf 'router default route: %s\n' "$(in_rtr ip -4 route show default | head -1)"
}
# until SECONDS WHAT CMD...: wait, then say how long it took (since T0 in ms, if set); a step
# that did not happen is counted in $missed (DEMO_QUICK exits 1 then)
missed=0
until_ok() {
	local s=$1 what=$2 t0
	shift 2
	t0=${T0:-$(date +%s%3N)}
	if wait_for "$s" "$@"; then
		echo "$what after $(($(date +%s%3N) - t0)) ms"
	else
		echo "(not within $s s: $what)"
		missed=$((missed + 1))
	fi
}
ping_pids=()
fwd_pid=
cleanup() {
	trap - EXIT INT TERM
	local p
	for p in "${ping_pids[@]}" $fwd_pid; do kill "$p" 2>/dev/null || true; done
	stop_uplinkd >/dev/null 2>&1 || true
	topo_down "$P" >/dev/null 2>&1 || true
	echo "demo: lab $P removed"
}
trap cleanup EXIT
trap 'exit 0' INT TERM

say "building the lab $P: lan - router(wan1, wan2) - isp1/isp2 - core - sink, remote site"
topo_up "$P" >/dev/null
site_up
charon_start rtr rtr >/dev/null
charon_start site site >/dev/null
site_creds psk
. "$LAB_DIR/bgp.sh"
bgp_up >/dev/null
bgp_conf "$RUN/uplinkd.conf"
site_ipsec_conf psk "hold_down_s = 10;" >>"$RUN/uplinkd.conf"
pw=demo
hash=$(openssl passwd -6 "$pw")
conf_sub "$RUN/uplinkd.conf" "s/hold_down_s = 5;/hold_down_s = 10;/g"
cat >>"$RUN/uplinkd.conf" <<CONF
web = { listen = "127.0.0.1:8080"; users = ( { name = "admin"; password_hash = "$hash"; } ); };
CONF
start_uplinkd "$RUN/uplinkd.conf"
echo "uplinkd runs in $P-rtr with $RUN/uplinkd.conf; its log: $UPLINKD_LOG"
# the status page listens on the router's loopback; forward the host's loopback to it
port=${DEMO_PORT:-8080}
socat TCP-LISTEN:"$port",bind=127.0.0.1,reuseaddr,fork \
	EXEC:"ip netns exec $P-rtr socat STDIO TCP\:127.0.0.1\:8080" 2>/dev/null &
fwd_pid=$!
echo "status page: http://127.0.0.1:$port/  (user admin, password $pw; open it now and watch)"
in_ns lan ping -n -i 0.2 198.51.100.10 >"$RUN/ping-sink.log" 2>&1 &
ping_pids+=($!)
in_ns lan ping -n -i 0.2 100.81.0.2 >"$RUN/ping-site.log" 2>&1 &
ping_pids+=($!)

PFX=203.0.113.0/24
say "1. both carriers up; isp1 (priority 10) carries the office and the tunnel to the site"
until_ok 60 "uplinks settled, tunnel on isp1" eval 'settled isp1 && settled isp2 && tunnel_on hq isp1 $SITE_A'
until_ok 60 "BGP sessions established" eval 'bgp_established isp1 100.64.1.2 && bgp_established isp2 100.64.2.2'
bgp_announce isp1 $PFX 64510,64500 >/dev/null
bgp_announce isp2 $PFX 64510,64500 >/dev/null
show

say "2. isp1 stops carrying ESP; ping and IKE still pass, so DPD would see nothing"
fault isp1 esp-drop
until_ok 20 "tunnel moved to isp2 (default route untouched)" tunnel_on hq isp2 $SITE_A
echo "tunnel reason: $(tunnel_field hq reason)"
show

say "3. ESP repaired: the tunnel returns to isp1 after the 10 s hold-down"
fault isp1 clear
until_ok 60 "tunnel back on isp1" tunnel_on hq isp1 $SITE_A

say "4. BGP: isp1's view of the site's prefix $PFX now ends in AS64666 (origin hijack)"
bgp_announce isp1 $PFX 64666 >/dev/null
until_ok 10 "alert raised" has_alert "hijack:$PFX:isp1"
until_ok 20 "tunnel moved to isp2, whose view is clean" tunnel_on hq isp2 $SITE_A
show

say "5. the hijack ends: alert cleared, the tunnel returns after the hold-down"
bgp_announce isp1 $PFX 64510,64500 >/dev/null
until_ok 10 "alert cleared" eval '! has_alert "hijack:$PFX:isp1"'
until_ok 60 "tunnel back on isp1" tunnel_on hq isp1 $SITE_A

say "6. isp1 blackholed: its link stays up, nothing crosses it"
fault isp1 blackhole
until_ok 20 "default route moved to wan2" default_is wan2
until_ok 20 "tunnel followed it to isp2" tunnel_on hq isp2 $SITE_A
show

say "7. isp1 repaired: it must stay clean for the 10 s hold-down before it is used again"
fault isp1 blackhole-off
t0=$(date +%s%3N)
for _ in $(seq 20); do
	sleep 1
	printf '  +%2d s: isp1 %-8s default via %s, tunnel on %s\n' $((($(date +%s%3N) - t0) / 1000)) \
		"$(uplink_field isp1 state)" "$(default_dev)" "$(tunnel_field hq uplink)"
	default_is wan1 && tunnel_on hq isp1 $SITE_A && break
done
T0=$t0 until_ok 60 "default route back on wan1, tunnel on isp1" eval 'default_is wan1 && tunnel_on hq isp1 $SITE_A'
show

say "what happened, from the journal"
ctl events -n 40 || true
echo "LAN host pings answered during the story (one every 200 ms):" \
	"sink $(grep -c icmp_seq "$RUN/ping-sink.log" || true)," \
	"remote site $(grep -c icmp_seq "$RUN/ping-site.log" || true)"
if [ -n "${DEMO_QUICK:-}" ]; then
	rc=0
	stop_uplinkd || { echo "demo: uplinkd did not stop cleanly (see above)"; rc=1; }
	[ "$missed" -eq 0 ] || { echo "demo: $missed steps did not happen"; rc=1; }
	[ "$rc" -ne 0 ] || echo "demo: every step happened; uplinkd stopped cleanly"
	exit $rc
fi

say "the lab keeps running; press Ctrl-C to stop and remove it"
cat <<EOF2
  status page:   http://127.0.0.1:$port/  (admin / $pw to act: prefer, acknowledge)
  live view:     ip netns exec $P-rtr $UPLINKCTL -s $SOCK watch
  events:        ip netns exec $P-rtr $UPLINKCTL -s $SOCK events
  faults:        $LAB_DIR/fault.sh $P isp1 blackhole|loss 20|delay 100 30|esp-drop|carrier-down|clear
  BGP hijack:    ip netns exec $P-isp1 gobgp -u 127.0.0.1 -p 50051 global rib add -a ipv4 $PFX aspath 64666 origin igp nexthop 100.64.1.1
  daemon log:    tail -f $UPLINKD_LOG
EOF2
while uplinkd_alive; do sleep 1; done
echo "demo: uplinkd exited; see $UPLINKD_LOG"
