#!/bin/bash
# A broken configuration on reload is refused with every error and its line; the old one
# keeps running. A valid change is applied by difference.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 9
lab_up
start_lab_uplinkd
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
cp "$RUN/uplinkd.conf" "$RUN/good.conf"
conf_sub "$RUN/uplinkd.conf" 's/interval_ms = 200;/interval_ms = 20;/' 's/priority = 20;/priority = 20; colour = "red";/'
said=$(ctl reload 2>&1) && rc=0 || rc=$?
diag "reload said: $said"
check "uplinkctl reload fails" eval '[ $rc -ne 0 ]'
check "the error names file, line and key" eval '[[ "$said" == *"uplinkd.conf:"*"interval_ms: 20 is below 50"* ]]'
check "every error is reported" eval '[[ "$said" == *"colour: unknown key"* ]]'
check "the daemon keeps running the old configuration" eval 'uplinkd_alive && settled isp1 && active_is isp1'
refused() { events_json | jq '[.[] | select(.type == "config" and .new == "refused")] | length'; }
n=$(refused)
kill -HUP "$UPLINKD_PID"
check "SIGHUP with the broken file is refused too (journal)" wait_for 20 eval '[ "$(refused)" -gt "$n" ]'
check "and changes nothing" eval 'uplinkd_alive && active_is isp1'
cp "$RUN/good.conf" "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" 's/priority = 20;/priority = 5;/'
check "a valid reload is accepted" ctl reload
check "the new priority moves traffic to isp2, measurements kept" wait_for 10 eval 'default_is wan2 && settled isp1'
