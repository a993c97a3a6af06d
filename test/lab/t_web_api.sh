#!/bin/bash
# The web plugin's API beyond reading: /api/status equals `uplinkctl status --json`
# (fields that move every second left out), /metrics passes test/web/promcheck.py, actions
# are refused without credentials (401) and without CSRF (403) and journalled with who did
# them when allowed, bad requests get 4xx with a JSON message, every command of the core's
# table is there (/api/reload: POST with a credential; a refused file is a 400 with its
# errors), the stream pushes the status,
# and the history endpoint works and survives a restart (and a corrupt history file).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd curl openssl
plan 44
lab_up

URL=http://100.80.0.1:8080
TOKEN=ci-token-$(openssl rand -hex 16)
HASH=$(openssl passwd -6 -salt uplinkdlab s3cret-pass)
HIST=$RUN/state/webhist/history.bin	# the directory does not exist yet
JAR=$RUN/cookies
lab_conf "$RUN/uplinkd.conf"
cat >>"$RUN/uplinkd.conf" <<CONF
web = { listen = "100.80.0.1:8080"; history_file = "$HIST";
        users = ( { name = "admin"; password_hash = "$HASH"; } );
        tokens = ( { name = "ci"; token = "$TOKEN"; } ); };
CONF
start_uplinkd "$RUN/uplinkd.conf"

web() { in_ns lan curl -sS --max-time 5 "$@"; }
code() { in_ns lan curl -s --max-time 5 -o /dev/null -w '%{http_code}' "$@"; }
# the status object without what changes from one second to the next
steady() { jq -S 'del(.uptime_s) | .uplinks |= map(del(.rtt_ms, .rtt_p95_ms, .loss_pct,
		.jitter_ms, .targets))'; }
same_status() {
	local a b
	a=$(web "$URL/api/status" | steady) && b=$(ctl status --json | steady) || return 1
	[ -n "$a" ] && [ "$a" = "$b" ] || { diff <(echo "$a") <(echo "$b"); return 1; }
}
csrf() { jq -r .csrf "$RUN/login.json"; }
post() {	# URL-PATH BODY [CURL ARGS]: print "CODE BODY"; CT: the body's type (JSON)
	local path=$1 body=$2
	shift 2
	in_ns lan curl -s --max-time 5 -o "$RUN/post.out" -w '%{http_code}' -X POST \
		-H "Content-Type: ${CT:-application/json}" --data "$body" "$@" "$URL$path"
	echo " $(cat "$RUN/post.out")"
}
is() { [[ "$1" == "$2"* ]] || { echo "got: $1"; return 1; }; }	# STRING PREFIX
journal_has() { events_json | json_true --arg r "$1" 'map(select(.type == "action" and
		(.reason | contains($r)))) | length > 0' >/dev/null; }

check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "/api/status equals uplinkctl status --json (moving measurements aside)" \
	wait_for 20 same_status
m=$(web "$URL/metrics")
check "/metrics is valid Prometheus text (test/web/promcheck.py)" \
	eval 'printf "%s\n" "$m" | python3 "$LAB_ROOT/test/web/promcheck.py"'
check "/metrics has per-uplink switches, per-target probes, process, build, tunnel and BGP families" \
	eval 'for f in uplinkd_uplink_switches_total uplinkd_target_probes_sent_total \
		uplinkd_target_rtt_seconds process_resident_memory_bytes process_start_time_seconds \
		uplinkd_build_info uplinkd_tunnel_up uplinkd_tunnel_state uplinkd_bgp_alerts; do
		grep -q "^# TYPE $f " <<<"$m" || { echo "no $f"; exit 1; }; done'

r=$(post /api/prefer '{"uplink":"isp2"}')
check "prefer without credentials: 401 with a JSON message" \
	eval 'is "$r" "401 " && json_true .error <<<"${r#* }" >/dev/null'
check "401 says how to authenticate (WWW-Authenticate: Bearer)" \
	eval 'web -X POST -D - -o /dev/null --data "uplink=isp2" "$URL/api/prefer" |
		grepq -i "^www-authenticate: Bearer"'
