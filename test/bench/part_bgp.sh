#!/bin/bash
# part_bgp.sh - the BGP monitor's bench rows (run by test/bench/run.sh):
#   ingest of a synthetic full table over BMP (build/tools/bmpgen, BGP_BENCH_PREFIXES,
#   default 1,000,000 IPv4 /24s with one watched prefix among them): prefixes/s from the
#   first byte the daemon read to the end of its last read's processing (bgp.sessions[].
#   busy_span_us), also wall clock from connect until the status counts them all (coarse:
#   polled), and the daemon's peak RSS;
#   alert latency: bmpgen announces a hijack of the watched prefix, the daemon measures
#   from reading the bytes to publishing the alert (bgp.stats.alert_latency_us);
#   under a flood (bmpgen: 100 000 Peer Up/Down and 50 000 more-specifics of a watched
#   100.96.0.0/12) isp1 is blackholed: time from the fault to the default route on wan2
#   (20 ms polls), the slowest `uplinkctl status` answer meanwhile, the daemon's peak RSS;
#   the same failover without the flood for comparison.
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
trap '' PIPE	# a bmpgen that died must not kill the bench on a write to its fifo

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

# failover and status latency with and without a BMP flood
fo() {	# FLOOD(0|1): prints "failover_ms status_ms_max rss_mb"
	local t0 s ms max=0 fifo=$PART_TMP/flood.in
	bgp_conf "$RUN/uplinkd.conf"
	sed -i 's|watch = ( {|watch = ( { prefix = "100.96.0.0/12"; origin_as = [ 64500 ]; },\n            {|' \
		"$RUN/uplinkd.conf"
	start_uplinkd "$RUN/uplinkd.conf" >/dev/null
	wait_for 30 eval 'settled isp1 && settled isp2 && default_is wan1' ||
		echo "bench bgp: uplinks did not settle" >&2
	wait_for 20 eval 'in_rtr ss -Hltn "sport = :$BGP_BMP_PORT" | grep -q LISTEN' ||
		{ echo "bench bgp: the BMP station does not listen:"; tail -5 "$UPLINKD_LOG"; } >&2
	rm -f "$fifo"
	mkfifo "$fifo"
	in_rtr "$TOOLS/bmpgen" 127.0.0.1 "$BGP_BMP_PORT" 1000 <"$fifo" >"$PART_TMP/flood.out" 2>&1 &
	gen=$!
	exec 9>"$fifo"
	wait_for 20 counted 1001 || echo "bench bgp: table not counted" >&2
	if [ "$1" = 1 ]; then
		echo "more 50000 100.96.0.0 28" >&9 || true
		echo "flap 100000 100.64.2.1" >&9 || true
	fi
	t0=$(date +%s%N)
	fault isp1 blackhole >/dev/null 2>&1
	until default_is wan2; do
		s=$(date +%s%N)
		ctl status --json >/dev/null
		ms=$((($(date +%s%N) - s) / 1000000))
		[ "$ms" -le "$max" ] || max=$ms
		[ $(($(date +%s%N) - t0)) -lt 30000000000 ] || break
		sleep 0.02
	done
	printf '%d %d ' $((($(date +%s%N) - t0) / 1000000)) "$max"
	[ "$1" = 0 ] || wait_for 120 eval 'grep -q "^flap" "$PART_TMP/flood.out"' || true
	awk '/^VmHWM/ { printf "%.1f\n", $2 / 1024 }' "/proc/$UPLINKD_PID/status"
	exec 9>&-
	wait "$gen" 2>/dev/null || true
	stop_uplinkd >/dev/null || true
	fault isp1 clear >/dev/null 2>&1
}
fo0=() fo1=() st0=() st1=() rssf=()
for rep in $(seq "$REPS"); do
	echo "bench bgp: rep $rep: failover without and with a BMP flood" >&2
	read -r f s _ < <(fo 0)
	fo0+=("$f") st0+=("$s")
	read -r f s r < <(fo 1)
	fo1+=("$f") st1+=("$s") rssf+=("$r")
done

read -r rm rw < <(printf '%s\n' "${rates[@]}" | stats -min)
read -r wm ww < <(printf '%s\n' "${walls[@]}" | stats -min)
read -r sm sw < <(printf '%s\n' "${rss[@]}" | stats)
read -r lm lw < <(printf '%s\n' "${lat[@]}" | stats)
printf '| BGP: ingest of a %s-prefix table over BMP (prefixes/s, first byte read to last prefix judged) | %s | %s | >= 500000 |\n' "$N" "$rm" "$rw"
printf '| BGP: same, wall clock from connect until the status counts them (20 ms polls) | %s | %s | |\n' "$wm" "$ww"
printf '| BGP: daemon peak RSS after that table (MB) | %s | %s | <= 16 |\n' "$sm" "$sw"
printf '| BGP: alert latency, UPDATE read to alert published (ms) | %s | %s | <= 10 |\n' "$lm" "$lw"
read -r a b < <(printf '%s\n' "${fo0[@]}" | stats)
read -r c d < <(printf '%s\n' "${fo1[@]}" | stats)
printf '| BGP flood: isp1 blackhole to default route on wan2 (ms, 20 ms polls), quiet / during 100k Peer Up/Down + 50k more-specifics | %s / %s | %s / %s | <= 1000 |\n' "$a" "$c" "$b" "$d"
read -r a b < <(printf '%s\n' "${st0[@]}" | stats)
read -r c d < <(printf '%s\n' "${st1[@]}" | stats)
printf '| BGP flood: slowest uplinkctl status meanwhile (ms), quiet / during the flood | %s / %s | %s / %s | <= 100 |\n' "$a" "$c" "$b" "$d"
read -r a b < <(printf '%s\n' "${rssf[@]}" | stats)
printf '| BGP flood: daemon peak RSS (MB; t_bgp_flood.sh asserts < 64 under ASan) | %s | %s | <= 16 |\n' "$a" "$b"
