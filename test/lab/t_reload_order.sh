#!/bin/bash
# A reload that reorders the uplinks, inserts one in front or changes an uplink's table or
# mark moves its fwmark rule and table; the running probes must follow, or they leave
# through another uplink's table: a healthy backup is judged down and nothing takes over.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 8
lab_up

# uplink NAME IFACE N PRIORITY [EXTRA]: one uplink of the lab (isp N) as configuration text
uplink() {
	echo "  { name = \"$1\"; interface = \"$2\"; gateway = \"100.64.$3.1\"; priority = $4; ${5:-}"
	echo '    probes = ( { method = "icmp"; targets = [ "192.0.2.1", "192.0.2.2" ];'
	echo '                 interval_ms = 200; timeout_ms = 300; } );'
	echo '    health = { down_after = 3; up_after = 5; min_targets = 1; hold_down_s = 5; }; }'
}
# conf UPLINK-TEXT...: the whole configuration with these uplinks, in this order
conf() {
	local first=1 u
	echo 'uplinks = ('
	for u in "$@"; do
		[ $first -eq 1 ] || echo ','
		first=0
		printf '%s\n' "$u"
	done
	echo ');'
	echo 'policy = { mode = "failover"; };'
	echo "control = { socket = \"$SOCK\"; };"
	echo "state_dir = \"$RUN/state\";"
}
# both_stay_up S: neither uplink leaves "up" for S seconds
both_stay_up() {
	local end=$(($(date +%s) + $1))
	while [ "$(date +%s)" -lt $end ]; do
		uplink_is isp1 up && uplink_is isp2 up || return 1
		sleep 0.2
	done
}

isp1=$(uplink isp1 wan1 1 10)
isp2=$(uplink isp2 wan2 2 20)
mkdir -p "$RUN/state"
conf "$isp1" "$isp2" >"$RUN/uplinkd.conf"
start_uplinkd "$RUN/uplinkd.conf"
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'

conf "$isp2" "$isp1" >"$RUN/uplinkd.conf"
check "reload with the uplinks in the other order" ctl reload
check "both stay up: probes follow their uplink's new fwmark" both_stay_up 4

conf "$(uplink isp0 wan9 9 30)" "$isp1" "$isp2" >"$RUN/uplinkd.conf"
check "reload with an uplink inserted in front" ctl reload
check "both stay up after the insert" both_stay_up 4

conf "$isp1" "$(uplink isp2 wan2 2 20 'table = 150; mark = 250;')" >"$RUN/uplinkd.conf"
check "reload with isp2's table and mark set" ctl reload
check "both stay up after isp2's table and mark change" both_stay_up 4

fault isp1 blackhole
check "blackhole on isp1: isp2 takes over" wait_for 20 default_is wan2
