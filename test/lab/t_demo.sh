#!/bin/bash
# `make demo` plays its whole story (ESP-only drop, BGP hijack, blackhole) and exits cleanly:
# demo.sh with DEMO_QUICK=1 on a lab prefix and a host port of its own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd gobgpd gobgp swanctl /usr/sbin/charon-systemd
plan 8
log=$(mktemp)
trap 'rm -f "$log"' EXIT
port=$((20000 + $$ % 20000))
DEMO_QUICK=1 DEMO_PORT=$port P="${P}d" timeout 300 bash "$LAB_DIR/demo.sh" >"$log" 2>&1 && rc=0 || rc=$?
check "the demo ran to its end: every step happened, uplinkd stopped cleanly (exit $rc)" eval \
	'[ $rc -eq 0 ] && grep -q "what happened, from the journal" "$log" &&
	 grep -q "^demo: every step happened; uplinkd stopped cleanly" "$log" && ! grep -q "^(not within" "$log"'
check "ESP-only drop: the tunnel moved to isp2" grep -q "^tunnel moved to isp2 (default route untouched) after" "$log"
# the returns happened (the hold-down runs from the failure, so the demo's printed time from the
# repair is no bound on it; t_bgp_ipsec, t_ipsec_esp and t_recovery check the hold-downs)
held() { [ "$(grep -c "^$1 after [0-9]* ms$" "$log")" -eq "$2" ]; }
check "ESP repaired, hijack over: the tunnel came back to isp1 after the hold-down, twice" \
	held "tunnel back on isp1" 2
check "BGP hijack: alert raised and the tunnel avoided isp1" eval \
	'grep -q "^alert raised after" "$log" && grep -q "^tunnel moved to isp2, whose view is clean after" "$log"'
check "hijack over: alert cleared, the tunnel returned (the second return above)" \
	grep -q "^alert cleared after" "$log"
check "blackhole: the default route moved to wan2" grep -q "^default route moved to wan2 after" "$log"
check "isp1 repaired: the default route and the tunnel came back after the hold-down" \
	held "default route back on wan1, tunnel on isp1" 1
check "the demo removed its lab" eval '! ip netns list | grepq "^${P}d-"'
[ $TAP_FAIL -eq 0 ] || sed 's/^/# /' "$log" | tail -40
