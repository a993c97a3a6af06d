#!/bin/bash
# selftest.sh - `make selftest`: the lab harness defends itself. Feeds run.sh deliberately
# broken scenarios (test/lab/selftest/s_*.sh) and asserts that each is reported as a failure:
# a skip with CI set, a SKIP check with CI set, a missing tool, a failure inside a pipe, a
# short plan, a daemon that dies of a signal, a sanitizer report in the log, a daemon that
# leaks at exit (the test hook leak.so) whether stopped or left running, and the browser test
# without its playwright driver; two scenarios run at once (LAB_JOBS=2) are still reported
# whole and in order. A healthy scenario must pass, and a skip without CI is counted as
# skipped, never as passed. Prints TAP; exits 1 if the harness let one through.
# Env: UPLINKD, UPLINKCTL, TOOLS as for run.sh (the ASan build: leaks must be reported).
set -euo pipefail
LAB_DIR=$(cd "$(dirname "$0")" && pwd)
S=$LAB_DIR/selftest
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

# expect NAME CI RC LINE-REGEX TOTAL-REGEX [ENV=VALUE...] -- SCENARIO: run.sh on SCENARIO must
# exit RC, print a scenario line matching LINE-REGEX and a closing line matching TOTAL-REGEX
expect() {
	local name=$1 ci=$2 want_rc=$3 line=$4 total=$5 rc=0 out
	shift 5
	local envs=()
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	out=$tmp/$n.out
	env "CI=$ci" "${envs[@]}" "$LAB_DIR/run.sh" "$@" >"$out" 2>&1 || rc=$?
	n=$((n + 1))
	if [ "$rc" -eq "$want_rc" ] && grep -qE "^$line" "$out" && [ "$(tail -1 "$out")" != "" ] &&
	   tail -1 "$out" | grep -qE "^$total\$"; then
		echo "ok $n - $name"
	else
		failed=$((failed + 1))
		echo "not ok $n - $name (exit $rc, wanted $want_rc)"
		sed 's/^/#   /' "$out" | tail -25
	fi
}

echo "1..13"
expect "a healthy scenario passes" "" 0 "ok 1 - s_pass\.sh$" "2 passed, 0 failed, 0 skipped" -- "$S/s_pass.sh"
expect "a skipped scenario without CI: ok, counted as skipped, not passed" "" 0 \
	"ok 1 - s_skip\.sh # SKIP " "0 passed, 0 failed, 1 skipped" -- "$S/s_skip.sh"
expect "a skipped scenario with CI=1 fails the run" 1 1 \
	"not ok 1 - s_skip\.sh \(.*skipped with CI set\)" "0 passed, 1 failed, 1 skipped" -- "$S/s_skip.sh"
expect "a SKIP check with CI=1 fails the run; it is not a pass" 1 1 \
	"not ok 1 - s_skip_check\.sh \(1 skipped with CI set\)" "1 passed, 1 failed, 1 skipped" -- "$S/s_skip_check.sh"
expect "a missing tool that make deps installs is a failure, not a skip" "" 1 \
	"not ok 1 - s_missing_tool\.sh" "0 passed, 1 failed, 0 skipped" -- "$S/s_missing_tool.sh"
expect "a failure inside a pipe fails the check and the scenario (pipefail)" "" 1 \
	"not ok 1 - s_pipe\.sh" "0 passed, [12] failed, 0 skipped" -- "$S/s_pipe.sh"
expect "fewer checks than planned is a failure" "" 1 \
	"not ok 1 - s_short\.sh \(ran 1 of 2 checks\)" "1 passed, 1 failed, 0 skipped" -- "$S/s_short.sh"
expect "a daemon that died of a signal fails its stop" "" 1 \
	"not ok 1 - s_crash\.sh" "1 passed, 1 failed, 0 skipped" -- "$S/s_crash.sh"
expect "a sanitizer report in the daemon's log fails its stop, even with exit 0" "" 1 \
	"not ok 1 - s_sanitizer_log\.sh" "1 passed, 1 failed, 0 skipped" -- "$S/s_sanitizer_log.sh"
expect "a daemon that leaks at exit fails its stop" "" 1 \
	"not ok 1 - s_leak\.sh" "1 passed, 1 failed, 0 skipped" -- "$S/s_leak.sh"
expect "a leaking daemon left running fails the scenario at its end" "" 1 \
	"not ok 1 - s_leak_left\.sh \(exited 1\)" "1 passed, 1 failed, 0 skipped" -- "$S/s_leak_left.sh"
expect "two scenarios at once (LAB_JOBS=2): each reported whole, in order, and counted" "" 1 \
	"not ok 2 - s_short\.sh \(ran 1 of 2 checks\)" "3 passed, 1 failed, 0 skipped" \
	LAB_JOBS=2 -- "$S/s_pass.sh" "$S/s_short.sh"
expect "the browser test without its playwright driver fails" "" 1 \
	"not ok 1 - t_web_browser\.sh" "0 passed, 1 failed, 0 skipped" \
	WEB_NODE_MODULES="$tmp/no-node-modules" -- "$LAB_DIR/t_web_browser.sh"
echo "# harness self-test: $((n - failed)) of $n broken or healthy cases reported as they must be"
[ "$failed" -eq 0 ]
