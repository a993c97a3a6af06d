#!/bin/bash
# The command line as an operator meets it on a first day, in the router namespace:
# `uplinkd -t` with a typo'd interface warns with file and line and exits 0, with mistakes it
# prints every error in line order and exits 1; a reload with the typo is applied and says the
# warning in the log and the journal. Without -f and without a syslog socket at /dev/log, the
# log of the detached daemon reaches stderr (start, warnings, stop) instead of vanishing; with
# a syslog socket it goes there. /dev is replaced only inside private mount namespaces.
# `uplinkd --replay` of a TABLE_DUMP (v1) dump finds the hijack in it, and stops on SIGINT
# (exit 130) and SIGTERM (exit 143) with a message: the signal is made pending before exec,
# as a Ctrl-C that lands while the dump is read, so the check does not race the replay.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd unshare socat
plan 17
lab_up
lab_conf "$RUN/uplinkd.conf"
# A hooks directory that exists, so the only warning -t has to give is the typo's
# (without it, -t also warns that /etc/uplinkd/hooks.d is missing, as on a bare CI machine).
mkdir -m 755 "$RUN/hooks.d"
echo "hooks = { dir = \"$RUN/hooks.d\"; };" >>"$RUN/uplinkd.conf"
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$LAB_ROOT/test/lsan.supp:print_suppressions=0}

# ---- uplinkd -t --------------------------------------------------------------------------

cp "$RUN/uplinkd.conf" "$RUN/typo.conf"
conf_sub "$RUN/typo.conf" 's/interface = "wan2"/interface = "wna2"/'
line=$(grep -n '"wna2"' "$RUN/typo.conf" | cut -d: -f1)
said=$(in_rtr "$UPLINKD" -t -c "$RUN/typo.conf" 2>&1) && rc=0 || rc=$?
diag "uplinkd -t said: $said"
check "uplinkd -t with a typo'd interface exits 0 (a warning, not an error)" test "$rc" -eq 0
check "it warns with file and line, and names the interfaces there are" eval \
	'[[ "$said" == *"typo.conf:$line: warning: uplinks.[1].interface: \"wna2\" does not exist now (there are: "*wan2* ]] &&
	 [[ "$said" == *"configuration OK (2 uplinks, 1 warning)"* ]]'

cp "$RUN/uplinkd.conf" "$RUN/bad.conf"
conf_sub "$RUN/bad.conf" '1i colour = "red";' '0,/interval_ms = 200;/s//interval_ms = 20;/' \
	's/interface = "wan2"/interface = wan2/'
said=$(in_rtr "$UPLINKD" -t -c "$RUN/bad.conf" 2>&1) && rc=0 || rc=$?
diag "uplinkd -t said: $said"
check "uplinkd -t with a syntax error exits 1 and says what to do" eval \
	'[ "$rc" -eq 1 ] && [[ "$said" == *"bad.conf:12: syntax error: wan2 is neither a number nor quoted text;"*"\"wan2\""* ]]'
conf_sub "$RUN/bad.conf" 's/interface = wan2/interface = "wan2"/'
said=$(in_rtr "$UPLINKD" -t -c "$RUN/bad.conf" 2>&1) && rc=0 || rc=$?
diag "uplinkd -t said: $said"
check "uplinkd -t prints every error in line order and exits 1" eval \
	'[ "$rc" -eq 1 ] && [ "$(printf "%s\n" "$said" | grep -c "^$RUN/bad.conf:")" = 2 ] &&
	 printf "%s\n" "$said" | sed -n 1p | grepq "bad.conf:1: colour: unknown key" &&
	 printf "%s\n" "$said" | sed -n 2p | grepq "bad.conf:10: uplinks.\[0\].probes.\[0\].interval_ms: 20 is below 50"'

# ---- reload with a warning -----------------------------------------------------------------

