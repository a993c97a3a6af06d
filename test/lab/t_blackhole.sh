#!/bin/bash
# Blackhole on isp1 (the line stays up, nothing crosses it): the default route moves to
# isp2 for IPv4 and IPv6, LAN traffic keeps flowing, the reason is kept in the status and
# the journal, and the hooks run with it.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 11
lab_up

mkdir -p "$RUN/hooks"
cat >"$RUN/hooks/10-record" <<HOOK
#!/bin/sh
echo "\$UPLINKD_EVENT \$UPLINKD_OBJECT \$UPLINKD_OLD_STATE \$UPLINKD_NEW_STATE \$UPLINKD_REASON" >>"$RUN/hooks.log"
HOOK
chmod 755 "$RUN/hooks/10-record"
start_lab_uplinkd "\$a hooks = { dir = \"$RUN/hooks\"; };"

check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "isp1 carries the default route" default_is wan1
fault isp1 blackhole
check "blackhole on isp1: IPv4 default route moves to wan2" wait_for 20 default_is wan2
check "IPv6 default route moves to wan2 too" wait_for 20 default_is wan2 6
check "isp1 is down, isp2 active" eval 'uplink_is isp1 down && active_is isp2'
reason=$(uplink_field isp1 reason)
diag "isp1 reason: $reason"
check "the reason says what the probes saw" eval '[[ "$reason" == *"targets answered for"*"rounds"* ]]'
check "LAN host reaches the sink through isp2 (IPv4)" ping_ok lan 198.51.100.10
check "LAN host reaches the sink through isp2 (IPv6)" ping_ok lan 2001:db8:ff:10::10
check "the journal kept the switch with its reason" \
	eval 'events_json | json_true "[.[] | select(.type == \"active\" and .new == \"isp2\" and (.reason | test(\"isp1 down\")))] | length == 1"'
check "the hook saw isp1 go down" wait_for 20 grep -q "^uplink isp1 up down " "$RUN/hooks.log"
stop_uplinkd && rc=0 || rc=$?
check "clean exit leaves the default route on wan2 (exit $rc)" eval '[ $rc -eq 0 ] && default_is wan2'