r=$(post /api/prefer '{"uplink":"isp2"}' -H "Authorization: Bearer wrong-token-0000000000")
check "prefer with a wrong token: 401" is "$r" "401 "
r=$(post /api/login '{"user":"admin","password":"nope"}')
check "login with a wrong password: 401" is "$r" "401 "
in_ns lan curl -s --max-time 5 -c "$JAR" -D "$RUN/login.hdr" -o "$RUN/login.json" \
	-H 'Content-Type: application/json' --data '{"user":"admin","password":"s3cret-pass"}' \
	"$URL/api/login" >/dev/null || true
check "login: session cookie HttpOnly and SameSite=Strict, CSRF token in the body" \
	eval 'grep -i "^set-cookie: uplinkd_session=" "$RUN/login.hdr" | grep -i httponly |
		grepq -i "samesite=strict" && [ "$(csrf | wc -c)" -gt 20 ]'
check "GET /api/session with the cookie names the user and its CSRF token" \
	eval '[ "$(web -b "$JAR" "$URL/api/session" | jq -r .csrf)" = "$(csrf)" ]'
r=$(post /api/prefer '{"uplink":"isp2"}' -b "$JAR")
check "prefer with the session cookie but no CSRF header: 403" \
	eval 'is "$r" "403 " && grep -q CSRF <<<"$r"'
r=$(post /api/prefer '{"uplink":"isp2"}' -b "$JAR" -H "X-CSRF-Token: $(csrf)x")
check "prefer with a wrong CSRF token: 403" is "$r" "403 "
r=$(post /api/prefer '{"uplink":"isp2"}' -b "$JAR" -H "X-CSRF-Token: $(csrf)" \
	-H "Origin: http://evil.example")
check "prefer with the CSRF token from another Origin: 403" is "$r" "403 "
r=$(post /api/prefer '{"uplink":"isp2"}' -b "$JAR" -H "X-CSRF-Token: $(csrf)" \
	-H "Origin: http://100.80.0.1:8080")
check "prefer with cookie, CSRF token and our Origin: 200" is "$r" "200 "
check "isp2 becomes active, preferred" wait_for 10 eval 'active_is isp2'
check "the journal says web:admin asked" journal_has "web:admin prefers isp2"
r=$(CT=application/x-www-form-urlencoded post /api/prefer 'uplink=auto' \
	-H "Authorization: Bearer $TOKEN")
check "prefer auto with the bearer token (a form body, no CSRF needed): 200" is "$r" "200 "
check "the journal says web:ci cleared it" journal_has "web:ci cleared the preference"
r=$(post /api/prefer '{"uplink":"isp9"}' -H "Authorization: Bearer $TOKEN")
check "prefer of an unknown uplink: 404 with a message" \
	eval 'is "$r" "404 " && json_true ".error | length > 0" <<<"${r#* }" >/dev/null'
r=$(post /api/prefer '{"uplink":' -H "Authorization: Bearer $TOKEN")
check "a broken JSON body: 400 with a message" \
	eval 'is "$r" "400 " && grep -q JSON <<<"$r"'
r=$(post /api/ack '{"id":"hijack 203.0.113.0/24 isp1"}' -H "Authorization: Bearer $TOKEN")
check "ack without a bgp section: 404 saying so" \
	eval 'is "$r" "404 " && grep -q bgp <<<"$r"'
big=$(head -c 8000 /dev/zero | tr '\0' a)
r=$(post /api/prefer "{\"uplink\":\"$big\"}" -H "Authorization: Bearer $TOKEN")
check "an 8 KB body: 413" is "$r" "413 "

# the commands are the core's table: /api/reload as uplinkctl reload, with the same rules
r=$(post /api/reload '{}')
check "reload without credentials: 401" is "$r" "401 "
check "GET /api/reload: 405, Allow: POST" \
	eval '[ "$(code "$URL/api/reload")" = 405 ] &&
	      web -D - -o /dev/null "$URL/api/reload" | grepq -i "^allow: POST"'
