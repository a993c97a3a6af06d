#!/bin/bash
# qemu.sh - the qemu-x86_64 image as the router of the lab network (test/lab/topo.sh).
#
#   qemu.sh interactive IMAGE_DIR   build a lab, boot the image on this terminal (console on
#                                   stdio; Ctrl-A X quits), tear the lab down afterwards
#   . qemu.sh                       defines qemu_up / qemu_mon / guest for test/image/*.sh
#
# The lab's namespaces stay as topo.sh builds them, except the router namespace: its
# addresses and routes are removed and each of its ports (lan0, wan1, wan2) is bridged to a
# tap of the guest (bridge brX holding port X and tap tX). qemu itself runs in that
# namespace, so topo.sh's `down` stops it by PID with everything else. The guest's NICs are
# virtio-net-pci with the MAC addresses of board/qemu-x86_64/interfaces; wan2 is plugged
# with an id, so the qemu monitor can unplug it (device_del wan2) and plug it back.
#
#   $RUN/console.log    the guest's console (ttyS0)
#   $RUN/guest.sock     its command channel (ttyS1, test/image/guest.py)
#   $RUN/monitor.sock   the qemu monitor (HMP)
# Software emulation (TCG): no KVM is needed (or used when absent).

IMG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lib.sh
. "$IMG_DIR/../lab/lib.sh"

declare -A QEMU_MAC=([lan0]=52:54:00:75:00:10 [wan1]=52:54:00:75:00:01 [wan2]=52:54:00:75:00:02)

# the router namespace becomes a patch panel: no addresses, no routes, a bridge per port
qemu_patch_panel() {
	local port
	in_rtr nft delete table inet lab_nat 2>/dev/null || true
	in_rtr ip -4 route flush table main
	in_rtr ip -6 route flush table main 2>/dev/null || true
	for port in lan0 wan1 wan2; do
		in_rtr ip addr flush dev "$port"
		in_rtr ip link add name "br$port" type bridge forward_delay 0 stp_state 0
		in_rtr ip link set dev "$port" master "br$port"
		in_rtr ip tuntap add dev "t$port" mode tap
		in_rtr ip link set dev "t$port" master "br$port"
		in_rtr ip link set dev "t$port" up
		in_rtr ip link set dev "br$port" up
	done
}

# qemu_args IMAGE_DIR: the command line (console and monitor added by the caller)
qemu_args() {
	local img=$1 port
	echo qemu-system-x86_64 -M pc -m 384 -smp 1 -nodefaults -no-user-config -display none
	echo -kernel "$img/vmlinuz" -initrd "$img/rootfs.cpio.gz" -append "\"$(cat "$img/cmdline")\""
	for port in lan0 wan1 wan2; do
		echo -netdev "tap,id=n$port,ifname=t$port,script=no,downscript=no"
		echo -device "virtio-net-pci,netdev=n$port,mac=${QEMU_MAC[$port]},id=$port"
	done
}

# qemu_up IMAGE_DIR: patch panel, then the guest in the background (returns at once)
qemu_up() {
	local img=$1
	qemu_patch_panel
	rm -f "$RUN/guest.sock" "$RUN/monitor.sock" "$RUN/console.log"
	eval in_rtr "$(qemu_args "$img" | tr '\n' ' ')" \
		-serial "file:$RUN/console.log" \
		-serial "unix:$RUN/guest.sock,server=on,wait=off" \
		-monitor "unix:$RUN/monitor.sock,server=on,wait=off" \
		-pidfile "$RUN/qemu.pid" -daemonize
}

# qemu_mon CMD: one qemu monitor (HMP) command; prints its answer
qemu_mon() {
	printf '%s\n' "$*" | socat -t 2 - "UNIX-CONNECT:$RUN/monitor.sock" | tr -d '\r' |
		sed '/^QEMU .* monitor/d; /^(qemu)/d'
}

# guest [--timeout S] CMD...: run CMD in the guest (sh -c), print its output, its status
guest() {
	"$IMG_DIR/guest.py" "$RUN/guest.sock" "$@"
}

# guest_put SRC DEST: copy a (small) host file into the guest
guest_put() {
	guest "echo $(base64 -w0 <"$1") | base64 -d >$2"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -euo pipefail
	case "${1:-}" in
	interactive)
		img=${2:?usage: qemu.sh interactive IMAGE_DIR}
		img=$(cd "$img" && pwd)
		lab_up
		qemu_patch_panel
		echo "qemu.sh: lab $P; the LAN host: ip netns exec $P-lan bash; status page http://100.80.0.1/ from there"
		eval in_rtr "$(qemu_args "$img" | tr '\n' ' ')" -serial mon:stdio \
			-serial "unix:$RUN/guest.sock,server=on,wait=off"
		;;
	*)
		sed -n '2,/^$/s/^# \{0,1\}//p' "$0" >&2
		exit 2 ;;
	esac
fi
