#!/bin/bash
# The arping probe (issue 13 item 10): isp1 is judged by ARP requests to its gateway alone
# (no targets: the uplink's gateway), a first-hop check. It passes while the ISP's router
# answers ARP, ignores a blackhole behind that router (not a first-hop fault), and fails
# when the router's `cust` interface stops answering ARP (an nft arp drop in the ISP
# namespace): isp1 goes down and the default route moves to wan2; with ARP answered again
# isp1 comes back. Per-target results are in `status --json` and the status table.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 10
lab_up

mkdir -p "$RUN/state"
cat >"$RUN/uplinkd.conf" <<CONF
uplinks = (
  { name = "isp1"; interface = "wan1"; gateway = "100.64.1.1"; priority = 10;
    probes = ( { method = "arping"; interval_ms = 200; timeout_ms = 300; } );
    health = { down_after = 3; up_after = 5; hold_down_s = 3; }; },
  { name = "isp2"; interface = "wan2"; gateway = "100.64.2.1"; priority = 20;
    probes = ( { method = "icmp"; targets = [ "192.0.2.1", "192.0.2.2" ];
                 interval_ms = 200; timeout_ms = 300; } );
    health = { down_after = 3; up_after = 5; hold_down_s = 3; }; }
);
control = { socket = "$SOCK"; };
state_dir = "$RUN/state";
CONF
check "the configuration (arping without targets) passes uplinkd -t" \
	"$UPLINKD" -t -c "$RUN/uplinkd.conf"
start_uplinkd "$RUN/uplinkd.conf"
check "isp1 (arping) and isp2 (icmp) come up, isp1 active" \
	wait_for 30 eval 'settled isp1 && settled isp2 && active_is isp1 && default_is wan1'
target() { ctl status --json | jq -c '.uplinks[] | select(.name == "isp1") | .targets'; }
check "status: isp1 has one target, arping to its gateway, answered, with an RTT" \
	eval 'target | json_true "length == 1 and .[0].method == \"arping\" and .[0].name == \"gateway\"
		and .[0].answered > 0 and .[0].rtt_ms != null and .[0].loss_pct != null"'
check "uplinkctl status lists it" \
	eval 'ctl status | grep -E "^  isp1 +arping +gateway +[0-9]+ +[0-9]+"'

fault isp1 blackhole
sleep 3	# a dozen rounds: a first-hop probe must not see a fault behind the first hop
check "a blackhole behind the ISP's router leaves the first-hop check up" \
	eval 'uplink_is isp1 up && target | json_true ".[0].loss_pct == 0" >/dev/null'
fault isp1 blackhole-off

in_ns isp1 nft -f - <<'NFT'
table arp lab_arp {
	chain in {
		type filter hook input priority filter; policy accept;
		iifname "cust" counter drop
	}
}
NFT
check "the ISP's router stops answering ARP: isp1 goes down, the default route moves to wan2" \
	wait_for 20 eval 'uplink_is isp1 down && active_is isp2 && default_is wan2'
# once isp1 is down, count three more requests: none of them may be answered (counting rounds,
# not seconds, so a slow machine changes nothing)
answered=$(target | jq '.[0].answered')
sent=$(target | jq '.[0].sent')
wait_for 60 eval '[ "$(target | jq ".[0].sent")" -ge $((sent + 3)) ]' ||
	diag "fewer than 3 requests in 60 s"
check "the router dropped our requests, and none was answered since" \
	eval '[ "$(in_ns isp1 nft -j list table arp lab_arp | jq "[.nftables[].rule? |
		select(.) | .expr[] | .counter? | select(.) | .packets] | add")" -gt 0 ] &&
	      [ "$(target | jq ".[0].sent")" -ge $((sent + 3)) ] &&
	      [ "$(target | jq ".[0].answered")" -eq "$answered" ]'
check "isp2 stays up" uplink_is isp2 up

in_ns isp1 nft delete table arp lab_arp
check "ARP answered again: isp1 comes back and carries the default route" \
	wait_for 30 eval 'uplink_is isp1 up && active_is isp1 && default_is wan1'

stop_uplinkd && rc=0 || rc=$?
check "uplinkd exits cleanly (status $rc), no sanitizer report" \
	eval '[ $rc -eq 0 ] && ! sanitizer_report "$UPLINKD_LOG"'
