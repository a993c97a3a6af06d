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
# (make deps installs them; the files are those of the .debs); a board of another ARCH (arm64)
# gets them with apt-get download + dpkg-deb -x into build/image/cache/sysroot-ARCH: the
# packages below and their Depends (apt-cache depends --recurse), never installed here. That
# needs `dpkg --add-architecture ARCH` and apt-get update (make deps-arm64 does both).
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
for t in cpio gzip depmod busybox readelf dpkg-architecture; do
	command -v $t >/dev/null || die "$t missing: make deps"
done
MULTIARCH=$(dpkg-architecture -a"$ARCH" -qDEB_HOST_MULTIARCH 2>/dev/null)
# SR: where the image's userland comes from ("" = this machine, for its own architecture)
SR=
APTARCH=
if [ "$ARCH" != "$(dpkg --print-architecture)" ]; then
	dpkg --print-foreign-architectures | grep -qx "$ARCH" ||
		die "$BOARD is $ARCH: run make deps-$ARCH (dpkg --add-architecture $ARCH; apt-get update)"
	APTARCH=:$ARCH
	SR=$CACHE/sysroot-$ARCH
fi

# ---- the kernel, from its Debian package ----
mkdir -p "$CACHE" "$OUT"
chmod 755 "$CACHE"
kpkg=$(apt-cache depends "$KERNEL_PKG$APTARCH" 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}')
kpkg=${kpkg%:*}
[ -n "$kpkg" ] || die "apt-cache knows no $KERNEL_PKG; run apt-get update"
deb=$(ls "$CACHE/${kpkg}"_*.deb 2>/dev/null | tail -1 || true)
if [ -z "$deb" ]; then
	(cd "$CACHE" && apt-get download -q "$kpkg$APTARCH" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
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

# ---- a foreign architecture's userland: the .debs, unpacked into SR ----
# (pkg-index: every file of SR with its package, for the manifest)
RUNTIME_PKGS="busybox-static iproute2 nftables ethtool strongswan-swanctl charon-systemd
	libstrongswan-standard-plugins libgcc-s1 libmnl0 libnftnl11 libconfig9 libjson-c5 libcap-ng0
	libmicrohttpd12 libcrypt1"
if [ -n "$SR" ] && [ ! -f "$SR/.done" ]; then
	echo "mkimage: fetching the $ARCH userland (apt-get download) into $SR"
	# shellcheck disable=SC2086,SC2046 # word lists
	pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
		--no-replaces --no-enhances $(printf "%s$APTARCH " $RUNTIME_PKGS) 2>/dev/null |
		grep -v '^[ <]' | grep ":$ARCH\$" | sort -u |
		grep -Ev '^(dpkg|tar|install-info|cdebconf|debconf|libdebian-installer4|libnewt0.52|libslang2|libtextwrap1):')
	ddir=$CACHE/debs-$ARCH
	mkdir -p "$ddir"
	# shellcheck disable=SC2086
	(cd "$ddir" && apt-get download -q $pkgs 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
	rm -rf "$SR"
	mkdir -p "$SR"
	: >"$SR/.pkg-index"
	for p in $pkgs; do
		deb=$(ls "$ddir/${p%:*}"_*_"$ARCH".deb 2>/dev/null | tail -1 || true)
		[ -n "$deb" ] || die "apt-get download $p failed (apt-get update?)"
		dpkg-deb -x "$deb" "$SR"
		dpkg-deb -c "$deb" | awk -v p="${p%:*}" '{ f = $6; sub("^\\.", "", f); print f, p }' >>"$SR/.pkg-index"
	done
	touch "$SR/.done"
fi

STAGE=$OUT/root
rm -rf "$STAGE"
mkdir -p "$STAGE"/{bin,sbin,usr/bin,usr/sbin,etc,proc,sys,dev,run,tmp,var/log,var/lib,root,lib/modules}
MANIFEST=$OUT/manifest.txt
: >"$MANIFEST.files"

# put SRC at DEST (a path in the image), following symlinks, noting where it came from
put() {
	local src=$1 dest=$2
	[ -z "$SR" ] || src=$(sr_resolve "$src")
	[ -e "$STAGE$dest" ] && return 0
	mkdir -p "$(dirname "$STAGE$dest")"
	cp -L "$src" "$STAGE$dest"
	echo "$dest $(readlink -f "$src")" >>"$MANIFEST.files"
}

# an ELF file and every library it needs (ldd: this machine is the image's architecture)
put_elf() {
	local src=$1 dest=${2:-$1} lib
	[ -n "$SR" ] && { put_elf_sr "$src" "$dest"; return; }
	put "$src" "$dest"
	ldd "$src" 2>/dev/null | awk '/=> \//{print $3} /^\t\/lib|^\t\/usr/{print $1}' |
		while read -r lib; do
			put "$lib" "$lib"
			# the lib64 loader path the binaries name
		done
}

# a path in SR with its symlinks followed inside SR (the .debs' absolute links, such as
# iproute2's /sbin/ip -> /bin/ip, name the image's paths, not this machine's)
sr_resolve() {
	local p=$1 t i=0
	while [ -L "$p" ] && [ $i -lt 20 ]; do
		t=$(readlink "$p")
		case $t in
		/*) p=$SR$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
		i=$((i + 1))
	done
	echo "$p"
}

# the same for a foreign architecture (no ldd): the DT_NEEDED names of the ELF headers,
# found in SR's library directories (and the RUNPATH strongSwan uses), recursively
put_elf_sr() {
	local src=$1 dest=$2 n d found
	[ -e "$STAGE$dest" ] && return 0
	src=$(sr_resolve "$src")
	put "$src" "$dest"
	for n in $(readelf -d "$src" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		found=
		for d in /lib/$MULTIARCH /usr/lib/$MULTIARCH /usr/lib/ipsec; do
			if [ -e "$SR$d/$n" ]; then found=$d/$n; break; fi
		done
		[ -n "$found" ] || die "$src needs $n, which no $ARCH package of RUNTIME_PKGS has"
		put_elf_sr "$SR$found" "$found"
	done
	readelf -l "$src" | sed -n 's/.*Requesting program interpreter: \(.*\)\]/\1/p' |
		while read -r n; do put "$SR$n" "$n"; done
}

# ---- busybox: init, shell and the tools ----
# (the applet list of this machine's busybox-static: the same package, the same config)
put "$SR/bin/busybox" /bin/busybox
for a in $(/bin/busybox --list-full); do
	[ -e "$STAGE/$a" ] || ln -s /bin/busybox "$STAGE/$a"
done
ln -sf /bin/busybox "$STAGE/init"

# ---- uplinkd and the router's userland ----
put_elf "$BUILD/uplinkd" /usr/sbin/uplinkd
put_elf "$BUILD/uplinkctl" /usr/bin/uplinkctl
for b in /usr/sbin/ip /usr/sbin/tc /usr/sbin/nft /usr/sbin/ethtool /usr/sbin/swanctl \
	/usr/sbin/charon-systemd; do
	src=$SR$b
	# (the .debs still put some of these under /bin and /sbin: merged /usr, host only)
	[ -x "$src" ] || src=$SR${b#/usr}
	[ -x "$src" ] || die "$SR$b missing: make deps"
	# busybox's ip/tc applets give way to iproute2's, wherever busybox put them
	for d in /bin /sbin /usr/bin /usr/sbin; do
		[ -L "$STAGE$d/${b##*/}" ] && rm -f "$STAGE$d/${b##*/}"
	done
	put_elf "$src" "$b"
done
# names nft and charon resolve (netbase)
put /etc/protocols /etc/protocols
put /etc/services /etc/services
SWAN_PLUGINS="random nonce aes sha1 sha2 hmac kdf pem pkcs1 pkcs8 x509 pubkey revocation
	constraints openssl gmp kernel-netlink socket-default vici updown"
for p in $SWAN_PLUGINS; do
	put_elf "$SR/usr/lib/ipsec/plugins/libstrongswan-$p.so" /usr/lib/ipsec/plugins/libstrongswan-$p.so
done
put "$SR/usr/lib/ipsec/_updown" /usr/lib/ipsec/_updown
# glibc dlopens libgcc_s for pthread_cancel (swanctl and charon's threads end so)
if [ -n "$SR" ]; then
	put "$SR/lib/$MULTIARCH/libgcc_s.so.1" "/lib/$MULTIARCH/libgcc_s.so.1"
else
	put "$(gcc -print-file-name=libgcc_s.so.1)" "/lib/$MULTIARCH/libgcc_s.so.1"
fi
[ -z "$SR" ] && [ -e /lib64/ld-linux-x86-64.so.2 ] && put /lib64/ld-linux-x86-64.so.2 /lib64/ld-linux-x86-64.so.2

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
	if [ -n "$SR" ]; then
		# the sysroot's own index (dpkg does not know these files)
		awk -v sr="$SR" 'NR == FNR { pkg[$1] = $2; next }
			{ p = $2; q = p; sub("^" sr, "", q); r = q; sub("^/usr", "", r)
			  print $1, (q in pkg) ? pkg[q] "" : ("/usr" q in pkg) ? pkg["/usr" q] : (r in pkg) ? pkg[r] : "(" q ")" }' \
			"$SR/.pkg-index" "$MANIFEST.files" | sort -u
	else
	{ dpkg -S $(awk '{ print $2; sub("^/usr", "", $2); print $2 }' "$MANIFEST.files") 2>/dev/null || :; } |
		awk -F': ' 'NR == FNR { pkg[$2] = $1; next }
			{ split($0, f, " "); p = f[2]; q = p; sub("^/usr", "", q)
			  print f[1], (p in pkg) ? pkg[p] : (q in pkg) ? pkg[q] : "(" p ")" }' - "$MANIFEST.files" |
		sort -u
	fi
} >"$MANIFEST"
rm -f "$MANIFEST.files"
echo "mkimage: $OUT: vmlinuz $(du -h "$OUT/vmlinuz" | cut -f1), rootfs.cpio.gz $(du -h "$OUT/rootfs.cpio.gz" | cut -f1) ($(numfmt --to=iec "$unpacked") unpacked)"
