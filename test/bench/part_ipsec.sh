#!/bin/bash
# part_ipsec.sh - `make bench` part: IPsec tunnel steering (test/bench/run.sh run_parts).
#
# Outage is loss-derived, as in run.sh: the office LAN host sends a numbered UDP packet every
# millisecond through the tunnel to the site's LAN host (test/lab/site.sh); the longest run of
# missing packets across the fault is the outage. Faults on isp1: esp-drop (ESP-in-UDP dropped,
# IKE and ping pass: uplinkd must see the stall and move the tunnel) and blackhole (the default
# route moves and the tunnel follows). Default tunnel settings (poll 1 s, esp_stall_s 3,
# connect by re-initiating). Each run uses a fresh lab.
#
# CPU: uplinkd polling 100 tunnels once a second against a fake VICI server (a small Python
# responder in the router namespace answering list-sas with 100 IKE_SAs, each with an
# INSTALLED CHILD_SA and moving counters); uplinkd's own CPU time over BENCH_STEADY_S.
set -eu
ROOT=${ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
P=ulq$(printf %x $$)
. "$ROOT/test/lab/lib.sh"
. "$ROOT/test/lab/site.sh"
REPS=${REPS:-5}
T=${PART_TMP:-$(mktemp -d)}
mkdir -p "$T"
trap 'stop_uplinkd >/dev/null 2>&1 || true; topo_down "$P" >/dev/null 2>&1' EXIT

median() { sort -n | awk '{v[NR]=$1} END {if (NR==0) print "n/a"; else if (NR%2) print v[(NR+1)/2]; else printf "%.1f\n", (v[NR/2]+v[NR/2+1])/2}'; }
worst() { sort -n | tail -1; }

lab() {	# a fresh lab with the tunnel up on isp1; 1 if it did not come up
	topo_up "$P" >/dev/null
	site_up
	charon_start rtr rtr
	charon_start site site
	site_creds psk
	lab_conf "$RUN/uplinkd.conf"
	site_ipsec_conf psk "${EXTRA:-}" >>"$RUN/uplinkd.conf"
	start_uplinkd "$RUN/uplinkd.conf" >/dev/null
	wait_for 30 eval 'settled isp1 && settled isp2 && default_is wan1' &&
		wait_for 30 tunnel_on hq isp1 $SITE_A
}

# tunnel_outage FAULT: ms of the longest gap of a 1 ms UDP stream LAN -> site LAN
tunnel_outage() {
	local recv send
	lab || { echo "bench: ipsec: the tunnel did not come up" >&2; return 1; }
	in_ns slan "$TOOLS/udpseq" recv --port 9000 --duration 14 --json >"$T/recv.json" &
	recv=$!
	sleep 0.2
	in_ns lan "$TOOLS/udpseq" send --to 100.81.0.2:9000 --interval-us 1000 --count 12000 \
		>/dev/null 2>&1 &
	send=$!
	sleep 2
	fault isp1 "$1"
	wait "$send" || true
	wait "$recv" || true
	stop_uplinkd >/dev/null || true
	jq -r '.max_gap.ms' "$T/recv.json"
}

row_outage() {	# LABEL FAULT GOAL (env EXTRA: more tunnel keys)
	local i r
	: >"$T/o"
	for i in $(seq "$REPS"); do
		r=$(tunnel_outage "$2") || r=
		echo "bench: ipsec: $1 run $i: outage ${r:-failed} ms" >&2
		[ -z "$r" ] || [ "$r" = null ] || echo "$r" >>"$T/o"
	done
	echo "| $1 | $(median <"$T/o") ms | $(worst <"$T/o") ms | $3 |"
}

row_outage "IPsec: tunnel outage, ESP-only drop on isp1 (defaults: poll 1 s, esp_stall_s 3, re-initiate)" \
	esp-drop "< 5000 ms"
row_outage "IPsec: tunnel outage, isp1 blackhole (tunnel follows the default route)" \
	blackhole "< 5000 ms"
EXTRA='steer = "mobike";' row_outage \
	"IPsec: tunnel outage, isp1 blackhole, steer = mobike (falls back to re-initiate after connect_timeout_s when charon keeps the path)" \
	blackhole "re-initiate is the default if faster"
EXTRA='steer = "mobike";' row_outage \
	"IPsec: tunnel outage, ESP-only drop, steer = mobike (the route stays: re-initiate after connect_timeout_s)" \
	esp-drop "re-initiate is the default if faster"

# ---- CPU of polling 100 tunnels once a second --------------------------------------------

cat >"$T/fake_vici.py" <<'PY'
# A fake charon for the bench: answers event registrations, load-conn, initiate, terminate,
# and list-sas with one ESTABLISHED IKE_SA per loaded connection (child "net" INSTALLED,
# counters growing by one packet each way per call).
import os, socket, struct, sys
path = sys.argv[1]
try: os.unlink(path)
except FileNotFoundError: pass
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM); srv.bind(path); srv.listen(4)
def seg(b): return struct.pack('>I', len(b)) + b
def kv(k, v): return bytes([3, len(k)]) + k.encode() + struct.pack('>H', len(v)) + v.encode()
def sec(n, body): return bytes([1, len(n)]) + n.encode() + body + bytes([2])
conns, calls = {}, 0
def list_sa(name, local, remote, uid, n):
    child = sec('net-%d' % uid, kv('name', 'net') + kv('uniqueid', str(uid)) + kv('state', 'INSTALLED')
        + kv('spi-in', '%08x' % (0xc0000000 + uid)) + kv('bytes-in', str(84 * n)) + kv('packets-in', str(n))
        + kv('use-in', '0') + kv('bytes-out', str(84 * n)) + kv('packets-out', str(n)) + kv('use-out', '0'))
    body = sec(name, kv('uniqueid', str(uid)) + kv('state', 'ESTABLISHED') + kv('local-host', local)
        + kv('remote-host', remote) + sec('child-sas', child))
    return seg(bytes([7, 7]) + b'list-sa' + body)
