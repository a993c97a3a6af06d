#!/bin/bash
# soak.sh - the chaos soak (issue 10): a seeded random schedule of faults in the lab for
# SOAK_MINUTES (default 10), while test/soak/monitor.py checks the invariants all the time.
#
#   make soak [SOAK_MINUTES=10] [SOAK_SEED=N]
#   test/soak/soak.sh            (root; UPLINKD, UPLINKCTL, TOOLS as for test/lab/run.sh)
#
# The lab of test/lab/topo.sh plus the remote VPN site (site.sh: charon on both ends, tunnel
# "hq"), gobgpd in both carriers and on the router feeding BMP to uplinkd (bgp.sh), the web
# page, and a hook that records every event. test/soak/schedule.py turns the seed into two
# lanes of faults that run side by side (see there): blackhole, loss, delay/jitter, carrier
# loss and ESP-only drops on the carriers; charon and gobgpd restarted, hijacks announced and
# withdrawn, BMP garbage and floods from the allowed router (127.0.0.1), BMP connections from
# a disallowed one (127.0.0.2), web clients flooding, reloads with valid and invalid files,
# SIGHUP storms.
#
# Invariants (test/soak/monitor.py): the router always has a default route; it never stays
# on a carrier with a hard fault longer than SOAK_BOUND_MS (3000; the lab's probes see a
# blackhole in about 0.9 s), and the tunnel never stays on a carrier that drops its ESP longer
# than SOAK_TUNNEL_BOUND_MS (10000; retries after a hold-down are short visits, not stays;
# charon restarts and hijacks excuse it); noise-only faults (and
# everything in the ctl lane) cause no switch; RSS and open descriptors flat after the
# warm-up (SOAK_WARMUP_S, default a fifth of the run, at least 40 s); the journal keeps every
# uplink, active (route) and tunnel event that reached the hooks; an invalid file is refused
# by a reload; uplinkd answers, survives and stops cleanly. A violation stops the soak at once
# (the monitor finds it within a step of the lanes) and prints the seed, the schedule and the
# replay command. The summary (a markdown table: count injected per fault kind, violations,
# RSS and descriptor drift) goes to stdout and to SOAK_OUT (default build/soak/last.md).
set -euo pipefail
SOAK_DIR=$(cd "$(dirname "$0")" && pwd)
. "$SOAK_DIR/../lab/lib.sh"
need_uplinkd
# what make deps and make tools install is needed, never skipped (lib.sh's need_cmd)
need_cmd gobgpd swanctl wrk curl openssl jq /usr/sbin/charon-systemd "$TOOLS/bmpgen"

MINUTES=${SOAK_MINUTES:-10}
SEED=${SOAK_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
SECONDS_TOTAL=$((MINUTES * 60))
WARMUP_S=${SOAK_WARMUP_S:-$((SECONDS_TOTAL / 5 > 40 ? SECONDS_TOTAL / 5 : 40))}
OUT=$(lab_abs "${SOAK_OUT:-$LAB_ROOT/build/soak/last.md}")
URL=http://100.80.0.1:8080
PFX=203.0.113.0/24

plan 11
lab_up
. "$LAB_DIR/bgp.sh"
. "$LAB_DIR/site.sh"
S=$RUN/soak
mkdir -p "$S" "$(dirname "$OUT")"
python3 "$SOAK_DIR/schedule.py" "$SEED" "$SECONDS_TOTAL" >"$S/schedule"
diag "seed $SEED, $MINUTES min, $(wc -l <"$S/schedule") actions; replay: make soak SOAK_SEED=$SEED SOAK_MINUTES=$MINUTES"

LANES=()
MON_PID=
soak_exit() {
	local rc=$? p
	trap - EXIT
	touch "$S/stop"
	for p in "${LANES[@]}" $MON_PID; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ "$TAP_FAIL" -gt 0 ] || [ $rc -ne 0 ]; then
		echo "# SOAK FAILED: seed $SEED, $MINUTES min; replay with:"
		echo "#   make soak SOAK_SEED=$SEED SOAK_MINUTES=$MINUTES"
		echo "# schedule (lane, second, fault, arguments):"
		sed 's/^/#   /' "$S/schedule"
		if [ -s "$S/actions.log" ]; then
			echo "# what ran (ms since the start):"
			tail -40 "$S/actions.log" | sed 's/^/#   /'
		fi
	fi
	# the evidence stays after the lab is gone
	rm -rf "${OUT%.md}-run"
	cp -r "$S" "${OUT%.md}-run" 2>/dev/null || true
	cp "$UPLINKD_LOG" "${OUT%.md}-run/" 2>/dev/null || true
	set +e	# (exit $rc) must hand rc to lab_exit, not end the script under errexit
	(exit $rc)
	lab_exit
}
trap soak_exit EXIT

