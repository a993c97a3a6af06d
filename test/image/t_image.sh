#!/bin/bash
# t_image.sh IMAGE_DIR - the image lab: the booted qemu-x86_64 image (Debian's kernel, under
# software emulation) is the router of the lab network; ISPs, core, sink, remote site and
# LAN host stay namespaces on this host (test/image/qemu.sh). One boot serves every
# scenario, each leaving the guest as it found it. TAP on stdout; timings as "# bench:" lines
# (test/bench/run.sh reads them).
set -euo pipefail
IMAGE=$(cd "${1:-build/image/qemu-x86_64}" && pwd)
. "$(dirname "$0")/qemu.sh"
. "$LAB_DIR/site.sh"
. "$(dirname "$0")/ipsec.sh"

[ -f "$IMAGE/vmlinuz" ] && [ -f "$IMAGE/rootfs.cpio.gz" ] ||
	{ echo "1..1"; echo "not ok 1 - no image in $IMAGE: make image BOARD=qemu-x86_64"; exit 1; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "1..1"; echo "not ok 1 - qemu-system-x86_64 missing: make deps"; exit 1; }
[ -x "$TOOLS/udpseq" ] || { echo "1..1"; echo "not ok 1 - $TOOLS/udpseq missing: make tools"; exit 1; }

plan 42
lab_up
bench() { echo "# bench: $*"; }

gctl() { guest uplinkctl "$@"; }
g_field() {	# UPLINK FIELD (uplinkctl in the guest, jq here)
	gctl status --json | jq -r --arg n "$1" --arg f "$2" '.uplinks[] | select(.name == $n) | .[$f]'
}
g_state_is() { [ "$(g_field "$1" state 2>/dev/null)" = "$2" ]; }
g_active_is() { [ "$(gctl status --json | jq -r .policy.active)" = "$1" ]; }
# busybox sh in the guest prefers its own applets: iproute2's ip and tc by their paths
g_default_dev() { guest /usr/sbin/ip -j route show default table main | jq -r 'sort_by(.metric // 0) | .[0].dev // empty'; }
g_default_is() { [ "$(g_default_dev 2>/dev/null)" = "$1" ]; }
g_settled() {
	gctl status --json | jq -e --arg n "$1" '.uplinks[] | select(.name == $n) | .state == "up" and .settled' >/dev/null
}
g_pid() { guest cat /run/uplinkd.pid; }

# outage_start NAME SECONDS: 1 kpps of numbered UDP from the LAN host to the sink, through
# the guest; outage_end NAME sets GAP to the longest gap in ms (not in $(...): it waits for
# this shell's children)
outage_start() {
	in_ns sink "$TOOLS/udpseq" recv --port 9000 --duration "$(($2 + 3))" --json >"$RUN/$1.recv" &
	echo $! >"$RUN/udpseq-recv.pid"
	sleep 0.3
	in_ns lan "$TOOLS/udpseq" send --to 198.51.100.10:9000 --interval-us 1000 \
		--count "$(($2 * 1000))" >/dev/null 2>&1 &
	echo $! >"$RUN/udpseq-send.pid"
}
outage_end() {
	wait "$(cat "$RUN/udpseq-send.pid")" 2>/dev/null || true
	wait "$(cat "$RUN/udpseq-recv.pid")" 2>/dev/null || true
	rm -f "$RUN/udpseq-send.pid" "$RUN/udpseq-recv.pid"
	GAP=$(jq -r '.max_gap.ms // empty | floor' "$RUN/$1.recv" 2>/dev/null)
}

# ---- 1. boot --------------------------------------------------------------------------------
t0=$(date +%s%N)
qemu_up "$IMAGE"
booted=0
if wait_for 180 guest --timeout 3 uplinkctl status; then
	booted=$((($(date +%s%N) - t0) / 1000000))
	ok "boot: uplinkd in the image answers status after $booted ms (software emulation)"
	bench "image boot_to_status_ms $booted"
