#!/bin/bash
# part_balance.sh - `make bench` part (BENCH_ONLY=balance runs it alone): balance mode's
# nftables table. Rows: the time to apply a full batch of 100 rules (kernel ACKs of one
# batch, from the status object's policy.nft_apply_us after each reload), the same for a
# weight change, the daemon's CPU while 1 000 TCP connections from the LAN are active, and
# uplinkctl status then (each asks for a recount, done in the background).
# Env from run.sh: ROOT UPLINKD UPLINKCTL TOOLS REPS PART_TMP. Rows on stdout, progress on
# stderr.
set -euo pipefail
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
export UPLINKD UPLINKCTL TOOLS
P=ulbb$(printf %x $$)
# shellcheck source=../lab/lib.sh
. "$ROOT/test/lab/lib.sh"
REPS=${REPS:-5}
T=${PART_TMP:-$(mktemp -d)}
mkdir -p "$T"
cleanup() {
	local f
	if [ -n "$UPLINKD_PID" ]; then stop_uplinkd >/dev/null 2>&1 || echo "bench balance: uplinkd exit status $?" >&2; fi
	for f in "$T"/*.pid; do
		[ -e "$f" ] && topo_kill_pid "$P" "$(cat "$f")"
	done
	topo_down "$P" >/dev/null 2>&1
}
trap cleanup EXIT

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
worst() { sort -n | tail -1; }

# conf WEIGHT PORT0: balance mode, isp1 weight WEIGHT, 100 rules on ports PORT0..PORT0+99
conf() {
	local i rules=""
	for i in $(seq 0 99); do
		rules+="{ name = \"r$i\"; proto = \"tcp\"; dport = [ $(($2 + i)) ]; dst = [ \"198.51.100.0/24\" ];"
		rules+=" action = \"$( [ $((i % 2)) -eq 0 ] && echo failover || echo balance)\"; uplinks = [ \"isp2\", \"isp1\" ]; }"
		[ "$i" -eq 99 ] || rules+=","
	done
	lab_conf "$T/b.conf"
	conf_sub "$T/b.conf" "s|policy = { mode = \"failover\"; };|policy = { mode = \"balance\"; rules = ( $rules ); };|" \
		"s/priority = 10;/priority = 10; weight = $1;/"
}

applies() { ctl status --json | jq -r '.policy.nft_applies'; }
apply_us() { ctl status --json | jq -r '.policy.nft_apply_us'; }

# reload_once: reload and wait for the next applied batch; prints its time in us
reload_once() {
	local n
	n=$(applies)
	ctl reload >/dev/null
	wait_for 10 eval "[ \"\$(applies)\" -gt $n ]"
	apply_us
}

topo_up "$P" >/dev/null
conf 3 20000
start_uplinkd "$T/b.conf" >/dev/null
wait_for 30 eval 'settled isp1 && settled isp2'
nrules=$(in_rtr nft -a list chain inet uplinkd prerouting | grep -c ' return # handle')
: >"$T/full"
: >"$T/weight"
for i in $(seq "$REPS"); do
	conf 3 $((20000 + 100 * i))	# every rule's port changes: a new table
	reload_once >>"$T/full"
	conf $((3 + i)) $((20000 + 100 * i))	# only the weight changes
	reload_once >>"$T/weight"
done
echo "bench balance: full batches $(tr '\n' ' ' <"$T/full")us, weight changes $(tr '\n' ' ' <"$T/weight")us ($nrules nft rules)" >&2

# 1 000 TCP connections, a message every 500 ms each, for 40 s; CPU over 30 s of it
in_ns sink "$TOOLS/flows" serve --port 7000 --duration-ms 45000 >"$T/srv.json" &
echo $! >"$T/srv.pid"
sleep 0.3
in_ns lan "$TOOLS/flows" client --host 198.51.100.10 --port 7000 --n 1000 --duration-ms 40000 \
	--interval-ms 500 >"$T/cli.json" &
echo $! >"$T/cli.pid"
sleep 5
pid=$UPLINKD_PID
hz=$(getconf CLK_TCK)
t0=$(date +%s%N)
c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
: >"$T/status"
# timed inside the router namespace (one ip netns exec, whose own cost varies by 100 ms on a
# loaded host), less an uplinkctl run that finds no socket (starting a process costs as much);
# each call 2.5 s after the last finds the count old and starts a new one
in_rtr bash -c 'for i in $(seq 10); do
	s0=$(date +%s%N); "$0" -s "$1.none" status >/dev/null 2>&1; s1=$(date +%s%N)
	"$0" -s "$1" status --json >/dev/null; s2=$(date +%s%N)
	echo $(((s2 - s1 - (s1 - s0)) / 1000000)); sleep 2.5
done' "$UPLINKCTL" "$SOCK" >>"$T/status"
c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
t1=$(date +%s%N)
cpu=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * c / hz / (ns / 1e9)}')
conns=$(uplink_field isp1 connections)+$(uplink_field isp2 connections)
wait "$(cat "$T/cli.pid")"
rm -f "$T/cli.pid"
wait "$(cat "$T/srv.pid")"
rm -f "$T/srv.pid"
echo "bench balance: CPU $cpu % with $conns connections counted; $(cat "$T/cli.json")" >&2

echo "| balance: apply the whole inet uplinkd table, 100 rules ($nrules nft rules), one batch (µs) | $(median <"$T/full") | $(worst <"$T/full") | ≤ 50000 |"
echo "| balance: apply after a weight change, same table (µs) | $(median <"$T/weight") | $(worst <"$T/weight") | ≤ 50000 |"
echo "| balance: daemon CPU with 1000 TCP connections active (status asked every 2.5 s) | $cpu % | | ≤ 1 % |"
echo "| balance: uplinkctl status with 1000 connections (counted in the background, one buffer per wake-up), less uplinkctl's own start (ms) | $(median <"$T/status") | $(worst <"$T/status") | ≤ 100 |"