r=$(post /api/reload '{}' -H "Authorization: Bearer $TOKEN")
check "reload with the bearer token: 200, who asked in the reply" \
	eval 'is "$r" "200 " && json_true ".ok and .who == \"web:ci\"" <<<"${r#* }" >/dev/null'
cp "$RUN/uplinkd.conf" "$RUN/uplinkd.conf.good"
echo 'bogus_key = 1;' >>"$RUN/uplinkd.conf"
r=$(post /api/reload '{}' -H "Authorization: Bearer $TOKEN")
cp "$RUN/uplinkd.conf.good" "$RUN/uplinkd.conf"
check "reload of a file with an error: 400 naming FILE:LINE, the old configuration runs on" \
	eval 'is "$r" "400 " && grep -q "uplinkd.conf:[0-9]*:.*bogus_key" <<<"$r" &&
	      settled isp1 && settled isp2'

check "/api/history?uplink=isp1 has measured points" \
	wait_for 10 eval 'web -f "$URL/api/history?uplink=isp1" |
		json_true "[.fine.rtt_ms[] | select(. != null)] | length >= 3" >/dev/null'
check "/api/history of an unknown uplink: 404 naming the configured ones" \
	eval '[ "$(code "$URL/api/history?uplink=nope")" = 404 ] &&
	      web "$URL/api/history?uplink=nope" | json_true ".error | test(\"isp1\")" >/dev/null'
check "/api/history without an uplink, or with junk: 400" \
	eval '[ "$(code "$URL/api/history")" = 400 ] &&
	      [ "$(code "$URL/api/history?uplink=isp1&x=1")" = 400 ]'
check "/api/stream pushes the status as a Server-Sent Event" \
	eval '{ in_ns lan curl -sN --max-time 3 "$URL/api/stream" 2>/dev/null || true; } |
		grepq "^event: status"'

# reload with one more token, the same address: sessions and the server stay, the token works
TOKEN2=ops-token-$(openssl rand -hex 16)
conf_sub "$RUN/uplinkd.conf" "s|tokens = ( { name = \"ci\"; token = \"$TOKEN\"; } );|tokens = ( { name = \"ci\"; token = \"$TOKEN\"; }, { name = \"ops\"; token = \"$TOKEN2\"; } );|"
check "reload with a new token keeps the login session" \
	eval 'grep -q "$TOKEN2" "$RUN/uplinkd.conf" && ctl reload >/dev/null &&
	      [ "$(web -b "$JAR" "$URL/api/session" | jq -r .user)" = admin ]'
r=$(post /api/prefer '{"uplink":"auto"}' -H "Authorization: Bearer $TOKEN2")
check "the new token acts, journalled as web:ops" \
	eval 'is "$r" "200 " && journal_has "web:ops cleared the preference"'

# uplinkctl watch: plain text when not on a terminal, Ctrl-C ends it cleanly (it redraws once a
# second: 2 redraws in 8 s leaves room for a slow machine; the rate itself is not asserted)
timeout --preserve-status -s INT 8 ip netns exec "$P-rtr" "$UPLINKCTL" -s "$SOCK" watch </dev/null \
	>"$RUN/watch.txt" 2>&1 && rc=0 || rc=$?
check "uplinkctl watch (no tty) redraws every second, plain, and exits 0 on SIGINT" \
	eval '[ $rc -eq 0 ] && [ "$(grep -c "^----" "$RUN/watch.txt")" -ge 2 ] &&
	      grep -q "isp1" "$RUN/watch.txt" && ! grep -q $'"'"'\033'"'"' "$RUN/watch.txt"'
# on a terminal (script(1) gives it one): colours, screen clearing, q quits
# q is typed once the first screen is there, however long that takes
(wait_for 20 grep -q isp1 "$RUN/watch.tty"; printf q) | timeout 30 script -qfec \
	"ip netns exec $P-rtr $UPLINKCTL -s $SOCK watch" /dev/null >"$RUN/watch.tty" 2>&1 \
	&& rc=0 || rc=$?
