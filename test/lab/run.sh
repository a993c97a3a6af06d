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
#      LAB_TIMEOUT (seconds per scenario, default 900).
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

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

echo "1..${#tests[@]}"
pass=0
fail=0
skipped=0
i=0
for t in "${tests[@]}"; do
	i=$((i + 1))
	name=$(basename "$t")
	prefix=ul$(printf %x $$)t$i
	out=$tmp/$i.tap
	err=$tmp/$i.err
	echo "# Subtest: $name"
	t0=$(date +%s)
	set +e
	P=$prefix timeout --kill-after=30 "${LAB_TIMEOUT:-900}" bash "$t" 2>"$err" |
		tee "$out" | sed 's/^/    /'
	rc=${PIPESTATUS[0]}
	set -e
	"$LAB_DIR/topo.sh" down "$prefix" >/dev/null 2>&1 || true
	secs=$(($(date +%s) - t0))

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
echo "$pass passed, $fail failed, $skipped skipped"
[ "$fail" -eq 0 ]
