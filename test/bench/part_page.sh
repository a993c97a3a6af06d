#!/bin/bash
# part_page.sh - `make bench` part: how long the status page, open in headless Chromium
# (test/web/browser.cjs), takes to show a failover without a reload: from running
# `fault.sh isp1 blackhole` (included) until the page shows isp1 down and isp2 active. The lab
# test t_web_browser.sh asserts that it happens; this measures how fast (it used to assert
# "within 3 s"). Env from run.sh: ROOT UPLINKD UPLINKCTL TOOLS REPS PART_TMP. Rows on stdout,
# progress on stderr. Run alone: BENCH_ONLY=page make bench (or test/bench/run.sh).
set -eu
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export UPLINKD UPLINKCTL TOOLS
P=ulp$(printf %x $$)
# shellcheck source=../lab/lib.sh
. "$ROOT/test/lab/lib.sh"
REPS=${REPS:-5}
T=${PART_TMP:-$(mktemp -d)}
mkdir -p "$T"
NODE_MODULES=${WEB_NODE_MODULES:-$ROOT/build/web/node_modules}
if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null ||
   [ ! -f "$NODE_MODULES/playwright-core/package.json" ]; then
	echo "| page: chromium, node or playwright-core missing (make deps web-deps) | | | |"
	exit 0
fi
trap 'stop_uplinkd >/dev/null 2>&1 || true; topo_down "$P" >/dev/null 2>&1' EXIT
URL=http://100.80.0.1:8080/

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }

: >"$T/runs"
for i in $(seq "$REPS"); do
	topo_up "$P" >/dev/null
	lab_conf "$T/page.conf"
	echo 'web = { listen = "100.80.0.1:8080"; };' >>"$T/page.conf"
	start_uplinkd "$T/page.conf" >/dev/null
	if wait_for 30 eval 'settled isp1 && settled isp2 && default_is wan1'; then
		mkdir -p "$T/home"
		HOME=$T/home NODE_PATH=$NODE_MODULES timeout 600 \
			ip netns exec "$P-lan" node "$ROOT/test/web/browser.cjs" "$URL" "$T/shot.png" \
			"$T/res.json" "$ROOT/test/lab/fault.sh" "$P" isp1 blackhole >"$T/browser.log" 2>&1 || true
		ms=$(jq -r 'if .down_ms == null or .active_ms == null then "n/a"
			    else [.down_ms, .active_ms] | max end' "$T/res.json" 2>/dev/null || echo n/a)
	else
		ms=n/a
	fi
	echo "bench page: run $i: failover on the page after $ms ms" >&2
	echo "$ms" >>"$T/runs"
	stop_uplinkd >/dev/null 2>&1 || true
	topo_down "$P" >/dev/null 2>&1
done
med=$(grep -v n/a "$T/runs" | median)
worst=$(grep -v n/a "$T/runs" | sort -n | tail -1)
echo "| web: failover shown on the page in Chromium, without a reload (fault.sh isp1 blackhole to isp1 down and isp2 active, 200 ms probes) | $med ms | ${worst:-n/a} ms | ≤ 3000 ms |"
