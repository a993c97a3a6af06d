#!/bin/bash
# Events in order, for every subscriber: a switch that causes a prefix-route action and a
# tunnel move is seen as switch, then action, then move by the journal (its file and
# `uplinkctl events`), the hooks and the web page's live stream alike.
# The watched prefix 203.0.113.0/24 is routed (route = true) but not bound to the tunnel.
# isp2's view of it is hijacked, so uplinkd routes it through isp1; the tunnel hq runs over
# isp1 with the default route. Then isp1 is blackholed: the default route moves to isp2 (the
# switch); the prefix has no clean, usable carrier left, so its route goes and it follows the
# default route (the action); the tunnel moves to isp2 (the move). Order is read from the
# position of each event in each stream, never from the clock.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/site.sh"
need_uplinkd
need_cmd gobgpd gobgp swanctl /usr/sbin/charon-systemd curl
plan 13
lab_up
. "$LAB_DIR/bgp.sh"
site_up
charon_start rtr rtr
charon_start site site
site_creds psk
bgp_up
bgp_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" 's/tunnel = "hq"; }/route = true; }/'
site_ipsec_conf psk "hold_down_s = 5;" >>"$RUN/uplinkd.conf"
mkdir -p "$RUN/hooks"
cat >"$RUN/hooks/10-record" <<HOOK
#!/bin/sh
echo "\$UPLINKD_EVENT|\$UPLINKD_OBJECT|\$UPLINKD_OLD_STATE|\$UPLINKD_NEW_STATE|\$UPLINKD_REASON" >>"$RUN/hooks.log"
HOOK
chmod 755 "$RUN/hooks/10-record"
cat >>"$RUN/uplinkd.conf" <<CONF
hooks = { dir = "$RUN/hooks"; };
web = { listen = "100.80.0.1:8080"; };
CONF
start_uplinkd "$RUN/uplinkd.conf"

PFX=203.0.113.0/24
prefix_route() { in_rtr ip -4 route show "$PFX" proto 77; }
check "BGP sessions up, uplinks settled, the tunnel up on isp1" wait_for 60 eval \
	'bgp_established isp1 100.64.1.2 && bgp_established isp2 100.64.2.2 &&
	 settled isp1 && settled isp2 && tunnel_on hq isp1 $SITE_A'
bgp_announce isp1 $PFX 64510,64500
bgp_announce isp2 $PFX 64510,64500
check "clean views: no route of ours for the prefix" wait_for 20 eval \
	'[ "$(peer_field 100.64.2.1 routes)" = 1 ] && no_alerts && [ -z "$(prefix_route)" ]'
bgp_announce isp2 $PFX 64666
check "hijack in isp2's view: the prefix is routed through isp1" wait_for 20 eval \
	'prefix_route | grepq "via 100.64.1.1 dev wan1"'

# the web page's live stream, from the LAN, open across the switch
SSE_PID=
in_ns lan curl -sN --max-time 300 "http://100.80.0.1:8080/api/stream" >"$RUN/sse.txt" 2>/dev/null &
SSE_PID=$!
stop_sse() { [ -z "$SSE_PID" ] || { kill "$SSE_PID" 2>/dev/null || true; wait "$SSE_PID" 2>/dev/null || true; }; }
trap 'rc=$?; stop_sse; (exit $rc); lab_exit' EXIT	# lab_exit reads the exit status
check "the live stream is open" wait_for 15 grep -q '^event: status' "$RUN/sse.txt"

fault isp1 blackhole
check "blackhole on isp1: the default route moves to isp2" wait_for 30 default_is wan2
check "the prefix route is gone: the prefix follows the default route" \
	wait_for 30 eval '[ -z "$(prefix_route)" ]'
check "the tunnel moves to isp2" wait_for 60 eval 'tunnel_on hq isp2 $SITE_A || tunnel_on hq isp2 $SITE_B'
# the hooks run one event at a time, after the fact: wait for the move to reach them
check "the hook saw the tunnel move" wait_for 30 grep -qE '^tunnel\|hq\|.*isp1/[^ ]* -> isp2/' "$RUN/hooks.log"
sleep 1	# let the stream carry the last events
stop_sse
SSE_PID=

# Each stream as JSON lines {type, object, old, new, reason}, in the order it saw them.
sse_events() { sed -n 's/^data: //p' "$RUN/sse.txt" | jq -c 'select(.type? != null)'; }
hook_events() {
	jq -R -c 'split("|") | {type: .[0], object: .[1], old: .[2], new: .[3], reason: (.[4:] | join("|"))}' \
		"$RUN/hooks.log"
}
journal_file_events() { jq -c . "$RUN/state/journal.jsonl"; }
ctl_events() { events_json | jq -c '.[]'; }
# order_ok: stdin is a stream's events; the switch to isp2, then the prefix route's removal,
# then the tunnel's move to isp2, each the first of its kind after the one before
order_ok() {
	jq -s -e --arg p "$PFX" '
		to_entries as $e |
		([$e[] | select(.value.type == "active" and .value.new == "isp2") | .key] | first) as $s |
		([$e[] | select(.value.type == "action" and .value.object == $p and
				(.value.reason // "" | test("removed|default route"))) | .key] | first) as $a |
		([$e[] | select(.value.type == "tunnel" and .value.object == "hq" and
				(.value.reason // "" | test("isp1/[^ ]* -> isp2/"))) | .key] | first) as $m |
		if $s == null or $a == null or $m == null then
			error("missing: switch \($s) action \($a) move \($m)")
		else
			($s < $a and $a < $m) or error("order: switch at \($s), action at \($a), move at \($m)")
		end' >/dev/null
}
for s in ctl_events journal_file_events hook_events sse_events; do
	diag "$s: $($s | jq -r --arg p "$PFX" 'select(.type == "active" or (.type == "action" and .object == $p) or .type == "tunnel") | "\(.type) \(.object) \(.new) \(.reason // "" | .[0:60])"' | tr '\n' ';')"
done
check "uplinkctl events: switch, then the prefix action, then the tunnel move" eval 'ctl_events | order_ok'
check "the journal file: switch, then the prefix action, then the tunnel move" eval 'journal_file_events | order_ok'
check "the hooks: switch, then the prefix action, then the tunnel move" eval 'hook_events | order_ok'
check "the web stream: switch, then the prefix action, then the tunnel move" eval 'sse_events | order_ok'
check_stop
