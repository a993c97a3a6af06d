#!/bin/bash
# run.sh - `make bench`: measure uplinkd in the lab and write test/bench/results.md, then
# quote its summary table in README.md (between the bench markers).
#
# Outage is loss-derived: the LAN host sends a numbered UDP packet every millisecond to the
# sink; the longest run of missing packets across the fault is the outage. Each fault is
# repeated BENCH_REPS times (default 5) on a fresh uplinkd; the median and the worst are
# reported. Needs root; uses build/uplinkd (optimised, no sanitizers) and build/tools.
set -eu
BENCH_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$BENCH_DIR/../.." && pwd)
export UPLINKD=${UPLINKD:-$ROOT/build/uplinkd} UPLINKCTL=${UPLINKCTL:-$ROOT/build/uplinkctl}
export TOOLS=${TOOLS:-$ROOT/build/tools}
P=ulb$(printf %x $$)
# shellcheck source=../lab/lib.sh
. "$ROOT/test/lab/lib.sh"
REPS=${BENCH_REPS:-5}
OUT=${BENCH_OUT:-$BENCH_DIR/results.md}
TMPD=$(mktemp -d)

[ "$(id -u)" -eq 0 ] || { echo "bench: needs root" >&2; exit 1; }
for b in "$UPLINKD" "$UPLINKCTL" "$TOOLS/udpseq" "$TOOLS/impair" "$TOOLS/parse_bench"; do
	[ -x "$b" ] || { echo "bench: $b missing; run make all tools" >&2; exit 1; }
done
trap 'stop_uplinkd >/dev/null 2>&1 || true; topo_down "$P" >/dev/null 2>&1; rm -rf "$TMPD"' EXIT
topo_up "$P" >/dev/null

# bench_conf INTERVAL TIMEOUT: both uplinks with 4 targets, down_after 3, short hold-down
bench_conf() {
	lab_conf "$TMPD/bench.conf"
	conf_sub "$TMPD/bench.conf" \
		"s/interval_ms = 200; timeout_ms = 300;/interval_ms = $1; timeout_ms = $2;/g" \
		"s/hold_down_s = 5;/hold_down_s = 2;/g" "s/up_after = 5;/up_after = 3;/g"
}

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
worst() { sort -n | tail -1; }

# outage FAULT-ON FAULT-OFF: ms of the longest gap of a 1 ms UDP stream across FAULT-ON
outage() {
	local on=$1 off=$2 swap
	start_uplinkd "$TMPD/bench.conf" >/dev/null
	wait_for 30 eval 'settled isp1 && settled isp2 && default_is wan1' || {
		echo "bench: uplinks did not settle" >&2; return 1; }
	in_ns sink "$TOOLS/udpseq" recv --port 9000 --duration 8 --json >"$TMPD/recv.json" &
	local recv=$!
	sleep 0.2
	in_ns lan "$TOOLS/udpseq" send --to 198.51.100.10:9000 --interval-us 1000 --count 6000 \
		>/dev/null 2>&1 &
	local send=$!
	sleep 2
	fault isp1 $on
	wait "$send" || true
	wait "$recv" || true
	swap=$(policy_field last_swap_us)
	fault isp1 $off
	stop_uplinkd >/dev/null || true
	echo "$(jq -r '.max_gap.ms' "$TMPD/recv.json") $swap"
}

# run_outage LABEL INTERVAL TIMEOUT FAULT-ON FAULT-OFF -> "label|median|worst|swap median"
run_outage() {
	local label=$1 i r
	bench_conf "$2" "$3"
	: >"$TMPD/o"
	for i in $(seq "$REPS"); do
		r=$(outage "$4" "$5")
		echo "bench: $label run $i: outage ${r% *} ms, route swap ${r#* } us" >&2
		echo "$r" >>"$TMPD/o"
		topo_up "$P" >/dev/null	# a fresh network for the next run
	done
	echo "$label|$(cut -d' ' -f1 "$TMPD/o" | median)|$(cut -d' ' -f1 "$TMPD/o" | worst)|$(cut -d' ' -f2 "$TMPD/o" | median)"
}

