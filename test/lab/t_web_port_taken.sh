#!/bin/bash
# The web listener's port is taken: the log names the real port (it said "port 0") and the
# address, and the daemon runs on without the page.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd socat
plan 3
lab_up
in_rtr socat TCP-LISTEN:8080,bind=100.80.0.1,reuseaddr,fork /dev/null &
taker=$!
echo "$taker" >"$RUN/socat.pid"
wait_for 5 eval 'in_rtr ss -ltn | grep -E "100.80.0.1:8080"'
start_lab_uplinkd "\$a web = { listen = \"100.80.0.1:8080\"; };"
check "the daemon runs on" wait_for 20 eval 'settled isp1'
check "the log says which address could not be served" \
	grep -E "web: cannot serve on 100.80.0.1:8080" "$UPLINKD_LOG"
check "and never \"port 0\"" eval '! grep -E "port 0\b" "$UPLINKD_LOG"'
kill "$taker"
wait "$taker" 2>/dev/null || [ $? -eq 143 ]
