#!/bin/bash
# The BGP monitor against real BGP speakers: gobgpd as each carrier's router and on the site
# router, which sends BMP (pre-policy) to uplinkd. The remote VPN prefix 203.0.113.0/24
# (origin AS64500 behind upstream AS64510 or AS64511, tunnel "hq") is announced by both
# carriers. A legitimate path change raises nothing; an origin hijack in isp1's view raises
# an alert naming isp1 and steers tunnel hq away from isp1 (and back when it ends); an
# operator ack shows; a sub-prefix hijack is detected; a withdrawal at isp2 is a visibility
# alert; ExaBGP's malformed COMMUNITIES attribute is treated as withdraw with the session
# kept; BMP garbage on a second session closes only that session; a reload that allows the
# hijacker's AS clears its alert; `uplinkd --replay` of gobgpd's MRT dump finds the hijack.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd gobgpd gobgp exabgp "$TOOLS/bmpgen"
plan 27
lab_up
. "$LAB_DIR/bgp.sh"

PFX=203.0.113.0/24
bgp_up
bgp_conf "$RUN/uplinkd.conf"
start_uplinkd "$RUN/uplinkd.conf"

check "gobgpd sessions isp1 and isp2 to the site router are up" \
	wait_for 40 eval 'bgp_established isp1 100.64.1.2 && bgp_established isp2 100.64.2.2'
bgp_announce isp1 $PFX 64510,64500
bgp_announce isp2 $PFX 64510,64500
check "the BMP feed shows both carriers' views with the prefix" wait_for 20 eval \
	'[ "$(peer_field 100.64.1.1 routes)" = 1 ] && [ "$(peer_field 100.64.2.1 routes)" = 1 ] &&
	 [ "$(peer_field 100.64.1.1 uplink)" = isp1 ]'
check "a clean announcement raises no alert" no_alerts

# legitimate path change: allowed origin, the other allowed upstream
n=$(peer_field 100.64.1.1 updates)
bgp_announce isp1 $PFX 64511,64500
check "isp1's new path reaches the station" wait_for 10 updates_after 100.64.1.1 "$n"
check "a legitimate path change raises no alert" no_alerts

# origin hijack of the remote VPN prefix in isp1's view
bgp_announce isp1 $PFX 64666
ID=hijack:$PFX:isp1
check "origin hijack in isp1's view raises $ID" wait_for 10 has_alert "$ID"
check "the alert names isp1, peer 100.64.1.1, origin AS64666 and the path" eval \
	'[ "$(alert_field "$ID" uplink)" = isp1 ] && [ "$(alert_field "$ID" peer)" = 100.64.1.1 ] &&
	 [ "$(alert_field "$ID" origin_as)" = 64666 ] &&
	 [ "$(alert_field "$ID" as_path)" = "65001 64666" ] &&
	 [ "$(alert_field "$ID" since)" -gt 0 ]'
