#!/bin/bash
# The uplink's interface goes away and comes back with a new ifindex (PPPoE, an LTE modem):
# isp1 goes down at once, its table and rules come back with the interface, and it carries
# traffic again after the hold-down. A next hop learned from the kernel (DHCP) is followed
# when it changes.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 8
lab_up
# isp2 without a configured gateway: uplinkd follows the one "DHCP" puts on wan2
start_lab_uplinkd '/name = "isp2"/s/gateway = "100.64.2.1"; //'
in_rtr ip route add default via 100.64.2.1 dev wan2 metric 500
check "isp1 and isp2 come up" wait_for 20 eval 'settled isp1 && settled isp2'
check "isp2's table uses the learned gateway" \
	wait_for 20 eval 'in_rtr ip route show table 102 default | grepq "via 100.64.2.1 dev wan2"'

in_rtr ip link del wan1
check "wan1 removed: isp1 down, traffic on wan2" wait_for 20 eval 'uplink_is isp1 down && default_is wan2'
ip -n "$P-rtr" link add name wan1 type veth peer name cust netns "$P-isp1"
ip -n "$P-rtr" addr add 100.64.1.2/24 dev wan1
ip -n "$P-rtr" addr add 2001:db8:1::2/64 dev wan1 nodad
ip -n "$P-isp1" addr add 100.64.1.1/24 dev cust
ip -n "$P-isp1" addr add 2001:db8:1::1/64 dev cust nodad
ip -n "$P-rtr" link set dev wan1 up
ip -n "$P-isp1" link set dev cust up
check "wan1 re-created: isp1's table route is back" \
	wait_for 10 eval 'in_rtr ip route show table 101 default | grepq "via 100.64.1.1 dev wan1"'
check "isp1's fwmark rule is back" eval 'in_rtr ip rule show | grepq "fwmark 0x65 lookup 101"'
check "isp1 carries traffic again after the hold-down" wait_for 30 default_is wan1

# "DHCP renew" with a new gateway on isp2
ip -n "$P-isp2" addr add 100.64.2.254/24 dev cust
in_rtr ip route replace default via 100.64.2.254 dev wan2 metric 500
check "isp2's table follows the new gateway" \
	wait_for 20 eval 'in_rtr ip route show table 102 default | grepq "via 100.64.2.254 dev wan2"'
check "isp2 stays up through the renew" settled isp2
