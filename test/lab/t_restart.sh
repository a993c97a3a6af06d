#!/bin/bash
# kill -9 and restart: the router never has a window without a default route, and a
# restarted uplinkd does not point the default route back at a dead carrier.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 10
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
fault isp1 blackhole
check "blackhole: traffic moves to isp2" wait_for 20 default_is wan2

# watch the router's default route every 5 ms from now on
in_rtr bash -c 'while :; do d=$(ip -4 route show default table main); echo "${d:-NONE}"; sleep 0.005; done' \
	>"$RUN/watch.log" 2>/dev/null &
watch=$!
samples() { wc -l <"$RUN/watch.log"; }
check "the route watcher samples before the kill" wait_for 120 eval '[ "$(samples)" -ge 20 ]'
kill -KILL "$UPLINKD_PID"
wait "$UPLINKD_PID" 2>/dev/null || true
UPLINKD_PID=
check "after kill -9 the default route is still there" default_is wan2
start_uplinkd "$RUN/uplinkd.conf"
check "the restarted uplinkd sees isp1 down" wait_for 20 uplink_is isp1 down
# watch on for a while with the restarted daemon in charge: a count of samples, not a time
n=$(samples)
check "the route watcher samples after the restart" wait_for 120 eval '[ "$(samples)" -ge $((n + 20)) ]'
kill "$watch"
wait "$watch" 2>/dev/null || true
samples=$(wc -l <"$RUN/watch.log")
diag "$samples route samples across the kill and the restart"
check "the watcher logged samples across the kill and the restart ($samples)" eval '[ "$samples" -ge 40 ]'
check "no sample without a default route" eval '! grep -q NONE "$RUN/watch.log"'
check "no sample with the default route on the dead wan1" eval '! grep -q "dev wan1" "$RUN/watch.log"'
check "isp2 still active after the restart" active_is isp2
