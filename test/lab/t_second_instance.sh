#!/bin/bash
# A second uplinkd on the same router refuses to start before it touches anything: the first
# one's rules and tables stay as they were, nothing is written while the second one tries, and
# the first keeps answering.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 6
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'

snapshot() {
	in_rtr ip -4 rule show
	in_rtr ip -6 rule show
	in_rtr ip -4 route show table all
	in_rtr ip -6 route show table all
}
snapshot >"$RUN/before"
in_rtr ip monitor rule route >"$RUN/monitor.log" 2>&1 &
mon=$!
sleep 0.5
rc=0
in_rtr "$UPLINKD" -f -c "$RUN/uplinkd.conf" >"$RUN/second.log" 2>&1 </dev/null || rc=$?
sleep 0.5
kill "$mon"
wait "$mon" 2>/dev/null || [ $? -eq 143 ]
snapshot >"$RUN/after"
sed 's/^/#   second: /' "$RUN/second.log"

check "the second instance exits 1 (exit $rc)" eval '[ $rc -eq 1 ]'
check "it says another uplinkd answers" grep -E "another uplinkd .*answers there" "$RUN/second.log"
check "no rule or route was written while it tried" eval '! grep -Ev "^$" "$RUN/monitor.log"'
check "rules and tables are as before" diff "$RUN/before" "$RUN/after"
check "the first one still answers, isp1 active" active_is isp1
