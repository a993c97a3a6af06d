#!/bin/bash
# Maintenance: `uplinkctl disable NAME` takes a healthy uplink out of service (traffic moves
# off it, its probes go on), journalled with who; the status, the CLI table, /api/status and
# /metrics show it; a reload keeps it; `enable` (here from the web, with a token) brings it
# back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd curl openssl
plan 13
lab_up
URL=http://100.80.0.1:8080
TOKEN=ci-token-$(openssl rand -hex 16)
start_lab_uplinkd "\$a web = { listen = \"100.80.0.1:8080\"; tokens = ( { name = \"ci\"; token = \"$TOKEN\"; } ); };"
web() { in_ns lan curl -sS --max-time 5 "$@"; }
check "isp1 and isp2 come up, isp1 active" wait_for 20 eval 'settled isp1 && settled isp2 && active_is isp1'

out=$(ctl disable isp1)
diag "$out"
check "disable isp1: traffic moves to wan2" wait_for 5 eval 'default_is wan2 && active_is isp2'
check "status: isp1 disabled by root, still measured up" eval \
	'ctl status --json | json_true ".uplinks[] | select(.name == \"isp1\") |
		.disabled and (.disabled_by | test(\"root\")) and .state == \"up\" and .disabled_since_ms > 0"'
table=$(ctl status)
check "the CLI table says disabled and by whom" eval '[[ "$table" == *"isp1"*"disabled"*"disabled by "*root* ]]'
check "the journal kept who disabled it" eval \
	'events_json | json_true "[.[] | select(.object == \"isp1\" and .new == \"disabled\" and (.reason | test(\"root.*disabled isp1\")))] | length == 1"'
check "the switch says why" eval \
	'events_json | json_true "[.[] | select(.type == \"active\" and .new == \"isp2\" and (.reason | test(\"isp1 disabled by\")))] | length == 1"'
check "/api/status shows it" eval 'web "$URL/api/status" | json_true ".uplinks[] | select(.name == \"isp1\") | .disabled"'
m=$(web "$URL/metrics")
check "/metrics: uplinkd_uplink_disabled 1 for isp1, 0 for isp2" eval \
	'[[ "$m" == *"uplinkd_uplink_disabled{uplink=\"isp1\"} 1"* && "$m" == *"uplinkd_uplink_disabled{uplink=\"isp2\"} 0"* ]]'

ctl reload >/dev/null
sleep 1
check "after a reload isp1 is still disabled and idle" eval \
	'uplink_field isp1 disabled | grep -x true && default_is wan2'
check "disable an unknown uplink: a clear error" eval \
	'! ctl disable isp9 2>"$RUN/err" && grep -E "no uplink named \"isp9\"; use one of: isp1 isp2" "$RUN/err"'

r=$(in_ns lan curl -s --max-time 5 -o /dev/null -w '%{http_code}' -X POST -H "Authorization: Bearer $TOKEN" \
	-H "Content-Type: application/json" --data '{"uplink":"isp1"}' "$URL/api/enable")
check "enable from the web: 200 (got $r)" eval '[ "$r" = 200 ]'
check "isp1 carries traffic again" wait_for 10 eval 'default_is wan1 && active_is isp1'
check "the journal says the token ci enabled it" eval \
	'events_json | json_true "[.[] | select(.object == \"isp1\" and .new == \"enabled\" and (.reason | test(\"ci\")))] | length == 1"'
