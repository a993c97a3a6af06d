#!/bin/bash
# part_web.sh - `make bench` part: GET /api/status requests/s under load from a second
# process (wrk in the LAN namespace) while a blackhole on isp1 fails over, and the outage
# of that failover measured as in run.sh (a numbered UDP packet per ms lan -> sink; the
# longest run of missing packets). Env from run.sh: ROOT UPLINKD UPLINKCTL TOOLS REPS
# PART_TMP. Rows on stdout, progress on stderr.
set -eu
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export UPLINKD UPLINKCTL TOOLS
P=ulw$(printf %x $$)
# shellcheck source=../lab/lib.sh
. "$ROOT/test/lab/lib.sh"
REPS=${REPS:-5}
T=${PART_TMP:-$(mktemp -d)}
mkdir -p "$T"
command -v wrk >/dev/null || { echo "| web: wrk not installed (make deps) | | | |"; exit 0; }
trap 'stop_uplinkd >/dev/null 2>&1 || true; topo_down "$P" >/dev/null 2>&1' EXIT

URL=http://100.80.0.1:8080/api/status
WRK_THREADS=2
WRK_CONNS=12	# under the plugin's 16 connections per client address

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }

conf() {
	lab_conf "$T/web.conf"
	conf_sub "$T/web.conf" \
		"s/interval_ms = 200; timeout_ms = 300;/interval_ms = 200; timeout_ms = 200;/g" \
		"s/hold_down_s = 5;/hold_down_s = 2;/g" "s/up_after = 5;/up_after = 3;/g" \
		"\$a web = { listen = \"100.80.0.1:8080\"; };"
}

# one run: "RPS OUTAGE_MS P99_MS"
run_once() {
	local recv send wrkp rps gap p99
	start_uplinkd "$T/web.conf" >/dev/null
	wait_for 30 eval 'settled isp1 && settled isp2 && default_is wan1' || {
		echo "bench web: uplinks did not settle" >&2; return 1; }
	in_ns sink "$TOOLS/udpseq" recv --port 9000 --duration 8 --json >"$T/recv.json" &
	recv=$!
	sleep 0.2
	in_ns lan "$TOOLS/udpseq" send --to 198.51.100.10:9000 --interval-us 1000 --count 6000 \
		>/dev/null 2>&1 &
	send=$!
	in_ns lan wrk -t"$WRK_THREADS" -c"$WRK_CONNS" -d6s --latency "$URL" >"$T/wrk.txt" 2>&1 &
	wrkp=$!
	sleep 2
	fault isp1 blackhole
	wait "$send" || true
	wait "$recv" || true
	wait "$wrkp" || true
	fault isp1 blackhole-off
	stop_uplinkd >/dev/null || true
	rps=$(awk '/^Requests\/sec:/ {printf "%.0f", $2}' "$T/wrk.txt")
	p99=$(awk '$1 == "99%" {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) sub(/ms/,"",v); else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.1f", v}' "$T/wrk.txt")
	gap=$(jq -r '.max_gap.ms' "$T/recv.json")
	echo "${rps:-0} ${gap:-n/a} ${p99:-n/a}"
}

topo_up "$P" >/dev/null
conf
: >"$T/runs"
for i in $(seq "$REPS"); do
	r=$(run_once) || r="0 n/a n/a"
	echo "bench web: run $i: ${r%% *} req/s, outage $(echo "$r" | cut -d' ' -f2) ms, p99 ${r##* } ms" >&2
	echo "$r" >>"$T/runs"
	topo_up "$P" >/dev/null
done
rps_med=$(cut -d' ' -f1 "$T/runs" | median)
rps_min=$(cut -d' ' -f1 "$T/runs" | sort -n | head -1)
out_med=$(cut -d' ' -f2 "$T/runs" | grep -v n/a | median)
out_max=$(cut -d' ' -f2 "$T/runs" | grep -v n/a | sort -n | tail -1)
p99_med=$(cut -d' ' -f3 "$T/runs" | grep -v n/a | median)
p99_max=$(cut -d' ' -f3 "$T/runs" | grep -v n/a | sort -n | tail -1)
echo "| web: GET /api/status req/s under wrk ($WRK_THREADS threads, $WRK_CONNS connections) during a failover (worst = lowest) | $rps_med req/s | $rps_min req/s | ≥ 500 req/s |"
echo "| web: /api/status p99 latency under that load | $p99_med ms | ${p99_max:-n/a} ms | ≤ 100 ms |"
echo "| web: outage, blackhole (200 ms probes) while /api/status is under load | $out_med ms | ${out_max:-n/a} ms | ≤ 1000 ms |"