start_uplinkd "$RUN/uplinkd.conf"
check "isp1 comes up" wait_for 20 eval 'settled isp1'
cp "$RUN/typo.conf" "$RUN/uplinkd.conf"
check "a reload with a typo'd interface is applied" ctl reload
check "... and warns in the log and in the journal" eval \
	'grep -q "warning: uplinks.\[1\].interface: \"wna2\" does not exist now" "$UPLINKD_LOG" &&
	 events_json | json_true "any(.[]; .type == \"config\" and .new == \"loaded\" and
	                       (.reason | contains(\"warning: \") and contains(\"wna2\")))" >/dev/null'
rc=0
stop_uplinkd || rc=$?
check "uplinkd stops cleanly" test "$rc" -eq 0

# ---- logging without -f ----------------------------------------------------------------------

# detached PIDFILE FILE: the PID the detached daemon wrote in its first log line, once it is up
# and is our uplinkd with our configuration
detached_pid() {
	local pid
	pid=$(sed -n 's/.*starting with .* (pid \([0-9]*\)).*/\1/p' "$1" | head -1)
	[ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grepq -F -- "$RUN/typo.conf" &&
		echo "$pid"
}

# stop_detached PID: SIGTERM by PID and wait until it is gone (it is not our child)
stop_detached() {
	kill -TERM "$1" 2>/dev/null || return 1
	wait_for 15 eval "! kill -0 $1 2>/dev/null"
}

# nodev_run SYSLOG CMD...: CMD in the router namespace with a private, empty /dev (only
# /dev/null, and /dev/log -> SYSLOG unless SYSLOG is empty)
touch "$RUN/devnull"
nodev_run() {
	local syslog=$1
	shift
	in_rtr unshare -m --propagation private sh -ec '
		mount --bind /dev/null "$1"
		mount -t tmpfs -o mode=755 uplinkd-lab-dev /dev
		touch /dev/null
		mount --bind "$1" /dev/null
		[ -z "$2" ] || ln -s "$2" /dev/log
		shift 2
		exec "$@"' nodev "$RUN/devnull" "$syslog" "$@"
}

cp "$RUN/typo.conf" "$RUN/uplinkd.conf"
nodev_run "" "$UPLINKD" -c "$RUN/typo.conf" </dev/null >"$RUN/stdout.txt" 2>"$RUN/stderr.txt" &&
	rc=0 || rc=$?
check "without -f it detaches (the parent exits 0)" test "$rc" -eq 0
pid=
wait_for 20 eval 'pid=$(detached_pid "$RUN/stderr.txt") && [ -S "$SOCK" ]' ||
	diag "no detached daemon with a control socket within 20 s (the checks below need one)"
[ -z "$pid" ] || echo "$pid" >"$RUN/detached.pid"
diag "stderr of the detached daemon:"
head -8 "$RUN/stderr.txt" | sed 's/^/#   /'
check "without a syslog socket its log reaches stderr: start, the missing syslog, the warning" eval \
	'[ -n "$pid" ] && grep -q "notice: no syslog socket at /dev/log; logging to stderr" "$RUN/stderr.txt" &&
	 grep -q "warning: .*typo.conf:$line: warning: uplinks.\[1\].interface: \"wna2\"" "$RUN/stderr.txt"'
check "the detached daemon answers on its control socket" wait_for 20 eval 'settled isp1'
check "it stops on SIGTERM and says so on stderr, without a sanitizer report" eval \
	'[ -n "$pid" ] && stop_detached "$pid" && grep -q "uplinkd stopped$" "$RUN/stderr.txt" &&
	 ! sanitizer_report "$RUN/stderr.txt"'
rm -f "$RUN/detached.pid" "$SOCK"

# with a syslog socket (socat as syslogd), the log goes there and stderr stays quiet
in_rtr socat -u UNIX-RECV:"$RUN/log.sock" OPEN:"$RUN/syslog.txt",creat,append &
echo $! >"$RUN/socat.pid"
wait_for 10 test -S "$RUN/log.sock" || diag "socat did not create $RUN/log.sock"
nodev_run "$RUN/log.sock" "$UPLINKD" -c "$RUN/typo.conf" </dev/null >"$RUN/stdout2.txt" \
	2>"$RUN/stderr2.txt" && rc=0 || rc=$?
pid=
wait_for 20 eval 'pid=$(detached_pid "$RUN/syslog.txt") && [ -S "$SOCK" ]' ||
	diag "no detached daemon with a control socket within 20 s (the checks below need one)"
[ -z "$pid" ] || echo "$pid" >"$RUN/detached.pid"
check "with a syslog socket the log goes to syslog, not to stderr" eval \
	'[ "$rc" -eq 0 ] && [ -n "$pid" ] && grep -q "uplinkd\[$pid\]: uplinkd .* starting with" "$RUN/syslog.txt" &&
	 grep -q "uplinkd\[$pid\]: .*typo.conf:$line: warning:" "$RUN/syslog.txt" && [ ! -s "$RUN/stderr2.txt" ]'
check "it stops on SIGTERM" eval '[ -n "$pid" ] && stop_detached "$pid"'
rm -f "$RUN/detached.pid"
kill -TERM "$(cat "$RUN/socat.pid")" 2>/dev/null || true
rm -f "$RUN/socat.pid"

# ---- uplinkd --replay ----------------------------------------------------------------------

# the hand-built TABLE_DUMP records (test/unit/mrt_table_dump_v1.h), 200000 times
python3 -c 'import sys; d = open(sys.argv[1], "rb").read(); open(sys.argv[2], "wb").write(d * 200000)' \
	"$LAB_ROOT/test/fuzz/corpus/mrt/hand-table-dump-v1.bin" "$RUN/v1.mrt"
cat "$RUN/uplinkd.conf" - >"$RUN/replay.conf" <<EOF
bgp = { peers = ( { address = "100.64.1.1"; uplink = "isp1"; } );
  watch = ( { prefix = "203.0.113.0/24"; origin_as = [ 64500 ];
              upstream_as = [ 64510, 64511 ]; } ); };
EOF
said=$("$UPLINKD" --replay "$RUN/v1.mrt" -c "$RUN/replay.conf" 2>"$RUN/replay.err") && rc=0 || rc=$?
diag "replay: $(cat "$RUN/replay.err")"
check "uplinkd --replay reads a TABLE_DUMP (v1) dump and finds the hijack in it" eval \
	'[ "$rc" -eq 0 ] && grep -q "400000 records, 400000 RIB entries, .* 0 skipped" "$RUN/replay.err" &&
	 printf "%s\n" "$said" |
	 json_true -s "any(.[]; .object == \"hijack:203.0.113.0/24:isp1\" and .new == \"raised\")"'

# with_pending SIG CMD...: CMD with SIG blocked and pending, as when it lands during the read
with_pending() {
	python3 -c 'import os, signal, sys
s = getattr(signal, sys.argv[1])
signal.pthread_sigmask(signal.SIG_BLOCK, [s])
os.kill(os.getpid(), s)
os.execv(sys.argv[2], sys.argv[2:])' "$@"
}
for sig in INT TERM; do
	want=$([ $sig = INT ] && echo 130 || echo 143)
	with_pending SIG$sig "$UPLINKD" --replay "$RUN/v1.mrt" -c "$RUN/replay.conf" \
		>"$RUN/replay.out" 2>"$RUN/replay.err" && rc=0 || rc=$?
	diag "replay with SIG$sig pending: exit $rc: $(cat "$RUN/replay.err")"
	check "uplinkd --replay stops on SIG$sig between records, exit $want, and says so" eval \
		'[ "$rc" -eq "$want" ] && ! grep -q Sanitizer "$RUN/replay.err" &&
		 grep -q "^uplinkd: $RUN/v1.mrt: interrupted by SIG$sig after 0 records; stopped$" \
			"$RUN/replay.err"'
done
rm -f "$RUN/v1.mrt"
