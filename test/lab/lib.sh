# lib.sh - helpers for lab scenarios (test/lab/t_*.sh). Source it after `set -euo pipefail`
# (test/rules.sh checks that every scenario does; lib.sh sets pipefail again):
#
#   . "$(dirname "$0")/lib.sh"
#   plan 3
#   lab_up                        # topology PREFIX $P; torn down on EXIT
#   check "lan reaches sink" in_ns lan ping -c1 -W1 198.51.100.10
#   lab_conf "$RUN/uplinkd.conf"; start_uplinkd "$RUN/uplinkd.conf"
#   wait_for 20 uplink_is isp1 up && ok "isp1 up" || not_ok "isp1 up"
#
# Env: P (lab prefix; default ul<hex pid>), UPLINKD, UPLINKCTL, TOOLS (binaries; default
# build/uplinkd, build/uplinkctl, build/tools of this checkout).
# Note: start_uplinkd and stop_uplinkd must run in the test's own shell, not in $(...).
#
# Honesty rules (test/rules.sh enforces them, `make selftest` proves the harness catches them):
# - a missing tool that `make deps` or `make tools` installs is a failure (need_cmd), never a
#   skip; skip_all is for what no install can fix, and with CI set it fails too;
# - every stop of the daemon checks its exit status and its log for sanitizer reports
#   (stop_uplinkd; lab_exit does it for a daemon still running at the end);
# - no `CMD | grep -q` (with pipefail, grep's early exit can kill CMD with SIGPIPE): use
#   `CMD | grepq ...`; no `jq -e` on a pipe that may be empty: use json_true.

set -o pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
LAB_ROOT=$(cd "$LAB_DIR/../.." && pwd)
# shellcheck source=topo.sh
. "$LAB_DIR/topo.sh"

lab_abs() {	# PATH relative to where the test was started -> absolute
	case "$1" in
	/*) echo "$1" ;;
	*) echo "$PWD/$1" ;;
	esac
}
TOOLS=$(lab_abs "${TOOLS:-$LAB_ROOT/build/tools}")
UPLINKD=$(lab_abs "${UPLINKD:-$LAB_ROOT/build/uplinkd}")
UPLINKCTL=$(lab_abs "${UPLINKCTL:-$LAB_ROOT/build/uplinkctl}")
export TOOLS UPLINKD UPLINKCTL

P=${P:-ul$(printf %x $$)}
RUN=$(topo_run_dir "$P")
SOCK=$RUN/ctl.sock
UPLINKD_LOG=$RUN/uplinkd.log
UPLINKD_PID=

# ---- TAP -----------------------------------------------------------------------------------

TAP_N=0
TAP_FAIL=0

plan() { echo "1..$1"; }
diag() { echo "# $*"; }
ok() { TAP_N=$((TAP_N + 1)); echo "ok $TAP_N - $*"; }
not_ok() { TAP_N=$((TAP_N + 1)); TAP_FAIL=$((TAP_FAIL + 1)); echo "not ok $TAP_N - $*"; }
# skip_all WHY: the whole scenario cannot run here for a reason no install fixes. run.sh counts
# it as skipped; with CI set (.ci/run) a skip is a failure, so it exits 1.
skip_all() {
	echo "1..0 # SKIP $*"
	if [ -n "${CI:-}" ]; then
		echo "# CI is set: a skipped scenario fails the run" >&2
		exit 1
	fi
	exit 0
}

# bail WHY: the scenario cannot run because this machine lacks what `make deps` / `make tools`
# installs: a failure with the fix in its message, never a skip.
bail() {
	echo "1..1"
	echo "not ok 1 - $*"
	echo "Bail out! $*" >&2
	exit 1
}

# need_cmd CMD...: each must be an executable path or a command on PATH; they all come with
# `make deps` (or `make tools`), so a missing one fails the scenario
need_cmd() {
	local c
	for c in "$@"; do
		case "$c" in
		*/*) [ -x "$c" ] || bail "$c missing or not executable (make deps / make tools)" ;;
		*) command -v "$c" >/dev/null || bail "no $c on PATH (make deps)" ;;
		esac
	done
}

# grepq GREP-ARGS...: `grep -q` that reads all of its input first, so the writer of a pipe
# never dies of SIGPIPE (which pipefail would turn into a false failure)
grepq() {
	local in
	in=$(cat)
	grep -q "$@" <<<"$in"
}

