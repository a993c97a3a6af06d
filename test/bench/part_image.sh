#!/bin/bash
# part_image.sh - bench rows for the firmware image (qemu-x86_64): its size, boot to the
# first `uplinkctl status` under software emulation, uplinkd's RSS in the guest, and the
# outages the image lab measures (blackhole, the kernel-ESP tunnel on a protocol-50 drop with
# and without UDP encapsulation, the speed drop). One run of test/image/t_image.sh (one boot
# is a minute of emulation; REPS is not applied): median and worst are that one value.
# Needs `make image BOARD=qemu-x86_64`.
# Env from run.sh: ROOT TOOLS PART_TMP; IMAGE_TAP=FILE takes the rows from the transcript of
# a t_image.sh run already made (make check-image) instead of booting again.
# Rows on stdout, progress on stderr.
set -euo pipefail
IMG=$ROOT/build/image/qemu-x86_64
[ -f "$IMG/manifest.txt" ] || { echo "bench image: no image; run make image BOARD=qemu-x86_64" >&2; exit 1; }
if [ -n "${IMAGE_TAP:-}" ]; then
	cp "$IMAGE_TAP" "$PART_TMP/t_image.tap"
else
	TOOLS=$TOOLS "$ROOT/test/image/t_image.sh" "$IMG" >"$PART_TMP/t_image.tap" 2>&1 ||
		echo "bench image: t_image.sh reported failures (rows may be missing)" >&2
fi
val() { awk -v k="$1" '$2 == "bench:" && $4 == k { print $5 }' "$PART_TMP/t_image.tap" | tail -1; }
mf() { awk -v k="$1" '$1 == k { print $2 }' "$IMG/manifest.txt"; }
mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1e6 }'; }
row() { echo "| $1 | ${2:-n/a} | ${2:-n/a} | $3 |"; }
row "image qemu-x86_64: kernel + rootfs.cpio.gz (compressed)" \
	"$(mb $(($(mf kernel_bytes) + $(mf rootfs_cpio_gz_bytes))))" "≤ 32 MB"
row "image qemu-x86_64: rootfs unpacked" "$(mb "$(mf rootfs_unpacked_bytes)")" ""
row "image: boot to first uplinkctl status, software emulation (TCG, 1 vCPU)" "$(val boot_to_status_ms) ms" "≤ 60000 ms"
row "image: uplinkd RSS in the guest (uid uplinkd, 2 uplinks)" "$(val uplinkd_rss_kb) KiB" "≤ 8192 KiB"
row "image: outage, isp1 blackhole, LAN host through the VM" "$(val blackhole_outage_ms) ms" "≤ 2000 ms"
row "image: outage, wan1 renegotiated to 10 Mb/s half duplex (ethtool in the guest)" "$(val speed_drop_outage_ms) ms" "≤ 2000 ms"
row "image: kernel-ESP tunnel outage for a protocol-50 drop (both ends kernel ESP in guests; moved to isp2)" "$(val esp50_drop_tunnel_outage_ms) ms" "< 5000 ms"
row "image: the same drop with force_udp_encap (ESP in UDP, same carrier: no move), longest gap" "$(val esp50_drop_encap_tunnel_outage_ms) ms" "0 ms"