# Parts: every test/bench/part_*.sh (ipsec, bgp, web) runs on its own, after the core
# measurements, with ROOT, UPLINKD, UPLINKCTL, TOOLS, REPS and a scratch PART_TMP in the
# environment; it builds and tears down its own network and prints finished table rows
# ("| measurement | median | worst | goal |") on stdout, progress on stderr.
# BENCH_ONLY=NAME runs only part_NAME.sh and prints its rows (results.md is left alone).
run_parts() {
	local part name
	for part in "$BENCH_DIR"/part_*.sh; do
		[ -e "$part" ] || continue
		name=${part##*/part_}; name=${name%.sh}
		[ -z "${BENCH_ONLY:-}" ] || [ "$BENCH_ONLY" = "$name" ] || continue
		mkdir -p "$TMPD/part_$name"
		echo "bench: part $name" >&2
		REPS=$REPS PART_TMP="$TMPD/part_$name" bash "$part" ||
			echo "| $name: the bench part failed; see its output | | | |"
	done
}
if [ -n "${BENCH_ONLY:-}" ]; then
	topo_down "$P" >/dev/null 2>&1
	run_parts
	exit 0
fi

rows=()
rows+=("$(run_outage "blackhole, 200 ms probes (timeout 200 ms), down_after 3" 200 200 blackhole blackhole-off)")
rows+=("$(run_outage "blackhole, 100 ms probes (timeout 50 ms), down_after 3" 100 50 blackhole blackhole-off)")
rows+=("$(run_outage "carrier loss (200 ms probes)" 200 200 carrier-down carrier-up)")

# steady state: 2 uplinks x 4 targets x 5 probes/s for 60 s
bench_conf 200 200
start_uplinkd "$TMPD/bench.conf" >/dev/null
wait_for 30 eval 'settled isp1 && settled isp2'
pid=$UPLINKD_PID
hz=$(getconf CLK_TCK)
t0=$(date +%s%N)
c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep "${BENCH_STEADY_S:-60}"
c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
t1=$(date +%s%N)
rss_kb=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
hwm_kb=$(awk '/^VmHWM/ {print $2}' "/proc/$pid/status")
# what the daemon itself costs: its private pages (heap, stacks, written data); RSS also
# counts the pages of shared libraries (libc, gnutls under libmicrohttpd) every process shares
priv_kb=$(awk '/^Private_(Clean|Dirty):/ {s += $2} END {print s}' "/proc/$pid/smaps_rollup")
cpu_pct=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * c / hz / (ns / 1e9)}')
stop_uplinkd >/dev/null || true

topo_down "$P" >/dev/null 2>&1
part_rows=$(run_parts)

# parser throughput, in process (build/tools/parse_bench links the real parsers)
parse=$("$TOOLS/parse_bench" "$TMPD/bench.conf")
pj() { echo "$parse" | jq -r ".$1"; }

kernel=$(uname -r)
# the soak section (## Soak ...) is written by hand from a `make soak` run: keep it
soak=$(sed -n '/^## Soak/,$p' "$OUT" 2>/dev/null || :)
{
	echo "# uplinkd benchmark results"
	echo
	echo "Written by \`make bench\` (test/bench/run.sh) on $(date -u +%Y-%m-%d), kernel $kernel,"
	echo "$(nproc) cores. Lab: test/lab/topo.sh; a numbered UDP packet every 1 ms from the LAN"
	echo "host to the sink; outage = the longest run of missing packets. $REPS runs per row,"
	echo "a fresh network and a fresh uplinkd each; 4 probe targets per uplink, min_targets 1."
	echo
	echo "| measurement | median | worst | goal |"
	echo "|---|---|---|---|"
	IFS='|' read -r l m w s <<<"${rows[0]}"
	echo "| outage, $l | $m ms | $w ms | ≤ 1000 ms |"
	swap200=$s
	IFS='|' read -r l m w s <<<"${rows[1]}"
	echo "| outage, $l | $m ms | $w ms | ≤ 300 ms |"
	IFS='|' read -r l m w s <<<"${rows[2]}"
	echo "| outage, $l | $m ms | $w ms | ≤ 50 ms |"
	echo "| route swap, decision to kernel ACK | $swap200 µs | | ≤ 1000 µs |"
	echo "| daemon RSS, 2 uplinks × 4 targets × 5 probes/s | $((rss_kb)) KiB (peak $hwm_kb KiB) | | ≤ 4096 KiB |"
	echo "| daemon private memory (not shared with other processes), same load | $priv_kb KiB | | |"
	echo "| daemon CPU, same load over ${BENCH_STEADY_S:-60} s | $cpu_pct % of a core | | ≤ 1 % |"
	echo "| parser: configuration ($(pj config_bytes) bytes, 2 uplinks) | $(pj config_loads_per_s) loads/s | | |"
	echo "| parser: control requests | $(pj control_requests_per_s) /s | | |"
	echo "| parser: ICMP echo replies / DNS replies | $(pj icmp_replies_per_s) / $(pj dns_replies_per_s) /s | | |"
	[ -z "$part_rows" ] || echo "$part_rows"
	echo
	echo "RSS counts the shared libraries' pages (libc, and gnutls with p11-kit that libmicrohttpd"
	echo "loads) that every process maps; the private row is what uplinkd itself costs."
	echo
	echo "For reference: the same kind of lab with dpinger at pfSense's defaults driving the"
	echo "route swap measured a 14.6 s outage for a blackhole (../shared/notes)."
	[ -z "$soak" ] || printf '\n%s\n' "$soak"
} >"$OUT"
cat "$OUT"

# quote the table in README.md
table=$(sed -n '/^| measurement/,/^$/p' "$OUT")
awk -v t="$table" '
	/<!-- bench:begin -->/ {print; print t; skip=1; next}
	/<!-- bench:end -->/ {skip=0}
	!skip {print}' "$ROOT/README.md" >"$TMPD/README.md" && cp "$TMPD/README.md" "$ROOT/README.md"
echo "bench: results in $OUT; README.md table updated"
