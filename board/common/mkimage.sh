#!/bin/bash
# mkimage.sh BOARD BUILD OUT - a small firmware image for BOARD, from Debian packages:
#
#   OUT/vmlinuz            the board's Debian kernel (KERNEL_PKG of board/BOARD/image.conf,
#                          fetched with apt-get download into build/image/cache, never installed)
#   OUT/rootfs.cpio.gz     the root filesystem, an initramfs: busybox (init, shell, mdev,
#                          watchdog), uplinkd and uplinkctl from BUILD, iproute2 (ip, tc),
#                          nftables, ethtool, charon and swanctl, only the shared libraries
#                          these link (read from their ELF headers), the kernel modules of
#                          board/BOARD/modules with their dependencies, rootfs/ and the
#                          board's files (uplinkd.conf, interfaces, leds, overlay/)
#   OUT/manifest.txt       every file with the Debian package it came from, and the sizes
#
# The userland of an amd64 board is taken from this Debian 12 machine's installed packages
# (make deps installs them; the files are those of the .debs); a board of another ARCH gets
# them with apt-get download + dpkg-deb -x (needs `dpkg --add-architecture ARCH`).
set -euo pipefail

BOARD=${1:?usage: mkimage.sh BOARD BUILD OUT}
BUILD=${2:?}
OUT=${3:?}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BDIR=$ROOT/board/$BOARD
CACHE=$ROOT/build/image/cache
. "$BDIR/image.conf"

die() { echo "mkimage: $*" >&2; exit 1; }
[ -x "$BUILD/uplinkd" ] || die "$BUILD/uplinkd missing: make BUILD=$BUILD BOARD=$BOARD all"
[ "$ARCH" = "$(dpkg --print-architecture)" ] ||
	die "$BOARD is $ARCH; this machine builds $(dpkg --print-architecture) images only (see README: other boards)"
for t in cpio gzip depmod busybox; do
	command -v $t >/dev/null || die "$t missing: make deps"
done