# json_true JQ-ARGS...: `jq -e JQ-ARGS` on stdin that fails on empty input (jq 1.6's `jq -e`
# exits 0 when there is no input at all); quiet
json_true() {
	local in
	in=$(cat)
	[ -n "$in" ] || return 1
	jq -e "$@" <<<"$in" >/dev/null
}

# check DESC CMD...: ok if CMD succeeds; otherwise not ok, with CMD's output as diagnostics
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		diag "failed: $*"
		[ -z "$out" ] || printf '%s\n' "$out" | tail -15 | sed 's/^/#   /'
	fi
}

# check_not DESC CMD...: ok if CMD fails
check_not() {
	local desc=$1
	shift
	if "$@" >/dev/null 2>&1; then
		not_ok "$desc"
		diag "succeeded but should not: $*"
	else
		ok "$desc"
	fi
}

# ---- the lab -------------------------------------------------------------------------------

lab_exit() {
	local rc=$?
	trap - EXIT
	if [ -n "$UPLINKD_PID" ] && ! stop_uplinkd; then
		diag "uplinkd still running at the end did not stop cleanly (see above)"
		rc=1
	fi
	lab_down
	[ "$TAP_FAIL" -eq 0 ] || rc=1
	exit $rc
}

lab_up() {
	local rc
	[ "$(id -u)" -eq 0 ] || skip_all "needs root"
	trap lab_exit EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	# errexit is ignored inside `f || ...`, so run it in a subshell and test after
	set +e
	(set -e; topo_up "$P")
	rc=$?
	set -e
	if [ $rc -ne 0 ]; then
		not_ok "build the lab $P"
		exit 1
	fi
}

lab_down() {
	if [ -s "$UPLINKD_LOG" ] && [ "$TAP_FAIL" -gt 0 ]; then
		diag "last lines of $UPLINKD_LOG:"
		tail -30 "$UPLINKD_LOG" | sed 's/^/#   /'
	fi
	topo_down "$P"
}

in_ns() {	# ROLE CMD...: run in PREFIX-ROLE (lan rtr isp1 isp2 core sink)
	local role=$1
	shift
	ip netns exec "$P-$role" "$@"
}

in_rtr() { ip netns exec "$P-rtr" "$@"; }

fault() {	# ISP FAULT [ARGS]: see fault.sh
	"$LAB_DIR/fault.sh" "$P" "$@"
}

# wait_for TIMEOUT_S CMD...: poll CMD every 100 ms until it succeeds; 1 after TIMEOUT_S (whole
# seconds).
# Generous timeouts are fine: tests assert behaviour, not speed.
wait_for() {
	local end=$(($(date +%s%N) / 1000000 + $1 * 1000))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $(($(date +%s%N) / 1000000)) -lt $end ] || return 1
		sleep 0.1
	done
}

# default_dev [4|6]: device of the router's main-table default route with the lowest metric
# ("dev1,dev2" for a multipath route); empty when there is none
default_dev() {
	ip -n "$P-rtr" -j -"${1:-4}" route show default table main 2>/dev/null |
		jq -r 'sort_by(.metric // 0) | .[0] // empty |
		       .dev // ([.nexthops[]?.dev] | join(","))'
}

# ping_ok ROLE ADDR [PING ARGS]: three quick pings from a namespace, one reply is enough
ping_ok() {
	local role=$1 addr=$2
	shift 2
	ip netns exec "$P-$role" ping -n -q -c 3 -i 0.2 -W 1 "$@" "$addr" >/dev/null 2>&1
}

# ---- the daemon ----------------------------------------------------------------------------

need_uplinkd() { need_cmd "$UPLINKD" "$UPLINKCTL" jq; }

# lab_conf OUT [TEMPLATE]: render uplinkd.conf.in for this lab
lab_conf() {
	mkdir -p "$RUN/state"
	sed -e "s|@SOCK@|$SOCK|g" -e "s|@STATE@|$RUN/state|g" \
		"${2:-$LAB_DIR/uplinkd.conf.in}" >"$1"
}

