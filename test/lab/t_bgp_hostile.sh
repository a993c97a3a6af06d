#!/bin/bash
# BMP from strangers: only bgp.routers may feed the station. A speaker connecting from
# 127.0.0.2 (not listed) again and again, each time announcing a hijack of the watched prefix
# for carrier peer 100.64.1.1, causes no alert, no steering and no prefix route; meanwhile the
# real router (gobgpd on 127.0.0.1) connects and feeds its views, and the refusals are counted
# and logged at a limited rate. A real hijack seen by the real router is still acted on. An
# allowed connection that never sends its Initiation is closed after the deadline.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need_uplinkd
need_cmd gobgpd gobgp "$TOOLS/bmpgen"
plan 10
lab_up
. "$LAB_DIR/bgp.sh"
PFX=203.0.113.0/24

bgp_conf "$RUN/uplinkd.conf"
conf_sub "$RUN/uplinkd.conf" 's/tunnel = "hq"; }/tunnel = "hq"; route = true; }/'
start_uplinkd "$RUN/uplinkd.conf"
prefix_route() { in_rtr ip -4 route show "$PFX" proto 77; }
refused() { ctl status --json | jq '.bgp.stats.refused'; }

# the stranger: connects from 127.0.0.2, announces its table and the hijack, in a loop
(
	while :; do
		echo hijack | in_rtr "$TOOLS/bmpgen" -b 127.0.0.2 127.0.0.1 "$BGP_BMP_PORT" 10 \
			100.64.1.1 >/dev/null 2>&1 || true
		sleep 0.02
	done
) &
echo $! >"$RUN/stranger.pid"
check "connections from 127.0.0.2 are refused and counted" wait_for 20 eval '[ "$(refused)" -ge 20 ]'

# the real router starts while the stranger keeps trying
bgp_up
check "gobgpd sessions to the site router are up" \
	wait_for 40 eval 'bgp_established isp1 100.64.1.2 && bgp_established isp2 100.64.2.2'
bgp_announce isp1 $PFX 64510,64500
bgp_announce isp2 $PFX 64510,64500
check "the real router's session feeds both carriers' views" wait_for 30 eval \
	'[ "$(peer_field 100.64.1.1 routes)" = 1 ] && [ "$(peer_field 100.64.2.1 routes)" = 1 ] &&
	 [ "$(ctl status --json | jq "[.bgp.sessions[] | select(.router | startswith(\"router 127.0.0.1 \"))] | length")" = 1 ]'
sleep 3	# the stranger goes on trying meanwhile
n=$(refused)
diag "refused so far: $n"
check "no session from 127.0.0.2 was ever kept" eval \
	'[ "$(ctl status --json | jq "[.bgp.sessions[] | select(.router | startswith(\"router 127.0.0.2 \"))] | length")" = 0 ] && [ "$n" -ge 50 ]'
check "the stranger's hijack raised no alert, no steering, no prefix route" eval \
	'no_alerts && ! events_json | json_true "any(.[]; .type == \"steer\")" >/dev/null &&
	 [ -z "$(prefix_route)" ]'
logged=$(grep -c "127.0.0.2 is not in bgp.routers" "$UPLINKD_LOG" || true)
diag "refusal log lines: $logged for $n refusals"
check "refusals are logged at a limited rate" eval '[ "$logged" -ge 1 ] && [ "$logged" -lt "$n" ]'
kill "$(cat "$RUN/stranger.pid")" 2>/dev/null || true
wait "$(cat "$RUN/stranger.pid")" 2>/dev/null || true

# the real router's view is still acted on
bgp_announce isp1 $PFX 64666
check "a hijack seen by the real router is alerted and routed around" wait_for 15 eval \
	'has_alert hijack:$PFX:isp1 && prefix_route | grepq "via 100.64.2.1 dev wan2"'

# an allowed connection that never says who it is
in_rtr python3 - "$BGP_BMP_PORT" <<'PY' >"$RUN/silent.out" 2>&1 || true
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.settimeout(40)
t0 = time.time()
try:
    data = s.recv(1)
except OSError:
    data = b""
print("closed after %.0f s" % (time.time() - t0) if data == b"" else "not closed")
PY
diag "$(cat "$RUN/silent.out")"
check "a session without an Initiation is closed after the deadline" eval \
	'grep -q "^closed after" "$RUN/silent.out" &&
	 [ "$(ctl status --json | jq .bgp.stats.init_timeouts)" -ge 1 ] &&
	 grep -q "no Initiation message within 10 s" "$UPLINKD_LOG"'
check "uplinkd is still running" uplinkd_alive
rc=0
stop_uplinkd || rc=$?
check "uplinkd stops cleanly (exit 0, no sanitizer report)" test "$rc" -eq 0
