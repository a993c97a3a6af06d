#!/bin/bash
# IPv6 fails over too: an uplink probed only over IPv6 goes down on a blackhole and the
# IPv6 default route moves; the LAN keeps reaching the sink over IPv6.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 5
lab_up
start_lab_uplinkd 's/targets = \[ "192.0.2.1", "192.0.2.2", /targets = [ /g'
check "isp1 and isp2 come up on IPv6 probes alone" wait_for 20 eval 'settled isp1 && settled isp2'
check "isp1 carries the IPv6 default route" default_is wan1 6
fault isp1 blackhole
check "blackhole: the IPv6 default route moves to wan2" wait_for 20 default_is wan2 6
check "IPv4 follows the same decision" default_is wan2 4
check "LAN host reaches the sink over IPv6 through isp2" ping_ok lan 2001:db8:ff:10::10
