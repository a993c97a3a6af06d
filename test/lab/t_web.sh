#!/bin/bash
# The web plugin on the router's LAN address: /api/status is the status object of
# `uplinkctl status --json`, /api/events the journal, /metrics valid Prometheus text with
# a sample per uplink, / the page; other methods 405, unknown paths 404 (JSON errors);
# a blackhole on isp1 shows in /api/status and /metrics; a slow client does not stall it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd curl
plan 20
lab_up

URL=http://100.80.0.1:8080
start_lab_uplinkd "\$a web = { listen = \"100.80.0.1:8080\"; };"

web() { in_ns lan curl -sS --max-time 5 "$@"; }	# curl from the LAN host
code() { in_ns lan curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"; }
# the stable part of the status object: names, states, active flags, policy mode/active
stable() { jq -c '{policy: {mode: .policy.mode, active: .policy.active},
		  uplinks: [.uplinks[] | {name, state, active, settled}]}'; }
same_status() {
	local a b
	a=$(web "$URL/api/status" | stable) && b=$(ctl status --json | stable) || return 1
	[ -n "$a" ] && [ "$a" = "$b" ] || { echo "web: $a"; echo "ctl: $b"; return 1; }
}
same_keys() {	# the web object has exactly the keys of ctl's, at every level we compare
	local a b
	a=$(web "$URL/api/status" | jq -c '[keys, (.uplinks | map(keys))]')
	b=$(ctl status --json | jq -c '[keys, (.uplinks | map(keys))]')
	[ "$a" = "$b" ] || { echo "web: $a"; echo "ctl: $b"; return 1; }
}
# Prometheus text 0.0.4: HELP/TYPE lines, then samples of a TYPEd family with a number
prom_valid() {
	awk '
	/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* / { next }
	/^# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped)$/ {
		if ($3 in typed) { print "TYPE twice: " $3; bad = 1 }
		typed[$3] = 1; n++; next }
	/^#/ { print "bad comment: " $0; bad = 1; next }
	{
		if (!match($0, /^[a-zA-Z_:][a-zA-Z0-9_:]*/)) { print "bad line: " $0; bad = 1; next }
		name = substr($0, 1, RLENGTH); rest = substr($0, RLENGTH + 1)
		if (!(name in typed)) { print "no TYPE before " name; bad = 1 }
		if (rest ~ /^\{/) {
			if (!match(rest, /^\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\}/)) {
				print "bad labels: " $0; bad = 1; next }
			rest = substr(rest, RLENGTH + 1)
		}
		if (rest !~ /^ (-?[0-9.]+([eE][-+]?[0-9]+)?|NaN|[-+]Inf)$/) {
			print "bad value: " $0; bad = 1 }
		samples++
	}
	END { if (!n || !samples) { print "empty"; bad = 1 }; exit bad }'
}

check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "GET /api/status from the LAN answers 200 with JSON" \
	eval 'web -f "$URL/api/status" | json_true ".uplinks | length == 2"'
check "/api/status has the keys of uplinkctl status --json" same_keys
check "/api/status names, states and active flags equal uplinkctl's" wait_for 20 same_status
check "/api/status is served as application/json" \
	eval 'web -o /dev/null -D - "$URL/api/status" | grepq -i "^content-type: application/json"'
check "/api/events?count=5 is the journal (at most 5 entries)" \
	eval 'web -f "$URL/api/events?count=5" | json_true "type == \"array\" and length <= 5 and length >= 1"'
check "/api/events?count=0 is 400 with a message" \
	eval '[ "$(code "$URL/api/events?count=0")" = 400 ] &&
	      web "$URL/api/events?count=0" | json_true ".error | test(\"1 to 1000\")"'
m=$(web "$URL/metrics")
check "/metrics has HELP and TYPE lines" \
	eval 'grep -q "^# HELP uplinkd_uplink_up " <<<"$m" &&
	      grep -q "^# TYPE uplinkd_uplink_up gauge" <<<"$m"'
check "/metrics has an uplinkd_uplink_up sample per uplink" \
	eval 'grep -q "^uplinkd_uplink_up{uplink=\"isp1\"} 1$" <<<"$m" &&
	      grep -q "^uplinkd_uplink_up{uplink=\"isp2\"} 1$" <<<"$m"'
check "/metrics parses as Prometheus text 0.0.4" eval 'prom_valid <<<"$m"'
check "POST /api/status is 405 with Allow" \
	eval 'web -X POST -o /dev/null -D - "$URL/api/status" | grepq -i "^allow: GET" &&
	      [ "$(code -X POST "$URL/api/status")" = 405 ]'
check "/nope is 404 with a JSON error" \
	eval '[ "$(code "$URL/nope")" = 404 ] && web "$URL/nope" | json_true ".error"'
check "/ is the page and names uplinkd" eval 'web -f "$URL/" | grepq uplinkd'

# a client that opens a connection and sends half a request must not stall the daemon
# (it says when its half request is out; ip netns exec execs bash, so $! is the client)
rm -f "$RUN/slow.sent"
ip netns exec "$P-lan" bash -c 'exec 3<>/dev/tcp/100.80.0.1/8080; printf "GET /api/sta" >&3
	: >"$1"; exec sleep 60' slow "$RUN/slow.sent" &
slow=$!
wait_for 20 test -e "$RUN/slow.sent" || diag "the slow client did not connect within 20 s"
check "a half-sent request does not block other clients or the control socket" \
	eval 'web -f "$URL/api/status" >/dev/null && ctl status --json >/dev/null'
kill "$slow" 2>/dev/null || true
wait "$slow" 2>/dev/null || true

big=$(head -c 100000 /dev/zero | tr '\0' a)
check "a 100 KB header is refused (4xx) and the next request is served" \
	eval 'c=$(code -H "X-Big: $big" "$URL/api/status"); [[ "$c" == 4* ]] &&
	      web -f "$URL/api/status" >/dev/null'

# reload: the listen address moves (to IPv6); the old port closes
conf_sub "$RUN/uplinkd.conf" 's|listen = "100.80.0.1:8080"|listen = "[2001:db8:80::1]:8081"|'
check "reload moves the page to [2001:db8:80::1]:8081" \
	eval 'ctl reload && wait_for 20 web -f "http://[2001:db8:80::1]:8081/api/status" -o /dev/null'
check_not "the old address no longer answers" web -f "$URL/api/status" -o /dev/null
URL=http://[2001:db8:80::1]:8081

fault isp1 blackhole
check "blackhole on isp1: /api/status shows isp1 down" \
	wait_for 20 eval 'web "$URL/api/status" |
		json_true ".uplinks[] | select(.name == \"isp1\") | .state == \"down\" and (.active | not)"'
check "/metrics shows isp1 down" \
	wait_for 20 eval 'web "$URL/metrics" | grepq "^uplinkd_uplink_up{uplink=\"isp1\"} 0$"'
stop_uplinkd && rc=0 || rc=$?
check "clean exit, no sanitizer reports (exit $rc)" \
	eval '[ $rc -eq 0 ] && ! sanitizer_report "$UPLINKD_LOG"'