# ---- the site: lab, VPN, BGP, web, hooks ----------------------------------------------------

site_up
charon_start rtr rtr
charon_start site site
site_creds psk
bgp_up
mkdir -p "$RUN/hooks"
cat >"$RUN/hooks/10-record" <<HOOK
#!/bin/sh
echo "\$UPLINKD_EVENT \$UPLINKD_OBJECT \$UPLINKD_OLD_STATE \$UPLINKD_NEW_STATE" >>"$S/hooks.log"
HOOK
chmod 755 "$RUN/hooks/10-record"
: >"$S/hooks.log"
HASH=$(openssl passwd -6 -salt uplinkdsoak soak-pass)
conf=$RUN/uplinkd.conf
bgp_conf "$conf"
conf_sub "$conf" \
	's|watch = ( {|watch = ( { prefix = "100.96.0.0/12"; origin_as = [ 64500 ]; },\n            {|'
site_ipsec_conf psk "hold_down_s = 5;" >>"$conf"
cat >>"$conf" <<CONF
web = { listen = "100.80.0.1:8080"; users = ( { name = "admin"; password_hash = "$HASH"; } ); };
hooks = { dir = "$RUN/hooks"; };
CONF
cp "$conf" "$S/conf.a"
# the valid alternative: one more watched prefix (a BGP reconfiguration, no uplink changes)
sed 's|watch = ( {|watch = ( { prefix = "198.18.0.0/15"; origin_as = [ 64500 ]; },\n            {|' \
	"$conf" >"$S/conf.b"
start_uplinkd "$conf"
ip -n "$P-lan" addr add 100.80.0.3/24 dev eth0	# the admin's desk (web-flood)

ok_setup=1
wait_for 60 eval 'settled isp1 && settled isp2 && default_is wan1' || ok_setup=0
wait_for 60 eval 'bgp_established isp1 100.64.1.2 && bgp_established isp2 100.64.2.2' || ok_setup=0
for isp in isp1 isp2; do bgp_announce $isp $PFX 64510,64500; done
wait_for 30 eval '[ "$(peer_field 100.64.1.1 routes)" -ge 1 ] && [ "$(peer_field 100.64.2.1 routes)" -ge 1 ]' ||
	ok_setup=0
wait_for 40 tunnel_on hq isp1 $SITE_A || ok_setup=0
check "the site comes up: uplinks settled on isp1, BGP fed over BMP, tunnel hq up" test $ok_setup = 1
[ $ok_setup = 1 ] || exit 1

# ---- the faults ---------------------------------------------------------------------------------

START_MS=$(($(date +%s%N) / 1000000))
echo "$START_MS" >"$S/start_ms"
: >"$S/faults.log"
: >"$S/actions.log"
: >"$S/violations.log"
ms() { echo $(($(date +%s%N) / 1000000)); }
note() { echo "$(($(ms) - START_MS)) $*" >>"$S/actions.log"; }
fault_on() { echo "$(ms) on $1 $2" >>"$S/faults.log"; }	# KIND ISP
fault_off() { echo "$(ms) off $1 $2" >>"$S/faults.log"; }
violation() { echo "$(ms) $*" >>"$S/violations.log"; }

# a step that must work; when it does not, that is a violation of its own
must() {
	local out
	if ! out=$("$@" 2>&1); then
		violation "step failed: $* -- $(echo "$out" | tail -3 | tr '\n' ' ')"
		return 1
	fi
}

# charon restarts and hijacks move the tunnel on their own: the monitor does not judge the
# tunnel on an ESP-only drop within 10 s of them
disturb_on() { touch "$S/disturb.on" "$S/disturb.last"; }
disturb_off() { rm -f "$S/disturb.on"; touch "$S/disturb.last"; }

net_action() {	# KIND ARGS...
	local kind=$1 isp=$2
	case "$kind" in
	blackhole)
		fault_on blackhole "$isp"; must fault "$isp" blackhole
		sleep "$3"
		must fault "$isp" blackhole-off; fault_off blackhole "$isp" ;;
	carrier)
		fault_on carrier "$isp"; must fault "$isp" carrier-down
		sleep "$3"
		must fault "$isp" carrier-up; fault_off carrier "$isp" ;;
	esp-drop)
		fault_on esp-drop "$isp"; must fault "$isp" esp-drop
		sleep "$3"
		must fault "$isp" esp-drop-off; fault_off esp-drop "$isp" ;;
	loss)
		fault_on loss "$isp"; must fault "$isp" loss "$3"
		sleep "$4"
		must fault "$isp" loss 0; fault_off loss "$isp" ;;
	delay)
		fault_on delay "$isp"; must fault "$isp" delay "$3" "$4"
		sleep "$5"
		must fault "$isp" delay 0 0; fault_off delay "$isp" ;;
	esac
}