check "uplinkctl watch on a terminal clears the screen, colours states and quits on q" \
	eval '[ $rc -eq 0 ] && grep -q $'"'"'\033\[H\033\[2J'"'"' "$RUN/watch.tty" &&
	      grep -q $'"'"'\033\[32mup'"'"' "$RUN/watch.tty"'
(wait_for 20 grep -q isp1 "$RUN/watch.nc"; printf q) | NO_COLOR=1 timeout 30 script -qfec \
	"ip netns exec $P-rtr $UPLINKCTL -s $SOCK watch" /dev/null >"$RUN/watch.nc" 2>&1 || true
check "NO_COLOR: no colours on a terminal either" \
	eval 'grep -q isp1 "$RUN/watch.nc" && ! grep -q $'"'"'\033\[3[123]m'"'"' "$RUN/watch.nc"'

# a stream client that never reads, and 15 that do (from two addresses: 16 per address is
# the connection limit): the stream limit (16) answers 503, and everything else still works
ip -n "$P-lan" addr add 100.80.0.3/24 dev eth0
# (ip netns exec execs them: $! is the reader itself; they live until killed, however slow
# the machine is, and the 503 is awaited, not assumed after a sleep)
ip netns exec "$P-lan" bash -c 'exec 3<>/dev/tcp/100.80.0.1/8080
	printf "GET /api/stream HTTP/1.1\r\nHost: 100.80.0.1:8080\r\n\r\n" >&3; exec sleep 300' &
readers=($!)
for i in $(seq 15); do
	ip netns exec "$P-lan" curl -sN --max-time 300 --interface "100.80.0.$((i % 2 ? 2 : 3))" \
		"$URL/api/stream" >/dev/null 2>&1 &
	readers+=($!)
done
check "a stalled stream reader and more streams than allowed do not stall the daemon" \
	wait_for 30 eval 'web -f "$URL/api/status" -o /dev/null && ctl status --json >/dev/null &&
	      [ "$(code --interface 100.80.0.3 "$URL/api/stream")" = 503 ]'
kill "${readers[@]}" 2>/dev/null || true
wait "${readers[@]}" 2>/dev/null || true
# a stream left open across the stop below: shutdown must close it cleanly
in_ns lan curl -sN --max-time 20 "$URL/api/stream" >/dev/null 2>&1 &
stalled=$!
# leave streams open across the stop below: shutdown must close them cleanly
before=$(web "$URL/api/history?uplink=isp1" | jq '[.fine.rtt_ms[] | select(. != null)] | length')
stop_uplinkd && rc=0 || rc=$?
wait "$stalled" 2>/dev/null || true
check "clean stop (with streams open) writes the history file (exit $rc)" eval '[ $rc -eq 0 ] && [ -s "$HIST" ]'
start_uplinkd "$RUN/uplinkd.conf"
check "after a restart the history still has the points from before ($before)" \
	eval 'n=$(web "$URL/api/history?uplink=isp1" |
		jq "[.fine.rtt_ms[] | select(. != null)] | length"); [ "$n" -ge "$before" ]'
check_stop "uplinkd stops cleanly after the restart"
head -c 5000 /dev/urandom >"$HIST"
start_uplinkd "$RUN/uplinkd.conf"
check "a corrupt history file is reported and the daemon serves on" \
	eval 'grep -q "history file $HIST: .*not an uplinkd history file" "$UPLINKD_LOG" &&
	      wait_for 20 web -f "$URL/api/status" -o /dev/null'
# the history file is rewritten at stop only when there is something to keep: wait for a point
check "the restarted daemon records history again" wait_for 20 eval \
	'web "$URL/api/history?uplink=isp1" | json_true "[.fine.rtt_ms[] | select(. != null)] | length >= 1"'
check "and the page still answers" eval 'web -f "$URL/" | grepq "<svg\|graph"'
stop_uplinkd && rc=0 || rc=$?
check "the corrupt file was replaced by a good one" \
	eval 'head -c 7 "$HIST" | grepq UPLHIST'
check "clean exit, no sanitizer reports (exit $rc)" \
	eval '[ $rc -eq 0 ] && ! sanitizer_report "$UPLINKD_LOG"'
