#!/bin/bash
# bgp.watch route = true: while isp1's view of the watched prefix is hijacked and isp2's is
# clean, uplinkd routes that one prefix through isp2 (main table, our protocol), leaving the
# default route on isp1; when the hijack ends the route goes and the prefix follows the
# default route again, once isp1's hold-down has passed (a flapping hijack must not flap the
# route). A prefix route someone deletes is put back. A clean stop leaves no prefix route
# behind.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd gobgpd gobgp
plan 11
lab_up
. "$LAB_DIR/bgp.sh"
PFX=203.0.113.0/24
bgp_up
bgp_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" 's/tunnel = "hq"; }/tunnel = "hq"; route = true; }/'
start_uplinkd "$RUN/uplinkd.conf"

prefix_route() { in_rtr ip -4 route show "$PFX" proto 77; }
check "sessions up, uplinks settled" wait_for 40 eval \
	'bgp_established isp1 100.64.1.2 && bgp_established isp2 100.64.2.2 && settled isp1 && settled isp2'
bgp_announce isp1 $PFX 64510,64500
bgp_announce isp2 $PFX 64510,64500
check "clean views: no route of ours for the prefix" wait_for 20 eval \
	'[ "$(peer_field 100.64.2.1 routes)" = 1 ] && no_alerts && [ -z "$(prefix_route)" ]'

bgp_announce isp1 $PFX 64666
check "hijack in isp1's view: the prefix is routed through isp2" wait_for 10 eval \
	'prefix_route | grepq "via 100.64.2.1 dev wan2"'
diag "route: $(prefix_route)"
check "the default route stays on isp1" default_is wan1
in_rtr ip -4 route del "$PFX" proto 77
check "a prefix route someone deleted is put back" wait_for 10 eval 'prefix_route | grepq "via 100.64.2.1 dev wan2"'
check "the journal says it was put back" eval 'events_json | json_true --arg p "$PFX" \
	"[.[] | select(.type == \"action\" and .object == \$p and (.reason | test(\"put back\")))] | length == 1"'
bgp_announce isp1 $PFX 64510,64500
check "hijack over: the prefix route is gone" wait_for 20 eval '[ -z "$(prefix_route)" ]'
# from the journal's own timestamps: the route goes no sooner than isp1's 5 s hold-down after
# the alert cleared
gone_after_ms() {
	events_json | jq -r --arg p "$PFX" '
		([.[] | select(.type == "alert" and (.object | test("isp1")) and .new == "cleared") | .ts_ms] | max) as $c |
		[.[] | select(.type == "action" and .object == $p and .new == "none" and .ts_ms >= $c) | .ts_ms] | min as $g |
		if $c == null or $g == null then "none" else ($g - $c) end'
}
held=$(gone_after_ms)
diag "prefix route removed $held ms after the alert cleared (journal; hold_down_s 5)"
check "the prefix kept its route for isp1's hold-down (journal: ${held} ms >= 5000)" \
	eval '[ "$held" != none ] && [ "$held" -ge 5000 ]'
bgp_announce isp1 $PFX 64666
check "a new hijack routes the prefix through isp2 again" wait_for 10 eval 'prefix_route | grepq wan2'
check_stop
check "a clean stop removes the prefix route" eval '[ -z "$(prefix_route)" ]'
