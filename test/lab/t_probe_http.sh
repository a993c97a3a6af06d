#!/bin/bash
# The http probe (issue 13 item 10): both uplinks GET /generate_204 from a server in the sink
# namespace through their own carrier (SO_BINDTODEVICE + SO_MARK) and expect 204. Then isp1
# turns into a captive portal (an nft DNAT in its namespace sends port 80 to a server there
# that answers 302): TCP still works, but isp1 goes down with the target saying what came,
# the default route moves to wan2, and isp2 is untouched. Without the portal isp1 comes back.
# Per-target results are in `status --json` (uplinks[].targets[]) and the status table.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd curl
plan 12
lab_up

HTTPD=$LAB_DIR/httpd.py
mkdir -p "$RUN/state"
cat >"$RUN/uplinkd.conf" <<CONF
uplinks = (
  { name = "isp1"; interface = "wan1"; gateway = "100.64.1.1"; priority = 10;
    probes = ( { method = "http"; targets = [ "198.51.100.10" ]; path = "/generate_204";
                 expect_status = 204; interval_ms = 200; timeout_ms = 500; } );
    health = { down_after = 3; up_after = 5; hold_down_s = 3; }; },
  { name = "isp2"; interface = "wan2"; gateway = "100.64.2.1"; priority = 20;
    probes = ( { method = "http"; targets = [ "198.51.100.10" ]; path = "/generate_204";
                 host = "connectivity.example"; expect_status = 204;
                 interval_ms = 200; timeout_ms = 500; } );
    health = { down_after = 3; up_after = 5; hold_down_s = 3; }; }
);
control = { socket = "$SOCK"; };
state_dir = "$RUN/state";
CONF

in_ns sink python3 "$HTTPD" 198.51.100.10 80 204 "$RUN/sink.log" </dev/null >/dev/null 2>&1 &
echo $! >"$RUN/httpd-sink.pid"
check "the server in the sink answers 204" \
	wait_for 10 eval '[ "$(in_ns core curl -s -o /dev/null -w "%{http_code}" http://198.51.100.10/generate_204)" = 204 ]'

start_uplinkd "$RUN/uplinkd.conf"
check "isp1 and isp2 come up on http probes, isp1 active" \
	wait_for 30 eval 'settled isp1 && settled isp2 && active_is isp1 && default_is wan1'
target() { ctl status --json | jq -c --arg n "$1" '.uplinks[] | select(.name == $n) | .targets[0]'; }
check "status: isp1's target is http 198.51.100.10, answered, with an RTT and no error" \
	eval 'target isp1 | json_true ".method == \"http\" and .name == \"198.51.100.10\" and
		.answered > 0 and .sent >= .answered and .rtt_ms != null and .error == null"'
check "the server saw GET /generate_204 from both uplinks, with Host (configured on isp2)" \
	eval 'grep -q "^GET /generate_204 HTTP/1.1 Host=198.51.100.10$" "$RUN/sink.log" &&
	      grep -q "^GET /generate_204 HTTP/1.1 Host=connectivity.example$" "$RUN/sink.log"'
check "uplinkctl status lists the targets (method, answered of sent)" \
	eval 'ctl status | grep -E "^  isp1 +http +198\.51\.100\.10 +[0-9]+ +[0-9]+"'

# isp1 becomes a captive portal: port 80 goes to its own server, which redirects
in_ns isp1 python3 "$HTTPD" 100.64.1.1 8082 302 "$RUN/portal.log" </dev/null >/dev/null 2>&1 &
echo $! >"$RUN/httpd-portal.pid"
wait_for 10 eval '[ "$(in_ns isp1 curl -s -o /dev/null -w "%{http_code}" http://100.64.1.1:8082/)" = 302 ]' ||
	diag "the portal server did not answer 302 within 10 s"
in_ns isp1 nft -f - <<'NFT'
table ip lab_portal {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "cust" tcp dport 80 dnat to 100.64.1.1:8082
	}
}
NFT
check "behind the portal isp1 goes down, the default route moves to wan2" \
	wait_for 20 eval 'uplink_is isp1 down && active_is isp2 && default_is wan2'
check "isp1's target says what came instead" \
	eval 'target isp1 | json_true ".error == \"302 Found, expected 204\""'
check "the portal answered isp1's probes (TCP worked: not a blackhole)" \
	grep -q "^GET /generate_204" "$RUN/portal.log"
check "isp2 stays up with no error" \
	eval 'uplink_is isp2 up && target isp2 | json_true ".error == null"'
check "uplinkctl status shows the error with the target" \
	eval 'ctl status | grep -E "^  isp1 +http .*302 Found, expected 204"'

in_ns isp1 nft delete table ip lab_portal
check "without the portal isp1 comes back, its error cleared" \
	wait_for 30 eval 'uplink_is isp1 up && active_is isp1 && default_is wan1 &&
		target isp1 | json_true ".error == null" >/dev/null'

stop_uplinkd && rc=0 || rc=$?
check "uplinkd exits cleanly (status $rc), no sanitizer report" \
	eval '[ $rc -eq 0 ] && ! sanitizer_report "$UPLINKD_LOG"'