# start_uplinkd CONF: the daemon in the router namespace, in the foreground (-f), its
# stderr in $UPLINKD_LOG; waits until the control socket exists
start_uplinkd() {
	mkdir -p "$RUN" "$RUN/state"
	LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LAB_ROOT/test/lsan.supp:print_suppressions=0} \
		ip netns exec "$P-rtr" "$UPLINKD" -f -c "$1" </dev/null >>"$UPLINKD_LOG" 2>&1 &
	UPLINKD_PID=$!	# ip netns exec execs the daemon: same PID
	echo "$UPLINKD_PID" >"$RUN/uplinkd.pid"
	if ! wait_for 15 test -S "$SOCK"; then
		diag "uplinkd did not open $SOCK; last lines of $UPLINKD_LOG:"
		tail -20 "$UPLINKD_LOG" | sed 's/^/#   /'
		return 1
	fi
}

# sanitizer_report FILE: a report of ASan, LSan or UBSan in FILE
sanitizer_report() { grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$1"; }

# stop_uplinkd: SIGTERM by PID, wait (SIGKILL after 10 s). Fails, saying why, when the daemon
# exited non-zero or its log has a sanitizer report; returns 0 when there was none to stop.
stop_uplinkd() {
	local pid=$UPLINKD_PID rc=0
	[ -n "$pid" ] || return 0
	UPLINKD_PID=
	rm -f "$RUN/uplinkd.pid"
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null || true
		diag "uplinkd $pid ignored SIGTERM for 10 s; killed"
	fi
	wait "$pid" 2>/dev/null || rc=$?
	if [ "$rc" -ne 0 ]; then
		diag "uplinkd $pid exited $rc; last lines of $UPLINKD_LOG:"
		tail -20 "$UPLINKD_LOG" 2>/dev/null | sed 's/^/#   /'
		return 1
	fi
	if [ -f "$UPLINKD_LOG" ] && sanitizer_report "$UPLINKD_LOG"; then
		diag "sanitizer report in $UPLINKD_LOG:"
		grep -m3 -A8 -E 'AddressSanitizer|LeakSanitizer|runtime error:' "$UPLINKD_LOG" |
			sed 's/^/#   /'
		return 1
	fi
	return 0
}

# check_stop [DESC]: stop_uplinkd as a check (in this shell: it must wait for its child)
check_stop() {
	local desc=${1:-uplinkd stops cleanly (exit 0, no sanitizer report)}
	if stop_uplinkd; then ok "$desc"; else not_ok "$desc"; fi
}

uplinkd_alive() { [ -n "$UPLINKD_PID" ] && kill -0 "$UPLINKD_PID" 2>/dev/null; }

ctl() { ip netns exec "$P-rtr" "$UPLINKCTL" -s "$SOCK" "$@"; }

# uplink_field NAME FIELD: one field of `status --json` for one uplink (state, active, ...)
uplink_field() {
	ctl status --json | jq -r --arg n "$1" --arg f "$2" '.uplinks[] | select(.name == $n) | .[$f]'
}

uplink_is() { [ "$(uplink_field "$1" state 2>/dev/null)" = "$2" ]; }	# NAME STATE

# ---- daemon scenario helpers ---------------------------------------------------------------

# conf_sub CONF SED-EXPR...: edit a rendered configuration in place
conf_sub() {
	local f=$1
	shift
	local e
	for e in "$@"; do sed -i -e "$e" "$f"; done
}

status_json() { ctl status --json; }
policy_field() { ctl status --json | jq -r --arg f "$1" '.policy[$f]'; }	# FIELD
active_is() { [ "$(policy_field active 2>/dev/null)" = "$1" ]; }		# NAME
default_is() { [ "$(default_dev "${2:-4}")" = "$1" ]; }				# DEV [4|6]
# events_json: the whole journal as a JSON array
events_json() { ctl events -n 1000 --json; }
# active_events: "ts_ms name" for every BUS_ACTIVE event (switches), oldest first
active_events() { events_json | jq -r '.[] | select(.type == "active") | "\(.ts_ms) \(.new)"'; }

# start_lab_uplinkd [SED-EXPR...]: render the lab configuration, apply edits, start uplinkd
# and wait until isp1 is active with both uplinks up and settled.
start_lab_uplinkd() {
	lab_conf "$RUN/uplinkd.conf"
	[ $# -eq 0 ] || conf_sub "$RUN/uplinkd.conf" "$@"
	start_uplinkd "$RUN/uplinkd.conf"
}

settled() {	# NAME: state up and settled
	ctl status --json | json_true '[.uplinks[] | select(.name == $n)] |
		length == 1 and (.[0].state == "up" and .[0].settled)' --arg n "$1"
}
