#!/bin/bash
# mkdeb.sh BUILD OUTDIR - the Debian package of what `make` built in BUILD.
# Installs with `make install DESTDIR=... PREFIX=/usr`, adds DEBIAN/ (control with the
# shared libraries' packages as Depends, conffiles, maintainer scripts, md5sums) and builds
# OUTDIR/uplinkd_VERSION_ARCH.deb with dpkg-deb (root-owned files, no fakeroot needed).
set -euo pipefail
build=$1 out=$2
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
root=$build/deb/root
version=$(sed -n 's/^#define UPLINKD_VERSION "\(.*\)"/\1/p' "$top/daemon/main.c")
arch=$(dpkg --print-architecture)

rm -rf "$root"
make -C "$top" --no-print-directory BUILD="$build" DESTDIR="$root" PREFIX=/usr install >/dev/null
strip --strip-unneeded "$root/usr/sbin/uplinkd" "$root/usr/bin/uplinkctl"

# Depends: the package of every shared library the binaries link directly (DT_NEEDED)
deps=$(for b in "$root/usr/sbin/uplinkd" "$root/usr/bin/uplinkctl"; do
	for so in $(objdump -p "$b" | awk '$1 == "NEEDED" { print $2 }'); do
		ldd "$b" | awk -v so="$so" '$1 == so && $3 ~ /^\// { print $3 }'
	done
done | sort -u | while read -r lib; do
	dpkg -S "$(realpath "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || {
		echo "mkdeb: no Debian package owns $lib" >&2
		exit 1
	}
done | cut -d: -f1 | sort -u | paste -sd, | sed 's/,/, /g')
[ -n "$deps" ] || { echo "mkdeb: found no library packages" >&2; exit 1; }

mkdir -p "$root/DEBIAN"
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@DEPENDS@/$deps/" \
	-e "s/@SIZE@/$(du -sk "$root" | cut -f1)/" "$here/debian/control.in" >"$root/DEBIAN/control"
echo /etc/uplinkd/uplinkd.conf >"$root/DEBIAN/conffiles"
install -m 0755 "$here/debian/postinst" "$here/debian/prerm" "$here/debian/postrm" "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -path ./etc -prune -o -type f -printf '%P\0' |
	sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"
mkdir -p "$out"
dpkg-deb --root-owner-group -Zxz --build "$root" "$out/uplinkd_${version}_${arch}.deb"