gobgpd_restart() {	# ROLE
	local role=$1 f=$RUN/gobgpd-$1.pid pid
	pid=$(cat "$f")
	topo_kill_pid "$P" "$pid"
	wait_for 10 eval "! kill -0 $pid" || { echo "gobgpd $pid did not stop"; return 1; }
	bgp_start_gobgpd "$role" "$BGP_DIR/$role.toml"
	if [ "$role" != rtr ]; then	# a carrier forgets what it announced
		wait_for 30 bgp_established "$role" "100.64.${role#isp}.2" ||
			{ echo "$role: no session to the router 30 s after its restart"; return 1; }
		bgp_announce "$role" $PFX 64510,64500
	fi
}

bmp_flood() {	# MORE FLAPS: bmpgen from 127.0.0.1 (allowed), then its session ends
	local more=$1 flaps=$2
	printf 'more %s 100.96.0.0 28\nflap %s 100.64.2.1\n' "$more" "$flaps" |
		in_rtr timeout 60 "$TOOLS/bmpgen" 127.0.0.1 "$BGP_BMP_PORT" 1000 100.64.1.1 >/dev/null
}

bmp_garbage() {	# after-init | raw
	if [ "$1" = after-init ]; then
		echo garbage | in_rtr timeout 20 "$TOOLS/bmpgen" 127.0.0.1 "$BGP_BMP_PORT" 10 100.64.1.1 >/dev/null
	else
		in_rtr timeout 20 python3 -c '
import os, socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(os.urandom(4096))
s.close()' "$BGP_BMP_PORT"
	fi
}

refused() { ctl status --json | jq -r '.bgp.stats.refused // error("no bgp.stats.refused")'; }
stranger() {	# SECONDS: connections from 127.0.0.2, not in bgp.routers, announcing a hijack
	local end=$(($(ms) + $1 * 1000)) n=0 r0
	r0=$(refused)
	while [ "$(ms)" -lt $end ]; do
		# refused at accept: bmpgen's own exit status says nothing here
		echo hijack | in_rtr timeout 10 "$TOOLS/bmpgen" -b 127.0.0.2 127.0.0.1 "$BGP_BMP_PORT" 10 \
			100.64.1.1 >/dev/null 2>&1 || :
		n=$((n + 1))
		sleep 0.05
	done
	wait_for 10 eval '[ "$(refused)" -ge $((r0 + n)) ]' ||
		{ echo "$n connections from 127.0.0.2, refused counter $r0 -> $(refused)"; return 1; }
}

login() {	# SOURCE PASSWORD: the HTTP status of a login from that LAN address
	in_ns lan curl -s --max-time 10 --interface "$1" -o /dev/null -w '%{http_code}' \
		-H 'Content-Type: application/json' \
		--data "{\"user\":\"admin\",\"password\":\"$2\"}" "$URL/api/login"
}
web_flood() {	# SECONDS: wrk on the status and wrong passwords from one address; the admin
	local i code wrk	# on another address still logs in
	in_ns lan timeout $(($1 + 10)) wrk -t1 -c8 -d"$1"s "$URL/api/status" >/dev/null &
	wrk=$!
	for i in $(seq 20); do
		code=$(login 100.80.0.2 wrong) || { echo "wrong password $i: no answer"; return 1; }
		case "$code" in
		401|429) ;;
		*) echo "wrong password $i: HTTP $code"; return 1 ;;
		esac
	done
	wait $wrk || { echo "wrk failed"; return 1; }
	code=$(login 100.80.0.3 soak-pass) || { echo "the admin's login got no answer"; return 1; }
	[ "$code" = 200 ] || { echo "the admin's login from 100.80.0.3 after the flood: HTTP $code"; return 1; }
}

reload_valid() {
	if cmp -s "$conf" "$S/conf.a"; then cp "$S/conf.b" "$conf"; else cp "$S/conf.a" "$conf"; fi
	ctl reload >/dev/null
}

