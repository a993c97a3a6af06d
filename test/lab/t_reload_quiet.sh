#!/bin/bash
# A reload that reconfigures an uplink removes and re-adds its rules and table route; uplinkd
# must not then report its own deletions as "was deleted; re-asserting". A rule deleted by
# someone else afterwards is still reported and put back.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 5
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
mark=$(wc -l <"$UPLINKD_LOG")
log_since() { tail -n +"$((mark + 1))" "$UPLINKD_LOG"; }
conf_sub "$RUN/uplinkd.conf" '/name = "isp1"/,/health/s/interval_ms = 200/interval_ms = 250/'
check "reload with new probe settings for isp1" ctl reload
sleep 1
check "the log shows isp1 reconfigured" eval 'log_since | grep -E "isp1: reconfigured"'
check "and no deletion of its own reported as foreign" eval '! log_since | grep -E "was deleted; re-asserting"'
in_rtr ip rule del pref 1000
check "a rule deleted by someone else is reported and put back" wait_for 5 eval \
	'log_since | grep -E "our rule \(priority 1000\) was deleted" && in_rtr ip rule show pref 1000 | grep -E "fwmark 0x65 lookup 101"'
