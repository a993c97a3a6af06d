#!/bin/bash
# A flood from an allowed BMP router does not stall the loop, fill the journal or starve the
# hooks: while bmpgen (on 127.0.0.1, listed in bgp.routers) sends 100 000 Peer Up/Down
# messages for carrier peer 100.64.2.1 and 50 000 distinct more-specifics of a watched
# 100.96.0.0/12, isp1 is blackholed. The failover still happens within the usual bound, the
# status answers (generous deadline; `make bench` measures how fast), every uplink and active
# event is in the journal and reached the hook, the flood's own events are limited and
# counted, routes and alerts stay within their bounds and the daemon's peak RSS under
# FLOOD_RSS_MB (default 64; a release build peaks near 10 MB, test/bench/results.md). Under
# ASan the quarantine of freed memory is cut to 16 MB so that RSS still means something.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd "$TOOLS/bmpgen"
plan 12
lab_up
. "$LAB_DIR/bgp.sh"
RSS_MAX_MB=${FLOOD_RSS_MB:-64}

mkdir -p "$RUN/hooks"
cat >"$RUN/hooks/10-record" <<HOOK
#!/bin/sh
echo "\$UPLINKD_EVENT \$UPLINKD_OBJECT \$UPLINKD_OLD_STATE \$UPLINKD_NEW_STATE" >>"$RUN/hooks.log"
HOOK
chmod 755 "$RUN/hooks/10-record"
bgp_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" \
	's|watch = ( {|watch = ( { prefix = "100.96.0.0/12"; origin_as = [ 64500 ]; },\n            {|'
echo "hooks = { dir = \"$RUN/hooks\"; };" >>"$RUN/uplinkd.conf"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16
start_uplinkd "$RUN/uplinkd.conf"
check "isp1 and isp2 come up, isp1 carries the default route" wait_for 30 eval \
	'settled isp1 && settled isp2 && default_is wan1'

mkfifo "$RUN/bmpgen.in"
in_rtr "$TOOLS/bmpgen" 127.0.0.1 "$BGP_BMP_PORT" 1000 100.64.1.1 <"$RUN/bmpgen.in" \
	>"$RUN/bmpgen.out" 2>&1 &
echo $! >"$RUN/bmpgen.pid"
exec 8>"$RUN/bmpgen.in"
check "the router's table arrives" wait_for 30 eval \
	'[ "$(ctl status --json | jq "[.bgp.sessions[].prefixes] | add // 0")" -ge 1001 ]'

# the flood, and the fault in the middle of it
echo "more 50000 100.96.0.0 28" >&8
echo "flap 100000 100.64.2.1" >&8
fault isp1 blackhole
t0=$(date +%s%N)
lat_max=0 slow=0
until default_is wan2; do
	s=$(date +%s%N)
	timeout 10 ip netns exec "$P-rtr" "$UPLINKCTL" -s "$SOCK" status --json >/dev/null || slow=$((slow + 1))
	ms=$((($(date +%s%N) - s) / 1000000))
	[ "$ms" -le "$lat_max" ] || lat_max=$ms
	[ $(($(date +%s%N) - t0)) -lt 20000000000 ] || break
	sleep 0.1
done
fail_ms=$((($(date +%s%N) - t0) / 1000000))
diag "failover after ${fail_ms} ms; slowest status ${lat_max} ms (measured in make bench, not asserted)"
check "blackhole on isp1 during the flood: the default route moves to wan2 within 20 s" \
	default_is wan2
check "the status answered every time (10 s deadline)" test "$slow" -eq 0

check "the whole flood was read and judged" wait_for 120 eval \
	'grep -q "^flap 100000" "$RUN/bmpgen.out" &&
	 [ "$(ctl status --json | jq "[.bgp.sessions[].messages] | add")" -ge 100000 ] &&
	 [ "$(ctl status --json | jq ".bgp.stats.routes_seen")" -ge 51000 ]'
st=$(ctl status --json)
diag "bgp stats: $(echo "$st" | jq -c '.bgp.stats')"
check "routes and alerts stayed within their bounds" eval \
	'echo "$st" | json_true ".bgp.stats.routes_kept <= 10000 + 64 and .bgp.stats.routes_dropped >= 40000 and
			     .bgp.stats.alerts <= 1000 + 64"'
check "the flood's events were limited and counted" eval \
	'echo "$st" | json_true ".bgp.stats.suppressed[\"peer-up\"] > 0 and
			     .bgp.stats.suppressed[\"peer-down\"] > 0 and
			     .bgp.stats.suppressed[\"alert subprefix\"] > 0"'
ev=$(events_json)
chatter=$(echo "$ev" | jq '[.[] | select(.type == "signal" or .type == "alert")] | length')
diag "journal: $(echo "$ev" | jq length) entries, $chatter of them BGP signals and alerts"
check "the journal has isp1 going down and the switch to isp2" eval \
	'echo "$ev" | json_true "any(.[]; .type == \"uplink\" and .object == \"isp1\" and .new == \"down\") and
			     any(.[]; .type == \"active\" and .new == \"isp2\")" >/dev/null'
# every uplink and active event of the journal reached the hook, in order
echo "$ev" | jq -r '.[] | select(.type == "uplink" or .type == "active") |
	"\(.type) \(.object // "") \(.old // "") \(.new // "")"' >"$RUN/journal.lines"
check "every uplink and active event ran the hook, in order" wait_for 20 eval \
	'diff <(grep -E "^(uplink|active) " "$RUN/hooks.log" | sed "s/ *$//") <(sed "s/ *$//" "$RUN/journal.lines")'
rss=$(awk '/^VmHWM/ { printf "%d", $2 / 1024 }' "/proc/$UPLINKD_PID/status")
diag "peak RSS ${rss} MB"
check "peak RSS stays under ${RSS_MAX_MB} MB" test "$rss" -lt "$RSS_MAX_MB"
exec 8>&-
wait "$(cat "$RUN/bmpgen.pid")" 2>/dev/null || true
check "uplinkd is still running" uplinkd_alive
rc=0
stop_uplinkd || rc=$?
check "uplinkd stops cleanly (exit 0, no sanitizer report)" test "$rc" -eq 0
