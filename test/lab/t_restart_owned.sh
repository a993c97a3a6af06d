#!/bin/bash
# After a restart uplinkd adopts the default route it finds; adopted, it is ours: if someone
# deletes it, it is back within a second, as one installed by this run would be.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 5
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "isp1 carries the default route" default_is wan1
kill -KILL "$UPLINKD_PID"
wait "$UPLINKD_PID" 2>/dev/null || true	# killed on purpose: its status is 137
UPLINKD_PID=
start_uplinkd "$RUN/uplinkd.conf"
check "the restarted uplinkd adopts isp1's route" wait_for 10 eval 'active_is isp1'
sleep 1
in_rtr ip -4 route del default proto 77
in_rtr ip -6 route del default proto 77
check "the deleted IPv4 default route is put back (the listener sees it go; no switch needed)" wait_for 5 default_is wan1 4
check "the deleted IPv6 default route is put back" wait_for 5 default_is wan1 6