# ---- the kernel, from its Debian package ----
mkdir -p "$CACHE" "$OUT"
chmod 755 "$CACHE"
kpkg=$(apt-cache depends "$KERNEL_PKG" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
[ -n "$kpkg" ] || die "apt-cache knows no $KERNEL_PKG; run apt-get update"
deb=$(ls "$CACHE/${kpkg}"_*.deb 2>/dev/null | tail -1 || true)
if [ -z "$deb" ]; then
	(cd "$CACHE" && apt-get download -q "$kpkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
	deb=$(ls "$CACHE/${kpkg}"_*.deb 2>/dev/null | tail -1 || true)
	[ -n "$deb" ] || die "apt-get download $kpkg failed"
fi
kdir=$CACHE/${kpkg}.x
if [ ! -d "$kdir/lib/modules" ]; then
	rm -rf "$kdir"
	dpkg-deb -x "$deb" "$kdir"
fi
kver=$(ls "$kdir/lib/modules" | head -1)
[ -f "$kdir/lib/modules/$kver/modules.dep" ] || depmod -b "$kdir" "$kver"

STAGE=$OUT/root
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,var/log,var/lib,root,lib/modules}
MANIFEST=$OUT/manifest.txt
: >"$MANIFEST.files"

# put SRC at DEST (a path in the image), following symlinks, noting where it came from
put() {
	local src=$1 dest=$2
	[ -e "$STAGE$dest" ] && return 0
	mkdir -p "$(dirname "$STAGE$dest")"
	cp -L "$src" "$STAGE$dest"
	echo "$dest $(readlink -f "$src")" >>"$MANIFEST.files"
}

# an ELF file and every library it needs (ldd: this machine is the image's architecture)
put_elf() {
	local src=$1 dest=${2:-$1} lib
	put "$src" "$dest"
	ldd "$src" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib|^\t\/usr/{print $1}' |
		while read -r lib; do
			put "$lib" "$lib"
			# the lib64 loader path the binaries name
		done
}

# ---- busybox: init, shell and the tools ----
put /bin/busybox /bin/busybox
for a in $(/bin/busybox --list-full); do
	[ -e "$STAGE/$a" ] || ln -s /bin/busybox "$STAGE/$a"
done
ln -sf /bin/busybox "$STAGE/init"

# ---- uplinkd and the router's userland ----
put_elf "$BUILD/uplinkd" /usr/sbin/uplinkd
put_elf "$BUILD/uplinkctl" /usr/bin/uplinkctl
for b in /usr/sbin/ip /usr/sbin/tc /usr/sbin/nft /usr/sbin/ethtool /usr/sbin/swanctl \
	/usr/sbin/charon-systemd; do
	[ -x "$b" ] || die "$b missing: make deps"
	# busybox's ip/tc applets give way to iproute2's, wherever busybox put them
	for d in /bin /sbin /usr/bin /usr/sbin; do
		[ -L "$STAGE$d/${b##*/}" ] && rm -f "$STAGE$d/${b##*/}"
	done
	put_elf "$b"
done
# names nft and charon resolve (netbase)
put /etc/protocols /etc/protocols
put /etc/services /etc/services
SWAN_PLUGINS="random nonce aes sha1 sha2 hmac kdf pem pkcs1 pkcs8 x509 pubkey revocation
	constraints openssl gmp kernel-netlink socket-default vici updown"
for p in $SWAN_PLUGINS; do
	put_elf /usr/lib/ipsec/plugins/libstrongswan-$p.so
done
put /usr/lib/ipsec/_updown /usr/lib/ipsec/_updown
# glibc dlopens libgcc_s for pthread_cancel (swanctl and charon's threads end so)
lgcc=$(gcc -print-file-name=libgcc_s.so.1)
put "$lgcc" "/lib/$(gcc -print-multiarch)/libgcc_s.so.1"
[ -e /lib64/ld-linux-x86-64.so.2 ] && put /lib64/ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2

# ---- kernel modules: the board's list and what they depend on ----
mdir=$kdir/lib/modules/$kver
grep -v '^#' "$BDIR/modules" | sed '/^$/d' | while read -r m; do
	n=$(echo "$m" | tr - _)
	line=$(awk -v n="$n" '{ f = $1; sub(":", "", f); b = f; sub(".*/", "", b); sub("\\.ko.*", "", b);
		gsub("-", "_", b); if (b == n) { print; exit } }' "$mdir/modules.dep")
	[ -n "$line" ] || { echo "mkimage: module $m not in $kpkg (built in?)" >&2; continue; }
	for f in $(echo "$line" | tr -d :); do
		mkdir -p "$STAGE/lib/modules/$kver/$(dirname "$f")"
		cp -n "$mdir/$f" "$STAGE/lib/modules/$kver/$f"
	done
done
cp "$mdir"/modules.order "$mdir"/modules.builtin* "$STAGE/lib/modules/$kver/" 2>/dev/null || true
depmod -b "$STAGE" "$kver"
cp "$BDIR/modules" "$STAGE/etc/modules"

# ---- the overlay and the board ----
cp -a "$ROOT/rootfs/." "$STAGE/"
rm -rf "$STAGE/etc/systemd"	# BusyBox init: nothing of systemd (its unit is packaging/uplinkd.service)
[ -d "$BDIR/overlay" ] && cp -a "$BDIR/overlay/." "$STAGE/"
[ -f "$BDIR/inittab" ] && cat "$BDIR/inittab" >>"$STAGE/etc/inittab"
mkdir -p "$STAGE/etc/uplinkd"
cp "$BDIR/uplinkd.conf" "$BDIR/interfaces" "$STAGE/etc/uplinkd/"
[ -f "$BDIR/leds" ] && cp "$BDIR/leds" "$STAGE/etc/uplinkd/"
cp "$BDIR/hostname" "$STAGE/etc/hostname"
cat >"$STAGE/etc/passwd" <<PW
root:x:0:0:root:/root:/bin/sh
uplinkd:x:100:100:uplinkd:/var/lib/uplinkd:/bin/false
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat >"$STAGE/etc/group" <<GR
root:x:0:
uplinkd:x:100:
nogroup:x:65534:
GR
printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$STAGE/etc/nsswitch.conf"
chmod 0755 "$STAGE/etc/uplinkd/hooks.d"
mkdir -p "$STAGE"/etc/swanctl/{conf.d,x509,x509ca,private}
chmod 0700 "$STAGE/etc/swanctl/private"
chmod 0700 "$STAGE/root"
chmod 1777 "$STAGE/tmp"

# ---- pack ----
cp "$kdir/boot/vmlinuz-$kver" "$OUT/vmlinuz"
echo "$CMDLINE" >"$OUT/cmdline"
(cd "$STAGE" && find . -print0 | LC_ALL=C sort -z |
	cpio --null -o -H newc -R 0:0 --quiet) | gzip -6n >"$OUT/rootfs.cpio.gz"
unpacked=$(du -sb "$STAGE" | cut -f1)
{
	echo "# $BOARD image: kernel $kpkg ($kver), $(date -u +%F)"
	echo "kernel_bytes $(stat -c %s "$OUT/vmlinuz")"
	echo "rootfs_cpio_gz_bytes $(stat -c %s "$OUT/rootfs.cpio.gz")"
	echo "rootfs_unpacked_bytes $unpacked"
	echo "# file  package (one dpkg -S for all; uplinkd and uplinkctl are this tree's)"
	# shellcheck disable=SC2046 # the paths have no spaces
	# merged /usr: a package may have registered the file under /lib or /usr/lib
	# (dpkg -S fails for the paths it does not know: half of these, by design)
	{ dpkg -S $(awk '{ print $2; sub("^/usr", "", $2); print $2 }' "$MANIFEST.files") 2>/dev/null || :; } |
		awk -F': ' 'NR == FNR { pkg[$2] = $1; next }
			{ split($0, f, " "); p = f[2]; q = p; sub("^/usr", "", q)
			  print f[1], (p in pkg) ? pkg[p] : (q in pkg) ? pkg[q] : "(" p ")" }' - "$MANIFEST.files" |
		sort -u
} >"$MANIFEST"
rm -f "$MANIFEST.files"
echo "mkimage: $OUT: vmlinuz $(du -h "$OUT/vmlinuz" | cut -f1), rootfs.cpio.gz $(du -h "$OUT/rootfs.cpio.gz" | cut -f1) ($(numfmt --to=iec "$unpacked") unpacked)"
