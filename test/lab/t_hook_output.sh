#!/bin/bash
# Where hooks' output goes. Detached without a syslog socket, uplinkd logs to the stderr it was
# started with, and what hooks print goes there too (it used to vanish). Started with stdout and
# stderr closed, nothing uplinkd opens later becomes "stderr": the journal stays JSON lines.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
[ ! -S /dev/log ] || skip_all "a syslog daemon listens at /dev/log; the log would go there"
plan 6
lab_up
mkdir -p "$RUN/hooks"
cat >"$RUN/hooks/10-say" <<'HOOK'
#!/bin/sh
echo "hook-stdout $UPLINKD_EVENT $UPLINKD_OBJECT"
echo "hook-stderr $UPLINKD_EVENT $UPLINKD_OBJECT" >&2
HOOK
chmod 755 "$RUN/hooks/10-say"
lab_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" "\$a hooks = { dir = \"$RUN/hooks\"; };"

daemon_pid() {	# the detached uplinkd in the router namespace
	local p
	for p in $(ip netns pids "$P-rtr"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = uplinkd ] && echo "$p"
	done
	return 0
}
stop_detached() {
	local pid
	pid=$(daemon_pid)
	[ -n "$pid" ] || return 0
	kill -TERM $pid
	for _ in $(seq 100); do
		kill -0 $pid 2>/dev/null || return 0
		sleep 0.1
	done
	return 1
}

# detached, stderr to a file
in_rtr "$UPLINKD" -c "$RUN/uplinkd.conf" </dev/null >/dev/null 2>"$RUN/detached.log"
check "detached uplinkd answers" wait_for 15 eval 'ctl status --json >/dev/null'
check "it logs to its stderr" wait_for 5 grep -E "no syslog socket at /dev/log; logging to stderr" "$RUN/detached.log"
check "hooks' stdout reaches the log" wait_for 10 grep -E "^hook-stdout [a-z]+ " "$RUN/detached.log"
check "hooks' stderr reaches the log" grep -E "^hook-stderr [a-z]+ " "$RUN/detached.log"
check "it stops on SIGTERM" stop_detached

# foreground, stdout and stderr closed
rm -f "$RUN/state/journal.jsonl"
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LAB_ROOT/test/lsan.supp:print_suppressions=0} \
	ip netns exec "$P-rtr" "$UPLINKD" -f -c "$RUN/uplinkd.conf" </dev/null >&- 2>&- &
UPLINKD_PID=$!
wait_for 15 test -S "$SOCK"
wait_for 10 eval 'settled isp1'
stop_uplinkd
check "with 1 and 2 closed the journal holds JSON lines only" \
	eval 'jq -c . "$RUN/state/journal.jsonl" >/dev/null && ! grep -E "hook-std|notice:|info:" "$RUN/state/journal.jsonl"'
