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
# returns after the 10 s hold-down: a lower bound, which a slow machine only makes larger (the
# clock starts when the demo saw the repair, up to ~2 s after the hold-down began)
back_ms() { sed -n "s/^$1 after \([0-9]*\) ms$/\1/p" "$log"; }
held() { local n=0 ms; for ms in $(back_ms "$1"); do [ "$ms" -ge 8000 ] || return 1; n=$((n + 1)); done; [ "$n" -eq "$2" ]; }
check "ESP repaired, hijack over: the tunnel came back to isp1 only after the hold-down, twice" \
	held "tunnel back on isp1" 2
check "BGP hijack: alert raised and the tunnel avoided isp1" eval \
	'grep -q "^alert raised after" "$log" && grep -q "^tunnel moved to isp2, whose view is clean after" "$log"'
check "hijack over: alert cleared, the tunnel returned (the second return above)" \
	grep -q "^alert cleared after" "$log"
check "blackhole: the default route moved to wan2" grep -q "^default route moved to wan2 after" "$log"
check "isp1 repaired: the default route and the tunnel came back only after the hold-down" \
	held "default route back on wan1, tunnel on isp1" 1
check "the demo removed its lab" eval '! ip netns list | grepq "^${P}d-"'
[ $TAP_FAIL -eq 0 ] || sed 's/^/# /' "$log" | tail -40
