#!/bin/bash
# `uplinkd -c uplinkd.conf` with a relative state_dir, detached (it changes to /): both paths
# are resolved at start, so a reload and the state files still work.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 4
lab_up
lab_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" "s|state_dir = .*|state_dir = \"relstate\";|"
mkdir -p "$RUN/relstate"
chmod 700 "$RUN/relstate"
(cd "$RUN" && LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LAB_ROOT/test/lsan.supp:print_suppressions=0} \
	ip netns exec "$P-rtr" "$UPLINKD" -c uplinkd.conf </dev/null >>"$UPLINKD_LOG" 2>&1)
check "the detached daemon opens its control socket" wait_for 15 test -S "$SOCK"
for pid in $(ip netns pids "$P-rtr"); do
	[ "$(readlink "/proc/$pid/exe" 2>/dev/null)" != "$UPLINKD" ] || UPLINKD_PID=$pid
done
diag "detached uplinkd: pid ${UPLINKD_PID:-none}"
check "isp1 comes up" wait_for 20 settled isp1
conf_sub "$RUN/uplinkd.conf" 's/priority = 20;/priority = 5;/'
check "reload after detaching reads the same file" ctl reload
check "the state files are written under the relative state_dir" \
	wait_for 10 eval '[ -n "$(ls -A "$RUN/relstate")" ]'
# not our child: stop it by PID here rather than with stop_uplinkd (which waits for a child)
kill -TERM "$UPLINKD_PID"
wait_for 10 eval '! kill -0 "$UPLINKD_PID"'
UPLINKD_PID=
