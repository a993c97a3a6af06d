#!/bin/bash
# part_bgp.sh - the BGP monitor's bench rows (run by test/bench/run.sh):
#   ingest of a synthetic full table over BMP (build/tools/bmpgen, BGP_BENCH_PREFIXES,
#   default 1,000,000 IPv4 /24s with one watched prefix among them): prefixes/s from the
#   first byte the daemon read to the end of its last read's processing (bgp.sessions[].
#   busy_span_us), also wall clock from connect until the status counts them all (coarse:
#   polled), and the daemon's peak RSS;
#   alert latency: bmpgen announces a hijack of the watched prefix, the daemon measures
#   from reading the bytes to publishing the alert (bgp.stats.alert_latency_us).
# Env: ROOT UPLINKD UPLINKCTL TOOLS REPS PART_TMP (from run.sh). Rows on stdout, progress on
# stderr. Builds the lab topology under its own prefix and tears it down.
set -eu

ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
UPLINKD=${UPLINKD:-$ROOT/build/uplinkd}
UPLINKCTL=${UPLINKCTL:-$ROOT/build/uplinkctl}
TOOLS=${TOOLS:-$ROOT/build/tools}
REPS=${REPS:-3}
PART_TMP=${PART_TMP:-$(mktemp -d)}
N=${BGP_BENCH_PREFIXES:-1000000}
HIJACKS=${BGP_BENCH_HIJACKS:-10}
P=ulbg$(printf %x $$)
export P UPLINKD UPLINKCTL TOOLS

. "$ROOT/test/lab/lib.sh"
. "$ROOT/test/lab/bgp.sh"
trap 'stop_uplinkd >/dev/null 2>&1 || true; topo_down "$P" >/dev/null 2>&1' EXIT

# median and worst of the numbers on stdin (worst = max, or min with -min)
stats() {
	sort -g | awk -v lowbad="${1:-}" '{ v[NR] = $1 } END {
		if (!NR) { print "n/a n/a"; exit }
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		printf "%s %s\n", m, lowbad ? v[1] : v[NR] }'
}

counted() { [ "$(ctl status --json | jq '[.bgp.sessions[].prefixes] | add // 0')" -ge "$1" ]; }
raised() { [ "$(ctl status --json | jq '.bgp.stats.alerts_raised')" -ge "$1" ]; }

echo "bench bgp: building the lab $P" >&2
(set -e; topo_up "$P") >/dev/null 2>&1 || { echo "bench bgp: lab failed" >&2; exit 1; }
rates=() walls=() rss=() lat=()
for rep in $(seq "$REPS"); do
	bgp_conf "$RUN/uplinkd.conf"
	start_uplinkd "$RUN/uplinkd.conf" >/dev/null
	pid=$UPLINKD_PID
	echo "bench bgp: rep $rep: $N prefixes over BMP" >&2
	fifo=$PART_TMP/bmpgen.in
	rm -f "$fifo"
	mkfifo "$fifo"
	t0=$(date +%s%N)
	in_rtr "$TOOLS/bmpgen" 127.0.0.1 "$BGP_BMP_PORT" "$N" <"$fifo" >"$PART_TMP/bmpgen.out" 2>&1 &
	gen=$!
	exec 9>"$fifo"
	until counted $((N + 1)); do
		kill -0 "$gen" 2>/dev/null || { echo "bench bgp: bmpgen died" >&2; break; }
		sleep 0.02
	done
	t1=$(date +%s%N)
	walls+=("$(awk -v n="$N" -v ns=$((t1 - t0)) 'BEGIN { printf "%.0f", n / (ns / 1e9) }')")
	span=$(ctl status --json | jq '[.bgp.sessions[].busy_span_us] | max')
	rates+=("$(awk -v n="$N" -v us="$span" 'BEGIN { printf "%.0f", (us > 0 ? n / (us / 1e6) : 0) }')")
	rss+=("$(awk '/^VmHWM/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")")
	for h in $(seq "$HIJACKS"); do
		before=$(ctl status --json | jq '.bgp.stats.alerts_raised')
		echo hijack >&9
		wait_for 5 raised $((before + 1)) || echo "bench bgp: no alert" >&2
		lat+=("$(ctl status --json | jq '.bgp.stats.alert_latency_us / 1000')")
		echo restore >&9
		wait_for 5 eval '! has_alert hijack:203.0.113.0/24:isp1' || true
	done
	exec 9>&-
	wait "$gen" 2>/dev/null || true
	stop_uplinkd >/dev/null || true
done

read -r rm rw < <(printf '%s\n' "${rates[@]}" | stats -min)
read -r wm ww < <(printf '%s\n' "${walls[@]}" | stats -min)
read -r sm sw < <(printf '%s\n' "${rss[@]}" | stats)
read -r lm lw < <(printf '%s\n' "${lat[@]}" | stats)
printf '| BGP: ingest of a %s-prefix table over BMP (prefixes/s, first byte read to last prefix judged) | %s | %s | >= 500000 |\n' "$N" "$rm" "$rw"
printf '| BGP: same, wall clock from connect until the status counts them (20 ms polls) | %s | %s | |\n' "$wm" "$ww"
printf '| BGP: daemon peak RSS after that table (MB) | %s | %s | <= 16 |\n' "$sm" "$sw"
printf '| BGP: alert latency, UPDATE read to alert published (ms) | %s | %s | <= 10 |\n' "$lm" "$lw"
