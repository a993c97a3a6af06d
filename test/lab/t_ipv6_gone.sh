#!/bin/bash
# Failing over to an uplink with no IPv6 next hop takes the IPv6 default route off the dead
# uplink instead of leaving it there (hosts would keep sending IPv6 into the dead carrier
# rather than fall back to IPv4).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 4
lab_up
# no default routes before uplinkd: its first decision installs both through isp1 (the
# lab's static IPv6 one is not uplinkd's and would outlive any decision)
in_rtr ip -4 route del default
in_rtr ip -6 route del default
# isp2 has no IPv6: no gateway6, probed over IPv4 only
start_lab_uplinkd '/name = "isp2"/s/ gateway6 = "[^"]*";//'
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "isp1 carries the IPv6 default route" default_is wan1 6
fault isp1 blackhole
check "blackhole: IPv4 moves to isp2" wait_for 20 default_is wan2 4
check "no IPv6 default route is left on the dead wan1" \
	wait_for 20 eval '! ip -n "$P-rtr" -6 route show default | grepq "dev wan1"'
