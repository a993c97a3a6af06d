#!/bin/bash
# IPsec, X.509 certificates made with pki at test time: the far end's first address is
# unreachable (the second is used), charon restarts under uplinkd (it reconnects and re-loads
# the connection on the same path: no failover), and a blackhole on isp1 moves the default
# route and the tunnel with it; both come back after the uplink's hold-down.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/site.sh"
need_uplinkd
need_cmd swanctl /usr/sbin/charon-systemd pki
plan 14
lab_up
site_up
charon_start rtr rtr
charon_start site site
site_creds x509
# the far end's carrier A is unreachable from the start
in_ns core nft -f - <<NFT
table inet lab_site {
	chain block {
		type filter hook forward priority 0; policy accept;
		ip daddr $SITE_A counter drop
	}
}
NFT
lab_conf "$RUN/uplinkd.conf"
site_ipsec_conf pubkey "hold_down_s = 60; connect_timeout_s = 3;" >>"$RUN/uplinkd.conf"
start_uplinkd "$RUN/uplinkd.conf"

check "uplinks settle on isp1" wait_for 20 eval 'settled isp1 && settled isp2 && default_is wan1'
check "first remote unreachable: the tunnel comes up to the second one (certificates)" \
	wait_for 30 tunnel_on hq isp1 $SITE_B
check "LAN host reaches the site's LAN" wait_for 20 lan_to_site
check "the journal says why the first remote was left" \
	eval 'events_json | json_true "[.[] | select(.type == \"tunnel\" and (.reason | test(\"no IKE_SA with $SITE_A via isp1\")))] | length >= 1"'

moves=$(tunnel_field hq moves)
acts=$(active_events | wc -l)
charon_stop rtr
check "charon stopped: the tunnel is reported down with charon as the reason" \
	wait_for 10 eval '[[ "$(tunnel_field hq reason)" == *"charon not reachable"* ]]'
charon_start rtr rtr
swan rtr --load-creds --noprompt >/dev/null 2>&1
check "charon restarted: uplinkd reconnects and the tunnel is up on the same path" \
	wait_for 30 tunnel_on hq isp1 $SITE_B
check "no false failover: no tunnel move, no uplink switch" \
	eval '[ "$(tunnel_field hq moves)" = "$moves" ] && [ "$(active_events | wc -l)" = "$acts" ] && default_is wan1'
check "LAN host reaches the site's LAN after the restart" wait_for 20 lan_to_site

fault isp1 blackhole
check "isp1 blackhole: the default route moves to wan2" wait_for 20 default_is wan2
check "the tunnel follows the default route to isp2" wait_for 20 tunnel_on hq isp2 $SITE_B
check "LAN host reaches the site's LAN over isp2" wait_for 20 lan_to_site
tunnel_downs() { events_json | jq '[.[] | select(.type == "tunnel" and .new == "down")] | length'; }
downs=$(tunnel_downs)
fault isp1 clear
check "isp1 back: after the uplink's hold-down route and tunnel return to isp1" \
	wait_for 60 eval 'default_is wan1 && tunnel_on hq isp1 $SITE_B'
# the old SA carries traffic until the new one is up: a move back is no outage
check "the move back journals no tunnel down" eval '[ "$(tunnel_downs)" -eq "$downs" ]'
events_json | jq -r '.[] | select(.type == "tunnel") | "# \(.ts_ms) \(.old) -> \(.new): \(.reason)"' | tail -6
stop_uplinkd && rc=0 || rc=$?
check "uplinkd exits cleanly (exit $rc)" eval '[ $rc -eq 0 ]'
