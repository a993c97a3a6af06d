#!/bin/bash
# No move before measurement: at start, traffic never moves to an uplink that has not had
# its first verdict, whatever order the first verdicts arrive in. Three starts, each watched
# through `status --json` as often as uplinkctl answers (a few times a second):
#   A  isp1 dead, isp2 healthy but slow to measure: isp1's "down" comes first
#   B  both dead, isp1's verdict first: the default route must not visit wan2
#   C  no default route at all, isp1 slow to measure: isp2's verdict comes first
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 9
lab_up

WATCH=
watch_start() {	# NAME: sample "active isp1=settled isp2=settled" lines into $RUN/watch-NAME
	(
		while :; do
			ctl status --json 2>/dev/null | jq -r '(.policy.active // "none") + " " +
				([.uplinks[] | "\(.name)=\(.settled)"] | join(" "))' || :
			sleep 0.05
		done
	) >"$RUN/watch-$1" &
	WATCH=$!
}
watch_stop() {
	kill "$WATCH"
	wait "$WATCH" 2>/dev/null || [ $? -eq 143 ]
	WATCH=
}
# no_unmeasured_move NAME INITIAL: every change of the active uplink went to a settled one
# (sampling: under load uplinkctl answers about once a second, so B's few seconds give few
# samples; B's journal check below does not depend on sampling)
no_unmeasured_move() {
	awk -v prev="$2" '
		{ n++ }
		$1 != prev && $1 != "none" {
			ok = 0
			for (i = 2; i <= NF; i++) if ($i == $1 "=true") ok = 1
			if (!ok) { print "moved to unmeasured " $1 " at sample " n ": " $0; bad++ }
		}
		{ prev = $1 }
		END { if (n < 2) { print "only " n " samples"; bad++ } exit bad > 0 }' "$RUN/watch-$1"
}
# run_start NAME DEFAULT SED-EXPR...: a fresh start; DEFAULT "wan1" puts the kernel's default
# route (not uplinkd's) on wan1 as a DHCP client would, "none" leaves the router without one
run_start() {
	local name=$1 def=$2
	shift 2
	while in_rtr ip -4 route del default 2>/dev/null; do :; done
	while in_rtr ip -6 route del default 2>/dev/null; do :; done
	[ "$def" = none ] || in_rtr ip route add default via 100.64.1.1 dev "$def"
	lab_conf "$RUN/uplinkd.conf"
	conf_sub "$RUN/uplinkd.conf" "s|$RUN/state|$RUN/state-$name|" "$@"
	mkdir -p "$RUN/state-$name"
	start_uplinkd "$RUN/uplinkd.conf"
	watch_start "$name"
}
run_stop() {
	watch_stop
	stop_uplinkd
	fault isp1 clear
	fault isp2 clear
}
slow() {	# UPLINK: its probes every second (five rounds to settle: about 5 s)
	echo "/name = \"$1\"/,/health/s/interval_ms = 200/interval_ms = 1000/"
}

# A: isp1 goes down after 3 rounds of 200 ms, isp2 settles after 5 rounds of 1 s
fault isp1 blackhole
run_start A wan1 "$(slow isp2)"
check "A: traffic moves to isp2 once it is measured" wait_for 20 eval 'active_is isp2 && default_is wan2'
check "A: never to an unmeasured uplink" no_unmeasured_move A isp1
run_stop

# B: both dead; isp1's verdict arrives about 2 s before isp2's
fault isp1 blackhole
fault isp2 blackhole
run_start B wan1 "$(slow isp2)"
check "B: both judged down" wait_for 20 eval 'uplink_is isp1 down && uplink_is isp2 down'
check "B: the default route stayed on wan1" default_is wan1
check "B: never to an unmeasured uplink" no_unmeasured_move B isp1
check "B: no switch to isp2 in the journal" eval '[[ "$(active_events)" != *isp2* ]]'
run_stop

# C: nothing carries traffic; isp2 is measured first, isp1 about 4 s later
run_start C none "$(slow isp1)"
check "C: isp1 ends up carrying traffic" wait_for 20 eval 'active_is isp1 && default_is wan1'
check "C: never to an unmeasured uplink" no_unmeasured_move C none
check "C: the LAN reaches the sink" ping_ok lan 198.51.100.10
run_stop
