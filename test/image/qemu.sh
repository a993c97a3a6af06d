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
#
# The remote VPN site (test/lab/site.sh) can be a second guest of the same image:
# qemu_site_up boots it in the site namespace, patched the same way (ports ina, inb, lan0),
# with the overlay test/image/site/ appended to the initramfs (charon with kernel ESP, no
# uplinkd). Then both ends of the tunnel are kernel ESP and a protocol-50 drop bites.
#
#   $RUN/site-console.log, $RUN/site-guest.sock   its console and command channel (sguest)
# Software emulation (TCG): no KVM is needed (or used when absent).

IMG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../lab/lib.sh
. "$IMG_DIR/../lab/lib.sh"

declare -A QEMU_MAC=([lan0]=52:54:00:75:00:10 [wan1]=52:54:00:75:00:01 [wan2]=52:54:00:75:00:02)
# the site guest's (test/image/site/etc/uplinkd/interfaces)
declare -A SITE_MAC=([ina]=52:54:00:75:01:0a [inb]=52:54:00:75:01:14 [lan0]=52:54:00:75:01:10)

# qemu_panel NS PORT...: NS becomes a patch panel: no addresses, no routes, a bridge per port
# holding the port and a tap tPORT for the guest
qemu_panel() {
	local ns=$1 port
	shift
	ip -n "$ns" -4 route flush table main
	ip -n "$ns" -6 route flush table main 2>/dev/null || true
	for port in "$@"; do
		ip -n "$ns" addr flush dev "$port"
		ip -n "$ns" link add name "br$port" type bridge forward_delay 0 stp_state 0
		ip -n "$ns" link set dev "$port" master "br$port"
		ip -n "$ns" tuntap add dev "t$port" mode tap
		ip -n "$ns" link set dev "t$port" master "br$port"
		ip -n "$ns" link set dev "t$port" up
		ip -n "$ns" link set dev "br$port" up
	done
}

# the router namespace becomes a patch panel for the router guest
qemu_patch_panel() {
	in_rtr nft delete table inet lab_nat 2>/dev/null || true
	qemu_panel "$P-rtr" lan0 wan1 wan2
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

# qemu_site_up IMAGE_DIR SWANCTL_CONF: the remote site as a second guest of the same image, in
# the site namespace (site_up first), its ports bridged like the router's; SWANCTL_CONF (the
# site's connection and secrets) goes to its /etc/swanctl/conf.d/lab.conf. A small guest: one
# vCPU, 256 MB, the overlay's short module list. Returns at once (sguest waits for it).
qemu_site_up() {
	local img=$1 conf=$2 root=$RUN/site-root port
	qemu_panel "$P-site" ina inb lan0
	rm -rf "$root"
	cp -a "$IMG_DIR/site" "$root"
	rm -f "$root/README"
	mkdir -p "$root/etc/swanctl/conf.d"
	cp "$conf" "$root/etc/swanctl/conf.d/lab.conf"
	# a second archive after the image's: the kernel unpacks both, the overlay's files last
	(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc -R 0:0 --quiet) |
		gzip -1n | cat "$img/rootfs.cpio.gz" - >"$RUN/site.cpio.gz"
	rm -f "$RUN/site-guest.sock" "$RUN/site-console.log"
	local args=(qemu-system-x86_64 -M pc -m 256 -smp 1 -nodefaults -no-user-config -display none
		-kernel "$img/vmlinuz" -initrd "$RUN/site.cpio.gz" -append "$(cat "$img/cmdline")")
	for port in ina inb lan0; do
		args+=(-netdev "tap,id=n$port,ifname=t$port,script=no,downscript=no"
			-device "virtio-net-pci,netdev=n$port,mac=${SITE_MAC[$port]}")
	done
	ip netns exec "$P-site" "${args[@]}" \
		-serial "file:$RUN/site-console.log" \
		-serial "unix:$RUN/site-guest.sock,server=on,wait=off" \
		-pidfile "$RUN/qemu-site.pid" -daemonize
}

# sguest [--timeout S] CMD...: guest, for the site guest
sguest() {
	"$IMG_DIR/guest.py" "$RUN/site-guest.sock" "$@"
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