else
	not_ok "boot: uplinkd in the image answers status"
	diag "console:"; tail -30 "$RUN/console.log" | sed 's/^/#   /'
	exit 1
fi
# the remote site (scenario 4) boots now, while the router's uplinks settle: a second guest of
# the same image, idle once up
image_site_start "$IMAGE"
check "the guest runs Debian's kernel with kernel ESP and netem modules loaded" \
	guest 'uname -r | grep -q cloud-amd64 && grep -q "^esp4 " /proc/modules && grep -q "^sch_netem " /proc/modules'
check "isp1 and isp2 come up through the guest's virtio wan1 and wan2" \
	wait_for 60 eval 'g_settled isp1 && g_settled isp2'
check "the LAN host reaches the status page through the router (http://100.80.0.1/api/status)" \
	eval 'in_ns lan curl -fsS -m 5 http://100.80.0.1/api/status | jq -e ".uplinks | length == 2"'
check "the status page is not served on the WAN side (nftables: LAN only)" \
	eval '! in_ns isp1 curl -fsS -m 3 http://100.64.1.2/api/status'

# ---- 2. least privilege ---------------------------------------------------------------------
pid=$(g_pid)
st=$(guest "cat /proc/$pid/status")
uid=$(awk '$1 == "Uid:" { print $2 }' <<<"$st")
capeff=$(awk '$1 == "CapEff:" { print $2 }' <<<"$st")
diag "uplinkd in the guest: pid $pid uid $uid CapEff $capeff"
check "the daemon's uid is not 0 (uid $uid, user uplinkd)" \
	eval '[ "$uid" != 0 ] && guest "grep -q ^uplinkd:x:$uid: /etc/passwd"'
check "its CapEff holds exactly CAP_NET_ADMIN and CAP_NET_RAW ($capeff)" test "$capeff" = 0000000000003000
check "no_new_privs, and its bounding set is the same two" \
	eval 'grep -q "^NoNewPrivs:.*1" <<<"$st" && grep -q "^CapBnd:.*0000000000003000" <<<"$st"'
check "state_dir 0700 and the control socket's directory 0750, both uplinkd's" \
	eval '[ "$(guest "stat -c \"%U %a\" /var/lib/uplinkd /run/uplinkd" | tr "\n" " ")" = "uplinkd 700 uplinkd 750 " ]'
rss=$(awk '$1 == "VmRSS:" { print $2 }' <<<"$st")
bench "image uplinkd_rss_kb $rss"

# ---- 3. blackhole failover -----------------------------------------------------------------
# (the site guest of scenario 4 is booted and idle before anything is measured)
image_site_wait
check "isp1 carries the guest's default route" wait_for 20 g_default_is wan1
outage_start blackhole 12
sleep 1
fault isp1 blackhole
check "blackhole on isp1: the guest's default route moves to wan2" wait_for 20 g_default_is wan2
outage_end blackhole; gap=$GAP
diag "blackhole outage seen by the LAN host: ${gap:-?} ms"
check "the LAN host's traffic recovered through isp2 (longest gap ${gap:-?} ms)" \
	eval '[ -n "$gap" ] && [ "$gap" -lt 10000 ] && ping_ok lan 198.51.100.10'
bench "image blackhole_outage_ms ${gap:-}"
fault isp1 clear
check "isp1 back after the hold-down: route returns to wan1" wait_for 40 g_default_is wan1

# ---- 5. link renegotiated down (ethtool on the guest's virtio wan1) ------------------------
check "isp1 settled before the speed drop" wait_for 30 g_settled isp1
outage_start speed 12
sleep 1
guest ethtool -s wan1 speed 10 duplex half
check "wan1 at 10 Mb/s half duplex: isp1 degraded (min_speed_mbps 100)" wait_for 20 g_state_is isp1 degraded
check "traffic moves to isp2" wait_for 20 eval 'g_active_is isp2 && g_default_is wan2'
outage_end speed; gap=$GAP
diag "speed-drop outage seen by the LAN host: ${gap:-?} ms"
bench "image speed_drop_outage_ms ${gap:-}"
reason=$(g_field isp1 reason)
diag "isp1 reason: $reason"
check "the reason names the speed" eval '[[ "$reason" == *10* ]]'
guest ethtool -s wan1 speed 1000 duplex full
check "speed restored: isp1 up and active again after the hold-down" \
	wait_for 40 eval 'g_active_is isp1 && g_default_is wan1'

