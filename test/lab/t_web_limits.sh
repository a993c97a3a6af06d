#!/bin/bash
# Hostile web clients (issue 10): failed logins are limited per client address, so 50 wrong
# passwords from one address lock that address out (429 with Retry-After) while the admin on
# another address still logs in; a request whose Host is not one of the page's names (a page
# of another site behind a DNS rebinding) is refused with 421 on every path, while the listen
# address, localhost and a socat forward on 127.0.0.1 (the demo's way in) are answered; and
# web.hosts, applied by a reload, replaces the default names.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd curl openssl
plan 15
lab_up

URL=http://100.80.0.1:8080
HASH=$(openssl passwd -6 -salt uplinkdlab s3cret-pass)
lab_conf "$RUN/uplinkd.conf"
cat >>"$RUN/uplinkd.conf" <<CONF
web = { listen = "100.80.0.1:8080"; users = ( { name = "admin"; password_hash = "$HASH"; } ); };
CONF
start_uplinkd "$RUN/uplinkd.conf"
# a second LAN client: the admin's desk
ip -n "$P-lan" addr add 100.80.0.3/24 dev eth0

login() {	# SOURCE-ADDRESS PASSWORD [CURL ARGS]: print the HTTP status
	local src=$1 pass=$2
	shift 2
	in_ns lan curl -s --max-time 10 --interface "$src" -o "$RUN/login.out" \
		-w '%{http_code}' -H 'Content-Type: application/json' \
		--data "{\"user\":\"admin\",\"password\":\"$pass\"}" "$@" "$URL/api/login"
}
code() { in_ns lan curl -s --max-time 5 -o "$RUN/get.out" -w '%{http_code}' "$@"; }

check "the web page answers" wait_for 20 eval '[ "$(code "$URL/api/status")" = 200 ]'

for i in $(seq 50); do
	login 100.80.0.2 "wrong-$i" || echo 000
	echo
done >"$RUN/codes"
diag "50 wrong passwords from 100.80.0.2: $(sort "$RUN/codes" | uniq -c | tr -s ' \n' ' ')"
check "50 wrong passwords from one address: each 401 or 429, never 200" \
	eval '[ "$(grep -c . "$RUN/codes")" = 50 ] && ! grep -qv -e "^401$" -e "^429$" "$RUN/codes"'
check "the first 5 were judged (401), most of the rest refused unread (429)" \
	eval '[ "$(head -5 "$RUN/codes" | grep -c "^401$")" = 5 ] &&
	      [ "$(grep -c "^429$" "$RUN/codes")" -ge 40 ]'
check "429 carries Retry-After and says what to do" \
	eval 'login 100.80.0.2 wrong -D "$RUN/hdr" >/dev/null; grep -qi "^retry-after: [0-9]" "$RUN/hdr" &&
	      json_true ".status == 429 and (.error | test(\"try again\"))" <"$RUN/login.out"'
check "the right password from that address is refused too while it is locked out" \
	eval '[ "$(login 100.80.0.2 s3cret-pass)" = 429 ]'
check "the right password from another address logs in" \
	eval '[ "$(login 100.80.0.3 s3cret-pass)" = 200 ] &&
	      json_true ".user == \"admin\" and (.csrf | length > 20)" <"$RUN/login.out"'
check "the daemon logged the refusals (rate-limited)" \
	grep -q "web: login from 100.80.0.2 refused: too many failed logins" "$UPLINKD_LOG"

check "GET /api/status with Host: rebind.example is refused: 421 with a JSON message" \
	eval '[ "$(code -H "Host: rebind.example" "$URL/api/status")" = 421 ] &&
	      json_true ".status == 421 and (.error | test(\"web.hosts\"))" <"$RUN/get.out"'
check "so are the page, /metrics, the stream and a login through that name" \
	eval 'for p in / /metrics /api/stream /api/events; do
		c=$(code -H "Host: rebind.example:8080" "$URL$p"); [ "$c" = 421 ] || { echo "$p: $c"; exit 1; }
	      done; [ "$(login 100.80.0.3 s3cret-pass -H "Host: rebind.example")" = 421 ]'
check "the listen address, with or without the port, and localhost are answered" \
	eval '[ "$(code "$URL/api/status")" = 200 ] &&
	      [ "$(code -H "Host: 100.80.0.1" "$URL/api/status")" = 200 ] &&
	      [ "$(code -H "Host: localhost:9090" "$URL/api/status")" = 200 ]'
# the demo's way in: a socat forward on 127.0.0.1 (another port) to the listen address
in_ns lan socat TCP-LISTEN:18080,bind=127.0.0.1,reuseaddr,fork TCP:100.80.0.1:8080 \
	</dev/null >/dev/null 2>&1 &
echo $! >"$RUN/socat.pid"
check "through a socat forward on 127.0.0.1:18080 (as make demo does) the page answers" \
	wait_for 10 eval '[ "$(code http://127.0.0.1:18080/api/status)" = 200 ] &&
		[ "$(code http://127.0.0.1:18080/)" = 200 ]'
check "the refusal is logged with the client and the name" \
	grep -q 'web: 100.80.0.2 asked for Host "rebind.example' "$UPLINKD_LOG"

conf_sub "$RUN/uplinkd.conf" 's|listen = "100.80.0.1:8080";|& hosts = [ "Router.Example", "100.80.0.1:8080" ];|'
check "a reload applies web.hosts" ctl reload
check "with web.hosts: its names pass, the defaults no longer do" \
	eval '[ "$(code -H "Host: router.example:8080" "$URL/api/status")" = 200 ] &&
	      [ "$(code "$URL/api/status")" = 200 ] &&
	      [ "$(code -H "Host: 100.80.0.1:80" "$URL/api/status")" = 421 ] &&
	      [ "$(code -H "Host: localhost:8080" "$URL/api/status")" = 421 ] &&
	      [ "$(code -H "Host: rebind.example" "$URL/api/status")" = 421 ]'
stop_uplinkd && rc=0 || rc=$?
check "uplinkd exits cleanly (status $rc), no sanitizer report" \
	eval '[ $rc -eq 0 ] && ! sanitizer_report "$UPLINKD_LOG"'
