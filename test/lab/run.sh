#!/bin/bash
# run.sh - run the lab scenarios (every test/lab/t_*.sh, or the ones named) and print TAP:
# one top-level line per scenario with its own TAP indented beneath, then
# `N passed, N failed, N skipped` (counting the scenarios' checks; a scenario that dies, exits
# non-zero or runs fewer checks than planned counts one more failure; a skipped scenario
# (`1..0 # SKIP`) or check (`ok N - ... # SKIP`) counts as skipped, never as passed).
# Exits 1 on any failure. With CI set (.ci/run sets CI=1) every skip is a failure: what
# `make check` tests must run. Needs root.
#
# Each scenario builds a fresh lab with its own prefix (ul<hex pid>t<n>) and tears it down;
# run.sh tears it down again afterwards in case the scenario was killed.
# Env: UPLINKD, UPLINKCTL, TOOLS (binaries; default build/... of this checkout),
#      LAB_TIMEOUT (seconds per scenario, default 900), LAB_JOBS (scenarios at once, below).
set -euo pipefail

LAB_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$LAB_DIR/../.." && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "run.sh: needs root (network namespaces, nftables)" >&2
	exit 1
fi

abs() { case "$1" in /*) echo "$1" ;; *) echo "$PWD/$1" ;; esac; }
UPLINKD=$(abs "${UPLINKD:-$ROOT/build/uplinkd}")
UPLINKCTL=$(abs "${UPLINKCTL:-$ROOT/build/uplinkctl}")
TOOLS=$(abs "${TOOLS:-$ROOT/build/tools}")
export UPLINKD UPLINKCTL TOOLS
for tool in impair udpseq; do
	if [ ! -x "$TOOLS/$tool" ]; then
		echo "run.sh: $TOOLS/$tool missing; run make tools" >&2
		exit 1
	fi
done

if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=("$LAB_DIR"/t_*.sh)
fi

# LAB_JOBS scenarios run at once (default: one per CPU, at most 4): they mostly wait on timers,
# and none may depend on the speed of the machine (issue 14). Each has its own prefix, run dir
# and namespaces; their output is still printed whole and in order, the first unfinished one
# live. LAB_JOBS=1 runs them one by one.
jobs=${LAB_JOBS:-$(nproc 2>/dev/null || echo 1)}
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || { echo "run.sh: LAB_JOBS=$jobs is not a positive number" >&2; exit 2; }
[ -n "${LAB_JOBS:-}" ] || [ "$jobs" -le 4 ] || jobs=4
n=${#tests[@]}

tmp=$(mktemp -d)
sched=
# on an early exit (a signal, an error here): stop the scenarios still running, by PID, and
# tear their labs down
cleanup() {
	local f i
	trap - EXIT INT TERM
	[ -z "$sched" ] || kill "$sched" 2>/dev/null || true
	for f in "$tmp"/*.tpid; do
		[ -f "$f" ] || continue
		i=$(basename "$f" .tpid)
		[ -f "$tmp/$i.rc" ] && continue
		kill -TERM "$(cat "$f")" 2>/dev/null || true
	done
	for f in "$tmp"/*.tpid; do
		[ -f "$f" ] || continue
		i=$(basename "$f" .tpid)
		[ -f "$tmp/$i.rc" ] && continue
		for _ in $(seq 50); do kill -0 "$(cat "$f")" 2>/dev/null || break; sleep 0.1; done
		"$LAB_DIR/topo.sh" down "$(cat "$tmp/$i.prefix")" >/dev/null 2>&1 || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# run_one I SCENARIO: run it with its own prefix; $tmp/I.tap its stdout, I.err its stderr,
# then I.rc "EXIT-STATUS SECONDS" once it is over and its lab is down
run_one() {
	local i=$1 t=$2 prefix t0 rc
	prefix=ul$(printf %x $$)t$i
	echo "$prefix" >"$tmp/$i.prefix"
	t0=$(date +%s)
	P=$prefix timeout --kill-after=30 "${LAB_TIMEOUT:-900}" bash "$t" >"$tmp/$i.tap" 2>"$tmp/$i.err" </dev/null &
	echo $! >"$tmp/$i.tpid"
	rc=0
	wait $! || rc=$?
	"$LAB_DIR/topo.sh" down "$prefix" >/dev/null 2>&1 || true
	echo "$rc $(($(date +%s) - t0))" >"$tmp/$i.rc.new"
	mv "$tmp/$i.rc.new" "$tmp/$i.rc"
}

# the scheduler: at most $jobs scenarios at once, started in order
(
	trap - EXIT INT TERM
	running=0
	for idx in $(seq "$n"); do
		while [ "$running" -ge "$jobs" ]; do
			wait -n || true
			running=$((running - 1))
		done
		run_one "$idx" "${tests[$((idx - 1))]}" &
		running=$((running + 1))
	done
	wait
) &
sched=$!

echo "1..$n"
pass=0
fail=0
skipped=0
for i in $(seq "$n"); do
	t=${tests[$((i - 1))]}
	name=$(basename "$t")
	out=$tmp/$i.tap
	err=$tmp/$i.err
	echo "# Subtest: $name"
	# its complete lines as they come, the rest once it is over
	shown=0
	while :; do
		over=0
		[ ! -f "$tmp/$i.rc" ] || over=1
		if [ -f "$out" ]; then
			lines=$(wc -l <"$out")
			if [ "$lines" -gt "$shown" ]; then
				sed -n "$((shown + 1)),${lines}p" "$out" | sed 's/^/    /'
				shown=$lines
			fi
		fi
		[ "$over" -eq 0 ] || break
		sleep 0.2
	done
	tail -n +"$((shown + 1))" "$out" | sed 's/^/    /'
	read -r rc secs <"$tmp/$i.rc"

	nall=$(grep -c '^ok ' "$out" || true)
	ns=$(grep -ciE '^ok [0-9]* *(- )?[^#]*# *skip' "$out" || true)
	np=$((nall - ns))
	nf=$(grep -c '^not ok ' "$out" || true)
	planned=$(sed -n 's/^1\.\.\([0-9]*\).*/\1/p' "$out" | sed -n 1p)
	skip_all=$(sed -n 's/^1\.\.0 # SKIP */ # SKIP /p' "$out" | sed -n 1p)
	[ -z "$skip_all" ] || ns=$((ns + 1))
	why=
	if [ -z "$planned" ]; then
		why="no plan"
	elif [ $((nall + nf)) -ne "$planned" ]; then
		why="ran $((nall + nf)) of $planned checks"
	fi
	if [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
		why="${why:+$why; }exited $rc"
	fi
	if [ "$ns" -gt 0 ] && [ -n "${CI:-}" ]; then
		why="${why:+$why; }$ns skipped with CI set"
	fi
	pass=$((pass + np))
	fail=$((fail + nf))
	skipped=$((skipped + ns))
	[ -z "$why" ] || fail=$((fail + 1))

	if [ "$nf" -eq 0 ] && [ -z "$why" ]; then
		echo "ok $i - $name$skip_all"
	else
		echo "not ok $i - $name${why:+ ($why)}"
		if [ -s "$err" ]; then
			echo "    # stderr (last lines):"
			tail -20 "$err" | sed 's/^/    #   /'
		fi
	fi
	echo "# $name: $secs s"
done
wait "$sched" 2>/dev/null || true
sched=
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