# ---- 6. netem in the guest -----------------------------------------------------------------
check "isp1 settled before netem" wait_for 30 g_settled isp1
n_before=$(gctl events -n 1000 --json | jq '[.[] | select(.type == "active")] | length')
guest /usr/sbin/tc qdisc replace dev wan1 root netem delay 20ms 30ms loss 3%
sleep 15
n_after=$(gctl events -n 1000 --json | jq '[.[] | select(.type == "active")] | length')
diag "isp1 under 3 % loss and 30 ms jitter: $(g_field isp1 state), loss $(g_field isp1 loss_pct) %, jitter $(g_field isp1 jitter_ms) ms"
check "3 % loss and 30 ms jitter on wan1 for 15 s: no failover" \
	eval 'g_active_is isp1 && [ "$n_after" = "$n_before" ]'
guest /usr/sbin/tc qdisc replace dev wan1 root netem delay 300ms
check "300 ms of extra delay: isp1 degraded, isp2 active" \
	wait_for 30 eval 'g_state_is isp1 degraded && g_active_is isp2'
guest /usr/sbin/tc qdisc del dev wan1 root
check "netem removed: isp1 active again after the hold-down" wait_for 40 g_active_is isp1

# ---- 7. wan2 hot-unplugged and plugged back ------------------------------------------------
pid=$(g_pid)
qemu_mon device_del wan2 >/dev/null
check "wan2 unplugged (qemu device_del): gone in the guest, isp2 down" \
	wait_for 30 eval '! guest test -e /sys/class/net/wan2 && g_state_is isp2 down'
# device_del only asks: the guest unbinds the NIC first and ejects it later, and until qemu
# has seen the eject the id is still taken and device_add fails ("Duplicate device ID").
# A slow guest (TCG on a loaded host) widens that window, so wait for qemu to let go.
# qtree_ids: the ids of qemu's devices, one a line (an unanswered monitor gives none, so
# "released" cannot pass on silence: wan1 must still be listed)
qtree_ids() { qemu_mon info qtree | sed -n 's/.*, id "\([^"]*\)".*/\1/p'; }
wan2_released() { local ids; ids=$(qtree_ids); grepq -x wan1 <<<"$ids" && ! grepq -x wan2 <<<"$ids"; }
wan2_in_qemu() { qtree_ids | grepq -x wan2; }
check "qemu has released wan2 (the guest ejected it)" wait_for 30 wan2_released
qemu_mon "device_add virtio-net-pci,netdev=nwan2,mac=${QEMU_MAC[wan2]},id=wan2" >"$RUN/device_add.out"
[ -s "$RUN/device_add.out" ] && diag "device_add: $(head -c 300 "$RUN/device_add.out")"
check "qemu plugs wan2 back (device_add)" eval 'wan2_in_qemu'
check "wan2 plugged back: renamed, addressed, isp2 up again" \
	wait_for 60 eval 'guest test -e /sys/class/net/wan2 && g_settled isp2'
if ! g_settled isp2; then
	diag "guest links: $(guest /usr/sbin/ip -br link | tr '\n' ';')"
	diag "isp2: $(gctl status --json | jq -c '.uplinks[] | select(.name == "isp2") | {state, settled, reason}')"
fi
check "followed without a restart (same uplinkd pid $pid)" eval '[ "$(g_pid)" = "$pid" ]'

# ---- 4. IPsec with kernel ESP at both ends (test/image/ipsec.sh) --------------------------
image_ipsec

echo "# guest console tail:"
tail -5 "$RUN/console.log" | sed 's/^/#   /'