reload_invalid() {	# syntax|range|unknown-key: a broken file is refused, the running
	local keep rc=0	# configuration stays
	keep=$(mktemp "$S/conf.XXXXXX")
	cp "$conf" "$keep"
	case "$1" in
	syntax) echo 'uplinks = ( { name = "isp1"; ' >>"$conf" ;;
	range) sed -i 's/interval_ms = 200/interval_ms = 5/' "$conf" ;;
	*) echo 'no_such_section = { x = 1; };' >>"$conf" ;;
	esac
	ctl reload >/dev/null 2>&1 || rc=$?
	cp "$keep" "$conf"
	rm -f "$keep"
	[ $rc -ne 0 ] || { echo "the reload of an invalid file succeeded"; return 1; }
}

reloads() { grep -c "SIGHUP: reloading" "$UPLINKD_LOG" || :; }
sighup_storm() {	# N: at most one reload a second, and the last SIGHUP is not lost
	local i r0 t0 n
	r0=$(reloads)
	t0=$(ms)
	for i in $(seq "$1"); do
		kill -HUP "$UPLINKD_PID"
		sleep 0.0$((RANDOM % 5))
	done
	sleep 1.5	# the merged reload comes at most a second after the last
	n=$(($(reloads) - r0))
	if [ "$n" -lt 1 ] || [ "$n" -gt $((($(ms) - t0) / 1000 + 2)) ]; then
		echo "$1 SIGHUPs in $((($(ms) - t0) / 1000)) s gave $n reloads"
		return 1
	fi
}

ctl_action() {	# KIND ARGS...
	local kind=$1
	shift
	case "$kind" in
	charon-restart)
		disturb_on
		must charon_stop "$1"
		must charon_start "$1" "$1"
		if [ "$1" = rtr ]; then must swan rtr --load-creds --noprompt
		else must swan site --load-all --noprompt; fi
		disturb_off ;;
	gobgpd-restart) must gobgpd_restart "$1" ;;
	hijack)
		disturb_on
		must bgp_announce "$1" $PFX 64666
		must wait_for 20 has_alert "hijack:$PFX:$1"
		sleep "$2"
		must bgp_announce "$1" $PFX 64510,64500
		disturb_off ;;
	bmp-garbage) must bmp_garbage "$1" ;;
	bmp-flood) must bmp_flood "$1" "$2" ;;
	stranger) stranger "$1" ;;
	web-flood) must web_flood "$1" ;;
	reload-valid) must reload_valid ;;
	reload-invalid) must reload_invalid "$1" ;;
	sighup-storm) must sighup_storm "$1" ;;
	esac
}

