#!/bin/bash
# Least privilege: uplinkd started as root becomes its user (-u, here `nobody`) with only
# CAP_NET_ADMIN and CAP_NET_RAW (effective, permitted and bounding), no_new_privs, its
# state_dir 0700 and its socket's directory 0750 given to that user, and it still fails
# over. Without a user it keeps uid 0 but the same two capabilities; an unknown user
# stops it before anything starts.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
plan 12
lab_up

NOBODY=$(id -u nobody)
NET_ADMIN_RAW=0000000000003000	# bits 12 (CAP_NET_ADMIN) and 13 (CAP_NET_RAW)

proc_field() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }	# PID FIELD

SOCK=$RUN/ctl/ctl.sock
lab_conf "$RUN/uplinkd.conf"
rm -rf "$RUN/state"	# uplinkd creates it, for its user
mkdir -p "$RUN/hooks" "$RUN/hookout"
chmod 1777 "$RUN/hookout"	# the hook runs as nobody
cat >"$RUN/hooks/10-caps" <<HOOK
#!/bin/sh
grep -E '^(Uid|CapEff|CapPrm|CapBnd):' /proc/self/status >"$RUN/hookout/caps"
HOOK
chmod 755 "$RUN/hooks/10-caps"
conf_sub "$RUN/uplinkd.conf" "\$a hooks = { dir = \"$RUN/hooks\"; };" \
	"s|socket = \"[^\"]*\"|socket = \"$SOCK\"|"
mkdir -p "$RUN"
LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LAB_ROOT/test/lsan.supp:print_suppressions=0} \
	ip netns exec "$P-rtr" "$UPLINKD" -f -u nobody -c "$RUN/uplinkd.conf" \
	</dev/null >>"$UPLINKD_LOG" 2>&1 &
UPLINKD_PID=$!
echo "$UPLINKD_PID" >"$RUN/uplinkd.pid"
wait_for 15 test -S "$SOCK" || diag "no control socket at $SOCK"

check "isp1 and isp2 come up as user nobody" wait_for 20 eval 'settled isp1 && settled isp2'
check "the daemon's uid is nobody's ($NOBODY)" eval \
	'[ "$(proc_field "$UPLINKD_PID" Uid)" = "$NOBODY" ]'
diag "CapEff $(proc_field "$UPLINKD_PID" CapEff) CapPrm $(proc_field "$UPLINKD_PID" CapPrm) CapBnd $(proc_field "$UPLINKD_PID" CapBnd)"
check "CapEff, CapPrm and CapBnd hold exactly NET_ADMIN and NET_RAW" eval \
	'[ "$(proc_field "$UPLINKD_PID" CapEff)" = $NET_ADMIN_RAW ] &&
	 [ "$(proc_field "$UPLINKD_PID" CapPrm)" = $NET_ADMIN_RAW ] &&
	 [ "$(proc_field "$UPLINKD_PID" CapBnd)" = $NET_ADMIN_RAW ]'
check "no_new_privs is set" eval '[ "$(proc_field "$UPLINKD_PID" NoNewPrivs)" = 1 ]'
check "state_dir is nobody's, mode 700" eval \
	'[ "$(stat -c "%u %a" "$RUN/state")" = "$NOBODY 700" ]'
check "the control socket's directory is nobody's, mode 750; the socket 660" eval \
	'[ "$(stat -c "%u %a" "$RUN/ctl")" = "$NOBODY 750" ] && [ "$(stat -c %a "$SOCK")" = 660 ]'
fault isp1 blackhole
check "without root it still moves the default route to wan2" wait_for 20 default_is wan2
check "a hook ran without any capability" eval \
	'wait_for 10 test -s "$RUN/hookout/caps" && grep -q "^CapEff:.*0000000000000000" "$RUN/hookout/caps" &&
	 grep -q "^Uid:.*$NOBODY" "$RUN/hookout/caps"'
stop_uplinkd && rc=0 || rc=$?
check "it stops cleanly (exit $rc)" test "$rc" -eq 0

# without a user: uid 0, the same two capabilities (and no way into nobody's 0700 state_dir
# any more, which is the point: a fresh one)
fault isp1 clear
SOCK=$RUN/ctl.sock
lab_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" "s|state_dir = \"[^\"]*\"|state_dir = \"$RUN/state-root\"|"
start_uplinkd "$RUN/uplinkd.conf"
check "without a user it keeps uid 0 with CapEff NET_ADMIN and NET_RAW only" eval \
	'[ "$(proc_field "$UPLINKD_PID" Uid | cut -c1)" = 0 ] &&
	 [ "$(proc_field "$UPLINKD_PID" CapEff)" = $NET_ADMIN_RAW ] &&
	 [ "$(proc_field "$UPLINKD_PID" CapBnd)" = $NET_ADMIN_RAW ]'
stop_uplinkd && rc=0 || rc=$?
check "and stops cleanly (exit $rc)" test "$rc" -eq 0

said=$(in_rtr "$UPLINKD" -f -u no-such-user-x -c "$RUN/uplinkd.conf" 2>&1 </dev/null) && rc=0 || rc=$?
diag "$(printf "%s\n" "$said" | tail -1)"
check "an unknown user stops it at once, saying what to do (exit $rc)" eval \
	'[ $rc -eq 1 ] && [[ "$said" == *"user \"no-such-user-x\" does not exist; create it"*"; nothing was started"* ]]'
