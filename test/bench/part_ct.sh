#!/bin/bash
# part_ct.sh - `make bench` part: how long single callbacks hold the loop while a failover
# flushes 100 000 conntrack entries NATed to the failed uplink: the CPU time of the longest one
# (status loop.longest_callback_cpu_us, since start: an upper bound for the flush; the goal)
# and its wall-clock time (which adds time the daemon was preempted on a busy machine), and
# how long the flush takes. Env from run.sh:
# ROOT UPLINKD UPLINKCTL TOOLS REPS PART_TMP. Rows on stdout, progress on stderr.
set -eu
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export UPLINKD UPLINKCTL TOOLS
P=ulc$(printf %x $$)
# shellcheck source=../lab/lib.sh
. "$ROOT/test/lab/lib.sh"
REPS=${REPS:-5}
T=${PART_TMP:-$(mktemp -d)}
mkdir -p "$T"
[ -x "$TOOLS/ctfill" ] || { echo "| conntrack: $TOOLS/ctfill missing (make tools) | | | |"; exit 0; }
trap 'stop_uplinkd >/dev/null 2>&1 || true; topo_down "$P" >/dev/null 2>&1' EXIT
FLOWS=100000

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
worst() { sort -n | tail -1; }
loop_field() { ctl status --json | jq -r ".loop.$1"; }

: >"$T/cb"
: >"$T/wall"
: >"$T/ms"
for i in $(seq "$REPS"); do
	topo_up "$P" >/dev/null
	lab_conf "$T/ct.conf"
	start_uplinkd "$T/ct.conf" >/dev/null
	wait_for 30 eval 'settled isp1 && settled isp2 && default_is wan1' || {
		echo "bench ct: uplinks did not settle" >&2; exit 1; }
	in_rtr "$TOOLS/ctfill" 100.64.1.2 "$FLOWS" >/dev/null
	before=$(loop_field longest_callback_cpu_us)
	fault isp1 blackhole
	wait_for 60 eval '[ "$(loop_field conntrack_flushed)" -ge '"$FLOWS"' ] && [ "$(loop_field conntrack_flushing)" = false ]' || {
		echo "bench ct: the flush did not finish" >&2; exit 1; }
	after=$(loop_field longest_callback_cpu_us)
	wall=$(loop_field longest_callback_us)
	ms=$(sed -n 's/.*entries with reply destination 100.64.1.2 flushed in \([0-9]*\) ms.*/\1/p' "$UPLINKD_LOG" | tail -1)
	echo "bench ct: run $i: longest callback ${before} us CPU before the failover, ${after} us CPU (${wall} us wall) after; flush ${ms} ms" >&2
	awk -v a="$after" 'BEGIN {printf "%.1f\n", a / 1000}' >>"$T/cb"
	awk -v a="$wall" 'BEGIN {printf "%.1f\n", a / 1000}' >>"$T/wall"
	echo "$ms" >>"$T/ms"
	stop_uplinkd >/dev/null || true
	: >"$UPLINKD_LOG"
	topo_down "$P" >/dev/null 2>&1
done
echo "| loop: longest single callback (CPU ms), failover flushing $FLOWS conntrack entries | $(median <"$T/cb") | $(worst <"$T/cb") | ≤ 20 |"
echo "| loop: same, wall clock (ms; adds preemption: load $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores) | $(median <"$T/wall") | $(worst <"$T/wall") | |"
echo "| conntrack: that flush, first dump request to last delete (ms) | $(median <"$T/ms") | $(worst <"$T/ms") | |"
