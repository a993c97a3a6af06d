#!/bin/bash
# The web history file is never left corrupt: a torn file is reported at start and replaced
# at the stop, even when the daemon stops before its first sample (it used to be kept, and
# reported again at every start). The file written then loads at the next start.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 6
lab_up
HIST=$RUN/state/history.bin
mkdir -p "$RUN/state"
printf 'UPLHIST\0torn' >"$HIST"
lab_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" "\$a web = { listen = \"100.80.0.1:8080\"; history_file = \"$HIST\"; };"
start_uplinkd "$RUN/uplinkd.conf"
stop_uplinkd && rc=0 || rc=$?	# before the first sample (taken each second)
check "the torn file was reported (exit $rc)" \
	eval '[ $rc -eq 0 ] && grep -E "web: history file .*truncated" "$UPLINKD_LOG"'
check "the stop replaced it" eval '[ "$(head -c 12 "$HIST" | od -An -c | tr -d " ")" != "UPLHIST\\0torn" ]'
mark=$(wc -l <"$UPLINKD_LOG")
start_uplinkd "$RUN/uplinkd.conf"
check "the restarted daemon answers" wait_for 10 eval 'ctl status --json >/dev/null'
log_since() { tail -n +"$((mark + 1))" "$UPLINKD_LOG"; }
check "it does not call the history file corrupt any more" eval '! log_since | grep -E "web: history file"'
check "the page's history has samples (one a second)" \
	wait_for 20 eval 'in_ns lan curl -sS --max-time 5 -f "http://100.80.0.1:8080/api/history?uplink=isp1" |
		json_true "[.fine.rtt_ms[] | select(. != null)] | length >= 2"'
stop_uplinkd && rc=0 || rc=$?
check "a stop with samples writes them (exit $rc)" eval '[ $rc -eq 0 ] && [ "$(stat -c %s "$HIST")" -gt 100 ]'
