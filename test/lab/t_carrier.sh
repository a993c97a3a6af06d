#!/bin/bash
# Carrier loss acts at once, without waiting for probes: with probes every 2 s and
# down_after 3, probes alone would need at least 6 s. Asserted by cause, not by the clock:
# isp1 goes down for its carrier, and the journal has that before any lost probe round.
# (How fast is measured by make bench.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 6
lab_up
start_lab_uplinkd 's/interval_ms = 200; timeout_ms = 300;/interval_ms = 2000; timeout_ms = 1000;/' \
	's/up_after = 5;/up_after = 2;/'
check "isp1 and isp2 come up" wait_for 30 eval 'settled isp1 && settled isp2'
check "isp1 carries the default route" default_is wan1
fault isp1 carrier-down
check "carrier loss on wan1 moves the default route to wan2" wait_for 30 default_is wan2
reason=$(uplink_field isp1 reason)
diag "isp1 reason: $reason"
check "the reason names the carrier" eval '[[ "$reason" == *carrier* ]]'
check "the journal: isp1 went down for its carrier, not for lost probes" \
	eval 'events_json | json_true "[.[] | select(.type == \"uplink\" and .object == \"isp1\" and
		.new == \"down\")] | length == 1 and (.[0].reason | test(\"carrier\"))"'
check "IPv6 follows" wait_for 30 default_is wan2 6