lane() {	# LANE: run that lane of the schedule, each action at its second (or late), and
	local l at kind args due not_before=0	# never sooner than the quiet a hard fault needs
	# after it: steps take time, and a late fault must not eat the next one's recovery
	set +e	# a failing step is a violation (must), never the end of the lane
	RANDOM=$((SEED % 32768))	# the storms' spacing, too, follows the seed
	while read -r l at kind args; do
		[ "$l" = "$1" ] || continue
		due=$((START_MS + ${at%.*} * 1000 + ${at#*.} * 100))
		[ "$due" -ge "$not_before" ] || due=$not_before
		while [ "$(ms)" -lt $due ]; do
			[ ! -e "$S/stop" ] || return 0
			sleep 0.2
		done
		[ ! -e "$S/stop" ] || return 0
		note "$l $kind $args"
		# shellcheck disable=SC2086
		"${l}_action" "$kind" $args
		note "$l $kind done"
		case "$kind" in	# as schedule.py's RECOVER_S and the ESP-drop gap
		blackhole|carrier) not_before=$(($(ms) + 14000)) ;;
		esp-drop) not_before=$(($(ms) + 8000)) ;;
		esac
	done <"$S/schedule"
}

python3 "$SOAK_DIR/monitor.py" watch "$S" "$P" "$UPLINKD_PID" "$UPLINKCTL" "$SOCK" \
	2>"$S/monitor.err" &
MON_PID=$!
lane net &
LANES+=($!)
lane ctl &
LANES+=($!)

# wait for the lanes, stopping at the first violation
# the lanes run late: each step takes time and a hard fault's recovery is waited out
end_ms=$((START_MS + (SECONDS_TOTAL + (SECONDS_TOTAL / 4 > 120 ? SECONDS_TOTAL / 4 : 120)) * 1000))
while kill -0 "${LANES[0]}" 2>/dev/null || kill -0 "${LANES[1]}" 2>/dev/null; do
	[ ! -s "$S/violations.log" ] || break
	kill -0 "$MON_PID" 2>/dev/null || { violation "the monitor died: $(tail -3 "$S/monitor.err")"; break; }
	[ "$(ms)" -lt $end_ms ] || { violation "the lanes ran $(((end_ms - START_MS) / 1000 - SECONDS_TOTAL)) s past the schedule"; break; }
	sleep 0.5
done
if [ ! -s "$S/violations.log" ]; then
	for isp in isp1 isp2; do fault "$isp" clear; done
	# quiet: everything comes back, and the last samples show the resting daemon
	wait_for 40 eval 'settled isp1 && settled isp2 && default_is wan1 && tunnel_is hq up' ||
		violation "40 s after the last fault the site has not come back (isp1 and isp2 settled, default on wan1, tunnel hq up)"
	sleep 12
	touch "$S/quiet"	# the hooks have caught up: the report wants them equal to the journal
fi
touch "$S/stop"
for p in "${LANES[@]}"; do
	kill "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
done
LANES=()
wait "$MON_PID" || violation "the monitor exited with $?"
MON_PID=
elapsed=$((($(ms) - START_MS) / 1000))

# the hooks' log first: every event a hook has seen was journaled before it ran
cp "$S/hooks.log" "$S/hooks.snap"
ctl events -n 1000 --json >"$S/events.json" || violation "uplinkctl events failed"
summary=$(python3 "$SOAK_DIR/monitor.py" report "$S" "$S/events.json" "$S/hooks.snap" \
	"$WARMUP_S") || summary='{}'
viol() { grep -ci "$1" "$S/violations.log" || true; }
check "the router always had an IPv4 and an IPv6 default route" test "$(viol "default route in")" = 0
check "the default route never stayed on a broken carrier longer than ${SOAK_BOUND_MS:-3000} ms" \
	test "$(viol "still on wan")" = 0
check "noise, restarts, hijacks, floods and reloads caused no switch" test "$(viol "^[0-9]* switch")" = 0
check "RSS and open descriptors flat after the warm-up" test "$(viol "grew by")" = 0
check "the journal kept every uplink, route and tunnel event" test "$(viol "journal does not")" = 0
check "the tunnel never stayed on a carrier that dropped its ESP" test "$(viol "ESP-only drop")" = 0
check "every step worked, invalid files were refused, status always answered" \
	test "$(viol "step failed\|status failed\|monitor\|past the schedule\|not come back")" = 0
check "no violation at all" test ! -s "$S/violations.log"
if [ -s "$S/violations.log" ]; then
	diag "violations (ms since the epoch):"
	sed 's/^/#   /' "$S/violations.log"
fi
diag "bgp stats: $(ctl status --json | jq -c '.bgp.stats' || echo unavailable)"
check "uplinkd is still running" uplinkd_alive
rc=0
stop_uplinkd || rc=$?
check "uplinkd stops cleanly (exit $rc)" test "$rc" -eq 0

# ---- the summary ------------------------------------------------------------------------------
{
	echo "Soak: seed $SEED, $MINUTES min of faults ($elapsed s with the quiet end), warm-up $WARMUP_S s," \
		"$(basename "$UPLINKD") $(date -u +%Y-%m-%d)."
	echo
	echo "| fault kind | injected |"
	echo "|---|---|"
	grep -E '^[0-9]+ (net|ctl) [a-z-]+ ' "$S/actions.log" | grep -v ' done$' |
		awk '{ print $3 }' | sort | uniq -c | awk '{ printf "| %s | %d |\n", $2, $1 }'
	echo
	echo "| invariant result | value |"
	echo "|---|---|"
	echo "| violations | $(grep -c . "$S/violations.log" || true) |"
	echo "$summary" | jq -r '
		"| switches of the default route (all during hard faults) | \(.switches) |",
		"| longest time on a hard-faulted carrier (ms; bound '"${SOAK_BOUND_MS:-3000}"') | \(.worst_on_faulted_ms) |",
		"| longest stay of the tunnel on an ESP-dropping carrier (ms; bound '"${SOAK_TUNNEL_BOUND_MS:-10000}"') | \(.worst_tunnel_on_esp_drop_ms) |",
		"| uplink/active/tunnel events: hooks / journal | \(.hook_events) / \(.journal_events) |",
		"| RSS after warm-up: first / last (KiB, lowest of each fifth) | \(.rss_kb[0]) / \(.rss_kb[1]) |",
		"| RSS drift (KiB) | \(.rss_drift_kb) |",
		"| RSS peak after warm-up (KiB) | \(.rss_peak_kb) |",
		"| open descriptors: first / last (median of each fifth) | \(.fds[0]) / \(.fds[1]) |",
		"| descriptor drift | \(.fd_drift) |"' 2>/dev/null || echo "| summary | $summary |"
} >"$OUT"
sed 's/^/# /' "$OUT"
echo "soak: $((TAP_N - TAP_FAIL)) passed, $TAP_FAIL failed"