check "tunnel hq is steered away from isp1, towards isp2 (journal)" wait_for 20 eval \
	'has_event steer "tunnel hq" avoid isp1 &&
	 events_json | json_true "any(.[]; .type == \"steer\" and .new == \"avoid\" and
				      (.reason | endswith(\"use isp2\")))" >/dev/null'
check "uplinkctl ack marks the alert acknowledged" eval \
	'ctl ack "$ID" >/dev/null && [ "$(alert_field "$ID" acked)" = true ] &&
	 has_event alert "$ID" acked'
bgp_announce isp1 $PFX 64510,64500
check "the legitimate route back clears the alert and the steering" wait_for 10 eval \
	'! has_alert "$ID" && has_event alert "$ID" cleared && has_event steer "tunnel hq" clear isp1'

# sub-prefix hijack
bgp_announce isp1 203.0.113.128/25 64666
check "a more-specific in isp1's view raises subprefix:203.0.113.128/25:isp1" \
	wait_for 10 has_alert subprefix:203.0.113.128/25:isp1
bgp_withdraw isp1 203.0.113.128/25
check "its withdrawal clears it" wait_for 10 eval '! has_alert subprefix:203.0.113.128/25:isp1'

# visibility loss
bgp_withdraw isp2 $PFX
check "withdrawal at isp2 raises visibility:$PFX:isp2" wait_for 10 has_alert visibility:$PFX:isp2
bgp_announce isp2 $PFX 64510,64500
check "re-announcement clears it" wait_for 10 eval '! has_alert visibility:$PFX:isp2'

# malformed attribute (ExaBGP): treat-as-withdraw, the session stays
since=$(ctl status --json | jq '.bgp.sessions[0].since')
exa_up
exa_send "announce route $PFX next-hop 100.64.1.3 as-path [ 64510 64500 ]"
check "ExaBGP's session and route reach the station" wait_for 40 eval '[ "$(peer_field 100.64.1.3 routes)" = 1 ]'
exa_send "announce route $PFX next-hop 100.64.1.3 as-path [ 64510 64500 ] attribute [ 0x08 0xc0 0x010203 ]"
check "a malformed COMMUNITIES attribute is treated as withdraw (visibility alert, event)" \
	wait_for 20 eval 'has_alert visibility:$PFX:100.64.1.3 &&
		events_json | json_true "any(.[]; .new == \"malformed-update\")" >/dev/null'
exa_send "announce route $PFX next-hop 100.64.1.3 as-path [ 64511 64500 ]"
check "the BMP session was kept: the next clean UPDATE clears the alert" wait_for 20 eval \
	'! has_alert visibility:$PFX:100.64.1.3 &&
	 [ "$(ctl status --json | jq ".bgp.sessions | length")" = 1 ] &&
	 [ "$(ctl status --json | jq ".bgp.sessions[0].since")" = "$since" ]'

# BMP garbage on a second session: only that one is closed
in_rtr python3 - "$BGP_BMP_PORT" <<'EOF' >"$RUN/garbage.out" 2>&1 || true
import socket, struct, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
tlv = lambda t, v: struct.pack("!HH", t, len(v)) + v
body = tlv(1, b"garbage test") + tlv(2, b"junk")
s.sendall(struct.pack("!BIB", 3, 6 + len(body), 4) + body)   # a valid Initiation
time.sleep(0.5)
s.sendall(b"\x09GARBAGE-GARBAGE-GARBAGE")                     # BMP version 9
s.settimeout(5)
print("closed by station" if s.recv(1) == b"" else "not closed")
EOF
check "garbage closes the second session, naming the router and byte offset" eval \
	'grep -q "closed by station" "$RUN/garbage.out" &&
	 grep -q "router 127.0.0.1 port [0-9]*: broken BMP framing at stream byte 30" "$UPLINKD_LOG"'
# two routers at once: bmpgen (build/tools) feeds a view of peer 100.64.9.9 (no uplink) beside
# gobgpd's, then sends garbage; only its session and views go
mkfifo "$RUN/bmpgen.in"
in_rtr "$TOOLS/bmpgen" 127.0.0.1 "$BGP_BMP_PORT" 100 100.64.9.9 <"$RUN/bmpgen.in" \
	>"$RUN/bmpgen.out" 2>&1 &
echo $! >"$RUN/bmpgen.pid"
exec 8>"$RUN/bmpgen.in"
check "a second router's session runs beside gobgpd's" wait_for 10 eval \
	'[ "$(ctl status --json | jq ".bgp.sessions | length")" = 2 ] &&
	 [ "$(peer_field 100.64.9.9 routes)" = 1 ]'
echo garbage >&8
check "its garbage closes only its session" \
	wait_for 10 eval '[ "$(ctl status --json | jq ".bgp.sessions | length")" = 1 ]'
exec 8>&-

n=$(peer_field 100.64.2.1 updates)
bgp_announce isp2 $PFX 64511,64500
check "the gobgpd session is untouched and still feeds updates" wait_for 10 eval \
	'updates_after 100.64.2.1 "$n" &&
	 [ "$(ctl status --json | jq ".bgp.sessions | length")" = 1 ] &&
	 [ "$(ctl status --json | jq ".bgp.sessions[0].since")" = "$since" ]'
check "uplinkd is still running" uplinkd_alive

# reload: the watch now allows AS64666, so its announcement is no longer a hijack
cp "$RUN/uplinkd.conf" "$RUN/replay.conf"
bgp_announce isp1 $PFX 64666
check "before the reload, AS64666's announcement is a hijack again" wait_for 10 has_alert "$ID"
conf_sub "$RUN/uplinkd.conf" 's/origin_as = \[ 64500 \]/origin_as = [ 64500, 64666 ]/'
check "a reload that allows AS64666 clears the hijack alert" eval \
	'ctl reload >/dev/null && wait_for 10 eval "! has_alert $ID"'

# offline: gobgpd's own MRT dump of what the site router received
check "uplinkd --replay of the router's BGP4MP dump reports the hijack and the steering" eval \
	'"$UPLINKD" --replay "$BGP_DIR/updates.mrt" -c "$RUN/replay.conf" 2>"$RUN/replay.ok" |
	 json_true -s "any(.[]; .object == \"$ID\" and .new == \"raised\") and
		 any(.[]; .type == \"steer\" and .object == \"tunnel hq\" and .new == \"avoid\")" &&
	 ! sanitizer_report "$RUN/replay.ok"'
rc=0
"$UPLINKD" --replay "$RUN/replay.conf" -c "$RUN/replay.conf" >/dev/null 2>"$RUN/replay.err" || rc=$?
check "uplinkd --replay of a file that is not MRT fails (exit 1) with where and why" eval \
	'[ "$rc" -eq 1 ] && ! sanitizer_report "$RUN/replay.err" &&
	 grep -q "not a usable MRT file: byte [0-9]*: MRT record overruns" "$RUN/replay.err"'
rc=0
stop_uplinkd || rc=$?
check "uplinkd stops cleanly (exit 0, no sanitizer report)" test "$rc" -eq 0
