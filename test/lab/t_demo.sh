#!/bin/bash
# `make demo` plays its whole story (ESP-only drop, BGP hijack, blackhole) and exits cleanly:
# demo.sh with DEMO_QUICK=1 on a lab prefix and a host port of its own.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd gobgpd gobgp swanctl /usr/sbin/charon-systemd
plan 5
log=$(mktemp)
trap 'rm -f "$log"' EXIT
port=$((20000 + $$ % 20000))
DEMO_QUICK=1 DEMO_PORT=$port P="${P}d" timeout 300 bash "$LAB_DIR/demo.sh" >"$log" 2>&1 && rc=0 || rc=$?
check "the demo ran to its end (exit $rc)" eval '[ $rc -eq 0 ] && grep -q "what happened, from the journal" "$log"'
check "ESP-only drop: the tunnel moved to isp2" grep -q "^tunnel moved to isp2 (default route untouched) after" "$log"
check "BGP hijack: alert raised and the tunnel avoided isp1" eval \
	'grep -q "^alert raised after" "$log" && grep -q "^tunnel moved to isp2, whose view is clean after" "$log"'
check "blackhole: the default route moved to wan2" grep -q "^default route moved to wan2 after" "$log"
check "the demo removed its lab" eval '! ip netns list | grepq "^${P}d-"'
[ $TAP_FAIL -eq 0 ] || sed 's/^/# /' "$log" | tail -40
