#!/bin/bash
# IPsec, pre-shared keys: a carrier that stops carrying ESP while ping and IKE still pass.
# fault esp-drop on isp1 drops ESP-in-UDP (non-zero SPI on 4500; kernel-libipsec always
# encapsulates) and leaves IKE, NAT-T keepalives and ICMP alone. uplinkd must see the stall in
# charon's counters, move the tunnel to isp2 make-before-break with a reason that says so, keep
# the default route on isp1 (the line itself is fine), and bring the tunnel back after the
# hold-down once the fault is gone.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/site.sh"
need_uplinkd
need_cmd swanctl /usr/sbin/charon-systemd
plan 18
lab_up
site_up
charon_start rtr rtr
charon_start site site
site_creds psk
lab_conf "$RUN/uplinkd.conf"
site_ipsec_conf psk "hold_down_s = 5;" >>"$RUN/uplinkd.conf"
start_uplinkd "$RUN/uplinkd.conf"

check "uplinks settle on isp1" wait_for 20 eval 'settled isp1 && settled isp2 && default_is wan1'
check "the tunnel comes up on isp1 to the first remote" wait_for 20 tunnel_on hq isp1 $SITE_A
check "LAN host reaches the site's LAN through the tunnel" wait_for 20 lan_to_site
moves0=$(tunnel_field hq moves)

fault isp1 esp-drop
check "ESP-only drop on isp1: the tunnel moves to isp2" wait_for 20 tunnel_on hq isp2 $SITE_A
check "LAN host reaches the site's LAN again" wait_for 20 lan_to_site
# the reason of the move, from the journal (the tunnel's current reason may already be a retry of
# isp1 once the hold-down is over, if this machine is slow and the fault still on)
reason=$(events_json | jq -r '[.[] | select(.type == "tunnel" and .object == "hq" and
	(.reason // "" | test("-> isp2/")))] | .[0].reason // ""')
diag "move reason: $reason"
check "the reason says ESP stalled on isp1" eval '[[ "$reason" == *"ESP stalled on isp1"*"packets out, 0 in for"* ]]'
check "the journal has the move with its reason" \
	eval 'events_json | json_true "[.[] | select(.type == \"tunnel\" and .object == \"hq\" and (.reason | test(\"-> isp2/.*ESP stalled on isp1\")))] | length >= 1"'
check "ping and IKE still pass on isp1: isp1 stays up and keeps the default route" \
	eval 'uplink_is isp1 up && default_is wan1 && ping_ok rtr 192.0.2.1 -I 100.64.1.2'
check "one IKE_SA left after make-before-break" eval '[ "$(swan rtr --list-sas 2>/dev/null | grep -c "^hq:")" -eq 1 ]'

fault isp1 clear
check "fault gone: the tunnel returns to isp1 after the hold-down" wait_for 60 tunnel_on hq isp1 $SITE_A
check "LAN host reaches the site's LAN over isp1" wait_for 20 lan_to_site
moves=$(tunnel_field hq moves)
diag "moves: $moves0 -> $moves"
# to isp2 and back: an even number of moves, at least two (while the fault lasted, a slow
# machine may have seen uplinkd retry isp1 after each hold-down), each one in the journal
jmoves=$(events_json | jq '[.[] | select(.type == "tunnel" and .object == "hq" and
	(.reason // "" | test("^isp[12]/[^ ]* -> isp[12]/")))] | length')
check "to isp2 and back: $((moves - moves0)) moves, $jmoves in the journal" \
	eval 'd=$((moves - moves0)); [ "$d" -ge 2 ] && [ $((d % 2)) -eq 0 ] && [ "$jmoves" -eq "$d" ]'

loaded() { events_json | jq '[.[] | select(.type == "config" and .new == "loaded")] | length'; }
n=$(loaded)
ctl reload >/dev/null
wait_for 20 eval '[ "$(loaded)" -gt "$n" ]' || diag "no config loaded event within 20 s"
sleep 3	# a window to watch for a move that must not happen
check "reload with the same configuration: the tunnel stays as it is" \
	eval 'tunnel_on hq isp1 $SITE_A && [ "$(tunnel_field hq moves)" = "$moves" ]'
sed -i 's/hold_down_s = 5;/hold_down_s = 6;/' "$RUN/uplinkd.conf"
n=$(loaded)
ctl reload >/dev/null
check "reload with a changed tunnel: the new one adopts the SA on its path" \
	wait_for 30 eval '[ "$(loaded)" -gt "$n" ] && tunnel_on hq isp1 $SITE_A && lan_to_site'
check "still one IKE_SA with one CHILD_SA" \
	eval '[ "$(swan rtr --list-sas 2>/dev/null | grep -c "^hq:")" -eq 1 ] && [ "$(swan rtr --list-sas 2>/dev/null | grep -c "INSTALLED")" -eq 1 ]'

# a dead probe target looks like a stall on every carrier: uplinkd must not flap
moves=$(tunnel_field hq moves)
in_ns site nft -f - <<NFT
table inet lab_probe {
	chain input {
		type filter hook input priority 0; policy accept;
		ip daddr 100.81.0.1 icmp type echo-request counter drop
	}
}
NFT
check "probe target dead: uplinkd says the far end is the problem, not a carrier" \
	wait_for 40 eval 'events_json | json_true "[.[] | select(.type == \"tunnel\" and (.reason | test(\"stalls on every uplink\")))] | length >= 1"'
sleep 10
m2=$(tunnel_field hq moves)
diag "moves while the probe target was dead: $moves -> $m2"
check "and it does not flap between the carriers" eval '[ $((m2 - moves)) -le 2 ]'
stop_uplinkd && rc=0 || rc=$?
check "uplinkd exits cleanly (exit $rc)" eval '[ $rc -eq 0 ]'
