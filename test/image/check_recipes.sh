#!/bin/bash
# check_recipes.sh - the integration recipes, checked as far as this machine allows:
# Buildroot's Config.in by kconfiglib (syntax; its BR2_ symbols are Buildroot's, so
# undefined ones are expected), uplinkd.mk and the OpenWrt Makefile for what each build
# system needs, the shell scripts (OpenWrt's procd init, rootfs init) by shellcheck.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT/packaging"
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fail=1; echo "not ok $n - $*"; }
t() { local d=$1; shift; if out=$("$@" 2>&1); then ok "$d"; else nok "$d"; printf '%s\n' "$out" | sed 's/^/#   /' | head -20; fi; }

t "buildroot: Config.in parses with kconfiglib and defines BR2_PACKAGE_UPLINKD" \
	env BR2_EXTERNAL_UPLINKD_PATH="$PWD/buildroot" /usr/bin/python3 -c '
import kconfiglib, sys
k = kconfiglib.Kconfig("buildroot/Config.in", warn=False)
assert "BR2_PACKAGE_UPLINKD" in k.syms and k.syms["BR2_PACKAGE_UPLINKD"].nodes, "no BR2_PACKAGE_UPLINKD"
assert k.syms["BR2_PACKAGE_UPLINKD_BOARD"].type == kconfiglib.STRING'
t "buildroot: uplinkd.mk is a generic-package with build, install and user lines" eval '
	f=buildroot/package/uplinkd/uplinkd.mk
	grep -q "^\$(eval \$(generic-package))" $f && grep -q "^define UPLINKD_BUILD_CMDS" $f &&
	grep -q "^define UPLINKD_INSTALL_TARGET_CMDS" $f && grep -q "^define UPLINKD_USERS" $f &&
	grep -q "libcap-ng" $f && make -n -f /dev/null -f $f BR2_EXTERNAL_UPLINKD_PATH=. >/dev/null 2>&1 ||
	grep -q "^UPLINKD_VERSION" $f'
t "buildroot: the files it installs exist in this tree" eval '
	for f in $(grep -o "\$(@D)/[^ ]*" buildroot/package/uplinkd/uplinkd.mk | sed "s|\$(@D)/||" |
		grep -v "^build/" | sed "s|\$(UPLINKD_BOARD)|x86|"); do test -e "$ROOT/$f" || { echo "missing $f"; exit 1; }; done'
t "openwrt: Makefile defines the package and calls BuildPackage" eval '
	f=openwrt/uplinkd/Makefile
	grep -q "^PKG_NAME:=uplinkd" $f && grep -q "^define Package/uplinkd$" $f &&
	grep -q "^define Package/uplinkd/install" $f && grep -q "^\$(eval \$(call BuildPackage,uplinkd))" $f &&
	grep -q "+libcap-ng" $f'
t "openwrt: the procd init passes shellcheck" shellcheck -s sh openwrt/uplinkd/files/uplinkd.init
t "openwrt: the init defines start_service with procd_open_instance" eval '
	grep -q "^start_service()" openwrt/uplinkd/files/uplinkd.init &&
	grep -q "procd_open_instance" openwrt/uplinkd/files/uplinkd.init'
t "rootfs: the BusyBox init scripts and the LED hook pass shellcheck" \
	shellcheck -s sh "$ROOT"/rootfs/etc/init.d/* "$ROOT"/rootfs/etc/uplinkd/hooks.d/* \
		"$ROOT"/board/qemu-x86_64/overlay/sbin/guest-agent
t "rootfs: nftables.conf is valid nft" nft -c -f "$ROOT/rootfs/etc/nftables.conf"
# the one systemd unit (make install, the .deb, Buildroot), as the Buildroot recipe renders it
udir=$(mktemp -d)
unit=$udir/uplinkd.service
grep -q "packaging/uplinkd.service" buildroot/package/uplinkd/uplinkd.mk &&
	sed -e 's|@SBINDIR@|/usr/sbin|g' -e 's|@SYSCONFDIR@|/etc|g' uplinkd.service >"$unit"
t "buildroot: installs packaging/uplinkd.service (the only unit), rendered" eval '[ -s "$unit" ] && ! grep -Eq "@[A-Z]+@" "$unit"'
t "the systemd unit: user uplinkd, no_new_privs, notify with a watchdog, the capability bound" eval '
	grep -q "^User=uplinkd" "$unit" && grep -q "^NoNewPrivileges=yes" "$unit" &&
	grep -q "^Type=notify" "$unit" && grep -q "^WatchdogSec=" "$unit" &&
	grep -q "^CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_NET_BIND_SERVICE$" "$unit"'
if command -v systemd-analyze >/dev/null; then
	# its complaints, less the two about uplinkd not being installed on this machine
	systemd-analyze verify "$unit" >"$udir/verify.log" 2>&1 || echo "# systemd-analyze verify: exit $?"
	t "the systemd unit: systemd-analyze verify finds nothing else in it" \
		awk '!/not executable|man uplinkd/ { bad = 1; print } END { exit bad }' "$udir/verify.log"
fi
rm -rf "$udir"
echo "1..$n"
exit $fail
