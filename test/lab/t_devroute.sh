#!/bin/bash
# A backup whose default route has no gateway address: pppd's `defaultroute` and many LTE
# modems install `default dev ppp0`. With `gateway` unset, uplinkd follows such a route like a
# DHCP-learned gateway: a device route in the uplink's table and, on failover, as the main
# default route. (isp2 answers ARP for everything on wan2, as a modem's proxy does.)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 7
lab_up
in_ns isp2 sysctl -q -w net.ipv4.conf.cust.proxy_arp=1
in_rtr ip route add default dev wan2 metric 500
start_lab_uplinkd '/name = "isp2"/s/gateway = "100.64.2.1"; //'

table_default() {	# TABLE DEV: the table's IPv4 default route is by device DEV, no gateway
	local r
	r=$(in_rtr ip -4 route show table "$1" default)
	[[ "$r" == "default dev $2 "* && "$r" != *via* ]]
}
main_default_by_dev() {	# DEV: uplinkd's main default route goes out of DEV with no gateway
	local r
	r=$(in_rtr ip -4 route show table main default proto 77)
	[[ "$r" == "default dev $1 "* && "$r" != *via* ]]
}

check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "isp2's table holds the device route" wait_for 5 table_default 102 wan2
check "isp1 carries the default route" default_is wan1
fault isp1 blackhole
check "blackhole on isp1: the default route moves to wan2" wait_for 20 default_is wan2
check "by device, as the kernel had it" main_default_by_dev wan2
check "isp2 is the active uplink" active_is isp2
check "LAN host reaches the sink through isp2" ping_ok lan 198.51.100.10
