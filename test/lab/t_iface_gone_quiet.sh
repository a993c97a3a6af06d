#!/bin/bash
# A PPP or LTE interface that goes away is an everyday event, not an error: uplinkd (running
# as root) says at info level that the probes wait for it, never "needs CAP_NET_RAW", and
# logs no error; the uplink is down at once.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 4
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
mark=$(wc -l <"$UPLINKD_LOG")
log_since() { tail -n +"$((mark + 1))" "$UPLINKD_LOG"; }
in_rtr ip link del wan2
check "wan2 gone: isp2 down" wait_for 5 uplink_is isp2 down
sleep 1
check "the log says the probes wait for wan2" eval 'log_since | grep -E "isp2: icmp: wan2 does not exist now; probing resumes when it appears"'
check "no error and no CAP_NET_RAW in the log" eval '! log_since | grep -E "error:|CAP_NET_RAW"'