def parse_load(msg):
    # the connection name and the first local/remote address, enough for this bench
    name = msg[2:2 + msg[1]].decode(); i = 2 + msg[1]; addrs = {}
    cur = None
    while i < len(msg):
        t = msg[i]; i += 1
        if t in (1, 4):
            n = msg[i]; cur = msg[i + 1:i + 1 + n].decode(); i += 1 + n
        elif t in (2, 6): cur = None
        elif t == 3:
            n = msg[i]; i += 1 + n; l = struct.unpack('>H', msg[i:i + 2])[0]; i += 2 + l
        elif t == 5:
            l = struct.unpack('>H', msg[i:i + 2])[0]
            addrs.setdefault(cur, msg[i + 2:i + 2 + l].decode()); i += 2 + l
    return name, addrs.get('local_addrs', '?'), addrs.get('remote_addrs', '?')
while True:
    c, _ = srv.accept(); buf = b''
    while True:
        d = c.recv(65536)
        if not d: break
        buf += d
        while len(buf) >= 4 and len(buf) >= 4 + struct.unpack('>I', buf[:4])[0]:
            l = struct.unpack('>I', buf[:4])[0]; p = buf[4:4 + l]; buf = buf[4 + l:]
            t = p[0]; name = p[2:2 + p[1]].decode() if t in (0, 3) else ''
            if t == 3: c.sendall(seg(b'\x05')); continue
            msg = p[2 + p[1]:]
            if name == 'list-sas':
                calls += 1
                out = b''.join(list_sa(n, lo, re, i + 1, calls) for i, (n, (lo, re)) in enumerate(sorted(conns.items())))
                c.sendall(out + seg(b'\x01'))
            elif name == 'load-conn':
                n, lo, re = parse_load(msg); conns[n] = (lo, re)
                c.sendall(seg(b'\x01' + kv('success', 'yes')))
            else:
                c.sendall(seg(b'\x01' + kv('success', 'yes')))
PY

topo_up "$P" >/dev/null
lab_conf "$RUN/uplinkd.conf"
{
	echo 'ipsec = { vici = "'"$RUN"'/fake.vici"; poll_ms = 1000; tunnels = ('
	for i in $(seq 0 99); do
		[ "$i" -eq 0 ] || echo ","
		echo "{ name = \"t$i\"; ike = \"t$i\"; child = \"net\"; remotes = [ \"203.0.113.10\" ];
		  local_ts = [ \"100.80.$i.0/24\" ]; remote_ts = [ \"100.81.$i.0/24\" ]; }"
	done
	echo '); };'
} >>"$RUN/uplinkd.conf"
in_rtr python3 "$T/fake_vici.py" "$RUN/fake.vici" >"$T/fake.log" 2>&1 &
echo $! >"$RUN/fake_vici.pid"
wait_for 10 test -S "$RUN/fake.vici"
start_uplinkd "$RUN/uplinkd.conf" >/dev/null
if wait_for 30 eval '[ "$(ctl status --json | jq "[.tunnels[] | select(.state == \"up\")] | length")" = 100 ]'; then
	pid=$UPLINKD_PID
	hz=$(getconf CLK_TCK)
	t0=$(date +%s%N)
	c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	sleep "${BENCH_STEADY_S:-30}"
	c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	t1=$(date +%s%N)
	cpu=$(awk -v c=$((c1 - c0)) -v hz="$hz" -v ns=$((t1 - t0)) 'BEGIN {printf "%.2f", 100 * c / hz / (ns / 1e9)}')
	echo "bench: ipsec: 100 tunnels polled once a second: ${cpu}% CPU" >&2
	echo "| IPsec: uplinkd CPU polling 100 tunnels once a second (fake VICI server) | ${cpu} % | ${cpu} % | < 5 % |"
else
	echo "bench: ipsec: the 100 fake tunnels did not come up" >&2
	echo "| IPsec: uplinkd CPU polling 100 tunnels once a second | failed | failed | < 5 % |"
fi
stop_uplinkd >/dev/null || true
